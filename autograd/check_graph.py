"""``check_graph``: which op of a graph has a wrong gradient.

``gradcheck`` compares the gradient of a whole function with central
differences; when they disagree it names the input that is off, not the op to
blame. ``check_graph`` checks every op of a recorded graph on its own, at the
numbers it saw: the op's ``backward`` at that node, given an upstream gradient
``g``, against central differences of ``sum(g * forward(inputs))`` at the
node's inputs. A wrong backward fails there and nowhere else, wherever it sits.

The upstream gradient is random (normal, seeded), not ones, because ones hide
mistakes: softmax's outputs always sum to 1, so for an upstream of ones the
right answer is 0 and a backward that returns zeros would pass.

Three more things keep the check honest and cheap:

- each op runs forward on a copy of itself, since some ops keep what their
  backward needs on themselves (max pooling's winners);
- at a point where an op is not differentiable (relu or abs at 0, a max with a
  tie, step's jump) the slopes left and right of it differ, and any analytic
  value between them is accepted, as a subgradient; elsewhere they agree and
  the check is the ordinary one;
- an input with more than ``max_elements`` elements is checked at a seeded
  random sample of them (two forward runs per element), and the report says so.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .elementwise import Cast
from .finite_differences import central_differences, check_settings, excess, one_sided_differences
from .function import backward_aside, plain
from .gradcheck import GradcheckError
from .graph import Node, no_grad, topological_order
from .numerics import random_generator, whole_number

DEFAULT_MAX_ELEMENTS = 32


@dataclass(frozen=True)
class OpCheck:
    """The check of one op node.

    ``analytic`` and ``numerical`` hold, per input, d(sum(g * out))/d(input)
    from the op's backward and from central differences (None for an input
    that needs no gradient; for a sampled input, ``numerical`` is nan at the
    elements not checked). ``error`` is the largest ``|analytic - numerical|``
    at the checked elements (0 at an accepted non-differentiable point, inf
    when the backward failed outright, which ``problem`` then describes).
    """

    node: Node
    op: Any
    analytic: tuple[Any, ...]
    numerical: tuple[Any, ...]
    error: float
    ok: bool
    checked: tuple[int | None, ...] = ()  # per input, how many elements were checked (None: needs no gradient)
    sizes: tuple[int, ...] = ()
    kinks: int = 0
    problem: str | None = None
    skipped: str | None = None
    worst: tuple[int, int, float, float] | None = None  # input, flat element, analytic, numerical
    upstream: Any = None  # the upstream gradient g the op's backward was given

    @property
    def name(self) -> str:
        """The op's name, as drawings print it."""
        return getattr(self.op, "name", None) or type(self.op).__name__

    @property
    def sampled(self) -> bool:
        """True when some input was checked at a sample of its elements only."""
        return any(count is not None and count < size for count, size in zip(self.checked, self.sizes))

    def describe(self) -> str:
        """One paragraph: the op, its inputs and, when it failed, the element that is furthest off."""
        inputs = ", ".join(_describe(parent) for parent in self.node.parents)
        lines = [f"{self.name}({inputs}) = {_summary(self.node.data)}"]
        if self.skipped:
            lines.append(f"  not checked: {self.skipped}")
        elif self.problem:
            lines.append(f"  {self.problem}")
        elif self.worst is not None:
            index, position, analytic, numerical = self.worst
            parent = self.node.parents[index]
            shape = np.shape(parent.data)
            element = f", element {tuple(int(i) for i in np.unravel_index(position, shape))}" if shape else ""
            lines.append(
                f"  input {index} ({_describe(parent)}){element}: analytic {analytic:.6g}, "
                f"numerical {numerical:.6g}, error {abs(analytic - numerical):.3g}"
            )
        return "\n".join(lines)


class GraphCheck:
    """The report of ``check_graph``: one ``OpCheck`` per op node, inputs before the ops that use them.

    Iterate over it, index it, or ask ``ok`` and ``failures``; ``repr`` names
    the first wrong op and its inputs.
    """

    def __init__(self, entries: list[OpCheck], settings: dict[str, Any]):
        self.entries = entries
        self.settings = settings

    def __iter__(self) -> Iterator[OpCheck]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int) -> OpCheck:
        return self.entries[index]

    @property
    def ok(self) -> bool:
        """True when no op's backward disagrees with its forward."""
        return not self.failures

    @property
    def failures(self) -> list[OpCheck]:
        """The ops whose backward disagrees with central differences of their forward, in forward order."""
        return [entry for entry in self.entries if not entry.ok]

    @property
    def passed(self) -> int:
        """How many ops pass (skipped ones are not counted)."""
        return sum(1 for entry in self.entries if entry.ok and not entry.skipped)

    @property
    def checked(self) -> int:
        """How many ops were checked (all but those whose forward cannot run again, or is not finite near its inputs)."""
        return sum(1 for entry in self.entries if not entry.skipped)

    def entry(self, node: Node) -> OpCheck | None:
        """The check of the op that made ``node`` (None for a leaf or a node outside the graph)."""
        return next((entry for entry in self.entries if entry.node is node), None)

    def summary(self) -> str:
        """One line: how many ops pass, and how they were checked."""
        settings = self.settings
        how = (
            f"backward against central differences of forward (eps {settings['eps']:g}, "
            f"atol {settings['atol']:g}, rtol {settings['rtol']:g}), random upstream gradient (seed {settings['seed']})"
        )
        return f"{self.passed} of {self.checked} ops pass the gradient check: {how}"

    def notes(self) -> list[str]:
        """What else a reader should know: sampled inputs, accepted kinks, ops not checked."""
        notes = []
        sampled = [entry for entry in self.entries if entry.sampled]
        if sampled:
            names = ", ".join(dict.fromkeys(entry.name for entry in sampled))
            notes.append(
                f"sampled: {len(sampled)} ops ({names}) have inputs of more than {self.settings['max_elements']} "
                "elements; a seeded random sample of that many elements of each was checked"
            )
        kinks = sum(entry.kinks for entry in self.entries)
        if kinks:
            notes.append(
                f"{kinks} {'element sits' if kinks == 1 else 'elements sit'} at a point where their op is not "
                "differentiable (a kink, tie or jump): "
                "accepted because the analytic value lies between the slopes left and right of it"
            )
        skipped = [entry for entry in self.entries if entry.skipped]
        if skipped:
            notes.append(f"not checked: {len(skipped)} op{'s' if len(skipped) != 1 else ''} ({skipped[0].skipped})")
        return notes

    def __repr__(self) -> str:
        if not self.entries:
            return "GraphCheck: no ops to check (the output is a leaf, or nothing in its graph requires grad)"
        lines = [f"GraphCheck: {self.summary()}"]
        failures = self.failures
        if failures:
            lines.append("first wrong op: " + failures[0].describe())
            if len(failures) > 1:
                lines.append("also wrong: " + ", ".join(entry.name for entry in failures[1:]))
        lines.extend(self.notes())
        return "\n".join(lines)


def check_graph(
    output: Node,
    eps: float = 1e-6,
    rtol: float = 1e-4,
    atol: float = 1e-5,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    seed: int = 0,
    raise_on_failure: bool = False,
) -> GraphCheck:
    """Check every op in the graph of ``output`` on its own: its backward against its forward.

    At each op node the op's ``backward`` is given a random upstream gradient
    ``g`` (seeded with ``seed``), and its result is compared, per input, with
    central differences (step ``eps``, in float64) of ``sum(g * forward(inputs))``
    at the node's recorded inputs. An element agrees when
    ``|analytic - numerical| <= atol + rtol * |numerical|``. Inputs larger
    than ``max_elements`` are checked at a seeded sample of that many elements.

    Returns a ``GraphCheck``; nothing is raised for a wrong op unless
    ``raise_on_failure`` (then ``GradcheckError`` with the report). The graph
    and its gradients are left as they were.
    """
    if not isinstance(output, Node):
        raise TypeError(f"check_graph() needs a Value or Tensor, not a {type(output).__name__}")
    check_settings("check_graph()", eps, atol, rtol)
    if (whole_number(max_elements) or 0) < 1:
        raise ValueError(f"check_graph(): max_elements must be a whole number >= 1, got {max_elements!r}")
    rng = random_generator(seed)
    settings = {"eps": eps, "atol": atol, "rtol": rtol, "max_elements": max_elements, "seed": seed}
    entries = [
        _check_node(node, rng, settings) for node in topological_order(output, leaves=False) if node.op is not None
    ]
    report = GraphCheck(entries, settings)
    if raise_on_failure and not report.ok:
        raise GradcheckError(repr(report))
    return report


def _float64(x: Any) -> Any:
    """``x`` in float64: a float stays a float, an array becomes a float64 array."""
    return np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray) else float(x)


def _check_node(node: Node, rng: np.random.Generator, settings: dict[str, Any]) -> OpCheck:
    op = node.op
    assert op is not None, "only the result of an op is checked"
    parents = node.parents
    inputs = [_float64(parent.data) for parent in parents]
    out = _float64(node.data)
    upstream = float(rng.standard_normal()) if isinstance(out, float) else rng.standard_normal(np.shape(out))
    nothing = (None,) * len(parents)

    def failed(problem: str) -> OpCheck:
        return OpCheck(node, node.op, nothing, nothing, float("inf"), False, problem=problem, upstream=upstream)

    try:
        with no_grad(), np.errstate(all="ignore"):
            result = backward_aside(op, upstream, out, *inputs)
    except Exception as error:  # noqa: BLE001 - a learner's unfinished or broken backward is a finding, not a crash
        return failed(f"backward raised {type(error).__name__}{_message(error)}")
    result = result if type(result) is tuple else (result,)
    if len(result) != len(parents):
        return failed(f"backward returned {len(result)} gradients for {len(parents)} inputs")
    analytic: list[float | np.ndarray | None] = []
    for index, (parent, value) in enumerate(zip(parents, result)):
        if not parent.requires_grad:
            analytic.append(None)
            continue
        value = np.zeros(np.shape(inputs[index])) if value is None else np.asarray(plain(value), dtype=np.float64)
        if value.shape != np.shape(inputs[index]):
            return failed(
                f"backward returned a gradient of shape {value.shape} for input {index} of shape {np.shape(inputs[index])}"
            )
        analytic.append(float(value) if isinstance(inputs[index], float) else value)

    comparison = _Comparison(node, inputs, upstream, rng, settings)
    try:
        for index, value in enumerate(analytic):
            if value is not None:
                comparison.compare(index, value)
    except NotImplementedError as error:
        skipped = f"its forward cannot run again ({error})"
        return OpCheck(node, node.op, tuple(analytic), nothing, 0.0, True, skipped=skipped, upstream=upstream)
    except Exception as error:  # noqa: BLE001 - so is a forward that fails on nudged inputs
        return failed(f"forward raised {type(error).__name__} on nudged inputs{_message(error)}")
    return comparison.result(tuple(analytic))


class _Comparison:
    """The numerical side of one node's check, input by input, and the worst disagreement found."""

    def __init__(self, node: Node, inputs: list[Any], upstream: Any, rng: np.random.Generator, settings: dict):
        self.node, self.inputs, self.upstream, self.rng, self.settings = node, inputs, upstream, rng, settings
        self.numerical: list[Any] = [None] * len(inputs)
        self.checked: list[int | None] = [None] * len(inputs)
        self.sizes = [int(np.size(x)) for x in inputs]
        self.error = 0.0
        self.failed = False
        self.kinks = 0
        self.compared = 0  # elements where the forward is finite nearby, so the differences say something
        self.worst: tuple[tuple[bool, float], tuple[int, int, float, float]] | None = None

    def weighted_forward(self, index: int):
        """``x -> g * forward(inputs with input index = x)``, on a copy of the op (its state left alone)."""
        assert self.node.op is not None, "only the result of an op is compared"
        op = copy.copy(self.node.op)
        if isinstance(op, Cast):  # in float64 a cast is what its derivative says, the identity: rounding to
            op.dtype = np.float64  # float32 would swamp differences of size eps

        def evaluate(x: Any) -> Any:
            arguments = list(self.inputs)
            arguments[index] = x
            with no_grad(), np.errstate(all="ignore"):
                return np.multiply(self.upstream, plain(op.forward(*arguments)))

        return evaluate

    def compare(self, index: int, analytic: Any) -> None:
        eps, atol, rtol = self.settings["eps"], self.settings["atol"], self.settings["rtol"]
        x = self.inputs[index]
        size = self.sizes[index]
        limit = self.settings["max_elements"]
        positions = np.arange(size) if size <= limit else np.sort(self.rng.choice(size, limit, replace=False))
        evaluate = self.weighted_forward(index)
        numerical = central_differences(evaluate, x, eps, positions)
        exact = np.asarray(analytic, dtype=np.float64).reshape(-1)[positions]
        full = np.full(size, np.nan)
        full[positions] = numerical
        self.numerical[index] = float(full[0]) if isinstance(x, float) else full.reshape(np.shape(x))
        self.checked[index] = len(positions)
        defined = np.isfinite(numerical)  # where the forward is not finite nearby there is nothing to compare with
        self.compared += int(defined.sum())
        apart = excess(exact, numerical, atol, rtol)
        for k in np.flatnonzero(defined):
            distance = float(abs(exact[k] - numerical[k]))
            distance = float("inf") if math.isnan(distance) else distance  # a nan analytic value is infinitely off
            wrong = not apart[k] <= 0
            if wrong:
                left, right = one_sided_differences(evaluate, x, eps, int(positions[k]))
                low, high = min(left, right), max(left, right)
                slack = atol + rtol * max(abs(low), abs(high))
                if high - low > slack and low - slack <= exact[k] <= high + slack:
                    self.kinks += 1
                    wrong, distance = False, 0.0
            self.failed = self.failed or wrong
            self.error = max(self.error, distance)
            if self.worst is None or (wrong, distance) > self.worst[0]:
                self.worst = ((wrong, distance), (index, int(positions[k]), float(exact[k]), float(numerical[k])))

    def result(self, analytic: tuple[Any, ...]) -> OpCheck:
        if self.compared == 0 and any(self.checked):  # no element could be checked: say so rather than pass it
            return OpCheck(
                self.node,
                self.node.op,
                analytic,
                tuple(self.numerical),
                0.0,
                True,
                skipped="its forward is not finite (nan or inf) near its inputs, so differences say nothing",
                upstream=self.upstream,
            )
        return OpCheck(
            self.node,
            self.node.op,
            analytic,
            tuple(self.numerical),
            self.error,
            not self.failed,
            checked=tuple(self.checked),
            sizes=tuple(self.sizes),
            kinks=self.kinks,
            worst=None if self.worst is None else self.worst[1],
            upstream=self.upstream,
        )


def _summary(x: Any) -> str:
    """A number, or a small array's numbers, or a large array's shape."""
    array = np.asarray(plain(x))
    if array.ndim == 0:
        return f"{float(array):.4g}"
    if array.size <= 4:
        return np.array2string(array, precision=4, separator=", ")
    return f"array of shape {array.shape}"


def _describe(node: Node) -> str:
    """How a report names an input: its label and data, or what made it and its data."""
    if node.label:
        return f"{node.label} = {_summary(node.data)}"
    if node.op is not None:
        return f"{getattr(node.op, 'name', None) or type(node.op).__name__} result {_summary(node.data)}"
    return f"{'leaf' if node.requires_grad else 'constant'} {_summary(node.data)}"


def _message(error: Exception) -> str:
    """``: the message`` of an error, or nothing when it has none (``raise NotImplementedError()``)."""
    return f": {error}" if str(error) else ""
