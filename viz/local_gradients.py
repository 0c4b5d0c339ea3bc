"""What flows back along each edge of a drawing, asked from the op itself.

An op's ``backward`` turns the upstream gradient d(loss)/d(out) into what each
input receives: the input's *share* of its gradient (a vector-Jacobian
product). A node's gradient is the sum of the shares on the edges leaving it.

For an elementwise op (every op on scalars; ``+``, ``*``, ``tanh``... on
arrays) each output element depends only on the same element of each input,
so the share is upstream x local, element by element, where local is
d(out)/d(input): the op's backward with an upstream gradient of ones. For a
matrix product, a reduction, indexing or softmax the share is not such a
product, so a drawing shows the share alone. Nothing is hand-written here:
the numbers come from the same ``backward`` that backprop runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, elementwise, plain
from autograd.function import backward_aside

from .torch_graph import is_torch_tensor, mirror_torch_graph


def backward_contributions(node: Node, upstream: Any) -> tuple[Any, ...]:
    """What ``node``'s op passes back to each parent for ``upstream`` (None where a parent gets nothing)."""
    parents = node.parents
    if node.op is None:
        return ()
    result = backward_aside(node.op, plain(upstream), node.data, *[parent.data for parent in parents])
    if type(result) is not tuple:
        result = (result,)
    return tuple(grad if parent.requires_grad else None for parent, grad in zip(parents, result))


def local_gradients(node: Node) -> tuple[Any, ...]:
    """d(node)/d(parent) for each parent: the op's backward with an upstream gradient of ones.

    For an array the result is what each input would receive if every element
    of the output had gradient 1 (for an elementwise op, the diagonal of the
    Jacobian; for a matrix product, the other factor summed). A torch tensor
    computed inside ``viz.trace_torch()`` is read on the graph that mirrors it.
    """
    if is_torch_tensor(node):  # a torch tensor: the graph that mirrors it
        node, _ = mirror_torch_graph(node)
    if node.op is None:
        return ()
    ones = np.ones_like(node.data) if isinstance(node.data, np.ndarray) else 1.0
    return backward_contributions(node, ones)


def is_elementwise(node: Node, parent: Node) -> bool:
    """True when each element of ``node`` depends only on the same element of ``parent``.

    Always true for scalars; for arrays, true for the ops of ``autograd.elementwise``
    (or an op that says so with ``elementwise = True``) when the input has the
    output's shape (a stretched input is a ``broadcast`` first).
    """
    if not isinstance(node.data, np.ndarray):
        return True
    declared = getattr(node.op, "elementwise", type(node.op).__module__ == elementwise.__name__)
    return declared and np.shape(parent.data) == node.data.shape


@dataclass(frozen=True)
class EdgeFlow:
    """What one edge ``parent -> op`` carries in backprop.

    ``share`` is what ``parent`` receives along the edge for the upstream gradient
    ``upstream`` (the op output's gradient); ``local`` is d(out)/d(parent), given
    only for an elementwise op, where ``share = upstream * local``.
    """

    parent: Node
    node: Node
    position: int
    upstream: Any
    share: Any
    local: Any


def edge_flows(node: Node, upstream: Any) -> list[EdgeFlow]:
    """The flow on every edge into ``node``'s op whose input gets a gradient, for ``upstream`` = d(loss)/d(node).

    ``upstream`` None (backward has not reached ``node``) gives flows with no share.
    """
    if node.op is None:
        return []
    shares = (None,) * len(node.parents) if upstream is None else backward_contributions(node, upstream)
    locals_ = local_gradients(node)
    flows = []
    for position, (parent, share, local) in enumerate(zip(node.parents, shares, locals_)):
        if not parent.requires_grad or local is None:
            continue
        local = plain(local) if is_elementwise(node, parent) else None
        flows.append(EdgeFlow(parent, node, position, plain(upstream), plain(share), local))
    return flows
