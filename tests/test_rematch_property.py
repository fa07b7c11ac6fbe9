"""For any text: ``encode`` never raises and every ``rematch`` span indexes the original text.

Random strings over odd Unicode (letters whose lower case is longer, such as
'İ', combining marks, controls, surrogate-free astral characters) found offsets
past the end of the text in bert4keras; these properties keep them inside.
"""

import pathlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerasformers.tokenizers import SpTokenizer, Tokenizer

DATA = pathlib.Path(__file__).parent / "data"
CHEAP = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Characters that stress lower-casing and normalisation, mixed into arbitrary text.
ODD = "İẞΣςǅﬁÅÉé\u0307\u0301\u00ad\u200b\x00\ufffd\t\n 中国，。!?"
TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(ODD + "abcXYZ"), max_size=40),
)


@pytest.fixture(scope="module", params=[True, False], ids=["uncased", "cased"])
def wordpiece(request):
    return Tokenizer(str(DATA / "tokenizer_vocab.txt"), do_lower_case=request.param)


def assert_spans_map_into(text, spans):
    for span in spans:
        assert all(0 <= i < len(text) for i in span), (text, spans)
        assert span == sorted(span), (text, spans)


@CHEAP
@given(text=TEXTS)
def test_wordpiece_encode_never_raises_and_rematch_stays_in_text(wordpiece, text):
    ids, segments = wordpiece.encode(text)
    assert len(ids) == len(segments) >= 2
    tokens = wordpiece.tokenize(text)
    spans = wordpiece.rematch(text, tokens)
    assert len(spans) == len(tokens)
    assert_spans_map_into(text, spans)
    # A lower-cased token comes from the characters it points at.
    for token, span in zip(tokens[1:-1], spans[1:-1]):
        if token != "[UNK]" and span:
            piece = "".join(text[i] for i in sorted(set(span)))
            assert wordpiece.stem(token)[:1] in wordpiece._normalize_for_rematch(
                piece.lower() if wordpiece._do_lower_case else piece)[0], (text, token, piece)


def cpm_style_words(text):
    # CPM-LM's pre_tokenize shape without jieba: words, with spaces and newlines rewritten.
    return [w.replace(" ", "\u2582").replace("\n", "\u2583") for w in re.findall(r"[ \n]|[^ \n]+", text)]


@pytest.fixture(scope="module", params=["plain", "pre_tokenize"])
def sentencepiece(request):
    pytest.importorskip("sentencepiece")
    if request.param == "plain":
        return SpTokenizer(str(DATA / "tokenizer_sp.model"))
    return SpTokenizer(str(DATA / "tokenizer_cpm.model"), token_start=None, token_end=None,
                       pre_tokenize=cpm_style_words, token_translate={"\u2583": "<cls>"})


@CHEAP
@given(text=TEXTS)
def test_sptokenizer_encode_never_raises_and_rematch_stays_in_text(sentencepiece, text):
    ids, segments = sentencepiece.encode(text)
    assert len(ids) == len(segments)
    tokens = sentencepiece.tokenize(text)
    spans = sentencepiece.rematch(text, tokens)
    assert len(spans) == len(tokens)
    assert_spans_map_into(text, spans)
    # Spans do not overlap and run left to right, and a piece without a normalization change
    # is exactly the characters it points at.
    flat = [i for span in spans for i in span]
    assert flat == sorted(set(flat)), (text, tokens, spans)
    for token, span in zip(tokens, spans):
        piece = token.lstrip("\u2581")
        if span and piece and piece.isascii() and piece.isalnum():
            assert "".join(text[i] for i in span).endswith(piece), (text, token, span)
