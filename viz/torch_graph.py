"""Drawing a torch computation: the tracegrad graph that mirrors it, so every drawing feature works on it.

``mirror_torch_graph(t)`` walks back from a ``torch.Tensor`` and builds
tracegrad ``Tensor`` nodes with the same structure: a leaf for each tensor the
user made (its data, and its ``.grad``), and one node per operation. Where the
computation ran inside ``viz.trace_torch()`` each node holds the value torch
computed, its gradient, and an op named as torch names it whose backward asks
torch's autograd for that op's share of the gradient. Elsewhere it follows
torch's backward graph (``grad_fn.next_functions``): the ops are torch's
backward functions (``MulBackward0``) and the values between them are shown
as ``?``, because torch does not keep them.

The walk uses an explicit stack (no recursion), and the inputs of each node
keep torch's order, so the same computation gives the same drawing every time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Function, Node, Tensor

from .torch_trace import RECORDS, TracedCall, snapshot

TRACE_HINT = "compute it inside viz.trace_torch() to draw every value, local gradients and backprop steps"


def is_torch_tensor(x: Any) -> bool:
    """True for a ``torch.Tensor`` (checked without importing torch: if it is not imported, ``x`` is not one)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


TORCH_ELEMENTWISE = frozenset(
    [
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "abs",
        "exp",
        "log",
        "tanh",
        "sigmoid",
        "relu",
        "pow",
        "sqrt",
        "sin",
        "cos",
        "square",
        "__add__",
        "__radd__",
        "__sub__",
        "__rsub__",
        "__mul__",
        "__rmul__",
        "__truediv__",
        "__rtruediv__",
        "__neg__",
        "__pow__",
        "__rpow__",
    ]
)
"""Torch's names of the ops in which each output element depends only on the same element of each input."""


class TorchOp(Function):
    """A traced torch call as an op: torch's name, and a backward that is torch's autograd on the call run again.

    The call runs again on fresh copies of the recorded inputs (with the same
    random numbers if it drew any), and ``torch.autograd.grad`` gives each
    input's share of the upstream gradient: a vector-Jacobian product.
    """

    def __init__(self, call: TracedCall, torch: Any):
        self.call = call
        self.torch = torch
        self.name = call.name
        self.elementwise = call.name in TORCH_ELEMENTWISE
        self.changed_in_place = False  # its output was changed in place later (x.mul_(2)): its .grad is the new value's
        self.changed_unseen = False  # its output was changed in place where autograd did not see it (under no_grad)

    def _tensors(self, inputs: Sequence[Any]) -> list[Any]:
        """``inputs`` as torch tensors; class indices and masks (drawn as floats) in their recorded dtype again."""
        return [
            self.torch.tensor(np.asarray(x) if given.data.dtype.kind == "f" else np.asarray(x).astype(given.data.dtype))
            for x, given in zip(inputs, self.call.inputs)
        ]

    def forward(self, *inputs: Any) -> np.ndarray:
        """The call run again on ``inputs`` (numpy arrays), without recording: what a drawing checks its data by."""
        torch = self.torch
        with torch.no_grad():
            return snapshot(self.call.run_again(torch, self._tensors(inputs)))

    def backward(self, grad: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        torch = self.torch
        if isinstance(grad, Node) or any(isinstance(x, Node) for x in inputs):
            raise NotImplementedError(f"torch op {self.name!r}: a gradient of a gradient (create_graph) is not traced")
        leaves = [tensor.requires_grad_(need) for tensor, need in zip(self._tensors(inputs), self.needs_input_grad)]
        with torch.enable_grad():
            result = self.call.run_again(torch, [leaf.clone() for leaf in leaves])
        # Run again, the result must be the one recorded (else the op drew random numbers it does not repeat), up
        # to rounding: contiguous copies of a transposed view, or a check's float64 copies, round otherwise.
        tolerance = float(np.sqrt(np.finfo(self.call.data.dtype).eps))
        scale = max([1.0, *(float(np.max(np.abs(x), initial=0.0)) for x in inputs)])  # (a sum that cancels)
        recorded = torch.tensor(np.asarray(out), dtype=result.dtype)
        if not self.changed_unseen and not torch.allclose(
            result.detach(), recorded, rtol=tolerance, atol=tolerance * scale, equal_nan=True
        ):
            raise RuntimeError(
                f"torch op {self.name!r} gives a different result when run again on the same inputs, so its "
                "share of the gradient cannot be computed; draw it without local gradients"
            )
        wanted = [leaf for leaf in leaves if leaf.requires_grad]
        if not wanted:
            return (None,) * len(leaves)
        upstream = torch.tensor(np.asarray(grad), dtype=result.dtype)  # (a copy: torch takes no read-only array)
        shares = iter(torch.autograd.grad(result, wanted, grad_outputs=upstream, allow_unused=True))
        return tuple(_numpy_or_none(next(shares)) if leaf.requires_grad else None for leaf in leaves)


def _numpy_or_none(tensor: Any) -> np.ndarray | None:
    return None if tensor is None else snapshot(tensor)


class TorchBackwardFunction(Function):
    """One of torch's backward functions (``MulBackward0``) of a computation that was not traced."""

    keeps_no_values = True  # its output's data and grad are unknown: a drawing shows ? and says why

    def __init__(self, name: str):
        self.name = name

    def backward(self, grad: Any, out: Any, *inputs: Any) -> Any:
        raise RuntimeError(
            f"torch's backward graph keeps no values between its functions, so {self.name}'s share of a "
            f"gradient cannot be shown: {TRACE_HINT} (what the trace cannot see: a custom torch.autograd.Function, "
            "or an in-place change through a view such as y[0] += w; from there back, the drawing is torch's own graph)"
        )


@dataclass(frozen=True, eq=False)
class _TracedSource:
    call: TracedCall
    tensor: Any
    version: int
    changed_unseen: np.ndarray | None = None  # its data, when changed in place where autograd did not see it
    used_at: int | None = None  # then, the version of the tensor used: each changed value its own node

    @property
    def key(self) -> Any:
        return ("call", id(self.call), self.used_at)


@dataclass(frozen=True, eq=False)
class _BackwardSource:
    function: Any
    tensor: Any = None  # the tensor it made, when known (then its data is known too)
    data: Any = None

    @property
    def key(self) -> Any:
        return ("function", id(self.function))


@dataclass(frozen=True, eq=False)
class _LeafSource:
    tensor: Any
    version: int
    data: np.ndarray

    @property
    def key(self) -> Any:
        return ("leaf", id(self.tensor), self.version)


def _current_grad(tensor: Any, version: int) -> np.ndarray | None:
    """``tensor.grad`` as numpy when torch kept it and the tensor still holds the value drawn, else None."""
    if tensor is None or tensor._version != version or not (tensor.is_leaf or tensor.retains_grad):
        return None  # (a leaf changed since, by an optimizer step say, may hold a later graph's .grad)
    return None if tensor.grad is None else snapshot(tensor.grad)


@dataclass
class _MirroredParameters:
    """A torch model's parameter names, given to the mirrored nodes: what ``model=`` reads."""

    pairs: list[tuple[str, Node]] = field(default_factory=list)

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        return iter(self.pairs)


class _Mirror:
    """Builds the mirrored nodes, each once, inputs before the nodes made from them."""

    def __init__(self, torch: Any):
        self.torch = torch
        self.nodes: dict[Any, Node] = {}
        self.leaf_nodes: list[tuple[Any, Node]] = []

    def source(self, tensor: Any, version: int, data: np.ndarray, grad_fn: Any) -> Any:
        """What made ``tensor`` as it was at ``version`` (``grad_fn``: torch's backward function of it then)."""
        records = getattr(tensor, RECORDS, {})
        if version in records:
            return _TracedSource(records[version], tensor, version)
        earlier = max((v for v in records if v < version), default=None)
        if grad_fn is not None and earlier is not None and records[earlier].grad_fn is grad_fn:
            # Changed in place where autograd did not see it (under no_grad, through .data): torch's backward
            # goes through the op as recorded, so the drawing does too, with the numbers as they were used.
            return _TracedSource(records[earlier], tensor, earlier, changed_unseen=data, used_at=version)
        if grad_fn is not None:  # made outside the trace (or by a call it cannot see): torch's own graph from here
            return _BackwardSource(grad_fn, tensor if tensor._version == version else None, data)
        return _LeafSource(tensor, version, data)

    def inputs(self, source: Any) -> list[Any]:
        if isinstance(source, _TracedSource):
            return [self.source(given.tensor, given.version, given.data, given.grad_fn) for given in source.call.inputs]
        if isinstance(source, _BackwardSource):
            found: list[_LeafSource | _BackwardSource] = []
            for function, _ in source.function.next_functions:
                if function is None:  # an input that needs no gradient: torch's graph does not show it
                    continue
                variable = getattr(function, "variable", None)  # AccumulateGrad: a leaf that wants a gradient
                if variable is not None:
                    found.append(_LeafSource(variable, variable._version, snapshot(variable)))
                else:
                    found.append(_BackwardSource(function))
            return found
        return []

    def make(self, source: Any, parents: tuple[Node, ...]) -> Node:
        if isinstance(source, _TracedSource):
            op = TorchOp(source.call, self.torch)
            op.needs_input_grad = tuple(parent.requires_grad for parent in parents)
            op.changed_unseen = source.changed_unseen is not None
            node = Tensor._result(
                source.call.data if source.changed_unseen is None else source.changed_unseen, parents, op
            )
            node.grad = _current_grad(source.tensor, source.version)
            op.changed_in_place = source.tensor is not None and source.tensor._version != source.version
            return node
        if isinstance(source, _BackwardSource):
            node = Tensor._result(np.zeros(()), parents, TorchBackwardFunction(type(source.function).__name__))
            node.data = source.data  # None (drawn as ?) unless this is the tensor being drawn
            node.grad = None if source.tensor is None else _current_grad(source.tensor, source.tensor._version)
            return node
        data = source.data if source.data.dtype.kind == "f" else source.data.astype(np.float64)  # (class indices)
        node = Tensor._result(data, (), None)
        # A tensor that is no leaf now was a constant at this version, filled in later (y[1:3] = w * 2).
        node.requires_grad = bool(source.tensor.requires_grad and source.tensor.is_leaf)
        node.grad = _current_grad(source.tensor, source.version)
        self.leaf_nodes.append((source.tensor, node))
        return node

    def build(self, root: Any) -> Node:
        """The node of ``root``, every input built first (a depth-first walk with an explicit stack).

        Sources are told apart by the ``id`` of torch's objects, so every source
        stays referenced in ``inputs_of`` until the walk ends: an id is never reused.
        """
        inputs_of: dict[Any, list[Any]] = {}
        stack = [(root, False)]
        while stack:
            source, inputs_built = stack.pop()
            if source.key in self.nodes:
                continue
            if inputs_built:
                parents = tuple(self.nodes[given.key] for given in inputs_of[source.key])
                self.nodes[source.key] = self.make(source, parents)
                continue
            inputs = self.inputs(source)
            inputs_of[source.key] = inputs
            stack.append((source, True))
            stack.extend((given, False) for given in reversed(inputs) if given.key not in self.nodes)
        return self.nodes[root.key]

    def parameters_of(self, model: Any) -> _MirroredParameters:
        names = {id(parameter): name for name, parameter in model.named_parameters()}
        return _MirroredParameters([(names[id(t)], node) for t, node in self.leaf_nodes if id(t) in names])


def mirror_torch_graph(tensor: Any, model: Any = None) -> tuple[Node, Any]:
    """The tracegrad graph that mirrors ``tensor``'s computation, and ``model``'s parameter names for it.

    ``model`` is a ``torch.nn.Module`` (anything with ``named_parameters()``); its
    parameters are named on the drawing. Returns the node of ``tensor`` and the
    ``model=`` to draw it with.
    """
    torch = sys.modules["torch"]
    if tensor.grad_fn is None and not tensor.requires_grad and not getattr(tensor, RECORDS, None):
        raise TypeError(
            "viz draws an autograd Value or Tensor, got torch.Tensor with no computation behind it "
            "(requires_grad=False, no grad_fn): make its inputs with requires_grad=True, or "
            f"{TRACE_HINT.replace('it', 'the result', 1)}"
        )
    mirror = _Mirror(torch)
    root = mirror.build(mirror.source(tensor, tensor._version, snapshot(tensor), tensor.grad_fn))
    if model is None or not callable(getattr(model, "named_parameters", None)):
        return root, model
    return root, mirror.parameters_of(model)
