"""Shared plumbing of the benchmark scripts: one process per contender, results as JSON on stdout."""

from __future__ import annotations

import json
import os
import subprocess
from typing import List, Union


def report(result) -> None:
    """Print a worker's result where :func:`spawn` finds it."""
    print("RESULT " + json.dumps(result))


def spawn(python: str, script: str, args: List[str], env: dict) -> Union[dict, float, str]:
    """Run ``python script --worker ...`` in a fresh process; its result, or a one-line failure note."""
    result = subprocess.run(
        [python, os.path.abspath(script), *args], capture_output=True, text=True, env={**os.environ, **env}
    )
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
    return f"failed: {tail[0][:100]}"


#: Environment bert4keras 0.11.5 needs to run on tf_keras under TensorFlow 2.x.
BERT4KERAS_ENV = {"TF_KERAS": "1", "TF_USE_LEGACY_KERAS": "1"}
