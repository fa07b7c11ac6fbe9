"""Apply a model's variable mapping: checkpoint -> Keras weights, and back.

The model says which checkpoint names feed which layer (``variable_mapping``)
and how each value is transformed (``load_variable`` / ``create_variable``);
this module checks names and shapes, reports problems by name, and assigns.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import keras
import numpy as np

from kerasformers.checkpoints.detect import detect_architecture, is_optimizer_variable
from kerasformers.checkpoints.errors import CheckpointMismatchError
from kerasformers.checkpoints.hf import HFCheckpointReader, hf_heads, is_hf_checkpoint
from kerasformers.checkpoints.safetensors import writable_view
from kerasformers.layers.core import dense_checkpoint_weights
from kerasformers.models.hf_load import check_hf_family, hf_view, vocabulary_note
from kerasformers.models.load_checks import shape_key_hint, unused_blocks, unused_blocks_warning


class DictCheckpoint:
    """Adapter giving a ``{name: array}`` dict the reader interface.

    Example:
        >>> ckpt = DictCheckpoint({"a": np.zeros(2)})
        >>> ckpt.get_tensor("a").shape, "a" in ckpt
        ((2,), True)
    """

    def __init__(self, variables: Mapping[str, np.ndarray]):
        self.variables = dict(variables)
        self.prefix = "<dict>"

    def get_tensor(self, name: str) -> np.ndarray:
        return np.asarray(self.variables[name])

    def has_tensor(self, name: str) -> bool:
        return name in self.variables

    __contains__ = has_tensor

    def keys(self):
        return sorted(self.variables)

    def get_variable_to_shape_map(self) -> Dict[str, List[int]]:
        return {name: list(np.shape(value)) for name, value in self.variables.items()}

    def close(self):
        pass


def open_checkpoint(checkpoint, private: bool = False):
    """A reader for a path/folder/prefix (TF or Hugging Face), a ``{name: array}`` dict, or an open reader.

    ``private``: map a Hugging Face folder's safetensors files copy-on-write (see :class:`HFCheckpointReader`).
    """
    if isinstance(checkpoint, Mapping):
        return DictCheckpoint(checkpoint)
    if is_hf_checkpoint(checkpoint):
        return HFCheckpointReader(checkpoint, private=private)
    if isinstance(checkpoint, (str, os.PathLike)):
        from kerasformers.checkpoints.bundle import CheckpointReader

        return CheckpointReader(checkpoint)
    return checkpoint


def checkpoint_weights(layer: keras.layers.Layer) -> List:
    """The layer's variables in checkpoint order (kernel then bias for Dense)."""
    if hasattr(layer, "checkpoint_weights"):
        return layer.checkpoint_weights()
    if isinstance(layer, keras.layers.Dense):
        return dense_checkpoint_weights([layer])
    return list(layer.weights)


@dataclass
class LoadReport:
    """What a checkpoint load did; ``str(report)`` is a readable summary.

    Attributes:
        loaded: checkpoint names assigned to a weight.
        missing: ``(checkpoint name, layer name)`` the model needs but the checkpoint lacks.
        mismatched: ``(name, checkpoint shape, model shape)`` for shape disagreements.
        unexpected: checkpoint names no layer uses (optimizer slots excluded).
        skipped: optimizer slots and step counters (HF: buffers and tied copies), ignored on purpose.
        shape_keys: ``{name: hint}`` naming the config key that decides a mismatched shape.
        unused_blocks: indices of whole Transformer blocks of the checkpoint the model does not have.
        heads: which output heads the checkpoint holds (``{"pooler": True, ...}``).
        notes: warnings about the files around the weights (e.g. a vocabulary of another size).
    """

    source: str = ""
    loaded: List[str] = field(default_factory=list)
    missing: List[Tuple[str, str]] = field(default_factory=list)
    mismatched: List[Tuple[str, tuple, tuple]] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    heads: Dict[str, bool] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)
    shape_keys: Dict[str, str] = field(default_factory=dict)
    unused_blocks: List[int] = field(default_factory=list)
    skipped_kind: str = "optimizer/step variables"

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched

    def __str__(self) -> str:
        lines = [
            f"Checkpoint {self.source}: {len(self.loaded)} variables loaded, {len(self.missing)} missing, "
            f"{len(self.mismatched)} with wrong shape, {len(self.unexpected)} unused, "
            f"{len(self.skipped)} {self.skipped_kind} skipped."
        ]
        if self.heads:
            lines.append("  heads in the checkpoint: " + ", ".join(
                f"{head} {'present' if present else 'absent'}" for head, present in self.heads.items()))
        lines.extend(f"  note: {note}" for note in self.notes)
        for name, layer in self.missing[:20]:
            lines.append(f"  missing: {name} (needed by layer {layer})")
        if len(self.missing) > 20:
            lines.append(f"  ... and {len(self.missing) - 20} more missing")
        for name, ckpt_shape, model_shape in self.mismatched[:20]:
            hint = f"; {self.shape_keys[name]}" if name in self.shape_keys else ""
            lines.append(
                f"  shape mismatch: {name} is {list(ckpt_shape)} in the checkpoint, model expects {list(model_shape)}{hint}"
            )
        if self.unused_blocks:
            lines.append(f"  unused Transformer blocks: {', '.join(map(str, self.unused_blocks))}")
        for name in self.unexpected[:10]:
            lines.append(f"  unused: {name}")
        if len(self.unexpected) > 10:
            lines.append(f"  ... and {len(self.unexpected) - 10} more unused")
        return "\n".join(lines)


def _active_mapping(transformer, mapping: Optional[Dict[str, List[str]]]) -> Dict[str, List[str]]:
    mapping = mapping or transformer.variable_mapping()
    mapping = {transformer.prefixed(k): v for k, v in mapping.items()}
    return {k: v for k, v in mapping.items() if k in transformer.layers}


def _model_strings(transformer) -> Tuple[str, ...]:
    """The registered ``model=`` strings of the transformer's class (or nearest registered base),
    without the ``_encoder``/``_decoder`` of T5's halves (checkpoints hold both halves)."""
    from kerasformers.models.registry import MODELS

    for cls in type(transformer).__mro__:
        keys = tuple(dict.fromkeys(k.replace("_encoder", "").replace("_decoder", "") for k, v in MODELS.items() if v is cls))
        if keys:
            return keys
    return ()


def _mismatch_hint(transformer, shapes: Mapping[str, Sequence[int]], detection=None) -> str:
    detection = detection or detect_architecture(shapes)
    if not detection.model:
        if detection.family != "unknown":
            return f" The checkpoint looks like {detection.family}: {detection.evidence}."
        return " The checkpoint's variable names match no known family; is this a TF1-style BERT-family checkpoint?"
    current = type(transformer).__name__
    return (
        f" The checkpoint looks like {detection.family} ({detection.evidence}); try {detection.suggestion}"
        f" (this model was built as {current}). Pass ignore_invalid_weights=True to load what fits."
    )


def _check_family(transformer, shapes: Mapping[str, Sequence[int]], report: LoadReport) -> None:
    """Refuse a checkpoint of another family even when every needed name is in it.

    A BERT checkpoint has every variable NEZHA needs (it only adds the position
    table) and a RoFormer one every variable RoFormerV2 needs (plus biases and
    norms): such loads would succeed and compute something else.
    """
    accepted = _model_strings(transformer)
    detection = detect_architecture(shapes)
    if not accepted or not detection.candidates or set(accepted) & set(detection.candidates):
        return
    unused = f" {len(report.unexpected)} of its variables would go unused." if report.unexpected else ""
    raise CheckpointMismatchError(
        f"Checkpoint {report.source} has every variable model={accepted[0]!r} needs, but it is not a "
        f"{type(transformer).__name__} checkpoint.{unused}" + _mismatch_hint(transformer, shapes, detection)
    )


def load_weights_from_checkpoint(transformer, checkpoint, mapping=None) -> LoadReport:
    """Load ``checkpoint`` into ``transformer.model`` following its variable mapping.

    Names and shapes are all checked before any weight is assigned, so a name or
    shape problem leaves the model untouched (corrupted data, found while
    streaming, can leave it partly loaded). Shapes come from the index, so only
    variables the model transforms (vocabulary rows, transposes) are read twice;
    the rest stream from disk into the weights one at a time, which keeps the
    memory overhead to about one tensor.

    On PyTorch, with ``transformer.mmap_weights`` (the default), weights from a
    safetensors file are not copied: each parameter uses the file's pages through
    a copy-on-write mapping (:func:`share_mapped_array`), as transformers'
    ``from_pretrained`` does, so loading reads nothing until a weight is used.
    """
    share = keras.backend.backend() == "torch" and getattr(transformer, "mmap_weights", True)
    opened = open_checkpoint(checkpoint, private=share)
    hf = isinstance(opened, HFCheckpointReader)
    try:
        report = LoadReport(source=str(getattr(opened, "prefix", checkpoint)))
        active = _active_mapping(transformer, mapping)
        reader = opened if hf else transformer.checkpoint_view(opened)
        if hf:
            check_hf_family(transformer, opened, _model_strings(transformer))
            reader = hf_view(transformer, opened, active)
            report.heads = hf_heads(opened.keys(), opened.config)
            report.skipped_kind = "buffers/tied copies"
            note = vocabulary_note(opened, reader)
            if note:
                report.notes.append(note)
                warnings.warn(note, stacklevel=3)
        shown = reader.hf if hf else str
        shapes = reader.get_variable_to_shape_map()
        transformed = transformer.transformed_variables()
        plan, cache, used = [], {}, set()
        for layer_name, names in active.items():
            weights = checkpoint_weights(transformer.layers[layer_name])
            if len(weights) != len(names):
                raise CheckpointMismatchError(
                    f"Layer {layer_name} has {len(weights)} weights but its mapping lists {len(names)} "
                    f"checkpoint variables: {names}"
                )
            for weight, name in zip(weights, names):
                used.add(name)
                if name not in shapes:
                    report.missing.append((shown(name), layer_name))
                    continue
                if name in transformed:
                    cache[name] = transformer.load_variable(reader, name)
                    shape = tuple(cache[name].shape)
                else:
                    shape = tuple(shapes[name])
                if shape != tuple(weight.shape):
                    report.mismatched.append((shown(name), shape, tuple(weight.shape)))
                    hint = shape_key_hint(transformer, layer_name, shape, tuple(weight.shape))
                    if hint:
                        report.shape_keys[shown(name)] = hint
                    continue
                plan.append((weight, name))
                report.loaded.append(shown(name))
        for name in reader.keys():
            if name not in used:
                skip = is_optimizer_variable(name) or (hf and reader.is_derived(name))
                (report.skipped if skip else report.unexpected).append(name)
        report.unused_blocks = unused_blocks(report.unexpected, used)
        hint = "" if hf else _mismatch_hint(transformer, shapes).strip()
        if not transformer.ignore_invalid_weights:
            if not report.ok:
                raise CheckpointMismatchError(str(report) + "\n" + hint)
            if not hf:
                _check_family(transformer, shapes, report)
        elif not report.ok:
            # The user chose to go on; weights left at their initial values must not go unnoticed.
            warnings.warn(str(report) + "\n" + hint, stacklevel=3)
        if report.unused_blocks and report.ok:
            # Unused heads (cls/predictions when loading an encoder) are normal and stay in the report only.
            warnings.warn(
                unused_blocks_warning(report.source, report.unused_blocks, transformer.num_hidden_layers), stacklevel=3
            )
        release = getattr(reader, "release", None)
        for weight, name in plan:
            value = cache.pop(name) if name in cache else transformer.load_variable(reader, name)
            if share and share_mapped_array(weight, value):
                continue  # the weight now uses the file's pages: they must stay (no release)
            assign_array(weight, value)
            if release is not None:
                release(name)
        return report
    finally:
        if opened is not checkpoint:
            opened.close()


def assign_array(weight, value) -> None:
    """``weight.assign(value)`` for a numpy ``value``, copying it once.

    Keras's PyTorch conversion copies a numpy array before ``copy_`` copies it
    again into the parameter; a tensor sharing the array's memory skips the first
    copy. A memory-mapped checkpoint (safetensors) is then copied straight from
    the file's pages into the weight.

    Example:
        >>> w = keras.Variable(np.zeros((2, 2), "float32"))
        >>> assign_array(w, np.ones((2, 2)))
        >>> float(keras.ops.sum(w))
        4.0
    """
    value = np.asarray(value).astype(weight.dtype, copy=False)
    if keras.backend.backend() == "torch" and value.dtype.isnative and (value.dtype.kind in "fb" or value.dtype in (np.int32, np.int64)):
        import torch

        with warnings.catch_warnings():
            # A read-only view of a mapped file: torch only reads it here.
            warnings.filterwarnings("ignore", "The given NumPy array is not writable")
            value = torch.from_numpy(value)
    weight.assign(value)


def share_mapped_array(weight, value: np.ndarray) -> bool:
    """On PyTorch, make ``weight``'s parameter use ``value``'s memory if that is a private file mapping.

    ``value`` comes from a safetensors file opened copy-on-write (it may be a
    transposed or split view of the stored tensor). When its dtype and shape are
    the weight's and the parameter lives on the CPU, the parameter's data becomes
    a tensor over those pages: nothing is read or copied now, the first use reads
    the file, and a write (training) copies only the pages it touches, in memory,
    never into the file. Returns False, changing nothing, in every other case
    (another backend, a GPU parameter, a dtype to convert, memory that is not a
    private mapping, such as an array the caller passed in).

    Example:
        >>> w = keras.Variable(np.zeros((2, 2), "float32"))
        >>> share_mapped_array(w, np.ones((2, 2), "float32"))  # an ordinary array: not shared
        False
    """
    if keras.backend.backend() != "torch" or not isinstance(value, np.ndarray):
        return False
    view = writable_view(value)
    if view is None or view.dtype != np.dtype(weight.dtype) or view.shape != tuple(weight.shape):
        return False
    if view.__array_interface__["data"][0] % view.dtype.itemsize:
        return False  # torch wants elements aligned to their size; copy instead
    import torch

    parameter = weight.value
    if not isinstance(parameter, torch.nn.Parameter) or parameter.device.type != "cpu":
        return False
    with torch.no_grad():
        parameter.data = torch.from_numpy(view)
    return True


def save_weights_as_checkpoint(transformer, filename: str, mapping=None, dtype=None) -> str:
    """Write the model's mapped weights as a TF V2 checkpoint at prefix ``filename``.

    Values pass through the model's ``create_variable`` (e.g. NSP weights are
    transposed back to ``[2, H]``), so the files have the original layout.
    """
    from kerasformers.checkpoints.bundle import write_checkpoint

    return write_checkpoint(filename, transformer.pack_checkpoint(mapped_variables(transformer, mapping, dtype)))


def mapped_variables(transformer, mapping=None, dtype=None) -> Dict[str, np.ndarray]:
    """``{checkpoint name: value}`` of the model's mapped weights, in the checkpoint's layout."""
    variables = {}
    for layer_name, names in _active_mapping(transformer, mapping).items():
        for weight, name in zip(checkpoint_weights(transformer.layers[layer_name]), names):
            value = keras.ops.convert_to_numpy(weight.value)
            if dtype is not None:
                value = value.astype(dtype)
            variables[name] = transformer.create_variable(name, value)
    return variables
