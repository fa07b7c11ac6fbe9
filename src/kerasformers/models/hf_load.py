"""Loading Hugging Face folders: family check, the TF-named view, heads and vocabulary notes.

The heads a folder holds are listed by :func:`kerasformers.checkpoints.hf.hf_heads`.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Mapping, Optional, Sequence

from kerasformers.checkpoints.detect import detect_hf_architecture
from kerasformers.checkpoints.errors import CheckpointMismatchError
from kerasformers.models.hf_weights import HFNameView

def check_hf_family(transformer, reader, accepted: Sequence[str]) -> None:
    """Refuse a folder whose ``config.json`` says another family than ``model=``."""
    detection = detect_hf_architecture(reader.config, reader.keys())
    if not detection.model and detection.family.startswith("unsupported"):
        raise CheckpointMismatchError(f"{reader.folder}: {detection.evidence}.")
    if accepted and detection.candidates and not set(accepted) & set(detection.candidates):
        message = (
            f"{reader.folder} is a {detection.family} checkpoint ({detection.evidence}), not a "
            f"{type(transformer).__name__} one: try {detection.suggestion}."
        )
        if not transformer.ignore_invalid_weights:
            raise CheckpointMismatchError(message)
        warnings.warn(message + " Loading what fits (ignore_invalid_weights=True).", stacklevel=4)


def hf_view(transformer, reader, active: Mapping[str, Sequence[str]]) -> HFNameView:
    """The reader under the TF names of the model's mapping."""
    names = [name for names in active.values() for name in names]
    return HFNameView(reader, names, transformer.hf_rules, transformer.hf_transposed)


def _vocabulary_size(folder: str) -> Optional[tuple]:
    path = os.path.join(folder, "vocab.txt")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return "vocab.txt", sum(1 for line in f if line.rstrip("\r\n"))
    path = os.path.join(folder, "tokenizer.json")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        vocab = (data.get("model") or {}).get("vocab") or {}
        ids = set(vocab.values()) if isinstance(vocab, dict) else set(range(len(vocab)))
        ids |= {t.get("id") for t in data.get("added_tokens", [])}
        return "tokenizer.json", len(ids)
    return None


def vocabulary_note(reader, view: HFNameView) -> Optional[str]:
    """A warning when the folder's vocabulary and the checkpoint's embedding rows differ in size."""
    found = _vocabulary_size(reader.folder)
    embeddings = [n for n in view.to_hf if n.endswith("word_embeddings") or n.endswith("shared/embedding")]
    if found is None or not embeddings or view.hf(embeddings[0]) not in reader:
        return None
    rows = reader.get_variable_to_shape_map()[view.hf(embeddings[0])][0]
    source, size = found
    if size == rows:
        return None
    return (
        f"{os.path.join(reader.folder, source)} has {size} tokens but the checkpoint's embedding "
        f"{view.hf(embeddings[0])} has {rows} rows: token ids from this tokenizer may index the wrong rows "
        "(or none); use the tokenizer the checkpoint was trained with."
    )
