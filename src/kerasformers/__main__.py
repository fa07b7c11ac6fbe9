"""Command line: ``python -m kerasformers demo`` and ``python -m kerasformers inspect PATH``."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from typing import List, Optional

import numpy as np


def _list(names, shapes, dtypes, limit: Optional[int], skippable) -> None:
    width = max((len(n) for n in names), default=0)
    shown = names if limit is None else names[:limit]
    total = sum(math.prod(shapes[n]) for n in names if not skippable(n))
    for name in shown:
        print(f"  {name:<{width}}  {str(shapes[name]):<16} {np.dtype(dtypes[name]).name}")
    if len(shown) < len(names):
        print(f"  ... {len(names) - len(shown)} more (use --all)")
    return total


def _inspect_hf(path: str, limit: Optional[int]) -> int:
    from kerasformers.checkpoints.detect import detect_hf_architecture
    from kerasformers.checkpoints.hf import HFCheckpointReader, hf_heads, is_derived_hf_name

    with HFCheckpointReader(path) as reader:
        shapes, dtypes, names = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map(), reader.keys()
        shards = f", {len(reader.files)} shards" if len(reader.files) > 1 else ""
        print(f"Hugging Face folder: {reader.folder} ({reader.format}{shards})")
        total = _list(names, shapes, dtypes, limit, is_derived_hf_name)
        derived = sum(is_derived_hf_name(n) for n in names)
        print(f"{len(names)} tensors, {total:,} model parameters, {derived} buffers/tied copies")
        heads = ", ".join(f"{h} {'present' if p else 'absent'}" for h, p in hf_heads(names, reader.config).items())
        if heads:
            print(f"heads: {heads}")
        detection = detect_hf_architecture(reader.config, names)
        print(f"family: {detection.family} ({detection.evidence})")
        if detection.model:
            print(_load_call(reader.folder, reader.folder, detection))
    return 0


def _inspect(path: str, limit: Optional[int]) -> int:
    from kerasformers.checkpoints.bundle import CheckpointReader
    from kerasformers.checkpoints.detect import detect_architecture, is_optimizer_variable
    from kerasformers.checkpoints.hf import is_hf_checkpoint

    if is_hf_checkpoint(path):
        return _inspect_hf(path, limit)
    with CheckpointReader(path) as reader:
        shapes = reader.get_variable_to_shape_map()
        names = sorted(shapes)
        print(f"checkpoint: {reader.prefix}")
        total = _list(names, shapes, reader.get_variable_to_dtype_map(), limit, is_optimizer_variable)
        skipped = sum(is_optimizer_variable(n) for n in names)
        print(f"{len(names)} variables, {total:,} model parameters, {skipped} optimizer/step variables")
        detection = detect_architecture(shapes)
        print(f"family: {detection.family} ({detection.evidence})")
        if detection.model:
            print(_load_call(_config_next_to(reader.prefix), reader.prefix, detection))
    return 0


def _config_next_to(prefix: str) -> str:
    """The config file beside a TF checkpoint (``bert_config.json``, ``albert_config.json``, ...), or a placeholder."""
    import glob
    import os

    folder = os.path.dirname(prefix)
    found = sorted(glob.glob(os.path.join(folder, "*config*.json"))) or sorted(glob.glob(os.path.join(folder, "*.json")))
    return found[0] if found else os.path.join(folder, "bert_config.json")


def _load_call(config: str, checkpoint: str, detection) -> str:
    """The other ``model=`` values (if any), then, as the last line, one runnable call."""
    lines = []
    others = [m for m in detection.candidates if m != detection.model]
    if others:
        lines.append("also loads with: " + ", ".join(f"model={m!r}" for m in others) + " (same variables)")
    lines.append("load with (from kerasformers.models import build_transformer_model):")
    lines.append(f"build_transformer_model({config!r}, {checkpoint!r}, model={detection.model!r})")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m kerasformers`` (and the ``kerasformers`` script)."""
    parser = argparse.ArgumentParser(prog="python -m kerasformers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build, load and run a tiny BERT offline")
    demo.add_argument(
        "--folder",
        help="write the demo checkpoint (bert_config.json, vocab.txt, bert_model.ckpt) here and keep it "
        "(default: a temporary folder, deleted at exit)",
    )
    demo.add_argument("--force", action="store_true", help="overwrite those files if --folder already has them")
    inspect = sub.add_parser("inspect", help="list a checkpoint's variables and tell its architecture and model=")
    inspect.add_argument("path", help="TF checkpoint prefix, .index file or folder; or a Hugging Face model folder")
    inspect.add_argument("--all", action="store_true", help="list every variable (default: first 60)")
    args = parser.parse_args(argv)

    from kerasformers.checkpoints.errors import CheckpointError

    try:
        if args.command == "inspect":
            return _inspect(args.path, None if args.all else 60)
        from kerasformers.demo import run_demo

        if args.folder:
            run_demo(args.folder, overwrite=args.force)
        else:
            with tempfile.TemporaryDirectory(prefix="kerasformers-demo-") as folder:
                run_demo(folder, temporary=True)
        return 0
    except (CheckpointError, FileNotFoundError, FileExistsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
