"""Each zoo family is named from its variables alone, and a wrong ``model=`` fails naming the right one."""

import os

import keras
import numpy as np
import pytest

from kerasformers.checkpoints.bundle import CheckpointReader
from kerasformers.checkpoints.detect import detect_architecture
from kerasformers.checkpoints.errors import CheckpointMismatchError
from kerasformers.models import build_transformer_model

DATA = os.path.join(os.path.dirname(__file__), "data")
ZOO = os.path.join(DATA, "zoo")
CHECKPOINTS = {
    "bert": os.path.join(DATA, "bert_tiny", "bert_model.ckpt"),
    "albert": os.path.join(ZOO, "albert", "albert_model.ckpt"),
    "nezha": os.path.join(ZOO, "nezha", "model.ckpt-691689"),
    "roformer": os.path.join(ZOO, "roformer", "bert_model.ckpt"),
    "roformer_v2": os.path.join(ZOO, "roformer_v2", "bert_model.ckpt"),
    "electra": os.path.join(ZOO, "electra", "electra_tiny"),
    "simbert": os.path.join(ZOO, "simbert", "bert_model.ckpt"),
}
CONFIGS = {
    "bert": os.path.join(DATA, "bert_tiny", "bert_config.json"),
    "albert": os.path.join(ZOO, "albert", "albert_config.json"),
    "roformer": os.path.join(ZOO, "roformer", "bert_config.json"),
    "roformer_v2": os.path.join(ZOO, "roformer_v2", "bert_config.json"),
    "electra": os.path.join(ZOO, "electra", "discriminator.json"),
}


def shapes_of(family):
    with CheckpointReader(CHECKPOINTS[family]) as reader:
        return reader.get_variable_to_shape_map()


@pytest.mark.parametrize(
    "family, name, model",
    [
        ("bert", "BERT / RoBERTa", "bert"),
        ("albert", "ALBERT", "albert"),
        ("nezha", "NEZHA", "nezha"),  # Adam slots and global_step, as Huawei released it
        ("roformer", "NEZHA or RoFormer", "nezha"),  # identical names, nothing else to go on
        ("roformer_v2", "RoFormerV2", "roformer_v2"),
        ("electra", "ELECTRA", "electra"),
        ("simbert", "BERT / RoBERTa", "bert"),
    ],
)
def test_family_is_named_from_variables_alone(family, name, model):
    detection = detect_architecture(sorted(shapes_of(family)))
    assert (detection.family, detection.model) == (name, model)
    if family == "simbert":
        assert "SimBERT" in detection.evidence


def test_vocabulary_size_separates_nezha_from_roformer():
    shapes = dict(shapes_of("roformer"))
    shapes["bert/embeddings/word_embeddings"] = [50000, 32]
    assert detect_architecture(shapes).model == "roformer"
    shapes["bert/embeddings/word_embeddings"] = [21128, 32]
    assert detect_architecture(shapes).model == "nezha"


def test_brightmart_early_albert_format_is_named_and_refused():
    detection = detect_architecture(["bert/embeddings/word_embeddings_2", "bert/encoder/layer_shared/output/dense/kernel"])
    assert detection.model == "" and "_google" in detection.evidence


def load_as(model, family, config):
    return build_transformer_model(CONFIGS[config], CHECKPOINTS[family], model=model)


def message_of(model, family, config):
    with pytest.raises(CheckpointMismatchError) as info:
        load_as(model, family, config)
    return str(info.value)


def test_nezha_loaded_as_bert_names_nezha():
    message = message_of("bert", "nezha", "bert")
    assert "bert/embeddings/position_embeddings" in message
    assert "looks like NEZHA" in message and "model='nezha'" in message


def test_albert_loaded_as_bert_names_albert():
    message = message_of("bert", "albert", "albert")
    assert "looks like ALBERT" in message and "model='albert'" in message


def test_roformer_v2_loaded_as_roformer_names_roformer_v2():
    message = message_of("roformer", "roformer_v2", "roformer_v2")
    assert "LayerNorm" in message and "model='roformer_v2'" in message


def test_electra_loaded_as_bert_names_electra():
    message = message_of("bert", "electra", "electra")
    assert "looks like ELECTRA" in message and "model='electra'" in message


def test_roformer_loaded_as_bert_names_both_candidates_when_unsure():
    message = message_of("bert", "roformer", "roformer")
    assert "model='nezha' or model='roformer'" in message


def test_roformer_loaded_as_roformer_v2_fails_although_every_kernel_is_there():
    message = message_of("roformer_v2", "roformer", "roformer")
    assert "has every variable model='roformer_v2' needs" in message
    assert "model='nezha' or model='roformer'" in message


def test_bert_loaded_as_nezha_fails_although_every_variable_is_there():
    message = message_of("nezha", "bert", "bert")
    assert "looks like BERT" in message and "model='bert'" in message


def test_nezha_checkpoint_loads_as_roformer_since_names_cannot_tell():
    # Same names; the slots make NEZHA likelier, but not certain enough to refuse.
    load_as("roformer", "nezha", "roformer")


def test_ignore_invalid_weights_bypasses_the_family_check():
    transformer = build_transformer_model(
        CONFIGS["bert"], None, model="nezha", ignore_invalid_weights=True, return_keras_model=False
    )
    report = transformer.load_weights_from_checkpoint(CHECKPOINTS["bert"])
    assert report.ok and "bert/embeddings/position_embeddings" in report.unexpected


def test_dict_checkpoint_of_the_right_family_loads():
    with CheckpointReader(CHECKPOINTS["roformer"]) as reader:
        variables = {n: reader.get_tensor(n) for n in reader.keys()}
    model = build_transformer_model(
        CONFIGS["roformer"], variables, model="roformer", with_pool="linear", application="unilm"
    )
    kernel = keras.ops.convert_to_numpy(model.get_layer("Pooler-Dense").kernel)
    np.testing.assert_array_equal(kernel, variables["bert/pooler/dense/kernel"])
