"""Which keyword arguments ``build_transformer_model`` accepts, and the error for the others.

bert4keras swallowed every unknown keyword, so ``with_mlmm=True`` built a model
without its MLM head and said nothing. Here the keywords a user *types* are
checked against what the chosen model class reads; keys that come from the
config *file* are not, since real ``config.json`` files (Google's, Hugging
Face's) carry many keys no builder reads (``initializer_range``,
``layer_norm_eps``, ``model_type``, ``architectures``, ``pooler_*``...).

A model family accepts: the parameters of its ``__init__`` (and its bases'),
those of :meth:`Transformer.build`, and the names in its ``extra_config_keys``
class attribute, so a family that reads a keyword through ``**kwargs`` declares
it in one line::

    class T5(Transformer):
        extra_config_keys = ("version", "with_lm", "cross_position_bias")
"""

from __future__ import annotations

import difflib
import inspect
from typing import Iterable, Mapping, Set

#: Keywords accepted by every family: the config file's original spellings of the keys
#: bert4keras renames (``max_position_embeddings`` -> ``max_position``, ...).
COMMON_KEYWORDS = frozenset(
    {"max_position_embeddings", "type_vocab_size", "hidden_dropout_prob", "attention_probs_dropout_prob"}
)


def accepted_keywords(model_class: type) -> Set[str]:
    """Every keyword ``build_transformer_model(..., model=model_class)`` accepts.

    Example:
        >>> from kerasformers.models import BERT
        >>> {"with_mlm", "max_position", "layer_norm_cond", "type_vocab_size"} <= accepted_keywords(BERT)
        True
    """
    names = set(COMMON_KEYWORDS)
    for cls in model_class.__mro__:
        for method in ("__init__", "build"):
            function = cls.__dict__.get(method)
            if function is None:
                continue
            for parameter in inspect.signature(function).parameters.values():
                if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                    names.add(parameter.name)
        names.update(cls.__dict__.get("extra_config_keys", ()))
    names.discard("self")
    return names


def check_keywords(model_class: type, keywords: Mapping[str, object], also: Iterable[str] = ()) -> None:
    """Raise ``TypeError`` naming each keyword ``model_class`` does not read, with the closest valid one.

    Example:
        >>> from kerasformers.models import BERT
        >>> check_keywords(BERT, {"with_mlmm": True})
        Traceback (most recent call last):
        ...
        TypeError: build_transformer_model got an unexpected keyword argument 'with_mlmm' (did you mean 'with_mlm'?) for model class BERT; keys in the config file are not checked, keyword arguments are.
    """
    valid = accepted_keywords(model_class) | set(also)
    unknown = [key for key in keywords if key not in valid]
    if not unknown:
        return
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.6)
        parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    noun = "argument" if len(parts) == 1 else "arguments"
    raise TypeError(
        f"build_transformer_model got an unexpected keyword {noun} {', '.join(parts)} for model class "
        f"{model_class.__name__}; keys in the config file are not checked, keyword arguments are."
    )
