"""``generate``: one call from a prompt to generated ids (the entry point a new user finds)."""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import numpy as np

from kerasformers.generation.autoregressive import AutoRegressiveDecoder

METHODS = ("greedy", "beam", "sample")


class _PromptDecoder(AutoRegressiveDecoder):
    """The decoder ``generate`` uses: prompt + output ids, output tokens in segment 1 for UniLM."""

    def __init__(self, model, n_inputs: int, unilm: bool, **kwargs):
        super().__init__(**kwargs)
        self.model, self.n_inputs, self.unilm = model, n_inputs, unilm

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        token_ids = np.concatenate([inputs[0], output_ids], 1)
        arrays = [token_ids]
        if self.n_inputs > 1:
            segment = np.ones_like(output_ids) if self.unilm else np.zeros_like(output_ids)
            arrays.append(np.concatenate([inputs[1], segment], 1))
        return self.last_token(self.model).predict(arrays)


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
) -> Union[np.ndarray, List[np.ndarray]]:
    """Continue ``token_ids`` with a language model (``application='lm'``/``'unilm'``, GPT models).

    Args:
        model: a model from ``build_transformer_model`` (or one whose output is its LM output).
        token_ids: the prompt, a list of ids (for UniLM: source ``[CLS] ... [SEP]``).
        segment_ids: the prompt's segment ids when the model takes them (default zeros);
            generated tokens get segment 1 under UniLM, 0 otherwise.
        max_new_tokens: most tokens to generate.
        method: ``'greedy'``, ``'beam'`` (``topk`` beams, default 4) or ``'sample'``
            (``n`` samples, optionally ``topk``/``topp``, ``temperature``).
        end_id: id that ends generation (e.g. ``tokenizer._token_end_id``).
        seed: seeds sampling (a private ``RandomState``; the global one is left alone).
        use_cache: decode from a key/value cache (default) or recompute each prefix.

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
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    token_ids = np.asarray(token_ids, dtype=np.int64)
    if token_ids.ndim != 1 or not len(token_ids):
        raise ValueError(f"token_ids must be a non-empty list of ids, got shape {token_ids.shape}")
    n_inputs = len(model.inputs)
    inputs = [token_ids]
    if n_inputs > 1:
        segment_ids = np.zeros_like(token_ids) if segment_ids is None else np.asarray(segment_ids, np.int64)
        if segment_ids.shape != token_ids.shape:
            raise ValueError(f"segment_ids has shape {segment_ids.shape}, token_ids {token_ids.shape}")
        inputs.append(segment_ids)
    unilm = any(layer.name.endswith("Attention-UniLM-Mask") for layer in model.layers)
    decoder = _PromptDecoder(
        model, n_inputs, unilm, start_id=None, end_id=end_id, maxlen=max_new_tokens, minlen=min_new_tokens,
        use_cache=use_cache,
    )
    if method == "sample":
        rng = np.random.RandomState(seed) if seed is not None else None
        return decoder.random_sample(inputs, n, topk=topk, topp=topp, temperature=temperature,
                                     min_ends=min_ends, rng=rng)
    beams = 1 if method == "greedy" else (topk or 4)
    return decoder.beam_search(inputs, beams, temperature=temperature, min_ends=min_ends)
