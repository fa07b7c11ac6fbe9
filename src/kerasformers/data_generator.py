"""``DataGenerator``: bert4keras's batch-generator base class (exported by
:mod:`kerasformers.snippets`)."""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple

import numpy as np


class DataGenerator:
    """Base class for batch generators: subclass it and write ``__iter__``.

    Args:
        data: a sized sequence (shuffled by permutation) or any iterable
            (shuffled through a buffer of ``buffer_size`` items).
        batch_size: batch size; ``len(generator)`` is the number of batches.
        buffer_size: shuffle buffer for unsized data (default ``batch_size * 1000``).

    Shuffling draws from ``np.random`` exactly as bert4keras does, so a fixed
    ``np.random.seed`` gives the same order.

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
        >>> g = Batches([[1], [2, 3], [4]], batch_size=2)
        >>> len(g), [x.tolist() for x, _ in g]
        (2, [[[1, 0], [2, 3]], [[4]]])
    """

    def __init__(self, data: Any, batch_size: int = 32, buffer_size: Optional[int] = None):
        if not batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if buffer_size is not None and buffer_size < 0:
            raise ValueError(f"buffer_size must be positive (or None for batch_size * 1000), got {buffer_size!r}")
        self.data = data
        self.batch_size = batch_size
        self.steps = -(-len(data) // batch_size) if hasattr(data, "__len__") else None
        self.buffer_size = buffer_size or batch_size * 1000

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

    def forfit(self, random: bool = True) -> Iterator[Any]:
        """Endless batches for ``model.fit`` (shuffled by default)."""
        while True:
            for batch in self.__iter__(random):
                yield batch

    def fortest(self, random: bool = False) -> Iterator[Any]:
        """Endless batches without their labels (``batch[0]``) for ``predict``."""
        while True:
            for batch in self.__iter__(random):
                yield batch[0]

    def to_dataset(self, types, shapes, names=None, padded_batch: bool = False):
        """Wrap :meth:`forfit` in a ``tf.data.Dataset`` (needs TensorFlow).

        ``types``/``shapes`` describe one example with the structure of a
        batch; ``names`` turns the structure into dicts (a name, a list of
        names, or one list per element), and ``padded_batch`` pads to
        ``shapes`` per batch instead of requiring fixed shapes.
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
                wrap = lambda keys, values: tuple(dict(zip(k, v)) for k, v in zip(keys, values))  # noqa: E731
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
