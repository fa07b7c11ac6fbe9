"""Train a tiny BERT classifier on one device and data-parallel on two virtual CPU devices.

Run as a subprocess (the device count must be set before the backend starts):
``python tests/_data_parallel_check.py tensorflow|jax``; prints one JSON line with the largest
loss and weight differences between the two runs.
"""

import contextlib
import json
import os
import sys

backend = sys.argv[1]
os.environ["KERAS_BACKEND"] = backend
if backend == "jax":
    os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
if backend == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasformers.models import build_transformer_model  # noqa: E402
from kerasformers.optimizers import AdamW  # noqa: E402


def classifier():
    bert = build_transformer_model(None, None, vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                   intermediate_size=32, hidden_act="gelu", return_keras_model=False)  # fmt: skip
    cls = keras.layers.Lambda(lambda x: x[:, 0])(bert.model.output)
    model = keras.Model(bert.model.inputs, keras.layers.Dense(2, activation="softmax")(cls))
    # kerasformers.optimizers.AdamW: fed dense gradients on TensorFlow (keras.optimizers.AdamW drifts, docs/training.md).
    optimizer = AdamW(1e-2, weight_decay=0.01)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


def train(initial, scope=contextlib.nullcontext()):
    with scope:
        model = classifier()
        if initial is not None:
            model.set_weights(initial)
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 40, (32, 8)).astype("int32")
    labels = (tokens == 7).any(axis=1).astype("int32")
    history = model.fit([tokens, np.zeros_like(tokens)], labels, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model, history.history["loss"]


keras.utils.set_random_seed(0)
initial = classifier().get_weights()
single, single_losses = train(initial)
if backend == "tensorflow":
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    devices = strategy.num_replicas_in_sync
    parallel, parallel_losses = train(initial, strategy.scope())
else:
    import jax

    devices = len(jax.devices())
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    parallel, parallel_losses = train(initial)
weights = max(float(np.max(np.abs(a - b))) for a, b in zip(single.get_weights(), parallel.get_weights()))
print(json.dumps({"devices": devices, "single": single_losses, "parallel": parallel_losses, "weights": weights,
                  "moved": max(float(np.max(np.abs(a - b))) for a, b in zip(initial, single.get_weights()))}))  # fmt: skip
