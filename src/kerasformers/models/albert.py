"""ALBERT (google-research/albert and brightmart's "_google" releases).

ALBERT is BERT with factorised embeddings (``E != H``, handled by BERT's
``Embedding-Mapping``) and one block whose weights every layer shares. Both
differences are naming: the shared model names its block layers without an
index, so :meth:`Transformer.apply` reuses one set of layers; the checkpoint
stores that block once under ``bert/encoder/transformer/group_0/inner_group_0/``.
"""

from __future__ import annotations

from typing import Dict, List

from kerasformers.models.bert import BERT

#: Where Google's ALBERT code stores the single shared block.
ALBERT_BLOCK_PREFIX = "bert/encoder/transformer/group_0/inner_group_0/"


def albert_block_variables(prefix: str = ALBERT_BLOCK_PREFIX) -> Dict[str, List[str]]:
    """Checkpoint names of the shared block, keyed by block sub-layer kind.

    Example:
        >>> albert_block_variables()["FeedForward-Norm"]
        ['bert/encoder/transformer/group_0/inner_group_0/LayerNorm_1/beta', 'bert/encoder/transformer/group_0/inner_group_0/LayerNorm_1/gamma']
    """
    attention = prefix + "attention_1/"
    return {
        "MultiHeadSelfAttention": [
            f"{attention}self/{part}/{kind}" for part in ("query", "key", "value") for kind in ("kernel", "bias")
        ]
        + [attention + "output/dense/kernel", attention + "output/dense/bias"],
        "MultiHeadSelfAttention-Norm": [prefix + "LayerNorm/beta", prefix + "LayerNorm/gamma"],
        # The FFN output projection is nested inside ``intermediate`` in ALBERT's variable scopes.
        "FeedForward": [
            prefix + "ffn_1/intermediate/dense/kernel",
            prefix + "ffn_1/intermediate/dense/bias",
            prefix + "ffn_1/intermediate/output/dense/kernel",
            prefix + "ffn_1/intermediate/output/dense/bias",
        ],
        "FeedForward-Norm": [prefix + "LayerNorm_1/beta", prefix + "LayerNorm_1/gamma"],
    }


#: TF -> HF names of ALBERT (transformers' ``AlbertForPreTraining`` layout).
ALBERT_HF_RULES = (
    (r"^bert/encoder/transformer/group_0/inner_group_0/", "albert/encoder/albert_layer_groups/0/albert_layers/0/"),
    (r"albert_layers/0/attention_1/self/", "albert_layers/0/attention/"),
    (r"albert_layers/0/attention_1/output/dense/", "albert_layers/0/attention/dense/"),
    (r"albert_layers/0/LayerNorm/", "albert_layers/0/attention/LayerNorm/"),
    (r"albert_layers/0/ffn_1/intermediate/dense/", "albert_layers/0/ffn/"),
    (r"albert_layers/0/ffn_1/intermediate/output/dense/", "albert_layers/0/ffn_output/"),
    (r"albert_layers/0/LayerNorm_1/", "albert_layers/0/full_layer_layer_norm/"),
    (r"^bert/pooler/dense/", "albert/pooler/"),
    (r"^bert/", "albert/"),
    (r"^cls/predictions/transform/", "predictions/"),
    (r"^cls/predictions/output_bias$", "predictions/bias"),
    (r"^cls/seq_relationship/output_weights$", "sop_classifier/classifier/weight"),
    (r"^cls/seq_relationship/output_bias$", "sop_classifier/classifier/bias"),
)


class ALBERT_Unshared(BERT):  # noqa: N801 (bert4keras's class name)
    """ALBERT with independent layers, each initialised from the shared group.

    ``model='albert_unshared'``: BERT's structure and layer names
    (``Transformer-%d-...``), every layer loaded from the same ALBERT group, then
    free to diverge in fine-tuning.

    Example:
        >>> m = ALBERT_Unshared(vocab_size=50, hidden_size=32, embedding_size=8, num_hidden_layers=2,
        ...                     num_attention_heads=4, intermediate_size=64, hidden_act="gelu")
        >>> m.variable_mapping()["Transformer-1-FeedForward"][0]
        'bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel'
    """

    hf_model_type = "albert"
    hf_rules = ALBERT_HF_RULES

    def hf_architecture(self) -> str:
        return super().hf_architecture().replace("Bert", "Albert")

    def variable_mapping(self) -> Dict[str, List[str]]:
        mapping = super().variable_mapping()
        for index in range(self.num_hidden_layers):
            for kind, names in albert_block_variables().items():
                mapping[self.block_layer_name(kind, index)] = names
        return mapping


class ALBERT(ALBERT_Unshared):
    """ALBERT with one shared block (``model='albert'``), as released.

    Block layers are ``Transformer-MultiHeadSelfAttention``, ``Transformer-FeedForward``
    (+ ``-Norm``, ``-Add``, ``-Dropout``), called once per layer. ``with_nsp=True``
    gives the sentence-order (SOP) head, stored as ``cls/seq_relationship``.

    Example:
        >>> m = ALBERT(vocab_size=50, hidden_size=32, embedding_size=8, num_hidden_layers=3,
        ...            num_attention_heads=4, intermediate_size=64, hidden_act="gelu")
        >>> m.build()
        >>> len([w for w in m.model.weights if "Transformer" in w.path])
        16
    """

    def block_layer_name(self, kind: str, index: int) -> str:
        return f"Transformer-{kind}"
