r"""Fine-tune BERT for sentence(-pair) classification, CLUE style (AFQMC, TNEWS, IFLYTEK, ...).

The bert4keras recipe on Keras 3: a pooled [CLS] vector, a softmax layer, AdamW with warm-up and
linear decay, and ``DataGenerator`` batches. Data is JSON lines with ``sentence1`` (and optionally
``sentence2``) and ``label`` fields, as the CLUE downloads are.

    python examples/task_text_classification.py \
        --config chinese_L-12_H-768_A-12/bert_config.json \
        --checkpoint chinese_L-12_H-768_A-12/bert_model.ckpt \
        --vocab chinese_L-12_H-768_A-12/vocab.txt \
        --train afqmc/train.json --valid afqmc/dev.json --epochs 3

``--demo`` runs the same script offline on kerasformers' embedded tiny checkpoint and a synthetic
task (is the character "好" in the sentence?), seeded, in about 15 s on two CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

import keras
import numpy as np

from kerasformers.models import build_transformer_model
from kerasformers.snippets import DataGenerator, sequence_padding
from kerasformers.tokenizers import Tokenizer


def load_data(path: str):
    """``[(sentence1, sentence2 or None, label), ...]`` from CLUE-style JSON lines."""
    if not os.path.isfile(path):
        raise SystemExit(f"error: data file {path!r} does not exist (expected CLUE-style JSON lines)")
    samples = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                samples.append((item["sentence1"], item.get("sentence2"), item["label"]))
            except (ValueError, KeyError) as error:
                raise SystemExit(
                    f"error: {path}, line {number}: expected a JSON object with 'sentence1' "
                    f"(optionally 'sentence2') and 'label' ({error!r})"
                ) from None
    return samples


def check_labels(labels, samples, path: str) -> None:
    """Refuse, before training, validation labels that the training data never had."""
    unknown = sorted({str(label) for _, _, label in samples} - {str(label) for label in labels})
    if unknown:
        raise SystemExit(
            f"error: {path} has labels the training data never had: {', '.join(unknown[:10])} "
            f"(training labels: {', '.join(map(str, labels[:20]))}); the model cannot predict them"
        )


class Batches(DataGenerator):
    """Token ids, segment ids and labels, padded per batch."""

    def __init__(self, data, tokenizer: Tokenizer, labels, maxlen: int, **kwargs):
        super().__init__(data, **kwargs)
        self.tokenizer, self.labels, self.maxlen = tokenizer, labels, maxlen

    def __iter__(self, random=False):
        token_ids, segment_ids, targets = [], [], []
        for is_end, (first, second, label) in self.sample(random):
            ids, segments = self.tokenizer.encode(first, second, maxlen=self.maxlen)
            token_ids.append(ids)
            segment_ids.append(segments)
            targets.append([self.labels.index(label)])
            if len(token_ids) == self.batch_size or is_end:
                yield [sequence_padding(token_ids), sequence_padding(segment_ids)], sequence_padding(targets)
                token_ids, segment_ids, targets = [], [], []


def build_classifier(config: str, checkpoint: str, num_labels: int, steps: int, learning_rate: float):
    bert = build_transformer_model(config, checkpoint, with_pool=True, return_keras_model=False)
    output = keras.layers.Dropout(0.1)(bert.model.output)
    output = keras.layers.Dense(num_labels, activation="softmax", kernel_initializer=bert.initializer)(output)
    model = keras.Model(bert.model.inputs, output)
    # Warm up over the first 10% of steps, then decay to zero: what bert4keras scripts did with
    # extend_with_piecewise_linear_lr, here a built-in Keras schedule.
    warmup = max(1, steps // 10)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, max(steps - warmup, 1), alpha=0.0, warmup_target=learning_rate, warmup_steps=warmup
    )
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=0.01)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def demo_data(folder: str):
    """A tiny checkpoint and a synthetic two-class task, so the script runs offline."""
    from kerasformers.demo import DEMO_CHARS, write_demo_checkpoint

    paths = write_demo_checkpoint(folder)
    rng = np.random.default_rng(0)
    chars = [c for c in DEMO_CHARS if c not in "好。，！？"]
    samples = []
    for _ in range(400):
        text = "".join(rng.choice(chars, size=int(rng.integers(4, 12))))
        label = int(rng.integers(0, 2))
        if label:
            position = int(rng.integers(0, len(text)))
            text = text[:position] + "好" + text[position:]
        samples.append((text, None, label))
    return paths, samples[:320], samples[320:]


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="bert_config.json of the checkpoint")
    parser.add_argument("--checkpoint", help="checkpoint prefix (bert_model.ckpt) or its folder")
    parser.add_argument("--vocab", help="vocab.txt of the checkpoint")
    parser.add_argument("--train", help="training data: JSON lines with sentence1[, sentence2], label")
    parser.add_argument("--valid", help="validation data, same format")
    parser.add_argument("--maxlen", type=int, default=128, help="tokens per example, [CLS]/[SEP] included (default 128)")
    parser.add_argument("--batch-size", type=int, default=32, help="examples per batch (default 32)")
    parser.add_argument("--epochs", type=int, default=3, help="passes over the training data (default 3)")
    parser.add_argument("--learning-rate", type=float, default=2e-5, help="peak learning rate (default 2e-5)")
    parser.add_argument(
        "--demo", action="store_true", help="offline run on the embedded tiny checkpoint and a synthetic task (seeded)"
    )
    args = parser.parse_args(argv)

    workdir = None
    if args.demo:
        # Seeded: DataGenerator shuffles with np.random, as bert4keras did; Keras seeds the rest.
        np.random.seed(0)
        keras.utils.set_random_seed(0)
        workdir = tempfile.mkdtemp(prefix="kerasformers-example-")
        paths, train, valid = demo_data(workdir)
        args.config, args.checkpoint, args.vocab = paths["config"], paths["checkpoint"], paths["vocab"]
        args.maxlen, args.batch_size, args.epochs, args.learning_rate = 16, 16, 6, 1e-3
    else:
        missing = [name for name in ("config", "checkpoint", "vocab", "train", "valid") if not getattr(args, name)]
        if missing:
            parser.error("missing " + ", ".join("--" + m for m in missing) + " (or pass --demo)")
        train, valid = load_data(args.train), load_data(args.valid)
    try:
        return run(args, train, valid)
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, train, valid) -> float:
    labels = sorted({label for _, _, label in train})
    check_labels(labels, valid, args.valid or "the validation data")
    tokenizer = Tokenizer(args.vocab, do_lower_case=True)
    train_batches = Batches(train, tokenizer, labels, args.maxlen, batch_size=args.batch_size)
    valid_batches = Batches(valid, tokenizer, labels, args.maxlen, batch_size=args.batch_size)
    model = build_classifier(
        args.config, args.checkpoint, len(labels), len(train_batches) * args.epochs, args.learning_rate
    )
    model.fit(train_batches.forfit(), steps_per_epoch=len(train_batches), epochs=args.epochs, shuffle=False, verbose=2)
    _, accuracy = model.evaluate(valid_batches.forfit(random=False), steps=len(valid_batches), verbose=0)
    print(f"validation accuracy: {accuracy:.4f}")
    return float(accuracy)


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
