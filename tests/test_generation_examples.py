"""The generation examples run their --demo offline, in bert4keras form, and decode through the cache."""

import os
import sys
import tempfile
import warnings

import pytest
from _synthetic_ner import few_threads

@pytest.fixture(autouse=True)
def _one_thread():
    with few_threads():  # tiny models: threads only spin on a busy CPU
        yield


EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def _import(name):
    sys.path.insert(0, EXAMPLES)
    try:
        return __import__(name)
    finally:
        sys.path.remove(EXAMPLES)


@pytest.fixture(autouse=True)
def _own_tempdir(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # other runs may share /tmp


def _no_fallback():
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.filterwarnings("error", message=".*recomputes")  # the examples must decode from the cache
    return context


def test_autotitle_demo_trains_then_beam_searches_titles_from_the_cache():
    example = _import("task_seq2seq_autotitle")
    context = _no_fallback()
    try:
        losses, titles = example.main(["--demo"])
    finally:
        context.__exit__(None, None, None)
    assert losses[-1] < losses[0]
    assert len(titles) == 3 and all(isinstance(generated, str) for _, generated in titles)
    assert example.autotitle.last_token(example.model).cache.steps_served > 0


def test_simbert_demo_samples_and_ranks_similar_sentences():
    example = _import("basic_simbert_similar_sentences")
    context = _no_fallback()
    try:
        similar = example.main(["--demo"])
    finally:
        context.__exit__(None, None, None)
    assert 0 < len(similar) <= 3 and all(isinstance(s, str) for s in similar)
    assert example.synonyms_generator.last_token(example.seq2seq).cache.steps_served > 0


def test_gpt2_ml_demo_loads_its_checkpoint_and_samples():
    from kerasformers.models.registry import MODELS

    if "gpt2_ml" not in MODELS:
        pytest.skip("model='gpt2_ml' is not built yet")
    example = _import("basic_language_model_gpt2_ml")
    context = _no_fallback()
    try:
        texts = example.main(["--demo"])
    finally:
        context.__exit__(None, None, None)
    assert len(texts) == 2 and all(t.startswith("今天天气不错") for t in texts)
