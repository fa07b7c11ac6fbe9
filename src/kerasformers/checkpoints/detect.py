"""Tell a checkpoint's architecture family (and the ``model=`` to use) from its variable names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence, Tuple, Union

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
    """What a checkpoint looks like.

    Attributes:
        family: readable family name (``"ALBERT"``, ``"NEZHA or RoFormer"``).
        model: the ``model=`` value to try first ('' when none fits).
        evidence: the variables that gave it away.
        candidates: every ``model=`` consistent with the variables, best first; more
            than one family (e.g. NEZHA and RoFormer, identical names) means unsure.
    """

    family: str
    model: str
    evidence: str
    candidates: Tuple[str, ...] = ()

    @property
    def suggestion(self) -> str:
        """``model='x'`` or ``model='x' or model='y'`` (for messages)."""
        return " or ".join(f"model='{m}'" for m in (self.candidates or (self.model,)) if m)


# Vocabulary sizes of the public releases, which tell NEZHA from RoFormer when names cannot.
_NEZHA_VOCABS = (21128, 100503)
_ROFORMER_VOCABS = (50000, 12000)


def _nezha_or_roformer(training_state: bool, vocab_rows) -> Detection:
    both = ("nezha", "roformer")
    if training_state or vocab_rows in _NEZHA_VOCABS:
        why = "Adam slots/global_step" if training_state else f"{vocab_rows}-token vocabulary"
        return Detection(
            "NEZHA",
            "nezha",
            f"bert/ without position_embeddings (relative positions) and {why} as in Huawei's NEZHA releases; "
            "a RoFormer checkpoint with the same names would need model='roformer'",
            both,
        )
    if vocab_rows in _ROFORMER_VOCABS:
        return Detection(
            "RoFormer",
            "roformer",
            f"bert/ without position_embeddings (rotary positions) and the {vocab_rows}-token RoFormer vocabulary; "
            "a NEZHA checkpoint with the same names would need model='nezha'",
            ("roformer", "nezha"),
        )
    return Detection(
        "NEZHA or RoFormer",
        "nezha",
        "bert/ without position_embeddings: NEZHA (relative positions) and RoFormer (rotary) store the same "
        "names; model='nezha' for NEZHA, model='roformer' for RoFormer, RoFormer-char, RoFormer-Sim",
        both,
    )


def detect_architecture(names: Union[Iterable[str], Mapping[str, Sequence[int]]]) -> Detection:
    """Guess the architecture of a checkpoint from its variables alone.

    ``names`` is a list of variable names or a ``{name: shape}`` mapping; shapes
    (the vocabulary size) help tell NEZHA from RoFormer, whose names are identical.

    Example:
        >>> detect_architecture(["bert/embeddings/word_embeddings", "bert/embeddings/position_embeddings"]).model
        'bert'
        >>> detect_architecture({"bert/embeddings/word_embeddings": [12000, 768],
        ...                      "bert/encoder/layer_0/output/LayerNorm/gamma": [768]}).family
        'RoFormer'
    """
    shapes = dict(names) if isinstance(names, Mapping) else {}
    all_names = list(names)
    training_state = any(re.search(r"(^|/)(adam_m|adam_v|global_step)$", n) for n in all_names)
    names = [n for n in all_names if not is_optimizer_variable(n)]
    has = lambda fragment: any(fragment in n for n in names)  # noqa: E731
    if has("model/wte") or has("/attn/c_attn/"):
        return Detection(
            "OpenAI GPT-2",
            "gpt2_openai",
            "model/wte and model/h{i}/attn/c_attn (openai/gpt-2's conv1d layout; config: hparams.json)",
            ("gpt2_openai",),
        )
    if has("newslm/"):
        return Detection("GPT2_ML", "gpt2_ml", "variables under newslm/ (Grover/gpt2-ml)", ("gpt2_ml",))
    if has("shared/embedding") or has("encoder/block_000/"):
        if has("rms_norm"):
            return Detection("mT5 / T5-PEGASUS", "mt5.1.1", "encoder/block_000 with rms_norm", ("mt5.1.1",))
        if has("DenseReluDense/wi_0"):
            return Detection("T5.1.1", "t5.1.1", "gated DenseReluDense/wi_0", ("t5.1.1",))
        return Detection("T5", "t5", "encoder/block_000 with DenseReluDense/wi", ("t5", "t5.1.0"))
    if has("electra/"):
        return Detection(
            "ELECTRA", "electra", "variables under electra/ (discriminator; generator/ is not loaded)", ("electra",)
        )
    if has("gpt/"):
        if has("attention/input/LayerNorm"):
            return Detection(
                "GPT-2 (CPM-LM)", "gpt2", "gpt/ with pre-norms attention/input/LayerNorm and gpt/output/LayerNorm",
                ("gpt2",),
            )
        return Detection("GPT (CDial-GPT)", "gpt", "gpt/ with post-norms attention/output/LayerNorm", ("gpt",))
    if has("bert/encoder/layer_shared/") or has("bert/embeddings/word_embeddings_2"):
        return Detection(
            "ALBERT (brightmart's early non-Google format)",
            "",
            "bert/encoder/layer_shared or word_embeddings_2: this format is not supported (nor by bert4keras "
            ">= 0.2.4); download the '_google' release of the same model instead",
        )
    if has("bert/encoder/transformer/group_0"):
        return Detection(
            "ALBERT",
            "albert",
            "one shared block under bert/encoder/transformer/group_0 (model='albert_unshared' unties it)",
            ("albert", "albert_unshared"),
        )
    if has("bert/"):
        if has("bert/embeddings/position_embeddings"):
            if has("cls/predictions/") and has("bert/pooler/") and not has("cls/seq_relationship/"):
                evidence = (
                    "bert/ with absolute position_embeddings, a pooler and an MLM head but no NSP head, like "
                    "SimBERT (with_pool='linear', application='unilm')"
                )
            elif has("cls/predictions/") and not has("bert/pooler/") and not has("cls/seq_relationship/"):
                evidence = (
                    "bert/ with absolute position_embeddings and an MLM head but no pooler or NSP head, like "
                    "NEZHA-Gen (a causal LM: application='lm', segment_vocab_size=0)"
                )
            else:
                evidence = "bert/ with absolute position_embeddings"
            return Detection("BERT / RoBERTa", "bert", evidence, ("bert", "roberta"))
        if has("bert/encoder/layer_0/attention/self/query/kernel") and not has("LayerNorm"):
            return Detection(
                "RoFormerV2", "roformer_v2", "bert/ without LayerNorm, biases or position table", ("roformer_v2",)
            )
        if has("LayerNorm"):
            vocab = shapes.get("bert/embeddings/word_embeddings")
            return _nezha_or_roformer(training_state, int(vocab[0]) if vocab else None)
    return Detection(
        "unknown", "", "no known variable layout (bert/, electra/, gpt/, newslm/, model/h0/, encoder/block_000/)"
    )


#: Hugging Face ``model_type`` -> (family, ``model=`` candidates best first).
HF_MODEL_TYPES = {
    "bert": ("BERT / RoBERTa / MacBERT", ("bert", "roberta")),
    "albert": ("ALBERT", ("albert", "albert_unshared")),
    "electra": ("ELECTRA", ("electra",)),
    "nezha": ("NEZHA", ("nezha",)),
    "roformer": ("RoFormer", ("roformer",)),
    # transformers' GPT2LMHeadModel has OpenAI's layout (model='gpt2' is bert4keras's CPM-LM layout).
    "gpt2": ("GPT-2 (OpenAI layout)", ("gpt2_openai",)),
}
#: model_types kerasformers knows but cannot load from HF files, with the reason.
HF_UNSUPPORTED = {
    "roberta": "transformers' RoBERTa layout (FacebookAI/xlm-roberta) offsets positions by padding_idx + 1; the "
    "Chinese RoBERTa releases (hfl/chinese-roberta-wwm-ext, ...) are model_type 'bert' and load with model='bert'",
}


_T5_NUMERICS = (
    "; numerics: 'mesh_tf' (transformers') by default for an HF folder, 'bert4keras' when it holds a vocab.txt "
    "(T5-PEGASUS) or kerasformers saved it; numerics= overrides"
)


def detect_hf_architecture(config: Mapping, names: Iterable[str] = ()) -> Detection:
    """The family of a Hugging Face folder from its ``config.json`` (and parameter names).

    junnyu's RoFormerV2 uploads say ``model_type: roformer`` with ``norm_type: rms_norm``.

    Example:
        >>> detect_hf_architecture({"model_type": "roformer", "norm_type": "rms_norm"}).model
        'roformer_v2'
        >>> detect_hf_architecture({}, ["albert.embeddings.word_embeddings.weight"]).model
        'albert'
    """
    model_type = str(config.get("model_type", "")).lower()
    if not model_type:
        roots = {n.split(".")[0] for n in names}
        model_type = next((t for t in HF_MODEL_TYPES if t in roots), "")
        if not model_type and any(n.startswith("encoder.layer.") for n in names):
            model_type = "bert"
    if model_type in HF_UNSUPPORTED:
        return Detection(f"unsupported ({model_type})", "", HF_UNSUPPORTED[model_type])
    if model_type in ("t5", "mt5"):
        gated = str(config.get("feed_forward_proj", "relu")).startswith("gated")
        if model_type == "mt5":
            return Detection("mT5 / T5-PEGASUS", "mt5.1.1", "model_type 'mt5'" + _T5_NUMERICS, ("mt5.1.1", "t5.1.1"))
        if gated:
            return Detection("T5.1.1", "t5.1.1", "model_type 't5', gated FFN" + _T5_NUMERICS, ("t5.1.1", "mt5.1.1"))
        return Detection("T5", "t5", "model_type 't5', ReLU FFN" + _T5_NUMERICS, ("t5", "t5.1.0"))
    if model_type == "roformer" and (config.get("norm_type") == "rms_norm" or config.get("use_bias") is False):
        return Detection("RoFormerV2", "roformer_v2", "model_type 'roformer' with norm_type 'rms_norm'", ("roformer_v2",))
    if model_type in HF_MODEL_TYPES:
        family, candidates = HF_MODEL_TYPES[model_type]
        source = "config.json" if config.get("model_type") else "parameter names"
        return Detection(family, candidates[0], f"model_type '{model_type}' ({source})", candidates)
    return Detection("unknown", "", f"model_type {model_type or 'missing'!r} is not a family kerasformers loads")
