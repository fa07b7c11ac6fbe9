"""The command line a new user runs first: ``demo`` and ``inspect``."""

import os
import subprocess
import sys

DATA = os.path.join(os.path.dirname(__file__), "data")


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "kerasformers", *args], capture_output=True, text=True, timeout=300, env=os.environ
    )


def test_demo_runs_offline_and_reports_each_step(tmp_path):
    result = run_cli("demo", "--folder", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "wrote a tiny Google-format BERT checkpoint" in out
    assert "'今', '天'" in out and "'hello', 'world'" in out
    assert "features (2, 18, 64)" in out
    assert "MLM top-5" in out
    assert (tmp_path / "bert_model.ckpt.index").exists() and (tmp_path / "vocab.txt").exists()


def test_demo_vocab_has_one_line_per_embedding_row(tmp_path):
    import json

    from kerasformers.demo import write_demo_checkpoint
    from kerasformers.tokenizers import load_vocab

    paths = write_demo_checkpoint(str(tmp_path))
    lines = open(paths["vocab"], encoding="utf-8").read().splitlines()
    with open(paths["config"], encoding="utf-8") as f:
        vocab_size = json.load(f)["vocab_size"]
    assert len(lines) == len(set(lines)) == vocab_size
    assert sorted(load_vocab(paths["vocab"]).values()) == list(range(vocab_size))


def test_inspect_names_family_and_model_argument():
    result = run_cli("inspect", os.path.join(DATA, "bert_tiny"))
    assert result.returncode == 0, result.stderr
    assert "bert/embeddings/word_embeddings" in result.stdout
    assert "[64, 32]" in result.stdout and "float32" in result.stdout
    assert "family: BERT" in result.stdout
    assert "model='bert'" in result.stdout
    assert "optimizer/step variables" in result.stdout


def test_inspect_missing_path_is_a_clear_error(tmp_path):
    result = run_cli("inspect", str(tmp_path / "missing.ckpt"))
    assert result.returncode == 2
    assert "missing.ckpt" in result.stderr


def test_inspect_hf_folder_names_family_heads_and_model_argument():
    folder = os.path.join(DATA, "hf", "roformer_v2", "safetensors")
    result = run_cli("inspect", folder)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Hugging Face folder:" in out and "(safetensors)" in out
    assert "roformer.encoder.layer.0.attention.self.query.weight" in out and "[32, 32]" in out
    assert "heads: pooler absent, MLM present, NSP/SOP absent" in out
    assert "family: RoFormerV2" in out
    assert f"build_transformer_model({folder!r}, {folder!r}, model='roformer_v2')" in out
    sharded = run_cli("inspect", os.path.join(DATA, "hf", "electra", "safetensors", "config.json"))
    assert "(safetensors, 2 shards)" in sharded.stdout and "model='electra'" in sharded.stdout
