"""``Loss``: a layer that adds a training loss computed from its inputs (bert4keras's pattern)."""

from __future__ import annotations

from typing import Optional, Sequence, Union

import keras
from keras import ops

from kerasformers.layers.graph import nearest_layer_input


@keras.saving.register_keras_serializable(package="kerasformers")
class Loss(keras.layers.Layer):
    """Base class of loss layers: subclass it and write ``compute_loss(inputs, mask)``.

    The layer adds ``compute_loss(...)`` to the model's losses and returns
    ``inputs[output_axis]`` (all inputs when ``output_axis`` is None, a list when it
    is a list), so the model is compiled with ``loss=None`` and trained by ``fit``
    with no targets. Integer inputs (token and segment ids) reach ``compute_loss``
    cast to ``floatx()``: in bert4keras every model input was float, and scripts
    multiply losses by segment ids directly. ``mask`` holds one padding mask per input,
    as bert4keras's Keras masks did: an input computed from token ids (through the
    nearest layer named ``*Embedding-Token`` behind it) gets ``token_ids != 0``, so
    ``mask[1]`` of a language model's output masks its padding; model inputs and
    tensors with no token ids behind them get ``None``; a Keras mask already on an
    input is kept. (Keras 3 drops a mask wherever an ``Add`` meets an unmasked input,
    so the Keras mask alone would not reach the transformer's output.)

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

    def __call__(self, inputs, *args, **kwargs):
        # Symbolic call: find the token ids behind each input once, in the graph, and pass
        # them along, so the functional model (and its `.keras` file) carries them.
        if "padding_sources" not in kwargs and all(isinstance(x, keras.KerasTensor) for x in keras.tree.flatten(inputs)):
            flat = keras.tree.flatten(inputs)
            sources = [None if getattr(x, "_keras_mask", None) is not None else _token_ids_behind(x) for x in flat]
            if any(s is not None for s in sources):
                kwargs["padding_sources"] = sources
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, mask=None, padding_sources=None):
        self.add_loss(self.compute_loss(_as_float(inputs), _padding_masks(inputs, mask, padding_sources)))
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

    def compute_output_spec(self, inputs, mask=None, padding_sources=None):
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


def _token_ids_behind(tensor):
    # The main stream first (a T5 decoder output must not reach the encoder's ids through
    # cross-attention), then any path (tensors a script combined itself).
    found = nearest_layer_input(tensor, "Embedding-Token", first_inputs_only=True)
    return found if found is not None else nearest_layer_input(tensor, "Embedding-Token")


def _padding_masks(inputs, mask, sources):
    """``mask`` with each missing entry replaced by ``token_ids != 0`` of its input's source."""
    if sources is None:
        return mask
    flat_inputs = keras.tree.flatten(inputs)
    flat_masks = [None] * len(flat_inputs) if mask is None else list(mask) if isinstance(mask, (list, tuple)) else [mask]
    filled = [m if m is not None or s is None else ops.not_equal(s, 0) for m, s in zip(flat_masks, sources)]
    return filled if isinstance(inputs, (list, tuple)) else filled[0]


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
