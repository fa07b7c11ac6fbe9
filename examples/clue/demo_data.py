"""Tiny CLUE datasets in each task's real file layout, for ``--demo`` runs and tests (no Keras).

The texts are random strings of the demo vocabulary's characters; a simple rule decides each
label (e.g. "is 好 in the sentence?") so that a few steps of training can move the metric.
File names and fields are exactly those of the CLUE downloads, including the edge cases the
readers must handle (``-`` NLI labels, several answers per CMRC2018 question, several blanks
per ChID passage).

    >>> import tempfile
    >>> folder = write_demo_task("afqmc", tempfile.mkdtemp())
    >>> sorted(os.listdir(folder))
    ['dev.json', 'test.json', 'train.json']
"""

from __future__ import annotations

import json
import os
from typing import Callable, Dict, List

import random as _random

CHARS = "今天气很我们去公园散步吧北京是中国的首都人工智能改变世界"
SIZES = {"train": 16, "dev": 8, "test": 8}


def _text(rng: _random.Random, low: int = 4, high: int = 10) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(low, high)))


def _flagged(rng: _random.Random, flag: bool, mark: str = "好") -> str:
    text = _text(rng)
    if flag:
        i = rng.randint(0, len(text))
        text = text[:i] + mark + text[i:]
    return text


def _write_lines(path: str, rows: List[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_json(path: str, document) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)


def _classification(build: Callable[[_random.Random, int, str], dict], labels: List[str], skip: str = None):
    def write(folder: str, rng: _random.Random, files=("train.json", "dev.json", "test.json")) -> None:
        for split, name in zip(SIZES, files):
            rows = []
            for i in range(SIZES[split]):
                label = labels[i % len(labels)]
                row = build(rng, i, label)
                if split == "test":
                    row = {"id": i, **{k: v for k, v in row.items() if k not in ("label", "label_des", "label_desc")}}
                elif skip and i % 7 == 3:
                    row["label"] = skip  # annotators disagreed: CLUE ships these, scorers skip them
                rows.append(row)
            _write_lines(os.path.join(folder, name), rows)

    return write


def _pair(rng, i, label):
    return {"sentence1": _flagged(rng, label in ("1", "entailment")), "sentence2": _text(rng), "label": label}


def _sentence(names):
    def build(rng, i, label):
        return {"label": label, "label_des": names[label], "sentence": _flagged(rng, label == sorted(names)[0])}

    return build


def _ocnli(rng, i, label):
    return {"level": "easy", "sentence1": _flagged(rng, label == "entailment"), "sentence2": _text(rng), "label": label,
            "label0": label, "genre": "lit", "prem_id": f"lit_{i}", "id": i}  # fmt: skip


def _wsc(rng, i, label):
    head, noun, middle, tail = _text(rng, 2, 4), rng.choice(["公园", "北京", "世界"]), _text(rng, 2, 4), _text(rng, 1, 3)
    pronoun = "它" if label == "true" else "我"
    text = head + noun + middle + pronoun + tail
    target = {"span2_index": len(head + noun + middle), "span1_index": len(head), "span1_text": noun, "span2_text": pronoun}
    return {"target": target, "idx": i, "label": label, "text": text}


def _csl(rng, i, label):
    keywords = [_text(rng, 2, 3) for _ in range(rng.randint(2, 4))]
    abst = _text(rng, 6, 12) + ("".join(keywords) if label == "1" else "")
    return {"id": i, "abst": abst, "keyword": keywords, "label": label}


def _labels_file(folder: str, names: Dict[str, str]) -> None:
    _write_lines(os.path.join(folder, "labels.json"), [{"label": k, "label_des": v} for k, v in names.items()])


TNEWS = {"100": "news_story", "101": "news_culture", "102": "news_entertainment"}
IFLYTEK = {"0": "打车", "1": "地图导航", "2": "免费WIFI"}


def _tnews(folder, rng):
    _labels_file(folder, TNEWS)
    _classification(_sentence(TNEWS), list(TNEWS))(folder, rng)


def _iflytek(folder, rng):
    _labels_file(folder, IFLYTEK)
    _classification(_sentence(IFLYTEK), list(IFLYTEK))(folder, rng)


def _cmrc2018(folder, rng):
    for split, name in zip(SIZES, ("train.json", "dev.json", "test.json")):
        articles = []
        for p in range(SIZES[split] // 4):
            answer = rng.choice(["北京", "中国", "公园"])
            context = _text(rng, 4, 24) + "首都是" + answer + _text(rng, 4, 24)  # some need two windows
            qas = []
            for q in range(2):
                qa = {"question": "首都是哪里" if q == 0 else "什么是" + answer, "id": f"{split.upper()}_{p}_QUERY_{q}"}
                start = context.index(answer)
                if split == "train":
                    qa["answers"] = [{"text": answer, "answer_start": start}]
                elif split == "dev":  # several references per question, as in the real dev set
                    qa["answers"] = [{"text": answer, "answer_start": start}, {"text": "是" + answer, "answer_start": start - 1},
                                     {"text": answer, "answer_start": start}]  # fmt: skip
                qas.append(qa)
            articles.append({"paragraphs": [{"id": f"{split.upper()}_{p}", "context": context, "qas": qas}], "id": f"{split.upper()}_{p}", "title": "首都"})
        _write_json(os.path.join(folder, name), {"version": "v1.0", "data": articles})


IDIOMS = ["一日千里", "百花齐放", "日新月异", "随波逐流"]  # real ChID lines have 10 candidates


def _chid(folder, rng):
    counter = 0
    for split in SIZES:
        rows, answers = [], {}
        for _ in range(max(2, SIZES[split] // 4)):
            candidates = rng.sample(IDIOMS, len(IDIOMS))
            content = []
            for _ in range(2):  # two passages, two blanks in each
                passage = ""
                for _ in range(2):
                    blank = f"#idiom{counter:06d}#"
                    answer = rng.randrange(len(candidates))
                    answers[blank], counter = answer, counter + 1
                    passage += _text(rng, 3, 6) + candidates[answer][:1] + blank
                content.append(passage + "。")
            rows.append({"candidates": candidates, "content": content})
        name = "test1.1.json" if split == "test" else f"{split}.json"
        _write_lines(os.path.join(folder, name), rows)
        if split != "test":
            _write_json(os.path.join(folder, f"{split}_answer.json"), answers)
        else:
            answers.clear()


def _c3(folder, rng):
    ident = 0
    for split in SIZES:
        for kind in ("d", "m") if split != "test" else ("",):
            documents = []
            for doc in range(SIZES[split] // 4):
                choices = rng.sample(["北京", "中国", "公园", "世界"], rng.choice([3, 4]))  # C3 has 2 to 4 choices
                answer = rng.choice(choices)
                context = ["男：" + _text(rng) + answer + "。", "女：" + _text(rng) + "。"]
                question = {"question": "他们去哪里？", "choice": choices}
                if split == "test":
                    question["id"], ident = ident, ident + 1
                else:
                    question["answer"] = answer
                documents.append([context, [question], f"{doc}-{kind or 't'}"])
            name = "test1.1.json" if split == "test" else f"{kind}-{split}.json"
            _write_json(os.path.join(folder, name), documents)


def _cluener(folder, rng):
    kinds = {"address": ["北京", "中国"], "name": ["人工"], "organization": ["公园"]}
    for split, name in zip(SIZES, ("train.json", "dev.json", "test.json")):
        rows = []
        for i in range(SIZES[split]):
            text, label = "", {}
            for kind, mentions in kinds.items():
                if rng.random() < 0.6:
                    mention = rng.choice(mentions)
                    text += _text(rng, 1, 3)
                    label.setdefault(kind, {}).setdefault(mention, []).append([len(text), len(text) + len(mention) - 1])
                    text += mention
            text += _text(rng, 1, 3)
            rows.append({"id": i, "text": text} if split == "test" else {"text": text, "label": label})
        _write_lines(os.path.join(folder, name), rows)


WRITERS: Dict[str, Callable] = {
    "afqmc": lambda folder, rng: _classification(_pair, ["0", "1"])(folder, rng),
    "tnews": _tnews,
    "iflytek": _iflytek,
    "cmnli": lambda folder, rng: _classification(_pair, ["contradiction", "entailment", "neutral"], skip="-")(folder, rng),
    "ocnli": lambda folder, rng: _classification(_ocnli, ["contradiction", "entailment", "neutral"], skip="-")(
        folder, rng, files=("train.50k.json", "dev.json", "test.json")
    ),
    "cluewsc2020": lambda folder, rng: _classification(_wsc, ["false", "true"])(folder, rng),
    "csl": lambda folder, rng: _classification(_csl, ["0", "1"])(folder, rng),
    "cmrc2018": _cmrc2018,
    "chid": _chid,
    "c3": _c3,
    "cluener": _cluener,
}


def write_demo_task(task: str, folder: str, seed: int = 0) -> str:
    """Write ``task``'s tiny dataset under ``folder/task`` and return that folder."""
    if task not in WRITERS:
        raise ValueError(f"no demo data for task {task!r}; tasks: {sorted(WRITERS)}")
    path = os.path.join(folder, task)
    os.makedirs(path, exist_ok=True)
    WRITERS[task](path, _random.Random(seed))
    return path
