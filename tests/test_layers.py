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


def _decode_with_a_cache(layer, x, heads, size):
    """The layer's outputs for ``x`` ([batch, length, width]) computed causally: a prefill of all but the
    last position, then one cached step for the last."""
    batch, length = x.shape[:2]
    cache = (keras.ops.zeros((batch * heads, length + 2, size)), keras.ops.zeros((batch * heads, length + 2, size)))
    seen = np.tril(np.ones((length, length + 2), bool))  # two slots beyond the sequence stay hidden
    first, cache = layer([x[:, :-1]] * 3 + [np.repeat(seen[None, :-1], batch, 0)], a_bias=True, cache=cache,
                         cache_update_index=0)
    last, cache = layer([x[:, -1:]] * 3 + [np.repeat(seen[None, -1:], batch, 0)], a_bias=True, cache=cache,
                        cache_update_index=length - 1)
    return np.concatenate([keras.ops.convert_to_numpy(first), keras.ops.convert_to_numpy(last)], axis=1)


def test_attention_over_a_cache_equals_causal_attention_over_the_sequence():
    # Two rows and three heads of different values: a step that mixed up rows or heads of the stored
    # [batch * heads, length, size] cache would change the last position.
    x = np.random.default_rng(1).standard_normal((2, 5, 12)).astype("float32")
    layer = MultiHeadAttention(heads=3, head_size=4)
    causal = np.tril(np.ones((5, 5), bool))[None].repeat(2, 0)
    whole = keras.ops.convert_to_numpy(layer([x, x, x, causal], a_bias=True))
    np.testing.assert_allclose(_decode_with_a_cache(layer, x, 3, 4), whole, rtol=1e-5, atol=1e-5)


def test_a_subclass_attention_core_also_serves_cached_steps():
    class Doubled(MultiHeadAttention):
        def pay_attention_to(self, qw, kw, vw, bias=None, training=None, relative=None):
            o, scores = super().pay_attention_to(qw, kw, vw, bias, training=training, relative=relative)
            return o * 2, scores

    x = np.random.default_rng(2).standard_normal((1, 4, 8)).astype("float32")
    plain, doubled = MultiHeadAttention(heads=2, head_size=4, use_bias=False), Doubled(heads=2, head_size=4,
                                                                                      use_bias=False)
    plain.build([x.shape] * 3)
    doubled.build([x.shape] * 3)
    doubled.set_weights(plain.get_weights())
    np.testing.assert_allclose(_decode_with_a_cache(doubled, x, 2, 4), 2 * _decode_with_a_cache(plain, x, 2, 4),
                               rtol=1e-5, atol=1e-5)
