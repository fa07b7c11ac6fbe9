"""transformers' GPT2LMHeadModel on the tiny openai/gpt-2 checkpoint of make_gpt_goldens.py.

The second, independent reference for ``model='gpt2_openai'`` (tests/test_gpt.py):
TensorFlow reads tests/data/gpt/gpt2_openai/model.ckpt (``tf.train.load_checkpoint``),
the arrays go into a PyTorch ``GPT2LMHeadModel`` configured from ``hparams.json``
(conv1d kernels squeezed; transformers' Conv1D keeps the ``[in, out]`` layout and
the fused ``c_attn``), and its logits are stored. Inputs include id 0, a real token
for GPT-2. kerasformers is never imported. Run it in the main virtualenv:

    python tests/goldens/make_gpt2_openai_goldens.py

It rewrites tests/data/gpt2_openai_goldens.npz.
"""

import json
import os

import numpy as np
import tensorflow as tf
import torch
from transformers import GPT2Config, GPT2LMHeadModel

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
FOLDER = os.path.join(DATA, "gpt", "gpt2_openai")


def main():
    with open(os.path.join(FOLDER, "hparams.json")) as f:
        hparams = json.load(f)
    config = GPT2Config(
        vocab_size=hparams["n_vocab"], n_positions=hparams["n_ctx"], n_embd=hparams["n_embd"],
        n_head=hparams["n_head"], n_layer=hparams["n_layer"], activation_function="gelu_new",
        layer_norm_epsilon=1e-5, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        bos_token_id=hparams["n_vocab"] - 1, eos_token_id=hparams["n_vocab"] - 1,
    )  # fmt: skip
    model = GPT2LMHeadModel(config).eval()
    reader = tf.train.load_checkpoint(os.path.join(FOLDER, "model.ckpt"))
    names = reader.get_variable_to_shape_map()
    state = {}
    for name in names:
        value = reader.get_tensor(name)
        if value.ndim == 3:
            value = value[0]  # conv1d [1, in, out] -> Conv1D weight [in, out]
        parts = name.split("/")[1:]  # drop "model"
        if parts[0].startswith("h"):
            parts = ["h", parts[0][1:]] + parts[1:]
        leaf = {"w": "weight", "g": "weight", "b": "bias"}.get(parts[-1])
        parts = parts[:-1] + [leaf] if leaf else parts + ["weight"]  # wte, wpe
        key = "transformer." + ".".join(parts)
        state[key] = torch.from_numpy(np.ascontiguousarray(value))
    missing, unexpected = model.load_state_dict(state, strict=False)
    # lm_head is tied to wte; attention bias buffers are not weights.
    assert not unexpected and all(k == "lm_head.weight" or k.endswith("attn.bias") for k in missing), (missing, unexpected)
    assert torch.equal(model.lm_head.weight, model.transformer.wte.weight)

    rng = np.random.default_rng(9)
    ids = rng.integers(0, hparams["n_vocab"], size=(2, 12)).astype(np.int32)
    ids[0, 3] = ids[1, 0] = ids[1, 7] = 0  # id 0 ('!') is an ordinary token
    with torch.no_grad():
        logits = model(torch.from_numpy(ids).long()).logits.numpy()
    np.savez_compressed(os.path.join(DATA, "gpt2_openai_goldens.npz"), ids=ids, logits=logits)
    print(ids.shape, logits.shape, float(np.abs(logits).max()))


if __name__ == "__main__":
    main()
