"""ELECTRA's discriminator (google-research/electra, HFL Chinese-ELECTRA)."""

from __future__ import annotations

from typing import Dict, List, Union

import keras

from kerasformers.backend import get_activation
from kerasformers.models.bert import BERT


class ELECTRA(BERT):
    """ELECTRA discriminator, ``model='electra'``: BERT's body under ``electra/`` names.

    The factorised embedding projection (``E != H``, ELECTRA-small) is stored as
    ``electra/embeddings_project``; the generator's variables in the same file are
    left unused. ``with_discriminator=True`` adds the replaced-token head
    ``Discriminator-Dense`` (hidden_act) + ``Discriminator-Prediction`` (sigmoid,
    or the activation given instead of True). There is no pooler and no MLM head,
    so ``with_pool``/``with_mlm`` and ``application='lm'/'unilm'`` are refused, as
    in bert4keras. HFL's ``discriminator.json`` is a valid ``config_path``.

    Example:
        >>> m = ELECTRA(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...             intermediate_size=64, hidden_act="gelu", with_discriminator=True)
        >>> m.build()
        >>> m.model.output_shape
        (None, None, 1)
    """

    applications = ("encoder",)
    hf_model_type = "electra"
    hf_rules = ((r"^discriminator_predictions/dense_1/", "discriminator_predictions/dense_prediction/"),)
    embedding_variables = ("electra/embeddings/word_embeddings",)
    transposed_variables = ()

    def __init__(self, with_discriminator: Union[bool, str] = False, **kwargs):
        for argument in ("with_pool", "with_mlm"):
            if argument in kwargs:
                raise TypeError(
                    f"ELECTRA got an unexpected keyword argument {argument!r}: the discriminator has no "
                    "pooler or MLM head; use with_discriminator=True for its head."
                )
        super().__init__(**kwargs)
        self.with_discriminator = with_discriminator

    def hf_architecture(self) -> str:
        return "ElectraForPreTraining" if self.with_discriminator else "ElectraModel"

    def apply_final_layers(self, inputs):
        if not self.with_discriminator:
            return inputs
        x = self.apply(
            inputs=inputs,
            layer=keras.layers.Dense,
            units=self.hidden_size,
            activation=get_activation(self.hidden_act),
            kernel_initializer=self.initializer,
            name="Discriminator-Dense",
        )
        activation = "sigmoid" if self.with_discriminator is True else self.with_discriminator
        return self.apply(
            inputs=x,
            layer=keras.layers.Dense,
            units=1,
            activation=activation,
            kernel_initializer=self.initializer,
            name="Discriminator-Prediction",
        )

    def variable_mapping(self) -> Dict[str, List[str]]:
        mapping = super().variable_mapping()
        mapping["Embedding-Mapping"] = ["electra/embeddings_project/kernel", "electra/embeddings_project/bias"]
        mapping = {k: [n.replace("bert/", "electra/") for n in v] for k, v in mapping.items()}
        mapping["Discriminator-Dense"] = ["discriminator_predictions/dense/kernel", "discriminator_predictions/dense/bias"]
        mapping["Discriminator-Prediction"] = [
            "discriminator_predictions/dense_1/kernel",
            "discriminator_predictions/dense_1/bias",
        ]
        return mapping
