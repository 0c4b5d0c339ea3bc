"""tracegrad's engine: record operations into a graph and backpropagate through it.

``Value`` is a scalar node, ``Tensor`` a numpy-array node; both share one graph
core (``backward``, ``grad``, ``no_grad``) and one way of defining ops
(``Function``). ``gradcheck`` checks a function's gradient against finite
differences; ``check_graph`` checks every op of a graph that way, to find the wrong one.
"""

from .check_graph import GraphCheck, OpCheck, check_graph
from .compiled import CompiledFunction, compile
from .convolution import conv2d
from .cross_entropy import softmax_cross_entropy
from .function import Function, plain
from .gradcheck import GradcheckError, gradcheck
from .graph import Node, backprop, enable_grad, grad, is_grad_enabled, no_grad, topological_order, zero_grad
from .linear import linear
from .pooling import avg_pool2d, max_pool2d
from .tensor import Seed, Tensor, concatenate, matmul, maximum, minimum, stack, where
from .value import Value

__all__ = [
    "CompiledFunction",
    "Function",
    "GradcheckError",
    "GraphCheck",
    "Node",
    "OpCheck",
    "Seed",
    "Tensor",
    "Value",
    "avg_pool2d",
    "backprop",
    "check_graph",
    "compile",
    "concatenate",
    "conv2d",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "linear",
    "matmul",
    "max_pool2d",
    "maximum",
    "minimum",
    "no_grad",
    "plain",
    "softmax_cross_entropy",
    "stack",
    "topological_order",
    "where",
    "zero_grad",
]
