"""``Value``: one number in the graph, with its gradient.

A ``Value`` holds a Python float, so scalar arithmetic stays fast, and every
operator records a node. It is the scalar kind of node: small graphs of
``Value`` are what notebook 01 works through by hand, and what ``viz`` draws.
Code written for micrograd's ``Value`` runs unchanged on it.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .elementwise import (
    Add,
    Div,
    Maximum,
    Minimum,
    Mul,
    Pow,
    Sub,
)
from .graph import Node, is_grad_enabled, values_of
from .numerics import checked_flag
from .unary_methods import UnaryMethods

Number = int | float


def _as_float(x: Any) -> float:
    """The float in a number or a ``Value``; a clear ``TypeError`` for anything else."""
    if type(x) is float:
        return x
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (numbers.Real, np.bool_)) and not isinstance(x, np.ndarray):  # (numpy's bool is no Real)
        return _number_as_float(x)
    kind = "Tensor" if isinstance(x, Node) else type(x).__name__
    raise TypeError(f"a Value combines only with numbers and other Values, not with a {kind}")


def _number_as_float(x: Any) -> float:
    """``float(x)``, with a whole number too large for a float taken as infinite, as an overflow is elsewhere."""
    try:
        return float(x)
    except OverflowError:  # (an int beyond 1.8e308: 10 ** 400)
        return math.inf if x > 0 else -math.inf


def _forward_float(data: Any, op: Any) -> float:
    """The float an op's forward gave for a Value; a clear ``TypeError`` naming the op for anything else.

    A user's forward may give an int or a numpy number (kept as its float),
    but an array or a node would make a "Value" that is no longer one number.
    """
    if isinstance(data, np.ndarray) and data.ndim == 0:
        data = data[()]
    if isinstance(data, (numbers.Real, np.bool_)) and not isinstance(data, (np.ndarray, Node)):
        return _number_as_float(data)
    shape = f", shape {np.shape(data)}" if isinstance(data, np.ndarray) else ""
    raise TypeError(
        f"the forward of {op!r} gave a result of type {type(data).__name__}{shape}: a Value holds one number"
    )


class Value(UnaryMethods, Node):
    """A scalar node: ``.data`` is a float, ``.grad`` a float once backward has reached it.

    >>> x = Value(-2.0, label="x"); y = Value(5.0, label="y"); z = Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

    A Value made by the user requires grad unless told otherwise; numbers mixed
    into an expression (``2 * x``) become constants that do not.

    Changing ``.data`` between a forward pass and its ``backward()`` gives a
    silently wrong gradient, as in PyTorch (``x = Value(3.0); y = x * x;
    x.data = 100.0; y.backward()`` gives 200 where the answer is 6): change
    parameters under ``no_grad()``, then run a fresh forward pass.
    """

    __slots__ = ()
    __array_ufunc__ = None  # numpy arrays defer to Value's operators, which refuse them

    def __init__(self, data: Number | Value, *, label: str | None = None, requires_grad: bool = True):
        number = values_of(data) if isinstance(data, Value) else data  # (a Tensor is named as one, not as its array)
        super().__init__(_as_float(number), checked_flag("requires_grad", requires_grad), label)

    @classmethod
    def _lift(cls, x: Any, like: Any = None) -> Value:
        if isinstance(x, Value):
            return x
        return cls._result(_as_float(x), (), None)

    @staticmethod
    def _checked_output(data: Any, op: Any) -> float:
        return data if type(data) is float else _forward_float(data, op)

    def _seed(self) -> float:
        return 1.0

    def _set_data(self, data: Any) -> None:
        self.data = _as_float(data)

    def _checked_gradient(self, grad: Any, op: Any, index: int) -> float | Value:
        if isinstance(grad, Value):
            if is_grad_enabled():  # recorded under create_graph=True
                return grad
            grad = grad.data  # a plain pass: the number it holds
        if isinstance(grad, numbers.Real) or (isinstance(grad, np.ndarray) and grad.ndim == 0):
            return _number_as_float(grad)
        shape = (
            f" of shape {np.shape(grad.data if isinstance(grad, Node) else grad)}"
            if isinstance(grad, (np.ndarray, Node))
            else ""
        )
        raise TypeError(
            f"the backward of {op!r} gave input {index}, a Value, a gradient that is a {type(grad).__name__}{shape}: "
            "a Value's gradient is one number"
        )

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self.grad
        if isinstance(grad, Value):  # a gradient recorded with create_graph=True
            grad = grad.data
        shown = "None" if grad is None else format(grad, ".6g")
        return f"Value(data={self.data:.6g}, grad={shown}{label})"

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats the number (without a spec, the ``repr``)."""
        return format(self.data, spec) if spec else repr(self)

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        """False only for 0, like the float it holds: ``if loss:`` asks about the number."""
        return bool(self.data)

    # Arithmetic: each operator applies one op from autograd.elementwise.
    def __add__(self, other: Number | Value) -> Value:
        return Add.apply(self, other)

    def __radd__(self, other: Number) -> Value:
        return Add.apply(other, self)

    def __sub__(self, other: Number | Value) -> Value:
        return Sub.apply(self, other)

    def __rsub__(self, other: Number) -> Value:
        return Sub.apply(other, self)

    def __mul__(self, other: Number | Value) -> Value:
        return Mul.apply(self, other)

    def __rmul__(self, other: Number) -> Value:
        return Mul.apply(other, self)

    def __truediv__(self, other: Number | Value) -> Value:
        return Div.apply(self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return Div.apply(other, self)

    def __pow__(self, exponent: Number | Value) -> Value:
        return Pow.apply(self, exponent)

    def __rpow__(self, base: Number) -> Value:
        return Pow.apply(base, self)

    # Comparisons look at the data only (they are not differentiable).
    def __lt__(self, other: Number | Value) -> bool:
        return self.data < _as_float(other)

    def __le__(self, other: Number | Value) -> bool:
        return self.data <= _as_float(other)

    def __gt__(self, other: Number | Value) -> bool:
        return self.data > _as_float(other)

    def __ge__(self, other: Number | Value) -> bool:
        return self.data >= _as_float(other)

    def maximum(self, other: Number | Value) -> Value:
        """The larger of the two; the gradient goes to the larger one (half each on a tie)."""
        return Maximum.apply(self, other)

    def minimum(self, other: Number | Value) -> Value:
        """The smaller of the two; the gradient goes to the smaller one (half each on a tie)."""
        return Minimum.apply(self, other)

    def max(self, other: Number | Value) -> Value:
        """Another name for ``maximum`` (elementwise, as on two numbers), kept for code written with it."""
        return Maximum.apply(self, other)
