"""Relative position tables used inside attention: NEZHA's Shaw-style scheme and T5's buckets."""

from __future__ import annotations

import math

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
    ``start_index=i`` at call time numbers the queries from ``i`` (new tokens
    against a key/value cache whose length ``v`` gives; keys count from 0).

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
        >>> tuple(layer([x[:, :1], x], start_index=2).shape)
        (1, 3, 4)
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

    @staticmethod
    def relative_distances(inputs, start_index=None):
        """``[q_len, v_len]`` key position minus query position; queries count from ``start_index``."""
        q, v = inputs
        q_ids = ops.arange(ops.shape(q)[1], dtype="int32")
        if start_index is not None:
            q_ids = q_ids + ops.cast(start_index, "int32")
        v_ids = ops.arange(ops.shape(v)[1], dtype="int32")
        return ops.expand_dims(v_ids, 0) - ops.expand_dims(q_ids, 1)

    def compute_position_ids(self, inputs, start_index=None):
        """``[q_len, v_len]`` row indices of the table."""
        distance = self.relative_distances(inputs, start_index)
        max_distance = (self.input_dim - 1) // 2
        return ops.clip(distance, -max_distance, max_distance) + max_distance

    def call(self, inputs, start_index=None):
        return ops.take(self.embeddings, self.compute_position_ids(inputs, start_index), axis=0)

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


def t5_relative_buckets(distance, num_buckets: int = 32, max_distance: int = 128, bidirectional: bool = True):
    """Bucket of each relative distance ``key position - query position`` (T5, arXiv 1910.10683).

    Distances below ``num_buckets // 2`` (per sign when bidirectional) get their own
    bucket; larger ones share logarithmically wider buckets up to ``max_distance``,
    beyond which everything falls in the last bucket. Bidirectional buckets give
    keys after the query the upper half; causal ones (the decoder) map every key
    after the query to bucket 0.

    Example:
        >>> d = keras.ops.convert_to_tensor([-200, -20, -3, 0, 3, 20, 200])
        >>> keras.ops.convert_to_numpy(t5_relative_buckets(d)).tolist()
        [15, 10, 3, 0, 19, 26, 31]
        >>> keras.ops.convert_to_numpy(t5_relative_buckets(d, bidirectional=False)).tolist()
        [31, 17, 3, 0, 0, 0, 0]
    """
    n = -ops.cast(distance, "int32")  # how far back the key lies
    bucket = ops.zeros_like(n)
    if bidirectional:
        num_buckets //= 2
        bucket = ops.where(n < 0, num_buckets, 0)
        n = ops.abs(n)
    else:
        n = ops.maximum(n, 0)
    max_exact = num_buckets // 2
    # log(0) never reaches the integer cast: small distances take the exact branch.
    far = ops.log(ops.cast(ops.maximum(n, max_exact), "float32") / max_exact)
    far = far / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    far = ops.minimum(max_exact + ops.cast(far, "int32"), num_buckets - 1)
    return bucket + ops.where(n < max_exact, n, far)


@keras.saving.register_keras_serializable(package="kerasformers")
class RelativePositionEmbeddingT5(RelativePositionEmbedding):
    """T5's learned relative position bias: one scalar per (bucket, head).

    Called on ``[q, v]`` it returns ``[q_len, v_len, heads]``, row
    :func:`t5_relative_buckets` ``(k - j)`` of the ``[num_buckets, heads]`` table;
    ``MultiHeadAttention(..., p_bias='t5_relative')`` adds it to the scores. The
    checkpoint stores the table transposed (``relative_attention_bias [heads, 32]``).

    Args:
        input_dim: number of buckets (32).
        output_dim: number of heads.
        max_distance: distance where buckets stop growing (128).
        bidirectional: encoder (True) or causal decoder buckets (False).

    Example:
        >>> layer = RelativePositionEmbeddingT5(32, 4, bidirectional=False)
        >>> x = keras.ops.zeros((1, 3, 8))
        >>> tuple(layer([x, x]).shape)
        (3, 3, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        max_distance: int = 128,
        bidirectional: bool = True,
        embeddings_initializer="zeros",
        **kwargs,
    ):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer, **kwargs)
        self.max_distance = max_distance
        self.bidirectional = bidirectional

    def compute_position_ids(self, inputs, start_index=None):
        distance = self.relative_distances(inputs, start_index)
        return t5_relative_buckets(distance, self.input_dim, self.max_distance, self.bidirectional)

    def get_config(self):
        config = super().get_config()
        config.update(max_distance=self.max_distance, bidirectional=self.bidirectional)
        return config
