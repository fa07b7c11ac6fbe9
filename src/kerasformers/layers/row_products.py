"""Products of a few rows by a weight matrix, inside a compiled JAX decoding step on CPU.

A decoding step multiplies a few rows (one per beam) by every weight matrix once. XLA:CPU's
matrix kernels repack the right-hand operand of ``x @ kernel``, so with a Keras kernel
``[in, out]`` on the right, a step over 4 rows reads and rewrites every weight: a GPT2-small
beam-4 step took 2.5x the time of a one-row step, when reading the weights (the bound on a CPU)
costs the same for both. With the matrix stored ``[out, in]`` and on the left,
``table @ x.T`` streams each weight once. Its small ``[out, rows]`` result is materialised (an
optimization barrier: otherwise XLA folds the transpose back into the product's output layout,
which brings the slow kernel back) and then transposed. Measured in benchmarks/README.md
("Kernels stored transposed").

Embedding tables used as an LM head (``mode='dense'``) are already ``[out, in]``. Dense kernels
need ``[out, in]`` copies (:class:`TransposedKernels`): one more copy of the dense kernels in
memory, held by the model's compiled step and refreshed whenever a kernel's value changes
(training assigns new arrays), so a step never reads stale weights.
"""

from __future__ import annotations

import contextlib
import threading
from typing import List

import keras
import numpy as np

_ORIGINAL_DENSE_CALL = keras.layers.Dense.call
_STATE = threading.local()


#: Up to this many rows a product goes through :func:`left_product`. Beyond, a prompt's prefill is
#: compute-bound and ``x @ kernel`` was faster (GPT2-small, 500-token prompt: 713 against 804 ms).
MAX_ROWS = 32


def serves(x) -> bool:
    """Whether ``x``'s product should use :func:`left_product`: a decoding step is being traced with
    :meth:`TransposedKernels.serving` in this thread and ``x`` has at most :data:`MAX_ROWS` rows."""
    if getattr(_STATE, "kernels", None) is None:
        return False
    rows = 1
    for size in x.shape[:-1]:
        rows *= int(size)
    return rows <= MAX_ROWS


def left_product(x, table):
    """``x @ table.T`` for ``x [..., in]`` and ``table [out, in]``, computed as ``(table @ rows.T).T``
    with the product materialised first (see the module doc). JAX only.

    Example:
        >>> import numpy as np
        >>> x, table = np.ones((2, 3), "float32"), np.arange(12, dtype="float32").reshape(4, 3)
        >>> np.asarray(left_product(x, table)).tolist()
        [[3.0, 12.0, 21.0, 30.0], [3.0, 12.0, 21.0, 30.0]]
    """
    import jax.numpy as jnp
    from jax import lax

    rows = jnp.reshape(x, (-1, x.shape[-1]))
    out = lax.optimization_barrier(table @ rows.T).T
    return jnp.reshape(out, tuple(x.shape[:-1]) + (table.shape[0],))


def eligible_dense_layers(model) -> List[keras.layers.Dense]:
    """The Dense layers of ``model`` whose product :func:`left_product` serves exactly: plain
    ``keras.layers.Dense`` calls (no subclass ``call``), 2-D kernels stored in the compute dtype (no
    mixed-precision cast to repeat), no LoRA, no quantization."""
    layers = []
    for layer in model._flatten_layers(include_self=False):
        if not isinstance(layer, keras.layers.Dense) or type(layer).call is not _ORIGINAL_DENSE_CALL:
            continue
        if getattr(layer, "lora_enabled", False) or getattr(layer, "quantization_mode", None):
            continue
        if len(layer.kernel.shape) != 2 or layer.kernel.dtype != layer.compute_dtype:
            continue
        layers.append(layer)
    return layers


class TransposedKernels:
    """``[out, in]`` copies of the eligible Dense kernels of ``model``, kept current (JAX).

    ``variables`` is the variable list whose current arrays :meth:`arrays` is given (the step reads
    them once per call; reading them again here would double that cost).

    Example:
        >>> import keras
        >>> x = keras.Input((3,)); m = keras.Model(x, keras.layers.Dense(2, name="proj")(x))
        >>> [layer.name for layer in TransposedKernels(m, m.variables).layers]  # arrays() then holds one [2, 3] copy
        ['proj']
    """

    def __init__(self, model, variables: list):
        self.layers = eligible_dense_layers(model)
        position = {id(v): i for i, v in enumerate(variables)}
        self._positions = [position[id(layer.kernel)] for layer in self.layers]
        self._sources: list = [None] * len(self.layers)
        self._copies: list = [None] * len(self.layers)

    def arrays(self, values: list) -> list:
        """The transposed kernels, given the current arrays of ``variables``; a copy is re-made whenever
        its kernel's array changed since the last call."""
        import jax.numpy as jnp

        for i, position in enumerate(self._positions):
            value = values[position]
            if value is not self._sources[i]:
                # A real [out, in] copy: a transpose inside the step would be a view XLA copies at every call.
                self._copies[i] = jnp.asarray(np.ascontiguousarray(keras.ops.convert_to_numpy(value).T))
                self._sources[i] = value
        return list(self._copies)

    @contextlib.contextmanager
    def serving(self, arrays: list):
        """While a step is traced in this thread, the eligible layers' products read ``arrays`` (the
        traced :meth:`arrays`) through :func:`left_product`; Embedding LM heads use it too."""
        previous = getattr(_STATE, "kernels", None)
        _STATE.kernels = {id(layer): a for layer, a in zip(self.layers, arrays)}
        # Scoped to the trace; another thread's Dense calls find no kernels of theirs and run unchanged.
        keras.layers.Dense.call = _dense_call
        try:
            yield
        finally:
            _STATE.kernels = previous
            if previous is None:
                keras.layers.Dense.call = _ORIGINAL_DENSE_CALL


def _dense_call(self, inputs, training=None):
    """``keras.layers.Dense.call`` while a step is traced: the product through :func:`left_product`."""
    table = (getattr(_STATE, "kernels", None) or {}).get(id(self))
    if table is None or not serves(inputs):
        return _ORIGINAL_DENSE_CALL(self, inputs, training=training)
    x = left_product(inputs, table)
    if self.bias is not None:
        x = x + self.bias
    if self.activation is not None:
        x = self.activation(x)
    return x
