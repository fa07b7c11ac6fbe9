"""The fine-tuning example trains for real (offline, tiny checkpoint), learns its task, cleans up,
and refuses bad data before training with a message that names the file and the problem."""

import glob
import json
import os
import sys
import tempfile

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, EXAMPLES)
    try:
        import task_text_classification
    finally:
        sys.path.remove(EXAMPLES)
    return task_text_classification


def test_text_classification_example_learns_the_demo_task(example, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # its own temp dir: other runs may share /tmp
    accuracy = example.main(["--demo"])
    assert accuracy >= 0.9
    assert not glob.glob(str(tmp_path / "kerasformers-example-*"))  # its temporary checkpoint folder is gone


def _write_lines(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return str(path)


def test_missing_data_file_is_a_clear_error(example, tmp_path):
    args = ["--config", "c.json", "--checkpoint", "ckpt", "--vocab", "v.txt"]
    with pytest.raises(SystemExit, match=r"data file '.*nope\.json' does not exist"):
        example.main(args + ["--train", str(tmp_path / "nope.json"), "--valid", str(tmp_path / "nope.json")])
    bad = tmp_path / "bad.json"
    bad.write_text('{"sentence": "no sentence1 key", "label": "1"}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad\.json, line 1: expected a JSON object with 'sentence1'"):
        example.main(args + ["--train", str(bad), "--valid", str(bad)])


def test_validation_label_never_seen_in_training_fails_before_training(example, tmp_path):
    train = _write_lines(tmp_path / "train.json", [{"sentence1": "好", "label": "0"}, {"sentence1": "坏", "label": "1"}])
    valid = _write_lines(tmp_path / "dev.json", [{"sentence1": "好", "label": "2"}])
    # The checkpoint paths do not exist: the label check must come first, before any model is built.
    args = ["--config", "c.json", "--checkpoint", "ckpt", "--vocab", "v.txt", "--train", train, "--valid", valid]
    with pytest.raises(SystemExit, match=r"dev\.json has labels the training data never had: 2"):
        example.main(args)


def test_t5_pegasus_summary_example_trains_then_generates_with_beam_search():
    sys.path.insert(0, EXAMPLES)
    try:
        import task_seq2seq_summary_t5_pegasus
    finally:
        sys.path.remove(EXAMPLES)
    results = task_seq2seq_summary_t5_pegasus.main(["--demo", "--epochs", "1"])
    assert len(results) == 8
    assert all(isinstance(generated, str) for _, _, generated in results)
