"""DataGenerator feeding Keras: variable batch lengths, bert4keras-style list batches, length buckets."""

import keras
import numpy as np
import pytest

from kerasformers.batching import keras_structure, padding_buckets
from kerasformers.snippets import DataGenerator, sequence_padding


class PairBatches(DataGenerator):
    """Written as a bert4keras script writes it: lists, padded per batch."""

    def __iter__(self, random=False):
        batch_token_ids, batch_segment_ids, batch_labels = [], [], []
        for is_end, (token_ids, label) in self.sample(random):
            batch_token_ids.append(token_ids)
            batch_segment_ids.append([0] * len(token_ids))
            batch_labels.append([label])
            if len(batch_token_ids) == self.batch_size or is_end:
                batch_token_ids = sequence_padding(batch_token_ids)
                batch_segment_ids = sequence_padding(batch_segment_ids)
                yield [batch_token_ids, batch_segment_ids], sequence_padding(batch_labels)
                batch_token_ids, batch_segment_ids, batch_labels = [], [], []


def pair_model():
    token_ids = keras.Input((None,), dtype="int32")
    segment_ids = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(20, 8)(token_ids) + keras.layers.Embedding(2, 8)(segment_ids)
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model([token_ids, segment_ids], keras.layers.Dense(2, activation="softmax")(x))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def ordered_data():
    # Batches of 2 in order: lengths 14, 14, then 13 -- the order in which Keras's generator
    # adapter, which guesses the signature from the first two batches, failed on TensorFlow.
    lengths = [14, 12, 14, 10, 13, 9, 5]
    return [([1 + i % 9] * n, i % 2) for i, n in enumerate(lengths)]


def test_fit_evaluate_predict_when_the_third_batch_has_another_length():
    data = ordered_data()
    generator = PairBatches(data, batch_size=2, buckets=None)
    shapes = [x[0].shape[1] for x, _ in generator]
    assert shapes == [14, 14, 13, 5]  # the failing order, forced
    model = pair_model()
    history = model.fit(generator.forfit(random=False), steps_per_epoch=len(generator), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    loss, accuracy = model.evaluate(generator.forfit(random=False), steps=len(generator), verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1
    probas = model.predict(generator.fortest(), steps=len(generator), verbose=0)
    assert probas.shape == (len(data), 2)
    first = sequence_padding([t for t, _ in data[:2]])
    expected = model.predict([first, np.zeros_like(first)], verbose=0)
    np.testing.assert_allclose(probas[:2], expected, rtol=1e-5, atol=1e-6)


def test_forfit_iterates_as_bert4keras_did():
    generator = PairBatches(ordered_data(), batch_size=2, buckets=None)
    stream = generator.forfit(random=False)
    first = [next(stream) for _ in range(5)]  # endless: wraps around after 4 batches
    assert isinstance(first[0], tuple) and isinstance(first[0][0], list)  # the generator's own structure
    assert [b[0][0].shape[1] for b in first] == [14, 14, 13, 5, 14]
    inputs = next(generator.fortest())
    assert isinstance(inputs, list) and len(inputs) == 2


def test_length_buckets_round_padding_up():
    data = ordered_data()
    lengths = lambda g: [x[0].shape[1] for x, _ in g]  # noqa: E731
    assert lengths(PairBatches(data, batch_size=2, buckets=8)) == [16, 16, 16, 5]
    assert lengths(PairBatches(data, batch_size=2, buckets=[6, 16])) == [16, 16, 16, 5]
    auto = lengths(PairBatches(data, batch_size=2))
    assert auto == ([32, 32, 32, 5] if keras.config.backend() == "jax" else [14, 14, 13, 5])
    # A batch of one keeps its length. Arrays padded in the same batch get the same bucket;
    # padding outside a generator is unchanged.
    batch = next(iter(PairBatches(data, batch_size=2, buckets=8)))
    assert batch[0][0].shape == batch[0][1].shape == (2, 16)
    assert sequence_padding([[1, 2, 3]]).shape == (1, 3)
    # Label columns and class vectors, rows all as long, keep their width inside a generator too.
    assert batch[1].shape == (2, 1)
    with padding_buckets(8):
        assert sequence_padding([[0, 1, 1], [1, 0, 0]]).shape == (2, 3)
        assert sequence_padding([np.ones((2, 3, 3)), np.ones((2, 5, 5))], seq_dims=3).shape == (2, 2, 8, 8)
    with pytest.raises(ValueError, match="buckets"):
        PairBatches(data, buckets="fast")


def test_buckets_do_not_leak_while_the_generator_is_suspended():
    generator = iter(PairBatches(ordered_data(), batch_size=2, buckets=64))
    assert next(generator)[0][0].shape[1] == 64
    assert sequence_padding([[1, 2, 3]]).shape == (1, 3)  # the consumer pads as before
    with padding_buckets(4):
        assert sequence_padding([[1, 2, 3], [4]]).shape == (2, 4)
        assert sequence_padding([[1, 2, 3]], length=3).shape == (1, 3)  # explicit lengths win


def test_bucketed_training_matches_unbucketed_for_masked_inputs():
    # Padding to a bucket only adds padding: a mask-aware model computes the same loss.
    token_ids = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(20, 8, mask_zero=True)(token_ids)
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(token_ids, keras.layers.Dense(2)(x))
    batch = [[1, 2, 3], [4, 5]]
    plain = model.predict(sequence_padding(batch), verbose=0)
    with padding_buckets(32):
        bucketed = model.predict(sequence_padding(batch), verbose=0)
    np.testing.assert_allclose(plain, bucketed, rtol=1e-5, atol=1e-6)


def test_keras_structure_of_bert4keras_batches():
    x = np.zeros((2, 3))
    (inputs,) = keras_structure([[x, x], None])  # a loss-layer model's batch: no targets
    assert isinstance(inputs, tuple) and len(inputs) == 2
    structured = keras_structure([[x, x], [1, 0]])
    assert isinstance(structured[0], tuple) and structured[1].tolist() == [1, 0]


class TagBatches(DataGenerator):
    def __iter__(self, random=False):
        batch_token_ids, batch_labels = [], []
        for is_end, (token_ids, labels) in self.sample(random):
            batch_token_ids.append(token_ids)
            batch_labels.append(labels)
            if len(batch_token_ids) == self.batch_size or is_end:
                yield [sequence_padding(batch_token_ids)], sequence_padding(batch_labels)
                batch_token_ids, batch_labels = [], []


def test_crf_tagger_trains_through_forfit_with_varying_lengths():
    # The bert4keras NER pattern: a CRF loss scans over the sequence, whose length changes per batch.
    from kerasformers.layers import ConditionalRandomField

    lengths = [9, 6, 9, 4, 7, 3]
    data = [([1 + (i + j) % 9 for j in range(n)], [(i + j) % 3 for j in range(n)]) for i, n in enumerate(lengths)]
    generator = TagBatches(data, batch_size=2, buckets=None)
    token_ids = keras.Input((None,), dtype="int32")
    crf = ConditionalRandomField()
    scores = keras.layers.Dense(3)(keras.layers.Embedding(10, 8, mask_zero=True)(token_ids))
    model = keras.Model(token_ids, crf(scores))
    model.compile(loss=crf.sparse_loss, optimizer="adam")
    history = model.fit(generator.forfit(random=False), steps_per_epoch=len(generator), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
