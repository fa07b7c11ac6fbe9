"""``SpTokenizer``: bert4keras's SentencePiece tokenizer (mT5, CPM, T5-PEGASUS
style models).  Import it from :mod:`kerasformers.tokenizers`."""

from __future__ import annotations

import os
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ..snippets import convert_to_unicode
from .base import TokenizerBase
from .hf_folder import file_in_folder, is_t5_folder


def _load_sentencepiece(path: str):
    try:
        import sentencepiece
    except ImportError as error:
        raise ImportError(
            "SpTokenizer needs the sentencepiece package: pip install kerasformers[sentencepiece]"
        ) from error
    if not os.path.isfile(path):
        raise FileNotFoundError(f"SentencePiece model file not found: {path!r}")
    model = sentencepiece.SentencePieceProcessor()
    model.Load(path)
    return model


class SpTokenizer(TokenizerBase):
    """Tokenizer over a SentencePiece model, with the same interface as
    :class:`~kerasformers.tokenizers.Tokenizer`.

    ``[PAD]``/``[UNK]`` are the model's own pad and unknown pieces; tokens not
    in the model map to the unknown id.

    Args:
        sp_model_path: path of the ``.model`` file, or a folder holding ``spiece.model``
            (mT5 / T5 folders on the Hugging Face hub; see :meth:`from_hf_folder`).
        token_start, token_end: pieces added around every text (mT5 uses
            ``token_start=None, token_end='</s>'``).
        pre_tokenize: function splitting text into words, joined with spaces
            before SentencePiece (CPM-LM uses jieba).
        token_translate: ``{piece: replacement}`` applied after tokenizing and
            reversed by :meth:`decode`.

    Raises:
        ImportError: sentencepiece is not installed.
        FileNotFoundError: the model file does not exist.
        ValueError: ``token_start``/``token_end`` is not a piece of the model.

    Example:
        >>> tokenizer = SpTokenizer("spiece.model", token_start=None, token_end="</s>")  # doctest: +SKIP
        >>> token_ids, _ = tokenizer.encode("Hello world")  # doctest: +SKIP
        >>> tokenizer.decode(token_ids)  # doctest: +SKIP
        'Hello world'
    """

    def __init__(
        self,
        sp_model_path: Union[str, "os.PathLike[str]"],
        token_start: Optional[str] = "[CLS]",
        token_end: Optional[str] = "[SEP]",
        pre_tokenize: Optional[Callable[[str], Iterable[str]]] = None,
        token_translate: Optional[Dict[str, str]] = None,
    ):
        super().__init__(
            token_start=token_start, token_end=token_end,
            pre_tokenize=pre_tokenize, token_translate=token_translate,
        )
        path = file_in_folder(sp_model_path, "spiece.model", "the SentencePiece model")
        self.sp_model = _load_sentencepiece(path)
        # bert4keras crashed on models trained without a pad piece (pad_id -1).
        pad_id = self.sp_model.pad_id()
        self._token_pad = self.sp_model.id_to_piece(pad_id) if pad_id >= 0 else None
        self._token_unk = self.sp_model.id_to_piece(self.sp_model.unk_id())
        self._vocab_size = self.sp_model.get_piece_size()

        for name in ("pad", "unk", "mask", "start", "end"):
            token = getattr(self, f"_token_{name}")
            if token is not None:
                # A piece the model lacks gets the unknown id (bert4keras does so too).
                setattr(self, f"_token_{name}_id", self.sp_model.piece_to_id(token))

        missing = [
            f"{arg}={token!r}"
            for arg, token in (("token_start", token_start), ("token_end", token_end))
            if token is not None and token != self._token_unk
            and self.sp_model.piece_to_id(token) == self.sp_model.unk_id()
        ]
        if missing:
            raise ValueError(
                f"SpTokenizer: the SentencePiece model {path!r} has no piece for "
                + ", ".join(missing)
                + "; pass token_start=None / token_end=None (mT5 uses token_start=None, "
                "token_end='</s>') or a piece the model has."
            )

    @classmethod
    def from_hf_folder(cls, folder: Union[str, "os.PathLike[str]"], **kwargs) -> "SpTokenizer":
        """The ``spiece.model`` of a Hugging Face folder; for T5/mT5 folders (by their configs) with
        T5's convention ``token_start=None, token_end='</s>'``. Keyword arguments override.

        Example:
            >>> tokenizer = SpTokenizer.from_hf_folder("google/mt5-small")  # doctest: +SKIP
        """
        if is_t5_folder(folder):
            kwargs = dict({"token_start": None, "token_end": "</s>"}, **kwargs)
        return cls(folder, **kwargs)

    def token_to_id(self, token: str) -> int:
        """Id of the piece ``token`` (the unknown id if the model lacks it)."""
        return self.sp_model.piece_to_id(token)

    def id_to_token(self, i: int) -> str:
        """Piece of id ``i``; ``''`` for ids past the model's vocab (e.g. extra
        output rows of a model whose embedding is larger than its vocab)."""
        if i < self._vocab_size:
            return self.sp_model.id_to_piece(i)
        return ""

    def decode(self, ids: Sequence[int]) -> str:
        """Readable text of ``ids`` (``token_translate`` reversed first)."""
        untranslate = self._token_translate_inv.get
        tokens = [untranslate(token) or token for token in self.ids_to_tokens(ids)]
        return convert_to_unicode(self.sp_model.decode_pieces(tokens))

    def _tokenize(self, text: str) -> List[str]:
        if self._pre_tokenize is not None:
            text = " ".join(self._pre_tokenize(text))
        return self.sp_model.encode_as_pieces(text)

    def rematch(self, text: str, tokens: Sequence[str]) -> List[List[int]]:
        """For each token, the indices of the characters of ``text`` it was made from.

        ``tokens`` is ``tokenize(text)`` (possibly truncated by ``maxlen``); start, end
        and other tokens with no characters behind them get ``[]``. Offsets come from
        SentencePiece itself, so they index the original text even where its
        normalization (NFKC, lower-casing) changed the characters; with ``pre_tokenize``,
        each word is found back in ``text`` in order. bert4keras's ``SpTokenizer`` had no
        ``rematch``; this one has :meth:`Tokenizer.rematch`'s contract.

        Example:
            >>> tokenizer = SpTokenizer("spiece.model")  # doctest: +SKIP
            >>> text = "Hello 中国"
            >>> tokenizer.rematch(text, tokenizer.tokenize(text))  # doctest: +SKIP
            [[], [0], [1], [2, 3], [4], [5], [6], [7], []]
        """
        prepared, origin = text, list(range(len(text)))
        if self._pre_tokenize is not None:
            prepared, origin = _words_in(text, list(self._pre_tokenize(text)))
        pieces = _pieces_with_spans(self.sp_model, prepared)
        translate = self._token_translate.get
        spans, j = [], 0
        for token in tokens:
            if j < len(pieces) and token in (pieces[j][0], translate(pieces[j][0])):
                spans.append(sorted({origin[i] for i in pieces[j][1] if origin[i] is not None}))
                j += 1
            else:
                spans.append([])
        return spans

    def _is_special(self, i: int) -> bool:
        """True for control, unknown and unused pieces."""
        return self.sp_model.is_control(i) or self.sp_model.is_unknown(i) or self.sp_model.is_unused(i)

    def _is_decodable(self, i: int) -> bool:
        """True for ids that :meth:`decode` should output (in vocab, not special)."""
        return i < self._vocab_size and not self._is_special(i)


def _pieces_with_spans(sp_model, text: str) -> List[Tuple[str, range]]:
    """``(piece, character range of text)`` for each piece SentencePiece makes of ``text``."""
    try:
        proto = sp_model.encode(text, return_type="proto")
    except (TypeError, ValueError):  # sentencepiece < 0.2.1
        proto = sp_model.encode(text, out_type="immutable_proto")
    # Piece offsets are UTF-8 byte offsets into ``text``: map each byte to its character.
    char_of_byte = [i for i, ch in enumerate(text) for _ in ch.encode("utf-8")] + [len(text)]
    return [(p.piece, range(char_of_byte[p.begin], char_of_byte[p.end])) for p in proto.pieces]


def _words_in(text: str, words: List[str]) -> Tuple[str, List[Optional[int]]]:
    """The text SentencePiece sees with ``pre_tokenize`` (words joined by spaces), and for each of
    its characters the index in ``text`` it stands for (None for the joining spaces).

    A word found at the cursor maps onto it; a word that ``pre_tokenize`` rewrote (CPM-LM turns
    ' ' into '▂') maps onto the same number of characters at the cursor.
    """
    joined, origin, cursor = [], [], 0
    for n, word in enumerate(words):
        if n:
            joined.append(" ")
            origin.append(None)
        found = text.find(word, cursor) if word else -1
        start = found if found >= 0 else cursor
        for k, ch in enumerate(word):
            joined.append(ch)
            origin.append(start + k if start + k < len(text) else None)
        cursor = min(len(text), start + len(word))
    return "".join(joined), origin
