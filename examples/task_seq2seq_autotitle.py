r"""UniLM title generation (bert4keras's task_seq2seq_autotitle.py on Keras 3): fine-tune BERT as a seq2seq
model (content in segment 0, title in segment 1, UniLM mask) and generate titles with beam search.

The script keeps bert4keras's form (Keras 3 has no ``K``: the loss uses ``keras.ops``): a ``DataGenerator``, a ``CrossEntropy(Loss)`` layer that masks the
source, ``Model(model.inputs, output)``, and an ``AutoRegressiveDecoder`` whose ``predict`` concatenates
the prefix and calls ``self.last_token(model).predict(...)``. Only the imports changed; that call is served
from kerasformers' key/value cache. Data: text files whose first line is the title (THUCNews layout).

    python examples/task_seq2seq_autotitle.py --config chinese_wwm_L-12_H-768_A-12/bert_config.json \
        --checkpoint chinese_wwm_L-12_H-768_A-12/bert_model.ckpt --vocab chinese_wwm_L-12_H-768_A-12/vocab.txt \
        --data 'THUCNews/*/*.txt' --epochs 10

``--demo`` runs offline on the embedded tiny checkpoint with synthetic articles whose title is their first
three characters, trains a few seeded steps, then beam-searches titles.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import sys
import tempfile

import keras
import numpy as np

from keras import ops
from kerasformers.layers import Loss
from kerasformers.models import build_transformer_model
from kerasformers.optimizers import Adam
from kerasformers.snippets import AutoRegressiveDecoder, DataGenerator, open, sequence_padding
from kerasformers.tokenizers import Tokenizer, load_vocab

maxlen = 256


class data_generator(DataGenerator):
    """Batches of (content, title) pairs as token ids and segment ids; the loss needs no labels."""

    def __iter__(self, random=False):
        batch_token_ids, batch_segment_ids = [], []
        for is_end, (title, content) in self.sample(random):
            token_ids, segment_ids = tokenizer.encode(content, title, maxlen=maxlen)
            batch_token_ids.append(token_ids)
            batch_segment_ids.append(segment_ids)
            if len(batch_token_ids) == self.batch_size or is_end:
                yield (sequence_padding(batch_token_ids), sequence_padding(batch_segment_ids)), None
                batch_token_ids, batch_segment_ids = [], []


class CrossEntropy(Loss):
    """Cross-entropy on the title (segment 1) only, predictions shifted by one position."""

    def compute_loss(self, inputs, mask=None):
        y_true, y_mask, y_pred = inputs
        y_true = y_true[:, 1:]
        y_mask = ops.cast(y_mask[:, 1:], "float32")
        y_pred = y_pred[:, :-1]
        loss = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
        return ops.sum(loss * y_mask) / ops.sum(y_mask)


class AutoTitle(AutoRegressiveDecoder):
    """seq2seq decoder: the content is the prompt, title tokens get segment 1."""

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        token_ids, segment_ids = inputs
        token_ids = np.concatenate([token_ids, output_ids], 1)
        segment_ids = np.concatenate([segment_ids, np.ones_like(output_ids)], 1)
        return self.last_token(model).predict([token_ids, segment_ids])

    def generate(self, text, topk=1):
        max_c_len = maxlen - self.maxlen
        token_ids, segment_ids = tokenizer.encode(text, maxlen=max_c_len)
        output_ids = self.beam_search([token_ids, segment_ids], topk=topk)
        return tokenizer.decode(output_ids)


def load_articles(pattern: str):
    """``[(title, content), ...]`` from text files whose first line is the title."""
    files = sorted(glob.glob(pattern))
    if not files:
        raise SystemExit(f"error: no file matches --data {pattern!r} (text files, title on the first line)")
    articles = []
    for path in files:
        lines = open(path, encoding="utf-8").read().split("\n")
        if len(lines) > 1:
            articles.append((lines[0], "\n".join(lines[1:])))
    return articles


def demo_articles(count: int = 48, seed: int = 0):
    """Synthetic articles of demo-vocabulary characters; the title is the first three characters."""
    from kerasformers.demo import DEMO_CHARS

    rng = np.random.RandomState(seed)
    chars = [c for c in DEMO_CHARS if c not in "。，！？"]
    articles = []
    for _ in range(count):
        content = "".join(rng.choice(chars, size=rng.randint(6, 12)))
        articles.append((content[:3], content))
    return articles


def build(config: str, checkpoint: str, vocab: str, learning_rate: float):
    """Tokenizer (simplified vocab), the UniLM model and its training wrapper, as module globals
    (the decoder's ``predict`` reads ``model`` and ``tokenizer``, as in bert4keras's script)."""
    global tokenizer, model, train_model
    token_dict, keep_tokens = load_vocab(vocab, simplified=True, startswith=["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    tokenizer = Tokenizer(token_dict, do_lower_case=True)
    model = build_transformer_model(config, checkpoint, application="unilm", keep_tokens=keep_tokens)
    output = CrossEntropy(2)(model.inputs + model.outputs)
    train_model = keras.Model(model.inputs, output)
    train_model.compile(optimizer=Adam(learning_rate))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config")
    parser.add_argument("--checkpoint")
    parser.add_argument("--vocab")
    parser.add_argument("--data", help="glob of text files, title on the first line")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps-per-epoch", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=1e-5)
    parser.add_argument("--demo", action="store_true", help="offline run on the embedded tiny checkpoint (seeded)")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    workdir = None
    try:
        if args.demo:
            from kerasformers.demo import write_demo_checkpoint

            workdir = tempfile.mkdtemp(prefix="kerasformers-example-")
            paths = write_demo_checkpoint(workdir)
            args.config, args.checkpoint, args.vocab = paths["config"], paths["checkpoint"], paths["vocab"]
            articles = demo_articles()
            args.epochs, args.steps_per_epoch, args.batch_size, args.learning_rate = 3, 8, 8, 3e-3
        else:
            missing = [m for m in ("config", "checkpoint", "vocab", "data") if getattr(args, m) is None]
            if missing:
                parser.error("missing " + ", ".join("--" + m for m in missing) + " (or pass --demo)")
            articles = load_articles(args.data)
        build(args.config, args.checkpoint, args.vocab, args.learning_rate)
        global autotitle
        autotitle = AutoTitle(start_id=None, end_id=tokenizer._token_end_id, maxlen=8 if args.demo else 32)
        train_generator = data_generator(articles, args.batch_size)
        history = train_model.fit(
            train_generator.forfit(), steps_per_epoch=args.steps_per_epoch, epochs=args.epochs, verbose=2
        )
        titles = []
        for title, content in articles[:3]:
            generated = autotitle.generate(content, topk=3)
            print(f"content: {content}\n  title: {title}\n  generated: {generated}")
            titles.append((title, generated))
        return history.history["loss"], titles
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
