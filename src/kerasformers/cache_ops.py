"""Key/value cache tensors: allocate, write one slice, take rows, and view them for attention.

A cache is stored *flat head-major*, ``[batch * heads, length, size]`` (row
``b * heads + h`` holds head ``h`` of batch row ``b``), on every backend, and the
attention layer reads it through :func:`cache_view` as ``[batch, length, heads,
size]``. This is the order in which the attention products read the cache without
a copy, which matters because decoding reads every cache at every step:

* with a ``[batch, length, heads, size]`` cache, XLA on CPU copied every layer's
  keys and values into head-major order at every step (32 copies of 786 KiB in a
  T5-small beam step, about half its time), and PyTorch's
  ``scaled_dot_product_attention`` did the same;
* with a four-dimensional ``[batch, heads, length, size]`` cache, XLA still copied:
  its products take a single batch dimension, and the reshape that merges
  ``batch`` and ``heads`` after the step's write made XLA repeat the write into a
  copy of the cache (GPT2-small greedy decoding: 1.2 ms of a 12 ms token).

A step writes only its new positions: JAX donates the buffers to
``ops.slice_update``, and eager PyTorch writes in place (Keras's ``slice_update``
would clone the whole cache at every write).

Example:
    >>> import numpy as np
    >>> cache = zeros_cache((2, 4, 3), "float32")  # batch 1 x 2 heads, 4 positions, size 3
    >>> cache = write_cache(cache, 1, np.ones((1, 1, 2, 3), "float32"))  # one new position
    >>> [float(keras.ops.sum(cache_view(cache, heads=2)[0, i])) for i in range(4)]
    [0.0, 6.0, 0.0, 0.0]
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import ops


def _torch_eager() -> bool:
    if keras.backend.backend() != "torch":
        return False
    import torch

    # Under torch.compile (opt-in, see CompiledStep) the functional form traces as well as in-place.
    return not torch.compiler.is_compiling()


def zeros_cache(shape: Sequence[int], dtype):
    """A zero cache of shape ``[batch * heads, length, size]``.

    Example:
        >>> tuple(zeros_cache((8, 16, 4), "float32").shape)
        (8, 16, 4)
    """
    return ops.zeros(tuple(int(s) for s in shape), dtype=dtype)


def cache_view(cache, heads: int):
    """``cache`` as ``[batch, length, heads, size]``, the order attention layers take.

    Example:
        >>> tuple(cache_view(zeros_cache((8, 16, 4), "float32"), heads=4).shape)
        (2, 16, 4, 4)
    """
    length, size = cache.shape[1], cache.shape[2]
    return ops.transpose(ops.reshape(cache, (-1, heads, length, size)), (0, 2, 1, 3))


def _flat(x):
    """``[batch, n, heads, size]`` as ``[batch * heads, n, size]``."""
    n, size = x.shape[1], x.shape[3]
    return ops.reshape(ops.transpose(x, (0, 2, 1, 3)), (-1, n, size))


def write_cache(cache, index, update):
    """``cache`` with ``update`` (``[batch, n, heads, size]``) written at positions ``index..index+n``.

    Eager PyTorch writes in place and returns the same tensor (the caller hands
    the cache over, as :class:`~kerasformers.generation.PrefixCache` does); the
    other backends return ``ops.slice_update``'s result.
    """
    return _write_positions(cache, index, _flat(ops.cast(update, cache.dtype)))


def _write_positions(cache, index, update):
    """``cache`` with the flat ``update`` (``[batch * heads, n, size]``) written from position ``index`` on."""
    if _torch_eager() and isinstance(index, int):
        import torch

        with torch.no_grad():
            cache[:, index : index + update.shape[1]] = update
        return cache
    return ops.slice_update(cache, [0, index, 0], update)


def take_cache_rows(cache, rows, heads: int):
    """The cache of batch rows ``rows`` (beam search reorders beams): each row's ``heads`` slices."""
    rows = ops.cast(rows, "int32")
    flat_rows = ops.reshape(ops.expand_dims(rows, 1) * heads + ops.arange(heads, dtype="int32"), (-1,))
    return ops.take(cache, flat_rows, axis=0)


def as_cache(x):
    """``x`` (``[batch, length, heads, size]``) stored as a cache (``[batch * heads, length, size]``).

    For tensors read at every step but never written, such as cross-attention memories.

    Example:
        >>> tuple(as_cache(keras.ops.ones((1, 5, 2, 4))).shape)
        (2, 5, 4)
    """
    x = _flat(x)
    if keras.backend.backend() == "torch":
        return x.contiguous()
    return x


def pad_cache(cache, extra: int):
    """``cache`` with ``extra`` zero positions appended (the cache outgrew its length bucket)."""
    rows, n, size = (int(s) for s in cache.shape)
    return _write_positions(zeros_cache((rows, n + extra, size), cache.dtype), 0, cache)
