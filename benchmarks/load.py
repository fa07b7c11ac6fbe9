"""Checkpoint loading: time and peak memory to load a BERT-base-sized checkpoint, TF and Hugging Face.

Writes a Google-format checkpoint with BERT-base shapes (random weights, ~400 MB) once into a
folder, and the same weights as a Hugging Face folder (``hf/``: config.json + model.safetensors,
written by kerasformers' save_weights_as_safetensors). Then, in a fresh process per contender, it
builds the model, loads the files, and reports the load time and the peak RSS above the process's
RSS just before loading (the model's own weights already allocated). Targets: TF <= 2 s and
<= 1.5x the weights; safetensors <= transformers' time and <= 1.2x the weights.

Contenders: kerasformers on each backend from both formats; ``tf.train.load_checkpoint`` reading
every variable (TensorFlow's own reader, no model) when TensorFlow is installed;
``safetensors.numpy.load_file`` (read only); transformers' ``BertForPreTraining.from_pretrained``
(its time includes creating the model, which it does on the meta device, so that is mostly loading;
it leaves the weights memory-mapped, as kerasformers does on PyTorch, so both also appear with every
weight read once);
bert4keras 0.11.5 on tf_keras when ``--bert4keras-python`` is given.

    python benchmarks/load.py [--folder /tmp/bert-base-ckpt] [--bert4keras-python PY]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

from _harness import BERT4KERAS_ENV, report, spawn

CONFIG = {
    "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 768,
    "initializer_range": 0.02, "intermediate_size": 3072, "max_position_embeddings": 512,
    "num_attention_heads": 12, "num_hidden_layers": 12, "type_vocab_size": 2, "vocab_size": 21128,
}  # fmt: skip


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    """Peak RSS since the last :func:`_reset_peak` (VmHWM), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> float:
    """Reset the kernel's peak-RSS mark so that model building does not count; return current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _rss_mb()


def prepare(folder: str) -> str:
    """Write the BERT-base-shaped checkpoint (once) and return its prefix."""
    prefix = os.path.join(folder, "bert_model.ckpt")
    if os.path.exists(prefix + ".index"):
        return prefix
    from kerasformers.checkpoints.bundle import write_checkpoint
    from kerasformers.demo import demo_variables

    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "bert_config.json"), "w") as f:
        json.dump(CONFIG, f)
    write_checkpoint(prefix, demo_variables(CONFIG))
    return prefix


def prepare_hf(folder: str, prefix: str) -> str:
    """The same weights as a Hugging Face folder (once), written by kerasformers."""
    hf = os.path.join(folder, "hf")
    if not os.path.exists(os.path.join(hf, "model.safetensors")):
        from kerasformers.models import build_transformer_model

        config = os.path.join(folder, "bert_config.json")
        kwargs = {"with_pool": True, "with_nsp": True, "with_mlm": True, "return_keras_model": False}
        build_transformer_model(config, prefix, **kwargs).save_weights_as_safetensors(hf)
    return hf


def _measure(load) -> dict:
    """Wall and CPU seconds of ``load()`` and the peak RSS it adds (what it returns stays alive until measured).

    CPU seconds (all threads) are reported too: on a shared, busy machine they move far less than wall time.
    """
    baseline = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    kept = load()
    result = {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    result.update(baseline=baseline, peak=_peak_mb())
    del kept
    return result


def _load_into_model(build_transformer_model, prefix: str, config: str = "", touch: bool = False) -> dict:
    """Build, then time the load; with ``touch``, also read every weight once (as a first forward pass would)."""
    folder = os.path.dirname(prefix)
    transformer = build_transformer_model(
        config or os.path.join(folder, "bert_config.json"), None, with_pool=True, with_mlm=True,
        return_keras_model=False,
    )

    def load():
        report = transformer.load_weights_from_checkpoint(prefix)
        if touch:
            import keras

            for weight in transformer.model.weights:
                keras.ops.sum(weight.value)
        return report

    return _measure(load)


def worker_tensorflow(prefix: str) -> dict:
    import tensorflow as tf

    def load():
        reader = tf.train.load_checkpoint(prefix)
        return [reader.get_tensor(name) for name in reader.get_variable_to_shape_map()]

    return _measure(load)


def worker_kerasformers(prefix: str) -> dict:
    from kerasformers.models import build_transformer_model

    return _load_into_model(build_transformer_model, prefix)


def worker_bert4keras(prefix: str) -> dict:
    from bert4keras.models import build_transformer_model

    return _load_into_model(build_transformer_model, prefix)


def worker_kerasformers_hf(prefix: str, touch: bool = False) -> dict:
    from kerasformers.models import build_transformer_model

    hf = os.path.join(os.path.dirname(prefix), "hf")
    return _load_into_model(build_transformer_model, hf, config=hf, touch=touch)


def worker_kerasformers_hf_touch(prefix: str) -> dict:
    return worker_kerasformers_hf(prefix, touch=True)


def worker_safetensors(prefix: str) -> dict:
    from safetensors.numpy import load_file

    return _measure(lambda: load_file(os.path.join(os.path.dirname(prefix), "hf", "model.safetensors")))


def worker_transformers(prefix: str, touch: bool = False) -> dict:
    """``from_pretrained``; with ``touch``, also read every weight once (it may leave them memory-mapped,
    so that the file is only read when the first forward pass touches it)."""
    import torch
    from transformers import BertForPreTraining

    def load():
        model = BertForPreTraining.from_pretrained(os.path.join(os.path.dirname(prefix), "hf"))
        if touch:
            with torch.no_grad():
                for p in model.parameters():
                    p.sum()
        return model

    return _measure(load)


def worker_transformers_touch(prefix: str) -> dict:
    return worker_transformers(prefix, touch=True)


WORKERS = {
    "kerasformers": worker_kerasformers,
    "kerasformers_hf": worker_kerasformers_hf,
    "kerasformers_hf_touch": worker_kerasformers_hf_touch,
    "tensorflow": worker_tensorflow,
    "safetensors": worker_safetensors,
    "transformers": worker_transformers,
    "transformers_touch": worker_transformers_touch,
    "bert4keras": worker_bert4keras,
}


def _spawn(python: str, worker: str, prefix: str, env: dict):
    return spawn(python, __file__, ["--worker", worker, "--folder", os.path.dirname(prefix)], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", default="/tmp/kerasformers-bench-bert-base")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--bert4keras-python")
    parser.add_argument("--skip-tf-checkpoint", action="store_true", help="only the safetensors rows and peers")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    prefix = os.path.join(args.folder, "bert_model.ckpt")
    if args.worker:
        report(WORKERS[args.worker](prefix))
        return

    prefix = prepare(args.folder)
    prepare_hf(args.folder, prefix)
    from kerasformers.checkpoints.bundle import CheckpointReader

    with CheckpointReader(prefix) as reader:
        shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
        weights_mb = sum(int(np.prod(shapes[n])) * dtypes[n].itemsize for n in shapes) / 2**20
    rows = []
    if not args.skip_tf_checkpoint:
        rows += [(f"kerasformers ({b})", _spawn(sys.executable, "kerasformers", prefix, {"KERAS_BACKEND": b}))
                 for b in args.backends.split(",")]  # fmt: skip
        rows.append(("tf.train.load_checkpoint (read only)", _spawn(sys.executable, "tensorflow", prefix, {})))
    for b in args.backends.split(","):
        rows.append((f"kerasformers, safetensors ({b})", _spawn(sys.executable, "kerasformers_hf", prefix, {"KERAS_BACKEND": b})))
        if b == "torch":  # its weights stay memory-mapped, like transformers': show the cost of reading them too
            rows.append(("  + read every weight once", _spawn(sys.executable, "kerasformers_hf_touch", prefix, {"KERAS_BACKEND": b})))
    rows.append(("safetensors.numpy.load_file (read only)", _spawn(sys.executable, "safetensors", prefix, {})))
    rows.append(("transformers from_pretrained (torch)", _spawn(sys.executable, "transformers", prefix, {})))
    rows.append(("  + read every weight once", _spawn(sys.executable, "transformers_touch", prefix, {})))
    if args.bert4keras_python:
        rows.append(("bert4keras 0.11.5 (tf_keras)", _spawn(args.bert4keras_python, "bert4keras", prefix, BERT4KERAS_ENV)))

    print(f"Load a BERT-base checkpoint ({weights_mb:.0f} MiB of weights); targets: TF <= 2 s, <= 1.5x weights above "
          "baseline; safetensors <= transformers' time, <= 1.2x weights")
    print(f"{'contender':<40} {'seconds':>8} {'cpu s':>6} {'peak-baseline MiB':>18} {'x weights':>10}")
    for name, r in rows:
        if isinstance(r, str):
            print(f"{name:<40} {r}")
            continue
        extra = r["peak"] - r["baseline"]
        print(f"{name:<40} {r['seconds']:>8.2f} {r['cpu']:>6.2f} {extra:>18.0f} {extra / weights_mb:>10.2f}")


if __name__ == "__main__":
    main()
