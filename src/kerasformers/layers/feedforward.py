"""Position-wise feed-forward block, plain or gated (GLU)."""

from __future__ import annotations

from typing import Sequence, Union

import keras

from kerasformers.backend import get_activation, serialize_activation
from kerasformers.layers.core import dense_checkpoint_weights


@keras.saving.register_keras_serializable(package="kerasformers")
class FeedForward(keras.layers.Layer):
    """``o(act(i0(x)))``; with a list of activations, ``o(act0(i0(x)) * act1(i1(x)) ...)``.

    The gated form is T5.1.1's (arXiv 2002.05202). The output width equals the
    input width.

    Example:
        >>> ffn = FeedForward(16, activation="gelu")
        >>> tuple(ffn(keras.ops.ones((2, 3, 8))).shape)
        (2, 3, 8)
    """

    def __init__(
        self,
        units: int,
        activation: Union[str, Sequence[str]] = "relu",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        activations = list(activation) if isinstance(activation, (list, tuple)) else [activation]
        # Stored serializable, so that a model built with a function reloads from .keras.
        self.activation = [serialize_activation(a) for a in activations]
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self.input_denses = []
        for i, act in enumerate(self.activation):
            dense = keras.layers.Dense(
                self.units,
                activation=get_activation(act),
                use_bias=self.use_bias,
                kernel_initializer=self.kernel_initializer,
                name=f"i{i}_dense",
                dtype=self.dtype_policy,
            )
            dense.build(input_shape)
            self.input_denses.append(dense)
        self.o_dense = keras.layers.Dense(
            input_shape[-1],
            use_bias=self.use_bias,
            kernel_initializer=self.kernel_initializer,
            name="o_dense",
            dtype=self.dtype_policy,
        )
        self.o_dense.build(input_shape[:-1] + (self.units,))

    def call(self, inputs):
        x = self.input_denses[0](inputs)
        for dense in self.input_denses[1:]:
            x = x * dense(inputs)
        return self.o_dense(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def checkpoint_weights(self):
        """Weights in bert4keras's order: i0 (kernel, bias), i1 ..., o."""
        return dense_checkpoint_weights(self.input_denses + [self.o_dense])

    def get_config(self):
        config = super().get_config()
        activation = self.activation if len(self.activation) > 1 else self.activation[0]
        config.update(
            units=self.units,
            activation=activation,
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
