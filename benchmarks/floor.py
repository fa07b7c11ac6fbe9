"""The weight-reading floor of a greedy GPT2-small token on this machine: only the step's products.

A greedy step multiplies one row by every weight matrix once (405 MB of float32 for the GPT2-small shape
of generate.py: 12 layers of a [768, 2304] attention input, [768, 768] output, [768, 3072] and [3072, 768]
feed-forward products, and the tied [21128, 768] LM head). This times a bare ``jax.jit`` chain of just those
products (random weights, no attention, no norms, no cache) so a framework's tokens/s can be read against
what the memory system allows.

    KERAS_BACKEND=jax python benchmarks/floor.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

H, F, LAYERS, VOCAB = 768, 3072, 12, 21128


def main() -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    def weight(*shape):
        return jnp.asarray(rng.standard_normal(shape, np.float32) * 0.02)

    layers = [dict(qkv=weight(H, 3 * H), o=weight(H, H), up=weight(H, F), down=weight(F, H)) for _ in range(LAYERS)]
    head = weight(VOCAB, H)
    nbytes = sum(w.nbytes for layer in layers for w in layer.values()) + head.nbytes

    @jax.jit
    def products(layers, head, x):
        for w in layers:
            h = x @ w["qkv"]
            x = x + (h[:, :H] + h[:, H : 2 * H] + h[:, 2 * H :]) @ w["o"]  # keeps every product live
            x = x + jax.nn.gelu(x @ w["up"]) @ w["down"]
        return jnp.argmax(x @ head.T, -1)

    x = jnp.ones((1, H), jnp.float32)
    for _ in range(3):
        products(layers, head, x).block_until_ready()
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(20):
            products(layers, head, x).block_until_ready()
        best = min(best, (time.perf_counter() - start) / 20)
    print(f"{nbytes / 2**20:.0f} MiB of weights: {best * 1e3:.2f} ms a token, {1 / best:.1f} tokens/s at most, "
          f"{nbytes / best / 1e9:.1f} GB/s")


if __name__ == "__main__":
    main()
