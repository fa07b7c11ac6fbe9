"""The key/value-cache seam of the shared Transformer builder.

:class:`CachedDecoding` is mixed into :class:`~kerasformers.models.transformer.Transformer`:
it runs the built model's layers again on new positions only, with every
self-attention layer reading and updating its key/value cache (what
``kerasformers.generation`` compiles into one decoding step). It is kept apart
from the block assembly because it concerns decoding only: the blocks ask it for
their cache arguments (:meth:`CachedDecoding.attention_cache_arguments`) and know
nothing else about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence

from keras import ops

from kerasformers.cache_ops import cache_view


@dataclass
class DecodingPass:
    """State of one cached forward pass (:meth:`CachedDecoding.call_cached`).

    ``index`` is the cache slot of the first new position; ``caches`` maps each
    attention layer's name to its ``(k_cache, v_cache)`` and receives the updated
    ones; names in ``frozen`` are read without update (cross-attention memories);
    ``attention_bias`` is the self-attention mask over the cache slots; ``last``
    (``[batch]`` int, or None for all) selects the one new position per row whose
    output is wanted, so the final layers (the LM head) run on it alone.
    """

    index: Any
    caches: Dict[str, tuple]
    frozen: frozenset = field(default_factory=frozenset)
    attention_bias: Any = None
    last: Any = None


class CachedDecoding:
    """Cached forward passes for a :class:`~kerasformers.models.transformer.Transformer` builder.

    The builder provides ``call``, ``prefixed``, ``block_layer_name``, ``inputs``,
    ``built`` and the per-call state (``_attention_masks``, ``_position_tables``,
    ``_attention_scores``); ``_decoding`` is None outside a cached pass.
    """

    _decoding = None

    def attention_cache_shapes(self, batch_size: int, max_length: int) -> Dict[str, tuple]:
        """``{attention layer name: (k_shape, v_shape)}`` of the key/value cache of every block.

        Each shape is flat head-major, ``[batch_size * heads, max_length, size]``
        (:mod:`kerasformers.cache_ops`).

        Example:
            >>> from kerasformers.models import BERT
            >>> bert = BERT(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
            ...             intermediate_size=64, hidden_act="gelu")
            >>> bert.attention_cache_shapes(2, 16)
            {'Transformer-0-MultiHeadSelfAttention': ((8, 16, 8), (8, 16, 8))}
        """
        rows = batch_size * self.num_attention_heads
        k_shape = (rows, max_length, self.attention_key_size)
        v_shape = (rows, max_length, self.attention_head_size)
        return {
            self.prefixed(self.block_layer_name("MultiHeadSelfAttention", i)): (k_shape, v_shape)
            for i in range(self.num_hidden_layers)
        }

    def decoding_arguments(self) -> Dict[str, Any]:
        """Call arguments of position layers: ``{'start_index': i}`` during a cached pass, else ``{}``.

        A model whose embeddings count positions passes these to its position
        layer (``arguments=self.decoding_arguments()``) so new tokens get their
        positions after the cached ones.
        """
        return {} if self._decoding is None else {"start_index": self._decoding.index}

    def attention_cache_arguments(self, name: str) -> Dict[str, Any]:
        """``MultiHeadAttention`` call arguments for the layer ``name`` (unprefixed) in a cached pass.

        ``{'cache': (k, v), 'cache_update_index': i}`` when the pass holds a cache
        for it (index None for a frozen cross-attention memory), else ``{}``. A
        layer called with these returns ``(outputs, cache)``: pass that to
        :meth:`store_attention_cache`.
        """
        decoding, key = self._decoding, self.prefixed(name)
        if decoding is None or key not in decoding.caches:
            return {}
        return {
            "cache": decoding.caches[key],
            "cache_update_index": None if key in decoding.frozen else decoding.index,
        }

    def cached_keys(self, name: Optional[str] = None):
        """The keys cached for attention layer ``name`` (unprefixed; default: the first cache), viewed
        as ``[batch, max_length, heads, size]``: position tables sized by the key length read it."""
        caches = self._decoding.caches
        cache = next(iter(caches.values())) if name is None else caches[self.prefixed(name)]
        return cache_view(cache[0], self.num_attention_heads)

    def store_attention_cache(self, name: str, outputs):
        """Keep the updated cache of layer ``name`` from its ``(outputs, cache)``; returns ``outputs``."""
        outputs, self._decoding.caches[self.prefixed(name)] = outputs
        return outputs

    def select_decoding_positions(self, x):
        """Hidden states ``x`` before the final layers, cut to the pass's ``last`` positions when set.

        A prompt of 32 positions then gets its LM head (a ``[hidden, vocab]`` product) on one
        position, not 32. A family whose blocks carry more than the hidden states (T5's decoder
        carries ``[context, x]``) overrides this.
        """
        last = None if self._decoding is None else self._decoding.last
        if last is None:
            return x
        return ops.take_along_axis(x, ops.reshape(ops.cast(last, "int32"), (-1, 1, 1)), axis=1)

    def call_cached(self, inputs: Sequence, caches: Dict[str, tuple], attention_bias, index, frozen=(), last=None):
        """Run the built model on new positions against a key/value cache.

        Args:
            inputs: the model's inputs (token ids, segment ids, ...) for the new
                positions only, ``[batch, q_len]`` each.
            caches: ``{attention layer name: (k_cache, v_cache)}`` as shaped by
                :meth:`attention_cache_shapes`. The dict is updated in place (layer
                by layer, so an old cache can be freed as soon as its layer has run)
                and returned.
            attention_bias: boolean ``[batch, q_len, max_length]`` mask of the
                cache slots each new position may attend to (its own included),
                e.g. :func:`kerasformers.backend.rank_mask`.
            index: cache slot (= position) of the first new token.
            frozen: names in ``caches`` read as they are (cross-attention memories).
            last: optional ``[batch]`` int, the one new position per row whose outputs
                are wanted (the final layers then run on it alone).

        Returns:
            ``(outputs, caches)``: the model's outputs for the new positions (one
            position per row with ``last``; its usual structure) and the updated caches.

        Example:
            >>> import numpy as np
            >>> from kerasformers.models import BERT
            >>> bert = BERT(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
            ...             intermediate_size=64, hidden_act="gelu")
            >>> bert.attention_mask_mode = "lm"
            >>> bert.build()
            >>> caches = {k: (np.zeros(a, "float32"), np.zeros(b, "float32"))
            ...           for k, (a, b) in bert.attention_cache_shapes(1, 4).items()}
            >>> seen = np.array([[[True, False, False, False]]])
            >>> out, caches = bert.call_cached([np.array([[7]]), np.array([[0]])], caches, seen, 0)
            >>> tuple(out.shape)
            (1, 1, 32)
        """
        if not self.built:
            raise ValueError("call_cached needs a built model: call build() first.")
        saved = (self.inputs, self._attention_masks, self._position_tables, self._attention_scores, self._decoding)
        self.inputs = list(inputs)
        self._attention_masks, self._position_tables, self._attention_scores = {}, {}, None
        self._decoding = DecodingPass(
            index=index, caches=caches, frozen=frozenset(frozen), attention_bias=attention_bias, last=last
        )
        try:
            outputs = self.call(self.inputs)
            return outputs, self._decoding.caches
        finally:
            self.inputs, self._attention_masks, self._position_tables, self._attention_scores, self._decoding = saved
