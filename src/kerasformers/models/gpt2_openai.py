"""OpenAI GPT-2 from its original TF checkpoint (openai/gpt-2: 124M, 355M, 774M, 1558M).

bert4keras has no loader for these files; kerasformers builds them as its
``GPT2`` (pre-LN, epsilon 1e-5, ``Output-Norm``, tied output) and reads the
conv1d-style variables through a view that squeezes the leading axis of the
``[1, in, out]`` kernels and splits the fused ``c_attn`` into query, key and
value blocks.
"""

from __future__ import annotations

import re
from typing import Dict, List, Mapping

import numpy as np

from kerasformers.models.gpt import GPT2

_FUSED = re.compile(r"^(.*/attn/c_attn/[wb])\[(q|k|v)\]$")
_PARTS = ("q", "k", "v")


def _is_fused(name: str) -> bool:
    return re.search(r"/attn/c_attn/[wb]$", name) is not None


def _is_conv_kernel(name: str, shape) -> bool:
    return name.startswith("model/h") and name.endswith("/w") and len(shape) == 3 and shape[0] == 1


class OpenAIGPT2View:
    """A checkpoint reader over openai/gpt-2's files with the names a Keras layer needs.

    ``model/h{i}/attn/c_attn/w`` (``[1, H, 3H]``) appears as
    ``model/h{i}/attn/c_attn/w[q]``, ``w[k]``, ``w[v]`` (``[H, H]`` each; the
    biases likewise as ``b[q]``...), and every other ``[1, in, out]`` kernel as
    ``[in, out]``. Everything else passes through unchanged.

    Example:
        >>> from kerasformers.models.weights import DictCheckpoint
        >>> raw = DictCheckpoint({"model/h0/attn/c_attn/w": np.zeros((1, 4, 12), "float32")})
        >>> OpenAIGPT2View(raw).get_variable_to_shape_map()["model/h0/attn/c_attn/w[k]"]
        [4, 4]
    """

    def __init__(self, reader):
        self.reader = reader
        self.prefix = getattr(reader, "prefix", "<checkpoint>")
        self._shapes: Dict[str, List[int]] = {}
        for name, shape in reader.get_variable_to_shape_map().items():
            shape = list(shape)
            if _is_fused(name):
                width = shape[-1] // 3
                part_shape = shape[1:-1] + [width] if name.endswith("/w") else [width]
                for part in _PARTS:
                    self._shapes[f"{name}[{part}]"] = part_shape
            elif _is_conv_kernel(name, shape):
                self._shapes[name] = shape[1:]
            else:
                self._shapes[name] = shape

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        return dict(self._shapes)

    def keys(self):
        return sorted(self._shapes)

    def has_tensor(self, name: str) -> bool:
        return name in self._shapes

    __contains__ = has_tensor

    def get_tensor(self, name: str) -> np.ndarray:
        fused = _FUSED.match(name)
        if fused:
            value = np.asarray(self.reader.get_tensor(fused.group(1)))
            if value.ndim == 3:
                value = value[0]
            return np.split(value, 3, axis=-1)[_PARTS.index(fused.group(2))]
        value = np.asarray(self.reader.get_tensor(name))
        return value[0] if _is_conv_kernel(name, value.shape) else value

    def close(self):
        pass


def pack_openai_gpt2(variables: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """Inverse of :class:`OpenAIGPT2View`: fuse ``c_attn`` parts and restore ``[1, in, out]`` kernels.

    Example:
        >>> parts = {f"model/h0/attn/c_attn/w[{p}]": np.zeros((4, 4)) for p in "qkv"}
        >>> pack_openai_gpt2(parts)["model/h0/attn/c_attn/w"].shape
        (1, 4, 12)
    """
    packed, fused = {}, {}
    for name, value in variables.items():
        match = _FUSED.match(name)
        if match:
            fused.setdefault(match.group(1), {})[match.group(2)] = value
        elif name.startswith("model/h") and name.endswith("/w") and np.ndim(value) == 2:
            packed[name] = np.asarray(value)[None]
        else:
            packed[name] = value
    for name, parts in fused.items():
        value = np.concatenate([parts[p] for p in _PARTS], axis=-1)
        packed[name] = value[None] if name.endswith("/w") else value
    return packed


#: openai/gpt-2 names -> Hugging Face ``GPT2LMHeadModel`` names; ``c_attn``'s parts become thirds of one tensor.
GPT2_HF_RULES = (
    (r"\[q\]$", "#0:3"),
    (r"\[k\]$", "#1:3"),
    (r"\[v\]$", "#2:3"),
    (r"^model/h(\d+)/", r"transformer/h/\1/"),
    (r"^model/", "transformer/"),
    (r"/(w|g)(#|$)", r"/weight\2"),
    (r"/b(#|$)", r"/bias\1"),
    (r"^transformer/(wte|wpe)$", r"transformer/\1/weight"),
)


class GPT2_OpenAI(GPT2):
    """OpenAI GPT-2 (openai/gpt-2 ``model.ckpt`` + ``hparams.json``), ``model='gpt2_openai'``.

    The architecture of :class:`GPT2` with OpenAI's choices: gelu in its tanh
    form (the default when the config names none), id 0 is a real token
    (``!``), so nothing is treated as padding, and names under ``model/``
    (``wte``, ``wpe``, ``h{i}/ln_1``, ``h{i}/attn/c_attn``...). ``hparams.json``
    is a valid ``config_path`` (``n_vocab``, ``n_ctx``, ``n_embd``, ``n_head``,
    ``n_layer``; the FFN is ``4 * n_embd`` wide). Saving writes the original
    layout back (fused ``c_attn``, ``[1, in, out]`` kernels).

    Example:
        >>> m = GPT2_OpenAI(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...                 intermediate_size=128, hidden_act="gelu_tanh", final_activation="linear")
        >>> m.build()
        >>> m.variable_mapping()["Transformer-0-MultiHeadSelfAttention"][:2]
        ['model/h0/attn/c_attn/w[q]', 'model/h0/attn/c_attn/b[q]']
    """

    default_hidden_act = "gelu_tanh"
    mask_padding = False
    embedding_variables = ("model/wte",)
    hf_model_type = "gpt2"
    hf_rules = GPT2_HF_RULES
    hf_transposed = r"$^"  # transformers' Conv1D weights are [in, out], as in the TF files

    def hf_architecture(self) -> str:
        return "GPT2LMHeadModel"

    def checkpoint_view(self, reader):
        return OpenAIGPT2View(reader)

    def pack_checkpoint(self, variables):
        return pack_openai_gpt2(variables)

    def variable_mapping(self) -> Dict[str, List[str]]:
        mapping = {
            "Embedding-Token": ["model/wte"],
            "Embedding-Position": ["model/wpe"],
            "Output-Norm": ["model/ln_f/b", "model/ln_f/g"],
        }
        for i in range(self.num_hidden_layers):
            prefix = f"model/h{i}/"
            attention = []
            for part in _PARTS:
                attention += [f"{prefix}attn/c_attn/w[{part}]", f"{prefix}attn/c_attn/b[{part}]"]
            mapping[self.block_layer_name("MultiHeadSelfAttention", i)] = attention + [
                prefix + "attn/c_proj/w",
                prefix + "attn/c_proj/b",
            ]
            mapping[self.block_layer_name("MultiHeadSelfAttention-Norm", i)] = [prefix + "ln_1/b", prefix + "ln_1/g"]
            mapping[self.block_layer_name("FeedForward", i)] = [
                prefix + "mlp/c_fc/w",
                prefix + "mlp/c_fc/b",
                prefix + "mlp/c_proj/w",
                prefix + "mlp/c_proj/b",
            ]
            mapping[self.block_layer_name("FeedForward-Norm", i)] = [prefix + "ln_2/b", prefix + "ln_2/g"]
        return mapping
