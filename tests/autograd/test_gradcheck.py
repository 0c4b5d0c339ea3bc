"""``gradcheck``: every ``Value`` op against central differences, and the report when an op is wrong."""

import math

import numpy as np
import pytest

import autograd
from autograd import Function, GradcheckError, Tensor, Value, gradcheck

# Points inside each op's domain and away from its kinks, where finite differences are meaningful.
_UNARY = {
    "neg": (lambda x: -x, 0.8),
    "exp": (lambda x: x.exp(), 0.8),
    "log": (lambda x: x.log(), 0.8),
    "tanh": (lambda x: x.tanh(), -0.8),
    "sigmoid": (lambda x: x.sigmoid(), -0.8),
    "relu": (lambda x: x.relu(), 0.8),
    "relu below 0": (lambda x: x.relu(), -0.8),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), -0.8),
    "abs": (lambda x: x.abs(), -0.8),
    "step": (lambda x: x.step(), 0.8),
    "pow 3": (lambda x: x**3, -0.8),
    "pow -1.5": (lambda x: x**-1.5, 0.8),
    "rpow": (lambda x: 3.0**x, -0.8),
    "rdiv": (lambda x: 2.0 / x, -0.8),
    "rsub": (lambda x: 2.0 - x, -0.8),
}
_BINARY = {
    "add": (lambda a, b: a + b, 1.3, -0.7),
    "sub": (lambda a, b: a - b, 1.3, -0.7),
    "mul": (lambda a, b: a * b, 1.3, -0.7),
    "div": (lambda a, b: a / b, 1.3, -0.7),
    "pow": (lambda a, b: a**b, 1.3, -0.7),
    "max": (lambda a, b: a.max(b), 1.3, -0.7),
    "max, other wins": (lambda a, b: a.max(b), -1.3, 0.7),
}


@pytest.mark.parametrize(("f", "x"), _UNARY.values(), ids=_UNARY.keys())
def test_every_unary_op_passes_gradcheck(f, x):
    assert gradcheck(f, Value(x)) is True


@pytest.mark.parametrize(("f", "a", "b"), _BINARY.values(), ids=_BINARY.keys())
def test_every_binary_op_passes_gradcheck(f, a, b):
    assert gradcheck(f, Value(a), Value(b)) is True


def test_a_composite_expression_passes_gradcheck():
    def neuron(w0, x0, w1, x1, b):
        return (w0 * x0 + w1 * x1 + b).tanh() ** 2 + (w0 / x1).exp().log() - x0.max(w1)

    inputs = [Value(v) for v in (0.3, -1.2, 0.8, 2.0, -0.1)]
    assert gradcheck(neuron, *inputs)


def test_gradcheck_checks_a_function_that_takes_a_gradient_itself():
    """A second derivative: gradcheck of x -> d(x^3)/dx = 3x^2, whose own gradient is 6x."""
    x = Tensor([0.5, 1.5], requires_grad=True)
    assert gradcheck(lambda x: autograd.grad((x**3).sum(), x, create_graph=True), x)
    assert gradcheck(lambda v: autograd.grad(v**3, v, create_graph=True), Value(0.7))


def test_gradcheck_restores_the_inputs_and_leaves_their_grad_alone():
    x = Value(0.25)
    gradcheck(lambda v: v * v.exp(), x)
    assert type(x.data) is float and x.data == 0.25
    assert x.grad is None


class _FailsOnCall:
    """``f(x) = x * x`` that raises on its ``failing_call``-th call."""

    def __init__(self, failing_call: int):
        self.failing_call = failing_call
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        if self.calls == self.failing_call:
            raise ArithmeticError("f failed")
        return x * x


@pytest.mark.parametrize("failing_call", [2, 3, 5])  # the first call is the analytic pass
def test_gradcheck_puts_a_tensor_back_when_f_raises_half_way(failing_call):
    x = Tensor([[0.5, -1.25], [2.0, 3.0]], requires_grad=True)
    array, before = x.data, x.data.copy()
    with pytest.raises(ArithmeticError, match="f failed"):
        gradcheck(_FailsOnCall(failing_call), x)
    assert x.data is array and np.array_equal(array, before)


@pytest.mark.parametrize("failing_call", [2, 3])
def test_gradcheck_puts_a_value_back_when_f_raises_half_way(failing_call):
    x = Value(0.75)
    with pytest.raises(ArithmeticError, match="f failed"):
        gradcheck(_FailsOnCall(failing_call), x)
    assert x.data == 0.75


def test_gradcheck_moves_a_tensor_in_its_own_array_so_views_of_it_agree():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    array = x.data
    first = array[:1]  # a view, as a model might keep of a parameter
    seen = []

    def f(t):
        seen.append(float(first[0]) == float(t.data[0]))
        return (t * t).sum()

    assert gradcheck(f, x)
    assert x.data is array and array.tolist() == [1.0, 2.0, 3.0]
    assert len(seen) == 7 and all(seen)  # 1 analytic + 2 per element, each time the view saw what f saw


def test_gradcheck_refuses_a_read_only_array():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.data.flags.writeable = False
    with pytest.raises(ValueError, match="input 0's data is a read-only array"):
        gradcheck(lambda t: t * t, x)


class WrongForSecondInput(Function):
    """``a * b`` whose backward gives the wrong local gradient (``2a`` instead of ``a``) to ``b``."""

    def forward(self, a, b):
        return a * b

    def backward(self, grad, out, a, b):
        return grad * b, grad * 2.0 * a


def test_a_wrong_custom_op_raises_a_report_naming_the_worst_input():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda u, v: WrongForSecondInput.apply(u, v), a, b)
    message = str(error.value)
    assert message.startswith("gradcheck failed at input 1 ('b'): analytic 3, numerical 1.5")
    assert "atol 1e-05" in message and "rtol 0.0001" in message
    assert isinstance(error.value, AssertionError)


def test_the_report_names_an_unlabelled_input_by_position():
    with pytest.raises(GradcheckError, match=r"^gradcheck failed at input 0: analytic -1, numerical -0.5"):
        gradcheck(lambda u, v: WrongForSecondInput.apply(v, u), Value(0.5), Value(-0.5))


def test_a_nan_gradient_fails_even_after_a_good_input():
    class NanForSecondInput(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad, out, a, b):
            return grad * b, grad * math.nan

    with pytest.raises(GradcheckError, match=r"input 1: analytic nan, numerical 1.5"):
        gradcheck(lambda u, v: NanForSecondInput.apply(u, v), Value(1.5), Value(2.0))


def test_a_small_error_passes_only_within_the_tolerances():
    class SlightlyOff(Function):
        def forward(self, a):
            return 2.0 * a

        def backward(self, grad, out, a):
            return grad * 2.001

    assert gradcheck(lambda v: SlightlyOff.apply(v), Value(1.0), rtol=1e-3)
    with pytest.raises(GradcheckError, match="analytic 2.001, numerical 2"):
        gradcheck(lambda v: SlightlyOff.apply(v), Value(1.0))


def test_gradcheck_input_errors():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(TypeError, match="input 1 is a float"):
        gradcheck(lambda a, b: a * b, Value(1.0), 2.0)
    with pytest.raises(ValueError, match="input 0 does not require grad"):
        gradcheck(lambda a: a * 2.0, Value(1.0, requires_grad=False))
