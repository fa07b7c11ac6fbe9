"""Span tasks: extractive reading comprehension (CMRC2018) and entity recognition (CLUENER).

Both map between characters and tokens with ``Tokenizer.rematch``: ``mapping[k]`` lists the
characters of the text that token ``k`` covers, so a token span converts back to a
character span exactly, whatever the tokenizer did to the text (lower-casing, accents, ``##``).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import keras
import numpy as np
from keras import ops

from clue import metrics, readers, submission
from clue.tasks import Task, pad, predict_fixed
from kerasformers.backend import global_pointer_crossentropy
from kerasformers.layers import ConditionalRandomField, GlobalPointer
from kerasformers.viterbi import ViterbiDecoder


def char_to_token(mapping: List[List[int]]) -> Tuple[Dict[int, int], Dict[int, int]]:
    """Character index -> index of the token that starts / ends there."""
    starts, ends = {}, {}
    for k, chars in enumerate(mapping):
        if chars:
            starts[chars[0]], ends[chars[-1]] = k, k
    return starts, ends


def span_loss(y_true, y_pred):
    """Cross-entropy of the start and of the end position; ``y_true`` ``[b, 2]``, ``y_pred`` ``[b, len, 2]``."""
    y_true = ops.cast(y_true, "int32")
    start = keras.losses.sparse_categorical_crossentropy(y_true[:, 0], y_pred[..., 0], from_logits=True)
    end = keras.losses.sparse_categorical_crossentropy(y_true[:, 1], y_pred[..., 1], from_logits=True)
    return (start + end) / 2


def padding_mask(token_ids):
    return ops.not_equal(token_ids, 0)


class SpanExtraction(Task):
    """CMRC2018: predict the answer's start and end token; long contexts are read in overlapping windows.

    Each window holds ``[CLS] question [SEP] context piece [SEP]``; consecutive pieces overlap by
    ``--doc-stride``-less half a window. A window without the answer is trained to point at ``[CLS]``.
    At prediction time the best span over all windows of a question wins.
    """

    name, title, monitor = "cmrc2018", "CMRC2018", "em"
    files = {"train": ["train.json"], "dev": ["dev.json"], "test": ["test.json"]}
    max_answer_tokens = 50

    def load(self, data_dir, split):
        return readers.load_cmrc2018(self.path(data_dir, split))

    def encode(self, samples, training):
        ids, segments, targets, windows = [], [], [], []
        for index, sample in enumerate(samples):
            question = self.tokenizer.encode(sample["question"], maxlen=self.maxlen // 2)[0]
            tokens = self.tokenizer.tokenize(sample["context"])[1:-1]
            mapping = self.tokenizer.rematch(sample["context"], tokens)
            context_ids = self.tokenizer.tokens_to_ids(tokens)
            size = max(1, self.maxlen - len(question) - 1)
            answer = self._answer_tokens(sample, mapping) if training else None
            start = 0
            while True:
                piece = context_ids[start : start + size]
                offset = len(question)
                target = (0, 0)
                if answer and start <= answer[0] and answer[1] < start + size:
                    target = (answer[0] - start + offset, answer[1] - start + offset)
                ids.append(question + piece + [self.tokenizer._token_end_id])
                segments.append([0] * len(question) + [1] * (len(piece) + 1))
                targets.append(target)
                windows.append((index, start, offset, len(piece), mapping))
                if start + size >= len(context_ids):
                    break
                start += max(1, size // 2)
        return (pad(ids, self.maxlen), pad(segments, self.maxlen)), np.array(targets, dtype="int32"), windows

    def _answer_tokens(self, sample, mapping):
        starts, ends = char_to_token(mapping)
        for answer in sample["answers"]:
            if answer["start"] is None:
                continue
            first, last = answer["start"], answer["start"] + len(answer["text"]) - 1
            if first in starts and last in ends:
                return starts[first], ends[last]
        return None

    def build(self, encoder):
        token_ids = encoder.model.inputs[0]
        logits = keras.layers.Dense(2, dtype="float32", kernel_initializer=encoder.initializer, name="Span-Logits")(encoder.model.output)
        mask = keras.layers.Lambda(lambda t: ops.cast(padding_mask(t), "float32")[..., None])(token_ids)
        logits = keras.layers.Lambda(lambda a: a[0] - (1.0 - a[1]) * 1e9, name="Span-Padding")([logits, mask])
        return keras.Model(encoder.model.inputs, logits)

    def loss(self, model):
        return span_loss

    def predict(self, model, samples, features):
        windows = features[2]
        logits = predict_fixed(model, features[0], self.args.batch_size)
        best: Dict[int, Tuple[float, str]] = {}
        for (index, start, offset, length, mapping), window in zip(windows, logits):
            begin, end = window[offset : offset + length, 0], window[offset : offset + length, 1]
            # Best (i, j) with i <= j < i + max_answer_tokens: scores[i, j] = begin[i] + end[j].
            scores = begin[:, None] + end[None, :]
            allowed = np.triu(np.ones_like(scores, dtype=bool)) & ~np.triu(np.ones_like(scores, dtype=bool), self.max_answer_tokens)
            scores = np.where(allowed, scores, -np.inf)
            i, j = np.unravel_index(int(scores.argmax()), scores.shape)
            context = samples[index]["context"]
            text = context[mapping[start + i][0] : mapping[start + j][-1] + 1] if mapping[start + i] and mapping[start + j] else ""
            if index not in best or scores[i, j] > best[index][0]:
                best[index] = (float(scores[i, j]), text)
        return [best.get(i, (0.0, ""))[1] for i in range(len(samples))]

    def score(self, predictions, samples):
        references = {s["id"]: [a["text"] for a in s["answers"]] for s in samples}
        return metrics.cmrc2018_scores({s["id"]: p for s, p in zip(samples, predictions)}, references)

    def write_submission(self, output_dir, samples, predictions):
        return submission.write_json_object(self.submission_path(output_dir), {s["id"]: p for s, p in zip(samples, predictions)})


class EntityRecognition(Task):
    """CLUENER2020 with a GlobalPointer head (default) or a CRF over BIO tags (``--head crf``)."""

    name, title, monitor = "cluener", "CLUENER2020", "f1"
    files = {"train": ["train.json"], "dev": ["dev.json"], "test": ["test.json"]}

    def add_arguments(self, parser):
        parser.add_argument("--head", choices=["globalpointer", "crf"], default="globalpointer")
        parser.add_argument("--head-size", type=int, default=64, help="GlobalPointer query/key size")

    def load(self, data_dir, split):
        return readers.load_cluener(self.path(data_dir, split))

    def fit_labels(self, data_dir, train):
        self.labels = readers.entity_types(train)
        self.tags = ["O"] + [f"{p}-{t}" for t in self.labels for p in "BI"]

    def _tokens(self, text):
        tokens = self.tokenizer.tokenize(text, maxlen=self.maxlen)
        return self.tokenizer.tokens_to_ids(tokens), self.tokenizer.rematch(text, tokens)

    def encode(self, samples, training):
        n, crf = len(samples), self.args.head == "crf"
        targets = np.zeros((n, self.maxlen) if crf else (n, len(self.labels), self.maxlen, self.maxlen), dtype="int32")
        ids, mappings = [], []
        for row, sample in enumerate(samples):
            token_ids, mapping = self._tokens(sample["text"])
            ids.append(token_ids)
            mappings.append(mapping)
            starts, ends = char_to_token(mapping)
            for start, end, kind in sample["entities"] or []:
                if start in starts and end in ends:
                    i, j, k = starts[start], ends[end], self.labels.index(kind)
                    if crf:
                        targets[row, i] = self.tags.index(f"B-{kind}")
                        targets[row, i + 1 : j + 1] = self.tags.index(f"I-{kind}")
                    else:
                        targets[row, k, i, j] = 1
        token_ids = pad(ids, self.maxlen)
        return (token_ids, np.zeros_like(token_ids)), targets, mappings

    def build(self, encoder):
        token_ids = encoder.model.inputs[0]
        mask = keras.layers.Lambda(padding_mask)(token_ids)
        x = encoder.model.output
        if self.args.head == "crf":
            scores = keras.layers.Dense(len(self.tags), dtype="float32", kernel_initializer=encoder.initializer, name="Tag-Scores")(x)
            self.crf = ConditionalRandomField(lr_multiplier=100, dtype="float32", name="CRF")
            output = self.crf(scores, mask=mask)
        else:
            head = GlobalPointer(len(self.labels), self.args.head_size, dtype="float32", kernel_initializer=encoder.initializer, name="GlobalPointer")
            output = head(x, mask=mask)
        return keras.Model(encoder.model.inputs, output)

    def loss(self, model):
        return self.crf.sparse_loss if self.args.head == "crf" else global_pointer_crossentropy

    def predict(self, model, samples, features):
        mappings = features[2]
        outputs = predict_fixed(model, features[0], self.args.batch_size)
        lengths = (features[0][0] != 0).sum(axis=1)
        decoder = ViterbiDecoder(keras.ops.convert_to_numpy(self.crf.trans)) if self.args.head == "crf" else None
        found = []
        for output, mapping, length, sample in zip(outputs, mappings, lengths, samples):
            spans = self._crf_spans(decoder.decode(output[:length])) if decoder else zip(*np.where(output > 0))
            entities = set()
            for k, i, j in spans:
                if 0 < i <= j < length - 1 and mapping[i] and mapping[j]:  # never [CLS]/[SEP]
                    entities.add((mapping[i][0], mapping[j][-1], self.labels[k]))
            found.append(entities)
        return found

    def _crf_spans(self, tags):
        spans, current = [], None
        for position, tag in enumerate(list(tags) + [0]):
            name = self.tags[tag]
            if current and name != f"I-{self.labels[current[0]]}":
                spans.append((current[0], current[1], position - 1))
                current = None
            if name.startswith("B-"):
                current = (self.labels.index(name[2:]), position)
        return spans

    def score(self, predictions, samples):
        return metrics.entity_f1(predictions, [set(s["entities"]) for s in samples])

    def write_submission(self, output_dir, samples, predictions):
        labels = [submission.entities_to_clue(s["text"], p) for s, p in zip(samples, predictions)]
        return submission.write_label_lines(self.submission_path(output_dir), [s["id"] for s in samples], labels)
