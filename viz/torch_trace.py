"""``trace_torch``: write down every torch operation run in a block, so a drawing can show every value.

PyTorch's backward graph (``grad_fn``) keeps what backward needs, not the
values: drawn on its own it shows the ops and the leaves only. Inside
``with viz.trace_torch():`` every torch call passes through a
``TorchFunctionMode``, which keeps the function, a copy of each input and of
the result, and asks torch to keep the result's gradient (``retain_grad``).
``viz.draw(result)`` then shows every intermediate value with its data and,
after ``backward()``, its gradient; ``viz.backprop_steps`` and
``viz.backprop_player`` step through it, each op's share of a gradient
computed by torch's own autograd on that one call run again.

The record of a call is kept on its result tensor, per version of the tensor
(torch counts in-place changes), so a value changed in place later is still
drawn as it was when it was used. Tracing copies every value: it is meant for
computations small enough to look at.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# The attribute of a torch tensor that holds its records: {tensor version: TracedCall}.
RECORDS = "_tracegrad_traced"


@dataclass(frozen=True, eq=False)
class TracedInput:
    """A tensor as a call used it: the tensor, its version then, a copy of its data then, and what made it then."""

    tensor: Any
    version: int
    data: np.ndarray
    grad_fn: Any = None  # torch's backward function of the value used (None for a leaf or a constant)


@dataclass(frozen=True, eq=False)
class _Slot:
    """Where the ``index``-th tensor input sits in a call's arguments."""

    index: int


@dataclass(frozen=True, eq=False)
class TracedCall:
    """One torch call that made one tensor: enough to draw it and to run it again for its gradient."""

    name: str
    function: Callable
    arguments: tuple[Any, dict[str, Any]]  # (args, kwargs) with each tensor input replaced by a _Slot
    inputs: tuple[TracedInput, ...]
    output_index: int | None  # which item of a tuple result this tensor is (None: the result itself)
    data: np.ndarray
    random_state: Any  # torch's CPU random state before the call when the call drew random numbers, else None
    grad_fn: Any = None  # the backward function torch gave the result
    in_place: bool = False  # the call changed its first input and returned nothing (``y[0] = 0.0``): that is the result

    def run_again(self, torch: Any, tensors: list[Any]) -> Any:
        """The call on ``tensors`` instead of the inputs it had (with the same random numbers, if it drew any)."""
        args, kwargs = _fill(self.arguments, tensors)
        if self.random_state is None:
            result = self.function(*args, **kwargs)
        else:
            with torch.random.fork_rng(devices=[]):
                torch.set_rng_state(self.random_state)
                result = self.function(*args, **kwargs)
        if self.in_place:
            return tensors[0]
        return result if self.output_index is None else result[self.output_index]


def _with_slots(item: Any, tensor_type: type, found: list[Any]) -> Any:
    """``item`` (arguments, nested in tuples, lists and dicts) with every tensor replaced by a ``_Slot``."""
    if isinstance(item, tensor_type):
        found.append(item)
        return _Slot(len(found) - 1)
    if isinstance(item, (list, tuple)) and not hasattr(item, "_fields"):
        return type(item)(_with_slots(x, tensor_type, found) for x in item)
    if isinstance(item, dict):
        return {key: _with_slots(x, tensor_type, found) for key, x in item.items()}
    return item


def _fill(item: Any, tensors: list[Any]) -> Any:
    """The inverse of ``_with_slots``: every ``_Slot`` replaced by its tensor."""
    if isinstance(item, _Slot):
        return tensors[item.index]
    if isinstance(item, (list, tuple)):
        return type(item)(_fill(x, tensors) for x in item)
    if isinstance(item, dict):
        return {key: _fill(x, tensors) for key, x in item.items()}
    return item


def snapshot(tensor: Any) -> np.ndarray:
    """A numpy copy of a tensor's data, in its dtype."""
    return tensor.detach().cpu().numpy().copy()


def op_name(function: Callable) -> str:
    """torch's name of a function: ``add``, ``linear``, ``relu``; an operator's ``__matmul__`` as ``matmul``; ``x.T`` as ``T``."""
    if _computes(function):
        return function.__self__.__name__  # type: ignore[attr-defined]
    return getattr(function, "__name__", type(function).__name__).strip("_")


# The attributes whose reading computes a new tensor in torch's graph (``W.T`` is a PermuteBackward).
COMPUTED_ATTRIBUTES = frozenset({"T", "mT", "H", "mH", "real", "imag"})


def _computes(function: Callable) -> bool:
    """Whether an attribute access is an op: reading ``x.T`` computes, reading ``x.shape`` or ``x.grad`` does not."""
    if getattr(function, "__name__", None) != "__get__":
        return False
    return getattr(getattr(function, "__self__", None), "__name__", None) in COMPUTED_ATTRIBUTES


def _record_call(torch: Any, function: Callable, args: tuple, kwargs: dict) -> Any:
    """Run one torch call and keep a ``TracedCall`` on each tensor it makes that torch's autograd recorded."""
    if op_name(function) in ("get", "set"):  # reading or setting an attribute (x.grad, x.shape): not an op
        return function(*args, **kwargs)
    if not torch.is_grad_enabled():  # (under no_grad autograd records nothing: neither does the drawing)
        return function(*args, **kwargs)
    found: list[Any] = []
    arguments = _with_slots((args, kwargs), torch.Tensor, found)
    try:
        inputs = tuple(TracedInput(t, t._version, snapshot(t), t.grad_fn) for t in found)
    except (TypeError, RuntimeError):  # no numpy copy (a dtype numpy lacks, a meta tensor): left undrawn
        return function(*args, **kwargs)
    random_before = torch.get_rng_state()
    result = function(*args, **kwargs)
    if not inputs:
        return result
    random_state = None if torch.equal(random_before, torch.get_rng_state()) else random_before
    outputs: list[tuple[int | None, Any]]
    # (inputs is not empty here: found[0] is the first tensor input)
    in_place = bool(result is None and args and args[0] is found[0] and found[0]._version != inputs[0].version)
    if in_place:  # (item assignment, y[0] = 0.0: the changed tensor is the result)
        outputs = [(None, found[0])]
    elif isinstance(result, torch.Tensor):
        outputs = [(None, result)]
    elif isinstance(result, (tuple, list)) and result and all(isinstance(r, torch.Tensor) for r in result):
        outputs = list(enumerate(result))
    else:
        return result
    for index, output in outputs:
        if output.grad_fn is None:
            continue  # torch recorded nothing (no grad wanted, or under no_grad): a constant or a leaf, as in torch
        if any(output is given.tensor and output._version == given.version for given in inputs):
            continue  # the input itself, unchanged (a no-op .to()): nothing was computed
        try:
            data = snapshot(output)
        except (TypeError, RuntimeError):
            continue
        records = getattr(output, RECORDS, None)
        if records is None:
            records = {}
            setattr(output, RECORDS, records)
        name = op_name(function) if index is None else f"{op_name(function)}[{index}]"
        records[output._version] = TracedCall(
            name, function, arguments, inputs, index, data, random_state, output.grad_fn, in_place
        )
        output.retain_grad()
    return result


@functools.cache
def _recorder_class(torch: Any) -> type:
    class TorchRecorder(torch.overrides.TorchFunctionMode):
        """Records every torch call made while it is active (torch turns it off inside the call itself)."""

        def __torch_function__(self, function, types, args=(), kwargs=None):
            return _record_call(torch, function, args, kwargs or {})

    return TorchRecorder


def trace_torch() -> Any:
    """A context manager that records the torch operations run inside it, for ``viz.draw`` and the player.

    >>> import torch, viz
    >>> with viz.trace_torch():
    ...     x = torch.tensor(-2.0, requires_grad=True)
    ...     f = (x + 5) * -4
    >>> f.backward()
    >>> drawing = viz.draw(f)  # every value with its data and gradient: x's is -4
    >>> x.grad
    tensor(-4.)

    Needs PyTorch (``pip install 'tracegrad[torch]'``). Intermediate results
    keep their gradients (``retain_grad``); values are copied as numpy arrays
    in their own dtype.
    """
    from nn.torch_bridge import require_torch

    return _recorder_class(require_torch())()
