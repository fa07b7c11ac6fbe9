"""Layer behaviour users rely on when they use the layers directly."""

import keras
import numpy as np

from kerasformers.backend import gelu_tanh
from kerasformers.layers import FeedForward, MultiHeadAttention


def test_attention_hides_keys_the_keras_mask_marks_as_padding():
    ids = keras.Input((None,), dtype="int32")
    hidden = keras.layers.Embedding(20, 8, mask_zero=True)(ids)
    model = keras.Model(ids, MultiHeadAttention(heads=2, head_size=4)([hidden, hidden, hidden]))
    short = model.predict(np.array([[3, 4, 5]]), verbose=0)
    padded = model.predict(np.array([[3, 4, 5, 0, 0]]), verbose=0)
    np.testing.assert_allclose(padded[:, :3], short, rtol=1e-5, atol=1e-6)


def test_feedforward_with_a_function_activation_reloads(tmp_path):
    inputs = keras.Input((5, 8))
    model = keras.Model(inputs, FeedForward(16, activation=gelu_tanh)(inputs))
    x = np.random.default_rng(0).standard_normal((2, 5, 8)).astype("float32")
    path = str(tmp_path / "ffn.keras")
    model.save(path)
    np.testing.assert_array_equal(keras.saving.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0))
