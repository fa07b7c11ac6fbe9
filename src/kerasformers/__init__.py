"""kerasformers: the bert4keras toolkit on Keras 3 (TensorFlow, JAX, PyTorch).

Example:
    >>> from kerasformers import build_transformer_model, Tokenizer  # doctest: +SKIP
    >>> model = build_transformer_model("bert_config.json", "bert_model.ckpt")  # doctest: +SKIP
"""

__version__ = "0.1.0"

__all__ = ["__version__", "build_transformer_model", "Tokenizer", "SpTokenizer"]

_LAZY = {
    "build_transformer_model": "kerasformers.models",
    "Tokenizer": "kerasformers.tokenizers",
    "SpTokenizer": "kerasformers.tokenizers",
}


def __getattr__(name):
    # Imported on first use: tokenizers need no Keras backend, and importing a
    # backend (TensorFlow especially) takes seconds a tokenizer user should not pay.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kerasformers' has no attribute {name!r}")
