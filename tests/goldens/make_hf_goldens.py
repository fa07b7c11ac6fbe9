"""Tiny Hugging Face checkpoints made and run by transformers itself, for tests/test_hf.py.

For BERT, ALBERT, ELECTRA and RoFormer (transformers 5.x) this script builds a
tiny model with transformers (hidden 32, 2 layers, vocabulary 64), fills every
parameter with seeded random values (so no output is trivially zero or one),
saves it with ``save_pretrained`` (safetensors) and as ``torch.save(state_dict)``
(the ``pytorch_model.bin`` layout transformers 4.x wrote), and records
transformers' outputs. kerasformers is never imported.

Extras that real uploads carry are reproduced: the BERT ``.bin`` uses the old
``LayerNorm.gamma``/``.beta`` names (as bert-base-chinese's does) and holds
the tied decoder copies; ELECTRA's safetensors is sharded with an index;
RoFormer uses ``layer_norm_eps=1e-3`` so the config's epsilon visibly matters.

For BERT, ALBERT and ELECTRA the same weights are also written as a Google
TensorFlow checkpoint by TensorFlow itself (``tf.raw_ops.SaveV2``), with the
google-research variable names written out below (independently of
kerasformers' mapping). NEZHA and RoFormerV2 (not in transformers 5) come
from make_hf_goldens_legacy.py. Run in the main virtualenv:

    python tests/goldens/make_hf_goldens.py

T5.1.0, T5.1.1 and mT5 (``T5ForConditionalGeneration``/``MT5ForConditionalGeneration``)
are made the same way (goldens_t5.npz: encoder output and LM logits).

GPT-2 (``GPT2LMHeadModel``) likewise (goldens_gpt2.npz: LM logits).

It rewrites tests/data/hf/{bert,albert,electra,roformer,t5_1_0,t5_1_1,mt5,gpt2}/ and tests/data/hf/goldens_*.npz.
"""

import json
import os
import re
import shutil

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "hf")
SIZES = dict(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
             max_position_embeddings=64, type_vocab_size=2)  # fmt: skip
TOKEN_IDS = np.array([[2, 10, 17, 33, 8, 61, 40, 3, 25, 3], [2, 45, 12, 9, 3, 0, 0, 0, 0, 0]], dtype=np.int64)
SEGMENT_IDS = np.array([[0, 0, 0, 0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], dtype=np.int64)
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(0x4E00 + i) for i in range(40)] + list("abcdefghijklmnopqrs")


def randomize(model, seed):
    """Seeded random parameters: weights ~ N(0, 0.2); LayerNorm weights 1 + N(0, 0.2)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            value = torch.randn(p.shape, generator=generator) * 0.2
            if re.search(r"(LayerNorm|layer_norm)\.weight$", name):
                value += 1.0
            p.copy_(value)
    return model.eval()


def save_both(model, folder, bin_names=lambda n: n, shard=None, wordpiece=True):
    """``folder/safetensors`` (save_pretrained) and ``folder/bin`` (config.json + torch.save(state_dict))."""
    shutil.rmtree(folder, ignore_errors=True)
    st = os.path.join(folder, "safetensors")
    model.save_pretrained(st, **({"max_shard_size": shard} if shard else {}))
    pt = os.path.join(folder, "bin")
    os.makedirs(pt)
    shutil.copy(os.path.join(st, "config.json"), pt)
    torch.save({bin_names(k): v.clone() for k, v in model.state_dict().items()}, os.path.join(pt, "pytorch_model.bin"))
    if not wordpiece:
        return
    with open(os.path.join(st, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(VOCAB + [f"[unused{i}]" for i in range(64 - len(VOCAB))]) + "\n")
    with open(os.path.join(st, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": False, "tokenizer_class": "BertTokenizer"}, f)


def write_tf(prefix, variables):
    """A TF V2 checkpoint written by TensorFlow (``tf.raw_ops.SaveV2``)."""
    import tensorflow as tf

    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    names = sorted(variables)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(variables[n]) for n in names])  # fmt: skip
    with open(os.path.join(os.path.dirname(prefix), "checkpoint"), "w") as f:
        f.write(f'model_checkpoint_path: "{os.path.basename(prefix)}"\n')


def google_names(state, rules):
    """HF state dict -> google-research names: ``rules`` rename, Linear weights transposed to kernels."""
    out = {}
    for name, value in state.items():
        value = value.numpy()
        for pattern, replacement in rules:
            name, hits = re.subn(pattern, replacement, name)
            if hits and replacement.endswith("kernel"):
                value = value.T
        out[name] = np.ascontiguousarray(value)
    return out


def to_numpy(x):
    return x.detach().numpy().astype(np.float32)


def inputs():
    return dict(input_ids=torch.tensor(TOKEN_IDS), token_type_ids=torch.tensor(SEGMENT_IDS),
                attention_mask=torch.tensor(TOKEN_IDS != 0))  # fmt: skip


# google-research/bert names of a BERT-layout encoder (and of ELECTRA with root "electra").
def bert_rules(root):
    return [
        (r"\.decoder\.(weight|bias)$", "<tied>"),
        (rf"^{root}\.encoder\.layer\.(\d+)\.", rf"{root}/encoder/layer_\1/"),
        (rf"^{root}\.", f"{root}/"),
        (r"^cls\.predictions\.bias$", "cls/predictions/output_bias"),
        (r"^cls\.seq_relationship\.weight$", "cls/seq_relationship/output_weights"),
        (r"^cls\.seq_relationship\.bias$", "cls/seq_relationship/output_bias"),
        (r"^discriminator_predictions\.dense_prediction\.", "discriminator_predictions/dense_1."),
        (r"\.", "/"),
        (r"LayerNorm/weight$", "LayerNorm/gamma"),
        (r"LayerNorm/bias$", "LayerNorm/beta"),
        (r"(embeddings)/weight$", r"\1"),
        (r"(dense|dense_1|query|key|value|embeddings_project)/weight$", r"\1/kernel"),
    ]


ALBERT_RULES = [
    (r"\.decoder\.(weight|bias)$", "<tied>"),
    (r"^albert\.encoder\.albert_layer_groups\.0\.albert_layers\.0\.", "bert/encoder/transformer/group_0/inner_group_0/"),
    (r"inner_group_0/attention\.(query|key|value)\.", r"inner_group_0/attention_1/self/\1/"),
    (r"inner_group_0/attention\.dense\.", "inner_group_0/attention_1/output/dense/"),
    (r"inner_group_0/attention\.LayerNorm\.", "inner_group_0/LayerNorm/"),
    (r"inner_group_0/ffn\.", "inner_group_0/ffn_1/intermediate/dense/"),
    (r"inner_group_0/ffn_output\.", "inner_group_0/ffn_1/intermediate/output/dense/"),
    (r"inner_group_0/full_layer_layer_norm\.", "inner_group_0/LayerNorm_1/"),
    (r"^albert\.encoder\.embedding_hidden_mapping_in\.", "bert/encoder/embedding_hidden_mapping_in/"),
    (r"^albert\.pooler\.", "bert/pooler/dense/"),
    (r"^albert\.embeddings\.", "bert/embeddings/"),
    (r"^predictions\.bias$", "cls/predictions/output_bias"),
    (r"^predictions\.dense\.", "cls/predictions/transform/dense/"),
    (r"^predictions\.LayerNorm\.", "cls/predictions/transform/LayerNorm/"),
    (r"^sop_classifier\.classifier\.weight$", "cls/seq_relationship/output_weights"),
    (r"^sop_classifier\.classifier\.bias$", "cls/seq_relationship/output_bias"),
    (r"\.", "/"),
    (r"LayerNorm(_1)?/weight$", r"LayerNorm\1/gamma"),
    (r"LayerNorm(_1)?/bias$", r"LayerNorm\1/beta"),
    (r"(embeddings)/weight$", r"\1"),
    (r"/weight$", "/kernel"),
]


def make_bert():
    from transformers import BertConfig, BertForPreTraining

    model = randomize(BertForPreTraining(BertConfig(hidden_act="gelu", **SIZES)), seed=1)
    folder = os.path.join(OUT, "bert")
    legacy = lambda n: re.sub(r"LayerNorm\.weight$", "LayerNorm.gamma", re.sub(r"LayerNorm\.bias$", "LayerNorm.beta", n))  # noqa: E731
    save_both(model, folder, bin_names=legacy)
    state = {k: v for k, v in model.state_dict().items() if "decoder" not in k}
    write_tf(os.path.join(folder, "tf", "bert_model.ckpt"), google_names(state, bert_rules("bert")))
    with torch.no_grad():
        out = model(**inputs(), output_hidden_states=True)
    return {"hidden": to_numpy(out.hidden_states[-1]), "mlm_logits": to_numpy(out.prediction_logits),
            "nsp_logits": to_numpy(out.seq_relationship_logits),
            "pooled": to_numpy(model.bert.pooler(out.hidden_states[-1]))}  # fmt: skip


def make_albert():
    from transformers import AlbertConfig, AlbertForPreTraining

    config = AlbertConfig(embedding_size=16, hidden_act="gelu_new", **SIZES)
    model = randomize(AlbertForPreTraining(config), seed=2)
    folder = os.path.join(OUT, "albert")
    save_both(model, folder)
    state = {k: v for k, v in model.state_dict().items() if "decoder" not in k}
    write_tf(os.path.join(folder, "tf", "albert_model.ckpt"), google_names(state, ALBERT_RULES))
    with torch.no_grad():
        out = model(**inputs(), output_hidden_states=True)
        pooled = torch.tanh(model.albert.pooler(out.hidden_states[-1][:, 0]))
    return {"hidden": to_numpy(out.hidden_states[-1]), "mlm_logits": to_numpy(out.prediction_logits),
            "sop_logits": to_numpy(out.sop_logits), "pooled": to_numpy(pooled)}  # fmt: skip


def make_electra():
    from transformers import ElectraConfig, ElectraForPreTraining

    model = randomize(ElectraForPreTraining(ElectraConfig(embedding_size=16, hidden_act="gelu", **SIZES)), seed=3)
    folder = os.path.join(OUT, "electra")
    save_both(model, folder, shard="60KB")
    write_tf(os.path.join(folder, "tf", "electra_tiny"), google_names(model.state_dict(), bert_rules("electra")))
    with torch.no_grad():
        out = model(**inputs(), output_hidden_states=True)
    return {"hidden": to_numpy(out.hidden_states[-1]), "discriminator_logits": to_numpy(out.logits)}


def make_roformer():
    from transformers import RoFormerConfig, RoFormerForMaskedLM

    config = RoFormerConfig(hidden_act="gelu", layer_norm_eps=1e-3, **SIZES)
    model = randomize(RoFormerForMaskedLM(config), seed=4)
    # The rotary table is a fixed buffer-like parameter; randomize() overwrote it, so rebuild it.
    table = model.roformer.encoder.embed_positions
    with torch.no_grad():
        table.weight.copy_(table.create_weight() if hasattr(table, "create_weight") else table._init_weight(table.weight))
    save_both(model, os.path.join(OUT, "roformer"))
    with torch.no_grad():
        out = model(**inputs(), output_hidden_states=True)
    return {"hidden": to_numpy(out.hidden_states[-1]), "mlm_logits": to_numpy(out.logits)}


DECODER_IDS = np.array([[0, 7, 21, 5, 33, 9], [0, 12, 40, 2, 1, 1]], dtype=np.int64)
T5_SIZES = dict(vocab_size=64, d_model=32, d_kv=8, num_heads=4, d_ff=48, num_layers=2, num_decoder_layers=2,
                relative_attention_num_buckets=32, relative_attention_max_distance=128)  # fmt: skip


def make_t5(kind):
    """T5.1.0 (relu, tied), T5.1.1 (gated-gelu, untied) and mT5: encoder output and LM logits."""
    import transformers

    if kind == "mt5":
        config = transformers.MT5Config(feed_forward_proj="gated-gelu", tie_word_embeddings=False, **T5_SIZES)
        model = transformers.MT5ForConditionalGeneration(config)
    else:
        gated = kind == "t5.1.1"
        config = transformers.T5Config(feed_forward_proj="gated-gelu" if gated else "relu",
                                       tie_word_embeddings=not gated, **T5_SIZES)  # fmt: skip
        model = transformers.T5ForConditionalGeneration(config)
    gated = kind != "t5.1.0"
    if gated:
        # transformers 5 ties lm_head to the embeddings whatever the config says; T5.1.1 and mT5 have their own.
        model.lm_head.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
    model = randomize(model, seed={"t5.1.0": 7, "t5.1.1": 8, "mt5": 9}[kind])
    folder = os.path.join(OUT, kind.replace(".", "_"))
    save_both(model, folder, wordpiece=False)
    if gated:
        # Written as the hub's T5.1.1/mT5 uploads are: with lm_head.weight and tie_word_embeddings false.
        from safetensors.torch import save_file

        state = {k: v.clone() for k, v in model.state_dict().items() if "embed_tokens" not in k}
        save_file(state, os.path.join(folder, "safetensors", "model.safetensors"), metadata={"format": "pt"})
        for sub in ("safetensors", "bin"):
            path = os.path.join(folder, sub, "config.json")
            config = json.load(open(path))
            config["tie_word_embeddings"] = False
            json.dump(config, open(path, "w"), indent=2)
    ids = torch.tensor(TOKEN_IDS)
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=ids != 0, decoder_input_ids=torch.tensor(DECODER_IDS))
    return {"encoder": to_numpy(out.encoder_last_hidden_state), "logits": to_numpy(out.logits)}


def make_gpt2():
    """GPT2LMHeadModel (the layout of openai-community/gpt2 and uer/gpt2-chinese-cluecorpussmall): LM logits."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=64, n_embd=32, n_layer=2, n_head=4, n_positions=64, activation_function="gelu_new")
    model = randomize(GPT2LMHeadModel(config), seed=10)
    save_both(model, os.path.join(OUT, "gpt2"), wordpiece=False)
    ids = torch.tensor(TOKEN_IDS)
    with torch.no_grad():  # every id is a token (OpenAI's id 0 is "!"): no attention mask
        out = model(input_ids=ids, output_hidden_states=True)
    return {"logits": to_numpy(out.logits), "hidden": to_numpy(out.hidden_states[-1])}


FAMILIES = {"bert": make_bert, "albert": make_albert, "electra": make_electra, "roformer": make_roformer}
T5_FAMILIES = {"t5.1.0": lambda: make_t5("t5.1.0"), "t5.1.1": lambda: make_t5("t5.1.1"), "mt5": lambda: make_t5("mt5")}
GPT_FAMILIES = {"gpt2": make_gpt2}


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    import transformers

    for families, name, extra in [(FAMILIES, "goldens_transformers.npz", {}), (T5_FAMILIES, "goldens_t5.npz", {"decoder_ids": DECODER_IDS}),
                                  (GPT_FAMILIES, "goldens_gpt2.npz", {})]:  # fmt: skip
        goldens = {"token_ids": TOKEN_IDS, "segment_ids": SEGMENT_IDS, **extra}
        for family, make in families.items():
            goldens.update({f"{family}/{k}": v for k, v in make().items()})
        np.savez_compressed(os.path.join(OUT, name), **goldens)
        print("transformers", transformers.__version__, "wrote", name, sorted(goldens))


if __name__ == "__main__":
    main()
