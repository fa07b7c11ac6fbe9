"""Small structural layers the model builders need (named, serializable, no Lambda)."""

from __future__ import annotations

import keras
from keras import ops

from kerasformers.backend import causal_mask, unilm_mask


@keras.saving.register_keras_serializable(package="kerasformers")
class ClearMask(keras.layers.Layer):
    """Identity that drops the Keras mask, so later attention layers see every key.

    T5's decoder under mesh-TF numerics starts from token id 0 (padding's id),
    which an ``Embedding(mask_zero=True)`` would hide from every query.

    Example:
        >>> x = keras.layers.Embedding(5, 2, mask_zero=True)(keras.ops.convert_to_tensor([[0, 1]]))
        >>> ClearMask().compute_mask(x, keras.ops.convert_to_tensor([[False, True]])) is None
        True
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        # A new tensor: Keras keeps the mask attached to a tensor returned as is.
        return ops.copy(inputs)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@keras.saving.register_keras_serializable(package="kerasformers")
class TokenSelect(keras.layers.Layer):
    """Pick one position of a sequence: ``x[:, index]`` (BERT's ``Pooler`` takes [CLS]).

    Example:
        >>> tuple(TokenSelect()(keras.ops.ones((2, 5, 8))).shape)
        (2, 8)
    """

    def __init__(self, index: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.index = index

    def call(self, inputs):
        return inputs[:, self.index]

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])

    def get_config(self):
        config = super().get_config()
        config.update(index=self.index)
        return config


def dense_checkpoint_weights(denses) -> list:
    """Kernel then bias (when present) of each Dense, in order: how checkpoints list them."""
    weights = []
    for dense in denses:
        weights.append(dense.kernel)
        if dense.use_bias:
            weights.append(dense.bias)
    return weights


ATTENTION_MASK_MODES = ("padding", "lm", "unilm")


@keras.saving.register_keras_serializable(package="kerasformers")
class AttentionMask(keras.layers.Layer):
    """Boolean self-attention mask from token ids (and segment ids for UniLM).

    * ``'padding'``: ``[batch, 1, len]``, keys with token id 0 are hidden;
    * ``'lm'``: ``[batch, len, len]``, causal and padding;
    * ``'unilm'``: inputs ``[token_ids, segment_ids]``; segment 0 is
      bidirectional, later segments causal (UniLM), plus padding.

    ``mask_padding=False`` leaves keys with id 0 visible (vocabularies where id 0
    is a real token, such as OpenAI GPT-2's).

    Example:
        >>> ids = keras.ops.convert_to_tensor([[5, 6, 0]])
        >>> keras.ops.convert_to_numpy(AttentionMask("lm")(ids))[0].astype(int).tolist()
        [[1, 0, 0], [1, 1, 0], [1, 1, 0]]
    """

    def __init__(self, mode: str = "padding", mask_padding: bool = True, **kwargs):
        super().__init__(**kwargs)
        if mode not in ATTENTION_MASK_MODES:
            raise ValueError(f"AttentionMask mode must be one of {ATTENTION_MASK_MODES}, got {mode!r}")
        self.mode = mode
        self.mask_padding = mask_padding

    def call(self, inputs):
        token_ids = inputs[0] if self.mode == "unilm" else inputs
        if self.mask_padding:
            keys = ops.not_equal(token_ids, 0)[:, None, :]
        else:
            keys = ops.ones_like(token_ids, dtype="bool")[:, None, :]
        if self.mode == "padding":
            return keys
        if self.mode == "lm":
            return ops.logical_and(keys, causal_mask(ops.shape(token_ids)[1])[None])
        return ops.logical_and(keys, unilm_mask(inputs[1]))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(mode=self.mode, mask_padding=self.mask_padding)
        return config

