"""Hugging Face parameter names onto the same Keras layers as the TF checkpoint names.

A model's :meth:`~kerasformers.models.transformer.Transformer.variable_mapping`
names TF variables. Each family adds ``hf_rules`` beside that mapping: regex
rewrites of a TF name into the HF one, applied before :data:`GENERIC_RULES`
(``layer_3`` -> ``layer.3``, ``gamma``/``beta``/``kernel`` -> ``weight``/``bias``,
``/`` -> ``.``). HF ``Linear`` weights are ``[out, in]``, so every TF ``kernel``
is transposed on the way in and out. :class:`HFNameView` shows an HF folder
under TF names, so loading, ``keep_tokens`` and reports stay one code path.

Example:
    >>> from kerasformers.models import BERT
    >>> hf_name("bert/encoder/layer_3/attention/self/query/kernel", BERT.hf_rules)
    'bert.encoder.layer.3.attention.self.query.weight'
    >>> hf_name("cls/predictions/output_bias", BERT.hf_rules)
    'cls.predictions.bias'
"""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

from kerasformers.checkpoints.hf import is_derived_hf_name

Rules = Sequence[Tuple[str, str]]

#: Rewrites every family shares, applied after the family's own ``hf_rules``.
GENERIC_RULES: Rules = (
    (r"/layer_(\d+)/", r"/layer/\1/"),
    (r"/gamma$", "/weight"),
    (r"/beta$", "/bias"),
    (r"/kernel$", "/weight"),
    (r"(embeddings|embedding)$", r"\1/weight"),
    (r"/", "."),
)

def hf_name(tf_name: str, rules: Rules) -> str:
    """The HF parameter name of a TF checkpoint name under a family's ``rules``."""
    name = tf_name
    for pattern, replacement in tuple(rules) + tuple(GENERIC_RULES):
        name = re.sub(pattern, replacement, name)
    return name


def _is_kernel(tf_name: str) -> bool:
    return tf_name.endswith("kernel")


class HFNameView:
    """An HF checkpoint reader seen under a model's TF variable names.

    HF names the model does not map keep their own name (and show up as
    unused); a name stored without the base-model prefix (``BertModel`` saves
    ``embeddings.word_embeddings.weight``, not ``bert.embeddings...``) is found too.
    """

    def __init__(self, reader, tf_names: Sequence[str], rules: Rules):
        self.reader = reader
        self.prefix = reader.prefix
        stored = set(reader.keys())
        self.to_hf: Dict[str, str] = {}
        for tf_name in tf_names:
            name = hf_name(tf_name, rules)
            bare = name.split(".", 1)[-1]
            self.to_hf[tf_name] = bare if name not in stored and bare in stored else name
        self.from_hf = {hf: tf for tf, hf in self.to_hf.items() if hf in stored}

    def hf(self, tf_name: str) -> str:
        """The HF name a TF name is read from (itself when unmapped)."""
        return self.to_hf.get(tf_name, tf_name)

    def keys(self) -> List[str]:
        return sorted(self.from_hf.get(name, name) for name in self.reader.keys())

    def has_tensor(self, name: str) -> bool:
        return self.hf(name) in self.reader

    __contains__ = has_tensor

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        shapes = self.reader.get_variable_to_shape_map()
        out = {}
        for name, shape in shapes.items():
            tf_name = self.from_hf.get(name, name)
            out[tf_name] = list(reversed(shape)) if _is_kernel(tf_name) and len(shape) == 2 else list(shape)
        return out

    def get_tensor(self, name: str) -> np.ndarray:
        value = self.reader.get_tensor(self.hf(name))
        return value.T if _is_kernel(name) and value.ndim == 2 else value

    def is_derived(self, name: str) -> bool:
        return name not in self.to_hf and is_derived_hf_name(name)

    def close(self) -> None:
        self.reader.close()


def hf_tensors(variables: Mapping[str, np.ndarray], rules: Rules) -> Dict[str, np.ndarray]:
    """TF-named arrays -> HF-named arrays (kernels transposed to ``[out, in]``)."""
    return {
        hf_name(name, rules): np.ascontiguousarray(value.T if _is_kernel(name) and value.ndim == 2 else value)
        for name, value in variables.items()
    }
