"""Just enough protocol buffers for the tensor-bundle index.

The index of a V2 checkpoint stores two message types (tensor_bundle.proto):

* ``BundleHeaderProto`` under the empty key: ``num_shards = 1`` (int32),
  ``endianness = 2`` (enum, 0 = little), ``version = 3`` (VersionDef:
  ``producer = 1``, ``min_consumer = 2``, ``bad_consumers = 3``).
* ``BundleEntryProto`` under every variable name: ``dtype = 1`` (DataType enum),
  ``shape = 2`` (TensorShapeProto: repeated ``dim = 2`` {``size = 1``}),
  ``shard_id = 3``, ``offset = 4``, ``size = 5``, ``crc32c = 6`` (fixed32,
  masked) and ``slices = 7`` (set only for partitioned variables).

The messages are proto3: fields holding their default value are omitted, so a
decoder must treat absent fields as zero. Writing them in field order with the
defaults omitted gives the same bytes TensorFlow writes.

Example:
    >>> entry = BundleEntry(dtype=1, shape=(2, 3), shard_id=0, offset=0, size=24, crc32c=7)
    >>> decode_entry(encode_entry(entry)) == entry
    True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Iterator, Tuple, Union

_U64 = (1 << 64) - 1

# Wire types of the protobuf encoding.
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


class ProtoDecodeError(ValueError):
    """Bytes that are not a valid encoding of the expected message."""


def encode_varint(value: int) -> bytes:
    """Base-128 varint; negative numbers take ten bytes, as in protobuf."""
    value &= _U64
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(buf, pos: int) -> Tuple[int, int]:
    """Reads a varint at ``buf[pos]``; returns ``(value, next_pos)``."""
    result = shift = 0
    end = len(buf)
    while True:
        if pos >= end:
            raise ProtoDecodeError("varint runs past the end of its buffer")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ProtoDecodeError("varint longer than ten bytes")


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >> 63 else value


def iter_fields(buf) -> Iterator[Tuple[int, int, Union[int, bytes]]]:
    """Yields ``(field_number, wire_type, value)`` for each field of a message.

    Varint and fixed fields give an int, length-delimited ones give bytes.
    Unknown fields are yielded too, so callers simply skip what they ignore.
    """
    pos, end = 0, len(buf)
    while pos < end:
        tag, pos = decode_varint(buf, pos)
        field, wire = tag >> 3, tag & 7
        if field == 0:
            raise ProtoDecodeError("field number 0")
        if wire == VARINT:
            value, pos = decode_varint(buf, pos)
        elif wire == FIXED64:
            if pos + 8 > end:
                raise ProtoDecodeError("truncated fixed64 field")
            (value,) = struct.unpack_from("<Q", buf, pos)
            pos += 8
        elif wire == FIXED32:
            if pos + 4 > end:
                raise ProtoDecodeError("truncated fixed32 field")
            (value,) = struct.unpack_from("<I", buf, pos)
            pos += 4
        elif wire == LENGTH_DELIMITED:
            length, pos = decode_varint(buf, pos)
            if pos + length > end:
                raise ProtoDecodeError("length-delimited field runs past the end")
            value = bytes(buf[pos : pos + length])
            pos += length
        else:
            raise ProtoDecodeError(f"unsupported wire type {wire} (field {field})")
        yield field, wire, value


def _key(field: int, wire: int) -> bytes:
    return encode_varint((field << 3) | wire)


def _varint_field(field: int, value: int) -> bytes:
    return _key(field, VARINT) + encode_varint(value) if value else b""


def _message_field(field: int, payload: bytes) -> bytes:
    # Sub-messages are written even when empty: presence is what marks e.g. a
    # scalar's shape (`shape {}`) or a zero-sized dimension (`dim {}`).
    return _key(field, LENGTH_DELIMITED) + encode_varint(len(payload)) + payload


@dataclass(frozen=True)
class BundleHeader:
    """The ``BundleHeaderProto`` stored under the empty key of the index."""

    num_shards: int = 1
    endianness: int = 0  # 0 = little endian, 1 = big endian
    producer: int = 1
    min_consumer: int = 0


@dataclass(frozen=True)
class BundleEntry:
    """The ``BundleEntryProto`` describing where one variable's bytes live."""

    dtype: int
    shape: Tuple[int, ...]
    shard_id: int = 0
    offset: int = 0
    size: int = 0
    crc32c: int = 0  # masked CRC32C of the stored bytes
    num_slices: int = 0  # > 0 only for partitioned variables


def encode_header(header: BundleHeader) -> bytes:
    """Serialises a :class:`BundleHeader` as TensorFlow does."""
    version = _varint_field(1, header.producer) + _varint_field(2, header.min_consumer)
    return (
        _varint_field(1, header.num_shards)
        + _varint_field(2, header.endianness)
        + _message_field(3, version)
    )


def decode_header(buf) -> BundleHeader:
    """Parses a ``BundleHeaderProto``."""
    values = {"num_shards": 0, "endianness": 0, "producer": 0, "min_consumer": 0}
    for field, wire, value in iter_fields(buf):
        if field == 1 and wire == VARINT:
            values["num_shards"] = _signed64(value)
        elif field == 2 and wire == VARINT:
            values["endianness"] = value
        elif field == 3 and wire == LENGTH_DELIMITED:
            for sub, sub_wire, sub_value in iter_fields(value):
                if sub == 1 and sub_wire == VARINT:
                    values["producer"] = _signed64(sub_value)
                elif sub == 2 and sub_wire == VARINT:
                    values["min_consumer"] = _signed64(sub_value)
    return BundleHeader(**values)


def encode_shape(shape: Tuple[int, ...]) -> bytes:
    """Serialises a ``TensorShapeProto`` (known rank, known dimensions)."""
    return b"".join(_message_field(2, _varint_field(1, int(d))) for d in shape)


def decode_shape(buf) -> Tuple[int, ...]:
    """Parses a ``TensorShapeProto``; an unknown rank is reported as an error."""
    dims = []
    for field, wire, value in iter_fields(buf):
        if field == 2 and wire == LENGTH_DELIMITED:
            size = 0
            for sub, sub_wire, sub_value in iter_fields(value):
                if sub == 1 and sub_wire == VARINT:
                    size = _signed64(sub_value)
            dims.append(size)
        elif field == 3 and wire == VARINT and value:
            raise ProtoDecodeError("shape of unknown rank")
    return tuple(dims)


def encode_entry(entry: BundleEntry) -> bytes:
    """Serialises a :class:`BundleEntry` as TensorFlow's BundleWriter does."""
    if entry.num_slices:
        raise ValueError("writing partitioned variables is not supported")
    out = (
        _varint_field(1, entry.dtype)
        + _message_field(2, encode_shape(entry.shape))
        + _varint_field(3, entry.shard_id)
        + _varint_field(4, entry.offset)
        + _varint_field(5, entry.size)
    )
    if entry.crc32c:
        out += _key(6, FIXED32) + struct.pack("<I", entry.crc32c)
    return out


def decode_entry(buf) -> BundleEntry:
    """Parses a ``BundleEntryProto``."""
    dtype, shape, shard_id, offset, size, crc, num_slices = 0, (), 0, 0, 0, 0, 0
    for field, wire, value in iter_fields(buf):
        if field == 1 and wire == VARINT:
            dtype = value
        elif field == 2 and wire == LENGTH_DELIMITED:
            shape = decode_shape(value)
        elif field == 3 and wire == VARINT:
            shard_id = _signed64(value)
        elif field == 4 and wire == VARINT:
            offset = _signed64(value)
        elif field == 5 and wire == VARINT:
            size = _signed64(value)
        elif field == 6 and wire == FIXED32:
            crc = value
        elif field == 7 and wire == LENGTH_DELIMITED:
            num_slices += 1
    return BundleEntry(dtype, shape, shard_id, offset, size, crc, num_slices)
