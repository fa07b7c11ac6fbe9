"""Record bert4keras 0.11.5's AutoRegressiveDecoder ids on the tiny test checkpoints.

The independent reference for tests/test_generation.py: bert4keras (on tf_keras)
loads the same checkpoints kerasformers' tests load and decodes with its own
``AutoRegressiveDecoder`` (whole prefix recomputed each step). kerasformers is
never imported. Run it in the bert4keras virtualenv:

    TF_KERAS=1 TF_USE_LEGACY_KERAS=1 /work/venv-b4k/bin/python tests/goldens/make_generation_goldens.py

It writes tests/data/generation_goldens.json: for each case, the prompt and the
ids of greedy search (``beam_search(topk=1)``), beam search (``topk=3``) and
seeded top-k sampling (``np.random.seed(0)``, ``random_sample(n=2, topk=5)``).
"""

import json
import os

import numpy as np
from bert4keras.backend import K, keras
from bert4keras.models import build_transformer_model
from bert4keras.snippets import AutoRegressiveDecoder

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
MAXLEN, END_ID = 6, 3
PROMPT = [2, 17, 33, 9, 41, 26, 3]

# case: (checkpoint folder, config file, checkpoint prefix, build kwargs, mode)
CASES = {
    "bert_lm": ("bert_tiny", "bert_config.json", "bert_model.ckpt", {"application": "lm"}, "lm"),
    "bert_unilm": ("bert_tiny", "bert_config.json", "bert_model.ckpt", {"application": "unilm"}, "unilm"),
    "nezha_lm": (
        "zoo/nezha", "bert_config.json", "model.ckpt-691689",
        {"model": "nezha", "application": "lm", "segment_vocab_size": 0}, "lm_single",
    ),
    # NEZHA-GEN's release is BERT's layout (absolute positions), built as bert4keras's example builds it.
    "nezha_gen": (
        "gpt/nezha_gen", "config.json", "gpt.ckpt", {"application": "lm", "segment_vocab_size": 0}, "lm_single",
    ),
    "gpt2": ("gpt/cpm_lm", "config.json", "model.ckpt", {"model": "gpt2"}, "lm_single"),
    "gpt2_ml": ("gpt/gpt2_ml", "config.json", "model.ckpt-100000", {"model": "gpt2_ml"}, "lm_single"),
    "roformer_lm": ("zoo/roformer", "bert_config.json", "bert_model.ckpt", {"model": "roformer", "application": "lm"}, "lm"),
    "simbert_unilm": (
        "zoo/simbert", "bert_config.json", "bert_model.ckpt",
        {"application": "unilm", "with_pool": "linear", "return_keras_model": False}, "unilm_seq2seq",
    ),
}


class Decoder(AutoRegressiveDecoder):
    def __init__(self, model, mode, **kwargs):
        super().__init__(**kwargs)
        self.model, self.mode = model, mode

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        token_ids = np.concatenate([inputs[0], output_ids], 1)
        if self.mode == "lm_single":
            return self.last_token(self.model).predict(token_ids)
        segment = np.ones_like(output_ids) if self.mode.startswith("unilm") else np.zeros_like(output_ids)
        segment_ids = np.concatenate([inputs[1], segment], 1)
        return self.last_token(self.model).predict([token_ids, segment_ids])


def main():
    K.set_epsilon(1e-12)  # as in make_zoo_goldens.py: the original implementations' epsilon
    goldens = {"maxlen": MAXLEN, "end_id": END_ID, "prompt": PROMPT, "cases": {}}
    for case, (folder, config, ckpt, kwargs, mode) in CASES.items():
        folder = os.path.join(DATA, folder)
        model = build_transformer_model(os.path.join(folder, config), os.path.join(folder, ckpt), **kwargs)
        if mode == "unilm_seq2seq":  # SimBERT: the generation model is the MLM output of [pool, mlm]
            model = keras.models.Model(model.model.inputs, model.model.outputs[1])
        inputs = [PROMPT] if mode == "lm_single" else [PROMPT, [0] * len(PROMPT)]
        decoder = Decoder(model, mode, start_id=None, end_id=END_ID, maxlen=MAXLEN)
        np.random.seed(0)
        samples = decoder.random_sample(inputs, 2, topk=5)
        goldens["cases"][case] = {
            "greedy": decoder.beam_search(inputs, topk=1).tolist(),
            "beam": decoder.beam_search(inputs, topk=3).tolist(),
            "sample": [s.tolist() for s in samples],
        }
        print(case, goldens["cases"][case])
    with open(os.path.join(DATA, "generation_goldens.json"), "w") as f:
        json.dump(goldens, f, indent=1)


if __name__ == "__main__":
    main()
