"""``draw``: a computational graph as a Graphviz picture, with every value and gradient.

Each value is a box holding its name, data and gradient; each op is a small
oval with the op's name, between the boxes of its inputs and its output.
Leaves the user made, a model's parameters, constants and the output have
their own colours. With ``show_local_grads=True`` every input -> op edge
carries the input's share (what backprop passes to it along that edge) and,
for an elementwise op, the local gradient d(out)/d(input), so the chain rule
can be checked by eye: upstream x local = share, and a value's gradient is
the sum of the shares on the edges leaving it. With ``check=True`` every op
is checked on its own by ``autograd.check_graph`` (its backward against
central differences of its forward), and an op that fails is drawn in red
with its error. A model's graph can be drawn
weight by weight or with one box per neuron or layer (``viz.levels``), and a
drawing names the leaves that changed since the output was computed
(``viz.changed_leaves``), so no two numbers on it contradict each other.
"""

from __future__ import annotations

import html
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from autograd import GraphCheck, Node, check_graph, plain

from .changed_leaves import find_changes
from .digraph import GraphDrawing
from .graph_walk import CONSTANT, INTERMEDIATE, LEAF, OUTPUT, PARAMETER, GraphView
from .levels import LAYERS, NEURONS, Box, Grouping, grouped_view
from .local_gradients import EdgeFlow, edge_flows
from .short_names import shorten
from .summaries import check_number_format, describe_array, summarize

RANKDIRS = ("LR", "TB")
GROUP = "group"
DEFAULT_MAX_NODES = 250

# Fill and border colour of each kind of box, and the legend's words for it.
ROLE_STYLES = {
    LEAF: ("#dcebfa", "#1f5f9e", "leaf (made by you)"),
    PARAMETER: ("#d9f2dc", "#2e7d32", "parameter"),
    OUTPUT: ("#ffe2bf", "#c25400", "output"),
    CONSTANT: ("#f4f4f4", "#9e9e9e", "no grad (data, constant)"),
    INTERMEDIATE: ("#ffffff", "#555555", "intermediate"),
    GROUP: ("#f1f8e9", "#2e7d32", "neuron or layer (one call)"),
}
LEVEL_NOTES = {  # by level, and by whether the boxes hold scalar neurons or tensor layers
    (NEURONS, "scalar"): "one box per neuron and call: its weights, products, sum and activation inside; the box "
    "shows the data and grad of its output (level='weights' draws every weight)",
    (NEURONS, "tensor"): "one box per layer and call: its matrix product, bias and activation inside; the box shows "
    "the data and grad of its output (level='weights' draws every op)",
    (LAYERS, "scalar"): "one box per layer and call: its neurons inside; the box shows the data and grad of its "
    "outputs (level='neurons' or 'weights' for more detail)",
    (LAYERS, "tensor"): "one box per layer and call: its ops inside; the box shows the data and grad of its output "
    "(level='weights' draws every op)",
}
GRAD_COLOR = "#b3261e"
OP_FILL = "#ececec"
FOCUS_FILL = "#fff176"
FOCUS_COLOR = "#d32f2f"
NOT_COMPUTED = "?"
CHECK_FAIL_FILL = "#ffcdd2"
CHECK_FAIL_COLOR = "#b71c1c"
MAX_NAMED_CHANGES = 6  # the caption names this many changed leaves (or groups of suspects), then counts the rest


@dataclass(frozen=True)
class DrawOptions:
    """How a graph is drawn: direction, local gradients on the edges, number format, the legend of box colours."""

    rankdir: str = "LR"
    show_local_grads: bool = False
    number_format: str = ".4g"
    role_legend: bool = True  # False where the page colours the boxes by something else (the training recorder)

    def __post_init__(self) -> None:
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {self.rankdir!r}")
        check_number_format(self.number_format)


@dataclass
class Focus:
    """What one backprop step emphasises: the node being worked on, its consumers, the nodes still waiting."""

    current: Node | None = None
    consumers: set[Node] = field(default_factory=set)
    pending: set[Node] = field(default_factory=set)


def _escape(text: str) -> str:
    return html.escape(_visible(text), quote=False)


def _visible(text: str) -> str:
    """``text`` with the characters an SVG cannot hold written as escapes (``\\x1b``): they would show nothing anyway.

    These are the control characters, lone surrogates and the two non-characters
    U+FFFE and U+FFFF (XML's rule, with the control characters it would allow).
    """
    return "".join(c.encode("unicode_escape").decode() if _unwritable(c) else c for c in text)


def _unwritable(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cs") or character in "\ufffe\uffff"


def _rows(rows: list[str], padding: int = 1) -> str:
    """An HTML-like Graphviz label: the rows one under the other."""
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{padding}">{cells}</TABLE>>'


class _Painter:
    """Turns a ``GraphView`` into DOT statements, one node or edge at a time."""

    def __init__(
        self,
        view: GraphView,
        options: DrawOptions,
        gradients: Mapping[Node, Any],
        focus: Focus,
        grouping: Grouping,
        check: GraphCheck | None,
    ):
        self.view = view
        self.options = options
        self.gradients = gradients
        self.focus = focus
        self.grouping = grouping
        self.box_ids = {box: f"g{index}" for index, box in enumerate(dict.fromkeys(grouping.boxes.values()))}
        self.flows_of: dict[Node, list[EdgeFlow]] = {}
        self.changes = find_changes(view.nodes)
        self.changed = set(self.changes.changed)
        self.check = check
        self.failing = {entry.node: entry for entry in check.failures} if check is not None else {}

    def summary(self, x: Any) -> str:
        return summarize(x, self.options.number_format)

    def paint(self) -> GraphDrawing:
        graph = GraphDrawing(name="backprop", format="svg")
        graph.attr(rankdir=self.options.rankdir, bgcolor="white", ordering="in", nodesep="0.25", ranksep="0.35")
        graph.attr("node", fontname="Helvetica", fontsize="11")
        graph.attr("edge", fontname="Helvetica", fontsize="9", color="#666666", arrowsize="0.7")
        for node in self.view.nodes:
            if node in self.grouping.inside:
                continue
            self.paint_value(graph, node)
            if node.op is not None:
                self.paint_op(graph, node)
        for box in dict.fromkeys(self.grouping.boxes.values()):
            self.paint_box(graph, box)
        if self.view.hidden:
            graph.node(
                "hidden",
                label=f"{self.view.hidden} more nodes\\nnot drawn",
                shape="note",
                style="dashed",
                color="#9e9e9e",
                fontcolor="#616161",
            )
        graph.attr(label=self.caption(), labelloc="b", fontsize="10", fontname="Helvetica")
        return graph

    def paint_value(self, graph: GraphDrawing, node: Node) -> None:
        role = self.view.role(node)
        fill, border, _ = ROLE_STYLES[role]
        attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": border, "margin": "0.1,0.05"}
        if role == CONSTANT:
            attrs.update(style="rounded,filled,dashed", fontcolor="#616161")
            if self.view.title(node) is None:  # a number mixed into an expression: small, beside its op
                attrs.update(fontsize="10", width="0.3", height="0.25")
        if role in (OUTPUT, PARAMETER):
            attrs["penwidth"] = "1.8"
        if node is self.focus.current:
            attrs.update(fillcolor=FOCUS_FILL, color=FOCUS_COLOR, penwidth="3")
        elif node in self.focus.consumers:
            attrs.update(color=FOCUS_COLOR, penwidth="2.5")
        graph.node(self.view.ids[node], label=self.value_label(node, role), **attrs)

    def value_label(self, node: Node, role: str) -> str:
        rows = []
        title = self.view.title(node) or (OUTPUT if role == OUTPUT else None)
        if title:
            rows.append(f"<B>{_escape(title)}</B>")
        array = describe_array(node.data)
        if array:
            rows.append(f'<FONT POINT-SIZE="9" COLOR="#616161">{_escape(array)}</FONT>')
        if node in self.changed:
            rows.append(f'<FONT COLOR="{FOCUS_COLOR}"><B>changed</B></FONT>')
        if role == CONSTANT:
            number = _escape(self.summary(node.data))
            rows.append(number if title is None else f"data {number}")
        else:
            rows.append(f"data {_escape(self.summary(node.data))}")
            rows.append(self.grad_row(node))
        return _rows(rows)

    def grad_row(self, node: Node) -> str:
        grad = self.gradients.get(node)
        # In a backprop step, a gradient backprop has not reached yet is not computed yet either.
        text = NOT_COMPUTED if grad is None or node in self.focus.pending else self.summary(grad)
        return f'<FONT COLOR="{GRAD_COLOR}">grad {_escape(text)}</FONT>'

    def paint_op(self, graph: GraphDrawing, node: Node) -> None:
        op_id = self.view.op_id(node)
        name = _visible(getattr(node.op, "name", None) or type(node.op).__name__)
        focused = node in self.focus.consumers
        attrs = {
            "fillcolor": OP_FILL,
            "color": FOCUS_COLOR if focused else "#888888",
            "penwidth": "2.5" if focused else "1",
        }
        failed = self.failing.get(node)
        if failed is not None:  # red, and the error written out: a second cue besides the colour
            attrs.update(fillcolor=CHECK_FAIL_FILL, color=CHECK_FAIL_COLOR, penwidth="2.5", fontcolor=CHECK_FAIL_COLOR)
            name = f"{name}\\nerror {self.summary(failed.error)}"
        graph.node(
            op_id,
            label=name,
            shape="ellipse",
            style="filled",
            fontsize="10",
            height="0.3",
            width="0.4",
            margin="0.04,0.02",
            **attrs,
        )
        flows = {flow.position: flow for flow in self.flows(node)}
        hidden_inputs = 0
        for position, parent in enumerate(node.parents):
            source = self.source_id(parent)
            if source == "hidden":  # one dashed edge for them all, below: an op may have thousands of inputs
                hidden_inputs += 1
                continue
            edge_attrs: dict[str, str] = {}
            if parent is self.focus.current and focused:
                edge_attrs.update(color=FOCUS_COLOR, penwidth="2.5")
            flow = flows.get(position)
            if flow is None:
                graph.edge(source, op_id, **edge_attrs)
                continue
            # The edge's numbers sit on a small node of their own, in the line from the input to the op,
            # so they cannot be read as a neighbouring edge's.
            label_id = self.view.edge_numbers_id(node, position)
            graph.node(label_id, label=self.flow_label(flow), shape="plain", fontsize="9")
            graph.edge(source, label_id, arrowhead="none", **edge_attrs)
            graph.edge(label_id, op_id, **edge_attrs)
        if hidden_inputs:
            count = {"label": f"{hidden_inputs} inputs", "fontsize": "9"} if hidden_inputs > 1 else {}
            graph.edge("hidden", op_id, style="dashed", **count)
        graph.edge(op_id, self.view.ids[node], color=FOCUS_COLOR if focused else "#666666")

    def source_id(self, node: Node) -> str:
        """The id of what an edge from ``node`` starts at: its box, the node itself, or the note on hidden nodes."""
        box = self.grouping.boxes.get(node)
        if box is not None:
            return self.box_ids[box]
        return self.view.ids.get(node, "hidden")

    def box_role(self, box: Box) -> str:
        """How a box is coloured: as the output when the graph's output is its own, else as a neuron or layer."""
        return OUTPUT if self.view.root in box.members else GROUP

    def paint_box(self, graph: GraphDrawing, box: Box) -> None:
        """One neuron or layer (one call of it): its name, what is inside, its output's data and grad."""
        fill, border, _ = ROLE_STYLES[self.box_role(box)]
        if any(member in self.failing for member in box.members):
            border = CHECK_FAIL_COLOR
        box_id = self.box_ids[box]
        graph.node(
            box_id,
            label=self.box_label(box),
            shape="box",
            style="rounded,filled",
            fillcolor=fill,
            color=border,
            penwidth="1.8",
            margin="0.1,0.05",
        )
        sources: dict[str, None] = {}
        for member in box.members:
            for parent in member.parents:
                from_box = self.grouping.boxes.get(parent)
                if from_box is not box and (from_box is not None or parent not in self.grouping.inside):
                    sources[self.source_id(parent)] = None
        for source in sources:
            graph.edge(source, box_id, **({"style": "dashed"} if source == "hidden" else {}))

    def box_label(self, box: Box) -> str:
        title = shorten(box.group) if self.view.name_key else box.group
        if box.call:
            title += f" (call {box.call})"
        parameters = {p for member in box.members for p in member.parents if p in self.view.parameter_names}
        last = box.outputs[-1] if box.outputs else box.members[-1]
        numbers = sum(np.size(p.data) for p in parameters)  # counted as numbers, as a model's size is
        count = f"{numbers:,} parameter{'' if numbers == 1 else 's'}"
        if len(last.parents) == 1 and last.op:  # an activation ends the box
            inside = f"{count}, then {last.op.name}"
        else:  # a linear neuron or layer ends with its sum
            inside = count if parameters else ""
        rows = [f"<B>{_escape(title)}</B>"]
        array = describe_array(box.outputs[0].data) if len(box.outputs) == 1 else None
        if array:
            rows.append(f'<FONT POINT-SIZE="9" COLOR="#616161">{_escape(array)}</FONT>')
        if inside:
            rows.append(f'<FONT POINT-SIZE="9" COLOR="#616161">{_escape(inside)}</FONT>')
        if parameters & self.changed:
            rows.append(f'<FONT COLOR="{FOCUS_COLOR}"><B>changed</B></FONT>')
        wrong = [self.failing[member].name for member in box.members if member in self.failing]
        if wrong:
            rows.append(
                f'<FONT COLOR="{CHECK_FAIL_COLOR}"><B>fails the gradient check: {_escape(", ".join(wrong))}</B></FONT>'
            )
        if len(box.outputs) == 1:
            rows.append(f"data {_escape(self.summary(box.outputs[0].data))}")
            rows.append(self.grad_row(box.outputs[0]))
        else:
            data, grad = self.box_numbers(box)
            rows.append(f"data {_escape(self.summary(data))}")
            text = NOT_COMPUTED if grad is None else self.summary(grad)
            rows.append(f'<FONT COLOR="{GRAD_COLOR}">grad {_escape(text)}</FONT>')
        return _rows(rows)

    def box_numbers(self, box: Box) -> tuple[Any, Any]:
        """The data and grad a box shows: its output's, or those of its several outputs side by side."""
        if len(box.outputs) == 1:
            return box.outputs[0].data, self.gradients.get(box.outputs[0])
        grads = [self.gradients.get(output) for output in box.outputs]
        data = np.array([plain(output.data) for output in box.outputs])
        return data, None if any(g is None for g in grads) else np.array([plain(g) for g in grads])

    def numbers(self) -> dict[str, DrawnNumbers]:
        """The data and grad of every box and value drawn with a grad row, by DOT id."""
        numbers = {}
        for node in self.view.nodes:
            if node not in self.grouping.inside and node.requires_grad:
                made_by = f"{node.op.name} result" if node.op else "leaf"
                name = self.view.title(node) or (OUTPUT if node is self.view.root else made_by)
                numbers[self.view.ids[node]] = DrawnNumbers(name, node.data, self.gradients.get(node), node)
        for box, box_id in self.box_ids.items():
            name = box.group + (f" (call {box.call})" if box.call else "")
            last = box.outputs[-1] if box.outputs else box.members[-1]
            numbers[box_id] = DrawnNumbers(name, *self.box_numbers(box), last)
        return numbers

    def flows(self, node: Node) -> list[EdgeFlow]:
        """The flows drawn on the edges into ``node``'s op (none unless edge labels are asked for)."""
        if not self.options.show_local_grads:
            return []
        if node not in self.flows_of:
            self.flows_of[node] = edge_flows(node, self.gradients.get(node))
        return self.flows_of[node]

    def flow_label(self, flow: EdgeFlow) -> str:
        """``local`` (elementwise ops only) and ``share``: the share hidden until backprop reaches the op."""
        rows = []
        if flow.local is not None:
            rows.append(f"local {_escape(self.summary(flow.local))}")
        share = NOT_COMPUTED if flow.share is None else self.summary(flow.share)
        color = "#ffffff" if flow.node in self.focus.pending else GRAD_COLOR
        rows.append(f'<FONT COLOR="{color}">share {_escape(share)}</FONT>')
        return _rows(rows, padding=0)

    def caption(self) -> str:
        """The legend (the kinds of boxes drawn) and any notes, as a small table under the graph."""
        kinds = {self.view.role(node) for node in self.view.nodes if node not in self.grouping.inside}
        kinds.update(self.box_role(box) for box in self.box_ids)  # (an output box had gone without its legend)
        roles = sorted(kinds, key=list(ROLE_STYLES).index)
        cells = [ROLE_STYLES[role] for role in roles] if self.options.role_legend else []
        if self.failing:
            cells.append((CHECK_FAIL_FILL, CHECK_FAIL_COLOR, "op failing the gradient check"))
        legend = "".join(
            f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="{border}">{words}</TD>' for fill, border, words in cells
        )
        rows = [f"<TR>{legend}</TR>"] if cells else []
        rows += [f'<TR><TD COLSPAN="{max(len(cells), 1)}">{_escape(note)}</TD></TR>' for note in self.notes()]
        return f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2">{"".join(rows)}</TABLE>>'

    def name(self, node: Node) -> str:
        """How a note names a node: its title, else what it is and its data."""
        title = self.view.title(node)
        if title:
            return title
        what = "leaf" if node.op is None else f"{node.op.name} result"
        return f"an unnamed {what} ({self.summary(node.data)})"

    def changed_note(self) -> str:
        """Which leaves changed since the output was computed, and what that means for the numbers drawn."""
        groups = [" or ".join(self.name(node) for node in group) for group in self.changes.suspects]
        shown = ", ".join(groups[:MAX_NAMED_CHANGES])
        if len(groups) > MAX_NAMED_CHANGES:
            shown += f" and {len(groups) - MAX_NAMED_CHANGES} more"
        return (
            f"changed since the output was computed: {shown}. The results drawn after them still show the "
            "forward (and grads) from before the change: compute the output again to see the new ones"
        )

    def notes(self) -> list[str]:
        notes = []
        if self.grouping.boxes:
            tensors = any(isinstance(node.data, np.ndarray) for node in self.grouping.boxes)
            notes.append(LEVEL_NOTES[self.grouping.level, "tensor" if tensors else "scalar"])
        if self.view.name_key:
            key = ", ".join(f"{letter} = {word}" for letter, word in self.view.name_key.items())
            notes.append(f"names shortened: {key}")
        titles = Counter(
            self.view.title(n) for n in self.view.nodes if n not in self.grouping.inside and n.requires_grad
        )
        repeated = sorted(title for title, times in titles.items() if title and times > 1)
        if repeated and not self.view.parameter_names:  # several boxes called w0: a model's labels, not its names
            shown = ", ".join(repeated[:4]) + (" ..." if len(repeated) > 4 else "")
            notes.append(f"the names {shown} are each on several boxes: draw with model= to name them by their place")
        if self.changes:
            notes.append(self.changed_note())
        if self.check is not None:
            notes.extend(self.check_notes())
        unknown = [n for n in self.view.nodes if n.requires_grad and self.gradients.get(n) is None]
        if any(getattr(n.op, "changed_in_place", False) for n in unknown):
            notes.append(
                f"grad {NOT_COMPUTED} on a value changed in place afterwards (x.mul_(2)): torch's .grad is the "
                "new value's"
            )
            unknown = [n for n in unknown if not getattr(n.op, "changed_in_place", False)]
        if unknown and all(getattr(n.op, "keeps_no_values", False) for n in unknown):
            notes.append(f"grad {NOT_COMPUTED}: torch keeps no values or gradients between its backward functions")
        elif unknown and self.gradients.get(self.view.root) is None:
            if any(self.gradients.get(n) is not None for n in self.view.nodes):  # backward() from a node inside
                notes.append(
                    f"grad {NOT_COMPUTED}: not computed from this output; the grads drawn are from a backward() "
                    "on another node, so they are not d(output)/d(node) (call backward() on the output)"
                )
            else:
                notes.append(f"grad {NOT_COMPUTED}: gradient not computed yet (call backward() on the output)")
        elif unknown:  # backward() ran, then some grads were set back to None
            notes.append(
                f"grad {NOT_COMPUTED}: no gradient now (cleared by zero_grad() since backward(), changed in place "
                "since, by an optimizer step say, or none reached it)"
            )
        if self.view.hidden:
            drawn = self.grouping.drawn(self.view.nodes)
            what = "boxes" if self.grouping.boxes else "nodes"
            notes.append(
                f"graph cut: showing the {drawn} {what} nearest the output; left out: "
                f"{self.view.hidden} of {self.view.total} nodes and {self.view.hidden_edges} of "
                f"{self.view.total_edges} edges (raise max_nodes to see more)"
            )
        if self.options.show_local_grads:
            notes.extend(self.edge_rules())
        return notes

    def check_notes(self) -> list[str]:
        """How many ops pass the gradient check, which fail (and where they are when not drawn), and how it was done."""
        check = self.check
        assert check is not None, "notes on a check are written only for a drawing with one"
        first = f"{check.passed} of {check.checked} ops pass the gradient check"
        if self.failing:
            drawn = set(self.view.nodes)
            named = [
                self.name(entry.node)
                + f" ({entry.name}, error {self.summary(entry.error)}{'' if entry.node in drawn else ', not drawn'})"
                for entry in check.failures
            ]
            first += (
                f"; red: {', '.join(named[:MAX_NAMED_CHANGES])}"
                + (f" and {len(named) - MAX_NAMED_CHANGES} more" if len(named) > MAX_NAMED_CHANGES else "")
                + ": the op's backward disagrees with central differences of its forward (error = the largest "
                "|analytic - numerical|)"
            )
        else:
            first += ": each op's backward agrees with central differences of its forward"
        return [first, *check.notes()]

    def edge_rules(self) -> list[str]:
        """The rule that holds on each kind of labelled edge drawn, and how the shares add up."""
        drawn = [node for node in self.view.nodes if node not in self.grouping.inside]
        flows = [flow for node in drawn for flow in self.flows(node)]
        rules = []
        if any(flow.local is not None for flow in flows):
            rules.append(
                "edge into an elementwise op: local = d(op output)/d(input); "
                "upstream grad (the op output's grad) × local = share, what the input receives along the edge"
            )
        others = sorted({flow.node.op.name for flow in flows if flow.local is None and flow.node.op})
        if others:
            rules.append(
                f"edge into {', '.join(others)}: share = the op's backward applied to the upstream grad "
                "(a vector-Jacobian product, not a product of numbers drawn)"
            )
        # A drawn value's shares add up to its grad, unless it has uses not drawn. (Values not drawn, and
        # grads shown as ?, make no claim.)
        boxes = set(drawn)
        received: dict[Node, Any] = {}
        for flow in flows:
            if flow.share is not None and flow.parent in boxes:
                received[flow.parent] = flow.share + received.get(flow.parent, 0.0)
        apart = [
            node
            for node, total in received.items()
            if self.gradients.get(node) is not None
            and not np.allclose(total, plain(self.gradients[node]), equal_nan=True)
        ]
        if apart:
            names = ", ".join(self.name(node) for node in apart[:5])
            rules.append(f"the grad of {names} also has parts from uses not drawn (or from other backward passes)")
        elif received:
            rules.append("a value's grad = the sum of the shares on the edges leaving it")
        return rules


def paint(
    view: GraphView,
    options: DrawOptions,
    gradients: Mapping[Node, Any],
    focus: Focus | None = None,
    grouping: Grouping | None = None,
    check: GraphCheck | None = None,
) -> GraphDrawing:
    """The drawing of ``view`` with the given gradients (and, for a backprop step, what it emphasises)."""
    return _Painter(view, options, gradients, focus or Focus(), grouping or Grouping(), check).paint()


class DrawnNumbers(NamedTuple):
    """What a drawing writes in one box with a grad row.

    ``name``: the value's or the neuron's (layer's) name, as on the box;
    ``node``: the value drawn, or a neuron's (last) output, whose op tells what
    the box ends with (a relu, a tanh...).
    """

    name: str
    data: Any
    grad: Any
    node: Node


def drawn_numbers(
    view: GraphView, gradients: Mapping[Node, Any], grouping: Grouping | None = None
) -> dict[str, DrawnNumbers]:
    """The numbers a drawing of ``view`` writes in each box with a grad row, by DOT id (``v8``, ``g0``)."""
    return _Painter(view, DrawOptions(), gradients, Focus(), grouping or Grouping(), None).numbers()


def draw(
    node: Node,
    rankdir: str = "LR",
    show_local_grads: bool = False,
    number_format: str = ".4g",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    model: Any = None,
    level: str | None = None,
    check: bool | GraphCheck = False,
) -> GraphDrawing:
    """Draw the graph that computed ``node``: a ``graphviz.Digraph`` that shows itself in Jupyter.

    ``rankdir``: ``"LR"`` (inputs on the left) or ``"TB"`` (inputs on top).
    ``show_local_grads``: write on each edge into an op what the input receives
    along it (its share of the gradient) and, for an elementwise op, the local
    gradient d(out)/d(input).
    ``number_format``: format spec of every number (``".4g"``, ``".2f"``, ...).
    ``max_nodes``: draw at most this many boxes, those nearest the output, and
    say how many were left out (None draws everything).
    ``model``: an object with ``named_parameters()`` (an ``nn.Module``) whose
    parameters are labelled with their dotted names and coloured as parameters.
    ``level``: with a model, ``"weights"`` (every node), ``"neurons"`` (one box
    per neuron and call) or ``"layers"`` (one box per layer and call); None
    picks the finest level that keeps the drawing readable.
    ``check``: True checks every op of the graph with ``autograd.check_graph``
    (or pass the report of a check you ran yourself); an op whose backward
    disagrees with its forward is drawn in red with its error, and the caption
    says how many ops pass.

    Gradients are read from ``.grad``: before any ``backward()`` they show as
    ``?`` with a note, never as zeros. ``.source`` gives the DOT text, which is
    the same for the same graph on every run; ``.pipe()``, ``.render()`` and
    ``.view()`` make pictures with the system ``dot`` or graphviz-pure (see
    ``viz.GraphDrawing``).
    """
    options = DrawOptions(rankdir, show_local_grads, number_format)
    view, grouping = grouped_view(node, max_nodes, model, level)
    if not isinstance(check, (bool, GraphCheck)):
        raise TypeError(f"draw(): check must be True, False or a report of autograd.check_graph, not {check!r}")
    report = check_graph(view.root) if check is True else (check if isinstance(check, GraphCheck) else None)
    return paint(view, options, {n: n.grad for n in view.nodes}, grouping=grouping, check=report)
