"""Tokenizers: BERT WordPiece (:class:`Tokenizer`), SentencePiece
(:class:`SpTokenizer`) and vocab file helpers, compatible with bert4keras.

Output is token-for-token that of bert4keras 0.11.5 (quirks included, e.g. a
word missing from the vocab stays one token and maps to ``[UNK]``), verified
line by line against recorded goldens.  Differences: a vocab lacking
``[UNK]``, or the start/end tokens asked for, raises ``ValueError`` at
construction instead of failing later; tokenizing is several times faster
(per-character classes and per-word pieces are cached).

Example:
    >>> from kerasformers.tokenizers import Tokenizer
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "中", "文"]
    >>> tokenizer = Tokenizer({t: i for i, t in enumerate(vocab)}, do_lower_case=True)
    >>> tokenizer.tokenize("Unaffable 中文")
    ['[CLS]', 'un', '##aff', '##able', '中', '文', '[SEP]']
    >>> tokenizer.encode("Unaffable", "中文")
    ([2, 4, 5, 6, 3, 7, 8, 3], [0, 0, 0, 0, 0, 1, 1, 1])
"""

from __future__ import annotations

import errno
import functools
import os
import re
import warnings
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from .snippets import is_string
from .text import unicode as uc
from .text.base import TokenizerBase
from .text.hf_folder import file_in_folder, hf_tokenizer_options
from .text.sp_tokenizer import SpTokenizer

__all__ = ["load_vocab", "save_vocab", "TokenizerBase", "Tokenizer", "SpTokenizer", "TokenIdError"]

PathLike = Union[str, "os.PathLike[str]"]


def _open_vocab(path: PathLike, mode: str, encoding: str):
    if os.path.isdir(path):
        inside = os.path.join(os.fspath(path), "vocab.txt")
        there = "" if os.path.isfile(inside) else " (this folder has none: which file is the model's vocab?)"
        raise IsADirectoryError(
            errno.EISDIR,
            f"the vocab is a file, not a folder: pass the vocab.txt inside it, e.g. Tokenizer({inside!r}){there}",
            os.fspath(path),
        )
    try:
        return open(path, mode, encoding=encoding)
    except FileNotFoundError:
        raise FileNotFoundError(
            errno.ENOENT,
            "vocab file not found (expected a BERT vocab.txt, one token per line)",
            os.fspath(path),
        ) from None


def load_vocab(
    dict_path: PathLike,
    encoding: str = "utf-8",
    simplified: bool = False,
    startswith: Optional[Sequence[str]] = None,
) -> Union[Dict[str, int], Tuple[Dict[str, int], List[int]]]:
    """Read a BERT vocab file into ``{token: id}`` (the line number is the id).

    Each line's first whitespace-separated field is the token (a blank line
    is the token ``""``).  As in bert4keras, a repeated token is re-assigned
    the current vocab size.

    With ``simplified=True`` tokens that WordPiece can never produce (several
    characters including CJK or punctuation, e.g. ``##中`` or ``[CLS]``) are
    dropped, ``startswith`` tokens are put first, and ``(new_token_dict,
    keep_tokens)`` is returned; pass ``keep_tokens`` to
    ``build_transformer_model`` to keep the matching embedding rows.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
        >>> save_vocab(path, {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "##中": 3, "a": 4})
        >>> load_vocab(path)["a"]
        4
        >>> load_vocab(path, simplified=True, startswith=["[PAD]", "[UNK]", "[CLS]"])
        ({'[PAD]': 0, '[UNK]': 1, '[CLS]': 2, 'a': 3}, [0, 1, 2, 4])
    """
    token_dict: Dict[str, int] = {}
    with _open_vocab(dict_path, "r", encoding) as lines:
        for line in lines:
            fields = line.split()
            token_dict[fields[0] if fields else ""] = len(token_dict)
    if not simplified:
        return token_dict

    new_token_dict: Dict[str, int] = {}
    keep_tokens: List[int] = []
    for token in startswith or []:
        if token not in token_dict:
            raise KeyError(f"load_vocab: startswith token {token!r} is not in the vocab file {os.fspath(dict_path)!r}")
        new_token_dict[token] = len(new_token_dict)
        keep_tokens.append(token_dict[token])
    # sorted() is stable: tokens sharing an id (repeats) keep file order.
    for token, old_id in sorted(token_dict.items(), key=lambda item: item[1]):
        if token not in new_token_dict and not Tokenizer._is_redundant(token):
            new_token_dict[token] = len(new_token_dict)
            keep_tokens.append(old_id)
    return new_token_dict, keep_tokens


def save_vocab(dict_path: PathLike, token_dict: Dict[str, int], encoding: str = "utf-8") -> None:
    """Write ``token_dict`` as a vocab file, one token per line in id order.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
        >>> save_vocab(path, {"b": 1, "a": 0})
        >>> open(path).read()
        'a\\nb\\n'
    """
    with open(dict_path, "w", encoding=encoding) as writer:
        for token, _ in sorted(token_dict.items(), key=lambda item: item[1]):
            writer.write(token + "\n")


# ``decode`` post-processing, in bert4keras's order.
_MULTI_SPACE = re.compile(" +")
_CONTRACTION = re.compile("' (re|m|s|t|ve|d|ll) ")
_DECIMAL = re.compile(r"(\d\.) (\d)")


@functools.lru_cache(maxsize=8)
def _space_after_punctuation(punctuation: str) -> "re.Pattern[str]":
    # Matches one of `punctuation` followed by a space (the space is removed).
    return re.compile("([%s]) " % "".join(re.escape(p) for p in punctuation))


# Caches of per-word WordPiece results are dropped past this many words.
_MAX_CACHED_WORDS = 1 << 17


class TokenIdError(KeyError):
    """An id outside the vocab (a ``KeyError``, as bert4keras raised, with a readable message)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Tokenizer(TokenizerBase):
    """BERT WordPiece tokenizer (bert4keras's ``Tokenizer``).

    Args:
        token_dict: ``{token: id}``, the path of a ``vocab.txt``, or a folder holding one
            (a Hugging Face model folder; :meth:`from_hf_folder` also reads its casing).
        do_lower_case: lower-case and strip accents first (uncased models).
        word_maxlen: words longer than this stay one (unknown) token.
        token_start, token_end: tokens added around every text (``None``: none).
        pre_tokenize: function splitting text into words (e.g.
            ``lambda s: jieba.cut(s, HMM=False)``); words found in the vocab are
            kept whole, the others are tokenized as usual.
        token_translate: ``{token: replacement}`` applied after tokenizing.

    Raises:
        FileNotFoundError: ``token_dict`` is a path that does not exist.
        ValueError: the vocab lacks ``[UNK]``, or ``token_start``/``token_end``.

    Example:
        >>> vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "中": 5}
        >>> tokenizer = Tokenizer(vocab, do_lower_case=True)
        >>> ids, segments = tokenizer.encode("Hello 中!")
        >>> ids, tokenizer.decode(ids)
        ([2, 4, 5, 1, 3], 'hello中')
        >>> tokenizer.rematch("Hello 中!", tokenizer.tokenize("Hello 中!"))
        [[], [0, 1, 2, 3, 4], [6], [7], []]
    """

    def __init__(
        self,
        token_dict: Union[Dict[str, int], PathLike],
        do_lower_case: bool = False,
        word_maxlen: int = 200,
        token_start: Optional[str] = "[CLS]",
        token_end: Optional[str] = "[SEP]",
        pre_tokenize: Optional[Callable[[str], Iterable[str]]] = None,
        token_translate: Optional[Dict[str, str]] = None,
    ):
        super().__init__(
            token_start=token_start, token_end=token_end,
            pre_tokenize=pre_tokenize, token_translate=token_translate,
        )
        source = "the given token_dict"
        from_file = is_string(token_dict) or isinstance(token_dict, os.PathLike)
        if from_file:
            token_dict = file_in_folder(token_dict, "vocab.txt", "the WordPiece vocabulary")
            source = f"vocab file {os.fspath(token_dict)!r}"
            token_dict = load_vocab(token_dict)
        self._do_lower_case = do_lower_case
        self._token_dict = token_dict
        self._token_dict_inv = {v: k for k, v in token_dict.items()}
        self._vocab_size = len(token_dict)
        self._word_maxlen = word_maxlen
        for name in ("pad", "unk", "mask", "start", "end"):
            token = getattr(self, f"_token_{name}")
            if token in token_dict:
                setattr(self, f"_token_{name}_id", token_dict[token])
        self._check_special_tokens(source, from_file)
        self._words = _WordPieceCache()

    @classmethod
    def from_hf_folder(cls, folder: PathLike, **kwargs) -> "Tokenizer":
        """The tokenizer of a Hugging Face model folder: its ``vocab.txt``, cased or not as its
        ``tokenizer_config.json`` says (``do_lower_case``; transformers' default ``True`` when
        absent). Keyword arguments override.

        Example:
            >>> tokenizer = Tokenizer.from_hf_folder("hfl/chinese-roberta-wwm-ext")  # doctest: +SKIP
        """
        options = dict(hf_tokenizer_options(os.fspath(folder)), **kwargs)
        return cls(os.path.join(os.fspath(folder), "vocab.txt"), **options)

    def _check_special_tokens(self, source: str, from_file: bool) -> None:
        # bert4keras silently skipped missing special tokens and failed later
        # (AttributeError in encode, or ids of the wrong tokens); say it here.
        problems = []
        if self._token_unk not in self._token_dict:
            problems.append(f"{self._token_unk!r} (every out-of-vocabulary token maps to it)")
        for arg in ("token_start", "token_end"):
            token = getattr(self, f"_{arg}")
            if token is not None and token not in self._token_dict:
                problems.append(f"{token!r} (needed by {arg}={token!r}; pass {arg}=None if the model has none)")
        if not problems:
            return
        message = (
            f"Tokenizer: {source} lacks the token(s) " + ", ".join(problems)
            + ". Use the vocab.txt that belongs to the checkpoint, or adjust token_start/token_end."
        )
        if from_file:
            raise ValueError(message)
        # A dict built in the script (bert4keras's Chinese-chess example builds one of 20 characters
        # and then sets `_token_unk_id = 0` itself): bert4keras accepted it, so warn; a missing id
        # still raises, naming the token, when it is used before the script sets it.
        warnings.warn(message + " Missing tokens map to _token_unk_id once it is set.", UserWarning, stacklevel=4)

    def __getattr__(self, name: str):
        # Only reached for missing attributes, e.g. _token_pad_id / _token_mask_id
        # when the vocab has no [PAD] / [MASK].
        if name.startswith("_token_") and name.endswith("_id"):
            kind = name[len("_token_"):-len("_id")]
            token = self.__dict__.get(f"_token_{kind}")
            why = f"token_{kind}=None" if token is None else f"the vocab has no {token!r} token"
            raise AttributeError(f"{type(self).__name__} has no {name}: {why}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_words"] = _WordPieceCache()  # a cache: do not pickle it
        return state

    def token_to_id(self, token: str) -> int:
        """Id of ``token``; ``[UNK]``'s id if it is not in the vocab."""
        return self._token_dict.get(token, self._token_unk_id)

    def tokens_to_ids(self, tokens: Iterable[str]) -> List[int]:
        """Ids of ``tokens`` (unknown tokens give ``[UNK]``'s id)."""
        if type(self).token_to_id is not Tokenizer.token_to_id:
            return super().tokens_to_ids(tokens)  # honour a subclass's token_to_id
        lookup, unk = self._token_dict.get, self._token_unk_id
        return [lookup(token, unk) for token in tokens]

    def id_to_token(self, i: int) -> str:
        """Token of id ``i`` (:class:`TokenIdError`, a ``KeyError``, if there is none)."""
        try:
            return self._token_dict_inv[i]
        except (KeyError, TypeError):
            raise TokenIdError(
                f"token id {i!r} is not in the vocab (ids 0..{self._vocab_size - 1}); were these ids made with "
                "another vocab, or by a model whose vocab_size is larger than the tokenizer's?"
            ) from None

    def decode(self, ids: Sequence[int], tokens: Optional[List[str]] = None) -> str:
        """Readable text: special ``[...]`` tokens dropped, ``##`` pieces joined,
        CJK characters and punctuation written without spaces.

        Example:
            >>> vocab = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "hello": 3, "##s": 4, ",": 5, "中": 6, "文": 7}
            >>> Tokenizer(vocab).decode([1, 3, 4, 5, 6, 7, 2])
            'hellos, 中文'
        """
        tokens = tokens or self.ids_to_tokens(ids)
        is_cjk, is_punctuation = self._is_cjk_character, self._is_punctuation
        parts: List[str] = []
        last_char = ""  # last character written so far
        for i, token in enumerate([t for t in tokens if not self._is_special(t)]):
            if token[:2] == "##":
                piece = token[2:]
            elif len(token) == 1 and is_cjk(token):
                piece = token
            elif len(token) == 1 and is_punctuation(token):
                piece = token + " "
            elif i > 0 and last_char and is_cjk(last_char):
                # No space between a CJK character and a word.  (bert4keras
                # raised IndexError here when nothing had been written yet.)
                piece = token
            else:
                piece = " " + token
            parts.append(piece)
            if piece:
                last_char = piece[-1]

        text = _MULTI_SPACE.sub(" ", "".join(parts))
        text = _CONTRACTION.sub("'\\1 ", text)
        text = _space_after_punctuation(self._cjk_punctuation() + "+-/={(<[").sub("\\1", text)
        text = _DECIMAL.sub("\\1\\2", text)
        return text.strip()

    def _tokenize(self, text: str, pre_tokenize: bool = True) -> List[str]:
        if self._do_lower_case:
            text = uc.lowercase_and_normalize(text)

        if pre_tokenize and self._pre_tokenize is not None:
            return self._tokenize_pre_tokenized(self._pre_tokenize(text))

        words = self._space_out(text).split()
        if type(self)._word_piece_tokenize is not Tokenizer._word_piece_tokenize:
            return [piece for word in words for piece in self._word_piece_tokenize(word)]
        cache = self._words.for_vocab(self)
        tokens = []
        for word in words:
            pieces = cache.get(word)
            if pieces is None:
                pieces = cache.store(word, self._split_word(word))
            tokens.extend(pieces)
        return tokens

    def _tokenize_pre_tokenized(self, words: Iterable[str]) -> List[str]:
        vocab = self._token_dict
        cache = self._words.for_vocab(self).pre_tokenized
        if type(self)._tokenize is not Tokenizer._tokenize:
            cache = {}  # a subclass's _tokenize may not be a pure function of the word
        tokens: List[str] = []
        for word in words:
            if word in vocab:
                tokens.append(word)  # a whole vocab word: no further split
                continue
            pieces = cache.get(word)
            if pieces is None:
                pieces = self._tokenize(word, False)
                if len(cache) < _MAX_CACHED_WORDS:
                    cache[word] = pieces
            tokens.extend(pieces)
        return tokens

    def _space_out(self, text: str) -> str:
        cls = type(self)
        if (
            cls._is_punctuation is Tokenizer._is_punctuation
            and cls._is_cjk_character is Tokenizer._is_cjk_character
            and cls._is_space is Tokenizer._is_space
            and cls._is_control is Tokenizer._is_control
        ):
            return uc.space_out(text)  # cached table
        # A subclass redefined a character class: classify one by one.
        out = []
        for ch in text:
            if self._is_punctuation(ch) or self._is_cjk_character(ch):
                out.append(" " + ch + " ")
            elif self._is_space(ch):
                out.append(" ")
            elif not (ch == "\x00" or ch == "\ufffd" or self._is_control(ch)):
                out.append(ch)
        return "".join(out)

    def _word_piece_tokenize(self, word: str) -> List[str]:
        """Split one word into WordPiece tokens (greedy longest match)."""
        return list(self._split_word(word))

    def _split_word(self, word: str) -> Tuple[str, ...]:
        if len(word) > self._word_maxlen:
            return (word,)
        vocab = self._token_dict
        longest, longest_suffix = self._words.longest(self)
        pieces = []
        start = 0
        while start < len(word):
            # No vocab entry is longer than `longest`: skip hopeless candidates.
            end = min(len(word), start + (longest_suffix if start else longest))
            while end > start:
                piece = "##" + word[start:end] if start else word[start:end]
                if piece in vocab:
                    break
                end -= 1
            if end == start:
                return (word,)  # no piece fits: the whole word, mapped to [UNK]
            pieces.append(piece)
            start = end
        return tuple(pieces)

    @staticmethod
    def stem(token: str) -> str:
        """``token`` without a leading ``##``.

        Example:
            >>> Tokenizer.stem("##ing"), Tokenizer.stem("ing")
            ('ing', 'ing')
        """
        return token[2:] if token[:2] == "##" else token

    _is_space = staticmethod(uc.is_space)
    _is_punctuation = staticmethod(uc.is_punctuation)
    _is_cjk_character = staticmethod(uc.is_cjk_character)
    _is_control = staticmethod(uc.is_control)

    @staticmethod
    def _cjk_punctuation() -> str:
        return uc.CJK_PUNCTUATION

    @staticmethod
    def _is_special(ch: str) -> bool:
        """True for ``[xxx]`` tokens such as ``[CLS]`` or ``[unused1]``."""
        return bool(ch) and ch[0] == "[" and ch[-1] == "]"

    @staticmethod
    def _is_redundant(token: str) -> bool:
        """True for multi-character tokens WordPiece never outputs (they
        contain a CJK character or punctuation, e.g. ``##中`` or ``[CLS]``)."""
        if len(token) < 2:
            return False
        return any(uc.is_cjk_character(ch) or uc.is_punctuation(ch) for ch in Tokenizer.stem(token))

    def rematch(self, text: str, tokens: Sequence[str]) -> List[List[int]]:
        """Map each token back to the indices of the characters of ``text`` it
        came from (``[]`` for special tokens).

        The indices refer to the original ``text``, also with ``do_lower_case``
        where a character's lower case is longer (``"İ"`` becomes two
        characters): bert4keras indexed ``text.lower()`` there, which pointed
        past the end of the text or at the wrong characters.

        Example:
            >>> vocab = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "cafe": 3, "好": 4}
            >>> tokenizer = Tokenizer(vocab, do_lower_case=True)
            >>> text = "Café 好"
            >>> tokenizer.rematch(text, tokenizer.tokenize(text))
            [[], [0, 1, 2, 3], [5], []]
        """
        original = text
        if self._do_lower_case:
            text = text.lower()
        normalized, char_index = self._normalize_for_rematch(text)
        if len(text) != len(original):
            char_index = _indices_before_lowering(original, char_index)

        mapping: List[List[int]] = []
        offset = 0
        for token in tokens:
            if self._is_special(token):
                mapping.append([])
                continue
            token = self.stem(token)
            start = normalized.find(token, offset)
            if start < 0:
                raise ValueError(
                    f"rematch: token {token!r} not found in the (normalized) text after "
                    f"position {offset}; were the tokens produced from this text?"
                )
            end = start + len(token)
            mapping.append(char_index[start:end])
            offset = end
        return mapping

    def _normalize_for_rematch(self, text: str) -> Tuple[str, List[int]]:
        """The text as the tokenizer sees it, and for each of its characters
        the index of the original character it comes from."""
        if text.isascii() and text.isprintable():
            # Nothing to drop and lower-casing kept every character: identity.
            return text, list(range(len(text)))
        if type(self)._is_control is Tokenizer._is_control:
            normalize = uc.rematch_normalizer(self._do_lower_case)
        else:
            lower = self._do_lower_case

            def normalize(ch: str) -> str:
                if lower:
                    ch = uc.lowercase_and_normalize(ch)
                return "".join(c for c in ch if not (c == "\x00" or c == "\ufffd" or self._is_control(c)))

        pieces = [normalize(ch) for ch in text]
        char_index: List[int] = []
        for i, piece in enumerate(pieces):
            if len(piece) == 1:
                char_index.append(i)
            elif piece:
                char_index.extend([i] * len(piece))
        return "".join(pieces), char_index


def _indices_before_lowering(original: str, lowered_index: List[int]) -> List[int]:
    """Map indices into ``original.lower()`` back to indices into ``original``.

    ``str.lower`` lower-cases character by character (its one context rule, the
    Greek final sigma, keeps the length), so each original character owns
    ``len(ch.lower())`` consecutive characters of the lowered text.
    """
    owner = [i for i, ch in enumerate(original) for _ in range(len(ch.lower()))]
    return [owner[j] for j in lowered_index]


class _WordPieceCache(dict):
    """``{word: pieces}`` for one vocab, plus the vocab's longest token lengths.

    The cache is emptied when the tokenizer's vocab dict is replaced or
    changes size (users sometimes add tokens to ``_token_dict``) or when
    ``_word_maxlen`` or ``_do_lower_case`` changes.
    """

    def __init__(self):
        super().__init__()
        self.pre_tokenized: Dict[str, List[str]] = {}  # pre_tokenize word -> tokens
        self._vocab = None
        self._key = None
        self._longest = (0, 0)

    def for_vocab(self, tokenizer: Tokenizer) -> "_WordPieceCache":
        vocab = tokenizer._token_dict
        key = (len(vocab), tokenizer._word_maxlen, tokenizer._do_lower_case)
        if vocab is not self._vocab or key != self._key:
            self.clear()
            self.pre_tokenized.clear()
            plain = max(map(len, vocab), default=0)
            suffix = max((len(t) - 2 for t in vocab if t[:2] == "##"), default=0)
            self._vocab, self._key, self._longest = vocab, key, (plain, suffix)
        return self

    def longest(self, tokenizer: Tokenizer) -> Tuple[int, int]:
        return self.for_vocab(tokenizer)._longest

    def store(self, word: str, pieces: Tuple[str, ...]) -> Tuple[str, ...]:
        if len(self) >= _MAX_CACHED_WORDS:
            self.clear()
        self[word] = pieces
        return pieces
