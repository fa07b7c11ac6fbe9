"""The registry of ``model=`` and ``application=`` strings.

A leaf of ``kerasformers.models``: it imports the builder classes and nothing
that imports it back, so weight mapping and detection can look names up here.
"""

from __future__ import annotations

from typing import Dict

from kerasformers.models.albert import ALBERT, ALBERT_Unshared
from kerasformers.models.bert import BERT
from kerasformers.models.electra import ELECTRA
from kerasformers.models.gpt import GPT, GPT2, GPT2_ML
from kerasformers.models.gpt2_openai import GPT2_OpenAI
from kerasformers.models.roformer import NEZHA, RoFormer, RoFormerV2
from kerasformers.models.transformer import APPLICATION_MASKS
from kerasformers.models.t5 import T5, T5_Decoder, T5_Encoder

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
    "gpt": GPT,
    "gpt2": GPT2,
    "gpt2_ml": GPT2_ML,
    "gpt2_openai": GPT2_OpenAI,
}
# T5: the model string also sets the version (mesh-TF variable names, FFN kind, output head).
for _name in ("t5", "t5.1.0", "t5.1.1", "mt5.1.1"):
    MODELS.update({_name: T5, f"{_name}_encoder": T5_Encoder, f"{_name}_decoder": T5_Decoder})

#: Builder arguments a model string implies (bert4keras sets T5's ``version`` this way).
MODEL_ARGUMENTS: Dict[str, Dict[str, str]] = {
    f"{name}{part}": {"version": version}
    for name, version in (("t5", "t5.1.0"), ("t5.1.0", "t5.1.0"), ("t5.1.1", "t5.1.1"), ("mt5.1.1", "mt5.1.1"))
    for part in ("", "_encoder", "_decoder")
}

#: bert4keras model strings that kerasformers does not build yet (later releases).
PLANNED_MODELS: tuple = ()

#: ``application=`` strings and the self-attention mask each one uses.
APPLICATIONS = APPLICATION_MASKS
