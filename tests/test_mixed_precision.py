"""Half-precision policies build, load and stay close to the float32 goldens, for each position scheme."""

import os

import keras
import numpy as np
import pytest

from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")
BERT_GOLDENS = np.load(os.path.join(DATA, "bert_goldens.npz"))
ZOO_GOLDENS = np.load(os.path.join(DATA, "zoo_goldens.npz"))

# name: (config, checkpoint, kwargs, golden, inputs)
CASES = {
    "bert-unilm (absolute)": (
        "bert_tiny/bert_config.json", "bert_tiny/bert_model.ckpt", {"application": "unilm"},
        BERT_GOLDENS["unilm/0"], [BERT_GOLDENS["token_ids"], BERT_GOLDENS["segment_ids"]],
    ),
    "nezha-lm (relative)": (
        "zoo/nezha/bert_config.json", "zoo/nezha/model.ckpt-691689", {"model": "nezha", "application": "lm"},
        ZOO_GOLDENS["nezha/lm/0"], [ZOO_GOLDENS["token_ids"], ZOO_GOLDENS["segment_ids"]],
    ),
    "roformer-mlm (rotary)": (
        "zoo/roformer/bert_config.json", "zoo/roformer/bert_model.ckpt", {"model": "roformer", "with_mlm": True},
        ZOO_GOLDENS["roformer/mlm/0"], [ZOO_GOLDENS["token_ids"], ZOO_GOLDENS["segment_ids"]],
    ),
}  # fmt: skip


@pytest.fixture(params=["mixed_float16", "mixed_bfloat16"])
def policy(request):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy(previous)


@pytest.mark.parametrize("case", sorted(CASES))
def test_half_precision_matches_float32_goldens(policy, case):
    config, checkpoint, kwargs, golden, inputs = CASES[case]
    model = build_transformer_model(os.path.join(DATA, config), os.path.join(DATA, checkpoint), **kwargs)
    probas = np.asarray(model.predict(inputs, verbose=0), dtype=np.float32)
    assert np.isfinite(probas).all()
    # Half precision: probabilities agree to about 1e-2 (bfloat16 keeps 8 mantissa bits).
    tolerance = 5e-3 if policy == "mixed_float16" else 3e-2
    np.testing.assert_allclose(probas, golden, atol=tolerance)
