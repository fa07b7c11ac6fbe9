"""Conditional LayerNorm: standalone and inside BERT (``layer_norm_cond``), against bert4keras 0.11.5.

Goldens come from tests/goldens/make_layer_goldens.py: bert4keras's own
LayerNormalization and build_transformer_model, with non-zero condition weights.
"""

import os

import keras
import numpy as np
import pytest

from kerasformers.layers import LayerNormalization
from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")
TINY = os.path.join(DATA, "bert_tiny")
CONFIG, CHECKPOINT = os.path.join(TINY, "bert_config.json"), os.path.join(TINY, "bert_model.ckpt")
GOLDENS = np.load(os.path.join(DATA, "conditional_layernorm_goldens.npz"))
BERT_GOLDENS = np.load(os.path.join(DATA, "bert_goldens.npz"))
CASES = {
    "plain": {},
    "hidden_swish": {"hidden_units": 4, "hidden_activation": "swish"},
    "eps12": {"epsilon": 1e-12},
}
CONDITION_DENSES = ("hidden_dense", "beta_dense", "gamma_dense")


def assign_condition_weights(layer, prefix):
    for name in CONDITION_DENSES:
        if f"{prefix}/{name}" in GOLDENS:
            getattr(layer, name).kernel.assign(GOLDENS[f"{prefix}/{name}"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_standalone_matches_bert4keras(case):
    x, cond = GOLDENS["x"], GOLDENS["cond"]
    layer = LayerNormalization(conditional=True, **CASES[case])
    layer.build([x.shape, cond.shape])
    layer.beta.assign(GOLDENS[f"{case}/beta"])
    layer.gamma.assign(GOLDENS[f"{case}/gamma"])
    assign_condition_weights(layer, case)
    output = keras.ops.convert_to_numpy(layer([x, cond]))
    np.testing.assert_allclose(output, GOLDENS[f"{case}/output"], rtol=1e-5, atol=1e-5)


def test_fresh_condition_weights_change_nothing():
    x, cond = GOLDENS["x"], GOLDENS["cond"]
    conditional = LayerNormalization(conditional=True, hidden_units=4, hidden_activation="swish")
    plain = LayerNormalization()
    conditional.build([x.shape, cond.shape])
    plain.build(x.shape)
    for layer in (conditional, plain):
        layer.beta.assign(GOLDENS["plain/beta"])
        layer.gamma.assign(GOLDENS["plain/gamma"])
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(conditional([x, cond])), keras.ops.convert_to_numpy(plain(x))
    )


def conditioned_bert(**kwargs):
    condition = keras.Input(shape=(6,), name="Input-Condition")
    return build_transformer_model(
        CONFIG,
        CHECKPOINT,
        layer_norm_cond=condition,
        layer_norm_cond_hidden_size=4,
        layer_norm_cond_hidden_act="swish",
        additional_input_layers=condition,
        **kwargs,
    )


def test_fresh_conditioned_bert_reproduces_the_checkpoint():
    token_ids, segment_ids = BERT_GOLDENS["token_ids"], BERT_GOLDENS["segment_ids"]
    model = conditioned_bert()
    assert [i.name for i in model.inputs] == ["Input-Token", "Input-Segment", "Input-Condition"]
    # Any condition: the zero-initialised deltas ignore it.
    cond = np.random.default_rng(0).standard_normal((len(token_ids), 6)).astype("float32") * 3
    plain = build_transformer_model(CONFIG, CHECKPOINT)
    # Bit-for-bit equality is checked op by op (eager call): a compiled predict() of two
    # different graphs may fuse ops differently (XLA on JAX), which changes the last bit.
    conditioned = keras.ops.convert_to_numpy(model([token_ids, segment_ids, cond]))
    np.testing.assert_array_equal(conditioned, keras.ops.convert_to_numpy(plain([token_ids, segment_ids])))
    np.testing.assert_allclose(conditioned, BERT_GOLDENS["encoder/0"], rtol=1e-5, atol=1e-6)
    predicted = model.predict([token_ids, segment_ids, cond], verbose=0)
    np.testing.assert_allclose(predicted, plain.predict([token_ids, segment_ids], verbose=0), rtol=1e-5, atol=1e-6)


def test_conditioned_bert_matches_bert4keras_with_trained_condition_weights(tmp_path):
    model = conditioned_bert(with_mlm=True)
    names = [str(n) for n in GOLDENS["bert/norm_names"]]
    conditional = [layer.name for layer in model.layers if isinstance(layer, LayerNormalization) and layer.conditional]
    assert sorted(conditional) == sorted(names)  # the same norms are conditioned as in bert4keras
    for name in names:
        assign_condition_weights(model.get_layer(name), f"bert/{name}")
    inputs = [BERT_GOLDENS["token_ids"], BERT_GOLDENS["segment_ids"], GOLDENS["bert/cond"]]
    output = model.predict(inputs, verbose=0)
    np.testing.assert_allclose(output, GOLDENS["bert/output"], rtol=1e-5, atol=1e-6)
    # ...and the condition weights survive a .keras round trip.
    model.save(str(tmp_path / "cln.keras"))
    reloaded = keras.saving.load_model(str(tmp_path / "cln.keras"))
    np.testing.assert_array_equal(reloaded.predict(inputs, verbose=0), output)
