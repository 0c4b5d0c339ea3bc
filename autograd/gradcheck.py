"""Gradient check: compare the analytic gradient with central finite differences.

The numerical gradient ``(f(x + h) - f(x - h)) / 2h`` (``autograd.finite_differences``)
needs two evaluations of ``f`` per input element and is only approximate, but
it is simple enough to trust; the analytic gradient from backprop is exact and
fast. Agreement between the two is the standard test that an op's backward is
right. ``gradcheck`` checks a whole function; ``check_graph`` checks each op of
a graph on its own, to find which one is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .finite_differences import central_differences, check_settings, excess
from .graph import Node, grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when analytic and numerical gradients disagree."""


def _numerical_gradient(f: Callable[..., Node], inputs: tuple[Node, ...], index: int, eps: float) -> np.ndarray:
    """d sum(f(*inputs)) / d inputs[index], element by element, by central differences.

    A tensor's elements are moved in place, in its own array, so anything that
    shares the array sees the same numbers as ``f``; the array is put back in a
    ``finally``, so the inputs are exactly as they were even when ``f`` raises.
    """
    node = inputs[index]
    original = node.data
    in_place = isinstance(original, np.ndarray)
    if in_place and not original.flags.writeable:
        raise ValueError(f"gradcheck(): input {index}'s data is a read-only array; it is moved in place")
    saved = original.copy() if in_place else original

    def evaluate(shifted: Any) -> Any:
        if in_place:
            np.copyto(original, shifted, casting="unsafe")
        else:
            node.data = shifted
        return f(*inputs).data

    try:  # (with grad mode as it is: ``f`` may take gradients itself, as a check of a second derivative does)
        return central_differences(evaluate, saved, eps).reshape(np.shape(original))
    finally:
        if in_place:
            np.copyto(original, saved)
        else:
            node.data = original


def gradcheck(
    f: Callable[..., Node],
    *inputs: Node,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> bool:
    """Check ``f``'s analytic gradient against central differences, in float64.

    ``f`` takes the given nodes and returns a node; a non-scalar output is
    summed. Returns True when every element agrees within ``atol + rtol * |numeric|``;
    otherwise raises ``GradcheckError`` naming the input and element that are
    furthest apart.
    """
    if not inputs:
        raise ValueError("gradcheck() needs at least one input node")
    check_settings("gradcheck()", eps, atol, rtol)
    for index, node in enumerate(inputs):
        if not isinstance(node, Node):
            raise TypeError(f"gradcheck(): input {index} is a {type(node).__name__}, not a Value or Tensor")
        if np.asarray(node.data).dtype != np.float64:
            raise TypeError(
                f"gradcheck(): input {index} is {np.asarray(node.data).dtype}; finite differences need float64"
            )
        if not node.requires_grad:
            raise ValueError(f"gradcheck(): input {index} does not require grad")
    output = f(*inputs)
    total = output.sum() if isinstance(output, Tensor) and output.ndim else output
    analytic = grad(total, inputs, allow_unused=True)
    worst = None
    for index, node in enumerate(inputs):
        exact = np.zeros(np.shape(node.data)) if analytic[index] is None else np.asarray(analytic[index], np.float64)
        numeric = _numerical_gradient(f, inputs, index, eps)
        apart = excess(exact, numeric, atol, rtol)
        apart = np.where(np.isnan(apart), np.inf, apart)  # a nan on either side can never agree
        position = int(np.argmax(apart)) if apart.size else 0
        if apart.size and (worst is None or apart.flat[position] > worst[0]):
            worst = (apart.flat[position], index, position, exact.flat[position], numeric.flat[position])
    if worst is not None and worst[0] > 0:
        _, index, position, exact, numeric = worst
        label = inputs[index].label
        name = f"input {index}" + (f" ({label!r})" if label else "")
        shape = np.shape(inputs[index].data)
        element = f", element {tuple(int(i) for i in np.unravel_index(position, shape))}" if shape else ""
        raise GradcheckError(
            f"gradcheck failed at {name}{element}: analytic {exact:.10g}, numerical {numeric:.10g}, "
            f"difference {abs(exact - numeric):.3g} > atol {atol:g} + rtol {rtol:g} x |numerical|"
        )
    return True
