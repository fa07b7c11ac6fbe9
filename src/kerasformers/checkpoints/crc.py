"""Masked CRC32C, the checksum TensorFlow stores in tables and bundle entries.

TensorFlow (like LevelDB) never stores a raw CRC32C next to data that may itself
contain CRCs: it stores ``rotate_right(crc, 15) + 0xa282ead8``. Computing the CRC
of a CRC-bearing buffer then does not degenerate.

Example:
    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    >>> unmask(mask(0xE3069283)) == 0xE3069283
    True
"""

from __future__ import annotations

import google_crc32c
import numpy as np

_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF
# google_crc32c's C extension only accepts `bytes` (not memoryviews or numpy
# buffers), so large arrays are fed through cache-sized `bytes` chunks: one
# extra memcpy that stays in L2 instead of a second full copy of the tensor.
_CHUNK = 1 << 20


def mask(crc: int) -> int:
    """Masks a CRC32C the way TensorFlow stores it."""
    return ((((crc >> 15) | (crc << 17)) & _U32) + _MASK_DELTA) & _U32


def unmask(masked: int) -> int:
    """Inverts :func:`mask`."""
    rot = (masked - _MASK_DELTA) & _U32
    return ((rot >> 17) | (rot << 15)) & _U32


def crc32c(data, crc: int = 0) -> int:
    """CRC32C of ``data`` (bytes, bytearray, memoryview or numpy array), extending ``crc``."""
    if isinstance(data, bytes):
        return google_crc32c.extend(crc, data) if crc else google_crc32c.value(data)
    view = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data
    view = view.reshape(-1).view(np.uint8)
    for start in range(0, view.size, _CHUNK):
        crc = google_crc32c.extend(crc, view[start : start + _CHUNK].tobytes())
    return crc
