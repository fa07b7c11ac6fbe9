"""Length buckets: CRF sequence-labelling fine-tune steps/s on each backend, buckets off vs on.

A bert4keras-style NER script pads each batch to its longest sentence, so almost every batch has a new
shape. JAX compiles a training step per input shape; TensorFlow (through ``forfit``'s signature with
unknown lengths) and PyTorch (eager) do not. ``DataGenerator(buckets=...)`` rounds the padded length up to
a multiple of 32 on JAX by default (``buckets='auto'``); this script sets ``buckets=32`` on every backend to
show the effect everywhere.

Model: BERT (2 layers, hidden 128, 4 heads, FFN 256, vocab 1000) + Dense + ``ConditionalRandomField``,
random weights, Adam; data: random sentences of 8-120 tokens with BIO tags, batch 16. Each contender runs in
its own process and trains ``--steps`` steps from a cold start (compilation included: that is what a user's
first epoch costs). Usage:

    python benchmarks/fit_buckets.py [--steps 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _harness import report, spawn

NUM_LABELS, BATCH, VOCAB = 7, 16, 1000


def worker(buckets: str, steps: int) -> None:
    import keras
    import numpy as np

    from kerasformers.layers import ConditionalRandomField
    from kerasformers.models import build_transformer_model
    from kerasformers.snippets import DataGenerator, sequence_padding

    class NerBatches(DataGenerator):
        def __iter__(self, random=False):
            batch_token_ids, batch_labels = [], []
            for is_end, (token_ids, labels) in self.sample(random):
                batch_token_ids.append(token_ids)
                batch_labels.append(labels)
                if len(batch_token_ids) == self.batch_size or is_end:
                    yield [sequence_padding(batch_token_ids)], sequence_padding(batch_labels)
                    batch_token_ids, batch_labels = [], []

    rng = np.random.default_rng(0)
    data = []
    for _ in range(BATCH * steps):
        n = int(rng.integers(8, 121))
        data.append((list(rng.integers(1, VOCAB, n)), list(rng.integers(0, NUM_LABELS, n))))
    np.random.seed(0)
    generator = NerBatches(data, batch_size=BATCH, buckets=None if buckets == "off" else int(buckets))

    bert = build_transformer_model(
        None, None, vocab_size=VOCAB, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=256, hidden_act="gelu", max_position=512, segment_vocab_size=0,
    )
    crf = ConditionalRandomField()
    output = crf(keras.layers.Dense(NUM_LABELS)(bert.output))
    model = keras.Model(bert.input, output)
    model.compile(loss=crf.sparse_loss, optimizer=keras.optimizers.Adam(1e-4))
    start = time.perf_counter()
    model.fit(generator.forfit(), steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    lengths = set()
    for batch in generator:
        lengths.add(batch[0][0].shape[1])
    report({"steps_per_s": steps / seconds, "seconds": seconds, "distinct_lengths": len(lengths)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--worker", nargs=2, metavar=("BUCKETS", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    print(f"CRF fine-tune, batch {BATCH}, sentences of 8-120 tokens, {args.steps} steps from a cold start\n")
    print("| backend | buckets | distinct padded lengths | seconds | steps/s |")
    print("|---|---|---|---|---|")
    for backend in ("tensorflow", "jax", "torch"):
        for buckets in ("off", "32"):
            result = spawn(sys.executable, __file__, ["--worker", buckets, str(args.steps)], {"KERAS_BACKEND": backend})
            if isinstance(result, dict):
                print(
                    f"| {backend} | {buckets} | {result['distinct_lengths']} | {result['seconds']:.1f} | "
                    f"{result['steps_per_s']:.2f} |",
                    flush=True,
                )
            else:
                print(f"| {backend} | {buckets} | | {result} | |", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
