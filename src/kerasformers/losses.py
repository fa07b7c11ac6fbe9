"""Keras ``Loss`` classes for the task losses of :mod:`kerasformers.backend`.

The backend functions can be passed to ``model.compile`` as they are; these
classes exist for the cases where a function cannot say enough: arguments
(``mask_zero``), or a loss object that saves its arguments in a ``.keras`` file.

Example:
    >>> from kerasformers.losses import SparseMultilabelCategoricalCrossentropy
    >>> loss = SparseMultilabelCategoricalCrossentropy(mask_zero=True)
    >>> y_pred = keras.ops.convert_to_tensor([[-9.0, 5.0, -5.0]])
    >>> round(float(loss(keras.ops.convert_to_tensor([[1, 0]]), y_pred)), 4)
    0.0134
"""

from __future__ import annotations

import keras

from kerasformers.backend import (
    global_pointer_crossentropy,
    multilabel_categorical_crossentropy,
    sparse_global_pointer_crossentropy,
    sparse_multilabel_categorical_crossentropy,
)


class _TaskLoss(keras.losses.Loss):
    """A backend loss function with fixed keyword arguments, which the config records."""

    def __init__(self, function, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.function = function
        self.function_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.function(y_true, y_pred, **self.function_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self.function_kwargs)
        return config


@keras.saving.register_keras_serializable(package="kerasformers")
class MultilabelCategoricalCrossentropy(_TaskLoss):
    """Loss form of :func:`~kerasformers.backend.multilabel_categorical_crossentropy` (scores > 0 = positive)."""

    def __init__(self, reduction="sum_over_batch_size", name="multilabel_categorical_crossentropy", dtype=None):
        super().__init__(multilabel_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype)


@keras.saving.register_keras_serializable(package="kerasformers")
class SparseMultilabelCategoricalCrossentropy(_TaskLoss):
    """Loss form of :func:`~kerasformers.backend.sparse_multilabel_categorical_crossentropy`.

    Args:
        mask_zero: class id 0 pads the lists of positive ids.
    """

    def __init__(
        self,
        mask_zero: bool = False,
        reduction="sum_over_batch_size",
        name="sparse_multilabel_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_multilabel_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype, mask_zero=mask_zero
        )


@keras.saving.register_keras_serializable(package="kerasformers")
class GlobalPointerCrossentropy(_TaskLoss):
    """GlobalPointer loss: dense ``[batch, heads, len, len]`` targets, or ``sparse=True``
    for ``[batch, heads, max_spans, 2]`` ``(start, end)`` targets padded with ``(0, 0)``.

    Example:
        >>> model.compile(optimizer="adam", loss=GlobalPointerCrossentropy(sparse=True))  # doctest: +SKIP
    """

    def __init__(
        self, sparse: bool = False, reduction="sum_over_batch_size", name="global_pointer_crossentropy", dtype=None
    ):
        function = sparse_global_pointer_crossentropy if sparse else global_pointer_crossentropy
        super().__init__(function, reduction=reduction, name=name, dtype=dtype)
        self.sparse = sparse

    def get_config(self):
        config = super().get_config()
        config.update(sparse=self.sparse)
        return config


__all__ = ["GlobalPointerCrossentropy", "MultilabelCategoricalCrossentropy", "SparseMultilabelCategoricalCrossentropy"]
