"""Gradient check: compare the analytic gradient with central finite differences.

The numerical gradient ``(f(x + h) - f(x - h)) / 2h`` needs two evaluations of
``f`` per input element and is only approximate, but it is simple enough to
trust; the analytic gradient from backprop is exact and fast. Agreement
between the two is the standard test that an op's backward is right.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .graph import Node, grad, no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when analytic and numerical gradients disagree."""


def _numerical_gradient(f: Callable[..., Node], inputs: tuple[Node, ...], index: int, eps: float) -> np.ndarray:
    """d(sum of f)/d(input ``index``) by central differences, moving one element at a time.

    A tensor's elements are moved in place, in its own array, so anything that
    shares the array sees the same numbers as ``f``; each is put back in a
    ``finally``, so the inputs are exactly as they were even when ``f`` raises.
    """
    node = inputs[index]

    def total() -> float:
        return float(np.sum(f(*inputs).data))

    with no_grad():
        if not isinstance(node.data, np.ndarray):  # a Value's float
            original = node.data
            try:
                node.data = original + eps
                plus = total()
                node.data = original - eps
                minus = total()
            finally:
                node.data = original
            return np.asarray((plus - minus) / (2 * eps))
        array = node.data
        if not array.flags.writeable:
            raise ValueError(f"gradcheck(): input {index}'s data is a read-only array; it is moved in place")
        numeric = np.zeros(array.shape)
        for position in np.ndindex(array.shape):
            original = array[position]
            try:
                array[position] = original + eps
                plus = total()
                array[position] = original - eps
                minus = total()
            finally:
                array[position] = original
            numeric[position] = (plus - minus) / (2 * eps)
    return numeric


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
        excess = np.abs(exact - numeric) - (atol + rtol * np.abs(numeric))
        excess = np.where(np.isnan(excess), np.inf, excess)  # a nan on either side can never agree
        position = int(np.argmax(excess)) if excess.size else 0
        if excess.size and (worst is None or excess.flat[position] > worst[0]):
            worst = (excess.flat[position], index, position, exact.flat[position], numeric.flat[position])
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
