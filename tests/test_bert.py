"""BERT outputs against bert4keras 0.11.5 on tiny TF-written Google-format checkpoints.

Goldens and checkpoints come from tests/goldens/make_bert_goldens.py (TensorFlow
wrote the checkpoint, bert4keras computed the outputs). The main checkpoint
also holds ``global_step`` and ``adam_m``/``adam_v`` slots, which must be skipped.
"""

import os

import keras
import numpy as np
import pytest

from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")
TINY = os.path.join(DATA, "bert_tiny")
TINY_EMB = os.path.join(DATA, "bert_tiny_emb16")
GOLDENS = np.load(os.path.join(DATA, "bert_goldens.npz"))
RTOL = 1e-5


def config(folder):
    return os.path.join(folder, "bert_config.json")


def ckpt(folder):
    return os.path.join(folder, "bert_model.ckpt")


def assert_matches(outputs, case):
    outputs = outputs if isinstance(outputs, list) else [outputs]
    expected = [GOLDENS[f"{case}/{j}"] for j in range(len([k for k in GOLDENS.files if k.startswith(case + "/")]))]
    assert len(outputs) == len(expected), f"{case}: {len(outputs)} outputs, bert4keras gives {len(expected)}"
    for j, (got, want) in enumerate(zip(outputs, expected)):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-6, err_msg=f"{case} output {j}")


CASES = {
    "encoder": {},
    "pool": {"with_pool": True},
    "pool_linear": {"with_pool": "linear"},
    "nsp_mlm": {"with_pool": True, "with_nsp": True, "with_mlm": True},
    "mlm": {"with_mlm": True},
    "lm": {"application": "lm"},
    "unilm": {"application": "unilm"},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_match_bert4keras(case):
    model = build_transformer_model(config(TINY), ckpt(TINY), **CASES[case])
    outputs = model.predict([GOLDENS["token_ids"], GOLDENS["segment_ids"]], verbose=0)
    assert_matches(outputs, case)


def test_checkpoint_folder_and_prefix_agree():
    by_folder = build_transformer_model(config(TINY), TINY)
    outputs = by_folder.predict([GOLDENS["token_ids"], GOLDENS["segment_ids"]], verbose=0)
    assert_matches(outputs, "encoder")


def test_embedding_size_differs_from_hidden_size():
    transformer = build_transformer_model(
        config(TINY_EMB), ckpt(TINY_EMB), with_mlm=True, with_pool=True, return_keras_model=False
    )
    assert transformer.model.get_layer("Embedding-Mapping").kernel.shape == (16, 32)
    outputs = transformer.model.predict([GOLDENS["token_ids"], GOLDENS["segment_ids"]], verbose=0)
    assert_matches(outputs, "emb16_mlm")


def test_keep_tokens_and_compound_tokens():
    compound = [[10, 11], [12, 13, 14], ([15, 16], [0.25, 0.75])]
    model = build_transformer_model(
        config(TINY), ckpt(TINY), with_mlm=True, keep_tokens=list(GOLDENS["keep_tokens"]), compound_tokens=compound
    )
    assert model.get_layer("Embedding-Token").input_dim == len(GOLDENS["keep_tokens"]) + 3
    outputs = model.predict([GOLDENS["kt_token_ids"], GOLDENS["segment_ids"]], verbose=0)
    assert_matches(outputs, "keep_compound")


def test_load_report_skips_optimizer_state():
    transformer = build_transformer_model(config(TINY), None, with_mlm=True, return_keras_model=False)
    report = transformer.load_weights_from_checkpoint(ckpt(TINY))
    assert report.ok
    assert "global_step" in report.skipped
    assert any(name.endswith("/adam_m") for name in report.skipped)
    # The model has no pooler/NSP head, so those variables are reported unused, not loaded.
    assert "bert/pooler/dense/kernel" in report.unexpected
    assert "cls/seq_relationship/output_weights" in report.unexpected
    assert not any("adam" in name for name in report.unexpected)


def test_layer_names_and_output_order_follow_bert4keras():
    model = build_transformer_model(config(TINY), None, with_pool=True, with_nsp=True, with_mlm=True)
    names = {layer.name for layer in model.layers}
    for expected in [
        "Input-Token", "Input-Segment", "Embedding-Token", "Embedding-Segment", "Embedding-Position",
        "Embedding-Norm", "Transformer-0-MultiHeadSelfAttention", "Transformer-1-FeedForward-Norm",
        "Pooler", "Pooler-Dense", "NSP-Proba", "MLM-Dense", "MLM-Norm", "MLM-Bias", "MLM-Activation",
    ]:  # fmt: skip
        assert expected in names, expected
    assert [tuple(s) for s in model.output_shape] == [(None, 2), (None, None, 64)]


def test_segment_vocab_size_zero_and_prefix():
    model = build_transformer_model(config(TINY), None, segment_vocab_size=0, prefix="Predecessor-", name="P")
    assert [i.name for i in model.inputs] == ["Predecessor-Input-Token"]
    assert model.get_layer("Predecessor-Embedding-Token") is not None
    assert model.name == "P"


def test_keras_save_and_reload_gives_identical_outputs(tmp_path):
    model = build_transformer_model(config(TINY), ckpt(TINY), application="unilm", with_pool=True)
    inputs = [GOLDENS["token_ids"], GOLDENS["segment_ids"]]
    before = model.predict(inputs, verbose=0)
    path = str(tmp_path / "bert.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    after = reloaded.predict(inputs, verbose=0)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_save_weights_as_checkpoint_round_trip(tmp_path):
    transformer = build_transformer_model(
        config(TINY), ckpt(TINY), with_pool=True, with_nsp=True, with_mlm=True, return_keras_model=False
    )
    prefix = transformer.save_weights_as_checkpoint(str(tmp_path / "saved.ckpt"))
    from kerasformers.checkpoints.bundle import CheckpointReader

    original, saved = CheckpointReader(ckpt(TINY)), CheckpointReader(prefix)
    for name in saved.keys():
        # NSP weights go back to the original [2, H] layout.
        np.testing.assert_array_equal(saved.get_tensor(name), original.get_tensor(name), err_msg=name)
    reloaded = build_transformer_model(config(TINY), prefix, with_pool=True, with_nsp=True, with_mlm=True)
    assert_matches(reloaded.predict([GOLDENS["token_ids"], GOLDENS["segment_ids"]], verbose=0), "nsp_mlm")


def test_save_weights_is_read_back_by_tensorflow(tmp_path):
    tf = pytest.importorskip("tensorflow")
    transformer = build_transformer_model(config(TINY), ckpt(TINY), with_mlm=True, return_keras_model=False)
    prefix = transformer.save_weights_as_checkpoint(str(tmp_path / "saved.ckpt"))
    reader = tf.train.load_checkpoint(prefix)
    for name in reader.get_variable_to_shape_map():
        np.testing.assert_array_equal(reader.get_tensor(name), tf.train.load_variable(ckpt(TINY), name))


def test_attention_key_size_differs_from_head_size():
    folder = os.path.join(DATA, "bert_tiny_key4")
    model = build_transformer_model(config(folder), ckpt(folder), application="unilm", attention_key_size=4)
    assert model.get_layer("Transformer-0-MultiHeadSelfAttention").q_dense.kernel.shape == (32, 16)
    assert model.get_layer("Transformer-0-MultiHeadSelfAttention").v_dense.kernel.shape == (32, 32)
    assert_matches(model.predict([GOLDENS["token_ids"], GOLDENS["segment_ids"]], verbose=0), "key4_unilm")


def test_left_padded_causal_rows_stay_finite():
    # With 'pre' padding a causal query at a padded position sees no real key at all.
    model = build_transformer_model(config(TINY), ckpt(TINY), application="lm")
    token_ids = np.array([[0, 0, 0, 6, 10, 11, 7]])
    probas = model.predict([token_ids, np.zeros_like(token_ids)], verbose=0)
    assert np.isfinite(probas).all()
    np.testing.assert_allclose(probas.sum(-1), 1.0, rtol=1e-5)
