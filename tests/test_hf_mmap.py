"""Weights that use a safetensors file's pages (PyTorch, ``mmap_weights=True``): the file is never written,
not by training and not by saving over the folder it came from; the other backends copy."""

import hashlib
import os
import shutil

import keras
import numpy as np
import pytest

from kerasformers.checkpoints.safetensors import SafetensorsReader, writable_view, write_safetensors
from kerasformers.models import build_transformer_model

HF_BERT = os.path.join(os.path.dirname(__file__), "data", "hf", "bert", "safetensors")
IDS = np.array([[2, 5, 6, 7, 3], [2, 9, 4, 3, 0]])
INPUTS = [IDS, np.zeros_like(IDS)]


def _digest(folder):
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _build(folder, **kwargs):
    return build_transformer_model(folder, folder, model="bert", with_mlm=True, return_keras_model=False, **kwargs)


def _predict(transformer):
    return keras.ops.convert_to_numpy(transformer.model(INPUTS, training=False))


def _weights_in_mapped_file(transformer, path):
    """How many of the model's weights have their data inside a mapping of ``path`` (Linux /proc)."""
    with open("/proc/self/maps") as f:
        spans = [line.split()[0].split("-") for line in f if line.rstrip().endswith(os.path.realpath(path))]
    spans = [(int(lo, 16), int(hi, 16)) for lo, hi in spans]
    pointers = [weight.value.data_ptr() for weight in transformer.model.weights]
    return sum(any(lo <= p < hi for lo, hi in spans) for p in pointers)


@pytest.fixture
def folder(tmp_path):
    return shutil.copytree(HF_BERT, tmp_path / "bert")


def test_training_a_model_loaded_from_safetensors_never_writes_the_file(folder):
    before = _digest(folder)
    transformer, copied = _build(folder), _build(folder, mmap_weights=False)
    expected = _predict(copied)
    np.testing.assert_allclose(_predict(transformer), expected, rtol=1e-5, atol=1e-6)
    if keras.backend.backend() == "torch" and os.path.exists("/proc/self/maps"):
        # Every weight uses the file's pages (nothing copied); mmap_weights=False copies them all.
        path = os.path.join(folder, "model.safetensors")
        assert _weights_in_mapped_file(transformer, path) == len(transformer.model.weights)
        assert _weights_in_mapped_file(copied, path) == 0
    transformer.model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    transformer.model.fit(INPUTS, IDS, epochs=2, batch_size=2, verbose=0)
    assert np.abs(_predict(transformer) - expected).max() > 1e-3  # training changed the weights...
    assert _digest(folder) == before  # ...in memory only
    np.testing.assert_allclose(_predict(_build(folder)), expected, rtol=1e-5, atol=1e-6)


def test_saving_over_the_folder_the_weights_came_from(folder):
    transformer = _build(folder)
    for weight in transformer.model.weights:
        weight.assign(keras.ops.convert_to_numpy(weight.value) * 0.5)
    outputs = _predict(transformer)
    transformer.save_weights_as_safetensors(folder)  # a new file replaces the mapped one
    np.testing.assert_array_equal(_predict(transformer), outputs)  # the model's memory is intact
    np.testing.assert_allclose(_predict(_build(folder)), outputs, rtol=1e-5, atol=1e-6)


def test_only_a_private_mapping_gives_a_writable_view(tmp_path):
    path = write_safetensors(tmp_path / "m.safetensors", {"w": np.arange(6, dtype="float32").reshape(2, 3)})
    shared, private = SafetensorsReader(path), SafetensorsReader(path, private=True)
    assert writable_view(shared.get_tensor("w")) is None  # read-only mapping: nothing to hand out
    assert writable_view(np.ones(3)) is None  # an array someone else owns
    tensor = private.get_tensor("w")
    assert not tensor.flags.writeable  # readers still get read-only views
    view = writable_view(tensor[:, 1:].T)
    view[...] = -1.0
    np.testing.assert_array_equal(tensor, [[0, -1, -1], [3, -1, -1]])
    private.release("w")  # a no-op on a private mapping: what was written stays
    np.testing.assert_array_equal(tensor[:, 1], [-1, -1])
    np.testing.assert_array_equal(SafetensorsReader(path).get_tensor("w"), np.arange(6).reshape(2, 3))


def test_a_writable_view_outlives_its_reader(tmp_path):
    path = write_safetensors(tmp_path / "m.safetensors", {"w": np.arange(6, dtype="float32")})
    reader = SafetensorsReader(path, private=True)
    view = writable_view(reader.get_tensor("w"))
    reader.close()  # the mapping stays while the view (a weight's storage) lives
    import gc

    gc.collect()
    view[0] = 5.0
    assert view.tolist() == [5, 1, 2, 3, 4, 5]
