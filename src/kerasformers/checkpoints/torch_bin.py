"""``pytorch_model.bin`` files, read only as plain tensors and only through torch.

A ``.bin`` is a pickle: unpickling it with Python's ``pickle`` can run any code
the file's author chose. kerasformers never does that. It first lists the
globals the pickle names (without executing it) and refuses any outside the
few a state dict needs, then lets ``torch.load(weights_only=True)`` (torch's
restricted unpickler) build the tensors, and finally refuses anything but a
``{name: tensor}`` mapping. Without torch, the error says how to convert the
file to safetensors.

Example:
    >>> read_torch_bin("/no/such/pytorch_model.bin")
    Traceback (most recent call last):
    ...
    kerasformers.checkpoints.errors.CheckpointNotFoundError: no PyTorch checkpoint at '/no/such/pytorch_model.bin'
"""

from __future__ import annotations

import io
import os
import pickletools
import zipfile
from typing import Dict, Iterator, Optional

import numpy as np

from .errors import CheckpointError, CheckpointNotFoundError

#: Modules whose globals a state dict's pickle may name (tensor rebuild helpers, storages, OrderedDict).
_ALLOWED_MODULES = ("torch", "torch._utils", "torch.storage", "collections", "torch._tensor")

_CONVERT_HINT = (
    "convert it to safetensors where torch is installed, e.g. `python -c \"import torch, safetensors.torch; "
    "safetensors.torch.save_file(torch.load('pytorch_model.bin', weights_only=True), 'model.safetensors')\"`, "
    "or download the repository's model.safetensors"
)


class UnsafeCheckpointError(CheckpointError):
    """A ``.bin`` file holds something other than tensors; it was not unpickled."""


def _pickle_bytes(path: str) -> Iterator[bytes]:
    """The pickle stream(s) of a torch file: ``*/data.pkl`` of the zip format, or the whole legacy file."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".pkl"):
                    yield archive.read(name)
    else:
        with open(path, "rb") as f:
            yield f.read()


def _foreign_globals(data: bytes) -> Iterator[str]:
    """Globals named by GLOBAL/INST opcodes outside :data:`_ALLOWED_MODULES` (the pickle is not run).

    A legacy (non-zip) file is several pickles in a row followed by raw
    storage bytes; each pickle is walked until the bytes stop parsing.
    """
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        try:
            for opcode, argument, _ in pickletools.genops(stream):
                if opcode.name in ("GLOBAL", "INST"):
                    module = str(argument).split(" ")[0]
                    if module not in _ALLOWED_MODULES and not module.startswith("torch."):
                        yield str(argument).replace(" ", ".")
        except ValueError:
            return  # Raw storage bytes (or not a pickle): torch's restricted unpickler still guards the load.


def _refusal(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    specific = [line for line in lines if "Unsupported" in line or "global" in line.lower()]
    return (specific or lines or [type(error).__name__])[0][:300]


def read_torch_bin(path: str, torch_module=None) -> Dict[str, np.ndarray]:
    """Every tensor of a ``pytorch_model.bin`` as a float32/int numpy array, without running its pickle's code.

    Raises :class:`UnsafeCheckpointError` when the file names globals a state
    dict does not need, or holds anything but tensors; a plain
    :class:`CheckpointError` when torch is absent (with a conversion command).
    bfloat16 tensors come back as ``ml_dtypes.bfloat16`` arrays.
    """
    if not os.path.isfile(path):
        raise CheckpointNotFoundError(f"no PyTorch checkpoint at {path!r}")
    for data in _pickle_bytes(path):
        foreign = sorted(set(_foreign_globals(data)))
        if foreign:
            raise UnsafeCheckpointError(
                f"{path} is not a plain PyTorch state dict: its pickle refers to {', '.join(foreign[:5])}, "
                "which could run code when unpickled. kerasformers refuses it (nothing was executed). Use a "
                "model.safetensors from a source you trust."
            )
    torch = torch_module or _import_torch(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises UnpicklingError or RuntimeError for refused content
        raise UnsafeCheckpointError(
            f"{path} could not be read as plain tensors (torch.load(weights_only=True) refused it: "
            f"{_refusal(e)}); nothing was executed. Use a model.safetensors from a source you trust."
        ) from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and torch.is_tensor(v) for k, v in state.items()):
        raise UnsafeCheckpointError(
            f"{path} holds a {type(state).__name__}, not a {{name: tensor}} state dict; save the model's "
            "state_dict() (or safetensors) instead."
        )
    return {name: _to_numpy(torch, tensor) for name, tensor in state.items()}


def _import_torch(path: str):
    try:
        import torch
    except ImportError:
        raise CheckpointError(
            f"{path} is a PyTorch pickle, which kerasformers reads only through torch (not installed here); "
            + _CONVERT_HINT
        ) from None
    return torch


def _to_numpy(torch, tensor) -> np.ndarray:
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:
        import ml_dtypes

        return tensor.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return tensor.numpy()


class TorchBinReader:
    """A ``pytorch_model.bin`` with the reader interface (the whole state dict is loaded once).

    Example:
        >>> TorchBinReader("/no/such.bin")
        Traceback (most recent call last):
        ...
        kerasformers.checkpoints.errors.CheckpointNotFoundError: no PyTorch checkpoint at '/no/such.bin'
    """

    def __init__(self, path: str, torch_module: Optional[object] = None):
        self.prefix = self.path = os.fspath(path)
        self._tensors = read_torch_bin(self.path, torch_module)

    def keys(self):
        return sorted(self._tensors)

    def has_tensor(self, name: str) -> bool:
        return name in self._tensors

    __contains__ = has_tensor

    def get_variable_to_shape_map(self):
        return {k: list(v.shape) for k, v in self._tensors.items()}

    def get_variable_to_dtype_map(self):
        return {k: v.dtype for k, v in self._tensors.items()}

    def get_tensor(self, name: str) -> np.ndarray:
        return self._tensors[name]

    def close(self) -> None:
        pass
