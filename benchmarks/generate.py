"""Generation throughput: cached decoding of a GPT2-small-shaped LM, side by side with peers.

GPT2-small shape (12 layers, hidden 768, 12 heads, FFN 3072, vocabulary 21128), random weights, batch 1,
a 32-token prompt, 64 and 256 new tokens (no end token, so every contender generates them all), greedy
and beam search with 4 beams. Each contender runs in its own process:

* kerasformers on tensorflow, jax and torch: ``kerasformers.generation.generate`` (the key/value-cached,
  compiled step; the same path ``AutoRegressiveDecoder.last_token`` serves);
* transformers ``GPT2LMHeadModel.generate`` (torch, eager, its own cache), when installed;
* keras-hub ``GPT2CausalLM.generate`` (greedy / ``BeamSampler(4)``) on TF and JAX, when importable
  (benchmark-only: ``pip install --no-deps --target .khub keras-hub`` and ``--keras-hub-path .khub``);
* bert4keras 0.11.5's ``AutoRegressiveDecoder`` (recomputes the whole prefix each step), when a Python
  with it is given; it runs the 64-token cases only (256 would take many minutes).

Each figure is the best of ``--repeats`` timed runs after one warm-up run of the same shapes (compile
excluded; the warm-up time is reported as "first call"). Tokens/s counts new tokens. "cache x theory" is
the bytes of kerasformers' key/value cache over 2 * layers * (prompt + new) * hidden * 4 bytes per row
(allocated; every step writes it in place: XLA aliases the donated cache, PyTorch writes the slice).
"peak x theory" is measured in a separate process per backend: the peak resident memory while one
decoding runs (after a warm-up of the same shapes), above the resident memory before it, over that
theoretical size times the rows (4 for beam search). That process runs with glibc's
``MALLOC_MMAP_THRESHOLD_=65536``, so every buffer over 64 KiB is its own mapping and goes back to the
system when freed: resident memory then follows what is live, rather than the freed warm-up buffers that
an allocator keeps (with the default settings the figure read 0). It counts everything decoding holds
beyond the model: the cache, the step's activations and logits, the prefill pass, numpy arrays. Usage:

    python benchmarks/generate.py [--model gpt2|bert] [--repeats 2] \\
        [--bert4keras-python /work/venv-b4k/bin/python] [--keras-hub-path .khub]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _harness import BERT4KERAS_ENV, report, spawn

PROMPT, VOCAB, LAYERS, HIDDEN, HEADS = 32, 21128, 12, 768, 12
CASES = [("greedy", 64), ("beam4", 64), ("greedy", 256), ("beam4", 256)]
CONFIG = dict(
    vocab_size=VOCAB,
    hidden_size=HIDDEN,
    num_hidden_layers=LAYERS,
    num_attention_heads=HEADS,
    intermediate_size=4 * HIDDEN,
    hidden_act="gelu",
    max_position=1024,
)


def _prompt():
    import numpy as np

    return np.random.default_rng(0).integers(1, VOCAB, size=PROMPT).tolist()


def _timed(fn, repeats: int):
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return first, best


def _status_bytes(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _peak_memory_above_now(fn):
    """Peak resident memory above the current one while ``fn`` runs, in bytes, or None where the peak
    cannot be reset (Linux's VmHWM after ``echo 5 > /proc/self/clear_refs``)."""
    import gc

    gc.collect()
    try:
        base = _status_bytes("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    fn()
    return _status_bytes("VmHWM") - base


def _build(model_name: str):
    import keras

    from kerasformers.models import build_transformer_model

    keras.utils.set_random_seed(0)
    if model_name == "gpt2":
        return build_transformer_model(None, None, model="gpt2", **CONFIG)
    # the stand-in before GPT-2 landed: a BERT-layout causal LM of the same shape
    return build_transformer_model(None, None, application="lm", segment_vocab_size=0, **CONFIG)


def _search(method: str) -> dict:
    """``generate`` keywords of a case's method."""
    return {"method": "beam", "topk": 4} if method == "beam4" else {"method": "greedy"}


def _cache_theory(new: int) -> int:
    """Theoretical key/value cache bytes of one row: 2 x layers x (prompt + new) x hidden x 4 bytes."""
    return 2 * LAYERS * (PROMPT + new) * HIDDEN * 4


def run_kerasformers(model_name: str, repeats: int, cases, torch_compile: bool = False):
    import numpy as np

    from kerasformers.generation import LastToken, cache_bytes, generate

    if torch_compile:
        from kerasformers.generation import CompiledStep

        CompiledStep.torch_compile = True
    model = _build(model_name)
    prompt = _prompt()
    results = {}
    for method, new in cases:
        kwargs = _search(method)
        first, best = _timed(lambda: generate(model, prompt, max_new_tokens=new, **kwargs), repeats)
        probe = LastToken(model, length_hint=new)
        probe.predict([np.array([prompt])])
        ratio = cache_bytes(probe.cache.caches) / _cache_theory(new)  # one row (beams hold one row per beam)
        del probe
        results[f"{method}/{new}"] = {"first": first, "best": best, "tps": new / best, "cache": ratio}
    return results


def run_kerasformers_memory(model_name: str, cases):
    """Peak memory of one decoding per case over the theoretical cache of all its rows (see the module doc)."""
    from kerasformers.generation import generate

    model = _build(model_name)
    prompt = _prompt()
    results = {}
    for method, new in cases:
        kwargs = _search(method)
        generate(model, prompt, max_new_tokens=new, **kwargs)  # compiles, allocates once
        rows = 4 if method == "beam4" else 1
        peak = _peak_memory_above_now(lambda: generate(model, prompt, max_new_tokens=new, **kwargs))
        results[f"{method}/{new}"] = {"peak": None if peak is None else peak / (rows * _cache_theory(new))}
    return results


def run_transformers(repeats: int, cases):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    # End id 0 with min_new_tokens = max_new_tokens: every run generates exactly `new` tokens.
    config = GPT2Config(vocab_size=VOCAB, n_positions=1024, n_embd=HIDDEN, n_layer=LAYERS, n_head=HEADS,
                        bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config).eval()
    prompt = torch.tensor([_prompt()])
    results = {}
    for method, new in cases:
        beams = 4 if method == "beam4" else 1

        def run():
            with torch.no_grad():
                model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=new,
                               min_new_tokens=new, do_sample=False, num_beams=beams, pad_token_id=0)

        first, best = _timed(run, repeats)
        results[f"{method}/{new}"] = {"first": first, "best": best, "tps": new / best}
    return results


def run_keras_hub(repeats: int, cases):
    import keras
    import keras_hub
    import numpy as np

    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.GPT2Backbone(vocabulary_size=VOCAB, num_layers=LAYERS, num_heads=HEADS,
                                             hidden_dim=HIDDEN, intermediate_dim=4 * HIDDEN, max_sequence_length=1024)
    results = {}
    for method, new in cases:
        lm = keras_hub.models.GPT2CausalLM(backbone=backbone, preprocessor=None)
        sampler = keras_hub.samplers.BeamSampler(num_beams=4) if method == "beam4" else "greedy"
        lm.compile(sampler=sampler)
        length = PROMPT + new
        token_ids = np.zeros((1, length), "int32")
        token_ids[0, :PROMPT] = _prompt()
        mask = np.zeros((1, length), bool)
        mask[0, :PROMPT] = True
        inputs = {"token_ids": token_ids, "padding_mask": mask}
        first, best = _timed(lambda: lm.generate(inputs, stop_token_ids=None), repeats)
        results[f"{method}/{new}"] = {"first": first, "best": best, "tps": new / best}
    return results


def run_bert4keras(repeats: int, cases):
    import numpy as np
    from bert4keras.models import build_transformer_model
    from bert4keras.snippets import AutoRegressiveDecoder

    config = dict(CONFIG, max_position=1024, segment_vocab_size=0)
    model = build_transformer_model(None, None, model="gpt2", **config)

    class Completion(AutoRegressiveDecoder):
        @AutoRegressiveDecoder.wraps(default_rtype="probas")
        def predict(self, inputs, output_ids, states):
            token_ids = np.concatenate([inputs[0], output_ids], 1)
            return self.last_token(model).predict(token_ids, verbose=0)

    results = {}
    for method, new in cases:
        decoder = Completion(start_id=None, end_id=None, maxlen=new)
        beams = 4 if method == "beam4" else 1
        first, best = _timed(lambda: decoder.beam_search([_prompt()], topk=beams), max(1, repeats - 1))
        results[f"{method}/{new}"] = {"first": first, "best": best, "tps": new / best}
    return results


def _cases(args):
    wanted = [c for c in CASES if f"{c[0]}/{c[1]}" in args.cases.split(",")] if args.cases else CASES
    return [c for c in wanted if args.max_new is None or c[1] <= args.max_new]


def worker(args) -> None:
    cases = _cases(args)
    if args.worker == "kerasformers":
        report(run_kerasformers(args.model, args.repeats, cases, args.torch_compile))
    elif args.worker == "kerasformers-memory":
        report(run_kerasformers_memory(args.model, cases))
    elif args.worker == "transformers":
        report(run_transformers(args.repeats, cases))
    elif args.worker == "keras-hub":
        report(run_keras_hub(args.repeats, cases))
    elif args.worker == "bert4keras":
        report(run_bert4keras(args.repeats, cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="gpt2", choices=["gpt2", "bert"])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--bert4keras-python")
    parser.add_argument("--keras-hub-path")
    parser.add_argument("--keras-hub-backends", default="tensorflow,jax")
    parser.add_argument("--worker")
    parser.add_argument("--max-new", type=int)
    parser.add_argument("--torch-compile", action="store_true", help="also run PyTorch with CompiledStep.torch_compile")
    parser.add_argument("--cases", help="comma-separated subset of greedy/64,beam4/64,greedy/256,beam4/256")
    parser.add_argument("--bert4keras-cases", default="greedy/64,beam4/64")
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "src")
    common = ["--model", args.model, "--repeats", str(args.repeats)] + (["--cases", args.cases] if args.cases else [])
    script = os.path.join(here, "generate.py")
    rows = []
    for backend in args.backends.split(","):
        env = {"KERAS_BACKEND": backend, "PYTHONPATH": src}
        result = spawn(sys.executable, script, ["--worker", "kerasformers", *common], env)
        if isinstance(result, dict):
            memory = spawn(sys.executable, script, ["--worker", "kerasformers-memory", *common],
                           {**env, "MALLOC_MMAP_THRESHOLD_": "65536"})
            for case, figures in (memory.items() if isinstance(memory, dict) else ()):
                result.setdefault(case, {}).update(figures)
        rows.append((f"kerasformers {args.model} ({backend})", result))
        if backend == "torch" and args.torch_compile:
            rows.append((f"kerasformers {args.model} (torch.compile)", spawn(
                sys.executable, script, ["--worker", "kerasformers", "--torch-compile", *common], env)))
    rows.append(("transformers GPT2LMHeadModel (torch)", spawn(sys.executable, script, ["--worker", "transformers", *common], {})))
    if args.keras_hub_path:
        for backend in args.keras_hub_backends.split(","):
            env = {"KERAS_BACKEND": backend, "PYTHONPATH": os.path.abspath(args.keras_hub_path)}
            rows.append((f"keras-hub GPT2CausalLM ({backend})", spawn(sys.executable, script, ["--worker", "keras-hub", *common], env)))
    if args.bert4keras_python:
        rows.append(("bert4keras 0.11.5 gpt2 (tf_keras)", spawn(
            args.bert4keras_python, script,
            ["--worker", "bert4keras", "--repeats", str(args.repeats), "--cases", args.bert4keras_cases], BERT4KERAS_ENV)))
    print_table(rows)


def print_table(rows) -> None:
    peers = [r for name, r in rows if isinstance(r, dict) and not name.startswith("kerasformers")]
    b4k = [r for name, r in rows if isinstance(r, dict) and name.startswith("bert4keras")]
    print(f"\nprompt {PROMPT}, batch 1, GPT2-small shape (L{LAYERS} H{HIDDEN} V{VOCAB}); tokens/s (first call s)\n")
    header = "| contender | " + " | ".join(f"{m} {n}" for m, n in CASES) + " | vs best peer (greedy 64) | vs bert4keras (greedy 64) | cache x theory | peak x theory |"
    print(header)
    print("|" + "---|" * (len(CASES) + 5))
    for name, result in rows:
        if not isinstance(result, dict):
            print(f"| {name} | {result} |")
            continue
        cells = []
        for m, n in CASES:
            r = result.get(f"{m}/{n}")
            cells.append("-" if r is None else f"{r['tps']:.1f} ({r['first']:.1f})")
        greedy = result.get("greedy/64", {}).get("tps")
        best_peer = max((p["greedy/64"]["tps"] for p in peers if "greedy/64" in p), default=None)
        vs_peer = f"{greedy / best_peer:.2f}x" if greedy and best_peer else "-"
        vs_b4k = f"{greedy / b4k[0]['greedy/64']['tps']:.1f}x" if greedy and b4k else "-"
        cache = result.get("greedy/256", result.get("greedy/64", {})).get("cache")
        peaks = [f"{m} {n}: {result[f'{m}/{n}']['peak']:.2f}" for m, n in CASES
                 if result.get(f"{m}/{n}", {}).get("peak") is not None]
        print(f"| {name} | " + " | ".join(cells) + f" | {vs_peer} | {vs_b4k} | {'-' if cache is None else f'{cache:.2f}'}"
              f" | {', '.join(peaks) or '-'} |")


if __name__ == "__main__":
    main()
