"""Write tiny checkpoints of the GPT family in each public format and record
bert4keras 0.11.5's outputs on them.

This is the independent reference for tests/test_gpt.py. TensorFlow writes every
checkpoint (``tf.raw_ops.SaveV2``) with the variable names, shapes and dtypes of
the public releases (shared reference: checkpoint-formats.md sections 7 and 8),
including the extras a loader must skip:

* ``cdial_gpt/``: CDial-GPT as converted by bojone/CDial-GPT-tf (``gpt/...``, no
  token-type table, ``gpt_config.json`` with ``shared_segment_embeddings``);
* ``cpm_lm/``: CPM-LM as converted by bojone/CPM_LM_bert4keras (``gpt/...`` with
  ``input/LayerNorm`` pre-norms and ``gpt/output/LayerNorm``);
* ``gpt2_ml/``: imcaspar/gpt2-ml (``newslm/layer%02d/...``, Adafactor slots,
  ``global_step``);
* ``nezha_gen/``: NEZHA-Gen (huawei-noah NEZHA-Gen-TensorFlow, as bojone/chinese-gen
  serves it): despite the name, BERT's layout with an absolute position table and
  the MLM head, loaded as bert4keras's example does (``model='bert'``,
  ``application='lm'``, ``segment_vocab_size=0``);
* ``gpt2_openai/``: openai/gpt-2 (``model/h%d/...`` conv1d ``[1, in, out]`` kernels,
  fused ``c_attn``, ``hparams.json``).

bert4keras computes the outputs; kerasformers is never imported. bert4keras has no
loader for OpenAI's names, so its golden is bert4keras's ``GPT2`` fed the same
arrays renamed the way checkpoint-formats.md 8.3 describes (squeeze, split
``c_attn``), with gelu in its tanh form and inputs without id 0 (bert4keras treats
id 0 as padding; OpenAI's id 0 is ``!``). tests/goldens/make_gpt2_openai_goldens.py
adds transformers' ``GPT2LMHeadModel`` on the same checkpoint. Run it in the
bert4keras virtualenv (DESIGN.md):

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/venv-b4k/bin/python tests/goldens/make_gpt_goldens.py

It rewrites tests/data/gpt/ and tests/data/gpt_goldens.npz.
"""

import os
import sys
import tempfile

import numpy as np
from bert4keras.models import build_transformer_model

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_zoo_goldens import write_checkpoint, write_json  # noqa: E402  (same folder, same virtualenv)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
ROOT = os.path.join(DATA, "gpt")
V, H, I, L, P, N = 64, 32, 64, 2, 64, 4


class Weights:
    """Random float32 tensors of a fixed seed, scaled so activations stay O(1)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, *shape):
        return (self.rng.standard_normal(shape) * 0.2).astype(np.float32)

    def norm(self, v, prefix, dim=H, gamma="gamma", beta="beta"):
        v[f"{prefix}/{gamma}"], v[f"{prefix}/{beta}"] = 1.0 + self(dim), self(dim)

    def dense(self, v, prefix, n_in, n_out, kernel="kernel", bias="bias"):
        v[f"{prefix}/{kernel}"] = self(n_in, n_out)
        v[f"{prefix}/{bias}"] = self(n_out)


def gpt_layer(w, v, prefix, pre_norm):
    """One ``gpt/transformer/layer_{i}/`` block; CPM-LM's pre-norms are called ``input/LayerNorm``."""
    for part in ("query", "key", "value"):
        w.dense(v, prefix + f"attention/self/{part}", H, H)
    w.dense(v, prefix + "attention/output/dense", H, H)
    w.dense(v, prefix + "intermediate/dense", H, I)
    w.dense(v, prefix + "output/dense", I, H)
    where = "input" if pre_norm else "output"
    w.norm(v, prefix + f"attention/{where}/LayerNorm")
    w.norm(v, prefix + f"{where}/LayerNorm")


def cdial_gpt_variables(w):
    v = {"gpt/embeddings/word_embeddings": w(V, H), "gpt/embeddings/position_embeddings": w(P, H)}
    for i in range(L):
        gpt_layer(w, v, f"gpt/transformer/layer_{i}/", pre_norm=False)
    return v


def cpm_lm_variables(w):
    v = {"gpt/embeddings/word_embeddings": w(V, H), "gpt/embeddings/position_embeddings": w(P, H)}
    for i in range(L):
        gpt_layer(w, v, f"gpt/transformer/layer_{i}/", pre_norm=True)
    w.norm(v, "gpt/output/LayerNorm")
    return v


def gpt2_ml_variables(w):
    v = {"newslm/embeddings/word_embed": w(V, H), "newslm/embeddings/pos_embed": w(P, H)}
    w.norm(v, "newslm/embeddings/LayerNorm_embed_norm")
    for i in range(L):
        prefix = f"newslm/layer{i:02d}/"
        for part in ("query_layer", "key_layer", "value_layer", "context_projection_layer"):
            w.dense(v, prefix + part, H, H)
        w.norm(v, prefix + "LayerNorm_mlp_ln0")
        w.dense(v, prefix + "intermediate", H, I)
        w.dense(v, prefix + "output", I, H)
        w.norm(v, prefix + "LayerNorm_mlp_ln1")
    # Adafactor keeps one vector for 1-D variables and row/column factors for 2-D ones.
    for name in list(v):
        value = v[name]
        if value.ndim == 1:
            v[name + "/adafactor_v"] = np.abs(value) * 0.01
        else:
            v[name + "/adafactor_vr"] = np.full(value.shape[0], 0.01, np.float32)
            v[name + "/adafactor_vc"] = np.full(value.shape[1], 0.02, np.float32)
    v["global_step"] = np.array(100000, dtype=np.int64)
    return v


def nezha_gen_variables(w):
    v = {
        "bert/embeddings/word_embeddings": w(V, H),
        "bert/embeddings/token_type_embeddings": w(16, H),
        "bert/embeddings/position_embeddings": w(P, H),
    }
    w.norm(v, "bert/embeddings/LayerNorm")
    for i in range(L):
        gpt_layer(w, v, f"bert/encoder/layer_{i}/", pre_norm=False)
    w.dense(v, "cls/predictions/transform/dense", H, H)
    w.norm(v, "cls/predictions/transform/LayerNorm")
    v["cls/predictions/output_bias"] = w(V)
    return v


def openai_variables(w):
    v = {"model/wte": w(V, H), "model/wpe": w(P, H)}
    for i in range(L):
        prefix = f"model/h{i}/"
        w.norm(v, prefix + "ln_1", gamma="g", beta="b")
        v[prefix + "attn/c_attn/w"], v[prefix + "attn/c_attn/b"] = w(1, H, 3 * H), w(3 * H)
        v[prefix + "attn/c_proj/w"], v[prefix + "attn/c_proj/b"] = w(1, H, H), w(H)
        w.norm(v, prefix + "ln_2", gamma="g", beta="b")
        v[prefix + "mlp/c_fc/w"], v[prefix + "mlp/c_fc/b"] = w(1, H, 4 * H), w(4 * H)
        v[prefix + "mlp/c_proj/w"], v[prefix + "mlp/c_proj/b"] = w(1, 4 * H, H), w(H)
    w.norm(v, "model/ln_f", gamma="g", beta="b")
    return v


def openai_as_cpm_names(v):
    """openai/gpt-2 arrays under bert4keras GPT2's names (checkpoint-formats.md 8.3)."""
    out = {"gpt/embeddings/word_embeddings": v["model/wte"], "gpt/embeddings/position_embeddings": v["model/wpe"],
           "gpt/output/LayerNorm/gamma": v["model/ln_f/g"], "gpt/output/LayerNorm/beta": v["model/ln_f/b"]}
    for i in range(L):
        src, dst = f"model/h{i}/", f"gpt/transformer/layer_{i}/"
        qkv_w, qkv_b = np.split(v[src + "attn/c_attn/w"][0], 3, axis=1), np.split(v[src + "attn/c_attn/b"], 3)
        for part, kernel, bias in zip(("query", "key", "value"), qkv_w, qkv_b):
            out[dst + f"attention/self/{part}/kernel"], out[dst + f"attention/self/{part}/bias"] = kernel, bias
        out[dst + "attention/output/dense/kernel"] = v[src + "attn/c_proj/w"][0]
        out[dst + "attention/output/dense/bias"] = v[src + "attn/c_proj/b"]
        out[dst + "intermediate/dense/kernel"] = v[src + "mlp/c_fc/w"][0]
        out[dst + "intermediate/dense/bias"] = v[src + "mlp/c_fc/b"]
        out[dst + "output/dense/kernel"] = v[src + "mlp/c_proj/w"][0]
        out[dst + "output/dense/bias"] = v[src + "mlp/c_proj/b"]
        for ln, where in (("ln_1", "attention/input"), ("ln_2", "input")):
            out[dst + f"{where}/LayerNorm/gamma"] = v[src + f"{ln}/g"]
            out[dst + f"{where}/LayerNorm/beta"] = v[src + f"{ln}/b"]
    return out


def gpt_config(**extra):
    """The BERT-style keys of CDial-GPT-tf's gpt_config.json, CPM_LM's config.json and gpt2-ml's mega.json."""
    config = {
        "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": H,
        "initializer_range": 0.02, "intermediate_size": I, "max_position_embeddings": P,
        "num_attention_heads": N, "num_hidden_layers": L, "vocab_size": V,
    }  # fmt: skip
    config.update(extra)
    return config


def main():
    w = Weights(20261201)
    families = {}
    folder = os.path.join(ROOT, "cdial_gpt")
    ckpt = write_checkpoint(folder, "gpt_model.ckpt", cdial_gpt_variables(w))
    families["cdial_gpt"] = (
        write_json(folder, "gpt_config.json", gpt_config(type_vocab_size=3, shared_segment_embeddings=True)), ckpt
    )
    folder = os.path.join(ROOT, "cpm_lm")
    ckpt = write_checkpoint(folder, "model.ckpt", cpm_lm_variables(w))
    families["cpm_lm"] = (
        write_json(folder, "config.json", gpt_config(attention_probs_dropout_prob=0, hidden_dropout_prob=0)), ckpt
    )
    folder = os.path.join(ROOT, "gpt2_ml")
    ckpt = write_checkpoint(folder, "model.ckpt-100000", gpt2_ml_variables(w))
    families["gpt2_ml"] = (write_json(folder, "config.json", gpt_config(initializer_range=0.014142135623731)), ckpt)
    folder = os.path.join(ROOT, "nezha_gen")
    ckpt = write_checkpoint(folder, "gpt.ckpt", nezha_gen_variables(w))
    families["nezha_gen"] = (write_json(folder, "config.json", gpt_config(type_vocab_size=16)), ckpt)
    folder = os.path.join(ROOT, "gpt2_openai")
    openai = openai_variables(w)
    write_checkpoint(folder, "model.ckpt", openai)
    write_json(folder, "hparams.json", {"n_vocab": V, "n_ctx": P, "n_embd": H, "n_head": N, "n_layer": L})
    families["gpt2_openai"] = (
        write_json(tempfile.mkdtemp(), "config.json", gpt_config(hidden_act="gelu_tanh", intermediate_size=4 * H)),
        openai_as_cpm_names(openai),
    )

    # Causal LMs: padding goes at the end. CDial-GPT's segment ids are speaker token ids
    # (shared with the token table; never 0, which bert4keras's mask_zero would hide).
    token_ids = np.array(
        [[2, 5, 10, 11, 12, 13, 6, 14, 15, 16, 3, 0], [2, 5, 30, 31, 33, 34, 35, 6, 40, 41, 42, 43]], dtype=np.int32
    )
    speakers = np.array([[2, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 0], [2, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6]], dtype=np.int32)
    # Every id of the vocabulary but 0, for OpenAI weights under bert4keras (see the module docstring).
    rng = np.random.default_rng(8)
    openai_ids = rng.integers(1, V, size=(2, 12)).astype(np.int32)

    goldens = {"token_ids": token_ids, "speaker_ids": speakers, "openai_ids": openai_ids}
    tokens, dialog, openai_in = "token_ids", "dialog", "openai_ids"
    cases = {
        "gpt/lm": ("gpt", "cdial_gpt", {}, dialog),
        "gpt/no_segment": ("gpt", "cdial_gpt", {"segment_vocab_size": 0}, tokens),
        "gpt/logits": ("gpt", "cdial_gpt", {"final_activation": "linear"}, dialog),
        "gpt2/lm": ("gpt2", "cpm_lm", {}, tokens),
        "gpt2/logits": ("gpt2", "cpm_lm", {"final_activation": "linear"}, tokens),
        "gpt2_ml/lm": ("gpt2_ml", "gpt2_ml", {}, tokens),
        "gpt2_ml/logits": ("gpt2_ml", "gpt2_ml", {"final_activation": "linear"}, tokens),
        "gpt2_openai/logits": ("gpt2", "gpt2_openai", {"final_activation": "linear"}, openai_in),
        "nezha_gen/lm": ("bert", "nezha_gen", {"application": "lm", "segment_vocab_size": 0}, tokens),
    }  # fmt: skip
    inputs = {tokens: [token_ids], dialog: [token_ids, speakers], openai_in: [openai_ids]}
    for case, (model_name, family_name, kwargs, inputs_name) in cases.items():
        config, checkpoint = families[family_name]
        model = build_transformer_model(config, checkpoint, model=model_name, **kwargs)
        outputs = model.predict(inputs[inputs_name], verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for j, out in enumerate(outputs):
            goldens[f"{case}/{j}"] = out
        goldens[f"{case}/inputs"] = np.array(inputs_name)
        print(case, [o.shape for o in outputs], [layer.name for layer in model.layers][-3:])
    np.savez_compressed(os.path.join(DATA, "gpt_goldens.npz"), **goldens)


if __name__ == "__main__":
    main()
