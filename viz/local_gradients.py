"""The gradient each op passes to each of its inputs, asked from the op itself.

An op's ``backward`` turns the upstream gradient d(loss)/d(out) into upstream x
local gradient for every input. Given an upstream gradient of 1 (all ones for
an array) it returns the local gradient d(out)/d(input) itself: the number the
drawing writes on an edge, so that upstream x local = downstream can be read
off the picture. Nothing is hand-written here: the numbers come from the same
``backward`` that backprop runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node


def backward_contributions(node: Node, upstream: Any) -> tuple[Any, ...]:
    """What ``node``'s op passes back to each parent for ``upstream`` (None where a parent gets nothing)."""
    parents = node.parents
    if node.op is None:
        return ()
    result = node.op.backward(upstream, node.data, *[parent.data for parent in parents])
    if type(result) is not tuple:
        result = (result,)
    return tuple(grad if parent.requires_grad else None for parent, grad in zip(parents, result))


def local_gradients(node: Node) -> tuple[Any, ...]:
    """d(node)/d(parent) for each parent: the op's backward with an upstream gradient of ones.

    For an array the result is what each input would receive if every element
    of the output had gradient 1 (for an elementwise op, the diagonal of the
    Jacobian; for a matrix product, the other factor summed).
    """
    if node.op is None:
        return ()
    ones = np.ones_like(node.data) if isinstance(node.data, np.ndarray) else 1.0
    return backward_contributions(node, ones)
