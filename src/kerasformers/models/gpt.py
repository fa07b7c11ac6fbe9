"""The GPT family: GPT (CDial-GPT), GPT2 (CPM-LM) and GPT2_ML (gpt2-ml).

Three causal language models that differ from BERT, and from each other, only in
data for the shared block (norm placement and epsilon), in their embeddings
(segment or not, embedding norm or not) and in their checkpoint names. All three
end in the token embedding used as the output matrix (``Embedding-Token``, no
bias) and ``LM-Activation`` (``final_activation``, softmax by default), as in
bert4keras.
"""

from __future__ import annotations

from typing import Dict, List

import keras

from kerasformers.layers import Embedding
from kerasformers.models.bert import BERT


class GPT(BERT):
    """GPT as bert4keras builds it, ``model='gpt'``: CDial-GPT (thu-coai, converted by bojone/CDial-GPT-tf).

    Token + segment + position embeddings with no embedding norm, then BERT's
    post-LN block (epsilon 1e-12) under a causal mask, and logits from the tied
    token embedding. CDial-GPT's ``gpt_config.json`` sets
    ``shared_segment_embeddings=True`` (speaker ids are tokens) and
    ``type_vocab_size=3``. Checkpoint names are BERT's with ``bert/`` ->
    ``gpt/`` and ``encoder`` -> ``transformer``.

    Example:
        >>> m = GPT(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...         intermediate_size=64, hidden_act="gelu", segment_vocab_size=0)
        >>> m.build()
        >>> m.model.output_shape, m.model.layers[-1].name
        ((None, None, 50), 'LM-Activation')
    """

    attention_mask_mode = "lm"
    application_head = None
    embedding_variables = ("gpt/embeddings/word_embeddings",)
    transposed_variables = ()
    # BERT-style names and layouts that no transformers class reads (GPT2_OpenAI has GPT2LMHeadModel's).
    hf_model_type = None

    def __init__(self, final_activation: str = "softmax", **kwargs):
        for argument in ("with_pool", "with_nsp", "with_mlm"):
            if kwargs.get(argument):
                raise TypeError(
                    f"{type(self).__name__} got an unexpected keyword argument {argument!r}: the GPT family has "
                    "only its language-model head (final_activation= sets its activation)."
                )
            kwargs.pop(argument, None)
        super().__init__(**kwargs)
        self.final_activation = final_activation

    def apply_embeddings(self, inputs):
        x = self.apply_token_embeddings(inputs)
        x = self.apply_position_embeddings(x, inputs)
        x = self.apply_embedding_norm(x)
        return self.apply_embedding_mapping(x)

    def apply_embedding_norm(self, x):
        """What follows the position embedding: dropout only for GPT (no embedding norm)."""
        return self.apply(inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name="Embedding-Dropout")

    def apply_output_norm(self, x):
        """What precedes the tied output: nothing for GPT and GPT2_ML."""
        return x

    def apply_final_layers(self, inputs):
        x = self.apply_output_norm(inputs)
        x = self.apply(inputs=x, layer=Embedding, arguments={"mode": "dense"}, name="Embedding-Token")
        return self.apply(
            inputs=x, layer=keras.layers.Activation, activation=self.final_activation, name="LM-Activation"
        )

    def variable_mapping(self) -> Dict[str, List[str]]:
        return {
            layer: [name.replace("bert/", "gpt/").replace("encoder", "transformer") for name in names]
            for layer, names in super().variable_mapping().items()
        }


class GPT2(GPT):
    """GPT-2 as bert4keras builds it, ``model='gpt2'``: CPM-LM (bojone/CPM_LM_bert4keras's TF conversion).

    Token + position embeddings only (one input, ``Input-Token``; no segment),
    pre-LN blocks with epsilon 1e-5, then ``Output-Norm`` and ``Output-Dropout``
    before the tied output. The pre-norms are stored as
    ``gpt/transformer/layer_{i}/attention/input/LayerNorm`` and
    ``.../layer_{i}/input/LayerNorm``, the final one as ``gpt/output/LayerNorm``.

    Example:
        >>> m = GPT2(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...          intermediate_size=64, hidden_act="gelu")
        >>> m.build()
        >>> [layer.name for layer in m.model.layers][-2:]
        ['Output-Norm', 'LM-Activation']
    """

    norm_placement = "pre"
    norm_kwargs = {"epsilon": 1e-5}

    def __init__(self, **kwargs):
        if kwargs.get("custom_position_ids"):
            raise ValueError(
                f"{type(self).__name__} takes token ids only (no Input-Position); custom_position_ids has no "
                "effect on it (model='gpt' honours custom position ids)."
            )
        # Segment ids have no table in these checkpoints; the config default (2) is ignored, as in bert4keras.
        kwargs["segment_vocab_size"] = 0
        super().__init__(**kwargs)

    def apply_embedding_norm(self, x):
        return x

    def apply_output_norm(self, x):
        x = self.apply_norm(x, "Output-Norm")
        return self.apply(inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name="Output-Dropout")

    def variable_mapping(self) -> Dict[str, List[str]]:
        mapping = {
            layer: [name.replace("output/LayerNorm", "input/LayerNorm") for name in names]
            for layer, names in super().variable_mapping().items()
        }
        mapping["Output-Norm"] = ["gpt/output/LayerNorm/beta", "gpt/output/LayerNorm/gamma"]
        return mapping


class GPT2_ML(GPT2):
    """GPT2_ML (imcaspar/gpt2-ml, Grover's code), ``model='gpt2_ml'``.

    Token + position embeddings, then ``Embedding-Norm``; in each block no norm
    around attention, and around the FFN both a pre-norm and a post-norm
    (``FeedForward-Norm-0`` / ``-Norm-1``): ``h1 = h + Attn(h)``,
    ``h = Norm1(h1 + FFN(Norm0(h1)))``; epsilon 1e-5; no final norm. Names are
    ``newslm/...`` with two-digit layers; the released checkpoints carry
    Adafactor slots and ``global_step``, which loading skips. Both releases
    (CLUE vocab 8021, BERT vocab 21128) load the same way.

    Example:
        >>> m = GPT2_ML(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...             intermediate_size=64, hidden_act="gelu")
        >>> m.build()
        >>> sorted(n for n in m.layers if "Norm" in n)
        ['Embedding-Norm', 'Transformer-0-FeedForward-Norm-0', 'Transformer-0-FeedForward-Norm-1']
    """

    norm_placement = {"attention": None, "feed_forward": "pre_post"}

    def apply_embedding_norm(self, x):
        return self.apply_norm(x, "Embedding-Norm")

    def apply_output_norm(self, x):
        return x

    embedding_variables = ("newslm/embeddings/word_embed",)

    def variable_mapping(self) -> Dict[str, List[str]]:
        mapping = {
            "Embedding-Token": ["newslm/embeddings/word_embed"],
            "Embedding-Position": ["newslm/embeddings/pos_embed"],
            "Embedding-Norm": [
                "newslm/embeddings/LayerNorm_embed_norm/beta",
                "newslm/embeddings/LayerNorm_embed_norm/gamma",
            ],
        }
        for i in range(self.num_hidden_layers):
            prefix = f"newslm/layer{i:02d}/"
            attention = []
            for part in ("query_layer", "key_layer", "value_layer", "context_projection_layer"):
                attention += [prefix + part + "/kernel", prefix + part + "/bias"]
            mapping[self.block_layer_name("MultiHeadSelfAttention", i)] = attention
            mapping[self.block_layer_name("FeedForward-Norm-0", i)] = [
                prefix + "LayerNorm_mlp_ln0/beta",
                prefix + "LayerNorm_mlp_ln0/gamma",
            ]
            mapping[self.block_layer_name("FeedForward", i)] = [
                prefix + "intermediate/kernel",
                prefix + "intermediate/bias",
                prefix + "output/kernel",
                prefix + "output/bias",
            ]
            mapping[self.block_layer_name("FeedForward-Norm-1", i)] = [
                prefix + "LayerNorm_mlp_ln1/beta",
                prefix + "LayerNorm_mlp_ln1/gamma",
            ]
        return mapping
