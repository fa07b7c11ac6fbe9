"""What a checkpoint load says beyond present/missing: which config key decides a mismatched shape,
and which whole Transformer blocks of a deeper checkpoint go unused.

Kept apart from :mod:`kerasformers.models.weights` (the assigning) so each stays short.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence

# Which config keys can decide the shape of a layer's weights, by layer-name fragment (first match wins).
# A differing dimension is attributed to the first key whose value equals the model's dimension.
_SHAPE_KEYS = (
    ("Embedding-Position", ("max_position_embeddings", "embedding_size", "hidden_size")),
    ("Embedding-Segment", ("type_vocab_size", "embedding_size", "hidden_size")),
    ("Embedding-Token", ("vocab_size", "embedding_size", "hidden_size")),
    ("MLM-Bias", ("vocab_size",)),
    ("MLM-", ("embedding_size", "hidden_size")),
    ("Embedding-", ("embedding_size", "hidden_size")),
    ("FeedForward", ("intermediate_size", "hidden_size")),
    ("Attention", ("hidden_size", "attention_head_size", "attention_key_size", "num_attention_heads")),
    ("", ("hidden_size", "intermediate_size", "embedding_size", "vocab_size")),
)
# Config keys stored under another attribute name on the builder (bert4keras's renames).
_KEY_ATTRIBUTES = {"max_position_embeddings": "max_position", "type_vocab_size": "segment_vocab_size"}


def shape_key_hint(transformer, layer_name: str, ckpt_shape: Sequence[int], model_shape: Sequence[int]) -> Optional[str]:
    """'config key max_position_embeddings is 512, the checkpoint has 128', or None if no key explains it.

    Example:
        >>> class Built: max_position, hidden_size, keep_tokens, compound_tokens = 512, 64, None, None
        >>> shape_key_hint(Built(), "Embedding-Position", (128, 64), (512, 64))
        'config key max_position_embeddings is 512, the checkpoint has 128'
    """
    if len(ckpt_shape) != len(model_shape):
        return None
    keys = next(keys for fragment, keys in _SHAPE_KEYS if fragment in layer_name)
    hints = []
    for ckpt_dim, model_dim in zip(ckpt_shape, model_shape):
        if ckpt_dim == model_dim:
            continue
        for key in keys:
            if getattr(transformer, _KEY_ATTRIBUTES.get(key, key), None) == model_dim:
                extra = ""
                if key == "vocab_size" and (
                    getattr(transformer, "keep_tokens", None) is not None
                    or getattr(transformer, "compound_tokens", None) is not None
                ):
                    extra = " (set by keep_tokens/compound_tokens)"
                hints.append(f"config key {key} is {model_dim}{extra}, the checkpoint has {ckpt_dim}")
                break
    return "; ".join(hints) or None


# A block's variables: bert/encoder/layer_3/ (TF BERT family), encoder/block_003/ (T5), newslm/layer03/
# (GPT2_ML), and Hugging Face's encoder.layer.3. / h.3. / block.3. names.
_BLOCK_INDEX = re.compile(r"(?:^|[/.])(?:layer_?|block_|layers?\.|h\.|block\.)(\d+)[/.]")


def unused_blocks(unexpected: Iterable[str], used: Iterable[str]) -> List[int]:
    """Indices of blocks the checkpoint has and the model uses none of (a checkpoint deeper than the config).

    Example:
        >>> unused_blocks(["bert/encoder/layer_1/output/dense/kernel", "cls/predictions/output_bias"],
        ...               ["bert/encoder/layer_0/output/dense/kernel"])
        [1]
    """
    used_blocks = {int(m.group(1)) for m in map(_BLOCK_INDEX.search, used) if m}
    found = {int(m.group(1)) for m in map(_BLOCK_INDEX.search, unexpected) if m}
    return sorted(found - used_blocks) if used_blocks else []


def unused_blocks_warning(source: str, blocks: Sequence[int], num_hidden_layers: int) -> str:
    """The warning for :func:`unused_blocks` (a deeper checkpoint loads "fine" and computes a truncated model)."""
    return (
        f"Checkpoint {source} has Transformer blocks {', '.join(map(str, blocks))} that the model does not use: "
        f"it was built with num_hidden_layers={num_hidden_layers}. Set num_hidden_layers to the checkpoint's "
        "depth (or ignore this warning if keeping only the first blocks is what you want)."
    )
