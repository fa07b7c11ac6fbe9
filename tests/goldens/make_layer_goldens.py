"""Record bert4keras 0.11.5's outputs for the task layers, losses and helpers of issue 4.

The independent reference for tests/test_heads.py, tests/test_crf.py,
tests/test_conditional_layernorm.py and tests/test_losses.py: random inputs and
weights are fed to bert4keras's own layers and functions (on tf.keras), and the
inputs, weights and outputs are stored as small .npz files. Nothing here
imports kerasformers. Run it in the bert4keras virtualenv (see DESIGN.md and
tests/goldens/make_bert_goldens.py), from the repository root:

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/b4k/bin/python tests/goldens/make_layer_goldens.py

It writes tests/data/{heads,conditional_layernorm,crf,losses}_goldens.npz.
"""

import os

import numpy as np
import tensorflow as tf
from bert4keras import backend as B
from bert4keras import layers as L
from bert4keras.backend import K, keras
from bert4keras.models import build_transformer_model
from bert4keras.snippets import ViterbiDecoder

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
TINY = os.path.join(DATA, "bert_tiny")


def f32(a):
    return np.asarray(a, dtype=np.float32)


def lengths_mask(lengths, n):
    return (np.arange(n)[None, :] < np.asarray(lengths)[:, None]).astype(np.float32)


def save(name, goldens):
    path = os.path.join(DATA, name)
    np.savez_compressed(path, **goldens)
    print(f"wrote {path}: {len(goldens)} arrays")


# ---------------------------------------------------------------------------------------
def dense_weights(rng, dense, prefix, goldens):
    """Give a built tf.keras Dense random weights and record them."""
    kernel = f32(rng.standard_normal(dense.kernel.shape) * 0.3)
    dense.kernel.assign(kernel)
    goldens[prefix + "/kernel"] = kernel
    if dense.use_bias:
        bias = f32(rng.standard_normal(dense.bias.shape) * 0.3)
        dense.bias.assign(bias)
        goldens[prefix + "/bias"] = bias


HEAD_CASES = {
    "default": {},
    "no_rope": {"RoPE": False},
    "no_tril": {"tril_mask": False},
    "no_bias": {"use_bias": False},
}


def make_heads(rng):
    goldens = {}
    x = f32(rng.standard_normal((3, 7, 16)))
    mask = lengths_mask([7, 5, 3], 7)
    goldens["x"], goldens["mask"] = x, mask
    for cls_name, dense_names in (("GlobalPointer", ["dense"]), ("EfficientGlobalPointer", ["p_dense", "q_dense"])):
        for case, kwargs in HEAD_CASES.items():
            key = f"{cls_name}/{case}"
            layer = getattr(L, cls_name)(heads=3, head_size=8, **kwargs)
            layer(x, mask=tf.constant(mask > 0))  # builds the Dense sub-layers
            for name in dense_names:
                dense_weights(rng, getattr(layer, name), f"{key}/{name}", goldens)
            goldens[f"{key}/masked"] = layer(x, mask=tf.constant(mask > 0)).numpy()
            goldens[f"{key}/unmasked"] = layer(x).numpy()
    return goldens


# ---------------------------------------------------------------------------------------
CLN_CASES = {
    "plain": {},
    "hidden_swish": {"hidden_units": 4, "hidden_activation": "swish"},
    "eps12": {"epsilon": 1e-12},
}


def conditional_dense_weights(rng, layer, prefix, goldens, scale=0.3):
    for name in ("hidden_dense", "beta_dense", "gamma_dense"):
        dense = getattr(layer, name, None)
        if dense is not None:
            kernel = f32(rng.standard_normal(dense.kernel.shape) * scale)
            dense.kernel.assign(kernel)
            goldens[f"{prefix}/{name}"] = kernel


def make_conditional_layernorm(rng):
    goldens = {}
    x = f32(rng.standard_normal((2, 5, 16)) * 2 + 1)
    cond = f32(rng.standard_normal((2, 6)))
    goldens["x"], goldens["cond"] = x, cond
    for case, kwargs in CLN_CASES.items():
        layer = L.LayerNormalization(conditional=True, **kwargs)
        layer([x, cond])
        beta, gamma = f32(rng.standard_normal(16) * 0.3), f32(1 + rng.standard_normal(16) * 0.3)
        layer.beta.assign(beta)
        layer.gamma.assign(gamma)
        goldens[f"{case}/beta"], goldens[f"{case}/gamma"] = beta, gamma
        conditional_dense_weights(rng, layer, case, goldens)
        goldens[f"{case}/output"] = layer([x, cond]).numpy()

    # A whole BERT conditioned on a vector input, with non-zero condition weights.
    bert_goldens = np.load(os.path.join(DATA, "bert_goldens.npz"))
    cond_input = keras.layers.Input(shape=(6,), name="Input-Condition")
    model = build_transformer_model(
        os.path.join(TINY, "bert_config.json"),
        os.path.join(TINY, "bert_model.ckpt"),
        with_mlm=True,
        layer_norm_cond=cond_input,
        layer_norm_cond_hidden_size=4,
        layer_norm_cond_hidden_act="swish",
        additional_input_layers=cond_input,
    )
    bert_cond = f32(rng.standard_normal((len(bert_goldens["token_ids"]), 6)))
    names = []
    for layer in model.layers:
        if isinstance(layer, L.LayerNormalization) and layer.conditional:
            names.append(layer.name)
            conditional_dense_weights(rng, layer, f"bert/{layer.name}", goldens, scale=0.2)
    goldens["bert/norm_names"] = np.array(names)
    goldens["bert/cond"] = bert_cond
    goldens["bert/output"] = model.predict(
        [bert_goldens["token_ids"], bert_goldens["segment_ids"], bert_cond], verbose=0
    )
    return goldens


# ---------------------------------------------------------------------------------------
def make_crf(rng):
    goldens = {}
    b, n, k = 4, 6, 5
    lengths = [6, 4, 1, 3]
    mask = lengths_mask(lengths, n)
    scores = f32(rng.standard_normal((b, n, k)) * 2)
    labels = rng.integers(0, k, size=(b, n)).astype(np.int32) * (mask > 0)
    goldens.update(scores=scores, mask=mask, labels=labels)
    onehot = f32(np.eye(k)[labels])
    for case, lr in (("lr1", 1), ("lr10", 10)):
        crf = L.ConditionalRandomField(lr_multiplier=lr)
        y_pred = crf(scores, mask=tf.constant(mask > 0))
        stored = f32(rng.standard_normal((k, k)))
        crf._trans.assign(stored)
        goldens[f"crf/{case}/stored_trans"] = stored
        goldens[f"crf/{case}/trans"] = K.eval(crf.trans)
        goldens[f"crf/{case}/y_pred"] = y_pred.numpy()
        goldens[f"crf/{case}/sparse_loss"] = crf.sparse_loss(tf.constant(labels), y_pred).numpy()
        goldens[f"crf/{case}/dense_loss"] = crf.dense_loss(tf.constant(onehot), y_pred).numpy()
        goldens[f"crf/{case}/sparse_accuracy"] = crf.sparse_accuracy(tf.constant(labels), y_pred).numpy()
        goldens[f"crf/{case}/dense_accuracy"] = crf.dense_accuracy(tf.constant(onehot), y_pred).numpy()
    for case, hidden_dim in (("full", None), ("lowrank", 3)):
        memm = L.MaximumEntropyMarkovModel(hidden_dim=hidden_dim)
        y_pred = memm(scores, mask=tf.constant(mask > 0))
        for var in memm.weights:
            value = f32(rng.standard_normal(var.shape))
            var.assign(value)
            goldens[f"memm/{case}/{var.name.split('/')[-1].split(':')[0]}"] = value
        goldens[f"memm/{case}/sparse_loss"] = memm.sparse_loss(tf.constant(labels), y_pred).numpy()
        goldens[f"memm/{case}/dense_loss"] = memm.dense_loss(tf.constant(onehot), y_pred).numpy()
        goldens[f"memm/{case}/sparse_accuracy"] = memm.sparse_accuracy(tf.constant(labels), y_pred).numpy()
    # Viterbi: random nodes, with and without start/end constraints.
    trans = f32(rng.standard_normal((k, k)))
    goldens["viterbi/trans"] = trans
    for i in range(4):
        nodes = f32(rng.standard_normal((7, k)))
        goldens[f"viterbi/{i}/nodes"] = nodes
        goldens[f"viterbi/{i}/free"] = ViterbiDecoder(trans).decode(nodes.copy())
        goldens[f"viterbi/{i}/constrained"] = ViterbiDecoder(trans, starts=[0, 1], ends=[0, 3]).decode(nodes.copy())
    return goldens


# ---------------------------------------------------------------------------------------
def make_losses(rng, heads):
    goldens = {}
    y_pred = f32(rng.standard_normal((4, 10)) * 3)
    y_pred[1, 7:] = -np.inf  # cells masked the way GlobalPointer masks them
    y_true = f32(rng.random((4, 10)) < 0.3)
    y_true[1, 7:] = 0
    y_soft = f32(rng.random((4, 10)) * y_true)
    goldens.update(mcce_pred=y_pred, mcce_true=y_true, mcce_soft=y_soft)
    goldens["mcce/hard"] = B.multilabel_categorical_crossentropy(tf.constant(y_true), tf.constant(y_pred)).numpy()
    goldens["mcce/soft"] = B.multilabel_categorical_crossentropy(tf.constant(y_soft), tf.constant(y_pred)).numpy()

    sparse_pred = f32(rng.standard_normal((2, 3, 12)) * 3)
    sparse_true = rng.integers(1, 12, size=(2, 3, 4)).astype(np.int32)
    sparse_true[:, :, 3] = 0  # padding (class 0) for mask_zero=True
    sparse_true[0, 1, 1:] = 0
    goldens.update(smcce_pred=sparse_pred, smcce_true=sparse_true)
    for mask_zero in (False, True):
        loss = B.sparse_multilabel_categorical_crossentropy(
            tf.constant(sparse_true), tf.constant(sparse_pred), mask_zero=mask_zero
        )
        goldens[f"smcce/mask_zero_{mask_zero}"] = loss.numpy()

    params = f32(rng.standard_normal((2, 5, 3)))
    indices = np.array([[4, 0, 2], [1, 1, 3]], dtype=np.int32)
    goldens.update(gather_params=params, gather_indices=indices)
    goldens["batch_gather/3d"] = B.batch_gather(tf.constant(params), tf.constant(indices)).numpy()
    goldens["batch_gather/2d"] = B.batch_gather(tf.constant(params[..., 0]), tf.constant(indices)).numpy()

    x = f32(rng.standard_normal((3, 4, 2)))
    mask = lengths_mask([4, 2, 1], 4)
    goldens.update(masking_x=x, masking_mask=mask)
    goldens["sequence_masking/zero"] = B.sequence_masking(tf.constant(x), tf.constant(mask), 0).numpy()
    goldens["sequence_masking/-inf"] = B.sequence_masking(tf.constant(x), tf.constant(mask), -np.inf).numpy()
    x_t = tf.constant(x.transpose(0, 2, 1))
    goldens["sequence_masking/axis2"] = B.sequence_masking(x_t, tf.constant(mask), 7.0, 2).numpy()
    goldens["pool/avg"] = L.GlobalAveragePooling1D()(x, mask=tf.constant(mask > 0)).numpy()
    goldens["pool/max"] = L.GlobalMaxPooling1D()(x, mask=tf.constant(mask > 0)).numpy()

    # GlobalPointer losses and span metrics as bert4keras's NER/GPLinker examples define
    # them (on top of bert4keras's multi-label losses), applied to real GlobalPointer scores.
    gp_pred = heads["GlobalPointer/default/masked"]
    valid = np.isfinite(gp_pred)
    gp_true = f32((rng.random(gp_pred.shape) < 0.15) & valid)
    gp_true[:, :, 0, 0] = 0  # span (0, 0) is the padding id of the sparse form
    goldens.update(gp_pred=gp_pred, gp_true=gp_true)
    y_pred_t, y_true_t = tf.constant(gp_pred), tf.constant(gp_true)
    bh = K.prod(K.shape(y_pred_t)[:2])
    goldens["gp/loss"] = K.eval(
        K.mean(B.multilabel_categorical_crossentropy(K.reshape(y_true_t, (bh, -1)), K.reshape(y_pred_t, (bh, -1))))
    )
    predicted = K.cast(K.greater(y_pred_t, 0), K.floatx())
    goldens["gp/f1"] = K.eval(2 * K.sum(y_true_t * predicted) / K.sum(y_true_t + predicted))
    goldens["gp/precision"] = K.eval(K.sum(y_true_t * predicted) / K.sum(predicted))
    goldens["gp/recall"] = K.eval(K.sum(y_true_t * predicted) / K.sum(y_true_t))
    # Sparse targets: (start, end) pairs per (sample, head), padded with (0, 0).
    pairs = [[list(zip(*np.nonzero(gp_true[b, h]))) for h in range(gp_true.shape[1])] for b in range(len(gp_true))]
    width = max(len(p) for row in pairs for p in row) + 1
    sparse = np.zeros(gp_true.shape[:2] + (width, 2), dtype=np.int32)
    for b, row in enumerate(pairs):
        for h, spans in enumerate(row):
            if spans:
                sparse[b, h, : len(spans)] = spans
    goldens["gp_sparse_true"] = sparse
    shape = K.shape(y_pred_t)
    sparse_t = tf.constant(sparse.astype(np.float32))
    ids = sparse_t[..., 0] * K.cast(shape[2], K.floatx()) + sparse_t[..., 1]
    flat = K.reshape(y_pred_t, (shape[0], -1, K.prod(shape[2:])))
    loss = B.sparse_multilabel_categorical_crossentropy(ids, flat, True)
    goldens["gp/sparse_loss"] = K.eval(K.mean(K.sum(loss, axis=1)))

    steps = f32([0, 50, 100, 150, 1000, 2000, 3000])
    goldens["piecewise/steps"] = steps
    for name, schedule, from_zero in (
        ("warmup", {100: 1.0, 2000: 0.1}, True),
        ("no_zero", {100: 1.0, 2000: 0.1}, False),
        ("three", {0: 0.5, 1000: 1.0, 2500: 0.0}, True),
    ):
        values = [K.eval(B.piecewise_linear(K.constant(t), schedule, from_zero)) for t in steps]
        goldens[f"piecewise/{name}"] = f32(values)
    return goldens


if __name__ == "__main__":
    rng = np.random.default_rng(20240425)
    heads = make_heads(rng)
    save("heads_goldens.npz", heads)
    save("conditional_layernorm_goldens.npz", make_conditional_layernorm(rng))
    save("crf_goldens.npz", make_crf(rng))
    save("losses_goldens.npz", make_losses(rng, heads))
