r"""Article completion with GPT2_ML (bert4keras's basic_language_model_gpt2_ml.py): load the released
checkpoint and continue a text by top-p sampling.

Only the imports changed from bert4keras's script. ``self.last_token(model).predict(token_ids)`` is served
from kerasformers' key/value cache, so each sampled token costs one position, not the whole prefix.

    python examples/basic_language_model_gpt2_ml.py --config gpt2_ml/config.json \
        --checkpoint gpt2_ml/model.ckpt-100000 --vocab gpt2_ml/vocab.txt --text "今天天气不错"

``--demo`` runs offline: it builds a tiny GPT2_ML with random weights on the embedded demo vocabulary,
writes it as a checkpoint in GPT2_ML's layout, loads it back the way the released one loads, and samples
(seeded; the text is noise, the machinery is real).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np

from kerasformers.models import build_transformer_model
from kerasformers.snippets import AutoRegressiveDecoder
from kerasformers.tokenizers import Tokenizer


class ArticleCompletion(AutoRegressiveDecoder):
    """Continue a text by random sampling."""

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        token_ids = np.concatenate([inputs[0], output_ids], 1)
        return self.last_token(model).predict(token_ids)

    def generate(self, text, n=1, topp=0.95):
        token_ids, _ = tokenizer.encode(text)
        results = self.random_sample([token_ids], n, topp=topp)
        return [text + tokenizer.decode(ids) for ids in results]


def write_demo_gpt2_ml(folder: str):
    """A tiny GPT2_ML checkpoint (random weights, ``newslm/...`` names) with the demo vocabulary."""
    from kerasformers.demo import demo_vocab
    from kerasformers.tokenizers import save_vocab

    tokens = demo_vocab()
    config = {"vocab_size": len(tokens), "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 128, "hidden_act": "gelu", "max_position_embeddings": 128}
    paths = {name: os.path.join(folder, name) for name in ("config.json", "vocab.txt", "model.ckpt-100000")}
    with open(paths["config.json"], "w", encoding="utf-8") as f:
        json.dump(config, f)
    save_vocab(paths["vocab.txt"], {t: i for i, t in enumerate(tokens)})
    builder = build_transformer_model(paths["config.json"], None, model="gpt2_ml", return_keras_model=False)
    builder.save_weights_as_checkpoint(paths["model.ckpt-100000"])
    return paths["config.json"], paths["model.ckpt-100000"], paths["vocab.txt"]


def build(config: str, checkpoint: str, vocab: str):
    """The tokenizer and the model, as module globals (bert4keras form)."""
    global tokenizer, model
    tokenizer = Tokenizer(vocab, token_start=None, token_end=None, do_lower_case=True)
    model = build_transformer_model(config_path=config, checkpoint_path=checkpoint, model="gpt2_ml")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config")
    parser.add_argument("--checkpoint")
    parser.add_argument("--vocab")
    parser.add_argument("--text", default="今天天气不错")
    parser.add_argument("-n", type=int, default=1)
    parser.add_argument("--end-id", type=int, default=511, help="511 is the Chinese full stop in GPT2_ML's vocab")
    parser.add_argument("--demo", action="store_true", help="offline run on a tiny random GPT2_ML (seeded)")
    args = parser.parse_args(argv)
    np.random.seed(0)  # random_sample draws from numpy's global generator, as in bert4keras
    import keras

    keras.utils.set_random_seed(0)
    workdir = None
    try:
        maxlen, minlen = 256, 128
        if args.demo:
            workdir = tempfile.mkdtemp(prefix="kerasformers-example-")
            args.config, args.checkpoint, args.vocab = write_demo_gpt2_ml(workdir)
            maxlen, minlen, args.n = 12, 4, 2
        elif None in (args.config, args.checkpoint, args.vocab):
            parser.error("missing --config/--checkpoint/--vocab (or pass --demo)")
        build(args.config, args.checkpoint, args.vocab)
        end_id = tokenizer.token_to_id("。") if args.demo else args.end_id
        article_completion = ArticleCompletion(start_id=None, end_id=end_id, maxlen=maxlen, minlen=minlen)
        texts = article_completion.generate(args.text, n=args.n)
        for text in texts:
            print(text)
        return texts
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
