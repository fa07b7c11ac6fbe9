"""FGM, gradient penalty and VAT as a ported bert4keras script uses them: one call after compile.

The model is the smallest one with an ``Embedding-Token`` layer: one token, a
2-d embedding and a linear unit, ``out = E[t] . w``. With the squared error
``r**2`` (``r = out - y``) every gradient has a closed form, so the tests check
the perturbation and the update against it after one SGD step.
"""

import keras
import numpy as np
import pytest

from kerasformers.adversarial import adversarial_training, gradient_penalty, virtual_adversarial_training

E0 = np.array([[0.0, 0.0], [0.6, -0.3], [0.2, 0.9]], dtype="float32")
W0 = np.array([[0.5], [1.5]], dtype="float32")
LR, EPS = 0.1, 0.3
X, Y = np.array([[1]]), np.array([[2.0]], dtype="float32")


def linear_model():
    ids = keras.Input((1,), dtype="int32")
    h = keras.layers.Embedding(3, 2, name="Embedding-Token")(ids)
    h = keras.layers.Flatten()(h)
    out = keras.layers.Dense(1, use_bias=False, name="Out")(h)
    model = keras.Model(ids, out)
    model.get_layer("Embedding-Token").set_weights([E0])
    model.get_layer("Out").set_weights([W0])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(LR))
    return model


def weights(model):
    return model.get_layer("Embedding-Token").get_weights()[0], model.get_layer("Out").get_weights()[0][:, 0]


def test_fgm_steps_at_the_normalised_gradient_direction():
    model = adversarial_training(linear_model(), "Embedding-Token", EPS)
    model.fit(X, Y, epochs=1, verbose=0)
    h, w = E0[1], W0[:, 0]
    r = h @ w - Y[0, 0]
    # dLoss/dE is 2 r w on row 1 only, so the perturbation is EPS * sign(r) * w / |w| on that row.
    delta = EPS * np.sign(r) * w / np.linalg.norm(w)
    r_adv = (h + delta) @ w - Y[0, 0]
    expected_E = E0.copy()
    expected_E[1] = h - LR * 2 * r_adv * w  # the perturbation is removed after the step
    expected_w = w - LR * 2 * r_adv * (h + delta)
    E, w_new = weights(model)
    np.testing.assert_allclose(E, expected_E, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_new, expected_w, rtol=1e-5, atol=1e-6)


def test_gradient_penalty_adds_half_epsilon_squared_gradient_norm():
    model = gradient_penalty(linear_model(), "Embedding-Token", EPS)
    history = model.fit(X, Y, epochs=1, verbose=0)
    h, w = E0[1], W0[:, 0]
    r = h @ w - Y[0, 0]
    scale = 1 + 2 * EPS * (w @ w)  # loss = r^2 + 0.5 EPS |2 r w|^2 = r^2 scale
    np.testing.assert_allclose(history.history["loss"][0], r * r * scale, rtol=1e-5)
    expected_E = E0.copy()
    expected_E[1] = h - LR * 2 * r * w * scale
    expected_w = w - LR * (2 * r * h * scale + 4 * EPS * r * r * w)
    E, w_new = weights(model)
    np.testing.assert_allclose(E, expected_E, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_new, expected_w, rtol=1e-5, atol=1e-6)


def test_vat_trains_against_own_prediction_at_the_worst_direction():
    model = virtual_adversarial_training(linear_model(), "Embedding-Token", epsilon=EPS, xi=1.0, iters=1)
    history = model.fit(X, np.zeros_like(Y), epochs=1, verbose=0)  # targets are replaced by predictions
    # From any start, one power step finds +-w, so the loss is (EPS |w|)^2 whatever the noise.
    w = W0[:, 0]
    np.testing.assert_allclose(history.history["loss"][0], EPS**2 * (w @ w), rtol=1e-5)


def test_fgm_lowers_the_loss_on_a_tiny_task():
    keras.utils.set_random_seed(1)
    rng = np.random.RandomState(0)
    ids = rng.randint(1, 20, size=(64, 6))
    labels = (ids[:, :3].sum(1) > ids[:, 3:].sum(1)).astype("int32")
    inputs = keras.Input((6,), dtype="int32")
    h = keras.layers.Embedding(20, 8, name="Embedding-Token")(inputs)
    h = keras.layers.Flatten()(h)
    out = keras.layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inputs, out)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.05))
    adversarial_training(model, "Embedding-Token", 0.1)
    before = model.evaluate(ids, labels, verbose=0)
    model.fit(ids, labels, batch_size=16, epochs=3, verbose=0, shuffle=False)
    after = model.evaluate(ids, labels, verbose=0)
    assert after < 0.5 * before


def test_helpers_name_the_missing_embedding_layer():
    with pytest.raises(ValueError, match="No layer named 'Embedding-Tokens'"):
        adversarial_training(linear_model(), "Embedding-Tokens")
