"""Tokenizer throughput: kerasformers vs bert4keras 0.11.5 on the same vocab and texts.

Texts are the 2,594 varied lines and 1,200 Chinese lines of the tokenizer goldens
(``tests/data/tokenizer_goldens.json.xz``), plus one 20,000-character document. Each tokenizer
runs in its own process; figures are lines (or documents) per second, best of 3.

    python benchmarks/tokenizer.py [--bert4keras-python /path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import sys
import time

from _harness import BERT4KERAS_ENV, report, spawn

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def _texts():
    with open(os.path.join(DATA, "tokenizer_goldens.json.xz"), "rb") as f:
        sets = json.loads(lzma.decompress(f.read()))["sets"]
    return sets["lines"], sets["zh"]


def _rate(make_fn, texts, repeats: int = 3) -> float:
    """Best rate over fresh tokenizers: caches built in one pass must not flatter the next."""
    best = float("inf")
    for _ in range(repeats):
        fn = make_fn()
        start = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def worker(package: str) -> dict:
    import importlib

    Tokenizer = importlib.import_module(f"{package}.tokenizers").Tokenizer
    vocab = os.path.join(DATA, "tokenizer_vocab.txt")
    lines, zh = _texts()
    document = "".join(zh)[:20000]
    def encoder(**kwargs):
        return lambda: Tokenizer(vocab, **kwargs).encode

    def rematcher():
        tokenizer = Tokenizer(vocab, do_lower_case=True)
        return lambda text: tokenizer.rematch(text, tokenizer.tokenize(text))

    results = {
        "encode, cased (lines/s)": _rate(encoder(), lines),
        "encode, uncased (lines/s)": _rate(encoder(do_lower_case=True), lines),
        "encode, Chinese (lines/s)": _rate(encoder(do_lower_case=True), zh),
        "tokenize + rematch (lines/s)": _rate(rematcher, lines),
        "encode, 20k-char document (docs/s)": _rate(encoder(do_lower_case=True), [document]),
    }
    try:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        cut = lambda s: jieba.cut(s, HMM=False)  # noqa: E731
        results["encode, Chinese + jieba (lines/s)"] = _rate(encoder(do_lower_case=True, pre_tokenize=cut), zh)
    except ImportError:
        pass
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bert4keras-python")
    parser.add_argument("--worker", choices=["kerasformers", "bert4keras"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        report(worker(args.worker))
        return
    ours = spawn(sys.executable, __file__, ["--worker", "kerasformers"], {})
    theirs = spawn(args.bert4keras_python, __file__, ["--worker", "bert4keras"], BERT4KERAS_ENV) if args.bert4keras_python else {}
    if isinstance(ours, str):
        sys.exit(ours)
    theirs = theirs if isinstance(theirs, dict) else {}
    print(f"{'task':<38} {'kerasformers':>13} {'bert4keras':>11} {'speed-up':>9}")
    for task, rate in ours.items():
        other = theirs.get(task)
        ratio = f"{rate / other:.1f}x" if other else "n/a"
        other_text = f"{other:>11.0f}" if other else f"{'n/a':>11}"
        print(f"{task:<38} {rate:>13.0f} {other_text} {ratio:>9}")


if __name__ == "__main__":
    main()
