"""Sequence-labelling output layers that carry their own loss: CRF and (bidirectional) MEMM.

As in bert4keras, the layer itself only masks padding: its output equals its
input with padded positions set to ``-inf``. The transition matrix is used by
the loss and accuracy methods, which are meant for ``model.compile``::

    crf = ConditionalRandomField(lr_multiplier=1000)
    output = crf(keras.layers.Dense(num_labels)(encoder.output))
    model.compile(loss=crf.sparse_loss, metrics=[crf.sparse_accuracy], optimizer="adam")

and decoding is done outside the graph with :class:`kerasformers.snippets.ViterbiDecoder`
on ``keras.ops.convert_to_numpy(crf.trans)``.

``lr_multiplier`` speeds up learning of the transitions (typically 100-1000 on
top of a pre-trained encoder trained with a small learning rate): the stored
variable is ``trans / lr_multiplier`` and :attr:`trans` multiplies it back, so
gradient steps on the stored variable move ``trans`` ``lr_multiplier`` times
faster. ``.keras`` files store the variable and ``lr_multiplier``, which gives
back the same ``trans`` on reload.
"""

from __future__ import annotations

import weakref
from typing import Optional

import keras
import numpy as np
from keras import ops

from kerasformers.backend import sequence_masking


def _scaled_glorot(factor: float):
    """Glorot-uniform initializer scaled by ``factor`` (so ``trans`` starts as Glorot)."""
    base = keras.initializers.GlorotUniform()

    def initializer(shape, dtype=None):
        return base(shape, dtype=dtype) * factor

    return initializer


def _valid_positions(y_pred):
    """``[batch, len]`` booleans: positions the layer did not set to ``-inf``."""
    return ops.all(ops.not_equal(y_pred, ops.cast(-np.inf, y_pred.dtype)), axis=2)


def _int_labels(y_true, y_pred):
    """Integer labels ``[batch, len]``, whatever shape/dtype Keras hands the loss."""
    return ops.cast(ops.reshape(y_true, ops.shape(y_pred)[:-1]), "int32")


def _frame_accuracy(labels, scores, valid):
    """Per-token accuracy of ``argmax(scores)`` over the valid positions."""
    valid = ops.cast(valid, "float32")
    hits = ops.cast(ops.equal(labels, ops.cast(ops.argmax(scores, axis=2), "int32")), "float32")
    return ops.sum(hits * valid) / ops.sum(valid)


# The most recently created CRF/MEMM layer under each name. A ``.keras`` file of a
# compiled model stores ``loss=crf.sparse_loss`` as (layer name, method); when
# the file is loaded the layers are created before the compile config is read
# (whether or not they are built yet), so the name finds the reloaded layer.
# Weak values: nothing is kept alive.
_BUILT_LAYERS: "weakref.WeakValueDictionary[str, keras.layers.Layer]" = weakref.WeakValueDictionary()


@keras.saving.register_keras_serializable(package="kerasformers")
class LayerLossFunction:
    """``crf.sparse_loss`` and friends: a loss/metric function bound to its layer.

    Calls like the bound method it stands for (per-sequence losses, scalar
    accuracies), and serializes as ``{layer name, method}`` so that a model
    compiled with it saves to and reloads from ``.keras``.
    """

    def __init__(self, layer: Optional[keras.layers.Layer], method: str, layer_name: Optional[str] = None):
        self.layer = layer
        self.method = method
        self.layer_name = layer.name if layer is not None else layer_name
        self.__name__ = method  # Keras names metrics after it, as for a plain function

    def __call__(self, y_true, y_pred):
        if self.layer is None:
            raise ValueError(
                f"{self.method} of layer {self.layer_name!r} was loaded without its layer; "
                f"re-compile with the reloaded layer: loss=model.get_layer({self.layer_name!r}).{self.method}."
            )
        return getattr(type(self.layer), self.method)(self.layer, y_true, y_pred)

    def get_config(self):
        return {"layer_name": self.layer_name, "method": self.method}

    @classmethod
    def from_config(cls, config):
        return cls(_BUILT_LAYERS.get(config["layer_name"]), config["method"], config["layer_name"])


class _loss_function:
    """Method decorator: on an instance, returns a serializable :class:`LayerLossFunction`."""

    def __init__(self, function):
        self.function = function
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    def __get__(self, instance, owner):
        if instance is None:
            return self.function
        return LayerLossFunction(instance, self.__name__)


class _TransitionLayer(keras.layers.Layer):
    """Shared plumbing: padding mask in ``call``, ``lr_multiplier``-scaled weights."""

    def __init__(self, lr_multiplier: float = 1, **kwargs):
        super().__init__(**kwargs)
        self.lr_multiplier = lr_multiplier
        self.supports_masking = True
        _BUILT_LAYERS[self.name] = self

    def build(self, input_shape):
        self.build_transitions(input_shape[-1])

    def build_transitions(self, num_labels: int):
        """Create the transition weights for ``num_labels`` labels (each subclass has its own form)."""
        raise NotImplementedError

    def _add_scaled_weight(self, name: str, shape):
        return self.add_weight(name=name, shape=shape, initializer=_scaled_glorot(1.0 / self.lr_multiplier))

    def _scaled(self, variable):
        return variable if self.lr_multiplier == 1 else variable * self.lr_multiplier

    def call(self, inputs, mask=None):
        return sequence_masking(inputs, mask, -np.inf, 1)

    def compute_mask(self, inputs, mask=None):
        # The padding is now encoded as -inf; a Keras mask would make Keras
        # losses drop those positions a second time.
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(lr_multiplier=self.lr_multiplier)
        return config


@keras.saving.register_keras_serializable(package="kerasformers")
class ConditionalRandomField(_TransitionLayer):
    """Linear-chain CRF on per-token label scores ``[batch, len, num_labels]``.

    The losses return ``-log p(y | x)`` per sequence; padded positions (marked
    ``-inf`` by the layer) take part in neither the path score nor the partition
    function. Padding must be at the end of each sequence.

    Example:
        >>> crf = ConditionalRandomField()
        >>> scores = crf(keras.ops.zeros((1, 3, 4)), mask=keras.ops.convert_to_tensor([[1, 1, 0]]))
        >>> tuple(crf.trans.shape)
        (4, 4)
        >>> loss = crf.sparse_loss(keras.ops.convert_to_tensor([[1, 2, 0]]), scores)
        >>> tuple(loss.shape)
        (1,)
    """

    def build_transitions(self, num_labels: int):
        self._trans = self._add_scaled_weight("trans", (num_labels, num_labels))

    @property
    def trans(self):
        """Transition scores ``trans[i, j]`` of label i followed by label j."""
        return self._scaled(self._trans)

    def target_score(self, y_true, y_pred):
        """Unnormalised score of the (one-hot) path ``y_true``: emissions plus transitions."""
        point = ops.sum(y_true * y_pred, axis=(1, 2))
        trans = ops.sum(ops.matmul(y_true[:, :-1], self.trans) * y_true[:, 1:], axis=(1, 2))
        return point + trans

    def log_normalizer(self, y_pred, valid):
        """``log Z`` per sequence by the forward algorithm (log-sum-exp over paths)."""
        trans = ops.cast(self.trans, y_pred.dtype)[None]
        # One scanned tensor, [len - 1, batch, labels + 1]: the emissions with the padding flag as a
        # last column. Keras's TensorFlow scan fails on several inputs whose length is unknown
        # statically, which it is whenever batches are padded to varying lengths.
        keep = ops.cast(valid[:, 1:, None], y_pred.dtype)
        steps = ops.transpose(ops.concatenate([y_pred[:, 1:], keep], axis=-1), (1, 0, 2))

        def step(state, inputs):
            emission, keep_t = inputs[:, :-1], inputs[:, -1:] > 0
            new = ops.logsumexp(state[:, :, None] + trans, axis=1) + emission
            # Padded steps carry the state through unchanged.
            new = ops.where(keep_t, new, state)
            # Per-step outputs are required by the TensorFlow scan; they are discarded.
            return new, new

        final, _ = ops.scan(step, y_pred[:, 0], steps)
        return ops.logsumexp(final, axis=1)

    @_loss_function
    def dense_loss(self, y_true, y_pred):
        """Negative log-likelihood per sequence; ``y_true`` one-hot ``[batch, len, num_labels]``."""
        valid = _valid_positions(y_pred)
        y_true = ops.where(valid[..., None], ops.cast(y_true, y_pred.dtype), 0)
        y_pred = ops.where(valid[..., None], y_pred, 0)
        return self.log_normalizer(y_pred, valid) - self.target_score(y_true, y_pred)

    @_loss_function
    def sparse_loss(self, y_true, y_pred):
        """Negative log-likelihood per sequence; ``y_true`` integer labels ``[batch, len]``."""
        labels = _int_labels(y_true, y_pred)
        return self.dense_loss(ops.one_hot(labels, self._trans.shape[0], dtype=y_pred.dtype), y_pred)

    @_loss_function
    def dense_accuracy(self, y_true, y_pred):
        """Per-token accuracy of the emission argmax (a cheap training signal, not Viterbi)."""
        return self.sparse_accuracy(ops.argmax(y_true, axis=2), y_pred)

    @_loss_function
    def sparse_accuracy(self, y_true, y_pred):
        """Per-token accuracy of the emission argmax over non-padded positions."""
        return _frame_accuracy(_int_labels(y_true, y_pred), y_pred, _valid_positions(y_pred))


def _reverse_valid(x, lengths):
    """Reverse the first ``lengths[b]`` steps of each sequence, leaving the padding in place."""
    n = ops.shape(x)[1]
    idx = ops.arange(n)[None]
    lengths = ops.cast(lengths, idx.dtype)[:, None]
    order = ops.where(idx < lengths, lengths - 1 - idx, idx)
    for _ in range(len(x.shape) - 2):
        order = ops.expand_dims(order, -1)
    return ops.take_along_axis(x, ops.broadcast_to(order, ops.shape(x)), axis=1)


@keras.saving.register_keras_serializable(package="kerasformers")
class MaximumEntropyMarkovModel(_TransitionLayer):
    """Bidirectional MEMM: a cheaper alternative to the CRF with the same usage.

    Each token's label distribution is ``softmax((emission + trans[previous label]) / 2)``
    (the first token uses its emission twice); the loss averages the forward
    and the backward direction. ``hidden_dim`` factorises the transition matrix
    as ``l_trans @ r_trans.T``.

    Example:
        >>> memm = MaximumEntropyMarkovModel(hidden_dim=2)
        >>> scores = memm(keras.ops.zeros((1, 3, 4)))
        >>> float(memm.sparse_loss(keras.ops.convert_to_tensor([[1, 2, 0]]), scores)) > 0
        True
    """

    def __init__(self, lr_multiplier: float = 1, hidden_dim: Optional[int] = None, **kwargs):
        super().__init__(lr_multiplier=lr_multiplier, **kwargs)
        self.hidden_dim = hidden_dim

    def build_transitions(self, num_labels: int):
        if self.hidden_dim is None:
            self._trans = self._add_scaled_weight("trans", (num_labels, num_labels))
        else:
            self._l_trans = self._add_scaled_weight("l_trans", (num_labels, self.hidden_dim))
            self._r_trans = self._add_scaled_weight("r_trans", (num_labels, self.hidden_dim))

    @property
    def trans(self):
        """Full transition matrix (``l_trans @ r_trans.T`` when factorised)."""
        if self.hidden_dim is None:
            return self._scaled(self._trans)
        return ops.matmul(self.l_trans, ops.transpose(self.r_trans))

    @property
    def l_trans(self):
        return self._scaled(self._l_trans)

    @property
    def r_trans(self):
        return self._scaled(self._r_trans)

    def _directional_scores(self, y_true, y_pred, go_backwards: bool):
        """Labels, averaged (emission + history) scores and validity for one direction."""
        valid = _valid_positions(y_pred)
        labels = _int_labels(y_true, y_pred)
        if go_backwards:
            lengths = ops.sum(ops.cast(valid, "int32"), axis=1)
            labels, y_pred = _reverse_valid(labels, lengths), _reverse_valid(y_pred, lengths)
        if self.hidden_dim is None:
            trans = ops.transpose(self.trans) if go_backwards else self.trans
            history = ops.take(trans, labels, axis=0)
        else:
            left, right = (self.r_trans, self.l_trans) if go_backwards else (self.l_trans, self.r_trans)
            history = ops.matmul(ops.take(left, labels, axis=0), ops.transpose(right))
        history = ops.concatenate([y_pred[:, :1], history[:, :-1]], axis=1)
        return labels, (y_pred + ops.cast(history, y_pred.dtype)) / 2, valid

    def basic_loss(self, y_true, y_pred, go_backwards: bool = False):
        """Mean token cross-entropy in one direction; ``y_true`` integer labels."""
        labels, scores, valid = self._directional_scores(y_true, y_pred, go_backwards)
        scores = ops.where(valid[..., None], scores, 0)
        loss = keras.losses.sparse_categorical_crossentropy(labels, scores, from_logits=True)
        valid = ops.cast(valid, loss.dtype)
        return ops.sum(loss * valid) / ops.sum(valid)

    @_loss_function
    def sparse_loss(self, y_true, y_pred):
        """Average of the forward and backward losses; ``y_true`` integer labels."""
        return (self.basic_loss(y_true, y_pred, False) + self.basic_loss(y_true, y_pred, True)) / 2

    @_loss_function
    def dense_loss(self, y_true, y_pred):
        """As :meth:`sparse_loss` with one-hot ``y_true``."""
        return self.sparse_loss(ops.argmax(y_true, axis=2), y_pred)

    def basic_accuracy(self, y_true, y_pred, go_backwards: bool = False):
        """Per-token accuracy of the averaged scores in one direction."""
        labels, scores, valid = self._directional_scores(y_true, y_pred, go_backwards)
        return _frame_accuracy(labels, scores, valid)

    @_loss_function
    def sparse_accuracy(self, y_true, y_pred):
        """Average of the forward and backward accuracies; ``y_true`` integer labels."""
        return (self.basic_accuracy(y_true, y_pred, False) + self.basic_accuracy(y_true, y_pred, True)) / 2

    @_loss_function
    def dense_accuracy(self, y_true, y_pred):
        """As :meth:`sparse_accuracy` with one-hot ``y_true``."""
        return self.sparse_accuracy(ops.argmax(y_true, axis=2), y_pred)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_dim=self.hidden_dim)
        return config
