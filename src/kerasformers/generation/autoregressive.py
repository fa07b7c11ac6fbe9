"""bert4keras's ``AutoRegressiveDecoder``, served from a key/value cache.

Scripts subclass it exactly as in bert4keras: decorate ``predict`` with
``wraps``, concatenate the prompt and the ``output_ids`` in it, and return
``self.last_token(model).predict(...)``. ``last_token`` is where the cache comes
in: it returns a :class:`LastToken` that recognises that the prefixes grew by
one token per row (also after beam search reordered or dropped rows) and then
computes only the new position. Anything it cannot serve from the cache (a
model it cannot trace back to a kerasformers builder, a reloaded ``.keras``
file, inputs that did not grow by one token) is computed over the whole prefix,
with one warning, and gives the same ids.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import keras
import numpy as np
from keras import ops

from kerasformers.generation import samplers
from kerasformers.generation.cache import PROMPT_BUCKET, PrefixCache, Seq2SeqPrefixCache, round_up
from kerasformers.layers import AttentionMask, Loss


def _unwrap_output(tensor):
    """See through bert4keras-style ``Loss`` layers, whose output is one of their inputs."""
    history = getattr(tensor, "_keras_history", None)
    while history is not None:
        layer = history.operation
        axis = getattr(layer, "output_axis", None)
        if not isinstance(layer, Loss) or not isinstance(axis, int):
            break
        node = layer._inbound_nodes[history.node_index]
        tensor = node.input_tensors[axis]
        history = getattr(tensor, "_keras_history", None)
    return tensor


def find_builder(model) -> Tuple[Any, int, str]:
    """The kerasformers builder behind ``model`` and the index of the output it serves.

    Returns ``(builder, output_index, reason)``; ``builder`` is None (and
    ``reason`` says why) when ``model`` cannot be decoded from a cache.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> lm = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=4, intermediate_size=64, application="lm")
        >>> builder, index, _ = find_builder(lm)
        >>> type(builder).__name__, index
        ('BERT', 0)
    """
    if len(model.outputs) != 1:
        return None, 0, f"the model has {len(model.outputs)} outputs (one LM output is cached)"
    target = _unwrap_output(model.outputs[0])
    history = getattr(target, "_keras_history", None)
    builder = getattr(history.operation, "_kerasformers_builder", None) if history is not None else None
    if builder is None:
        return None, 0, "its output does not come from a kerasformers model built in this process"
    matches = [i for i, t in enumerate(builder.outputs) if t is target]
    if not matches:
        return None, 0, "its output is not one of the kerasformers model's outputs"
    if [id(t) for t in model.inputs] != [id(t) for t in builder.inputs]:
        return None, 0, "its inputs differ from the kerasformers model's inputs"
    if builder.layer_norm_conds[0] is not None:
        return None, 0, "conditional LayerNorm models are not cached"
    if builder.attention_mask_mode not in ("lm", "unilm"):
        return None, 0, f"its attention is not causal (mask mode {builder.attention_mask_mode!r})"
    return builder, matches[0], ""


class LastToken:
    """What ``decoder.last_token(model)`` returns: the model's output at each row's last position.

    ``predict(inputs)`` takes the full prefixes, as bert4keras's ``last_token``
    model did, and returns ``[rows, vocab]`` (numpy), without a progress bar.
    With ``use_cache=True`` it serves prefixes that grew by one token from a
    key/value cache; otherwise, or when the model cannot be cached, it runs the
    whole prefix through the model.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> lm = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=4, intermediate_size=64, application="lm")
        >>> last = LastToken(lm, length_hint=4)
        >>> last.predict([np.array([[2, 5, 7]]), np.zeros((1, 3), int)]).shape
        (1, 50)
    """

    def __init__(self, model, use_cache: bool = True, length_hint: int = 0):
        self.model = model
        self.use_cache = use_cache
        self.cache: Optional[PrefixCache] = None
        self._warned = False
        if use_cache:
            builder, index, reason = find_builder(model)
            if builder is None:
                self._warn(f"this model is decoded without a key/value cache: {reason}")
            else:
                kind = Seq2SeqPrefixCache if getattr(builder, "cross_attention", False) else PrefixCache
                self.cache = kind(builder, index, length_hint=length_hint)

    def _warn(self, message: str) -> None:
        if not self._warned:
            warnings.warn(f"{message}; every step recomputes the whole prefix (same ids, slower).", stacklevel=3)
            self._warned = True

    @property
    def outputs(self):
        return self.model.outputs

    def reset(self) -> None:
        """Forget cached prefixes (the decoder does this at the start of each search)."""
        if self.cache is not None:
            self.cache.reset()

    def predict(self, x, batch_size=None, verbose=None, **kwargs) -> np.ndarray:
        """``[rows, vocab]`` outputs at the last position of each row of ``x`` (array or list of arrays)."""
        arrays = [np.asarray(a) for a in x] if isinstance(x, (list, tuple)) else [np.asarray(x)]
        if self.cache is not None:
            continuing = self.cache.caches is not None  # within a search (the decoder resets at its start)
            served = self.cache.steps_served
            out = self.cache.predict(arrays)
            if continuing and self.cache.steps_served == served:
                self._warn("the prefixes did not grow by one token per row since the last call")
            return out
        return self.predict_uncached(arrays)

    __call__ = predict

    def predict_uncached(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        """Whole-prefix computation (bert4keras's path), the reference the cache must equal."""
        padded_ids = self._sequence_inputs() if keras.backend.backend() == "jax" and self._pads_invisibly() else []
        if padded_ids:
            # Eager JAX compiles every op for every new length; a jitted call on a length bucket compiles
            # once per bucket. Trailing id-0 tokens change nothing at real positions of these models.
            # Only the token/segment/position ids are padded: other inputs (a class label, an image) keep
            # their shape.
            length = arrays[padded_ids[-1]].shape[1]
            padded = round_up(length, PROMPT_BUCKET)
            arrays = [np.pad(a, ((0, 0), (0, padded - length))) if i in padded_ids else a for i, a in enumerate(arrays)]
            outputs = self.model.predict_on_batch(arrays if len(arrays) > 1 else arrays[0])
            last = length - 1
        else:
            inputs = [ops.convert_to_tensor(a) for a in arrays]
            outputs = self.model(inputs if len(inputs) > 1 else inputs[0], training=False)
            last = -1  # bert4keras's last_token: the output's last position, whatever other inputs there are
        if isinstance(outputs, (list, tuple)):
            return [ops.convert_to_numpy(o)[:, last] for o in outputs]
        return ops.convert_to_numpy(outputs)[:, last]

    def _sequence_inputs(self) -> List[int]:
        """Positions of the model inputs that hold token, segment or position ids (by the builder's names)."""
        suffixes = ("Input-Token", "Input-Segment", "Input-Position")
        return [i for i, t in enumerate(self.model.inputs) if str(getattr(t, "name", "")).endswith(suffixes)]

    def _pads_invisibly(self) -> bool:
        """Whether trailing id-0 tokens change nothing at earlier positions: every attention mask of the
        model is causal ('lm': later keys are never seen, whatever their id, as in T5's decoder and
        OpenAI GPT-2) or UniLM with id-0 keys hidden (padding in segment 0 would be seen otherwise)."""
        masks = [layer for layer in self.model.layers if isinstance(layer, AttentionMask)]
        return bool(masks) and all(
            m.mode == "lm" or (m.mode == "unilm" and m.mask_padding) for m in masks
        )


class AutoRegressiveDecoder:
    """Base class of autoregressive decoders (bert4keras API): beam search and random sampling.

    Subclass it, write ``predict(self, inputs, output_ids, states)`` decorated
    with :meth:`wraps`, and call :meth:`beam_search` or :meth:`random_sample`.
    ``predict`` typically concatenates ``inputs`` and ``output_ids`` and returns
    ``self.last_token(model).predict(...)``, which is served from a key/value
    cache (see :class:`LastToken`; ``use_cache=False`` turns that off).

    Args:
        start_id: id that starts the output (None: the output starts empty, as
            in UniLM where the prompt ends with [SEP]).
        end_id: id that ends a sequence.
        maxlen: most output tokens.
        minlen: fewest output tokens before an end counts.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> lm = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=4, intermediate_size=64, application="lm", segment_vocab_size=0)
        >>> class Completion(AutoRegressiveDecoder):
        ...     @AutoRegressiveDecoder.wraps(default_rtype="probas")
        ...     def predict(self, inputs, output_ids, states):
        ...         token_ids = np.concatenate([inputs[0], output_ids], 1)
        ...         return self.last_token(lm).predict(token_ids)
        >>> len(Completion(start_id=None, end_id=3, maxlen=5).beam_search([[2, 9]], topk=2)) <= 5
        True
    """

    def __init__(self, start_id: Optional[int], end_id: Optional[int], maxlen: int, minlen: int = 1,
                 use_cache: bool = True):
        self.start_id = start_id
        self.end_id = end_id
        self.maxlen = maxlen
        self.minlen = minlen
        self.use_cache = use_cache
        self.models: Dict[Any, LastToken] = {}
        if start_id is None:
            self.first_output_ids = np.empty((1, 0), dtype=int)
        else:
            self.first_output_ids = np.array([[self.start_id]])

    @staticmethod
    def wraps(default_rtype: str = "probas", use_states: bool = False) -> Callable:
        """Decorate ``predict``: add ``temperature`` and ``rtype`` ('probas' or 'logits'), and states.

        ``default_rtype`` says what the user's ``predict`` returns: ``'probas'``
        (probabilities; temperature ``t`` raises them to ``1/t`` and renormalises)
        or ``'logits'`` (softmax of ``logits / t``). Asked for ``rtype='logits'``
        the wrapper returns log-probabilities. With ``use_states=True`` the user's
        ``predict`` returns ``(scores, states)`` and gets ``states`` back next step.

        Example:
            >>> class D(AutoRegressiveDecoder):
            ...     @AutoRegressiveDecoder.wraps(default_rtype="logits")
            ...     def predict(self, inputs, output_ids, states):
            ...         return np.array([[0.0, np.log(3.0)]])
            >>> D(None, 1, 3).predict([], None, None, rtype="probas")[0].round(2).tolist()
            [[0.25, 0.75]]
        """
        if default_rtype not in ("probas", "logits"):
            raise ValueError(f"default_rtype must be 'probas' or 'logits', got {default_rtype!r}")

        def decorator(predict):
            @functools.wraps(predict)
            def new_predict(self, inputs, output_ids, states, temperature=1, rtype=default_rtype):
                if rtype not in ("probas", "logits"):
                    raise ValueError(f"rtype must be 'probas' or 'logits', got {rtype!r}")
                prediction = predict(self, inputs, output_ids, states)
                scores, states = prediction if use_states else (prediction, None)
                if default_rtype == "logits":
                    scores = samplers.softmax(scores / temperature)
                elif temperature != 1:
                    scores = np.power(scores, 1.0 / temperature)
                    scores = scores / scores.sum(axis=-1, keepdims=True)
                if rtype == "probas":
                    return scores, states
                return np.log(scores + 1e-12), states

            return new_predict

        return decorator

    def last_token(self, model) -> LastToken:
        """The model's output at the last position of each row, served from a key/value cache when it can be.

        One :class:`LastToken` per model, kept in ``self.models``.
        """
        if model not in self.models:
            hint = self.maxlen + (0 if self.start_id is None else 1)
            self.models[model] = LastToken(model, use_cache=self.use_cache, length_hint=hint)
        return self.models[model]

    def predict(self, inputs, output_ids, states=None):
        """Scores of the next token for each row; subclasses define it (decorated with :meth:`wraps`)."""
        raise NotImplementedError

    def _new_search(self) -> None:
        # Weights may have changed since the last search (training): cached prefixes are stale.
        for last in self.models.values():
            last.reset()

    def beam_search(self, inputs, topk: int, states=None, temperature: float = 1, min_ends: int = 1) -> np.ndarray:
        """Beam search with ``topk`` beams; returns the best output ids (1-D)."""
        self._new_search()
        return samplers.beam_search(
            self.predict, inputs, self.first_output_ids, topk, self.maxlen, self.end_id,
            minlen=self.minlen, states=states, temperature=temperature, min_ends=min_ends,
        )

    def random_sample(
        self,
        inputs,
        n: int,
        topk: Optional[int] = None,
        topp: Optional[float] = None,
        states=None,
        temperature: float = 1,
        min_ends: int = 1,
        rng=None,
    ) -> List[np.ndarray]:
        """``n`` sampled output sequences (top-k and/or top-p when given); ``rng`` defaults to ``numpy.random``."""
        self._new_search()
        return samplers.random_sample(
            self.predict, inputs, self.first_output_ids, n, self.maxlen, self.end_id, minlen=self.minlen,
            topk=topk, topp=topp, states=states, temperature=temperature, min_ends=min_ends, rng=rng,
        )
