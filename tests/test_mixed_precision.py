"""A half-precision policy builds, loads and stays close to the float32 goldens."""

import os

import keras
import numpy as np
import pytest

from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")


@pytest.fixture
def mixed_float16():
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy(previous)


def test_mixed_float16_unilm_mlm_matches_float32_goldens(mixed_float16):
    model = build_transformer_model(
        os.path.join(DATA, "bert_tiny", "bert_config.json"),
        os.path.join(DATA, "bert_tiny", "bert_model.ckpt"),
        application="unilm",
    )
    goldens = np.load(os.path.join(DATA, "bert_goldens.npz"))
    probas = model.predict([goldens["token_ids"], goldens["segment_ids"]], verbose=0)
    assert probas.dtype == np.float16
    assert np.isfinite(probas).all()
    # Half precision: agreement to a few thousandths on probabilities, same argmax.
    np.testing.assert_allclose(probas.astype(np.float32), goldens["unilm/0"], atol=5e-3)
    np.testing.assert_array_equal(probas.argmax(-1), goldens["unilm/0"].argmax(-1))
