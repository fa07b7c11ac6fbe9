"""The registry of ``model=`` and ``application=`` strings.

A leaf of ``kerasformers.models``: it imports the builder classes and nothing
that imports it back, so weight mapping and detection can look names up here.
"""

from __future__ import annotations

from typing import Dict

from kerasformers.models.albert import ALBERT, ALBERT_Unshared
from kerasformers.models.bert import BERT
from kerasformers.models.electra import ELECTRA
from kerasformers.models.roformer import NEZHA, RoFormer, RoFormerV2
from kerasformers.models.transformer import APPLICATION_MASKS

#: ``model=`` strings and the builder class each one selects.
MODELS: Dict[str, type] = {
    "bert": BERT,
    "roberta": BERT,
    "albert": ALBERT,
    "albert_unshared": ALBERT_Unshared,
    "nezha": NEZHA,
    "roformer": RoFormer,
    "roformer_v2": RoFormerV2,
    "electra": ELECTRA,
}

#: bert4keras model strings that kerasformers does not build yet (later releases).
PLANNED_MODELS = ("gpt", "gpt2", "gpt2_ml", "t5", "t5.1.0", "t5.1.1", "mt5.1.1")

#: ``application=`` strings and the self-attention mask each one uses.
APPLICATIONS = APPLICATION_MASKS
