"""Read and write TensorFlow V2 checkpoints ("tensor bundles") without TensorFlow.

A checkpoint ``prefix`` is two or more files:

* ``<prefix>.index``: a sorted table (see :mod:`.sstable`) mapping each variable
  name to a ``BundleEntryProto`` (dtype, shape, shard, byte range, masked
  CRC32C); the empty key holds a ``BundleHeaderProto`` (number of shards,
  endianness);
* ``<prefix>.data-00000-of-0000N``: the raw C-order bytes of the tensors.

A ``checkpoint`` text file next to them may name the latest prefix.

Example:
    >>> import os, tempfile, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> prefix = write_checkpoint(os.path.join(folder, "model.ckpt"),
    ...                           {"bert/pooler/dense/bias": np.zeros(4, "float32"),
    ...                            "global_step": np.int64(7)})
    >>> list_variables(folder)
    [('bert/pooler/dense/bias', [4]), ('global_step', [])]
    >>> with CheckpointReader(folder) as reader:
    ...     print(reader.get_tensor("global_step"))
    7
"""

from __future__ import annotations

import difflib
import math
import os
import threading
import uuid
from typing import BinaryIO, Dict, Iterator, List, Mapping, Tuple, Union

import ml_dtypes
import numpy as np

from .crc import crc32c, mask, unmask
from .errors import (
    CheckpointCorruptedError,
    CheckpointError,
    CheckpointNotFoundError,
    VariableNotFoundError,
)
from .paths import STATE_FILE, data_file_path, format_state_file, resolve_checkpoint_prefix
from .protobuf import (
    BundleEntry,
    BundleHeader,
    ProtoDecodeError,
    decode_entry,
    decode_header,
    decode_varint,
    encode_entry,
    encode_header,
)
from .sstable import TableError, build_table, read_table

PathLike = Union[str, "os.PathLike[str]"]

__all__ = [
    "CheckpointReader",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "resolve_checkpoint_prefix",
    "write_checkpoint",
]

# TensorFlow's DataType enum (types.proto) for the dtypes a bundle stores as
# plain fixed-size little-endian elements.
_NUMPY_DTYPES: Dict[int, np.dtype] = {
    1: np.dtype(np.float32),
    2: np.dtype(np.float64),
    3: np.dtype(np.int32),
    4: np.dtype(np.uint8),
    5: np.dtype(np.int16),
    6: np.dtype(np.int8),
    8: np.dtype(np.complex64),
    9: np.dtype(np.int64),
    10: np.dtype(np.bool_),
    14: np.dtype(ml_dtypes.bfloat16),
    17: np.dtype(np.uint16),
    18: np.dtype(np.complex128),
    19: np.dtype(np.float16),
    22: np.dtype(np.uint32),
    23: np.dtype(np.uint64),
}
_DT_STRING = 7
_DTYPE_ENUMS: Dict[np.dtype, int] = {dtype: enum for enum, dtype in _NUMPY_DTYPES.items()}
# Names of the enum values we cannot turn into numpy arrays, for error messages.
_UNSUPPORTED_DTYPE_NAMES = {
    0: "DT_INVALID", 11: "DT_QINT8", 12: "DT_QUINT8", 13: "DT_QINT32", 15: "DT_QINT16",
    16: "DT_QUINT16", 20: "DT_RESOURCE", 21: "DT_VARIANT", 24: "DT_FLOAT8_E5M2",
    25: "DT_FLOAT8_E4M3FN", 26: "DT_FLOAT8_E4M3FNUZ", 27: "DT_FLOAT8_E4M3B11FNUZ",
    28: "DT_FLOAT8_E5M2FNUZ", 29: "DT_INT4", 30: "DT_UINT4",
}
_BIG_ENDIAN = 1
_TENSOR_BUNDLE_VERSION = 1  # the `producer` TensorFlow's BundleWriter records


# ----------------------------------------------------------------------------- reading


def _dtype_of(name: str, enum: int) -> np.dtype:
    if enum in _NUMPY_DTYPES:
        return _NUMPY_DTYPES[enum]
    if enum == _DT_STRING:
        return np.dtype(object)
    label = _UNSUPPORTED_DTYPE_NAMES.get(enum, "an unknown DataType")
    raise CheckpointError(
        f"variable {name!r} has dtype enum {enum} ({label}), which kerasformers cannot read"
    )


def _read_index(path: str, verify_crc: bool) -> Tuple[BundleHeader, Dict[str, BundleEntry]]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise CheckpointNotFoundError(f"checkpoint index {path} does not exist") from None
    try:
        items = read_table(data, verify_crc=verify_crc)
    except TableError as e:
        raise CheckpointCorruptedError(f"checkpoint index {path} is corrupted: {e}") from None
    if not items or items[0][0] != b"":
        raise CheckpointCorruptedError(f"checkpoint index {path} has no bundle header entry")
    try:
        header = decode_header(items[0][1])
    except ProtoDecodeError as e:
        raise CheckpointCorruptedError(f"checkpoint index {path}: bad header ({e})") from None
    if header.num_shards < 1 or header.endianness not in (0, _BIG_ENDIAN):
        raise CheckpointCorruptedError(
            f"checkpoint index {path}: impossible header (num_shards={header.num_shards}, "
            f"endianness={header.endianness})"
        )
    entries: Dict[str, BundleEntry] = {}
    for key, value in items[1:]:
        if key.startswith(b"\0"):
            continue  # slices of partitioned variables live under binary keys
        name = key.decode("utf-8", "surrogateescape")
        try:
            entry = decode_entry(value)
        except ProtoDecodeError as e:
            raise CheckpointCorruptedError(f"{path}: bad entry for {name!r} ({e})") from None
        if not (0 <= entry.shard_id < header.num_shards) or entry.offset < 0 or entry.size < 0 \
                or any(d < 0 for d in entry.shape):
            raise CheckpointCorruptedError(f"{path}: impossible entry for {name!r}: {entry}")
        entries[name] = entry
    return header, entries


class CheckpointReader:
    """Reads variables of a V2 checkpoint, with the interface of ``tf.train.load_checkpoint``.

    The index is parsed when the reader is made; a data shard is opened the
    first time one of its tensors is read. Every ``get_tensor`` reads the bytes
    straight into a fresh numpy array (no intermediate copy, no memory map
    whose pages would count against the process) and checks their CRC32C.
    After :meth:`close` the reader still works: shards are simply reopened.

    Example:
        >>> import os, tempfile, numpy as np
        >>> prefix = write_checkpoint(os.path.join(tempfile.mkdtemp(), "m.ckpt"),
        ...                           {"w": np.ones((2, 3), "float16")})
        >>> with CheckpointReader(prefix + ".index") as reader:
        ...     reader.get_variable_to_shape_map(), reader.get_tensor("w").dtype
        ({'w': [2, 3]}, dtype('float16'))
    """

    def __init__(self, path: PathLike, verify_crc: bool = True):
        self.prefix: str = resolve_checkpoint_prefix(path)
        self.verify_crc = verify_crc
        self.index_path = self.prefix + ".index"
        self._header, self._entries = _read_index(self.index_path, verify_crc)
        self._names = list(self._entries)  # bytewise-sorted, as stored
        self._files: Dict[int, BinaryIO] = {}
        self._lock = threading.Lock()  # one seek+read at a time per reader

    # -- metadata ------------------------------------------------------------------

    @property
    def num_shards(self) -> int:
        """How many ``.data-*`` files the checkpoint has."""
        return self._header.num_shards

    def list_variables(self) -> List[Tuple[str, List[int]]]:
        """``[(name, shape), ...]`` sorted by name, like ``tf.train.list_variables``."""
        return [(name, list(self._entries[name].shape)) for name in sorted(self._names)]

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        """``{name: shape}`` for every variable."""
        return {name: list(entry.shape) for name, entry in self._entries.items()}

    def get_variable_to_dtype_map(self) -> Dict[str, np.dtype]:
        """``{name: numpy dtype}``; bfloat16 is ``ml_dtypes.bfloat16``, strings ``object``."""
        return {name: _dtype_of(name, entry.dtype) for name, entry in self._entries.items()}

    def has_tensor(self, name: str) -> bool:
        """Whether the checkpoint holds a variable called ``name``."""
        return name in self._entries

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def keys(self) -> List[str]:
        """Variable names, sorted."""
        return sorted(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return (
            f"CheckpointReader({self.prefix!r}: {len(self)} variables, "
            f"{self.num_shards} shard{'s' if self.num_shards > 1 else ''})"
        )

    def _entry(self, name: str) -> BundleEntry:
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(name), self._names, n=3, cutoff=0.6)
            hint = f"; close names: {', '.join(map(repr, close))}" if close else ""
            raise VariableNotFoundError(
                f"variable {name!r} is not in checkpoint {self.prefix} "
                f"({len(self._entries)} variables){hint}"
            ) from None

    # -- data ----------------------------------------------------------------------

    def _read(self, name: str, entry: BundleEntry, out: np.ndarray) -> str:
        """Fills ``out`` (uint8) with the entry's bytes; returns the shard path."""
        path = data_file_path(self.prefix, entry.shard_id, self.num_shards)
        if out.size == 0:
            return path
        with self._lock:
            f = self._files.get(entry.shard_id)
            if f is None:
                try:
                    f = open(path, "rb", buffering=0)
                except FileNotFoundError:
                    raise CheckpointNotFoundError(
                        f"data shard {path} of checkpoint {self.prefix} is missing "
                        f"(needed for variable {name!r})"
                    ) from None
                self._files[entry.shard_id] = f
            f.seek(entry.offset)
            view, done = memoryview(out), 0
            while done < out.size:
                n = f.readinto(view[done:])
                if not n:
                    raise CheckpointCorruptedError(
                        f"variable {name!r}: {path} ends at byte {entry.offset + done}, but the "
                        f"index places the variable at bytes [{entry.offset}, "
                        f"{entry.offset + entry.size}): the file is truncated"
                    )
                done += n
        return path

    def get_tensor(self, name: str) -> np.ndarray:
        """The value of variable ``name`` as a new C-order array of its stored dtype.

        Raises :class:`VariableNotFoundError` (a ``KeyError``) naming close
        matches when absent, and :class:`CheckpointCorruptedError` naming the
        variable and shard file when its bytes fail the CRC32C check.
        """
        entry = self._entry(name)
        if entry.num_slices:
            raise CheckpointError(
                f"variable {name!r} is partitioned into {entry.num_slices} slices; "
                "reading partitioned variables is not supported"
            )
        dtype = _dtype_of(name, entry.dtype)
        count = math.prod(entry.shape)
        if dtype == object:
            return self._get_strings(name, entry, count)
        if count * dtype.itemsize != entry.size:
            raise CheckpointCorruptedError(
                f"{self.index_path}: variable {name!r} of shape {list(entry.shape)} and dtype "
                f"{dtype.name} needs {count * dtype.itemsize} bytes, the index says {entry.size}"
            )
        # Read straight into the array we return, through a byte view of it.
        array = np.empty(entry.shape, dtype=dtype)
        raw = array.reshape(-1).view(np.uint8)
        path = self._read(name, entry, raw)
        if self.verify_crc:
            self._check_crc(name, entry, crc32c(raw), path)
        if self._header.endianness == _BIG_ENDIAN:
            array.byteswap(inplace=True)
        return array

    def _check_crc(self, name: str, entry: BundleEntry, actual: int, path: str) -> None:
        if actual != unmask(entry.crc32c):
            raise CheckpointCorruptedError(
                f"variable {name!r} in {path} is corrupted: CRC32C of bytes [{entry.offset}, "
                f"{entry.offset + entry.size}) is 0x{actual:08x}, the index recorded "
                f"0x{unmask(entry.crc32c):08x}"
            )

    def _get_strings(self, name: str, entry: BundleEntry, count: int) -> np.ndarray:
        # String tensors (e.g. tf.train.Checkpoint's object graph) are stored as
        # `count` varint lengths, a masked CRC32C, then the strings back to back.
        # The checksums cover each length as a little-endian uint32 (uint64 past
        # 4 GiB, for compatibility with older writers), not the varint bytes.
        raw = np.empty(entry.size, dtype=np.uint8)
        path = self._read(name, entry, raw)
        data = raw.tobytes()
        try:
            lengths, pos = [], 0
            for _ in range(count):
                length, pos = decode_varint(data, pos)
                lengths.append(length)
            if pos + 4 + sum(lengths) != len(data):
                raise ProtoDecodeError("string lengths do not add up to the stored size")
        except ProtoDecodeError as e:
            raise CheckpointCorruptedError(f"string variable {name!r} in {path}: {e}") from None
        if self.verify_crc:
            crc = crc32c(b"".join(
                n.to_bytes(4 if n <= 0xFFFFFFFF else 8, "little") for n in lengths))
            if data[pos : pos + 4] != mask(crc).to_bytes(4, "little"):
                raise CheckpointCorruptedError(
                    f"string variable {name!r} in {path} is corrupted: "
                    "checksum of its string lengths does not match")
            self._check_crc(name, entry, crc32c(data[pos:], crc), path)
        pos += 4
        out = np.empty(count, dtype=object)
        for i, length in enumerate(lengths):
            out[i] = data[pos : pos + length]
            pos += length
        return out.reshape(entry.shape)

    def close(self) -> None:
        """Closes the open data shards."""
        with self._lock:
            files, self._files = self._files, {}
        for f in files.values():
            f.close()

    def __enter__(self) -> "CheckpointReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def load_checkpoint(path: PathLike) -> CheckpointReader:
    """Opens a checkpoint (prefix, index/data file or folder), like ``tf.train.load_checkpoint``.

    Example:
        >>> reader = load_checkpoint("chinese_L-12_H-768_A-12/")  # doctest: +SKIP
        >>> reader.get_tensor("bert/embeddings/word_embeddings").shape  # doctest: +SKIP
        (21128, 768)
    """
    return CheckpointReader(path)


def list_variables(path: PathLike) -> List[Tuple[str, List[int]]]:
    """``[(name, shape), ...]`` of a checkpoint, sorted by name; reads only the index.

    Example:
        >>> list_variables("chinese_L-12_H-768_A-12/bert_model.ckpt")[:1]  # doctest: +SKIP
        [('bert/embeddings/LayerNorm/beta', [768])]
    """
    return CheckpointReader(path).list_variables()


def load_variable(path: PathLike, name: str) -> np.ndarray:
    """One variable of a checkpoint, like ``tf.train.load_variable``.

    Example:
        >>> load_variable("chinese_L-12_H-768_A-12", "global_step")  # doctest: +SKIP
        array(1000000)
    """
    with CheckpointReader(path) as reader:
        return reader.get_tensor(name)


# ----------------------------------------------------------------------------- writing


def _as_storable(name: object, value: object) -> Tuple[np.ndarray, int]:
    if not isinstance(name, str) or not name or name.startswith("\0"):
        raise ValueError(f"checkpoint variable names must be non-empty strings, got {name!r}")
    array = np.asarray(value)
    enum = _DTYPE_ENUMS.get(array.dtype.newbyteorder("=") if array.dtype.byteorder != "|"
                            else array.dtype)
    if enum is None:
        supported = ", ".join(sorted({d.name for d in _DTYPE_ENUMS}))
        raise ValueError(
            f"variable {name!r} has dtype {array.dtype}, which cannot be written to a "
            f"checkpoint (supported: {supported})"
        )
    # The format is little endian and C order whatever the host or the input is.
    native = _NUMPY_DTYPES[enum]
    return array.astype(native.newbyteorder("<"), order="C", copy=False), enum


def _write_atomically(path: str, chunks) -> None:
    # A unique name in the same folder (so the rename is atomic); plain open()
    # rather than mkstemp so the file gets the usual umask-based permissions.
    tmp = f"{path}.tmp{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "xb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_checkpoint(
    prefix: PathLike,
    variables: Mapping[str, np.ndarray],
    num_shards: int = 1,
    write_state_file: bool = True,
) -> str:
    """Writes ``variables`` as a V2 checkpoint TensorFlow can read; returns the prefix.

    Creates ``<prefix>.index`` and ``<prefix>.data-%05d-of-%05d`` (tensors are
    spread over ``num_shards`` files, balancing their bytes) and, with
    ``write_state_file``, a ``checkpoint`` file in the prefix's folder naming
    this prefix, as TensorFlow's savers do. Each file is written under a
    temporary name and renamed into place, the index last, so an interrupted
    first write never leaves an index pointing at missing or partial data.

    Supported dtypes: float16/32/64, bfloat16, int8/16/32/64, uint8/16/32/64,
    bool, complex64/128; anything else raises ``ValueError``.

    Example:
        >>> import os, tempfile, numpy as np
        >>> folder = tempfile.mkdtemp()
        >>> prefix = write_checkpoint(os.path.join(folder, "bert_model.ckpt"),
        ...     {"bert/embeddings/word_embeddings": np.zeros((10, 4), "float32")})
        >>> os.path.basename(prefix)
        'bert_model.ckpt'
        >>> sorted(os.listdir(folder))
        ['bert_model.ckpt.data-00000-of-00001', 'bert_model.ckpt.index', 'checkpoint']
    """
    prefix = os.fsdecode(os.fspath(prefix))
    if isinstance(num_shards, bool) or not isinstance(num_shards, int) or num_shards < 1:
        raise ValueError(f"num_shards must be a positive integer, got {num_shards!r}")
    arrays: Dict[bytes, Tuple[str, np.ndarray, int]] = {}
    for name, value in variables.items():
        array, enum = _as_storable(name, value)
        arrays[name.encode("utf-8", "surrogateescape")] = (name, array, enum)
    keys = sorted(arrays)  # the table's order is bytewise on the UTF-8 names

    # Greedy balancing: biggest tensors first, each into the lightest shard.
    loads = [0] * num_shards
    shard_of: Dict[bytes, int] = {}
    for key in sorted(keys, key=lambda k: (-arrays[k][1].nbytes, k)):
        shard = loads.index(min(loads))
        shard_of[key] = shard
        loads[shard] += arrays[key][1].nbytes

    folder = os.path.dirname(prefix)
    if folder:
        os.makedirs(folder, exist_ok=True)
    entries: Dict[bytes, BundleEntry] = {}
    for shard in range(num_shards):
        members = [k for k in keys if shard_of[k] == shard]
        offset = 0
        for key in members:
            _, array, enum = arrays[key]
            entries[key] = BundleEntry(
                dtype=enum, shape=tuple(array.shape), shard_id=shard, offset=offset,
                size=array.nbytes, crc32c=mask(crc32c(array)),
            )
            offset += array.nbytes
        _write_atomically(
            data_file_path(prefix, shard, num_shards),
            (arrays[k][1].reshape(-1).view(np.uint8) for k in members if arrays[k][1].nbytes),
        )
    header = BundleHeader(num_shards=num_shards, producer=_TENSOR_BUNDLE_VERSION)
    table = build_table([(b"", encode_header(header))] + [(k, encode_entry(entries[k])) for k in keys])
    _write_atomically(prefix + ".index", [table])
    if write_state_file:
        state = os.path.join(folder or ".", STATE_FILE)
        _write_atomically(state, [format_state_file(os.path.basename(prefix)).encode("utf-8")])
    return prefix
