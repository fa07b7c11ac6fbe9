"""Text generation: ``generate`` in one line, and bert4keras's ``AutoRegressiveDecoder``.

Every decoder-capable model (``application='lm'`` or ``'unilm'``, the GPT
family) is decoded from a key/value cache: the prompt is encoded once, then each
step computes one position, in a step compiled with static shapes (``jax.jit``,
``tf.function(jit_compile=True)``; eager PyTorch). See docs/generation.md.
"""

from __future__ import annotations

import importlib

# Names resolve on first use (PEP 562), so importing numpy-only parts (samplers.softmax, which
# kerasformers.snippets re-exports) does not import Keras.
_WHERE = {
    "AutoRegressiveDecoder": "autoregressive",
    "LastToken": "autoregressive",
    "find_builder": "autoregressive",
    "CompiledStep": "cache",
    "PrefixCache": "cache",
    "allocate_caches": "cache",
    "cache_bytes": "cache",
    "beam_search": "samplers",
    "random_sample": "samplers",
    "generate": "api",
    "METHODS": "api",
}


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"kerasformers.generation.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'kerasformers.generation' has no attribute {name!r}")


__all__ = [
    "AutoRegressiveDecoder",
    "CompiledStep",
    "LastToken",
    "PrefixCache",
    "allocate_caches",
    "beam_search",
    "cache_bytes",
    "find_builder",
    "generate",
    "random_sample",
]
