"""Fine-tuning throughput: a BERT-base-shaped classifier trained with AdamW, side by side with peers.

Random weights, BERT-base shape (12 layers, hidden 768, 12 heads, FFN 3072, vocab 21128), [CLS] ->
Dense(2) softmax, batch 16, length 128, AdamW (lr 2e-5, weight decay 0.01). Each contender runs in
its own process:

* kerasformers on tensorflow, jax and torch (``model.train_on_batch``, compiled where Keras compiles),
  with and without ``--remat`` (``keras.RematScope``), recording the peak resident memory;
* transformers ``BertModel`` + ``nn.Linear`` on torch, a plain loop (forward, backward, ``AdamW.step``),
  with and without ``gradient_checkpointing_enable()`` (its remat, for comparison);
* bert4keras 0.11.5 on tf_keras (``extend_with_weight_decay(Adam)``), when ``--bert4keras-python`` is given.

Peak memory is the process's peak RSS after the timed steps minus its RSS before the model was
built (weights, optimizer state, activations, compiled code). Usage:

    python benchmarks/train.py [--steps 5] [--layers 12] [--bert4keras-python /work/venv-b4k/bin/python]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

from _harness import BERT4KERAS_ENV, report, spawn

BATCH, LENGTH, LEARNING_RATE, WEIGHT_DECAY = 16, 128, 2e-5, 0.01
CONFIG = dict(vocab_size=21128, hidden_size=768, num_attention_heads=12, intermediate_size=3072, hidden_act="gelu", max_position=512)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _inputs():
    import numpy as np

    rng = np.random.default_rng(0)
    token_ids = rng.integers(1, CONFIG["vocab_size"], size=(BATCH, LENGTH)).astype("int32")
    return token_ids, np.zeros_like(token_ids), rng.integers(0, 2, size=(BATCH,)).astype("int32")


def _measure(step, steps: int, baseline: float) -> dict:
    step()  # compile / warm up
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - start) / steps
    return {"seconds": seconds, "peak_mib": _peak_mib() - baseline}


def run_kerasformers(steps: int, layers: int, remat: bool) -> dict:
    import contextlib

    import keras

    from kerasformers.models import build_transformer_model

    baseline = _peak_mib()
    with keras.RematScope(mode="full") if remat else contextlib.nullcontext():
        bert = build_transformer_model(None, None, num_hidden_layers=layers, return_keras_model=False, **CONFIG)
    cls = keras.layers.Lambda(lambda x: x[:, 0])(bert.model.output)
    model = keras.Model(bert.model.inputs, keras.layers.Dense(2, activation="softmax")(cls))
    optimizer = keras.optimizers.AdamW(LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    token_ids, segment_ids, labels = _inputs()
    return _measure(lambda: model.train_on_batch([token_ids, segment_ids], labels), steps, baseline)


def run_bert4keras(steps: int, layers: int, remat: bool) -> dict:
    from bert4keras.backend import keras
    from bert4keras.models import build_transformer_model
    from bert4keras.optimizers import extend_with_weight_decay_v2

    baseline = _peak_mib()
    bert = build_transformer_model(None, None, num_hidden_layers=layers, return_keras_model=False, **CONFIG)
    cls = keras.layers.Lambda(lambda x: x[:, 0])(bert.model.output)
    model = keras.models.Model(bert.model.inputs, keras.layers.Dense(2, activation="softmax")(cls))
    # tf_keras's legacy Adam is the OptimizerV2 that bert4keras's _v2 wrappers extend.
    AdamW = extend_with_weight_decay_v2(keras.optimizers.legacy.Adam, "AdamW")
    model.compile(optimizer=AdamW(learning_rate=LEARNING_RATE, weight_decay_rate=WEIGHT_DECAY,
                                  exclude_from_weight_decay=["Norm", "bias"]), loss="sparse_categorical_crossentropy")  # fmt: skip
    token_ids, segment_ids, labels = _inputs()
    return _measure(lambda: model.train_on_batch([token_ids, segment_ids], labels), steps, baseline)


def run_transformers(steps: int, layers: int, remat: bool) -> dict:
    import torch
    from transformers import BertConfig, BertModel

    baseline = _peak_mib()
    config = BertConfig(vocab_size=CONFIG["vocab_size"], hidden_size=768, num_hidden_layers=layers, num_attention_heads=12,
                        intermediate_size=3072, hidden_act="gelu")  # fmt: skip
    bert, head = BertModel(config, add_pooling_layer=False).train(), torch.nn.Linear(768, 2)
    if remat:
        bert.gradient_checkpointing_enable()  # recomputes each BertLayer in the backward pass
    decay = [p for n, p in bert.named_parameters() if "bias" not in n and "LayerNorm" not in n] + [head.weight]
    rest = [p for n, p in bert.named_parameters() if "bias" in n or "LayerNorm" in n] + [head.bias]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": rest, "weight_decay": 0.0}], lr=LEARNING_RATE)
    token_ids, segment_ids, labels = (torch.from_numpy(a).long() for a in _inputs())

    def step():
        optimizer.zero_grad()
        logits = head(bert(input_ids=token_ids, token_type_ids=segment_ids).last_hidden_state[:, 0])
        torch.nn.functional.cross_entropy(logits, labels).backward()
        optimizer.step()

    return _measure(step, steps, baseline)


WORKERS = {"kerasformers": run_kerasformers, "transformers": run_transformers, "bert4keras": run_bert4keras}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5, help="timed steps after two warm-up steps")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--no-remat", action="store_true", help="skip the --remat memory runs")
    parser.add_argument("--bert4keras-python", help="a Python with bert4keras 0.11.5 + tf_keras installed")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--remat", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        report(WORKERS[args.worker](args.steps, args.layers, args.remat))
        return

    started = os.getloadavg()
    common = ["--steps", str(args.steps), "--layers", str(args.layers)]
    rows = []

    def run(name, python, worker, flags, env):
        rows.append((name, spawn(python, __file__, ["--worker", worker, *flags], env)))
        print(f"{name}: {rows[-1][1]} (load average {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)

    for backend in args.backends.split(","):
        # Keras 3.15's remat does not run on TensorFlow in compiled functions (docs/training.md).
        for remat in [False] if args.no_remat or backend == "tensorflow" else [False, True]:
            name = f"kerasformers ({backend}{', --remat' if remat else ''})"
            flags = common + (["--remat"] if remat else [])
            run(name, sys.executable, "kerasformers", flags, {"KERAS_BACKEND": backend})
    for remat in [False] if args.no_remat else [False, True]:
        name = f"transformers (torch, plain loop{', gradient checkpointing' if remat else ''})"
        flags = common + (["--remat"] if remat else [])
        run(name, sys.executable, "transformers", flags, {})
    if args.bert4keras_python:
        run("bert4keras 0.11.5 (tf_keras)", args.bert4keras_python, "bert4keras", common, BERT4KERAS_ENV)

    # Remat rows trade speed for memory: the speed target compares the plain runs.
    peers = [r["seconds"] for name, r in rows if isinstance(r, dict) and not name.startswith("kerasformers")
             and "checkpointing" not in name]  # fmt: skip
    best_peer = min(peers) if peers else None
    print(f"BERT-base-shaped classifier ({args.layers} layers), AdamW, batch {BATCH} x length {LENGTH}, "
          f"mean of {args.steps} steps after 2 warm-up steps, {os.cpu_count()} CPU cores; load average "
          f"{started[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print(f"| contender | s/step | steps/s | vs best peer | peak memory MiB |\n|---|---|---|---|---|")
    for name, result in rows:
        if isinstance(result, str):
            print(f"| {name} | {result} | | | |")
            continue
        ratio = f"{best_peer / result['seconds']:.2f}x" if best_peer else "n/a"
        print(f"| {name} | {result['seconds']:.2f} | {1 / result['seconds']:.3f} | {ratio} | {result['peak_mib']:.0f} |")


if __name__ == "__main__":
    main()
