"""Key/value caches for decoding, and the compiled step that reads and updates them.

A cache holds, for every attention layer, keys and values of static shape
``[batch * heads, max_length, size]`` (flat head-major, :mod:`kerasformers.cache_ops`).
Slots are written in place of zeros as the sequence grows, and a *rank* per slot
decides what each new position may see: a key is visible to a query when
``key_rank <= query_rank``. Ranks are positions for ``application='lm'`` and
cumulative segment ids for ``'unilm'``; unwritten slots and padding tokens get
:data:`HIDDEN`, which no query reaches. The same rule therefore gives the causal
mask, the UniLM mask and the padding mask.

:class:`CompiledStep` runs :meth:`Transformer.call_cached` under ``jax.jit``
(with the cache buffers donated), ``tf.function(jit_compile=True)`` or plain
PyTorch, with static shapes: it compiles once per (batch, prompt bucket, cache
length) and then serves every step. :class:`PrefixCache` serves "the last position of these
growing prefixes", the question an :class:`AutoRegressiveDecoder` asks.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import keras
import numpy as np
from keras import ops

from kerasformers.backend import rank_mask
from kerasformers.cache_ops import pad_cache, take_cache_rows, zeros_cache
from kerasformers.layers.row_products import TransposedKernels

#: Rank of a slot no query may see (unwritten, or a padding token).
HIDDEN = 2**30
#: Cache lengths are rounded up to a multiple of this, so a compiled step serves many lengths.
LENGTH_BUCKET = 32
#: Prompts are right-padded to a multiple of this before the prefill pass.
PROMPT_BUCKET = 16


def round_up(n: int, multiple: int) -> int:
    """``n`` rounded up to a multiple of ``multiple``.

    Example:
        >>> round_up(33, 32), round_up(64, 32)
        (64, 64)
    """
    return int(math.ceil(n / multiple) * multiple)


def allocate_caches(builder, batch_size: int, max_length: int) -> Dict[str, tuple]:
    """Zero key/value caches for every attention layer of ``builder``, in its compute dtype.

    Example:
        >>> from kerasformers.models import BERT
        >>> bert = BERT(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        ...             intermediate_size=64, hidden_act="gelu")
        >>> caches = allocate_caches(bert, 1, 8)
        >>> len(caches), tuple(caches["Transformer-1-MultiHeadSelfAttention"][0].shape)  # 1 row x 4 heads
        (2, (4, 8, 8))
    """
    dtype = keras.mixed_precision.dtype_policy().compute_dtype
    if getattr(builder, "built", False):
        dtype = builder.model.compute_dtype
    return {
        name: (zeros_cache(k_shape, dtype), zeros_cache(v_shape, dtype))
        for name, (k_shape, v_shape) in builder.attention_cache_shapes(batch_size, max_length).items()
    }


def cache_bytes(caches: Dict[str, tuple]) -> int:
    """Bytes held by the key/value tensors of ``caches``.

    Example:
        >>> cache_bytes({"a": (np.zeros((4, 2, 8), "float32"), np.zeros((4, 2, 8), "float32"))})
        512
    """
    total = 0
    for pair in caches.values():
        for t in pair:
            total += int(np.prod(t.shape)) * np.dtype(keras.backend.standardize_dtype(t.dtype)).itemsize
    return total


def gather_rows(caches: Dict[str, tuple], rows, heads: int, keep: Sequence[str] = ()) -> Dict[str, tuple]:
    """Take batch ``rows`` of every cache (of ``heads`` heads) but those named in ``keep``, replacing the
    entries of ``caches`` one layer at a time.

    In place, so that (eagerly) each layer's old cache can be freed before the next is gathered: the
    peak is the caches plus one layer's, not twice the caches.
    """
    for name in list(caches):
        if name in keep:
            continue
        k, v = caches[name]
        caches[name] = (take_cache_rows(k, rows, heads), take_cache_rows(v, rows, heads))
    return caches


class CompiledStep:
    """``(new-position inputs, caches, ranks, index) -> (last-position output, caches)``, compiled.

    Args:
        builder: a built :class:`~kerasformers.models.Transformer` (``'lm'`` or ``'unilm'``).
        output_index: which of the builder's outputs to return (its LM head).

    Calling it with ``rows`` (``[batch]`` int) first gathers those cache rows
    (beam search reorders beams), which also changes the batch size; caches named
    in ``keep`` stay as they are (cross-attention memories whose rows all hold the
    same input: gathering them would copy every memory at every step).
    """

    #: PyTorch only: run the step under ``torch.compile`` instead of eagerly. Off by default: each new
    #: shape (batch size, cache bucket) costs a compile of several seconds on CPU and needs a C++
    #: compiler, which the tests and short generations do not repay; long generations gain (see
    #: docs/generation.md). Set ``CompiledStep.torch_compile = True`` before decoding.
    torch_compile = False

    #: JAX on CPU only: serve the Dense products from ``[out, in]`` copies of the kernels
    #: (:mod:`kerasformers.layers.row_products`): GPT2-small beam 4 decoded about 1.9x as fast and greedy
    #: 1.2x, at the cost of one more copy of the dense kernels in memory. Set
    #: ``CompiledStep.transposed_kernels = False`` before the first decoding to keep one copy of the weights.
    transposed_kernels = True

    def __init__(self, builder, output_index: int = 0):
        self.builder = builder
        self.output_index = output_index
        self.backend = keras.backend.backend()
        self.heads = builder.num_attention_heads  # caches hold [batch * heads, length, size]
        self.variables = list(builder.model.variables)
        self.kernels = None
        if self.backend == "jax" and self.transposed_kernels:
            import jax

            if jax.default_backend() == "cpu":
                self.kernels = TransposedKernels(builder.model, self.variables)
        self._compiled = None

    def _forward(self, inputs, caches, key_ranks, query_ranks, index, rows, last, keep=()):
        if self.backend != "torch":
            # Traced backends must not mutate their arguments (tf.function refuses); only eager PyTorch
            # frees memory by updating the handed-over dict in place.
            caches = dict(caches)
        if rows is not None:
            caches = gather_rows(caches, rows, self.heads, keep)
        bias = rank_mask(query_ranks, key_ranks)
        # The final layers (LM head) run on the last position only: a prompt's other positions need
        # their keys and values, not their logits.
        outputs, caches = self.builder.call_cached(inputs, caches, bias, index, last=last)
        if isinstance(outputs, (list, tuple)):
            outputs = outputs[self.output_index]
        return outputs[:, 0], caches

    def kernel_arrays(self, values: list) -> list:
        """The transposed kernels a JAX step takes, given :meth:`_values` (empty when :attr:`kernels` is off)."""
        return [] if self.kernels is None else self.kernels.arrays(values)

    def serving(self, arrays: list):
        """Context for tracing a JAX step: Dense products read the traced transposed ``arrays``."""
        return contextlib.nullcontext() if self.kernels is None else self.kernels.serving(arrays)

    def _values(self) -> list:
        """The variables' current arrays, read at every step (training may have replaced them).

        ``Variable._value`` is the stored array; the public ``value`` property returns the same array
        outside an autocast or stateless scope (where decoding runs) after several scope lookups,
        which cost about 1 ms per step for a 200-variable model, 3-4% of a GPT2-small step on CPU.
        """
        values = [getattr(v, "_value", None) for v in self.variables]
        if any(value is None for value in values):
            return [v.value for v in self.variables]
        return values

    def xla_options(self, positions: int) -> dict:
        """XLA compiler options of a JAX step (or loop) computing ``positions`` new positions in all.

        On CPU, a single position (greedy decoding) turns off XLA's YNNPACK fusions.
        They serve one-row products and reductions (each weight matrix times a
        vector, the softmax over the vocabulary) slower than XLA's own kernels:
        GPT2-small greedy decoding ran at 57 tokens/s with them and 65-69 without
        (benchmarks/README.md). Several rows (beam search, a prompt) keep them: there
        they multiply faster than XLA's Eigen path (beam 4: 47 against 23 tokens/s).
        """
        import jax

        if positions == 1 and jax.default_backend() == "cpu" and _ynn_option_supported():
            return dict(YNN_OFF)
        return {}

    def _compile(self):
        if self.backend == "jax":
            import jax

            def stateless(values, kernels, inputs, caches, key_ranks, query_ranks, index, rows, last, keep):
                with keras.StatelessScope(state_mapping=list(zip(self.variables, values))), self.serving(kernels):
                    return self._forward(inputs, caches, key_ranks, query_ranks, index, rows, last, keep)

            jitted = {}

            def run(*args):
                options = self.xla_options(int(np.size(args[3])))  # query ranks
                key = tuple(sorted(options.items()))
                if key not in jitted:
                    jitted[key] = jit_with_options(stateless, options, donate_argnums=(3,), static_argnums=(9,))
                with warnings.catch_warnings():
                    # Donation cannot reuse the buffers when a gather changes the batch size; that is expected.
                    warnings.filterwarnings("ignore", message="Some donated buffers were not usable")
                    values = self._values()
                    return jitted[key](values, self.kernel_arrays(values), *args)

            return run
        if self.backend == "tensorflow":
            import tensorflow as tf

            # XLA, as on JAX: plain tf.function ran the step op by op, copying each head-major cache into
            # the order tf.einsum wants (T5.1.1-small beam 4: 3.5 s a search without XLA, 2.2 s with).
            return tf.function(self._forward, jit_compile=True)
        if self.backend == "torch":
            import torch

            forward = torch.compile(self._forward) if self.torch_compile else self._forward

            def run_torch(*args):
                with torch.no_grad():
                    out = forward(*args)
                # Keras's tree utilities on PyTorch (torch.utils._pytree's recursive flatten, with is_leaf
                # closures over the structure) leave reference cycles that hold a step's tensors, caches
                # included, until Python's cycle collector runs: a GPT2-small beam-4 decoding peaked at 1.7x
                # the theoretical cache, 64x with the collector off. The young generations hold them.
                gc.collect(1)
                return out

            return run_torch
        return self._forward

    def __call__(self, inputs, caches, key_ranks, query_ranks, index: int, rows=None, last=None, keep=()):
        if self._compiled is None:
            self._compiled = self._compile()
        batch = len(query_ranks)
        if rows is not None and batch * self.heads != next(iter(caches.values()))[0].shape[0]:
            # The batch changes (beam search's first step fans one row out to its beams): gather here, so
            # the compiled step sees one batch size and compiles once per size, not per (old, new) pair.
            caches = gather_rows(caches, _int32_tensor(rows), self.heads)
            rows = np.arange(batch)
        last = np.zeros(batch, "int32") if last is None else last
        # jax.jit takes numpy arrays as they are (its C++ path moves them to the device faster than
        # ops.convert_to_tensor, about 1 ms a step for these seven); the other backends get tensors.
        tensor = (lambda x: np.asarray(x, "int32")) if self.backend == "jax" else _int32_tensor
        args = (
            [tensor(x) for x in inputs],
            caches,
            tensor(key_ranks),
            tensor(query_ranks),
            # PyTorch slices with a Python int (no tensor indexing); the compiled backends take a traced scalar.
            int(index) if self.backend == "torch" else tensor(index),
            None if rows is None else tensor(rows),
            tensor(last),
            tuple(sorted(keep)) if rows is not None else (),  # static: one compiled step per set of names
        )
        return self._compiled(*args)


#: XLA:CPU compiler options with no YNNPACK fusion (an empty list of fusion types).
YNN_OFF = {"xla_cpu_experimental_ynn_fusion_type": ""}


@functools.lru_cache(maxsize=None)
def _ynn_option_supported() -> bool:
    """Whether this jax/jaxlib takes ``compiler_options`` with the YNNPACK option (recent XLA:CPU
    only; older releases reject the option or the argument). Checked once on a trivial function."""
    import jax

    try:
        jax.jit(lambda x: x + 1, compiler_options=YNN_OFF).lower(np.float32(1)).compile()
    except Exception:  # noqa: BLE001 - any refusal means: compile without the option
        return False
    return True


def jit_with_options(fn, options: dict, **kwargs):
    """``jax.jit(fn, **kwargs)``, with ``compiler_options=options`` only when there are some: jax
    releases before ``jit`` took that argument then still compile (without the options)."""
    import jax

    if options:
        kwargs["compiler_options"] = options
    return jax.jit(fn, **kwargs)


def _int32_tensor(x):
    return ops.convert_to_tensor(np.asarray(x, "int32"))


def compiled_step(builder, output_index: int = 0) -> CompiledStep:
    """The builder's :class:`CompiledStep` for ``output_index``, created once so its compilations are reused."""
    steps = builder.__dict__.setdefault("_compiled_steps", {})
    if output_index not in steps:
        steps[output_index] = CompiledStep(builder, output_index)
    return steps[output_index]


def _row_keys(arrays: Sequence[np.ndarray]) -> List[bytes]:
    """One hashable key per row, joining the rows of every input array."""
    joined = np.concatenate([np.ascontiguousarray(a, dtype=np.int64) for a in arrays], axis=1)
    return [row.tobytes() for row in joined]


class PrefixCache:
    """Last-position outputs of growing prefixes, served from a key/value cache.

    Each call gives the full prefixes (``[rows, length]`` per model input), as an
    uncached ``predict`` would. When every row is a row of the previous call plus
    one token (rows may be reordered, repeated or dropped, as beam search and
    sampling do), only the new position is computed against the cache; otherwise
    the prompt is encoded afresh (the *prefill*, right-padded to a bucket).

    Args:
        builder: the built Transformer whose model is decoded.
        output_index: the builder output to serve (the LM head).
        length_hint: how many positions to reserve beyond the first prompt
            (e.g. the decoder's ``maxlen``), so the cache rarely grows.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> bert = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=4, intermediate_size=64, application="lm", return_keras_model=False)
        >>> cache = PrefixCache(bert, length_hint=4)
        >>> ids, seg = np.array([[2, 7, 9]]), np.zeros((1, 3), int)
        >>> p1 = cache.predict([ids, seg])
        >>> p2 = cache.predict([np.array([[2, 7, 9, 11]]), np.zeros((1, 4), int)])  # one cached step
        >>> p2.shape, cache.steps_served
        ((1, 50), 1)
    """

    def __init__(self, builder, output_index: int = 0, length_hint: int = 0):
        self.builder = builder
        self.mode = builder.attention_mask_mode
        if self.mode not in ("lm", "unilm"):
            raise ValueError(
                f"Cached decoding needs a causal model (application='lm' or 'unilm'); this one attends "
                f"with mask mode {self.mode!r}."
            )
        self.step = compiled_step(builder, output_index)
        self.length_hint = int(length_hint)
        self.mask_padding = getattr(builder, "mask_padding", True)  # False: id 0 is a real token (GPT-2)
        self.max_positions = builder.max_position if getattr(builder, "absolute_positions", False) else None
        self.steps_served = 0
        self.reset()

    def reset(self) -> None:
        """Forget the cached prefixes (call it after the weights change)."""
        self.caches = None
        self.prefix_keys: Dict[bytes, int] = {}
        self.length = 0
        self.key_ranks = None  # [cache batch, max_length]
        self.last_rank = None  # [cache batch]: rank of each row's last position

    # --- ranks ----------------------------------------------------------------------
    def _ranks(self, token_ids, segment_ids, start: int, previous):
        """Query ranks of positions ``start..`` and their key ranks (HIDDEN for padding)."""
        if self.mode == "lm":
            queries = np.broadcast_to(np.arange(start, start + token_ids.shape[1]), token_ids.shape)
        else:
            queries = previous[:, None] + np.cumsum(segment_ids, axis=1)
        queries = queries.astype(np.int64)
        keys = np.where(token_ids != 0, queries, HIDDEN) if self.mask_padding else queries
        return queries, keys

    # --- the two passes -------------------------------------------------------------
    def predict(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        """``[rows, vocab]`` outputs at the last position of each prefix (numpy)."""
        arrays = [np.asarray(a) for a in arrays]
        rows = self._extends(arrays)
        out = self._advance(arrays, rows) if rows is not None else self._prefill(arrays)
        self.prefix_keys = {key: i for i, key in enumerate(_row_keys(arrays))}
        return out

    def _extends(self, arrays) -> Optional[np.ndarray]:
        """For each row, the cache row it extends by one token; None when some row does not."""
        if self.caches is None or arrays[0].shape[1] != self.length + 1:
            return None
        rows = [self.prefix_keys.get(key) for key in _row_keys([a[:, :-1] for a in arrays])]
        if any(r is None for r in rows):
            return None
        rows = np.asarray(rows, dtype=np.int64)
        if self.mode == "unilm":
            # A new token of segment 0 would be visible to earlier segment-0 queries: not cacheable.
            fresh = (arrays[1][:, -1] == 0) & (arrays[0][:, -1] != 0)
            if fresh.any():
                return None
        return rows

    def _prefill(self, arrays) -> np.ndarray:
        batch, length = arrays[0].shape
        max_length = round_up(length + max(self.length_hint, 1), LENGTH_BUCKET)
        if self.max_positions is not None:
            max_length = min(max_length, self.max_positions)
        if length > max_length:
            raise ValueError(
                f"The prefix has {length} tokens but the model has {self.max_positions} positions; "
                "shorten the prompt or maxlen."
            )
        padded = min(round_up(length, PROMPT_BUCKET), max_length)
        arrays_p = [np.pad(a, ((0, 0), (0, padded - length))) for a in arrays]
        segments = arrays_p[1] if self.mode == "unilm" else None
        queries, keys = self._ranks(arrays_p[0], segments, 0, np.zeros(batch, np.int64))
        key_ranks = np.full((batch, max_length), HIDDEN, np.int64)
        key_ranks[:, :length] = keys[:, :length]  # the bucket's padding stays hidden
        out, self.caches = self.step(
            arrays_p, self.allocate(batch, max_length), key_ranks, queries, 0, last=np.full(batch, length - 1)
        )
        self.key_ranks = key_ranks
        self.last_rank = queries[:, length - 1].copy()
        self.length = length
        return ops.convert_to_numpy(out).astype("float32")

    def _advance(self, arrays, rows: np.ndarray) -> np.ndarray:
        batch = len(rows)
        cache_batch = self.key_ranks.shape[0]
        if self.length + 1 > self.key_ranks.shape[1]:
            self._grow()
        # Keep the batch static: fewer rows (finished beams) are padded with copies of row 0.
        target = max(batch, cache_batch)
        pad = target - batch
        rows_p = np.concatenate([rows, np.zeros(pad, np.int64)])
        new = [np.concatenate([a[:, -1:], np.repeat(a[:1, -1:], pad, axis=0)]) for a in arrays]
        segments = new[1] if self.mode == "unilm" else None
        queries, keys = self._ranks(new[0], segments, self.length, self.last_rank[rows_p])
        key_ranks = self.key_ranks[rows_p]
        key_ranks[:, self.length] = keys[:, 0]
        # A batch of one skips the gather; larger batches always gather (an identity order too), so their
        # steps share one compiled shape.
        identity = target == cache_batch == 1
        # Handed over (no reference kept here): eagerly, each layer's old cache is freed once its new one is
        # written, so decoding holds about one copy of the caches (PyTorch's slice_update copies).
        caches, self.caches = self.caches, None
        keep = () if identity else self._take_rows(rows_p)
        out, self.caches = self.step(new, caches, key_ranks, queries, self.length, None if identity else rows_p,
                                     keep=keep)
        self.key_ranks = key_ranks
        self.last_rank = queries[:, 0]
        self.length += 1
        self.steps_served += 1
        return ops.convert_to_numpy(out)[:batch].astype("float32")

    def _take_rows(self, rows: np.ndarray) -> Tuple[str, ...]:
        """Note that the step takes cache ``rows``; returns the names of caches it may leave in place."""
        return ()

    def allocate(self, batch_size: int, max_length: int) -> Dict[str, tuple]:
        """Fresh caches for a prefill pass (an encoder-decoder adds its cross-attention memories)."""
        return allocate_caches(self.builder, batch_size, max_length)

    def _grow(self) -> None:
        """Extend every cache by one length bucket (a new compiled shape)."""
        extra = LENGTH_BUCKET
        if self.max_positions is not None:
            extra = min(extra, self.max_positions - self.key_ranks.shape[1])
        if extra <= 0:
            raise ValueError(f"The sequence outgrew the model's {self.max_positions} positions.")
        self.caches = {n: (pad_cache(k, extra), pad_cache(v, extra)) for n, (k, v) in self.caches.items()}
        self.key_ranks = np.pad(self.key_ranks, ((0, 0), (0, extra)), constant_values=HIDDEN)


class Seq2SeqPrefixCache(PrefixCache):
    """:class:`PrefixCache` for an encoder-decoder's decoder (T5): inputs ``[context, output_ids]``.

    ``context`` (the encoder output, one row per prefix) is turned into each
    cross-attention layer's keys and values once per search (the *memories*);
    every step then computes the new token's self-attention against the cache and
    its cross-attention against the memories. Rows are matched by their output ids
    and their context, so beam search and sampling may reorder or drop them.

    Example:
        >>> from kerasformers.models import T5
        >>> t5 = T5(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        ...         intermediate_size=32, hidden_act=["gelu", "linear"], version="t5.1.1")
        >>> t5.build()
        >>> cache = Seq2SeqPrefixCache(t5._decoder, length_hint=4)
        >>> context = np.ones((1, 5, 16), "float32")
        >>> p1 = cache.predict([context, np.array([[0]])])
        >>> p2 = cache.predict([context, np.array([[0, 7]])])  # one cached step
        >>> p2.shape, cache.steps_served
        ((1, 50), 1)
    """

    def __init__(self, builder, output_index: int = 0, length_hint: int = 0):
        super().__init__(builder, output_index, length_hint)
        # Masks follow the decoder's numerics: bert4keras's hides id-0 keys after the start token.
        self.hide_zero_keys = getattr(builder, "numerics", "mesh_tf") == "bert4keras"

    def reset(self) -> None:
        super().reset()
        self.contexts: Dict[bytes, int] = {}
        self._context = None
        self._row_contexts = None  # the context id of each cache row

    def _prefill(self, arrays) -> np.ndarray:
        self._row_contexts = np.asarray(arrays[1])[:, 0].copy()
        return super()._prefill(arrays)

    def _take_rows(self, rows: np.ndarray) -> Tuple[str, ...]:
        # Beam search and sampling reorder the rows of one input: each memory row then already holds
        # the context of the row that will read it, and the memories need no gather.
        taken = self._row_contexts[rows]
        same = taken.shape == self._row_contexts.shape and bool(np.all(taken == self._row_contexts))
        self._row_contexts = taken
        return tuple(self.builder.cross_attention_names()) if same else ()

    def _context_ids(self, context: np.ndarray) -> np.ndarray:
        """A small id per distinct context row (equal rows, e.g. beams of one input, share one)."""
        ids = [self.contexts.setdefault(row.tobytes(), len(self.contexts)) for row in context]
        return np.asarray(ids, np.int64)

    def predict(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        context, output_ids = np.asarray(arrays[0]), np.asarray(arrays[1])
        self._context = context
        # The context id, repeated along the ids, joins each row's key (see PrefixCache._row_keys).
        rows = np.repeat(self._context_ids(context)[:, None], output_ids.shape[1], axis=1)
        return super().predict([output_ids, rows])

    def _ranks(self, token_ids, segment_ids, start: int, previous):
        queries = np.broadcast_to(np.arange(start, start + token_ids.shape[1]), token_ids.shape).astype(np.int64)
        hidden = (token_ids == 0) & (queries > 0) if self.hide_zero_keys else np.zeros(token_ids.shape, bool)
        return queries, np.where(hidden, HIDDEN, queries)

    def allocate(self, batch_size: int, max_length: int) -> Dict[str, tuple]:
        caches = allocate_caches(self.builder, batch_size, max_length)
        caches.update(self.builder.memories(self._context))
        return caches

    def _grow(self) -> None:
        names = self.builder.cross_attention_names()
        memories = {n: self.caches[n] for n in names}
        super()._grow()
        self.caches.update(memories)
