"""Every CLUE script's --demo trains, prints its dev metric, keeps the best checkpoint, and writes a
submission that parses back with complete ids and labels within the task's label set."""

import importlib
import re
import os
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")
sys.path.insert(0, EXAMPLES)
from clue import demo_data, readers, submission  # noqa: E402

TASKS = ["afqmc", "tnews", "iflytek", "cmnli", "ocnli", "cluewsc2020", "csl", "cmrc2018", "chid", "c3", "cluener", "cluener-crf"]
METRIC = {"cmrc2018": "em", "cluener": "f1", "cluener-crf": "f1"}


def expected(task, folder):
    """Test ids and allowed labels, read independently from a fresh copy of the demo data."""
    module = importlib.import_module("clue_" + task.split("-")[0])
    data_dir = demo_data.write_demo_task(module.TASK.name, folder, seed=42)
    test = module.TASK.load(data_dir, "test")
    return module, test, data_dir


@pytest.mark.parametrize("task", TASKS)
def test_demo_trains_scores_and_writes_a_valid_submission(task, tmp_path, capsys):
    module, test, data_dir = expected(task, str(tmp_path / "data"))
    argv = ["--demo", "--output-dir", str(tmp_path / "out")] + (["--head", "crf"] if task.endswith("crf") else [])
    result = module.training.main(module.TASK, argv)
    printed = capsys.readouterr().out
    metric = METRIC.get(task, "accuracy")
    assert re.search(rf"^{module.TASK.title} dev: .*\b{metric} \d\.\d{{4}}", printed, re.M), printed
    assert 0.0 <= result["scores"][metric] <= 1.0
    assert os.path.exists(tmp_path / "out" / f"{module.TASK.name}.best.weights.h5")
    path = result["submission"]
    assert os.path.basename(path) == submission.SUBMISSION_FILES[module.TASK.name]
    ids = [s["id"] for s in test]
    if module.TASK.name in ("cmrc2018", "chid"):
        kind = str if module.TASK.name == "cmrc2018" else int
        choices = len(test[0]["choices"]) if kind is int else None
        assert submission.validate_json_object(path, ids, kind, num_choices=choices) == len(ids)
    elif module.TASK.name == "cluener":
        types = readers.entity_types(module.TASK.load(data_dir, "train"))
        assert submission.validate_label_lines(path, ids, types) == len(ids)
    elif module.TASK.name == "c3":
        assert submission.validate_label_lines(path, ids, ["0", "1", "2", "3"]) == len(ids)
    else:
        labels = readers.label_set(data_dir, module.TASK.load(data_dir, "train"))
        assert submission.validate_label_lines(path, ids, labels) == len(ids)


@pytest.mark.parametrize("family", ["roberta", "albert", "nezha", "roformer", "roformer_v2", "electra"])
def test_demo_runs_with_every_encoder_family(family, tmp_path, capsys):
    # --model picks the encoder; --demo writes that family's own tiny checkpoint and loads it back.
    module, test, data_dir = expected("tnews", str(tmp_path / "data"))
    result = module.training.main(module.TASK, ["--demo", "--model", family, "--epochs", "1",
                                                "--output-dir", str(tmp_path / "out")])
    assert re.search(rf"^{module.TASK.title} dev: .*\baccuracy \d\.\d{{4}}", capsys.readouterr().out, re.M)
    labels = readers.label_set(data_dir, module.TASK.load(data_dir, "train"))
    ids = [s["id"] for s in test]
    assert submission.validate_label_lines(result["submission"], ids, labels) == len(ids)
