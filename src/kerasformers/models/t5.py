"""T5 (T5.1.0, T5.1.1, mT5) and T5-PEGASUS: encoder, decoder and encoder-decoder.

Stated as data for the shared block: pre-norm RMS norms without bias (epsilon
1e-6), projections without bias, no score scaling, T5's bucketed relative
position bias (one table per stack, shared by all its layers), plain ReLU
(T5.1.0) or gated-GELU (T5.1.1, mT5) feed-forward. Layer names, inputs and
output order are bert4keras 0.11.5's (``Encoder-…``, ``Decoder-…``,
``Input-Context``).

Two numerics, chosen by ``numerics=`` (see docs/t5.md):

* ``'bert4keras'`` (default): what bert4keras computes, and so what models trained
  inside it (T5-PEGASUS, bert4keras fine-tunes of T5/mT5) were trained with: the
  decoder output is always scaled by ``hidden_size**-0.5``, cross-attention gets the
  decoder's causal position bias, ``'gelu'`` is the erf form, and decoder keys of
  token id 0 are masked like padding.
* ``'mesh_tf'``: Google's mesh-TensorFlow (and ``transformers``): the output scale
  only when the embeddings are tied (T5.1.0), no position bias in cross-attention,
  ``'gelu'`` is the tanh approximation, and the decoder is causal only (its start
  token is id 0).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

import keras
import numpy as np
from keras import ops

from kerasformers.cache_ops import as_cache, cache_view
from kerasformers.layers import AttentionMask, Embedding, RelativePositionEmbeddingT5, ScaleOffset
from kerasformers.layers.core import ClearMask
from kerasformers.models.transformer import Transformer

#: Values of ``numerics=``.
NUMERICS = ("bert4keras", "mesh_tf")
#: Values of ``version=`` (set from the model string by ``build_transformer_model``).
VERSIONS = ("t5.1.0", "t5.1.1", "mt5.1.1")


def _tanh_gelu(activation):
    """mesh-TF's ``'gelu'`` is the tanh approximation; other names stay as given."""
    if isinstance(activation, (list, tuple)):
        return [_tanh_gelu(a) for a in activation]
    return "gelu_tanh" if activation == "gelu" else activation


#: mesh-TF -> Hugging Face names (T5ForConditionalGeneration / MT5ForConditionalGeneration).
T5_HF_RULES = (
    (r"^shared/embedding$", "shared/weight"),
    (r"^(encoder|decoder)/(rms_norm|final_layer_norm)/scale$", r"\1/final_layer_norm/weight"),
    (r"^(encoder|decoder)/block_0*(\d+)/layer_0*(\d+)/", r"\1/block/\2/layer/\3/"),
    (r"/(rms_norm|layer_norm)/scale$", "/layer_norm/weight"),
    (r"/([qkvo])$", r"/\1/weight"),
    (r"/relative_attention_bias$", "/relative_attention_bias/weight"),
    (r"^decoder/logits/kernel$", "lm_head/weight"),
)


class T5_Base(Transformer):
    """Shared choices and checkpoint mapping of the T5 builders.

    Args:
        version: ``'t5.1.0'`` (ReLU FFN, tied output), ``'t5.1.1'`` (gated GELU,
            untied ``decoder/logits/kernel``, ``layer_norm`` names) or ``'mt5.1.1'``
            (as t5.1.1 with mT5's ``rms_norm`` names; T5-PEGASUS too).
        numerics: ``'bert4keras'`` or ``'mesh_tf'`` (see the module docstring).
        relative_attention_num_buckets: buckets of the relative position bias (32).
        relative_attention_max_distance: distance where buckets stop growing (128).
    """

    norm_placement = "pre"
    norm_kwargs = {"zero_mean": False, "offset": False, "epsilon": 1e-6}
    use_bias = False
    attention_scale = False
    position_bias = "t5_relative"
    applications = ("encoder",)
    hf_model_type = "t5"
    hf_rules = T5_HF_RULES
    # Attention projections (``.../q``), FFN kernels and the logits are ``[out, in]`` in HF files;
    # the relative position table is ``[buckets, heads]`` there and ``[heads, buckets]`` in mesh-TF's.
    hf_transposed = r"kernel$|/[qkvo]$|relative_attention_bias$"
    #: ``'Encoder'`` or ``'Decoder'``: the stack's layer-name prefix.
    stack = ""

    def hf_architecture(self) -> str:
        """The transformers class of a saved folder (``MT5...`` for ``version='mt5.1.1'``)."""
        return ("MT5" if self.version == "mt5.1.1" else "T5") + self.hf_head

    def __init__(
        self,
        version: str = "t5.1.0",
        numerics: str = "bert4keras",
        relative_attention_num_buckets: int = 32,
        relative_attention_max_distance: int = 128,
        **kwargs,
    ):
        if version not in VERSIONS:
            raise ValueError(f"T5 version={version!r} is unknown; valid values: {list(VERSIONS)}.")
        if numerics not in NUMERICS:
            raise ValueError(
                f"numerics={numerics!r} is unknown; use 'bert4keras' (models trained in bert4keras, T5-PEGASUS) "
                "or 'mesh_tf' (Google's checkpoints as released, transformers' T5)."
            )
        if numerics == "mesh_tf" and "hidden_act" in kwargs:
            # Before the base class reads it: there "gelu" becomes set_gelu()'s choice.
            kwargs["hidden_act"] = _tanh_gelu(kwargs["hidden_act"])
        super().__init__(**kwargs)
        self.version = version
        self.numerics = numerics
        self.relative_attention_num_buckets = relative_attention_num_buckets
        self.relative_attention_max_distance = relative_attention_max_distance
        self._positions: Dict[str, object] = {}

    # --- pieces shared by both stacks --------------------------------------------------
    def block_layer_name(self, kind: str, index: int) -> str:
        return f"{self.stack}-Transformer-{index}-{kind}"

    def apply_token_embeddings(self, token_ids):
        """``Embedding-Token`` (shared by encoder and decoder), dropout, optional mapping."""
        self._positions = {}
        x = self.apply(
            inputs=token_ids,
            layer=Embedding,
            input_dim=self.vocab_size,
            output_dim=self.embedding_size,
            embeddings_initializer=self.initializer,
            mask_zero=True,
            keep_first_token=True,
            name="Embedding-Token",
        )
        x = self.apply(
            inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name=f"{self.stack}-Embedding-Dropout"
        )
        if self.embedding_size != self.hidden_size:
            x = self.apply(
                inputs=x,
                layer=keras.layers.Dense,
                units=self.hidden_size,
                kernel_initializer=self.initializer,
                name=f"{self.stack}-Embedding-Mapping",
            )
        return x

    def relative_positions(self, q, k, key: str = "self"):
        """The stack's ``*-Embedding-Relative-Position`` bias for queries ``q`` over keys ``k``,
        computed once per model (``key`` tells self- from cross-attention). During a cached
        pass the queries are numbered from the cache index and the self-attention keys span
        the whole cache."""
        if key not in self._positions:
            if key == "self" and self._decoding is not None:
                k = self.cached_keys(self.block_layer_name("MultiHeadSelfAttention", 0))
            self._positions[key] = self.apply(
                inputs=[q, k],
                layer=RelativePositionEmbeddingT5,
                arguments=self.decoding_arguments(),
                input_dim=self.relative_attention_num_buckets,
                output_dim=self.num_attention_heads,
                max_distance=self.relative_attention_max_distance,
                bidirectional=self.stack == "Encoder",
                embeddings_initializer=self.initializer,
                name=f"{self.stack}-Embedding-Relative-Position",
            )
        return self._positions[key]

    def compute_attention_bias(self, inputs=None):
        # Padding is hidden through the Keras mask of the keys (mask_zero embeddings), as in bert4keras.
        return None

    def compute_position_bias(self, inputs=None):
        return self.relative_positions(inputs, inputs)

    def apply_output_norm(self, x):
        x = self.apply_norm(x, f"{self.stack}-Output-Norm")
        return self.apply(
            inputs=x, layer=keras.layers.Dropout, rate=self.dropout_rate, name=f"{self.stack}-Output-Dropout"
        )

    # --- checkpoints ------------------------------------------------------------------
    def load_variable(self, checkpoint, name: str) -> np.ndarray:
        value = super().load_variable(checkpoint, name)
        if name == "shared/embedding":
            return self.load_embeddings(value)
        if name == "decoder/logits/kernel":  # [H, V]: keep_tokens selects columns
            return self.load_embeddings(value.T).T
        if name.endswith("relative_attention_bias"):  # [heads, buckets] in the checkpoint
            return value.T
        return value

    def create_variable(self, name: str, value: np.ndarray) -> np.ndarray:
        return value.T if name.endswith("relative_attention_bias") else value

    def transformed_variables(self) -> frozenset:
        return frozenset(
            ["shared/embedding", "decoder/logits/kernel"]
            + [f"{s}/block_000/layer_000/SelfAttention/relative_attention_bias" for s in ("encoder", "decoder")]
        )

    def variable_mapping(self) -> Dict[str, List[str]]:
        """mesh-TF names: ``layer_norm``/``final_layer_norm`` (T5, T5.1.1) or ``rms_norm`` (mT5)."""
        mt5 = self.version == "mt5.1.1"
        norm, final_norm = ("rms_norm", "rms_norm") if mt5 else ("layer_norm", "final_layer_norm")
        ffn = ["wi_0/kernel", "wi_1/kernel", "wo/kernel"] if self.version != "t5.1.0" else ["wi/kernel", "wo/kernel"]
        mapping = {"Embedding-Token": ["shared/embedding"]}
        stacks = {
            "Encoder": [("MultiHeadSelfAttention", "SelfAttention"), ("FeedForward", "DenseReluDense")],
            "Decoder": [
                ("MultiHeadSelfAttention", "SelfAttention"),
                ("MultiHeadCrossAttention", "EncDecAttention"),
                ("FeedForward", "DenseReluDense"),
            ],
        }
        for stack, sublayers in stacks.items():
            scope = stack.lower()
            mapping[f"{stack}-Embedding-Relative-Position"] = [
                f"{scope}/block_000/layer_000/SelfAttention/relative_attention_bias"
            ]
            mapping[f"{stack}-Output-Norm"] = [f"{scope}/{final_norm}/scale"]
            for i in range(self.num_hidden_layers):
                for j, (kind, part) in enumerate(sublayers):
                    prefix = f"{scope}/block_{i:03d}/layer_{j:03d}/"
                    names = ffn if kind == "FeedForward" else list("qkvo")
                    mapping[f"{stack}-Transformer-{i}-{kind}"] = [f"{prefix}{part}/{n}" for n in names]
                    mapping[f"{stack}-Transformer-{i}-{kind}-Norm"] = [f"{prefix}{norm}/scale"]
        if self.version != "t5.1.0":
            mapping["Decoder-Output-LM"] = ["decoder/logits/kernel"]
        return mapping


class T5_Encoder(T5_Base):
    """T5's encoder: ``Encoder-Input-Token`` in, ``Encoder-Output-Norm``'s output out.

    Example:
        >>> enc = T5_Encoder(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        ...                  intermediate_size=32, hidden_act=["gelu", "linear"], version="t5.1.1")
        >>> enc.build()
        >>> enc.model.output_shape
        (None, None, 16)
    """

    stack = "Encoder"
    hf_head = "EncoderModel"

    def get_inputs(self):
        return keras.Input(shape=(self.sequence_length,), dtype="int32", name=self.prefixed("Encoder-Input-Token"))

    def apply_embeddings(self, inputs):
        return self.apply_token_embeddings(inputs)

    def apply_final_layers(self, inputs):
        return self.apply_output_norm(inputs)


class T5_Decoder(T5_Base):
    """T5's decoder: inputs ``[Input-Context, Decoder-Input-Token]``, output the token
    probabilities (``with_lm=True``), another activation's output (``with_lm='linear'``
    gives logits) or the last hidden state (``with_lm=False``).

    Args:
        with_lm: LM head and its activation (bert4keras's argument).
        cross_position_bias: add the causal position bias in cross-attention
            (default: True under ``numerics='bert4keras'``, False under ``'mesh_tf'``).
        logit_scale: multiply the final hidden state by ``hidden_size**-0.5``
            (``Decoder-Output-Scale``; default: always under ``'bert4keras'``,
            only for the tied T5.1.0 under ``'mesh_tf'``).

    Example:
        >>> dec = T5_Decoder(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        ...                  intermediate_size=32, hidden_act=["gelu", "linear"], version="t5.1.1")
        >>> dec.build()
        >>> [t.name for t in dec.model.inputs], dec.model.output_shape
        (['Input-Context', 'Decoder-Input-Token'], (None, None, 50))
    """

    stack = "Decoder"
    #: Its self-attention is causal: generation serves it from a key/value cache.
    attention_mask_mode = "lm"
    #: It cross-attends to an encoder output, whose keys/values generation computes once.
    cross_attention = True

    def hf_architecture(self) -> str:
        raise NotImplementedError(
            "transformers has no decoder-only T5 class: save the encoder-decoder model (model='t5...') instead."
        )

    def __init__(
        self,
        with_lm: Union[bool, str] = True,
        cross_position_bias: Optional[bool] = None,
        logit_scale: Optional[bool] = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        bert4keras = self.numerics == "bert4keras"
        self.with_lm = with_lm
        self.cross_position_bias = bert4keras if cross_position_bias is None else cross_position_bias
        tied = self.version == "t5.1.0"
        self.logit_scale = (bert4keras or tied) if logit_scale is None else logit_scale

    def get_inputs(self):
        context = keras.Input(
            shape=(self.sequence_length, self.hidden_size), name=self.prefixed("Input-Context")
        )
        tokens = keras.Input(shape=(self.sequence_length,), dtype="int32", name=self.prefixed("Decoder-Input-Token"))
        return [context, tokens]

    def apply_embeddings(self, inputs):
        context, token_ids = inputs
        x = self.apply_token_embeddings(token_ids)
        if self._decoding is not None:
            self._causal_mask = self._decoding.attention_bias  # the cache slots each new position sees
        else:
            # Causal here; padding keys come from the Keras mask under 'bert4keras' numerics
            # (position 0 always visible), which mesh-TF's decoder does not have.
            self._causal_mask = self.apply(
                inputs=token_ids, layer=AttentionMask, mode="lm", mask_padding=False, name="Attention-LM-Mask"
            )
        if self.numerics == "mesh_tf":
            x = self.apply(inputs=x, layer=ClearMask, name="Decoder-Embedding-Unmask")
        return [context, x]

    def apply_main_layers(self, inputs, index: int):
        context, x = inputs
        position = self.relative_positions(x, x)
        cross = self.relative_positions(x, context, "cross") if self.cross_position_bias else None
        x = self.apply_residual(
            x,
            self.block_layer_name("MultiHeadSelfAttention", index),
            lambda h: self.apply_attention(h, index, self._causal_mask, position),
            "pre",
        )
        cross_name = self.block_layer_name("MultiHeadCrossAttention", index)
        x = self.apply_residual(
            x, cross_name, lambda h: self.apply_attention(h, index, None, cross, memory=context, name=cross_name), "pre"
        )
        x = self.apply_residual(
            x, self.block_layer_name("FeedForward", index), lambda h: self.apply_feed_forward(h, index), "pre"
        )
        return [context, x]

    # --- cached decoding ----------------------------------------------------------------
    def cross_attention_names(self) -> List[str]:
        """Names of the cross-attention layers, whose keys/values :meth:`memories` computes."""
        return [self.prefixed(self.block_layer_name("MultiHeadCrossAttention", i)) for i in range(self.num_hidden_layers)]

    def memories(self, context) -> Dict[str, tuple]:
        """Cross-attention keys and values of the encoder output ``context`` for every block,
        ``{layer name: (k, v)}`` of flat head-major shape ``[batch * heads, context length, size]``: computed once
        per input, then read by every decoding step."""
        context = ops.convert_to_tensor(context, dtype=self.model.compute_dtype)
        memories = {}
        for name in self.cross_attention_names():
            layer = self.layers[name]
            memories[name] = (
                as_cache(layer._split_heads(layer.k_dense(context), layer.key_size)),
                as_cache(layer._split_heads(layer.v_dense(context), layer.head_size)),
            )
        return memories

    def call_cached(self, inputs: Sequence, caches: Dict[str, tuple], attention_bias, index, frozen=(), last=None):
        """:meth:`Transformer.call_cached` for the decoder: ``inputs`` are the new token ids only;
        ``caches`` hold the self-attention caches and the cross-attention :meth:`memories`."""
        names = self.cross_attention_names()
        # The first memory stands in for Input-Context: only its length is read (cross position bias).
        context = cache_view(caches[names[0]][0], self.num_attention_heads)  # [batch, context length, heads, size]
        return super().call_cached(
            [context, inputs[0]], caches, attention_bias, index, frozenset(frozen) | frozenset(names), last
        )

    def select_decoding_positions(self, x):
        # The decoder's blocks carry [context, hidden states]; only the hidden states are cut.
        context, hidden = x
        return [context, super().select_decoding_positions(hidden)]

    def apply_final_layers(self, inputs):
        x = self.apply_output_norm(inputs[1])
        if self.logit_scale:
            x = self.apply(
                inputs=x, layer=ScaleOffset, scale=self.hidden_size**-0.5, offset=False, name="Decoder-Output-Scale"
            )
        if not self.with_lm:
            return x
        if self.embedding_size != self.hidden_size:
            x = self.apply(
                inputs=x,
                layer=keras.layers.Dense,
                units=self.embedding_size,
                kernel_initializer=self.initializer,
                name="Decoder-Output-Mapping",
            )
        activation = "softmax" if self.with_lm is True else self.with_lm
        if self.version == "t5.1.0":
            x = self.apply(inputs=x, layer=Embedding, arguments={"mode": "dense"}, name="Embedding-Token")
            return self.apply(
                inputs=x, layer=keras.layers.Activation, activation=activation, name="Decoder-Output-LM-Activation"
            )
        return self.apply(
            inputs=x,
            layer=keras.layers.Dense,
            units=self.vocab_size,
            activation=activation,
            use_bias=False,
            kernel_initializer=self.initializer,
            name="Decoder-Output-LM",
        )


class T5(T5_Base):
    """Encoder-decoder T5: ``model`` maps ``[Encoder-Input-Token, Decoder-Input-Token]``
    to the decoder's output; ``encoder`` and ``decoder`` are the two halves as models
    (the decoder takes the encoder output as ``Input-Context``), sharing weights.

    Example:
        >>> t5 = T5(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        ...         intermediate_size=32, hidden_act=["gelu", "linear"], version="mt5.1.1")
        >>> t5.build()
        >>> [t.name for t in t5.model.inputs], t5.model.output_shape
        (['Encoder-Input-Token', 'Decoder-Input-Token'], (None, None, 50))
    """

    #: Keywords its decoder half reads (build_transformer_model checks typed keywords against these too).
    extra_config_keys = ("with_lm", "cross_position_bias", "logit_scale")

    @property
    def hf_head(self) -> str:
        return "ForConditionalGeneration" if self._decoder.with_lm else "Model"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        kwargs["layers"] = self.layers
        name = kwargs.pop("name", None)
        self._encoder = T5_Encoder(name=f"{name}_Encoder" if name else "Encoder", **kwargs)
        self._decoder = T5_Decoder(name=f"{name}_Decoder" if name else "Decoder", **kwargs)

    def build(self, **kwargs) -> None:
        if self.built:
            return
        self._encoder.build(**kwargs)
        self._decoder.build(**kwargs)
        self.encoder = self._encoder.model
        self.decoder = self._decoder.model
        self.set_inputs(self.encoder.inputs + self.decoder.inputs[1:])
        # The decoder's layers run again on the encoder's output, whose Keras mask
        # hides padded source positions from cross-attention.
        self.set_outputs(self._decoder.call(self.encoder.outputs + self.decoder.inputs[1:]))
        self.model = keras.Model(self.inputs, self.output, name=self.name)
        # generate() finds the encoder and decoder halves from the model; object.__setattr__ keeps
        # Keras from tracking the builder as model state.
        object.__setattr__(self.model, "_kerasformers_builder", self)
        self.built = True
