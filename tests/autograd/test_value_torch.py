"""Every ``Value`` op against PyTorch in float64: values, gradients and second derivatives.

Values and gradients must agree to 1e-12 relative (the formulas are the same
maths, so only rounding differs); ``nan`` and ``inf`` must appear exactly where
torch has them, which covers the domain errors (``log(0)``, ``0 ** -1``, ...)
without any exception or warning.
"""

import math

import numpy as np
import pytest

import autograd
from autograd import Value

torch = pytest.importorskip("torch")
functional = pytest.importorskip("torch.nn.functional")

pytestmark = pytest.mark.filterwarnings("error")

RELATIVE = 1e-12


def constant(number: float):
    """A float64 tensor that does not require grad.

    ``Value`` turns a number operand into a constant node, which is what torch
    does with a tensor operand. For ``x ** 0`` at ``x = 0`` the two forms of torch
    differ: with a Python number the first derivative is a bare zero (second
    derivative 0), with a tensor it is recorded and its derivative is ``nan``
    (``0 * inf``). Our second derivative follows the tensor form.
    """
    return torch.tensor(number, dtype=torch.float64)


# name: (our op on Values, the same op on torch tensors)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x),
    "exp": (lambda x: x.exp(), torch.exp),
    "log": (lambda x: x.log(), torch.log),
    "tanh": (lambda x: x.tanh(), torch.tanh),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid),
    "relu": (lambda x: x.relu(), torch.relu),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), lambda x: functional.leaky_relu(x, 0.2)),
    "abs": (lambda x: abs(x), torch.abs),
    "step": (lambda x: x.step(), lambda x: x * 0.0 + (x > 0).to(torch.float64)),
    "pow 2": (lambda x: x**2, lambda x: x ** constant(2)),
    "pow 3": (lambda x: x**3, lambda x: x ** constant(3)),
    "pow 0": (lambda x: x**0, lambda x: x**0),  # a constant 1: every derivative 0 (torch's tensor exponent: nan)
    "pow -1": (lambda x: x**-1, lambda x: x ** constant(-1)),
    "pow 0.5": (lambda x: x**0.5, lambda x: x ** constant(0.5)),
    "pow -1.5": (lambda x: x**-1.5, lambda x: x ** constant(-1.5)),
    "rpow 2.5": (lambda x: 2.5**x, lambda x: 2.5**x),
    "rpow 0": (lambda x: 0.0**x, lambda x: 0.0**x),
    "radd": (lambda x: 2.5 + x, lambda x: 2.5 + x),
    "rsub": (lambda x: 2.5 - x, lambda x: 2.5 - x),
    "rmul": (lambda x: 2.5 * x, lambda x: 2.5 * x),
    "rdiv": (lambda x: 2.5 / x, lambda x: 2.5 / x),
    "max with a number": (lambda x: x.max(0.5), lambda x: torch.maximum(x, constant(0.5))),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a**b, lambda a, b: a**b),
    "max": (lambda a, b: a.max(b), torch.maximum),
    "maximum": (lambda a, b: a.maximum(b), torch.maximum),
    "minimum": (lambda a, b: a.minimum(b), torch.minimum),
}
POINTS = [-1000.0, -3.7, -2.0, -1.0, -0.3, 0.0, 0.5, 1.0, 2.5, 40.0, 1000.0]
PAIRS = [(a, b) for a in (-2.5, -1.0, 0.0, 0.5, 3.0) for b in (-2.5, -1.0, 0.0, 0.5, 3.0)]


def assert_same(ours: float, theirs: float, what: str) -> None:
    """Equal to ``RELATIVE``; ``nan`` only where torch has ``nan``; infinities exactly."""
    assert type(ours) is float, f"{what}: {ours!r} is not a float"
    if math.isnan(theirs) or math.isinf(theirs):
        assert ours == theirs or (math.isnan(ours) and math.isnan(theirs)), f"{what}: ours {ours}, torch {theirs}"
    else:
        assert ours == pytest.approx(theirs, rel=RELATIVE, abs=0), f"{what}: ours {ours}, torch {theirs}"


def ours_first_order(f, xs):
    """Value and gradients from an ordinary ``backward()``."""
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    out.backward()
    return out.data, [x.grad for x in inputs]


def torch_first_order(f, xs):
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*inputs)
    out.backward()
    return out.item(), [0.0 if x.grad is None else x.grad.item() for x in inputs]


def ours_second_order(f, xs):
    """First derivatives as nodes (``create_graph=True``), then the matrix of second derivatives."""
    inputs = [Value(x) for x in xs]
    first = autograd.grad(f(*inputs), inputs, create_graph=True)
    hessian = []
    for g in first:
        if isinstance(g, Value) and g.requires_grad:
            row = autograd.grad(g, inputs, allow_unused=True)
            hessian.append([0.0 if h is None else h for h in row])
        else:
            hessian.append([0.0] * len(inputs))
    return [float(g) for g in first], hessian


def torch_second_order(f, xs):
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    first = torch.autograd.grad(f(*inputs), inputs, create_graph=True)
    hessian = []
    for g in first:
        if g.requires_grad:
            row = torch.autograd.grad(g, inputs, retain_graph=True, allow_unused=True)
            hessian.append([0.0 if h is None else h.item() for h in row])
        else:
            hessian.append([0.0] * len(inputs))
    return [g.item() for g in first], hessian


def compare_first_order(ours, theirs, xs):
    (value, grads), (torch_value, torch_grads) = ours_first_order(ours, xs), torch_first_order(theirs, xs)
    assert_same(value, torch_value, f"value at {xs}")
    for index, (g, tg) in enumerate(zip(grads, torch_grads)):
        assert_same(g, tg, f"d/dx{index} at {xs}")


def compare_second_order(ours, theirs, xs):
    (first, hessian), (torch_first, torch_hessian) = ours_second_order(ours, xs), torch_second_order(theirs, xs)
    for i, (g, tg) in enumerate(zip(first, torch_first)):
        assert_same(g, tg, f"d/dx{i} with create_graph at {xs}")
        for j, (h, th) in enumerate(zip(hessian[i], torch_hessian[i])):
            assert_same(h, th, f"d2/dx{i}dx{j} at {xs}")


@pytest.mark.parametrize("x", POINTS)
@pytest.mark.parametrize(("ours", "theirs"), UNARY.values(), ids=UNARY.keys())
def test_unary_op_value_and_gradient_match_torch(ours, theirs, x):
    compare_first_order(ours, theirs, [x])


@pytest.mark.parametrize("pair", PAIRS, ids=str)
@pytest.mark.parametrize(("ours", "theirs"), BINARY.values(), ids=BINARY.keys())
def test_binary_op_value_and_gradients_match_torch(ours, theirs, pair):
    compare_first_order(ours, theirs, list(pair))


@pytest.mark.parametrize(("ours", "theirs"), UNARY.values(), ids=UNARY.keys())
def test_unary_op_second_derivative_matches_torch(ours, theirs):
    for x in POINTS:
        compare_second_order(ours, theirs, [x])


@pytest.mark.parametrize(("ours", "theirs"), BINARY.values(), ids=BINARY.keys())
def test_binary_op_second_derivatives_match_torch(ours, theirs):
    for pair in PAIRS:
        compare_second_order(ours, theirs, list(pair))


def test_a_composite_expression_matches_torch_to_second_order():
    def expression(w, x, b, ops):
        z = w * x + b
        return ops["sigmoid"](z) * ops["tanh"](x / w) + ops["log"](ops["exp"](b) + 1.0) ** 1.5 - ops["max"](z, x) ** 2

    ours = {
        "sigmoid": Value.sigmoid,
        "tanh": Value.tanh,
        "log": Value.log,
        "exp": Value.exp,
        "max": Value.max,
    }
    theirs = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "log": torch.log, "exp": torch.exp, "max": torch.maximum}
    for xs in ([0.7, -1.3, 0.2], [-2.0, 0.4, 1.5]):
        compare_first_order(lambda w, x, b: expression(w, x, b, ours), lambda w, x, b: expression(w, x, b, theirs), xs)
        compare_second_order(lambda w, x, b: expression(w, x, b, ours), lambda w, x, b: expression(w, x, b, theirs), xs)


# The domain errors, spelled out: each gives torch's IEEE value and gradient, with no exception.
DOMAIN = {
    "log(0) = -inf": (lambda x: x.log(), torch.log, [0.0], -math.inf),
    "log(-1) = nan": (lambda x: x.log(), torch.log, [-1.0], math.nan),
    "(-2) ** Value(0.5) = nan": (lambda a, b: a**b, lambda a, b: a**b, [-2.0, 0.5], math.nan),
    "(-2) ** Value(3.0) = -8": (lambda a, b: a**b, lambda a, b: a**b, [-2.0, 3.0], -8.0),
    "0 ** Value(2.0) = 0": (lambda a, b: a**b, lambda a, b: a**b, [0.0, 2.0], 0.0),
    "0 ** Value(0.0) = 1": (lambda a, b: a**b, lambda a, b: a**b, [0.0, 0.0], 1.0),
    "0 ** -1 = inf": (lambda x: x**-1, lambda x: x**-1, [0.0], math.inf),
    "1 / 0 = inf": (lambda a, b: a / b, lambda a, b: a / b, [1.0, 0.0], math.inf),
    "-1 / 0 = -inf": (lambda a, b: a / b, lambda a, b: a / b, [-1.0, 0.0], -math.inf),
    "0 / 0 = nan": (lambda a, b: a / b, lambda a, b: a / b, [0.0, 0.0], math.nan),
    "exp(1000) = inf": (lambda x: x.exp(), torch.exp, [1000.0], math.inf),
    "exp(-1000) = 0": (lambda x: x.exp(), torch.exp, [-1000.0], 0.0),
    "tanh(1000) = 1": (lambda x: x.tanh(), torch.tanh, [1000.0], 1.0),
    "tanh(-1000) = -1": (lambda x: x.tanh(), torch.tanh, [-1000.0], -1.0),
    "sigmoid(1000) = 1": (lambda x: x.sigmoid(), torch.sigmoid, [1000.0], 1.0),
    "sigmoid(-1000) = 0": (lambda x: x.sigmoid(), torch.sigmoid, [-1000.0], 0.0),
    "relu(nan) = nan": (lambda x: x.relu(), torch.relu, [math.nan], math.nan),
    "max(nan, 1) = nan": (lambda a, b: a.max(b), torch.maximum, [math.nan, 1.0], math.nan),
}


@pytest.mark.parametrize(("ours", "theirs", "xs", "expected"), DOMAIN.values(), ids=DOMAIN.keys())
def test_domain_errors_give_torchs_value_and_gradient_without_exception(ours, theirs, xs, expected):
    value, _ = ours_first_order(ours, xs)
    assert value == expected or (math.isnan(value) and math.isnan(expected))
    compare_first_order(ours, theirs, xs)


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_saturated_exp_tanh_sigmoid_have_the_limit_gradients(x):
    grads = {}
    for name in ("exp", "tanh", "sigmoid"):
        v = Value(x)
        getattr(v, name)().backward()
        grads[name] = v.grad
    assert grads == {"exp": math.inf if x > 0 else 0.0, "tanh": 0.0, "sigmoid": 0.0}


# A closed gate (relu below 0, the smaller input of max) passes exactly 0, even when the
# gradient arriving from above is infinite: 0, not inf * 0 = nan, as in torch.
GATES = {
    "sqrt(relu(x)) at -1": (lambda x: x.relu() ** 0.5, lambda x: x.relu() ** 0.5, -1.0, 0.0),
    "sqrt(relu(x)) at 0": (lambda x: x.relu() ** 0.5, lambda x: x.relu() ** 0.5, 0.0, 0.0),
    "log(relu(x)) at -1": (lambda x: x.relu().log(), lambda x: x.relu().log(), -1.0, 0.0),
    "sqrt(max(x, 0)) at -1": (lambda x: x.max(0.0) ** 0.5, lambda x: torch.maximum(x, constant(0.0)) ** 0.5, -1.0, 0.0),
    "sqrt(max(0, x)) at -1": (
        lambda x: Value(0.0).max(x) ** 0.5,
        lambda x: torch.maximum(constant(0.0), x) ** 0.5,
        -1.0,
        0.0,
    ),
    "sqrt(max(x, 0)) at 0": (
        lambda x: x.max(0.0) ** 0.5,
        lambda x: torch.maximum(x, constant(0.0)) ** 0.5,
        0.0,
        math.inf,
    ),
}


@pytest.mark.parametrize(("ours", "theirs", "x", "expected"), GATES.values(), ids=GATES.keys())
def test_closed_gates_pass_zero_even_under_an_infinite_upstream_gradient(ours, theirs, x, expected):
    _, (gradient,) = ours_first_order(ours, [x])
    assert gradient == expected
    compare_first_order(ours, theirs, [x])


@pytest.mark.parametrize("x", [-math.inf, -0.0, -2.0, 0.0, 2.0, math.inf, math.nan])
def test_a_value_to_the_half_is_a_square_root_as_a_tensor_and_torch_compute_it(x):
    """C's pow gives (-inf) ** 0.5 = inf and (-0.0) ** 0.5 = 0.0; numpy's and torch's square root nan and -0.0."""
    ours = (Value(x) ** 0.5).data
    as_tensor = float((autograd.Tensor(x) ** 0.5).data)
    theirs = float(torch.tensor(x, dtype=torch.float64) ** 0.5)
    assert (math.isnan(ours) and math.isnan(as_tensor)) or (ours, math.copysign(1, ours)) == (
        as_tensor,
        math.copysign(1, as_tensor),
    )  # to the bit: the same numpy square root
    assert (math.isnan(ours) and math.isnan(theirs)) or (
        math.isclose(ours, theirs, rel_tol=1e-15) and math.copysign(1, ours) == math.copysign(1, theirs)
    )  # (torch's differs in the last bit at 2)


@pytest.mark.parametrize("make", [Value, lambda x: autograd.Tensor(x, requires_grad=True)], ids=["Value", "Tensor"])
def test_the_second_derivative_of_x_to_the_0_at_0_is_0_as_for_the_constant_it_is(make):
    """x ** 0 is the constant 1: its first derivative 0 (as in torch), and the second had come out nan (0 * inf)."""
    x = make(0.0)
    (first,) = autograd.grad(x**0, [x], create_graph=True)
    (second,) = autograd.grad(first, [x])
    assert float(np.asarray(autograd.plain(first))) == 0.0
    assert float(np.asarray(autograd.plain(second))) == 0.0
