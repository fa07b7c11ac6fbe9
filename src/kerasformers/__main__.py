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
            print(f"load with: build_transformer_model({reader.folder!r}, {reader.folder!r}, {detection.suggestion})")
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
            print(f"load with: build_transformer_model(config_path, checkpoint_path, {detection.suggestion})")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m kerasformers`` (and the ``kerasformers`` script)."""
    parser = argparse.ArgumentParser(prog="python -m kerasformers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build, load and run a tiny BERT offline")
    demo.add_argument("--folder", help="where to write the demo checkpoint (default: a temporary folder)")
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
            run_demo(args.folder)
        else:
            with tempfile.TemporaryDirectory(prefix="kerasformers-demo-") as folder:
                run_demo(folder)
        return 0
    except (CheckpointError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
