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
from functools import cached_property
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


@dataclass(frozen=True)
class HiddenTerms:
    """The parts of a node's gradient passed back by ops a cut-down drawing leaves out, added up as one term."""

    count: int
    total: Any


@dataclass(frozen=True, eq=False)
class BackpropCanvas:
    """What every step of one backward pass is drawn on: the graph's view, the options, all the gradients."""

    view: GraphView
    options: DrawOptions
    gradients: Mapping[Node, Any]
    order: list[Node]  # the drawn nodes in the order backprop completes them

    def paint(self, focus: Focus | None = None) -> GraphDrawing:
        """The whole graph with every gradient, or one step's picture when ``focus`` is given."""
        return paint(self.view, self.options, self.gradients, focus)


@dataclass
class BackpropStep:
    """The step of backprop that completes one node's gradient."""

    index: int
    node: Node
    name: str
    gradient: Any
    terms: list[ChainTerm]
    hidden_terms: HiddenTerms | None
    text: str
    canvas: BackpropCanvas = field(repr=False, compare=False)

    @cached_property
    def drawing(self) -> GraphDrawing:
        """This step on its own: the node highlighted, the gradients backprop has not reached yet shown as ``?``."""
        pending = set(self.canvas.order[self.index + 1 :])
        return self.canvas.paint(Focus(self.node, {term.consumer for term in self.terms}, pending))

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
        what = "leaf" if node.op is None else f"{self.expression(node) or node.op.name} node"
        if isinstance(node.data, np.ndarray) and node.data.size > 1:
            return f"the {what} of shape {node.data.shape}"
        return f"the {what} (data {self.value(node.data)})"

    def expression(self, node: Node) -> str | None:
        """``x * w`` or ``tanh(n)``: an op node written from its inputs' names, when each has one (or is a number)."""
        if node.op is None:
            return None
        parts = []
        for parent in node.parents:
            title = self.view.title(parent)
            if title is None and parent.op is None and not parent.requires_grad and np.size(parent.data) == 1:
                title = self.value(parent.data)  # a constant such as the 2 of 2 * x
            if not title:
                return None
            parts.append(title)
        name = node.op.name
        if len(parts) == 2 and not name.isidentifier():  # +, *, **: between its inputs
            return f"{parts[0]} {name} {parts[1]}"
        return f"{name}({', '.join(parts)})" if parts and name.isidentifier() else None

    def source(self, term: ChainTerm) -> str:
        """Where a part of the gradient comes from: the op's output (and the op, if the name does not say it)."""
        if self.view.title(term.consumer):
            return f"from {self.name(term.consumer)} via {term.op_name}"
        return f"from {self.name(term.consumer)}"

    def sentence(self, node: Node, gradient: Any, terms: list[ChainTerm], hidden: HiddenTerms | None) -> str:
        name = self.name(node)
        if node is self.view.root:  # (drawn as "output" when it has no name of its own)
            start = f"{name} is the output" if self.view.title(node) else f"output, {name}"
            return f"{start}: its gradient with respect to itself is {self.value(gradient)}."
        if not terms and hidden is None:
            return f"{name}: no gradient reaches it."
        total = self.value(gradient)
        if all(np.ndim(t.upstream) == 0 and np.ndim(t.downstream) == 0 for t in terms) and np.ndim(gradient) == 0:
            parts = [f"{self.value(t.upstream)} × {self.value(t.local)} ({self.source(t)})" for t in terms]
            if hidden is not None:
                parts.append(f"{self.value(hidden.total)} ({self.not_drawn(hidden.count)}, added up)")
            return f"grad of {name} = upstream × local = {' + '.join(parts)} = {total}"
        # For arrays upstream x local is a product of Jacobians (a matrix product, a sum over a broadcast
        # axis...), so the sentence names the op whose backward computes it instead.
        parts = [
            f"{t.op_name}'s backward turns the upstream {self.value(t.upstream)} ({self.source(t)}) "
            f"into {self.value(t.downstream)}"
            for t in terms
        ]
        if hidden is not None:
            parts.append(f"{self.not_drawn(hidden.count)} add up to {self.value(hidden.total)}")
        if len(parts) == 1:
            return f"grad of {name}: {parts[0]}"
        return f"grad of {name} = the sum of: {'; '.join(parts)}; total {total}"

    @staticmethod
    def not_drawn(count: int) -> str:
        return "1 term from a node not drawn" if count == 1 else f"{count} terms from nodes not drawn"


def _consumers(nodes: list[Node]) -> dict[Node, list[tuple[Node, int]]]:
    """For every node, the (op output, input position) pairs that use it."""
    users: dict[Node, list[tuple[Node, int]]] = {node: [] for node in nodes}
    for node in nodes:
        for position, parent in enumerate(node.parents):
            users.setdefault(parent, []).append((node, position))
    return users


def _seed(output: Node) -> Any:
    """What the steps start from: the output's gradient once ``backward()`` gave it one, else 1 for a single number."""
    if output.grad is not None:
        return output.grad
    if np.size(output.data) != 1:
        raise ValueError(
            f"backprop steps from an output of shape {np.shape(output.data)} start from its gradient: call "
            "backward(gradient) on it first, or step from one number (its .sum() or .mean())"
        )
    return None


def backprop_steps(
    node: Node,
    rankdir: str = "LR",
    show_local_grads: bool = True,
    number_format: str = ".4g",
    max_nodes: int | None = DEFAULT_MAX_STEP_NODES,
    model: Any = None,
) -> list[BackpropStep]:
    """The frames of a backward pass from ``node``: one per node that gets a gradient, output first.

    Every frame is the same graph (``viz.backprop_player`` lays it out once),
    with the gradients backprop has not reached yet shown as ``?``, so stepping
    through them looks like backprop filling in the graph. The options are those
    of ``viz.draw``. For a graph larger than ``max_nodes`` only the drawn nodes
    get frames, and the parts of a gradient that come from nodes not drawn are
    added up as one more term, so every sum on the screen adds up.
    """
    options = DrawOptions(rankdir, show_local_grads, number_format)
    view = walk_graph(node, max_nodes, model)
    node = view.root  # a torch tensor is stepped through on the graph that mirrors it
    gradients: Mapping[Node, Any] = backprop(node, _seed(node)) if node.requires_grad else {}
    drawn = set(view.nodes)
    backward_order = list(reversed(topological_order(node)))
    order = [n for n in backward_order if n in drawn]
    users = _consumers(backward_order)  # every use of a node, drawn or not
    canvas = BackpropCanvas(view, options, gradients, order)
    writer = _StepWriter(view, number_format)
    local: dict[Node, tuple[Any, ...]] = {}
    passed_back: dict[Node, tuple[Any, ...]] = {}
    steps = []
    for index, current in enumerate(order):
        terms, hidden = [], []
        for consumer, position in users.get(current, []):
            upstream = gradients.get(consumer)
            if upstream is None:
                continue
            if consumer not in passed_back:
                passed_back[consumer] = backward_contributions(consumer, upstream)
            downstream = passed_back[consumer][position]
            if consumer not in drawn:
                hidden.append(downstream)
                continue
            if consumer not in local:
                local[consumer] = local_gradients(consumer)
            name = consumer.op.name if consumer.op else ""  # a consumer is always an op's result
            terms.append(ChainTerm(consumer, name, upstream, local[consumer][position], downstream))
        hidden_terms = HiddenTerms(len(hidden), sum(hidden)) if hidden else None
        gradient = gradients.get(current)
        steps.append(
            BackpropStep(
                index=index,
                node=current,
                name=writer.name(current),
                gradient=gradient,
                terms=terms,
                hidden_terms=hidden_terms,
                text=writer.sentence(current, gradient, terms, hidden_terms),
                canvas=canvas,
            )
        )
    return steps
