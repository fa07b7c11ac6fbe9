"""Record transformers' ``T5ForConditionalGeneration`` on the tiny mesh-TF checkpoints.

The independent reference for T5's original (mesh-TF) numerics in tests/test_t5.py:
no score scaling, bidirectional/causal buckets, no position bias in cross-attention,
the ``d_model**-0.5`` output scale only when tied, tanh-GELU in the gated FFN.
Weights come from the checkpoints written by make_t5_goldens.py (read with
TensorFlow, converted to transformers' names here); kerasformers is never imported.
Run in the main virtualenv (it has transformers, torch and TensorFlow):

    python tests/goldens/make_t5_hf_goldens.py

It writes tests/data/t5_hf_goldens.npz.
"""

import json
import os

import numpy as np
import tensorflow as tf
import torch
from transformers import T5Config, T5ForConditionalGeneration

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
CHECKPOINTS = {"t5.1.0": False, "t5.1.1": False, "mt5": True}  # folder: rms_norm names?


def hf_state_dict(reader, config, mt5):
    def get(name):
        return torch.from_numpy(np.asarray(reader.get_tensor(name)).astype(np.float32))

    gated = isinstance(config["hidden_act"], list)
    norm = "rms_norm" if mt5 else "layer_norm"
    final = "rms_norm" if mt5 else "final_layer_norm"
    state = {"shared.weight": get("shared/embedding")}
    for stack, parts in (("encoder", ["SelfAttention", "DenseReluDense"]),
                         ("decoder", ["SelfAttention", "EncDecAttention", "DenseReluDense"])):
        state[f"{stack}.embed_tokens.weight"] = state["shared.weight"]
        state[f"{stack}.final_layer_norm.weight"] = get(f"{stack}/{final}/scale")
        state[f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"] = get(
            f"{stack}/block_000/layer_000/SelfAttention/relative_attention_bias").T
        for i in range(config["num_hidden_layers"]):
            for j, part in enumerate(parts):
                src, dst = f"{stack}/block_{i:03d}/layer_{j:03d}/", f"{stack}.block.{i}.layer.{j}."
                state[dst + "layer_norm.weight"] = get(src + f"{norm}/scale")
                if part == "DenseReluDense":
                    for name in (["wi_0", "wi_1", "wo"] if gated else ["wi", "wo"]):
                        state[dst + f"{part}.{name}.weight"] = get(src + f"{part}/{name}/kernel").T
                else:
                    for name in "qkvo":
                        state[dst + f"{part}.{name}.weight"] = get(src + f"{part}/{name}").T
    state["lm_head.weight"] = get("decoder/logits/kernel").T if gated else state["shared.weight"]
    return state


def main():
    t5_goldens = np.load(os.path.join(DATA, "t5_goldens.npz"))
    enc, dec = t5_goldens["encoder_ids"], t5_goldens["decoder_ids"].copy()
    dec[:, 0] = 0  # mesh-TF's decoder start id
    goldens = {"decoder_ids": dec}
    for folder, mt5 in CHECKPOINTS.items():
        root = os.path.join(DATA, "t5", folder)
        with open(os.path.join(root, "config.json")) as f:
            config = json.load(f)
        gated = isinstance(config["hidden_act"], list)
        hf_config = T5Config(
            vocab_size=config["vocab_size"], d_model=config["hidden_size"], d_kv=config["attention_head_size"],
            d_ff=config["intermediate_size"], num_layers=config["num_hidden_layers"],
            num_decoder_layers=config["num_hidden_layers"], num_heads=config["num_attention_heads"],
            relative_attention_num_buckets=32, relative_attention_max_distance=128, dropout_rate=0.0,
            layer_norm_epsilon=1e-6, feed_forward_proj="gated-gelu" if gated else "relu",
            tie_word_embeddings=not gated, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1,
        )
        model = T5ForConditionalGeneration(hf_config).eval()
        # transformers 5 ties lm_head to the embeddings whatever the config says (it keeps
        # the untied 1.1 behaviour as ``scale_decoder_outputs``): give 1.1 its own head.
        model.lm_head.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
        reader = tf.train.load_checkpoint(os.path.join(root, "model.ckpt-1000000"))
        missing, unexpected = model.load_state_dict(hf_state_dict(reader, config, mt5), strict=False)
        assert not unexpected and not [m for m in missing if "embed_tokens" not in m and "lm_head" not in m], missing
        with torch.no_grad():
            out = model(
                input_ids=torch.from_numpy(enc).long(),
                attention_mask=torch.from_numpy(enc != 0).long(),
                decoder_input_ids=torch.from_numpy(dec).long(),
            )
        assert model.config.scale_decoder_outputs == (not gated)
        if gated:
            assert model.lm_head.weight.data_ptr() != model.shared.weight.data_ptr()
            np.testing.assert_array_equal(
                model.lm_head.weight.detach().numpy(),
                np.asarray(reader.get_tensor("decoder/logits/kernel")).astype(np.float32).T)
        goldens[f"{folder}/logits"] = out.logits.numpy()
        goldens[f"{folder}/encoder"] = out.encoder_last_hidden_state.numpy()
    np.savez_compressed(os.path.join(DATA, "t5_hf_goldens.npz"), **goldens)
    print({k: v.shape for k, v in goldens.items()})


if __name__ == "__main__":
    main()
