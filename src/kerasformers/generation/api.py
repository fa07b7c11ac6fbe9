"""``generate``: one call from a prompt to generated ids (the entry point a new user finds)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import keras
import numpy as np
from keras import ops

from kerasformers.generation.autoregressive import AutoRegressiveDecoder
from kerasformers.generation.greedy_loop import greedy_search, loop_cache

METHODS = ("greedy", "beam", "sample")


def _continue_prompt(self, inputs, output_ids, states):
    """bert4keras's recipe: the prompt plus the output ids (segment 1 under UniLM), last position's output."""
    token_ids = np.concatenate([inputs[0], output_ids], 1)
    arrays = [token_ids]
    if self.n_inputs > 1:
        segment = np.ones_like(output_ids) if self.unilm else np.zeros_like(output_ids)
        arrays.append(np.concatenate([inputs[1], segment], 1))
    return self.last_token(self.model).predict(arrays)


class _PromptDecoder(AutoRegressiveDecoder):
    """The decoder ``generate`` uses for a language model whose output is probabilities."""

    def __init__(self, model, n_inputs: int, unilm: bool, **kwargs):
        super().__init__(**kwargs)
        self.model, self.n_inputs, self.unilm = model, n_inputs, unilm

    predict = AutoRegressiveDecoder.wraps(default_rtype="probas")(_continue_prompt)


class _PromptLogitsDecoder(_PromptDecoder):
    """:class:`_PromptDecoder` for a model whose output is logits (``final_activation='linear'``)."""

    predict = AutoRegressiveDecoder.wraps(default_rtype="logits")(_continue_prompt)


def outputs_logits(model) -> bool:
    """Whether ``model``'s (first) output comes from a linear final activation: logits, not probabilities.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> kw = dict(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
        ...           intermediate_size=64)
        >>> outputs_logits(build_transformer_model(None, None, model="gpt2", **kw))
        False
        >>> outputs_logits(build_transformer_model(None, None, model="gpt2", final_activation="linear", **kw))
        True
    """
    history = getattr(model.outputs[0], "_keras_history", None)
    layer = getattr(history, "operation", None)
    activation = getattr(layer, "activation", None) if isinstance(layer, keras.layers.Activation) else None
    return getattr(activation, "__name__", None) == "linear"


class _Seq2SeqDecoder(AutoRegressiveDecoder):
    """The decoder ``generate`` uses for an encoder-decoder: bert4keras's T5 recipe, whose
    input is the encoder output and whose steps ask ``last_token(decoder)``."""

    def __init__(self, decoder, **kwargs):
        super().__init__(**kwargs)
        self.decoder = decoder

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        return self.last_token(self.decoder).predict([inputs[0], output_ids])


def encoder_decoder(model):
    """The encoder-decoder builder (T5) behind ``model`` (its Keras model or the builder), or None."""
    builder = getattr(model, "_kerasformers_builder", model)
    if getattr(builder, "built", False) and hasattr(builder, "encoder") and hasattr(builder, "decoder"):
        return builder
    return None


def generate(
    model,
    token_ids: Sequence[int],
    segment_ids: Optional[Sequence[int]] = None,
    max_new_tokens: int = 32,
    method: str = "greedy",
    end_id: Optional[int] = None,
    topk: Optional[int] = None,
    topp: Optional[float] = None,
    temperature: float = 1.0,
    n: int = 1,
    min_new_tokens: int = 1,
    min_ends: int = 1,
    seed: Optional[int] = None,
    use_cache: bool = True,
    start_id: Optional[int] = None,
) -> Union[np.ndarray, List[np.ndarray]]:
    """Continue ``token_ids`` with a language model, or decode it with an encoder-decoder (T5).

    Args:
        model: a model from ``build_transformer_model``: a language model
            (``application='lm'``/``'unilm'``, GPT models; or one whose output is
            its LM output), or an encoder-decoder (T5: the Keras model or the builder).
        token_ids: the prompt, a list of ids (for UniLM: source ``[CLS] ... [SEP]``;
            for T5: the encoder input).
        segment_ids: the prompt's segment ids when the model takes them (default zeros);
            generated tokens get segment 1 under UniLM, 0 otherwise.
        max_new_tokens: most tokens to generate.
        method: ``'greedy'``, ``'beam'`` (``topk`` beams, default 4) or ``'sample'``
            (``n`` samples, optionally ``topk``/``topp``, ``temperature``).
        end_id: id that ends generation (e.g. ``tokenizer._token_end_id``).
        seed: seeds sampling (a private ``RandomState``; the global one is left alone).
        use_cache: decode from a key/value cache (default) or recompute each prefix.
        start_id: id the output starts with (not returned). Default: 0 for an
            encoder-decoder (T5's and mT5's decoder start; T5-PEGASUS starts with
            ``tokenizer._token_start_id``), none for a language model.

    Returns:
        The generated ids (1-D array) for greedy and beam search; a list of ``n``
        arrays for sampling.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> lm = build_transformer_model(None, None, vocab_size=50, hidden_size=32, num_hidden_layers=1,
        ...     num_attention_heads=4, intermediate_size=64, application="lm")
        >>> ids = generate(lm, [2, 11, 7], max_new_tokens=5)
        >>> len(ids)
        5
        >>> len(generate(lm, [2, 11, 7], max_new_tokens=3, method="sample", n=2, topk=5, seed=1))
        2
        >>> t5 = build_transformer_model(None, None, model="t5.1.1", vocab_size=50, hidden_size=16,
        ...     num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, hidden_act=["gelu", "linear"])
        >>> len(generate(t5, [5, 9, 12, 1], max_new_tokens=4, method="beam", topk=2)) <= 4
        True
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    if token_ids.ndim != 1 or not len(token_ids):
        raise ValueError(f"token_ids must be a non-empty list of ids, got shape {token_ids.shape}")
    kwargs = dict(end_id=end_id, maxlen=max_new_tokens, minlen=min_new_tokens, use_cache=use_cache)
    seq2seq = encoder_decoder(model)
    logits = seq2seq is None and outputs_logits(model)
    if seq2seq is not None:
        if segment_ids is not None:
            raise ValueError("segment_ids: an encoder-decoder (T5) takes token ids only; pass segment_ids=None.")
        start_id = 0 if start_id is None else start_id
        encoded = seq2seq.encoder(ops.convert_to_tensor(token_ids[None].astype("int32")), training=False)
        inputs = [ops.convert_to_numpy(encoded)[0]]
        decoder = _Seq2SeqDecoder(seq2seq.decoder, start_id=start_id, **kwargs)
    else:
        n_inputs = len(model.inputs)
        inputs = [token_ids]
        if n_inputs > 1:
            segment_ids = np.zeros_like(token_ids) if segment_ids is None else np.asarray(segment_ids, np.int64)
            if segment_ids.shape != token_ids.shape:
                raise ValueError(f"segment_ids has shape {segment_ids.shape}, token_ids {token_ids.shape}")
            inputs.append(segment_ids)
        unilm = any(layer.name.endswith("Attention-UniLM-Mask") for layer in model.layers)
        # A logits output gets the decoder's softmax (bert4keras's default_rtype='logits'), not log(logits).
        kind = _PromptLogitsDecoder if logits else _PromptDecoder
        decoder = kind(model, n_inputs, unilm, start_id=start_id, **kwargs)
    skip = 0 if start_id is None else 1  # the start id is the decoder's, not generated
    if method == "sample":
        rng = np.random.RandomState(seed) if seed is not None else None
        samples = decoder.random_sample(inputs, n, topk=topk, topp=topp, temperature=temperature,
                                        min_ends=min_ends, rng=rng)
        return [np.asarray(s)[skip:] for s in samples]
    if method == "greedy" and seq2seq is None and loop_cache(decoder, model) is not None:
        segment = (1 if unilm else 0) if n_inputs > 1 else None
        return greedy_search(decoder, model, inputs, segment, min_ends, logits=logits)[skip:]
    beams = 1 if method == "greedy" else (topk or 4)
    return np.asarray(decoder.beam_search(inputs, beams, temperature=temperature, min_ends=min_ends))[skip:]
