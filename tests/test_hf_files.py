"""Hugging Face files without a model: safetensors read and written with numpy, ``.bin`` safety, the
round trip kerasformers -> safetensors -> transformers."""

import json
import os

import ml_dtypes
import numpy as np
import pytest

from kerasformers.checkpoints.errors import CheckpointCorruptedError, CheckpointError
from kerasformers.checkpoints.hf import HFCheckpointReader
from kerasformers.checkpoints.safetensors import SafetensorsReader, write_safetensors
from kerasformers.checkpoints.torch_bin import UnsafeCheckpointError, read_torch_bin

HF = os.path.join(os.path.dirname(__file__), "data", "hf")
TENSORS = {
    "a.weight": np.arange(12, dtype="float32").reshape(3, 4),
    "b": np.array([1.5, -2.0], dtype=ml_dtypes.bfloat16),
    "c": np.arange(3, dtype="int64"),
    "d": np.float16(3.0) * np.ones((2, 0, 1), "float16"),
    "scalar": np.array(7.0, "float64"),
}


def test_safetensors_written_here_read_by_the_safetensors_package_and_back(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = write_safetensors(tmp_path / "x.safetensors", TENSORS, {"format": "pt"})
    theirs = safetensors_numpy.load_file(path)
    for name, value in TENSORS.items():
        assert theirs[name].shape == value.shape and theirs[name].dtype == value.dtype
        np.testing.assert_array_equal(theirs[name], value)
    safetensors_numpy.save_file(theirs, tmp_path / "y.safetensors")
    with SafetensorsReader(tmp_path / "y.safetensors") as reader:
        assert reader.get_variable_to_shape_map() == {k: list(v.shape) for k, v in TENSORS.items()}
        for name, value in TENSORS.items():
            np.testing.assert_array_equal(reader.get_tensor(name), value)


def test_safetensors_tensors_are_read_only_views_valid_after_release_and_close(tmp_path):
    """Tensors view the memory-mapped file (no copy): writing to one is refused, and dropping its pages
    (``release``, done while loading) or closing the reader leaves every array it gave readable."""
    reader = SafetensorsReader(write_safetensors(tmp_path / "x.safetensors", TENSORS))
    arrays = {name: reader.get_tensor(name) for name in TENSORS}
    with pytest.raises(ValueError, match="read-only"):
        arrays["a.weight"][0, 0] = 1.0
    for name in TENSORS:
        reader.release(name)
    reader.close()
    for name, value in TENSORS.items():
        assert arrays[name].dtype == value.dtype
        np.testing.assert_array_equal(arrays[name], value)


def test_truncated_or_foreign_safetensors_is_named(tmp_path):
    path = write_safetensors(tmp_path / "x.safetensors", TENSORS)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-8])
    with pytest.raises(CheckpointCorruptedError, match="tensor .* spans bytes .*truncated"):
        SafetensorsReader(path)
    open(path, "wb").write(b"PK\x03\x04 this is a zip")
    with pytest.raises(CheckpointCorruptedError, match="is not a safetensors file"):
        SafetensorsReader(path)


def test_sharded_safetensors_read_through_the_index():
    with HFCheckpointReader(os.path.join(HF, "electra", "safetensors")) as reader:
        assert len(reader.files) == 2 and reader.format == "safetensors"
        assert reader.get_tensor("electra.embeddings.word_embeddings.weight").shape == (64, 16)


class _WritesMarker:
    """Unpickling this would create a file: the payload a malicious ``.bin`` carries."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("zipped", [True, False])
def test_bin_with_a_code_payload_is_refused_and_nothing_runs(tmp_path, zipped):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "marker"
    path = tmp_path / "pytorch_model.bin"
    torch.save({"w": torch.ones(2), "x": _WritesMarker(str(marker))}, path, _use_new_zipfile_serialization=zipped)
    with pytest.raises(UnsafeCheckpointError, match="could run code when unpickled.*nothing was executed"):
        read_torch_bin(str(path))
    assert not marker.exists()


def test_bin_holding_something_else_than_tensors_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2), "step": 3}, tmp_path / "a.bin")
    with pytest.raises(UnsafeCheckpointError, match="not a {name: tensor} state dict"):
        read_torch_bin(str(tmp_path / "a.bin"))


def test_bin_without_torch_says_to_convert(tmp_path, monkeypatch):
    import builtins

    path = os.path.join(HF, "bert", "bin", "pytorch_model.bin")
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(CheckpointError, match="torch \\(not installed here\\).*safetensors"):
        read_torch_bin(path)


ROUND_TRIP = {
    "bert": ("BertForPreTraining", {"with_pool": True, "with_nsp": True, "with_mlm": "linear"}),
    "albert": ("AlbertForMaskedLM", {"with_mlm": "linear"}),
    "electra": ("ElectraForPreTraining", {"with_discriminator": "linear"}),
    "roformer": ("RoFormerForMaskedLM", {"with_mlm": "linear"}),
}
IDS = np.array([[2, 10, 17, 33, 8, 61, 3], [2, 45, 12, 3, 0, 0, 0]], "int32")


def _saved_after_fine_tuning(tmp_path, source, **kwargs):
    """A model loaded from ``source`` with every weight changed (a fine-tuning stand-in, so that the
    files cannot just echo the source), and the folder it saves itself to."""
    import keras

    from kerasformers.models import build_transformer_model

    ours = build_transformer_model(source, source, return_keras_model=False, **kwargs)
    for weight in ours.model.weights:
        weight.assign(keras.ops.convert_to_numpy(weight.value) * 0.9 + 0.01)
    return ours, ours.save_weights_as_safetensors(str(tmp_path / "out"))


def _assert_same_outputs(ours, inputs, ref):
    import keras

    got = ours.model(inputs, training=False)
    got = keras.ops.convert_to_numpy(got[-1] if isinstance(got, (list, tuple)) else got)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(ref).max()))


@pytest.mark.parametrize("family", sorted(ROUND_TRIP))
def test_round_trip_kerasformers_to_safetensors_to_transformers(tmp_path, family):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")

    architecture, kwargs = ROUND_TRIP[family]
    ours, folder = _saved_after_fine_tuning(tmp_path, os.path.join(HF, family, "safetensors"), model=family, **kwargs)
    theirs = getattr(transformers, architecture).from_pretrained(folder).eval()
    segments = np.zeros_like(IDS)
    with torch.no_grad():
        out = theirs(input_ids=torch.tensor(IDS, dtype=torch.long), token_type_ids=torch.tensor(segments, dtype=torch.long),
                     attention_mask=torch.tensor(IDS != 0))  # fmt: skip
    logits = out.logits if hasattr(out, "logits") else out.prediction_logits
    _assert_same_outputs(ours, [IDS, segments], logits.numpy()[..., None] if family == "electra" else logits.numpy())


# T5.1.0 (tied output, scaled decoder output, ReLU) and T5.1.1 (own lm_head, gated GELU); mT5 differs only in names.
@pytest.mark.parametrize("family,model", [("t5_1_0", "t5"), ("t5_1_1", "t5.1.1")])
def test_t5_round_trip_to_transformers_t5_for_conditional_generation(tmp_path, family, model):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")

    source = os.path.join(HF, family, "safetensors")
    ours, folder = _saved_after_fine_tuning(tmp_path, source, model=model, numerics="mesh_tf", with_lm="linear")
    config = json.load(open(os.path.join(folder, "config.json")))
    assert config["architectures"] == ["T5ForConditionalGeneration"] and config["tie_word_embeddings"] == (model == "t5")
    theirs = transformers.T5ForConditionalGeneration.from_pretrained(folder).eval()
    decoder_ids = np.array([[0, 4, 9, 22, 3], [0, 13, 2, 0, 0]], "int32")
    with torch.no_grad():
        logits = theirs(input_ids=torch.tensor(IDS, dtype=torch.long), attention_mask=torch.tensor(IDS != 0),
                        decoder_input_ids=torch.tensor(decoder_ids, dtype=torch.long)).logits  # fmt: skip
    _assert_same_outputs(ours, [IDS, decoder_ids], logits.numpy())


def test_t5_saved_with_bert4keras_numerics_reloads_with_them(tmp_path):
    """T5-PEGASUS fine-tuned here and published: transformers cannot reproduce it (warned), but kerasformers
    reads it back computing as before, with no numerics= argument (config.json records them)."""
    import keras

    from kerasformers.models import build_transformer_model

    source = os.path.join(HF, "t5_1_1", "safetensors")
    with pytest.warns(UserWarning, match="kerasformers_numerics"):
        ours, folder = _saved_after_fine_tuning(tmp_path, source, model="t5.1.1", numerics="bert4keras", with_lm="linear")
    again = build_transformer_model(folder, folder, model="t5.1.1", with_lm="linear", return_keras_model=False)
    decoder_ids = np.array([[0, 4, 9, 22, 3], [0, 13, 2, 0, 0]], "int32")
    assert again.numerics == "bert4keras"
    _assert_same_outputs(ours, [IDS, decoder_ids], keras.ops.convert_to_numpy(again.model([IDS, decoder_ids], training=False)))


def test_gpt2_round_trip_to_transformers_gpt2_lm_head_model(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")

    source = os.path.join(HF, "gpt2", "safetensors")
    ours, folder = _saved_after_fine_tuning(tmp_path, source, model="gpt2_openai", final_activation="linear")
    theirs = transformers.GPT2LMHeadModel.from_pretrained(folder).eval()
    with torch.no_grad():
        logits = theirs(input_ids=torch.tensor(IDS, dtype=torch.long)).logits
    _assert_same_outputs(ours, [IDS], logits.numpy())


def test_models_transformers_cannot_reproduce_are_refused_or_warned_about():
    """No model needs building: the config alone decides."""
    from kerasformers.models import GPT2, T5, T5_Decoder
    from kerasformers.models.hf_export import hf_config

    sizes = dict(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    with pytest.warns(UserWarning, match="numerics='bert4keras'.*position bias in cross-attention.*numerics='mesh_tf'"):
        config = hf_config(T5(hidden_act=["gelu", "linear"], version="t5.1.1", **sizes))
    assert config["feed_forward_proj"] == "gated-gelu_python"  # bert4keras's erf GELU, not transformers' "gated-gelu"
    with pytest.raises(NotImplementedError, match="no decoder-only T5.*encoder-decoder"):
        hf_config(T5_Decoder(hidden_act="relu", **sizes))
    with pytest.raises(NotImplementedError, match="GPT2 cannot be saved in Hugging Face format.*save_weights_as_checkpoint"):
        hf_config(GPT2(hidden_act="gelu", **sizes))


def _bert_folder(path, do_lower_case):
    path.mkdir()
    (path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "Hello", "中", "##llo"]) + "\n")
    if do_lower_case is not None:
        (path / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": do_lower_case}))
    return path


@pytest.mark.parametrize("do_lower_case", [False, True, None])
def test_wordpiece_tokenizer_from_hf_folder_reads_casing_as_transformers_does(tmp_path, do_lower_case):
    transformers = pytest.importorskip("transformers")
    from kerasformers.tokenizers import Tokenizer

    folder = _bert_folder(tmp_path / "bert", do_lower_case)
    ours = Tokenizer.from_hf_folder(folder)
    theirs = transformers.BertTokenizer.from_pretrained(str(folder))
    for text in ["Hello 中", "HELLO hello", "héllo"]:
        assert ours.encode(text)[0] == theirs(text)["input_ids"], text
    assert Tokenizer(folder).encode("Hello")[0] == [2, 5, 3]  # a plain folder path takes vocab.txt, bert4keras casing


def test_sp_tokenizer_takes_an_mt5_style_spiece_model_from_its_folder(tmp_path):
    spm = pytest.importorskip("sentencepiece")
    transformers = pytest.importorskip("transformers")
    from kerasformers.tokenizers import SpTokenizer

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(["hello world this is a tiny corpus", "中文 也 可以 分词 吗", "the lazy dog"] * 50))
    folder = tmp_path / "mt5"
    folder.mkdir()
    # mT5's special ids: <pad>=0, </s>=1, <unk>=2, no <s>.
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "spiece"), vocab_size=30, pad_id=0,
                                   eos_id=1, unk_id=2, bos_id=-1, character_coverage=1.0, minloglevel=2)  # fmt: skip
    (folder / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "T5Tokenizer"}))
    ours = SpTokenizer.from_hf_folder(folder)
    theirs = transformers.AutoTokenizer.from_pretrained(str(folder))
    for text in ["hello world 中文", "the dog 吗"]:
        ids, _ = ours.encode(text)
        assert ids == theirs(text)["input_ids"] and ids[-1] == 1, text
    assert ours.decode(ours.encode("hello world")[0]) == "hello world"
    with pytest.raises(FileNotFoundError, match="has no spiece.model"):
        SpTokenizer(tmp_path)


def test_fused_hf_tensor_maps_onto_several_tf_names_and_back():
    """GPT-2-style ``c_attn`` (query, key, value in one tensor): a rule's ``#i:n`` suffix splits and fuses it."""
    from kerasformers.models.hf_weights import HFNameView, hf_tensors
    from kerasformers.models.weights import DictCheckpoint

    rules = tuple((rf"^l0/{part}/kernel$", f"h/0/c_attn/weight#{i}:3") for i, part in enumerate("qkv"))
    rng = np.random.default_rng(0)
    tf = {f"l0/{part}/kernel": rng.standard_normal((4, 4)).astype("float32") for part in "qkvo"}
    for transposed in (r"kernel$", r"$^"):  # Linear ([out, in]) and Conv1D ([in, out]) layouts
        hf = hf_tensors(tf, rules, transposed)
        assert hf["h.0.c_attn.weight"].shape == ((12, 4) if transposed == r"kernel$" else (4, 12))
        view = HFNameView(DictCheckpoint(hf), list(tf), rules, transposed)
        assert view.keys() == sorted(tf)
        for name, value in tf.items():
            np.testing.assert_array_equal(view.get_tensor(name), value)
            assert view.get_variable_to_shape_map()[name] == [4, 4]
