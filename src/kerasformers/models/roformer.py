"""BERT-layout encoders whose positions live inside attention: NEZHA, RoFormer, RoFormerV2.

All three load ``bert/...`` checkpoints without ``bert/embeddings/position_embeddings``
and differ from BERT only in data for the shared block: the position scheme
(:attr:`Transformer.position_bias`) and, for RoFormerV2, biases and norm kind.
"""

from __future__ import annotations

import re
from typing import Dict, List

import keras

from kerasformers.layers import Embedding
from kerasformers.models.bert import BERT


class NEZHA(BERT):
    """NEZHA (huawei-noah NEZHA-TensorFlow), ``model='nezha'``.

    No absolute position table: relative distances clipped to +-64 index a fixed,
    non-trainable interleaved sin/cos table (``Embedding-Relative-Position``) that
    is added to keys and values in every layer (Shaw et al.). Released
    checkpoints carry ``adam_m``/``adam_v``/``global_step``, which loading skips.
    (NEZHA-Gen, despite its name, has BERT's layout: ``model='bert', application='lm'``.)

    Example:
        >>> m = NEZHA(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...           intermediate_size=64, hidden_act="gelu")
        >>> m.build()
        >>> tuple(m.model.get_layer("Embedding-Relative-Position").embeddings.shape)
        (129, 8)
    """

    position_bias = "typical_relative"
    absolute_positions = False
    hf_model_type = "nezha"
    hf_rules = ((r"^bert/", "nezha/"),) + BERT.hf_rules

    def hf_architecture(self) -> str:
        return super().hf_architecture().replace("Bert", "Nezha")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.custom_position_ids:
            # bert4keras added an Input-Position that nothing read; say so instead.
            raise ValueError(
                "NEZHA's relative positions come from token order; custom_position_ids has no effect on it "
                "(model='roformer' honours custom position ids)."
            )


class RoFormer(BERT):
    """RoFormer, RoFormer-char and RoFormer-Sim (ZhuiyiTechnology), ``model='roformer'``.

    Rotary position embedding on queries and keys: channel pairs ``(2i, 2i+1)``
    rotate by ``p * 10000**(-2i/D)`` (``Embedding-Rotary-Position``), honouring
    ``custom_position_ids``. RoFormer-Sim is ``with_pool='linear', application='unilm'``.

    Example:
        >>> m = RoFormer(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...              intermediate_size=64, hidden_act="gelu")
        >>> m.build()
        >>> m.model.get_layer("Embedding-Rotary-Position").output_dim
        8
    """

    position_bias = "rotary"
    absolute_positions = False
    hf_model_type = "roformer"
    hf_rules = (
        (r"^bert/encoder/embedding_hidden_mapping_in/", "roformer/embeddings_project/"),
        (r"^bert/", "roformer/"),
    ) + BERT.hf_rules

    def hf_architecture(self) -> str:
        # transformers' RoFormer has no pooler and no NSP head.
        return "RoFormerForMaskedLM" if self.with_mlm else "RoFormerModel"


class RoFormerV2(RoFormer):
    """RoFormerV2 (ZhuiyiTechnology/roformer-v2), ``model='roformer_v2'``.

    RoFormer without any bias, with a parameter-free RMS norm after each residual
    add (and on the embeddings, after dropout), a relu FFN (from the config) and
    an MLM head tied to the token embedding without bias: ``Output-Mapping``
    (only when ``E != H``, not in checkpoints) -> ``Output-MLM-Dropout`` ->
    ``Embedding-Token`` -> ``Output-MLM-Activation``. No pooler, no NSP.

    Example:
        >>> m = RoFormerV2(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...                intermediate_size=64, hidden_act="relu", with_mlm=True)
        >>> m.build()
        >>> m.model.output_shape
        (None, None, 50)
    """

    use_bias = False
    # epsilon 1e-12: the value in bert4keras when RoFormerV2 was trained (its later default is 1e-7).
    norm_kwargs = {"zero_mean": False, "scale": False, "offset": False, "epsilon": 1e-12}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.with_pool or self.with_nsp:
            raise ValueError(
                "RoFormerV2 has no pooler or NSP head (its checkpoints carry none); build without "
                "with_pool/with_nsp and pool the encoder output yourself."
            )

    def apply_embeddings(self, inputs):
        x = self.apply_token_embeddings(inputs)
        x = self.apply(inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name="Embedding-Dropout")
        return self.apply_embedding_mapping(self.apply_norm(x, "Embedding-Norm"))

    def apply_final_layers(self, inputs):
        if not self.with_mlm:
            return inputs
        x = inputs
        if self.embedding_size != self.hidden_size:
            x = self.apply(
                inputs=x,
                layer=keras.layers.Dense,
                units=self.embedding_size,
                use_bias=False,
                kernel_initializer=self.initializer,
                name="Output-Mapping",
            )
        x = self.apply(inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name="Output-MLM-Dropout")
        x = self.apply(inputs=x, layer=Embedding, arguments={"mode": "dense"}, name="Embedding-Token")
        activation = "softmax" if self.with_mlm is True else self.with_mlm
        return self.apply(inputs=x, layer=keras.layers.Activation, activation=activation, name="Output-MLM-Activation")

    @property
    def initializer(self):
        """RoFormerV2's scaled truncated normal (stddev ``1.137 / sqrt(fan) / sqrt(L)``)."""
        return RoFormerV2Initializer(self.num_hidden_layers)

    def variable_mapping(self) -> Dict[str, List[str]]:
        # The checkpoints store kernels and embeddings only.
        parameter_free = re.compile("beta|gamma|bias")
        return {k: [n for n in v if not parameter_free.search(n)] for k, v in super().variable_mapping().items()}


@keras.saving.register_keras_serializable(package="kerasformers")
class RoFormerV2Initializer(keras.initializers.Initializer):
    """Truncated normal with stddev ``1.13684723 / sqrt(fan) * num_layers**-0.5``.

    ``fan`` is the input width of a kernel, or the width of an embedding table
    (a first dimension above 10000 or below 10 marks a vocabulary or segment table).

    Example:
        >>> w = RoFormerV2Initializer(num_layers=4, seed=0)((64, 32))
        >>> tuple(w.shape)
        (64, 32)
    """

    def __init__(self, num_layers: int, seed=None):
        self.num_layers = num_layers
        self.seed = seed

    def __call__(self, shape, dtype=None):
        fan = shape[1] if shape[0] > 10000 or shape[0] < 10 else shape[0]
        stddev = 1.13684723 / fan**0.5 * self.num_layers**-0.5
        return keras.initializers.TruncatedNormal(stddev=stddev, seed=self.seed)(shape, dtype=dtype)

    def get_config(self):
        return {"num_layers": self.num_layers, "seed": self.seed}
