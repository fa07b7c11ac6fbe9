"""A tiny Google-format BERT checkpoint made on the spot, and the CLI demo that uses it.

The weights are generated from a fixed seed (no download, no TensorFlow), written
with kerasformers' own bundle writer in exactly the layout of Google's
``chinese_L-12_H-768_A-12`` release, only smaller. They are random: the demo shows
the machinery (tokenize, load, encode, MLM), not language understanding.
"""

from __future__ import annotations

import json
import os
import time
from typing import Callable, Dict, List, Optional

import numpy as np

DEMO_CHARS = "今天天气很好我们去公园散步吧北京是中国的首都人工智能改变世界。，！？"
DEMO_WORDS = ["hello", "world", "keras", "former", "bert", "model", "the", "is", "a", "great", "token", "izer"]
DEMO_PIECES = ["##s", "##ing", "##ed", "##er", "##izer", "##former", "##ers"]


def demo_vocab() -> List[str]:
    """A small WordPiece vocab with Google BERT's special-token layout ([PAD]=0, [UNK], [CLS], [SEP], [MASK])."""
    tokens = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 10)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += sorted(set(DEMO_CHARS)) + DEMO_WORDS + DEMO_PIECES
    tokens += list("abcdefghijklmnopqrstuvwxyz0123456789,.!?")
    # Once each, first place kept ("a" is a word and a letter): a repeated token would give vocab.txt fewer
    # lines than the config's vocab_size, and every id after it would miss its embedding row.
    return list(dict.fromkeys(tokens))


def demo_config(vocab_size: int) -> Dict:
    """``bert_config.json`` of the demo model (Google's keys, tiny sizes)."""
    return {
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 64,
        "initializer_range": 0.02,
        "intermediate_size": 128,
        "max_position_embeddings": 128,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
    }


def demo_variables(config: Dict, seed: int = 0) -> Dict[str, np.ndarray]:
    """Random weights under Google BERT's variable names and shapes."""
    rng = np.random.default_rng(seed)
    H, I, V = config["hidden_size"], config["intermediate_size"], config["vocab_size"]

    def w(*shape, scale=0.02):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    variables = {
        "bert/embeddings/word_embeddings": w(V, H, scale=0.5),
        "bert/embeddings/token_type_embeddings": w(config["type_vocab_size"], H),
        "bert/embeddings/position_embeddings": w(config["max_position_embeddings"], H),
        "bert/pooler/dense/kernel": w(H, H),
        "bert/pooler/dense/bias": np.zeros(H, np.float32),
        "cls/predictions/transform/dense/kernel": w(H, H),
        "cls/predictions/transform/dense/bias": np.zeros(H, np.float32),
        "cls/predictions/output_bias": np.zeros(V, np.float32),
        "cls/seq_relationship/output_weights": w(2, H),
        "cls/seq_relationship/output_bias": np.zeros(2, np.float32),
    }
    norms = ["bert/embeddings/LayerNorm", "cls/predictions/transform/LayerNorm"]
    for i in range(config["num_hidden_layers"]):
        p = f"bert/encoder/layer_{i}/"
        for name, shape in [
            ("attention/self/query", (H, H)), ("attention/self/key", (H, H)), ("attention/self/value", (H, H)),
            ("attention/output/dense", (H, H)), ("intermediate/dense", (H, I)), ("output/dense", (I, H)),
        ]:  # fmt: skip
            variables[p + name + "/kernel"] = w(*shape)
            variables[p + name + "/bias"] = np.zeros(shape[1], np.float32)
        norms += [p + "attention/output/LayerNorm", p + "output/LayerNorm"]
    for norm in norms:
        variables[norm + "/gamma"] = np.ones(H, np.float32)
        variables[norm + "/beta"] = np.zeros(H, np.float32)
    return variables


def write_demo_checkpoint(folder: str, overwrite: bool = False) -> Dict[str, str]:
    """Write ``bert_config.json``, ``vocab.txt`` and ``bert_model.ckpt.*`` into ``folder``.

    Returns the paths as ``{'config': ..., 'checkpoint': ..., 'vocab': ...}``.
    Raises ``FileExistsError`` if any of these files exists, unless ``overwrite=True``
    (``--force`` on the command line): a real ``vocab.txt`` must not be replaced by accident.

    Example:
        >>> import tempfile
        >>> paths = write_demo_checkpoint(tempfile.mkdtemp())
        >>> sorted(paths)
        ['checkpoint', 'config', 'vocab']
    """
    from kerasformers.checkpoints.bundle import write_checkpoint
    from kerasformers.tokenizers import save_vocab

    os.makedirs(folder, exist_ok=True)
    tokens = demo_vocab()
    config = demo_config(len(tokens))
    paths = {
        "config": os.path.join(folder, "bert_config.json"),
        "vocab": os.path.join(folder, "vocab.txt"),
        "checkpoint": os.path.join(folder, "bert_model.ckpt"),
    }
    existing = [
        name
        for name in sorted(os.listdir(folder))
        if name in ("bert_config.json", "vocab.txt", "checkpoint") or name.startswith("bert_model.ckpt.")
    ]
    if existing and not overwrite:
        raise FileExistsError(
            f"{folder} already holds {', '.join(existing)}; the demo would overwrite them with a random tiny model. "
            "Choose an empty folder, or pass --force (overwrite=True) to replace them."
        )
    with open(paths["config"], "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    save_vocab(paths["vocab"], {t: i for i, t in enumerate(tokens)})
    write_checkpoint(paths["checkpoint"], demo_variables(config))
    return paths


def _fmt(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:+.4f}" for v in values) + "]"


def run_demo(
    folder: str,
    echo: Callable[[str], None] = print,
    top_k: int = 5,
    overwrite: bool = False,
    temporary: bool = False,
) -> Dict[str, np.ndarray]:
    """Write the demo checkpoint into ``folder``, load it, tokenize, encode and predict.

    ``temporary`` only changes what is printed: that the folder is deleted afterwards.
    Returns the computed arrays (features, pooled vector, MLM probabilities).
    """
    start = time.perf_counter()

    def step(message: str) -> None:
        echo(f"[{time.perf_counter() - start:5.1f}s] {message}")

    # Importing Keras and its backend takes most of the demo's time: say so before, not after.
    step(f"importing Keras and the {os.environ.get('KERAS_BACKEND', 'default')} backend ...")
    import keras

    from kerasformers.models import build_transformer_model
    from kerasformers.snippets import sequence_padding
    from kerasformers.tokenizers import Tokenizer

    step(f"Keras {keras.__version__} on the {keras.backend.backend()} backend")
    paths = write_demo_checkpoint(folder, overwrite=overwrite)
    where = " (a temporary folder, deleted at exit; --folder DIR keeps it)" if temporary else ""
    step(f"wrote a tiny Google-format BERT checkpoint to {paths['checkpoint']}{where}")
    tokenizer = Tokenizer(paths["vocab"], do_lower_case=True)
    texts = ["今天天气很好，我们去公园散步吧！", "Hello world, kerasformers is a great tokenizer."]
    encoded = [tokenizer.encode(t) for t in texts]
    for text, (ids, _) in zip(texts, encoded):
        tokens = tokenizer.ids_to_tokens(ids)
        step(f"tokenized {text!r}\n         -> {tokens}")
        mapping = tokenizer.rematch(text, tokens)
        step(f"rematch offsets -> {mapping}")
    token_ids = sequence_padding([ids for ids, _ in encoded])
    segment_ids = sequence_padding([segs for _, segs in encoded])

    transformer = build_transformer_model(
        paths["config"], paths["checkpoint"], with_pool=True, with_mlm=True, return_keras_model=False
    )
    step(f"built and loaded BERT: {transformer.model.count_params():,} parameters, {len(transformer.model.layers)} layers")
    encoder = keras.Model(transformer.model.inputs, transformer.model.get_layer("Transformer-1-FeedForward-Norm").output)
    features = encoder.predict([token_ids, segment_ids], verbose=0)
    pooled, probas = transformer.model.predict([token_ids, segment_ids], verbose=0)
    step(f"features {features.shape}, first token of text 1: {_fmt(features[0, 0, :6])} ...")
    step(f"pooled [CLS] {pooled.shape}: {_fmt(pooled[0, :6])} ...")

    masked = list(token_ids[0])
    position = 3
    masked[position] = tokenizer._token_mask_id
    probas_masked = transformer.model.predict([np.array([masked]), segment_ids[:1]], verbose=0)[1][0, position]
    best = np.argsort(-probas_masked)[:top_k]
    ranking = ", ".join(f"{tokenizer.id_to_token(int(i))} {probas_masked[i]:.3f}" for i in best)
    step(f"MLM top-{top_k} at masked position {position} (random weights, so any token is plausible): {ranking}")
    step("done")
    return {"features": features, "pooled": pooled, "mlm": probas}
