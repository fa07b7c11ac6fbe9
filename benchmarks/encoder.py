"""Encoder throughput: kerasformers BERT-base on each Keras backend, side by side with peers.

Random weights, BERT-base shape (12 layers, hidden 768, 12 heads, FFN 3072, vocab 21128), batch 8,
length 128, inference. Each contender runs in its own process (a Keras backend is fixed per process):

* kerasformers on tensorflow, jax and torch (``model.predict_on_batch``, compiled where Keras compiles);
* transformers ``BertModel`` on torch (eager, ``torch.no_grad``), when installed;
* bert4keras 0.11.5 on tf_keras, when a Python with it is given (``--bert4keras-python``).

Ratios are tokens/s relative to transformers. Usage:

    python benchmarks/encoder.py [--repeats 5] [--bert4keras-python /path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _harness import BERT4KERAS_ENV, report, spawn

BATCH, LENGTH = 8, 128
CONFIG = dict(
    vocab_size=21128,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    hidden_act="gelu",
    max_position=512,
)


def _inputs():
    import numpy as np

    rng = np.random.default_rng(0)
    token_ids = rng.integers(1, CONFIG["vocab_size"], size=(BATCH, LENGTH)).astype("int32")
    segment_ids = np.zeros((BATCH, LENGTH), dtype="int32")
    return token_ids, segment_ids


def _time(fn, repeats: int) -> float:
    fn()  # compile / warm up
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _run_keras_model(build_transformer_model, repeats: int) -> float:
    model = build_transformer_model(None, None, **CONFIG)
    token_ids, segment_ids = _inputs()
    return _time(lambda: model.predict_on_batch([token_ids, segment_ids]), repeats)


def run_kerasformers(repeats: int) -> float:
    from kerasformers.models import build_transformer_model

    return _run_keras_model(build_transformer_model, repeats)


def run_transformers(repeats: int) -> float:
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=CONFIG["vocab_size"],
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        hidden_act="gelu",
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    token_ids, segment_ids = (torch.from_numpy(a).long() for a in _inputs())

    def step():
        with torch.no_grad():
            model(input_ids=token_ids, token_type_ids=segment_ids)

    return _time(step, repeats)


def run_bert4keras(repeats: int) -> float:
    from bert4keras.models import build_transformer_model

    return _run_keras_model(build_transformer_model, repeats)


WORKERS = {"kerasformers": run_kerasformers, "transformers": run_transformers, "bert4keras": run_bert4keras}


def _spawn(python: str, worker: str, repeats: int, env: dict):
    result = spawn(python, __file__, ["--worker", worker, "--repeats", str(repeats)], env)
    return result["seconds"] if isinstance(result, dict) else result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--bert4keras-python", help="a Python with bert4keras 0.11.5 + tf_keras installed")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        report({"seconds": WORKERS[args.worker](args.repeats)})
        return

    rows = []
    for backend in args.backends.split(","):
        rows.append((f"kerasformers ({backend})", _spawn(sys.executable, "kerasformers", args.repeats, {"KERAS_BACKEND": backend})))
    rows.append(("transformers (torch)", _spawn(sys.executable, "transformers", args.repeats, {})))
    if args.bert4keras_python:
        rows.append(
            ("bert4keras 0.11.5 (tf_keras)", _spawn(args.bert4keras_python, "bert4keras", args.repeats, BERT4KERAS_ENV))
        )

    reference = dict(rows).get("transformers (torch)")
    tokens = BATCH * LENGTH
    print(f"BERT-base forward, batch {BATCH} x length {LENGTH}, best of {args.repeats}, {os.cpu_count()} CPU cores")
    print(f"{'contender':<32} {'ms/batch':>10} {'tokens/s':>10} {'vs transformers':>16}")
    for name, seconds in rows:
        if isinstance(seconds, str):
            print(f"{name:<32} {seconds}")
            continue
        ratio = f"{reference / seconds:.2f}x" if isinstance(reference, float) else "n/a"
        print(f"{name:<32} {seconds * 1000:>10.1f} {tokens / seconds:>10.0f} {ratio:>16}")


if __name__ == "__main__":
    main()
