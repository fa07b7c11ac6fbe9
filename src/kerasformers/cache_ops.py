"""Key/value cache tensors: allocate, write one slice, take rows. Backend-aware where it pays.

A cache is ``[batch, length, heads, size]`` for every backend, so the attention
layer reads it the same way. On JAX and TensorFlow the step is compiled and
``ops.slice_update`` already runs in place (JAX donates the buffers). PyTorch
runs the step eagerly, where Keras's ``slice_update`` clones the whole cache at
every write and ``scaled_dot_product_attention`` copies a ``[batch, length,
heads, size]`` tensor into head-major order at every read. So on PyTorch a cache
is stored head-major (``[batch, heads, length, size]`` memory, viewed as
``[batch, length, heads, size]``) and written in place: each step then touches
only the new position.

Example:
    >>> import numpy as np
    >>> cache = zeros_cache((1, 4, 2, 3), "float32")
    >>> cache = write_cache(cache, 1, np.ones((1, 1, 2, 3), "float32"))
    >>> [float(keras.ops.sum(cache[0, i])) for i in range(4)]
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
    """A zero cache of logical shape ``[batch, length, heads, size]``.

    Example:
        >>> tuple(zeros_cache((2, 8, 4, 16), "float32").shape)
        (2, 8, 4, 16)
    """
    if keras.backend.backend() == "torch":
        import torch

        from keras.src.backend.torch.core import get_device, to_torch_dtype

        b, n, h, d = (int(s) for s in shape)
        # Head-major memory, the order scaled_dot_product_attention reads without a copy.
        return torch.zeros((b, h, n, d), dtype=to_torch_dtype(dtype), device=get_device()).permute(0, 2, 1, 3)
    return ops.zeros(tuple(shape), dtype=dtype)


def write_cache(cache, index, update):
    """``cache`` with ``update`` (``[batch, n, heads, size]``) written at positions ``index..index+n``.

    Eager PyTorch writes in place and returns the same tensor (the caller hands
    the cache over, as :class:`~kerasformers.generation.PrefixCache` does); the
    other backends return ``ops.slice_update``'s result.
    """
    update = ops.cast(update, cache.dtype)
    if _torch_eager() and isinstance(index, int):
        import torch

        with torch.no_grad():
            cache[:, index : index + update.shape[1]] = update
        return cache
    return ops.slice_update(cache, [0, index, 0, 0], update)


def take_cache_rows(cache, rows):
    """Rows ``rows`` of ``cache`` (beam search reorders beams), keeping PyTorch's head-major memory."""
    if keras.backend.backend() == "torch":
        import torch

        rows = torch.as_tensor(ops.convert_to_tensor(rows), device=cache.device).long()
        return torch.index_select(cache.permute(0, 2, 1, 3), 0, rows).permute(0, 2, 1, 3)
    return ops.take(cache, rows, axis=0)


def as_cache(x):
    """``x`` (``[batch, length, heads, size]``) in a cache's memory order: head-major on PyTorch.

    For tensors read at every step but never written, such as cross-attention memories.

    Example:
        >>> tuple(as_cache(keras.ops.ones((1, 5, 2, 4))).shape)
        (1, 5, 2, 4)
    """
    if keras.backend.backend() == "torch":
        return x.permute(0, 2, 1, 3).contiguous().permute(0, 2, 1, 3)
    return x


def pad_cache(cache, extra: int):
    """``cache`` with ``extra`` zero positions appended (the cache outgrew its length bucket)."""
    b, n, h, d = (int(s) for s in cache.shape)
    grown = zeros_cache((b, n + extra, h, d), cache.dtype)
    return write_cache(grown, 0, cache)
