"""Backprop one node at a time: the frames of a backward pass, in the order it runs.

Backprop visits the nodes from the output back to the inputs. When it reaches
a node, every op that used the node has already received its own gradient
(the *upstream* gradient); each passes back upstream x local gradient, and
the node's gradient is the sum of what it receives. Each ``BackpropStep``
shows one such node: its drawing highlights the node, the ops it feeds and
the edges the gradient comes back along, and ``text`` spells out the sum.

The gradients come from one ``autograd.backprop`` pass and the parts of each
sum from the ops' own ``backward``, so the frames show exactly what
``backward()`` computes. Nothing in the graph is changed: ``.grad`` stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Node, backprop, topological_order

from .graph_drawing import DrawOptions, Focus, GraphDrawing, paint
from .graph_walk import GraphView, walk_graph
from .local_gradients import backward_contributions, local_gradients
from .summaries import summarize

DEFAULT_MAX_STEP_NODES = 60


@dataclass(frozen=True)
class ChainTerm:
    """One part of a node's gradient: what one op that used the node passes back to it."""

    consumer: Node  # the op's output, whose gradient is the upstream gradient
    op_name: str
    upstream: Any  # d(output)/d(consumer)
    local: Any  # d(consumer)/d(node), the op's local gradient
    downstream: Any  # upstream x local, as the op's backward computes it


@dataclass
class BackpropStep:
    """The step of backprop that completes one node's gradient."""

    index: int
    node: Node
    name: str
    gradient: Any
    terms: list[ChainTerm]
    text: str
    drawing: GraphDrawing = field(repr=False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.drawing._repr_mimebundle_(include, exclude)
        bundle["text/plain"] = self.text
        return bundle


class _StepWriter:
    """Names nodes and writes each step's sentence with the drawing's number format."""

    def __init__(self, view: GraphView, number_format: str):
        self.view = view
        self.number_format = number_format

    def value(self, x: Any) -> str:
        text = summarize(x, self.number_format)
        return f"({text})" if "," in text else text  # "mean 1, norm 2" inside a sentence

    def name(self, node: Node) -> str:
        title = self.view.title(node)
        if title:
            return title
        what = "leaf" if node.op is None else f"{node.op.name} node"
        if isinstance(node.data, np.ndarray) and node.data.size > 1:
            return f"the {what} of shape {node.data.shape}"
        return f"the {what} (data {self.value(node.data)})"

    def source(self, term: ChainTerm) -> str:
        """Where a part of the gradient comes from: the op's output (and the op, if the name does not say it)."""
        if self.view.title(term.consumer):
            return f"from {self.name(term.consumer)} via {term.op_name}"
        return f"from {self.name(term.consumer)}"

    def sentence(self, node: Node, gradient: Any, terms: list[ChainTerm]) -> str:
        name = self.name(node)
        if node is self.view.root:
            return f"{name} is the output: its gradient with respect to itself is {self.value(gradient)}."
        if not terms:
            return f"{name}: no gradient reaches it."
        total = self.value(gradient)
        if all(np.ndim(t.upstream) == 0 and np.ndim(t.downstream) == 0 for t in terms):
            parts = [f"{self.value(t.upstream)} × {self.value(t.local)} ({self.source(t)})" for t in terms]
            return f"grad of {name} = upstream × local = {' + '.join(parts)} = {total}"
        # For arrays upstream x local is a product of Jacobians (a matrix product, a sum over a broadcast
        # axis...), so the sentence names the op whose backward computes it instead.
        parts = [
            f"{t.op_name}'s backward turns the upstream {self.value(t.upstream)} ({self.source(t)}) "
            f"into {self.value(t.downstream)}"
            for t in terms
        ]
        if len(parts) == 1:
            return f"grad of {name}: {parts[0]}"
        return f"grad of {name} = the sum of: {'; '.join(parts)}; total {total}"


def _consumers(nodes: list[Node]) -> dict[Node, list[tuple[Node, int]]]:
    """For every node, the (op output, input position) pairs that use it."""
    users: dict[Node, list[tuple[Node, int]]] = {node: [] for node in nodes}
    for node in nodes:
        for position, parent in enumerate(node.parents):
            users.setdefault(parent, []).append((node, position))
    return users


def backprop_steps(
    node: Node,
    rankdir: str = "LR",
    show_local_grads: bool = True,
    number_format: str = ".4g",
    max_nodes: int | None = DEFAULT_MAX_STEP_NODES,
    model: Any = None,
) -> list[BackpropStep]:
    """The frames of a backward pass from ``node``: one per node that gets a gradient, output first.

    Every frame is drawn with the same layout (a gradient not reached yet is
    hidden, not left out), so stepping through them looks like backprop
    filling in the graph. The options are those of ``viz.draw``; for a graph
    larger than ``max_nodes`` only the drawn nodes get frames.
    """
    options = DrawOptions(rankdir, show_local_grads, number_format)
    view = walk_graph(node, max_nodes, model)
    gradients: Mapping[Node, Any] = backprop(node) if node.requires_grad else {}
    drawn = set(view.nodes)
    order = [n for n in reversed(topological_order(node)) if n in drawn]
    users = _consumers(view.nodes)
    writer = _StepWriter(view, number_format)
    passed_back: dict[Node, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
    steps = []
    for index, current in enumerate(order):
        terms = []
        for consumer, position in users.get(current, []):
            upstream = gradients.get(consumer)
            if upstream is None:
                continue
            if consumer not in passed_back:
                passed_back[consumer] = (local_gradients(consumer), backward_contributions(consumer, upstream))
            locals_, downstream = passed_back[consumer]
            terms.append(ChainTerm(consumer, consumer.op.name, upstream, locals_[position], downstream[position]))
        gradient = gradients.get(current)
        focus = Focus(current, {t.consumer for t in terms}, set(order[index + 1 :]))
        steps.append(
            BackpropStep(
                index=index,
                node=current,
                name=writer.name(current),
                gradient=gradient,
                terms=terms,
                text=writer.sentence(current, gradient, terms),
                drawing=paint(view, options, gradients, focus),
            )
        )
    return steps
