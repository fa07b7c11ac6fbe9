"""Length buckets for padded batches, and batch structures Keras accepts.

Every distinct padded length is a new input shape. JAX compiles a new training
step for each shape, so a script whose batches pad to whatever their longest
sentence is compiles almost every step. Rounding the padded length up to a few
fixed lengths (buckets) bounds the number of compilations.

Buckets act inside :func:`kerasformers.snippets.sequence_padding` when it is
called without an explicit ``length``, and only while a
:class:`~kerasformers.snippets.DataGenerator` is producing a batch (see its
``buckets`` argument): the generator's own ``__iter__`` pads as it always did,
and the length it asks for is rounded up along the dims where its rows differ
in length. Arrays whose rows are all as long (``[[label], ...]`` columns,
class vectors) keep their width, and so does a batch of one. Nothing else changes.

Example:
    >>> with padding_buckets(32):
    ...     bucket_length(5), bucket_length(33)
    (32, 64)
    >>> bucket_length(5)  # outside a generator: unchanged
    5
    >>> with padding_buckets([16, 64]):
    ...     bucket_length(17), bucket_length(70)
    (64, 70)
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

import numpy as np

#: What ``buckets='auto'`` means on JAX: pad lengths up to a multiple of this.
DEFAULT_BUCKET_MULTIPLE = 32

Buckets = Union[None, str, int, Sequence[int]]

_state = threading.local()


def normalize_buckets(buckets: Buckets, backend: Optional[str] = None) -> Union[None, int, Tuple[int, ...]]:
    """Check a ``buckets`` argument and resolve ``'auto'`` for ``backend``.

    ``None`` (no buckets), an int (round lengths up to a multiple of it), a
    sorted sequence of lengths (round up to the next one; longer batches keep
    their length), or ``'auto'``: a multiple of 32 on JAX, none elsewhere.

    Example:
        >>> normalize_buckets("auto", "jax"), normalize_buckets("auto", "torch")
        (32, None)
        >>> normalize_buckets([64, 16, 32])
        (16, 32, 64)
    """
    if buckets is None:
        return None
    if isinstance(buckets, str):
        if buckets != "auto":
            raise ValueError(f"buckets must be None, 'auto', an int or a list of lengths; got {buckets!r}")
        return DEFAULT_BUCKET_MULTIPLE if backend == "jax" else None
    if isinstance(buckets, int) and not isinstance(buckets, bool):
        if buckets < 1:
            raise ValueError(f"buckets as an int is the multiple lengths round up to; it must be >= 1, got {buckets}")
        return buckets
    try:
        lengths = tuple(sorted(int(b) for b in buckets))
    except (TypeError, ValueError):
        raise ValueError(f"buckets must be None, 'auto', an int or a list of lengths; got {buckets!r}") from None
    if not lengths or lengths[0] < 1:
        raise ValueError(f"bucket lengths must be positive ints; got {buckets!r}")
    return lengths


@contextlib.contextmanager
def padding_buckets(buckets: Union[None, int, Sequence[int]]) -> Iterator[None]:
    """Within the block, :func:`bucket_length` rounds lengths up to ``buckets``
    (already normalized: None, a multiple, or sorted lengths). Thread-local."""
    previous = getattr(_state, "buckets", None)
    _state.buckets = buckets if buckets is None or isinstance(buckets, int) else tuple(buckets)
    try:
        yield
    finally:
        _state.buckets = previous


def bucket_length(length: int) -> int:
    """``length`` rounded up to the active buckets (unchanged outside :func:`padding_buckets`)."""
    buckets = getattr(_state, "buckets", None)
    if buckets is None or length <= 0:
        return length
    if isinstance(buckets, int):
        return -(-length // buckets) * buckets
    for bound in buckets:
        if length <= bound:
            return bound
    return length


def _as_structure(value: Any) -> Any:
    # Lists that hold arrays (or further containers of arrays) are structure
    # and become tuples; lists of plain Python numbers are data: one array.
    if isinstance(value, dict):
        return {k: _as_structure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if any(hasattr(v, "shape") or isinstance(v, dict) or v is None for v in _leaves(value)):
            return tuple(_as_structure(v) for v in value)
        return np.asarray(value)
    return value


def _leaves(value: Any) -> Iterator[Any]:
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _leaves(v)
        else:
            yield v


def keras_structure(batch: Any) -> Any:
    """A batch as Keras's ``fit``/``evaluate`` read it.

    bert4keras generators yield lists (``[token_ids, segment_ids], labels``);
    Keras reads a top-level tuple as ``(inputs, targets[, weights])`` and, on
    TensorFlow, wants tuples rather than lists inside it. Lists of arrays
    become tuples at every level, lists of numbers become arrays, and a
    ``None`` target (models whose loss is a layer) is dropped.

    Example:
        >>> x, y = np.zeros((2, 3)), np.ones((2, 3))
        >>> [type(part).__name__ for part in keras_structure([[x, y], None])]
        ['tuple']
        >>> keras_structure(([x, y], [0, 1]))[1]
        array([0, 1])
    """
    if isinstance(batch, list):
        batch = tuple(batch)
    if isinstance(batch, tuple):
        while len(batch) > 1 and batch[-1] is None:
            batch = batch[:-1]
        return tuple(_as_structure(part) for part in batch)
    return (_as_structure(batch),)


def keras_inputs(inputs: Any) -> Tuple[Any]:
    """Model inputs alone (what ``fortest`` yields) as a one-element batch for ``predict``.

    Example:
        >>> x = np.zeros((2, 3))
        >>> len(keras_inputs([x, x])), len(keras_inputs([x, x])[0])
        (1, 2)
    """
    return (_as_structure(inputs),)
