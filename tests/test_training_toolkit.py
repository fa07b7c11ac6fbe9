"""The training options of the CLUE scripts: data parallel equals single device, mixed precision
learns with loss scaling and saves float32, remat keeps the numbers, and the optimizer options."""

import argparse
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from kerasformers.checkpoints.bundle import load_checkpoint
from kerasformers.models import build_transformer_model

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from clue import training  # noqa: E402

HERE = os.path.dirname(__file__)
TINY = dict(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, hidden_act="gelu")


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="data parallel: TensorFlow and JAX only (docs/training.md)")
def test_data_parallel_on_two_virtual_devices_matches_one_device():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(HERE, "..", "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, os.path.join(HERE, "_data_parallel_check.py"), keras.backend.backend()],
                         capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["devices"] == 2
    assert result["moved"] > 1e-3  # training did change the weights
    np.testing.assert_allclose(result["parallel"], result["single"], rtol=1e-4)
    assert result["weights"] < 1e-4


def _data():
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 40, (64, 8)).astype("int32")
    return [tokens, np.zeros_like(tokens)], (tokens == 7).any(axis=1).astype("int32")


def _classifier(**kwargs):
    bert = build_transformer_model(None, None, return_keras_model=False, **TINY, **kwargs)
    cls = keras.layers.Lambda(lambda x: x[:, 0])(bert.model.output)
    return bert, keras.Model(bert.model.inputs, keras.layers.Dense(2, activation="softmax", dtype="float32")(cls))


def test_mixed_float16_lowers_the_loss_with_loss_scaling_and_saves_float32(tmp_path):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        keras.utils.set_random_seed(0)
        bert, model = _classifier()
        model.compile(optimizer=keras.optimizers.AdamW(3e-3), loss="sparse_categorical_crossentropy")
        x, y = _data()
        losses = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history["loss"]
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
        assert bert.model.get_layer("Transformer-0-FeedForward").compute_dtype == "float16"
        assert losses[-1] < losses[0] - 0.05, losses
        assert {w.dtype for w in model.weights if "loss_scale" not in w.path} <= {"float32", "int64", "int32"}
        prefix = bert.save_weights_as_checkpoint(str(tmp_path / "model.ckpt"))
        reader = load_checkpoint(prefix)
        dtypes = {str(reader.get_tensor(name).dtype) for name in reader.get_variable_to_shape_map()}
        assert dtypes == {"float32"}
    finally:
        keras.mixed_precision.set_global_policy(previous)


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="Keras 3.15 remat fails in TF graph mode (docs/training.md)")
def test_remat_trains_to_the_same_weights():
    x, y = _data()
    results = []
    for remat in (False, True):
        keras.utils.set_random_seed(0)
        args = argparse.Namespace(remat=remat, config=None, checkpoint=None, model="bert")
        bert = training.build_encoder(args, **TINY)
        cls = keras.layers.Lambda(lambda t: t[:, 0])(bert.model.output)
        model = keras.Model(bert.model.inputs, keras.layers.Dense(2, activation="softmax")(cls))
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        losses = model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0).history["loss"]
        results.append((losses, model.get_weights()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    assert results[0][1][0].shape == results[1][1][0].shape
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_optimizer_options_map_to_keras():
    args = argparse.Namespace(learning_rate=1e-3, warmup_proportion=0.1, weight_decay=0.01, grad_accum_steps=4, ema=0.999)
    optimizer = training.build_optimizer(args, total_steps=400)
    assert optimizer.gradient_accumulation_steps == 4 and optimizer.use_ema and optimizer.ema_momentum == 0.999
    schedule = optimizer._learning_rate
    # 100 optimizer updates: warm-up to the peak at update 10, linear decay to 0 at update 100.
    assert [round(float(schedule(s)), 6) for s in (0, 5, 10, 55, 100)] == [0.0, 0.0005, 0.001, 0.0005, 0.0]
    bias, kernel = keras.Variable(np.zeros(2), name="bias"), keras.Variable(np.zeros((2, 2)), name="kernel")
    gamma = keras.Variable(np.ones(2), name="gamma")
    assert [optimizer._use_weight_decay(v) for v in (bias, gamma, kernel)] == [False, False, True]


def test_ema_callback_scores_the_averages_and_trains_on(tmp_path):
    """--ema: each epoch end scores (and saves) the moving averages, then training resumes from its own weights."""
    args = argparse.Namespace(learning_rate=0.1, warmup_proportion=0.0, weight_decay=0.0, grad_accum_steps=1, ema=0.5)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=training.build_optimizer(args, total_steps=8), loss="mse")
    seen, after = [], []

    def evaluate(m):
        averages = [keras.ops.convert_to_numpy(a) for a in m.optimizer._model_variables_moving_average]
        seen.append(([keras.ops.convert_to_numpy(v) for v in m.trainable_variables], averages))
        return {"score": -len(seen)}  # the first epoch is the best: its averages must be the ones saved

    class Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            after.append(("begin", self.model.get_weights()))

        def on_epoch_end(self, epoch, logs=None):
            after.append(("end", self.model.get_weights()))

    best = str(tmp_path / "best.weights.h5")
    x = np.random.default_rng(0).standard_normal((32, 3)).astype("float32")
    model.fit(x, x.sum(axis=1, keepdims=True), batch_size=8, epochs=2, verbose=0,
              callbacks=[training.BestCheckpoint(evaluate, "score", best), Record()])  # fmt: skip
    for (scored, averages), (_, trained) in zip(seen, after[1::2]):
        for s, a, t in zip(scored, averages, trained):
            np.testing.assert_allclose(s, a, rtol=1e-6)  # the averages were scored...
            assert np.abs(s - t).max() > 1e-3  # ...and the training weights, which differ, were put back
    assert [kind for kind, _ in after] == ["begin", "end", "begin", "end"]
    for end, begin in zip(after[1][1], after[2][1]):  # epoch 2 starts from epoch 1's training weights
        np.testing.assert_array_equal(end, begin)
    model.load_weights(best)
    for saved, scored in zip(model.trainable_variables, seen[0][0]):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(saved), scored, rtol=1e-6)
