"""Element-by-element operations, each a ``Function`` shared by ``Value`` and ``Tensor``.

Each op's ``backward`` returns upstream x local gradient, and the local gradient
is written right under its forward. The local gradient of an elementwise op on
an array is a diagonal Jacobian, so it is never built: multiplying the upstream
gradient element by element is the same thing.

The gates that route the gradient (relu, max, clip, where) *select* it instead
of multiplying by a 0/1 mask, so a closed gate passes exactly 0 even when the
upstream gradient is ``inf`` (``inf * 0`` would be ``nan``): as in PyTorch, the
gradient of ``sqrt(relu(x))`` at ``x < 0`` is 0.

An op that keeps nothing on ``self`` says ``shared = True`` (see ``Function``):
one instance of it then serves every node it makes.
"""

from __future__ import annotations

from . import numerics
from .function import Function, plain
from .graph import Node, values_of


def _select(condition, a, b):
    """``a`` where ``condition`` holds, else ``b``: how the routing gates pass a gradient on.

    Recorded as a ``Where`` when a gradient is a node (``create_graph=True``),
    computed directly otherwise, which is the hot path of every backward pass.
    """
    if isinstance(a, Node) or isinstance(b, Node):
        return Where.apply(a, b, condition=condition)
    return numerics.where(condition, a, b)


class Add(Function):
    """``a + b``: the add gate passes the upstream gradient unchanged to both inputs."""

    __slots__ = ()
    shared = True
    name = "+"

    def forward(self, a, b):
        return a + b

    def backward(self, grad, out, a, b):
        return grad, grad


class Sub(Function):
    """``a - b``: local gradients 1 and -1."""

    __slots__ = ()
    shared = True
    name = "-"

    def forward(self, a, b):
        return a - b

    def backward(self, grad, out, a, b):
        return grad, -grad


class Mul(Function):
    """``a * b``: the mul gate swaps its inputs, each gets upstream x the *other* input."""

    __slots__ = ()
    shared = True
    name = "*"

    def forward(self, a, b):
        return a * b

    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """``a / b``: local gradients ``1/b`` and ``-a/b**2``, which is ``-out/b``."""

    __slots__ = ()
    shared = True
    name = "/"

    def forward(self, a, b):
        return numerics.divide(a, b)

    def backward(self, grad, out, a, b):
        grad_a = Div.apply(grad, b)
        return grad_a, -(grad_a * out)


class Neg(Function):
    """``-a``: local gradient -1."""

    __slots__ = ()
    shared = True
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, grad, out, a):
        return -grad


class Pow(Function):
    """``a ** b``: local gradients ``b * a**(b-1)`` and ``a**b * log(a)``.

    The exponent's gradient is only computed when the exponent is a node that
    requires it; for ``x ** 2`` the exponent is a constant. At a zero base the
    formulas would give ``0 * inf = nan`` where the true gradient is 0 (``x**0``,
    and ``0**b`` for ``b >= 0``): there it is 0, as in PyTorch.
    """

    __slots__ = ()
    shared = True
    name = "**"

    def forward(self, a, b):
        return numerics.power(a, b)

    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        recorded = isinstance(a, Node)  # (create_graph=True: this backward is itself differentiated)
        with numerics._quiet():  # at a zero base the branch not taken is 0 * inf: no warning for it
            if need_a:
                zero_exponent = values_of(b) == 0.0
                # Recorded with a constant exponent, the branch not taken must stay finite too, or its own
                # backward gives 0 * inf = nan (d2(x**0)/dx2 at 0): it is computed at a base of 1 there instead.
                base = _select(zero_exponent, 1.0, a) if recorded and not b.requires_grad else a
                grad_a = _select(zero_exponent, 0.0, grad * (b * Pow.apply(base, b - 1)))
            if need_b:
                grad_b = grad * _select((values_of(a) == 0.0) & (values_of(b) >= 0.0), 0.0, out * Log.apply(a))
        return grad_a, grad_b


class Exp(Function):
    """``e**a``: its own derivative, so the local gradient is the output."""

    __slots__ = ()
    shared = True

    def forward(self, a):
        return numerics.exp(a)

    def backward(self, grad, out, a):
        return grad * out


class Log(Function):
    """Natural log: local gradient ``1/a``. ``log(0) = -inf`` and ``log(-1) = nan``."""

    __slots__ = ()
    shared = True

    def forward(self, a):
        return numerics.log(a)

    def backward(self, grad, out, a):
        return Div.apply(grad, a)


class Tanh(Function):
    """``tanh(a)``: local gradient ``1 - tanh(a)**2``, read off the output."""

    __slots__ = ()
    shared = True

    def forward(self, a):
        return numerics.tanh(a)

    def backward(self, grad, out, a):
        return grad * (1.0 - out * out)


class Sigmoid(Function):
    """``1 / (1 + e**-a)`` as one node: local gradient ``(1 - s) * s`` with ``s`` the output."""

    __slots__ = ()
    shared = True

    def forward(self, a):
        return numerics.sigmoid(a)

    def backward(self, grad, out, a):
        return grad * out * (1.0 - out)


class ReLU(Function):
    """``max(0, a)``: local gradient 1 where ``a > 0`` and 0 elsewhere (also at 0).

    The backward reads the gate off the output: it is open wherever the output
    is not 0 (a ``nan`` input counts as open, as in PyTorch).
    """

    __slots__ = ()
    shared = True

    def forward(self, a):
        return numerics.maximum(a, 0.0)

    def backward(self, grad, out, a):
        return _select(values_of(out) != 0.0, grad, 0.0)


class LeakyReLU(Function):
    """``a`` where ``a > 0``, else ``slope * a``: local gradient 1 or ``slope``."""

    __slots__ = ("slope",)
    name = "leaky_relu"

    def __init__(self, slope: float = 0.01):
        self.slope = slope

    def forward(self, a):
        return numerics.where(a > 0.0, a, a * self.slope)

    def backward(self, grad, out, a):
        return Where.apply(grad, grad * self.slope, condition=values_of(a) > 0.0)


class Maximum(Function):
    """``max(a, b)``: the max gate routes the upstream gradient to the larger input.

    On a tie each input gets half, as in PyTorch. An input gets nothing only when
    it is the smaller one, so beside a ``nan`` both get the gradient (PyTorch's rule too).
    """

    __slots__ = ()
    shared = True
    name = "max"

    def forward(self, a, b):
        return numerics.maximum(a, b)

    def backward(self, grad, out, a, b):
        a, b = values_of(a), values_of(b)
        shared = grad * (1.0 - 0.5 * numerics.mask(a == b, grad))  # all of it, or half on a tie
        return _select(a < b, 0.0, shared), _select(b < a, 0.0, shared)


class Minimum(Function):
    """``min(a, b)``: routes the upstream gradient to the smaller input (half each on a tie)."""

    __slots__ = ()
    shared = True
    name = "min"

    def forward(self, a, b):
        return numerics.minimum(a, b)

    def backward(self, grad, out, a, b):
        a, b = values_of(a), values_of(b)
        shared = grad * (1.0 - 0.5 * numerics.mask(a == b, grad))  # all of it, or half on a tie
        return _select(a > b, 0.0, shared), _select(b > a, 0.0, shared)


class Abs(Function):
    """``|a|``: local gradient ``sign(a)``, taken as 0 at 0."""

    __slots__ = ()
    shared = True

    def forward(self, a):
        return abs(a)

    def backward(self, grad, out, a):
        return grad * numerics.sign(values_of(a))


class Step(Function):
    """The perceptron's threshold: 1 where ``a > 0``, else 0.

    Its derivative is 0 everywhere it exists, so no gradient flows through a
    step: the perceptron is trained by its own rule, not by backprop.
    """

    __slots__ = ()
    shared = True

    def forward(self, a):
        return numerics.mask(a > 0.0, a)

    def backward(self, grad, out, a):
        return _select(False, grad, 0.0)  # 0, also beside an infinite upstream gradient (inf * 0 would be nan)


class Clip(Function):
    """``a`` limited to ``[low, high]``: local gradient 1 inside the range, 0 outside."""

    __slots__ = ("high", "low")

    def __init__(self, low: float | None = None, high: float | None = None):
        self.low = None if low is None else float(low)
        self.high = None if high is None else float(high)

    def forward(self, a):
        if self.low is not None:
            a = numerics.maximum(a, self.low)
        if self.high is not None:
            a = numerics.minimum(a, self.high)
        return a

    def backward(self, grad, out, a):
        a = values_of(a)
        inside = (a >= self.low if self.low is not None else True) & (a <= self.high if self.high is not None else True)
        return _select(inside, grad, 0.0)


class Cast(Function):
    """``a`` in another float dtype: a float64 gradient handed to a float32 input, say.

    The local gradient is 1; the upstream gradient is cast back to ``a``'s dtype.
    """

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, a):
        with numerics._quiet():  # a number too large for the narrower type becomes inf, as in PyTorch
            return a.astype(self.dtype)

    def backward(self, grad, out, a):
        return Cast.apply(grad, dtype=plain(a).dtype)


class Where(Function):
    """``a`` where ``condition`` holds, else ``b``: the gradient goes to the chosen input."""

    __slots__ = ("condition",)

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        return numerics.where(self.condition, a, b)

    def backward(self, grad, out, a, b):
        return _select(self.condition, grad, 0.0), _select(self.condition, 0.0, grad)
