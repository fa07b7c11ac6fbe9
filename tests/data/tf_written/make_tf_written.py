"""Writes tiny checkpoints with TensorFlow's own savers, and what TensorFlow reads back.

These files let ``tests/test_bundle.py`` check kerasformers' reader against real
TensorFlow output on machines without TensorFlow. Regenerate (needs TensorFlow):

    python tests/data/tf_written/make_tf_written.py

``test_bundle.py`` also imports :func:`write_tf_checkpoints` and
:func:`describe` to repeat the comparison live when TensorFlow is installed.

* ``single/``: one ``SaveV2`` call (what ``tf.compat.v1.train.Saver`` runs), with
  BERT-style names, an ``adam_m`` slot, ``global_step`` (int64 scalar), bfloat16,
  float16, float64, int32, bool and empty tensors, plus a ``checkpoint`` state
  file written by ``tf.compat.v1.train.update_checkpoint_state``.
* ``sharded/``: two ``SaveV2`` shards merged by ``MergeV2Checkpoints``, as a
  sharded saver does: one index, ``.data-00000-of-00002`` and ``-00001-of-00002``.
* ``object_graph/``: ``tf.train.Checkpoint.write``, whose names end in
  ``/.ATTRIBUTES/VARIABLE_VALUE`` and which stores a string tensor
  ``_CHECKPOINTABLE_OBJECT_GRAPH``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINTS = ("single", "sharded", "object_graph")


def _values(seed: int, specs):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape).astype("float32") for name, shape in specs}


def _save_v2(tf, prefix: str, tensors: dict) -> None:
    names = sorted(tensors)
    tf.raw_ops.SaveV2(
        prefix=prefix,
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=[tensors[n] for n in names],
    )


def write_tf_checkpoints(root: str) -> dict:
    """Writes the three checkpoints under ``root``; returns ``{kind: prefix}``."""
    import tensorflow as tf

    h, v = 8, 12
    floats = _values(0, [
        ("bert/embeddings/word_embeddings", (v, h)),
        ("bert/embeddings/word_embeddings/adam_m", (v, h)),
        ("bert/encoder/layer_0/attention/self/query/kernel", (h, h)),
        ("bert/encoder/layer_0/attention/self/query/bias", (h,)),
        ("cls/seq_relationship/output_weights", (2, h)),
    ])
    single = {name: tf.constant(value) for name, value in floats.items()}
    single["bert/encoder/layer_0/attention/self/query/kernel"] = tf.cast(
        single["bert/encoder/layer_0/attention/self/query/kernel"], tf.bfloat16)
    single["bert/encoder/layer_0/attention/self/query/bias"] = tf.cast(
        single["bert/encoder/layer_0/attention/self/query/bias"], tf.float16)
    single["global_step"] = tf.constant(1000000, tf.int64)
    single["counts"] = tf.constant([3, -1, 7], tf.int32)
    single["mask"] = tf.constant([True, False, False, True])
    single["scale"] = tf.constant(0.125, tf.float64)
    single["empty"] = tf.zeros([0, h], tf.float32)
    folder = os.path.join(root, "single")
    os.makedirs(folder, exist_ok=True)
    _save_v2(tf, os.path.join(folder, "bert_model.ckpt"), single)
    tf.compat.v1.train.update_checkpoint_state(folder, "bert_model.ckpt")

    folder = os.path.join(root, "sharded")
    os.makedirs(folder, exist_ok=True)
    parts = _values(1, [("bert/pooler/dense/kernel", (h, h)), ("bert/pooler/dense/bias", (h,)),
                        ("cls/predictions/output_bias", (v,))])
    shard_a = {"bert/pooler/dense/kernel": tf.constant(parts["bert/pooler/dense/kernel"]),
               "global_step": tf.constant(20000, tf.int64)}
    shard_b = {"bert/pooler/dense/bias": tf.cast(parts["bert/pooler/dense/bias"], tf.bfloat16),
               "cls/predictions/output_bias": tf.constant(parts["cls/predictions/output_bias"])}
    with tempfile.TemporaryDirectory() as tmp:
        pieces = [os.path.join(tmp, "part-0"), os.path.join(tmp, "part-1")]
        _save_v2(tf, pieces[0], shard_a)
        _save_v2(tf, pieces[1], shard_b)
        tf.raw_ops.MergeV2Checkpoints(
            checkpoint_prefixes=pieces, destination_prefix=os.path.join(folder, "model.ckpt"))

    folder = os.path.join(root, "object_graph")
    os.makedirs(folder, exist_ok=True)
    graph = tf.train.Checkpoint(
        step=tf.Variable(np.int64(5)),
        kernel=tf.Variable(_values(2, [("k", (3, 2))])["k"]),
        table=tf.Variable(tf.constant([0.5, -2.0, 3.0], tf.bfloat16)),
    )
    graph.write(os.path.join(folder, "ckpt"))
    return {
        "single": os.path.join(root, "single", "bert_model.ckpt"),
        "sharded": os.path.join(root, "sharded", "model.ckpt"),
        "object_graph": os.path.join(root, "object_graph", "ckpt"),
    }


def describe(prefix: str) -> dict:
    """What ``tf.train.load_checkpoint`` reports: ``{name: {dtype, shape, values|hex}}``."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    out = {}
    for name, shape in tf.train.list_variables(prefix):
        value = reader.get_tensor(name)
        item = {"dtype": dtypes[name].name, "shape": list(shape)}
        if dtypes[name] == tf.string:
            flat = np.asarray(value, dtype=object).reshape(-1)
            item["hex"] = [bytes(x).hex() for x in flat]
        else:
            item["values"] = np.asarray(value).astype(
                "float64" if dtypes[name].is_floating else np.asarray(value).dtype
            ).reshape(-1).tolist()
        out[name] = item
    return out


def main() -> None:
    import tensorflow as tf

    for kind in CHECKPOINTS:
        shutil.rmtree(os.path.join(HERE, kind), ignore_errors=True)
    prefixes = write_tf_checkpoints(HERE)
    expected = {"tensorflow": tf.__version__,
                "checkpoints": {kind: {"prefix": os.path.relpath(p, HERE), "variables": describe(p)}
                                for kind, p in prefixes.items()}}
    # One variable per line: small, and readable in a diff.
    lines = ["{", f' "tensorflow": {json.dumps(expected["tensorflow"])},', ' "checkpoints": {']
    kinds = expected["checkpoints"]
    for i, kind in enumerate(sorted(kinds)):
        lines.append(f'  "{kind}": {{"prefix": {json.dumps(kinds[kind]["prefix"])}, "variables": {{')
        variables = kinds[kind]["variables"]
        for j, name in enumerate(sorted(variables)):
            comma = "," if j < len(variables) - 1 else ""
            lines.append(f"   {json.dumps(name)}: {json.dumps(variables[name], sort_keys=True)}{comma}")
        lines.append("  }}" + ("," if i < len(kinds) - 1 else ""))
    lines += [" }", "}"]
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
