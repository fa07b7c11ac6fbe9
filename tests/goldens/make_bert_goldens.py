"""Write tiny Google-format BERT checkpoints with TensorFlow and record bert4keras 0.11.5's outputs.

This is the independent reference for tests/test_bert.py: the checkpoints are
written by TensorFlow itself (``tf.raw_ops.SaveV2``) and the expected outputs
come from bert4keras, never from kerasformers. Run it once, in a separate
virtualenv (see DESIGN.md):

    python -m venv /tmp/b4k && /tmp/b4k/bin/pip install tensorflow-cpu tf_keras \
        && /tmp/b4k/bin/pip install --no-deps bert4keras==0.11.5
    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /tmp/b4k/bin/python tests/goldens/make_bert_goldens.py

It rewrites tests/data/bert_tiny*/ and tests/data/bert_goldens.npz.
"""

import json
import os

import numpy as np
import tensorflow as tf
from bert4keras.models import build_transformer_model

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
V, H, I, L, P, T = 64, 32, 64, 2, 64, 2


def vocab_tokens():
    tokens = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 5)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += list("，。的是我你他中国人天气很好今日学习") + ["hello", "world", "the", "bert", "##s", "##ing", "keras"]
    tokens += ["a", "b", "c", "d", "e", "1", "2", "3", "!", "?", ",", ".", "##er", "##ed", "un", "##able"]
    tokens += [f"##{c}" for c in "xyz"]
    assert len(tokens) <= V, len(tokens)
    tokens += [f"[unused{i}]" for i in range(5, 5 + V - len(tokens))]
    return tokens


def bert_variables(rng, embedding_size=H, key_size=H // 4):
    E, K = embedding_size, key_size * 4  # 4 heads
    w = lambda *shape: (rng.standard_normal(shape) * 0.2).astype(np.float32)  # noqa: E731
    ln = lambda: (1.0 + w(H), w(H))  # noqa: E731
    v = {
        "bert/embeddings/word_embeddings": w(V, E),
        "bert/embeddings/token_type_embeddings": w(T, E),
        "bert/embeddings/position_embeddings": w(P, E),
    }
    g, b = (1.0 + w(E), w(E))
    v["bert/embeddings/LayerNorm/gamma"], v["bert/embeddings/LayerNorm/beta"] = g, b
    if E != H:
        v["bert/encoder/embedding_hidden_mapping_in/kernel"] = w(E, H)
        v["bert/encoder/embedding_hidden_mapping_in/bias"] = w(H)
    for i in range(L):
        p = f"bert/encoder/layer_{i}/"
        for part, width in (("query", K), ("key", K), ("value", H)):
            v[p + f"attention/self/{part}/kernel"] = w(H, width)
            v[p + f"attention/self/{part}/bias"] = w(width)
        v[p + "attention/output/dense/kernel"] = w(H, H)
        v[p + "attention/output/dense/bias"] = w(H)
        v[p + "attention/output/LayerNorm/gamma"], v[p + "attention/output/LayerNorm/beta"] = ln()
        v[p + "intermediate/dense/kernel"] = w(H, I)
        v[p + "intermediate/dense/bias"] = w(I)
        v[p + "output/dense/kernel"] = w(I, H)
        v[p + "output/dense/bias"] = w(H)
        v[p + "output/LayerNorm/gamma"], v[p + "output/LayerNorm/beta"] = ln()
    v["bert/pooler/dense/kernel"] = w(H, H)
    v["bert/pooler/dense/bias"] = w(H)
    # MLM transform maps to the embedding width (ALBERT-style factorisation keeps it E).
    v["cls/predictions/transform/dense/kernel"] = w(H, E)
    v["cls/predictions/transform/dense/bias"] = w(E)
    v["cls/predictions/transform/LayerNorm/gamma"] = 1.0 + w(E)
    v["cls/predictions/transform/LayerNorm/beta"] = w(E)
    v["cls/predictions/output_bias"] = w(V)
    v["cls/seq_relationship/output_weights"] = w(2, H)  # stored [2, H]: transposed vs Dense
    v["cls/seq_relationship/output_bias"] = w(2)
    return v


def write_checkpoint(folder, variables, with_training_state):
    os.makedirs(folder, exist_ok=True)
    variables = dict(variables)
    if with_training_state:
        # A run_pretraining.py checkpoint: Adam slots beside every weight, and the step counter.
        for name in list(variables):
            variables[name + "/adam_m"] = np.zeros_like(variables[name]) + 0.01
            variables[name + "/adam_v"] = np.zeros_like(variables[name]) + 0.001
        variables["global_step"] = np.array(1234, dtype=np.int64)
    names = sorted(variables)
    prefix = os.path.join(folder, "bert_model.ckpt")
    tf.raw_ops.SaveV2(
        prefix=prefix,
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=[tf.constant(variables[n]) for n in names],
    )
    with open(os.path.join(folder, "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "bert_model.ckpt"\nall_model_checkpoint_paths: "bert_model.ckpt"\n')
    return prefix


def write_config(folder, embedding_size=None):
    os.makedirs(folder, exist_ok=True)
    config = {
        "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "hidden_size": H, "initializer_range": 0.02, "intermediate_size": I, "max_position_embeddings": P,
        "num_attention_heads": 4, "num_hidden_layers": L, "type_vocab_size": T, "vocab_size": V,
        "directionality": "bidi", "pooler_type": "first_token_transform",
    }  # fmt: skip
    if embedding_size:
        config["embedding_size"] = embedding_size
    path = os.path.join(folder, "bert_config.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab_tokens()) + "\n")
    return path


def main():
    rng = np.random.default_rng(20261122)
    folder = os.path.join(DATA, "bert_tiny")
    config = write_config(folder)
    ckpt = write_checkpoint(folder, bert_variables(rng), with_training_state=True)

    folder_emb = os.path.join(DATA, "bert_tiny_emb16")
    config_emb = write_config(folder_emb, embedding_size=16)
    ckpt_emb = write_checkpoint(folder_emb, bert_variables(rng, embedding_size=16), with_training_state=False)

    # Query/key heads of size 4 while value heads keep size 8 (attention_key_size != head size).
    folder_key = os.path.join(DATA, "bert_tiny_key4")
    config_key = write_config(folder_key)
    ckpt_key = write_checkpoint(folder_key, bert_variables(rng, key_size=4), with_training_state=False)

    token_ids = np.array(
        [[6, 10, 11, 12, 13, 7, 14, 15, 16, 7, 0, 0], [6, 30, 31, 33, 34, 35, 7, 40, 41, 42, 43, 7]], dtype=np.int32
    )
    segment_ids = np.array([[0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]], dtype=np.int32)
    keep_tokens = [0, 5, 6, 7, 8] + list(range(9, 40))
    compound_tokens = [[10, 11], [12, 13, 14], ([15, 16], [0.25, 0.75])]
    kt_ids = np.minimum(token_ids, len(keep_tokens) + len(compound_tokens) - 1)

    goldens = {"token_ids": token_ids, "segment_ids": segment_ids, "kt_token_ids": kt_ids}
    cases = {
        "encoder": (config, ckpt, {}),
        "pool": (config, ckpt, {"with_pool": True}),
        "pool_linear": (config, ckpt, {"with_pool": "linear"}),
        "nsp_mlm": (config, ckpt, {"with_pool": True, "with_nsp": True, "with_mlm": True}),
        "mlm": (config, ckpt, {"with_mlm": True}),
        "lm": (config, ckpt, {"application": "lm"}),
        "unilm": (config, ckpt, {"application": "unilm"}),
        "emb16_mlm": (config_emb, ckpt_emb, {"with_mlm": True, "with_pool": True}),
        "key4_unilm": (config_key, ckpt_key, {"application": "unilm", "attention_key_size": 4}),
        "keep_compound": (
            config, ckpt, {"with_mlm": True, "keep_tokens": keep_tokens, "compound_tokens": compound_tokens}
        ),
    }  # fmt: skip
    for case, (cfg, path, kwargs) in cases.items():
        model = build_transformer_model(cfg, path, **kwargs)
        ids = kt_ids if case == "keep_compound" else token_ids
        outputs = model.predict([ids, segment_ids], verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for j, out in enumerate(outputs):
            goldens[f"{case}/{j}"] = out
        print(case, [o.shape for o in outputs])
    goldens["keep_tokens"] = np.array(keep_tokens)
    np.savez_compressed(os.path.join(DATA, "bert_goldens.npz"), **goldens)


if __name__ == "__main__":
    main()
