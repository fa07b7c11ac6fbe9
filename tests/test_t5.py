"""T5, T5.1.1, mT5 and T5-PEGASUS against bert4keras 0.11.5 and transformers.

Checkpoints (tests/data/t5/*) and goldens come from tests/goldens/make_t5_goldens.py
(TensorFlow wrote mesh-TF-layout files: bfloat16 in two shards with Adafactor
slots and ``global_step``; T5-PEGASUS float32 as bert4keras saves it; bert4keras
computed the outputs) and tests/goldens/make_t5_hf_goldens.py (transformers'
``T5ForConditionalGeneration`` on the same weights: the mesh-TF numerics).
"""

import functools
import os

import numpy as np
import pytest

from kerasformers.models import build_transformer_model
from kerasformers.models.weights import open_checkpoint

DATA = os.path.join(os.path.dirname(__file__), "data")
GOLDENS = np.load(os.path.join(DATA, "t5_goldens.npz"))
HF_GOLDENS = np.load(os.path.join(DATA, "t5_hf_goldens.npz"))
ENC, DEC = GOLDENS["encoder_ids"], GOLDENS["decoder_ids"]
RTOL, ATOL = 1e-5, 1e-5  # activations are O(1)

# folder: (model string, checkpoint prefix)
CHECKPOINTS = {
    "t5.1.0": ("t5", "model.ckpt-1000000"),
    "t5.1.1": ("t5.1.1", "model.ckpt-1000000"),
    "mt5": ("mt5.1.1", "model.ckpt-1000000"),
    "t5_pegasus": ("mt5.1.1", "model.ckpt"),
}


def paths(folder):
    root = os.path.join(DATA, "t5", folder)
    return os.path.join(root, "config.json"), os.path.join(root, CHECKPOINTS[folder][1])


@functools.lru_cache(maxsize=None)
def build(folder, suffix="", **kwargs):
    config, ckpt = paths(folder)
    model = CHECKPOINTS[folder][0] + suffix
    return build_transformer_model(config, ckpt, model=model, return_keras_model=False, **kwargs)


def predict(model, inputs):
    # A direct call: model.predict would compile a graph per model (slow on JAX and TensorFlow).
    import keras

    inputs = [keras.ops.convert_to_tensor(x) for x in inputs] if isinstance(inputs, list) else inputs
    return keras.ops.convert_to_numpy(model(inputs, training=False))


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("folder", list(CHECKPOINTS))
def test_encoder_decoder_match_bert4keras(folder):
    t5 = build(folder)
    context = predict(t5.encoder, ENC)
    close(context, GOLDENS[f"{folder}/encoder"])
    close(predict(t5.model, [ENC, DEC]), GOLDENS[f"{folder}/probs"])
    close(predict(t5.decoder, [context, DEC]), GOLDENS[f"{folder}/decoder_probs"])


@pytest.mark.parametrize("folder", list(CHECKPOINTS))
def test_encoder_and_decoder_model_strings_match_bert4keras(folder):
    context = GOLDENS[f"{folder}/encoder"]
    close(predict(build(folder, "_encoder").model, ENC), GOLDENS[f"{folder}/encoder_string"])
    close(predict(build(folder, "_decoder", with_lm="linear").model, [context, DEC]), GOLDENS[f"{folder}/logits"])
    hidden = build(folder, "_decoder", with_lm=False)
    close(predict(hidden.model, [context, DEC]), GOLDENS[f"{folder}/hidden"])


def test_layer_names_and_outputs_are_bert4keras():
    t5 = build("t5.1.1")
    assert [t.name for t in t5.model.inputs] == ["Encoder-Input-Token", "Decoder-Input-Token"]
    assert [t.name for t in t5.decoder.inputs] == ["Input-Context", "Decoder-Input-Token"]
    names = {layer.name for layer in t5.model.layers}
    for name in (
        "Embedding-Token",
        "Encoder-Embedding-Relative-Position",
        "Encoder-Transformer-1-MultiHeadSelfAttention-Norm",
        "Encoder-Output-Norm",
        "Decoder-Transformer-0-MultiHeadCrossAttention",
        "Decoder-Transformer-1-FeedForward-Norm",
        "Decoder-Output-Scale",
        "Decoder-Output-LM",
    ):
        assert name in names
    assert "Decoder-Output-LM-Activation" in {layer.name for layer in build("t5.1.0").model.layers}


def test_cross_position_bias_off_matches_bert4keras():
    t5 = build("t5.1.1", cross_position_bias=False)
    close(predict(t5.model, [ENC, DEC]), GOLDENS["t5.1.1/no_cross_bias"])


def test_keep_tokens_slices_embeddings_and_logits_like_bert4keras():
    keep = tuple(int(i) for i in GOLDENS["keep_tokens"])
    t5 = build("mt5", keep_tokens=keep)
    ids, dids = np.minimum(ENC, len(keep) - 1), np.minimum(DEC, len(keep) - 1)
    close(predict(t5.model, [ids, dids]), GOLDENS["mt5/keep_tokens"])


def test_t5_is_t5_1_0():
    config, ckpt = paths("t5.1.0")
    model = build_transformer_model(config, ckpt, model="t5.1.0")
    close(predict(model, [ENC, DEC]), GOLDENS["t5.1.0/probs"])


@pytest.mark.parametrize("folder", ["t5.1.0", "t5.1.1", "mt5"])
def test_mesh_tf_checkpoint_loads_skipping_training_state(folder):
    t5 = build(folder)
    config, ckpt = paths(folder)
    report = t5.load_weights_from_checkpoint(ckpt)
    assert report.ok and not report.unexpected
    assert "global_step" in report.skipped
    assert "shared/embedding_slot_vr" in report.skipped and "shared/embedding_slot_vc" in report.skipped
    reader = open_checkpoint(ckpt)
    try:
        assert reader.num_shards == 2
        assert str(reader.get_variable_to_dtype_map()["shared/embedding"]) == "bfloat16"
        bias = reader.get_tensor("encoder/block_000/layer_000/SelfAttention/relative_attention_bias")
    finally:
        reader.close()
    assert bias.shape == (4, 32)
    table = t5.layers["Encoder-Embedding-Relative-Position"].embeddings
    np.testing.assert_array_equal(np.asarray(table.numpy() if hasattr(table, "numpy") else table), bias.T)


@pytest.mark.parametrize("folder", ["t5.1.0", "t5.1.1", "mt5"])
def test_mesh_tf_numerics_match_transformers(folder):
    t5 = build(folder, numerics="mesh_tf", with_lm="linear")
    close(predict(t5.model, [ENC, HF_GOLDENS["decoder_ids"]]), HF_GOLDENS[f"{folder}/logits"])
    close(predict(t5.encoder, ENC), HF_GOLDENS[f"{folder}/encoder"])


def test_wrong_version_names_the_model_to_use():
    config, ckpt = paths("mt5")
    with pytest.raises(Exception, match="mt5.1.1"):
        build_transformer_model(config, ckpt, model="t5.1.1")


def test_bad_numerics_is_refused():
    config, _ = paths("mt5")
    with pytest.raises(ValueError, match="numerics="):
        build_transformer_model(config, None, model="mt5.1.1", numerics="hf")


def test_keras_save_and_reload_gives_identical_outputs(tmp_path):
    import keras

    t5 = build("t5.1.1", numerics="mesh_tf", with_lm="linear")
    path = str(tmp_path / "t5.keras")
    t5.model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(predict(reloaded, [ENC, DEC]), predict(t5.model, [ENC, DEC]))
