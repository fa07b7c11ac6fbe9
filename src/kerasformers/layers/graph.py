"""Walking a functional graph backwards from symbolic tensors."""

from __future__ import annotations

from typing import Optional

import keras


def nearest_layer_input(inputs, suffix: str, first_inputs_only: bool = False) -> Optional[keras.KerasTensor]:
    """The first input of the nearest call of a layer named ``*suffix`` behind ``inputs``, or None.

    Breadth-first over the graph of the symbolic tensor(s) ``inputs``, so the closest such
    call wins; used to find the token ids a hidden state was computed from. Calls on
    rank-3 inputs (an embedding reused as the tied output projection) are passed over.
    ``first_inputs_only`` follows each call's first input only: the main stream of a
    block (the residual of an ``Add``, the query of an attention, the ``x`` of a
    conditional norm), so a decoder output leads to the decoder's token ids, never to the
    encoder's through cross-attention.

    Example:
        >>> ids = keras.Input((None,), dtype="int32")
        >>> h = keras.layers.Dense(4)(keras.layers.Embedding(9, 8, name="Embedding-Token")(ids))
        >>> nearest_layer_input(h, "Embedding-Token") is ids
        True
    """
    seen, queue = set(), list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    while queue:
        history = getattr(queue.pop(0), "_keras_history", None)
        if history is None or (id(history[0]), history[1]) in seen:
            continue
        seen.add((id(history[0]), history[1]))
        node = history[0]._inbound_nodes[history[1]]
        # An embedding layer called on hidden states (rank 3) is the tied output projection, not a lookup.
        if history[0].name.endswith(suffix) and len(node.input_tensors[0].shape) < 3:
            return node.input_tensors[0]
        queue.extend(node.input_tensors[:1] if first_inputs_only else node.input_tensors)
    return None
