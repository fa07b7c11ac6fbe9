"""CRF / MEMM layers and ViterbiDecoder: brute force, bert4keras 0.11.5 goldens, saving, training.

Goldens come from tests/goldens/make_layer_goldens.py (bert4keras's own layers
and ViterbiDecoder); the brute-force references enumerate every label path.
"""

import itertools
import os
import time

import keras
import numpy as np
import pytest
from _synthetic_ner import NUM_TAGS, bio_tags, few_threads, make_data, span_f1, tags_to_spans, tiny_encoder

from kerasformers.layers import ConditionalRandomField, MaximumEntropyMarkovModel
from kerasformers.viterbi import ViterbiDecoder

DATA = os.path.join(os.path.dirname(__file__), "data")
GOLDENS = np.load(os.path.join(DATA, "crf_goldens.npz"))


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def logsumexp(values):
    top = np.max(values)
    return top + np.log(np.sum(np.exp(values - top)))


def path_score(emissions, trans, path):
    return sum(emissions[t, y] for t, y in enumerate(path)) + sum(trans[a, b] for a, b in zip(path, path[1:]))


def brute_force_nll(emissions, trans, labels):
    """-log p(labels) by enumerating all label paths (float64)."""
    num_labels = emissions.shape[1]
    paths = itertools.product(range(num_labels), repeat=len(emissions))
    log_z = logsumexp(np.array([path_score(emissions, trans, p) for p in paths]))
    return log_z - path_score(emissions, trans, labels)


def crf_with_trans(trans, num_labels, lr_multiplier=1):
    crf = ConditionalRandomField(lr_multiplier=lr_multiplier)
    crf.build((None, None, num_labels))
    crf._trans.assign((trans / lr_multiplier).astype("float32"))
    return crf


# --- log-likelihood -------------------------------------------------------------------
@pytest.mark.parametrize("lr_multiplier", [1, 10])
def test_log_likelihood_equals_brute_force_enumeration(lr_multiplier):
    rng = np.random.default_rng(0)
    lengths, max_len, num_labels = [6, 4, 1, 3, 5], 6, 4
    scores = rng.standard_normal((len(lengths), max_len, num_labels)).astype("float32") * 2
    labels = rng.integers(0, num_labels, size=(len(lengths), max_len)).astype("int32")
    mask = np.arange(max_len)[None] < np.array(lengths)[:, None]
    trans = rng.standard_normal((num_labels, num_labels)).astype("float32")
    crf = crf_with_trans(trans, num_labels, lr_multiplier)
    np.testing.assert_allclose(to_numpy(crf.trans), trans, rtol=1e-6)
    y_pred = crf(scores, mask=mask)
    sparse = to_numpy(crf.sparse_loss(labels, y_pred))
    dense = to_numpy(crf.dense_loss(np.eye(num_labels, dtype="float32")[labels], y_pred))
    expected = [
        brute_force_nll(scores[b, :n].astype("float64"), trans.astype("float64"), list(labels[b, :n]))
        for b, n in enumerate(lengths)
    ]
    np.testing.assert_allclose(sparse, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dense, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["lr1", "lr10"])
def test_crf_matches_bert4keras(case):
    lr = {"lr1": 1, "lr10": 10}[case]
    scores, mask, labels = GOLDENS["scores"], GOLDENS["mask"] > 0, GOLDENS["labels"]
    crf = ConditionalRandomField(lr_multiplier=lr)
    y_pred = crf(scores, mask=mask)
    crf._trans.assign(GOLDENS[f"crf/{case}/stored_trans"])
    np.testing.assert_allclose(to_numpy(crf.trans), GOLDENS[f"crf/{case}/trans"], rtol=1e-6)
    np.testing.assert_array_equal(to_numpy(y_pred), GOLDENS[f"crf/{case}/y_pred"])  # -inf on padding
    onehot = np.eye(scores.shape[-1], dtype="float32")[labels]
    for name, y_true in (("sparse", labels), ("dense", onehot)):
        np.testing.assert_allclose(
            to_numpy(getattr(crf, f"{name}_loss")(y_true, y_pred)), GOLDENS[f"crf/{case}/{name}_loss"], rtol=1e-5
        )
        np.testing.assert_allclose(
            to_numpy(getattr(crf, f"{name}_accuracy")(y_true, y_pred)), GOLDENS[f"crf/{case}/{name}_accuracy"]
        )


@pytest.mark.parametrize("case", ["full", "lowrank"])
def test_memm_matches_bert4keras(case):
    scores, mask, labels = GOLDENS["scores"], GOLDENS["mask"] > 0, GOLDENS["labels"]
    memm = MaximumEntropyMarkovModel(hidden_dim=None if case == "full" else 3)
    y_pred = memm(scores, mask=mask)
    for name in ("trans", "l_trans", "r_trans"):
        if f"memm/{case}/{name}" in GOLDENS:
            getattr(memm, f"_{name}").assign(GOLDENS[f"memm/{case}/{name}"])
    onehot = np.eye(scores.shape[-1], dtype="float32")[labels]
    for name, y_true in (("sparse_loss", labels), ("dense_loss", onehot), ("sparse_accuracy", labels)):
        value = to_numpy(getattr(memm, name)(y_true, y_pred))
        np.testing.assert_allclose(value, GOLDENS[f"memm/{case}/{name}"], rtol=1e-5, err_msg=name)


# --- Viterbi ---------------------------------------------------------------------------
def brute_force_decode(nodes, trans, starts=None, ends=None):
    num_labels = nodes.shape[1]
    best, best_score = None, -np.inf
    for path in itertools.product(range(num_labels), repeat=len(nodes)):
        if (starts is not None and path[0] not in starts) or (ends is not None and path[-1] not in ends):
            continue
        score = path_score(nodes, trans, path)
        if score > best_score:
            best, best_score = list(path), score
    return best


@pytest.mark.parametrize("starts,ends", [(None, None), ([0, 2], None), (None, [1]), ([3], [3, 1])])
def test_viterbi_equals_brute_force_argmax(starts, ends):
    rng = np.random.default_rng(1)
    for length in (1, 2, 5, 6):
        nodes, trans = rng.standard_normal((length, 4)), rng.standard_normal((4, 4))
        original = nodes.copy()
        decoded = ViterbiDecoder(trans, starts=starts, ends=ends).decode(nodes)
        assert decoded.tolist() == brute_force_decode(nodes, trans, starts, ends)
        np.testing.assert_array_equal(nodes, original)  # the caller's array is left alone


def test_viterbi_matches_bert4keras_and_is_in_snippets():
    from kerasformers.snippets import ViterbiDecoder as FromSnippets

    assert FromSnippets is ViterbiDecoder
    trans = GOLDENS["viterbi/trans"]
    for i in range(4):
        nodes = GOLDENS[f"viterbi/{i}/nodes"]
        assert ViterbiDecoder(trans).decode(nodes).tolist() == GOLDENS[f"viterbi/{i}/free"].tolist()
        constrained = ViterbiDecoder(trans, starts=[0, 1], ends=[0, 3]).decode(nodes)
        assert constrained.tolist() == GOLDENS[f"viterbi/{i}/constrained"].tolist()


# --- lr_multiplier, masking and saving ------------------------------------------------------
def tagging_model(layer):
    inputs = keras.Input((None,), dtype="int32")
    hidden = keras.layers.Embedding(20, 8, mask_zero=True)(inputs)
    return keras.Model(inputs, layer(keras.layers.Dense(4)(hidden)))


def test_lr_multiplier_stores_scaled_transitions():
    keras.utils.set_random_seed(3)
    crf = ConditionalRandomField(lr_multiplier=100)
    crf.build((None, None, 6))
    stored, trans = to_numpy(crf._trans), to_numpy(crf.trans)
    np.testing.assert_allclose(trans, stored * 100, rtol=1e-6)
    # trans itself starts Glorot-uniform: |trans| <= sqrt(6 / (6 + 6)).
    assert 0.2 < np.abs(trans).max() <= np.sqrt(0.5) + 1e-6
    assert [w.name for w in crf.weights] == ["trans"]


@pytest.mark.parametrize("layer_class", [ConditionalRandomField, MaximumEntropyMarkovModel])
def test_compiled_model_saves_and_reloads(tmp_path, layer_class):
    keras.utils.set_random_seed(4)
    layer = layer_class(lr_multiplier=10, name="crf")
    model = tagging_model(layer)
    model.compile(optimizer="adam", loss=layer.sparse_loss, metrics=[layer.sparse_accuracy])
    x = np.array([[1, 2, 3, 0], [4, 5, 0, 0]], dtype="int32")
    y = np.array([[1, 2, 3, 0], [0, 1, 0, 0]], dtype="int32")
    model.train_on_batch(x, y)
    scores = model.predict(x, verbose=0)
    assert np.isneginf(scores[1, 2:]).all() and np.isfinite(scores[0, :3]).all()  # padding from the Keras mask
    path = str(tmp_path / "tagger.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), scores)
    np.testing.assert_array_equal(to_numpy(reloaded.get_layer("crf").trans), to_numpy(layer.trans))
    assert reloaded.get_layer("crf").lr_multiplier == 10
    # The reloaded loss is bound to the reloaded layer, so training can go on.
    assert reloaded.loss.layer is reloaded.get_layer("crf")
    logs = reloaded.train_on_batch(x, y, return_dict=True)
    assert np.isfinite(logs["loss"]) and "sparse_accuracy" in logs


# --- training ---------------------------------------------------------------------------
def test_tiny_encoder_with_crf_learns_ner():
    """A 1-layer BERT + CRF reaches span F1 >= 0.95 on held-out synthetic NER (Viterbi decoding)."""
    keras.utils.set_random_seed(0)
    start = time.time()
    x_train, spans_train = make_data(500, seed=1)  # 64 steps; F1 is 1.0 on PyTorch, the bar is 0.95
    x_test, spans_test = make_data(300, seed=2)
    y_train = np.stack([bio_tags(s) for s in spans_train])
    encoder = tiny_encoder()
    # As in bert4keras's NER example: the transitions learn faster than the encoder.
    crf = ConditionalRandomField(lr_multiplier=100)
    model = keras.Model(encoder.input, crf(keras.layers.Dense(NUM_TAGS)(encoder.output)))
    epochs, batch_size = 4, 32
    schedule = keras.optimizers.schedules.CosineDecay(8e-3, epochs * (len(x_train) // batch_size + 1))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=crf.sparse_loss, metrics=[crf.sparse_accuracy])
    with few_threads():
        model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
        scores = model.predict(x_test, batch_size=100, verbose=0)
    decoder = ViterbiDecoder(crf.trans, starts=[0, 1, 3])  # a sentence cannot start inside an entity
    predicted = [tags_to_spans(decoder.decode(s[: int((row > 0).sum())])) for s, row in zip(scores, x_test)]
    f1, precision, recall = span_f1(predicted, spans_test)
    print(f"\nCRF synthetic NER ({keras.backend.backend()}): F1={f1:.4f} P={precision:.4f} "
          f"R={recall:.4f} in {time.time() - start:.1f}s")  # fmt: skip
    assert f1 >= 0.95
