"""``Loss``: a layer that adds a training loss computed from its inputs (bert4keras's pattern)."""

from __future__ import annotations

from typing import Optional, Sequence, Union

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasformers")
class Loss(keras.layers.Layer):
    """Base class of loss layers: subclass it and write ``compute_loss(inputs, mask)``.

    The layer adds ``compute_loss(...)`` to the model's losses and returns
    ``inputs[output_axis]`` (all inputs when ``output_axis`` is None, a list when it
    is a list), so the model is compiled with ``loss=None`` and trained by ``fit``
    with no targets. Integer inputs (token and segment ids) reach ``compute_loss``
    cast to ``floatx()``: in bert4keras every model input was float, and scripts
    multiply losses by segment ids directly. ``mask`` holds the inputs' Keras masks.

    Example:
        >>> class MeanSquare(Loss):
        ...     def compute_loss(self, inputs, mask=None):
        ...         y_true, y_pred = inputs
        ...         return keras.ops.mean(keras.ops.square(y_true - y_pred))
        >>> x, y = keras.Input((3,)), keras.Input((2,))
        >>> out = MeanSquare(1)([y, keras.layers.Dense(2)(x)])
        >>> model = keras.Model([x, y], out); model.compile(optimizer="adam")
        >>> model.output_shape
        (None, 2)
    """

    def __init__(self, output_axis: Union[int, Sequence[int], None] = None, **kwargs):
        super().__init__(**kwargs)
        self.output_axis = list(output_axis) if isinstance(output_axis, (list, tuple)) else output_axis

    def call(self, inputs, mask=None):
        self.add_loss(self.compute_loss(_as_float(inputs), mask))
        if self.output_axis is None:
            return inputs
        if isinstance(self.output_axis, list):
            return [inputs[i] for i in self.output_axis]
        return inputs[self.output_axis]

    def compute_loss(self, inputs, mask=None):
        """The scalar loss; override it."""
        raise NotImplementedError(f"{type(self).__name__} must define compute_loss(self, inputs, mask=None).")

    def compute_output_shape(self, input_shape):
        return _pick(self.output_axis, input_shape)

    def compute_output_spec(self, inputs, mask=None):
        # Symbolic calls only need the picked inputs' specs; the loss exists in real calls.
        picked = _pick(self.output_axis, inputs)
        return keras.tree.map_structure(lambda t: keras.KerasTensor(t.shape, t.dtype), picked)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return _pick(self.output_axis, mask)

    def get_config(self):
        config = super().get_config()
        config.update(output_axis=self.output_axis)
        return config


def _pick(axis: Optional[Union[int, list]], items):
    if axis is None:
        return items
    if isinstance(axis, list):
        return [items[i] for i in axis]
    return items[axis]


def _as_float(inputs):
    def cast(x):
        if x is None or "int" not in keras.backend.standardize_dtype(x.dtype):
            return x
        return ops.cast(x, keras.backend.floatx())

    return keras.tree.map_structure(cast, inputs)
