"""BERT (and RoBERTa, which shares its checkpoint layout): embeddings, heads, mapping."""

from __future__ import annotations

from typing import Dict, List, Optional, Union

import keras
import numpy as np

from kerasformers.backend import get_activation
from kerasformers.layers import Add, Embedding, LayerNormalization, PositionEmbedding, ScaleOffset, TokenSelect
from kerasformers.models.transformer import Transformer


class BERT(Transformer):
    """BERT as in google-research/bert, with bert4keras's layer names and outputs.

    Outputs: the encoder output alone; or, when heads are asked for, only the
    heads — ``[pool or NSP]``, ``[MLM]`` or ``[pool or NSP, MLM]`` (bert4keras order).

    Example:
        >>> bert = BERT(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...             intermediate_size=64, hidden_act="gelu", with_pool=True, with_mlm=True)
        >>> bert.build()
        >>> [tuple(s) for s in bert.model.output_shape]
        [(None, 32), (None, None, 100)]
    """

    def __init__(
        self,
        max_position: int = 512,
        segment_vocab_size: int = 2,
        with_pool: Union[bool, str] = False,
        with_nsp: bool = False,
        with_mlm: Union[bool, str] = False,
        hierarchical_position: Union[bool, float, None] = None,
        custom_position_ids: bool = False,
        shared_segment_embeddings: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.max_position = max_position
        self.segment_vocab_size = segment_vocab_size
        self.with_pool = with_pool
        self.with_nsp = with_nsp
        self.with_mlm = with_mlm
        self.hierarchical_position = hierarchical_position
        self.custom_position_ids = custom_position_ids
        self.shared_segment_embeddings = shared_segment_embeddings
        if self.with_nsp and not self.with_pool:
            self.with_pool = True

    # --- inputs and embeddings ----------------------------------------------------------
    def get_inputs(self):
        inputs = [keras.Input(shape=(self.sequence_length,), dtype="int32", name=self.prefixed("Input-Token"))]
        if self.segment_vocab_size > 0:
            inputs.append(keras.Input(shape=(self.sequence_length,), dtype="int32", name=self.prefixed("Input-Segment")))
        if self.custom_position_ids:
            inputs.append(keras.Input(shape=(self.sequence_length,), dtype="int32", name=self.prefixed("Input-Position")))
        return inputs

    def position_ids_input(self):
        return self.inputs[2 if self.segment_vocab_size > 0 else 1] if self.custom_position_ids else None

    def apply_token_embeddings(self, inputs):
        """Token (+ segment) embeddings, shared by every BERT-like family."""
        x = inputs[0]
        x = self.apply(
            inputs=x,
            layer=Embedding,
            input_dim=self.vocab_size,
            output_dim=self.embedding_size,
            embeddings_initializer=self.initializer,
            mask_zero=self.mask_padding,
            name="Embedding-Token",
        )
        if self.segment_vocab_size > 0:
            if self.shared_segment_embeddings:
                name, dim = "Embedding-Token", self.vocab_size
            else:
                name, dim = "Embedding-Segment", self.segment_vocab_size
            s = self.apply(
                inputs=inputs[1],
                layer=Embedding,
                input_dim=dim,
                output_dim=self.embedding_size,
                embeddings_initializer=self.initializer,
                name=name,
            )
            x = self.apply(inputs=[x, s], layer=Add, name="Embedding-Token-Segment")
        return x

    #: Add a trainable absolute position table (``Embedding-Position``); families whose
    #: positions live inside attention (NEZHA, RoFormer) set this to False.
    absolute_positions = True

    def apply_position_embeddings(self, x, inputs):
        if not self.absolute_positions:
            return x
        position_inputs = x
        if self.custom_position_ids:
            position_inputs = [x, inputs[-1]]
        return self.apply(
            inputs=position_inputs,
            layer=PositionEmbedding,
            arguments=self.decoding_arguments(),
            input_dim=self.max_position,
            output_dim=self.embedding_size,
            merge_mode="add",
            hierarchical=self.hierarchical_position,
            embeddings_initializer=self.initializer,
            custom_position_ids=self.custom_position_ids,
            name="Embedding-Position",
        )

    def apply_embeddings(self, inputs):
        x = self.apply_token_embeddings(inputs)
        x = self.apply_position_embeddings(x, inputs)
        x = self.apply_norm(x, "Embedding-Norm")
        x = self.apply(inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name="Embedding-Dropout")
        return self.apply_embedding_mapping(x)

    def apply_embedding_mapping(self, x):
        """``Embedding-Mapping`` from the embedding width E to H, when they differ (ALBERT, ELECTRA-small)."""
        if self.embedding_size == self.hidden_size:
            return x
        return self.apply(
            inputs=x,
            layer=keras.layers.Dense,
            units=self.hidden_size,
            use_bias=self.use_bias,
            kernel_initializer=self.initializer,
            name="Embedding-Mapping",
        )

    # --- heads ----------------------------------------------------------------------
    def apply_final_layers(self, inputs):
        x = inputs
        outputs = [x]
        if self.with_pool:
            pooled = self.apply(inputs=x, layer=TokenSelect, index=0, name="Pooler")
            activation = "tanh" if self.with_pool is True else self.with_pool
            pooled = self.apply(
                inputs=pooled,
                layer=keras.layers.Dense,
                units=self.hidden_size,
                activation=activation,
                kernel_initializer=self.initializer,
                name="Pooler-Dense",
            )
            if self.with_nsp:
                pooled = self.apply(
                    inputs=pooled,
                    layer=keras.layers.Dense,
                    units=2,
                    activation="softmax",
                    kernel_initializer=self.initializer,
                    name="NSP-Proba",
                )
            outputs.append(pooled)
        if self.with_mlm:
            outputs.append(self.apply_mlm_head(x))
        if len(outputs) == 1:
            return outputs[0]
        if len(outputs) == 2:
            return outputs[1]
        return outputs[1:]

    def apply_mlm_head(self, x):
        """Dense + LayerNorm + tied token embedding + bias + activation."""
        x = self.apply(
            inputs=x,
            layer=keras.layers.Dense,
            units=self.embedding_size,
            activation=get_activation(self.hidden_act),
            kernel_initializer=self.initializer,
            name="MLM-Dense",
        )
        x = self.apply_norm(x, "MLM-Norm")
        x = self.apply(inputs=x, layer=Embedding, arguments={"mode": "dense"}, name="Embedding-Token")
        x = self.apply(inputs=x, layer=ScaleOffset, scale=False, name="MLM-Bias")
        activation = "softmax" if self.with_mlm is True else self.with_mlm
        return self.apply(inputs=x, layer=keras.layers.Activation, activation=activation, name="MLM-Activation")

    # --- checkpoint mapping -------------------------------------------------------------
    #: Checkpoint variables that hold one row per vocabulary entry.
    embedding_variables = ("bert/embeddings/word_embeddings", "cls/predictions/output_bias")
    #: Variables stored transposed relative to the Keras layer's weight.
    transposed_variables = ("cls/seq_relationship/output_weights",)

    #: ``model_type`` of the Hugging Face config, and TF -> HF name rewrites (see models/hf_weights.py).
    hf_model_type = "bert"
    hf_rules = (
        (r"^cls/predictions/output_bias$", "cls/predictions/bias"),
        (r"^cls/seq_relationship/output_weights$", "cls/seq_relationship/weight"),
        (r"^cls/seq_relationship/output_bias$", "cls/seq_relationship/bias"),
    )

    def hf_architecture(self) -> str:
        """The transformers class whose checkpoint layout this model's heads match."""
        if self.with_mlm and self.with_nsp:
            return "BertForPreTraining"
        return "BertForMaskedLM" if self.with_mlm else "BertModel"

    def load_variable(self, checkpoint, name: str) -> np.ndarray:
        value = super().load_variable(checkpoint, name)
        if name in self.embedding_variables:
            return self.load_embeddings(value)
        if name in self.transposed_variables:
            return value.T
        return value

    def create_variable(self, name: str, value: np.ndarray) -> np.ndarray:
        return value.T if name in self.transposed_variables else value

    def transformed_variables(self) -> frozenset:
        return frozenset(self.embedding_variables + self.transposed_variables)

    def variable_mapping(self) -> Dict[str, List[str]]:
        mapping = {
            "Embedding-Token": ["bert/embeddings/word_embeddings"],
            "Embedding-Segment": ["bert/embeddings/token_type_embeddings"],
            "Embedding-Position": ["bert/embeddings/position_embeddings"],
            "Embedding-Norm": ["bert/embeddings/LayerNorm/beta", "bert/embeddings/LayerNorm/gamma"],
            "Embedding-Mapping": [
                "bert/encoder/embedding_hidden_mapping_in/kernel",
                "bert/encoder/embedding_hidden_mapping_in/bias",
            ],
            "Pooler-Dense": ["bert/pooler/dense/kernel", "bert/pooler/dense/bias"],
            "NSP-Proba": ["cls/seq_relationship/output_weights", "cls/seq_relationship/output_bias"],
            "MLM-Dense": ["cls/predictions/transform/dense/kernel", "cls/predictions/transform/dense/bias"],
            "MLM-Norm": ["cls/predictions/transform/LayerNorm/beta", "cls/predictions/transform/LayerNorm/gamma"],
            "MLM-Bias": ["cls/predictions/output_bias"],
        }
        for i in range(self.num_hidden_layers):
            prefix = f"bert/encoder/layer_{i}/"
            mapping[self.block_layer_name("MultiHeadSelfAttention", i)] = [
                prefix + "attention/self/query/kernel",
                prefix + "attention/self/query/bias",
                prefix + "attention/self/key/kernel",
                prefix + "attention/self/key/bias",
                prefix + "attention/self/value/kernel",
                prefix + "attention/self/value/bias",
                prefix + "attention/output/dense/kernel",
                prefix + "attention/output/dense/bias",
            ]
            mapping[self.block_layer_name("MultiHeadSelfAttention-Norm", i)] = [
                prefix + "attention/output/LayerNorm/beta",
                prefix + "attention/output/LayerNorm/gamma",
            ]
            mapping[self.block_layer_name("FeedForward", i)] = [
                prefix + "intermediate/dense/kernel",
                prefix + "intermediate/dense/bias",
                prefix + "output/dense/kernel",
                prefix + "output/dense/bias",
            ]
            mapping[self.block_layer_name("FeedForward-Norm", i)] = [
                prefix + "output/LayerNorm/beta",
                prefix + "output/LayerNorm/gamma",
            ]
        return mapping
