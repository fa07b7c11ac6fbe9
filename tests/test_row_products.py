"""Decoding steps read the model's current weights, whatever form the step keeps them in.

On JAX (CPU) the compiled step multiplies by ``[out, in]`` copies of the Dense kernels
(:mod:`kerasformers.layers.row_products`); on the other backends it reads the variables directly.
Either way a model trained (or reloaded) between two decodings must decode with its new weights.
The reference is the uncached path (``use_cache=False``: ``model.predict`` over the whole prefix),
which tests/test_generation.py checks against bert4keras.
"""

import keras
import numpy as np
import pytest

from kerasformers.generation import generate
from kerasformers.layers.row_products import TransposedKernels, left_product
from kerasformers.models import build_transformer_model

PROMPT = [5, 17, 3, 29, 11]


def tiny_gpt2():
    keras.utils.set_random_seed(1)
    return build_transformer_model(
        None, None, model="gpt2", vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32,
    )


def new_weights(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(w.dtype) for w in model.get_weights()])


@pytest.mark.parametrize("method", ["greedy", "beam"])
def test_a_model_whose_weights_changed_decodes_with_the_new_weights(method):
    model = tiny_gpt2()
    kwargs = {"topk": 3} if method == "beam" else {}
    first = generate(model, PROMPT, max_new_tokens=8, method=method, **kwargs).tolist()
    new_weights(model, seed=7)  # as fit() or load_weights would
    cached = generate(model, PROMPT, max_new_tokens=8, method=method, **kwargs).tolist()
    uncached = generate(model, PROMPT, max_new_tokens=8, method=method, use_cache=False, **kwargs).tolist()
    assert cached == uncached
    assert cached != first  # the new weights do change the ids, so the comparison above means something


def test_left_product_is_the_plain_product():
    if keras.backend.backend() != "jax":
        pytest.skip("left_product serves compiled JAX steps only")
    rng = np.random.default_rng(0)
    x, table = rng.normal(size=(2, 3, 8)).astype("float32"), rng.normal(size=(5, 8)).astype("float32")
    np.testing.assert_allclose(np.asarray(left_product(x, table)), x @ table.T, rtol=1e-5, atol=1e-6)


def test_transposed_kernels_skip_dense_layers_they_cannot_serve_exactly():
    inputs = keras.Input((4,))
    plain = keras.layers.Dense(3, name="plain")
    low_precision = keras.layers.Dense(3, name="bf16", dtype="mixed_bfloat16")
    lora = keras.layers.Dense(3, name="lora")
    outputs = [plain(inputs), low_precision(inputs), lora(inputs)]
    lora.enable_lora(2)
    model = keras.Model(inputs, outputs)
    kernels = TransposedKernels(model, model.variables)
    assert [layer.name for layer in kernels.layers] == ["plain"]
