"""Write tiny T5-family checkpoints in mesh-TF layout and record bert4keras 0.11.5's outputs.

The independent reference for tests/test_t5.py (bert4keras numerics). TensorFlow
writes every checkpoint with the released names, shapes and dtypes
(shared/reference/checkpoint-formats.md section 6):

* ``t5.1.0``, ``t5.1.1``, ``mt5``: as mesh-TF saves them: bfloat16 weights in two
  shards merged by ``MergeV2Checkpoints`` (``global_step`` in shard 0), float32
  Adafactor slots (``_slot_v``; ``_slot_vr``/``_slot_vc`` for the factored
  embedding), ``relative_attention_bias [heads, 32]``, T5.1.0/T5.1.1's legacy
  ``layer_norm``/``final_layer_norm`` names or mT5's ``rms_norm``, untied
  ``decoder/logits/kernel [H, V]`` for 1.1;
* ``t5_pegasus``: as bert4keras saves T5-PEGASUS: float32, mT5 names, no extras,
  and its config.json keys.

bert4keras computes the outputs; kerasformers is never imported. Run it in the
bert4keras virtualenv:

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/venv-b4k/bin/python tests/goldens/make_t5_goldens.py

It rewrites tests/data/t5/ and tests/data/t5_goldens.npz.
"""

import json
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf
from bert4keras.models import build_transformer_model

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
ROOT = os.path.join(DATA, "t5")
# d_kv * heads (64) differs from hidden (32), as T5 allows.
V, H, I, L, N, D = 64, 32, 48, 2, 4, 16

# folder: (model string, written by mesh-TF?)
CHECKPOINTS = {
    "t5.1.0": ("t5", True),
    "t5.1.1": ("t5.1.1", True),
    "mt5": ("mt5.1.1", True),
    "t5_pegasus": ("mt5.1.1", False),
}


def variables(seed, gated, norm, final_norm, untied):
    rng = np.random.default_rng(seed)

    def w(*shape, scale=0.15):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    v = {"shared/embedding": w(V, H, scale=1.0)}
    ffn = ["wi_0", "wi_1", "wo"] if gated else ["wi", "wo"]
    for stack, parts in (("encoder", ["SelfAttention", "DenseReluDense"]),
                         ("decoder", ["SelfAttention", "EncDecAttention", "DenseReluDense"])):
        v[f"{stack}/block_000/layer_000/SelfAttention/relative_attention_bias"] = w(N, 32, scale=0.5)
        v[f"{stack}/{final_norm}/scale"] = 1.0 + w(H, scale=0.1)
        for i in range(L):
            for j, part in enumerate(parts):
                prefix = f"{stack}/block_{i:03d}/layer_{j:03d}/"
                v[f"{prefix}{norm}/scale"] = 1.0 + w(H, scale=0.1)
                if part == "DenseReluDense":
                    for name in ffn:
                        shape = (I, H) if name == "wo" else (H, I)
                        v[f"{prefix}{part}/{name}/kernel"] = w(*shape)
                else:
                    for name in "qkv":
                        v[f"{prefix}{part}/{name}"] = w(H, N * D)
                    v[f"{prefix}{part}/o"] = w(N * D, H)
    if untied:
        v["decoder/logits/kernel"] = w(H, V)
    return v


def adafactor_slots(v):
    """Adafactor's slots as mesh-TF names them; factored only where both big dims are >= 128
    (none at this size, so the tiny embedding gets ``_slot_vr``/``_slot_vc`` by hand)."""
    slots = {}
    for name, value in v.items():
        slots[name + "_slot_v"] = np.full(value.shape, 1e-3, np.float32)
    slots.pop("shared/embedding_slot_v")
    slots["shared/embedding_slot_vr"] = np.full((H,), 1e-3, np.float32)
    slots["shared/embedding_slot_vc"] = np.full((V,), 1e-3, np.float32)
    return slots


def save_v2(prefix, tensors):
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tensors[n] for n in names])


def write_mesh_tf(folder, v):
    """Two shards as a sharded saver writes them: global_step alone in shard 0."""
    prefix = os.path.join(folder, "model.ckpt-1000000")
    weights = {k: tf.cast(tf.constant(x), tf.bfloat16) for k, x in v.items()}
    weights.update({k: tf.constant(x) for k, x in adafactor_slots(v).items()})
    with tempfile.TemporaryDirectory() as tmp:
        pieces = [os.path.join(tmp, "part-0"), os.path.join(tmp, "part-1")]
        save_v2(pieces[0], {"global_step": tf.constant(1000000, tf.int64)})
        save_v2(pieces[1], weights)
        tf.raw_ops.MergeV2Checkpoints(checkpoint_prefixes=pieces, destination_prefix=prefix)
    tf.compat.v1.train.update_checkpoint_state(folder, "model.ckpt-1000000")
    return prefix


def write_float32(folder, v, name="model.ckpt"):
    prefix = os.path.join(folder, name)
    save_v2(prefix, {k: tf.constant(x) for k, x in v.items()})
    return prefix


def inputs():
    rng = np.random.default_rng(7)
    enc = rng.integers(3, V, size=(2, 24)).astype(np.int32)
    enc[1, 17:] = 0  # padded source
    dec = rng.integers(3, V, size=(2, 20)).astype(np.int32)
    dec[0, 0] = 0  # mesh-TF / bert4keras's mT5 recipe start token (id 0)
    dec[1, 0] = 2  # T5-PEGASUS-style start token ([CLS]-like, non-zero)
    dec[1, 15:] = 0  # padded target
    return enc, dec


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    enc, dec = inputs()
    goldens = {"encoder_ids": enc, "decoder_ids": dec}
    keep_tokens = np.array([0, 1, 2] + list(range(10, 40)) + [63, 5], np.int32)
    goldens["keep_tokens"] = keep_tokens
    for seed, (folder_name, (model, mesh)) in enumerate(CHECKPOINTS.items()):
        folder = os.path.join(ROOT, folder_name)
        os.makedirs(folder)
        gated = model != "t5"
        mt5 = model == "mt5.1.1"
        v = variables(seed, gated, "rms_norm" if mt5 else "layer_norm",
                      "rms_norm" if mt5 else "final_layer_norm", untied=gated)
        config = {
            "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": N, "attention_head_size": D,
            "intermediate_size": I, "vocab_size": V, "hidden_act": ["gelu", "linear"] if gated else "relu",
            "hidden_dropout_prob": 0.1, "initializer_range": 0.02,
        }
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        if mesh:
            write_mesh_tf(folder, v)
            # bert4keras cannot assign bfloat16 arrays: give it the same values in float32
            # (bfloat16 -> float32 is exact).
            exact = {k: tf.cast(tf.cast(x, tf.bfloat16), tf.float32).numpy() for k, x in v.items()}
            tmp = tempfile.mkdtemp()
            b4k_ckpt = write_float32(tmp, exact)
        else:
            b4k_ckpt = write_float32(folder, v)
        config_path = os.path.join(folder, "config.json")

        def build(model_string, **kwargs):
            return build_transformer_model(config_path, b4k_ckpt, model=model_string, **kwargs)

        t5 = build(model, return_keras_model=False)
        context = t5.encoder.predict(enc, verbose=0)
        goldens[f"{folder_name}/encoder"] = context
        goldens[f"{folder_name}/probs"] = t5.model.predict([enc, dec], verbose=0)
        goldens[f"{folder_name}/decoder_probs"] = t5.decoder.predict([context, dec], verbose=0)
        goldens[f"{folder_name}/encoder_string"] = build(model + "_encoder").predict(enc, verbose=0)
        goldens[f"{folder_name}/logits"] = build(model + "_decoder", with_lm="linear").predict([context, dec], verbose=0)
        goldens[f"{folder_name}/hidden"] = build(model + "_decoder", with_lm=False).predict([context, dec], verbose=0)
        if gated:
            t5 = build(model, return_keras_model=False, cross_position_bias=False)
            goldens[f"{folder_name}/no_cross_bias"] = t5.model.predict([enc, dec], verbose=0)
        if mt5:
            t5 = build(model, return_keras_model=False, keep_tokens=keep_tokens.tolist())
            ids = np.minimum(enc, len(keep_tokens) - 1)
            dids = np.minimum(dec, len(keep_tokens) - 1)
            goldens[f"{folder_name}/keep_tokens"] = t5.model.predict([ids, dids], verbose=0)
        tf.keras.backend.clear_session()
    np.savez_compressed(os.path.join(DATA, "t5_goldens.npz"), **goldens)
    print({k: v.shape for k, v in goldens.items()})


if __name__ == "__main__":
    main()
