"""Token and position embeddings."""

from __future__ import annotations

from typing import Optional, Union

import keras
from keras import ops

from kerasformers.backend import sinusoidal_embeddings
from kerasformers.layers import row_products


@keras.saving.register_keras_serializable(package="kerasformers")
class Embedding(keras.layers.Embedding):
    """Token embedding that doubles as the tied output projection.

    ``layer(ids)`` looks rows up; ``layer(hidden, mode='dense')`` multiplies
    ``hidden`` by the transposed table, which is how BERT's MLM head and GPT's
    LM head reuse ``Embedding-Token`` (bert4keras semantics).

    Example:
        >>> emb = Embedding(10, 4)
        >>> h = emb(keras.ops.convert_to_tensor([[1, 2]]))
        >>> tuple(emb(h, mode="dense").shape)
        (1, 2, 10)
    """

    def __init__(self, *args, keep_first_token: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        #: Never hide position 0 from attention: bert4keras's T5 decoder starts
        #: from id 0 (padding's id) and must still see its first token.
        self.keep_first_token = keep_first_token

    def call(self, inputs, mode: str = "embedding"):
        if mode == "embedding":
            return super().call(inputs)
        if mode == "dense":
            kernel = ops.cast(self.embeddings, inputs.dtype)
            if row_products.serves(inputs):
                # A compiled JAX decoding step: the table is already [out, in], the fast left operand.
                return row_products.left_product(inputs, kernel)
            # Contract with the table's own layout: matmul(x, transpose(table)) made XLA write a transposed
            # copy of the whole [vocab, hidden] table at every call (65 MB per decoding step for a 21k vocab).
            # tensordot, not einsum: TensorFlow's CPU einsum in float16 loses precision (mixed_float16 goldens).
            return ops.tensordot(inputs, kernel, axes=[[inputs.ndim - 1], [1]])
        raise ValueError(f"Embedding mode must be 'embedding' or 'dense', got {mode!r}")

    def compute_mask(self, inputs, mask=None):
        # In dense mode the input is a float hidden state: keep whatever mask it carries.
        if "float" in str(inputs.dtype):
            return mask
        mask = super().compute_mask(inputs, mask)
        if mask is not None and self.keep_first_token:
            mask = ops.concatenate([ops.ones_like(mask[:, :1]), mask[:, 1:]], axis=1)
        return mask

    def get_config(self):
        config = super().get_config()
        config.update(keep_first_token=self.keep_first_token)
        return config

    def compute_output_shape(self, input_shape, mode: str = "embedding"):
        if mode == "dense":
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def compute_output_spec(self, inputs, mode: str = "embedding"):
        if mode == "dense":
            shape = self.compute_output_shape(inputs.shape, mode)
            return keras.KerasTensor(shape, dtype=self.compute_dtype)
        return super().compute_output_spec(inputs)

    def checkpoint_weights(self):
        return [self.embeddings]


def _merge(x, embeddings, merge_mode: str):
    if merge_mode == "add":
        return x + embeddings
    if merge_mode == "mul":
        return x * (embeddings + 1.0)
    if merge_mode == "zero":
        return embeddings
    batch = ops.shape(x)[0]
    embeddings = ops.broadcast_to(embeddings, (batch,) + tuple(ops.shape(embeddings)[1:]))
    return ops.concatenate([x, embeddings], axis=-1)


_MERGE_MODES = ("add", "mul", "zero", "concat")


def _count_positions(x, start_index=None):
    """``[1, len]`` int32 positions of ``x``'s tokens, counted from ``start_index`` (default 0)."""
    positions = ops.arange(ops.shape(x)[1], dtype="int32")
    if start_index is not None:
        positions = positions + ops.cast(start_index, "int32")
    return ops.expand_dims(positions, 0)


class _PositionLayer(keras.layers.Layer):
    """What both position embeddings share: the merge mode and the optional position-ids input."""

    def __init__(self, merge_mode: str = "add", custom_position_ids: bool = False, **kwargs):
        super().__init__(**kwargs)
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"merge_mode must be one of {_MERGE_MODES}, got {merge_mode!r}")
        self.merge_mode = merge_mode
        self.custom_position_ids = custom_position_ids
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        # With custom ids the inputs are [x, position_ids]: x's mask is the one to pass on.
        if self.custom_position_ids:
            return mask[0] if isinstance(mask, (list, tuple)) else mask
        return mask


@keras.saving.register_keras_serializable(package="kerasformers")
class PositionEmbedding(_PositionLayer):
    """Trainable absolute position embedding (``Embedding-Position``).

    Args:
        input_dim: number of positions in the table (``max_position``).
        output_dim: embedding width.
        merge_mode: ``'add'``, ``'mul'`` (``x * (p + 1)``), ``'zero'`` (return the
            embeddings only) or ``'concat'``.
        hierarchical: ``True`` (alpha 0.4) or a float alpha in (0, 1): decompose
            positions beyond the table as ``alpha*u[i // n] + (1-alpha)*u[i % n]``
            with ``u = (E - alpha*E[0]) / (1 - alpha)`` (kexue.fm/archives/7947), so a
            512-position BERT reads sequences up to 512*512 long.
        custom_position_ids: take ``[x, position_ids]`` instead of counting 0..len-1.

    Call it with ``start_index=i`` (an int or scalar tensor) to count from ``i``:
    the positions of new tokens when decoding against a key/value cache.

    Example:
        >>> layer = PositionEmbedding(8, 4)
        >>> tuple(layer(keras.ops.zeros((2, 5, 4))).shape)
        (2, 5, 4)
        >>> tuple(layer(keras.ops.zeros((2, 1, 4)), start_index=5).shape)
        (2, 1, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        merge_mode: str = "add",
        hierarchical: Union[bool, float, None] = None,
        embeddings_initializer="zeros",
        custom_position_ids: bool = False,
        **kwargs,
    ):
        super().__init__(merge_mode=merge_mode, custom_position_ids=custom_position_ids, **kwargs)
        if hierarchical not in (None, False, True) and not 0.0 < float(hierarchical) < 1.0:
            raise ValueError(f"hierarchical must be True/False/None or an alpha in (0, 1), got {hierarchical!r}")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.hierarchical = hierarchical
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer
        )

    def _check_length(self, seq_len):
        if not self.hierarchical and isinstance(seq_len, int) and seq_len > self.input_dim:
            raise ValueError(
                f"{self.name}: sequence length {seq_len} exceeds the {self.input_dim} positions of the table; "
                "truncate the input (maxlen) or build the model with hierarchical_position=True."
            )

    def call(self, inputs, start_index=None):
        if self.custom_position_ids:
            x, position_ids = inputs
            position_ids = ops.cast(position_ids, "int32")
        else:
            x = inputs
            position_ids = _count_positions(x, start_index)
            if start_index is None:
                self._check_length(ops.shape(x)[1])
        table = ops.cast(self.embeddings, x.dtype) if "float" in str(x.dtype) else self.embeddings
        if self.hierarchical:
            alpha = 0.4 if self.hierarchical is True else float(self.hierarchical)
            base = (table - alpha * table[:1]) / (1.0 - alpha)
            high = ops.take(base, position_ids // self.input_dim, axis=0)
            low = ops.take(base, position_ids % self.input_dim, axis=0)
            embeddings = alpha * high + (1.0 - alpha) * low
        else:
            embeddings = ops.take(table, position_ids, axis=0)
        return _merge(x, embeddings, self.merge_mode)

    def compute_output_shape(self, input_shape):
        if self.custom_position_ids:
            input_shape = input_shape[0]
        if self.merge_mode == "concat":
            return tuple(input_shape[:-1]) + (input_shape[-1] + self.output_dim,)
        if self.merge_mode == "zero":
            return (None if self.custom_position_ids else 1,) + tuple(input_shape[1:-1]) + (self.output_dim,)
        return tuple(input_shape)

    def checkpoint_weights(self):
        return [self.embeddings]

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim,
            output_dim=self.output_dim,
            merge_mode=self.merge_mode,
            hierarchical=self.hierarchical,
            embeddings_initializer=keras.initializers.serialize(self.embeddings_initializer),
            custom_position_ids=self.custom_position_ids,
        )
        return config


@keras.saving.register_keras_serializable(package="kerasformers")
class SinusoidalPositionEmbedding(_PositionLayer):
    """Fixed interleaved sin/cos position embedding (RoFormer's rotary table).

    ``start_index=i`` at call time counts positions from ``i`` (cached decoding).

    Example:
        >>> tuple(SinusoidalPositionEmbedding(4, merge_mode="zero")(keras.ops.zeros((2, 5, 8))).shape)
        (1, 5, 4)
    """

    def __init__(self, output_dim: int, merge_mode: str = "add", custom_position_ids: bool = False, **kwargs):
        super().__init__(merge_mode=merge_mode, custom_position_ids=custom_position_ids, **kwargs)
        self.output_dim = output_dim

    def call(self, inputs, start_index=None):
        if self.custom_position_ids:
            x, position_ids = inputs
        else:
            x = inputs
            position_ids = _count_positions(x, start_index)
        embeddings = ops.cast(sinusoidal_embeddings(position_ids, self.output_dim), x.dtype)
        return _merge(x, embeddings, self.merge_mode)

    def get_config(self):
        config = super().get_config()
        config.update(
            output_dim=self.output_dim, merge_mode=self.merge_mode, custom_position_ids=self.custom_position_ids
        )
        return config
