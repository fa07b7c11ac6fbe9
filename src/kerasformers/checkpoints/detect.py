"""Tell a checkpoint's architecture family (and the ``model=`` to use) from its variable names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

# Variables that are training state, not model weights; loaders skip them silently.
_OPTIMIZER_PATTERNS = re.compile(
    r"(^|/)(global_step|adam_m|adam_v|adafactor_v|adafactor_vr|adafactor_vc|temperature|"
    r"AdamWeightDecayOptimizer(_\d+)?|LAMB(_\d+)?|Momentum)$|_slot_(m|v|vr|vc)$|"
    r"(^|/)(beta1_power|beta2_power)$|/(Adam|Adam_1)$"
)


def is_optimizer_variable(name: str) -> bool:
    """True for optimizer slots and step counters (``adam_m``, ``global_step``, ...).

    Example:
        >>> is_optimizer_variable("bert/pooler/dense/kernel/adam_m"), is_optimizer_variable("bert/pooler/dense/kernel")
        (True, False)
    """
    return bool(_OPTIMIZER_PATTERNS.search(name))


@dataclass(frozen=True)
class Detection:
    """What a checkpoint looks like: family name, ``model=`` value, and why."""

    family: str
    model: str
    evidence: str


def detect_architecture(names: Iterable[str]) -> Detection:
    """Guess the architecture of a checkpoint from its variable names alone.

    Example:
        >>> detect_architecture(["bert/embeddings/word_embeddings", "bert/embeddings/position_embeddings"]).model
        'bert'
    """
    names = [n for n in names if not is_optimizer_variable(n)]
    has = lambda fragment: any(fragment in n for n in names)  # noqa: E731
    if has("newslm/"):
        return Detection("GPT2_ML", "gpt2_ml", "variables under newslm/ (Grover/gpt2-ml)")
    if has("shared/embedding") or has("encoder/block_000/"):
        if has("rms_norm"):
            return Detection("mT5 / T5-PEGASUS", "mt5.1.1", "encoder/block_000 with rms_norm")
        if has("DenseReluDense/wi_0"):
            return Detection("T5.1.1", "t5.1.1", "gated DenseReluDense/wi_0")
        return Detection("T5", "t5", "encoder/block_000 with DenseReluDense/wi")
    if has("electra/"):
        return Detection("ELECTRA", "electra", "variables under electra/")
    if has("gpt/"):
        if has("attention/input/LayerNorm"):
            return Detection("GPT-2 (CPM-LM)", "gpt2", "gpt/ with pre-norm input/LayerNorm")
        return Detection("GPT", "gpt", "variables under gpt/")
    if has("bert/encoder/transformer/group_0"):
        return Detection("ALBERT", "albert", "shared bert/encoder/transformer/group_0")
    if has("bert/"):
        if has("bert/embeddings/position_embeddings"):
            return Detection("BERT / RoBERTa", "bert", "bert/ with absolute position_embeddings")
        if not has("LayerNorm"):
            return Detection("RoFormerV2", "roformer_v2", "bert/ without LayerNorm, biases or position table")
        return Detection(
            "NEZHA or RoFormer",
            "nezha",
            "bert/ without position_embeddings (relative or rotary positions): model='nezha' for NEZHA, "
            "model='roformer' for RoFormer/RoFormer-Sim",
        )
    return Detection("unknown", "", "no known variable prefix (bert/, electra/, gpt/, newslm/, encoder/block_000/)")
