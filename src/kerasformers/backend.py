"""Backend-neutral tensor helpers (``keras.ops`` only), named as in bert4keras.

Everything here runs unchanged on TensorFlow, JAX and PyTorch. Activations are
registered with Keras so that models using them save and reload as ``.keras``.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Union

import keras
import numpy as np
from keras import ops

# bert4keras scripts import both from here: ``from bert4keras.backend import keras, K``.
from kerasformers import backend_k as K  # noqa: F401

# Large finite stand-in for infinity: ``-inf`` in a softmax turns a row that is
# masked everywhere into NaN, a large finite value turns it into a uniform row.
INFINITY = 1e12


@keras.saving.register_keras_serializable(package="kerasformers")
def gelu_erf(x):
    """Exact GELU, ``x * Phi(x)`` with the Gaussian CDF computed by ``erf``.

    bert4keras maps the config string ``"gelu"`` to this form.

    Example:
        >>> float(gelu_erf(keras.ops.convert_to_tensor(1.0)))  # doctest: +ELLIPSIS
        0.841...
    """
    x = ops.convert_to_tensor(x)
    return 0.5 * x * (1.0 + ops.erf(x / math.sqrt(2.0)))


@keras.saving.register_keras_serializable(package="kerasformers")
def gelu_tanh(x):
    """GELU with the tanh approximation used by google-research/bert's TF code.

    Example:
        >>> float(gelu_tanh(keras.ops.convert_to_tensor(1.0)))  # doctest: +ELLIPSIS
        0.841...
    """
    x = ops.convert_to_tensor(x)
    cdf = 0.5 * (1.0 + ops.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * ops.power(x, 3))))
    return x * cdf


@keras.saving.register_keras_serializable(package="kerasformers")
def swish(x):
    """``x * sigmoid(x)`` (also called SiLU)."""
    return ops.silu(x)


@keras.saving.register_keras_serializable(package="kerasformers")
def leaky_relu(x, alpha: float = 0.2):
    """Leaky ReLU with bert4keras's default slope 0.2."""
    return ops.leaky_relu(x, negative_slope=alpha)


# Names accepted wherever a bert4keras config or argument names an activation.
_ACTIVATIONS = {
    "gelu": gelu_erf,
    "gelu_erf": gelu_erf,
    "gelu_tanh": gelu_tanh,
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "swish": swish,
    "silu": swish,
    "leaky_relu": leaky_relu,
}


def get_activation(activation: Union[str, Callable, None]) -> Callable:
    """Resolve an activation name the way bert4keras configs use them.

    ``"gelu"`` is the exact (erf) form, as in bert4keras; ``"gelu_tanh"`` is the
    approximation. Other names fall through to ``keras.activations.get``.

    Example:
        >>> get_activation("gelu") is gelu_erf
        True
    """
    if activation is None:
        return keras.activations.linear
    if callable(activation):
        return activation
    if isinstance(activation, dict):  # a serialized function, from get_config
        return keras.saving.deserialize_keras_object(activation)
    if isinstance(activation, str):
        key = activation.lower()
        if key in _ACTIVATIONS:
            return _ACTIVATIONS[key]
        try:
            return keras.activations.get(key)
        except ValueError as e:
            raise ValueError(
                f"Unknown activation {activation!r}. Use a Keras activation name or one of "
                f"{sorted(_ACTIVATIONS)}."
            ) from e
    raise TypeError(f"activation must be a string or a callable, got {type(activation).__name__}")


def serialize_activation(activation: Union[str, Callable, None]):
    """An activation as ``get_config`` may store it: names stay names, functions are serialized.

    Example:
        >>> serialize_activation("gelu"), get_activation(serialize_activation(gelu_tanh)) is gelu_tanh
        ('gelu', True)
    """
    if activation is None or isinstance(activation, (str, dict)):
        return activation
    return keras.saving.serialize_keras_object(activation)


# What ``hidden_act="gelu"`` means for models built from now on; see :func:`set_gelu`.
_GELU_VERSIONS = {"erf": "gelu_erf", "tanh": "gelu_tanh"}
_gelu_default = {"version": "erf"}


def set_gelu(version: str) -> None:
    """Choose what ``hidden_act="gelu"`` means for the models built afterwards, as in bert4keras.

    ``'erf'`` (the default) is the exact GELU; ``'tanh'`` the approximation of
    google-research/bert's TF code. The choice is read when a builder is created
    (``build_transformer_model``) and written into the model as ``"gelu_erf"`` or
    ``"gelu_tanh"``, so models built earlier, and models reloaded from ``.keras``
    files, keep the gelu they were built with. ``get_activation("gelu")`` and Keras's
    own ``"gelu"`` are not affected. For a single model, ``hidden_act="gelu_tanh"``
    says the same without a switch.

    Example:
        >>> set_gelu("tanh"); resolve_hidden_act("gelu")
        'gelu_tanh'
        >>> set_gelu("erf"); resolve_hidden_act("gelu")
        'gelu_erf'
    """
    key = str(version).lower()
    if key not in _GELU_VERSIONS:
        raise ValueError(f"set_gelu() takes 'erf' or 'tanh', got {version!r}.")
    _gelu_default["version"] = key


def resolve_hidden_act(hidden_act):
    """``hidden_act`` with ``"gelu"`` replaced by the gelu :func:`set_gelu` chose (other values unchanged).

    Example:
        >>> resolve_hidden_act("relu")
        'relu'
    """
    if isinstance(hidden_act, str) and hidden_act.lower() == "gelu":
        return _GELU_VERSIONS[_gelu_default["version"]]
    if isinstance(hidden_act, (list, tuple)):
        return type(hidden_act)(resolve_hidden_act(a) for a in hidden_act)
    return hidden_act


def _inbound_layers_and_tensors(tensor):
    """The layer that produced ``tensor`` and the tensors that layer was called on."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None, []
    operation, node_index = history[0], history[1]
    node = operation._inbound_nodes[node_index]
    return operation, list(node.input_tensors)


def search_layer(inputs, name: str, exclude_from=None):
    """Find the layer called ``name`` among those that computed the symbolic tensor ``inputs``.

    Walks the functional graph backwards from ``inputs`` (bert4keras's
    ``search_layer``); returns the layer, or None when no ancestor has that name.

    Example:
        >>> x = keras.Input((3,)); y = keras.layers.Dense(2, name="proj")(x)
        >>> search_layer(keras.layers.Dense(1)(y), "proj").name
        'proj'
    """
    seen = set() if exclude_from is None else exclude_from
    stack = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not any(hasattr(t, "_keras_history") for t in stack):
        raise ValueError(
            "search_layer() needs a symbolic tensor of a functional model (model.output, a layer's output); "
            f"it got a backend tensor ({type(stack[0]).__name__}), e.g. y_pred inside a loss, which carries no "
            "Keras graph in Keras 3. To find a layer use model.get_layer(name); for gradient penalty or adversarial training "
            "use kerasformers.adversarial (docs/migration.md, section 'Porting K.gradients, K.function and "
            "train_function hacks')."
        )
    while stack:
        tensor = stack.pop()
        layer, parents = _inbound_layers_and_tensors(tensor)
        if layer is None or id(layer) in seen:
            continue
        seen.add(id(layer))
        if layer.name == name:
            return layer
        stack.extend(parents)
    return None


def sequence_masking(x, mask=None, value: Union[float, str] = 0.0, axis: Optional[int] = None):
    """Set the positions of ``x`` where ``mask`` is false to ``value``.

    Args:
        x: tensor ``[batch, ..., len, ...]``.
        mask: ``[batch, len]`` boolean or 0/1 tensor, or None (returns ``x``).
        value: fill value; ``"-inf"``/``"inf"`` use a large finite number.
        axis: the axis of ``x`` that ``mask`` indexes (default 1).

    Example:
        >>> x = keras.ops.ones((1, 3))
        >>> keras.ops.convert_to_numpy(sequence_masking(x, keras.ops.convert_to_tensor([[1, 1, 0]]), 0.0))
        array([[1., 1., 0.]], dtype=float32)
    """
    if mask is None:
        return x
    if value == "-inf":
        value = -INFINITY
    elif value == "inf":
        value = INFINITY
    axis = 1 if axis is None else axis
    ndim = len(x.shape)
    if axis < 0:
        axis += ndim
    mask = ops.cast(mask, "bool")
    for _ in range(axis - 1):
        mask = ops.expand_dims(mask, 1)
    for _ in range(ndim - axis - 1):
        mask = ops.expand_dims(mask, -1)
    return ops.where(mask, x, ops.cast(value, x.dtype))


def causal_mask(length: int, offset=0, key_length=None):
    """Boolean ``[length, key_length]`` causal mask: query i (at position ``offset + i``) sees key j <= offset + i.

    ``offset`` (int or scalar tensor) places the queries after ``offset`` cached
    positions; ``key_length`` defaults to ``length``.

    Example:
        >>> keras.ops.convert_to_numpy(causal_mask(1, offset=2, key_length=4)).astype(int).tolist()
        [[1, 1, 1, 0]]
    """
    keys = ops.arange(length if key_length is None else key_length)
    queries = ops.arange(length) + offset
    return ops.expand_dims(keys, 0) <= ops.expand_dims(queries, 1)


def unilm_mask(segment_ids):
    """UniLM seq2seq mask from segment ids: ``[batch, len, len]`` booleans.

    Tokens of segment 0 see all of segment 0; each later token sees segment 0
    and the segment-1 tokens up to itself (``cumsum`` rule of bert4keras).
    """
    idxs = ops.cumsum(ops.cast(segment_ids, "int32"), axis=1)
    return rank_mask(idxs, idxs)


def rank_mask(query_ranks, key_ranks):
    """``[batch, q_len, k_len]`` booleans: query i sees key j when ``key_ranks[j] <= query_ranks[i]``.

    The causal mask is this with ranks = positions, UniLM's with ranks = cumulative
    segment ids. Cached decoding gives the new queries their ranks and the cached
    keys theirs (an unwritten or padding slot gets a rank no query reaches), so
    one rule masks both application='lm' and 'unilm' against a cache.

    Example:
        >>> r = keras.ops.convert_to_tensor([[0, 0, 1, 2]])  # cumsum of segments 0, 0, 1, 1
        >>> keras.ops.convert_to_numpy(rank_mask(r, r))[0].astype(int).tolist()
        [[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    """
    return ops.expand_dims(key_ranks, 1) <= ops.expand_dims(query_ranks, 2)


def sinusoidal_embeddings(positions, dim: int, base: float = 10000.0):
    """Interleaved ``[sin, cos]`` embeddings of ``positions`` (any shape) with ``dim`` channels.

    Channel ``2i`` is ``sin(p * base**(-2i/dim))`` and ``2i+1`` the matching cosine:
    the layout NEZHA and RoFormer use.
    """
    inv = ops.power(ops.cast(base, "float32"), -ops.arange(0, dim // 2, dtype="float32") * 2.0 / dim)
    angles = ops.expand_dims(ops.cast(positions, "float32"), -1) * inv
    stacked = ops.stack([ops.sin(angles), ops.cos(angles)], axis=-1)
    return ops.reshape(stacked, tuple(ops.shape(angles)[:-1]) + (dim,))


def apply_rotary_position_embeddings(sinusoidal, *tensors):
    """Rotate adjacent channel pairs ``(2i, 2i+1)`` of each tensor by the given angles.

    ``sinusoidal`` holds interleaved ``[sin, cos]`` values broadcastable to the
    tensors' shape (RoFormer's layout). Returns one tensor per input tensor.
    """
    cos = ops.repeat(sinusoidal[..., 1::2], 2, axis=-1)
    sin = ops.repeat(sinusoidal[..., ::2], 2, axis=-1)
    outputs = []
    for t in tensors:
        pairs = ops.reshape(t, tuple(ops.shape(t)[:-1]) + (-1, 2))
        rotated = ops.stack([-pairs[..., 1], pairs[..., 0]], axis=-1)
        rotated = ops.reshape(rotated, ops.shape(t))
        outputs.append(t * ops.cast(cos, t.dtype) + rotated * ops.cast(sin, t.dtype))
    return outputs[0] if len(outputs) == 1 else outputs


def piecewise_linear(t, schedule: dict, from_zero: bool = True):
    """Piecewise-linear function of ``t`` through the points ``{step: value}``.

    With ``from_zero`` the curve starts at ``(0, 0)`` unless 0 is a key; after
    the last key the value stays constant (bert4keras semantics).

    Example:
        >>> float(piecewise_linear(keras.ops.convert_to_tensor(5.0), {10: 1.0}))
        0.5
    """
    points = sorted(schedule.items())
    if from_zero and points[0][0] != 0:
        points = [(0, 0.0)] + points
    t = ops.cast(t, "float32")
    x = ops.cast(points[0][1], "float32") + ops.zeros_like(t)
    for (t0, v0), (t1, v1) in zip(points[:-1], points[1:]):
        slope = (v1 - v0) / float(t1 - t0)
        x = ops.where(t >= t0, v0 + slope * (t - t0), x)
    return ops.where(t >= points[-1][0], ops.cast(points[-1][1], "float32") + ops.zeros_like(t), x)


# ---------------------------------------------------------------------------------------
# Task losses and metrics: multi-label cross-entropy, GlobalPointer loss and span F1,
# usable directly in ``model.compile``.
# ---------------------------------------------------------------------------------------


def batch_gather(params, indices):
    """Gather along the first non-batch axis, per batch element (``tf.gather(..., batch_dims=-1)``).

    ``params`` is ``[B..., N, D...]`` and ``indices`` ``[B..., M]``; the result is
    ``[B..., M, D...]`` with ``out[b, m] = params[b, indices[b, m]]``.

    Example:
        >>> p = keras.ops.convert_to_tensor([[10.0, 11.0, 12.0], [20.0, 21.0, 22.0]])
        >>> keras.ops.convert_to_numpy(batch_gather(p, keras.ops.convert_to_tensor([[2, 0], [1, 1]])))
        array([[12., 10.],
               [21., 21.]], dtype=float32)
    """
    indices = ops.cast(indices, "int32")
    axis = len(indices.shape) - 1
    trailing = len(params.shape) - axis - 1
    if trailing:
        for _ in range(trailing):
            indices = ops.expand_dims(indices, -1)
        target = tuple(ops.shape(indices)[: axis + 1]) + tuple(ops.shape(params)[axis + 1 :])
        indices = ops.broadcast_to(indices, target)
    return ops.take_along_axis(params, indices, axis=axis)


def _logsumexp_with_zero(x):
    """``log(1 + sum(exp(x)))`` over the last axis: a logsumexp with an extra 0 logit."""
    return ops.logsumexp(ops.concatenate([x, ops.zeros_like(x[..., :1])], axis=-1), axis=-1)


@keras.saving.register_keras_serializable(package="kerasformers")
def multilabel_categorical_crossentropy(y_true, y_pred):
    """Multi-label "softmax + cross-entropy" (https://kexue.fm/archives/7359, /9064).

    ``loss = log(1 + sum_neg exp(s)) + log(1 + sum_pos exp(-s))``, with 0 as the
    decision threshold: predict the classes whose score is > 0. ``y_pred`` are raw
    scores (no sigmoid/softmax); ``y_true`` holds 0/1 (or soft targets in [0, 1]).
    Scores equal to ``-inf`` (masked cells of GlobalPointer) are left out.

    Example:
        >>> y_true = keras.ops.convert_to_tensor([[1.0, 0.0, 0.0]])
        >>> y_pred = keras.ops.convert_to_tensor([[5.0, -5.0, -np.inf]])
        >>> round(float(multilabel_categorical_crossentropy(y_true, y_pred)[0]), 4)
        0.0134
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    neg_inf = ops.cast(-np.inf, y_pred.dtype)
    scored = ops.not_equal(y_pred, neg_inf)
    # log(y) / log(1 - y) select positives / negatives (and weight soft targets).
    negatives = ops.where(scored, y_pred, neg_inf) + ops.log(1.0 - y_true)
    positives = ops.where(scored, -y_pred, neg_inf) + ops.log(y_true)
    return _logsumexp_with_zero(negatives) + _logsumexp_with_zero(positives)


@keras.saving.register_keras_serializable(package="kerasformers")
def sparse_multilabel_categorical_crossentropy(y_true, y_pred, mask_zero: bool = False):
    """:func:`multilabel_categorical_crossentropy` with the positives given as class ids.

    ``y_true`` is ``[..., num_positive]`` (integer ids, padded), ``y_pred``
    ``[..., num_classes]``. The negative term is computed as
    ``log(sum_all exp(s) + 1 - sum_pos exp(s))``, so its cost does not grow with a
    dense target. With ``mask_zero=True`` id 0 is padding: it counts neither as a
    positive nor as a negative (GlobalPointer's span (0, 0) is the [CLS] token).

    Example (class 0 is the only positive; same value as the dense form with ``[[1, 0, 0]]``):
        >>> y_pred = keras.ops.convert_to_tensor([[5.0, -5.0, -5.0]])
        >>> round(float(sparse_multilabel_categorical_crossentropy(keras.ops.convert_to_tensor([[0]]), y_pred)[0]), 4)
        0.0201
        >>> round(float(multilabel_categorical_crossentropy(keras.ops.convert_to_tensor([[1.0, 0, 0]]), y_pred)[0]), 4)
        0.0201
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    inf = ops.cast(np.inf, y_pred.dtype)
    # Append the threshold class (score 0) that both terms of the loss contain.
    scores = ops.concatenate([y_pred, ops.zeros_like(y_pred[..., :1])], axis=-1)
    if mask_zero:
        scores = ops.concatenate([ops.zeros_like(scores[..., :1]) - inf, scores[..., 1:]], axis=-1)
    positive_scores = batch_gather(scores, y_true)
    # Padding ids must add nothing to either sum: exp(-inf) = 0.
    padding = ops.equal(y_true, 0) if mask_zero else ops.zeros_like(y_true, dtype="bool")
    pos_loss = _logsumexp_with_zero(ops.where(padding, -inf, -positive_scores))
    all_scores = ops.logsumexp(scores, axis=-1)
    positive_share = ops.logsumexp(ops.where(padding, -inf, positive_scores), axis=-1) - all_scores
    # 1 - (sum_pos / sum_all), kept away from 0 where the positives dominate.
    rest = ops.clip(1.0 - ops.exp(positive_share), keras.backend.epsilon(), 1.0)
    return pos_loss + all_scores + ops.log(rest)


@keras.saving.register_keras_serializable(package="kerasformers")
def global_pointer_crossentropy(y_true, y_pred):
    """GlobalPointer loss: multi-label cross-entropy over all spans of each (sample, head).

    ``y_true`` and ``y_pred`` are ``[batch, heads, len, len]``; ``y_true[b, h, i, j] = 1``
    marks an entity of type h spanning tokens i..j. Returns the mean over batch and heads.

    Example:
        >>> model.compile(loss=global_pointer_crossentropy, metrics=[global_pointer_f1_score])  # doctest: +SKIP
    """
    shape = ops.shape(y_pred)
    flat = (-1, shape[2] * shape[3])
    return ops.mean(multilabel_categorical_crossentropy(ops.reshape(y_true, flat), ops.reshape(y_pred, flat)))


@keras.saving.register_keras_serializable(package="kerasformers")
def sparse_global_pointer_crossentropy(y_true, y_pred):
    """GlobalPointer loss with sparse targets (GPLinker style).

    ``y_true`` is ``[batch, heads, max_spans, 2]`` holding ``(start, end)`` pairs,
    padded with ``(0, 0)``; ``y_pred`` is ``[batch, heads, len, len]``. Returns the
    sum over heads, averaged over the batch.
    """
    shape = ops.shape(y_pred)
    y_true = ops.cast(y_true, "int32")
    span_ids = y_true[..., 0] * ops.cast(shape[2], "int32") + y_true[..., 1]
    scores = ops.reshape(y_pred, (shape[0], shape[1], shape[2] * shape[3]))
    loss = sparse_multilabel_categorical_crossentropy(span_ids, scores, mask_zero=True)
    return ops.mean(ops.sum(loss, axis=1))


def _span_counts(y_true, y_pred):
    """True positives, predicted and gold span counts of a GlobalPointer batch (threshold 0)."""
    predicted = ops.cast(ops.greater(y_pred, 0), "float32")
    y_true = ops.cast(y_true, "float32")
    return ops.sum(y_true * predicted), ops.sum(predicted), ops.sum(y_true)


def _safe_ratio(numerator, denominator):
    return numerator / ops.maximum(denominator, keras.backend.epsilon())


@keras.saving.register_keras_serializable(package="kerasformers")
def global_pointer_f1_score(y_true, y_pred):
    """Span-level F1 of a GlobalPointer batch: ``2 TP / (#predicted + #gold)``.

    A span is predicted when its score is > 0. As a Keras metric it is averaged
    over batches; compute the corpus-level F1 from decoded spans for reporting.
    """
    tp, predicted, gold = _span_counts(y_true, y_pred)
    return _safe_ratio(2.0 * tp, predicted + gold)


@keras.saving.register_keras_serializable(package="kerasformers")
def global_pointer_precision(y_true, y_pred):
    """Span-level precision of a GlobalPointer batch: ``TP / #predicted``."""
    tp, predicted, _ = _span_counts(y_true, y_pred)
    return _safe_ratio(tp, predicted)


@keras.saving.register_keras_serializable(package="kerasformers")
def global_pointer_recall(y_true, y_pred):
    """Span-level recall of a GlobalPointer batch: ``TP / #gold``."""
    tp, _, gold = _span_counts(y_true, y_pred)
    return _safe_ratio(tp, gold)
