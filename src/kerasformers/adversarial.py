"""Adversarial training on the embeddings: FGM, gradient penalty and virtual adversarial training.

bert4keras's examples built these from ``K.gradients`` and a replaced
``model.train_function``, which Keras 3 has no longer. Here each is one call on
a compiled model, on TensorFlow, JAX and PyTorch:

    model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(2e-5))
    adversarial_training(model, "Embedding-Token", 0.5)
    model.fit(...)

How it hooks in (per backend, on this model instance only): with TensorFlow and
PyTorch the model's ``train_step`` (FGM, VAT: perturb, run Keras's own step,
restore) or ``compute_loss`` (gradient penalty) is replaced; with JAX, whose steps
are pure functions, ``compute_loss_and_updates`` is. The perturbation covers the
whole embedding matrix and is normalised over it, as in bert4keras's scripts.
"""

from __future__ import annotations

import keras
from keras import ops

from kerasformers.backend import search_layer

_EPS = 1e-8


def find_embeddings(model: keras.Model, embedding_name: str = "Embedding-Token"):
    """The ``embeddings`` variable of the layer ``embedding_name`` that the model's outputs depend on.

    Example:
        >>> find_embeddings(model, "Embedding-Token").shape  # doctest: +SKIP
        (21128, 768)
    """
    for output in model.outputs:
        layer = search_layer(output, embedding_name)
        if layer is not None:
            return layer.embeddings
    try:
        return model.get_layer(embedding_name).embeddings
    except ValueError:
        raise ValueError(
            f"No layer named {embedding_name!r} in model {model.name!r}; pass the name of its token "
            "embedding layer (bert4keras models: 'Embedding-Token')."
        ) from None


def _normalize(x):
    return x / (ops.sqrt(ops.sum(ops.square(x))) + _EPS)


def _unpack(data):
    return keras.utils.unpack_x_y_sample_weight(data)


def _require_compiled(model):
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise RuntimeError("Compile the model first (model.compile(...)), then add adversarial training.")


# --- gradient of the loss with respect to the embeddings, stateful backends (TF, torch) -------
def _stateful_gradient(model, variable, x, y, sample_weight):
    def loss_fn():
        y_pred = model(x, training=True)
        return model._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        return tf.convert_to_tensor(tape.gradient(loss, [variable])[0])
    import torch

    return torch.autograd.grad(loss_fn(), [variable.value])[0]


def _install_perturbation(model, embeddings, perturb):
    """Train each step at ``embeddings + delta``; ``perturb(grad_at, x, y, predict, noise)`` returns (delta, y)."""
    _require_compiled(model)
    if keras.backend.backend() == "jax":
        _install_jax_perturbation(model, embeddings, perturb)
    else:
        keras_train_step = model.train_step
        seeds = keras.random.SeedGenerator(0)

        def train_step(data):
            x, y, sample_weight = _unpack(data)

            def grad_at(offset, targets):
                embeddings.assign_add(offset)
                grad = _stateful_gradient(model, embeddings, x, targets, sample_weight)
                embeddings.assign_sub(offset)
                return grad

            def noise():
                return keras.random.normal(embeddings.shape, seed=seeds)

            delta, y = perturb(grad_at, x, y, lambda: ops.stop_gradient(model(x, training=False)), noise)
            embeddings.assign_add(delta)
            logs = keras_train_step(keras.utils.pack_x_y_sample_weight(x, y, sample_weight))
            embeddings.assign_sub(delta)
            return logs

        model.train_step = train_step
    model.train_function = None  # rebuilt with the new step at the next fit
    return model


def _install_jax_perturbation(model, embeddings, perturb):
    import jax

    index = _variable_index(model.trainable_variables, embeddings)
    iterations = _variable_index(model.optimizer.variables, model.optimizer.iterations)
    keras_compute = model.compute_loss_and_updates

    def compute_loss_and_updates(trainable, non_trainable, metrics, x, y, sample_weight,
                                 training=False, optimizer_variables=None):
        if not training:
            return keras_compute(trainable, non_trainable, metrics, x, y, sample_weight, training, optimizer_variables)
        base = jax.lax.stop_gradient(trainable[index])

        def with_embeddings(value):
            return [value if i == index else t for i, t in enumerate(trainable)]

        def loss_at(value, targets):
            return keras_compute(with_embeddings(value), non_trainable, metrics, x, targets, sample_weight,
                                 True, optimizer_variables)[0]

        def grad_at(offset, targets):
            return jax.grad(loss_at)(base + offset, targets)

        def predict():
            frozen = [jax.lax.stop_gradient(t) for t in trainable]
            return jax.lax.stop_gradient(model.stateless_call(frozen, non_trainable, x, training=False)[0])

        # Seeded by the step counter: a traced JAX step cannot draw from Keras's global seed.
        key = jax.random.fold_in(jax.random.PRNGKey(0), optimizer_variables[iterations])

        def noise():
            return jax.random.normal(key, base.shape, base.dtype)

        delta, y = perturb(grad_at, x, y, predict, noise)
        perturbed = with_embeddings(trainable[index] + jax.lax.stop_gradient(delta))
        return keras_compute(perturbed, non_trainable, metrics, x, y, sample_weight, True, optimizer_variables)

    model.compute_loss_and_updates = compute_loss_and_updates


def _variable_index(variables, variable) -> int:
    for i, v in enumerate(variables):
        if v is variable:
            return i
    raise ValueError(
        f"{variable.path} is not trainable in this model; adversarial training perturbs a trainable "
        "embedding (set the embedding layer's trainable=True)."
    )


# --- the three recipes -------------------------------------------------------------------------
def fgm_perturbation(grad, epsilon: float):
    """FGM's step: ``epsilon * g / ||g||`` (norm over the whole matrix).

    Example:
        >>> [round(float(v), 3) for v in fgm_perturbation(keras.ops.convert_to_tensor([3.0, 4.0]), 1.0)]
        [0.6, 0.8]
    """
    return epsilon * _normalize(grad)


def adversarial_training(model: keras.Model, embedding_name: str = "Embedding-Token", epsilon: float = 1.0):
    """Fast Gradient Method: train each batch at ``E + epsilon * g / ||g||``, g = dLoss/dE.

    Call it after ``compile`` (as in bert4keras); returns the model.

    Example:
        >>> model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")  # doctest: +SKIP
        >>> adversarial_training(model, "Embedding-Token", 0.5)  # doctest: +SKIP
    """
    embeddings = find_embeddings(model, embedding_name)

    def perturb(grad_at, x, y, predict, noise):
        return fgm_perturbation(grad_at(ops.zeros(embeddings.shape, embeddings.dtype), y), epsilon), y

    return _install_perturbation(model, embeddings, perturb)


def virtual_adversarial_training(model: keras.Model, embedding_name: str = "Embedding-Token",
                                 epsilon: float = 1.0, xi: float = 10.0, iters: int = 1):
    """Virtual adversarial training: targets are the model's own predictions; the perturbation
    is found by ``iters`` power-iteration steps from random noise of norm ``xi``.

    Compile the model with a divergence loss (bert4keras used ``loss='kld'``) and fit
    it on unlabeled inputs (any targets of the right shape: they are replaced).

    Example:
        >>> model_vat.compile(loss="kld", optimizer="adam")  # doctest: +SKIP
        >>> virtual_adversarial_training(model_vat, "Embedding-Token")  # doctest: +SKIP
    """
    embeddings = find_embeddings(model, embedding_name)

    def perturb(grad_at, x, y, predict, noise):
        targets = predict()
        direction = noise()
        for _ in range(iters):
            direction = grad_at(xi * _normalize(direction), targets)
        return epsilon * _normalize(direction), targets

    return _install_perturbation(model, embeddings, perturb)


def gradient_penalty(model: keras.Model, embedding_name: str = "Embedding-Token", epsilon: float = 1.0):
    """Add ``0.5 * epsilon * ||dLoss/dE||^2`` to the training loss (E: the embedding matrix).

    Example:
        >>> model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")  # doctest: +SKIP
        >>> gradient_penalty(model, "Embedding-Token", 1.0)  # doctest: +SKIP
    """
    _require_compiled(model)
    embeddings = find_embeddings(model, embedding_name)
    backend = keras.backend.backend()
    if backend == "jax":
        _install_jax_penalty(model, embeddings, epsilon)
    else:
        keras_compute_loss = model.compute_loss

        def compute_loss(x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = keras_compute_loss(x, y, y_pred, sample_weight, training=training)
            if not training:
                return loss
            if backend == "tensorflow":
                import tensorflow as tf

                # The outer training tape records this inner one, so the penalty is differentiated too.
                with tf.GradientTape() as tape:
                    again = keras_compute_loss(x, y, model(x, training=True), sample_weight, training=True)
                grad = tf.convert_to_tensor(tape.gradient(again, [embeddings])[0])
            else:
                import torch

                grad = torch.autograd.grad(loss, [embeddings.value], create_graph=True)[0]
            return loss + 0.5 * epsilon * ops.sum(ops.square(grad))

        model.compute_loss = compute_loss
    model.train_function = None
    return model


def _install_jax_penalty(model, embeddings, epsilon):
    import jax

    index = _variable_index(model.trainable_variables, embeddings)
    keras_compute = model.compute_loss_and_updates

    def compute_loss_and_updates(trainable, non_trainable, metrics, x, y, sample_weight,
                                 training=False, optimizer_variables=None):
        if not training:
            return keras_compute(trainable, non_trainable, metrics, x, y, sample_weight, training, optimizer_variables)

        def loss_at(value):
            replaced = [value if i == index else t for i, t in enumerate(trainable)]
            return keras_compute(replaced, non_trainable, metrics, x, y, sample_weight, True, optimizer_variables)

        (loss, aux), grad = jax.value_and_grad(loss_at, has_aux=True)(trainable[index])
        penalty = 0.5 * epsilon * ops.sum(ops.square(grad))
        return loss + penalty, (aux[0] + penalty,) + tuple(aux[1:])

    model.compute_loss_and_updates = compute_loss_and_updates


__all__ = [
    "adversarial_training",
    "find_embeddings",
    "fgm_perturbation",
    "gradient_penalty",
    "virtual_adversarial_training",
]
