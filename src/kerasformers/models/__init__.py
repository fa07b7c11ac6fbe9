"""``build_transformer_model`` and the registry of model and application names."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Union

from kerasformers.models.albert import ALBERT, ALBERT_Unshared
from kerasformers.models.bert import BERT
from kerasformers.models.electra import ELECTRA
from kerasformers.models.hf_config import NUMERICS_KEY, hf_t5_numerics, translate_hf_config
from kerasformers.models.gpt import GPT, GPT2, GPT2_ML
from kerasformers.models.gpt2_openai import GPT2_OpenAI
from kerasformers.models.keywords import accepted_keywords, check_keywords
from kerasformers.models.roformer import NEZHA, RoFormer, RoFormerV2
from kerasformers.models.registry import APPLICATIONS, MODEL_ARGUMENTS, MODELS, PLANNED_MODELS
from kerasformers.models.t5 import T5, T5_Decoder, T5_Encoder
from kerasformers.models.transformer import Transformer

# bert_config.json keys that bert4keras renames before building.
_CONFIG_ALIASES = {
    "max_position_embeddings": "max_position",
    "hidden_dropout_prob": "dropout_rate",
    "attention_probs_dropout_prob": "attention_dropout_rate",
    "type_vocab_size": "segment_vocab_size",
    # openai/gpt-2's hparams.json
    "n_vocab": "vocab_size",
    "n_ctx": "max_position",
    "n_embd": "hidden_size",
    "n_head": "num_attention_heads",
    "n_layer": "num_hidden_layers",
}


def load_config(config_path: Union[str, os.PathLike, None], **overrides) -> Dict[str, Any]:
    """Read a ``bert_config.json``-style file and translate its keys the bert4keras way.

    A Hugging Face folder (or its ``config.json``) works too: its keys are
    translated by :func:`~kerasformers.models.hf_config.translate_hf_config`,
    and a T5/mT5 folder gets the ``numerics=`` transformers computes it with
    unless one is given (:func:`~kerasformers.models.hf_config.hf_t5_numerics`).

    Example:
        >>> import json, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "bert_config.json")
        >>> _ = open(path, "w").write(json.dumps({"type_vocab_size": 2, "hidden_size": 8}))
        >>> sorted(load_config(path).items())
        [('hidden_size', 8), ('max_position', 512), ('segment_vocab_size', 2)]
        >>> load_config(path, type_vocab_size=0)["segment_vocab_size"]
        0
    """
    configs: Dict[str, Any] = {}
    if config_path is not None and os.path.isdir(config_path):
        config_path = os.path.join(config_path, "config.json")
    if config_path is not None:
        if not os.path.isfile(config_path):
            raise FileNotFoundError(f"Config file {os.fspath(config_path)!r} does not exist.")
        with open(config_path, encoding="utf-8") as f:
            try:
                configs.update(json.load(f))
            except json.JSONDecodeError as e:
                raise ValueError(f"Config file {os.fspath(config_path)!r} is not valid JSON: {e}") from e
        if "model_type" in configs:
            if str(configs["model_type"]).lower() in ("t5", "mt5") and "numerics" not in overrides:
                configs["numerics"] = hf_t5_numerics(configs, os.path.dirname(os.path.abspath(config_path)))
            configs.pop(NUMERICS_KEY, None)
            configs = translate_hf_config(configs)
            # In an HF config the transformers key is the one in force.
            for key, alias in _CONFIG_ALIASES.items():
                if key in configs:
                    configs.pop(alias, None)
    # Keyword arguments override the file under either spelling (``type_vocab_size=0``
    # as well as ``segment_vocab_size=0``), so merge them before translating keys.
    configs.update(overrides)
    if "n_embd" in configs and "intermediate_size" not in configs:
        configs["intermediate_size"] = 4 * configs["n_embd"]  # GPT-2's FFN width, not in hparams.json
    for key, alias in _CONFIG_ALIASES.items():
        if key in configs:
            value = configs.pop(key)
            if alias not in overrides and (key in overrides or alias not in configs):
                configs[alias] = value
    configs.setdefault("max_position", 512)
    configs.setdefault("segment_vocab_size", 2)
    return configs


def _resolve_model(model: Union[str, type]) -> type:
    if isinstance(model, type):
        if not issubclass(model, Transformer):
            raise ValueError(f"model class {model.__name__} is not a kerasformers Transformer subclass.")
        return model
    key = str(model).lower()
    if key in MODELS:
        return MODELS[key]
    if key in PLANNED_MODELS or key.split("_")[0] in PLANNED_MODELS:
        raise ValueError(
            f"model={model!r} is a bert4keras architecture that kerasformers 0.1 does not build yet; "
            f"available: {sorted(MODELS)}."
        )
    raise ValueError(f"Unknown model={model!r}; valid values: {sorted(MODELS)}.")


def build_transformer_model(
    config_path: Union[str, os.PathLike, None] = None,
    checkpoint_path: Union[str, os.PathLike, dict, None] = None,
    model: Union[str, type] = "bert",
    application: Optional[str] = None,
    return_keras_model: bool = True,
    **kwargs,
):
    """Build a model from a bert4keras-style config and optionally load a TF checkpoint.

    Every keyword argument overrides the config file and is passed both to the
    builder and to its ``build()`` (as in bert4keras). Unlike bert4keras, a
    keyword the model does not read raises ``TypeError`` naming the closest
    valid one (``with_mlmm`` -> ``with_mlm``); keys of the config file are not
    checked (see :mod:`kerasformers.models.keywords`).

    Args:
        config_path: ``bert_config.json``-style file (or None: give everything as kwargs).
        checkpoint_path: TF checkpoint prefix, its folder, a Hugging Face model folder
            (``model.safetensors``, sharded or not, or ``pytorch_model.bin``), or a ``{name: array}`` dict.
        model: a key of :data:`MODELS` (``'bert'``, ``'roberta'``, ``'albert'``,
            ``'albert_unshared'``, ``'nezha'``, ``'roformer'``, ``'roformer_v2'``,
            ``'electra'``, ``'gpt'``, ``'gpt2'``, ``'gpt2_ml'``, ``'gpt2_openai'``,
            ``'t5'``/``'t5.1.0'``, ``'t5.1.1'``, ``'mt5.1.1'`` and their
            ``_encoder``/``_decoder`` forms) or a :class:`Transformer` subclass. T5 models
            take ``numerics='bert4keras'`` (default) or ``'mesh_tf'`` (default for a Hugging
            Face T5 folder without a ``vocab.txt``: transformers' numerics; docs/t5.md).
        application: ``'encoder'`` (padding mask), ``'lm'`` (causal mask) or ``'unilm'``
            (seq2seq mask); None (default) keeps the family's own mask: padding for the
            encoders, causal for the GPT family (a causal LM, as in bert4keras).
        return_keras_model: return the ``keras.Model`` (default) or the builder object.

    Example:
        >>> model = build_transformer_model(None, None, vocab_size=100, hidden_size=32,
        ...     num_hidden_layers=1, num_attention_heads=4, intermediate_size=64, hidden_act="gelu")
        >>> model.output_shape
        (None, None, 32)
    """
    model_class = _resolve_model(model)
    check_keywords(model_class, kwargs)
    configs = load_config(config_path, **kwargs)
    if isinstance(model, str):
        configs.update(MODEL_ARGUMENTS.get(model.lower(), {}))
    if application is not None:
        application = str(application).lower()
        if application not in APPLICATIONS:
            raise ValueError(f"Unknown application={application!r}; valid values: {sorted(APPLICATIONS)}.")
        if application not in model_class.applications:
            raise ValueError(
                f"application={application!r} is not available for {model_class.__name__} "
                f"(it has no language-model head); valid values: {list(model_class.applications)}."
            )
    if application in ("lm", "unilm") and model_class.application_head:
        # bert4keras gives LM/UniLM encoders their MLM head automatically.
        configs[model_class.application_head] = configs.get(model_class.application_head) or True
    missing = [
        k
        for k in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size")
        if k not in configs
    ]
    if missing:
        source = f"config {os.fspath(config_path)!r}" if config_path is not None else "the keyword arguments"
        raise ValueError(f"{', '.join(missing)} missing from {source}; pass them as keyword arguments.")
    configs.setdefault("hidden_act", model_class.default_hidden_act)

    transformer = model_class(application=application, **configs)
    transformer.build(**configs)
    if checkpoint_path is not None:
        transformer.load_weights_from_checkpoint(checkpoint_path)
    return transformer.model if return_keras_model else transformer


__all__ = [
    "ALBERT",
    "ALBERT_Unshared",
    "APPLICATIONS",
    "BERT",
    "ELECTRA",
    "GPT",
    "GPT2",
    "GPT2_ML",
    "GPT2_OpenAI",
    "MODELS",
    "NEZHA",
    "RoFormer",
    "RoFormerV2",
    "T5",
    "T5_Decoder",
    "T5_Encoder",
    "Transformer",
    "accepted_keywords",
    "build_transformer_model",
    "load_config",
]
