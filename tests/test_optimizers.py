"""bert4keras optimizer wrappers still build the optimizer a ported script expects."""

import keras
import numpy as np

from kerasformers.models import build_transformer_model
from kerasformers.optimizers import (
    Adam,
    AdamW,
    PiecewiseLinearSchedule,
    extend_with_gradient_accumulation,
    extend_with_piecewise_linear_lr,
    extend_with_weight_decay,
)

TINY = dict(vocab_size=30, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)


def test_weight_decay_skips_excluded_layers_by_pattern():
    AdamW = extend_with_weight_decay(Adam, "AdamWTest")
    model = build_transformer_model(None, None, **TINY)
    optimizer = AdamW(learning_rate=0.1, weight_decay_rate=0.5, exclude_from_weight_decay=["Norm", "bias"])
    variables = model.trainable_variables
    before = {v.path: keras.ops.convert_to_numpy(v.value).copy() for v in variables}
    optimizer.apply_gradients([(keras.ops.zeros(v.shape), v) for v in variables])
    for v in variables:
        changed = not np.allclose(keras.ops.convert_to_numpy(v.value), before[v.path])
        excluded = "Norm" in v.path or "bias" in v.path
        # With zero gradients only the decay moves a weight (ones/zeros init may hide it for biases).
        if excluded:
            assert not changed, v.path
        elif np.abs(before[v.path]).sum() > 0:
            assert changed, v.path


def test_piecewise_linear_lr_follows_the_schedule():
    AdamLR = extend_with_piecewise_linear_lr(Adam, "AdamLRTest")
    optimizer = AdamLR(learning_rate=1e-3, lr_schedule={100: 1.0, 200: 0.1})
    schedule = optimizer._learning_rate
    assert isinstance(schedule, PiecewiseLinearSchedule)
    np.testing.assert_allclose([float(schedule(s)) for s in (0, 50, 100, 150, 400)], [0, 5e-4, 1e-3, 5.5e-4, 1e-4], rtol=1e-5)


def test_gradient_accumulation_maps_to_keras():
    AdamGA = extend_with_gradient_accumulation(Adam, "AdamGATest")
    assert AdamGA(grad_accum_steps=4).gradient_accumulation_steps == 4


def test_adam_first_step_on_an_embedding_row_seen_twice_is_the_textbook_step():
    # Row 0 is looked up twice with different upstream gradients (1 and 2). Textbook Adam's first step moves
    # each weight by lr * g / (|g| + eps), i.e. by lr. Keras's TensorFlow backend squared the two rows of the
    # sparse gradient before summing them (second moment 1 + 4 instead of 9); ours are fed dense gradients.
    ids = keras.Input(shape=(3,), dtype="int32")
    embedding = keras.layers.Embedding(4, 1, embeddings_initializer="zeros")
    model = keras.Model(ids, embedding(ids)[..., 0])
    for optimizer in (Adam(0.1), AdamW(0.1, weight_decay=0.0)):
        embedding.embeddings.assign(np.zeros((4, 1), "float32"))
        # mean-squared-error gradient of target -w at prediction 0 is proportional to w: rows 0, 0, 1 get 1, 2, 3
        model.compile(optimizer=optimizer, loss="mean_squared_error")
        model.fit(np.array([[0, 0, 1]]), -np.array([[1.0, 2.0, 3.0]]), epochs=1, verbose=0)
        moved = keras.ops.convert_to_numpy(embedding.embeddings)[:, 0]
        np.testing.assert_allclose(moved, [-0.1, -0.1, 0.0, 0.0], atol=1e-6)
