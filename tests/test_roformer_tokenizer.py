"""Word-level RoFormer tokenization (jieba ``pre_tokenize``) equals bert4keras 0.11.5's.

Goldens: tests/goldens/make_roformer_tokenizer_goldens.py (1,200 Chinese lines, a
RoFormer-style vocab of characters and words, tokenized by bert4keras).
"""

import json
import lzma
import os

import pytest

from kerasformers.tokenizers import Tokenizer

jieba = pytest.importorskip("jieba")

DATA = os.path.join(os.path.dirname(__file__), "data")
with lzma.open(os.path.join(DATA, "roformer_tokenizer_goldens.json.xz"), "rt", encoding="utf-8") as _f:
    GOLDENS = json.load(_f)
RECORDS = GOLDENS["records"]


@pytest.fixture(scope="module")
def tokenizer():
    if jieba.__version__ != GOLDENS["jieba"]:
        pytest.skip(f"goldens were cut by jieba {GOLDENS['jieba']}, this is {jieba.__version__}")
    return Tokenizer(
        os.path.join(DATA, "roformer_word", "vocab.txt"),
        do_lower_case=True,
        pre_tokenize=lambda s: jieba.cut(s, HMM=False),
    )


def test_goldens_cover_a_thousand_lines_of_words():
    assert len(RECORDS) >= 1000
    assert all(any("\u4e00" <= c <= "\u9fff" for c in r["text"]) for r in RECORDS)
    whole_words = sum(1 for r in RECORDS for t in r["tokens"] if len(t) > 1 and "\u4e00" <= t[0] <= "\u9fff")
    assert whole_words > 1000  # the vocab's words are kept whole, not split into characters


def test_tokens_and_ids_equal_bert4keras(tokenizer):
    mismatches = []
    for r in RECORDS:
        tokens, ids = tokenizer.tokenize(r["text"]), tokenizer.encode(r["text"])[0]
        if tokens != r["tokens"] or ids != r["ids"]:
            mismatches.append((r["text"], tokens, r["tokens"]))
    assert not mismatches, f"{len(mismatches)} of {len(RECORDS)} lines differ, first: {mismatches[0]}"


def test_pair_encoding_with_maxlen_equals_bert4keras(tokenizer):
    pairs = [r for r in RECORDS if "second" in r]
    assert len(pairs) >= 250
    for r in pairs:
        ids, segments = tokenizer.encode(r["text"], r["second"], maxlen=48)
        assert (ids, segments) == (r["pair_ids"], r["pair_segments"]), r["text"]


def test_without_pre_tokenize_words_fall_back_to_characters(tokenizer):
    plain = Tokenizer(os.path.join(DATA, "roformer_word", "vocab.txt"), do_lower_case=True)
    text = RECORDS[0]["text"]
    assert len(plain.tokenize(text)) > len(tokenizer.tokenize(text))
