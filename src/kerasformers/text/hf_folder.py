"""Tokenizer files of a Hugging Face model folder: ``vocab.txt``, ``spiece.model``, ``tokenizer_config.json``.

Example:
    >>> import json, os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _ = open(os.path.join(folder, "tokenizer_config.json"), "w").write(json.dumps({"do_lower_case": False}))
    >>> hf_tokenizer_options(folder)
    {'do_lower_case': False}
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

#: transformers' BertTokenizer lower-cases unless tokenizer_config.json says otherwise.
BERT_DEFAULT_LOWER_CASE = True


def _read_json(path: str) -> Dict[str, Any]:
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not valid JSON: {e}") from None
    return data if isinstance(data, dict) else {}


def hf_tokenizer_options(folder: str) -> Dict[str, Any]:
    """``Tokenizer`` keyword arguments stated by the folder's ``tokenizer_config.json``.

    ``do_lower_case`` is read as transformers reads it (absent: ``True``, its
    ``BertTokenizer`` default).
    """
    config = _read_json(os.path.join(os.fspath(folder), "tokenizer_config.json"))
    return {"do_lower_case": bool(config.get("do_lower_case", BERT_DEFAULT_LOWER_CASE))}


def is_t5_folder(folder: str) -> bool:
    """Whether the folder's configs say T5/mT5 (SentencePiece with ``</s>`` after each text)."""
    folder = os.fspath(folder)
    tokenizer = str(_read_json(os.path.join(folder, "tokenizer_config.json")).get("tokenizer_class", ""))
    model_type = str(_read_json(os.path.join(folder, "config.json")).get("model_type", ""))
    return "T5" in tokenizer or model_type in ("t5", "mt5")


def file_in_folder(path: str, name: str, what: str) -> str:
    """``path`` itself, or ``path/name`` when ``path`` is a folder (with a clear error when absent)."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        return path
    candidate = os.path.join(path, name)
    if not os.path.isfile(candidate):
        present = ", ".join(sorted(os.listdir(path))[:8]) or "nothing"
        raise FileNotFoundError(f"folder {path} has no {name} ({what}); it holds {present}")
    return candidate
