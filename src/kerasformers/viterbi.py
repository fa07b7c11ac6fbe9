"""Viterbi decoding of CRF outputs in NumPy (re-exported by :mod:`kerasformers.snippets`)."""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(x)
    except (TypeError, RuntimeError, ValueError):
        # A backend tensor that NumPy cannot read directly (e.g. a torch tensor
        # that requires grad, as ``crf.trans`` is with ``lr_multiplier != 1``).
        from keras import ops

        return ops.convert_to_numpy(x)


class ViterbiDecoder:
    """Most likely label path under per-token scores plus a transition matrix.

    Args:
        trans: ``[num_labels, num_labels]`` transition scores, ``trans[i, j]`` for
            label i followed by j (``keras.ops.convert_to_numpy(crf.trans)``).
        starts: labels allowed at the first position (default: all).
        ends: labels allowed at the last position (default: all).

    Example:
        >>> trans = np.array([[0.0, -9.0], [0.0, 0.0]])  # 0 -> 1 is heavily penalised
        >>> decoder = ViterbiDecoder(trans, starts=[0])
        >>> decoder.decode(np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])).tolist()
        [0, 0, 0]
    """

    def __init__(self, trans, starts: Optional[Iterable[int]] = None, ends: Optional[Iterable[int]] = None):
        self.trans = _to_numpy(trans).astype("float64")
        self.num_labels = len(self.trans)
        labels = np.arange(self.num_labels)
        self.non_starts = [] if starts is None else [int(i) for i in labels if i not in set(starts)]
        self.non_ends = [] if ends is None else [int(i) for i in labels if i not in set(ends)]

    def decode(self, nodes) -> np.ndarray:
        """Best label sequence for ``nodes`` ``[seq_len, num_labels]`` (emission scores).

        Ties go to the lowest label id. ``nodes`` is not modified.
        """
        nodes = np.array(nodes, dtype="float64")  # a copy: the constraints are applied in place
        if len(nodes) == 0:
            return np.zeros((0,), dtype="int64")
        nodes[0, self.non_starts] = -np.inf
        nodes[-1, self.non_ends] = -np.inf
        scores = nodes[0]
        backpointers = []
        for emission in nodes[1:]:
            # candidates[i, j]: best path ending in i, then moving to j.
            candidates = scores[:, None] + self.trans + emission[None, :]
            best_previous = candidates.argmax(axis=0)
            backpointers.append(best_previous)
            scores = candidates[best_previous, np.arange(self.num_labels)]
        path = [int(scores.argmax())]
        for best_previous in reversed(backpointers):
            path.append(int(best_previous[path[-1]]))
        return np.array(path[::-1])
