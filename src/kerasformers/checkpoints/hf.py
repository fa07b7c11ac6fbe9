"""Hugging Face model folders: ``config.json`` + ``model.safetensors`` (sharded or not) or ``pytorch_model.bin``.

:class:`HFCheckpointReader` presents the weights of such a folder with the
reader interface of :class:`~.bundle.CheckpointReader` under the parameter
names transformers uses. Names in the old ``LayerNorm.gamma``/``.beta``
spelling (early ``pytorch_model.bin`` uploads) are given their current
``.weight``/``.bias`` names. Safetensors is preferred when both formats are
present; a ``.bin`` is read only as tensors (see :mod:`.torch_bin`).

Example:
    >>> import json, os, tempfile, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> _ = open(os.path.join(folder, "config.json"), "w").write(json.dumps({"model_type": "bert"}))
    >>> _ = write_safetensors(os.path.join(folder, "model.safetensors"),
    ...                       {"bert.pooler.dense.bias": np.zeros(4, "float32")})
    >>> is_hf_checkpoint(folder)
    True
    >>> with HFCheckpointReader(folder) as reader:
    ...     reader.config["model_type"], reader.keys(), reader.format
    ('bert', ['bert.pooler.dense.bias'], 'safetensors')
"""

from __future__ import annotations

import json
import os
import re
from typing import Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from .errors import CheckpointCorruptedError, CheckpointNotFoundError, VariableNotFoundError
from .safetensors import SafetensorsReader, write_safetensors
from .torch_bin import TorchBinReader

PathLike = Union[str, "os.PathLike[str]"]

SAFETENSORS = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
TORCH_BIN = "pytorch_model.bin"
TORCH_BIN_INDEX = "pytorch_model.bin.index.json"
CONFIG = "config.json"
_WEIGHT_FILES = (SAFETENSORS_INDEX, SAFETENSORS, TORCH_BIN_INDEX, TORCH_BIN)
_LEGACY_NAMES = re.compile(r"(LayerNorm|layer_norm|norm)\.(gamma|beta)$")


#: HF entries that are derived or tied, never weights of their own: skipped silently like optimizer slots.
_DERIVED = re.compile(
    r"(^|\.)(position_ids|token_type_ids)$|predictions\.decoder\.(weight|bias)$|embed_positions\.weight$|"
    r"positions_encoding$|\.masked_bias$|\.attn\.bias$|^(encoder|decoder)\.embed_tokens\.weight$|^lm_head\.weight$"
)


def is_derived_hf_name(name: str) -> bool:
    """True for HF buffers and tied copies (``position_ids``, ``cls.predictions.decoder.weight``, ...).

    Example:
        >>> is_derived_hf_name("bert.embeddings.position_ids"), is_derived_hf_name("bert.pooler.dense.weight")
        (True, False)
    """
    return bool(_DERIVED.search(name))


_HEADS = {
    "pooler": ("pooler.",),
    "MLM": ("cls.predictions.", "predictions."),
    "NSP/SOP": ("cls.seq_relationship.", "sop_classifier."),
}


def hf_heads(names: Iterable[str], config: Optional[Dict] = None) -> Dict[str, bool]:
    """Which BERT-style heads a checkpoint's parameter names hold.

    An MLM head tied to the embeddings with no parameters of its own
    (RoFormerV2's) is known from ``config.json``'s ``architectures``.

    Example:
        >>> hf_heads(["bert.pooler.dense.weight", "cls.predictions.bias"])
        {'pooler': True, 'MLM': True, 'NSP/SOP': False}
    """
    if str((config or {}).get("model_type", "")) in ("t5", "mt5", "gpt2"):
        return {}  # language models with their own output: no BERT-style heads to report
    names = list(names)
    heads = {
        head: any(n.startswith(mark) or "." + mark in n for n in names for mark in marks)
        for head, marks in _HEADS.items()
    }
    architectures = " ".join((config or {}).get("architectures") or [])
    heads["MLM"] = heads["MLM"] or "ForMaskedLM" in architectures
    if any(n.startswith("discriminator_predictions.") for n in names):
        heads["discriminator"] = True
    return heads


def _weights_in(folder: str) -> Optional[str]:
    for name in _WEIGHT_FILES:
        if os.path.isfile(os.path.join(folder, name)):
            return os.path.join(folder, name)
    shards = sorted(n for n in os.listdir(folder) if n.endswith(".safetensors"))
    return os.path.join(folder, shards[0]) if len(shards) == 1 else None


def find_hf_weights(path: PathLike) -> Tuple[str, str]:
    """``(folder, weights file)`` for a folder, its ``config.json``, or a weights/index file.

    Example:
        >>> find_hf_weights("/no/such/folder")
        Traceback (most recent call last):
        ...
        kerasformers.checkpoints.errors.CheckpointNotFoundError: no Hugging Face checkpoint at '/no/such/folder': it does not exist
    """
    given = os.fspath(path)
    p = os.path.expanduser(given)
    if not os.path.exists(p):
        raise CheckpointNotFoundError(f"no Hugging Face checkpoint at {given!r}: it does not exist")
    folder = p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
    if os.path.isfile(p) and os.path.basename(p) != CONFIG:
        return folder, p
    weights = _weights_in(folder)
    if weights is None:
        present = ", ".join(sorted(os.listdir(folder))[:8]) or "nothing"
        raise CheckpointNotFoundError(
            f"folder {folder} has no {SAFETENSORS}, {SAFETENSORS_INDEX} or {TORCH_BIN} (it holds {present}); "
            "download the weights too (e.g. `huggingface-cli download REPO --local-dir FOLDER`)"
        )
    return folder, weights


def is_hf_checkpoint(path) -> bool:
    """Whether ``path`` is (or is inside) a Hugging Face model folder rather than a TF checkpoint.

    Example:
        >>> is_hf_checkpoint("bert_model.ckpt"), is_hf_checkpoint("x/model.safetensors")
        (False, True)
    """
    if not isinstance(path, (str, os.PathLike)):
        return False
    p = os.path.expanduser(os.fspath(path))
    if p.endswith((".safetensors", ".bin", ".index.json")) or os.path.basename(p) == CONFIG:
        return True
    if not os.path.isdir(p):
        return False
    # A folder with a config.json and no TF index is an HF folder even before its weights are downloaded.
    names = os.listdir(p)
    tf_files = any(n.endswith(".index") or n == "checkpoint" for n in names)
    return _weights_in(p) is not None or (CONFIG in names and not tf_files)


def read_hf_config(folder: str) -> Dict:
    """The folder's ``config.json`` as a dict ({} when there is none)."""
    path = os.path.join(folder, CONFIG)
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise CheckpointCorruptedError(f"{path} is not valid JSON: {e}") from None


class HFCheckpointReader:
    """The weights of a Hugging Face model folder, one tensor at a time.

    Attributes:
        folder: the model folder.
        files: the weight files (several for a sharded checkpoint).
        format: ``'safetensors'`` or ``'pytorch'``.
        config: the parsed ``config.json`` ({} if absent).

    ``private=True`` maps safetensors files copy-on-write, so that weights can use their
    pages as storage (:func:`~.safetensors.writable_view`); ``.bin`` files ignore it.
    """

    def __init__(self, path: PathLike, private: bool = False):
        self.private = private
        self.folder, weights = find_hf_weights(path)
        self.prefix = self.folder
        self.config = read_hf_config(self.folder)
        self.format = "safetensors" if ".safetensors" in os.path.basename(weights) else "pytorch"
        if weights.endswith(".index.json"):
            with open(weights, encoding="utf-8") as f:
                weight_map = json.load(f).get("weight_map", {})
            self.files = sorted(set(weight_map.values()))
            shards = {name: self._open(os.path.join(self.folder, name)) for name in self.files}
            self.files = [os.path.join(self.folder, n) for n in self.files]
            located = {tensor: shards[file] for tensor, file in weight_map.items()}
        else:
            reader = self._open(weights)
            self.files, located = [weights], {name: reader for name in reader.keys()}
        self._readers = {id(r): r for r in located.values()}
        # Current name -> (reader, stored name).
        self._names = {_LEGACY_NAMES.sub(lambda m: f"{m[1]}.{'weight' if m[2] == 'gamma' else 'bias'}", n): (r, n)
                       for n, r in located.items()}  # fmt: skip

    def _open(self, path: str):
        if not os.path.isfile(path):
            raise CheckpointNotFoundError(f"shard {path} named by the index of {self.folder} is missing")
        return SafetensorsReader(path, self.private) if self.format == "safetensors" else TorchBinReader(path)

    def keys(self) -> List[str]:
        return sorted(self._names)

    def has_tensor(self, name: str) -> bool:
        return name in self._names

    __contains__ = has_tensor

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        shapes = {}
        for reader in self._readers.values():
            shapes.update(reader.get_variable_to_shape_map())
        return {name: shapes[stored] for name, (_, stored) in self._names.items()}

    def get_variable_to_dtype_map(self) -> Dict[str, np.dtype]:
        dtypes = {}
        for reader in self._readers.values():
            dtypes.update(reader.get_variable_to_dtype_map())
        return {name: dtypes[stored] for name, (_, stored) in self._names.items()}

    def get_tensor(self, name: str) -> np.ndarray:
        try:
            reader, stored = self._names[name]
        except KeyError:
            raise VariableNotFoundError(f"tensor {name!r} is not in {self.folder} ({len(self._names)} tensors)") from None
        return reader.get_tensor(stored)

    def release(self, name: str) -> None:
        """Let the memory holding tensor ``name`` go (safetensors: its mapped pages); a no-op otherwise."""
        reader, stored = self._names.get(name, (None, None))
        if hasattr(reader, "release"):
            reader.release(stored)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()

    def __enter__(self) -> "HFCheckpointReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HFCheckpointReader({self.folder!r}: {len(self._names)} tensors, {self.format})"


def write_hf_folder(folder: PathLike, config: Dict, tensors: Dict[str, np.ndarray]) -> str:
    """Write ``config.json`` and ``model.safetensors`` (``{"format": "pt"}`` metadata) into ``folder``.

    Example:
        >>> import tempfile, numpy as np
        >>> folder = write_hf_folder(tempfile.mkdtemp(), {"model_type": "bert"}, {"w": np.zeros(2, "float32")})
        >>> sorted(os.listdir(folder))
        ['config.json', 'model.safetensors']
    """
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, SAFETENSORS), tensors, {"format": "pt"})
    with open(os.path.join(folder, CONFIG), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    return folder
