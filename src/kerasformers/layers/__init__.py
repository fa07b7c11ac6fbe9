"""Keras layers of kerasformers, under the names bert4keras used.

Every layer uses ``keras.ops`` only, mirrors its arguments in ``get_config`` and
is registered for ``.keras`` saving under the ``kerasformers`` package.
"""

from kerasformers.layers.attention import MultiHeadAttention
from kerasformers.layers.compat import Add
from kerasformers.layers.core import AttentionMask, TokenSelect
from kerasformers.layers.crf import ConditionalRandomField, MaximumEntropyMarkovModel
from kerasformers.layers.embeddings import Embedding, PositionEmbedding, SinusoidalPositionEmbedding
from kerasformers.layers.feedforward import FeedForward
from kerasformers.layers.loss import Loss
from kerasformers.layers.heads import EfficientGlobalPointer, GlobalPointer
from kerasformers.layers.normalization import LayerNormalization, ScaleOffset
from kerasformers.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling1D
from kerasformers.layers.positions import RelativePositionEmbedding, RelativePositionEmbeddingT5, Sinusoidal

__all__ = [
    "Add",
    "AttentionMask",
    "ConditionalRandomField",
    "EfficientGlobalPointer",
    "Embedding",
    "FeedForward",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalPointer",
    "LayerNormalization",
    "Loss",
    "MaximumEntropyMarkovModel",
    "MultiHeadAttention",
    "PositionEmbedding",
    "RelativePositionEmbedding",
    "RelativePositionEmbeddingT5",
    "ScaleOffset",
    "Sinusoidal",
    "SinusoidalPositionEmbedding",
    "TokenSelect",
]
