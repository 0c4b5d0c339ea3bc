"""``Value``'s own API: construction, operators and reflected forms, gates, bad operands.

The expected numbers come from Python's ``math`` module or from the
derivative written out by hand; comparisons with PyTorch are in
``test_value_torch.py``.
"""

import math

import numpy as np
import pytest

from autograd import Function, Tensor, Value


def test_data_is_a_float_and_grad_is_none_until_backward():
    x = Value(3, label="x")
    assert type(x.data) is float and x.data == 3.0
    assert x.grad is None
    assert x.requires_grad and x.is_leaf and x.parents == () and x.op is None
    y = x * x
    y.backward()
    assert type(x.grad) is float and x.grad == 6.0


def test_value_of_a_value_does_not_nest():
    inner = Value(2.0)
    outer = Value(inner)
    assert type(outer.data) is float and outer.data == 2.0
    assert outer is not inner and outer.is_leaf and outer.parents == ()


def test_numpy_scalars_are_numbers():
    x = Value(np.float64(1.5))
    assert type(x.data) is float and x.data == 1.5
    y = np.float32(2.0) * x + np.int64(3)
    assert y.data == 6.0
    y.backward()
    assert x.grad == 2.0


def test_repr_shows_data_grad_and_label():
    x = Value(2.5, label="x")
    assert repr(x) == "Value(data=2.5, grad=None, label='x')"
    (x * 4.0).backward()
    assert repr(x) == "Value(data=2.5, grad=4, label='x')"
    assert repr(Value(-1.0)) == "Value(data=-1, grad=None)"


def test_label_and_requires_grad_are_keywords_as_in_tensor():
    x = Value(2.0, label="x", requires_grad=False)
    assert x.label == "x" and not x.requires_grad
    with pytest.raises(TypeError, match="positional"):
        Value(2.0, "x")


def test_maximum_minimum_and_micrograds_max_route_the_gradient_to_the_winner():
    a, b = Value(1.5), Value(-2.0)
    (a.maximum(b) * 3.0 + a.minimum(b) * 5.0).backward()
    assert (a.grad, b.grad) == (3.0, 5.0)  # d/da: 3 through max(a, b) = a; d/db: 5 through min(a, b) = b
    assert a.max(b).data == 1.5 and a.max(b).op.name == a.maximum(b).op.name == "max"
    assert a.minimum(-3).data == -3.0 and a.maximum(-3).data == 1.5


def test_float_conversion_and_comparisons_look_at_data():
    x, y = Value(1.5), Value(2.5)
    assert float(x) == 1.5
    assert x < y and x <= y and y > x and y >= x
    assert x < 2 and x >= 1.5 and not x > 1.5


_AT_THREE = [
    ("x+2", lambda x: x + 2, 5.0, 1.0),
    ("2+x", lambda x: 2 + x, 5.0, 1.0),
    ("x-2", lambda x: x - 2, 1.0, 1.0),
    ("2-x", lambda x: 2 - x, -1.0, -1.0),
    ("x*2", lambda x: x * 2, 6.0, 2.0),
    ("2*x", lambda x: 2 * x, 6.0, 2.0),
    ("x/2", lambda x: x / 2, 1.5, 0.5),
    ("2/x", lambda x: 2 / x, 2 / 3, -2 / 9),
    ("x**2", lambda x: x**2, 9.0, 6.0),
    ("x**0.5", lambda x: x**0.5, math.sqrt(3.0), 0.5 / math.sqrt(3.0)),
    ("2**x", lambda x: 2**x, 8.0, 8.0 * math.log(2.0)),
    ("-x", lambda x: -x, -3.0, -1.0),
    ("abs(-x)", lambda x: abs(-x), 3.0, 1.0),
    ("x.abs", lambda x: x.abs(), 3.0, 1.0),
    ("exp", lambda x: x.exp(), math.exp(3.0), math.exp(3.0)),
    ("log", lambda x: x.log(), math.log(3.0), 1 / 3),
    ("tanh", lambda x: x.tanh(), math.tanh(3.0), 1 - math.tanh(3.0) ** 2),
    ("sigmoid", lambda x: x.sigmoid(), 1 / (1 + math.exp(-3.0)), math.exp(-3.0) / (1 + math.exp(-3.0)) ** 2),
    ("relu", lambda x: x.relu(), 3.0, 1.0),
    ("relu(-x)", lambda x: (-x).relu(), 0.0, 0.0),
    ("leaky_relu", lambda x: x.leaky_relu(), 3.0, 1.0),
    ("leaky_relu(-x)", lambda x: (-x).leaky_relu(0.1), -0.3, -0.1),
    ("max(5)", lambda x: x.max(5), 5.0, 0.0),
    ("max(1)", lambda x: x.max(1), 3.0, 1.0),
    ("step", lambda x: x.step(), 1.0, 0.0),
    ("step(-x)", lambda x: (-x).step(), 0.0, 0.0),
]


@pytest.mark.parametrize(
    ("expression", "value", "derivative"), [case[1:] for case in _AT_THREE], ids=[case[0] for case in _AT_THREE]
)
def test_each_operator_and_its_reflected_form_at_three(expression, value, derivative):
    x = Value(3.0)
    y = expression(x)
    assert isinstance(y, Value)
    assert y.data == pytest.approx(value, rel=1e-14, abs=0)
    y.backward()
    assert x.grad == pytest.approx(derivative, rel=1e-14, abs=0)


def test_the_add_gate_distributes_the_mul_gate_swaps_the_max_gate_routes():
    x, y = Value(2.0), Value(-3.0)
    (x + y).backward()
    assert (x.grad, y.grad) == (1.0, 1.0)
    x.grad = y.grad = None
    (x * y).backward()
    assert (x.grad, y.grad) == (-3.0, 2.0)
    x.grad = y.grad = None
    x.max(y).backward()
    assert (x.grad, y.grad) == (1.0, 0.0)


def test_step_has_zero_gradient_on_both_sides_of_the_threshold():
    for start in (-0.5, 0.5):
        x = Value(start)
        y = x.step() * 7.0 + x
        y.backward()
        assert y.data == (7.0 if start > 0 else 0.0) + start
        assert x.grad == 1.0


def test_constants_mixed_in_do_not_require_grad():
    x = Value(2.0)
    y = 3 * x
    constant = next(p for p in y.parents if p is not x)
    assert constant.data == 3.0 and not constant.requires_grad and constant.is_leaf
    y.backward()
    assert constant.grad is None


def test_leaf_without_requires_grad_gets_no_gradient():
    x, c = Value(2.0), Value(5.0, requires_grad=False)
    y = x * c
    assert y.requires_grad
    y.backward()
    assert x.grad == 5.0 and c.grad is None
    assert not (c * c + 1).requires_grad


class _Foreign:
    """An object of a type no operator knows."""


_BAD_OPERANDS = [
    ("a string", "str"),
    ([1.0], "list"),
    (None, "NoneType"),
    (1 + 2j, "complex"),
    (np.array([1.0, 2.0]), "ndarray"),
    (_Foreign(), "_Foreign"),
]

_BINARY_USES = [
    lambda x, other: x + other,
    lambda x, other: other + x,
    lambda x, other: x - other,
    lambda x, other: other - x,
    lambda x, other: x * other,
    lambda x, other: other * x,
    lambda x, other: x / other,
    lambda x, other: other / x,
    lambda x, other: x**other,
    lambda x, other: other**x,
    lambda x, other: x.max(other),
    lambda x, other: x < other,
    lambda x, other: x >= other,
]


@pytest.mark.parametrize(("operand", "type_name"), _BAD_OPERANDS)
@pytest.mark.parametrize("use", _BINARY_USES)
def test_a_non_number_operand_raises_type_error_naming_its_type(use, operand, type_name):
    with pytest.raises(TypeError, match=type_name):
        use(Value(2.0), operand)


@pytest.mark.parametrize(("operand", "type_name"), _BAD_OPERANDS)
def test_a_value_of_a_non_number_raises_type_error_naming_its_type(operand, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(operand)


def test_the_type_error_says_what_a_value_combines_with():
    with pytest.raises(TypeError, match=r"a Value combines only with numbers and other Values, not with a str"):
        Value(1.0) + "1"


def test_a_value_of_a_tensor_names_the_tensor():
    with pytest.raises(TypeError, match=r"not with a Tensor$"):  # (it had named the tensor's ndarray)
        Value(Tensor([1.0]))


def test_the_step_passes_no_gradient_even_beside_an_infinite_one():
    # Its derivative is 0: the closed gate gives 0 as relu's does, where 0 * inf had made nan.
    x = Value(-1.0)
    (x.step() * 1e308 * 10.0).backward()
    assert x.grad == 0.0
    t = Tensor([-1.0, 2.0], dtype=np.float32, requires_grad=True)
    with np.errstate(over="ignore"):
        (t.step() * np.float32(3e38) * 10.0).sum().backward()
    assert t.grad.tolist() == [0.0, 0.0] and t.grad.dtype == np.float32


def test_truth_of_a_value_is_the_truth_of_its_number():
    x = Value(1.5)
    cases = [Value(0.0), Value(-0.0), x - x, Value(2.5), Value(-1e-300), Value(math.nan), Value(math.inf)]
    assert [bool(v) for v in cases] == [bool(v.data) for v in cases] == [False, False, False, True, True, True, True]


class Doubled(Function):
    """A user's op on Values whose forward gives whatever it is told to."""

    def __init__(self, result):
        self.result = result

    def forward(self, x):
        return self.result(x)

    def backward(self, grad, out, x):
        return 2.0 * grad


def test_a_value_op_whose_forward_gives_an_int_or_a_numpy_number_holds_its_float():
    x = Value(2.5)
    for result in (lambda x: int(2 * x), lambda x: np.float32(2 * x), lambda x: np.array(2 * x)):
        y = Doubled.apply(x, result=result)
        assert type(y.data) is float and y.data == 5.0
        (y * 3.0).backward()
    assert x.grad == 18.0  # 3 passes of 3 * 2


def test_a_value_op_whose_forward_gives_no_number_is_an_error_naming_the_op():
    x = Value(2.5)
    with pytest.raises(TypeError, match=r"the forward of <op doubled> gave a result of type ndarray, shape \(2,\)"):
        Doubled.apply(x, result=lambda x: np.array([x, x]))  # (it had made a "Value" holding an array)
    with pytest.raises(TypeError, match="gave a result of type str: a Value holds one number"):
        Doubled.apply(x, result=str)
