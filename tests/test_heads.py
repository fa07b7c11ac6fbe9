"""GlobalPointer / EfficientGlobalPointer against bert4keras 0.11.5, masking, saving, and training.

Goldens come from tests/goldens/make_layer_goldens.py: bert4keras's own layers,
with random weights, on random inputs with padding.
"""

import os
import time

import keras
import numpy as np
import pytest
from _synthetic_ner import NUM_TYPES, few_threads, make_data, span_f1, span_matrix, tiny_encoder

from kerasformers.backend import global_pointer_crossentropy, global_pointer_f1_score
from kerasformers.layers import EfficientGlobalPointer, GlobalPointer
from kerasformers.losses import GlobalPointerCrossentropy

DATA = os.path.join(os.path.dirname(__file__), "data")
GOLDENS = np.load(os.path.join(DATA, "heads_goldens.npz"))
LAYERS = {
    "GlobalPointer": (GlobalPointer, ["dense"]),
    "EfficientGlobalPointer": (EfficientGlobalPointer, ["p_dense", "q_dense"]),
}
CASES = {"default": {}, "no_rope": {"RoPE": False}, "no_tril": {"tril_mask": False}, "no_bias": {"use_bias": False}}


def golden_layer(cls_name, case):
    """A kerasformers layer carrying the weights bert4keras used for ``cls_name/case``."""
    cls, dense_names = LAYERS[cls_name]
    layer = cls(heads=3, head_size=8, **CASES[case])
    layer.build(GOLDENS["x"].shape)
    for name in dense_names:
        dense = getattr(layer, name)
        dense.kernel.assign(GOLDENS[f"{cls_name}/{case}/{name}/kernel"])
        if dense.use_bias:
            dense.bias.assign(GOLDENS[f"{cls_name}/{case}/{name}/bias"])
    return layer


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("cls_name", sorted(LAYERS))
def test_outputs_match_bert4keras(cls_name, case):
    layer = golden_layer(cls_name, case)
    x, mask = GOLDENS["x"], GOLDENS["mask"] > 0
    masked = keras.ops.convert_to_numpy(layer(x, mask=mask))
    unmasked = keras.ops.convert_to_numpy(layer(x))
    # assert_allclose also requires the -inf cells to coincide.
    np.testing.assert_allclose(masked, GOLDENS[f"{cls_name}/{case}/masked"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(unmasked, GOLDENS[f"{cls_name}/{case}/unmasked"], rtol=1e-5, atol=1e-5)
    assert np.isneginf(masked).any() and not np.isnan(masked).any()


@pytest.mark.parametrize("cls_name", sorted(LAYERS))
def test_padding_comes_from_the_keras_mask(cls_name):
    """In a functional model the mask of an ``Embedding(mask_zero=True)`` reaches the head."""
    token_ids = np.array([[5, 6, 7, 0, 0], [8, 9, 0, 0, 0]], dtype="int32")
    inputs = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(12, 16, mask_zero=True)
    head = LAYERS[cls_name][0](heads=2, head_size=8)
    model = keras.Model(inputs, head(embedding(inputs)))
    scores = model.predict(token_ids, verbose=0)
    explicit = keras.ops.convert_to_numpy(head(embedding(token_ids), mask=token_ids > 0))
    np.testing.assert_allclose(scores, explicit, rtol=1e-5, atol=1e-6)
    real = token_ids > 0
    valid = real[:, None, :, None] & real[:, None, None, :] & np.triu(np.ones((5, 5), bool))
    assert np.isfinite(scores[np.broadcast_to(valid, scores.shape)]).all()
    assert np.isneginf(scores[~np.broadcast_to(valid, scores.shape)]).all()


def test_compiled_model_saves_and_reloads(tmp_path):
    inputs = keras.Input((None, 16))
    outputs = [GlobalPointer(3, 8, name="gp")(inputs), EfficientGlobalPointer(2, 8, RoPE=False, name="egp")(inputs)]
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer="adam",
        loss=[global_pointer_crossentropy, GlobalPointerCrossentropy(sparse=True)],
        metrics=[[global_pointer_f1_score], []],
    )
    x = GOLDENS["x"]
    before = model.predict(x, verbose=0)
    model.save(str(tmp_path / "heads.keras"))
    reloaded = keras.saving.load_model(str(tmp_path / "heads.keras"))
    for a, b in zip(before, reloaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, b)
    assert reloaded.get_layer("egp").get_config()["RoPE"] is False
    assert reloaded.loss[1].get_config()["sparse"] is True


def test_tiny_encoder_with_global_pointer_learns_ner():
    """A 1-layer BERT + GlobalPointer reaches span F1 >= 0.95 on held-out synthetic NER."""
    keras.utils.set_random_seed(0)
    start = time.time()
    x_train, spans_train = make_data(1500, seed=1)  # 188 steps; F1 0.976 on PyTorch, the bar is 0.95
    x_test, spans_test = make_data(300, seed=2)
    y_train = np.stack([span_matrix(s) for s in spans_train])
    encoder = tiny_encoder()
    model = keras.Model(encoder.input, GlobalPointer(NUM_TYPES, 16)(encoder.output))
    epochs, batch_size = 4, 32
    schedule = keras.optimizers.schedules.CosineDecay(8e-3, epochs * (len(x_train) // batch_size + 1))
    model.compile(
        optimizer=keras.optimizers.Adam(schedule), loss=global_pointer_crossentropy, metrics=[global_pointer_f1_score]
    )
    with few_threads():
        model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
        scores = model.predict(x_test, batch_size=100, verbose=0)
    predicted = [[(int(k), int(i), int(j)) for k, i, j in zip(*np.nonzero(s > 0))] for s in scores]
    f1, precision, recall = span_f1(predicted, spans_test)
    print(f"\nGlobalPointer synthetic NER ({keras.backend.backend()}): F1={f1:.4f} P={precision:.4f} "
          f"R={recall:.4f} in {time.time() - start:.1f}s")  # fmt: skip
    assert f1 >= 0.95
