"""Read and write ``.safetensors`` files with numpy alone (no torch, no ``safetensors`` package).

The format (https://huggingface.co/docs/safetensors): 8 bytes little-endian
``N``, then ``N`` bytes of UTF-8 JSON mapping each tensor name to
``{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`` (offsets
relative to the byte buffer that follows the header) plus an optional
``"__metadata__"`` of strings; then the buffer, little-endian, C order.

Example:
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> _ = write_safetensors(path, {"a.weight": np.arange(6, dtype="float32").reshape(2, 3)})
    >>> with SafetensorsReader(path) as reader:
    ...     reader.get_variable_to_shape_map(), reader.get_tensor("a.weight")[1].tolist()
    ({'a.weight': [2, 3]}, [3.0, 4.0, 5.0])
"""

from __future__ import annotations

import json
import math
import mmap
import os
import struct
import threading
from typing import Dict, List, Mapping, Optional, Tuple, Union

import ml_dtypes
import numpy as np

from .errors import CheckpointCorruptedError, CheckpointNotFoundError, VariableNotFoundError

PathLike = Union[str, "os.PathLike[str]"]

#: safetensors dtype codes and their numpy dtypes (little endian).
DTYPES: Dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype(ml_dtypes.bfloat16),
    "F8_E4M3": np.dtype(ml_dtypes.float8_e4m3fn),
    "F8_E5M2": np.dtype(ml_dtypes.float8_e5m2),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"),
    "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_CODES = {dtype: code for code, dtype in DTYPES.items()}
# The reference implementation refuses larger headers; so do we, before allocating them.
_MAX_HEADER = 100 * 1024 * 1024


def _parse_header(path: str, f, file_size: int) -> Tuple[Dict[str, dict], Dict[str, str], int]:
    head = f.read(8)
    if len(head) < 8:
        raise CheckpointCorruptedError(f"{path} is not a safetensors file: it is only {file_size} bytes long")
    (length,) = struct.unpack("<Q", head)
    if length > _MAX_HEADER or 8 + length > file_size:
        raise CheckpointCorruptedError(
            f"{path} is not a safetensors file (or is truncated): its header claims {length} bytes "
            f"in a file of {file_size} bytes"
        )
    try:
        header = json.loads(f.read(length).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointCorruptedError(f"{path}: the safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointCorruptedError(f"{path}: the safetensors header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    buffer_size = file_size - 8 - length
    for name, entry in header.items():
        try:
            dtype = DTYPES[entry["dtype"]]
            shape = [int(d) for d in entry["shape"]]
            begin, end = (int(o) for o in entry["data_offsets"])
        except (KeyError, TypeError, ValueError):
            known = ", ".join(DTYPES)
            raise CheckpointCorruptedError(
                f"{path}: tensor {name!r} has an invalid header entry {entry!r} (dtypes known: {known})"
            ) from None
        if end - begin != math.prod(shape) * dtype.itemsize or not 0 <= begin <= end <= buffer_size:
            raise CheckpointCorruptedError(
                f"{path}: tensor {name!r} of shape {shape} and dtype {entry['dtype']} spans bytes "
                f"[{begin}, {end}) of a {buffer_size}-byte buffer: the file is truncated or corrupted"
            )
    return header, metadata, 8 + length


class _PrivateMap(mmap.mmap):
    """A copy-on-write mapping of a safetensors file, told apart from a read-only one by its type."""


def writable_view(array: np.ndarray) -> Optional[np.ndarray]:
    """A writable array over the same memory as ``array``, if that memory is a private file mapping.

    ``array`` is a tensor from a :class:`SafetensorsReader` opened with ``private=True``, or a
    view of one (a transpose, a slice); the result shares its pages, so nothing is copied. Any
    other array (one that owns its memory, one the caller passed in, one over a read-only
    mapping) gives None: its memory is not the reader's to hand out.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
        >>> _ = write_safetensors(path, {"w": np.arange(6, dtype="float32").reshape(2, 3)})
        >>> reader = SafetensorsReader(path, private=True)
        >>> view = writable_view(reader.get_tensor("w").T)
        >>> view[0, 0] = 7.0  # changes this process's copy of the page, never the file
        >>> view.shape, SafetensorsReader(path).get_tensor("w")[0, 0]
        ((3, 2), np.float32(0.0))
        >>> writable_view(np.zeros(2)) is None
        True
    """
    root = array
    while isinstance(root, np.ndarray):
        root = root.base
    if isinstance(root, memoryview):  # np.frombuffer keeps the mapping through a memoryview
        root = root.obj
    if not isinstance(root, _PrivateMap) or root.closed:
        return None
    if any(s < 0 for s in array.strides):
        return None  # get_tensor and its transposes/slices have positive strides only
    # Built on np.frombuffer's array, which holds an export of the mapping: closing the reader then
    # leaves it mapped until the last array over it goes (given the mmap itself, numpy would not).
    # The same first byte (offset into the mapping) and the same strides give the same elements.
    whole = np.frombuffer(root, dtype=np.uint8)
    offset = array.__array_interface__["data"][0] - whole.__array_interface__["data"][0]
    return np.ndarray(array.shape, array.dtype, buffer=whole, offset=offset, strides=array.strides)


class SafetensorsReader:
    """One ``.safetensors`` file, with the reader interface of :class:`~.bundle.CheckpointReader`.

    Only the header is parsed on opening; the file is memory-mapped and
    ``get_tensor`` returns a read-only array that views the mapping: nothing
    is copied until the caller copies it (into a model weight, say), and the
    operating system reads only the pages touched. ``release(name)`` tells the
    system that a tensor's pages are no longer needed (they leave this
    process's resident memory; a later read maps them in again). Where the file
    cannot be mapped, each tensor is read into a fresh array instead.

    With ``private=True`` the mapping is copy-on-write (``MAP_PRIVATE``): the
    arrays are still returned read-only, but :func:`writable_view` turns one
    into a writable array over the same pages, which a model weight can then use
    as its storage without copying (a write copies the page in memory; the file
    never changes). ``release`` does nothing on such a mapping.

    Example:
        >>> import os, tempfile, numpy as np, ml_dtypes
        >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
        >>> _ = write_safetensors(path, {"w": np.ones(2, ml_dtypes.bfloat16)})
        >>> with SafetensorsReader(path) as reader:
        ...     w = reader.get_tensor("w")
        ...     w.dtype, w.flags.writeable
        (dtype(bfloat16), False)
    """

    def __init__(self, path: PathLike, private: bool = False):
        self.path = os.fspath(path)
        self.prefix = self.path
        if not os.path.isfile(self.path):
            raise CheckpointNotFoundError(f"no safetensors file at {self.path!r}")
        self._file = open(self.path, "rb", buffering=0)
        try:
            size = os.fstat(self._file.fileno()).st_size
            self._entries, self.metadata, self._start = _parse_header(self.path, self._file, size)
            try:
                if private:
                    self._map: Optional[mmap.mmap] = _PrivateMap(self._file.fileno(), 0, access=mmap.ACCESS_COPY)
                else:
                    self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # a file system that cannot map files: read instead
                self._map = None
        except BaseException:
            self._file.close()
            raise
        self._lock = threading.Lock()

    def keys(self) -> List[str]:
        """Tensor names, sorted."""
        return sorted(self._entries)

    def has_tensor(self, name: str) -> bool:
        return name in self._entries

    __contains__ = has_tensor

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        return {name: list(e["shape"]) for name, e in self._entries.items()}

    def get_variable_to_dtype_map(self) -> Dict[str, np.dtype]:
        return {name: DTYPES[e["dtype"]] for name, e in self._entries.items()}

    def _entry(self, name: str) -> dict:
        entry = self._entries.get(name)
        if entry is None:
            raise VariableNotFoundError(f"tensor {name!r} is not in {self.path} ({len(self._entries)} tensors)")
        return entry

    def get_tensor(self, name: str) -> np.ndarray:
        """The tensor ``name`` in its stored dtype: a read-only view of the mapped file (copy it to modify)."""
        entry = self._entry(name)
        dtype = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        if self._map is not None and not self._map.closed:
            array = np.frombuffer(self._map, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=self._start + begin)
            array = array.reshape(entry["shape"])
            array.flags.writeable = False  # a private mapping is writable: callers still get a read-only view
        else:
            array = self._read(name, dtype, entry["shape"], begin, end)
        return array if dtype.isnative else array.astype(dtype.newbyteorder("="))

    def _read(self, name: str, dtype: np.dtype, shape: List[int], begin: int, end: int) -> np.ndarray:
        array = np.empty(shape, dtype=dtype)
        view, done = memoryview(array.reshape(-1).view(np.uint8)), 0
        with self._lock:
            if self._file.closed:
                self._file = open(self.path, "rb", buffering=0)
            self._file.seek(self._start + begin)
            while done < end - begin:
                n = self._file.readinto(view[done:])
                if not n:
                    raise CheckpointCorruptedError(f"{self.path} ends inside tensor {name!r}: the file is truncated")
                done += n
        array.flags.writeable = False
        return array

    def release(self, name: str) -> None:
        """Drop the pages of tensor ``name`` from this process's memory (the data stays readable)."""
        if self._map is None or self._map.closed or not hasattr(mmap, "MADV_DONTNEED"):
            return
        if isinstance(self._map, _PrivateMap):
            return  # its pages may back a weight (writable_view): dropping one would lose what was written
        begin, end = self._entry(name)["data_offsets"]
        first = (self._start + begin) // mmap.PAGESIZE * mmap.PAGESIZE
        last = (self._start + end) // mmap.PAGESIZE * mmap.PAGESIZE  # the page holding the next tensor's start stays
        if last > first:
            # A read-only file mapping: dropped pages are read from the file again if touched.
            self._map.madvise(mmap.MADV_DONTNEED, first, last - first)

    def close(self) -> None:
        if self._map is not None and not self._map.closed:
            try:
                self._map.close()
            except BufferError:
                pass  # arrays from get_tensor still view it: it is unmapped when the last one goes
        self._file.close()

    def __enter__(self) -> "SafetensorsReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_safetensors(path: PathLike, tensors: Mapping[str, np.ndarray], metadata: Optional[Mapping[str, str]] = None) -> str:
    """Write ``{name: array}`` as a ``.safetensors`` file (written to a temporary name, then renamed).

    Tensors are stored contiguously in name order after a header padded to 8
    bytes, as the reference writer does. ``metadata`` (strings only) goes into ``__metadata__``; HF
    writers put ``{"format": "pt"}`` there.

    Example:
        >>> import os, tempfile, numpy as np
        >>> path = write_safetensors(os.path.join(tempfile.mkdtemp(), "x.safetensors"), {"b": np.zeros(3)})
        >>> SafetensorsReader(path).get_variable_to_dtype_map()
        {'b': dtype('float64')}
    """
    path = os.fspath(path)
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays, offset = [], 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("="))
        code = _CODES.get(array.dtype)
        if code is None:
            raise ValueError(f"tensor {name!r} has dtype {array.dtype}, which safetensors cannot store")
        array = array.astype(DTYPES[code], order="C", copy=False)
        header[name] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        arrays.append(array)
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the buffer starts 8-byte aligned
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text)
            for array in arrays:
                f.write(memoryview(array.reshape(-1).view(np.uint8)))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
