"""Fine-tune T5-PEGASUS to write titles of Chinese scientific abstracts (CSL summarisation), then generate.

The recipe of ZhuiyiTechnology/t5-pegasus's ``finetune.py`` on Keras 3: a jieba word-level
``Tokenizer`` over the 50k ``vocab.txt``, ``model='mt5.1.1'`` (its default numerics are the bert4keras
ones T5-PEGASUS was trained with), the source as ``[CLS] ... [SEP]``, a decoder that starts at
``[CLS]`` and stops at ``[SEP]``, teacher-forced cross-entropy on the title, and beam search through
bert4keras's ``AutoRegressiveDecoder`` API. Data: one ``title<TAB>abstract`` pair per line (the CSL
files of CLUEbenchmark/CLGE).

    python examples/task_seq2seq_summary_t5_pegasus.py \
        --config chinese_t5_pegasus_base/config.json \
        --checkpoint chinese_t5_pegasus_base/model.ckpt \
        --vocab chinese_t5_pegasus_base/vocab.txt \
        --train csl/train.tsv --valid csl/val.tsv --epochs 10

``--demo`` runs it offline on a tiny random T5-PEGASUS-shaped checkpoint and a synthetic task (the
title is the abstract's first words), in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from typing import List, Tuple

import keras
import numpy as np

from kerasformers.models import build_transformer_model
from kerasformers.snippets import AutoRegressiveDecoder, DataGenerator, sequence_padding
from kerasformers.tokenizers import Tokenizer


def load_data(path: str) -> List[Tuple[str, str]]:
    """``[(title, abstract), ...]`` from ``title<TAB>abstract`` lines."""
    if not os.path.isfile(path):
        raise SystemExit(f"data file {path!r} does not exist")
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if "\t" not in line:
                raise SystemExit(f"{path}, line {number}: expected 'title<TAB>abstract'")
            title, content = line.rstrip("\n").split("\t", 1)
            pairs.append((title, content))
    return pairs


def jieba_tokenizer(vocab: str) -> Tokenizer:
    """T5-PEGASUS's tokenizer: jieba words (HMM off), then WordPiece over its 50k vocabulary."""
    import jieba

    return Tokenizer(vocab, do_lower_case=True, pre_tokenize=lambda s: jieba.cut(s, HMM=False))


class Batches(DataGenerator):
    """``(source ids, title ids without its last token)`` and the title shifted by one."""

    def __init__(self, data, tokenizer: Tokenizer, max_source: int, max_target: int, **kwargs):
        super().__init__(data, **kwargs)
        self.tokenizer, self.max_source, self.max_target = tokenizer, max_source, max_target

    def __iter__(self, random=False):
        sources, targets = [], []
        for is_end, (title, content) in self.sample(random):
            sources.append(self.tokenizer.encode(content, maxlen=self.max_source)[0])
            targets.append(self.tokenizer.encode(title, maxlen=self.max_target)[0])
            if len(sources) == self.batch_size or is_end:
                source, target = sequence_padding(sources), sequence_padding(targets)
                yield (source, target[:, :-1]), target[:, 1:]
                sources, targets = [], []


def build_seq2seq(config: str, checkpoint: str, learning_rate: float):
    """The T5 builder and a training model over it (padding, id 0, is left out of the loss)."""
    t5 = build_transformer_model(config, checkpoint, model="mt5.1.1", return_keras_model=False, name="T5")
    loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=0)
    t5.model.compile(loss=loss, optimizer=keras.optimizers.Adam(learning_rate))
    return t5


class AutoTitle(AutoRegressiveDecoder):
    """Encode the abstract once; each step asks the decoder for the next token of every beam."""

    def __init__(self, t5, tokenizer: Tokenizer, max_source: int, **kwargs):
        super().__init__(start_id=tokenizer._token_start_id, end_id=tokenizer._token_end_id, **kwargs)
        self.t5, self.tokenizer, self.max_source = t5, tokenizer, max_source

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        return self.last_token(self.t5.decoder).predict([inputs[0], output_ids])

    def generate(self, text: str, topk: int = 4) -> str:
        token_ids = self.tokenizer.encode(text, maxlen=self.max_source)[0]
        encoded = self.t5.encoder.predict(np.array([token_ids]), verbose=0)[0]
        output_ids = self.beam_search([encoded], topk=topk)
        return self.tokenizer.decode([int(i) for i in output_ids])


# --- the offline demo --------------------------------------------------------------------------------
DEMO_WORDS = "模型 训练 数据 方法 研究 结果 表明 提出 一种 新的 中文 文本 摘要 生成 实验 分析 系统 网络 学习 算法".split()


def demo_files(folder: str) -> Tuple[str, str, str, List[Tuple[str, str]]]:
    """A tiny T5-PEGASUS-shaped checkpoint (mT5 names, float32), its vocab.txt and a synthetic task."""
    chars = sorted({c for w in DEMO_WORDS for c in w})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + DEMO_WORDS + chars
    vocab_path = os.path.join(folder, "vocab.txt")
    with open(vocab_path, "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    config = {
        "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "attention_head_size": 16,
        "intermediate_size": 64, "vocab_size": len(vocab), "hidden_act": ["gelu", "linear"],
        "hidden_dropout_prob": 0.0,
    }
    config_path = os.path.join(folder, "config.json")
    with open(config_path, "w") as f:
        json.dump(config, f)
    t5 = build_transformer_model(config_path, None, model="mt5.1.1", return_keras_model=False)
    checkpoint = t5.save_weights_as_checkpoint(os.path.join(folder, "model.ckpt"))
    rng = np.random.RandomState(0)
    data = []
    for _ in range(64):
        words = list(rng.choice(DEMO_WORDS, size=8))
        data.append(("".join(words[:2]), "".join(words)))
    return config_path, checkpoint, vocab_path, data


def main(argv=None) -> List[Tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config")
    parser.add_argument("--checkpoint")
    parser.add_argument("--vocab")
    parser.add_argument("--train")
    parser.add_argument("--valid")
    parser.add_argument("--epochs", type=int, default=None, help="default 10 (30 with --demo)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--max-source", type=int, default=512)
    parser.add_argument("--max-target", type=int, default=64)
    parser.add_argument("--topk", type=int, default=4, help="beams")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--demo", action="store_true", help="tiny random checkpoint and synthetic data, offline")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)

    tmp = None
    if args.demo:
        tmp = tempfile.TemporaryDirectory()
        args.config, args.checkpoint, args.vocab, data = demo_files(tmp.name)
        train, valid = data[:56], data[56:]
        args.epochs = args.epochs or 30
        args.batch_size, args.learning_rate = 8, 1e-2
        args.max_source, args.max_target, args.topk = 32, 8, 2
    else:
        train, valid = load_data(args.train), load_data(args.valid)
    args.epochs = args.epochs or 10
    tokenizer = jieba_tokenizer(args.vocab)
    t5 = build_seq2seq(args.config, args.checkpoint, args.learning_rate)
    batches = Batches(train, tokenizer, args.max_source, args.max_target, batch_size=args.batch_size)
    t5.model.fit(batches.forfit(random=True), steps_per_epoch=len(batches), epochs=args.epochs, verbose=2)

    decoder = AutoTitle(t5, tokenizer, args.max_source, maxlen=args.max_target)
    results = []
    for title, content in valid[:8]:
        generated = decoder.generate(content, topk=args.topk)
        results.append((content, title, generated))
        print(f"{content} -> {generated} (reference: {title})")
    if tmp is not None:
        tmp.cleanup()
    return results


if __name__ == "__main__":
    main()
