"""Pure-Python decompression of raw snappy data (table blocks of type 1).

Only index blocks are ever compressed (a few KB), so speed does not matter and
no C dependency is needed. The raw format (no framing) is:

* a varint with the uncompressed length, then a sequence of elements, each
  starting with a tag byte whose two low bits give the element kind:
* ``00`` literal: length-1 in the upper six bits, or, when those say 60..63,
  in the next 1..4 little-endian bytes; the literal bytes follow.
* ``01`` copy: length 4..11 in bits 2-4, an 11-bit offset (bits 5-7 of the tag
  are the high bits, the next byte the low bits).
* ``10`` / ``11`` copy: length-1 in the upper six bits, then a 2- / 4-byte
  little-endian offset.

A copy repeats ``length`` bytes starting ``offset`` bytes back in the output;
it may overlap the bytes it produces (offset < length repeats a pattern).

Example:
    >>> decompress(b"\\x09\\x08abc\\x09\\x03")  # "abc", then copy 6 bytes from 3 back
    b'abcabcabc'
"""

from __future__ import annotations

from .protobuf import ProtoDecodeError, decode_varint


class SnappyError(ValueError):
    """The bytes are not valid raw snappy data."""


def decompress(data) -> bytes:
    """Decompresses raw (unframed) snappy ``data``; raises :class:`SnappyError`."""
    data = bytes(data)
    try:
        expected, pos = decode_varint(data, 0)
    except ProtoDecodeError as e:
        raise SnappyError(f"bad length preamble: {e}") from None
    out = bytearray()
    end = len(data)
    while pos < end:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            length = (tag >> 2) + 1
            if length > 60:
                extra = length - 60  # 1..4 bytes hold length-1
                if pos + extra > end:
                    raise SnappyError("truncated literal length")
                length = int.from_bytes(data[pos : pos + extra], "little") + 1
                pos += extra
            if pos + length > end:
                raise SnappyError("literal runs past the end of the input")
            out += data[pos : pos + length]
            pos += length
            continue
        if kind == 1:
            if pos + 1 > end:
                raise SnappyError("truncated copy")
            length = 4 + ((tag >> 2) & 7)
            offset = ((tag >> 5) << 8) | data[pos]
            pos += 1
        else:
            width = 2 if kind == 2 else 4
            if pos + width > end:
                raise SnappyError("truncated copy")
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[pos : pos + width], "little")
            pos += width
        if offset == 0 or offset > len(out):
            raise SnappyError(f"copy offset {offset} outside the {len(out)} bytes decoded so far")
        start = len(out) - offset
        if offset >= length:
            out += out[start : start + length]
        else:
            # Overlapping copy: the source is a pattern of `offset` bytes repeated.
            pattern = bytes(out[start:])
            reps = -(-length // offset)
            out += (pattern * reps)[:length]
        if len(out) > expected:
            raise SnappyError(f"output exceeds the announced {expected} bytes")
    if len(out) != expected:
        raise SnappyError(f"decoded {len(out)} bytes, the preamble announced {expected}")
    return bytes(out)
