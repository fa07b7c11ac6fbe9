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


def set_gelu(version: str) -> None:
    """bert4keras switched the global meaning of ``"gelu"`` with this function.

    kerasformers has no global switches (a model's behaviour must not depend on
    import order), so this only explains what to do instead.
    """
    raise RuntimeError(
        "set_gelu() changed a global in bert4keras; kerasformers has no global state. "
        "Pass hidden_act='gelu_tanh' (or 'gelu' for the erf form) to build_transformer_model instead."
    )


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


def causal_mask(length: int):
    """Boolean lower-triangular ``[length, length]`` mask: position i sees j <= i."""
    idx = ops.arange(length)
    return ops.expand_dims(idx, 0) <= ops.expand_dims(idx, 1)


def unilm_mask(segment_ids):
    """UniLM seq2seq mask from segment ids: ``[batch, len, len]`` booleans.

    Tokens of segment 0 see all of segment 0; each later token sees segment 0
    and the segment-1 tokens up to itself (``cumsum`` rule of bert4keras).
    """
    idxs = ops.cumsum(ops.cast(segment_ids, "int32"), axis=1)
    return ops.expand_dims(idxs, 1) <= ops.expand_dims(idxs, 2)


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


def to_numpy(x) -> np.ndarray:
    """Backend tensor (or nested list of them) to NumPy."""
    return ops.convert_to_numpy(x)
