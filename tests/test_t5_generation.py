"""Cached encoder-decoder decoding (T5.1.1 under mesh-TF numerics, T5-PEGASUS under bert4keras's)
gives the same ids as recomputing every prefix: greedy, beam search and sampling, through
bert4keras's ``AutoRegressiveDecoder`` recipe (encoder once, ``last_token(decoder)`` per step)."""

import os

import keras
import numpy as np
import pytest

from kerasformers.generation import generate
from kerasformers.snippets import AutoRegressiveDecoder
from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")
SOURCE = np.load(os.path.join(DATA, "t5_goldens.npz"))["encoder_ids"]

# case: (checkpoint folder, checkpoint prefix, kwargs, decoder start id)
CASES = {
    "t5.1.1": ("t5.1.1", "model.ckpt-1000000", {"model": "t5.1.1", "numerics": "mesh_tf"}, 0),
    "t5_pegasus": ("t5_pegasus", "model.ckpt", {"model": "mt5.1.1"}, 2),
}
_BUILT = {}


def t5_for(case):
    if case not in _BUILT:
        folder, prefix, kwargs, _ = CASES[case]
        root = os.path.join(DATA, "t5", folder)
        _BUILT[case] = build_transformer_model(
            os.path.join(root, "config.json"), os.path.join(root, prefix), return_keras_model=False, **kwargs
        )
    return _BUILT[case]


class Seq2Seq(AutoRegressiveDecoder):
    def __init__(self, t5, **kwargs):
        super().__init__(**kwargs)
        self.t5 = t5

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        return self.last_token(self.t5.decoder).predict([inputs[0], output_ids])


_RUNS = {}


def run(case, method, use_cache):
    """``([ids per result], steps served from the cache)``, decoded once per test session."""
    if (case, method, use_cache) not in _RUNS:
        _RUNS[case, method, use_cache] = _run(case, method, use_cache)
    return _RUNS[case, method, use_cache]


def _run(case, method, use_cache):
    t5 = t5_for(case)
    decoder = Seq2Seq(t5, start_id=CASES[case][3], end_id=5, maxlen=10, use_cache=use_cache)
    encoded = keras.ops.convert_to_numpy(t5.encoder(keras.ops.convert_to_tensor(SOURCE[1:]), training=False))[0]
    if method == "sample":
        result = decoder.random_sample([encoded], 3, topk=8, rng=np.random.RandomState(3))
    else:
        result = [decoder.beam_search([encoded], topk=1 if method == "greedy" else 3)]
    cache = decoder.last_token(t5.decoder).cache
    return [np.asarray(r).tolist() for r in result], (cache.steps_served if cache is not None else 0)


@pytest.mark.parametrize("method", ["greedy", "beam", "sample"])
@pytest.mark.parametrize("case", list(CASES))
def test_cached_decoding_gives_the_uncached_ids(case, method):
    cached, steps = run(case, method, use_cache=True)
    uncached, _ = run(case, method, use_cache=False)
    assert cached == uncached
    assert steps > 0  # the steps really came from the cache
    assert any(len(ids) > 1 for ids in cached)


@pytest.mark.parametrize("method", ["greedy", "beam", "sample"])
@pytest.mark.parametrize("case", list(CASES))
def test_generate_gives_the_decoder_ids(case, method):
    """The one-line entry point: the same ids as the AutoRegressiveDecoder recipe, less the start id."""
    kwargs = {"sample": {"topk": 8, "n": 3, "seed": 3}, "beam": {"topk": 3}, "greedy": {}}[method]
    ids = generate(t5_for(case).model, SOURCE[1], max_new_tokens=10, method=method, end_id=5,
                   start_id=CASES[case][3], **kwargs)
    ids = ids if method == "sample" else [ids]
    assert [r.tolist() for r in ids] == [r[1:] for r in run(case, method, use_cache=True)[0]]


@pytest.mark.parametrize("orders", [[[0, 0, 1, 1], [1, 0, 3, 2]], [[0, 1, 1, 0], [3, 3, 0, 1]]],
                         ids=["beams-reorder-within-each-input", "rows-swap-inputs"])
def test_rows_of_two_inputs_reordered_across_steps_match_the_uncached_decoder(orders):
    """Two sources decoded in one batch: each step's rows are taken from the previous ones in any order,
    whether every row keeps its input (beam search: the memories stay in place) or rows move between
    the inputs (the memories must follow the rows)."""
    from kerasformers.generation import LastToken

    t5 = t5_for("t5_pegasus")
    encoded = keras.ops.convert_to_numpy(t5.encoder(keras.ops.convert_to_tensor(SOURCE), training=False))
    cached, uncached = LastToken(t5.decoder, length_hint=4), LastToken(t5.decoder, use_cache=False)
    contexts, ids = encoded, np.full((2, 1), 2)
    for step, rows in enumerate([None] + orders):
        if rows is not None:
            contexts, ids = contexts[rows], np.concatenate([ids[rows], np.full((len(rows), 1), 7 + step)], 1)
        np.testing.assert_allclose(cached.predict([contexts, ids]), uncached.predict([contexts, ids]), atol=2e-5)
    assert cached.cache.steps_served == 2
