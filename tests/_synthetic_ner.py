"""A small synthetic NER task and tiny encoder shared by the CRF and GlobalPointer training tests.

Sentences are filler tokens with 1-3 entities. An entity is a start token,
whose id gives its type, followed by 0-3 continuation tokens that carry no type
(so tagging them needs context: the CRF transitions or the encoder). Spans are
``(type, start, end)`` with ``end`` inclusive, as bert4keras's NER examples use.
"""

from __future__ import annotations

import contextlib

import numpy as np

PAD = 0
STARTS = {0: [3, 4, 5], 1: [6, 7, 8]}  # entity type -> start tokens
CONTINUATIONS = list(range(10, 16))
FILLERS = list(range(20, 48))
VOCAB_SIZE = 48
MAX_LEN = 20
NUM_TYPES = len(STARTS)
#: BIO labels: O, B-0, I-0, B-1, I-1.
NUM_TAGS = 1 + 2 * NUM_TYPES


def make_data(num: int, seed: int):
    """``(token_ids [num, MAX_LEN], spans per sentence)``; lengths 8..MAX_LEN, padded with 0."""
    rng = np.random.default_rng(seed)
    token_ids = np.zeros((num, MAX_LEN), dtype="int32")
    all_spans = []
    for row in range(num):
        length = int(rng.integers(8, MAX_LEN + 1))
        tokens = list(rng.choice(FILLERS, size=length))
        spans = []
        position = int(rng.integers(0, 3))
        for _ in range(int(rng.integers(1, 4))):
            size = int(rng.integers(1, 5))
            if position + size > length:
                break
            kind = int(rng.integers(0, NUM_TYPES))
            tokens[position] = int(rng.choice(STARTS[kind]))
            for k in range(position + 1, position + size):
                tokens[k] = int(rng.choice(CONTINUATIONS))
            spans.append((kind, position, position + size - 1))
            position += size + int(rng.integers(1, 4))
        token_ids[row, :length] = tokens
        all_spans.append(spans)
    return token_ids, all_spans


def bio_tags(spans, length: int = MAX_LEN) -> np.ndarray:
    tags = np.zeros(length, dtype="int32")
    for kind, start, end in spans:
        tags[start] = 1 + 2 * kind
        tags[start + 1 : end + 1] = 2 + 2 * kind
    return tags


def tags_to_spans(tags):
    """Spans of a BIO tag sequence (an I without a matching B/I before it is ignored)."""
    spans, current = [], None
    for i, tag in enumerate(list(tags) + [0]):
        tag = int(tag)
        if current is not None and tag != 2 + 2 * current[0]:
            spans.append(tuple(current))
            current = None
        if tag and tag % 2 == 1:
            current = [(tag - 1) // 2, i, i]
        elif current is not None and tag:
            current[2] = i
    return spans


def span_matrix(spans, length: int = MAX_LEN) -> np.ndarray:
    """GlobalPointer target ``[types, length, length]``."""
    labels = np.zeros((NUM_TYPES, length, length), dtype="float32")
    for kind, start, end in spans:
        labels[kind, start, end] = 1
    return labels


def span_f1(predicted, gold):
    """Corpus-level span F1, precision, recall (as bert4keras's NER examples compute them)."""
    tp = sum(len(set(p) & set(g)) for p, g in zip(predicted, gold))
    n_pred = sum(len(set(p)) for p in predicted)
    n_gold = sum(len(set(g)) for g in gold)
    precision, recall = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return 2 * tp / max(n_pred + n_gold, 1), precision, recall


def tiny_encoder():
    """A 1-layer, 32-wide BERT taking token ids only; its output carries the padding mask."""
    from kerasformers.models import build_transformer_model

    return build_transformer_model(
        None,
        None,
        vocab_size=VOCAB_SIZE,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position=MAX_LEN,
        segment_vocab_size=0,
        hidden_act="gelu",
    )


@contextlib.contextmanager
def few_threads():
    """Run PyTorch on one intra-op thread for a tiny model.

    The ops are too small to gain from threads, and on a shared, busy CPU the
    spinning OpenMP workers made these tests 5-10x slower (66 s instead of 9 s).
    """
    import keras

    if keras.backend.backend() != "torch":
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
