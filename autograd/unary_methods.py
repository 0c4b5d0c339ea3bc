"""The one-input elementwise methods that ``Value`` and ``Tensor`` share (``x.exp()``, ``x.relu()``, ...).

Each applies one op of ``autograd.elementwise``; a ``Value`` gets a scalar
node back and a ``Tensor`` an array node of the same shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .elementwise import Abs, Exp, LeakyReLU, Log, Neg, ReLU, Sigmoid, Step, Tanh

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are only read by type checkers
    from typing_extensions import Self


class UnaryMethods:
    """Mixed into the node classes: ``-x``, ``abs(x)`` and the named elementwise functions."""

    __slots__ = ()

    def __neg__(self) -> Self:
        return Neg.apply(self)

    def __abs__(self) -> Self:
        return Abs.apply(self)

    def __pos__(self) -> Self:
        """``+x`` is ``x`` itself, as for numbers and in PyTorch."""
        return self

    def __int__(self) -> int:
        """The number, truncated toward 0 as ``int()`` of a float (a tensor needs one element)."""
        return int(float(self))  # type: ignore[arg-type]

    def relu(self) -> Self:
        """``max(0, x)``: local gradient 1 where ``x > 0``, else 0."""
        return ReLU.apply(self)

    def leaky_relu(self, slope: float = 0.01) -> Self:
        """``x`` where positive, else ``slope * x``."""
        return LeakyReLU.apply(self, slope=slope)

    def exp(self) -> Self:
        """``e**x`` (``inf`` past about 709, never ``OverflowError``)."""
        return Exp.apply(self)

    def log(self) -> Self:
        """Natural log (``-inf`` at 0, ``nan`` below, as in PyTorch)."""
        return Log.apply(self)

    def tanh(self) -> Self:
        """Hyperbolic tangent."""
        return Tanh.apply(self)

    def sigmoid(self) -> Self:
        """``1 / (1 + e**-x)`` as a single node."""
        return Sigmoid.apply(self)

    def abs(self) -> Self:
        """``|x|``: local gradient ``sign(x)``, 0 at 0."""
        return Abs.apply(self)

    def step(self) -> Self:
        """1 where ``x > 0``, else 0: the perceptron's threshold, through which no gradient flows."""
        return Step.apply(self)
