"""Key/value cache tensors: allocate, write one slice, take rows, and view them for attention.

A cache is stored head-major, ``[batch, heads, length, size]``, on every backend, and
the attention layer reads it through :func:`cache_view` as ``[batch, length, heads,
size]``. Head-major is the order the attention products read without a copy: with a
``[batch, length, heads, size]`` cache XLA on CPU copied every layer's keys and values
into head-major order at every step (32 copies of 786 KiB in a T5-small beam step,
about half its time), and PyTorch's ``scaled_dot_product_attention`` did the same.
Viewed as ``[batch, length, heads, size]``, the cache is a transpose XLA folds into the
products and a strided view on PyTorch. A step writes only its new positions: JAX
donates the buffers to ``ops.slice_update``, and eager PyTorch writes in place (Keras's
``slice_update`` would clone the whole cache at every write).

Example:
    >>> import numpy as np
    >>> cache = zeros_cache((1, 2, 4, 3), "float32")  # batch 1, 2 heads, 4 positions, size 3
    >>> cache = write_cache(cache, 1, np.ones((1, 1, 2, 3), "float32"))  # one new position
    >>> [float(keras.ops.sum(cache_view(cache)[0, i])) for i in range(4)]
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
    """A zero cache of shape ``[batch, heads, length, size]``.

    Example:
        >>> tuple(zeros_cache((2, 4, 8, 16), "float32").shape)
        (2, 4, 8, 16)
    """
    return ops.zeros(tuple(int(s) for s in shape), dtype=dtype)


def cache_view(cache):
    """``cache`` as ``[batch, length, heads, size]``, the order attention layers take.

    Example:
        >>> tuple(cache_view(zeros_cache((2, 4, 8, 16), "float32")).shape)
        (2, 8, 4, 16)
    """
    return ops.transpose(cache, (0, 2, 1, 3))


def write_cache(cache, index, update):
    """``cache`` with ``update`` (``[batch, n, heads, size]``) written at positions ``index..index+n``.

    Eager PyTorch writes in place and returns the same tensor (the caller hands
    the cache over, as :class:`~kerasformers.generation.PrefixCache` does); the
    other backends return ``ops.slice_update``'s result.
    """
    update = ops.transpose(ops.cast(update, cache.dtype), (0, 2, 1, 3))
    return _write_positions(cache, index, update)


def _write_positions(cache, index, update):
    """``cache`` with the head-major ``update`` written from position ``index`` on."""
    if _torch_eager() and isinstance(index, int):
        import torch

        with torch.no_grad():
            cache[:, :, index : index + update.shape[2]] = update
        return cache
    return ops.slice_update(cache, [0, 0, index, 0], update)


def take_cache_rows(cache, rows):
    """Rows ``rows`` of ``cache`` (beam search reorders beams)."""
    return ops.take(cache, rows, axis=0)


def as_cache(x):
    """``x`` (``[batch, length, heads, size]``) stored as a cache (head-major).

    For tensors read at every step but never written, such as cross-attention memories.

    Example:
        >>> tuple(as_cache(keras.ops.ones((1, 5, 2, 4))).shape)
        (1, 2, 5, 4)
    """
    x = ops.transpose(x, (0, 2, 1, 3))
    if keras.backend.backend() == "torch":
        return x.contiguous()
    return x


def pad_cache(cache, extra: int):
    """``cache`` with ``extra`` zero positions appended (the cache outgrew its length bucket)."""
    b, h, n, d = (int(s) for s in cache.shape)
    return _write_positions(zeros_cache((b, h, n + extra, d), cache.dtype), 0, cache)
