"""``K``: the Keras-2 backend functions bert4keras scripts call, on ``keras.ops``.

bert4keras scripts write ``from bert4keras.backend import keras, K`` and then
``K.sum(loss * mask) / K.sum(mask)``, ``K.sparse_categorical_crossentropy(y_true, y_pred)``,
``K.eval(CRF.trans)``. Keras 3 has no such module; this one keeps those names,
argument orders and defaults (``axis=None, keepdims=False``, ``from_logits=False``)
and runs on TensorFlow, JAX and PyTorch alike.

Functions that cannot exist in Keras 3 (``K.gradients`` of a symbolic loss,
``K.function`` over a model's internals, the global learning phase) raise
:class:`NotImplementedError` naming the Keras 3 way and the section of
``docs/migration.md`` that shows it; they never do something else silently.

Example:
    >>> from kerasformers.backend import K
    >>> x = K.constant([[1.0, 2.0], [3.0, 4.0]])
    >>> float(K.sum(x)), K.int_shape(x), K.eval(K.mean(x, axis=1)).tolist()
    (10.0, (2, 2), [1.5, 3.5])
"""

from __future__ import annotations

import builtins
from typing import Optional

import keras
import numpy as np
from keras import ops

_DOCS = "docs/migration.md, section 'Porting K.gradients, K.function and train_function hacks'"


def _impossible(name: str, keras3_way: str):
    def raiser(*args, **kwargs):
        raise NotImplementedError(
            f"K.{name} has no Keras 3 equivalent: Keras 3 has no symbolic graph to differentiate or to "
            f"turn into a function. {keras3_way} See {_DOCS}."
        )

    raiser.__name__ = name
    raiser.__doc__ = f"Not available in Keras 3; raises and names the replacement ({keras3_way})."
    return raiser


# --- dtypes, shapes, values ------------------------------------------------------------------
floatx = keras.backend.floatx
epsilon = keras.backend.epsilon
set_floatx = keras.backend.set_floatx
set_epsilon = keras.backend.set_epsilon
is_keras_tensor = keras.backend.is_keras_tensor
clear_session = keras.backend.clear_session


def cast(x, dtype):
    """``ops.cast``."""
    return ops.cast(x, dtype)


def dtype(x) -> str:
    """The dtype of ``x`` as a string (``'float32'``)."""
    return keras.backend.standardize_dtype(x.dtype)


def shape(x):
    """The dynamic shape of ``x`` (a tuple; unknown dimensions are scalars tensors in graphs)."""
    return ops.shape(x)


def int_shape(x):
    """The static shape of ``x`` as a tuple of ints, ``None`` where unknown."""
    return tuple(None if d is None else int(d) for d in x.shape)


def ndim(x) -> int:
    """Number of axes of ``x``."""
    return len(x.shape)


def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding ``value`` (broadcast to ``shape`` when given)."""
    x = ops.convert_to_tensor(np.asarray(value), dtype=dtype or floatx())
    return x if shape is None else ops.broadcast_to(x, shape)


def variable(value, dtype=None, name=None):
    """A ``keras.Variable`` initialised with ``value``."""
    return keras.Variable(np.asarray(value), dtype=dtype or floatx(), name=name)


def eval(x):  # noqa: A001 - bert4keras's name
    """The value of a tensor or variable as a numpy array (``K.eval(CRF.trans)``)."""
    return ops.convert_to_numpy(x)


get_value = eval


def batch_get_value(xs):
    """``[K.eval(x) for x in xs]``."""
    return [ops.convert_to_numpy(x) for x in xs]


def set_value(x, value):
    """Assign ``value`` to the variable ``x``."""
    x.assign(np.asarray(value))


def batch_set_value(tuples):
    """``set_value`` for each ``(variable, value)`` pair."""
    for x, value in tuples:
        set_value(x, value)


# --- reductions and elementwise -----------------------------------------------------------------
def _reduction(op):
    def reduce(x, axis=None, keepdims=False):
        if isinstance(x, (tuple, list)) and builtins.all(isinstance(v, (int, np.integer)) for v in x):
            # Shape arithmetic (`K.prod(K.shape(x)[2:])`): static ints stay static, so the result can
            # size a reshape inside a JAX-compiled step (a traced value cannot).
            return getattr(np, op.__name__)(np.asarray(x, dtype="int64"), axis=axis, keepdims=keepdims)
        return op(x, axis=axis, keepdims=keepdims)

    reduce.__name__ = op.__name__
    reduce.__doc__ = f"``ops.{op.__name__}(x, axis=None, keepdims=False)``."
    return reduce


sum = _reduction(ops.sum)  # noqa: A001 - bert4keras's name
mean = _reduction(ops.mean)
max = _reduction(ops.max)  # noqa: A001
min = _reduction(ops.min)  # noqa: A001
prod = _reduction(ops.prod)
std = _reduction(ops.std)
var = _reduction(ops.var)
any = _reduction(ops.any)  # noqa: A001
all = _reduction(ops.all)  # noqa: A001
logsumexp = _reduction(ops.logsumexp)


def argmax(x, axis=-1):
    return ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return ops.argmin(x, axis=axis)


def cumsum(x, axis=0):
    return ops.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return ops.cumprod(x, axis=axis)


abs = ops.abs  # noqa: A001
exp = ops.exp
log = ops.log
sqrt = ops.sqrt
square = ops.square
sign = ops.sign
round = ops.round  # noqa: A001
sin = ops.sin
cos = ops.cos
tanh = ops.tanh
sigmoid = ops.sigmoid
softplus = ops.softplus
maximum = ops.maximum
minimum = ops.minimum
equal = ops.equal
not_equal = ops.not_equal
greater = ops.greater
greater_equal = ops.greater_equal
less = ops.less
less_equal = ops.less_equal
stop_gradient = ops.stop_gradient
zeros_like = ops.zeros_like
ones_like = ops.ones_like


def pow(x, a):  # noqa: A001
    return ops.power(x, a)


def clip(x, min_value, max_value):
    return ops.clip(x, min_value, max_value)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's ``relu`` with its ``alpha``/``max_value``/``threshold`` options."""
    y = ops.where(x > threshold, x, alpha * (x - threshold))
    return y if max_value is None else ops.minimum(y, max_value)


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


def l2_normalize(x, axis=None):
    """``x / sqrt(max(sum(x**2), 1e-12))`` along ``axis`` (Keras 2's definition)."""
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), 1e-12))


def zeros(shape, dtype=None, name=None):
    return ops.zeros(shape, dtype=dtype or floatx())


def ones(shape, dtype=None, name=None):
    return ops.ones(shape, dtype=dtype or floatx())


def arange(start, stop=None, step=1, dtype="int32"):
    return ops.arange(start, stop, step, dtype=dtype)


def one_hot(indices, num_classes):
    """One-hot vectors along a new last axis (float)."""
    return ops.one_hot(ops.cast(indices, "int32"), num_classes)


# --- shape manipulation ----------------------------------------------------------------------
def reshape(x, shape):
    return ops.reshape(x, shape)


def concatenate(tensors, axis=-1):
    return ops.concatenate(tensors, axis=axis)


def stack(tensors, axis=0):
    return ops.stack(tensors, axis=axis)


def expand_dims(x, axis=-1):
    return ops.expand_dims(x, axis)


def squeeze(x, axis):
    return ops.squeeze(x, axis)


def permute_dimensions(x, pattern):
    return ops.transpose(x, pattern)


def transpose(x):
    return ops.transpose(x)


def flatten(x):
    return ops.reshape(x, (-1,))


def batch_flatten(x):
    return ops.reshape(x, (ops.shape(x)[0], -1))


def tile(x, n):
    return ops.tile(x, n)


def repeat_elements(x, rep, axis):
    return ops.repeat(x, rep, axis=axis)


def gather(reference, indices):
    """Rows of ``reference`` picked by ``indices`` (first axis)."""
    return ops.take(reference, ops.cast(indices, "int32"), axis=0)


def dot(x, y):
    return ops.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Batched matrix product; ``axes`` as in Keras 2 (``None`` = last of x with second-to-last of y)."""
    if axes is None:
        return ops.matmul(x, y)
    axes = (axes, axes) if isinstance(axes, int) else tuple(axes)
    ax, ay = (a % len(t.shape) for a, t in zip(axes, (x, y)))
    x = ops.moveaxis(x, ax, -1)
    y = ops.moveaxis(y, ay, 1)
    return ops.matmul(x, y) if len(y.shape) > 2 else ops.sum(x * y, axis=-1)


def switch(condition, then_expression, else_expression):
    return ops.where(condition, then_expression, else_expression)


# --- losses: Keras 2's backend functions, same argument order and defaults --------------------
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-position cross-entropy of integer ``target`` against probabilities (or logits) ``output``.

    ``target`` may carry a trailing axis of size 1 (``[batch, 1]`` labels), as Keras 2 allowed.
    """
    target = ops.cast(target, "int32")
    if len(target.shape) == len(output.shape):
        target = ops.squeeze(target, axis=-1)
    return ops.sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return ops.categorical_crossentropy(ops.cast(target, output.dtype), output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    return ops.binary_crossentropy(ops.cast(target, output.dtype), output, from_logits=from_logits)


# --- randomness and training phase ------------------------------------------------------------
def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """0/1 samples that are 1 with probability ``p``."""
    u = keras.random.uniform(shape, seed=seed)
    return ops.cast(u < p, dtype or floatx())


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return keras.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(), seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return keras.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype or floatx(), seed=seed)


def dropout(x, level, noise_shape=None, seed=None):
    return keras.random.dropout(x, level, noise_shape=noise_shape, seed=seed)


def _current_training_flag() -> Optional[bool]:
    # Keras 3 has no global learning phase; the layer call in progress knows whether it
    # trains (``fit`` passes training=True down). Reading it keeps K.in_train_phase inside
    # a custom layer's ``call`` working as in Keras 2.
    from keras.src.backend.common import global_state

    context = global_state.get_global_attribute("current_call_ctx")
    return None if context is None else context.training


def in_train_phase(x, alt, training=None):
    """``x`` while training, ``alt`` otherwise; callables are called first.

    ``training=None`` reads the training flag of the layer call in progress (so it
    works inside a custom layer's ``call``); outside any layer it means inference.
    """
    if training is None:
        training = _current_training_flag()
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


# --- what Keras 3 cannot do -------------------------------------------------------------------
gradients = _impossible(
    "gradients",
    "Differentiate inside a train_step (tf.GradientTape / jax.grad / torch.autograd), or use "
    "kerasformers.adversarial (adversarial_training, gradient_penalty, virtual_adversarial_training).",
)
function = _impossible(
    "function",
    "Build a keras.Model from the inputs to the tensors you want and call model.predict, "
    "or override Model.train_step.",
)
learning_phase = _impossible(
    "learning_phase", "Pass training=True/False to the layer or model call; fit() already does."
)
set_learning_phase = _impossible(
    "set_learning_phase", "Pass training=True/False to the layer or model call; fit() already does."
)
placeholder = _impossible("placeholder", "Use keras.Input(shape=..., dtype=...).")
get_session = _impossible("get_session", "Keras 3 has no session; values are read with K.eval / ops.convert_to_numpy.")
