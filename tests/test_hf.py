"""Hugging Face folders: tiny models made and run by transformers itself, loaded by kerasformers.

tests/data/hf/<family>/{safetensors,bin} and the goldens come from
tests/goldens/make_hf_goldens.py (transformers 5: BERT, ALBERT, ELECTRA, RoFormer; the
BERT/ALBERT/ELECTRA weights also as TensorFlow-written Google checkpoints in ``tf/``) and
make_hf_goldens_legacy.py (transformers 4.39 NEZHA, junnyu's roformer package RoFormerV2).
"""

import json
import os
import shutil

import numpy as np
import pytest

from kerasformers.checkpoints.errors import CheckpointError, CheckpointMismatchError
from kerasformers.models import build_transformer_model

HF = os.path.join(os.path.dirname(__file__), "data", "hf")
GOLDENS = {**np.load(os.path.join(HF, "goldens_transformers.npz")), **np.load(os.path.join(HF, "goldens_legacy.npz"))}
IDS, SEGMENTS = GOLDENS["token_ids"].astype("int32"), GOLDENS["segment_ids"].astype("int32")


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# family: (model=, kwargs, [(golden, transform of the golden)] in output order)
CASES = {
    "bert": ("bert", {"with_pool": True, "with_nsp": True, "with_mlm": "linear"},
             [("nsp_logits", softmax), ("mlm_logits", None)]),
    "albert": ("albert", {"with_pool": True, "with_nsp": True, "with_mlm": "linear"},
               [("sop_logits", softmax), ("mlm_logits", None)]),
    "electra": ("electra", {"with_discriminator": True}, [("discriminator_logits", lambda x: sigmoid(x)[..., None])]),
    "roformer": ("roformer", {"with_mlm": "linear"}, [("mlm_logits", None)]),
    "nezha": ("nezha", {"with_pool": True, "with_nsp": True, "with_mlm": "linear"},
              [("nsp_logits", softmax), ("mlm_logits", None)]),
    "roformer_v2": ("roformer_v2", {"with_mlm": "linear"}, [("mlm_logits", None)]),
}  # fmt: skip


def assert_close(got, ref, what):
    atol = 1e-5 * max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-5, atol=atol, err_msg=what)


def folder(family, fmt="safetensors"):
    return os.path.join(HF, family, fmt)


def run_on(model, inputs):
    import keras

    outputs = model(inputs, training=False)
    return [keras.ops.convert_to_numpy(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def run(model):
    return run_on(model, [IDS, SEGMENTS])


def assert_bin_loads_the_same_weights(transformer, path):
    """The .bin folder (the same model saved by torch.save) gives every weight bit for bit as the safetensors one,
    so the outputs checked on the safetensors load hold for the .bin load too."""
    import keras

    pytest.importorskip("torch")
    before = [keras.ops.convert_to_numpy(w.value) for w in transformer.model.weights]
    report = transformer.load_weights_from_checkpoint(path)
    assert report.ok and report.loaded
    for weight, value in zip(transformer.model.weights, before):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(weight.value), value, err_msg=weight.path)


@pytest.mark.filterwarnings("error::UserWarning")  # e.g. no vocabulary-size warning for a matching vocab.txt
@pytest.mark.parametrize("family", sorted(CASES))
def test_transformers_checkpoint_gives_transformers_outputs(family):
    """Every head equals transformers' (safetensors folder); the .bin folder loads identical weights."""
    model, kwargs, heads = CASES[family]
    path = folder(family)
    transformer = build_transformer_model(os.path.join(path, "config.json"), path, model=model,
                                          return_keras_model=False, **kwargs)  # fmt: skip
    outputs = run(transformer.model)
    assert len(outputs) == len(heads)
    for got, (name, transform) in zip(outputs, heads):
        ref = GOLDENS[f"{family}/{name}"]
        assert_close(got, transform(ref) if transform else ref, f"{family} {name}")
    assert_bin_loads_the_same_weights(transformer, folder(family, "bin"))


def test_encoder_output_equals_transformers_last_hidden_state():
    """The encoder alone (no heads), for the family whose heads sit on a pooler, MLM and NSP at once."""
    (hidden,) = run(build_transformer_model(folder("albert"), folder("albert"), model="albert"))
    assert_close(hidden, GOLDENS["albert/hidden"], "albert encoder")


def test_load_report_names_hf_parameters_heads_and_skips_tied_copies():
    bert = build_transformer_model(folder("bert", "bin"), None, model="bert", return_keras_model=False)
    report = bert.load_weights_from_checkpoint(folder("bert", "bin"))
    assert "bert.encoder.layer.1.output.LayerNorm.weight" in report.loaded  # stored as the legacy .gamma
    assert "cls.predictions.transform.dense.weight" in report.unexpected  # built without the MLM head
    assert set(report.skipped) == {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias"}
    assert report.heads == {"pooler": True, "MLM": True, "NSP/SOP": True}
    assert "heads in the checkpoint: pooler present, MLM present, NSP/SOP present" in str(report)
    electra = build_transformer_model(folder("electra"), None, model="electra", return_keras_model=False)
    assert electra.load_weights_from_checkpoint(folder("electra")).heads["pooler"] is False


def test_missing_and_misshaped_hf_parameters_are_named(tmp_path):
    from kerasformers.checkpoints.safetensors import SafetensorsReader, write_safetensors

    src = folder("bert")
    tensors = {k: v for k, v in ((k, SafetensorsReader(os.path.join(src, "model.safetensors")).get_tensor(k))
                                 for k in SafetensorsReader(os.path.join(src, "model.safetensors")).keys())}  # fmt: skip
    del tensors["bert.pooler.dense.bias"]
    tensors["bert.encoder.layer.0.attention.self.query.weight"] = np.zeros((32, 16), "float32")
    shutil.copy(os.path.join(src, "config.json"), tmp_path)
    write_safetensors(tmp_path / "model.safetensors", tensors)
    with pytest.raises(CheckpointMismatchError) as error:
        build_transformer_model(tmp_path, tmp_path, model="bert", with_pool=True)
    message = str(error.value)
    assert "missing: bert.pooler.dense.bias (needed by layer Pooler-Dense)" in message
    assert "bert.encoder.layer.0.attention.self.query.weight is [16, 32] in the checkpoint" in message


def test_wrong_model_for_hf_folder_names_the_right_one():
    with pytest.raises(CheckpointMismatchError, match="model='roformer_v2'"):
        build_transformer_model(folder("roformer_v2"), folder("roformer_v2"), model="roformer")
    with pytest.raises(CheckpointMismatchError, match="model='albert'"):
        build_transformer_model(folder("albert"), folder("albert"), model="bert")


def test_layer_norm_eps_of_the_hf_config_is_used():
    # The RoFormer golden was made with layer_norm_eps=1e-3; the family default 1e-12 is off by far more than 1e-5.
    assert json.load(open(os.path.join(folder("roformer"), "config.json")))["layer_norm_eps"] == 1e-3
    default = build_transformer_model(folder("roformer"), folder("roformer"), model="roformer", layer_norm_eps=1e-12)
    assert np.abs(run(default)[0] - GOLDENS["roformer/hidden"]).max() > 1e-4


@pytest.mark.parametrize("family,prefix", [("bert", "bert_model.ckpt"), ("albert", "albert_model.ckpt"), ("electra", "electra_tiny")])
def test_google_tf_and_hf_files_of_the_same_weights_load_identically(family, prefix):
    import keras

    transformer = build_transformer_model(folder(family), None, model=family, return_keras_model=False)
    transformer.load_weights_from_checkpoint(os.path.join(HF, family, "tf", prefix))
    from_tf = [keras.ops.convert_to_numpy(w.value) for w in transformer.model.weights]
    report = transformer.load_weights_from_checkpoint(folder(family, "bin"))
    assert report.ok and not report.missing
    for weight, value in zip(transformer.model.weights, from_tf):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(weight.value), value, err_msg=weight.path)


def test_vocabulary_of_another_size_is_warned_about(tmp_path):
    shutil.copytree(folder("bert"), tmp_path / "bert")
    with open(tmp_path / "bert" / "vocab.txt", "a", encoding="utf-8") as f:
        f.write("extra1\nextra2\n")
    with pytest.warns(UserWarning, match="vocab.txt has 66 tokens but .*word_embeddings.weight has 64 rows"):
        build_transformer_model(tmp_path / "bert", tmp_path / "bert", model="bert")
    # A fast-tokenizer folder: tokenizer.json's vocabulary plus its added tokens.
    os.remove(tmp_path / "bert" / "vocab.txt")
    vocab = {f"t{i}": i for i in range(60)}
    added = [{"id": 60, "content": "[X]"}]
    (tmp_path / "bert" / "tokenizer.json").write_text(json.dumps({"model": {"vocab": vocab}, "added_tokens": added}))
    bert = build_transformer_model(tmp_path / "bert", None, model="bert", return_keras_model=False)
    with pytest.warns(UserWarning, match="tokenizer.json has 61 tokens but .* has 64 rows"):
        report = bert.load_weights_from_checkpoint(tmp_path / "bert")
    assert report.notes and "tokenizer.json has 61 tokens" in str(report)


def test_folder_without_weights_says_what_to_download(tmp_path):
    shutil.copy(os.path.join(folder("bert"), "config.json"), tmp_path)
    with pytest.raises(CheckpointError, match="no model.safetensors, model.safetensors.index.json or pytorch_model.bin"):
        build_transformer_model(tmp_path, tmp_path / "config.json", model="bert")


T5_GOLDENS = np.load(os.path.join(HF, "goldens_t5.npz"))


@pytest.mark.parametrize("family,model", [("t5.1.0", "t5"), ("t5.1.1", "t5.1.1"), ("mt5", "mt5.1.1")])
def test_transformers_t5_gives_transformers_outputs(family, model):
    """T5ForConditionalGeneration / MT5ForConditionalGeneration folders: LM logits and encoder output; the .bin
    folder loads identical weights. No numerics= is given: an HF T5 folder defaults to transformers' (mesh-TF)."""
    path = folder(family.replace(".", "_"))
    ids, decoder_ids = T5_GOLDENS["token_ids"].astype("int32"), T5_GOLDENS["decoder_ids"].astype("int32")
    t5 = build_transformer_model(path, path, model=model, with_lm="linear", return_keras_model=False)
    assert t5.numerics == "mesh_tf"
    assert_close(run_on(t5.model, [ids, decoder_ids])[0], T5_GOLDENS[f"{family}/logits"], f"{family} logits")
    assert_close(run_on(t5.encoder, [ids])[0], T5_GOLDENS[f"{family}/encoder"], f"{family} encoder")
    assert_bin_loads_the_same_weights(t5, folder(family.replace(".", "_"), "bin"))


def test_t5_pegasus_style_hf_folder_defaults_to_bert4keras_numerics(tmp_path):
    """imxly/t5-pegasus ships a WordPiece vocab.txt (it was trained in bert4keras); numerics= given always wins."""
    (tmp_path / "config.json").write_text(open(os.path.join(folder("mt5"), "config.json")).read())
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n")
    built = {n: build_transformer_model(str(tmp_path), None, model="mt5.1.1", return_keras_model=False, **kw).numerics
             for n, kw in [("default", {}), ("given", {"numerics": "mesh_tf"})]}  # fmt: skip
    assert built == {"default": "bert4keras", "given": "mesh_tf"}


GPT2_GOLDENS = np.load(os.path.join(HF, "goldens_gpt2.npz"))


def test_transformers_gpt2_gives_transformers_outputs():
    """GPT2LMHeadModel folders (openai-community/gpt2, uer/gpt2-chinese-cluecorpussmall): fused c_attn split."""
    path = folder("gpt2")
    gpt2 = build_transformer_model(path, path, model="gpt2_openai", final_activation="linear", return_keras_model=False)
    assert_close(run_on(gpt2.model, [IDS])[0], GPT2_GOLDENS["gpt2/logits"], "gpt2 logits")
    assert_bin_loads_the_same_weights(gpt2, folder("gpt2", "bin"))
