"""Encoder-decoder generation: T5-small shape, beam search with 4 beams, 64 new tokens.

Contenders, each in its own process: kerasformers on each Keras backend (bert4keras's
``AutoRegressiveDecoder`` recipe: encoder once, ``last_token(decoder)`` per step, served from the
key/value cache when the installed kerasformers has one), bert4keras 0.11.5 (the same recipe on tf_keras,
recomputing every prefix) and transformers' ``T5ForConditionalGeneration.generate``. Weights are random
(same shape for all: T5.1.1-small, hidden 512, 8+8 layers, 6 heads of 64, FFN 1024, vocabulary 32128), the
source is 128 tokens, and generation never stops early (no end token), so every contender does the same work.

    python benchmarks/seq2seq.py --bert4keras-python /work/venv-b4k/bin/python [--repeats 3] \
        [--backends tensorflow,jax,torch] [--no-transformers]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import BERT4KERAS_ENV, report, spawn  # noqa: E402

SHAPE = dict(vocab_size=32128, hidden_size=512, num_hidden_layers=8, num_attention_heads=6,
             attention_head_size=64, intermediate_size=1024, hidden_act=["gelu", "linear"])
SOURCE, NEW, BEAMS = 128, 64, 4


def source_ids():
    import numpy as np

    return np.random.RandomState(0).randint(3, SHAPE["vocab_size"], size=(1, SOURCE))


def keras_recipe(build_transformer_model, AutoRegressiveDecoder, np):
    """bert4keras's T5 decoding recipe, as ported scripts run it."""
    t5 = build_transformer_model(None, None, model="t5.1.1", return_keras_model=False, **SHAPE)

    class Decoder(AutoRegressiveDecoder):
        @AutoRegressiveDecoder.wraps(default_rtype="probas")
        def predict(self, inputs, output_ids, states):
            return self.last_token(t5.decoder).predict([inputs[0], output_ids])

    decoder = Decoder(start_id=0, end_id=None, maxlen=NEW, minlen=NEW)

    def run():
        encoded = t5.encoder.predict(source_ids(), verbose=0)[0]
        return decoder.beam_search([encoded], topk=BEAMS)

    return run


def worker_kerasformers():
    import numpy as np

    from kerasformers.models import build_transformer_model
    from kerasformers.snippets import AutoRegressiveDecoder

    return keras_recipe(build_transformer_model, AutoRegressiveDecoder, np)


def worker_bert4keras():
    import numpy as np
    from bert4keras.models import build_transformer_model
    from bert4keras.snippets import AutoRegressiveDecoder

    def build(config, checkpoint, **kwargs):
        return build_transformer_model(config, checkpoint, **kwargs)

    return keras_recipe(build, AutoRegressiveDecoder, np)


def worker_transformers():
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    config = T5Config(vocab_size=SHAPE["vocab_size"], d_model=512, d_kv=64, d_ff=1024, num_layers=8, num_heads=6,
                      feed_forward_proj="gated-gelu", tie_word_embeddings=False, dropout_rate=0.0,
                      decoder_start_token_id=0, pad_token_id=0)
    model = T5ForConditionalGeneration(config).eval()
    ids = torch.from_numpy(source_ids()).long()

    def run():
        with torch.no_grad():
            return model.generate(ids, num_beams=BEAMS, max_new_tokens=NEW, min_new_tokens=NEW, do_sample=False,
                                  early_stopping=False, eos_token_id=None)

    return run


def worker(name: str, repeats: int) -> None:
    run = {"kerasformers": worker_kerasformers, "bert4keras": worker_bert4keras,
           "transformers": worker_transformers}[name]()
    run()  # warm-up: tracing, compilation, first allocations
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    report(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bert4keras-python", default=None)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after the warm-up (best is kept)")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--no-transformers", action="store_true")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.repeats)
    repeats = ["--repeats", str(args.repeats)]
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    rows = []
    for backend in args.backends.split(","):
        env = {"KERAS_BACKEND": backend, "PYTHONPATH": os.path.abspath(src)}
        rows.append((f"kerasformers ({backend})", spawn(sys.executable, __file__, ["--worker", "kerasformers", *repeats], env)))
    if not args.no_transformers:
        rows.append(("transformers (torch)", spawn(sys.executable, __file__, ["--worker", "transformers", *repeats], {})))
    if args.bert4keras_python:
        # One timed run: bert4keras recomputes every prefix, so a run takes minutes.
        rows.append(("bert4keras 0.11.5 (tf_keras)",
                     spawn(args.bert4keras_python, __file__, ["--worker", "bert4keras", "--repeats", "1"], BERT4KERAS_ENV)))
    reference = dict(rows).get("transformers (torch)")
    b4k = dict(rows).get("bert4keras 0.11.5 (tf_keras)")
    print(f"T5.1.1-small shape, source {SOURCE}, beam {BEAMS}, {NEW} new tokens (best of {args.repeats}; "
          f"bert4keras: 1)\n")
    print("| contender | seconds | new tokens/s | vs transformers | vs bert4keras |")
    print("|---|---|---|---|---|")
    for name, seconds in rows:
        if not isinstance(seconds, float):
            print(f"| {name} | {seconds} | | | |")
            continue
        vs_t = f"{reference / seconds:.2f}x" if isinstance(reference, float) else ""
        vs_b = f"{b4k / seconds:.2f}x" if isinstance(b4k, float) else ""
        print(f"| {name} | {seconds:.2f} | {NEW / seconds:.1f} | {vs_t} | {vs_b} |")


if __name__ == "__main__":
    main()
