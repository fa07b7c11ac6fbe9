"""Writing a model in Hugging Face format: ``config.json`` + ``model.safetensors`` for transformers.

The tensor names come from each family's ``hf_rules`` (the same data that
loading reads, applied the other way); this module writes the config that
transformers needs to rebuild the model: BERT-like families, T5/mT5
(``T5ForConditionalGeneration``) and OpenAI-layout GPT-2 (``GPT2LMHeadModel``).

Example:
    >>> import tempfile
    >>> from kerasformers.models import build_transformer_model
    >>> bert = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
    ...     num_attention_heads=4, intermediate_size=64, hidden_act="gelu", return_keras_model=False)
    >>> folder = bert.save_weights_as_safetensors(tempfile.mkdtemp())
    >>> sorted(os.listdir(folder))
    ['config.json', 'model.safetensors']
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Dict

from kerasformers.checkpoints.hf import write_hf_folder
from kerasformers.models.hf_config import NUMERICS_KEY
from kerasformers.models.hf_weights import hf_tensors

# kerasformers activation names -> transformers' ACT2FN names.
_HF_ACTIVATIONS = {"gelu": "gelu", "gelu_erf": "gelu", "gelu_tanh": "gelu_new", "swish": "silu", "silu": "silu"}
# Inside T5's feed_forward_proj, "gated-gelu" means the tanh form (transformers keeps it for old configs);
# the erf form is spelled "gelu_python" there.
_T5_GATED_ACTIVATIONS = {"gelu_tanh": "gelu", "gelu_new": "gelu", "gelu": "gelu_python", "gelu_erf": "gelu_python"}


def _activation(act) -> str:
    if not isinstance(act, str):
        raise ValueError(f"hidden_act {act!r} has no Hugging Face name; build with a string activation.")
    return _HF_ACTIVATIONS.get(act, act)


def _same_embedding_width(transformer) -> None:
    if transformer.embedding_size != transformer.hidden_size:
        raise ValueError(
            f"{type(transformer).__name__} with embedding_size={transformer.embedding_size} != hidden_size="
            f"{transformer.hidden_size} has no Hugging Face {transformer.hf_model_type} equivalent (its "
            "embedding mapping layer has no place in the HF model); it can be saved with save_weights_as_checkpoint."
        )


def _encoder_config(transformer) -> Dict[str, Any]:
    """BERT, RoBERTa, ALBERT, NEZHA, RoFormer(V2), ELECTRA: bert4keras's own config keys."""
    config = {
        "vocab_size": transformer.vocab_size,
        "hidden_size": transformer.hidden_size,
        "embedding_size": transformer.embedding_size,
        "num_hidden_layers": transformer.num_hidden_layers,
        "num_attention_heads": transformer.num_attention_heads,
        "intermediate_size": transformer.intermediate_size,
        "hidden_act": _activation(transformer.hidden_act),
        "hidden_dropout_prob": transformer.dropout_rate,
        "attention_probs_dropout_prob": transformer.attention_dropout_rate,
        "max_position_embeddings": getattr(transformer, "max_position", 512),
        "type_vocab_size": getattr(transformer, "segment_vocab_size", 0),
        "layer_norm_eps": transformer.norm_kwargs.get("epsilon", 1e-12),
        "pad_token_id": 0,
    }
    if transformer.hf_model_type == "roformer" and not transformer.use_bias:
        # junnyu's roformer package reads these (its RoFormerV2 uploads carry them).
        config.update(norm_type="rms_norm", use_bias=False)
    if transformer.hf_model_type == "nezha":
        config["max_relative_position"] = transformer.max_relative_position
    return config


def _t5_feed_forward_proj(act) -> str:
    """kerasformers' T5 ``hidden_act`` (a ``[act, 'linear']`` pair when gated) as ``feed_forward_proj``."""
    if isinstance(act, (list, tuple)):
        if len(act) != 2 or act[1] != "linear":
            raise ValueError(f"T5 hidden_act {act!r} has no Hugging Face feed_forward_proj; it takes [act, 'linear'].")
        return "gated-" + _T5_GATED_ACTIVATIONS.get(act[0], _activation(act[0]))
    return _activation(act)


def _warn_numerics(transformer) -> None:
    """transformers computes T5 as mesh-TF does: say so when the model computes otherwise."""
    decoder = getattr(transformer, "_decoder", transformer)
    differences = []
    if transformer.numerics != "mesh_tf":
        differences.append(f"numerics={transformer.numerics!r}")
    if getattr(decoder, "cross_position_bias", False):
        differences.append("position bias in cross-attention")
    if hasattr(decoder, "logit_scale") and decoder.logit_scale != (transformer.version == "t5.1.0"):
        differences.append(f"logit_scale={decoder.logit_scale}")
    if differences:
        warnings.warn(
            f"{type(transformer).__name__} was built with {', '.join(differences)}; transformers' T5 computes "
            "mesh-TF's numerics, so it will give other outputs from these same weights (kerasformers reads them "
            f"back with numerics={transformer.numerics!r}: config.json records it under {NUMERICS_KEY!r}). "
            "Build with numerics='mesh_tf' for a model transformers reproduces.",
            stacklevel=4,
        )


def _t5_config(transformer) -> Dict[str, Any]:
    """T5.1.0 / T5.1.1 / mT5 (and T5-PEGASUS): transformers' ``T5Config``/``MT5Config`` keys."""
    _same_embedding_width(transformer)
    _warn_numerics(transformer)
    return {
        "model_type": "mt5" if transformer.version == "mt5.1.1" else "t5",
        "vocab_size": transformer.vocab_size,
        "d_model": transformer.hidden_size,
        "d_kv": transformer.attention_head_size,
        "d_ff": transformer.intermediate_size,
        "num_layers": transformer.num_hidden_layers,
        "num_decoder_layers": transformer.num_hidden_layers,
        "num_heads": transformer.num_attention_heads,
        "relative_attention_num_buckets": transformer.relative_attention_num_buckets,
        "relative_attention_max_distance": transformer.relative_attention_max_distance,
        "dropout_rate": transformer.dropout_rate,
        "layer_norm_epsilon": transformer.norm_kwargs.get("epsilon", 1e-6),
        "feed_forward_proj": _t5_feed_forward_proj(transformer.hidden_act),
        # T5.1.0 ties the output to the embeddings (and scales the decoder output); 1.1 and mT5 do not.
        "tie_word_embeddings": transformer.version == "t5.1.0",
        "is_encoder_decoder": True,
        "pad_token_id": 0,
        "eos_token_id": 1,
        "decoder_start_token_id": 0,
        # transformers ignores this key; kerasformers reads it back so a reload computes as this model did.
        NUMERICS_KEY: transformer.numerics,
    }


def _gpt2_config(transformer) -> Dict[str, Any]:
    """OpenAI-layout GPT-2 (``model='gpt2_openai'``): transformers' ``GPT2Config`` keys."""
    _same_embedding_width(transformer)
    return {
        "vocab_size": transformer.vocab_size,
        "n_embd": transformer.hidden_size,
        "n_layer": transformer.num_hidden_layers,
        "n_head": transformer.num_attention_heads,
        "n_inner": transformer.intermediate_size,
        "n_positions": transformer.max_position,
        "activation_function": _activation(transformer.hidden_act),
        "resid_pdrop": transformer.dropout_rate,
        "embd_pdrop": transformer.dropout_rate,
        "attn_pdrop": transformer.attention_dropout_rate,
        "layer_norm_epsilon": transformer.norm_kwargs.get("epsilon", 1e-5),
        "tie_word_embeddings": True,
        # OpenAI's <|endoftext|> is its last id; other vocabularies (UER's Chinese one) name theirs elsewhere.
        "bos_token_id": 50256 if transformer.vocab_size == 50257 else None,
        "eos_token_id": 50256 if transformer.vocab_size == 50257 else None,
    }


#: ``hf_model_type`` -> the config writer of that family (default: the BERT-like keys).
_CONFIG_WRITERS: Dict[str, Callable[[Any], Dict[str, Any]]] = {"t5": _t5_config, "gpt2": _gpt2_config}


def hf_config(transformer) -> Dict[str, Any]:
    """The ``config.json`` transformers needs to rebuild ``transformer``."""
    if transformer.hf_model_type is None:
        raise NotImplementedError(
            f"{type(transformer).__name__} cannot be saved in Hugging Face format: transformers has no model with "
            "its layout and names. Use save_weights_as_checkpoint (TF format) instead."
        )
    writer = _CONFIG_WRITERS.get(transformer.hf_model_type, _encoder_config)
    config = {"model_type": transformer.hf_model_type, "architectures": [transformer.hf_architecture()]}
    config.update(writer(transformer))
    return config


def save_weights_as_safetensors(transformer, folder: str, dtype=None) -> str:
    """Write ``folder/config.json`` and ``folder/model.safetensors`` (HF names, ``[out, in]`` Linear weights).

    The heads the model was built with are written (pooler, MLM, NSP, LM, ...)
    and ``config.json`` names the matching transformers class, so
    ``AutoModel``/``AutoModelFor...from_pretrained(folder)`` loads it. ``dtype``
    (e.g. ``"float16"``) stores a smaller copy. Returns ``folder``.
    """
    from kerasformers.models.weights import mapped_variables

    config = hf_config(transformer)
    variables = mapped_variables(transformer, dtype=dtype)
    return write_hf_folder(os.fspath(folder), config, hf_tensors(variables, transformer.hf_rules, transformer.hf_transposed))
