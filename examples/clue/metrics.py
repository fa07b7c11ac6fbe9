"""CLUE's dev metrics in plain Python: accuracy, CMRC2018 EM/F1 and entity F1.

    >>> accuracy(["1", "0", "1"], ["1", "1", "1"])
    0.6666666666666666
    >>> cmrc2018_scores({"q": "北京"}, {"q": ["北京", "在北京"]})
    {'em': 1.0, 'f1': 1.0}
    >>> entity_f1([{(0, 1, "name")}], [{(0, 1, "name"), (3, 4, "address")}])["f1"]
    0.6666666666666666
"""

from __future__ import annotations

import string
import unicodedata
from typing import Dict, Iterable, List, Sequence, Set, Tuple

_PUNCTUATION = set(string.punctuation) | set("，。：？！、；“”‘’（）《》〈〉【】『』「」﹃﹄〔〕…—～·￥")


def accuracy(predictions: Sequence, labels: Sequence) -> float:
    """Share of predictions equal to their label."""
    if len(predictions) != len(labels) or not labels:
        raise ValueError(f"accuracy needs as many predictions as labels (got {len(predictions)} and {len(labels)})")
    return sum(p == y for p, y in zip(predictions, labels)) / len(labels)


def _normalize(text: str) -> str:
    # CMRC2018's evaluation compares characters with punctuation and spaces removed, lower-cased.
    return "".join(c for c in text.lower() if c not in _PUNCTUATION and not unicodedata.category(c).startswith("Z") and not c.isspace())


def _longest_common_substring(a: str, b: str) -> int:
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def span_f1(prediction: str, reference: str) -> float:
    """CMRC2018's F1: precision/recall of the longest common substring of the normalised strings."""
    prediction, reference = _normalize(prediction), _normalize(reference)
    common = _longest_common_substring(prediction, reference)
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(reference)
    return 2 * precision * recall / (precision + recall)


def cmrc2018_scores(predictions: Dict[str, str], references: Dict[str, List[str]]) -> Dict[str, float]:
    """Mean EM and F1 over questions, each the best over the question's reference answers."""
    if not references:
        raise ValueError("cmrc2018_scores needs at least one question with reference answers")
    em = f1 = 0.0
    for qid, answers in references.items():
        prediction = predictions.get(qid, "")
        em += max(float(_normalize(prediction) == _normalize(a)) for a in answers)
        f1 += max(span_f1(prediction, a) for a in answers)
    return {"em": em / len(references), "f1": f1 / len(references)}


Entity = Tuple[int, int, str]


def entity_f1(predictions: Iterable[Set[Entity]], references: Iterable[Set[Entity]]) -> Dict[str, float]:
    """Micro precision/recall/F1 over exact ``(start, end, type)`` entities (CLUENER's metric)."""
    found = correct = gold = 0
    for predicted, reference in zip(predictions, references):
        predicted, reference = set(predicted), set(reference)
        found, gold, correct = found + len(predicted), gold + len(reference), correct + len(predicted & reference)
    precision = correct / found if found else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
