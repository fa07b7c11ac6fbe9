"""Write tiny checkpoints of the encoder zoo in each family's public format and record
bert4keras 0.11.5's outputs on them.

This is the independent reference for tests/test_zoo.py. TensorFlow writes every
checkpoint (``tf.raw_ops.SaveV2``) with the exact variable names, shapes and
dtypes of the public releases (tests/../shared reference: checkpoint-formats.md
sections 2-5 and 9), including the extras a loader must skip (``global_step``,
``adam_m``/``adam_v``, ELECTRA's generator). bert4keras computes the outputs;
kerasformers is never imported. Run it in the bert4keras virtualenv (DESIGN.md):

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/b4k/bin/python tests/goldens/make_zoo_goldens.py

It rewrites tests/data/zoo/ and tests/data/zoo_goldens.npz, and reads the BERT
checkpoint tests/data/bert_tiny/ (from make_bert_goldens.py) for the BERT extras.

LayerNorm epsilon: bert4keras 0.11.5 builds the norms of ALBERT's block, NEZHA,
RoFormer and RoFormerV2 with ``K.epsilon()`` (1e-7); the original implementations
(and bert4keras when RoFormer/RoFormerV2 were trained) use 1e-12. The goldens set
``K.set_epsilon(1e-12)`` so they follow the originals; the difference is ~1e-7
relative at these activations either way.
"""

import json
import os

import numpy as np
import tensorflow as tf
from bert4keras.backend import K
from bert4keras.models import build_transformer_model
from bert4keras.tokenizers import load_vocab

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
ZOO = os.path.join(DATA, "zoo")
V, H, E, I, L, P, T, N = 64, 32, 16, 64, 2, 64, 2, 4
SIMBERT_START = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


class Weights:
    """Random float32 tensors of a fixed seed, scaled so activations stay O(1)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, *shape):
        return (self.rng.standard_normal(shape) * 0.2).astype(np.float32)

    def norm(self, v, prefix, dim):
        v[prefix + "/gamma"], v[prefix + "/beta"] = 1.0 + self(dim), self(dim)

    def dense(self, v, prefix, n_in, n_out, bias=True):
        v[prefix + "/kernel"] = self(n_in, n_out)
        if bias:
            v[prefix + "/bias"] = self(n_out)


def bert_layer(w, v, prefix, hidden=H, inter=I, bias=True, norms=True):
    """One google-research/bert encoder layer under ``prefix`` (``.../layer_{i}/``)."""
    for part in ("query", "key", "value"):
        w.dense(v, prefix + f"attention/self/{part}", hidden, hidden, bias)
    w.dense(v, prefix + "attention/output/dense", hidden, hidden, bias)
    w.dense(v, prefix + "intermediate/dense", hidden, inter, bias)
    w.dense(v, prefix + "output/dense", inter, hidden, bias)
    if norms:
        w.norm(v, prefix + "attention/output/LayerNorm", hidden)
        w.norm(v, prefix + "output/LayerNorm", hidden)


def embeddings(w, v, root="bert", dim=H, positions=True):
    v[f"{root}/embeddings/word_embeddings"] = w(V, dim)
    v[f"{root}/embeddings/token_type_embeddings"] = w(T, dim)
    if positions:
        v[f"{root}/embeddings/position_embeddings"] = w(P, dim)
    w.norm(v, f"{root}/embeddings/LayerNorm", dim)


def heads(w, v, emb=H, vocab=V, pooler=True, mlm=True, nsp=True):
    if pooler:
        w.dense(v, "bert/pooler/dense", H, H)
    if mlm:
        w.dense(v, "cls/predictions/transform/dense", H, emb)  # [H, E]
        w.norm(v, "cls/predictions/transform/LayerNorm", emb)
        v["cls/predictions/output_bias"] = w(vocab)
    if nsp:
        v["cls/seq_relationship/output_weights"] = w(2, H)  # stored [2, H]
        v["cls/seq_relationship/output_bias"] = w(2)


def albert_variables(w):
    """google-research/albert (= brightmart "_google"): one shared group, E != H."""
    v = {}
    embeddings(w, v, dim=E)
    w.dense(v, "bert/encoder/embedding_hidden_mapping_in", E, H)
    g = "bert/encoder/transformer/group_0/inner_group_0/"
    for part in ("query", "key", "value"):
        w.dense(v, g + f"attention_1/self/{part}", H, H)
    w.dense(v, g + "attention_1/output/dense", H, H)
    w.norm(v, g + "LayerNorm", H)
    w.dense(v, g + "ffn_1/intermediate/dense", H, I)
    w.dense(v, g + "ffn_1/intermediate/output/dense", I, H)
    w.norm(v, g + "LayerNorm_1", H)
    heads(w, v, emb=E)
    v["global_step"] = np.array(125000, dtype=np.int64)
    return v


def nezha_variables(w):
    """NEZHA-TensorFlow training checkpoint: BERT minus position table, plus Adam slots."""
    v = {}
    embeddings(w, v, positions=False)
    for i in range(L):
        bert_layer(w, v, f"bert/encoder/layer_{i}/")
    heads(w, v)
    for name in list(v):
        v[name + "/adam_m"] = np.full_like(v[name], 0.01)
        v[name + "/adam_v"] = np.full_like(v[name], 0.001)
    v["global_step"] = np.array(691689, dtype=np.int64)
    return v


def roformer_variables(w):
    """RoFormer / RoFormer-Sim as written by bert4keras: no position table, no NSP, no extras."""
    v = {}
    embeddings(w, v, positions=False)
    for i in range(L):
        bert_layer(w, v, f"bert/encoder/layer_{i}/")
    heads(w, v, nsp=False)
    return v


def roformer_v2_variables(w):
    """RoFormerV2: kernels and embeddings only (no bias, no norm parameters)."""
    v = {
        "bert/embeddings/word_embeddings": w(V, H),
        "bert/embeddings/token_type_embeddings": w(T, H),
    }
    for i in range(L):
        bert_layer(w, v, f"bert/encoder/layer_{i}/", bias=False, norms=False)
    return v


def electra_variables(w, hg=16):
    """HFL Chinese-ELECTRA (small-style, E != H): discriminator + generator + global_step."""
    v = {}
    embeddings(w, v, root="electra", dim=E)
    w.dense(v, "electra/embeddings_project", E, H)
    for i in range(L):
        bert_layer(w, v, f"electra/encoder/layer_{i}/")
    w.dense(v, "discriminator_predictions/dense", H, H)
    w.dense(v, "discriminator_predictions/dense_1", H, 1)  # [H, 1]
    w.dense(v, "generator/embeddings_project", E, hg)
    for i in range(L):
        bert_layer(w, v, f"generator/encoder/layer_{i}/", hidden=hg, inter=4 * hg)
    w.dense(v, "generator_predictions/dense", hg, E)
    w.norm(v, "generator_predictions/LayerNorm", E)
    v["generator_predictions/output_bias"] = w(V)
    v["global_step"] = np.array(1000000, dtype=np.int64)
    return v


def simbert_variables(w, vocab):
    """SimBERT: BERT names with position table, linear-trained pooler, UniLM MLM head, reduced vocab."""
    v = {
        "bert/embeddings/word_embeddings": w(vocab, H),
        "bert/embeddings/token_type_embeddings": w(T, H),
        "bert/embeddings/position_embeddings": w(P, H),
    }
    w.norm(v, "bert/embeddings/LayerNorm", H)
    for i in range(L):
        bert_layer(w, v, f"bert/encoder/layer_{i}/")
    heads(w, v, vocab=vocab, nsp=False)
    return v


def write_checkpoint(folder, prefix_name, variables):
    os.makedirs(folder, exist_ok=True)
    names = sorted(variables)
    prefix = os.path.join(folder, prefix_name)
    tf.raw_ops.SaveV2(
        prefix=prefix,
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=[tf.constant(variables[n]) for n in names],
    )
    with open(os.path.join(folder, "checkpoint"), "w") as f:
        f.write(f'model_checkpoint_path: "{prefix_name}"\nall_model_checkpoint_paths: "{prefix_name}"\n')
    return prefix


def write_json(folder, filename, config):
    path = os.path.join(folder, filename)
    with open(path, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    return path


def bert_config(**extra):
    config = {
        "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": H,
        "initializer_range": 0.02, "intermediate_size": I, "max_position_embeddings": P,
        "num_attention_heads": N, "num_hidden_layers": L, "type_vocab_size": T, "vocab_size": V,
    }  # fmt: skip
    config.update(extra)
    return config


def electra_config(hidden, heads_, inter, vocab=V):
    """HF-style keys of HFL's discriminator.json / generator.json."""
    return {
        "attention_probs_dropout_prob": 0.1, "embedding_size": E, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "hidden_size": hidden, "initializer_range": 0.02, "intermediate_size": inter, "layer_norm_eps": 1e-12,
        "max_position_embeddings": P, "model_type": "electra", "num_attention_heads": heads_,
        "num_hidden_layers": L, "pad_token_id": 0, "summary_activation": "gelu", "summary_last_dropout": 0.1,
        "summary_type": "first", "summary_use_proj": True, "type_vocab_size": T, "vocab_size": vocab,
    }  # fmt: skip


def copy_vocab(folder, tokens):
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(tokens) + "\n")


def main():
    K.set_epsilon(1e-12)
    w = Weights(20261123)
    with open(os.path.join(DATA, "bert_tiny", "vocab.txt"), encoding="utf-8") as f:
        tokens = [line.rstrip("\n") for line in f]

    families = {}

    def family(name, prefix_name, variables, config_name, config):
        folder = os.path.join(ZOO, name)
        ckpt = write_checkpoint(folder, prefix_name, variables)
        cfg = write_json(folder, config_name, config)
        copy_vocab(folder, tokens)
        families[name] = (cfg, ckpt)

    family("albert", "albert_model.ckpt", albert_variables(w), "albert_config.json", bert_config(
        embedding_size=E, num_hidden_groups=1, inner_group_num=1, net_structure_type=0, gap_size=0,
        num_memory_blocks=0, down_scale_factor=1,
    ))  # fmt: skip
    family("nezha", "model.ckpt-691689", nezha_variables(w), "bert_config.json", bert_config(use_relative_position=True))
    family("roformer", "bert_model.ckpt", roformer_variables(w), "bert_config.json", bert_config())
    family("roformer_v2", "bert_model.ckpt", roformer_v2_variables(w), "bert_config.json", bert_config(hidden_act="relu"))
    family("electra", "electra_tiny", electra_variables(w), "discriminator.json", electra_config(H, N, I))
    write_json(os.path.join(ZOO, "electra"), "generator.json", electra_config(16, 1, 64))

    # SimBERT: the release's vocab is already simplified; keep_tokens is how it was made from BERT's.
    simple_dict, keep_tokens = load_vocab(
        os.path.join(DATA, "bert_tiny", "vocab.txt"), simplified=True, startswith=SIMBERT_START
    )
    simple_tokens = sorted(simple_dict, key=simple_dict.get)
    folder = os.path.join(ZOO, "simbert")
    ckpt = write_checkpoint(folder, "bert_model.ckpt", simbert_variables(w, len(simple_tokens)))
    cfg = write_json(folder, "bert_config.json", bert_config(vocab_size=len(simple_tokens)))
    copy_vocab(folder, simple_tokens)
    families["simbert"] = (cfg, ckpt)
    families["bert"] = (os.path.join(DATA, "bert_tiny", "bert_config.json"), os.path.join(DATA, "bert_tiny", "bert_model.ckpt"))

    token_ids = np.array(
        [[6, 10, 11, 12, 13, 7, 14, 15, 16, 7, 0, 0], [6, 30, 31, 33, 34, 35, 7, 40, 41, 42, 43, 7]], dtype=np.int32
    )
    segment_ids = np.array([[0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]], dtype=np.int32)
    position_ids = np.array([[0, 1, 2, 3, 4, 5, 1, 2, 3, 4, 0, 0], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]], dtype=np.int32)
    rng = np.random.default_rng(7)
    long_ids = rng.integers(9, V, size=(2, 80)).astype(np.int32)  # past the 64-row tables and NEZHA's +-64 clip
    long_ids[:, 0], long_ids[:, -1], long_ids[1, 70:] = 6, 7, 0
    long_segments = np.zeros_like(long_ids)
    long_segments[:, 40:] = 1
    long_segments[1, 70:] = 0
    simbert_ids = np.minimum(token_ids, len(simple_tokens) - 1)
    # shared_segment_embeddings looks segments up in Embedding-Token, whose mask_zero makes bert4keras
    # hide every segment-0 key but the first (its Add merges the segment mask into the padding mask).
    # kerasformers masks padding only, so the golden uses segment ids 1 and 2, where both agree.
    shared_segments = np.where(token_ids > 0, segment_ids + 1, 0).astype(np.int32)

    goldens = {
        "token_ids": token_ids, "segment_ids": segment_ids, "position_ids": position_ids,
        "long_ids": long_ids, "long_segments": long_segments, "simbert_ids": simbert_ids,
        "shared_segments": shared_segments,
        "simbert_keep_tokens": np.array(keep_tokens, dtype=np.int64),
    }  # fmt: skip
    short, long_, custom, simple, shared = "short", "long", "custom", "simbert", "shared"
    cases = {
        "albert/encoder": ("albert", "albert", {}, short),
        "albert/sop_mlm": ("albert", "albert", {"with_pool": True, "with_nsp": True, "with_mlm": True}, short),
        "albert/lm": ("albert", "albert", {"application": "lm"}, short),
        "albert/unilm": ("albert", "albert", {"application": "unilm"}, short),
        "albert_unshared/encoder": ("albert_unshared", "albert", {}, short),
        "albert_unshared/sop_mlm": ("albert_unshared", "albert", {"with_nsp": True, "with_mlm": True}, short),
        "albert_unshared/lm": ("albert_unshared", "albert", {"application": "lm"}, short),
        "albert_unshared/unilm": ("albert_unshared", "albert", {"application": "unilm"}, short),
        "nezha/encoder": ("nezha", "nezha", {}, short),
        "nezha/nsp_mlm": ("nezha", "nezha", {"with_pool": True, "with_nsp": True, "with_mlm": True}, short),
        "nezha/long": ("nezha", "nezha", {"with_mlm": True}, long_),
        "nezha/lm": ("nezha", "nezha", {"application": "lm"}, short),
        "nezha/unilm": ("nezha", "nezha", {"application": "unilm"}, short),
        "roformer/encoder": ("roformer", "roformer", {}, short),
        "roformer/mlm": ("roformer", "roformer", {"with_mlm": True}, short),
        "roformer/long": ("roformer", "roformer", {}, long_),
        "roformer/lm": ("roformer", "roformer", {"application": "lm"}, short),
        "roformer/sim": ("roformer", "roformer", {"with_pool": "linear", "application": "unilm"}, short),
        "roformer/custom_position_ids": ("roformer", "roformer", {"custom_position_ids": True}, custom),
        "roformer_v2/encoder": ("roformer_v2", "roformer_v2", {}, short),
        "roformer_v2/mlm": ("roformer_v2", "roformer_v2", {"with_mlm": True}, short),
        "roformer_v2/lm": ("roformer_v2", "roformer_v2", {"application": "lm"}, short),
        "roformer_v2/unilm": ("roformer_v2", "roformer_v2", {"application": "unilm"}, short),
        "electra/encoder": ("electra", "electra", {}, short),
        "electra/discriminator": ("electra", "electra", {"with_discriminator": True}, short),
        "simbert/unilm": ("bert", "simbert", {"with_pool": "linear", "application": "unilm"}, simple),
        "simbert/keep_tokens": (
            "bert", "bert", {"with_pool": "linear", "application": "unilm", "keep_tokens": keep_tokens}, simple
        ),
        "bert/hierarchical_position": ("bert", "bert", {"hierarchical_position": True}, long_),
        "bert/custom_position_ids": ("bert", "bert", {"custom_position_ids": True, "with_mlm": True}, custom),
        "bert/shared_segment_embeddings": ("bert", "bert", {"shared_segment_embeddings": True}, shared),
        "bert/realformer": ("bert", "bert", {"residual_attention_scores": True, "with_mlm": True}, short),
        # Three layers (every one loaded from ALBERT's shared group), so that residual scores must
        # accumulate across more than one hop to match.
        "albert_unshared/realformer3": (
            "albert_unshared", "albert", {"residual_attention_scores": True, "num_hidden_layers": 3}, short
        ),
    }  # fmt: skip
    inputs = {
        short: [token_ids, segment_ids],
        long_: [long_ids, long_segments],
        custom: [token_ids, segment_ids, position_ids],
        simple: [simbert_ids, segment_ids],
        shared: [token_ids, shared_segments],
    }
    for case, (model_name, family_name, kwargs, inputs_name) in cases.items():
        config, checkpoint = families[family_name]
        model = build_transformer_model(config, checkpoint, model=model_name, **kwargs)
        outputs = model.predict(inputs[inputs_name], verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for j, out in enumerate(outputs):
            goldens[f"{case}/{j}"] = out
        goldens[f"{case}/inputs"] = np.array(inputs_name)
        print(case, [o.shape for o in outputs])
    np.savez_compressed(os.path.join(DATA, "zoo_goldens.npz"), **goldens)


if __name__ == "__main__":
    main()
