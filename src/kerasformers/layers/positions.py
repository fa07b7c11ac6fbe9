"""Relative position tables used inside attention (NEZHA's Shaw-style scheme)."""

from __future__ import annotations

import keras
from keras import ops

from kerasformers.backend import sinusoidal_embeddings


@keras.saving.register_keras_serializable(package="kerasformers")
class Sinusoidal(keras.initializers.Initializer):
    """Initializer filling a ``[size, dim]`` table with interleaved sin/cos rows.

    Row ``p`` is ``[sin(p w_0), cos(p w_0), sin(p w_1), cos(p w_1), ...]`` with
    ``w_i = 10000**(-2i/dim)``, evaluated at the row index ``p`` itself. NEZHA's
    relative table is this table with ``size = 2 * 64 + 1``: the distance ``d`` in
    [-64, 64] reads row ``d + 64``, so the sinusoid sees the *shifted* index.

    Example:
        >>> table = keras.ops.convert_to_numpy(Sinusoidal()((3, 4)))
        >>> [round(float(v), 3) for v in table[1]]
        [0.841, 0.54, 0.01, 1.0]
    """

    def __call__(self, shape, dtype=None):
        size, dim = shape
        table = sinusoidal_embeddings(ops.arange(size, dtype="float32"), dim)
        return ops.cast(table, dtype or "float32")

    def get_config(self):
        return {}


@keras.saving.register_keras_serializable(package="kerasformers")
class RelativePositionEmbedding(keras.layers.Layer):
    """Table lookup of clipped relative distances (Shaw et al., arXiv 1803.02155).

    Called on ``[q, v]`` it returns ``[q_len, v_len, output_dim]`` whose entry
    ``(j, k)`` is row ``clip(k - j, -m, m) + m`` of the table, ``m = (input_dim - 1) // 2``.
    ``MultiHeadAttention(..., p_bias='typical_relative')`` adds it to keys and values.

    Args:
        input_dim: rows of the table, ``2 * max_distance + 1``.
        output_dim: width of a row (the attention key size).
        embeddings_initializer: initializer of the table; ``'Sinusoidal'`` (NEZHA,
            with ``trainable=False``) or any Keras initializer.

    Example:
        >>> layer = RelativePositionEmbedding(5, 4, "Sinusoidal", trainable=False)
        >>> x = keras.ops.zeros((1, 3, 8))
        >>> tuple(layer([x, x]).shape)
        (3, 3, 4)
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        if embeddings_initializer == "Sinusoidal":  # bert4keras's name for it
            embeddings_initializer = Sinusoidal()
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer
        )

    def compute_position_ids(self, inputs):
        """``[q_len, v_len]`` row indices of the table."""
        q, v = inputs
        q_ids = ops.arange(ops.shape(q)[1], dtype="int32")
        v_ids = ops.arange(ops.shape(v)[1], dtype="int32")
        distance = ops.expand_dims(v_ids, 0) - ops.expand_dims(q_ids, 1)
        max_distance = (self.input_dim - 1) // 2
        return ops.clip(distance, -max_distance, max_distance) + max_distance

    def call(self, inputs):
        return ops.take(self.embeddings, self.compute_position_ids(inputs), axis=0)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0][1], input_shape[1][1], self.output_dim)

    def checkpoint_weights(self):
        return [self.embeddings]

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim,
            output_dim=self.output_dim,
            embeddings_initializer=keras.initializers.serialize(self.embeddings_initializer),
        )
        return config
