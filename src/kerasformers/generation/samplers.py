"""Decoding strategies on numpy scores: batched beam search and random sampling.

Each strategy drives a ``predict(inputs, output_ids, states, temperature, rtype)``
callable (the signature :meth:`AutoRegressiveDecoder.wraps` gives a user's
``predict``), which returns ``(scores [rows, vocab], states)`` for the last
position of each row. The row bookkeeping follows bert4keras 0.11.5 step for
step (the same numpy selections in the same order), so on the same scores both
pick the same ids; greedy decoding is beam search with ``topk=1``.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import numpy as np

Predict = Callable[..., Any]


def _finished(output_ids: np.ndarray, end_id: Optional[int]):
    """Per row: whether it just produced ``end_id``, and how many ``end_id`` it holds."""
    last_is_end = output_ids[:, -1] == end_id
    end_counts = (output_ids == end_id).sum(1)
    return last_is_end, end_counts


def beam_search(
    predict: Predict,
    inputs: Sequence,
    first_output_ids: np.ndarray,
    topk: int,
    maxlen: int,
    end_id: Optional[int],
    minlen: int = 1,
    states=None,
    temperature: float = 1,
    min_ends: int = 1,
) -> np.ndarray:
    """Beam search with ``topk`` beams scored together in one ``predict`` call per step.

    Returns the best sequence of output ids (1-D), ending at the first beam that
    completes ``min_ends`` end tokens while being the best-scoring one, or the
    best beam after ``maxlen`` steps.

    Example:
        >>> table = np.log(np.array([[0.1, 0.6, 0.3], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1]]))
        >>> def predict(inputs, output_ids, states, temperature, rtype):
        ...     last = output_ids[:, -1] if output_ids.shape[1] else np.full(len(output_ids), 2)
        ...     return table[last], states
        >>> beam_search(predict, [np.array([1])], np.empty((1, 0), int), topk=2, maxlen=3, end_id=0).tolist()
        [1, 0]
    """
    inputs = [np.array([i]) for i in inputs]
    output_ids, output_scores = first_output_ids, np.zeros(1)
    for step in range(maxlen):
        scores, states = predict(inputs, output_ids, states, temperature, "logits")
        if step == 0:  # one row scored the prompt; from now on there are topk beams
            inputs = [np.repeat(i, topk, axis=0) for i in inputs]
        scores = output_scores.reshape((-1, 1)) + scores
        flat = scores.argpartition(-topk, axis=None)[-topk:]
        rows, columns = flat // scores.shape[1], (flat % scores.shape[1]).reshape((-1, 1))
        output_ids = np.concatenate([output_ids[rows], columns], 1)
        output_scores = np.take_along_axis(scores, flat, axis=None)
        last_is_end, end_counts = _finished(output_ids, end_id)
        if output_ids.shape[1] >= minlen:
            best = output_scores.argmax()
            if last_is_end[best] and end_counts[best] >= min_ends:
                return output_ids[best]
            unfinished = ~last_is_end | (end_counts < min_ends)
            if not unfinished.all():  # finished beams that are not the best leave the search
                inputs = [i[unfinished] for i in inputs]
                output_ids, output_scores = output_ids[unfinished], output_scores[unfinished]
                topk = int(unfinished.sum())
    return output_ids[output_scores.argmax()]


def _sample_rows(probas: np.ndarray, rng) -> np.ndarray:
    """One id per row drawn from its distribution, rows in order (so a seed replays the same draws)."""
    return np.array([rng.choice(len(p), p=p) for p in probas]).reshape((-1, 1))


def random_sample(
    predict: Predict,
    inputs: Sequence,
    first_output_ids: np.ndarray,
    n: int,
    maxlen: int,
    end_id: Optional[int],
    minlen: int = 1,
    topk: Optional[int] = None,
    topp: Optional[float] = None,
    states=None,
    temperature: float = 1,
    min_ends: int = 1,
    rng=None,
) -> List[np.ndarray]:
    """Draw ``n`` sequences, optionally from the ``topk`` most likely ids and/or the
    smallest set of ids whose probability reaches ``topp`` at each step.

    ``rng`` is a ``numpy.random.RandomState``/``Generator``; by default the global
    ``numpy.random`` (seed it with ``np.random.seed``, as bert4keras scripts do).
    Returns the ``n`` sequences (finished ones first, in the order they finished).

    Example:
        >>> def predict(inputs, output_ids, states, temperature, rtype):
        ...     return np.tile([[0.5, 0.5, 0.0]], (len(output_ids), 1)), states
        >>> out = random_sample(predict, [np.array([1])], np.empty((1, 0), int), n=2, maxlen=4, end_id=0,
        ...                     rng=np.random.RandomState(0))
        >>> len(out), all(len(o) <= 4 for o in out)
        (2, True)
    """
    rng = np.random if rng is None else rng
    inputs = [np.array([i]) for i in inputs]
    output_ids = first_output_ids
    results: List[np.ndarray] = []
    for step in range(maxlen):
        probas, states = predict(inputs, output_ids, states, temperature, "probas")
        probas = probas / probas.sum(axis=1, keepdims=True)
        if step == 0:  # one row scored the prompt; from now on there are n samples
            probas = np.repeat(probas, n, axis=0)
            inputs = [np.repeat(i, n, axis=0) for i in inputs]
            output_ids = np.repeat(output_ids, n, axis=0)
        if topk is not None:
            k_indices = probas.argpartition(-topk, axis=1)[:, -topk:]
            probas = np.take_along_axis(probas, k_indices, axis=1)
            probas /= probas.sum(axis=1, keepdims=True)
        if topp is not None:
            p_indices = probas.argsort(axis=1)[:, ::-1]
            probas = np.take_along_axis(probas, p_indices, axis=1)
            # Keep ids up to and including the one whose cumulative probability reaches topp.
            beyond = np.roll(np.cumsum(probas, axis=1) >= topp, 1, axis=1)
            beyond[:, 0] = False
            probas[beyond] = 0
            probas /= probas.sum(axis=1, keepdims=True)
        sample_ids = _sample_rows(probas, rng)
        if topp is not None:
            sample_ids = np.take_along_axis(p_indices, sample_ids, axis=1)
        if topk is not None:
            sample_ids = np.take_along_axis(k_indices, sample_ids, axis=1)
        output_ids = np.concatenate([output_ids, sample_ids], 1)
        last_is_end, end_counts = _finished(output_ids, end_id)
        if output_ids.shape[1] >= minlen:
            done = last_is_end & (end_counts >= min_ends)
            if done.any():
                results.extend(output_ids[done])
                inputs = [i[~done] for i in inputs]
                output_ids = output_ids[~done]
                if len(output_ids) == 0:
                    break
    results.extend(output_ids)
    return results


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax of a numpy array.

    Example:
        >>> softmax(np.array([0.0, np.log(3.0)])).round(2).tolist()
        [0.25, 0.75]
    """
    x = np.asarray(x)
    x = np.exp(x - x.max(axis=axis, keepdims=True))
    return x / x.sum(axis=axis, keepdims=True)
