"""Levels of detail for a model's graph: every weight, one box per neuron, or one box per layer.

A level is a grouping of the nodes of the same graph, found from the model's
parameter names (``layers.1.neurons.2.weights.0`` belongs to the neuron
``layers.1.neurons.2`` and the layer ``layers.1``). A result that uses a
parameter of a group belongs to that group; so does a result made only from
the group's results (the running sum of a neuron) or one of autograd's
elementwise ops applied to one of them (its activation: tanh, relu...; only
one, so a loss's ops after it stay outside the box). Every call of a module is its own box: a neuron used
on three points is three boxes. At the level of layers the neurons of one
layer that read the same input are one box. A box shows its output's data
and grad; the parameters and ops inside it are not drawn.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Node

from .graph_walk import GraphView, check_max_nodes, drawable, parameter_names, walk_graph
from .local_gradients import is_elementwise

WEIGHTS = "weights"
NEURONS = "neurons"
LAYERS = "layers"
LEVELS = (WEIGHTS, NEURONS, LAYERS)
WHOLE_MODEL = "model"  # the group of a parameter that sits on the model itself
AUTO_LEVEL_BOXES = 40  # the default level of a model's drawing is the finest with at most this many boxes


def group_name(parameter_name: str, level: str) -> str:
    """The neuron or layer a parameter belongs to, from its dotted name.

    ``layers.0.neurons.1.weights.2``: neuron ``layers.0.neurons.1``, layer ``layers.0``.
    ``layers.2.weight``: neuron and layer ``layers.2`` (a tensor layer is its own neuron group).
    """
    parts = parameter_name.split(".")
    if level == NEURONS:  # the module that holds the parameter (or the list it is in)
        owner = parts[:-2] if len(parts) >= 2 and parts[-1].isdigit() else parts[:-1]
    elif len(parts) >= 3 and parts[1].isdigit():  # an item of a list of layers: layers.0
        owner = parts[:2]
    else:  # the model's own sub-module
        owner = parts[:1] if len(parts) > 1 else []
    return ".".join(owner) or WHOLE_MODEL


@dataclass(eq=False)
class Box:
    """One neuron or layer, one call of it: the results inside and the ones that leave it."""

    group: str
    members: list[Node] = field(default_factory=list)
    outputs: list[Node] = field(default_factory=list)
    call: int = 0  # which call of the group this is, counted from 1 when there are several


class _Calls:
    """Union-find over the boxes being formed: the results of one call of a group end up in one box.

    Two boxes that use the same parameter are two calls, so they are never joined.
    """

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.group: list[str] = []
        self.uses: list[set[Node]] = []

    def new(self, group: str, uses: set[Node]) -> int:
        self.parent.append(len(self.parent))
        self.group.append(group)
        self.uses.append(uses)
        return len(self.parent) - 1

    def find(self, box: int) -> int:
        while self.parent[box] != box:
            self.parent[box] = self.parent[self.parent[box]]
            box = self.parent[box]
        return box

    def join(self, boxes: list[int]) -> int | None:
        """One box made of ``boxes``, or None when two of them use the same parameter."""
        roots = sorted({self.find(box) for box in boxes})
        uses: set[Node] = set()
        for root in roots:
            if uses & self.uses[root]:
                return None
            uses |= self.uses[root]
        for other in roots[1:]:
            self.parent[other] = roots[0]
        self.uses[roots[0]] = uses
        return roots[0]


def declared_activations(model: Any, level: str) -> dict[str, str]:
    """The activation of each group whose module names it (a ``Neuron``'s ``activation``; ``"linear"`` is none)."""
    declared: dict[str, str] = {}
    for path, module in model.named_modules() if hasattr(model, "named_modules") else ():
        activation = getattr(module, "activation", None)
        if path and isinstance(activation, str):
            declared.setdefault(group_name(f"{path}.parameter", level), activation)
    return declared


def _owners(
    nodes: list[Node], parameter_group: Mapping[Node, str], level: str, declared: Mapping[str, str]
) -> tuple[dict[Node, int], _Calls]:
    """Which box each result belongs to (results outside every group are left out).

    ``declared``: the activation of the groups whose module names it; only
    that op is taken in as theirs (none for ``"linear"``).
    """
    calls = _Calls()
    owner: dict[Node, int] = {}
    activations: set[Node] = set()  # each box's activation, taken in: the op after it is not the box's
    for node in nodes:
        if node.op is None or node in parameter_group:
            continue
        groups = [parameter_group[p] for p in node.parents if p in parameter_group]
        inside = [calls.find(owner[p]) for p in node.parents if p in owner]
        if groups:  # a result that uses a parameter: its group's
            own = calls.new(groups[0], {p for p in node.parents if parameter_group.get(p) == groups[0]})
            same = [box for box in inside if calls.group[box] == groups[0]]
            joined = calls.join([own, *same]) if same else None
            owner[node] = own if joined is None else joined
            continue
        needing = [p for p in node.parents if p.requires_grad]
        if not needing or any(p not in owner for p in needing):
            continue
        if len({calls.group[calls.find(owner[p])] for p in needing}) != 1:
            continue
        group = calls.group[calls.find(owner[needing[0]])]
        activation = (  # tanh, relu, ...: one of autograd's elementwise ops, after a result that is not one
            len(node.parents) == 1
            and is_elementwise(node, node.parents[0])
            and node.parents[0] not in activations
            and type(node.op).__module__.startswith("autograd.")
            and declared.get(group, node.op.name) == node.op.name
        )
        if len(needing) >= 2 or activation:  # a sum of the group's results, or its activation
            joined = calls.join(inside)
            if joined is not None:
                owner[node] = joined
                if activation:
                    activations.add(node)
    if level == LAYERS:  # the neurons of one call of a layer read the same input: one box
        readers: dict[tuple[str, Node], int] = {}
        for node, box in list(owner.items()):
            for parent in node.parents:
                if parent in parameter_group or (parent in owner and calls.find(owner[parent]) == calls.find(box)):
                    continue
                key = (calls.group[calls.find(box)], parent)
                if key in readers:
                    calls.join([readers[key], box])  # left apart when it is another call of the layer
                else:
                    readers[key] = box
    return {node: calls.find(box) for node, box in owner.items()}, calls


@dataclass
class Grouping:
    """A level of detail over a graph's nodes: the box of each result inside a group, and what is not drawn."""

    level: str = WEIGHTS
    boxes: dict[Node, Box] = field(default_factory=dict)
    inside: set[Node] = field(default_factory=set)  # drawn as part of a box, not on their own

    def drawn(self, nodes: list[Node]) -> int:
        """How many boxes a drawing of ``nodes`` at this level holds."""
        return len(set(self.boxes.values())) + sum(node not in self.inside for node in nodes)


def group_nodes(
    root: Node,
    nodes: list[Node],
    parameter_names: Mapping[Node, str],
    level: str,
    declared: Mapping[str, str] | None = None,
) -> Grouping:
    """The boxes of ``level`` (``"neurons"`` or ``"layers"``) over the forward-ordered ``nodes`` of ``root``'s graph.

    ``declared``: the activations the model names (``declared_activations``).
    """
    if level == WEIGHTS:
        return Grouping()
    parameter_group = {node: group_name(name, level) for node, name in parameter_names.items()}
    owner, calls = _owners(nodes, parameter_group, level, declared or {})
    boxes: dict[int, Box] = {}
    for node in nodes:
        if node in owner:
            boxes.setdefault(owner[node], Box(calls.group[owner[node]])).members.append(node)
    consumers: dict[Node, list[Node]] = {}
    for node in nodes:
        for parent in node.parents:
            consumers.setdefault(parent, []).append(node)
    for key, box in boxes.items():
        box.outputs = [n for n in box.members if n is root or any(owner.get(c) != key for c in consumers.get(n, []))]
    calls_of: dict[str, list[Box]] = {}
    for box in boxes.values():
        calls_of.setdefault(box.group, []).append(box)
    for same_group in calls_of.values():
        if len(same_group) > 1:
            for number, box in enumerate(same_group, start=1):
                box.call = number
    inside = set(owner)
    for node in nodes:  # parameters and numbers that only the boxes use are drawn inside them
        used_by = consumers.get(node, [])
        unnamed_constant = not node.requires_grad and node.label is None and np.size(node.data) == 1
        if used_by and (node in parameter_group or unnamed_constant) and all(c in owner for c in used_by):
            inside.add(node)
    return Grouping(level, {node: boxes[key] for node, key in owner.items()}, inside)


def keep_nearest(root: Node, nodes: list[Node], grouping: Grouping, limit: int) -> tuple[list[Node], Grouping]:
    """The ``limit`` boxes nearest the output (breadth-first over the inputs), with the nodes inside them.

    How a grouped graph still larger than ``max_nodes`` is cut: whole boxes are
    kept or left out, so every box drawn shows its true output.
    """

    def unit(node: Node) -> object:
        return grouping.boxes.get(node, node)

    inputs: dict[object, dict[object, None]] = {}
    users: dict[Node, set[object]] = {}  # the boxes a parameter (or a number) inside them feeds
    for node in nodes:
        for parent in node.parents:
            if parent in grouping.inside and parent not in grouping.boxes:
                users.setdefault(parent, set()).add(unit(node))
            elif unit(parent) is not unit(node):
                inputs.setdefault(unit(node), {})[unit(parent)] = None
    kept = {unit(root)}
    queue = deque([unit(root)])
    while queue and len(kept) < limit:
        for feeding in inputs.get(queue.popleft(), {}):
            if feeding not in kept and len(kept) < limit:
                kept.add(feeding)
                queue.append(feeding)
    drawn = [node for node in nodes if unit(node) in kept or users.get(node, set()) & kept]
    boxes = {node: box for node, box in grouping.boxes.items() if box in kept}
    inside = grouping.inside.intersection(drawn)  # the members of boxes left out are left out, not inside a box
    return drawn, Grouping(grouping.level, boxes, inside)


def grouped_view(node: Node, max_nodes: int | None, model: Any, level: str | None) -> tuple[GraphView, Grouping]:
    """The nodes a drawing shows and their grouping: ``level`` as asked, or the finest level that stays readable.

    Without a model every node is drawn (levels need its parameter names). With one,
    the default is the finest level whose drawing has at most ``AUTO_LEVEL_BOXES`` boxes.
    A graph still larger than ``max_nodes`` at the level chosen is cut.
    """
    node, model = drawable(node, model)
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(repr, LEVELS))} or None (chosen for you), got {level!r}")
    if level not in (None, WEIGHTS) and model is None:
        raise ValueError(f"level={level!r} groups nodes by the model's parameter names: pass model= too")
    if model is None or level == WEIGHTS:
        return walk_graph(node, max_nodes, model), Grouping()
    check_max_nodes(max_nodes)
    whole = walk_graph(node, None, model)
    names = parameter_names(model)
    for candidate in [level] if level else [WEIGHTS, NEURONS, LAYERS]:
        grouping = group_nodes(node, whole.nodes, names, candidate, declared_activations(model, candidate))
        drawn = grouping.drawn(whole.nodes)
        if level or drawn <= AUTO_LEVEL_BOXES:
            break
    if max_nodes is None or drawn <= max_nodes:
        return whole, grouping
    if not grouping.boxes:
        return walk_graph(node, max_nodes, model), grouping
    kept, grouping = keep_nearest(node, whole.nodes, grouping, max_nodes)
    return GraphView(node, kept, len(whole.nodes), whole.total_edges, whole.parameter_names, whole.name_key), grouping
