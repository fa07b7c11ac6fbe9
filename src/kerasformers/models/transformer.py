"""The shared Transformer builder: inputs, one block assembly, weight mapping hooks.

Architectures differ in a handful of choices (embeddings, position scheme, norm
kind and placement, biases, activations, heads). Subclasses state those choices
as class attributes and override the embedding/head methods; the attention and
feed-forward block is assembled once, here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import keras
import numpy as np

from kerasformers.backend import resolve_hidden_act
from kerasformers.layers import (
    Add,
    AttentionMask,
    FeedForward,
    LayerNormalization,
    MultiHeadAttention,
    RelativePositionEmbedding,
    SinusoidalPositionEmbedding,
)
from kerasformers.layers.graph import nearest_layer_input
from kerasformers.models.cached_decoding import CachedDecoding, DecodingPass
from kerasformers.models.keras_model import TransformerModel


#: ``application=`` strings and the self-attention mask each one selects.
APPLICATION_MASKS = {"encoder": "padding", "lm": "lm", "unilm": "unilm"}


class Transformer(CachedDecoding):
    """Base builder; ``build()`` creates ``self.model`` (a functional ``keras.Model``).

    Layers are created by name through :meth:`apply` and reused when the same
    name comes again, so weight sharing (ALBERT, tied embeddings) is a matter of
    naming, as in bert4keras.

    Example:
        >>> from kerasformers.models import BERT
        >>> bert = BERT(vocab_size=100, hidden_size=32, num_hidden_layers=2,
        ...             num_attention_heads=4, intermediate_size=64, hidden_act="gelu")
        >>> bert.build()
        >>> bert.model.output_shape
        (None, None, 32)
    """

    # --- architecture choices, overridden by subclasses -------------------------------
    #: Where each sublayer's LayerNorm goes: one value for both sublayers, or a dict
    #: ``{"attention": ..., "feed_forward": ...}``. Values: 'post' = Norm(x + f(x))
    #: (BERT, ``<sublayer>-Norm``); 'pre' = x + f(Norm(x)) (GPT-2, T5, ``<sublayer>-Norm``);
    #: 'pre_post' = Norm1(x + f(Norm0(x))) (GPT2_ML's FFN, ``-Norm-0``/``-Norm-1``);
    #: None = x + f(x) with no norm (GPT2_ML's attention).
    norm_placement: Any = "post"
    #: LayerNormalization arguments of every norm in the blocks.
    norm_kwargs: Dict[str, Any] = {"epsilon": 1e-12}
    #: Biases on the attention and feed-forward projections.
    use_bias = True
    #: Divide attention scores by sqrt(key size).
    attention_scale = True
    #: Position term inside attention: None (absolute embeddings only), 'rotary'
    #: (RoFormer: q and k rotated by ``Embedding-Rotary-Position``) or
    #: 'typical_relative' (NEZHA: ``Embedding-Relative-Position`` added to k and v).
    position_bias: Optional[str] = None
    #: Relative distances beyond this are clipped ('typical_relative'; NEZHA uses 64).
    max_relative_position = 64
    #: ``application=`` values the family supports (ELECTRA has no LM head).
    applications = ("encoder", "lm", "unilm")
    #: The family's self-attention mask: 'padding', 'lm' (causal) or 'unilm'. An explicit
    #: ``application=`` overrides it per instance (see :data:`APPLICATION_MASKS`).
    attention_mask_mode = "padding"
    #: The argument that gives the family the LM head ``application='lm'/'unilm'`` needs
    #: (bert4keras turns BERT's ``with_mlm`` on); None when the head is always there (GPT).
    application_head: Optional[str] = "with_mlm"
    #: ``hidden_act`` when the config names none.
    default_hidden_act = "gelu"
    #: Token id 0 is padding: hidden as a key (and masked from the token embedding).
    #: False where id 0 is a real token (OpenAI GPT-2's ``!``).
    mask_padding = True

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        num_hidden_layers: int,
        num_attention_heads: int,
        intermediate_size: int,
        hidden_act: str,
        dropout_rate: Optional[float] = None,
        attention_dropout_rate: Optional[float] = None,
        embedding_size: Optional[int] = None,
        attention_head_size: Optional[int] = None,
        attention_key_size: Optional[int] = None,
        sequence_length: Optional[int] = None,
        keep_tokens: Optional[Sequence[int]] = None,
        compound_tokens: Optional[Sequence] = None,
        residual_attention_scores: bool = False,
        layer_norm_eps: Optional[float] = None,
        ignore_invalid_weights: bool = False,
        mmap_weights: bool = True,
        autoresize_weights: bool = False,
        layers: Optional[Dict[str, keras.layers.Layer]] = None,
        prefix: Optional[str] = None,
        name: Optional[str] = None,
        application: Optional[str] = None,
        **kwargs,
    ):
        if application is not None:
            # An explicit application overrides the family's mask (GPT: 'lm') for this instance.
            application = str(application).lower()
            if application not in APPLICATION_MASKS:
                raise ValueError(f"Unknown application={application!r}; valid values: {sorted(APPLICATION_MASKS)}.")
            if application not in self.applications:
                raise ValueError(
                    f"application={application!r} is not available for {type(self).__name__}; "
                    f"valid values: {list(self.applications)}."
                )
            self.attention_mask_mode = APPLICATION_MASKS[application]
        self.application = application
        if autoresize_weights:
            raise ValueError(
                "autoresize_weights is not available in kerasformers 0.1: load a checkpoint whose shapes "
                "match the config (see docs/migration.md)."
            )
        if keep_tokens is not None:
            vocab_size = len(keep_tokens)
        if compound_tokens is not None:
            vocab_size += len(compound_tokens)
        if hidden_size % num_attention_heads and attention_head_size is None:
            raise ValueError(
                f"hidden_size {hidden_size} is not divisible by num_attention_heads {num_attention_heads}; "
                "pass attention_head_size explicitly."
            )
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.attention_head_size = attention_head_size or hidden_size // num_attention_heads
        self.attention_key_size = attention_key_size or self.attention_head_size
        self.intermediate_size = intermediate_size
        self.dropout_rate = dropout_rate or 0
        self.attention_dropout_rate = attention_dropout_rate or 0
        # set_gelu() decides what "gelu" means at construction time; the resolved name is what
        # the layers store, so a model never changes gelu after it is built.
        self.hidden_act = resolve_hidden_act(hidden_act)
        self.embedding_size = embedding_size or hidden_size
        self.sequence_length = sequence_length
        self.keep_tokens = keep_tokens
        self.compound_tokens = compound_tokens
        self.residual_attention_scores = residual_attention_scores
        if layer_norm_eps is not None:
            # A config's epsilon (Hugging Face configs state one) overrides the family default.
            self.norm_kwargs = dict(self.norm_kwargs, epsilon=float(layer_norm_eps))
        self.ignore_invalid_weights = ignore_invalid_weights
        # PyTorch: weights from safetensors use the file's pages (copy-on-write) instead of a copy.
        self.mmap_weights = mmap_weights
        self.layers = {} if layers is None else layers
        self.prefix = prefix or ""
        self.name = name
        self.built = False
        # Keyed by the id of the token-id tensor they come from, so that blocks reused on
        # another model's tensors (BERT-of-Theseus) take the mask of those tensors.
        self._attention_masks = {}
        self._position_tables = {}
        self._attention_scores = None
        self._decoding: Optional[DecodingPass] = None

    # --- building ---------------------------------------------------------------------
    def build(
        self,
        layer_norm_cond=None,
        layer_norm_cond_hidden_size: Optional[int] = None,
        layer_norm_cond_hidden_act: Optional[str] = None,
        additional_input_layers=None,
        **kwargs,
    ) -> None:
        """Create the Keras model in ``self.model``.

        Args:
            layer_norm_cond: a tensor ``[batch, c]`` that conditions every
                LayerNorm (conditional LayerNorm); its Dense deltas start at zero.
            layer_norm_cond_hidden_size: project the condition to this width first.
            layer_norm_cond_hidden_act: activation of that projection.
            additional_input_layers: extra ``keras.Input``s the model should take
                (e.g. the input the condition was computed from).
        """
        if self.built:
            return
        inputs = self.get_inputs()
        self.set_inputs(inputs, additional_input_layers)
        self.layer_norm_conds = [layer_norm_cond, layer_norm_cond_hidden_size, layer_norm_cond_hidden_act or "linear"]
        outputs = self.call(inputs)
        self.set_outputs(outputs)
        # A single output is passed unwrapped so that ``model.output`` is a tensor, as in
        # bert4keras (Keras 3 would keep a one-element list: ``Dense()(model.output)`` fails).
        self.model = TransformerModel(self.inputs, self.output, name=self.name)
        # Generation finds the builder (and so the cached decoding path) from a model's output, also through
        # models wrapped around this one; object.__setattr__ keeps Keras from tracking it as layer state.
        for output in self.outputs:
            object.__setattr__(output._keras_history.operation, "_kerasformers_builder", self)
        self.built = True

    def call(self, inputs):
        x = self.apply_embeddings(inputs)
        for index in range(self.num_hidden_layers):
            x = self.apply_main_layers(x, index)
        return self.apply_final_layers(self.select_decoding_positions(x))

    def prefixed(self, name: Optional[str]) -> Optional[str]:
        """``name`` with the model's ``prefix`` (e.g. ``'Predecessor-Embedding-Token'``)."""
        return None if name is None else self.prefix + name

    def apply(self, inputs=None, layer=None, arguments=None, **kwargs):
        """Create (first time) or reuse (same name) a layer and call it on ``inputs``.

        A Dropout of rate 0 is skipped entirely, as in bert4keras.
        """
        if layer is keras.layers.Dropout and kwargs.get("rate") == 0:
            return inputs
        arguments = arguments or {}
        name = self.prefixed(kwargs.pop("name"))
        kwargs["name"] = name
        if name not in self.layers:
            instance = layer(**kwargs)
            self.layers[name] = instance
        if inputs is None:
            return self.layers[name]
        return self.layers[name](inputs, **arguments)

    def get_inputs(self) -> List:
        raise NotImplementedError

    def apply_embeddings(self, inputs):
        raise NotImplementedError

    def apply_final_layers(self, inputs):
        raise NotImplementedError

    def set_inputs(self, inputs, additional_input_layers=None):
        """Record the model inputs (plus any extra ``keras.Input``s) as ``self.inputs``/``self.input``."""
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if additional_input_layers is not None:
            if not isinstance(additional_input_layers, (list, tuple)):
                additional_input_layers = [additional_input_layers]
            inputs.extend(additional_input_layers)
        self.inputs = inputs
        self.input = inputs[0] if len(inputs) == 1 else inputs

    def set_outputs(self, outputs):
        """Record the outputs as ``self.outputs`` and ``self.output`` (a tensor when there is one)."""
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self.outputs = outputs
        self.output = outputs[0] if len(outputs) == 1 else outputs

    @property
    def initializer(self):
        """TruncatedNormal(0.02), BERT's initializer, for layers with no checkpoint weights."""
        return keras.initializers.TruncatedNormal(stddev=0.02)

    # --- the shared block ---------------------------------------------------------------
    def block_layer_name(self, kind: str, index: int) -> str:
        """Name of a block sub-layer, e.g. ``Transformer-3-FeedForward``."""
        return f"Transformer-{index}-{kind}"

    def apply_norm(self, x, name: str, **overrides):
        """LayerNormalization named ``name``, conditional when the model has a condition."""
        cond, hidden_units, hidden_act = self.layer_norm_conds
        kwargs = dict(self.norm_kwargs, **overrides)
        inputs = x if cond is None else [x, cond]
        return self.apply(
            inputs=inputs,
            layer=LayerNormalization,
            conditional=cond is not None,
            hidden_units=hidden_units,
            hidden_activation=hidden_act,
            hidden_initializer=self.initializer,
            name=name,
            **kwargs,
        )

    def sublayer_norm_placement(self, kind: str) -> Optional[str]:
        """The :attr:`norm_placement` of ``kind`` ('attention' or 'feed_forward')."""
        placement = self.norm_placement
        if isinstance(placement, dict):
            placement = placement.get(kind, "post")
        if placement not in ("post", "pre", "pre_post", None):
            raise ValueError(
                f"norm_placement for {kind} must be 'post', 'pre', 'pre_post' or None, got {placement!r}."
            )
        return placement

    def apply_residual(self, x, name: str, sublayer, placement: Optional[str] = "post"):
        """``sublayer`` (a function of the normed or raw input) wrapped in
        dropout, residual add and the norms ``placement`` asks for (see :attr:`norm_placement`)."""
        both = placement == "pre_post"
        residual = x
        if placement in ("pre", "pre_post"):
            x = self.apply_norm(x, f"{name}-Norm-0" if both else f"{name}-Norm")
        y = sublayer(x)
        y = self.apply(inputs=y, layer=keras.layers.Dropout, rate=self.dropout_rate, name=f"{name}-Dropout")
        x = self.apply(inputs=[residual, y], layer=Add, name=f"{name}-Add")
        if placement in ("post", "pre_post"):
            x = self.apply_norm(x, f"{name}-Norm-1" if both else f"{name}-Norm")
        return x

    def apply_main_layers(self, inputs, index: int):
        """One Transformer block: self-attention then feed-forward, each wrapped by :meth:`apply_residual`."""
        mask = self.compute_attention_bias(inputs)
        position = self.compute_position_bias(inputs)
        x = self.apply_residual(
            inputs,
            self.block_layer_name("MultiHeadSelfAttention", index),
            lambda h: self.apply_attention(h, index, mask, position),
            self.sublayer_norm_placement("attention"),
        )
        return self.apply_residual(
            x,
            self.block_layer_name("FeedForward", index),
            lambda h: self.apply_feed_forward(h, index),
            self.sublayer_norm_placement("feed_forward"),
        )

    def apply_attention(self, x, index: int, mask=None, position=None, memory=None, name: Optional[str] = None):
        """The attention sub-layer of block ``index`` (without residual and norm).

        Self-attention by default (``Transformer-%d-MultiHeadSelfAttention``);
        with ``memory`` (an encoder output) and a ``name``, cross-attention from
        ``x`` to it, so a decoder block adds one without restating the block.
        ``mask`` is the attention mask or bias, ``position`` the tensor
        :attr:`position_bias` needs. During a cached pass (:meth:`call_cached`)
        the layer reads and updates the key/value cache stored under its name.
        """
        name = name or self.block_layer_name("MultiHeadSelfAttention", index)
        kv = x if memory is None else memory
        layer_inputs = [x, kv, kv]
        # Cross-attention takes a position term only when given one (T5 under bert4keras's numerics).
        arguments = {"a_bias": mask is not None, "p_bias": self.position_bias if position is not None else None}
        if mask is not None:
            layer_inputs.append(mask)
        previous_scores = self._attention_scores if memory is None else None
        if previous_scores is not None:
            # RealFormer: the previous layer's scores join this layer's before the softmax.
            layer_inputs.append(previous_scores)
            arguments["residual_scores"] = True
        if arguments["p_bias"] is not None and position is not None:
            layer_inputs.append(position)
        arguments.update(self.attention_cache_arguments(name))
        outputs = self.apply(
            inputs=layer_inputs,
            layer=MultiHeadAttention,
            arguments=arguments,
            heads=self.num_attention_heads,
            head_size=self.attention_head_size,
            out_dim=self.hidden_size,
            key_size=self.attention_key_size,
            use_bias=self.use_bias,
            attention_scale=self.attention_scale,
            attention_dropout=self.attention_dropout_rate or None,
            kernel_initializer=self.initializer,
            return_attention_scores=self.residual_attention_scores and memory is None,
            name=name,
        )
        if "cache" in arguments:
            outputs = self.store_attention_cache(name, outputs)
        if self.residual_attention_scores and memory is None:
            outputs, self._attention_scores = outputs
        return outputs

    def apply_feed_forward(self, x, index: int):
        """The feed-forward sub-layer of block ``index`` (``Transformer-%d-FeedForward``)."""
        return self.apply(
            inputs=x,
            layer=FeedForward,
            units=self.intermediate_size,
            activation=self.hidden_act,
            use_bias=self.use_bias,
            kernel_initializer=self.initializer,
            name=self.block_layer_name("FeedForward", index),
        )

    def mask_source_tensors(self, inputs):
        """The token ids (and segment ids) the tensor ``inputs`` was computed from.

        The functional graph behind ``inputs`` is searched for the nearest layer named
        ``*Embedding-Token`` (any prefix, any builder); its input holds the token ids. So
        :meth:`apply_main_layers` works on tensors other than this builder's own
        (BERT-of-Theseus); bert4keras carried the padding mask through Keras masking for
        the same purpose. Falls back to this builder's own inputs.
        """
        own = self.inputs[0], (self.inputs[1] if len(self.inputs) > 1 else None)
        if inputs is None:
            return own
        token_ids = nearest_layer_input(inputs, "Embedding-Token")
        if token_ids is None:
            return own
        return token_ids, nearest_layer_input(inputs, "Embedding-Segment")

    def compute_attention_bias(self, inputs=None):
        """The boolean self-attention mask of the tokens ``inputs`` was computed from (one per source)."""
        if self._decoding is not None:  # a cached pass brings the mask of the cache slots
            return self._decoding.attention_bias
        mode = self.attention_mask_mode
        token_ids, segment_ids = self.mask_source_tensors(inputs)
        if token_ids is None:
            return None
        key = id(token_ids)
        if key not in self._attention_masks:
            name = {"padding": "Attention-Mask", "lm": "Attention-LM-Mask", "unilm": "Attention-UniLM-Mask"}
            if mode == "unilm":
                if getattr(self, "segment_vocab_size", 0) <= 0 or segment_ids is None:
                    raise ValueError("application='unilm' needs segment ids; build with segment_vocab_size > 0.")
                mask_inputs = [token_ids, segment_ids]
            else:
                mask_inputs = token_ids
            self._attention_masks[key] = self.apply(
                inputs=mask_inputs, layer=AttentionMask, mode=mode, mask_padding=self.mask_padding, name=name[mode]
            )
        return self._attention_masks[key]

    def compute_position_bias(self, inputs=None):
        """The position tensor :attr:`position_bias` asks for, built once from the first block's input.

        None for absolute-position models; RoFormer's sin/cos table
        (``Embedding-Rotary-Position``, ``[1 or batch, len, key_size]``) for
        'rotary'; NEZHA's fixed relative table (``Embedding-Relative-Position``,
        ``[len, len, key_size]``) for 'typical_relative'.
        """
        key = id(self.mask_source_tensors(inputs)[0])
        table = self._position_tables.get(key)
        if table is None and self.position_bias == "rotary":
            position_ids = self.position_ids_input()
            table = self.apply(
                inputs=inputs if position_ids is None else [inputs, position_ids],
                layer=SinusoidalPositionEmbedding,
                output_dim=self.attention_key_size,
                arguments=self.decoding_arguments(),
                merge_mode="zero",
                custom_position_ids=position_ids is not None,
                name="Embedding-Rotary-Position",
            )
        elif table is None and self.position_bias == "typical_relative":
            # Keys span the whole cache during a cached pass: any cache tensor gives that length.
            keys = inputs if self._decoding is None else self.cached_keys()
            table = self.apply(
                inputs=[inputs, keys],
                layer=RelativePositionEmbedding,
                arguments=self.decoding_arguments(),
                input_dim=2 * self.max_relative_position + 1,
                output_dim=self.attention_key_size,
                embeddings_initializer="Sinusoidal",
                trainable=False,
                name="Embedding-Relative-Position",
            )
        self._position_tables[key] = table
        return table

    def position_ids_input(self):
        """The ``Input-Position`` tensor when the model takes custom position ids, else None."""
        return None

    # --- checkpoints ------------------------------------------------------------------
    def variable_mapping(self) -> Dict[str, List[str]]:
        """``{layer name: [checkpoint variable names]}`` in each layer's weight order."""
        return {}

    def checkpoint_view(self, reader):
        """The reader loading goes through; a family whose files need renaming or
        splitting before they fit its layers returns a view (OpenAI GPT-2)."""
        return reader

    def pack_checkpoint(self, variables: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        """Inverse of :meth:`checkpoint_view` for saving: the variables as the files store them."""
        return variables

    def load_variable(self, checkpoint, name: str) -> np.ndarray:
        """Read ``name`` from the checkpoint, applying the model's transform."""
        return np.asarray(checkpoint.get_tensor(name))

    def create_variable(self, name: str, value: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`load_variable`'s transform, for saving."""
        return value

    #: Hugging Face ``model_type`` and TF -> HF name rewrites; families set both (models/hf_weights.py).
    hf_model_type: Optional[str] = None
    hf_rules: Sequence = ()
    #: TF names (regex) whose HF tensor is the transpose: Dense kernels, plus any a family adds.
    hf_transposed: str = r"kernel$"

    def hf_architecture(self) -> str:
        """The transformers class name written into a saved ``config.json``."""
        raise NotImplementedError(f"{type(self).__name__} cannot be saved in Hugging Face format yet.")

    def transformed_variables(self) -> frozenset:
        """Checkpoint names whose value :meth:`load_variable` changes (shape included)."""
        return frozenset()

    def load_embeddings(self, embeddings: np.ndarray) -> np.ndarray:
        """Apply ``keep_tokens`` (row selection) and ``compound_tokens`` (appended
        rows, each a mean, optionally weighted, of existing rows)."""
        if self.keep_tokens is not None:
            keep = np.asarray(self.keep_tokens)
            bad = keep[(keep < 0) | (keep >= embeddings.shape[0])]
            if bad.size:
                raise ValueError(
                    f"keep_tokens holds id {int(bad[0])} but the checkpoint vocabulary has ids 0.."
                    f"{embeddings.shape[0] - 1}; was keep_tokens made from another vocab?"
                )
            embeddings = embeddings[keep]
        if self.compound_tokens is not None:
            rows = []
            for item in self.compound_tokens:
                if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], (list, tuple, np.ndarray)):
                    ids, weights = item
                else:
                    ids, weights = item, None
                rows.append(np.average(embeddings[list(ids)], axis=0, weights=weights))
            if rows:
                embeddings = np.concatenate([embeddings, np.stack(rows).astype(embeddings.dtype)], axis=0)
        return embeddings

    def load_weights_from_checkpoint(self, checkpoint, mapping=None):
        """Load a TF checkpoint (path, folder or ``{name: array}``) into the model.

        Returns a :class:`~kerasformers.models.weights.LoadReport`; raises
        :class:`~kerasformers.checkpoints.errors.CheckpointMismatchError` on missing or
        mis-shaped variables unless ``ignore_invalid_weights=True``.
        """
        from kerasformers.models.weights import load_weights_from_checkpoint

        return load_weights_from_checkpoint(self, checkpoint, mapping)

    def save_weights_as_checkpoint(self, filename: str, mapping=None, dtype=None) -> str:
        """Write the mapped weights as a TF V2 checkpoint TensorFlow can read."""
        from kerasformers.models.weights import save_weights_as_checkpoint

        return save_weights_as_checkpoint(self, filename, mapping, dtype)

    def save_weights_as_safetensors(self, folder: str, dtype=None) -> str:
        """Write ``config.json`` + ``model.safetensors`` that transformers' ``from_pretrained`` loads."""
        from kerasformers.models.hf_export import save_weights_as_safetensors

        return save_weights_as_safetensors(self, folder, dtype)
