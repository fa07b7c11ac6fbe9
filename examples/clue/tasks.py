"""The task kinds behind the CLUE scripts: what to read, how to encode, which head, how to score.

A :class:`Task` answers the questions :func:`clue.training.main` asks, in order: ``load`` each
split, ``fit_labels``, ``encode``, ``build`` the head on the encoder, its ``loss``, ``predict``,
``score`` and ``write_submission``. Sentence classification and multiple choice live here;
span extraction and entity recognition in :mod:`clue.spans`.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, List, Sequence

import keras
import numpy as np
from keras import ops

from clue import metrics, readers, submission


def pad(rows: Sequence[Sequence[int]], length: int) -> np.ndarray:
    """Right-pad token id lists to one fixed length (fixed shapes: one compiled step per model)."""
    out = np.zeros((len(rows), length), dtype="int32")
    for i, row in enumerate(rows):
        out[i, : len(row)] = row[:length]
    return out


def predict_fixed(model, inputs, batch_size: int) -> np.ndarray:
    """``model.predict`` on inputs zero-padded to whole batches, so one compiled predict step serves all."""
    rows = len(inputs[0])
    extra = -rows % batch_size
    if extra:
        inputs = tuple(np.concatenate([x, np.zeros((extra,) + x.shape[1:], x.dtype)]) for x in inputs)
    return np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0))[:rows]


def first_token(encoder_output):
    """The ``[CLS]`` vector of the encoder's sequence output."""
    return keras.layers.Lambda(lambda x: x[:, 0], name="CLS-Token")(encoder_output)


class Task:
    """Base class: a CLUE task read from ``files[split]`` (the first name present in the folder).

    ``encode(samples, training)`` returns ``(inputs, targets, aux)``: model inputs, training
    targets, and whatever ``predict`` needs to map outputs back to text (or None).
    """

    name = ""
    title = ""
    files: Dict[str, Sequence[str]] = {"train": ["train.json"], "dev": ["dev.json"], "test": ["test1.1.json", "test.json"]}
    monitor = "accuracy"
    #: ``--demo`` settings a task needs beyond :data:`clue.training.DEMO_DEFAULTS`.
    demo_defaults: Dict[str, object] = {}

    def add_arguments(self, parser) -> None:
        """Task-specific command-line options (none by default)."""

    def prepare(self, args, tokenizer) -> None:
        self.args, self.tokenizer, self.maxlen = args, tokenizer, args.maxlen

    def path(self, data_dir: str, split: str) -> str:
        for name in self.files[split]:
            if os.path.exists(os.path.join(data_dir, name)):
                return os.path.join(data_dir, name)
        raise FileNotFoundError(f"{data_dir} has none of {list(self.files[split])} ({self.title} {split} split)")

    def load(self, data_dir: str, split: str) -> List[dict]:
        raise NotImplementedError

    def fit_labels(self, data_dir: str, train: List[dict]) -> None:
        self.labels = None

    def submission_path(self, output_dir: str) -> str:
        return os.path.join(output_dir, submission.SUBMISSION_FILES[self.name])


class SentenceClassification(Task):
    """One sentence or a pair -> one label (AFQMC, TNEWS, IFLYTEK, CMNLI, OCNLI, CLUEWSC2020, CSL).

    ``reader`` turns a file into ``{"id", "text_a", "text_b", "label"}`` samples.
    """

    def __init__(self, name: str, title: str, reader: Callable[[str], List[dict]], files=None):
        self.name, self.title, self.reader = name, title, reader
        if files:
            self.files = {**Task.files, **files}

    def load(self, data_dir, split):
        return self.reader(self.path(data_dir, split))

    def fit_labels(self, data_dir, train):
        self.labels = readers.label_set(data_dir, train)

    def encode(self, samples, training):
        ids, segments = zip(*(self.tokenizer.encode(s["text_a"], s["text_b"], maxlen=self.maxlen) for s in samples))
        targets = np.array([self.labels.index(s["label"]) if s["label"] is not None else 0 for s in samples])
        return (pad(ids, self.maxlen), pad(segments, self.maxlen)), targets, None

    def build(self, encoder):
        x = keras.layers.Dropout(0.1)(first_token(encoder.model.output))
        # float32 probabilities under mixed precision: the softmax and the loss stay exact.
        out = keras.layers.Dense(len(self.labels), activation="softmax", dtype="float32",
                                 kernel_initializer=encoder.initializer, name="Classifier")(x)  # fmt: skip
        return keras.Model(encoder.model.inputs, out)

    def loss(self, model):
        return "sparse_categorical_crossentropy"

    def predict(self, model, samples, features):
        probabilities = predict_fixed(model, features[0], self.args.batch_size)
        return [self.labels[i] for i in probabilities.argmax(axis=1)]

    def score(self, predictions, samples):
        return {"accuracy": metrics.accuracy(predictions, [s["label"] for s in samples])}

    def write_submission(self, output_dir, samples, predictions):
        return submission.write_label_lines(self.submission_path(output_dir), [s["id"] for s in samples], predictions)


@keras.saving.register_keras_serializable(package="clue")
class ChoiceScores(keras.layers.Layer):
    """Per-choice scores ``[batch * choices, 1]`` -> ``[batch, choices]``, padded choices at -1e9."""

    def __init__(self, num_choices: int, **kwargs):
        super().__init__(**kwargs)
        self.num_choices = num_choices

    def call(self, scores, choice_mask):
        scores = ops.reshape(ops.cast(scores, "float32"), (-1, self.num_choices))
        return ops.where(ops.cast(choice_mask, "bool"), scores, -1e9)

    def compute_output_shape(self, scores_shape, choice_mask_shape):
        return tuple(choice_mask_shape)

    def get_config(self):
        return {**super().get_config(), "num_choices": self.num_choices}


class MultipleChoice(Task):
    """Score each choice with the encoder, softmax over the choices (C3, ChID).

    Every question is encoded once per choice; ``pair(sample, choice)`` gives the two texts.
    The arrays are ``[questions, choices, maxlen]``, flattened to ``[questions * choices, maxlen]``.
    """

    #: --demo: 2 questions x 4 choices make the same 8 encoder rows per step as the other demos.
    demo_defaults = {"batch_size": 2}

    def __init__(self, name: str, title: str, load: Callable, pair: Callable, files: Dict, submission_kind: str):
        self.name, self.title, self._load, self.pair, self.kind = name, title, load, pair, submission_kind
        self.files = files

    def load(self, data_dir, split):
        return self._load(self, data_dir, split)

    def fit_labels(self, data_dir, train):
        self.num_choices = max(len(s["choices"]) for s in train)
        self.labels = [str(i) for i in range(self.num_choices)]

    def encode(self, samples, training):
        ids, segments, mask = [], [], np.zeros((len(samples), self.num_choices), dtype="int32")
        for i, sample in enumerate(samples):
            choices = sample["choices"][: self.num_choices]
            mask[i, : len(choices)] = 1
            for choice in choices + [""] * (self.num_choices - len(choices)):
                first, second = self.pair(sample, choice, self.maxlen)
                token_ids, segment_ids = self.tokenizer.encode(first, second, maxlen=self.maxlen)
                ids.append(token_ids)
                segments.append(segment_ids)
        targets = np.array([s["label"] or 0 for s in samples])
        rows = len(samples)
        return (pad(ids, self.maxlen).reshape(rows, -1), pad(segments, self.maxlen).reshape(rows, -1), mask), targets, None

    def build(self, encoder):
        n, length = self.num_choices, self.maxlen
        token_ids = keras.Input((n * length,), dtype="int32", name="Choice-Token")
        segment_ids = keras.Input((n * length,), dtype="int32", name="Choice-Segment")
        choice_mask = keras.Input((n,), dtype="int32", name="Choice-Mask")
        # [b, n * len] -> [b * n, len]: every choice goes through the encoder as its own row.
        flat = [keras.layers.Lambda(lambda x: ops.reshape(x, (-1, length)))(t) for t in (token_ids, segment_ids)]
        x = first_token(encoder.model(flat))
        scores = keras.layers.Dense(1, dtype="float32", kernel_initializer=encoder.initializer, name="Choice-Score")(x)
        return keras.Model([token_ids, segment_ids, choice_mask], ChoiceScores(n)(scores, choice_mask))

    def loss(self, model):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def predict(self, model, samples, features):
        logits = predict_fixed(model, features[0], self.args.batch_size)
        return [int(i) for i in logits.argmax(axis=1)]

    def score(self, predictions, samples):
        return {"accuracy": metrics.accuracy(predictions, [s["label"] for s in samples])}

    def write_submission(self, output_dir, samples, predictions):
        path = self.submission_path(output_dir)
        if self.kind == "json_object":
            return submission.write_json_object(path, {s["id"]: p for s, p in zip(samples, predictions)})
        return submission.write_label_lines(path, [s["id"] for s in samples], [str(p) for p in predictions])
