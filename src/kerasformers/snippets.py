"""Small helpers for data preparation, with bert4keras's names and behaviour.

Padding, truncation and text segmentation work on plain Python lists and
numpy arrays; nothing here imports Keras or a backend.

Example:
    >>> from kerasformers.snippets import sequence_padding
    >>> sequence_padding([[1, 2, 3], [4]]).tolist()
    [[1, 2, 3], [4, 0, 0]]
"""

from __future__ import annotations

import builtins
import functools
import json
import operator
import os
import re
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .batching import bucket_length
from .data_generator import DataGenerator
from .generation.samplers import softmax
from .text.unicode import lowercase_and_normalize
from . import uniout  # noqa: F401  bert4keras scripts import it from here
from .serving import WebServing
from .viterbi import ViterbiDecoder  # CRF decoding: bert4keras keeps it in snippets

__all__ = [
    "AutoRegressiveDecoder",
    "ViterbiDecoder",
    "WebServing",
    "to_array",
    "is_string",
    "strQ2B",
    "string_matching",
    "convert_to_unicode",
    "convert_to_str",
    "lowercase_and_normalize",
    "open",
    "sequence_padding",
    "truncate_sequences",
    "text_segmentate",
    "is_one_of",
    "softmax",
    "insert_arguments",
    "delete_arguments",
    "longest_common_substring",
    "longest_common_subsequence",
    "DataGenerator",
]

is_py2 = False  # bert4keras exports this flag; some scripts test it.


def to_array(*args: Any) -> Union[np.ndarray, List[np.ndarray]]:
    """``np.array`` of each argument; a single argument gives a single array.

    Example:
        >>> x, y = to_array([1, 2], [[3]])
        >>> x.shape, y.shape
        ((2,), (1, 1))
    """
    arrays = [np.array(a) for a in args]
    return arrays[0] if len(arrays) == 1 else arrays


def is_string(s: Any) -> bool:
    """True if ``s`` is a ``str`` (bytes are not).

    Example:
        >>> is_string("a"), is_string(b"a"), is_string(["a"])
        (True, False, False)
    """
    return isinstance(s, str)


# Full-width forms U+FF01..U+FF5E sit exactly 0xFEE0 above ASCII 0x21..0x7E;
# the ideographic space U+3000 becomes a plain space.
_FULL_TO_HALF = {0x3000: 0x20, **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}


def strQ2B(ustring: str) -> str:
    """Convert full-width characters (``Ａ１！`` and U+3000) to half-width.

    (bert4keras's version calls ``unichr`` and fails on Python 3.)

    Example:
        >>> strQ2B("ＡＢＣ，１２３\\u3000！")
        'ABC,123 !'
    """
    return ustring.translate(_FULL_TO_HALF)


def string_matching(s: str, keywords: Sequence[str]) -> bool:
    """True if any regular expression in ``keywords`` matches somewhere in ``s``.

    Example:
        >>> string_matching("bert4keras", ["gpt", r"\\d"])
        True
    """
    return any(re.search(k, s) for k in keywords)


def convert_to_unicode(text: Union[str, bytes], encoding: str = "utf-8", errors: str = "ignore") -> str:
    """Decode ``bytes`` (UTF-8 by default); a ``str`` is returned unchanged.

    Example:
        >>> convert_to_unicode("中".encode())
        '中'
    """
    return text.decode(encoding, errors=errors) if isinstance(text, bytes) else text


def convert_to_str(text: Union[str, bytes], encoding: str = "utf-8", errors: str = "ignore") -> str:
    """Same as :func:`convert_to_unicode` on Python 3 (``str`` is unicode).

    Example:
        >>> convert_to_str(b"abc")
        'abc'
    """
    return convert_to_unicode(text, encoding, errors)


class _IndexedFile:
    """A text file that also supports ``len(f)`` and ``f[i]`` (the i-th line)."""

    def __init__(self, file, offsets: List[int]):
        self.file = file
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets)

    def __getitem__(self, i: int) -> str:
        self.file.seek(self.offsets[i])
        return self.file.readline()

    def __iter__(self):
        return iter(self.file)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def __getattr__(self, name: str):
        # read, readline, write, seek, tell, close ... come from the file.
        return getattr(self.__dict__["file"], name)


def open(name, mode: str = "r", encoding: Optional[str] = None, errors: str = "strict", indexable: Union[bool, str] = False):
    """Python's ``open``; with ``indexable`` the file also gets ``len(f)`` and
    random access to lines, ``f[i]``.

    ``indexable`` may be a path: line offsets are then cached there as JSON
    and reused when the file exists.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "lines.txt")
        >>> with open(path, "w", encoding="utf-8") as f:
        ...     _ = f.write("a\\nb\\nc\\n")
        >>> f = open(path, encoding="utf-8", indexable=True)
        >>> len(f), f[2]
        (3, 'c\\n')
        >>> f.close()
    """
    file = builtins.open(name, mode, encoding=encoding, errors=errors)
    if not indexable:
        return file
    if isinstance(indexable, str) and os.path.exists(indexable):
        with builtins.open(indexable) as cache:
            offsets = json.load(cache)
    else:
        offsets = []
        while True:
            position = file.tell()
            if not file.readline():
                break
            offsets.append(position)
        file.seek(0)
        if isinstance(indexable, str):
            with builtins.open(indexable, "w") as cache:
                json.dump(offsets, cache)
    return _IndexedFile(file, offsets)


def sequence_padding(
    inputs: Sequence[Any],
    length: Optional[Union[int, Sequence[int]]] = None,
    value: Any = 0,
    seq_dims: int = 1,
    mode: str = "post",
) -> np.ndarray:
    """Pad (or cut) sequences to one length and stack them into an array.

    Args:
        inputs: sequences (lists or arrays) of equal rank.
        length: target length (int, or one per padded dim); default: the
            longest along each of the first ``seq_dims`` dims. Inside a
            ``DataGenerator`` with length buckets, a dim along which the rows
            differ in length rounds up to a bucket (see :mod:`kerasformers.batching`).
        value: fill value (cast to each sequence's dtype).
        seq_dims: how many leading dims to pad, e.g. 2 for ``[n, n]`` matrices.
        mode: ``'post'`` pads at the end, ``'pre'`` at the start. Cutting keeps
            the first ``length`` items in both modes.

    Example:
        >>> sequence_padding([[1, 2, 3], [4]], length=2, mode="pre").tolist()
        [[1, 2], [0, 4]]
        >>> sequence_padding([np.ones((2, 2)), np.ones((1, 1))], seq_dims=2).shape
        (2, 2, 2)
    """
    if mode not in ("post", "pre"):
        raise ValueError(f'"mode" argument must be "post" or "pre", got {mode!r}')
    if length is None:
        shapes = np.array([np.shape(x)[:seq_dims] for x in inputs]).reshape(len(inputs), seq_dims)
        longest, shortest = shapes.max(axis=0), shapes.min(axis=0)
        # Inside a DataGenerator with length buckets, dims whose lengths differ between
        # rows (sequences) round up; equal ones (label columns, class vectors) do not.
        length = [bucket_length(int(n)) if n != m else int(n) for n, m in zip(longest, shortest)]
    elif not hasattr(length, "__getitem__"):
        # One int pads every sequence dim (bert4keras accepted it only for seq_dims=1).
        length = [length] * seq_dims

    window = tuple(slice(None, length[d]) for d in range(seq_dims))
    rank = len(np.shape(inputs[0]))
    outputs = []
    for x in inputs:
        x = np.asarray(x)[window]
        widths = [(0, 0)] * rank
        for d in range(seq_dims):
            gap = length[d] - x.shape[d]
            widths[d] = (0, gap) if mode == "post" else (gap, 0)
        outputs.append(np.pad(x, widths, "constant", constant_values=value))
    return np.array(outputs)


def _pop_literally(maxlen, indices, sequences) -> None:
    # The reference behaviour, one pop at a time from the first longest
    # sequence; used where the fast path cannot prove it gives the same result.
    while True:
        lengths = [len(s) for s in sequences]
        if sum(lengths) <= maxlen:
            return
        i = int(np.argmax(lengths))  # the first longest
        sequences[i].pop(indices[i])


def _removal_counts(maxlen, lengths: List[int]) -> Optional[List[int]]:
    """How many items "pop one from the first longest until the total fits"
    removes from each sequence, computed level by level instead of one by one.
    None if it would pop from an empty sequence (negative maxlen)."""
    lengths = list(lengths)
    counts = [0] * len(lengths)
    excess = sum(lengths) - maxlen
    while excess > 0:
        top = max(lengths)
        if top == 0:
            return None
        tied = [i for i, n in enumerate(lengths) if n == top]
        below = max([n for n in lengths if n < top], default=0)
        # Each round takes one item from every tied sequence, in index order.
        rounds, extra = divmod(min(excess, (top - below) * len(tied)), len(tied))
        for rank, i in enumerate(tied):
            cut = rounds + (rank < extra)
            lengths[i] -= cut
            counts[i] += cut
            excess -= cut
    return counts


def truncate_sequences(maxlen: int, indices: Union[int, Sequence[int]], *sequences: list) -> List[list]:
    """Cut lists in place until their total length is at most ``maxlen``.

    Items are removed one at a time from the currently longest list (the
    first one on ties), at position ``indices`` (one int for all, or one per
    list).  Empty lists and ``None`` are skipped; the remaining lists are
    returned.

    Example:
        >>> a, b = [1, 2, 3, 4, 5], [6, 7, 8]
        >>> truncate_sequences(6, -1, a, b)
        [[1, 2, 3], [6, 7, 8]]
    """
    sequences = [s for s in sequences if s]
    if not isinstance(indices, (list, tuple)):
        indices = [indices] * len(sequences)

    counts = None
    if (
        len(indices) >= len(sequences)
        and all(type(s) is list for s in sequences)
        and len({id(s) for s in sequences}) == len(sequences)
    ):
        try:
            positions = [operator.index(i) for i in indices[: len(sequences)]]
            operator.index(maxlen)  # a float or None maxlen takes the literal path
        except TypeError:
            positions = None
        if positions is not None:
            counts = _removal_counts(maxlen, [len(s) for s in sequences])
    if counts is None:
        _pop_literally(maxlen, indices, sequences)
        return sequences

    # Repeated pops at one position remove a contiguous block; delete it at
    # once (popping position 1 thousands of times would be quadratic).
    blocks = []
    for seq, pos, count in zip(sequences, positions, counts):
        if count:
            start = pos if pos >= 0 else len(seq) + pos - count + 1
            if start < 0 or start + count > len(seq):
                _pop_literally(maxlen, indices, sequences)  # raises IndexError like list.pop
                return sequences
            blocks.append((seq, start, count))
    for seq, start, count in blocks:
        del seq[start:start + count]
    return sequences


def text_segmentate(text: str, maxlen: int, seps: Union[str, Sequence[str]] = "\n", strips: Optional[str] = None) -> List[str]:
    """Split ``text`` into pieces of at most ``maxlen`` characters, cutting at
    ``seps[0]`` first, then (inside pieces still too long) at ``seps[1]``, ...

    Separators stay attached to the piece they end; ``strips`` (characters, or
    whitespace when None) are stripped from every piece.  A piece with no
    separator left may stay longer than ``maxlen``.

    Example:
        >>> text_segmentate("今天天气很好。我们去公园吧，好不好？", 10, "。，")
        ['今天天气很好。', '我们去公园吧，', '好不好？']
    """
    text = text.strip().strip(strips)
    if not seps or len(text) <= maxlen:
        return [text]
    sep, finer = seps[0], seps[1:]
    pieces = text.split(sep)
    segments: List[str] = []
    chunk: List[str] = []
    chunk_len = 0
    for i, piece in enumerate(pieces):
        # Start a new chunk when adding this piece would pass maxlen - 1.
        if chunk_len and piece and chunk_len + len(piece) > maxlen - 1:
            segments.extend(text_segmentate("".join(chunk), maxlen, finer, strips))
            chunk, chunk_len = [], 0
        if i + 1 < len(pieces):
            piece += sep
        chunk.append(piece)
        chunk_len += len(piece)
    if chunk_len:
        segments.extend(text_segmentate("".join(chunk), maxlen, finer, strips))
    return segments


def is_one_of(x: Any, ys: Sequence[Any]) -> bool:
    """``x in ys`` by identity (works where ``==`` is elementwise, e.g. arrays).

    Example:
        >>> a = np.zeros(2)
        >>> is_one_of(a, [np.zeros(2), a]), is_one_of(np.zeros(2), [a])
        (True, False)
    """
    return any(x is y for y in ys)


def insert_arguments(**arguments: Any) -> Callable:
    """Decorator for ``__init__``: adds keyword arguments with defaults, stored
    as attributes of ``self`` and removed from ``kwargs`` before the call.

    Example:
        >>> class A:
        ...     @insert_arguments(scale=1.0)
        ...     def __init__(self, x):
        ...         self.x = x
        >>> a = A(2, scale=3.0)
        >>> a.x, a.scale, A(2).scale
        (2, 3.0, 1.0)
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            for name, default in arguments.items():
                setattr(self, name, kwargs.pop(name, default))
            return method(self, *args, **kwargs)

        return wrapper

    return decorate


def delete_arguments(*arguments: str) -> Callable:
    """Decorator for ``__init__``: passing any of ``arguments`` raises
    ``TypeError`` (to withdraw a parent class's argument).

    Example:
        >>> class A:
        ...     @delete_arguments("with_pool")
        ...     def __init__(self, **kwargs):
        ...         pass
        >>> A(with_pool=True)
        Traceback (most recent call last):
        ...
        TypeError: A got an unexpected keyword argument 'with_pool'
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            for name in arguments:
                if name in kwargs:
                    raise TypeError(f"{type(self).__name__} got an unexpected keyword argument '{name}'")
            return method(self, *args, **kwargs)

        return wrapper

    return decorate


def longest_common_substring(source: Sequence, target: Sequence) -> Tuple[int, Tuple[int, int, int, int]]:
    """Longest common contiguous run: ``(length, (i0, i1, j0, j1))`` with
    ``source[i0:i1] == target[j0:j1]`` (the first one found on ties).

    Example:
        >>> longest_common_substring("abcde", "xbcdy")
        (3, (1, 4, 1, 4))
    """
    best, span = 0, (0, 0, 0, 0)
    previous = [0] * (len(target) + 1)
    for i, a in enumerate(source, 1):
        current = [0] * (len(target) + 1)
        for j, b in enumerate(target, 1):
            if a == b:
                run = current[j] = previous[j - 1] + 1
                if run > best:
                    best, span = run, (i - run, i, j - run, j)
        previous = current
    return best, span


def longest_common_subsequence(source: Sequence, target: Sequence) -> Tuple[int, List[Tuple[int, int]]]:
    """Longest common (not necessarily contiguous) subsequence:
    ``(length, [(i, j), ...])`` pairing ``source[i] == target[j]``.

    Example:
        >>> longest_common_subsequence("abcd", "acbd")
        (3, [(0, 0), (1, 2), (3, 3)])
    """
    # table[i][j]: LCS length of source[:i] and target[:j].
    table = [[0] * (len(target) + 1)]
    for a in source:
        above, row = table[-1], [0]
        for j, b in enumerate(target):
            row.append(above[j] + 1 if a == b else max(row[j], above[j + 1]))
        table.append(row)

    length = table[-1][-1]
    pairs: List[Tuple[int, int]] = []
    i, j = len(source) - 1, len(target) - 1
    # Walk back from the end; on a tie between "skip a target item" and
    # "skip a source item", skip the source item (bert4keras's choice).
    while len(pairs) < length:
        if source[i] == target[j]:
            pairs.append((i, j))
            i, j = i - 1, j - 1
        elif table[i + 1][j] > table[i][j + 1]:
            j -= 1
        else:
            i -= 1
    return length, pairs[::-1]


def __getattr__(name: str):
    # AutoRegressiveDecoder needs Keras; resolving it on first use keeps `import kerasformers.snippets`
    # (and the tokenizers that import it) free of Keras.
    if name == "AutoRegressiveDecoder":
        from .generation.autoregressive import AutoRegressiveDecoder

        return AutoRegressiveDecoder
    raise AttributeError(f"module 'kerasformers.snippets' has no attribute {name!r}")
