"""Record bert4keras 0.11.5's word-level RoFormer tokenization (jieba ``pre_tokenize``).

RoFormer (chinese_roformer_L-12_H-768_A-12) has a 50000-token vocab of characters
*and* words and is used with (RoFormer README)::

    Tokenizer(dict_path, do_lower_case=True, pre_tokenize=lambda s: jieba.cut(s, HMM=False))

The real vocab is not redistributable here, so this script builds one the same
way (BERT specials, ASCII, CJK punctuation, the characters of jieba's dictionary
and its most frequent words) and 1,200 Chinese lines from jieba's dictionary words
(frequency-weighted, so some are in the vocab and some fall back to characters),
with punctuation, digits, Latin words, spaces and full-width forms mixed in.
bert4keras tokenizes them; kerasformers is never imported. Run it in the
bert4keras virtualenv (same jieba, 0.42.1, as the test environment):

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/b4k/bin/python tests/goldens/make_roformer_tokenizer_goldens.py

It rewrites tests/data/roformer_word/vocab.txt and tests/data/roformer_tokenizer_goldens.json.xz.
"""

import json
import lzma
import os
import random

os.environ.setdefault("TF_KERAS", "1")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import jieba  # noqa: E402

import bert4keras  # noqa: E402
from bert4keras.tokenizers import Tokenizer  # noqa: E402

assert bert4keras.__version__ == "0.11.5", bert4keras.__version__

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "data")
FOLDER = os.path.join(DATA, "roformer_word")
SEED = 8265  # kexue.fm/archives/8265, RoFormer's post
LINES = 1200
PUNCTUATION = "，。！？、；：“”‘’《》（）【】…—·"
LATIN = ["RoFormer", "BERT", "GPU", "Keras", "Python", "NLP", "AI", "iPhone", "WiFi", "ok", "Hello", "world", "kexue.fm"]
FULLWIDTH = ["ＡＢＣ", "１２３", "２０２１年", "Ｋｅｒａｓ", "％"]


def jieba_dictionary():
    """(word, frequency) of jieba's bundled dictionary, most frequent first."""
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    entries = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, freq = line.split()[:2]
            entries.append((word, int(freq)))
    entries.sort(key=lambda e: (-e[1], e[0]))
    return entries


def is_cjk_word(word):
    return all(Tokenizer._is_cjk_character(c) for c in word)


def build_vocab(entries):
    vocab = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += [chr(c) for c in range(33, 127)]
    vocab += [c for c in PUNCTUATION if c not in vocab]
    chars, words = [], []
    for word, _ in entries[:30000]:
        if not is_cjk_word(word):
            continue
        for c in word:
            if c not in chars:
                chars.append(c)
        if len(word) > 1 and len(words) < 6000:
            words.append(word)
    vocab += chars[:3500] + words
    vocab += ["roformer", "bert", "keras", "python", "hello", "world", "##s", "##ing", "##er", "ai", "nlp"]
    seen, unique = set(), []
    for token in vocab:
        if token not in seen:
            seen.add(token)
            unique.append(token)
    return unique


def make_lines(entries, rng):
    pool = [(w, f) for w, f in entries[:40000] if is_cjk_word(w)]
    words, weights = [w for w, _ in pool], [f**0.5 for _, f in pool]
    lines = []
    for _ in range(LINES):
        pieces = []
        for word in rng.choices(words, weights=weights, k=rng.randint(3, 30)):
            pieces.append(word)
            roll = rng.random()
            if roll < 0.12:
                pieces.append(rng.choice(PUNCTUATION))
            elif roll < 0.15:
                pieces.append(rng.choice([" ", "  "]) + rng.choice(LATIN) + " ")
            elif roll < 0.17:
                pieces.append(str(rng.randint(0, 100000)))
            elif roll < 0.18:
                pieces.append(rng.choice(FULLWIDTH))
        line = "".join(pieces)
        lines.append(line + rng.choice(["。", "！", "？", "", "……"]))
    return lines


def main():
    rng = random.Random(SEED)
    entries = jieba_dictionary()
    vocab = build_vocab(entries)
    os.makedirs(FOLDER, exist_ok=True)
    with open(os.path.join(FOLDER, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    tokenizer = Tokenizer(
        os.path.join(FOLDER, "vocab.txt"), do_lower_case=True, pre_tokenize=lambda s: jieba.cut(s, HMM=False)
    )
    lines = make_lines(entries, rng)
    records = []
    for i, line in enumerate(lines):
        record = {"text": line, "tokens": tokenizer.tokenize(line), "ids": tokenizer.encode(line)[0]}
        if i % 4 == 0:
            second = lines[(i * 7 + 3) % len(lines)]
            ids, segments = tokenizer.encode(line, second, maxlen=48)
            record.update(second=second, pair_ids=ids, pair_segments=segments)
        records.append(record)
    goldens = {"jieba": jieba.__version__, "bert4keras": bert4keras.__version__, "records": records}
    with lzma.open(os.path.join(DATA, "roformer_tokenizer_goldens.json.xz"), "wt", encoding="utf-8") as f:
        json.dump(goldens, f, ensure_ascii=False)
    words = sum(1 for r in records for t in r["tokens"] if len(t) > 1 and is_cjk_word(t))
    print(f"{len(vocab)} vocab tokens, {len(records)} lines, {words} whole-word tokens")


if __name__ == "__main__":
    main()
