"""Greedy decoding with the whole loop compiled, for ``generate(method='greedy')`` on JAX.

The step-by-step path returns to Python at every token: the host reads the
probabilities, picks the id, and dispatches the next compiled step with some
two hundred weight arrays as arguments. On CPU that costs 2-3 ms a token, about
a sixth of a GPT2-small step. Here the prompt is encoded as before (the prefill
of :class:`~kerasformers.generation.PrefixCache`, which also scores the first
token), and every later step runs inside one ``jax.lax.while_loop``: argmax,
cache write and end test stay on the device.

The ids are those of the step-by-step path, which is beam search with one beam
(bert4keras's greedy decoding): the best of the same scores (float32
``log(p + 1e-12)``), and the same end rule (stop after an ``end_id`` once the
output holds ``minlen`` ids and ``min_ends`` ends). One difference remains: among
exactly equal best scores, numpy's ``argpartition`` picks one in an order that
depends on the vocabulary size, the loop the first. Other backends, sampling and
beam search keep the step path.
"""

from __future__ import annotations

import warnings
from typing import Optional

import keras
import numpy as np

from kerasformers.generation.cache import HIDDEN, PrefixCache, jit_with_options


def loop_cache(decoder, model) -> Optional[PrefixCache]:
    """The decoder's prefix cache for ``model`` when the compiled loop can serve it, else None.

    A language model's :class:`PrefixCache` on the JAX backend; an encoder-decoder's
    cache and the other backends decode step by step.
    """
    if keras.backend.backend() != "jax" or not decoder.use_cache:
        return None
    cache = decoder.last_token(model).cache
    return cache if type(cache) is PrefixCache else None


def greedy_search(decoder, model, inputs, segment: Optional[int], min_ends: int = 1,
                  logits: bool = False) -> np.ndarray:
    """Greedy decoding of ``inputs`` by ``decoder`` (whose ``predict`` asks ``last_token(model)``).

    Args:
        decoder: an :class:`~kerasformers.generation.AutoRegressiveDecoder` whose
            ``predict`` appends the output ids to ``inputs`` (as ``generate``'s does).
        model: the language model ``predict`` asks; :func:`loop_cache` must serve it.
        inputs: the prompt arrays, one row each (token ids, then segment ids if any).
        segment: the segment id of generated tokens (1 under UniLM, 0 otherwise), or
            None when the model takes token ids only.
        min_ends: end tokens a finished output holds.
        logits: the model outputs logits (the decoder's ``wraps(default_rtype='logits')``
            turns them into probabilities), not probabilities.

    Returns:
        The output ids (1-D), starting with the decoder's start id if it has one.

    Example:
        >>> from kerasformers.generation import generate
        >>> from kerasformers.models import build_transformer_model
        >>> lm = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=4, intermediate_size=64, application="lm")
        >>> len(generate(lm, [2, 11, 7], max_new_tokens=5))  # runs here on JAX
        5
    """
    decoder._new_search()
    end_id = -1 if decoder.end_id is None else int(decoder.end_id)
    rows = [np.array([i]) for i in inputs]
    output_ids = decoder.first_output_ids
    if decoder.maxlen <= 0:
        return np.asarray(output_ids[0])
    # The first token comes from the prefill, scored exactly as the step path scores it.
    scores, _ = decoder.predict(rows, output_ids, None, 1, "logits")
    token = int(scores.argpartition(-1, axis=None)[-1])  # beam_search's own selection, ties included
    output = [int(i) for i in output_ids[0]] + [token]
    ends = output.count(end_id)
    if decoder.maxlen <= 1 or (len(output) >= decoder.minlen and token == end_id and ends >= min_ends):
        return np.array(output)
    cache = decoder.last_token(model).cache
    # The prefill sized the cache for maxlen tokens unless the model has fewer positions (PrefixCache).
    room = cache.key_ranks.shape[1] - cache.length
    steps = min(decoder.maxlen - 1, room)
    ids, count, done = _run_loop(cache, token, len(output), steps, end_id, decoder.minlen, min_ends, ends, segment,
                                 logits)
    cache.reset()  # its buffers were donated to the loop
    if not done and count < decoder.maxlen - 1:
        raise ValueError(f"The sequence outgrew the model's {cache.max_positions} positions.")
    return np.array(output + ids[:count].tolist())


def _run_loop(cache: PrefixCache, token, out_len, steps, end_id, minlen, min_ends, ends, segment, logits):
    step = cache.step
    loops = step.__dict__.setdefault("_greedy_loops", {})
    options = step.xla_options(1)
    key = (segment is None, logits, cache.mode, cache.mask_padding, tuple(sorted(options.items())))
    if key not in loops:
        loops[key] = _compile(cache, segment is not None, logits, options)
    i32 = lambda x: np.asarray(x, "int32")  # noqa: E731
    caches, cache.caches = cache.caches, None
    values = step._values()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Some donated buffers were not usable")
        ids, count, done, _ = loops[key](
            values, step.kernel_arrays(values), caches, i32(cache.key_ranks), i32(cache.last_rank), i32(token),
            i32(cache.length), i32(steps), i32(out_len), i32(end_id), i32(minlen), i32(min_ends), i32(ends),
            i32(0 if segment is None else segment),
        )
    return np.asarray(ids), int(count), bool(done)


def _compile(cache: PrefixCache, with_segment: bool, logits: bool, options: dict):
    import jax
    import jax.numpy as jnp

    step, lm, mask_padding = cache.step, cache.mode == "lm", cache.mask_padding

    def loop(values, kernels, caches, key_ranks, last_rank, token, start, steps, out_len, end_id, minlen, min_ends,
             ends, segment):
        def body(state):
            i, caches, key_ranks, last_rank, token, out, _, ends = state
            index = start + i
            ids = jnp.reshape(token, (1, 1))
            inputs = [ids, jnp.reshape(segment, (1, 1))] if with_segment else [ids]
            # Ranks as PrefixCache._ranks gives them: positions for 'lm', cumulative segments for 'unilm'.
            query = jnp.reshape(index, (1,)) if lm else last_rank + segment
            key = jnp.where(mask_padding & (token == 0), HIDDEN, query)
            key_ranks = jax.lax.dynamic_update_slice(key_ranks, jnp.reshape(key, (1, 1)), (0, index))
            probas, caches = step._forward(
                inputs, caches, key_ranks, jnp.reshape(query, (1, 1)), index, None, jnp.zeros((1,), "int32")
            )
            probas = probas[0].astype("float32")
            if logits:
                probas = jax.nn.softmax(probas)
            # The scores beam_search compares: float32 log(p + 1e-12), where neighbouring probabilities can tie.
            token = jnp.argmax(jnp.log(probas + 1e-12)).astype("int32")
            out = out.at[i].set(token)
            ends = ends + (token == end_id)
            done = (out_len + i + 1 >= minlen) & (token == end_id) & (ends >= min_ends)
            return i + 1, caches, key_ranks, query, token, out, done, ends

        def cond(state):
            return (state[0] < steps) & ~state[6]

        with keras.StatelessScope(state_mapping=list(zip(step.variables, values))), step.serving(kernels):
            out = jnp.zeros((key_ranks.shape[1],), "int32")
            state = (jnp.int32(0), caches, key_ranks, last_rank, token, out, jnp.bool_(False), ends)
            state = jax.lax.while_loop(cond, body, state)
        # The caches are returned (and dropped by the caller) so that XLA writes the loop's caches into the
        # donated input buffers: with no output to alias, it kept a second copy (greedy peak 2.1x theory).
        return state[5], state[0], state[6], state[1]

    return jit_with_options(loop, options, donate_argnums=(2,))
