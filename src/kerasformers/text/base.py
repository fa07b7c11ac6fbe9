"""``TokenizerBase``: special tokens, truncation and pair encoding shared by the
WordPiece :class:`~kerasformers.tokenizers.Tokenizer` and the SentencePiece
:class:`~kerasformers.tokenizers.SpTokenizer`.

Import it from :mod:`kerasformers.tokenizers`, as with bert4keras.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ..snippets import is_string, truncate_sequences

TextOrTokens = Union[str, List[str]]


class TokenizerBase:
    """Base class of the tokenizers: adds start/end tokens, truncates, encodes
    single texts and pairs into ``(token_ids, segment_ids)``.

    Subclasses implement ``_tokenize``, ``token_to_id``, ``id_to_token`` and
    ``decode``.

    Args:
        token_start: token put in front of every tokenized text (``None``: none).
        token_end: token appended to every tokenized text (``None``: none).
        pre_tokenize: optional function splitting a text into words first
            (e.g. ``lambda s: jieba.cut(s, HMM=False)``).
        token_translate: ``{token: replacement}`` applied after tokenizing.

    Example:
        >>> from kerasformers.tokenizers import Tokenizer
        >>> vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "b": 5}
        >>> Tokenizer(vocab).encode("a b", "b")
        ([2, 4, 5, 3, 5, 3], [0, 0, 0, 0, 1, 1])
    """

    def __init__(
        self,
        token_start: Optional[str] = "[CLS]",
        token_end: Optional[str] = "[SEP]",
        pre_tokenize: Optional[Callable[[str], Iterable[str]]] = None,
        token_translate: Optional[Dict[str, str]] = None,
    ):
        self._token_pad = "[PAD]"
        self._token_unk = "[UNK]"
        self._token_mask = "[MASK]"
        self._token_start = token_start
        self._token_end = token_end
        self._pre_tokenize = pre_tokenize
        self._token_translate = token_translate or {}
        self._token_translate_inv = {v: k for k, v in self._token_translate.items()}

    def tokenize(self, text: str, maxlen: Optional[int] = None) -> List[str]:
        """Split ``text`` into tokens, with the start/end tokens added.

        With ``maxlen``, tokens before the end token are dropped until at most
        ``maxlen`` remain (the start and end tokens are kept).

        Example:
            >>> from kerasformers.tokenizers import Tokenizer
            >>> vocab = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "b": 4}
            >>> Tokenizer(vocab).tokenize("a b a", maxlen=4)
            ['[CLS]', 'a', 'b', '[SEP]']
        """
        if not is_string(text):
            raise TypeError(
                f"{type(self).__name__}.tokenize expects a string, got {type(text).__name__} {text!r:.60}"
            )
        tokens = self._tokenize(text)
        if self._token_translate:
            translate = self._token_translate.get
            # A falsy replacement ("" or None) keeps the original token.
            tokens = [translate(token) or token for token in tokens]
        else:
            tokens = list(tokens)
        if self._token_start is not None:
            tokens.insert(0, self._token_start)
        if self._token_end is not None:
            tokens.append(self._token_end)
        if maxlen is not None:
            # Remove tokens just before the end token (or the last ones).
            with self._maxlen_check(maxlen, 1):
                truncate_sequences(maxlen, -(2 if self._token_end is not None else 1), tokens)
        return tokens

    def token_to_id(self, token: str) -> int:
        """Id of ``token``."""
        raise NotImplementedError(f"{type(self).__name__} must implement token_to_id")

    def tokens_to_ids(self, tokens: Iterable[str]) -> List[int]:
        """Ids of ``tokens`` (see :meth:`token_to_id`)."""
        return [self.token_to_id(token) for token in tokens]

    def encode(
        self,
        first_text: TextOrTokens,
        second_text: Optional[TextOrTokens] = None,
        maxlen: Optional[int] = None,
        pattern: str = "S*E*E",
        truncate_from: Union[str, int] = "right",
    ) -> Tuple[List[int], List[int]]:
        """Return ``(token_ids, segment_ids)`` of a text or a text pair.

        Args:
            first_text, second_text: strings, or already tokenized lists (a list
                is used as is and truncated in place, as in bert4keras).
            maxlen: total length limit; the longer sequence loses tokens first.
            pattern: ``'S*E*E'`` drops the second text's start token
                (``[CLS] A [SEP] B [SEP]``); any other value keeps it.
            truncate_from: ``'right'`` (before the end token), ``'left'`` (after
                the start token) or an int position to delete tokens from.

        Example:
            >>> from kerasformers.tokenizers import Tokenizer
            >>> vocab = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "b": 4}
            >>> Tokenizer(vocab).encode("a a a", "b b", maxlen=6)
            ([1, 3, 2, 4, 4, 2], [0, 0, 0, 1, 1, 1])
        """
        for argument, value in (("first_text", first_text), ("second_text", second_text)):
            if not (is_string(value) or isinstance(value, list) or (value is None and argument == "second_text")):
                raise TypeError(
                    f"{type(self).__name__}.encode: {argument} must be a string or a list of tokens, "
                    f"got {type(value).__name__} {value!r:.60}"
                )
        first_tokens = self.tokenize(first_text) if is_string(first_text) else first_text
        if second_text is None:
            second_tokens = None
        elif is_string(second_text):
            second_tokens = self.tokenize(second_text)
        else:
            second_tokens = second_text

        if maxlen is not None:
            if truncate_from == "right":
                index = -int(self._token_end is not None) - 1
            elif truncate_from == "left":
                index = int(self._token_start is not None)
            else:
                index = truncate_from
            if second_text is not None and pattern == "S*E*E":
                maxlen += 1  # the second start token is dropped below
            try:
                with self._maxlen_check(maxlen - (second_text is not None and pattern == "S*E*E"), 1 + (second_text is not None), pattern):
                    truncate_sequences(maxlen, index, first_tokens, second_tokens)
            except TypeError as error:
                if isinstance(truncate_from, str):
                    raise TypeError(
                        f"truncate_from must be 'right', 'left' or an int position, "
                        f"got {truncate_from!r}"
                    ) from error
                raise

        token_ids = self.tokens_to_ids(first_tokens)
        segment_ids = [0] * len(token_ids)
        if second_text is not None:
            if pattern == "S*E*E":
                second_tokens = second_tokens[int(bool(self._token_start)):]
            second_ids = self.tokens_to_ids(second_tokens)
            token_ids.extend(second_ids)
            segment_ids.extend([1] * len(second_ids))
        return token_ids, segment_ids

    @contextlib.contextmanager
    def _maxlen_check(self, maxlen: int, texts: int, pattern: str = ""):
        """Turn truncation's bare ``IndexError: pop from empty list`` (a ``maxlen`` too small to
        hold even the start/end tokens) into one that says so; still an ``IndexError``, as in bert4keras."""
        try:
            yield
        except IndexError:
            special = int(self._token_start is not None) + int(self._token_end is not None)
            needed = special * texts - int(texts == 2 and pattern == "S*E*E" and self._token_start is not None)
            raise IndexError(
                f"maxlen={maxlen!r} is too small: the start/end tokens alone take {needed} position(s); "
                f"pass maxlen >= {needed + 1} (or maxlen=None for no limit)."
            ) from None

    def id_to_token(self, i: int) -> str:
        """Token of id ``i``."""
        raise NotImplementedError(f"{type(self).__name__} must implement id_to_token")

    def ids_to_tokens(self, ids: Iterable[int]) -> List[str]:
        """Tokens of ``ids`` (see :meth:`id_to_token`)."""
        return [self.id_to_token(i) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        """Readable text of ``ids``."""
        raise NotImplementedError(f"{type(self).__name__} must implement decode")

    def _tokenize(self, text: str) -> List[str]:
        raise NotImplementedError(f"{type(self).__name__} must implement _tokenize")
