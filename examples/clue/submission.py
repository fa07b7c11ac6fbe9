"""CLUE submission files: names, writers, and a reader that validates a file before upload.

Classification, C3 and CLUENER submissions are JSON lines ``{"id": ..., "label": ...}`` in
test-file order; CMRC2018 and ChID are one JSON object (``{question_id: answer_text}``,
``{"#idiomNNNNNN#": candidate_index}``). File names follow CLUE 1.1's submission guide.

    >>> import os, tempfile
    >>> path = write_label_lines(os.path.join(tempfile.mkdtemp(), "afqmc_predict.json"), [0, 1], ["1", "0"])
    >>> validate_label_lines(path, expected_ids=[0, 1], labels=["0", "1"])
    2
"""

from __future__ import annotations

import json
import os
from typing import Any, Collection, Dict, Optional, Sequence

#: The file name CLUE's leaderboard expects for each task (CLUE 1.1 names where the test set changed).
SUBMISSION_FILES = {
    "afqmc": "afqmc_predict.json",
    "tnews": "tnews11_predict.json",
    "iflytek": "iflytek_predict.json",
    "cmnli": "cmnli_predict.json",
    "ocnli": "ocnli_50k_predict.json",
    "cluewsc2020": "cluewsc11_predict.json",
    "csl": "csl_predict.json",
    "cmrc2018": "cmrc2018_predict.json",
    "chid": "chid11_predict.json",
    "c3": "c311_predict.json",
    "cluener": "cluener_predict.json",
}


def _prepare(path: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return path


def write_label_lines(path: str, ids: Sequence, labels: Sequence) -> str:
    """One ``{"id": id, "label": label}`` line per test row, in order."""
    if len(ids) != len(labels):
        raise ValueError(f"{len(ids)} ids but {len(labels)} predicted labels for {path}")
    with open(_prepare(path), "w", encoding="utf-8") as f:
        for ident, label in zip(ids, labels):
            f.write(json.dumps({"id": ident, "label": label}, ensure_ascii=False) + "\n")
    return path


def write_json_object(path: str, mapping: Dict[str, Any]) -> str:
    """The whole submission as one JSON object (CMRC2018, ChID)."""
    with open(_prepare(path), "w", encoding="utf-8") as f:
        json.dump(mapping, f, ensure_ascii=False, indent=1)
    return path


def entities_to_clue(text: str, entities) -> Dict[str, Dict[str, list]]:
    """``(start, end, type)`` entities to CLUENER's ``{type: {mention: [[start, end]]}}`` (end inclusive)."""
    label: Dict[str, Dict[str, list]] = {}
    for start, end, kind in sorted(entities):
        label.setdefault(kind, {}).setdefault(text[start : end + 1], []).append([start, end])
    return label


def _complete(path: str, seen: Sequence, expected: Sequence) -> None:
    if list(seen) != list(expected):
        missing = [i for i in expected if i not in set(seen)][:5]
        raise ValueError(f"{path}: ids differ from the test file (first missing: {missing}, {len(seen)} of {len(expected)} rows)")


def validate_label_lines(path: str, expected_ids: Sequence, labels: Optional[Collection] = None) -> int:
    """Parse a JSON-lines submission back; check ids (all, in order) and labels (within ``labels``).

    For CLUENER rows the label is an entity dict: its types are checked against ``labels``.
    Returns the number of rows.
    """
    seen = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            row = json.loads(line)
            if set(row) != {"id", "label"}:
                raise ValueError(f"{path}, line {number}: expected keys id and label, got {sorted(row)}")
            seen.append(row["id"])
            values = row["label"].keys() if isinstance(row["label"], dict) else [row["label"]]
            outside = [v for v in values if labels is not None and v not in labels]
            if outside:
                raise ValueError(f"{path}, line {number}: label {outside[0]!r} is not one of {sorted(map(str, labels))}")
    _complete(path, seen, expected_ids)
    return len(seen)


def validate_json_object(path: str, expected_ids: Collection, value_type: type, num_choices: Optional[int] = None) -> int:
    """Parse a one-object submission back: every expected id present once, values of ``value_type``."""
    with open(path, encoding="utf-8") as f:
        mapping = json.load(f)
    _complete(path, sorted(mapping), sorted(expected_ids))
    for key, value in mapping.items():
        if not isinstance(value, value_type) or (num_choices is not None and not 0 <= value < num_choices):
            raise ValueError(f"{path}: {key} -> {value!r} is not a valid {value_type.__name__} answer")
    return len(mapping)
