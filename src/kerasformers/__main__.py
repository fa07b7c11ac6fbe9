"""Command line: ``python -m kerasformers demo`` and ``python -m kerasformers inspect PATH``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import List, Optional


def _inspect(path: str, limit: Optional[int]) -> int:
    from kerasformers.checkpoints.bundle import CheckpointReader
    from kerasformers.checkpoints.detect import detect_architecture, is_optimizer_variable

    with CheckpointReader(path) as reader:
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
        names = sorted(shapes)
        print(f"checkpoint: {reader.prefix}")
        width = max((len(n) for n in names), default=0)
        shown = names if limit is None else names[:limit]
        total = 0
        for name in names:
            if not is_optimizer_variable(name):
                size = 1
                for d in shapes[name]:
                    size *= d
                total += size
        for name in shown:
            print(f"  {name:<{width}}  {str(shapes[name]):<16} {dtypes[name].name}")
        if len(shown) < len(names):
            print(f"  ... {len(names) - len(shown)} more (use --all)")
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
    inspect = sub.add_parser("inspect", help="list a TF checkpoint's variables and tell its architecture")
    inspect.add_argument("path", help="checkpoint prefix, .index file, or folder")
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
