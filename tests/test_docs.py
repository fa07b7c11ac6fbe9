"""Every Python block of README.md and docs/*.md runs as written (docs cannot rot).

The rule (README, "Development"): a ```python block is complete and runnable on its own, in a fresh
namespace; a block that is not (a fragment of a larger script, a placeholder, a path to a file the
project cannot ship) is fenced as ```python fragment and is skipped. New pages under docs/ are picked up
automatically.

Release folders: blocks are run in a scratch folder where each folder name in RELEASE_FOLDERS holds a
stand-in made from the tiny demo checkpoint: ``chinese_L-12_H-768_A-12/`` is exactly what
``python -m kerasformers demo --folder chinese_L-12_H-768_A-12`` writes (bert_config.json, vocab.txt,
bert_model.ckpt), ``chinese-roberta-wwm-ext/`` the same weights as a Hugging Face folder (config.json,
model.safetensors, vocab.txt). So the paths in a block need no substitution. Files a block writes land in
that scratch folder.

Run ``pytest -v tests/test_docs.py`` to see every block by its id (``docs/quickstart.md:23``).
"""

import glob
import os
import re
import shutil

import keras
import pytest

from kerasformers.demo import write_demo_checkpoint
from kerasformers.models import build_transformer_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC_FILES = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))

#: Folder names of public releases that the docs use, and the stand-in each gets (see the module docstring).
RELEASE_FOLDERS = {"chinese_L-12_H-768_A-12": "tf", "chinese-roberta-wwm-ext": "hf"}

_FENCE = re.compile(r"^```(\S*)(.*)$")


def python_blocks(path):
    """``(line, code, is_fragment)`` for each ```python block of a Markdown file (line of the opening fence)."""
    blocks, current, start, fragment = [], None, 0, False
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            match = _FENCE.match(line.rstrip("\n"))
            if current is None and match and match.group(1) == "python":
                current, start, fragment = [], number, "fragment" in match.group(2).split()
            elif current is not None and line.rstrip() == "```":
                blocks.append((start, "".join(current), fragment))
                current = None
            elif current is not None:
                current.append(line)
    return blocks


ALL_BLOCKS = [(path, line, code, fragment) for path in DOC_FILES for line, code, fragment in python_blocks(path)]
# Leading newlines keep the block's line numbers those of the Markdown file in tracebacks.
RUNNABLE = [
    pytest.param(path, "\n" * line + code, id=f"{path}:{line}") for path, line, code, fragment in ALL_BLOCKS if not fragment
]


@pytest.fixture(scope="module")
def release_folders(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("docs")
    tf_demo = None
    for name, kind in RELEASE_FOLDERS.items():
        if kind == "tf":
            tf_demo = write_demo_checkpoint(str(scratch / name))
    for name, kind in RELEASE_FOLDERS.items():
        if kind == "hf":
            bert = build_transformer_model(tf_demo["config"], tf_demo["checkpoint"], with_mlm=True, return_keras_model=False)
            bert.save_weights_as_safetensors(str(scratch / name))
            shutil.copy(tf_demo["vocab"], scratch / name / "vocab.txt")
            keras.backend.clear_session()
    return scratch


def test_every_block_is_run_or_marked_fragment():
    for path, line, _, fragment in ALL_BLOCKS:
        print(f"{path}:{line}: {'fragment (skipped)' if fragment else 'runs'}")
    assert RUNNABLE, "no runnable block found: is the fence parser broken?"
    assert any(path.startswith("docs/") for path, *_ in ALL_BLOCKS)


@pytest.mark.parametrize("path, code", RUNNABLE)
def test_block_runs(path, code, release_folders, monkeypatch):
    monkeypatch.chdir(release_folders)
    policy = keras.mixed_precision.global_policy()
    try:
        exec(compile(code, path, "exec"), {"__name__": "__docs__"})  # noqa: S102 (running the docs is the test)
    finally:
        keras.mixed_precision.set_global_policy(policy)  # a block may switch it; the next must not inherit it
        keras.backend.clear_session()
