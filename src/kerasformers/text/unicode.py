"""Character classes and normalisation used by the BERT WordPiece tokenizer.

The predicates reproduce bert4keras 0.11.5 exactly (they decide where text is
split, so any difference changes token ids).  On top of them this module keeps
lazily filled ``str.translate`` tables, so each distinct character is
classified once per process instead of once per occurrence.

Example:
    >>> from kerasformers.text.unicode import is_cjk_character, space_out
    >>> is_cjk_character("中"), is_cjk_character("a")
    (True, False)
    >>> space_out("ab,中c").split()
    ['ab', ',', '中', 'c']
"""

from __future__ import annotations

import unicodedata
from typing import Callable, Dict, Optional, Tuple

__all__ = [
    "CJK_PUNCTUATION",
    "is_space",
    "is_punctuation",
    "is_cjk_character",
    "is_control",
    "lowercase_and_normalize",
    "space_out",
    "rematch_normalizer",
]


def _spans(*ranges: Tuple[int, int]) -> str:
    return "".join(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))


# Full-width and CJK punctuation that ``Tokenizer.decode`` glues to the next
# token.  Order and content are bert4keras's (a user may compare the string).
CJK_PUNCTUATION = _spans(
    (0xFF02, 0xFF0D), (0xFF0F, 0xFF0F), (0xFF1A, 0xFF1E), (0xFF20, 0xFF20),
    (0xFF3B, 0xFF40), (0xFF5B, 0xFF60), (0xFF62, 0xFF64),
    (0x3000, 0x3001), (0x3003, 0x3003), (0x3008, 0x3011), (0x3014, 0x301F),
    (0x3030, 0x3030), (0x303E, 0x303F),
    (0x2013, 0x2014), (0x2018, 0x2019), (0x201B, 0x201F), (0x2026, 0x2027),
    (0xFE4F, 0xFE4F), (0xFE51, 0xFE51), (0xFE54, 0xFE54),
    (0x00B7, 0x00B7), (0xFF01, 0xFF01), (0xFF1F, 0xFF1F), (0xFF61, 0xFF61),
    (0x3002, 0x3002),
)

# A set rather than a string: ``"" in " \n"`` is True for a string, and the
# empty string must fall through to ``unicodedata.category`` (TypeError) as in
# the original.
_ASCII_SPACES = frozenset(" \n\r\t")

# Code-point blocks treated as CJK ideographs (BERT's definition): unified
# ideographs, extensions A-E, and the two compatibility blocks.
_CJK_BLOCKS = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)


def is_space(ch: str) -> bool:
    """True for space, tab, CR, LF and Unicode ``Zs`` characters.

    Example:
        >>> is_space("\\u3000"), is_space("\\u200b")
        (True, False)
    """
    return ch in _ASCII_SPACES or unicodedata.category(ch) == "Zs"


def is_punctuation(ch: str) -> bool:
    """True for all ASCII non-alphanumeric symbols and Unicode ``P*`` characters.

    ASCII symbols such as ``$``, ``^`` or ``|`` count as punctuation even though
    Unicode files them as symbols (``S*``), as in the original BERT tokenizer.

    Example:
        >>> is_punctuation("$"), is_punctuation("，"), is_punctuation("€")
        (True, True, False)
    """
    code = ord(ch)
    if code < 128:
        return 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126
    return unicodedata.category(ch)[0] == "P"


def is_cjk_character(ch: str) -> bool:
    """True for CJK ideographs (by code-point block; kana and Hangul are not).

    Example:
        >>> is_cjk_character("字"), is_cjk_character("か")
        (True, False)
    """
    code = ord(ch)
    for lo, hi in _CJK_BLOCKS:
        if lo <= code <= hi:
            return True
    return False


def is_control(ch: str) -> bool:
    """True for Unicode control (``Cc``) and format (``Cf``) characters.

    Example:
        >>> is_control("\\x00"), is_control("\\u200d"), is_control("\\t")
        (True, True, True)
    """
    return unicodedata.category(ch) in ("Cc", "Cf")


class _LazyTable(dict):
    """A ``str.translate`` table that classifies a code point on first sight.

    ``str.translate`` indexes the table once per character; for a dict
    subclass a miss calls ``__missing__``, which computes and stores the
    answer, so later texts hit a plain dict lookup done in C.
    """

    def __init__(self, rule: Callable[[str], Optional[str]]):
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> Optional[str]:
        value = self._rule(chr(code))
        self[code] = value
        return value

    def __reduce__(self):
        # Tables are caches: never pickle their content.
        return (type(self), (self._rule,))


def _drop_nonspacing_mark(ch: str) -> Optional[str]:
    return None if unicodedata.category(ch) == "Mn" else ch


_STRIP_MARKS = _LazyTable(_drop_nonspacing_mark)


def lowercase_and_normalize(text: str) -> str:
    """Lower-case, NFD-decompose and drop non-spacing marks (accents).

    This is what ``do_lower_case=True`` applies before tokenizing.

    Example:
        >>> lowercase_and_normalize("Café NAÏVE")
        'cafe naive'
    """
    text = text.lower()
    if text.isascii():  # NFD and mark removal cannot change ASCII text
        return text
    return unicodedata.normalize("NFD", text).translate(_STRIP_MARKS)


def _is_dropped(ch: str) -> bool:
    # NUL and U+FFFD (the decoder's replacement character) are dropped too.
    return ch == "\x00" or ch == "\ufffd" or is_control(ch)


def _spacing_rule(ch: str) -> Optional[str]:
    if is_punctuation(ch) or is_cjk_character(ch):
        return " " + ch + " "
    if is_space(ch):
        return " "
    if _is_dropped(ch):
        return None
    return ch


_SPACING = _LazyTable(_spacing_rule)


def space_out(text: str) -> str:
    """Surround punctuation and CJK characters with spaces, map all spaces to
    ``" "`` and delete control characters; ``.split()`` then yields the words
    that WordPiece sees.

    Example:
        >>> space_out("Hi,世界\\x00!")
        'Hi ,  世  界  ! '
    """
    return text.translate(_SPACING)


def _rematch_piece(ch: str, lower: bool) -> str:
    if lower:
        ch = lowercase_and_normalize(ch)
    return "".join(c for c in ch if not _is_dropped(c))


_REMATCH_TABLES: Dict[bool, Dict[str, str]] = {False: {}, True: {}}


def rematch_normalizer(lower: bool) -> Callable[[str], str]:
    """Return a cached function mapping one original character to the text it
    becomes inside the tokenizer (possibly empty or several characters).

    Example:
        >>> rematch_normalizer(True)("É"), rematch_normalizer(False)("\\x00")
        ('e', '')
    """
    cache = _REMATCH_TABLES[bool(lower)]

    def normalize(ch: str) -> str:
        piece = cache.get(ch)
        if piece is None:
            piece = cache[ch] = _rematch_piece(ch, lower)
        return piece

    return normalize
