"""Exceptions raised while reading, writing and mapping checkpoints.

Every error names the file or variable concerned and, where it can, what would
fix it, so a user never has to guess what went wrong.
"""

from __future__ import annotations


class CheckpointError(ValueError):
    """Base class of every checkpoint problem kerasformers reports.

    Example:
        >>> try:
        ...     raise CheckpointError("boom")
        ... except ValueError as e:
        ...     print(e)
        boom
    """


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The path names no checkpoint: no file, or a folder without one."""


class CheckpointCorruptedError(CheckpointError):
    """Bytes on disk disagree with the index (bad CRC32C, truncated file, bad table)."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint does not fit the model: missing or mis-shaped variables."""


class VariableNotFoundError(CheckpointError, KeyError):
    """A variable asked for by name is not in the checkpoint.

    It is a ``KeyError`` too, so mapping-style code (``except KeyError``) works,
    but it prints its message plainly instead of KeyError's quoted repr.
    """

    __str__ = BaseException.__str__
