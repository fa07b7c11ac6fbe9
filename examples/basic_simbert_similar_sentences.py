r"""SimBERT similar-sentence generation (bert4keras's basic_simple_web_serving_simbert.py, without the web
server): sample ``n`` paraphrases with the UniLM head (``random_sample``, top-p), then rank them by the
cosine similarity of SimBERT's pooled vectors to the input.

Only the imports changed from bert4keras's script. ``self.last_token(seq2seq).predict(...)`` is served from
kerasformers' key/value cache: ``seq2seq`` is a ``keras.Model`` over the builder's MLM output, which the
cache recognises.

    python examples/basic_simbert_similar_sentences.py \
        --config chinese_simbert_L-12_H-768_A-12/bert_config.json \
        --checkpoint chinese_simbert_L-12_H-768_A-12/bert_model.ckpt \
        --vocab chinese_simbert_L-12_H-768_A-12/vocab.txt --text "微信和支付宝哪个好？"

``--demo`` runs offline on the embedded tiny checkpoint (random weights: the sentences are noise, the
machinery is real), seeded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile

import keras
import numpy as np

from kerasformers.models import build_transformer_model
from kerasformers.snippets import AutoRegressiveDecoder, sequence_padding
from kerasformers.tokenizers import Tokenizer

maxlen = 32


class SynonymsGenerator(AutoRegressiveDecoder):
    """seq2seq decoder: the input sentence is the prompt, generated tokens get segment 1."""

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        token_ids, segment_ids = inputs
        token_ids = np.concatenate([token_ids, output_ids], 1)
        segment_ids = np.concatenate([segment_ids, np.ones_like(output_ids)], 1)
        return self.last_token(seq2seq).predict([token_ids, segment_ids])

    def generate(self, text, n=1, topp=0.95):
        token_ids, segment_ids = tokenizer.encode(text, maxlen=maxlen)
        output_ids = self.random_sample([token_ids, segment_ids], n, topp=topp)
        return [tokenizer.decode(ids) for ids in output_ids]


def gen_synonyms(text, n=100, k=20):
    """Generate ``n`` sentences like ``text`` and return the ``k`` closest by SimBERT's encoder."""
    r = synonyms_generator.generate(text, n)
    r = [i for i in sorted(set(r)) if i != text]
    r = [text] + r
    X, S = [], []
    for t in r:
        x, s = tokenizer.encode(t)
        X.append(x)
        S.append(s)
    Z = encoder.predict([sequence_padding(X), sequence_padding(S)], verbose=0)
    Z /= (Z**2).sum(axis=1, keepdims=True) ** 0.5
    argsort = np.dot(Z[1:], -Z[0]).argsort()
    return [r[i + 1] for i in argsort[:k]]


def build(config: str, checkpoint: str, vocab: str, generate_maxlen: int = maxlen):
    """Tokenizer, SimBERT's encoder and seq2seq models and the decoder, as module globals (bert4keras form)."""
    global tokenizer, encoder, seq2seq, synonyms_generator
    tokenizer = Tokenizer(vocab, do_lower_case=True)
    bert = build_transformer_model(
        config, checkpoint, with_pool="linear", application="unilm", return_keras_model=False
    )
    encoder = keras.Model(bert.model.inputs, bert.model.outputs[0])
    seq2seq = keras.Model(bert.model.inputs, bert.model.outputs[1])
    synonyms_generator = SynonymsGenerator(start_id=None, end_id=tokenizer._token_end_id, maxlen=generate_maxlen)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config")
    parser.add_argument("--checkpoint")
    parser.add_argument("--vocab")
    parser.add_argument("--text", default="今天天气很好我们去公园散步吧")
    parser.add_argument("-n", type=int, default=100, help="sentences to sample")
    parser.add_argument("-k", type=int, default=20, help="sentences to keep")
    parser.add_argument("--demo", action="store_true", help="offline run on the embedded tiny checkpoint (seeded)")
    args = parser.parse_args(argv)
    np.random.seed(0)  # random_sample draws from numpy's global generator, as in bert4keras
    workdir = None
    try:
        generate_maxlen = maxlen
        if args.demo:
            from kerasformers.demo import write_demo_checkpoint

            workdir = tempfile.mkdtemp(prefix="kerasformers-example-")
            paths = write_demo_checkpoint(workdir)
            args.config, args.checkpoint, args.vocab = paths["config"], paths["checkpoint"], paths["vocab"]
            args.n, args.k, generate_maxlen = 4, 3, 8
        elif None in (args.config, args.checkpoint, args.vocab):
            parser.error("missing --config/--checkpoint/--vocab (or pass --demo)")
        build(args.config, args.checkpoint, args.vocab, generate_maxlen)
        similar = gen_synonyms(args.text, args.n, args.k)
        print(f"{args.text} ->")
        for sentence in similar:
            print("  " + sentence)
        return similar
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
