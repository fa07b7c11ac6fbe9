"""Span-scoring heads: GlobalPointer and EfficientGlobalPointer (bert4keras semantics).

Both score every ``(start, end)`` pair of a sequence for each entity type and
return ``[batch, heads, len, len]``. Pairs that touch padding, and pairs with
``end < start`` when ``tril_mask=True``, are set to ``-inf`` exactly as
bert4keras 0.11.5 does, so ``scores > 0`` reads off the predicted spans and the
losses in :mod:`kerasformers.backend` recognise the masked cells.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from kerasformers.backend import apply_rotary_position_embeddings, sinusoidal_embeddings


def _span_mask(logits, mask, tril_mask: bool):
    """Set masked cells of ``logits`` ``[b, h, n, n]`` to ``-inf``.

    A cell (i, j) survives when both token i and token j are real tokens and,
    with ``tril_mask``, when ``j >= i``.
    """
    keep = None
    if mask is not None:
        mask = ops.cast(mask, "bool")
        keep = ops.logical_and(mask[:, None, :, None], mask[:, None, None, :])
    if tril_mask:
        idx = ops.arange(ops.shape(logits)[-1])
        upper = ops.expand_dims(idx, 1) <= ops.expand_dims(idx, 0)
        keep = upper[None, None] if keep is None else ops.logical_and(keep, upper)
    if keep is None:
        return logits
    return ops.where(keep, logits, ops.cast(-np.inf, logits.dtype))


def _rope_table(length, head_size: int):
    """RoPE angles ``[1, length, head_size]`` for positions ``0..length-1``."""
    return sinusoidal_embeddings(ops.arange(length, dtype="float32"), head_size)[None]


@keras.saving.register_keras_serializable(package="kerasformers")
class GlobalPointer(keras.layers.Layer):
    """Score every span of a sequence per entity type (https://kexue.fm/archives/8373).

    One Dense projects each token to a query and a key per head; the score of
    span ``(i, j)`` for head ``h`` is ``q_i . k_j / sqrt(head_size)``, with RoPE
    on q and k so that the score knows the span length.

    Padding comes from the Keras mask of the input (e.g. an encoder whose
    embedding has ``mask_zero=True``); an explicit ``[batch, len]`` mask can be
    given as ``layer(x, mask=mask)``.

    Args:
        heads: number of entity types.
        head_size: size of each query/key.
        RoPE: apply rotary position embeddings to q and k.
        use_bias: bias on the projection.
        tril_mask: mask spans whose end precedes their start.
        kernel_initializer: initializer of the projection kernel.

    Example:
        >>> gp = GlobalPointer(heads=2, head_size=8)
        >>> x = keras.ops.ones((1, 5, 16))
        >>> tuple(gp(x).shape)
        (1, 2, 5, 5)
        >>> bool(keras.ops.convert_to_numpy(gp(x))[0, 0, 3, 1] == -np.inf)  # end < start
        True
    """

    def __init__(
        self,
        heads: int,
        head_size: int,
        RoPE: bool = True,
        use_bias: bool = True,
        tril_mask: bool = True,
        kernel_initializer="lecun_normal",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.heads = heads
        self.head_size = head_size
        self.RoPE = RoPE
        self.use_bias = use_bias
        self.tril_mask = tril_mask
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.supports_masking = True

    def _dense(self, units: int, name: str) -> keras.layers.Dense:
        return keras.layers.Dense(
            units,
            use_bias=self.use_bias,
            kernel_initializer=self.kernel_initializer,
            name=name,
            dtype=self.dtype_policy,
        )

    def build(self, input_shape):
        self.dense = self._dense(self.heads * self.head_size * 2, "dense")
        self.dense.build(tuple(input_shape))

    def _rotate(self, qw, kw, rope_shape):
        if not self.RoPE:
            return qw, kw
        table = ops.reshape(_rope_table(ops.shape(qw)[1], self.head_size), rope_shape)
        return apply_rotary_position_embeddings(table, qw, kw)

    def call(self, inputs, mask=None):
        b, n = ops.shape(inputs)[0], ops.shape(inputs)[1]
        # The projection is laid out head by head, each head holding [q | k].
        x = ops.reshape(self.dense(inputs), (b, n, self.heads, 2 * self.head_size))
        qw, kw = x[..., : self.head_size], x[..., self.head_size :]
        qw, kw = self._rotate(qw, kw, (1, n, 1, self.head_size))
        logits = ops.einsum("bmhd,bnhd->bhmn", qw, kw) / ops.cast(self.head_size**0.5, qw.dtype)
        return _span_mask(logits, mask, self.tril_mask)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.heads, input_shape[1], input_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update(
            heads=self.heads,
            head_size=self.head_size,
            RoPE=self.RoPE,
            use_bias=self.use_bias,
            tril_mask=self.tril_mask,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config


@keras.saving.register_keras_serializable(package="kerasformers")
class EfficientGlobalPointer(GlobalPointer):
    """Parameter-efficient GlobalPointer (https://kexue.fm/archives/8877).

    All heads share one query/key projection (``p_dense``, ``2 * head_size``
    units, q and k interleaved); each head adds its own start and end bias,
    computed from that projection by ``q_dense`` (``2 * heads`` units).
    Same arguments, masking and output as :class:`GlobalPointer`.

    Example:
        >>> egp = EfficientGlobalPointer(heads=3, head_size=8)
        >>> tuple(egp(keras.ops.ones((2, 4, 16))).shape)
        (2, 3, 4, 4)
    """

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        self.p_dense = self._dense(self.head_size * 2, "p_dense")
        self.p_dense.build(input_shape)
        self.q_dense = self._dense(self.heads * 2, "q_dense")
        # The biases are read from the shared projection, not from the input.
        self.q_dense.build(input_shape[:-1] + (self.head_size * 2,))

    def call(self, inputs, mask=None):
        n = ops.shape(inputs)[1]
        x = self.p_dense(inputs)
        qw, kw = x[..., ::2], x[..., 1::2]
        qw, kw = self._rotate(qw, kw, (1, n, self.head_size))
        logits = ops.einsum("bmd,bnd->bmn", qw, kw) / ops.cast(self.head_size**0.5, qw.dtype)
        bias = ops.transpose(self.q_dense(x), (0, 2, 1)) / ops.cast(2.0, x.dtype)  # [b, 2*heads, n]
        # Even rows are per-head biases of the span end, odd rows of the span start.
        logits = logits[:, None] + bias[:, ::2, None, :] + bias[:, 1::2, :, None]
        return _span_mask(logits, mask, self.tril_mask)
