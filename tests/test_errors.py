"""Every bad input gets a named error that says what is wrong and how to fix it."""

import os
import shutil

import keras
import numpy as np
import pytest

from kerasformers.checkpoints.bundle import CheckpointReader, write_checkpoint
from kerasformers.checkpoints.errors import CheckpointCorruptedError, CheckpointMismatchError, CheckpointNotFoundError
from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")
TINY = os.path.join(DATA, "bert_tiny")
CONFIG = os.path.join(TINY, "bert_config.json")
CKPT = os.path.join(TINY, "bert_model.ckpt")


def tiny_variables():
    with CheckpointReader(CKPT) as reader:
        return {name: reader.get_tensor(name) for name in reader.keys()}


def test_missing_checkpoint_file(tmp_path):
    missing = str(tmp_path / "nowhere" / "bert_model.ckpt")
    with pytest.raises(CheckpointNotFoundError, match="nowhere"):
        build_transformer_model(CONFIG, missing)


def test_folder_without_checkpoint(tmp_path):
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    with pytest.raises(CheckpointNotFoundError, match=str(tmp_path.name)):
        build_transformer_model(CONFIG, str(tmp_path))


def test_missing_config_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="bert_config.json"):
        build_transformer_model(str(tmp_path / "bert_config.json"), CKPT)


def test_missing_variable_names_it_and_the_likely_model(tmp_path):
    # A NEZHA/RoFormer checkpoint is a BERT one without the absolute position table.
    variables = tiny_variables()
    del variables["bert/embeddings/position_embeddings"]
    prefix = write_checkpoint(str(tmp_path / "nezha.ckpt"), variables)
    with pytest.raises(CheckpointMismatchError) as info:
        build_transformer_model(CONFIG, prefix)
    message = str(info.value)
    assert "bert/embeddings/position_embeddings" in message
    assert "Embedding-Position" in message
    assert "model='nezha'" in message


def test_shape_mismatch_names_variable_and_both_shapes():
    with pytest.raises(CheckpointMismatchError) as info:
        build_transformer_model(CONFIG, CKPT, vocab_size=70)
    message = str(info.value)
    assert "bert/embeddings/word_embeddings" in message
    assert "[64, 32]" in message and "[70, 32]" in message


def test_ignore_invalid_weights_turns_errors_into_a_report(tmp_path):
    variables = tiny_variables()
    del variables["bert/embeddings/position_embeddings"]
    prefix = write_checkpoint(str(tmp_path / "partial.ckpt"), variables)
    transformer = build_transformer_model(CONFIG, None, ignore_invalid_weights=True, return_keras_model=False)
    with pytest.warns(UserWarning, match="1 missing"):
        report = transformer.load_weights_from_checkpoint(prefix)
    assert report.missing == [("bert/embeddings/position_embeddings", "Embedding-Position")]
    assert "1 missing" in str(report)
    loaded = keras.ops.convert_to_numpy(transformer.model.get_layer("Embedding-Token").embeddings.value)
    np.testing.assert_array_equal(loaded, variables["bert/embeddings/word_embeddings"])


def test_corrupted_data_fails_crc_check(tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(TINY, folder)
    data = folder / "bert_model.ckpt.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    for offset in range(0, len(raw), 512):  # damage every tensor, keep the file size
        raw[offset] ^= 0xFF
    data.write_bytes(bytes(raw))
    with pytest.raises(CheckpointCorruptedError, match="(?i)crc") as info:
        build_transformer_model(CONFIG, str(folder / "bert_model.ckpt"))
    assert "bert/" in str(info.value) and "data-00000-of-00001" in str(info.value)


def test_failed_load_leaves_model_untouched():
    transformer = build_transformer_model(CONFIG, None, return_keras_model=False)
    before = [np.array(w) for w in transformer.model.get_weights()]
    with pytest.raises(CheckpointMismatchError):
        transformer.load_weights_from_checkpoint({"bert/embeddings/word_embeddings": np.zeros((64, 32), "float32")})
    after = transformer.model.get_weights()
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("model", ["bart", "bert-base"])
def test_unknown_model_lists_valid_values(model):
    with pytest.raises(ValueError, match="valid values: ") as info:
        build_transformer_model(CONFIG, None, model=model)
    assert repr(model) in str(info.value) and "'bert'" in str(info.value) and "'roberta'" in str(info.value)


def test_unknown_application_lists_valid_values():
    with pytest.raises(ValueError, match=r"valid values: \['encoder', 'lm', 'unilm'\]"):
        build_transformer_model(CONFIG, None, application="seq2seq")


def test_config_without_required_keys_names_them():
    with pytest.raises(ValueError, match="vocab_size"):
        build_transformer_model(None, None, hidden_size=32)


def test_ignore_invalid_weights_warns_with_the_report(tmp_path):
    variables = tiny_variables()
    del variables["bert/embeddings/position_embeddings"]
    prefix = write_checkpoint(str(tmp_path / "partial.ckpt"), variables)
    with pytest.warns(UserWarning, match="bert/embeddings/position_embeddings"):
        build_transformer_model(CONFIG, prefix, ignore_invalid_weights=True)


def test_unilm_without_segment_input_is_refused_even_with_other_inputs():
    with pytest.raises(ValueError, match="segment"):
        build_transformer_model(CONFIG, None, application="unilm", segment_vocab_size=0, custom_position_ids=True)


def test_config_file_keys_can_be_overridden_under_their_original_names():
    model = build_transformer_model(CONFIG, None, type_vocab_size=0, max_position_embeddings=32)
    assert [i.name for i in model.inputs] == ["Input-Token"]
    assert model.get_layer("Embedding-Position").input_dim == 32
