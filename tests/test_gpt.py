"""The GPT family (and NEZHA-Gen) against bert4keras 0.11.5 (and OpenAI GPT-2 against transformers) on tiny
checkpoints in each public format.

Checkpoints (tests/data/gpt/*) and goldens (tests/data/gpt_goldens.npz) come from
tests/goldens/make_gpt_goldens.py: TensorFlow wrote the files with the released
names and extras (gpt2-ml's Adafactor slots and ``global_step``), bert4keras computed
the outputs. tests/data/gpt2_openai_goldens.npz holds transformers' GPT2LMHeadModel
logits on the OpenAI-format checkpoint (tests/goldens/make_gpt2_openai_goldens.py).
"""

import os

import keras
import numpy as np
import pytest

from kerasformers.checkpoints.bundle import CheckpointReader
from kerasformers.checkpoints.detect import detect_architecture
from kerasformers.checkpoints.errors import CheckpointMismatchError
from kerasformers.models import build_transformer_model, load_config

DATA = os.path.join(os.path.dirname(__file__), "data")
GPT = os.path.join(DATA, "gpt")
GOLDENS = np.load(os.path.join(DATA, "gpt_goldens.npz"))
OPENAI_GOLDENS = np.load(os.path.join(DATA, "gpt2_openai_goldens.npz"))
RTOL = 1e-5

# checkpoint family: (config file, checkpoint prefix, model= string it loads as)
FAMILIES = {
    "cdial_gpt": ("gpt_config.json", "gpt_model.ckpt", "gpt"),
    "cpm_lm": ("config.json", "model.ckpt", "gpt2"),
    "gpt2_ml": ("config.json", "model.ckpt-100000", "gpt2_ml"),
    "gpt2_openai": ("hparams.json", "model.ckpt", "gpt2_openai"),
    "nezha_gen": ("config.json", "gpt.ckpt", "bert"),  # BERT's layout despite its name
}
GPT_FAMILIES = ("cdial_gpt", "cpm_lm", "gpt2_ml", "gpt2_openai")
# golden case: (checkpoint family, kwargs); the golden file says which inputs each case ran on.
CASES = {
    "gpt/lm": ("cdial_gpt", {}),
    "gpt/no_segment": ("cdial_gpt", {"segment_vocab_size": 0}),
    "gpt/logits": ("cdial_gpt", {"final_activation": "linear"}),
    "gpt2/lm": ("cpm_lm", {}),
    "gpt2/logits": ("cpm_lm", {"final_activation": "linear"}),
    "gpt2_ml/lm": ("gpt2_ml", {}),
    "gpt2_ml/logits": ("gpt2_ml", {"final_activation": "linear"}),
    "gpt2_openai/logits": ("gpt2_openai", {"final_activation": "linear"}),
    "nezha_gen/lm": ("nezha_gen", {"application": "lm", "segment_vocab_size": 0}),
}
INPUTS = {"token_ids": ["token_ids"], "dialog": ["token_ids", "speaker_ids"], "openai_ids": ["openai_ids"]}


def paths(family):
    config, ckpt, _ = FAMILIES[family]
    return os.path.join(GPT, family, config), os.path.join(GPT, family, ckpt)


_BUILT = {}


def built(family, **kwargs):
    """The family's builder object, built and loaded once per test session and kwargs."""
    key = (family, tuple(sorted(kwargs.items())))
    if key not in _BUILT:
        config, ckpt = paths(family)
        _BUILT[key] = build_transformer_model(
            config, ckpt, model=FAMILIES[family][2], return_keras_model=False, **kwargs
        )
    return _BUILT[key]


def run(model, inputs):
    """The model's outputs on ``inputs`` as numpy (a direct call: no per-shape compile for tiny inputs)."""
    return keras.ops.convert_to_numpy(model(inputs, training=False))


def assert_close(got, ref, what):
    assert got.shape == ref.shape, f"{what}: shape {got.shape}, reference {ref.shape}"
    atol = 1e-6 * max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=atol, err_msg=what)


def test_every_golden_case_is_tested():
    assert {k.rsplit("/", 1)[0] for k in GOLDENS.files if "/" in k} == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_match_bert4keras(case):
    family, kwargs = CASES[case]
    inputs = [GOLDENS[name] for name in INPUTS[str(GOLDENS[f"{case}/inputs"])]]
    got = run(built(family, **kwargs).model, inputs)
    assert_close(got, GOLDENS[f"{case}/0"], case)


def test_openai_gpt2_matches_transformers_including_token_zero():
    # Id 0 is '!' in GPT-2's vocabulary: it must be attended to like any token.
    ids = OPENAI_GOLDENS["ids"]
    assert (ids == 0).any()
    got = run(built("gpt2_openai", final_activation="linear").model, ids)
    assert_close(got, OPENAI_GOLDENS["logits"], "gpt2_openai vs transformers GPT2LMHeadModel")


def test_no_application_gives_a_causal_lm_and_an_explicit_one_overrides_it():
    default = built("cpm_lm")
    assert default.attention_mask_mode == "lm" and default.model.get_layer("Attention-LM-Mask")
    config, ckpt = paths("cpm_lm")
    encoder = build_transformer_model(config, ckpt, model="gpt2", application="encoder", return_keras_model=False)
    assert encoder.model.get_layer("Attention-Mask").mode == "padding"
    assert type(encoder).attention_mask_mode == "lm"  # the family default is untouched
    ids = GOLDENS["token_ids"]
    assert not np.allclose(run(encoder.model, ids), run(default.model, ids))


def test_layer_names_and_outputs_follow_bert4keras():
    names = {family: {layer.name for layer in built(family).model.layers} for family in GPT_FAMILIES}
    assert all(built(family).model.layers[-1].name == "LM-Activation" for family in GPT_FAMILIES)
    assert {"Embedding-Norm", "Transformer-1-FeedForward-Norm-0", "Transformer-1-FeedForward-Norm-1"} <= names["gpt2_ml"]
    assert not any("MultiHeadSelfAttention-Norm" in n for n in names["gpt2_ml"])
    assert {"Output-Norm", "Transformer-0-MultiHeadSelfAttention-Norm"} <= names["cpm_lm"]
    assert "Embedding-Norm" not in names["cdial_gpt"] and "Input-Segment" in names["cdial_gpt"]
    dropout = built("cpm_lm", dropout_rate=0.1).model
    assert dropout.get_layer("Output-Dropout").rate == 0.1
    with pytest.raises(TypeError, match="with_mlm"):
        build_transformer_model(*paths("cpm_lm"), model="gpt2", with_mlm=True)


def test_gpt2_ml_skips_adafactor_slots_and_global_step():
    transformer = built("gpt2_ml")
    report = transformer.load_weights_from_checkpoint(paths("gpt2_ml")[1])
    assert report.ok and not report.unexpected
    assert "global_step" in report.skipped
    assert any(name.endswith("/adafactor_vc") for name in report.skipped)
    assert any(name.endswith("/adafactor_v") for name in report.skipped)


def test_hparams_json_is_a_config():
    configs = load_config(paths("gpt2_openai")[0])
    assert configs["vocab_size"] == 64 and configs["hidden_size"] == 32 and configs["intermediate_size"] == 128
    assert configs["num_attention_heads"] == 4 and configs["num_hidden_layers"] == 2 and configs["max_position"] == 64


def test_openai_gpt2_saves_back_in_its_own_layout(tmp_path):
    transformer = built("gpt2_openai", final_activation="linear")
    prefix = transformer.save_weights_as_checkpoint(str(tmp_path / "model.ckpt"))
    with CheckpointReader(paths("gpt2_openai")[1]) as original, CheckpointReader(prefix) as saved:
        assert sorted(saved.keys()) == sorted(original.keys())
        for name in original.keys():
            np.testing.assert_array_equal(saved.get_tensor(name), original.get_tensor(name), err_msg=name)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_is_detected_and_a_wrong_model_names_it(family):
    config, ckpt = paths(family)
    right = FAMILIES[family][2]
    with CheckpointReader(ckpt) as reader:
        detection = detect_architecture(reader.get_variable_to_shape_map())
    assert detection.model == right
    if family == "nezha_gen":
        assert "application='lm'" in detection.evidence
    wrong = "gpt2_ml" if right != "gpt2_ml" else "gpt2"
    with pytest.raises(CheckpointMismatchError, match=f"model='{right}'"):
        build_transformer_model(config, ckpt, model=wrong)


def test_attention_mask_can_leave_token_zero_visible():
    from kerasformers.layers.core import AttentionMask

    layer = AttentionMask.from_config(AttentionMask("lm", mask_padding=False).get_config())
    ids = GOLDENS["token_ids"]  # the first row ends in id 0; same shape as the goldens (no new compile)
    assert ids[0, -1] == 0
    mask = keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(ids)))
    np.testing.assert_array_equal(mask[0], np.tril(np.ones((12, 12), bool)))
