"""``check_graph``: each op of a graph checked on its own, the wrong one named, every built-in op passing."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import (
    Function,
    GradcheckError,
    Tensor,
    Value,
    check_graph,
    concatenate,
    convolution,
    cross_entropy,
    elementwise,
    exercises,
    linear,
    matmul,
    pooling,
    reductions,
    shapes,
    softmax,
    where,
)
from autograd.linear import Linear
from autograd.matmul import MatMul
from nn import losses


class WrongCube(Function):
    """``x**3`` whose backward forgets nothing but doubles the local gradient (``6x**2`` instead of ``3x**2``)."""

    def forward(self, x):
        return x**3

    def backward(self, grad, out, x):
        return grad * 6 * x**2


class Softplus(Function):
    """``log(1 + e**x)``, keeping ``e**x`` on itself for the backward (a stateful op), right."""

    def forward(self, x):
        self.exp_x = np.exp(x)
        return np.log1p(self.exp_x)

    def backward(self, grad, out, x):
        return grad * self.exp_x / (1 + self.exp_x)


def test_a_wrong_op_in_the_middle_of_a_value_graph_is_the_only_failure():
    x, y = Value(2.0, label="x"), Value(-1.5, label="y")
    product = x * y
    product.label = "p"
    cubed = WrongCube.apply(product)
    out = (cubed + x).tanh() * y
    report = check_graph(out)

    assert [entry.name for entry in report] == ["*", "wrongcube", "+", "tanh", "*"]
    assert [entry.ok for entry in report] == [True, False, True, True, True]
    assert not report.ok and [entry.node for entry in report.failures] == [cubed]
    wrong = report.failures[0]
    assert wrong.op is cubed.op
    # The op's backward gives twice the true local gradient 3 p**2 = 27 (p = -3): analytic / numerical = 2.
    assert wrong.analytic[0] / wrong.numerical[0] == pytest.approx(2.0, rel=1e-8)
    assert wrong.error == pytest.approx(abs(wrong.analytic[0]) / 2, rel=1e-8)
    text = repr(report)
    assert "4 of 5 ops pass" in text
    assert "first wrong op: wrongcube(p = -3) = -27" in text
    assert "input 0 (p = -3)" in text


def test_the_numbers_of_a_passing_op_are_its_local_gradients_times_the_upstream():
    """For ``x * y`` both inputs get g times the other input, so their ratio is y / x whatever g is."""
    x, y = Value(0.5), Value(-4.0)
    entry = check_graph(x * y)[0]
    assert entry.ok and entry.error < 1e-9
    assert entry.analytic[0] / entry.analytic[1] == pytest.approx(-4.0 / 0.5, rel=1e-12)
    assert entry.numerical[0] == pytest.approx(entry.analytic[0], rel=1e-8)


def test_a_wrong_tensor_op_fails_alone_and_names_the_element():
    class TransposedGradient(Function):
        """``x @ w`` whose backward for ``w`` forgets to transpose ``x``'s role: ``x @ grad`` (square shapes fit)."""

        def forward(self, x, w):
            return x @ w

        def backward(self, grad, out, x, w):
            return grad @ w.T, x @ grad

    x = Tensor(np.random.default_rng(1).standard_normal((3, 3)), requires_grad=True, label="x")
    w = Tensor(np.random.default_rng(2).standard_normal((3, 3)), requires_grad=True, label="w")
    middle = TransposedGradient.apply(x.tanh(), w)
    loss = (middle.sigmoid() * 2.0).sum()
    report = check_graph(loss)
    assert [entry.node for entry in report.failures] == [middle]
    wrong = report.failures[0]
    assert wrong.analytic[0] is not None and np.allclose(wrong.analytic[0], wrong.numerical[0], atol=1e-6)
    assert not np.allclose(wrong.analytic[1], wrong.numerical[1], atol=1e-3)
    assert "first wrong op: transposedgradient(tanh result array of shape (3, 3), w = array of shape (3, 3))" in repr(
        report
    )
    assert ", element (" in repr(report)


def test_a_random_upstream_finds_what_ones_would_hide():
    """Softmax's outputs sum to 1, so with an upstream of ones the true gradient is 0 and zeros would pass."""

    class SoftmaxWithZeroGradient(softmax.Softmax):
        def backward(self, grad, out, x):
            return grad * 0.0

    x = Tensor([[0.3, -1.2, 2.0]], requires_grad=True)
    out = SoftmaxWithZeroGradient.apply(x, axis=1)
    ones = np.ones((1, 3))
    true_with_ones = out.data * (ones - (ones * out.data).sum(axis=1, keepdims=True))
    assert np.allclose(true_with_ones, 0.0)  # what a check with an upstream of ones would compare against
    report = check_graph(out)
    assert not report.ok and report.failures[0].error > 0.01


def test_a_custom_stateful_op_passes_and_keeps_its_state():
    x = Value(0.7, label="x")
    y = Softplus.apply(x * 2.0)
    kept = y.op.exp_x
    report = check_graph(y)
    assert report.ok and len(report) == 2
    assert report[0].checked == (1, None) and not report[0].sampled and "sampled" not in repr(report)
    assert y.op.exp_x == kept == math.exp(1.4)


def test_the_graph_and_its_gradients_are_left_as_they_were():
    x = Value(1.5)
    y = (x * x).exp()
    y.backward()
    before = (x.data, x.grad, y.data, y.grad)
    check_graph(y)
    assert (x.data, x.grad, y.data, y.grad) == before


def test_large_inputs_are_checked_at_a_seeded_sample_and_the_report_says_so():
    calls = []

    class CountedSquare(Function):
        def forward(self, x):
            calls.append(1)
            return x * x

        def backward(self, grad, out, x):
            return grad * 2 * x

    x = Tensor(np.random.default_rng(0).standard_normal(1000) + 3.0, requires_grad=True)
    report = check_graph(CountedSquare.apply(x), max_elements=20)
    entry = report[0]
    assert entry.ok and entry.sampled and entry.checked == (20,) and entry.sizes == (1000,)
    assert len(calls) == 1 + 2 * 20  # the recorded forward, then two per checked element
    assert np.count_nonzero(~np.isnan(entry.numerical[0])) == 20
    again = check_graph(CountedSquare.apply(x), max_elements=20)[0]
    assert np.array_equal(np.isnan(again.numerical[0]), np.isnan(entry.numerical[0]))  # seeded: the same sample
    assert "sampled: 1 ops (countedsquare) have inputs of more than 20 elements" in repr(report)
    small = check_graph(CountedSquare.apply(Tensor(np.ones(20), requires_grad=True)), max_elements=20)[0]
    assert not small.sampled and small.checked == (20,)


def test_a_backward_that_raises_or_returns_the_wrong_count_or_shape_is_a_failure_not_a_crash():
    class Unfinished(Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad, out, x):
            raise NotImplementedError("exercise: write the backward")

    class TwoForOne(Unfinished):
        def backward(self, grad, out, x):
            return grad, grad

    class WrongShape(Unfinished):
        def backward(self, grad, out, x):
            return grad.sum()

    for op, problem in [
        (Unfinished, "backward raised NotImplementedError: exercise: write the backward"),
        (TwoForOne, "backward returned 2 gradients for 1 inputs"),
        (WrongShape, "backward returned a gradient of shape () for input 0 of shape (3,)"),
    ]:
        report = check_graph(op.apply(Tensor([1.0, 2.0, 3.0], requires_grad=True)))
        assert not report.ok and report[0].problem == problem and report[0].error == math.inf
        assert problem in repr(report)


def test_raise_on_failure_raises_the_report():
    y = WrongCube.apply(Value(1.0, label="x"))
    with pytest.raises(GradcheckError, match="first wrong op: wrongcube"):
        check_graph(y, raise_on_failure=True)
    assert check_graph(Value(1.0).exp(), raise_on_failure=True).ok


def test_a_leaf_has_no_ops_and_bad_arguments_are_named():
    assert len(check_graph(Value(1.0))) == 0 and check_graph(Value(1.0)).ok
    with pytest.raises(TypeError, match="not a float"):
        check_graph(1.0)
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        check_graph(Value(1.0).exp(), eps=0.0)


def test_a_tolerance_that_would_pass_any_gradient_is_refused():
    """An infinite atol or rtol had passed a backward of 2x**2 for x**3 (gradcheck said True)."""
    from autograd import gradcheck

    class WrongCube(autograd.Function):
        def forward(self, x):
            return x**3

        def backward(self, grad, out, x):
            return grad * 2 * x**2

    x = Tensor([0.5, 2.0], requires_grad=True)
    for chosen, words in (
        ({"atol": float("inf")}, "atol must be a finite number >= 0, got inf"),
        ({"rtol": float("nan")}, "rtol must be a finite number >= 0"),
        ({"eps": 0}, "eps must be a finite number > 0, got 0"),  # (it had been a ZeroDivisionError)
        ({"eps": "1e-6"}, "eps must be a finite number > 0"),
    ):
        with pytest.raises(ValueError, match=words):
            gradcheck(lambda t: WrongCube.apply(t).sum(), x, **chosen)
        with pytest.raises(ValueError, match=words):
            check_graph(WrongCube.apply(x).sum(), **chosen)


def test_float32_graphs_are_checked_in_float64():
    x = Tensor(np.array([0.5, -1.0, 2.0], dtype=np.float32), requires_grad=True)
    report = check_graph((x.exp() * x).sum())
    assert report.ok and all(entry.error < 1e-6 for entry in report)


# One small random graph per built-in op, each with the awkward points ordinary graphs have:
# relu of a relu (an input of exactly 0), ties in max and max pooling, step, integer indices.
RNG = np.random.default_rng(7)


def _t(*shape, low=-1.0, high=1.0):
    return Tensor(RNG.uniform(low, high, shape), requires_grad=True)


def _image(*shape):
    return Tensor(RNG.standard_normal(shape), requires_grad=True)


def _tied():
    data = np.array([[1.0, 3.0, 3.0], [-2.0, -2.0, -2.0]])
    return Tensor(data, requires_grad=True)


def _tied_twice(pick):
    """``pick(x, x)``, where every element is a tie, beside ``pick(x, y)``."""
    x = _t(4)
    return pick(x, x) + pick(x, _t(4))


def _scatter_add():
    x = _t(2, 3)
    (gradient,) = autograd.grad(x[[0, 0, 1]].sum() ** 2, [x], create_graph=True)
    return gradient.sum()


BUILT_IN_OPS = {
    elementwise.Add: lambda: _t(3) + _t(2, 3),
    elementwise.Sub: lambda: Value(0.3) - Value(1.7),
    elementwise.Mul: lambda: _t(2, 3) * _t(3),
    elementwise.Div: lambda: _t(4) / _t(4, low=0.5, high=2.0),
    elementwise.Neg: lambda: -Value(0.4),
    elementwise.Cast: lambda: elementwise.Cast.apply(_t(3), dtype=np.float64),
    elementwise.Pow: lambda: _t(3, low=0.2, high=2.0) ** _t(3) + _t(3) ** 2,
    elementwise.Exp: lambda: _t(3).exp(),
    elementwise.Log: lambda: _t(3, low=0.1, high=3.0).log(),
    elementwise.Tanh: lambda: Value(0.2).tanh(),
    elementwise.Sigmoid: lambda: _t(3).sigmoid(),
    elementwise.ReLU: lambda: _t(6).relu().relu(),
    elementwise.LeakyReLU: lambda: _t(6).relu().leaky_relu(0.1),
    elementwise.Maximum: lambda: _tied_twice(autograd.maximum),
    elementwise.Minimum: lambda: _tied_twice(autograd.minimum) + autograd.minimum(_t(4).relu(), 0.0),
    elementwise.Abs: lambda: _t(5).relu().abs(),
    elementwise.Step: lambda: (_t(5).relu().step() * _t(5)).sum(),
    elementwise.Clip: lambda: _t(6, low=-2.0, high=2.0).clip(-1.0, 1.0).clip(-1.0, 1.0),
    elementwise.Where: lambda: where(np.array([True, False, True]), _t(3), _t(3)),
    shapes.BroadcastTo: lambda: _t(3) * _t(4, 3),
    shapes.Reshape: lambda: _t(2, 3).reshape(3, 2),
    shapes.Transpose: lambda: _t(2, 3, 4).transpose(2, 0, 1),
    shapes.GetItem: lambda: _t(4, 3)[np.array([0, 0, 3]), 1:],
    shapes.ScatterAdd: _scatter_add,
    shapes.Concatenate: lambda: concatenate([_t(2, 3), _t(1, 3)], axis=0),
    MatMul: lambda: matmul(_t(2, 3, 4), _t(4, 2)),
    reductions.Sum: lambda: _t(2, 3).sum(axis=1, keepdims=True),
    reductions.Mean: lambda: _t(2, 3).mean(axis=0),
    reductions.Max: lambda: _tied().max(axis=1) + _t(3, 4).relu().max(),
    reductions.Min: lambda: _tied().min(axis=1),
    softmax.LogSumExp: lambda: _t(2, 4).logsumexp(axis=1),
    softmax.LogSoftmax: lambda: _t(2, 4).log_softmax(axis=1),
    softmax.Softmax: lambda: _t(2, 4).softmax(axis=0),
    convolution.Im2Col: lambda: convolution.Im2Col.apply(_image(1, 2, 4, 4), kernel=2, stride=1, padding=1),
    convolution.Col2Im: lambda: convolution.Col2Im.apply(_image(1, 8, 9), kernel=2, shape=(1, 2, 4, 4)),
    convolution.Conv2d: lambda: convolution.conv2d(_image(2, 2, 5, 5), _image(3, 2, 3, 3), _image(3), padding=1),
    pooling.MaxPool2d: lambda: pooling.max_pool2d(_image(1, 2, 4, 4).relu(), 2),
    pooling.AvgPool2d: lambda: pooling.avg_pool2d(_image(1, 2, 5, 5), 3, stride=2),
    pooling.Gather: lambda: pooling.Gather.apply(_t(2, 4), index=np.array([[1], [3]])),
    pooling.Scatter: lambda: pooling.Scatter.apply(_t(2, 1), index=np.array([[1], [3]]), size=4),
    cross_entropy.SoftmaxCrossEntropy: lambda: (
        nn.cross_entropy(_t(4, 3), [0, 2, 1, 1], label_smoothing=0.1) + nn.cross_entropy(_t(2, 3), [2, 0])
    ),
    losses._BinaryCrossEntropyWithLogits: lambda: nn.binary_cross_entropy_with_logits(_t(4), [0.0, 1.0, 1.0, 0.0]),
    Linear: lambda: linear(_t(4, 3), _t(3, 2), _t(2)),
}


def _all_ops(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_ops(sub)


def test_every_built_in_op_is_in_the_table():
    """A new op must be added here, so that it is checked too.

    Left out: the bases, which have no forward of their own, the exercises' wrapper of a learner's op
    (checked in test_exercises.py), and the node of a compiled program (its forward already ran as code).
    """
    concrete = {op for op in _all_ops(Function) if op.__module__.split(".")[0] in ("autograd", "nn")}
    bases = {reductions._Reduction, reductions._Extreme, softmax._AlongAxis, pooling._Pool2d, convolution._Windows}
    assert concrete - bases - {exercises.LearnerOp, autograd.compiled.CompiledGraph} == set(BUILT_IN_OPS)


@pytest.mark.parametrize("op", list(BUILT_IN_OPS), ids=lambda op: op.__name__)
def test_every_built_in_op_passes_on_a_typical_graph(op):
    output = BUILT_IN_OPS[op]()
    report = check_graph(output if np.ndim(output.data) == 0 else output.sum())
    assert op in {type(entry.op) for entry in report}
    assert report.ok, repr(report)


# Hypothesis: small programs of Value ops, each reading earlier results, with integer and repeated inputs
# (ties for max, zeros for relu, abs and step), must never produce a failure.
_VALUE_OPS = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "max": (2, lambda a, b: a.max(b)),
    "div": (2, lambda a, b: a / (b * b + 1.0)),
    "pow": (2, lambda a, b: (a * a + 0.5) ** (b.tanh())),
    "relu": (1, lambda a, b: a.relu()),
    "abs": (1, lambda a, b: a.abs()),
    "step": (1, lambda a, b: a.step() * a),
    "tanh": (1, lambda a, b: a.tanh()),
    "sigmoid": (1, lambda a, b: a.sigmoid()),
    "exp": (1, lambda a, b: (a.tanh() * 3.0).exp()),
    "log": (1, lambda a, b: (a * a + 0.1).log()),
    "leaky_relu": (1, lambda a, b: a.leaky_relu(0.05)),
}


@settings(max_examples=60, deadline=None)
@given(
    leaves=st.lists(st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0]) | st.floats(-3, 3), min_size=2, max_size=4),
    program=st.lists(
        st.tuples(st.sampled_from(sorted(_VALUE_OPS)), st.integers(0, 1000), st.integers(0, 1000)),
        min_size=1,
        max_size=12,
    ),
)
def test_random_value_graphs_never_fail(leaves, program):
    nodes = [Value(x) for x in leaves]
    for name, i, j in program:
        _, apply = _VALUE_OPS[name]
        nodes.append(apply(nodes[i % len(nodes)], nodes[j % len(nodes)]))
    report = check_graph(nodes[-1])
    assert report.ok, repr(report)


def test_a_cast_recorded_under_create_graph_is_checked_as_the_identity_it_is():
    rng = np.random.default_rng(0)
    x32 = Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    y = Tensor(rng.standard_normal((3, 4)))
    g = autograd.grad((x32 * y).sum() ** 2, x32, create_graph=True)  # records casts between float32 and float64
    report = check_graph((g**2).sum())
    assert "cast" in {entry.op.name for entry in report.entries}
    assert report.ok and report.failures == []  # (the float32 rounding had failed the cast: 1.80 against 1.83)


def test_an_op_whose_forward_is_nan_all_around_is_not_checked_rather_than_passed():
    x, y = Value(-2.0, label="x"), Value(0.5, label="y")
    out = x**y + x.relu()  # a negative base to a fractional power: nan, and nan nearby
    report = check_graph(out)
    assert report.passed == report.checked == 1  # relu; pow and + say nothing
    assert "not checked: 2 ops (its forward is not finite (nan or inf) near its inputs" in str(report)


def test_the_notes_count_one_kink_and_one_op_in_the_singular():
    margin = Value(1.0)
    report = check_graph((1.0 - margin).relu())  # relu exactly at its kink
    assert "1 element sits at a point where their op is not differentiable" in str(report)
    x = Value(-2.0)
    assert "not checked: 1 op (" in str(check_graph(x ** Value(0.5)))


class _ClearsItsCache(Function):
    """Keeps a mask for backward and frees it there, as a memory-minded op may."""

    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad, out, x):
        mask, self.mask = self.mask, None
        return grad * mask


class _ScalesItsInputInPlace(Function):
    def forward(self, x):
        return x * 3.0

    def backward(self, grad, out, x):
        x *= 2.0  # changes the input's data: a parameter
        return grad * 3.0


def test_checking_and_drawing_leave_an_ops_state_and_arrays_as_backward_will_find_them():
    """check_graph and draw(show_local_grads=True) had run the op's own backward: the mask was gone for backward()."""
    viz = pytest.importorskip("viz")
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (_ClearsItsCache.apply(x) * 2.0).sum()
    assert check_graph(y).ok
    viz.draw(y, show_local_grads=True)
    y.backward()
    assert x.grad.tolist() == [2.0, 0.0, 2.0]
    w = Tensor([1.0, 2.0], requires_grad=True)
    report = check_graph(_ScalesItsInputInPlace.apply(w).sum())
    assert not report.ok and "changed an array it was given" in report.failures[0].problem
    assert w.data.tolist() == [1.0, 2.0]  # it had been doubled by the check
