"""``BatchStream``: what ``DataGenerator.forfit()``/``fortest()`` return.

Iterated directly, it yields the generator's batches unchanged, as bert4keras's
``forfit()`` did. Given to ``model.fit``/``evaluate``/``predict``, Keras reads
it as its own data adapter, so that:

- batches whose padded length varies from step to step always fit. Keras's
  generator adapter guesses the TensorFlow signature from the first two
  batches and fixes every dimension they happen to share, so a third batch of
  another length failed at random; here every non-batch dimension stays
  unknown;
- batches may be lists, as bert4keras scripts yield them
  (``[token_ids, segment_ids], labels``), on every backend.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import numpy as np
from keras import tree
from keras.src.trainers.data_adapters import data_adapter_utils
from keras.src.trainers.data_adapters.data_adapter import DataAdapter


class BatchStream(DataAdapter):
    """An endless iterator of batches that Keras's training loops read directly.

    Args:
        batches: the batches, as the generator yields them.
        to_keras: turns one batch into the structure Keras expects
            (:func:`kerasformers.batching.keras_structure` or ``keras_inputs``).

    Example:
        >>> import numpy as np
        >>> from kerasformers.batching import keras_structure
        >>> stream = BatchStream(iter([[[np.zeros((2, 3))], np.ones(2)]]), keras_structure)
        >>> [type(part).__name__ for part in next(stream)]  # unchanged when iterated
        ['list', 'ndarray']
    """

    def __init__(self, batches: Iterator[Any], to_keras: Callable[[Any], Any]):
        self._batches = batches
        self._to_keras = to_keras
        self._peeked: List[Any] = []

    def __iter__(self) -> "BatchStream":
        return self

    def __next__(self) -> Any:
        if self._peeked:
            return self._peeked.pop()
        return next(self._batches)

    def _keras_batches(self) -> Iterator[Any]:
        for batch in self:
            yield self._to_keras(batch)

    def _signature(self):
        import tensorflow as tf

        if not self._peeked:
            self._peeked.append(next(self._batches))
        first = self._to_keras(self._peeked[0])

        def spec(value):
            array = np.asarray(value)
            if array.ndim < 1:
                raise ValueError(
                    f"every array in a batch needs a batch dimension; got a scalar {value!r}. "
                    "Yield np.array([...]) per batch rather than a single number."
                )
            # Sizes of 1 stay (a label column: Keras's losses need it static); any other
            # dimension may change from batch to batch.
            return tf.TensorSpec([None] + [1 if n == 1 else None for n in array.shape[1:]], tf.as_dtype(array.dtype))

        return tree.map_structure(spec, first)

    # Keras DataAdapter interface ------------------------------------------------------------
    def get_numpy_iterator(self):
        return data_adapter_utils.get_numpy_iterator(self._keras_batches())

    def get_jax_iterator(self):
        return data_adapter_utils.get_jax_iterator(self._keras_batches())

    def get_torch_dataloader(self):
        return data_adapter_utils.get_torch_dataloader(self._keras_batches())

    def get_tf_dataset(self):
        import tensorflow as tf

        signature = self._signature()
        dataset = tf.data.Dataset.from_generator(self._keras_batches, output_signature=signature)
        return dataset.prefetch(tf.data.AUTOTUNE)

    @property
    def num_batches(self):
        return None  # endless, as bert4keras's forfit: give fit steps_per_epoch=len(generator)

    @property
    def batch_size(self):
        return None

    @property
    def has_partial_batch(self):
        return None

    @property
    def partial_batch_size(self):
        return None
