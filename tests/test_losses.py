"""Task losses, metrics and masking helpers against bert4keras 0.11.5 (and its NER examples' formulas).

Goldens come from tests/goldens/make_layer_goldens.py.
"""

import os

import keras
import numpy as np
import pytest

from kerasformers import backend as B
from kerasformers.layers import GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalPointer
from kerasformers.losses import GlobalPointerCrossentropy, SparseMultilabelCategoricalCrossentropy

DATA = os.path.join(os.path.dirname(__file__), "data")
GOLDENS = np.load(os.path.join(DATA, "losses_goldens.npz"))
RTOL = 1e-5


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("target", ["hard", "soft"])
def test_multilabel_categorical_crossentropy(target):
    y_true = GOLDENS["mcce_true" if target == "hard" else "mcce_soft"]
    loss = B.multilabel_categorical_crossentropy(y_true, GOLDENS["mcce_pred"])
    np.testing.assert_allclose(to_numpy(loss), GOLDENS[f"mcce/{target}"], rtol=RTOL)


@pytest.mark.parametrize("mask_zero", [False, True])
def test_sparse_multilabel_categorical_crossentropy(mask_zero):
    loss = B.sparse_multilabel_categorical_crossentropy(GOLDENS["smcce_true"], GOLDENS["smcce_pred"], mask_zero)
    np.testing.assert_allclose(to_numpy(loss), GOLDENS[f"smcce/mask_zero_{mask_zero}"], rtol=RTOL)
    as_class = SparseMultilabelCategoricalCrossentropy(mask_zero=mask_zero)
    np.testing.assert_allclose(
        to_numpy(as_class(GOLDENS["smcce_true"], GOLDENS["smcce_pred"])),
        GOLDENS[f"smcce/mask_zero_{mask_zero}"].mean(),
        rtol=RTOL,
    )
    config = as_class.get_config()
    assert SparseMultilabelCategoricalCrossentropy.from_config(config).get_config() == config


def test_global_pointer_losses_and_span_metrics():
    y_true, y_pred = GOLDENS["gp_true"], GOLDENS["gp_pred"]
    assert np.isneginf(y_pred).any()  # real GlobalPointer scores, with masked cells
    np.testing.assert_allclose(to_numpy(B.global_pointer_crossentropy(y_true, y_pred)), GOLDENS["gp/loss"], rtol=RTOL)
    sparse = B.sparse_global_pointer_crossentropy(GOLDENS["gp_sparse_true"], y_pred)
    np.testing.assert_allclose(to_numpy(sparse), GOLDENS["gp/sparse_loss"], rtol=RTOL)
    np.testing.assert_allclose(to_numpy(GlobalPointerCrossentropy()(y_true, y_pred)), GOLDENS["gp/loss"], rtol=RTOL)
    sparse_loss = to_numpy(GlobalPointerCrossentropy(sparse=True)(GOLDENS["gp_sparse_true"], y_pred))
    np.testing.assert_allclose(sparse_loss, GOLDENS["gp/sparse_loss"], rtol=RTOL)
    for name in ("f1", "precision", "recall"):
        metric = getattr(B, "global_pointer_f1_score" if name == "f1" else f"global_pointer_{name}")
        np.testing.assert_allclose(to_numpy(metric(y_true, y_pred)), GOLDENS[f"gp/{name}"], rtol=RTOL)


def test_span_metrics_are_zero_not_nan_on_empty_batches():
    empty = np.zeros((1, 2, 3, 3), "float32")
    assert float(B.global_pointer_f1_score(empty, empty - 1)) == 0.0


@pytest.mark.parametrize("sparse", [False, True])
def test_global_pointer_training_step_has_finite_gradients(sparse):
    """Masked (-inf) cells and (0, 0) padding must not leak NaN/inf into the weights."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None,), dtype="int32")
    scores = GlobalPointer(2, 8)(keras.layers.Embedding(10, 16, mask_zero=True)(inputs))
    model = keras.Model(inputs, scores)
    model.compile(optimizer="adam", loss=GlobalPointerCrossentropy(sparse=sparse))
    x = np.array([[3, 4, 5, 0, 0], [6, 7, 0, 0, 0]], dtype="int32")
    if sparse:
        y = np.zeros((2, 2, 2, 2), "int32")
        y[0, 1, 0] = (1, 2)
    else:
        y = np.zeros((2, 2, 5, 5), "float32")
        y[0, 1, 1, 2] = 1
    for _ in range(3):
        loss = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    assert all(np.isfinite(to_numpy(w)).all() for w in model.trainable_weights)


def test_batch_gather():
    params, indices = GOLDENS["gather_params"], GOLDENS["gather_indices"]
    np.testing.assert_array_equal(to_numpy(B.batch_gather(params, indices)), GOLDENS["batch_gather/3d"])
    np.testing.assert_array_equal(to_numpy(B.batch_gather(params[..., 0], indices)), GOLDENS["batch_gather/2d"])


def test_sequence_masking():
    x, mask = GOLDENS["masking_x"], GOLDENS["masking_mask"]
    np.testing.assert_array_equal(to_numpy(B.sequence_masking(x, mask, 0.0)), GOLDENS["sequence_masking/zero"])
    np.testing.assert_array_equal(to_numpy(B.sequence_masking(x, mask, -np.inf)), GOLDENS["sequence_masking/-inf"])
    np.testing.assert_array_equal(
        to_numpy(B.sequence_masking(x.transpose(0, 2, 1), mask, 7.0, axis=2)), GOLDENS["sequence_masking/axis2"]
    )
    assert B.sequence_masking(x, None) is x


def test_mask_aware_pooling():
    x, mask = GOLDENS["masking_x"], GOLDENS["masking_mask"] > 0
    np.testing.assert_allclose(to_numpy(GlobalAveragePooling1D()(x, mask=mask)), GOLDENS["pool/avg"], rtol=1e-6)
    np.testing.assert_allclose(to_numpy(GlobalMaxPooling1D()(x, mask=mask)), GOLDENS["pool/max"], rtol=1e-6)
    # Through a model: the padding mask of an Embedding reaches the pooling layer.
    inputs = keras.Input((None,), dtype="int32")
    pooled = GlobalMaxPooling1D()(keras.layers.Embedding(5, 3, mask_zero=True)(inputs))
    model = keras.Model(inputs, pooled)
    embeddings = to_numpy(model.layers[1].embeddings)
    out = model.predict(np.array([[1, 2, 0, 0]]), verbose=0)
    np.testing.assert_allclose(out[0], embeddings[[1, 2]].max(axis=0), rtol=1e-6)


@pytest.mark.parametrize(
    "name,schedule,from_zero",
    [
        ("warmup", {100: 1.0, 2000: 0.1}, True),
        ("no_zero", {100: 1.0, 2000: 0.1}, False),
        ("three", {0: 0.5, 1000: 1.0, 2500: 0.0}, True),
    ],
)
def test_piecewise_linear(name, schedule, from_zero):
    steps = GOLDENS["piecewise/steps"]
    values = [float(B.piecewise_linear(keras.ops.convert_to_tensor(t), schedule, from_zero)) for t in steps]
    np.testing.assert_allclose(values, GOLDENS[f"piecewise/{name}"], rtol=1e-6, atol=1e-7)
