"""The everyday bert4keras surface, used the way a ported script uses it.

Each test reads like a bert4keras script with ``bert4keras`` replaced by
``kerasformers``: K-based losses and metrics, a ``Loss`` layer trained with
``compile(loss=None)``, ``set_gelu``, the EMA swap around an evaluation,
builder blocks reused on another model's tensors (BERT-of-Theseus) and
``WebServing``.
"""

import json
import urllib.error
import urllib.request

import keras
import numpy as np
import pytest

from kerasformers.backend import K, keras as b_keras, search_layer, set_gelu
from kerasformers.layers import Add, Loss
from kerasformers.models import build_transformer_model
from kerasformers.optimizers import Adam, extend_with_exponential_moving_average
from kerasformers.snippets import WebServing, sequence_padding, uniout  # noqa: F401

TINY = dict(vocab_size=24, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
            hidden_act="gelu")
RNG = np.random.RandomState(0)


@keras.saving.register_keras_serializable(package="test_porting")
class CrossEntropy(Loss):
    """Seq2seq cross-entropy over the second segment, as the UniLM title-generation examples write it."""

    def compute_loss(self, inputs, mask=None):
        y_true, y_mask, y_pred = inputs
        y_true = y_true[:, 1:]
        y_mask = y_mask[:, 1:]
        y_pred = y_pred[:, :-1]
        loss = K.sparse_categorical_crossentropy(y_true, y_pred)
        return K.sum(loss * y_mask) / K.sum(y_mask)


def seq2seq_batch(n=8):
    token_ids = sequence_padding([RNG.randint(3, 24, size=RNG.randint(4, 8)).tolist() for _ in range(n)])
    segment_ids = np.zeros_like(token_ids)
    segment_ids[:, 3:] = (token_ids[:, 3:] > 0)
    return token_ids, segment_ids


def test_backend_exports_keras_and_k():
    assert b_keras is keras
    x = K.constant([[1.0, 2.0, 0.0]])
    assert K.int_shape(x) == (1, 3) and K.floatx() == "float32"
    assert float(K.sum(K.cast(K.not_equal(x, 0), K.floatx()))) == 2.0
    np.testing.assert_allclose(K.eval(K.mean(x, axis=1, keepdims=True)), [[1.0]])
    np.testing.assert_allclose(K.eval(K.one_hot(K.constant([2], "int32"), 3)), [[0, 0, 1]])


def test_seq2seq_loss_layer_trains_with_compile_loss_none_and_reloads(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_transformer_model(None, None, application="unilm", **TINY)
    output = CrossEntropy(2)(model.inputs + model.outputs)
    model = keras.Model(model.inputs, output)
    model.compile(optimizer=Adam(1e-2))
    token_ids, segment_ids = seq2seq_batch()
    probs = model.predict([token_ids, segment_ids], verbose=0)
    history = model.fit([token_ids, segment_ids], epochs=3, verbose=0)
    # The first epoch (one batch, no dropout) reports the loss at the initial weights: the
    # script's formula, computed here by hand from the probabilities.
    picked = np.take_along_axis(probs[:, :-1], token_ids[:, 1:, None], axis=-1)[..., 0]
    mask = segment_ids[:, 1:]
    np.testing.assert_allclose(history.history["loss"][0], (-np.log(picked) * mask).sum() / mask.sum(), rtol=1e-4)
    assert history.history["loss"][-1] < history.history["loss"][0]
    probs = model.predict([token_ids, segment_ids], verbose=0)
    path = str(tmp_path / "seq2seq.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(K.eval(reloaded([token_ids, segment_ids])), probs, atol=1e-6)


@keras.saving.register_keras_serializable(package="test_porting")
class MaskedCrossEntropy(Loss):
    """Language-model cross-entropy weighted by ``mask[1]``, as the LM and seq2seq examples write it."""

    def compute_loss(self, inputs, mask=None):
        y_true, y_pred = inputs
        y_mask = 1.0 if mask[1] is None else K.cast(mask[1], K.floatx())[:, 1:]
        loss = K.sparse_categorical_crossentropy(y_true[:, 1:], y_pred[:, :-1])
        return K.sum(loss * y_mask) / K.sum(y_mask)


def test_loss_layer_mask_is_the_padding_of_the_token_ids_behind_the_output(tmp_path):
    # bert4keras's Keras mask reached a language model's output; a script's loss leans on it
    # (without it, padding would count and the loss would be a sum over the batch).
    keras.utils.set_random_seed(0)
    model = build_transformer_model(None, None, application="lm", **TINY)
    model = keras.Model(model.inputs, MaskedCrossEntropy(1)([model.inputs[0], model.outputs[0]]))
    model.compile(optimizer=Adam(1e-3))
    token_ids = sequence_padding([RNG.randint(3, 24, size=n).tolist() for n in (3, 6, 8, 5)])
    x = [token_ids, np.zeros_like(token_ids)]
    probs = model.predict(x, verbose=0)
    picked = np.take_along_axis(probs[:, :-1], token_ids[:, 1:, None], axis=-1)[..., 0]
    real = token_ids[:, 1:] > 0
    expected = -(np.log(picked) * real).sum() / real.sum()
    np.testing.assert_allclose(model.evaluate(x, verbose=0), expected, rtol=1e-5)
    path = str(tmp_path / "lm.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    reloaded.compile(optimizer=Adam(1e-3))
    np.testing.assert_allclose(reloaded.evaluate(x, verbose=0), expected, rtol=1e-5)


def test_loss_layer_mask_of_a_t5_decoder_output_is_the_decoder_padding():
    # task_seq2seq_autotitle_csl_mt5.py: CrossEntropy(1)([model.inputs[1], model.outputs[0]]) with mask[1].
    keras.utils.set_random_seed(0)
    t5 = build_transformer_model(None, None, model="mt5.1.1", vocab_size=24, hidden_size=16, num_hidden_layers=1,
                                 num_attention_heads=2, intermediate_size=32, attention_head_size=8)
    model = keras.Model(t5.inputs, MaskedCrossEntropy(1)([t5.inputs[1], t5.outputs[0]]))
    model.compile(optimizer=Adam(1e-3))
    encoder_ids = sequence_padding([RNG.randint(3, 24, size=n).tolist() for n in (8, 8, 2)])
    decoder_ids = sequence_padding([RNG.randint(3, 24, size=n).tolist() for n in (3, 6, 6)])
    probs = model.predict([encoder_ids, decoder_ids], verbose=0)
    picked = np.take_along_axis(probs[:, :-1], decoder_ids[:, 1:, None], axis=-1)[..., 0]
    real = decoder_ids[:, 1:] > 0
    np.testing.assert_allclose(model.evaluate([encoder_ids, decoder_ids], verbose=0),
                               -(np.log(picked) * real).sum() / real.sum(), rtol=1e-5)


def test_k_based_custom_loss_and_metric():
    def sparse_categorical_crossentropy(y_true, y_pred):
        # The gradient-penalty example's loss: reshape, cast, one-hot, Keras-2 argument order.
        y_true = K.reshape(y_true, K.shape(y_pred)[:-1])
        y_true = K.cast(y_true, "int32")
        y_true = K.one_hot(y_true, K.shape(y_pred)[-1])
        return K.categorical_crossentropy(y_true, y_pred)

    def sparse_accuracy(y_true, y_pred):
        y_true = K.cast(K.reshape(y_true, K.shape(y_pred)[:-1]), K.floatx())
        return K.cast(K.equal(y_true, K.cast(K.argmax(y_pred), K.floatx())), K.floatx())

    keras.utils.set_random_seed(0)
    bert = build_transformer_model(None, None, **TINY)
    output = keras.layers.Lambda(lambda x: x[:, 0])(bert.output)
    output = keras.layers.Dense(3, activation="softmax")(output)
    model = keras.Model(bert.inputs, output)
    model.compile(loss=sparse_categorical_crossentropy, optimizer=Adam(1e-3), metrics=[sparse_accuracy])
    token_ids, segment_ids = seq2seq_batch(6)
    labels = np.array([[0], [1], [2], [0], [1], [2]])
    loss, accuracy = model.evaluate([token_ids, segment_ids], labels, verbose=0)
    probs = model.predict([token_ids, segment_ids], verbose=0)
    np.testing.assert_allclose(loss, -np.log(probs[np.arange(6), labels[:, 0]]).mean(), rtol=1e-5)
    np.testing.assert_allclose(accuracy, (probs.argmax(1) == labels[:, 0]).mean())
    np.testing.assert_allclose(
        K.eval(K.binary_crossentropy(K.constant([1.0, 0.0]), K.constant([0.9, 0.2]))), -np.log([0.9, 0.8]), rtol=1e-5
    )


def test_get_output_at_reads_a_block_output_as_the_crf_and_relation_scripts_do():
    bert = build_transformer_model(None, None, **dict(TINY, num_hidden_layers=2))
    bert_layers = 12  # the scripts' count for a 12-layer BERT: under Keras 3 each layer is called once
    norm = bert.get_layer("Transformer-1-FeedForward-Norm")
    assert norm.get_output_at(bert_layers - 1) is bert.output is norm.get_output_at(0)
    add = bert.layers[-2]  # task_relation_extraction.py: bert.model.layers[-2].get_output_at(-1)
    assert add.name == "Transformer-1-FeedForward-Add" and add.get_output_at(-1) is norm.get_input_at(5)
    shared, x = Add(), keras.Input((3,))
    first, second = shared([x, x]), shared([x, x])
    assert shared.get_output_at(-1) is second and shared.get_output_at(0) is first
    with pytest.raises(IndexError, match="called 2 times"):
        shared.get_output_at(5)


def test_last_token_with_a_condition_input_after_the_token_ids():
    # task_conditional_language_model.py: last_token(model).predict([token_ids, segment_ids, label]), with
    # the label ([rows, 1], also 2-D) last; task_image_caption.py does the same with an image.
    from kerasformers.snippets import AutoRegressiveDecoder

    keras.utils.set_random_seed(0)
    label_input = keras.Input((1,))
    condition = keras.layers.Reshape((8,))(keras.layers.Embedding(2, 8)(label_input))
    model = build_transformer_model(None, None, application="lm", layer_norm_cond=condition,
                                    additional_input_layers=label_input, **TINY)

    class RandomSentiment(AutoRegressiveDecoder):
        @AutoRegressiveDecoder.wraps(default_rtype="probas")
        def predict(self, inputs, output_ids, states):
            return self.last_token(model).predict([output_ids, np.zeros_like(output_ids), inputs[0]])

    caption = RandomSentiment(start_id=2, end_id=3, maxlen=4).beam_search([[1]], topk=1)
    ids = np.array([caption])  # the start id, then the generated ids
    probs = model.predict([ids, np.zeros_like(ids), np.array([[1]])], verbose=0)
    # A beam of width 1 takes the most likely next token of each prefix.
    assert caption[0] == 2 and list(caption[1:]) == list(probs[0, :-1].argmax(-1))


def test_k_shape_arithmetic_sizes_a_reshape_inside_a_compiled_loss():
    # The GlobalPointer loss of task_relation_extraction_gplinker.py, on a tiny model.
    def flat_mean_loss(y_true, y_pred):
        shape = K.shape(y_pred)
        y_pred = K.reshape(y_pred, (shape[0], -1, K.prod(shape[2:])))
        return K.mean(K.square(y_pred - K.reshape(y_true, K.shape(y_pred))))

    model = keras.Sequential([keras.Input((2, 3)), keras.layers.Dense(3)])
    model.compile(loss=flat_mean_loss, optimizer="sgd")
    x = RNG.rand(4, 2, 3).astype("float32")
    expected = np.mean(np.square(model.predict(x, verbose=0) - x))
    np.testing.assert_allclose(model.evaluate(x, x, verbose=0), expected, rtol=1e-5)


def test_impossible_k_functions_name_the_keras3_way():
    with pytest.raises(NotImplementedError, match="train_step.*docs/migration.md"):
        K.gradients(None, [])
    with pytest.raises(NotImplementedError, match="keras.Model.*docs/migration.md"):
        K.function([], [])
    # The gradient-penalty example searched y_pred inside its loss: a concrete tensor in Keras 3.
    with pytest.raises(ValueError, match="symbolic tensor.*kerasformers.adversarial"):
        search_layer(K.constant([1.0]), "Embedding-Token")


def test_set_gelu_applies_to_models_built_afterwards_only():
    x = np.linspace(-3, 3, 7, dtype="float32")[None, :, None] * np.ones((1, 1, 16), "float32")
    try:
        erf_model = build_transformer_model(None, None, return_keras_model=False, **TINY)
        set_gelu("tanh")
        tanh_model = build_transformer_model(None, None, return_keras_model=False, **TINY)
    finally:
        set_gelu("erf")
    erf_ffn = erf_model.model.get_layer("Transformer-0-FeedForward")
    tanh_ffn = tanh_model.model.get_layer("Transformer-0-FeedForward")
    tanh_ffn.set_weights(erf_ffn.get_weights())
    assert erf_model.hidden_act == "gelu_erf" and tanh_model.hidden_act == "gelu_tanh"
    erf_out, tanh_out = K.eval(erf_ffn(x)), K.eval(tanh_ffn(x))
    assert 1e-7 < np.abs(erf_out - tanh_out).max() < 1e-2  # the two gelus differ by < 1e-3 per unit
    with pytest.raises(ValueError, match="'erf' or 'tanh'"):
        set_gelu("exact")


def test_ema_weights_swap_in_for_evaluation_and_back():
    AdamEMA = extend_with_exponential_moving_average(Adam, name="AdamEMAPorting")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    optimizer = AdamEMA(learning_rate=0.1, ema_momentum=0.5)
    model.compile(loss="mse", optimizer=optimizer)
    x, y = RNG.randn(16, 4).astype("float32"), RNG.randn(16, 1).astype("float32")
    seen = []

    class Evaluator(keras.callbacks.Callback):
        """The examples' evaluator: evaluate with the EMA weights, then go on training with the raw ones."""

        def on_epoch_end(self, epoch, logs=None):
            raw = [w.copy() for w in model.get_weights()]
            averages = [K.eval(v) for v in optimizer._model_variables_moving_average]
            optimizer.apply_ema_weights()
            swapped = model.get_weights()
            ema_loss = model.evaluate(x, y, verbose=0)
            optimizer.reset_old_weights()
            seen.append((raw, averages, swapped, model.get_weights(), ema_loss, model.evaluate(x, y, verbose=0)))

    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[Evaluator()])
    for raw, averages, swapped, restored, ema_loss, raw_loss in seen:
        for r, a, s, back in zip(raw, averages, swapped, restored):
            np.testing.assert_array_equal(s, a)
            np.testing.assert_array_equal(back, r)
            assert not np.allclose(a, r)
        assert ema_loss != raw_loss
    with pytest.raises(RuntimeError, match="apply_ema_weights"):
        optimizer.reset_old_weights()


class BinaryRandomChoice(keras.layers.Layer):
    """Theseus's module swap: while training, the predecessor's output or the successor's, at random.

    The seed generator is the one change JAX asks of the script: random ops in a traced
    layer must draw from a ``SeedGenerator`` attached to it.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1)

    def call(self, inputs):
        source, target = inputs
        coin = K.random_binomial(shape=[1], p=0.5, seed=self.seed_generator)
        return K.in_train_phase(coin * source + (1 - coin) * target, target)


def test_bert_of_theseus_reuses_blocks_on_another_models_tensors():
    keras.utils.set_random_seed(0)
    config = dict(TINY, num_hidden_layers=6)
    predecessor = build_transformer_model(None, None, return_keras_model=False, prefix="Predecessor-", **config)
    config["num_hidden_layers"] = 3
    successor = build_transformer_model(None, None, return_keras_model=False, prefix="Successor-", **config)
    inputs = predecessor.inputs
    outputs = BinaryRandomChoice()([predecessor.apply_embeddings(inputs), successor.apply_embeddings(inputs)])
    for index in range(3):
        predecessor_outputs = outputs
        for sub_index in range(2):
            predecessor_outputs = predecessor.apply_main_layers(predecessor_outputs, 2 * index + sub_index)
        outputs = BinaryRandomChoice()([predecessor_outputs, successor.apply_main_layers(outputs, index)])
    theseus = keras.Model(inputs, outputs)
    token_ids, segment_ids = seq2seq_batch(4)
    padded = np.concatenate([token_ids, np.zeros((4, 3), "int64")], axis=1)
    # Outside training the successor decides: the Theseus model gives the successor's output,
    # and its padding is ignored (the mask comes from the tokens the Theseus model is given).
    np.testing.assert_allclose(
        K.eval(theseus([padded, np.zeros_like(padded)]))[:, : token_ids.shape[1]],
        K.eval(successor.model([token_ids, np.zeros_like(token_ids)])),
        atol=1e-5,
    )
    assert search_layer(theseus.output, "Successor-Embedding-Token") is successor.layers["Successor-Embedding-Token"]


def _call(url, body=None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type} if body else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_web_serving_round_trip():
    def gen_synonyms(text, n=2):
        return [text * (i + 1) for i in range(n)]

    web = WebServing(host="127.0.0.1", port=0, max_request_bytes=256)
    web.route("/gen_synonyms", gen_synonyms, {"text": (None, True), "n": (int, False)})
    web.route("/gen_synonyms", gen_synonyms, {"text": (None, True), "n": (int, False)}, method="POST")
    web.start(block=False)
    try:
        base = f"http://127.0.0.1:{web.port}/gen_synonyms"
        assert _call(base + "?text=%E4%BD%A0%E5%A5%BD&n=2") == (200, {"code": 0, "desc": "succeeded",
                                                                     "data": ["你好", "你好你好"]})
        assert _call(base, json.dumps({"text": "ab", "n": 1}).encode())[1]["data"] == ["ab"]
        assert _call(base, b"text=ab&n=3", "application/x-www-form-urlencoded")[1]["data"] == ["ab", "abab", "ababab"]
        status, reply = _call(base, b'{"text": ')
        assert status == 400 and "not valid JSON" in reply["desc"]
        status, reply = _call(base + "?n=2")
        assert status == 400 and reply["desc"] == 'lack of "text" argument'
        assert _call(base + "?text=a&n=two")[0] == 400
        assert _call(base, json.dumps({"text": "x" * 400}).encode())[0] == 413
        assert _call(f"http://127.0.0.1:{web.port}/nowhere")[0] == 404
    finally:
        web.stop()


def test_predict_is_silent_and_keras2_train_hook_names_the_port(capsys):
    """Scripts call predict once per sample or decoding step: Keras 2.3 printed nothing, nor does this model.
    Keras 2's ``_make_train_function`` (the adversarial-training recipes) points to kerasformers.adversarial."""
    model = build_transformer_model(None, None, **TINY)
    ids = np.array([[2, 5, 6, 3]])
    capsys.readouterr()
    model.predict([ids, np.zeros_like(ids)])
    assert capsys.readouterr().out == ""
    with pytest.raises(NotImplementedError, match="kerasformers.adversarial"):
        model._make_train_function()
