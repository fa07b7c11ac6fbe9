"""The command line, model set-up and training loop shared by every CLUE script.

A task script builds a :class:`clue.tasks.Task` and calls :func:`main`; everything else (the
arguments, ``--demo``, mixed precision, remat, data parallelism, the optimizer, the callback
that keeps the best checkpoint by dev score, the submission file) happens here, once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from typing import Dict, List, Optional

import keras
import numpy as np

from kerasformers.models import build_transformer_model
from kerasformers.optimizers import AdamW, PiecewiseLinearSchedule, extend_with_exponential_moving_average
from kerasformers.snippets import DataGenerator
from kerasformers.tokenizers import Tokenizer

MODELS = ("bert", "roberta", "albert", "nezha", "roformer", "roformer_v2", "electra")
#: What ``--demo`` uses unless the command line says otherwise: tiny and quick.
DEMO_DEFAULTS = {"maxlen": 16, "batch_size": 8, "epochs": 1, "learning_rate": 1e-3}
REAL_DEFAULTS = {"maxlen": 128, "batch_size": 32, "epochs": 3, "learning_rate": 2e-5}


def build_parser(task) -> argparse.ArgumentParser:
    """The one command line of every CLUE script (``python examples/clue_afqmc.py --help``)."""
    parser = argparse.ArgumentParser(description=f"Fine-tune on CLUE {task.title}; see examples/README.md.")
    parser.add_argument("--config", help="bert_config.json (or the family's config file)")
    parser.add_argument("--checkpoint", help="TF checkpoint prefix, e.g. chinese_L-12_H-768_A-12/bert_model.ckpt")
    parser.add_argument("--vocab", help="vocab.txt")
    parser.add_argument("--data-dir", help=f"the unzipped CLUE folder of {task.title} (train/dev/test files)")
    parser.add_argument("--output-dir", help="best checkpoint, dev scores and the submission go here")
    parser.add_argument("--model", default="bert", choices=MODELS, help="encoder family (default bert)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--maxlen", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--warmup-proportion", type=float, default=0.1, help="linear warm-up share of the steps")
    parser.add_argument("--weight-decay", type=float, default=0.01, help="AdamW decay (not on biases and norms)")
    parser.add_argument("--grad-accum-steps", type=int, default=1, help="apply the mean gradient of N batches")
    parser.add_argument("--ema", type=float, default=0.0, help="EMA momentum of the weights (0: off), e.g. 0.999")
    parser.add_argument("--mixed-precision", choices=["mixed_float16", "mixed_bfloat16"], help="Keras dtype policy")
    parser.add_argument("--remat", action="store_true", help="recompute activations in the backward pass (less memory)")
    parser.add_argument("--data-parallel", action="store_true", help="all local devices (TF MirroredStrategy, JAX DataParallel)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--demo", action="store_true", help="tiny offline run on generated data and a tiny checkpoint")
    task.add_arguments(parser)
    return parser


def demo_checkpoint(folder: str, model: str) -> Dict[str, str]:
    """A tiny checkpoint of family ``model`` (hidden 32, one layer) in its public layout, with the demo vocab.

    The weights are seeded random numbers written by the library's own checkpoint writer
    (``save_weights_as_checkpoint``), so ``--demo`` goes through the same loading path as a
    real checkpoint, for every family.
    """
    from kerasformers.demo import demo_vocab
    from kerasformers.tokenizers import save_vocab

    os.makedirs(folder, exist_ok=True)
    tokens = demo_vocab()
    config = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64,
              "hidden_act": "gelu", "max_position_embeddings": 64, "type_vocab_size": 2, "vocab_size": len(tokens),
              "embedding_size": 16, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}  # fmt: skip
    paths = {name: os.path.join(folder, file) for name, file in
             [("config", "config.json"), ("vocab", "vocab.txt"), ("checkpoint", "model.ckpt")]}  # fmt: skip
    with open(paths["config"], "w", encoding="utf-8") as f:
        json.dump(config, f)
    save_vocab(paths["vocab"], {t: i for i, t in enumerate(tokens)})
    keras.utils.set_random_seed(0)
    transformer = build_transformer_model(paths["config"], None, model=model, return_keras_model=False)
    transformer.save_weights_as_checkpoint(paths["checkpoint"])
    return paths


def setup_devices(args):
    """Mixed-precision policy and data-parallel strategy; returns the scope to build the model in."""
    import contextlib

    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(args.mixed_precision)
    if not args.data_parallel:
        return contextlib.nullcontext()
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy().scope()
    if backend == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        return contextlib.nullcontext()
    raise SystemExit(
        f"--data-parallel is not supported on the {backend} backend: use TensorFlow (MirroredStrategy) or "
        "JAX (keras.distribution.DataParallel); see docs/training.md"
    )


def build_encoder(args, **kwargs):
    """The pre-trained encoder (builder object), under ``keras.RematScope`` with ``--remat``."""
    import contextlib

    if args.remat and keras.backend.backend() == "tensorflow":
        raise SystemExit(
            "--remat is not available on TensorFlow: Keras 3.15's RematScope wraps layer calls in "
            "tf.recompute_grad, which rejects the keyword arguments Keras passes (Dense(training=...)) in "
            "compiled functions. Use JAX or PyTorch for remat; see docs/training.md"
        )
    scope = keras.RematScope(mode="full") if args.remat else contextlib.nullcontext()
    with scope:
        return build_transformer_model(args.config, args.checkpoint, model=args.model, return_keras_model=False, **kwargs)


def build_optimizer(args, total_steps: int) -> keras.optimizers.Optimizer:
    """AdamW, linear warm-up then linear decay to 0, no decay on biases and LayerNorm; optional EMA/accumulation."""
    steps = max(1, total_steps // args.grad_accum_steps)
    warmup = max(1, int(steps * args.warmup_proportion))
    schedule = PiecewiseLinearSchedule(args.learning_rate, {warmup: 1.0, max(steps, warmup + 1): 0.0})
    # With EMA, the library's wrapper adds bert4keras's apply_ema_weights()/reset_old_weights() swap.
    # kerasformers.optimizers.AdamW: Keras's, fed dense embedding gradients on TensorFlow (docs/training.md).
    optimizer_class = extend_with_exponential_moving_average(AdamW) if args.ema > 0 else AdamW
    optimizer = optimizer_class(
        schedule,
        weight_decay=args.weight_decay,
        gradient_accumulation_steps=args.grad_accum_steps if args.grad_accum_steps > 1 else None,
        **({"ema_momentum": args.ema} if args.ema > 0 else {}),
    )
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


class BestCheckpoint(keras.callbacks.Callback):
    """Score the dev set after each epoch, print it, and keep the weights of the best epoch.

    ``evaluate(model)`` returns a dict of metrics; ``monitor`` names the one to maximise.
    With EMA (an optimizer from ``extend_with_exponential_moving_average``), the averaged
    weights are swapped in with ``apply_ema_weights()``, scored and saved, then
    ``reset_old_weights()`` puts the training weights back and training goes on from them
    (bert4keras's EMA recipe).
    """

    def __init__(self, evaluate, monitor: str, path: str):
        super().__init__()
        self.evaluate, self.monitor, self.path = evaluate, monitor, path
        self.best: Optional[float] = None
        self.history: List[Dict[str, float]] = []

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        ema = getattr(optimizer, "use_ema", False) and hasattr(optimizer, "apply_ema_weights")
        if ema:
            optimizer.apply_ema_weights()
        try:
            scores = self.evaluate(self.model)
            self.history.append(scores)
            if self.best is None or scores[self.monitor] > self.best:
                self.best = scores[self.monitor]
                self.model.save_weights(self.path)
        finally:
            if ema:
                optimizer.reset_old_weights()
        if logs is not None:
            logs.update({f"dev_{k}": v for k, v in scores.items()})
        shown = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
        print(f"epoch {epoch + 1}: dev {shown} (best {self.monitor} {self.best:.4f})", flush=True)


class FeatureBatches(DataGenerator):
    """Batches of pre-encoded rows for ``fit``, shuffled each epoch (bert4keras's ``DataGenerator``).

    Rows are tokenized once, up front, to one fixed length, so there is nothing to pad per batch
    (no length buckets needed) and TensorFlow/JAX compile a single training step.
    """

    def __init__(self, inputs, targets, batch_size: int):
        super().__init__(list(range(len(targets))), batch_size=batch_size, buckets=None)
        self.inputs, self.targets = inputs, targets

    def __iter__(self, random=False):
        rows = []
        for is_end, row in self.sample(random):
            rows.append(row)
            if len(rows) == self.batch_size or is_end:
                yield tuple(x[rows] for x in self.inputs), self.targets[rows]
                rows = []


def whole_batches(inputs, targets, batch_size: int):
    """Repeat a few random rows so that every training batch is full.

    Fixed shapes mean one compiled train step (TF and JAX retrace for a smaller last batch).
    """
    extra = -len(targets) % batch_size
    if not extra:
        return inputs, targets
    rows = np.concatenate([np.arange(len(targets)), np.random.choice(len(targets), extra)])
    return tuple(x[rows] for x in inputs), targets[rows]


def _resolve(args, parser, task) -> Optional[str]:
    defaults = {**DEMO_DEFAULTS, **task.demo_defaults} if args.demo else REAL_DEFAULTS
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.demo:
        return tempfile.mkdtemp(prefix="kerasformers-clue-")
    missing = [n for n in ("config", "checkpoint", "vocab", "data_dir") if not getattr(args, n)]
    if missing:
        parser.error("missing " + ", ".join("--" + m.replace("_", "-") for m in missing) + " (or pass --demo)")
    return None


def main(task, argv=None) -> Dict[str, object]:
    """Train ``task`` on train, keep the best dev epoch, score dev, write the test submission.

    Returns ``{"scores": dev scores of the best weights, "submission": path, "labels": label set}``.
    """
    parser = build_parser(task)
    args = parser.parse_args(argv)
    scratch = _resolve(args, parser, task)
    keras.utils.set_random_seed(args.seed)
    previous_policy = keras.mixed_precision.global_policy()
    try:
        if scratch:
            from clue.demo_data import write_demo_task

            args.data_dir = write_demo_task(task.name, scratch, seed=args.seed)
            paths = demo_checkpoint(os.path.join(scratch, "checkpoint"), args.model)
            args.config, args.checkpoint, args.vocab = paths["config"], paths["checkpoint"], paths["vocab"]
            args.output_dir = args.output_dir or os.path.join(scratch, "output")
        args.output_dir = args.output_dir or os.path.join("outputs", task.name)
        os.makedirs(args.output_dir, exist_ok=True)
        return _run(task, args)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def _run(task, args) -> Dict[str, object]:
    tokenizer = Tokenizer(args.vocab, do_lower_case=True)
    task.prepare(args, tokenizer)
    train, dev, test = (task.load(args.data_dir, split) for split in ("train", "dev", "test"))
    task.fit_labels(args.data_dir, train)
    x_train, y_train, _ = task.encode(train, training=True)
    x_train, y_train = whole_batches(x_train, y_train, args.batch_size)
    dev_features = task.encode(dev, training=False)
    with setup_devices(args):
        encoder = build_encoder(args)
        model = task.build(encoder)
        steps = args.epochs * -(-len(y_train) // args.batch_size)
        # --demo runs two steps: compiling them would cost more than it saves.
        model.compile(optimizer=build_optimizer(args, steps), loss=task.loss(model), run_eagerly=args.demo)
    best_path = os.path.join(args.output_dir, f"{task.name}.best.weights.h5")

    def evaluate(m):
        return task.score(task.predict(m, dev, dev_features), dev)

    callback = BestCheckpoint(evaluate, task.monitor, best_path)
    batches = FeatureBatches(x_train, y_train, args.batch_size)
    model.fit(batches.forfit(), steps_per_epoch=len(batches), epochs=args.epochs, callbacks=[callback], verbose=2)
    model.load_weights(best_path)
    scores = callback.history[int(np.argmax([s[task.monitor] for s in callback.history]))]
    print(f"{task.title} dev: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)
    predictions = task.predict(model, test, task.encode(test, training=False))
    submission = task.write_submission(args.output_dir, test, predictions)
    print(f"wrote {submission} ({len(test)} test rows)", flush=True)
    with open(os.path.join(args.output_dir, f"{task.name}_dev_scores.json"), "w") as f:
        json.dump({"scores": scores, "history": callback.history}, f, indent=1)
    return {"scores": scores, "submission": submission, "labels": task.labels, "model": model}
