"""Cached generation: the same ids as the uncached path, which gives bert4keras 0.11.5's ids.

Goldens (tests/data/generation_goldens.json) come from
tests/goldens/make_generation_goldens.py: bert4keras's own AutoRegressiveDecoder
on the same tiny checkpoints, recomputing the whole prefix each step.
"""

import json
import os
import warnings

import keras
import numpy as np
import pytest
from _synthetic_ner import few_threads

from kerasformers.generation import AutoRegressiveDecoder, LastToken, generate
from kerasformers.models import build_transformer_model

@pytest.fixture(autouse=True)
def _one_thread():
    with few_threads():  # tiny models: threads only spin on a busy CPU
        yield


DATA = os.path.join(os.path.dirname(__file__), "data")
with open(os.path.join(DATA, "generation_goldens.json")) as f:
    GOLDENS = json.load(f)
PROMPT, MAXLEN, END_ID = GOLDENS["prompt"], GOLDENS["maxlen"], GOLDENS["end_id"]

# case: (checkpoint folder, config, checkpoint prefix, build kwargs); same as the golden script.
CASES = {
    "bert_lm": ("bert_tiny", "bert_config.json", "bert_model.ckpt", {"application": "lm"}),
    "bert_unilm": ("bert_tiny", "bert_config.json", "bert_model.ckpt", {"application": "unilm"}),
    "nezha_lm": (
        "zoo/nezha", "bert_config.json", "model.ckpt-691689",
        {"model": "nezha", "application": "lm", "segment_vocab_size": 0},
    ),
    "nezha_gen": ("gpt/nezha_gen", "config.json", "gpt.ckpt", {"application": "lm", "segment_vocab_size": 0}),
    "gpt2": ("gpt/cpm_lm", "config.json", "model.ckpt", {"model": "gpt2"}),
    "gpt2_ml": ("gpt/gpt2_ml", "config.json", "model.ckpt-100000", {"model": "gpt2_ml"}),
    "roformer_lm": ("zoo/roformer", "bert_config.json", "bert_model.ckpt", {"model": "roformer", "application": "lm"}),
    "simbert_unilm": (
        "zoo/simbert", "bert_config.json", "bert_model.ckpt",
        {"application": "unilm", "with_pool": "linear", "return_keras_model": False},
    ),
}
_MODELS = {}


def model_for(case):
    """The decoding model of ``case``, built once per test session."""
    if case not in _MODELS:
        folder, config, ckpt, kwargs = CASES[case]
        folder = os.path.join(DATA, folder)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # segment_vocab_size=0 skips the checkpoints' segment tables
            model = build_transformer_model(os.path.join(folder, config), os.path.join(folder, ckpt), **kwargs)
        if case == "simbert_unilm":  # as SimBERT scripts do: the seq2seq model is the MLM output
            model = keras.Model(model.model.inputs, model.model.outputs[1])
        _MODELS[case] = model
    return _MODELS[case]


def decode(case, method, use_cache):
    model = model_for(case)
    segments = [0] * len(PROMPT) if len(model.inputs) > 1 else None
    kwargs = {"topk": 3} if method == "beam" else {}
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*recomputes")  # the cached path must not fall back
        return generate(model, PROMPT, segments, max_new_tokens=MAXLEN, method=method, end_id=END_ID,
                        use_cache=use_cache, **kwargs).tolist()


@pytest.mark.parametrize("method", ["greedy", "beam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_cached_ids_equal_bert4keras(case, method):
    assert decode(case, method, use_cache=True) == GOLDENS["cases"][case][method]


# The uncached path is the same code for every model: it is checked on the models the generation issue
# names (GPT2, GPT2_ML, NEZHA-GEN, UniLM); every case's cached ids equal bert4keras's above.
@pytest.mark.parametrize("method", ["greedy", "beam"])
@pytest.mark.parametrize("case", ["bert_unilm", "gpt2", "gpt2_ml", "nezha_gen"])
def test_uncached_ids_equal_bert4keras(case, method):
    assert decode(case, method, use_cache=False) == GOLDENS["cases"][case][method]


class Seq2Seq(AutoRegressiveDecoder):
    """A bert4keras script's decoder, unchanged but for imports (task_seq2seq_autotitle.py)."""

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.model = model

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        token_ids, segment_ids = inputs
        token_ids = np.concatenate([token_ids, output_ids], 1)
        segment_ids = np.concatenate([segment_ids, np.ones_like(output_ids)], 1)
        return self.last_token(self.model).predict([token_ids, segment_ids])


def test_seeded_sampling_reproducible_and_equal_to_bert4keras():
    decoder = Seq2Seq(model_for("bert_unilm"), start_id=None, end_id=END_ID, maxlen=MAXLEN)
    runs = []
    for _ in range(2):
        np.random.seed(0)  # bert4keras scripts seed the global generator
        runs.append([s.tolist() for s in decoder.random_sample([PROMPT, [0] * len(PROMPT)], 2, topk=5)])
    assert runs[0] == runs[1] == GOLDENS["cases"]["bert_unilm"]["sample"]
    # generate(seed=...) uses its own generator: same draws, global state untouched.
    model = model_for("bert_unilm")
    first = generate(model, PROMPT, [0] * len(PROMPT), MAXLEN, "sample", END_ID, topk=5, n=2, seed=0)
    again = generate(model, PROMPT, [0] * len(PROMPT), MAXLEN, "sample", END_ID, topk=5, n=2, seed=0)
    assert [s.tolist() for s in first] == [s.tolist() for s in again] == runs[0]


def test_last_token_serves_a_loss_wrapped_training_model_from_the_cache():
    """autotitle's model is Model(inputs, CrossEntropy(2)(inputs + outputs)); decoding still uses the cache."""
    from kerasformers.layers import Loss

    class CrossEntropy(Loss):
        def compute_loss(self, inputs, mask=None):
            y_true, y_pred = inputs[0][:, 1:], inputs[2][:, :-1]
            return keras.ops.mean(keras.ops.sparse_categorical_crossentropy(y_true, y_pred))

    base = model_for("bert_unilm")
    wrapped = keras.Model(base.inputs, CrossEntropy(2)(base.inputs + base.outputs))
    decoder = Seq2Seq(wrapped, start_id=None, end_id=END_ID, maxlen=MAXLEN)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*recomputes")
        ids = decoder.beam_search([PROMPT, [0] * len(PROMPT)], topk=3)
    assert ids.tolist() == GOLDENS["cases"]["bert_unilm"]["beam"]
    assert decoder.last_token(wrapped).cache.steps_served >= MAXLEN - 1


def test_a_predict_that_cannot_use_the_cache_warns_once_and_gives_the_same_ids():
    class Window(Seq2Seq):
        """Feeds only the last 8 tokens: prefixes no longer grow by one, so nothing is cached."""

        @AutoRegressiveDecoder.wraps(default_rtype="probas")
        def predict(self, inputs, output_ids, states):
            token_ids = np.concatenate([inputs[0], output_ids], 1)[:, -8:]
            return self.last_token(self.model).predict([token_ids, np.zeros_like(token_ids)])

    model = model_for("bert_lm")
    expected = Window(model, start_id=None, end_id=END_ID, maxlen=MAXLEN, use_cache=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ids = Window(model, start_id=None, end_id=END_ID, maxlen=MAXLEN).beam_search([PROMPT], topk=2)
    assert len([w for w in caught if "recomputes" in str(w.message)]) == 1
    assert ids.tolist() == expected.beam_search([PROMPT], topk=2).tolist()


def test_openai_gpt2_cached_greedy_is_the_argmax_of_the_whole_sequence():
    """OpenAI GPT-2 (id 0 is a token, not padding; no bert4keras golden): each greedy id is the argmax of
    the uncached model's output at its position, all read from one whole-sequence call."""
    folder = os.path.join(DATA, "gpt", "gpt2_openai")
    model = build_transformer_model(os.path.join(folder, "hparams.json"), os.path.join(folder, "model.ckpt"),
                                    model="gpt2_openai")
    prompt = [0, 17, 0, 9, 41]  # zeros in the prompt must stay visible
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*recomputes")
        ids = generate(model, prompt, max_new_tokens=MAXLEN).tolist()
    sequence = np.array([prompt + ids])
    full = keras.ops.convert_to_numpy(model(sequence))
    assert full[0, len(prompt) - 1:-1].argmax(-1).tolist() == ids


def test_reloaded_keras_file_decodes_uncached_with_a_warning(tmp_path):
    model = model_for("nezha_lm")
    path = str(tmp_path / "nezha_gen.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path)
    with pytest.warns(UserWarning, match="without a key/value cache"):
        last = LastToken(reloaded)
    token_ids = np.array([PROMPT])
    np.testing.assert_allclose(last.predict(token_ids), LastToken(model).predict(token_ids), rtol=1e-5, atol=1e-6)


def test_cache_rejects_a_bidirectional_model():
    encoder = build_transformer_model(None, None, vocab_size=20, hidden_size=8, num_hidden_layers=1,
                                      num_attention_heads=2, intermediate_size=16, with_mlm=True)
    with pytest.warns(UserWarning, match="not causal"):
        LastToken(encoder)
