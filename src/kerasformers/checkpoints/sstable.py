"""LevelDB-style sorted tables, the container of a checkpoint's ``.index`` file.

Layout of a table file (all integers little endian):

* data blocks, a meta-index block and an index block, each followed by a
  5-byte trailer: the compression type (0 = none, 1 = snappy) and the masked
  CRC32C of the block bytes plus that type byte;
* a 48-byte footer: the meta-index and index block handles (a handle is two
  varints, offset and size without trailer), zero padding to 40 bytes, and the
  magic number ``0xdb4775248b80fb57``.

A block is a run of prefix-compressed entries ``shared, non_shared, value_len``
(varints), ``key[shared:]``, ``value``; then ``uint32`` restart offsets (entries
where ``shared == 0``, every 16th entry) and their count. The index block maps,
for each data block, a key >= the block's last key to the block's handle.

Example:
    >>> table = build_table([(b"a", b"1"), (b"b", b"2")])
    >>> read_table(table)
    [(b'a', b'1'), (b'b', b'2')]
"""

from __future__ import annotations

import struct
from typing import Callable, List, Optional, Sequence, Tuple

from .crc import crc32c, mask
from .protobuf import ProtoDecodeError, decode_varint, encode_varint
from .snappy import SnappyError, decompress

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
NO_COMPRESSION, SNAPPY_COMPRESSION = 0, 1
# LevelDB's defaults. TensorFlow reads any block size; small blocks keep each
# lookup cheap and make the multi-block code paths the common case.
DEFAULT_BLOCK_SIZE = 4096
DEFAULT_RESTART_INTERVAL = 16


class TableError(ValueError):
    """The bytes are not a well-formed table; the message says where."""


# ----------------------------------------------------------------------------- reading


def _read_handle(buf, pos: int) -> Tuple[int, int, int]:
    offset, pos = decode_varint(buf, pos)
    size, pos = decode_varint(buf, pos)
    return offset, size, pos


def _read_block(data, offset: int, size: int, verify_crc: bool, what: str) -> bytes:
    end = offset + size
    if end + TRAILER_SIZE > len(data) - FOOTER_SIZE:
        raise TableError(
            f"{what} at offset {offset} (size {size}) runs past the end of the table "
            f"({len(data)} bytes): the file is truncated"
        )
    kind = data[end]
    if verify_crc:
        (stored,) = struct.unpack_from("<I", data, end + 1)
        actual = mask(crc32c(bytes(data[offset : end + 1])))
        if stored != actual:
            raise TableError(f"{what} at offset {offset}: block checksum mismatch")
    contents = bytes(data[offset:end])
    if kind == NO_COMPRESSION:
        return contents
    if kind == SNAPPY_COMPRESSION:
        try:
            return decompress(contents)
        except SnappyError as e:
            raise TableError(f"{what} at offset {offset}: bad snappy data ({e})") from None
    raise TableError(f"{what} at offset {offset}: unknown compression type {kind}")


def parse_block(block: bytes, what: str = "block") -> List[Tuple[bytes, bytes]]:
    """Decodes every ``(key, value)`` entry of one uncompressed block, in order."""
    if len(block) < 4:
        raise TableError(f"{what} is only {len(block)} bytes long")
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * num_restarts
    if num_restarts == 0 or limit < 0:
        raise TableError(f"{what} has an impossible restart count {num_restarts}")
    restarts = struct.unpack_from(f"<{num_restarts}I", block, limit)
    entries: List[Tuple[bytes, bytes]] = []
    starts = []
    key = b""
    pos = 0
    try:
        while pos < limit:
            starts.append(pos)
            shared, pos = decode_varint(block, pos)
            non_shared, pos = decode_varint(block, pos)
            value_len, pos = decode_varint(block, pos)
            if shared > len(key) or pos + non_shared + value_len > limit:
                raise TableError(f"{what} has an entry at offset {starts[-1]} that does not fit")
            key = key[:shared] + block[pos : pos + non_shared]
            pos += non_shared
            entries.append((key, block[pos : pos + value_len]))
            pos += value_len
    except ProtoDecodeError as e:
        raise TableError(f"{what}: {e}") from None
    # Restart points must land on entry boundaries; a mismatch means the block
    # was damaged in a way the varints alone did not reveal.
    if entries and not set(restarts) <= set(starts):
        raise TableError(f"{what} has restart offsets that are not entry boundaries")
    return entries


def read_index_block(data, verify_crc: bool = True) -> List[Tuple[bytes, int, int]]:
    """``(separator_key, offset, size)`` of every data block of the table in ``data``.

    Checks the footer's magic number; raises :class:`TableError` when it is bad.
    """
    if len(data) < FOOTER_SIZE:
        raise TableError(f"only {len(data)} bytes, a table ends with a {FOOTER_SIZE}-byte footer")
    (magic,) = struct.unpack_from("<Q", data, len(data) - 8)
    if magic != TABLE_MAGIC:
        raise TableError(f"bad magic number 0x{magic:016x} (expected 0x{TABLE_MAGIC:016x})")
    footer = bytes(data[len(data) - FOOTER_SIZE :])
    try:
        _, _, pos = _read_handle(footer, 0)  # the meta-index block holds nothing we need
        index_offset, index_size, _ = _read_handle(footer, pos)
    except ProtoDecodeError as e:
        raise TableError(f"bad footer: {e}") from None
    index = _read_block(data, index_offset, index_size, verify_crc, "index block")
    handles = []
    for key, handle in parse_block(index, "index block"):
        try:
            offset, size, _ = _read_handle(handle, 0)
        except ProtoDecodeError as e:
            raise TableError(f"bad block handle in the index block: {e}") from None
        handles.append((key, offset, size))
    return handles


def read_table(data, verify_crc: bool = True) -> List[Tuple[bytes, bytes]]:
    """Returns all ``(key, value)`` pairs of a table held in ``data``, in key order.

    Raises :class:`TableError` when the footer, a block or a checksum is bad.
    """
    entries: List[Tuple[bytes, bytes]] = []
    for _, offset, size in read_index_block(data, verify_crc):
        what = f"data block at offset {offset}"
        entries.extend(parse_block(_read_block(data, offset, size, verify_crc, what), what))
    for (prev, _), (key, _) in zip(entries, entries[1:]):
        if key <= prev:
            raise TableError(f"keys are not in increasing order ({prev!r} then {key!r})")
    return entries


# ----------------------------------------------------------------------------- writing


class _BlockBuilder:
    def __init__(self, restart_interval: int):
        self.restart_interval = restart_interval
        self.reset()

    def reset(self) -> None:
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""
        self.num_entries = 0

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < self.restart_interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += encode_varint(shared) + encode_varint(len(key) - shared)
        self.buf += encode_varint(len(value)) + key[shared:] + value
        self.last_key = key
        self.counter += 1
        self.num_entries += 1

    def size(self) -> int:
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self) -> bytes:
        tail = struct.pack(f"<{len(self.restarts)}I", *self.restarts)
        return bytes(self.buf) + tail + struct.pack("<I", len(self.restarts))


def build_table(
    items: Sequence[Tuple[bytes, bytes]],
    block_size: int = DEFAULT_BLOCK_SIZE,
    restart_interval: int = DEFAULT_RESTART_INTERVAL,
    compressor: Optional[Callable[[bytes], bytes]] = None,
) -> bytes:
    """Serialises ``items`` (sorted, unique keys) into table bytes.

    ``compressor``, when given, must produce raw snappy; every block is then
    stored compressed (type 1). TensorFlow's own writer never compresses, the
    hook exists so readers can be tested against snappy blocks.
    """
    out = bytearray()

    def emit(block: bytes) -> bytes:
        kind = NO_COMPRESSION
        if compressor is not None:
            block, kind = bytes(compressor(block)), SNAPPY_COMPRESSION
        handle = encode_varint(len(out)) + encode_varint(len(block))
        out.extend(block)
        out.append(kind)
        out.extend(struct.pack("<I", mask(crc32c(block + bytes([kind])))))
        return handle

    data_block = _BlockBuilder(restart_interval)
    # Every data block sits under one index entry; its last key is a valid
    # separator (>= every key in the block, < the next block's first key).
    index_block = _BlockBuilder(1)
    prev = None
    for key, value in items:
        if prev is not None and key <= prev:
            raise ValueError(f"table keys must be unique and sorted: {prev!r} then {key!r}")
        prev = key
        data_block.add(key, value)
        if data_block.size() >= block_size:
            index_block.add(data_block.last_key, emit(data_block.finish()))
            data_block.reset()
    if data_block.num_entries:
        index_block.add(data_block.last_key, emit(data_block.finish()))
    meta_handle = emit(_BlockBuilder(restart_interval).finish())
    index_handle = emit(index_block.finish())
    footer = (meta_handle + index_handle).ljust(FOOTER_SIZE - 8, b"\0")
    out += footer + struct.pack("<Q", TABLE_MAGIC)
    return bytes(out)
