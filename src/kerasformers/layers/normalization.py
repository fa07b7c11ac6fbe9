"""Scale/offset and (conditional) layer normalization, including the RMS form."""

from __future__ import annotations

from typing import Optional

import keras
from keras import ops

from kerasformers.backend import get_activation, serialize_activation
from kerasformers.layers.compat import NodeAccessMixin


@keras.saving.register_keras_serializable(package="kerasformers")
class ScaleOffset(NodeAccessMixin, keras.layers.Layer):
    """``x * gamma + beta`` with optional conditioning (bert4keras ``ScaleOffset``).

    Args:
        scale: learn ``gamma`` (True), skip it (False) or multiply by a constant float.
        offset: learn ``beta`` (True), skip it (False) or add a constant float.
        conditional: inputs are ``[x, cond]``; ``gamma``/``beta`` get deltas
            ``Dense(cond)`` from zero-initialised kernels, so a fresh conditional
            layer computes exactly what the unconditioned one does.
        hidden_units: optional width of a Dense projection of ``cond`` first.
        hidden_activation: activation of that projection.

    Example:
        >>> layer = ScaleOffset(scale=False)  # a learnable bias, like ``MLM-Bias``
        >>> tuple(layer(keras.ops.ones((2, 3))).shape)
        (2, 3)
    """

    def __init__(
        self,
        scale=True,
        offset=True,
        conditional: bool = False,
        hidden_units: Optional[int] = None,
        hidden_activation="linear",
        hidden_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.conditional = conditional
        self.hidden_units = hidden_units
        self.hidden_activation = serialize_activation(hidden_activation)
        self.hidden_initializer = keras.initializers.get(hidden_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        x_shape = input_shape[0] if self.conditional else input_shape
        dim = x_shape[-1]
        # Created beta first, then gamma: the order of bert4keras (and of TF's
        # LayerNorm variables) that the checkpoint mapping lists.
        if self.offset is True:
            self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")
        if self.scale is True:
            self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer="ones")
        if self.conditional:
            cond_shape = tuple(input_shape[1])
            if self.hidden_units is not None:
                self.hidden_dense = keras.layers.Dense(
                    self.hidden_units,
                    activation=get_activation(self.hidden_activation),
                    use_bias=False,
                    kernel_initializer=self.hidden_initializer,
                    name="hidden_dense",
                    dtype=self.dtype_policy,
                )
                self.hidden_dense.build(cond_shape)
                cond_shape = cond_shape[:-1] + (self.hidden_units,)
            if self.offset is True:
                self.beta_dense = keras.layers.Dense(
                    dim, use_bias=False, kernel_initializer="zeros", name="beta_dense", dtype=self.dtype_policy
                )
                self.beta_dense.build(cond_shape)
            if self.scale is True:
                self.gamma_dense = keras.layers.Dense(
                    dim, use_bias=False, kernel_initializer="zeros", name="gamma_dense", dtype=self.dtype_policy
                )
                self.gamma_dense.build(cond_shape)

    def _scale_offset(self, x, cond=None):
        if cond is not None:
            if self.hidden_units is not None:
                cond = self.hidden_dense(cond)
            for _ in range(len(x.shape) - len(cond.shape)):
                cond = ops.expand_dims(cond, 1)
        if self.scale is True:
            gamma = ops.cast(self.gamma, x.dtype)
            if cond is not None:
                gamma = gamma + self.gamma_dense(cond)
            x = x * gamma
        elif self.scale not in (False, None):
            x = x * self.scale
        if self.offset is True:
            beta = ops.cast(self.beta, x.dtype)
            if cond is not None:
                beta = beta + self.beta_dense(cond)
            x = x + beta
        elif self.offset not in (False, None):
            x = x + self.offset
        return x

    def _split(self, inputs):
        if self.conditional:
            return inputs[0], inputs[1]
        return inputs, None

    def call(self, inputs):
        x, cond = self._split(inputs)
        return self._scale_offset(x, cond)

    def compute_mask(self, inputs, mask=None):
        if self.conditional and isinstance(mask, (list, tuple)):
            return mask[0]
        return mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0]) if self.conditional else tuple(input_shape)

    def checkpoint_weights(self):
        """Weights stored in a checkpoint, in bert4keras's order: beta, gamma."""
        return [w for w in (getattr(self, "beta", None), getattr(self, "gamma", None)) if w is not None]

    def get_config(self):
        config = super().get_config()
        config.update(
            scale=self.scale,
            offset=self.offset,
            conditional=self.conditional,
            hidden_units=self.hidden_units,
            hidden_activation=self.hidden_activation,
            hidden_initializer=keras.initializers.serialize(self.hidden_initializer),
        )
        return config


@keras.saving.register_keras_serializable(package="kerasformers")
class LayerNormalization(ScaleOffset):
    """(Conditional) layer normalization over the last axis.

    ``zero_mean=False`` gives RMS normalization (T5); ``scale=False,
    offset=False`` a parameter-free norm (RoFormerV2). The epsilon sits inside
    the square root, as in TensorFlow's ``layer_norm``.

    Example:
        >>> ln = LayerNormalization(epsilon=1e-12)
        >>> y = ln(keras.ops.convert_to_tensor([[1.0, 3.0]]))
        >>> [round(float(v), 4) for v in keras.ops.convert_to_numpy(y)[0]]
        [-1.0, 1.0]
    """

    def __init__(self, zero_mean: bool = True, unit_variance: bool = True, epsilon: Optional[float] = None, **kwargs):
        super().__init__(**kwargs)
        self.zero_mean = zero_mean
        self.unit_variance = unit_variance
        # bert4keras's default is K.epsilon() (1e-7); BERT-family models pass 1e-12.
        self.epsilon = 1e-7 if epsilon is None else epsilon

    def call(self, inputs):
        x, cond = self._split(inputs)
        # Normalise in float32 even under mixed precision: float16 variances underflow.
        dtype = x.dtype
        h = ops.cast(x, "float32")
        if self.zero_mean:
            h = h - ops.mean(h, axis=-1, keepdims=True)
        if self.unit_variance:
            variance = ops.mean(ops.square(h), axis=-1, keepdims=True)
            h = h * ops.rsqrt(variance + self.epsilon)
        return self._scale_offset(ops.cast(h, dtype), cond)

    def get_config(self):
        config = super().get_config()
        config.update(zero_mean=self.zero_mean, unit_variance=self.unit_variance, epsilon=self.epsilon)
        return config
