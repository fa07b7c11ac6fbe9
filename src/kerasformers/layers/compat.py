"""Keras-2 layer methods that bert4keras scripts call on the builder's layers."""

from __future__ import annotations

import keras


class NodeAccessMixin:
    """``get_output_at(i)`` / ``get_input_at(i)``: the output / input of the layer's ``i``-th call.

    Keras 3 dropped these. Scripts use them to read a Transformer block's output
    (``model.get_layer('Transformer-11-FeedForward-Norm').get_output_at(11)``): under
    Keras 2.3 bert4keras' layers recorded one call per block, under Keras 3 the builder
    calls each layer once. So a layer called once answers every index with that call,
    and a layer called several times takes the index as in Keras 2 (negative counts from
    the end) and raises ``IndexError`` naming how many calls it has.

    Example:
        >>> x = keras.Input((3,))
        >>> add = Add()
        >>> y = add([x, x])
        >>> add.get_output_at(11) is y and add.get_input_at(-1)[0] is x
        True
    """

    def _call_at(self, node_index: int, what: str):
        nodes = self._inbound_nodes
        if not nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called, so it has no {what}.")
        if len(nodes) == 1:
            node = nodes[0]
        else:
            try:
                node = nodes[node_index]
            except IndexError:
                raise IndexError(
                    f"get_{what}_at({node_index}): layer {self.name!r} was called {len(nodes)} times; "
                    f"pass an index in [{-len(nodes)}, {len(nodes) - 1}]."
                ) from None
        values = node.output_tensors if what == "output" else node.input_tensors
        return values[0] if len(values) == 1 else list(values)

    def get_output_at(self, node_index: int):
        """The output of the ``node_index``-th call (any index when the layer was called once)."""
        return self._call_at(node_index, "output")

    def get_input_at(self, node_index: int):
        """The input(s) of the ``node_index``-th call (any index when the layer was called once)."""
        return self._call_at(node_index, "input")


@keras.saving.register_keras_serializable(package="kerasformers")
class Add(NodeAccessMixin, keras.layers.Add):
    """``keras.layers.Add`` with :class:`NodeAccessMixin` (the residual ``*-Add`` layers of the builder).

    Example:
        >>> float(Add()([keras.ops.ones((1,)), keras.ops.ones((1,))])[0])
        2.0
    """
