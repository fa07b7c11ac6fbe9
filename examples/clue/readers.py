"""Readers for the official CLUE files, one function per file format (no Keras, no numpy).

Every reader returns a list of plain dicts with the same keys for a given kind of task, so the
training code never looks at CLUE's field names. Test files have no labels: ``label`` is None.

    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "dev.json")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write(json.dumps({"sentence1": "花呗", "sentence2": "借呗", "label": "0"}) + "\\n")
    >>> load_sentence_pairs(path)
    [{'id': 0, 'text_a': '花呗', 'text_b': '借呗', 'label': '0'}]
"""

from __future__ import annotations

import json
import os
import re
from typing import Dict, Iterable, List, Optional

Sample = Dict[str, object]

#: CLUE marks NLI pairs without annotator agreement with this label; they are not scored.
NO_AGREEMENT = "-"
IDIOM_BLANK = re.compile(r"#idiom\d{6}#")


class CLUEFormatError(ValueError):
    """A CLUE file does not have the fields its task needs."""


def read_json_lines(path: str) -> List[dict]:
    """One JSON object per line (blank lines skipped), as CLUE ships its classification files."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} does not exist: pass --data-dir pointing at the unzipped CLUE task folder")
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise CLUEFormatError(f"{path}, line {number}: not a JSON object ({error.msg})") from None
    return rows


def read_json(path: str):
    """A whole-file JSON document (CMRC2018, C3, ChID answers)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} does not exist: pass --data-dir pointing at the unzipped CLUE task folder")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _field(row: dict, key: str, path: str, number: int):
    if key not in row:
        raise CLUEFormatError(f"{path}, record {number}: no {key!r} field (has {sorted(row)}); is this the right task?")
    return row[key]


def _label(row: dict) -> Optional[str]:
    label = row.get("label")
    return None if label is None else str(label)


def _rows_with_ids(path: str) -> Iterable:
    # CLUE scores a submission line by line in test-file order; ids are the file's own where present.
    for number, row in enumerate(read_json_lines(path)):
        yield number, row, row.get("id", number)


def load_sentence_pairs(path: str) -> List[Sample]:
    """AFQMC, CMNLI, OCNLI: ``sentence1``, ``sentence2``, ``label``; NLI's ``-`` labels are skipped."""
    samples = []
    for number, row, ident in _rows_with_ids(path):
        label = _label(row)
        if label == NO_AGREEMENT:
            continue
        text_a, text_b = _field(row, "sentence1", path, number), _field(row, "sentence2", path, number)
        samples.append({"id": ident, "text_a": text_a, "text_b": text_b, "label": label})
    return samples


def load_sentences(path: str) -> List[Sample]:
    """TNEWS, IFLYTEK: ``sentence`` and ``label`` (the label names, ``label_des(c)``, are not needed)."""
    return [
        {"id": ident, "text_a": _field(row, "sentence", path, number), "text_b": None, "label": _label(row)}
        for number, row, ident in _rows_with_ids(path)
    ]


def load_csl(path: str) -> List[Sample]:
    """CSL: the ``keyword`` list (joined by ``；``) paired with the abstract ``abst``."""
    samples = []
    for number, row, ident in _rows_with_ids(path):
        keywords = _field(row, "keyword", path, number)
        if not isinstance(keywords, list):
            raise CLUEFormatError(f"{path}, record {number}: 'keyword' must be a list of strings, got {keywords!r}")
        samples.append({"id": ident, "text_a": "；".join(keywords), "text_b": _field(row, "abst", path, number), "label": _label(row)})
    return samples


def mark_wsc_spans(text: str, target: dict) -> str:
    """Wrap the candidate noun in ``_..._`` and the pronoun in ``[...]`` inside ``text``.

    CLUEWSC2020 gives character offsets (``span1_index``/``span2_index``) of both spans;
    the markers let a sentence classifier see which pair is asked about.

        >>> mark_wsc_spans("床上的手机响了，它响了", {"span1_index": 3, "span1_text": "手机", "span2_index": 8, "span2_text": "它"})
        '床上的_手机_响了，[它]响了'
    """
    spans = [
        (int(target["span1_index"]), target["span1_text"], "_", "_"),
        (int(target["span2_index"]), target["span2_text"], "[", "]"),
    ]
    for start, span, left, right in sorted(spans, reverse=True):  # right to left keeps the offsets valid
        if text[start : start + len(span)] != span:
            raise CLUEFormatError(f"CLUEWSC2020 span {span!r} is not at offset {start} of {text!r}")
        text = text[:start] + left + span + right + text[start + len(span) :]
    return text


def load_wsc(path: str) -> List[Sample]:
    """CLUEWSC2020: ``text`` with a ``target`` of two spans (offsets into ``text``); label ``true``/``false``."""
    samples = []
    for number, row in enumerate(read_json_lines(path)):
        text, target = _field(row, "text", path, number), _field(row, "target", path, number)
        ident = row.get("id", row.get("idx", number))
        samples.append({"id": ident, "text_a": mark_wsc_spans(text, target), "text_b": None, "label": _label(row)})
    return samples


def load_labels_file(path: str) -> List[str]:
    """``labels.json`` (TNEWS, IFLYTEK): one ``{"label": ..., "label_des(c)": ...}`` per line, in file order."""
    return [str(_field(row, "label", path, number)) for number, row in enumerate(read_json_lines(path))]


def label_set(data_dir: str, train: List[Sample]) -> List[str]:
    """The task's labels: ``labels.json`` where CLUE ships one, otherwise the sorted labels of the training file."""
    path = os.path.join(data_dir, "labels.json")
    if os.path.exists(path):
        return load_labels_file(path)
    return sorted({str(s["label"]) for s in train if s["label"] is not None})


def load_cmrc2018(path: str) -> List[Sample]:
    """CMRC2018 (SQuAD layout): one sample per question with its context and every reference answer.

    ``answers`` is a list of ``{"text", "start"}``; ``start`` is None where the file gives none
    (the answer is then looked up in the context). Test questions have no answers.
    """
    document = read_json(path)
    samples = []
    for article in _field(document, "data", path, 0):
        for paragraph in _field(article, "paragraphs", path, 0):
            context = _field(paragraph, "context", path, 0)
            for qa in _field(paragraph, "qas", path, 0):
                answers = []
                for answer in qa.get("answers", []):
                    start = answer.get("answer_start")
                    if start is None or context[start : start + len(answer["text"])] != answer["text"]:
                        found = context.find(answer["text"])
                        start = found if found >= 0 else None
                    answers.append({"text": answer["text"], "start": start})
                samples.append({"id": _field(qa, "id", path, 0), "context": context, "question": qa["question"], "answers": answers})
    return samples


def load_chid(path: str, answer_path: Optional[str] = None) -> List[Sample]:
    """ChID: one sample per ``#idiomNNNNNN#`` blank, with the passage's candidates.

    Each line holds ``content`` (a list of passages, several blanks each) and ``candidates``;
    the answers live in a separate ``*_answer.json`` (``{"#idiom000000#": index, ...}``).
    ``text`` is the passage with this blank kept and the passage's other blanks removed.
    """
    answers = read_json(answer_path) if answer_path else {}
    samples = []
    for number, row in enumerate(read_json_lines(path)):
        candidates = _field(row, "candidates", path, number)
        content = _field(row, "content", path, number)
        for passage in [content] if isinstance(content, str) else content:
            for blank in IDIOM_BLANK.findall(passage):
                text = IDIOM_BLANK.sub(lambda m: m.group(0) if m.group(0) == blank else "", passage)
                label = answers.get(blank)
                if answer_path and label is None:
                    raise CLUEFormatError(f"{answer_path} has no answer for {blank} ({path}, line {number + 1})")
                samples.append({"id": blank, "text": text, "choices": list(candidates), "label": label})
    return samples


def load_c3(path: str) -> List[Sample]:
    """C3: ``[[context sentences], [{"question", "choice", "answer"(, "id")}], doc_id]`` per document.

    One sample per question; ``label`` is the index of ``answer`` in ``choice`` (None in test).
    """
    samples = []
    for number, document in enumerate(read_json(path)):
        if not (isinstance(document, list) and len(document) >= 2):
            raise CLUEFormatError(f"{path}, document {number}: expected [context, questions, id], got {document!r:.80}")
        context, questions = "".join(document[0]), document[1]
        for question in questions:
            choices = _field(question, "choice", path, number)
            label = None
            if "answer" in question:
                if question["answer"] not in choices:
                    raise CLUEFormatError(f"{path}, document {number}: answer {question['answer']!r} not among {choices}")
                label = choices.index(question["answer"])
            ident = question.get("id", len(samples))
            samples.append({"id": ident, "text": context, "question": question["question"], "choices": choices, "label": label})
    return samples


def load_cluener(path: str) -> List[Sample]:
    """CLUENER2020: ``text`` and ``label`` = ``{type: {entity: [[start, end], ...]}}`` (end inclusive).

    ``entities`` is a sorted list of ``(start, end, type)``; test rows have none (``entities`` None).
    """
    samples = []
    for number, row, ident in _rows_with_ids(path):
        text = _field(row, "text", path, number)
        entities = None
        if "label" in row:
            entities = set()
            for kind, mentions in (row["label"] or {}).items():
                for mention, spans in mentions.items():
                    for start, end in spans:
                        if text[start : end + 1] != mention:
                            raise CLUEFormatError(f"{path}, line {number + 1}: {mention!r} is not at [{start}, {end}] of {text!r}")
                        entities.add((start, end, kind))
            entities = sorted(entities)
        samples.append({"id": ident, "text": text, "entities": entities})
    return samples


def entity_types(train: List[Sample]) -> List[str]:
    """The sorted entity types found in a CLUENER training file."""
    return sorted({kind for s in train for _, _, kind in (s["entities"] or [])})
