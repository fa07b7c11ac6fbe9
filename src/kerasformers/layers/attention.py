"""Multi-head attention with checkpoint-layout kernels and pluggable position terms."""

from __future__ import annotations

import functools
from typing import Optional

import keras
import ml_dtypes
from keras import ops

from kerasformers.backend import INFINITY, apply_rotary_position_embeddings
from kerasformers.cache_ops import cache_view, write_cache
from kerasformers.layers.core import dense_checkpoint_weights

# Position schemes the attention core understands (``p_bias`` at call time).
POSITION_BIASES = (None, "rotary", "typical_relative", "t5_relative")


def _jax_platform() -> str:
    import jax  # only reached on the JAX backend

    return jax.default_backend()


def _xla_backend() -> bool:
    """Whether the layer runs under XLA (JAX, or TensorFlow's compiled decoding step), not PyTorch."""
    return keras.backend.backend() in ("jax", "tensorflow")


def _fill_value(dtype) -> float:
    """A large negative number that stays finite in ``dtype`` (``-inf`` would turn a
    fully masked row, e.g. a left-padded query under a causal mask, into NaN)."""
    dtype = keras.backend.standardize_dtype(dtype)
    if dtype in ("float32", "float64"):
        return -INFINITY
    return -0.9 * float(ml_dtypes.finfo(dtype).max)


def _to_bias(mask_or_bias, dtype):
    """A boolean mask (True = may attend) or additive bias, as an additive bias
    broadcastable to ``[batch, heads, q_len, k_len]``."""
    mask_or_bias = _expand(mask_or_bias)
    if "bool" in str(mask_or_bias.dtype):
        return ops.where(mask_or_bias, ops.cast(0.0, dtype), ops.cast(_fill_value(dtype), dtype))
    return ops.cast(mask_or_bias, dtype)


def _with_key_mask(bias, key_mask):
    """Join the Keras mask of the values (padding, ``[batch, k_len]``) to the explicit mask or bias."""
    if key_mask is None:
        return bias
    key_mask = ops.cast(key_mask, "bool")[:, None, None, :]
    if bias is None:
        return key_mask
    if "bool" in str(bias.dtype):
        return ops.logical_and(_expand(bias), key_mask)
    return _to_bias(bias, "float32") + _to_bias(key_mask, "float32")


def _expand(mask_or_bias):
    """``[batch, k]`` or ``[batch, q, k]`` to a rank-4 tensor broadcastable over heads."""
    ndim = len(mask_or_bias.shape)
    if ndim == 2:  # [batch, k_len]: padding of keys
        return mask_or_bias[:, None, None, :]
    if ndim == 3:  # [batch, q_len, k_len]: shared by all heads
        return mask_or_bias[:, None, :, :]
    return mask_or_bias


@keras.saving.register_keras_serializable(package="kerasformers")
class MultiHeadAttention(keras.layers.Layer):
    """Multi-head attention whose kernels have the checkpoint layout ``[in, heads*size]``.

    The Keras mask of ``v`` (padding), when present, hides those keys, as in
    bert4keras. Call it on ``[q, k, v]`` plus, in this order, an attention mask/bias when
    ``a_bias=True``, the previous layer's scores when ``residual_scores=True`` and
    a position tensor when ``p_bias`` is set:

    * the mask is boolean (True = may attend) or an additive float bias, of shape
      ``[batch, k_len]``, ``[batch, q_len, k_len]`` or ``[batch, heads, q_len, k_len]``;
    * the residual scores ``[batch, heads, q_len, k_len]`` (RealFormer) are added
      to this layer's scores before the softmax;
    * ``p_bias='rotary'`` takes RoFormer's interleaved sin/cos table
      ``[1 or batch, len, key_size]`` and rotates q and k by it;
    * ``p_bias='typical_relative'`` takes NEZHA's relative table
      ``[q_len, k_len, key_size]`` (:class:`RelativePositionEmbedding`), adds
      ``q . R[j, k]`` to the scores and ``sum_k A[j, k] R[j, k]`` to the output
      (Shaw et al.; needs ``key_size == head_size``);
    * ``p_bias='t5_relative'`` takes T5's bias ``[q_len, k_len, heads]``
      (:class:`RelativePositionEmbeddingT5`) and adds it to the scores.

    Key/value cache (autoregressive decoding): pass ``cache=(k_cache, v_cache)``,
    two tensors ``[batch * heads, max_len, key_size or head_size]`` of
    static shape (see :mod:`kerasformers.cache_ops`), and ``cache_update_index``
    (an int or scalar tensor). The keys and values of the new positions are
    written at ``cache_update_index`` with ``keras.ops.slice_update``, the queries
    attend to the whole cache, and the call returns ``(outputs, (k_cache,
    v_cache))``. The mask must then cover the
    ``max_len`` cached keys (``[batch, q_len, max_len]``: unwritten slots hidden);
    the Keras padding mask of ``v`` is ignored, as it covers the new positions
    only. Rotary tables cover the new positions, relative tables are
    ``[q_len, max_len, key_size]``. With ``cache_update_index=None`` the cache is
    used as it is and ``k``/``v`` are not projected (cross-attention to an encoder
    output computed once).

    Args:
        heads: number of heads.
        head_size: per-head size of values (and of keys unless ``key_size``).
        out_dim: output width (default ``heads * head_size``).
        key_size: per-head size of queries/keys when it differs from ``head_size``.
        use_bias: biases on the four projections.
        attention_scale: divide scores by ``sqrt(key_size)`` (T5 does not).
        attention_dropout: dropout rate on the attention probabilities.
        return_attention_scores: also return this layer's scores (scaled, with
            position terms, before masks and residual scores are added), as
            bert4keras does for RealFormer.

    Example:
        >>> mha = MultiHeadAttention(heads=2, head_size=4)
        >>> x = keras.ops.ones((1, 3, 8))
        >>> tuple(mha([x, x, x]).shape)
        (1, 3, 8)
        >>> cache = (keras.ops.zeros((2, 6, 4)), keras.ops.zeros((2, 6, 4)))  # 1 row x 2 heads, 6 slots
        >>> seen = keras.ops.convert_to_tensor([[[True] * 4 + [False] * 2]])  # 3 cached + 1 new
        >>> y, cache = mha([x[:, :1], x[:, :1], x[:, :1], seen], a_bias=True, cache=cache, cache_update_index=3)
        >>> tuple(y.shape), tuple(cache[0].shape)
        ((1, 1, 8), (2, 6, 4))
    """

    def __init__(
        self,
        heads: int,
        head_size: int,
        out_dim: Optional[int] = None,
        key_size: Optional[int] = None,
        use_bias: bool = True,
        attention_scale: bool = True,
        attention_dropout: Optional[float] = None,
        return_attention_scores: bool = False,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.heads = heads
        self.head_size = head_size
        self.out_dim = out_dim or heads * head_size
        self.key_size = key_size or head_size
        self.use_bias = use_bias
        self.attention_scale = attention_scale
        self.attention_dropout = attention_dropout
        self.return_attention_scores = return_attention_scores
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.supports_masking = True

    def _dense(self, units, name):
        return keras.layers.Dense(
            units, use_bias=self.use_bias, kernel_initializer=self.kernel_initializer, name=name, dtype=self.dtype_policy
        )

    def build(self, input_shape):
        q_shape, k_shape, v_shape = (tuple(s) for s in input_shape[:3])
        self.q_dense = self._dense(self.key_size * self.heads, "q_dense")
        self.k_dense = self._dense(self.key_size * self.heads, "k_dense")
        self.v_dense = self._dense(self.head_size * self.heads, "v_dense")
        self.o_dense = self._dense(self.out_dim, "o_dense")
        self.q_dense.build(q_shape)
        self.k_dense.build(k_shape)
        self.v_dense.build(v_shape)
        self.o_dense.build(q_shape[:-1] + (self.head_size * self.heads,))
        if self.attention_dropout:
            self.dropout = keras.layers.Dropout(self.attention_dropout)

    def _split_heads(self, x, size):
        b, n = ops.shape(x)[0], ops.shape(x)[1]
        return ops.reshape(x, (b, n, self.heads, size))

    def call(
        self,
        inputs,
        a_bias: bool = False,
        p_bias: Optional[str] = None,
        residual_scores: bool = False,
        training=None,
        mask=None,
        cache=None,
        cache_update_index=None,
    ):
        if p_bias not in POSITION_BIASES:
            raise ValueError(f"p_bias must be one of {POSITION_BIASES}, got {p_bias!r}")
        q, k, v = inputs[:3]
        extra = list(inputs[3:])
        bias = extra.pop(0) if a_bias else None
        if cache is None:
            # With a cache the padding mask of v covers only the new positions; the caller's mask covers the cache.
            bias = _with_key_mask(bias, mask[2] if isinstance(mask, (list, tuple)) and len(mask) > 2 else None)
        previous_scores = extra.pop(0) if residual_scores else None
        position = extra.pop(0) if p_bias else None
        qw = self._split_heads(self.q_dense(q), self.key_size)
        memory = cache is not None and cache_update_index is None
        if memory:
            # A memory: projected (and rotated) once.
            kw, vw = cache_view(cache[0], self.heads), cache_view(cache[1], self.heads)
        else:
            kw = self._split_heads(self.k_dense(k), self.key_size)
            vw = self._split_heads(self.v_dense(v), self.head_size)
        if p_bias == "rotary":
            sinusoid = ops.expand_dims(position, 2)  # [b, len, 1, key_size]
            if memory:
                (qw,) = apply_rotary_position_embeddings(sinusoid, qw)
            else:
                qw, kw = apply_rotary_position_embeddings(sinusoid, qw, kw)
        if cache is not None and cache_update_index is not None:
            cache = (write_cache(cache[0], cache_update_index, kw), write_cache(cache[1], cache_update_index, vw))
            kw, vw = cache_view(cache[0], self.heads), cache_view(cache[1], self.heads)
        if previous_scores is not None:
            # Masks and residual scores are summed in float32: -1e12 overflows float16.
            previous_scores = ops.cast(previous_scores, "float32")
            bias = previous_scores if bias is None else _to_bias(bias, "float32") + previous_scores
        if p_bias == "t5_relative":
            # Added in float32 like the masks; the fused kernel takes it as its bias.
            position = ops.expand_dims(ops.transpose(ops.cast(position, "float32"), (2, 0, 1)), 0)
            bias = position if bias is None else _to_bias(bias, "float32") + position
        relative = None
        if p_bias == "typical_relative":
            if self.key_size != self.head_size:
                raise ValueError(
                    f"p_bias='typical_relative' adds one table to keys and values, so key_size ({self.key_size}) "
                    f"must equal head_size ({self.head_size})."
                )
            relative = ops.cast(position, qw.dtype)
        if cache is not None and qw.shape[1] == 1 and relative is None and self._own_core() and _xla_backend():
            o, scores = self._attend_one_query(qw, cache[0], cache[1], bias, training=training)
        else:
            o, scores = self.pay_attention_to(qw, kw, vw, bias, training=training, relative=relative)
        b, n = ops.shape(o)[0], ops.shape(o)[1]
        o = self.o_dense(ops.reshape(o, (b, n, self.heads * self.head_size)))
        outputs = [o, scores] if self.return_attention_scores else o
        if cache is not None:
            return outputs, cache
        return outputs

    def _fused(self, dtype, relative, training) -> bool:
        """Whether ``keras.ops.dot_product_attention`` computes exactly what this layer needs.

        It is the backend's fused kernel (``scaled_dot_product_attention`` on PyTorch,
        ``jax.nn.dot_product_attention`` on JAX), much faster than two einsums
        where it applies: no scores returned, no relative table, equal q/k/v head
        sizes and no attention dropout at work.
        """
        # XLA on CPU has no float16 x float16 -> float32 dot_general, which JAX's kernel asks for.
        half_on_jax = (
            keras.backend.backend() == "jax"
            and keras.backend.standardize_dtype(dtype) != "float32"
            and _jax_platform() == "cpu"
        )
        return (
            not self.return_attention_scores
            and not half_on_jax
            and relative is None
            and self.key_size == self.head_size
            and not (self.attention_dropout and training)
        )

    def _own_core(self) -> bool:
        """Whether this class attends with :meth:`pay_attention_to` as written here (a subclass may replace it)."""
        return type(self).pay_attention_to is MultiHeadAttention.pay_attention_to

    def _attend_one_query(self, qw, keys, values, bias=None, training=None):
        """:meth:`pay_attention_to` for one query position over the stored caches (a decoding step).

        ``keys`` and ``values`` are caches as stored, ``[batch * heads, length,
        size]`` (:mod:`kerasformers.cache_ops`), and each product takes the cache
        as its left operand: the order in which XLA on CPU multiplies without
        copying it. Read through :func:`cache_view` instead, as
        :meth:`pay_attention_to` reads them, XLA copied every layer's keys and
        values at every step (about 1.2 ms of a 12 ms GPT2-small greedy token;
        benchmarks/README.md). Same result as :meth:`pay_attention_to` up to float
        rounding. PyTorch keeps :meth:`pay_attention_to`: its fused kernel reads the
        strided view without a copy, in one call where this takes a dozen eager ops.
        """
        b = ops.shape(qw)[0]
        q = ops.reshape(qw, (-1, self.key_size))  # [batch * heads, size]: qw is [batch, 1, heads, size]
        scores = ops.reshape(ops.einsum("nkd,nd->nk", keys, q), (b, self.heads, 1, -1))
        if self.attention_scale:
            scores = scores * ops.cast(1.0 / self.key_size**0.5, scores.dtype)
        logits = ops.cast(scores, "float32")
        if bias is not None:
            logits = logits + _to_bias(bias, "float32")
        probs = ops.cast(ops.softmax(logits, axis=-1), values.dtype)
        if self.attention_dropout:
            probs = self.dropout(probs, training=training)
        o = ops.einsum("nk,nkd->nd", ops.reshape(probs, (-1, values.shape[1])), values)
        return ops.reshape(o, (b, 1, self.heads, self.head_size)), scores

    def pay_attention_to(self, qw, kw, vw, bias=None, training=None, relative=None):
        """Scaled dot-product attention on ``[batch, len, heads, size]`` tensors.

        ``relative`` is an optional ``[q_len, k_len, key_size]`` table added to
        keys and values (``p_bias='typical_relative'``). Returns the context
        ``[batch, q_len, heads, head_size]`` and the scores
        ``[batch, heads, q_len, k_len]`` before ``bias`` is added (None when the
        fused kernel ran). Subclasses override this to change the attention core
        while keeping projections and weights.
        """
        scale = 1.0 / self.key_size**0.5 if self.attention_scale else 1.0
        if self._fused(qw.dtype, relative, training):
            fused_bias = None if bias is None else _to_bias(bias, qw.dtype)
            return ops.dot_product_attention(qw, kw, vw, bias=fused_bias, scale=scale), None
        scores = ops.einsum("bjhd,bkhd->bhjk", qw, kw)
        if relative is not None:
            scores = scores + ops.einsum("bjhd,jkd->bhjk", qw, relative)
        if self.attention_scale:
            scores = scores * ops.cast(scale, scores.dtype)
        # Masks are added and the softmax taken in float32, whatever the compute dtype.
        logits = ops.cast(scores, "float32")
        if bias is not None:
            logits = logits + _to_bias(bias, "float32")
        probs = ops.cast(ops.softmax(logits, axis=-1), vw.dtype)
        if self.attention_dropout:
            probs = self.dropout(probs, training=training)
        o = ops.einsum("bhjk,bkhd->bjhd", probs, vw)
        if relative is not None:
            o = o + ops.einsum("bhjk,jkd->bjhd", probs, relative)
        return o, scores

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            q_mask = mask[0]
            return [q_mask, None] if self.return_attention_scores else q_mask
        return mask

    def compute_output_shape(self, input_shape, **kwargs):
        q_shape = tuple(input_shape[0])
        out = q_shape[:-1] + (self.out_dim,)
        if self.return_attention_scores:
            return [out, (q_shape[0], self.heads, q_shape[1], input_shape[1][1])]
        return out

    def checkpoint_weights(self):
        """Weights in bert4keras's order: q, k, v, o (kernel then bias each)."""
        return dense_checkpoint_weights((self.q_dense, self.k_dense, self.v_dense, self.o_dense))

    def rematerialized_call(self, layer_call, *args, **kwargs):
        # Under keras.RematScope the call is wrapped by jax.checkpoint (which traces every argument,
        # and the options a_bias/p_bias/training steer Python control flow) or tf.recompute_grad
        # (positional arguments only in graph mode): bind the keyword arguments, pass the tensors.
        remat_call = super().rematerialized_call(functools.partial(layer_call, **kwargs), *args)

        def call(*call_args, **call_kwargs):
            return remat_call(*call_args)

        return call

    def get_config(self):
        config = super().get_config()
        config.update(
            heads=self.heads,
            head_size=self.head_size,
            out_dim=self.out_dim,
            key_size=self.key_size,
            use_bias=self.use_bias,
            attention_scale=self.attention_scale,
            attention_dropout=self.attention_dropout,
            return_attention_scores=self.return_attention_scores,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
