"""Hugging Face parameter names onto the same Keras layers as the TF checkpoint names.

A model's :meth:`~kerasformers.models.transformer.Transformer.variable_mapping`
names TF variables. Each family adds ``hf_rules`` beside that mapping: regex
rewrites of a TF name into the HF one, applied before :data:`GENERIC_RULES`
(``layer_3`` -> ``layer.3``, ``gamma``/``beta``/``kernel`` -> ``weight``/``bias``,
``/`` -> ``.``). HF ``Linear`` weights are ``[out, in]``, so every TF ``kernel``
is transposed on the way in and out. :class:`HFNameView` shows an HF folder
under TF names, so loading, ``keep_tokens`` and reports stay one code path.

Example:
    >>> from kerasformers.models import BERT
    >>> hf_name("bert/encoder/layer_3/attention/self/query/kernel", BERT.hf_rules)
    'bert.encoder.layer.3.attention.self.query.weight'
    >>> hf_name("cls/predictions/output_bias", BERT.hf_rules)
    'cls.predictions.bias'
"""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

from kerasformers.checkpoints.hf import is_derived_hf_name

Rules = Sequence[Tuple[str, str]]

#: Rewrites every family shares, applied after the family's own ``hf_rules``.
GENERIC_RULES: Rules = (
    (r"/layer_(\d+)/", r"/layer/\1/"),
    (r"/gamma$", "/weight"),
    (r"/beta$", "/bias"),
    (r"/kernel$", "/weight"),
    (r"(embeddings|embedding)$", r"\1/weight"),
    (r"/", "."),
)

def hf_name(tf_name: str, rules: Rules) -> str:
    """The HF parameter name of a TF checkpoint name under a family's ``rules``."""
    name = tf_name
    for pattern, replacement in tuple(rules) + tuple(GENERIC_RULES):
        name = re.sub(pattern, replacement, name)
    return name


#: TF names stored transposed in HF files: Dense kernels (``Linear`` is ``[out, in]``); a family adds
#: its own through ``hf_transposed`` (T5's ``relative_attention_bias`` is ``[buckets, heads]`` in HF).
KERNELS = r"kernel$"


def _transposed(tf_name: str, value_ndim: int, pattern: str = KERNELS) -> bool:
    return value_ndim == 2 and re.search(pattern, tf_name) is not None


def _chunk(name: str) -> Tuple[str, int, int]:
    """``'x.weight#1:3'`` -> ``('x.weight', 1, 3)``: the 2nd third (last axis, TF layout) of a fused HF tensor."""
    base, _, part = name.partition("#")
    if not part:
        return name, 0, 1
    index, count = part.split(":")
    return base, int(index), int(count)


class HFNameView:
    """An HF checkpoint reader seen under a model's TF variable names.

    HF names the model does not map keep their own name (and show up as
    unused); a name stored without the base-model prefix (``BertModel`` saves
    ``embeddings.word_embeddings.weight``, not ``bert.embeddings...``) is found too.
    A rule may map several TF names onto parts of one fused HF tensor with a
    ``#i:n`` suffix (GPT-2's ``c_attn`` holds query, key and value).
    """

    def __init__(self, reader, tf_names: Sequence[str], rules: Rules, transposed: str = KERNELS):
        self.reader = reader
        self.transposed = transposed
        self.prefix = reader.prefix
        stored = set(reader.keys())
        self.to_hf: Dict[str, str] = {}
        for tf_name in tf_names:
            name = hf_name(tf_name, rules)
            bare = name.split(".", 1)[-1]
            self.to_hf[tf_name] = bare if _chunk(name)[0] not in stored and _chunk(bare)[0] in stored else name
        self.from_hf: Dict[str, List[str]] = {}
        for tf_name, name in self.to_hf.items():
            if _chunk(name)[0] in stored:
                self.from_hf.setdefault(_chunk(name)[0], []).append(tf_name)

    def hf(self, tf_name: str) -> str:
        """The HF name a TF name is read from (itself when unmapped)."""
        return self.to_hf.get(tf_name, tf_name)

    def keys(self) -> List[str]:
        return sorted(tf for name in self.reader.keys() for tf in self.from_hf.get(name, [name]))

    def has_tensor(self, name: str) -> bool:
        return _chunk(self.hf(name))[0] in self.reader

    __contains__ = has_tensor

    def _layout(self, tf_name: str, shape: List[int]) -> List[int]:
        shape = list(reversed(shape)) if _transposed(tf_name, len(shape), self.transposed) else list(shape)
        count = _chunk(self.hf(tf_name))[2]
        return shape[:-1] + [shape[-1] // count] if count > 1 else shape

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        out = {}
        for name, shape in self.reader.get_variable_to_shape_map().items():
            for tf_name in self.from_hf.get(name, [name]):
                out[tf_name] = self._layout(tf_name, shape)
        return out

    def get_tensor(self, name: str) -> np.ndarray:
        base, index, count = _chunk(self.hf(name))
        value = self.reader.get_tensor(base)
        value = value.T if _transposed(name, value.ndim, self.transposed) else value
        return np.split(value, count, axis=-1)[index] if count > 1 else value

    def release(self, name: str) -> None:
        """Done with TF name ``name``: the reader may let its memory go."""
        if hasattr(self.reader, "release"):
            self.reader.release(_chunk(self.hf(name))[0])

    def is_derived(self, name: str) -> bool:
        return name not in self.to_hf and is_derived_hf_name(name)

    def close(self) -> None:
        self.reader.close()


def hf_tensors(variables: Mapping[str, np.ndarray], rules: Rules, transposed: str = KERNELS) -> Dict[str, np.ndarray]:
    """TF-named arrays -> HF-named arrays (kernels transposed to ``[out, in]``, ``#i:n`` parts fused)."""
    parts: Dict[str, Dict[int, Tuple[str, np.ndarray]]] = {}
    for name, value in variables.items():
        base, index, _ = _chunk(hf_name(name, rules))
        parts.setdefault(base, {})[index] = (name, value)
    out = {}
    for base, chunks in parts.items():
        tf_name = chunks[min(chunks)][0]
        value = np.concatenate([chunks[i][1] for i in sorted(chunks)], axis=-1)
        out[base] = np.ascontiguousarray(value.T if _transposed(tf_name, value.ndim, transposed) else value)
    return out
