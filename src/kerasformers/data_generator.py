"""``DataGenerator``: bert4keras's batch-generator base class (exported by
:mod:`kerasformers.snippets`)."""

from __future__ import annotations

import functools
from typing import Any, Iterator, List, Optional, Tuple

import numpy as np

from .batching import Buckets, keras_inputs, keras_structure, normalize_buckets, padding_buckets


class DataGenerator:
    """Base class for batch generators: subclass it and write ``__iter__``.

    Args:
        data: a sized sequence (shuffled by permutation) or any iterable
            (shuffled through a buffer of ``buffer_size`` items).
        batch_size: batch size; ``len(generator)`` is the number of batches.
        buffer_size: shuffle buffer for unsized data (default ``batch_size * 1000``).
        buckets: length buckets for :func:`~kerasformers.snippets.sequence_padding`
            while this generator makes a batch: ``'auto'`` (default: lengths round
            up to a multiple of 32 on JAX, which compiles a training step per
            input shape; unchanged on TensorFlow and PyTorch), ``None`` (off),
            an int (a multiple) or a list of lengths. See :mod:`kerasformers.batching`.

    Shuffling draws from ``np.random`` exactly as bert4keras does, so a fixed
    ``np.random.seed`` gives the same order.

    ``forfit()`` and ``fortest()`` feed ``model.fit``/``evaluate``/``predict``
    on every backend, whatever the batches' padded lengths, and batches may be
    lists as in bert4keras (``yield [token_ids, segment_ids], labels``).

    Example:
        >>> from kerasformers.snippets import DataGenerator, sequence_padding
        >>> class Batches(DataGenerator):
        ...     def __iter__(self, random=False):
        ...         batch = []
        ...         for is_end, item in self.sample(random):
        ...             batch.append(item)
        ...             if len(batch) == self.batch_size or is_end:
        ...                 yield sequence_padding(batch), None
        ...                 batch = []
        >>> g = Batches([[1], [2, 3], [4]], batch_size=2, buckets=None)
        >>> len(g), [x.tolist() for x, _ in g]
        (2, [[[1, 0], [2, 3]], [[4]]])
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__iter__" in cls.__dict__:
            cls.__iter__ = _padded_in_buckets(cls.__dict__["__iter__"])

    def __init__(
        self, data: Any, batch_size: int = 32, buffer_size: Optional[int] = None, buckets: Buckets = "auto"
    ):
        if not batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if buffer_size is not None and buffer_size < 0:
            raise ValueError(f"buffer_size must be positive (or None for batch_size * 1000), got {buffer_size!r}")
        self.data = data
        self.batch_size = batch_size
        self.steps = -(-len(data) // batch_size) if hasattr(data, "__len__") else None
        self.buffer_size = buffer_size or batch_size * 1000
        normalize_buckets(buckets)  # fail here, not at the first batch
        self.buckets = buckets

    def resolved_buckets(self):
        """The buckets in force: ``'auto'`` resolved for the current Keras backend."""
        backend = None
        if self.buckets == "auto":
            import keras

            backend = keras.config.backend()
        return normalize_buckets(self.buckets, backend)

    def __len__(self) -> int:
        if self.steps is None:
            raise TypeError("the number of batches is unknown: the data has no __len__")
        return self.steps

    def _shuffled(self) -> Iterator[Any]:
        if self.steps is not None:
            for i in np.random.permutation(len(self.data)):
                yield self.data[i]
            return
        # Unsized data: keep a buffer; once it holds buffer_size items, each
        # new item triggers the release of one random buffered item.
        buffer: List[Any] = []
        for item in self.data:
            buffer.append(item)
            if len(buffer) > self.buffer_size:
                yield buffer.pop(np.random.randint(len(buffer)))
        while buffer:
            yield buffer.pop(np.random.randint(len(buffer)))

    def sample(self, random: bool = False) -> Iterator[Tuple[bool, Any]]:
        """Yield ``(is_end, item)`` over the data, shuffled if ``random``;
        ``is_end`` is True for the last item only."""
        items = self._shuffled() if random else iter(self.data)
        for current in items:
            break
        else:
            raise ValueError("DataGenerator has no data to sample from (data is empty)")
        for following in items:
            yield False, current
            current = following
        yield True, current

    def __iter__(self, random: bool = False):
        raise NotImplementedError("subclass DataGenerator and write __iter__(self, random=False)")

    def _endless(self, random: bool) -> Iterator[Any]:
        while True:
            for batch in self.__iter__(random):
                yield batch

    def forfit(self, random: bool = True):
        """Endless batches for ``model.fit``/``evaluate`` (shuffled by default).

        Iterating it yields the batches exactly as ``__iter__`` makes them; Keras
        reads it through :class:`~kerasformers.fit_stream.BatchStream`, so give
        ``fit`` ``steps_per_epoch=len(generator)`` as bert4keras scripts do.

        Example:
            >>> class Pairs(DataGenerator):
            ...     def __iter__(self, random=False):
            ...         for _, x in self.sample(random):
            ...             yield [np.array([x]), np.array([x])], np.array([x])
            >>> batch = next(Pairs([1, 2], batch_size=1).forfit(random=False))
            >>> type(batch[0]).__name__, int(batch[1][0])
            ('list', 1)
        """
        from .fit_stream import BatchStream

        return BatchStream(self._endless(random), keras_structure)

    def fortest(self, random: bool = False):
        """Endless batches without their labels (``batch[0]``) for ``predict``."""
        from .fit_stream import BatchStream

        return BatchStream((batch[0] for batch in self._endless(random)), keras_inputs)

    def to_dataset(self, types, shapes, names=None, padded_batch: bool = False):
        """Wrap :meth:`forfit` in a ``tf.data.Dataset`` (needs TensorFlow).

        ``types``/``shapes`` describe one example with the structure of a
        batch; ``names`` turns the structure into dicts (a name, a list of
        names, or one list per element), and ``padded_batch`` pads to
        ``shapes`` per batch instead of requiring fixed shapes. In a list per
        element, ``None`` leaves that element unnamed, and targets named by a
        single output name (``('Probas',)``) are given as that one array: Keras 3
        takes a single-output model's targets as an array, never a dict.
        """
        try:
            import tensorflow as tf
        except ImportError as error:
            raise ImportError("DataGenerator.to_dataset needs TensorFlow: pip install kerasformers[tensorflow]") from error

        wrap = None
        if names is not None:
            if isinstance(names, str):
                wrap = lambda keys, values: {keys: values}  # noqa: E731
            elif isinstance(names[0], str):
                wrap = lambda keys, values: dict(zip(keys, values))  # noqa: E731
            else:
                wrap = lambda keys, values: tuple(_named(i, k, v) for i, (k, v) in enumerate(zip(keys, values)))  # noqa: E731
            types, shapes = wrap(names, types), wrap(names, shapes)

        def walk(dtypes, values, leaf):
            # Follow the structure of `types` (shapes are lists themselves, so
            # they stay leaves).  tf.data reads Python lists as tensors, so
            # containers become tuples, in the signature and in each example.
            if isinstance(dtypes, dict):
                return {k: walk(dtypes[k], values[k], leaf) for k in dtypes}
            if isinstance(dtypes, (list, tuple)):
                return tuple(walk(t, v, leaf) for t, v in zip(dtypes, values))
            return leaf(dtypes, values)

        def examples():
            for example in self.forfit():
                if wrap is not None:
                    example = wrap(names, example)
                yield walk(types, example, lambda t, v: v)

        if padded_batch:
            signature = walk(types, shapes, lambda t, s: tf.TensorSpec(shape=None, dtype=t))
            dataset = tf.data.Dataset.from_generator(examples, output_signature=signature)
            return dataset.padded_batch(self.batch_size, walk(types, shapes, lambda t, s: tf.TensorShape(s)))
        signature = walk(types, shapes, lambda t, s: tf.TensorSpec(shape=s, dtype=t))
        dataset = tf.data.Dataset.from_generator(examples, output_signature=signature)
        return dataset.batch(self.batch_size)


def _named(position: int, keys, values):
    """One element of an example, named by ``keys`` (see ``to_dataset``)."""
    if keys is None:
        return values
    if position > 0 and len(keys) == 1:
        return values[0]
    return dict(zip(keys, values))


def _padded_in_buckets(make_batches):
    """Run a subclass's ``__iter__`` with its length buckets in force.

    The buckets are set around each step of the generator only, never while
    it is suspended, so code outside the generator pads as before.
    """

    @functools.wraps(make_batches)
    def batches(self, *args, **kwargs):
        buckets = self.resolved_buckets()
        steps = make_batches(self, *args, **kwargs)
        while True:
            with padding_buckets(buckets):
                try:
                    batch = next(steps)
                except StopIteration:
                    return
            yield batch

    return batches
