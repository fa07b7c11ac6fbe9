"""Reading, writing and mapping TensorFlow V2 checkpoints without TensorFlow.

Example:
    >>> from kerasformers.checkpoints import CheckpointReader, list_variables  # doctest: +SKIP
    >>> list_variables("chinese_L-12_H-768_A-12/bert_model.ckpt")[:1]  # doctest: +SKIP
    [('bert/embeddings/LayerNorm/beta', [768])]
"""

from kerasformers.checkpoints.bundle import (
    CheckpointReader,
    list_variables,
    load_checkpoint,
    load_variable,
    resolve_checkpoint_prefix,
    write_checkpoint,
)
from kerasformers.checkpoints.detect import Detection, detect_architecture, is_optimizer_variable
from kerasformers.checkpoints.errors import (
    CheckpointCorruptedError,
    CheckpointError,
    CheckpointMismatchError,
    CheckpointNotFoundError,
)

__all__ = [
    "CheckpointCorruptedError",
    "CheckpointError",
    "CheckpointMismatchError",
    "CheckpointNotFoundError",
    "CheckpointReader",
    "Detection",
    "detect_architecture",
    "is_optimizer_variable",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "resolve_checkpoint_prefix",
    "write_checkpoint",
]
