"""Which nodes a drawing shows, in which order, and what part each one plays.

The order is the graph's forward order (every node after its inputs), which
makes node ids like ``v0, v1, ...`` the same on every run: the drawing never
depends on where objects happen to live in memory. Constants (numbers mixed
into an expression) are drawn too, next to the op that uses them, though
backprop skips them. A graph larger than ``max_nodes`` keeps the nodes
nearest to the output and remembers how many it left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from autograd import Node, topological_order

from .short_names import short_names
from .torch_graph import is_torch_tensor, mirror_torch_graph

OUTPUT = "output"
PARAMETER = "parameter"
LEAF = "leaf"
CONSTANT = "constant"
INTERMEDIATE = "intermediate"


@dataclass
class GraphView:
    """The nodes to draw (forward order), their ids, and the names of a model's parameters."""

    root: Node
    nodes: list[Node]
    total: int
    total_edges: int
    parameter_names: dict[Node, str] = field(default_factory=dict)
    name_key: dict[str, str] = field(default_factory=dict)  # letters of shortened names: {"l": "layers", ...}
    ids: dict[Node, str] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = {node: f"v{index}" for index, node in enumerate(self.nodes)}

    @property
    def hidden(self) -> int:
        """How many nodes of the graph are left out of the drawing."""
        return self.total - len(self.nodes)

    @property
    def hidden_edges(self) -> int:
        """How many input -> result edges of the graph are left out (those into a node not drawn)."""
        return self.total_edges - count_edges(self.nodes)

    def op_id(self, node: Node) -> str:
        """The id of the oval of the op that made ``node`` (``v7`` is made by ``op7``)."""
        return f"op{self.ids[node][1:]}"

    def edge_numbers_id(self, node: Node, position: int) -> str:
        """The id of the small node holding the numbers of the edge into ``node``'s op at input ``position``."""
        return f"{self.op_id(node)}e{position}"

    def role(self, node: Node) -> str:
        """``output``, ``parameter``, ``leaf`` (made by the user), ``constant`` or ``intermediate``."""
        if node is self.root:
            return OUTPUT
        if node in self.parameter_names:
            return PARAMETER
        if not node.requires_grad:
            return CONSTANT
        return LEAF if node.is_leaf else INTERMEDIATE

    def title(self, node: Node) -> str | None:
        """The name shown at the top of a node's box: its model name, else its label."""
        return self.parameter_names.get(node) or node.label


def forward_order(root: Node) -> list[Node]:
    """Every node ``root`` is computed from, inputs before results, constants included."""
    order: list[Node] = []
    seen: set[Node] = set()
    for node in topological_order(root) or [root]:
        for parent in node.parents:
            if parent not in seen:  # a constant: topological_order leaves it out
                seen.add(parent)
                order.append(parent)
        seen.add(node)
        order.append(node)
    return order


def count_edges(nodes: Iterable[Node]) -> int:
    """The edges into ``nodes``: one from each input of each node."""
    return sum(len(node.parents) for node in nodes)


def nearest_to_output(root: Node, limit: int) -> set[Node]:
    """The ``limit`` nodes fewest steps away from ``root`` (breadth-first over the inputs)."""
    kept = {root}
    queue = deque([root])
    while queue and len(kept) < limit:
        for parent in queue.popleft().parents:
            if parent not in kept and len(kept) < limit:
                kept.add(parent)
                queue.append(parent)
    return kept


def parameter_names(model: Any) -> dict[Node, str]:
    """``{parameter: dotted name}`` from anything with ``named_parameters()`` (an ``nn.Module``)."""
    if model is None:
        return {}
    named = getattr(model, "named_parameters", None)
    if not callable(named):
        raise TypeError(f"model must have a named_parameters() method (an nn.Module), got a {type(model).__name__}")
    return {parameter: name for name, parameter in _pairs(named())}


def _pairs(items: Iterable[Any]) -> Iterable[tuple[str, Node]]:
    for item in items:
        name, parameter = item
        if not isinstance(parameter, Node):
            raise TypeError(f"named_parameters() gave {name!r} as a {type(parameter).__name__}, not a Value or Tensor")
        yield name, parameter


def check_max_nodes(max_nodes: Any) -> None:
    """Refuse a ``max_nodes`` that is not a positive whole number or None, by name."""
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive whole number or None, got {max_nodes!r}")


def drawable(root: Any, model: Any) -> tuple[Node, Any]:
    """The graph node to draw for ``root`` and the model naming its parameters.

    A torch tensor is drawn through the tracegrad graph that mirrors it (its
    parameters named through the torch model); anything else must be a node.
    """
    if is_torch_tensor(root):
        return mirror_torch_graph(root, model)
    if not isinstance(root, Node):
        kind = type(root)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(
            f"viz draws an autograd Value or Tensor, got {name}: build the computation from "
            "autograd's Value or Tensor (from autograd import Value, Tensor) to draw it"
        )
    return root, model


def walk_graph(root: Node, max_nodes: int | None = None, model: Any = None) -> GraphView:
    """The view of ``root``'s graph a drawing shows: all of it, or the ``max_nodes`` nearest the output.

    Long parameter names are shortened (``layers.0.neurons.1.weights.2`` -> ``l0.n1.w2``).
    """
    root, model = drawable(root, model)
    check_max_nodes(max_nodes)
    order = forward_order(root)
    names, key = short_names(parameter_names(model))
    if max_nodes is None or len(order) <= max_nodes:
        return GraphView(root, order, len(order), count_edges(order), names, key)
    kept = nearest_to_output(root, max_nodes)
    drawn = [node for node in order if node in kept]
    return GraphView(root, drawn, len(order), count_edges(order), names, key)
