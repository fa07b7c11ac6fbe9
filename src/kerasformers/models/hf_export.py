"""Writing a model in Hugging Face format: ``config.json`` + ``model.safetensors`` for transformers.

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
from typing import Any, Dict

from kerasformers.checkpoints.hf import write_hf_folder
from kerasformers.models.hf_weights import hf_tensors

# kerasformers activation names -> transformers' ACT2FN names.
_HF_ACTIVATIONS = {"gelu": "gelu", "gelu_erf": "gelu", "gelu_tanh": "gelu_new", "swish": "silu", "silu": "silu"}


def hf_config(transformer) -> Dict[str, Any]:
    """The ``config.json`` transformers needs to rebuild ``transformer``."""
    if transformer.hf_model_type is None:
        raise NotImplementedError(f"{type(transformer).__name__} cannot be saved in Hugging Face format yet.")
    act = transformer.hidden_act
    if not isinstance(act, str):
        raise ValueError(f"hidden_act {act!r} has no Hugging Face name; build with a string activation.")
    config = {
        "model_type": transformer.hf_model_type,
        "architectures": [transformer.hf_architecture()],
        "vocab_size": transformer.vocab_size,
        "hidden_size": transformer.hidden_size,
        "embedding_size": transformer.embedding_size,
        "num_hidden_layers": transformer.num_hidden_layers,
        "num_attention_heads": transformer.num_attention_heads,
        "intermediate_size": transformer.intermediate_size,
        "hidden_act": _HF_ACTIVATIONS.get(act, act),
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


def save_weights_as_safetensors(transformer, folder: str, dtype=None) -> str:
    """Write ``folder/config.json`` and ``folder/model.safetensors`` (HF names, ``[out, in]`` Linear weights).

    The heads the model was built with are written (pooler, MLM, NSP, ...) and
    ``config.json`` names the matching transformers class, so
    ``AutoModel``/``AutoModelFor...from_pretrained(folder)`` loads it. ``dtype``
    (e.g. ``"float16"``) stores a smaller copy. Returns ``folder``.
    """
    from kerasformers.models.weights import mapped_variables

    config = hf_config(transformer)
    variables = mapped_variables(transformer, dtype=dtype)
    return write_hf_folder(os.fspath(folder), config, hf_tensors(variables, transformer.hf_rules, transformer.hf_transposed))
