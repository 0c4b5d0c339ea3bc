"""A recorded graph written out as Python: the forward pass line by line, then the chain rule line by line.

Backprop needs no graph of objects once the graph is known: it is a fixed list
of steps. ``generate`` writes those steps as one Python generator function, a
"program" over plain numbers and arrays. For the neuron ``o = tanh(x0 w0 + x1 w1
+ b)``, with its intermediate values labelled, it is one line per op going forward::

    def neuron(x0, x1, w0, w1, b):
        x0w0 = x0 * w0
        x1w1 = x1 * w1
        s = x0w0 + x1w1
        n = s + b
        o = tanh(n)
        grad_o = yield o          # pause: the output is ready, wait for its gradient

and then, in reverse order, one line per op applying its chain rule (upstream
gradient x local gradient, added up where a value was used twice)::

        while True:
            grad_n = grad_o * (1.0 - o * o)
            grad_s, grad_b = grad_n, grad_n
            grad_x0w0, grad_x1w1 = grad_s, grad_s
            grad_w1 = grad_x1w1 * x1
            grad_w0 = grad_x0w0 * x0
            grad_o = yield grad_w0, grad_w1, grad_b

The elementary ops are written inline, with exactly the arithmetic of their
``Function`` (so the numbers are the same to the last bit): on numbers as
above, and on arrays as numpy code (``h = np.maximum(z, 0.0)``,
``grad_W = x.T @ grad_z``), and so is the softmax classifier's loss on
class labels (backward: the probabilities, minus 1 at each row's class).
Every other op is called directly, ``max_pool_op.forward(z)`` and
``max_pool_op.backward(...)``, and the gradients an op of the user's returns
are checked as ``backward()`` checks them; where it leaves one out (None),
the lines it alone would reach run under ``if grad is not None``, as
``backward()`` skips an op no gradient reached. Between the two halves the
generator keeps every forward value alive, as the graph's nodes would, and
the backward half is a loop so that ``backward()`` can be called again, as on
a graph.

Knowing the whole program allows what an eager graph cannot: an array that
nothing reads any more is reused in place (``autograd/array_reuse.py``), as backprop
written by hand does with ``grad *= mask``.
"""

from __future__ import annotations

import functools
import keyword
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import numerics
from .array_reuse import Line, reuse_arrays
from .cross_entropy import SoftmaxCrossEntropy
from .elementwise import Abs, Add, Div, Exp, Log, Mul, Neg, Pow, ReLU, Sigmoid, Step, Sub, Tanh
from .function import Function
from .graph import Node, Op, _wrong_count, accumulated, topological_order
from .linear import Linear
from .matmul import MatMul
from .value import Value

# Forward expressions of the inlined scalar ops, with ``{a}``, ``{b}`` their inputs.
SCALAR_FORWARD: dict[type, str] = {
    Add: "{a} + {b}",
    Sub: "{a} - {b}",
    Mul: "{a} * {b}",
    Div: "divide({a}, {b})",
    Neg: "-{a}",
    Pow: "power({a}, {b})",
    Exp: "exp({a})",
    Log: "log({a})",
    Tanh: "tanh({a})",
    Sigmoid: "sigmoid({a})",
    ReLU: "0.0 if {a} < 0.0 else {a}",
    Abs: "abs({a})",
    Step: "1.0 if {a} > 0.0 else 0.0",
}

# Their chain rules: the gradient of each input from the upstream gradient ``{g}`` and the output ``{o}``.
SCALAR_BACKWARD: dict[type, tuple[str, ...]] = {
    Add: ("{g}", "{g}"),
    Sub: ("{g}", "-{g}"),
    Mul: ("{g} * {b}", "{g} * {a}"),
    Div: ("divide({g}, {b})", "-(divide({g}, {b}) * {o})"),
    Neg: ("-{g}",),
    Pow: (
        "0.0 if {b} == 0.0 else {g} * ({b} * power({a}, {b} - 1))",
        "{g} * (0.0 if {a} == 0.0 and {b} >= 0.0 else {o} * log({a}))",
    ),
    Exp: ("{g} * {o}",),
    Log: ("divide({g}, {a})",),
    Tanh: ("{g} * (1.0 - {o} * {o})",),
    Sigmoid: ("{g} * {o} * (1.0 - {o})",),
    ReLU: ("{g} if {o} != 0.0 else 0.0",),
    Abs: ("{g} * sign({a})",),
    Step: ("0.0",),
}


# The same ops on arrays, written as numpy code with exactly the arithmetic of their ``Function`` on arrays.
# A Tensor op sees its inputs already broadcast to one shape, so an elementwise gradient needs no summing back.
TENSOR_FORWARD: dict[type, str] = {
    **{op: SCALAR_FORWARD[op] for op in (Add, Sub, Mul, Div, Neg, Exp, Log, Sigmoid)},
    Tanh: "np.tanh({a})",
    ReLU: "np.maximum({a}, 0.0)",
    MatMul: "{a} @ {b}",
    Linear: "{a} @ {b}",
}
# A second line for the ops that finish their result in place: ``linear`` adds the bias into the new product.
TENSOR_FORWARD_SECOND_LINE: dict[type, str] = {Linear: "{o} += {c}"}
TENSOR_BACKWARD: dict[type, tuple[str, ...]] = {
    **{op: SCALAR_BACKWARD[op] for op in (Add, Sub, Mul, Div, Neg, Exp, Log, Tanh, Sigmoid)},
    ReLU: ("kept({g}, {o} != 0.0)",),  # the gradient where the gate is open (the output is not 0), else 0
    MatMul: ("{g} @ {b}.T", "{a}.T @ {g}"),
    Linear: ("{g} @ {b}.T", "{a}.T @ {g}", "{g}.sum(axis=0)"),
}
ELEMENTWISE = frozenset(TENSOR_FORWARD) - {MatMul, Linear}
# The same lines writing into the array of their input (forward) or of the upstream gradient (backward), used
# where nothing else needs that array any more (see ``autograd/array_reuse.py``): the same numbers, one array fewer.
TENSOR_FORWARD_INTO_INPUT: dict[type, str] = {
    ReLU: "np.maximum({a}, 0.0, out={a})",
    Tanh: "np.tanh({a}, out={a})",
}
TENSOR_BACKWARD_INTO_UPSTREAM: dict[type, str] = {
    ReLU: "kept({g}, {o} != 0.0, out={g})",
    Tanh: "np.multiply({g}, 1.0 - {o} * {o}, out={g})",
}


def _inlined(node: Node) -> bool:
    """Whether a node's op is written out as code rather than called: an elementary op on arrays of one dtype.

    Elementwise ops also need one shape throughout, matrix products plain
    matrices, and every array at least one axis (numpy gives scalars for 0-d
    results, where the ops give arrays); anything else is called as it is.
    """
    cls, data = type(node._op), node.data
    if isinstance(node, Value):
        return cls in SCALAR_FORWARD
    if cls not in TENSOR_FORWARD or not isinstance(data, np.ndarray) or data.ndim == 0:
        return False
    for parent in node._parents:
        array = parent.data
        if not isinstance(array, np.ndarray) or array.dtype != data.dtype or array.ndim == 0:
            return False
        if cls in ELEMENTWISE and array.shape != data.shape:
            return False
    return cls is not MatMul or all(parent.data.ndim == 2 for parent in node._parents)


def _cross_entropy_on_labels(node: Node) -> bool:
    """Whether a node is the softmax classifier's loss on class labels over a matrix of logits: written out as numpy.

    Its lines are those of ``SoftmaxCrossEntropy`` (the same arithmetic, so
    the same numbers): the logits shifted by each row's largest, their
    exponentials and row sums going forward; backward, the probabilities
    ``exponentials / sums`` minus 1 at each row's class, scaled by the
    upstream gradient over the number of rows.
    """
    op = node._op
    if type(op) is not SoftmaxCrossEntropy or op.labels is None or op.targets is not None:
        return False
    logits = node._parents[0].data
    if not isinstance(logits, np.ndarray) or logits.ndim != 2:
        return False
    return len(logits) == len(op.labels) > 0  # one label per row (no rows: 0 / 0, left to the op)


def _mixes_dtypes(node: Node) -> bool:
    """Whether an op's arrays differ in dtype, so a gradient may come in another float type than its input's.

    A float32 input times a float64 one gives float64 gradients, which
    ``backward()`` casts back to float32; where the arrays share one dtype
    there is nothing to cast.
    """
    return len({getattr(other.data, "dtype", None) for other in (node, *node._parents)}) > 1


def _checked(gradients: Any, op: Function, inputs: Sequence[Node | None]) -> tuple[Any, ...]:
    """An op's gradients, checked as ``backward()`` checks them, one per input (an op of the user's, or one mixing dtypes).

    ``inputs`` stand for the op's inputs that want a gradient (their kind,
    shape and dtype; None for the others, whose gradients are not looked at):
    a wrong count, kind or shape is the engine's clear error naming the op, and
    a float64 gradient for a float32 input is cast back, as in eager mode. A
    gradient left out stays None: the program then skips what it would have
    reached, as ``backward()`` does (see ``present_sum``).
    """
    if type(gradients) is not tuple:
        gradients = (gradients,)
    if len(gradients) != len(inputs):
        raise _wrong_count(op, gradients, len(inputs))
    return tuple(
        grad if node is None or grad is None else node._checked_gradient(grad, op, index)
        for index, (grad, node) in enumerate(zip(gradients, inputs))
    )


def _present_sum(*terms: Any) -> Any:
    """The terms that came added up by the engine's rule, in order; None if none came.

    A gradient an op of the user's left out (None) is no term at all, as in
    ``backward()``: it adds nothing, and a value it alone would reach gets none.
    """
    return functools.reduce(accumulated, [term for term in terms if term is not None], None)


def _of_users(node: Node) -> bool:
    """Whether ``node`` was made by an op of the user's (not a built-in one, which is trusted)."""
    return isinstance(node._op, Function) and node._op._from_outside


def _users_forward(op: Function, kind: type[Node], *inputs: Any) -> Any:
    """The forward of an op of the user's as ``Function.apply`` runs it: on read-only arrays, the result checked."""
    return kind._result(op._users_forward(kind, *inputs), (), op).data  # (a Tensor's result: its dtype checked)


def _shape_of(node: Node) -> Node:
    """A leaf of ``node``'s kind, shape and dtype holding no real data: what ``_checked`` compares against."""
    if isinstance(node.data, np.ndarray):
        return type(node)._result(np.broadcast_to(np.zeros((), node.data.dtype), node.data.shape), (), None)
    return type(node)._result(0.0, (), None)


def _added_in_order(start: Any, terms: Sequence[Any]) -> Any:
    """``start + terms[0] + terms[1] + ...`` by the engine's own rule (``accumulated``), one term at a time.

    Not ``sum()``: from Python 3.12 it adds floats with a compensation, which
    can round differently from ``backward()``.
    """
    return functools.reduce(accumulated, terms, start)


# The most ops a program is written for: 200,000 take about 1.5 GB and 9 s to compile (the demo's step: 65,000).
LARGEST_PROGRAM = 200_000
# What the generated code may call, besides the ops.
LONGEST_SUM = 100  # terms added with + in one line; more are added by added_in_order, in the same order

HELPERS = {
    "divide": numerics.divide,
    "power": numerics.power,
    "exp": numerics.exp,
    "log": numerics.log,
    "tanh": math.tanh,
    "sigmoid": numerics.sigmoid,
    "sign": numerics.sign,
    "as_array": np.asarray,
    "added_in_order": _added_in_order,
    "np": np,
    "kept": numerics._kept,
    "checked": _checked,
    "present_sum": _present_sum,
    "users_forward": _users_forward,
    "inf": math.inf,
    "nan": math.nan,
}


@dataclass
class Program:
    """A generated program and what it needs at each call.

    ``function(*input_data, *leaf_data, *fresh_ops)`` returns a generator: its
    first ``next`` runs the forward pass and gives the output's data; each
    ``send(gradient)`` runs the backward pass and gives one gradient per node of
    ``inputs_needing_grad`` followed by ``parameters`` (None for one that no
    gradient reached: an op of the user's left it out).
    """

    source: str
    function: Any
    leaves: list[Node]  # read afresh at each call: the parameters, then constant tensors
    literals: list[Node]  # constant Values, written into the source as numbers
    parameters: list[Node]  # the leaves that get a gradient
    inputs_needing_grad: list[int]  # positions (among the inputs) of those that get a gradient
    stateful_ops: list[Callable[[], Function]]  # each makes an op afresh for a call: its forward may keep state
    output_kind: type[Node]
    output_label: str | None
    output_op: type | None  # the kind of op that made the output (None: the output is a leaf)

    def __post_init__(self) -> None:
        # What the program was written for, checked at every call by ``leaves_as_recorded``.
        self._arrays = [leaf for leaf in self.leaves if isinstance(leaf.data, np.ndarray)]
        self._array_facts = [(leaf.requires_grad, leaf.data.shape, leaf.data.dtype) for leaf in self._arrays]
        self._numbers = [leaf for leaf in [*self.leaves, *self.literals] if not isinstance(leaf.data, np.ndarray)]
        self._number_wants = [leaf.requires_grad for leaf in self._numbers]
        self._literal_values = [float(leaf.data).hex() for leaf in self.literals]  # to the bit: -0.0 is not 0.0

    def leaves_as_recorded(self) -> bool:
        """Whether the leaves are as the program was written for (else: record again).

        The parameters still want a gradient and the constants still do not,
        arrays keep their shapes and dtypes, and the numbers written into the
        source are still the constants' values.
        """
        return (
            [(leaf.requires_grad, leaf.data.shape, leaf.data.dtype) for leaf in self._arrays] == self._array_facts
            and (not self._numbers or [leaf.requires_grad for leaf in self._numbers] == self._number_wants)
            and (not self.literals or [float(leaf.data).hex() for leaf in self.literals] == self._literal_values)
        )

    def start(self, input_data: Sequence[Any]) -> Any:
        """A new run of the program on the inputs' data, with the leaves' data as they are now."""
        return self.function(*input_data, *[leaf.data for leaf in self.leaves], *[make() for make in self.stateful_ops])


def _fields_of(op: Op) -> dict[str, Any]:
    """Every attribute an op holds, in its slots or its ``__dict__``: what a copy of it must have."""
    slots = [name for cls in type(op).__mro__ for name in cls.__dict__.get("__slots__", ())]
    fields = {name: getattr(op, name) for name in slots if name != "__dict__" and hasattr(op, name)}
    fields.update(getattr(op, "__dict__", {}))
    return fields


def _op_from(cls: type[Function], fields: dict[str, Any]) -> Function:
    """A new op of class ``cls`` holding ``fields`` (a fresh copy, much faster than ``copy.copy``)."""
    op = cls.__new__(cls)
    for name, value in fields.items():
        setattr(op, name, value)
    return op


def _fresh_op(op: Function, needs: tuple[bool, ...]) -> Callable[[], Function]:
    """How a program makes ``op`` anew at each call, wanting the gradients ``needs``.

    As ``Function.apply`` made it, from its keyword parameters, so whatever its
    ``__init__`` sets up and its ``forward`` stores is the call's own, never the
    recording's. An op made some other way (not by ``apply``) is copied as it is.
    """
    cls = type(op)
    made_with = getattr(op, "_made_with", None)
    if made_with is None:
        fields = {**_fields_of(op), "needs_input_grad": needs}
        return lambda: _op_from(cls, fields)

    def make() -> Function:
        fresh = cls(**made_with)
        fresh.needs_input_grad, fresh._made_with = needs, made_with
        return fresh

    return make


class _Namer:
    """Python names for the values of a program: labels and parameter names where known, unique, never a keyword."""

    def __init__(self, reserved: Sequence[str]):
        self.used = set(reserved)
        self.counts: dict[str, int] = {}

    def name(self, wanted: str, numbered: bool = False) -> str:
        # Python reads a name in its NFKC form (w₁ is w1, ﬁ is fi): take that form, so that two labels can
        # never be one variable, and keep only the characters a name may hold.
        normalized = unicodedata.normalize("NFKC", str(wanted))  # (a label may be any object: label=3)
        base = "".join(c if f"_{c}".isidentifier() else "_" for c in normalized).strip("_") or "value"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = f"v_{base}"
        if not numbered and base not in self.used:
            self.used.add(base)
            return base
        while True:
            self.counts[base] = self.counts.get(base, 0) + 1
            candidate = f"{base}_{self.counts[base]}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _kind_name(op: Op) -> str:
    """A name for an op's results: its drawn name when that is a word (``relu``), else its class's (``mul`` for ``*``)."""
    name = op.name or ""
    return name if name.isidentifier() else type(op).__name__.lower().lstrip("_")


def _literal(number: float) -> str:
    """A float as Python source that reads back as exactly the same float."""
    return repr(number)


def _term(expression: str) -> str:
    """``expression`` ready to follow a ``+`` (a conditional expression needs parentheses)."""
    return f"({expression})" if " if " in expression else expression


def generate(
    output: Node,
    inputs: Sequence[Node],
    input_names: Sequence[str],
    wants_grad: Sequence[bool],
    parameter_names: dict[int, str],
    title: str,
) -> Program:
    """Write the recorded graph of ``output`` as a program over the data of ``inputs`` and of the graph's leaves.

    ``inputs`` are the stand-in leaves the graph was recorded from (all
    requiring grad, so everything computed from them was recorded);
    ``wants_grad`` says which of them really want a gradient. Every other leaf
    that requires grad is a parameter, named by ``parameter_names`` (keyed by
    ``id``) or its label. A leaf that requires no grad is a constant: a
    ``Value``'s number is written into the program, a ``Tensor``'s array is
    read from its node at each call.
    """
    order = topological_order(output)
    ops = sum(node._op is not None for node in order)
    if ops > LARGEST_PROGRAM:
        raise ValueError(
            f"compile: the recorded graph has {ops:,} ops, and a program of more than {LARGEST_PROGRAM:,} takes "
            "gigabytes of memory and many seconds to compile (Python's compiler holds every line at once): call "
            "the function without compile, which runs graphs of any size, or compile a smaller part of it"
        )
    position = {id(node): index for index, node in enumerate(inputs)}
    arity = max((len(node._parents) for node in order), default=0)
    namer = _Namer([*HELPERS, "abs", "Tensor", "Value", *(f"part_{index}" for index in range(arity))])
    title = namer.name(title)  # (a function called tanh or class must not hide a helper, nor be a keyword)
    names: dict[int, str] = {}
    for node, input_name in zip(inputs, input_names):
        names[id(node)] = namer.name(node.label or input_name)
    # Which nodes really need a gradient: parameters, wanted inputs, and what is computed from them.
    needs: dict[int, bool] = {}
    for node in order:
        if id(node) in position:
            needs[id(node)] = wants_grad[position[id(node)]]
        elif node._op is None:
            needs[id(node)] = True
        else:
            needs[id(node)] = any(needs.get(id(parent), False) for parent in node._parents)
    parameters = [node for node in order if node._op is None and id(node) not in position]
    for node in parameters:
        names[id(node)] = namer.name(parameter_names.get(id(node)) or node.label or "parameter")
    constants: list[Node] = []
    literals: list[Node] = []
    globals_ = dict(HELPERS)
    stateful_ops: list[Callable[[], Function]] = []
    stateful_names: list[str] = []
    shared_names: dict[int, str] = {}
    calls: dict[int, str] = {}  # node id -> the name of the op object its lines call

    def name_of(node: Node) -> str:
        """The name (or, for a scalar constant, the literal) that stands for a node's data."""
        if id(node) not in names:  # a constant leaf: the only nodes that are not in ``order``
            if isinstance(node, Value):
                names[id(node)] = _literal(node.data)
                literals.append(node)
            else:
                names[id(node)] = namer.name(node.label or "constant")
                constants.append(node)
        return names[id(node)]

    def op_object(node: Node) -> str:
        """The name of the op object that a node's lines call, set up for the gradients that are really needed."""
        op = node._op
        assert isinstance(op, Function), "every op of a recorded graph is made by Function.apply"
        real_needs = tuple(needs.get(id(parent), False) for parent in node._parents)
        cls = type(op)
        # The one instance of a shared op (``shared = True``, applied without parameters) becomes a global; a
        # parametrised instance of the same class (``log_softmax(axis=0)``) is not it, so it is never swapped.
        if cls._shared is not None and cls._shared.get(op.needs_input_grad) is op:
            shared = cls._shared.get(real_needs) or cls._make(real_needs, {})
            if id(shared) not in shared_names:
                shared_names[id(shared)] = namer.name(f"{_kind_name(op)}_op")
                globals_[shared_names[id(shared)]] = shared
            return shared_names[id(shared)]
        # The op is an argument of the program, made afresh for each call.
        stateful_ops.append(_fresh_op(op, real_needs))
        stateful_names.append(namer.name(f"{_kind_name(op)}_op"))
        return stateful_names[-1]

    forward: list[Line] = []
    inlined: set[int] = set()  # the nodes whose op is written out as code
    softmax_parts: dict[int, tuple[str, ...]] = {}  # what a written-out cross-entropy reads backward
    for node in order:
        if node._op is None:
            continue
        arguments = [name_of(parent) for parent in node._parents]
        names[id(node)] = out = namer.name(node.label or _kind_name(node._op), numbered=not node.label)
        cls = type(node._op)
        if _cross_entropy_on_labels(node):
            (logits,) = arguments
            op = node._op
            assert isinstance(op, SoftmaxCrossEntropy) and op.labels is not None
            shifted, exponentials, sums, rows, labels = map(
                namer.name, ("shifted", "exponentials", "sums", "rows", "labels")
            )
            count = len(op.labels)
            globals_[rows], globals_[labels] = np.arange(count), np.array(op.labels)  # constants of the program
            softmax_parts[id(node)] = (exponentials, sums, rows, labels, str(count))
            picked = f"{shifted}[{rows}, {labels}]"  # each row's shifted logit at its class
            forward += [  # all quiet, as the op is: logits of inf give nan, huge ones inf, without warnings
                Line(f"{shifted} = {logits} - {logits}.max(axis=1, keepdims=True)", quiet=True),
                Line(f"{exponentials} = np.exp({shifted})", quiet=True),
                Line(f"{sums} = {exponentials}.sum(axis=1, keepdims=True)", quiet=True),
                Line(
                    f"{out} = as_array(-({picked} - np.log({sums}[:, 0])).sum() / {count})",
                    quiet=True,
                    comment=f"{labels}: the classes recorded",
                ),
            ]
            continue
        if _inlined(node):
            inlined.add(id(node))
            fills = dict(zip("abc", arguments), o=out)
            if isinstance(node, Value):
                forward.append(Line(f"{out} = {SCALAR_FORWARD[cls].format(**fills)}"))
                continue
            into = TENSOR_FORWARD_INTO_INPUT.get(cls)
            forward.append(
                Line(
                    f"{out} = {TENSOR_FORWARD[cls].format(**fills)}",
                    in_place=into and f"{out} = {into.format(**fills)}",
                    operand=into and arguments[0],
                )
            )
            if cls in TENSOR_FORWARD_SECOND_LINE:
                forward.append(Line(TENSOR_FORWARD_SECOND_LINE[cls].format(**fills)))
            continue
        calls[id(node)] = op_object(node)
        expression = f"{calls[id(node)]}.forward({', '.join(arguments)})"
        if _of_users(node):  # an op of the user's runs as Function.apply runs it, its result checked alike
            globals_[type(node).__name__] = type(node)
            expression = f"users_forward({calls[id(node)]}, {type(node).__name__}, {', '.join(arguments)})"
        elif isinstance(node.data, np.ndarray) and node.data.ndim == 0:
            expression = f"as_array({expression})"  # as a Tensor keeps a 0-d result: an array, not a numpy scalar
        forward.append(Line(f"{out} = {expression}", calls=True))

    root = name_of(output)
    grads = {id(output): namer.name(f"grad_{root}" if root.isidentifier() else "grad_output")}
    backward: list[Line] = []
    # The gradient names that may hold None: what an op of the user's left out, and what only it would reach.
    maybe_none: set[str] = set()

    def write_backward_of(node: Node) -> None:
        """Append the lines of one op's chain rule: its inputs' gradients from its upstream gradient."""
        arguments = [name_of(parent) for parent in node._parents]
        wanted = [needs.get(id(parent), False) for parent in node._parents]
        upstream, out, cls = grads[id(node)], names[id(node)], type(node._op)
        in_place_term = None  # (the term, the same term written into the upstream gradient's array)
        if id(node) in softmax_parts:
            exponentials, sums, rows, labels, row_count = softmax_parts[id(node)]
            (logits_node,) = node._parents
            if id(logits_node) in grads:  # the logits have a gradient already: this term is added to it below
                term = "part_0"
                maybe_none.discard(term)
            else:
                term = grads[id(logits_node)] = namer.name(f"grad_{arguments[0]}")
            scale = f"{upstream} / {row_count}"
            backward.extend(
                [
                    Line(
                        f"{term} = {exponentials} / {sums}",
                        comment=f"softmax({arguments[0]}): each row's probabilities",
                    ),
                    Line(f"{term} *= {scale}"),
                    Line(f"{term}[{rows}, {labels}] -= {scale}", comment="minus 1 at each row's class"),
                ]
            )
            if term != "part_0":
                return
            terms = [term]
        elif id(node) in inlined:
            rules = (SCALAR_BACKWARD if isinstance(node, Value) else TENSOR_BACKWARD)[cls]
            if cls is Pow:
                rules = _pow_rules(*node._parents)
            fills = dict(zip("abc", arguments), g=upstream, o=out)
            terms = [rule.format(**fills) if want else "" for rule, want in zip(rules, wanted)]
            if not isinstance(node, Value) and cls in TENSOR_BACKWARD_INTO_UPSTREAM:  # one input: one term
                in_place_term = (terms[0], TENSOR_BACKWARD_INTO_UPSTREAM[cls].format(**fills))
        else:
            call = f"{calls[id(node)]}.backward({', '.join([upstream, out, *arguments])})"
            if _of_users(node):  # handed read-only arrays, as in backward()
                call = f"{calls[id(node)]}._run('backward', {', '.join([upstream, out, *arguments])})"
            # An op of the user's has its gradients checked, and an op mixing dtypes has them cast, as backward() does.
            checked = _of_users(node) or _mixes_dtypes(node)
            if checked:
                inputs_name = namer.name(f"inputs_of_{out}")
                globals_[inputs_name] = tuple(_shape_of(p) if want else None for p, want in zip(node._parents, wanted))
                call = f"checked({call}, {calls[id(node)]}, {inputs_name})"
            targets = []  # a new gradient is unpacked straight into its name, a further term into a part to add
            for index, (parent, want) in enumerate(zip(node._parents, wanted)):
                if not want:
                    targets.append("_")
                    continue
                if id(parent) in grads:
                    targets.append(f"part_{index}")
                else:
                    grads[id(parent)] = namer.name(f"grad_{names[id(parent)]}")
                    targets.append(grads[id(parent)])
                if checked:  # a checked gradient may be left out (None)
                    maybe_none.add(targets[-1])
                else:
                    maybe_none.discard(targets[-1])
            unpacked = ", ".join(targets) + ("," if len(targets) == 1 and checked else "")
            backward.append(Line(f"{unpacked} = {call}", calls=True))
            parts = [target.startswith("part_") for target in targets]
            if not any(parts):
                return
            wanted, terms = parts, targets
        totals = _accumulate(node._parents, wanted, terms, grads, names, namer, maybe_none)
        adds_present = any(total.startswith("present_sum(") for total in totals.values())
        if isinstance(node, Value):  # short scalar terms read best side by side: grad_s, grad_b = grad_n, grad_n
            backward.append(Line(f"{', '.join(totals)} = {', '.join(totals.values())}", calls=adds_present))
        elif in_place_term is not None and not adds_present:  # the one term is the end of its input's total
            ((target, total),) = totals.items()
            term, term_in_place = in_place_term
            assert total.endswith(term), "a total ends with its newest term (see _accumulate)"
            in_place = f"{target} = {total.removesuffix(term)}{term_in_place}"
            backward.append(Line(f"{target} = {total}", in_place=in_place, operand=upstream))
        else:  # (present_sum may hand back a term's own array: counted as a call, so no line writes into it)
            backward.extend(Line(f"{target} = {total}", calls=adds_present) for target, total in totals.items())

    for node in reversed(order):
        if node._op is None or not needs[id(node)]:
            continue
        first_line, named_before, absent_before = len(backward), set(grads), set(maybe_none)
        write_backward_of(node)
        upstream = grads[id(node)]
        if upstream in maybe_none:  # no gradient may come: its lines run only if one did, as backward() skips the op
            new_names = tuple(name for key, name in grads.items() if key not in named_before)
            for line in backward[first_line:]:
                line.guard = upstream
            backward[-1].unset = new_names  # (set to None where the op is skipped)
            maybe_none.update(new_names, absent_before)  # skipped, the lines change nothing

    needing_grad = [i for i, wanted in enumerate(wants_grad) if wanted and id(inputs[i]) in grads]
    leaf_gradients = [grads[id(inputs[i])] for i in needing_grad] + [grads[id(p)] for p in parameters]
    arguments = [names[id(node)] for node in [*inputs, *parameters, *constants]] + stateful_names
    # The yields hand arrays out of the program, so they count as calls: what they hand out is never reused.
    if leaf_gradients:
        gradients = f"{', '.join(leaf_gradients)}{',' * (len(leaf_gradients) == 1)}"
        ends = [Line(f"{grads[id(output)]} = yield {root}", calls=True)]
        ends.append(Line(f"{grads[id(output)]} = yield {gradients}", calls=True))
    else:
        ends = [Line(f"yield {root}", calls=True)]
    program = [*forward, ends[0], *backward, *ends[1:]]
    texts = reuse_arrays(program, set(names.values()) | set(grads.values()))
    lines = [f"def {title}({', '.join(arguments)}):"]
    for index, (line, text) in enumerate(zip(program, texts)):
        if index == len(forward) + 1:
            lines.append("    while True:")
        indent = "    " if index <= len(forward) else "        "
        if line.quiet and (index == 0 or not program[index - 1].quiet):  # a block of quiet lines starts
            lines.append(f'{indent}with np.errstate(all="ignore"):  # inf and nan pass silently, as in eager mode')
        if line.guard and (program[index - 1].guard != line.guard or program[index - 1].unset):  # a guarded op
            lines.append(f"{indent}if {line.guard} is not None:  # else no gradient came: backward() skips this op")
        comment = f"  # {line.comment}" if line.comment else ""
        lines.append(f"{indent}{'    ' * (line.quiet or bool(line.guard))}{text}{comment}")
        if line.unset:
            lines += [f"{indent}else:", f"{indent}    {' = '.join(line.unset)} = None"]
    source = "\n".join(lines) + "\n"
    namespace = dict(globals_)
    exec(compile(source, f"<compiled {title}>", "exec"), namespace)  # noqa: S102 (the generated source, never user text)
    return Program(
        source=source,
        function=namespace[title],
        leaves=[*parameters, *constants],
        literals=literals,
        parameters=parameters,
        inputs_needing_grad=needing_grad,
        stateful_ops=stateful_ops,
        output_kind=type(output),
        output_label=output.label,
        output_op=None if output._op is None else type(output._op),
    )


def _pow_rules(base: Node, exponent: Node) -> tuple[str, str]:
    """Pow's chain rules on Values, with the branch a literal base or exponent takes written alone.

    A number written into the program is checked at every call, so its branch
    is known: ``x ** 2.0`` reads ``grad * (2.0 * power(x, 2.0 - 1))``, the same
    arithmetic as the general rule, without a guard that can never hold.
    """
    for_base, for_exponent = SCALAR_BACKWARD[Pow]
    if _is_literal(exponent):
        for_base = "0.0" if exponent.data == 0.0 else "{g} * ({b} * power({a}, {b} - 1))"
    if _is_literal(base) and base.data != 0.0:  # (nan is not 0: its branch is the logarithm's too)
        for_exponent = "{g} * ({o} * log({a}))"
    return for_base, for_exponent


def _is_literal(node: Node) -> bool:
    """Whether a Value is written into the program as a number: a constant leaf (checked at every call)."""
    return node._op is None and not node.requires_grad


def _accumulate(
    parents: Sequence[Node],
    wanted: Sequence[bool],
    terms: Sequence[str],
    grads: dict[int, str],
    names: dict[int, str],
    namer: _Namer,
    maybe_none: set[str],
) -> dict[str, str]:
    """Each input's gradient name and the expression adding its terms, as ``backward()`` does, in the same order.

    An input's first term becomes its gradient; later terms are added to it
    (``grad_x = grad_x + term``, a new number or array, never changed in place).
    An input used many times by one op gets ``added_in_order(grad_x, (term, ...))``,
    which adds in the same order: Python cannot compile a chain of thousands of ``+``.
    Where a term may be None (``maybe_none``: left out by an op of the user's),
    ``present_sum`` adds the terms that came; the total may be None only if every term may.
    """
    summands: dict[str, list[str]] = {}
    for parent, want, term in zip(parents, wanted, terms):
        if not want:
            continue
        target = grads.get(id(parent))
        if target is None:
            target = grads[id(parent)] = namer.name(f"grad_{names[id(parent)]}")
            summands[target] = [term]
        else:
            summands.setdefault(target, [target]).append(term)
    totals = {}
    for target, summed in summands.items():
        absent = [term in maybe_none for term in summed]
        totals[target] = f"present_sum({', '.join(summed)})" if any(absent) and len(summed) > 1 else _sum(summed)
        if all(absent):
            maybe_none.add(target)
        else:
            maybe_none.discard(target)
    return totals


def _sum(terms: Sequence[str]) -> str:
    """The expression adding ``terms`` from left to right."""
    if len(terms) == 1:
        return terms[0]
    if len(terms) <= LONGEST_SUM:
        return " + ".join(map(_term, terms))
    return f"added_in_order({terms[0]}, ({', '.join(terms[1:])},))"
