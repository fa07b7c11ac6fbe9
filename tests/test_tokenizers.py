"""Tokenizers against bert4keras 0.11.5 goldens (tests/goldens/make_tokenizer_goldens.py)
and the errors/behaviour a user relies on.  No Keras backend is needed."""

import json
import lzma
import os
import pathlib
import pickle
import random
import subprocess
import sys
import unicodedata

import pytest

from kerasformers.tokenizers import SpTokenizer, Tokenizer, TokenizerBase, load_vocab, save_vocab

DATA = pathlib.Path(__file__).parent / "data"
VOCAB = DATA / "tokenizer_vocab.txt"
SP_MODEL = DATA / "tokenizer_sp.model"


def _load(name):
    return json.loads(lzma.decompress((DATA / name).read_bytes()))


@pytest.fixture(scope="module")
def goldens():
    return _load("tokenizer_goldens.json.xz")


def _jieba_cut():
    jieba = pytest.importorskip("jieba")
    return lambda s: jieba.cut(s, HMM=False)


def _attempt(fn):
    try:
        return fn()
    except Exception as e:  # bert4keras's failures are part of the goldens
        return {"error": type(e).__name__}


def _plain(obj):
    return json.loads(json.dumps(obj))  # tuples -> lists, as in the goldens


def _rematch_fixed(text, spans, lower):
    """bert4keras's rematch with its one known bug fixed: with lower-casing it indexed
    ``text.lower()``, which is longer than ``text`` for characters such as 'İ'. Here each
    lowered character is mapped back to the original character it came from."""
    if not lower or not isinstance(spans, list) or len(text.lower()) == len(text):
        return spans
    owner = [i for i, ch in enumerate(text) for _ in ch.lower()]
    return [[owner[j] for j in span] for span in spans]


def _with_rematch_fix(texts, expected, lower):
    fixed = []
    for text, record in zip(texts, expected):
        record = dict(record)
        for field in ("rematch", "rematch_ids"):
            if field in record:
                record[field] = _rematch_fixed(text, record[field], lower)
        fixed.append(record)
    return fixed


def _first_difference(goldens_meta, config, texts, expected, actual):
    """Assert every record matches; report the count and the first difference."""
    diffs = [(i, field) for i, (e, a) in enumerate(zip(expected, actual)) for field in e if e[field] != a.get(field)]
    if not diffs:
        return
    i, field = diffs[0]
    note = ""
    if goldens_meta["unidata_version"] != unicodedata.unidata_version:
        note = (f" (goldens were made with Unicode {goldens_meta['unidata_version']}, "
                f"this Python has {unicodedata.unidata_version})")
    raise AssertionError(
        f"{len({d[0] for d in diffs})} of {len(expected)} lines differ from bert4keras in config {config!r}{note}; "
        f"first: line {i} {texts[i]!r}, field {field!r}:\n  bert4keras:   {expected[i][field]!r}\n"
        f"  kerasformers: {actual[i].get(field)!r}"
    )


def _record(tokenizer, texts, i, golden):
    # Mirrors record_wordpiece() in the golden script; arguments come from the golden.
    text, other = texts[i], texts[(i * 7 + 3) % len(texts)]
    tokens = tokenizer.tokenize(text)
    ids, segs = tokenizer.encode(text)
    assert segs == [0] * len(ids)
    maxlen = golden["tokens_maxlen"][0]
    pair_maxlen, truncate_from, pattern = golden["pair"][:3]
    rec = {
        "tokens": tokens,
        "ids": ids,
        "tokens_maxlen": [maxlen, _attempt(lambda: tokenizer.tokenize(text, maxlen=maxlen))],
        "pair": [pair_maxlen, truncate_from, pattern, _attempt(lambda: tokenizer.encode(
            text, other, maxlen=pair_maxlen, pattern=pattern, truncate_from=truncate_from))],
        "rematch": _attempt(lambda: tokenizer.rematch(text, tokens)),
        "rematch_ids": _attempt(lambda: tokenizer.rematch(text, tokenizer.ids_to_tokens(ids))),
        "decode": _attempt(lambda: tokenizer.decode(ids)),
    }
    if "decode_tokens" in golden:
        rec["decode_tokens"] = _attempt(lambda: tokenizer.decode(ids, tokens[1:] if len(tokens) > 1 else tokens))
    if "pretokenized" in golden:
        pre = list(tokens)
        rec["pretokenized"] = [_attempt(lambda: tokenizer.encode(pre, list(tokens), maxlen=12)), pre]
    return _plain(rec)


@pytest.mark.parametrize("config", ["cased", "uncased", "uncased_jieba", "cased_jieba", "variant", "no_special"])
def test_wordpiece_matches_bert4keras_line_by_line(goldens, config):
    spec = goldens["configs"][config]
    kwargs = dict(spec["kwargs"])
    if kwargs.get("pre_tokenize") == "jieba":
        kwargs["pre_tokenize"] = _jieba_cut()
    texts = goldens["sets"][spec["set"]]
    expected = goldens["results"][config]
    assert len(texts) == len(expected) >= 300
    tokenizer = Tokenizer(str(VOCAB), **kwargs)
    actual = [_record(tokenizer, texts, i, expected[i]) for i in range(len(texts))]
    expected = _with_rematch_fix(texts, expected, kwargs.get("do_lower_case", False))
    _first_difference(goldens["meta"], config, texts, expected, actual)


def test_golden_corpus_is_varied(goldens):
    kinds = set(goldens["kinds"])
    assert {"zh", "en", "mixed", "accents", "fullwidth", "control", "emoji", "long", "numbers", "punct", "space",
            "special"} <= kinds
    assert len(goldens["sets"]["lines"]) >= 2000 and len(goldens["sets"]["zh"]) >= 1000


def test_character_classes_match_bert4keras(goldens):
    checks = (Tokenizer._is_space, Tokenizer._is_punctuation, Tokenizer._is_cjk_character, Tokenizer._is_control)
    for lo, hi, flags in goldens["char_classes"]:
        for code, flag in zip(range(lo, hi), flags):
            ch = chr(code)
            got = sum(bool(check(ch)) << bit for bit, check in enumerate(checks))
            assert got == int(flag, 16), f"U+{code:04X} {unicodedata.name(ch, '?')}: classes {got:04b} != {int(flag, 16):04b}"
    assert Tokenizer._cjk_punctuation() == goldens["cjk_punctuation"]


def test_is_redundant_and_stem(goldens):
    for token, redundant in goldens["redundant"].items():
        assert bool(Tokenizer._is_redundant(token)) == redundant, token
    assert Tokenizer.stem("##ing") == "ing" and Tokenizer.stem("#a") == "#a"
    assert Tokenizer._is_special("[CLS]") and not Tokenizer._is_special("[") and not Tokenizer._is_special("")


def test_load_vocab_matches_bert4keras(goldens):
    expected = goldens["load_vocab"]
    simplified, keep = load_vocab(VOCAB, simplified=True, startswith=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    assert _plain([list(simplified.items()), keep]) == expected["simplified"]
    quirky = DATA / "tokenizer_vocab_quirky.txt"
    # Duplicates, blank lines, CRLF, a lone CR, a BOM, extra columns: same dict, same order.
    assert _plain(list(load_vocab(str(quirky)).items())) == expected["quirky"]
    new, keep = load_vocab(quirky, simplified=True, startswith=["[UNK]", "a", "[CLS]"])
    assert _plain([list(new.items()), keep]) == expected["quirky_simplified"]


def test_save_vocab_round_trip(tmp_path):
    vocab = load_vocab(VOCAB)
    save_vocab(tmp_path / "v.txt", vocab)
    assert (tmp_path / "v.txt").read_bytes() == VOCAB.read_bytes()
    simplified, keep = load_vocab(VOCAB, simplified=True, startswith=["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    save_vocab(str(tmp_path / "s.txt"), simplified)
    assert load_vocab(tmp_path / "s.txt") == simplified
    # keep_tokens selects, for every new id, the row of the same token in the old vocab.
    inverse = {i: t for t, i in vocab.items()}
    assert all(inverse[old] == token for token, old in zip(simplified, keep))


# ---------------------------------------------------------------- errors


def test_missing_vocab_file_names_the_path(tmp_path):
    path = tmp_path / "nope" / "vocab.txt"
    for make in (lambda: Tokenizer(str(path)), lambda: load_vocab(path)):
        with pytest.raises(FileNotFoundError, match="vocab.txt"):
            make()


def test_vocab_without_cls_sep_raises_clear_error(tmp_path):
    path = tmp_path / "vocab.txt"
    save_vocab(path, {"[PAD]": 0, "[UNK]": 1, "a": 2})
    with pytest.raises(ValueError) as info:
        Tokenizer(str(path))
    message = str(info.value)
    assert str(path) in message and "'[CLS]'" in message and "'[SEP]'" in message
    assert "token_start=None" in message and "token_end=None" in message
    # The documented fix works.
    tokenizer = Tokenizer(str(path), token_start=None, token_end=None)
    assert tokenizer.encode("a b") == ([2, 1], [0, 0])


def test_token_dict_without_specials_warns_and_fails_only_when_used():
    # A dict built in the script: bert4keras accepted it (its Chinese-chess example sets the unknown id
    # itself afterwards), so it is a warning naming the tokens; using the missing id is the error.
    with pytest.warns(UserWarning) as record:
        tokenizer = Tokenizer({"[CLS]": 0, "[SEP]": 1, "a": 2})
    assert "the given token_dict" in str(record[0].message) and "'[UNK]'" in str(record[0].message)
    with pytest.raises(AttributeError, match=r"no '\[UNK\]' token"):
        tokenizer.encode("a b")
    with pytest.warns(UserWarning, match="<s>"):
        Tokenizer({"[UNK]": 0, "[SEP]": 1}, token_start="<s>")
    chars = ["[PAD]"] + list("0123456789abcdefghi")
    with pytest.warns(UserWarning):
        chess = Tokenizer(dict(zip(chars, range(len(chars)))))
    chess._token_unk_id = 0
    assert chess.encode(" ".join("h2e2")) == ([0, 18, 3, 15, 3, 0], [0] * 6)


def test_missing_pad_or_mask_only_fails_when_used():
    tokenizer = Tokenizer({"[UNK]": 0, "[CLS]": 1, "[SEP]": 2})
    assert not hasattr(tokenizer, "_token_mask_id")
    with pytest.raises(AttributeError, match=r"no '\[PAD\]' token"):
        tokenizer._token_pad_id
    with pytest.raises(AttributeError, match="token_start=None"):
        Tokenizer({"[UNK]": 0}, token_start=None, token_end=None)._token_start_id


def test_bad_truncate_from_names_the_valid_values():
    tokenizer = Tokenizer(str(VOCAB))
    with pytest.raises(TypeError, match="'right', 'left'"):
        tokenizer.encode("hello world " * 5, maxlen=4, truncate_from="middle")
    assert tokenizer.encode("hello", maxlen=8, truncate_from="middle")[0][1] == tokenizer.token_to_id("hello")


# ---------------------------------------------------------------- behaviour


def test_special_ids_and_vocab_attributes():
    tokenizer = Tokenizer(VOCAB)  # a pathlib.Path works too
    vocab = load_vocab(VOCAB)
    assert tokenizer._vocab_size == len(vocab) == len(tokenizer._token_dict)
    assert (tokenizer._token_pad_id, tokenizer._token_unk_id, tokenizer._token_start_id,
            tokenizer._token_end_id, tokenizer._token_mask_id) == (0, 100, 101, 102, 103)
    assert tokenizer._token_dict_inv[101] == "[CLS]"
    assert tokenizer.ids_to_tokens(tokenizer.tokens_to_ids(["中", "zzzz"])) == ["中", "[UNK]"]
    assert tokenizer.id_to_token(tokenizer.token_to_id("hello")) == "hello"


def test_pre_tokenize_keeps_vocab_words_whole():
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "中国", "中", "国", "人", "hello"])}
    words = lambda s: s.split("|")  # noqa: E731
    tokenizer = Tokenizer(vocab, do_lower_case=True, pre_tokenize=words)
    # "中国" is a vocab word: one token; "国人" is not: split into characters.
    assert tokenizer.tokenize("中国|国人|HeLLo") == ["[CLS]", "中国", "国", "人", "hello", "[SEP]"]
    assert tokenizer.rematch("中国|国人|HeLLo", tokenizer.tokenize("中国|国人|HeLLo")) == [
        [], [0, 1], [3], [4], [6, 7, 8, 9, 10], []]


def test_subclass_overrides_are_honoured():
    class CharTokenizer(Tokenizer):  # the bert4keras examples' "OurTokenizer"
        def _tokenize(self, text):
            return [c if c in self._token_dict else ("[unused1]" if self._is_space(c) else "[UNK]") for c in text]

    tokenizer = CharTokenizer(str(VOCAB))
    assert tokenizer.tokenize("中 a") == ["[CLS]", "中", "[unused1]", "a", "[SEP]"]

    class KeepHyphens(Tokenizer):
        @staticmethod
        def _is_punctuation(ch):
            return ch != "-" and Tokenizer._is_punctuation(ch)

    assert KeepHyphens(str(VOCAB)).tokenize("a-b!") == ["[CLS]", "a-b", "!", "[SEP]"]
    assert Tokenizer(str(VOCAB)).tokenize("a-b!") == ["[CLS]", "a", "-", "b", "!", "[SEP]"]


def test_vocab_edits_after_first_use_are_seen():
    tokenizer = Tokenizer(str(VOCAB))
    assert tokenizer.tokenize("kerasformers")[1:-1] != ["kerasformers"]
    tokenizer._token_dict["kerasformers"] = len(tokenizer._token_dict)
    assert tokenizer.tokenize("kerasformers")[1:-1] == ["kerasformers"]


def test_word_longer_than_word_maxlen_stays_whole():
    tokenizer = Tokenizer(str(VOCAB), word_maxlen=5)
    assert tokenizer.tokenize("helloo hello")[1:-1] == ["helloo", "hello"]
    assert tokenizer.encode("helloo")[0][1] == tokenizer._token_unk_id


def test_pickle_round_trip():
    tokenizer = Tokenizer(str(VOCAB), do_lower_case=True)
    text = "Hello 世界, café!"
    first = tokenizer.encode(text)
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone.encode(text) == first and clone.rematch(text, clone.tokenize(text))


def test_tokenizers_import_no_keras():
    code = "import sys, kerasformers.tokenizers, kerasformers.snippets; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError, match="_tokenize"):
        TokenizerBase().tokenize("a")


# ---------------------------------------------------------------- SentencePiece


@pytest.fixture(scope="module")
def sp_goldens():
    pytest.importorskip("sentencepiece")
    return _load("tokenizer_sp_goldens.json.xz")


@pytest.mark.parametrize("config", ["mt5", "bert_like", "cpm"])
def test_sp_tokenizer_matches_bert4keras(sp_goldens, config):
    golden = sp_goldens[config]
    kwargs = {
        "mt5": {"token_start": None, "token_end": "</s>"},
        "bert_like": {},
        "cpm": {"token_start": None, "token_end": None, "pre_tokenize": "jieba", "token_translate": {"\u2583": "<cls>"}},
    }[config]
    if kwargs.get("pre_tokenize") == "jieba":
        kwargs["pre_tokenize"] = _jieba_cut()
    tok = SpTokenizer(str(SP_MODEL), **kwargs)
    assert tok._vocab_size == golden["vocab_size"]
    assert {k: getattr(tok, f"_token_{k}_id", None) for k in golden["special_ids"]} == golden["special_ids"]
    ids = range(tok._vocab_size + 3)
    assert [tok.id_to_token(i) for i in ids] == golden["id_to_token"]
    assert [bool(tok._is_special(i)) for i in range(tok._vocab_size)] == golden["is_special"]
    assert [bool(tok._is_decodable(i)) for i in ids] == golden["is_decodable"]
    records = golden["records"]
    texts = [r["text"] for r in records]
    actual = []
    for i, rec in enumerate(records):
        text, other = rec["text"], rec["other"]
        ids, _ = tok.encode(text)
        actual.append(_plain({
            "text": text, "other": other, "tokens": tok.tokenize(text), "ids": ids,
            "tokens_maxlen": _attempt(lambda: tok.tokenize(text, maxlen=5)),
            "pair": [rec["pair"][0], _attempt(lambda: tok.encode(text, other, maxlen=rec["pair"][0]))],
            "decode": _attempt(lambda: tok.decode(ids)),
        }))
    _first_difference({"unidata_version": unicodedata.unidata_version}, config, texts, records, actual)


def _train_sp(tmp_path, **options):
    spm = pytest.importorskip("sentencepiece")
    rng = random.Random(0)
    words = "the a tiny small large model reads writes lines of text token piece 中文 测试 数据".split()
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) + f" {n}" for n in range(300)]
    prefix = str(tmp_path / "sp")
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=prefix, vocab_size=80,
                                   hard_vocab_limit=False, minloglevel=2, num_threads=1, **options)
    return prefix + ".model", spm.SentencePieceProcessor(model_file=prefix + ".model")


def test_sp_tokenizer_on_freshly_trained_model(tmp_path):
    path, sp = _train_sp(tmp_path)  # sentencepiece's defaults: no pad piece, unk=0, <s>=1, </s>=2
    tok = SpTokenizer(path, token_start=None, token_end="</s>")
    text = "the small model reads 7 lines"
    assert tok.tokenize(text) == sp.encode_as_pieces(text) + ["</s>"]
    ids, segments = tok.encode(text, "tiny text")
    assert ids == sp.encode_as_ids(text) + [2] + sp.encode_as_ids("tiny text") + [2]
    assert segments == [0] * (len(sp.encode_as_ids(text)) + 1) + [1] * (len(sp.encode_as_ids("tiny text")) + 1)
    assert tok.decode(ids[: len(sp.encode_as_ids(text))]) == text
    assert tok._token_unk_id == 0 and tok._token_end_id == 2 and tok._token_pad is None
    assert tok.id_to_token(10_000) == ""


def test_sp_tokenizer_errors(tmp_path, monkeypatch):
    path, _ = _train_sp(tmp_path)
    with pytest.raises(ValueError, match="token_start=None"):
        SpTokenizer(path)  # the model has no [CLS]/[SEP] pieces
    with pytest.raises(FileNotFoundError, match="missing.model"):
        SpTokenizer(tmp_path / "missing.model")
    monkeypatch.setitem(sys.modules, "sentencepiece", None)
    with pytest.raises(ImportError, match=r"pip install kerasformers\[sentencepiece\]"):
        SpTokenizer(path, token_start=None, token_end=None)



# ---------------------------------------------------------------- SentencePiece in CPM-LM's setting

CPM_CONFIGS = {
    "cpm_lm": {"token_start": None, "token_end": None, "pre_tokenize": "cpm", "token_translate": {"\u2583": "<cls>"}},
    "cpm_start_end": {"token_start": "<cls>", "token_end": "<eod>", "pre_tokenize": "cpm",
                      "token_translate": {"\u2583": "<cls>", "\u2582": "<eod>"}},
    "end_only": {"token_start": None, "token_end": "</s>"},
    "start_only_translate": {"token_start": "<eod>", "token_end": None, "token_translate": {"\u2581": "\u2582"}},
}


def _cpm_pre_tokenize():
    """bert4keras's CPM-LM example: jieba words, spaces as \\u2582 and newlines as \\u2583."""
    jieba = pytest.importorskip("jieba")
    return lambda text: [w.replace(" ", "\u2582").replace("\n", "\u2583") for w in jieba.cut(text, cut_all=False)]


@pytest.fixture(scope="module")
def cpm_goldens():
    pytest.importorskip("sentencepiece")
    return _load("tokenizer_cpm_goldens.json.xz")


@pytest.mark.parametrize("config", sorted(CPM_CONFIGS))
def test_sp_tokenizer_options_match_bert4keras_on_a_cpm_style_model(cpm_goldens, config):
    # tests/goldens/make_cpm_tokenizer_goldens.py: a BPE model over jieba-cut text with \u2582/\u2583 pieces.
    golden = cpm_goldens[config]
    kwargs = dict(CPM_CONFIGS[config])
    if kwargs.get("pre_tokenize") == "cpm":
        kwargs["pre_tokenize"] = _cpm_pre_tokenize()
    tok = SpTokenizer(DATA / "tokenizer_cpm.model", **kwargs)
    specials = ["pad", "unk", "mask", "start", "end"]
    assert {k: getattr(tok, f"_token_{k}") for k in specials} == golden["special_tokens"]
    assert {k: getattr(tok, f"_token_{k}_id", None) for k in specials} == golden["special_ids"]
    assert tok._vocab_size == golden["vocab_size"]
    records = golden["records"]
    actual = []
    for rec in records:
        text, other = rec["text"], rec["other"]
        maxlen, (pair_maxlen, truncate_from) = rec["tokens_maxlen"][0], rec["pair"][:2]
        ids, _ = tok.encode(text)
        actual.append(_plain({
            "text": text, "other": other, "tokens": tok.tokenize(text), "ids": ids,
            "tokens_maxlen": [maxlen, _attempt(lambda: tok.tokenize(text, maxlen=maxlen))],
            "pair": [pair_maxlen, truncate_from,
                     _attempt(lambda: tok.encode(text, other, maxlen=pair_maxlen, truncate_from=truncate_from))],
            "decode": _attempt(lambda: tok.decode(ids)),
        }))
    _first_difference({"unidata_version": unicodedata.unidata_version}, config, [r["text"] for r in records],
                      records, actual)
