"""Checks for the exercises of notebook 08, where a learner builds a micrograd-style ``Value`` of their own.

The learner's ``Value`` keeps its data in ``.data``, its gradient in
``.grad``, the nodes it was made from in ``._prev``, the op's name in
``._op`` ("+", "*", "tanh", "**2") and a closure ``._backward`` that adds
the node's share of the gradient into its children. Each check builds a small
graph with the learner's code, builds the same graph with tracegrad's own
``Value`` (the reference), compares the numbers, and prints one line: a tick
when all agree, or a hint that names the first node or number that differs.
A check never raises: an unfinished exercise (``NotImplementedError``) or a
bug in the learner's code becomes a hint, so a notebook runs on to the end.

``mirror`` turns a learner's graph into a tracegrad graph whose ops run the
learner's own forward and ``_backward``, so ``check_graph`` can say which of
the learner's ops is wrong, and ``viz.draw`` can draw the learner's graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .check_graph import check_graph
from .function import Function
from .graph import Node, grad
from .value import Value as ReferenceValue

PASSED = "✓"
HINT = "✗ hint:"


class _Hint(Exception):
    """A finding to tell the learner; raised inside a check, printed by ``_run``."""


def _run(title: str, check: Callable[[], str]) -> None:
    """Run one check and print its verdict: the tick and what was checked, or the hint."""
    try:
        print(f"{PASSED} {title}: {check()}")
    except _Hint as hint:
        print(f"{HINT} {title}: {hint}")


def _call(what: str, function: Callable, *args: Any) -> Any:
    """``function(*args)``, with any exception from the learner's code turned into a hint naming ``what`` raised."""
    try:
        return function(*args)
    except NotImplementedError as error:
        raise _Hint(
            f"{what} raised NotImplementedError in {_raised_in(error)}: that exercise is not written yet "
            "(replace its stub)"
        ) from None
    except Exception as error:  # noqa: BLE001 - any bug in the learner's code becomes a hint
        raise _Hint(f"{what} raised {type(error).__name__}: {error}") from None


def _raised_in(error: BaseException) -> str:
    """The function an error was raised in (``Value.__add__.<locals>._backward`` reads ``Value.__add__._backward``)."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return "your code"
    code = frame.tb_frame.f_code
    return getattr(code, "co_qualname", code.co_name).replace(".<locals>", "")  # (co_qualname: Python 3.11+)


def _close(got: Any, expected: float) -> bool:
    try:
        return math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def _expect(name: str, got: Any, expected: float, advice: str) -> None:
    if not _close(got, expected):
        raise _Hint(f"{name} should be {_shown(expected, got)}, got {got!r}: {advice}")


def _shown(expected: float, got: Any) -> str:
    """``expected`` with 6 significant digits, or as many more as it takes to tell it from ``got``."""
    for digits in range(6, 18):
        text = f"{expected:.{digits}g}"
        if not isinstance(got, (int, float)) or text != f"{got:.{digits}g}":
            return text
    return repr(expected)


def _name(node: Any) -> str:
    """How a hint names a learner's node: its label, else the op that made it and its data."""
    label = getattr(node, "label", "")
    if label:
        return label
    op = getattr(node, "_op", "")
    return f"the {op} node (data {node.data:.4g})" if op else f"a leaf (data {node.data:.4g})"


# The learner's graph, walked without the learner's own topological order (which is an exercise).
def _children(node: Any) -> list[Any]:
    return list(dict.fromkeys(getattr(node, "_prev", ())))


def _forward_order(root: Any) -> list[Any]:
    order, seen, stack = [], {id(root)}, [(root, iter(_children(root)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(_children(child))))
                break
        else:
            order.append(node)
            stack.pop()
    return order


def _apply(name: str, *arguments: Any) -> Any:
    """The op the learner calls ``name`` applied to nodes of either kind (the learner's or tracegrad's)."""
    if name == "+":
        return arguments[0] + arguments[1]
    if name == "*":
        return arguments[0] * arguments[1]
    if name in ("tanh", "exp"):
        return getattr(arguments[0], name)()
    if name.startswith("**"):
        return arguments[0] ** float(name[2:])
    raise _Hint(f"a node has the op name {name!r}; the checks know '+', '*', 'tanh', 'exp' and '**k'")


def _in_order(node: Any, unique: list[Any]) -> list[Any]:
    """``unique`` (one entry per distinct child) spread back over the node's inputs in order: ``a + a`` reads one twice."""
    children = _children(node)
    return [unique[children.index(child)] for child in node._prev]


def _rebuild(root: Any, make: Callable[[Any, list[Node]], Node]) -> dict[int, Node]:
    """The learner's graph node by node as tracegrad nodes: ``{id(learner node): tracegrad node}``."""
    built: dict[int, Node] = {}
    for node in _forward_order(root):
        children = _children(node)
        if not children:
            built[id(node)] = ReferenceValue(node.data, label=getattr(node, "label", "") or None)
        else:
            built[id(node)] = make(node, [built[id(child)] for child in children])
            built[id(node)].label = getattr(node, "label", "") or None
    return built


def _reference(root: Any) -> dict[int, Node]:
    """The same graph computed by tracegrad's own ops, from the learner's leaves."""
    return _rebuild(root, lambda node, inputs: _apply(node._op, *_in_order(node, inputs)))


class LearnerOp(Function):
    """One op of a learner's graph: forward by the learner's op on fresh learner values, backward by its ``_backward``.

    Backward sets the node's ``.grad`` to the upstream gradient and its
    children's to 0, runs the learner's closure, reads what the children
    received, and puts every ``.grad`` back as it was.
    """

    def __init__(self, node: Any, value_class: type[Any]):
        self.node = node
        self.value_class = value_class
        self.name = node._op

    def forward(self, *inputs: float) -> float:
        fresh = [self.value_class(x) for x in inputs]
        return _apply(self.node._op, *_in_order(self.node, fresh)).data

    def backward(self, upstream: float, out: float, *inputs: float) -> tuple[float, ...]:
        children = _children(self.node)
        saved = [self.node.grad, *[child.grad for child in children]]
        try:
            for child in children:
                child.grad = 0.0
            self.node.grad = upstream
            self.node._backward()
            return tuple(float(child.grad) for child in children)
        finally:
            self.node.grad = saved[0]
            for child, before in zip(children, saved[1:]):
                child.grad = before


def mirror(root: Any) -> Node:
    """A learner's graph as a tracegrad graph whose ops are the learner's own (``LearnerOp``), ready for ``check_graph``."""
    value_class = type(root)
    return _rebuild(root, lambda node, inputs: LearnerOp.apply(*inputs, node=node, value_class=value_class))[id(root)]


def _first_wrong_op(root: Any) -> None:
    """Raise a hint naming the first of the learner's ops whose backward disagrees with its forward."""
    report = check_graph(mirror(root))
    if report.ok:
        return
    entry = report.failures[0]
    learner_node = entry.op.node
    if entry.problem == "backward raised NotImplementedError":
        raise _Hint(
            f"the backward of {_name(learner_node)} raised NotImplementedError: that exercise is not written yet "
            "(replace its stub)"
        )
    if entry.problem:
        raise _Hint(f"check_graph: the backward of {_name(learner_node)} {entry.problem.removeprefix('backward ')}")
    assert entry.worst is not None, "a comparison that fails records its worst element"
    index, _, analytic, numerical = entry.worst
    raise _Hint(
        f"check_graph: {_name(learner_node)} passes {analytic / entry.upstream:.6g} x upstream to "
        f"{_name(_children(learner_node)[index])}, but central differences of its forward give "
        f"{numerical / entry.upstream:.6g} x upstream"
    )


# The checks, one per exercise.
def add_gate(value_class: type[Any]) -> None:
    """Exercise: the add gate passes the upstream gradient unchanged to both inputs, and shares add up."""

    def check() -> str:
        a, b = value_class(3.0), value_class(-1.0)
        out = _call("a + b", lambda: a + b)
        _expect("(a + b).data", out.data, 2.0, "the forward is given: put the notebook's add back as it was")
        a.grad = b.grad = 0.0
        out.grad = 2.5
        _call("out._backward() of out = a + b", out._backward)
        ra, rb = ReferenceValue(3.0), ReferenceValue(-1.0)
        expected = grad(ra + rb, [ra, rb], gradient=2.5)
        advice = "the add gate passes the upstream gradient out.grad on unchanged"
        _expect("a.grad after out._backward() with out.grad = 2.5", a.grad, expected[0], advice)
        _expect("b.grad", b.grad, expected[1], advice)
        c = value_class(1.5)
        twice = _call("c + c", lambda: c + c)
        c.grad, twice.grad = 0.0, 1.0
        _call("out._backward() of out = c + c", twice._backward)
        _expect("c.grad for out = c + c", c.grad, 2.0, "c is used twice, so it gets two shares: add with +=, not =")
        return "both inputs get the upstream gradient, and a value used twice gets both shares"

    _run("add gate", check)


def mul_gate(value_class: type[Any]) -> None:
    """Exercise: the mul gate swaps its inputs, each gets upstream x the other input."""

    def check() -> str:
        a, b = value_class(3.0), value_class(-1.0)
        out = _call("a * b", lambda: a * b)
        _expect("(a * b).data", out.data, -3.0, "the forward is given: put the notebook's mul back as it was")
        a.grad = b.grad = 0.0
        out.grad = 2.5
        _call("out._backward() of out = a * b", out._backward)
        ra, rb = ReferenceValue(3.0), ReferenceValue(-1.0)
        expected = grad(ra * rb, [ra, rb], gradient=2.5)
        _expect("a.grad after out._backward() with out.grad = 2.5", a.grad, expected[0], "a gets out.grad x b.data")
        _expect("b.grad", b.grad, expected[1], "b gets out.grad x a.data (the mul gate swaps its inputs)")
        c = value_class(1.5)
        square = _call("c * c", lambda: c * c)
        c.grad, square.grad = 0.0, 1.0
        _call("out._backward() of out = c * c", square._backward)
        _expect("c.grad for out = c * c", c.grad, 3.0, "c is used twice: 1.5 from each use, added with +=")
        return "each input gets the upstream gradient times the other input"

    _run("mul gate", check)


def _example_a(value_class: type[Any]) -> dict[str, Any]:
    """Worked example A, ``f = (x + y) * z``, plus ``g = f + q``, in which ``q`` is used twice."""
    x, y, z = value_class(-2.0), value_class(5.0), value_class(-4.0)
    q = _call("x + y", lambda: x + y)
    f = _call("q * z", lambda: q * z)
    g = _call("f + q", lambda: f + q)
    return _labelled({"x": x, "y": y, "z": z, "q": q, "f": f, "g": g})


def _used_early_and_late(value_class: type[Any]) -> dict[str, Any]:
    """``g = (m + x) * y + m`` with ``m = x * y``: ``m`` is an input of the output itself and of a node far below it.

    A breadth-first walk from ``g`` meets ``m`` (one step from ``g``) before
    ``a = m + x`` (two steps), so reversing it puts ``a`` before the ``m`` it
    is made from: the order example A cannot tell from a depth-first one.
    """
    x, y = value_class(3.0), value_class(2.0)
    m = _call("x * y", lambda: x * y)
    a = _call("m + x", lambda: m + x)
    b = _call("a * y", lambda: a * y)
    g = _call("b + m", lambda: b + m)
    return _labelled({"x": x, "y": y, "m": m, "a": a, "b": b, "g": g})


def _labelled(nodes: dict[str, Any]) -> dict[str, Any]:
    """The learner's nodes, each labelled with its name (so hints and drawings can name it)."""
    for label, node in nodes.items():
        node.label = label
    return nodes


def topological_order(function: Callable[[Any], list], value_class: type[Any]) -> None:
    """Exercise: every node once, each after the nodes it was made from."""

    def check() -> str:
        _check_order(function, _example_a(value_class), "g = (x + y) * z + q")
        _check_order(function, _used_early_and_late(value_class), "g = (m + x) * y + m, m = x * y")
        return (
            "each node once, every node after its inputs, g last, on g = (x + y) * z + q and on "
            "g = (m + x) * y + m (as tracegrad's order)"
        )

    _run("topological order", check)


def _check_order(function: Callable[[Any], list], nodes: dict[str, Any], graph: str) -> None:
    """Raise a hint unless ``function`` orders the graph of ``nodes["g"]`` topologically, ``g`` last."""
    order = _call(f"topological_order(g) on {graph}", function, nodes["g"])
    if not isinstance(order, list):
        raise _Hint(f"topological_order(g) should return a list of nodes, got {type(order).__name__}")
    names = {id(node): label for label, node in nodes.items()}
    for node in order:
        if id(node) not in names:
            raise _Hint(f"the order holds {node!r}, which is not a node of g's graph")
    for label, node in nodes.items():
        count = sum(1 for n in order if n is node)
        if count != 1:
            advice = "remember which nodes you visited" if count else "visit every child of every node"
            raise _Hint(f"{label} appears {count} times in the order, it should appear once: {advice}")
    position = {id(node): index for index, node in enumerate(order)}
    for node in order:
        for child in _children(node):
            if position[id(child)] > position[id(node)]:
                raise _Hint(
                    f"on {graph}, {names[id(node)]} comes before {names[id(child)]}, which it was made from: "
                    "append a node only after all of its children (depth first)"
                )
    if order[-1] is not nodes["g"]:
        raise _Hint(f"the last node should be g, the output, got {names[id(order[-1])]}")


def _name_a_wrong_order(g: Any, reference: dict[int, Node], graph: str) -> None:
    """Raise a hint when the learner's gradients are those of g's ``_backward`` alone: the loop's order is wrong.

    Each node's ``_backward`` passes on its gradient, so it must run after every
    use of the node has added its share: from g back to the leaves. Run from the
    leaves up (``reversed()`` forgotten), every node before g passes on a
    gradient of 0, which leaves what g's ``_backward`` alone gives; so does
    calling only ``self._backward()``. The gates are right then, and the hint is about the loop.
    """
    order = _forward_order(g)
    got = [node.grad for node in order]
    if all(_close(grad, reference[id(node)].grad) for node, grad in zip(order, got)):
        return
    try:
        for node in order:
            node.grad = 0.0
        g.grad = 1.0
        g._backward()
        alone = all(_close(node.grad, grad) for node, grad in zip(order, got))
    except Exception:  # noqa: BLE001 (a broken gate is for the gate checks to report)
        alone = False
    finally:
        for node, grad in zip(order, got):
            node.grad = grad
    if alone:
        raise _Hint(
            f"on {graph}, only g's own _backward reached its inputs: call every node's _backward from g back to "
            "the leaves (reversed topological order), so each node has every share of its gradient before its "
            "_backward passes it on"
        )


def backward(value_class: type[Any]) -> None:
    """Exercise: ``backward`` seeds 1 at the output and runs every ``_backward`` from the output back."""

    def check() -> str:
        for nodes, graph in (
            (_example_a(value_class), "g = (x + y) * z + q"),
            (_used_early_and_late(value_class), "g = (m + x) * y + m, m = x * y"),
        ):
            g = nodes["g"]
            _call(f"g.backward() on {graph}", g.backward)
            reference = _reference(g)
            reference[id(g)].backward()
            _expect("g.grad", g.grad, 1.0, "backward starts with self.grad = 1 (dg/dg)")
            _name_a_wrong_order(g, reference, graph)
            for label, node in reversed(nodes.items()):
                advice = (
                    f"{label} is used twice: its two shares must add up"
                    if label in ("q", "m")
                    else "call every node's _backward, in reversed topological order (from g back to the leaves)"
                )
                _expect(f"on {graph}, {label}.grad", node.grad, reference[id(node)].grad, advice)
        return (
            "g = (x + y) * z + q and g = (m + x) * y + m: every gradient equals tracegrad's (x.grad = y.grad = -3, "
            "z.grad = 3 in the first; x.grad = 8, y.grad = 18 in the second)"
        )

    _run("backward", check)


SHARE_ALREADY_THERE = 0.25  # what x.grad holds before tanh's backward adds its share: it must be kept


def tanh(value_class: type[Any]) -> None:
    """Exercise: tanh's local gradient ``1 - tanh(x)**2``, checked by ``check_graph`` at several points."""

    def check() -> str:
        for x in (-2.0, -0.3, 0.0, 0.5, 1.7):
            leaf = value_class(x)
            out = _call(f"Value({x}).tanh()", leaf.tanh)
            _expect(f"Value({x}).tanh().data", out.data, math.tanh(x), "the forward is given: math.tanh(self.data)")
            reference = ReferenceValue(x)
            expected = grad(reference.tanh(), reference)
            leaf.grad, out.grad = SHARE_ALREADY_THERE, 1.0  # as if x had another use, whose share came first
            _call(f"out._backward() of out = Value({x}).tanh()", out._backward)
            if _close(leaf.grad, expected) and not _close(expected, SHARE_ALREADY_THERE + expected):
                raise _Hint(
                    f"x.grad held {SHARE_ALREADY_THERE} from another use of x, and tanh's backward replaced it by its "
                    f"share {leaf.grad!r}: add the share with +=, not ="
                )
            _expect(
                f"x.grad ({SHARE_ALREADY_THERE} from another use, plus tanh's share at x = {x})",
                leaf.grad,
                SHARE_ALREADY_THERE + expected,
                "tanh's share is (1 - tanh(x)**2) x out.grad, added to x.grad with +=",
            )
            _first_wrong_op(out)
        return "at x = -2, -0.3, 0, 0.5, 1.7 your backward agrees with tracegrad's and with central differences"

    _run("tanh", check)


def _reference_neuron(parameters: list[ReferenceValue], x: list[float]) -> ReferenceValue:
    """``tanh(w . x + b)`` with tracegrad's ``Value``, the parameters being ``w0, w1, ..., b``."""
    total = parameters[-1]
    for w, xi in zip(parameters, x):
        total = total + w * xi
    return total.tanh()


def neuron(neuron_class: type, value_class: type[Any]) -> None:
    """Exercise: a neuron ``tanh(w . x + b)``: its output and every parameter's gradient against tracegrad's."""

    def check() -> str:
        unit = _call("Neuron(3)", neuron_class, 3)
        parameters = _call("neuron.parameters()", unit.parameters)
        x = [0.5, -1.0, 2.0]
        out = _call("neuron([0.5, -1.0, 2.0])", unit, x)
        if not isinstance(out, value_class):
            raise _Hint(f"the neuron should return a Value (a node of the graph), got {type(out).__name__}")
        reference_parameters = [ReferenceValue(p.data) for p in parameters]
        reference = _reference_neuron(reference_parameters, x)
        _expect("the neuron's output", out.data, reference.data, "tanh(w0*x0 + w1*x1 + w2*x2 + b)")
        _first_wrong_op(out)
        _call("out.backward()", out.backward)
        reference.backward()
        names = [f"w{i}" for i in range(len(parameters) - 1)] + ["b"]
        for name, p, r in zip(names, parameters, reference_parameters):
            _expect(
                f"{name}.grad", p.grad, r.grad, "the gradient flows from out through tanh and the sum to each weight"
            )
        return f"output {out.data:.4f} and the gradients of w0, w1, w2, b equal tracegrad's"

    _run("neuron", check)


EXAMPLES = ([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]], [1.0, -1.0, -1.0, 1.0])


def training_step(function: Callable, neuron_class: type, value_class: type[Any]) -> None:
    """Exercise: one step of gradient descent on the squared error, twice (stale gradients show up in the second)."""

    def check() -> str:
        xs, ys = EXAMPLES
        unit = _call("Neuron(3)", neuron_class, 3)
        parameters = _call("neuron.parameters()", unit.parameters)
        values = [p.data for p in parameters]
        for step in (1, 2):
            reference_parameters = [ReferenceValue(v) for v in values]
            total = sum(((_reference_neuron(reference_parameters, x) - y) ** 2 for x, y in zip(xs, ys)), start=0.0)
            assert isinstance(total, ReferenceValue), "0.0 plus a Value is a Value"
            gradients = grad(total, reference_parameters)
            loss = _call(f"training_step (step {step})", function, unit, xs, ys, 0.05)
            got = loss.data if isinstance(loss, value_class) else loss
            _expect(
                f"the loss returned by step {step}", got, total.data, "the sum of (neuron(x) - y)**2 over the examples"
            )
            values = [v - 0.05 * g for v, g in zip(values, gradients)]
            for index, (p, expected) in enumerate(zip(parameters, values)):
                name = f"w{index}" if index < len(parameters) - 1 else "b"
                if _close(p.data, expected):
                    continue
                before = expected + 0.05 * gradients[index]
                if _close(p.data, before) and all(_close(q.grad, 0.0) for q in parameters):
                    advice = (
                        "it did not change, and every p.grad is 0 now: zero the gradients first, then "
                        "loss.backward(), then p.data -= learning_rate * p.grad (in that order)"
                    )
                elif _close(p.data, before) and not _close(p.grad, gradients[index]):
                    advice = (
                        f"it did not change, and {name}.grad is {p.grad!r} where the gradient is "
                        f"{_shown(gradients[index], p.grad)}: run loss.backward(), then the update"
                    )
                elif _close(p.data, before):
                    advice = (
                        f"it did not change, though {name}.grad is right now: the update "
                        "p.data -= learning_rate * p.grad must come after loss.backward()"
                    )
                elif _close(p.data, before + 0.05 * gradients[index]):
                    advice = "it moved up the gradient: a descent step subtracts learning_rate * p.grad"
                elif step == 2:
                    advice = "step 1 was right, so the gradients of step 1 were still there: set p.grad = 0 first"
                else:
                    advice = "zero the gradients, run backward on the loss, then p.data -= learning_rate * p.grad"
                raise _Hint(
                    f"after step {step}, {name}.data should be {_shown(expected, p.data)}, got {p.data!r}: {advice}"
                )
        return "two steps on 4 examples: the losses and every updated parameter equal tracegrad's"

    _run("training step", check)
