"""Record bert4keras 0.11.5's tokenizer and snippets output as test goldens.

Run once, in the bert4keras virtualenv (not the kerasformers one):

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/b4k/bin/python tests/goldens/make_tokenizer_goldens.py

Everything is generated deterministically (seeded ``random.Random``, words
from jieba 0.42.1's bundled dictionary), and written to ``tests/data``:

- ``tokenizer_vocab.txt``           a ~4k-token BERT vocab built here
- ``tokenizer_vocab_quirky.txt``    a small vocab with duplicates, blank lines, CRLF, BOM ...
- ``tokenizer_goldens.json.xz``     WordPiece: tokens, ids, pair encodings, rematch,
                                    decode, per-character classes, load_vocab
- ``tokenizer_sp.model``            a tiny SentencePiece model trained here
- ``tokenizer_sp_goldens.json.xz``  SpTokenizer on that model
- ``tokenizer_snippets_goldens.json.xz``  sequence_padding, truncate_sequences,
                                    text_segmentate, LCS helpers, DataGenerator

Needs jieba and sentencepiece installed in the bert4keras virtualenv.
"""

import io
import json
import lzma
import os
import random
import sys
import unicodedata

os.environ.setdefault("TF_KERAS", "1")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import jieba  # noqa: E402
import numpy as np  # noqa: E402
import sentencepiece as spm  # noqa: E402

import bert4keras  # noqa: E402
from bert4keras import snippets as b4k_snippets  # noqa: E402
from bert4keras.tokenizers import SpTokenizer, Tokenizer, load_vocab  # noqa: E402

assert bert4keras.__version__ == "0.11.5", bert4keras.__version__

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "data")
SEED = 20240611

ENGLISH = """the of and to in is was for on that with as by at from his it an were are which
this be or has had first one their its new after but who not they have her she two been other
when there all during into school time may years more most only over city some world would where
later up such used many can state about national out known university united then made between
people year also under game team music film work first second while three american well school
hello world token model language learning deep neural network transformer attention layer keras
python china beijing shanghai data train test value number string text word sentence paragraph
running jumped quickly happiness unbelievable internationalization tokenization preprocessing
don't can't it's we're they've i'd you'll she's isn't o'clock rock'n'roll""".split()

CAPITALISED = ["The", "I", "China", "Hello", "NASA", "Python", "Beijing", "Keras", "BERT", "Google", "New", "York", "Mr", "Dr"]

ACCENTED = [
    "café", "naïve", "résumé", "coöperate", "façade", "jalapeño", "Zürich", "São", "Ångström", "Øresund",
    "straße", "STRASSE", "İstanbul", "ıi", "ΑΣ", "Σίσυφος", "ΟΔΥΣΣΕΥΣ", "Москва", "Ёлка", "tiếng", "Việt",
    "e\u0301", "a\u0308o\u0308", "n\u0303", "\u0301x", "ﬁsh", "ﬀ", "Å", "Å", "ǅ", "ǈ", "ß", "ẞ",
    "한국어", "가나다", "ひらがな", "がぎぐ", "パピプ", "ｶﾞ", "ｱｲｳ", "Ωmega", "Ω", "K", "µ", "ﬃ", "ŉ",
    "שָׁלוֹם", "مَرْحَبًا", "नमस्ते", "สวัสดี", "ཀྵ", "Ǆemal", "ǰ", "ΐ",
]

FULLWIDTH = ["ＡＢＣ", "ａｂｃ", "１２３", "，", "！", "？", "（", "）", "：", "；", "＂", "＇", "［", "］", "｛", "｝",
             "～", "＠", "＃", "＄", "％", "＆", "＊", "＋", "－", "／", "＝", "＜", "＞", "＼", "＾", "＿", "｀", "｜",
             "\u3000", "ｈｅｌｌｏ", "Ｈｅｌｌｏ", "２０２３年", "｡", "｢", "｣", "､"]

CONTROLS = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\u200b", "\u200c", "\u200d", "\u200e", "\u2060",
            "\ufeff", "\ufffd", "\u00ad", "\u061c", "\x1c", "\x1f", "\x0b", "\x0c", "\u2028", "\u2029", "\U000e0001"]

SPACES = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u3000", "\xa0", "\u2002", "\u2003", "\u2009", "\u202f", "\u205f",
          "\u1680", "\u2028", "\u2029", "\x1c", "\x1e", "\x85"]

EMOJI = ["😀", "😂", "👍", "👍🏽", "❤️", "❤", "🇨🇳", "🇺🇸", "👨\u200d👩\u200d👧", "1️⃣", "#️⃣", "🙏", "🔥", "✨", "☺", "☺️",
         "🐼", "🚀", "🎉", "💯", "⭐", "©", "®", "™", "♥", "✓"]

PUNCT = ["!", "!!!", "...", "?!", "«", "»", "§", "¿", "¡", "—", "–", "…", "·", "〜", "#", "@", "/", "=", "(", ")",
         "[", "]", "{", "}", "<", ">", "'", '"', "“", "”", "‘", "’", "、", "。", "，", "：", "；", "《", "》", "【", "】",
         "「", "」", "『", "』", "〔", "〕", "‐", "‑", "‧", "﹏", "﹑", "﹔", "$", "%", "^", "&", "*", "+", "-", "_",
         "`", "|", "~", "\\", "€", "£", "¥", "°", "±", "×", "÷", "→", "⇒", "∑", "√", "∞", "■", "□", "●", "★", "☆",
         "♪", "※", "〃", "〇", "〆", "〒", "〓", "〰", "〽", "〾", "〿"]

SPECIAL_STRINGS = ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "[unused1]", "[unused99]", "[]", "[[CLS]]",
                   "[cls]", "##", "##ing", "#", "a##b", "<S>", "<T>", "[CLS]hello[SEP]", "[ CLS ]", "【CLS】"]

NUMBERS = ["3.14", "1,000,000", "1. 5", "2. 0", "12:30", "-5", "1e10", "0.5%", "100", "2023", "2023年", "10", "99.99",
           "１２３", "3/4", "½", "²", "①", "Ⅻ", "٣", "५", "๓", "00", "007", "1st", "2nd", "3rd", "4th", "$5", "¥100"]

CJK_RARE = ["\u3400", "\u4db5", "\u4dbf", "\U00020000", "\U0002a6d6", "\U0002a700", "\U0002b740", "\U0002b820",
            "\U0002ceaf", "\uf900", "\uf901", "\ufa0e", "\ufa30", "\ufad9", "\U0002f800", "\U0002fa1d", "\u2e80",
            "\u2f00", "\u3105", "\u3007", "\u9fa5", "\u9fff", "\u4e00", "\u3021", "\U00030000", "\U0002ebe0"]

OTHER_BLOCKS = [(0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x05FF), (0x0600, 0x06FF),
                (0x0900, 0x097F), (0x0E00, 0x0E7F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2100, 0x218F),
                (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2500, 0x257F), (0x3040, 0x30FF), (0xAC00, 0xAC40),
                (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F)]


def jieba_words():
    """Words of jieba's dictionary by decreasing frequency (ties by word)."""
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    entries = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, freq = line.split()[:2]
            if all(Tokenizer._is_cjk_character(c) for c in word):
                entries.append((-int(freq), word))
    entries.sort()
    return [w for _, w in entries]


def build_vocab(words):
    rng = random.Random(SEED)
    vocab = ["[PAD]"] + ["[unused%d]" % i for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]", "<S>", "<T>"]
    vocab += [chr(c) for c in range(33, 127)]
    vocab += list("¡§«»°±·×÷éüßøæçñ€£¥©®™—–…‘’“”•→")
    vocab += [c for c in Tokenizer._cjk_punctuation() if c != "\u3000"]
    chars = []
    for w in words[:6000]:
        for c in w:
            if c not in chars:
                chars.append(c)
    vocab += chars[:2000]
    vocab += ["\u3400", "\U00020000", "\uf900", "\u8c48", "か", "ア", "ひ", "ら", "が", "ᄒ", "##ᅡ", "##ᆫ", "한", "😀", "👍", "🐼"]
    english = sorted(set(w.lower() for w in ENGLISH if "'" not in w))
    rng.shuffle(english)
    full, split = english[: len(english) * 2 // 3], english[len(english) * 2 // 3:]
    vocab += full + CAPITALISED
    for w in split:  # only pieces: WordPiece must assemble these words
        vocab.append(w[:3])
        rest = w[3:]
        while rest:
            n = rng.choice([2, 3, 4])
            vocab.append("##" + rest[:n])
            rest = rest[n:]
    vocab += ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab += ["##s", "##es", "##ing", "##ed", "##ly", "##er", "##est", "##tion", "##ment", "##ness", "##able",
              "un", "re", "pre", "10", "100", "2023", "##00", "##0s", "n't", "'s", "'re", "##'s", "."]
    vocab += [w for w in words if 2 <= len(w) <= 4][:1000]
    vocab += ["##" + c for c in chars[:300]]
    vocab += ["café", "naive", "resume", "istanbul", "σισυφος", "москва", "ок", "##е", "##а"]
    seen, out = set(), []
    for t in vocab:  # keep first occurrence: this vocab has no duplicates
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def write_quirky_vocab(path):
    lines = ["\ufeff[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "b", "a", "", "   ", "tok 123", "\ttabbed x", "crlf",
             "\u00a0nbsp", "\u3000ideo", "中", "##中", "[MASK]", "c", "a", "d", "hello world", "lone\rcr", "e", "##e",
             "'s", "x\x0by", "end"]
    body = "\r\n".join(lines[:12]) + "\r\n" + "\n".join(lines[12:]) + "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(body)


def sprinkle(rng, text, pool, n):
    text = list(text)
    for _ in range(n):
        text.insert(rng.randint(0, len(text)), rng.choice(pool))
    return "".join(text)


def chinese_sentence(rng, words):
    parts = []
    for _ in range(rng.randint(2, 14)):
        r = rng.random()
        if r < 0.75:
            parts.append(words[min(int(rng.expovariate(1 / 800)), len(words) - 1)])
        elif r < 0.9:
            parts.append(rng.choice("，。、！？：；“”《》（）"))
        elif r < 0.95:
            parts.append(rng.choice(NUMBERS))
        else:
            parts.append(rng.choice(ENGLISH))
    return "".join(parts)


def english_sentence(rng):
    words = []
    for _ in range(rng.randint(1, 16)):
        w = rng.choice(ENGLISH)
        r = rng.random()
        if r < 0.15:
            w = w.capitalize()
        elif r < 0.2:
            w = w.upper()
        words.append(w)
        if rng.random() < 0.15:
            words[-1] += rng.choice([",", ".", "!", "?", ";", ":", "'s", ")", "..."])
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text[0].upper() + text[1:] + "."
    return text


def random_unicode(rng, n):
    out = []
    while len(out) < n:
        lo, hi = rng.choice(OTHER_BLOCKS)
        c = chr(rng.randint(lo, hi))
        if unicodedata.category(c) not in ("Cn", "Cs", "Co"):
            out.append(c)
    return "".join(out)


def generate_lines(words):
    rng = random.Random(SEED + 1)
    lines = []

    def add(kind, count, make):
        for _ in range(count):
            lines.append((kind, make()))

    add("zh", 700, lambda: chinese_sentence(rng, words))
    add("en", 400, lambda: english_sentence(rng))
    add("mixed", 350, lambda: sprinkle(rng, chinese_sentence(rng, words), [" " + english_sentence(rng) + " ", rng.choice(EMOJI), rng.choice(NUMBERS)], rng.randint(1, 3)))
    add("accents", 150, lambda: " ".join(rng.choice(ACCENTED) for _ in range(rng.randint(1, 6))) + rng.choice(["", " " + english_sentence(rng), chinese_sentence(rng, words)]))
    add("fullwidth", 100, lambda: sprinkle(rng, chinese_sentence(rng, words), FULLWIDTH, rng.randint(1, 6)))
    add("control", 150, lambda: sprinkle(rng, rng.choice([english_sentence(rng), chinese_sentence(rng, words), rng.choice(ACCENTED) + " x"]), CONTROLS, rng.randint(1, 5)))
    add("emoji", 100, lambda: sprinkle(rng, rng.choice([english_sentence(rng), chinese_sentence(rng, words)]), EMOJI, rng.randint(1, 5)))
    add("long", 80, lambda: rng.choice([
        "a" * rng.choice([199, 200, 201, 250]),
        "the" + "ing" * rng.randint(60, 80),
        chinese_sentence(rng, words) + " " + "".join(rng.choice("abcdefghij0123456789") for _ in range(rng.randint(190, 320))) + " end",
        "running" * rng.randint(25, 35),
        "Hello" * 45 + " world",
        "x" * 5 + "é" * 200,
    ]))
    add("numbers", 100, lambda: " ".join(rng.choice(NUMBERS + ENGLISH[:20]) for _ in range(rng.randint(1, 8))))
    add("punct", 120, lambda: rng.choice(["", " "]).join(rng.choice(PUNCT + ENGLISH[:30] + list("我你他的是了")) for _ in range(rng.randint(1, 12))))
    add("space", 100, lambda: rng.choice(SPACES) + rng.choice(SPACES).join(
        rng.choice([rng.choice(ENGLISH), words[rng.randint(0, 500)], rng.choice(EMOJI)]) for _ in range(rng.randint(0, 6))) + rng.choice(SPACES))
    add("special", 80, lambda: " ".join(rng.choice(SPECIAL_STRINGS + ENGLISH[:20] + ["中文", "你好"]) for _ in range(rng.randint(1, 6))))
    add("cjk_rare", 50, lambda: sprinkle(rng, chinese_sentence(rng, words), CJK_RARE, rng.randint(1, 6)))
    add("unicode", 100, lambda: random_unicode(rng, rng.randint(1, 30)))
    lines += [("edge", t) for t in ["", " ", "\n", "\x00", "\ufffd", "##", "[CLS]", "a", "中", "İ", "İİİ abc", "ΑΣ ΑΣ.", "\u0301", "a\u0301"]]
    return lines


def chinese_lines(rng, words, n):
    out = []
    for i in range(n):
        text = chinese_sentence(rng, words)
        if i % 5 == 0:
            text = sprinkle(rng, text, [" ", "\u3000", " Hello ", "ＡＢ", "😀", "\x00", "e\u0301"], rng.randint(1, 2))
        out.append(text)
    return out


def attempt(fn):
    """fn()'s result, or {"error": exception class name}."""
    try:
        return fn()
    except Exception as e:  # record bert4keras failures too
        return {"error": type(e).__name__}


def record_wordpiece(tokenizer, texts):
    records = []
    n = len(texts)
    for i, text in enumerate(texts):
        other = texts[(i * 7 + 3) % n]
        tokens = tokenizer.tokenize(text)
        ids, segs = tokenizer.encode(text)
        maxlen = [1, 2, 3, 5, 8, 16, 0][i % 7]
        pair_maxlen = [None, 6, 10, 32, 64, 3][i % 6]
        truncate_from = ["right", "left", 1, -3, "right", 2][(i // 6) % 6]
        pattern = "S*E*E" if i % 4 else "S*ES*E"
        rec = {
            "tokens": tokens,
            "ids": ids,
            "tokens_maxlen": [maxlen, attempt(lambda: tokenizer.tokenize(text, maxlen=maxlen))],
            "pair": [pair_maxlen, truncate_from, pattern,
                     attempt(lambda: tokenizer.encode(text, other, maxlen=pair_maxlen, pattern=pattern, truncate_from=truncate_from))],
            "rematch": attempt(lambda: tokenizer.rematch(text, tokens)),
            "rematch_ids": attempt(lambda: tokenizer.rematch(text, tokenizer.ids_to_tokens(ids))),
            "decode": attempt(lambda: tokenizer.decode(ids)),
        }
        if i % 2 == 0:  # decode from tokens (unknown words kept, not [UNK])
            rec["decode_tokens"] = attempt(lambda: tokenizer.decode(ids, tokens[1:] if len(tokens) > 1 else tokens))
        assert segs == [0] * len(ids)
        if i % 10 == 0:
            pre = list(tokens)
            rec["pretokenized"] = [attempt(lambda: tokenizer.encode(pre, list(tokens), maxlen=12)), pre]
        records.append(rec)
    return records


def char_class_table():
    """Per code point: bit 1 space, 2 punctuation, 4 cjk, 8 control (hex digit)."""
    ranges = [(0, 0x3500), (0x4DB0, 0x4E10), (0x9FF0, 0xA000), (0xF8F0, 0x10000), (0x1F000, 0x1FB00),
              (0x20000, 0x20100), (0x2A6D0, 0x2A710), (0x2B730, 0x2B830), (0x2CEA0, 0x2CEB0), (0x2F800, 0x2FA30),
              (0xE0000, 0xE0080)]
    out = []
    for lo, hi in ranges:
        flags = []
        for c in range(lo, hi):
            ch = chr(c)
            flags.append("%x" % (Tokenizer._is_space(ch) | Tokenizer._is_punctuation(ch) << 1
                                 | Tokenizer._is_cjk_character(ch) << 2 | Tokenizer._is_control(ch) << 3))
        out.append([lo, hi, "".join(flags)])
    return out


def dump(name, obj):
    # xz (stdlib lzma) stores these repetitive JSON files ~2.5x smaller than gzip.
    raw = json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")
    packed = lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME)
    with open(os.path.join(DATA, name), "wb") as f:
        f.write(packed)
    print("%-40s %8d bytes (%d raw)" % (name, len(packed), len(raw)))


def make_wordpiece_goldens(words):
    vocab = build_vocab(words)
    vocab_path = os.path.join(DATA, "tokenizer_vocab.txt")
    with open(vocab_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(t + "\n" for t in vocab))
    quirky_path = os.path.join(DATA, "tokenizer_vocab_quirky.txt")
    write_quirky_vocab(quirky_path)

    lines = generate_lines(words)
    texts = [t for _, t in lines]
    zh = chinese_lines(random.Random(SEED + 2), words, 1200)
    cut = lambda s: jieba.cut(s, HMM=False)  # noqa: E731
    configs = {
        "cased": ({}, "lines"),
        "uncased": ({"do_lower_case": True}, "lines"),
        "uncased_jieba": ({"do_lower_case": True, "pre_tokenize": "jieba"}, "zh"),
        "cased_jieba": ({"pre_tokenize": "jieba"}, "zh300"),
        "variant": ({"word_maxlen": 6, "token_start": None, "token_translate": {"的": "[unused3]", "the": "[unused2]", ",": ""}}, "lines400"),
        "no_special": ({"do_lower_case": True, "token_start": None, "token_end": None}, "lines400"),
    }
    sets = {"lines": texts, "zh": zh, "zh300": zh[:300], "lines400": texts[::6]}
    results = {}
    for name, (kwargs, set_name) in configs.items():
        real = dict(kwargs)
        if real.get("pre_tokenize") == "jieba":
            real["pre_tokenize"] = cut
        tokenizer = Tokenizer(vocab_path, **real)
        results[name] = record_wordpiece(tokenizer, sets[set_name])
        print("recorded", name, len(sets[set_name]))

    simplified = load_vocab(vocab_path, simplified=True, startswith=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    quirky = load_vocab(quirky_path)
    quirky_simplified = load_vocab(quirky_path, simplified=True, startswith=["[UNK]", "a", "[CLS]"])
    dump("tokenizer_goldens.json.xz", {
        "meta": {"bert4keras": bert4keras.__version__, "python": sys.version.split()[0],
                 "unidata_version": unicodedata.unidata_version, "jieba": jieba.__version__},
        "kinds": [k for k, _ in lines],
        "sets": sets,
        "configs": {name: {"kwargs": kwargs, "set": set_name} for name, (kwargs, set_name) in configs.items()},
        "results": results,
        "char_classes": char_class_table(),
        "cjk_punctuation": Tokenizer._cjk_punctuation(),
        "redundant": {t: bool(Tokenizer._is_redundant(t)) for t in vocab + ["##", "#", "a", "##中", "[]", ""]},
        "load_vocab": {
            "simplified": [list(simplified[0].items()), simplified[1]],
            "quirky": list(quirky.items()),
            "quirky_simplified": [list(quirky_simplified[0].items()), quirky_simplified[1]],
        },
    })
    return texts, words


def make_sp_goldens(texts, words):
    rng = random.Random(SEED + 3)
    train = [chinese_sentence(rng, words) for _ in range(300)] + [english_sentence(rng) for _ in range(300)]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(train), model_writer=model, vocab_size=1200, model_type="unigram",
        character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1, num_threads=1,
        user_defined_symbols=["[CLS]", "[SEP]", "<cls>"], normalization_rule_name="identity",
        hard_vocab_limit=False, minloglevel=2, seed_sentencepiece_size=20000,
    )
    path = os.path.join(DATA, "tokenizer_sp.model")
    with open(path, "wb") as f:
        f.write(model.getvalue())
    print("tokenizer_sp.model", len(model.getvalue()), "bytes")

    cut = lambda s: jieba.cut(s, HMM=False)  # noqa: E731
    configs = {
        "mt5": {"token_start": None, "token_end": "</s>"},
        "bert_like": {},
        "cpm": {"token_start": None, "token_end": None, "pre_tokenize": "jieba", "token_translate": {"\u2583": "<cls>"}},
    }
    sample = texts[::4]
    results = {}
    for name, kwargs in configs.items():
        real = dict(kwargs)
        if real.get("pre_tokenize") == "jieba":
            real["pre_tokenize"] = cut
        tok = SpTokenizer(path, **real)
        recs = []
        for i, text in enumerate(sample):
            text = text.replace("\x00", "")  # sentencepiece rejects NUL
            if name == "cpm":
                text = text.replace("\n", "\u2583")
            other = sample[(i * 5 + 1) % len(sample)].replace("\x00", "")
            ids, _ = tok.encode(text)
            pair_maxlen = [None, 8, 20][i % 3]
            recs.append({
                "text": text,
                "other": other,
                "tokens": tok.tokenize(text),
                "tokens_maxlen": attempt(lambda: tok.tokenize(text, maxlen=5)),
                "ids": ids,
                "pair": [pair_maxlen, attempt(lambda: tok.encode(text, other, maxlen=pair_maxlen))],
                "decode": attempt(lambda: tok.decode(ids)),
            })
        ids = list(range(tok._vocab_size + 3))
        results[name] = {
            "records": recs,
            "special_ids": {k: getattr(tok, "_token_%s_id" % k, None) for k in ["pad", "unk", "mask", "start", "end"]},
            "id_to_token": [tok.id_to_token(i) for i in ids],
            "is_special": [bool(tok._is_special(i)) for i in range(tok._vocab_size)],
            "is_decodable": [bool(tok._is_decodable(i)) for i in ids],
            "vocab_size": tok._vocab_size,
        }
    dump("tokenizer_sp_goldens.json.xz", results)


def make_snippets_goldens(texts):
    rng = random.Random(SEED + 4)
    nrng = np.random.RandomState(SEED % 2**31)
    S = b4k_snippets
    out = {}

    padding = []
    for i in range(200):
        n = rng.randint(1, 6)
        seq_dims = 1 if i % 3 else 2
        trailing = [] if i % 5 else [rng.randint(1, 3)]
        value = [0, -1, 0.5, 7][i % 4]
        length = [None, rng.randint(0, 8), None, [rng.randint(0, 5), rng.randint(0, 5)]][i % 4]
        if seq_dims == 1 and isinstance(length, list):
            length = length[:1]
        mode = ["post", "pre"][(i // 4) % 2]
        dtype = ["int64", "float32"][(i // 8) % 2]
        inputs = []
        for _ in range(n):
            shape = [rng.randint(0, 6) for _ in range(seq_dims)] + trailing
            inputs.append(nrng.randint(1, 100, size=shape).astype(dtype))
        res = attempt(lambda: S.sequence_padding(inputs, length=length, value=value, seq_dims=seq_dims, mode=mode))
        if isinstance(res, np.ndarray):
            res = {"value": res.tolist(), "dtype": str(res.dtype), "shape": list(res.shape)}
        padding.append({"inputs": [x.tolist() for x in inputs], "shapes": [list(x.shape) for x in inputs], "dtype": dtype,
                        "length": length, "value": value, "seq_dims": seq_dims, "mode": mode, "result": res})
    # Plain lists of ids, the usual case.
    for i in range(50):
        inputs = [[rng.randint(1, 9) for _ in range(rng.randint(0, 7))] for _ in range(rng.randint(1, 5))]
        length = [None, 4][i % 2]
        mode = ["post", "pre"][(i // 2) % 2]
        res = S.sequence_padding(inputs, length=length, mode=mode)
        padding.append({"inputs": inputs, "shapes": None, "dtype": None, "length": length, "value": 0, "seq_dims": 1,
                        "mode": mode, "result": {"value": res.tolist(), "dtype": str(res.dtype), "shape": list(res.shape)}})
    out["sequence_padding"] = padding

    truncation = []
    for i in range(300):
        seqs = [[rng.randint(0, 99) for _ in range(rng.randint(0, 12))] for _ in range(rng.randint(1, 3))]
        if i % 7 == 0:
            seqs.append(None)
        maxlen = rng.randint(-1, 20) if i % 11 == 0 else rng.randint(0, 25)
        indices = [-1, -2, 0, 1, 2, [-1, 1, 0, 0]][i % 6]
        work = [None if s is None else list(s) for s in seqs]
        res = attempt(lambda: S.truncate_sequences(maxlen, indices, *work))
        truncation.append({"seqs": seqs, "maxlen": maxlen, "indices": indices, "result": res, "after": work})
    out["truncate_sequences"] = truncation

    segments = []
    for i, text in enumerate(texts[:600]):
        text = text * rng.randint(1, 4)
        maxlen = rng.randint(2, 40)
        seps = ["\n", "\n。！？!?", ["\n", "。", "，", " "], "，", ""][i % 5]
        strips = [None, "；，", "。 "][i % 3]
        segments.append({"text": text, "maxlen": maxlen, "seps": seps, "strips": strips,
                         "result": attempt(lambda: S.text_segmentate(text, maxlen, seps, strips))})
    out["text_segmentate"] = segments

    lcs = []
    for i in range(300):
        alphabet = "ab" if i % 3 == 0 else "abcde"
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        lcs.append({"a": a, "b": b, "substring": S.longest_common_substring(a, b),
                    "subsequence": S.longest_common_subsequence(a, b)})
    out["lcs"] = lcs

    out["lowercase_and_normalize"] = [[t, S.lowercase_and_normalize(t)] for t in texts]

    class Gen(S.DataGenerator):
        pass

    generators = []
    for i in range(12):
        size = [1, 5, 37, 100][i % 4]
        batch_size = [1, 4, 32][i % 3]
        buffer_size = [None, 3, 10][(i // 3) % 3]
        data = list(range(size))
        seed = 1000 + i
        np.random.seed(seed)
        sized = list(Gen(data, batch_size, buffer_size).sample(random=True))
        np.random.seed(seed)
        unsized = list(Gen(iter(data), batch_size, buffer_size).sample(random=True))
        ordered = list(Gen(data, batch_size, buffer_size).sample(random=False))
        generators.append({"size": size, "batch_size": batch_size, "buffer_size": buffer_size, "seed": seed,
                           "steps": Gen(data, batch_size).steps, "sized": sized, "unsized": unsized, "ordered": ordered})
    out["data_generator"] = generators

    logits = nrng.randn(4, 5, 6) * 10
    out["softmax"] = {"x": logits.tolist(), "axis_last": S.softmax(logits).tolist(), "axis_1": S.softmax(logits, axis=1).tolist()}
    out["to_array"] = [str(a.dtype) + str(a.shape) for a in S.to_array([1, 2], [[1.5]], ["a", "bc"])]
    dump("tokenizer_snippets_goldens.json.xz", out)


def main():
    os.makedirs(DATA, exist_ok=True)
    words = jieba_words()
    texts, words = make_wordpiece_goldens(words)
    make_sp_goldens(texts, words)
    make_snippets_goldens(texts)


if __name__ == "__main__":
    main()
