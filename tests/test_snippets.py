"""snippets helpers: user-visible behaviour, and bert4keras 0.11.5 goldens
(tests/goldens/make_tokenizer_goldens.py) where they are cheap to compare."""

import json
import lzma
import pathlib

import numpy as np
import pytest

from kerasformers import snippets as S
from kerasformers.snippets import (
    DataGenerator, delete_arguments, insert_arguments, longest_common_subsequence, longest_common_substring,
    sequence_padding, strQ2B, text_segmentate, truncate_sequences,
)

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def goldens():
    return json.loads(lzma.decompress((DATA / "tokenizer_snippets_goldens.json.xz").read_bytes()))


def _attempt(fn):
    try:
        return fn()
    except Exception as e:
        return {"error": type(e).__name__}


def _plain(obj):
    return json.loads(json.dumps(obj))


# ---------------------------------------------------------------- sequence_padding


def test_padding_post_pre_and_cut():
    batch = [[1, 2, 3], [4], []]
    out = sequence_padding(batch)
    assert out.shape == (3, 3) and out.dtype.kind == "f"  # the empty list is float, as np.pad makes it
    assert sequence_padding(batch[:2]).tolist() == [[1, 2, 3], [4, 0, 0]]
    assert sequence_padding(batch[:2], mode="pre", value=-1).tolist() == [[1, 2, 3], [-1, -1, 4]]
    # Cutting keeps the first items in both modes.
    assert sequence_padding(batch[:2], length=2, mode="pre").tolist() == [[1, 2], [0, 4]]
    assert sequence_padding(batch[:2], length=5).tolist() == [[1, 2, 3, 0, 0], [4, 0, 0, 0, 0]]


def test_padding_seq_dims_2_and_trailing_dims():
    mats = [np.ones((2, 3)), np.ones((4, 1))]
    out = sequence_padding(mats, seq_dims=2)
    assert out.shape == (2, 4, 3) and out[0].sum() == 6 and out[1, :, 0].sum() == 4
    assert sequence_padding(mats, length=[3, 2], seq_dims=2).shape == (2, 3, 2)
    # One int pads every sequence dim (bert4keras raised IndexError here).
    assert sequence_padding(mats, length=5, seq_dims=2).shape == (2, 5, 5)
    vectors = [np.ones((2, 8)), np.ones((3, 8))]
    assert sequence_padding(vectors).shape == (2, 3, 8)


def test_padding_bad_mode_names_the_valid_values():
    with pytest.raises(ValueError, match='"post" or "pre"'):
        sequence_padding([[1]], mode="middle")


def test_padding_matches_bert4keras(goldens):
    for i, case in enumerate(goldens["sequence_padding"]):
        if case["shapes"] is None:
            inputs = case["inputs"]
        else:
            inputs = [np.array(x, dtype=case["dtype"]).reshape(shape) for x, shape in zip(case["inputs"], case["shapes"])]
        length, expected = case["length"], case["result"]
        if expected == {"error": "IndexError"} and isinstance(length, int) and case["seq_dims"] > 1:
            length = [length] * case["seq_dims"]  # the deliberate difference: an int pads every dim
            expected = _attempt(lambda: sequence_padding(inputs, length, case["value"], case["seq_dims"], case["mode"]))
            assert np.shape(expected["value"] if isinstance(expected, dict) else expected)[1:3] == (length[0],) * 2
            continue
        got = _attempt(lambda: sequence_padding(inputs, length=length, value=case["value"],
                                                seq_dims=case["seq_dims"], mode=case["mode"]))
        if isinstance(got, np.ndarray):
            got = {"value": got.tolist(), "dtype": str(got.dtype), "shape": list(got.shape)}
        assert _plain(got) == expected, f"case {i}: {case}"


# ---------------------------------------------------------------- truncate_sequences


def test_truncation_order():
    first, second = list(range(10)), list(range(100, 104))
    truncate_sequences(8, -1, first, second)
    assert first == [0, 1, 2, 3] and second == [100, 101, 102, 103]  # the longer one loses items first
    tokens = ["[CLS]"] + list("abcdef") + ["[SEP]"]
    truncate_sequences(5, -2, tokens)  # what Tokenizer.tokenize(maxlen=...) does: keep [SEP]
    assert tokens == ["[CLS]", "a", "b", "c", "[SEP]"]
    tokens = ["[CLS]"] + list("abcdef") + ["[SEP]"]
    truncate_sequences(5, 1, tokens)  # truncate_from='left'
    assert tokens == ["[CLS]", "d", "e", "f", "[SEP]"]
    a, b = [1, 2, 3], [4, 5, 6]
    assert truncate_sequences(4, [-1, 0], a, None, [], b) == [[1, 2], [5, 6]]  # ties: the first list first


def test_truncation_long_left_cut_is_fast():
    tokens = list(range(200_000))
    truncate_sequences(512, 1, tokens)  # one slice deletion, not 199,488 pops from the front
    assert tokens == [0] + list(range(199_489, 200_000))


def test_truncation_matches_bert4keras(goldens):
    for i, case in enumerate(goldens["truncate_sequences"]):
        work = [None if s is None else list(s) for s in case["seqs"]]
        got = _attempt(lambda: truncate_sequences(case["maxlen"], case["indices"], *work))
        assert _plain([got, work]) == [case["result"], case["after"]], f"case {i}: {case}"


# ---------------------------------------------------------------- text_segmentate


def test_segmentation_lengths():
    text = "第一句话。第二句话比较长，有逗号，还有更多内容！第三句？" * 3
    pieces = text_segmentate(text, 12, "\n。！？，")
    assert "".join(pieces) == text and all(len(p) <= 12 for p in pieces)
    assert text_segmentate("short", 10) == ["short"]
    assert text_segmentate("a\nb\nc", 2, "\n") == ["a", "b", "c"]
    assert text_segmentate(" ab；cd；", 3, "；", strips="；") == ["ab", "cd"]


def test_segmentation_matches_bert4keras(goldens):
    for i, case in enumerate(goldens["text_segmentate"]):
        got = _attempt(lambda: text_segmentate(case["text"], case["maxlen"], case["seps"], case["strips"]))
        assert got == case["result"], f"case {i}: {case}"


# ---------------------------------------------------------------- small helpers


def test_longest_common_matches_bert4keras(goldens):
    for case in goldens["lcs"]:
        assert _plain(longest_common_substring(case["a"], case["b"])) == case["substring"], case
        assert _plain(longest_common_subsequence(case["a"], case["b"])) == case["subsequence"], case
    assert longest_common_substring([1, 2, 3], [0, 2, 3]) == (2, (1, 3, 1, 3))


def test_lowercase_and_normalize_matches_bert4keras(goldens):
    for text, expected in goldens["lowercase_and_normalize"]:
        assert S.lowercase_and_normalize(text) == expected, text


def test_softmax_and_to_array(goldens):
    case = goldens["softmax"]
    x = np.array(case["x"])
    np.testing.assert_allclose(S.softmax(x), case["axis_last"], rtol=1e-12)
    np.testing.assert_allclose(S.softmax(x, axis=1), case["axis_1"], rtol=1e-12)
    arrays = S.to_array([1, 2], [[1.5]], ["a", "bc"])
    assert [str(a.dtype) + str(a.shape) for a in arrays] == goldens["to_array"]
    assert isinstance(S.to_array([1]), np.ndarray)


def test_strQ2B_works_on_python3():
    assert strQ2B("ＨＥＬＬＯ，ｗｏｒｌｄ！１２３\u3000（中文）") == "HELLO,world!123 (中文)"


def test_string_helpers():
    assert S.is_string("a") and not S.is_string(b"a")
    assert S.convert_to_unicode("中".encode()) == "中" and S.convert_to_str("x") == "x"
    assert S.string_matching("bert4keras", ["gpt", r"\d"]) and not S.string_matching("abc", ["x"])
    a = np.zeros(3)
    assert S.is_one_of(a, [1, a]) and not S.is_one_of(np.zeros(3), [a])


def test_insert_and_delete_arguments():
    class Base:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    class Child(Base):
        @insert_arguments(final_activation="softmax")
        @delete_arguments("with_pool", "with_mlm")
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

    child = Child(final_activation="linear", other=1)
    assert child.final_activation == "linear" and child.kwargs == {"other": 1}
    assert Child().final_activation == "softmax"
    with pytest.raises(TypeError, match="Child got an unexpected keyword argument 'with_pool'"):
        Child(with_pool=True)


def test_indexable_open(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("一\ntwo\nthree\n", encoding="utf-8")
    with S.open(str(path), encoding="utf-8") as f:
        assert f.read() == "一\ntwo\nthree\n"
    cache = str(tmp_path / "offsets.json")
    with S.open(str(path), encoding="utf-8", indexable=cache) as f:
        assert list(f) == ["一\n", "two\n", "three\n"]
        assert len(f) == 3 and f[2] == "three\n" and f[0] == "一\n"
    f = S.open(str(path), encoding="utf-8", indexable=cache)  # offsets read back from the cache
    assert f[1] == "two\n"
    f.close()


# ---------------------------------------------------------------- DataGenerator


class _Batches(DataGenerator):
    def __iter__(self, random=False):
        batch = []
        for is_end, item in self.sample(random):
            batch.append(item)
            if len(batch) == self.batch_size or is_end:
                yield sequence_padding(batch), np.array([len(x) for x in batch])
                batch = []


def test_data_generator_batches_and_loops():
    data = [[1] * n for n in range(1, 8)]
    gen = _Batches(data, batch_size=3, buckets=None)  # no length buckets: bert4keras's exact shapes
    assert len(gen) == 3
    batches = list(gen)
    assert [x.shape for x, _ in batches] == [(3, 3), (3, 6), (1, 7)]
    fit = gen.forfit()
    assert sum(len(next(fit)[1]) for _ in range(6)) == 14  # loops forever over shuffled data
    test = gen.fortest()
    assert [next(test).shape for _ in range(4)] == [(3, 3), (3, 6), (1, 7), (3, 3)]  # inputs only, in order
    with pytest.raises(TypeError, match="no __len__"):
        len(_Batches(iter(data)))
    with pytest.raises(ValueError, match="empty"):
        list(_Batches([]))
    with pytest.raises(ValueError, match="batch_size"):
        _Batches(data, batch_size=0)
    with pytest.raises(NotImplementedError):
        iter(DataGenerator(data)).__next__()


def test_data_generator_shuffles_like_bert4keras(goldens):
    for case in goldens["data_generator"]:
        data = list(range(case["size"]))
        gen = _Batches(data, case["batch_size"], case["buffer_size"], buckets=None)
        assert gen.steps == case["steps"]
        np.random.seed(case["seed"])
        assert _plain(list(gen.sample(random=True))) == case["sized"], case
        np.random.seed(case["seed"])
        unsized = _Batches(iter(data), case["batch_size"], case["buffer_size"])
        assert _plain(list(unsized.sample(random=True))) == case["unsized"], case
        assert _plain(list(gen.sample())) == case["ordered"]


def test_to_dataset():
    tf = pytest.importorskip("tensorflow")

    class Examples(DataGenerator):  # to_dataset batches single examples (bert4keras's multi-GPU example)
        def __iter__(self, random=False):
            for _, item in self.sample(random):
                yield [item, [0] * len(item)], [[len(item)]]

    gen = Examples([[1, 2], [3], [4, 5, 6]], batch_size=2)
    dataset = gen.to_dataset(
        types=[("int64", "int64"), ("int64",)], shapes=[([None], [None]), ([1],)],
        names=[("Input-Token", "Input-Segment"), ("label",)], padded_batch=True,
    )
    inputs, labels = next(iter(dataset))
    # One output name for the targets gives the array itself: Keras 3 rejects a dict for a single output.
    assert set(inputs) == {"Input-Token", "Input-Segment"} and labels.shape == (2, 1)
    assert inputs["Input-Token"].shape[0] == 2 and tf.reduce_all(inputs["Input-Segment"] == 0)
    unnamed = gen.to_dataset(
        types=[("int64", "int64"), ("int64",)], shapes=[([None], [None]), ([1],)],
        names=[("Input-Token", "Input-Segment"), None], padded_batch=True,
    )
    inputs, (label,) = next(iter(unnamed))
    assert set(inputs) == {"Input-Token", "Input-Segment"} and label.shape == (2, 1)
    # Without names, and with fixed shapes (plain batching).
    plain = gen.to_dataset(types=[("int64", "int64"), ("int64",)], shapes=[([None], [None]), ([1],)], padded_batch=True)
    (tokens, segments), (label,) = next(iter(plain))
    assert tokens.shape[0] == 2 and label.shape == (2, 1)

    class Fixed(DataGenerator):
        def __iter__(self, random=False):
            for _, item in self.sample(random):
                yield [item, item], 1.0

    fixed = Fixed([[1, 2], [3, 4]], batch_size=2).to_dataset(types=(("int32", "int32"), "float32"), shapes=(([2], [2]), []))
    (tokens, _), label = next(iter(fixed))
    assert tokens.shape == (2, 2) and label.shape == (2,)

