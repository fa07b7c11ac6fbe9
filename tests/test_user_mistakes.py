"""Plausible mistakes of a new user: each one raises (or warns) saying what is wrong and the fix.

One test per item of issue 7, section 3 (the Hugging Face inspect item is tested in tests/test_cli.py).
"""

import json
import os

import numpy as np
import pytest

from kerasformers.__main__ import main as cli
from kerasformers.checkpoints.bundle import CheckpointReader
from kerasformers.models import build_transformer_model
from kerasformers.tokenizers import Tokenizer

DATA = os.path.join(os.path.dirname(__file__), "data")
TINY = os.path.join(DATA, "bert_tiny")
CONFIG = os.path.join(TINY, "bert_config.json")
CKPT = os.path.join(TINY, "bert_model.ckpt")
VOCAB = os.path.join(TINY, "vocab.txt")


# --- silent mistakes ----------------------------------------------------------------------
def test_misspelt_keyword_raises_and_names_the_closest_valid_one():
    with pytest.raises(TypeError, match=r"'with_mlmm' \(did you mean 'with_mlm'\?\)"):
        build_transformer_model(CONFIG, None, with_mlmm=True)


def test_config_file_keys_stay_unchecked_but_typed_keywords_are(tmp_path):
    # Real config files carry keys no builder reads (Hugging Face's among them): they load.
    config = json.load(open(CONFIG))
    config.update(layer_norm_eps=1e-12, model_type="bert", architectures=["BertModel"], pooler_fc_size=32)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    model = build_transformer_model(str(path), CKPT, max_position_embeddings=64, type_vocab_size=2)
    assert model.output_shape == (None, None, 32)
    with pytest.raises(TypeError, match="model_type"):
        build_transformer_model(str(path), None, model_type="bert")


def test_deeper_checkpoint_than_config_warns_naming_unused_blocks_and_num_hidden_layers():
    with pytest.warns(UserWarning, match=r"blocks 1 .*num_hidden_layers=1"):
        build_transformer_model(CONFIG, CKPT, num_hidden_layers=1)


def test_unused_heads_are_reported_without_a_warning(recwarn):
    transformer = build_transformer_model(CONFIG, None, return_keras_model=False)
    report = transformer.load_weights_from_checkpoint(CKPT)
    assert "cls/predictions/output_bias" in report.unexpected and not report.unused_blocks
    assert not [w for w in recwarn if "Transformer blocks" in str(w.message)]


def test_shape_error_names_the_config_key_that_decides_the_shape(tmp_path):
    config = json.load(open(CONFIG))
    del config["max_position_embeddings"]  # the default 512 does not fit the checkpoint's 64 rows
    path = tmp_path / "bert_config.json"
    path.write_text(json.dumps(config))
    with pytest.raises(Exception, match="config key max_position_embeddings is 512, the checkpoint has 64"):
        build_transformer_model(str(path), CKPT)


# --- raw errors -----------------------------------------------------------------------------
def test_tokenizer_given_a_folder_reads_its_vocab_or_says_what_is_missing(tmp_path):
    # Tokenizer(folder) used to fail with a bare IsADirectoryError; it now reads the folder's vocab.txt.
    assert Tokenizer(TINY).encode("ab") == Tokenizer(VOCAB).encode("ab")
    (tmp_path / "notes.txt").write_text("no vocab here")
    with pytest.raises(FileNotFoundError, match="has no vocab.txt"):
        Tokenizer(str(tmp_path))


def test_encode_none_names_the_argument():
    with pytest.raises(TypeError, match="first_text must be a string or a list of tokens, got NoneType"):
        Tokenizer(VOCAB).encode(None)


def test_encode_maxlen_too_small_for_the_special_tokens():
    tokenizer = Tokenizer(VOCAB)
    with pytest.raises(IndexError, match=r"maxlen=0 is too small.*maxlen >= 3"):
        tokenizer.encode("abc", maxlen=0)
    assert len(tokenizer.encode("abc", maxlen=3)[0]) == 3


def test_decode_out_of_vocab_id_names_the_id_and_the_range():
    tokenizer = Tokenizer(VOCAB)
    with pytest.raises(KeyError, match=r"token id 9999 is not in the vocab \(ids 0\.\.63\)"):
        tokenizer.decode([9999])


# inspect on a Hugging Face folder: tests/test_cli.py::test_inspect_hf_folder_names_family_heads_and_model_argument
# (the folder's format, family and the build_transformer_model call that loads it; issue 12 made it loadable).


def test_model_survives_a_too_long_input_and_still_predicts_correctly():
    # On JAX a failure inside the compiled predict used to leave every later predict broken.
    model = build_transformer_model(CONFIG, CKPT)
    ids = np.array([[2, 5, 6, 7, 3]])
    expected = model.predict([ids, np.zeros_like(ids)], verbose=0)
    too_long = np.ones((1, 65), "int32")
    with pytest.raises(ValueError, match=r"sequence length 65 .* 64 positions \(max_position_embeddings\)"):
        model.predict([too_long, np.zeros_like(too_long)], verbose=0)

    def batches():  # a generator is only seen inside the compiled function: the failure happens there
        yield ((too_long, np.zeros_like(too_long)),)

    with pytest.raises(ValueError, match="exceeds the 64 positions"):
        model.predict(batches(), verbose=0)
    np.testing.assert_allclose(model.predict([ids, np.zeros_like(ids)], verbose=0), expected, rtol=1e-5, atol=1e-6)


# --- small things ---------------------------------------------------------------------------
def test_demo_refuses_to_overwrite_a_folder_unless_forced(tmp_path, capsys):
    (tmp_path / "vocab.txt").write_text("[PAD]\n")
    assert cli(["demo", "--folder", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "vocab.txt").read_text() == "[PAD]\n"


def test_inspect_last_line_is_one_runnable_call(capsys):
    assert cli(["inspect", TINY]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "model='roberta'" in lines[-3] and "import build_transformer_model" in lines[-2]
    call = lines[-1]
    namespace = {"build_transformer_model": build_transformer_model}
    model = eval(call, namespace)  # noqa: S307 (the line is meant to be pasted into Python)
    assert model.output_shape == (None, None, 32)
