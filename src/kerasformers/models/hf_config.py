"""Hugging Face ``config.json`` keys translated to the bert4keras config keys the builders take.

BERT-family HF configs already use bert4keras's names (``hidden_size``,
``max_position_embeddings``, ...); GPT-2 and T5 configs use their own, listed
here as data. Keys transformers keeps for bookkeeping that collide with builder
arguments (``prefix``, ``name``) are dropped.

Example:
    >>> cfg = translate_hf_config({"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4,
    ...                            "n_inner": None, "layer_norm_epsilon": 1e-5})
    >>> cfg["hidden_size"], cfg["intermediate_size"], cfg["layer_norm_eps"]
    (64, 256, 1e-05)
"""

from __future__ import annotations

import os
from typing import Any, Dict

#: HF key -> bert4keras/kerasformers key, per family (``None``: all families).
HF_CONFIG_KEYS: Dict[str, Dict[str, str]] = {
    "gpt2": {
        "n_embd": "hidden_size",
        "n_layer": "num_hidden_layers",
        "n_head": "num_attention_heads",
        "n_inner": "intermediate_size",
        "n_positions": "max_position_embeddings",
        "layer_norm_epsilon": "layer_norm_eps",
        "activation_function": "hidden_act",
        "resid_pdrop": "hidden_dropout_prob",
        "attn_pdrop": "attention_probs_dropout_prob",
    },
    "t5": {
        "d_model": "hidden_size",
        "num_layers": "num_hidden_layers",
        "num_heads": "num_attention_heads",
        "d_ff": "intermediate_size",
        "d_kv": "attention_head_size",
        "layer_norm_epsilon": "layer_norm_eps",
    },
}
HF_CONFIG_KEYS["mt5"] = HF_CONFIG_KEYS["t5"]
# T5's feed_forward_proj -> bert4keras's hidden_act (a list means a gated FFN).
# "gated-gelu_python"/"gated-gelu_new" name the erf/tanh forms explicitly (kerasformers writes the former for an erf GELU).
_T5_FFN = {"relu": "relu", "gated-gelu": ["gelu", "linear"], "gated-relu": ["relu", "linear"], "gated-silu": ["swish", "linear"],
           "gated-gelu_python": ["gelu_erf", "linear"], "gated-gelu_new": ["gelu_tanh", "linear"]}  # fmt: skip
_BOOKKEEPING = ("prefix", "name", "layers")


def translate_hf_config(config: Dict[str, Any]) -> Dict[str, Any]:
    """A Hugging Face config as builder keyword arguments; HF values win over keys already present."""
    model_type = str(config.get("model_type", "")).lower()
    out = {k: v for k, v in config.items() if k not in _BOOKKEEPING}
    for hf_key, key in HF_CONFIG_KEYS.get(model_type, {}).items():
        if hf_key in out:
            out[key] = out.pop(hf_key)
    if model_type == "gpt2" and out.get("intermediate_size") is None and "hidden_size" in out:
        out["intermediate_size"] = 4 * out["hidden_size"]
    if model_type in ("t5", "mt5") and "feed_forward_proj" in out:
        out["hidden_act"] = _T5_FFN.get(out["feed_forward_proj"], out["feed_forward_proj"])
    if model_type == "albert" and (out.get("num_hidden_groups", 1) != 1 or out.get("inner_group_num", 1) != 1):
        raise ValueError(
            f"ALBERT config with num_hidden_groups={out.get('num_hidden_groups')} and inner_group_num="
            f"{out.get('inner_group_num')}: kerasformers (like bert4keras) builds the released layout, one group of one layer."
        )
    if model_type == "roformer" and out.get("rotary_value"):
        raise ValueError("RoFormer config with rotary_value=true (rotary on values too) is not supported.")
    return out


#: ``config.json`` key kerasformers writes beside transformers' T5 keys when it saves a T5 (transformers ignores it).
NUMERICS_KEY = "kerasformers_numerics"


def hf_t5_numerics(config: Dict[str, Any], folder: str) -> str:
    """The T5 ``numerics=`` a Hugging Face T5/mT5 folder is computed with, when the caller gives none.

    transformers computes every T5 folder with mesh-TF's numerics, so that is the
    default: ``google/mt5-small`` then gives transformers' outputs without extra
    flags. Two kinds of folder were trained in bert4keras instead and keep its
    numerics: a folder kerasformers saved (``config.json`` records them under
    :data:`NUMERICS_KEY`), and the T5-PEGASUS conversions (``imxly/t5-pegasus``),
    known by the WordPiece ``vocab.txt`` they ship instead of a SentencePiece model.

    Example:
        >>> hf_t5_numerics({"model_type": "mt5"}, "/no/such/folder")
        'mesh_tf'
        >>> hf_t5_numerics({"model_type": "mt5", NUMERICS_KEY: "bert4keras"}, "/no/such/folder")
        'bert4keras'
    """
    if config.get(NUMERICS_KEY):
        return str(config[NUMERICS_KEY])
    return "bert4keras" if os.path.isfile(os.path.join(folder, "vocab.txt")) else "mesh_tf"
