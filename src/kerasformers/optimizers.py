"""bert4keras's ``optimizers`` module, expressed with what Keras 3 already does.

bert4keras re-implemented weight decay, warm-up schedules, gradient accumulation and
EMA as optimizer wrappers (``extend_with_*``). Keras 3 optimizers have all of these
built in, so each wrapper here returns a thin subclass that translates bert4keras's
arguments into the Keras options; scripts that wrote

    AdamW = extend_with_weight_decay(Adam, "AdamW")
    AdamWLR = extend_with_piecewise_linear_lr(AdamW, "AdamWLR")
    optimizer = AdamWLR(learning_rate=1e-5, weight_decay_rate=0.01,
                        exclude_from_weight_decay=["Norm", "bias"], lr_schedule={1000: 1, 2000: 0.1})

keep working. New code can use the Keras options directly (see docs/migration.md).
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Sequence

import keras

from kerasformers.backend import piecewise_linear



@keras.saving.register_keras_serializable(package="kerasformers")
class PiecewiseLinearSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """``base * piecewise_linear(step, schedule)``: bert4keras's ``lr_schedule`` as a Keras schedule.

    Example:
        >>> schedule = PiecewiseLinearSchedule(1e-3, {100: 1.0, 200: 0.1})
        >>> round(float(schedule(50)), 6), round(float(schedule(300)), 6)
        (0.0005, 0.0001)
    """

    def __init__(self, base_learning_rate: float, schedule: Dict[int, float]):
        self.base_learning_rate = float(base_learning_rate)
        self.schedule = {int(k): float(v) for k, v in schedule.items()}

    def __call__(self, step):
        return self.base_learning_rate * piecewise_linear(step, self.schedule)

    def get_config(self):
        return {"base_learning_rate": self.base_learning_rate, "schedule": self.schedule}


def _named(cls: type, name: Optional[str]) -> type:
    if name:
        cls.__name__ = cls.__qualname__ = name
    return keras.saving.register_keras_serializable(package="kerasformers")(cls)


def dense_gradients(BaseOptimizer: type, name: Optional[str] = None) -> type:
    """``BaseOptimizer`` fed dense gradients on TensorFlow, so its update is the same on every backend.

    TensorFlow hands an embedding's gradient to the optimizer as ``tf.IndexedSlices``, one row per
    looked-up id with repeats kept. Keras 3's TensorFlow backend applies ``square``/``sign`` to those rows
    one by one and sums the repeats afterwards, so Adam's second moment (Adafactor's, Lion's sign) is wrong
    for any id seen twice in a batch, and under ``MirroredStrategy`` it changes with the number of devices.
    JAX and PyTorch give dense gradients, and bert4keras (TF 1) densified them, which this restores.
    ``Adam``, ``AdamW``, ``AdaFactor`` and ``Lion`` of this module already have it; use it to wrap another
    Keras optimizer. Elsewhere than TensorFlow it changes nothing.

    Example:
        >>> RMSprop = dense_gradients(keras.optimizers.RMSprop, "DenseRMSpropDoc")
        >>> optimizer = RMSprop(1e-3)
        >>> type(optimizer).__name__, isinstance(optimizer, keras.optimizers.RMSprop)
        ('DenseRMSpropDoc', True)
    """

    class DenseGradients(BaseOptimizer):
        def apply(self, grads, trainable_variables=None):
            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
            return super().apply(grads, trainable_variables)

    return _named(DenseGradients, name or BaseOptimizer.__name__)


Adam = dense_gradients(keras.optimizers.Adam)
AdamW = dense_gradients(keras.optimizers.AdamW)
AdaFactor = dense_gradients(keras.optimizers.Adafactor, "AdaFactor")
Lion = dense_gradients(keras.optimizers.Lion)


def extend_with_weight_decay(BaseOptimizer: type, name: Optional[str] = None) -> type:
    """Decoupled weight decay (AdamW) with bert4keras's ``weight_decay_rate`` / ``exclude_from_weight_decay``.

    Names in ``exclude_from_weight_decay`` are regular expressions searched in each
    variable's path (e.g. ``"Norm"``, ``"bias"``), as in bert4keras.

    Example:
        >>> AdamW = extend_with_weight_decay(Adam, "AdamWD")
        >>> AdamW(learning_rate=1e-3, weight_decay_rate=0.01).weight_decay
        0.01
    """

    class WeightDecay(BaseOptimizer):
        def __init__(self, *args, weight_decay_rate: float = 0.01, exclude_from_weight_decay: Sequence[str] = (), **kwargs):
            kwargs.setdefault("weight_decay", weight_decay_rate)
            super().__init__(*args, **kwargs)
            self.exclude_patterns = [re.compile(p) for p in exclude_from_weight_decay]

        def _use_weight_decay(self, variable):
            # Keras matches its own exclusion names against the bare variable name ("gamma");
            # bert4keras patterns name layers ("Norm"), so search the whole path.
            path = getattr(variable, "path", variable.name)
            if any(p.search(path) for p in self.exclude_patterns):
                return False
            return super()._use_weight_decay(variable)

    return _named(WeightDecay, name)


def extend_with_piecewise_linear_lr(BaseOptimizer: type, name: Optional[str] = None) -> type:
    """Multiply the learning rate by ``piecewise_linear(step, lr_schedule)`` (warm-up, decay).

    Example:
        >>> AdamLR = extend_with_piecewise_linear_lr(Adam, "AdamLRDoc")
        >>> type(AdamLR(learning_rate=1e-3, lr_schedule={1000: 1.0}).learning_rate).__name__  # doctest: +ELLIPSIS
        '...'
    """

    class PiecewiseLinearLR(BaseOptimizer):
        def __init__(self, *args, lr_schedule: Optional[Dict[int, float]] = None, learning_rate=0.001, **kwargs):
            if lr_schedule is not None and not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
                learning_rate = PiecewiseLinearSchedule(learning_rate, lr_schedule)
            super().__init__(*args, learning_rate=learning_rate, **kwargs)

    return _named(PiecewiseLinearLR, name)


def extend_with_gradient_accumulation(BaseOptimizer: type, name: Optional[str] = None) -> type:
    """Apply the mean gradient of every ``grad_accum_steps`` batches (Keras's ``gradient_accumulation_steps``).

    Example:
        >>> AdamGA = extend_with_gradient_accumulation(Adam, "AdamGADoc")
        >>> AdamGA(grad_accum_steps=4).gradient_accumulation_steps
        4
    """

    class GradientAccumulation(BaseOptimizer):
        def __init__(self, *args, grad_accum_steps: int = 2, **kwargs):
            kwargs.setdefault("gradient_accumulation_steps", grad_accum_steps)
            super().__init__(*args, **kwargs)

    return _named(GradientAccumulation, name)


def extend_with_exponential_moving_average(BaseOptimizer: type, name: Optional[str] = None) -> type:
    """Keep an exponential moving average of the weights (Keras's ``use_ema``).

    bert4keras's swap is kept: ``optimizer.apply_ema_weights()`` puts the averages
    into the model (keeping a copy of the current weights), ``reset_old_weights()``
    puts the copy back, e.g. around an evaluation in a callback's ``on_epoch_end``.
    Keras's own ``finalize_variable_values`` is the one-way version: ``fit`` calls it
    when it returns, so after ``fit`` the model already holds the averages.
    Keras starts the averages from the weights themselves, so no bias correction is
    needed; ``bias_correction`` is accepted for bert4keras's signature.

    Example:
        >>> AdamEMA = extend_with_exponential_moving_average(Adam, "AdamEMADoc")
        >>> AdamEMA(ema_momentum=0.99).use_ema
        True
    """

    class ExponentialMovingAverage(BaseOptimizer):
        def __init__(self, *args, ema_momentum: float = 0.999, **kwargs):
            kwargs.setdefault("use_ema", True)
            kwargs.setdefault("ema_momentum", ema_momentum)
            super().__init__(*args, **kwargs)
            self._old_weights = None

        def apply_ema_weights(self, bias_correction: bool = True) -> None:
            """Copy the moving averages into the model's weights, keeping the current weights."""
            if not self.built:
                raise RuntimeError("apply_ema_weights(): the optimizer has no averages yet; train (fit) first.")
            if self._old_weights is not None:
                raise RuntimeError("apply_ema_weights() was called twice; call reset_old_weights() in between.")
            variables = list(self._trainable_variables)
            self._old_weights = [keras.ops.convert_to_numpy(v) for v in variables]
            for variable, average in zip(variables, self._model_variables_moving_average):
                # Copies, not the average's own buffer: JAX's next training step donates
                # (frees) the model's buffers, which would take the average with them.
                variable.assign(keras.ops.convert_to_numpy(average))

        def reset_old_weights(self) -> None:
            """Put back the weights that :meth:`apply_ema_weights` replaced."""
            if self._old_weights is None:
                raise RuntimeError("reset_old_weights() without apply_ema_weights() first.")
            for variable, value in zip(self._trainable_variables, self._old_weights):
                variable.assign(value)
            self._old_weights = None

    return _named(ExponentialMovingAverage, name)


# bert4keras exported a ``_v2`` twin of each wrapper for tf.keras; there is one Keras now.
extend_with_weight_decay_v2 = extend_with_weight_decay
extend_with_piecewise_linear_lr_v2 = extend_with_piecewise_linear_lr
extend_with_gradient_accumulation_v2 = extend_with_gradient_accumulation
extend_with_exponential_moving_average_v2 = extend_with_exponential_moving_average

__all__ = [
    "AdaFactor",
    "dense_gradients",
    "Adam",
    "AdamW",
    "Lion",
    "PiecewiseLinearSchedule",
    "extend_with_exponential_moving_average",
    "extend_with_exponential_moving_average_v2",
    "extend_with_gradient_accumulation",
    "extend_with_gradient_accumulation_v2",
    "extend_with_piecewise_linear_lr",
    "extend_with_piecewise_linear_lr_v2",
    "extend_with_weight_decay",
    "extend_with_weight_decay_v2",
]
