"""Finding a checkpoint from what a user passes: prefix, file, or folder.

TensorFlow names a checkpoint by its *prefix*; the files are ``<prefix>.index``
and ``<prefix>.data-%05d-of-%05d``. A folder may hold a ``checkpoint`` text
proto whose ``model_checkpoint_path`` names the prefix to use (relative to the
folder, or absolute).

Example:
    >>> data_file_path("bert_model.ckpt", 0, 1)
    'bert_model.ckpt.data-00000-of-00001'
    >>> print(format_state_file("model.ckpt-100"), end="")
    model_checkpoint_path: "model.ckpt-100"
    all_model_checkpoint_paths: "model.ckpt-100"
"""

from __future__ import annotations

import codecs
import os
import re
from typing import Optional, Union

from .errors import CheckpointNotFoundError

PathLike = Union[str, "os.PathLike[str]"]
STATE_FILE = "checkpoint"
_SUFFIXES = re.compile(r"(\.index|\.data-\d{5}-of-\d{5}|\.meta)$")


def data_file_path(prefix: str, shard_id: int, num_shards: int) -> str:
    """The file holding shard ``shard_id``: ``<prefix>.data-00000-of-00001`` etc."""
    return f"{prefix}.data-{shard_id:05d}-of-{num_shards:05d}"


def read_state_file(path: str) -> Optional[str]:
    """The ``model_checkpoint_path`` of a ``checkpoint`` text-proto file, if any."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    match = re.search(r'^\s*model_checkpoint_path\s*:\s*"((?:[^"\\]|\\.)*)"', text, re.M)
    if not match:
        return None
    # Text protos C-escape quotes, backslashes and non-ASCII bytes (as octal).
    raw = codecs.escape_decode(match.group(1).encode("utf-8"))[0]
    return raw.decode("utf-8", "surrogateescape")


def _prefix_from_folder(folder: str) -> str:
    state = os.path.join(folder, STATE_FILE)
    if os.path.isfile(state):
        target = read_state_file(state)
        if target:
            candidates = [target if os.path.isabs(target) else os.path.join(folder, target)]
            # Released checkpoints often carry the author's absolute path
            # ("/home/.../bert_model.ckpt"); the files sit next to the state file.
            candidates.append(os.path.join(folder, os.path.basename(target)))
            for candidate in candidates:
                if os.path.isfile(candidate + ".index"):
                    return candidate
            raise CheckpointNotFoundError(
                f"{state} names model_checkpoint_path {target!r}, but neither "
                f"{candidates[0]}.index nor {candidates[-1]}.index exists"
            )
    indexes = sorted(n for n in os.listdir(folder) if n.endswith(".index"))
    if len(indexes) == 1:
        return os.path.join(folder, indexes[0][: -len(".index")])
    if indexes:
        shown = ", ".join(indexes[:5]) + (", ..." if len(indexes) > 5 else "")
        raise CheckpointNotFoundError(
            f"folder {folder} holds {len(indexes)} checkpoints ({shown}) and no usable "
            f"`{STATE_FILE}` file says which one to load; pass a prefix such as "
            f"{os.path.join(folder, indexes[-1][: -len('.index')])!r}"
        )
    raise CheckpointNotFoundError(
        f"folder {folder} has no `{STATE_FILE}` file and no *.index file"
    )


def resolve_checkpoint_prefix(path: PathLike) -> str:
    """Turns what a user passes for a checkpoint into its prefix.

    Accepts a prefix (``dir/bert_model.ckpt``), its ``.index``, ``.data-*`` or
    ``.meta`` file, or a folder holding a ``checkpoint`` state file or exactly
    one ``*.index`` file.

    Example:
        >>> resolve_checkpoint_prefix("/no/such/bert_model.ckpt")
        Traceback (most recent call last):
        ...
        kerasformers.checkpoints.errors.CheckpointNotFoundError: no checkpoint at '/no/such/bert_model.ckpt': /no/such/bert_model.ckpt.index does not exist (and folder /no/such does not exist)
    """
    given = os.fsdecode(os.fspath(path))
    p = os.path.expanduser(given)
    if os.path.isdir(p):
        return _prefix_from_folder(p)
    match = _SUFFIXES.search(p)
    if match and os.path.isfile(p[: match.start()] + ".index"):
        return p[: match.start()]
    if os.path.isfile(p + ".index"):
        return p
    if os.path.isfile(p) and not match:
        raise CheckpointNotFoundError(
            f"{given!r} is a file, not a V2 checkpoint: expected {p}.index and "
            f"{p}.data-*-of-* files (TensorFlow V1 single-file checkpoints are not supported)"
        )
    missing = (p[: match.start()] if match else p) + ".index"
    folder = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(folder):
        hint = f" (and folder {os.path.dirname(p) or folder} does not exist)"
    else:
        nearby = sorted(n for n in os.listdir(folder) if n.endswith(".index"))[:3]
        hint = f"; {folder} holds {', '.join(nearby)}" if nearby else ""
    raise CheckpointNotFoundError(f"no checkpoint at {given!r}: {missing} does not exist{hint}")


def format_state_file(prefix_name: str) -> str:
    """The text of a ``checkpoint`` state file naming ``prefix_name`` (relative to its folder)."""
    escaped = prefix_name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'model_checkpoint_path: "{escaped}"\nall_model_checkpoint_paths: "{escaped}"\n'
