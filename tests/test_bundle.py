"""Tests of the TensorFlow-free V2 checkpoint reader and writer.

Where TensorFlow is installed, TensorFlow itself is the reference: it must read
what ``write_checkpoint`` writes, and ``CheckpointReader`` must report exactly
what ``tf.train.load_checkpoint`` reports for checkpoints TensorFlow wrote.
``tests/data/tf_written`` keeps such TensorFlow-written checkpoints (and what
TensorFlow read back from them) for machines without TensorFlow.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import struct

import ml_dtypes
import numpy as np
import pytest

from kerasformers.checkpoints import bundle
from kerasformers.checkpoints.bundle import (
    CheckpointReader,
    list_variables,
    load_checkpoint,
    load_variable,
    resolve_checkpoint_prefix,
    write_checkpoint,
)
from kerasformers.checkpoints.errors import (
    CheckpointCorruptedError,
    CheckpointError,
    CheckpointNotFoundError,
    VariableNotFoundError,
)
from kerasformers.checkpoints.protobuf import BundleEntry, BundleHeader, encode_entry, encode_header
from kerasformers.checkpoints.snappy import SnappyError, decompress
from kerasformers.checkpoints.sstable import build_table, read_index_block, read_table

TF_WRITTEN = pathlib.Path(__file__).parent / "data" / "tf_written"


def sample_variables() -> dict:
    """One variable per supported dtype, with the shapes that trip writers up."""
    rng = np.random.default_rng(0)
    return {
        "bert/embeddings/word_embeddings": rng.standard_normal((7, 5)).astype(np.float32),
        "bert/embeddings/word_embeddings/adam_m": rng.standard_normal((7, 5)).astype(np.float32),
        "bert/encoder/layer_0/attention/self/query/kernel":
            rng.standard_normal((5, 5)).astype(ml_dtypes.bfloat16),
        "bert/encoder/layer_0/attention/self/query/bias": rng.standard_normal(5).astype(np.float16),
        "global_step": np.int64(-(2**40) - 3),
        "scalar_f32": np.float32(1.5),
        "float64": rng.standard_normal((2, 1, 3)),
        "int32": np.array([[1, -2], [3, 2**31 - 1]], np.int32),
        "int64": np.array([2**62, -1], np.int64),
        "bool": np.array([True, False, True]),
        "empty": np.zeros((0, 4), np.float32),
        "empty_bf16": np.zeros((3, 0), ml_dtypes.bfloat16),
        "uint8": np.arange(5, dtype=np.uint8),
        "int8": np.array([-128, 127], np.int8),
        "complex64": np.array([1 + 2j, -3j], np.complex64),
        "big_endian_input": np.arange(4, dtype=">i4"),
        "fortran_order_input": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
        "名字/ünïcode": np.ones(2, np.float32),
    }


def assert_same(actual: np.ndarray, expected) -> None:
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype.newbyteorder("=")
    np.testing.assert_array_equal(actual, expected)


def write_hand_made(tmp_path, entries, data: bytes = b"", header=BundleHeader()) -> str:
    """A bundle whose index entries are given verbatim, to fake what writers never write."""
    prefix = str(tmp_path / "hand.ckpt")
    items = [(b"", encode_header(header))]
    items += [(name.encode(), encode_entry(entry)) for name, entry in sorted(entries.items())]
    (tmp_path / "hand.ckpt.index").write_bytes(build_table(items))
    for shard in range(header.num_shards):
        pathlib.Path(bundle.data_file_path(prefix, shard, header.num_shards)).write_bytes(data)
    return prefix


# ----------------------------------------------------------------------------- round trips


def test_round_trip_keeps_names_shapes_dtypes_and_values(tmp_path):
    variables = sample_variables()
    prefix = write_checkpoint(tmp_path / "model.ckpt", variables)
    assert prefix == str(tmp_path / "model.ckpt")
    with CheckpointReader(prefix) as reader:
        names = sorted(variables)
        assert reader.list_variables() == [(n, list(np.shape(variables[n]))) for n in names]
        assert reader.keys() == names and list(reader) == names and len(reader) == len(names)
        assert reader.get_variable_to_shape_map() == {n: list(np.shape(v)) for n, v in variables.items()}
        dtypes = reader.get_variable_to_dtype_map()
        assert dtypes["bert/encoder/layer_0/attention/self/query/kernel"] == ml_dtypes.bfloat16
        assert dtypes["global_step"] == np.int64
        for name, value in variables.items():
            assert reader.has_tensor(name) and name in reader
            tensor = reader.get_tensor(name)
            assert_same(tensor, value)
            assert tensor.flags.c_contiguous and tensor.flags.writeable and tensor.flags.owndata
            assert dtypes[name] == tensor.dtype
        # Each call returns its own copy.
        first = reader.get_tensor("int32")
        first[...] = 0
        assert reader.get_tensor("int32")[1, 1] == 2**31 - 1
        assert not reader.has_tensor("missing") and "missing" not in reader
    assert list_variables(prefix) == reader.list_variables()
    assert load_variable(prefix, "global_step") == variables["global_step"]
    assert load_checkpoint(prefix).get_tensor("global_step").shape == ()


def test_written_files_and_state_file(tmp_path):
    write_checkpoint(tmp_path / "sub" / "model.ckpt-100", {"w": np.ones(3, np.float32)})
    assert sorted(os.listdir(tmp_path / "sub")) == [
        "checkpoint", "model.ckpt-100.data-00000-of-00001", "model.ckpt-100.index"]
    assert (tmp_path / "sub" / "checkpoint").read_text() == (
        'model_checkpoint_path: "model.ckpt-100"\nall_model_checkpoint_paths: "model.ckpt-100"\n')
    # The folder alone now finds the checkpoint.
    assert resolve_checkpoint_prefix(tmp_path / "sub") == str(tmp_path / "sub" / "model.ckpt-100")
    write_checkpoint(tmp_path / "other" / "m", {"w": np.ones(3)}, write_state_file=False)
    assert "checkpoint" not in os.listdir(tmp_path / "other")


def test_two_shards_balance_bytes_and_read_back(tmp_path):
    variables = sample_variables()
    variables["big"] = np.arange(1000, dtype=np.float32)
    prefix = write_checkpoint(str(tmp_path / "m.ckpt"), variables, num_shards=2)
    sizes = [os.path.getsize(bundle.data_file_path(prefix, s, 2)) for s in range(2)]
    assert min(sizes) > 0  # both shards carry tensors
    with CheckpointReader(prefix) as reader:
        assert reader.num_shards == 2
        for name, value in variables.items():
            assert_same(reader.get_tensor(name), value)


def test_many_variables_span_several_blocks_with_restarts(tmp_path):
    # Names sharing long prefixes exercise prefix compression; non-ASCII names
    # check that keys are ordered by UTF-8 bytes.
    variables = {f"bert/encoder/layer_{i}/attention/self/query/kernel": np.full(2, i, np.int32)
                 for i in range(495)}
    variables.update({"a": np.int32(1), "a/b": np.int32(2), "a0": np.int32(3), "ä": np.int32(4),
                      "Z": np.int32(5)})
    prefix = write_checkpoint(tmp_path / "many.ckpt", variables)
    data = (tmp_path / "many.ckpt.index").read_bytes()
    blocks = read_index_block(data)
    assert len(blocks) > 1
    _, offset, size = blocks[0]
    (num_restarts,) = struct.unpack_from("<I", data, offset + size - 4)
    assert num_restarts > 1
    keys = [key for key, _ in read_table(data)]
    assert keys == sorted(keys) and keys[0] == b""
    reader = CheckpointReader(prefix)
    assert [n for n, _ in reader.list_variables()] == sorted(variables)
    for name in ("a", "a/b", "ä", "bert/encoder/layer_321/attention/self/query/kernel"):
        assert_same(reader.get_tensor(name), variables[name])


def snappy_index(prefix: str, block_size: int = 256) -> None:
    """Rewrites ``prefix.index`` with every block snappy-compressed by cramjam."""
    cramjam = pytest.importorskip("cramjam")
    path = pathlib.Path(prefix + ".index")
    items = read_table(path.read_bytes())
    table = build_table(items, block_size=block_size,
                        compressor=lambda block: bytes(cramjam.snappy.compress_raw(block)))
    path.write_bytes(table)
    for _, offset, size in read_index_block(table):
        assert table[offset + size] == 1  # the trailer's compression type: snappy


def test_reads_snappy_compressed_index(tmp_path):
    variables = sample_variables()
    variables.update({f"layer_{i:03d}/kernel": np.full((2, 2), i, np.float32) for i in range(60)})
    prefix = write_checkpoint(tmp_path / "snappy.ckpt", variables, num_shards=2)
    snappy_index(prefix)
    with CheckpointReader(prefix) as reader:
        assert reader.keys() == sorted(variables)
        for name, value in variables.items():
            assert_same(reader.get_tensor(name), value)


def test_snappy_decoder_reads_cramjam_output():
    cramjam = pytest.importorskip("cramjam")
    rng = np.random.default_rng(1)
    text = b"".join(rng.choice([b"bert/", b"layer_", b"kernel", b"\x08\x01"], 3000).tolist())
    for data in (b"", b"x", text, rng.integers(0, 256, 70000, dtype=np.uint8).tobytes() + text):
        assert decompress(bytes(cramjam.snappy.compress_raw(data))) == data


def test_snappy_decoder_handles_every_element_kind():
    # A 61-byte literal (one extra length byte), a 4-byte-offset copy, an
    # overlapping 2-byte-offset copy and an overlapping 1-byte-offset copy.
    literal = bytes(range(61))
    stream = bytes([61 + 7 + 3 + 9]) + bytes([60 << 2, 60]) + literal
    stream += bytes([(7 - 1) << 2 | 3]) + (61).to_bytes(4, "little")
    stream += bytes([(3 - 1) << 2 | 2]) + (2).to_bytes(2, "little")
    stream += bytes([(9 - 4) << 2 | 1, 1])
    assert decompress(stream) == literal + literal[:7] + bytes([5, 6, 5]) + bytes([5]) * 9
    with pytest.raises(SnappyError, match="offset"):
        decompress(b"\x05\x01\x01")  # a copy before any output
    with pytest.raises(SnappyError, match="announced"):
        decompress(b"\x05\x00a")
    with pytest.raises(SnappyError, match="literal"):
        decompress(b"\x05\x10ab")  # a 5-byte literal with 2 bytes left


# ----------------------------------------------------------------------------- errors


def test_corrupted_data_byte_names_variable_and_shard(tmp_path):
    variables = {"bert/pooler/dense/kernel": np.ones((4, 4), np.float32),
                 "bert/pooler/dense/bias": np.zeros(4, np.float32)}
    prefix = write_checkpoint(tmp_path / "m.ckpt", variables)
    data_file = pathlib.Path(prefix + ".data-00000-of-00001")
    raw = bytearray(data_file.read_bytes())
    raw[-3] ^= 0x40  # the kernel is stored last (names are sorted)
    data_file.write_bytes(bytes(raw))
    reader = CheckpointReader(prefix)
    with pytest.raises(CheckpointCorruptedError) as info:
        reader.get_tensor("bert/pooler/dense/kernel")
    assert "bert/pooler/dense/kernel" in str(info.value) and str(data_file) in str(info.value)
    assert_same(reader.get_tensor("bert/pooler/dense/bias"), variables["bert/pooler/dense/bias"])
    unchecked = CheckpointReader(prefix, verify_crc=False).get_tensor("bert/pooler/dense/kernel")
    assert (unchecked != 1).sum() == 1


def test_truncated_data_file(tmp_path):
    prefix = write_checkpoint(tmp_path / "m.ckpt", {"w": np.ones(100, np.float32)})
    data_file = pathlib.Path(prefix + ".data-00000-of-00001")
    data_file.write_bytes(data_file.read_bytes()[:250])
    with pytest.raises(CheckpointCorruptedError, match=r"'w'.*truncated"):
        CheckpointReader(prefix).get_tensor("w")


@pytest.mark.parametrize("cut", [10, 60, -1])
def test_truncated_index_names_the_file(tmp_path, cut):
    prefix = write_checkpoint(tmp_path / "m.ckpt", sample_variables())
    index = pathlib.Path(prefix + ".index")
    index.write_bytes(index.read_bytes()[:cut])
    with pytest.raises(CheckpointCorruptedError, match=str(index).replace("\\", "\\\\")):
        CheckpointReader(prefix)


def test_bad_magic_and_damaged_block(tmp_path):
    prefix = write_checkpoint(tmp_path / "m.ckpt", sample_variables())
    index = pathlib.Path(prefix + ".index")
    good = index.read_bytes()
    index.write_bytes(good[:-8] + b"\0" * 8)
    with pytest.raises(CheckpointCorruptedError, match="bad magic"):
        CheckpointReader(prefix)
    damaged = bytearray(good)
    damaged[20] ^= 0xFF  # inside the first data block
    index.write_bytes(bytes(damaged))
    with pytest.raises(CheckpointCorruptedError, match="checksum"):
        CheckpointReader(prefix)


def test_unknown_and_unsupported_dtype_enums_are_named(tmp_path):
    prefix = write_hand_made(tmp_path, {
        "odd": BundleEntry(dtype=99, shape=(2,), size=8, crc32c=1),
        "handle": BundleEntry(dtype=20, shape=(), size=0, crc32c=1),
        "ok": BundleEntry(dtype=1, shape=(), size=0, crc32c=1),
    })
    reader = CheckpointReader(prefix)
    assert reader.list_variables() == [("handle", []), ("odd", [2]), ("ok", [])]
    with pytest.raises(CheckpointError, match=r"'odd'.*enum 99"):
        reader.get_tensor("odd")
    with pytest.raises(CheckpointError, match=r"'handle'.*DT_RESOURCE"):
        reader.get_tensor("handle")
    with pytest.raises(CheckpointError, match="handle|odd"):
        reader.get_variable_to_dtype_map()


def test_entry_size_disagreeing_with_shape(tmp_path):
    prefix = write_hand_made(tmp_path, {"w": BundleEntry(dtype=1, shape=(3,), size=8)}, b"\0" * 8)
    with pytest.raises(CheckpointCorruptedError, match=r"'w'.*needs 12 bytes"):
        CheckpointReader(prefix).get_tensor("w")


def test_big_endian_bundle_is_byteswapped(tmp_path):
    from kerasformers.checkpoints.crc import crc32c, mask

    value = np.array([1.5, -2.0, 3.25], ">f4")
    data = value.tobytes() + np.array([7], ">i8").tobytes()
    entries = {"w": BundleEntry(1, (3,), offset=0, size=12, crc32c=mask(crc32c(data[:12]))),
               "step": BundleEntry(9, (), offset=12, size=8, crc32c=mask(crc32c(data[12:])))}
    reader = CheckpointReader(write_hand_made(tmp_path, entries, data, BundleHeader(endianness=1)))
    assert_same(reader.get_tensor("w"), value.astype("<f4"))
    assert reader.get_tensor("step") == 7


def test_missing_data_shard_and_missing_variable(tmp_path):
    prefix = write_checkpoint(tmp_path / "m.ckpt", sample_variables(), num_shards=2)
    reader = CheckpointReader(prefix)
    with pytest.raises(VariableNotFoundError) as info:
        reader.get_tensor("bert/embeddings/word_embedding")
    assert isinstance(info.value, KeyError) and isinstance(info.value, CheckpointError)
    assert "'bert/embeddings/word_embeddings'" in str(info.value)
    assert not str(info.value).startswith('"')  # a plain message, not KeyError's repr
    os.remove(prefix + ".data-00001-of-00002")
    errors = []
    for name in reader:
        try:
            reader.get_tensor(name)
        except CheckpointNotFoundError as e:
            errors.append(str(e))
    assert errors and all("data-00001-of-00002 of checkpoint" in e for e in errors)


def test_writer_refuses_what_it_cannot_store(tmp_path):
    target = tmp_path / "m.ckpt"
    for bad in ({"s": np.array(["text"])}, {"o": np.array([{}], object)},
                {"d": np.array(["2020-01-01"], "datetime64[D]")}):
        with pytest.raises(ValueError, match="dtype"):
            write_checkpoint(target, bad)
    for name in (3, b"bytes", ""):
        with pytest.raises(ValueError, match="names"):
            write_checkpoint(target, {name: np.ones(1)})
    with pytest.raises(ValueError, match="num_shards"):
        write_checkpoint(target, {"w": np.ones(1)}, num_shards=0)
    assert not os.listdir(tmp_path)  # nothing half-written


# ----------------------------------------------------------------------------- locating


def test_resolves_prefix_files_and_folders(tmp_path):
    prefix = write_checkpoint(tmp_path / "ckpt" / "bert_model.ckpt", {"w": np.ones(1)},
                              num_shards=2, write_state_file=False)
    for given in (prefix, pathlib.Path(prefix), prefix + ".index", prefix + ".data-00001-of-00002",
                  tmp_path / "ckpt"):  # the folder's only *.index
        assert resolve_checkpoint_prefix(given) == prefix
    state = tmp_path / "ckpt" / "checkpoint"
    write_checkpoint(tmp_path / "ckpt" / "model.ckpt-7", {"w": np.zeros(1)}, write_state_file=False)
    state.write_text('model_checkpoint_path: "model.ckpt-7"\n')
    assert resolve_checkpoint_prefix(tmp_path / "ckpt") == str(tmp_path / "ckpt" / "model.ckpt-7")
    # Released checkpoints often name the author's absolute path.
    state.write_text('model_checkpoint_path: "/home/someone/bert/bert_model.ckpt"\n')
    assert resolve_checkpoint_prefix(tmp_path / "ckpt") == prefix
    state.write_text('model_checkpoint_path: "model.ckpt-9"\n')
    with pytest.raises(CheckpointNotFoundError, match="model.ckpt-9"):
        resolve_checkpoint_prefix(tmp_path / "ckpt")
    state.unlink()
    with pytest.raises(CheckpointNotFoundError, match=r"2 checkpoints.*bert_model\.ckpt\.index"):
        resolve_checkpoint_prefix(tmp_path / "ckpt")


def test_missing_checkpoints_say_what_was_looked_for(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointNotFoundError,
                       match=r"folder .*empty has no `checkpoint` file and no \*\.index file"):
        CheckpointReader(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match=r"nope\.ckpt\.index does not exist"):
        load_checkpoint(tmp_path / "nope.ckpt")
    write_checkpoint(tmp_path / "real.ckpt", {"w": np.ones(1)})
    with pytest.raises(CheckpointNotFoundError, match=r"real\.ckpt\.index"):  # hints at what exists
        list_variables(tmp_path / "rea.ckpt")
    (tmp_path / "model.ckpt").write_bytes(b"V1 checkpoint")
    with pytest.raises(CheckpointNotFoundError, match="V1"):
        resolve_checkpoint_prefix(tmp_path / "model.ckpt")


# ----------------------------------------------------------------------------- TensorFlow's files


def _check_against_expected(reader: CheckpointReader, expected: dict) -> None:
    assert reader.list_variables() == [(n, expected[n]["shape"]) for n in sorted(expected)]
    dtypes = reader.get_variable_to_dtype_map()
    for name, item in expected.items():
        value = reader.get_tensor(name)
        assert list(value.shape) == item["shape"], name
        if item["dtype"] == "string":
            assert [bytes(x).hex() for x in value.reshape(-1)] == item["hex"]
            continue
        stored = ml_dtypes.bfloat16 if item["dtype"] == "bfloat16" else item["dtype"]
        assert dtypes[name] == value.dtype == np.dtype(stored), name
        flat = value.reshape(-1)
        assert (flat.astype(np.float64) if value.dtype.kind == "f" or value.dtype == ml_dtypes.bfloat16
                else flat).tolist() == item["values"], name


@pytest.mark.parametrize("kind", ["single", "sharded", "object_graph"])
def test_reads_checkpoints_written_by_tensorflow(kind):
    expected = json.loads((TF_WRITTEN / "expected.json").read_text())["checkpoints"][kind]
    prefix = str(TF_WRITTEN / expected["prefix"])
    with CheckpointReader(prefix) as reader:
        _check_against_expected(reader, expected["variables"])
        assert reader.num_shards == (2 if kind == "sharded" else 1)
    if kind == "single":  # TensorFlow's own `checkpoint` state file
        assert resolve_checkpoint_prefix(TF_WRITTEN / "single") == prefix


def _make_tf_written():
    spec = importlib.util.spec_from_file_location("make_tf_written", TF_WRITTEN / "make_tf_written.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tensorflow_reads_what_we_write(tmp_path):
    tf = pytest.importorskip("tensorflow")
    variables = sample_variables()
    variables.update({f"layer_{i:03d}/kernel": np.full((2, 2), i, np.float32) for i in range(300)})
    for num_shards, compressed in ((1, False), (2, False), (3, True)):
        prefix = write_checkpoint(tmp_path / f"{num_shards}" / "model.ckpt", variables,
                                  num_shards=num_shards)
        if compressed:
            snappy_index(prefix)
        assert tf.train.latest_checkpoint(str(tmp_path / f"{num_shards}")) == prefix
        assert tf.train.list_variables(prefix) == [(n, list(np.shape(variables[n])))
                                                   for n in sorted(variables)]
        reader = tf.train.load_checkpoint(prefix)
        dtypes = reader.get_variable_to_dtype_map()
        for name, value in variables.items():
            assert dtypes[name].as_numpy_dtype == np.asarray(value).dtype.newbyteorder("=")
            assert_same(np.asarray(reader.get_tensor(name)), value)


def test_reader_agrees_with_tensorflow_on_fresh_tensorflow_checkpoints(tmp_path):
    pytest.importorskip("tensorflow")
    make = _make_tf_written()
    for kind, prefix in make.write_tf_checkpoints(str(tmp_path)).items():
        with CheckpointReader(prefix) as reader:
            _check_against_expected(reader, make.describe(prefix))
