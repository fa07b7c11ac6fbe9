"""The ``keras.Model`` that ``build_transformer_model`` returns: a functional model that refuses
too-long inputs *before* compiling, and keeps its weights when a compiled call fails.

Why: on JAX, ``predict``/``fit``/``evaluate`` detach the weights from their variables while the
compiled function runs and reattach them at the end. An exception raised while tracing (e.g. a
sequence longer than ``max_position``) skipped the reattaching, so every later call failed with
``TypeError: 'NoneType' object is not callable`` inside Keras. Lengths of array inputs are now
checked first, and any other failure reattaches the weights before it propagates.
"""

from __future__ import annotations

import contextlib
from typing import Any, List, Optional, Tuple

import keras
import numpy as np

# Inputs whose second dimension is the sequence length (bert4keras's names).
_SEQUENCE_INPUTS = ("Input-Token", "Input-Segment")


@keras.saving.register_keras_serializable(package="kerasformers")
class TransformerModel(keras.Model):
    """A functional ``keras.Model`` (as bert4keras returned) with input-length checks.

    It is built exactly like ``keras.Model(inputs, outputs)`` and saves/reloads as ``.keras``.

    Example:
        >>> from kerasformers.models import build_transformer_model
        >>> model = build_transformer_model(None, None, vocab_size=20, hidden_size=8, num_hidden_layers=1,
        ...     num_attention_heads=2, intermediate_size=16, max_position=4)
        >>> model.predict([np.ones((1, 6)), np.zeros((1, 6))], verbose=0)
        Traceback (most recent call last):
        ...
        ValueError: Input-Token has sequence length 6 but the model's Embedding-Position table has 4 positions (max_position_embeddings); truncate the input (maxlen=4) or build the model with hierarchical_position=True.
    """

    def _position_limit(self) -> Optional[Tuple[str, int]]:
        from kerasformers.layers import PositionEmbedding

        limits = [
            (layer.name, layer.input_dim)
            for layer in self.layers
            if isinstance(layer, PositionEmbedding) and not layer.hierarchical and not layer.custom_position_ids
        ]
        return min(limits, key=lambda item: item[1]) if limits else None

    def _sequence_arrays(self, x) -> List[Tuple[str, Any]]:
        names = [t.name if hasattr(t, "name") else "" for t in self.inputs]
        if isinstance(x, dict):
            pairs = list(x.items())
        elif isinstance(x, (list, tuple)):
            pairs = list(zip(names, x))
        else:
            pairs = [(names[0] if names else "", x)]
        return [
            (name, value)
            for name, value in pairs
            if any(name.endswith(s) for s in _SEQUENCE_INPUTS) and hasattr(value, "shape") and len(value.shape) >= 2
        ]

    def check_input_lengths(self, x) -> None:
        """Raise ``ValueError`` if an array input is longer than the position table (before any compiling)."""
        limit = self._position_limit()
        if limit is None:
            return
        layer, positions = limit
        for name, value in self._sequence_arrays(x):
            length = value.shape[1]
            if length is not None and int(length) > positions:
                raise ValueError(
                    f"{name} has sequence length {int(length)} but the model's {layer} table has {positions} "
                    f"positions (max_position_embeddings); truncate the input (maxlen={positions}) or build the "
                    "model with hierarchical_position=True."
                )

    @contextlib.contextmanager
    def _weights_survive_failure(self):
        if keras.backend.backend() != "jax":
            yield
            return
        saved = {id(v): v.value for v in self.variables}
        try:
            yield
        except BaseException:
            _reattach_jax_weights(self, saved)
            raise

    def predict(self, x, *args, **kwargs):
        """``keras.Model.predict``, silent by default (``verbose=0``) as in Keras 2.3, which bert4keras ran on:
        scripts call it once per sample or per decoding step, and Keras 3's default printed a bar each time."""
        if len(args) < 2:  # predict(x, batch_size, verbose, ...): verbose not given positionally
            kwargs.setdefault("verbose", 0)
        self.check_input_lengths(x)
        with self._weights_survive_failure():
            return super().predict(x, *args, **kwargs)

    def _make_train_function(self):
        # Keras 2's private hook that bert4keras's adversarial-training recipes rewrite; Keras 3 has none.
        raise NotImplementedError(
            "model._make_train_function() does not exist in Keras 3: a script that rewrites the training step "
            "(adversarial training, gradient penalty, VAT) ports to kerasformers.adversarial "
            "(adversarial_training, gradient_penalty, virtual_adversarial_training); see docs/migration.md, "
            "section 'Porting K.gradients, K.function and train_function hacks'."
        )

    def predict_on_batch(self, x):
        self.check_input_lengths(x)
        with self._weights_survive_failure():
            return super().predict_on_batch(x)

    def evaluate(self, x=None, *args, **kwargs):
        self.check_input_lengths(x)
        with self._weights_survive_failure():
            return super().evaluate(x, *args, **kwargs)

    def test_on_batch(self, x, *args, **kwargs):
        self.check_input_lengths(x)
        with self._weights_survive_failure():
            return super().test_on_batch(x, *args, **kwargs)

    def fit(self, x=None, *args, **kwargs):
        self.check_input_lengths(x)
        with self._weights_survive_failure():
            return super().fit(x, *args, **kwargs)

    def train_on_batch(self, x, *args, **kwargs):
        self.check_input_lengths(x)
        with self._weights_survive_failure():
            return super().train_on_batch(x, *args, **kwargs)


def _reattach_jax_weights(model: keras.Model, saved: dict) -> None:
    """Put back weights that Keras's JAX trainer detached (``_value = None``) before a failure."""
    state = getattr(model, "_jax_state", None)
    if state and not getattr(model, "_jax_state_synced", True):
        model.jax_state_sync()  # the last completed step's values: training progress is kept
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        variables += list(optimizer.variables)
    variables += list(getattr(model, "metrics_variables", []))
    for variable in variables:
        if getattr(variable, "_value", 0) is None:
            # Weights come back from before the call; optimizer slots and metric totals created
            # during the failed call are zeros, which is how Keras initialises them.
            value = saved.get(id(variable))
            variable._direct_assign(value if value is not None else np.zeros(variable.shape, variable.dtype))
    model._jax_state = None
    model._jax_state_synced = True
