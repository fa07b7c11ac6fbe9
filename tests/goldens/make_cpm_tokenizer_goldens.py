"""SpTokenizer goldens in CPM-LM's setting, from bert4keras 0.11.5.

CPM-LM (TsinghuaAI/CPM-Generate, bert4keras's basic_language_model_cpm_lm.py) cuts
text with jieba, writes spaces as ``\\u2582`` and newlines as ``\\u2583``, joins the
words with spaces for a BPE SentencePiece model whose vocabulary holds those two
symbols, and translates ``\\u2583`` to ``<cls>``. This script trains such a model
here (tests/data/tokenizer_cpm.model, a few kB: BPE over jieba-cut text, ``<pad>``
id 0, ``<unk>`` 1, ``</s>`` 2, ``\\u2582``/``\\u2583``/``<cls>``/``<eod>`` as
user-defined pieces) and records what bert4keras's ``SpTokenizer`` does with every
option: ``token_start``/``token_end`` (none, and pieces of the model),
``pre_tokenize`` (CPM's jieba function), ``token_translate`` (one and two pieces),
``maxlen`` truncation, pairs, ``decode`` (translation reversed) and the special
pieces (``_token_unk``, ``_token_pad``...). Text includes characters the model
lacks (unknown pieces), spaces, newlines, English and emoji. Run it in the
bert4keras virtualenv:

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/venv-b4k/bin/python tests/goldens/make_cpm_tokenizer_goldens.py

It rewrites tests/data/tokenizer_cpm.model and tests/data/tokenizer_cpm_goldens.json.xz.
"""

import io
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_goldens import (  # noqa: E402  (same folder, same virtualenv)
    DATA, EMOJI, SEED, attempt, chinese_sentence, dump, english_sentence, jieba_words, sprinkle,
)

import jieba  # noqa: E402
import sentencepiece as spm  # noqa: E402
from bert4keras.tokenizers import SpTokenizer  # noqa: E402

MODEL = os.path.join(DATA, "tokenizer_cpm.model")
SPECIAL = ["pad", "unk", "mask", "start", "end"]


def cpm_pre_tokenize(text):
    """CPM-LM's pre-tokenizer (bert4keras's example)."""
    return [w.replace(" ", "\u2582").replace("\n", "\u2583") for w in jieba.cut(text, cut_all=False)]


def texts(rng, words, n):
    out = []
    for i in range(n):
        parts = [chinese_sentence(rng, words) for _ in range(rng.randint(1, 3))]
        text = rng.choice(["\n", " ", "", "\n\n", "  "]).join(parts)
        if i % 3 == 0:
            text = sprinkle(rng, text, [" ", "\n", " " + english_sentence(rng) + " "], rng.randint(1, 3))
        if i % 5 == 0:
            text = sprinkle(rng, text, EMOJI + ["\u3400", "ᄒ", "Ω"], rng.randint(1, 2))  # not in the model
        out.append(text)
    return out + ["", " ", "\n", "中文", "<cls>", "\u2583", "a b\nc"]


def train(words):
    rng = random.Random(SEED + 10)
    lines = [" ".join(cpm_pre_tokenize(t)) for t in texts(rng, words, 400)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, vocab_size=1500, model_type="bpe",
        character_coverage=0.98, pad_id=0, unk_id=1, eos_id=2, bos_id=-1, num_threads=1,
        user_defined_symbols=["\u2582", "\u2583", "<cls>", "<eod>"], hard_vocab_limit=False, minloglevel=2,
        normalization_rule_name="identity",  # no NFKC table: keeps the file small
    )
    with open(MODEL, "wb") as f:
        f.write(model.getvalue())
    print("tokenizer_cpm.model", len(model.getvalue()), "bytes")


def main():
    words = jieba_words()
    train(words)
    sample = texts(random.Random(SEED + 11), words, 150)
    configs = {
        "cpm_lm": {"token_start": None, "token_end": None, "pre_tokenize": "cpm",
                   "token_translate": {"\u2583": "<cls>"}},
        "cpm_start_end": {"token_start": "<cls>", "token_end": "<eod>", "pre_tokenize": "cpm",
                          "token_translate": {"\u2583": "<cls>", "\u2582": "<eod>"}},
        "end_only": {"token_start": None, "token_end": "</s>"},
        "start_only_translate": {"token_start": "<eod>", "token_end": None, "token_translate": {"\u2581": "\u2582"}},
    }
    results = {}
    for name, kwargs in configs.items():
        real = dict(kwargs)
        if real.get("pre_tokenize") == "cpm":
            real["pre_tokenize"] = cpm_pre_tokenize
        tok = SpTokenizer(MODEL, **real)
        records = []
        for i, text in enumerate(sample):
            other = sample[(i * 7 + 3) % len(sample)]
            ids, segments = tok.encode(text)
            assert segments == [0] * len(ids)
            maxlen = [1, 2, 3, 5, 8][i % 5]
            pair_maxlen = [None, 6, 10, 32][i % 4]
            truncate_from = ["right", "left"][(i // 4) % 2]
            records.append({
                "text": text,
                "other": other,
                "tokens": tok.tokenize(text),
                "ids": ids,
                "tokens_maxlen": [maxlen, attempt(lambda: tok.tokenize(text, maxlen=maxlen))],
                "pair": [pair_maxlen, truncate_from,
                         attempt(lambda: tok.encode(text, other, maxlen=pair_maxlen, truncate_from=truncate_from))],
                "decode": attempt(lambda: tok.decode(ids)),
            })
        results[name] = {
            "records": records,
            "special_tokens": {k: getattr(tok, "_token_%s" % k) for k in SPECIAL},
            "special_ids": {k: getattr(tok, "_token_%s_id" % k, None) for k in SPECIAL},
            "vocab_size": tok._vocab_size,
        }
    dump("tokenizer_cpm_goldens.json.xz", results)


if __name__ == "__main__":
    main()
