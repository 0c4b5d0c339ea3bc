"""``autograd.compile``: the generated program computes what the eager graph computes.

The reference is the eager graph of the same function on the same inputs (the
engine's values and gradients are themselves tested against torch and finite
differences elsewhere): the compiled output and every gradient it adds to a
leaf must agree with it to 1e-12, on random graphs drawn by hypothesis, on
micrograd's demo network, on a small CNN, after an optimizer step, and when
the inputs change shape.
"""

import functools
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Function, Tensor, Value, no_grad
from autograd.cross_entropy import SoftmaxCrossEntropy
from benchmarks.bench_value import DemoMLP, make_moons

TOLERANCE = 1e-12


def assert_same(compiled, eager, what="value"):
    np.testing.assert_allclose(
        np.asarray(compiled, dtype=float),
        np.asarray(eager, dtype=float),
        rtol=TOLERANCE,
        atol=TOLERANCE,
        equal_nan=True,
        err_msg=what,
    )


def run_both(fn, inputs, leaves):
    """Output and leaf gradients of ``fn(*inputs)`` compiled (a second call, the first one records) and eager."""
    compiled = autograd.compile(fn)
    results = {}
    for name, call in [("compiled", compiled), ("eager", fn)]:
        if name == "compiled":
            call(*inputs)  # the recording call
        for leaf in leaves:
            leaf.grad = None
        output = call(*inputs)
        if output.requires_grad:  # else both refuse backward()
            output.backward()
        results[name] = (output.data, [leaf.grad for leaf in leaves], output.requires_grad)
    return compiled, results


def assert_runs_agree(results):
    (compiled_data, compiled_grads, compiled_wants), (eager_data, eager_grads, eager_wants) = results.values()
    assert compiled_wants == eager_wants
    assert_same(compiled_data, eager_data, "output")
    for index, (ours, theirs) in enumerate(zip(compiled_grads, eager_grads)):
        assert (ours is None) == (theirs is None), f"leaf {index}: gradient {ours} against eager {theirs}"
        if theirs is not None:
            assert_same(ours, theirs, f"gradient of leaf {index}")


# -- a neuron: the source reads as the chain rule ----------------------------------------------------------------


def neuron_and_inputs():
    w0, w1, b = Value(-3.0, label="w0"), Value(1.0, label="w1"), Value(6.8813735870195432, label="b")
    x0, x1 = Value(2.0, label="x0", requires_grad=False), Value(0.0, label="x1", requires_grad=False)

    def neuron(x0, x1):
        return (x0 * w0 + x1 * w1 + b).tanh()

    return neuron, (x0, x1), (w0, w1, b)


def test_a_neurons_program_is_its_forward_then_its_chain_rule():
    neuron, inputs, _ = neuron_and_inputs()
    compiled = autograd.compile(neuron)
    compiled(*inputs)
    assert compiled.source.splitlines() == [
        "def neuron(x0, x1, w0, w1, b):",
        "    mul_1 = x0 * w0",
        "    mul_2 = x1 * w1",
        "    add_1 = mul_1 + mul_2",
        "    add_2 = add_1 + b",
        "    tanh_1 = tanh(add_2)",
        "    grad_tanh_1 = yield tanh_1",
        "    while True:",
        "        grad_add_2 = grad_tanh_1 * (1.0 - tanh_1 * tanh_1)",
        "        grad_add_1, grad_b = grad_add_2, grad_add_2",
        "        grad_mul_1, grad_mul_2 = grad_add_1, grad_add_1",
        "        grad_w1 = grad_mul_2 * x1",
        "        grad_w0 = grad_mul_1 * x0",
        "        grad_tanh_1 = yield grad_w0, grad_w1, grad_b",
    ]


def test_a_neuron_gives_the_hand_computed_numbers():
    # notebook 04's compiled neuron: tanh(2 * -3 + 0 * 1 + 6.88...) = 0.7071, so d/dn = 1 - 0.5 = 0.5
    neuron, inputs, (w0, w1, b) = neuron_and_inputs()
    compiled = autograd.compile(neuron)
    compiled(*inputs)
    out = compiled(*inputs)
    out.backward()
    assert math.isclose(out.data, math.sqrt(0.5), rel_tol=1e-12)
    assert math.isclose(b.grad, 0.5, rel_tol=1e-12)
    assert math.isclose(w0.grad, 2.0 * 0.5, rel_tol=1e-12) and w1.grad == 0.0
    assert inputs[0].grad is None and inputs[1].grad is None  # inputs that want no gradient get none


def test_labelled_values_are_named_after_their_labels():
    w = Value(3.0, label="weight")
    compiled = autograd.compile(lambda x: (x * w).relu())
    compiled(Value(2.0, label="my input", requires_grad=False))
    assert compiled.source.splitlines()[:4] == [
        "def compiled(my_input, weight):",
        "    mul_1 = my_input * weight",
        "    relu_1 = 0.0 if mul_1 < 0.0 else mul_1",
        "    grad_relu_1 = yield relu_1",
    ]
    assert compiled.source.splitlines()[-3:] == [
        "        grad_mul_1 = grad_relu_1 if relu_1 != 0.0 else 0.0",
        "        grad_weight = grad_mul_1 * my_input",
        "        grad_relu_1 = yield grad_weight,",
    ]


def test_labels_never_hide_what_the_program_calls():
    w = Value(-3.0, label="abs")
    compiled = autograd.compile(lambda x: (x * w).abs() + (x * w).tanh())
    out = compiled(Value(2.0, label="tanh"))
    out.backward()
    assert out.data == 6.0 + math.tanh(-6.0)
    assert w.grad == -2.0 + 2.0 * (1.0 - math.tanh(-6.0) ** 2)


def test_parameters_are_named_after_the_model():
    model = nn.Neuron(2, seed=0)
    compiled = autograd.compile(model)
    compiled([Value(1.0, requires_grad=False), Value(2.0, requires_grad=False)])
    header = compiled.source.splitlines()[0]
    assert header == "def neuron(x_0, x_1, bias, weights_0, weights_1):"


# -- random Value graphs ------------------------------------------------------------------------------------------


class LeftOut(Function):
    """``a * b``, whose backward leaves out b's gradient (None): what only b's side reaches gets no gradient."""

    def forward(self, a, b):
        return a * b

    def backward(self, grad, out, a, b):
        return grad * b, None


class SometimesNoGradient(Function):
    """The identity going forward; backward, no gradient (None) where the upstream one starts positive.

    So in one program some guarded lines run and others are skipped, and a second call may differ from the first.
    """

    def forward(self, a):
        return a.copy() if hasattr(a, "copy") else a

    def backward(self, grad, out, a):
        return None if np.ravel(grad)[0] > 0 else grad


VALUE_OPS = {
    "left out": lambda a, b, c: LeftOut.apply(a, b),
    "sometimes no gradient": lambda a, b, c: SometimesNoGradient.apply(a),
    "add": lambda a, b, c: a + b,
    "sub": lambda a, b, c: a - b,
    "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / b,
    "pow": lambda a, b, c: a**b,
    "max": lambda a, b, c: a.max(b),
    "number minus": lambda a, b, c: c - a,
    "times number": lambda a, b, c: a * c,
    "power of number": lambda a, b, c: a**c,
    "neg": lambda a, b, c: -a,
    "exp": lambda a, b, c: a.exp(),
    "log": lambda a, b, c: a.log(),
    "tanh": lambda a, b, c: a.tanh(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    "relu": lambda a, b, c: a.relu(),
    "leaky_relu": lambda a, b, c: a.leaky_relu(0.1),
    "abs": lambda a, b, c: a.abs(),
    "step": lambda a, b, c: a.step(),
}

numbers = st.floats(-2.0, 2.0, allow_nan=False).map(lambda x: round(x, 4))
steps = st.lists(
    st.tuples(st.sampled_from(sorted(VALUE_OPS)), st.integers(0, 63), st.integers(0, 63), numbers),
    min_size=1,
    max_size=14,
)


def program_function(program, parameters, ops):
    """A function of the inputs that applies the program's ops to inputs and parameters and sums the results."""

    def fn(*inputs):
        nodes = [*inputs, *parameters]
        for name, i, j, number in program:
            nodes.append(ops[name](nodes[i % len(nodes)], nodes[j % len(nodes)], number))
        results = nodes[len(inputs) + len(parameters) :]
        return sum(results[1:], results[0])

    return fn


@settings(max_examples=120, deadline=None)
@given(
    inputs=st.lists(st.tuples(numbers, st.booleans()), min_size=1, max_size=3),
    parameters=st.lists(numbers, max_size=3),
    program=steps,
)
def test_random_value_graphs_compile_to_the_same_values_and_gradients(inputs, parameters, program):
    input_values = [Value(x, requires_grad=wants) for x, wants in inputs]
    parameter_values = [Value(x) for x in parameters]
    fn = program_function(program, parameter_values, VALUE_OPS)
    _, results = run_both(fn, input_values, input_values + parameter_values)
    assert_runs_agree(results)


# -- random Tensor graphs -----------------------------------------------------------------------------------------

MASK = np.array([[True, False, True], [False, False, True]])
CLASSES, PROBABILITIES = np.array([2, 0]), np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])
TENSOR_OPS = {
    "left out": lambda a, b, c: LeftOut.apply(a, b),
    "sometimes no gradient": lambda a, b, c: SometimesNoGradient.apply(a.tanh()),
    "add": lambda a, b, c: a + b,
    "sub": lambda a, b, c: a - b,
    "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / (b * b + 1.0),
    "maximum": lambda a, b, c: autograd.maximum(a, b),
    "add a row": lambda a, b, c: a + b[0],
    "times number": lambda a, b, c: a * c,
    "matmul": lambda a, b, c: a @ b.T @ a,
    "exp": lambda a, b, c: a.exp(),
    "tanh": lambda a, b, c: a.tanh(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    "relu": lambda a, b, c: a.relu(),
    "abs": lambda a, b, c: a.abs(),
    "clip": lambda a, b, c: a.clip(-0.5, 0.5),
    "softmax": lambda a, b, c: a.softmax(axis=1),
    "log_softmax": lambda a, b, c: a.log_softmax(axis=0),
    "sum back": lambda a, b, c: a - a.sum(axis=1, keepdims=True),
    "mean": lambda a, b, c: a * a.mean(),
    "max": lambda a, b, c: a - a.max(axis=0),
    "transpose": lambda a, b, c: a.T.reshape(2, 3),
    "index": lambda a, b, c: a[:, [2, 0, 1]],
    "concatenate": lambda a, b, c: autograd.concatenate([a[:1], b[1:]], axis=0),
    "where": lambda a, b, c: autograd.where(MASK, a, b),
    "neg": lambda a, b, c: -a,
    "log": lambda a, b, c: (a * a + 1.0).log(),
    "linear": lambda a, b, c: autograd.linear(a, b.T @ a, a[0]),
    "cross entropy": lambda a, b, c: a * autograd.softmax_cross_entropy(b, CLASSES),
    "cross entropy, probabilities": lambda a, b, c: a * autograd.softmax_cross_entropy(b, PROBABILITIES),
}


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    input_wants=st.lists(st.booleans(), min_size=1, max_size=2),
    n_parameters=st.integers(0, 2),
    dtype=st.sampled_from([np.float64, np.float32]),
    program=st.lists(
        st.tuples(st.sampled_from(sorted(TENSOR_OPS)), st.integers(0, 63), st.integers(0, 63), numbers),
        min_size=1,
        max_size=10,
    ),
)
def test_random_tensor_graphs_compile_to_the_same_values_and_gradients(seed, input_wants, n_parameters, dtype, program):
    rng = np.random.default_rng(seed)
    inputs = [Tensor(rng.normal(size=(2, 3)), dtype=dtype, requires_grad=wants) for wants in input_wants]
    parameters = [Tensor(rng.normal(size=(2, 3)), dtype=dtype, requires_grad=True) for _ in range(n_parameters)]
    fn = program_function(program, parameters, TENSOR_OPS)
    total = lambda *xs: fn(*xs).sum()
    _, results = run_both(total, inputs, inputs + parameters)
    assert_runs_agree(results)
    assert results["compiled"][0].dtype == results["eager"][0].dtype


# -- tensor ops written out as numpy code, arrays reused in place where nothing else needs them -------------------


def test_a_tensor_mlps_program_reads_as_backprop_written_in_numpy():
    model = nn.MLP([4, 8, 3], seed=0)
    x, labels = Tensor(np.random.default_rng(0).normal(size=(5, 4))), np.array([0, 2, 1, 1, 0])
    compiled = autograd.compile(lambda x, labels: nn.cross_entropy(model(x), labels), dict(model.named_parameters()))
    _, results = run_both(compiled.fn, [x, labels], model.parameters())
    compiled(x, labels)
    lines = [line.strip() for line in compiled.source.splitlines()]
    w0, b0, w1, b1 = (name.replace(".", "_") for name, _ in model.named_parameters())
    assert lines[1:5] == [
        f"linear_1 = x @ {w0}",
        f"linear_1 += {b0}",
        "relu_1 = np.maximum(linear_1, 0.0, out=linear_1)",
        f"linear_2 = relu_1 @ {w1}",
    ]
    assert f"grad_relu_1 = grad_linear_2 @ {w1}.T" in lines
    assert f"grad_{w1} = relu_1.T @ grad_linear_2" in lines
    assert f"grad_{b1} = grad_linear_2.sum(axis=0)" in lines
    assert "grad_linear_1 = kept(grad_relu_1, relu_1 != 0.0, out=grad_relu_1)" in lines
    assert f"grad_{w0} = x.T @ grad_linear_1" in lines
    assert not any(line.startswith("_, ") for line in lines), "the input wants no gradient: none is computed"
    assert_runs_agree(results)


def test_the_softmax_classifiers_loss_is_written_out_with_its_short_gradient():
    model = nn.MLP([4, 3], seed=0)
    x, labels = Tensor(np.random.default_rng(0).normal(size=(5, 4))), np.array([0, 2, 1, 1, 0])
    compiled, results = run_both(lambda x, labels: nn.cross_entropy(model(x), labels), [x, labels], model.parameters())
    lines = [line.split("  #")[0].strip() for line in compiled.source.splitlines()]
    assert lines[3:9] == [
        'with np.errstate(all="ignore"):',
        "shifted = linear_1 - linear_1.max(axis=1, keepdims=True)",
        "exponentials = np.exp(shifted)",
        "sums = exponentials.sum(axis=1, keepdims=True)",
        "cross_entropy_1 = as_array(-(shifted[rows, labels] - np.log(sums[:, 0])).sum() / 5)",
        "grad_cross_entropy_1 = yield cross_entropy_1",
    ]
    assert lines[10:13] == [  # (softmax - one_hot) / n, times the upstream gradient
        "grad_linear_1 = exponentials / sums",
        "grad_linear_1 *= grad_cross_entropy_1 / 5",
        "grad_linear_1[rows, labels] -= grad_cross_entropy_1 / 5",
    ]
    (compiled_loss, compiled_grads, _), (eager_loss, eager_grads, _) = results.values()
    assert np.array_equal(compiled_loss, eager_loss) and compiled_loss.shape == ()
    for ours, theirs in zip(compiled_grads, eager_grads):
        np.testing.assert_array_equal(ours, theirs)  # the same arithmetic as the op: the same numbers to the last bit


def test_a_written_out_cross_entropy_adds_to_a_gradient_the_logits_already_have():
    labels = np.array([0, 2])
    for fn in [
        lambda z: autograd.softmax_cross_entropy(z, labels) + (z * z).sum(),
        lambda z: (z * z).sum() + autograd.softmax_cross_entropy(z, labels),
    ]:
        z = Tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
        compiled, results = run_both(fn, [z], [z])
        assert "exponentials / sums" in compiled.source
        np.testing.assert_array_equal(results["compiled"][1][0], results["eager"][1][0])


def test_logits_of_inf_give_the_same_nan_as_eager_mode_without_warnings():
    z = Tensor([[np.inf, 1.0, 2.0], [-np.inf, -np.inf, -np.inf], [0.0, 1e300, -1e300]], requires_grad=True)
    labels = np.array([1, 0, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would fail the test
        compiled, results = run_both(lambda z: autograd.softmax_cross_entropy(z, labels), [z], [z])
    assert "shifted" in compiled.source
    assert np.isnan(results["eager"][0]) and np.isnan(results["eager"][1][0]).any()
    assert_runs_agree(results)
    huge = Tensor([[1e308, 0.0], [1e308, 0.0]], requires_grad=True)  # each row's loss is 1e308: their sum overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, results = run_both(lambda z: autograd.softmax_cross_entropy(z, np.array([1, 1])), [huge], [huge])
    assert results["eager"][0] == np.inf
    assert_runs_agree(results)


def test_a_float32_loss_given_a_float64_gradient_is_the_same_to_the_last_bit():
    rng = np.random.default_rng(3)
    z = Tensor(rng.normal(size=(6, 3)), dtype=np.float32, requires_grad=True)
    w = Tensor(rng.normal(size=(3, 3)), dtype=np.float32, requires_grad=True)
    fn = lambda z: autograd.softmax_cross_entropy((z @ w).tanh(), np.array([0, 2, 1, 1, 0, 2]))
    compiled = autograd.compile(fn)
    gradients = []
    for call in (compiled, compiled, fn):
        z.grad = w.grad = None
        call(z).backward(np.array(0.3))  # float64: cast to the output's float32 first, as PyTorch does
        gradients.append((z.grad, w.grad))
    for ours, eager in zip(gradients[1], gradients[2]):
        assert ours.dtype == np.float32
        np.testing.assert_array_equal(ours, eager)


def test_labels_that_do_not_fit_the_rows_are_left_to_the_op():
    z = Tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    fn = lambda z: SoftmaxCrossEntropy.apply(z, labels=np.array([2]))  # one label for three rows: numpy broadcasts
    compiled, results = run_both(fn, [z], [z])
    assert "cross_entropy_op.forward" in compiled.source
    assert_runs_agree(results)


def test_an_array_still_needed_is_not_overwritten():
    rng = np.random.default_rng(1)
    x, w = Tensor(rng.normal(size=(3, 4))), Tensor(rng.normal(size=(4, 4)), requires_grad=True)

    def fn(x):
        z = x @ w
        return (z.relu() * z).sum() + z.tanh().sum()  # z is read after both relu and tanh

    compiled, results = run_both(fn, [x], [w])
    assert_runs_agree(results)
    assert "out=" not in compiled.source.split("while True:")[0]


def test_inputs_and_parameters_are_never_overwritten():
    x = Tensor([[1.0, -2.0], [-3.0, 4.0]])
    w = Tensor([[-1.0, 0.5], [2.0, -0.25]], requires_grad=True)
    before = x.data.copy(), w.data.copy()
    compiled = autograd.compile(lambda x: (x.relu() * w.tanh()).sum())
    for _ in range(2):
        compiled(x).backward()
    assert "out=" not in compiled.source.split("while True:")[0]  # relu's and tanh's inputs belong to the caller
    np.testing.assert_array_equal(x.data, before[0])
    np.testing.assert_array_equal(w.data, before[1])


def test_a_gradient_handed_to_two_inputs_is_not_overwritten():
    # The add gate hands one gradient array to both inputs; relu's backward may not multiply it in place.
    rng = np.random.default_rng(2)
    x = Tensor(rng.normal(size=(3, 4)))
    w1, w2, c = (Tensor(rng.normal(size=(4, 4)), requires_grad=True) for _ in range(3))

    def fn(x):
        return (((x @ w1).relu() + (x @ w2).tanh()) @ c).sum()

    compiled, results = run_both(fn, [x], [w1, w2, c])
    assert_runs_agree(results)
    backward = compiled.source.split("while True:")[1]
    assert "out=" not in backward


@pytest.mark.filterwarnings("ignore:overflow encountered in matmul")
def test_an_inf_gradient_through_a_closed_gate_is_zero_in_place_too():
    x = Tensor([[1.0, -1.0], [2.0, -3.0]])
    w = Tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    big = Tensor([[1.0, 1.0], [1e308, 1e308]])

    def fn(x):
        return ((x @ w).relu() @ big).sum() * 10.0  # the gradient reaching relu is inf in its closed second column

    compiled, results = run_both(fn, [x], [w])
    assert "kept(grad_relu_1, relu_1 != 0.0, out=grad_relu_1)" in compiled.source
    assert_runs_agree(results)
    np.testing.assert_array_equal(results["compiled"][1][0], [[60.0, 0.0], [-80.0, 0.0]])  # 0 * inf counts as 0


def test_ops_mixing_float32_and_float64_cast_gradients_as_backward_does():
    rng = np.random.default_rng(4)
    x = Tensor(rng.normal(size=(2, 3)), dtype=np.float32, requires_grad=True)
    w = Tensor(rng.normal(size=(2, 3)), requires_grad=True)  # float64
    compiled, results = run_both(lambda x: ((x * 1.1).tanh() * w).sum(), [x], [x, w])
    assert "grad_tanh_1, grad_parameter = checked(" in compiled.source  # cast back to float32 by the engine's check
    # the float32 chain rule below the cast must run in float32, as eager's does: equal to the last bit
    np.testing.assert_array_equal(results["compiled"][1][0], results["eager"][1][0])
    assert results["compiled"][1][0].dtype == np.float32


# -- networks -----------------------------------------------------------------------------------------------------


def demo_loss_function(model, points, labels):
    """micrograd's demo loss: max-margin over the points plus 1e-4 times the squared weights."""
    parameters = model.parameters()

    def loss(points):
        scores = [model(point) for point in points]
        losses = [(1 + -y * score).relu() for y, score in zip(labels, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in parameters)

    return loss


def test_the_demo_mlp_compiles_to_the_same_loss_and_gradients():
    xs, ys = make_moons(8, noise=0.1, seed=0)
    model = DemoMLP(Value, (2, 16, 16, 1), seed=1)
    points = [[Value(a, requires_grad=False), Value(b, requires_grad=False)] for a, b in xs]
    compiled, results = run_both(demo_loss_function(model, points, ys), [points], model.parameters())
    assert_runs_agree(results)
    assert compiled.recordings == 1


def test_a_second_call_after_an_optimizer_step_uses_the_new_weights():
    rng = np.random.default_rng(0)
    model = nn.MLP([4, 8, 3], seed=0)
    x, labels = Tensor(rng.normal(size=(5, 4))), np.array([0, 2, 1, 1, 0])
    loss = lambda x, labels: nn.cross_entropy(model(x), labels)
    compiled = autograd.compile(loss)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    for _ in range(3):
        optimizer.zero_grad()
        compiled(x, labels).backward()
        optimizer.step()
    optimizer.zero_grad()
    ours = compiled(x, labels)
    ours.backward()
    compiled_grads = [p.grad for p in model.parameters()]
    optimizer.zero_grad()
    eager = loss(x, labels)
    eager.backward()
    assert_same(ours.data, eager.data)
    for p, grad in zip(model.parameters(), compiled_grads):
        assert_same(grad, p.grad)
    assert compiled.recordings == 1


def test_a_small_cnn_compiles_to_the_same_loss_and_gradients():
    rng = np.random.default_rng(3)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3, seed=1)
    )
    images, labels = Tensor(rng.normal(size=(6, 1, 8, 8))), rng.integers(0, 3, 6)
    _, results = run_both(lambda x, y: nn.cross_entropy(model(x), y), [images, labels], model.parameters())
    assert_runs_agree(results)


# -- what the program holds to, and what changes it ---------------------------------------------------------------


def test_a_different_input_structure_is_recorded_again():
    w = Tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    compiled = autograd.compile(lambda x: (x @ w).relu().sum())
    for rows in [3, 5, 3]:
        x = Tensor(np.arange(2.0 * rows).reshape(rows, 2) - 3.0)
        w.grad = None
        out = compiled(x)
        out.backward()
        expected = np.maximum(x.data @ w.data, 0).sum()
        assert_same(out.data, expected)
        assert_same(w.grad, x.data.T @ ((x.data @ w.data) > 0))
    assert compiled.recordings == 2  # 3 rows, 5 rows; the third call reuses the first program
    compiled(Tensor(np.ones((3, 2)), requires_grad=True))  # wanting a gradient changes the program
    compiled(Tensor(np.ones((3, 2), dtype=np.float32)))
    assert compiled.recordings == 4


def test_constant_arguments_are_part_of_the_structure():
    logits = Tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 3.0]], requires_grad=True)
    compiled = autograd.compile(nn.cross_entropy)
    for labels in [np.array([0, 1]), np.array([2, 2]), np.array([0, 1])]:
        expected = nn.cross_entropy(logits, labels).data
        assert_same(compiled(logits, labels).data, expected)
    assert compiled.recordings == 2


def test_an_array_argument_changed_in_place_later_changes_no_program():
    logits = Tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 3.0]], requires_grad=True)
    mask = np.array([[True, False, True], [False, True, True]])
    for fn, array, changed in [
        (autograd.softmax_cross_entropy, np.array([0, 1]), np.array([2, 1])),  # the written-out loss holds its labels
        (lambda z, condition: autograd.where(condition, z, z * 2.0).sum(), mask, ~mask),  # a called op, its mask
    ]:
        compiled = autograd.compile(fn)
        compiled(logits, array)
        same_values = array.copy()
        array[...] = changed  # the recorded array, changed in place by its owner
        assert_same(compiled(logits, same_values).data, fn(logits, same_values).data)
        assert_same(compiled(logits, array).data, fn(logits, array).data)
        assert compiled.recordings == 2


def test_a_list_of_another_length_is_recorded_again():
    w = Value(2.0)
    compiled = autograd.compile(lambda xs: sum(x * w for x in xs))
    assert compiled([Value(1.0), Value(2.0)]).data == 6.0
    assert compiled([Value(1.0), Value(2.0), Value(3.0)]).data == 12.0
    assert compiled.recordings == 2


def test_data_dependent_control_flow_is_baked_in_as_documented():
    compiled = autograd.compile(lambda x: x * 2.0 if x.data > 0 else x * 3.0)
    assert compiled(Value(1.0)).data == 2.0
    assert compiled(Value(-1.0)).data == -2.0  # the branch taken while recording, not -3.0


# -- models: their state beyond the parameters' values is watched -------------------------------------------------


def test_a_models_buffers_loaded_later_are_used():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4)).eval()
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)))
    compiled = autograd.compile(lambda x: model(x).sum())  # a function calling the model: the model is watched
    assert_same(compiled(x).data, model(x).sum().data)
    state = model.state_dict()
    state["layers.1.running_mean"] = state["layers.1.running_mean"] + 1.0
    model.load_state_dict(state)  # new running statistics: new arrays, not the recorded ones
    assert_same(compiled(x).data, model(x).sum().data)
    assert compiled.recordings == 2


class TrainingDoubles(nn.Module):
    """A layer whose forward depends on its mode only: twice its input in training, its input in eval mode."""

    def forward(self, x):
        return x * 2.0 if self.training else x


def test_switching_a_model_between_training_and_eval_mode_keeps_a_program_for_each():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), TrainingDoubles())
    x = Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    for mode in [True, False, True, False]:
        model.train(mode)
        np.testing.assert_array_equal(compiled(x).data, model(x).data)
    assert compiled.recordings == 2


def test_dropout_in_training_mode_is_refused_and_compiles_in_eval_mode():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Dropout(0.5, seed=0)).eval()
    x = Tensor(np.ones((6, 3)))
    compiled = autograd.compile(model)
    np.testing.assert_array_equal(compiled(x).data, model(x).data)  # eval mode: no dropout
    model.train()
    with pytest.raises(ValueError, match="calling Dropout while recording changed its state"):
        compiled(x)  # a new mask at every call, which a program would replay
    model.eval()
    np.testing.assert_array_equal(compiled(x).data, model(x).data)


class Masked(nn.Module):
    def __init__(self):
        self.linear = nn.Linear(3, 3, seed=0)
        self.mask = np.ones(3)

    def forward(self, x):
        return (self.linear(x) * self.mask).sum()


@pytest.mark.filterwarnings("ignore:compile.*recorded again")
def test_an_array_a_model_holds_is_compared_by_its_values():
    model, x = Masked(), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    for k in range(12):  # a new array each time: the old one is freed and its id may come back
        model.mask = np.full(3, float(k))
        assert_same(compiled(x).data, model(x).data)
    model.mask[0] = -1.0  # changed in place
    assert_same(compiled(x).data, model(x).data)


class HoldsItself(nn.Module):
    """A model with a list that contains itself, and a layer that points back to the model."""

    def __init__(self):
        self.linear = nn.Linear(3, 1, seed=0)
        self.linear.owner = self
        self.settings = [2.0]
        self.settings.append(self.settings)

    def forward(self, x):
        return (self.linear(x) * self.settings[0]).sum()


def test_a_model_whose_attributes_go_round_in_a_circle_compiles_and_sees_changes():
    model, x = HoldsItself(), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    assert_same(compiled(x).data, model(x).data)
    model.settings[0] = 3.0  # changed in place, inside the list that holds itself
    assert_same(compiled(x).data, model(x).data)
    assert compiled.recordings == 2


class TwoHeads(nn.Module):
    def __init__(self):
        self.heads = {"age": nn.Linear(3, 1, seed=0), "height": nn.Linear(3, 1, seed=1)}

    def forward(self, x):
        return self.heads["age"](x).sum()


def test_layers_swapped_between_the_keys_of_a_dict_are_seen():
    model, x = TwoHeads(), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    compiled(x)
    age, height = model.heads["age"], model.heads["height"]
    model.heads = {"height": age, "age": height}  # the same layers in the same order, under each other's keys
    assert_same(compiled(x).data, model(x).data)


def test_a_replaced_layer_records_the_model_again():
    model = nn.MLP([3, 4, 2], seed=0)
    x = Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    compiled(x)
    model.layers[2] = nn.Linear(4, 2, seed=1)  # a new layer object, with its own parameters
    np.testing.assert_array_equal(compiled(x).data, model(x).data)
    assert compiled.recordings == 2
    square = nn.MLP([3, 3, 3], seed=0)
    forward = autograd.compile(square.forward)  # a model's method: the model is watched too, not only its layers
    forward(x)
    square.layers[0], square.layers[2] = square.layers[2], square.layers[0]  # the same layers, swapped
    np.testing.assert_array_equal(forward(x).data, square(x).data)


def test_layers_made_and_dropped_inside_forward_are_not_watched():
    model = nn.ScalarMLP([2, 3, 1], seed=0)  # each neuron makes its activation layer at every call
    points = [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]]
    compiled = autograd.compile(lambda: sum(model(point) for point in points))
    compiled()
    assert len(compiled._recordings[0].owners) == len(list(model.modules()))  # its own 7, none of the activations
    model.layers[0].neurons[1].bias.data = 1.5  # a parameter's value: read afresh, nothing recorded again
    assert_same(compiled().data, sum(model(point) for point in points).data)
    assert compiled.recordings == 1


def test_freezing_or_unfreezing_a_tensor_records_again():
    w = Tensor([[1.0, 2.0], [3.0, 4.0]])  # a constant at first
    b = Tensor([0.5, -0.5], requires_grad=True)
    x = Tensor([[1.0, -1.0]])
    fn = lambda x: (x @ w + b).sum()
    compiled = autograd.compile(fn)
    for w_wants, b_wants in [(False, True), (True, True), (True, False)]:  # unfreeze w, then freeze b
        w.requires_grad, b.requires_grad = w_wants, b_wants
        gradients = []
        for call in (compiled, fn):
            w.grad = b.grad = None
            call(x).backward()
            gradients.append([w.grad, b.grad])
        (ours_w, ours_b), (eager_w, eager_b) = gradients
        assert (ours_w is None, ours_b is None) == (eager_w is None, eager_b is None) == (not w_wants, not b_wants)
        for ours, eager in [(ours_w, eager_w), (ours_b, eager_b)]:
            if eager is not None:
                np.testing.assert_array_equal(ours, eager)
    assert compiled.recordings == 3


def test_a_value_frozen_into_a_literal_and_unfrozen_again_is_a_parameter_again():
    w, b, x = Value(2.0), Value(0.5), Value(1.0, requires_grad=False)
    fn = lambda x: (x * w + b).tanh()
    compiled = autograd.compile(fn)
    compiled(x)
    b.requires_grad = False
    compiled(x)
    assert "+ 0.5" in compiled.source  # frozen: written into the program as a number
    b.requires_grad, b.data = True, 3.0
    gradients = []
    for call in (compiled, fn):
        b.grad = w.grad = None
        call(x).backward()
        gradients.append([w.grad, b.grad])
    assert_same(*gradients)
    assert compiled.recordings == 2  # unfrozen again, the first program fits again


class Projecting(nn.Module):
    """A model that uses a layer through one of its methods, never calling the layer itself."""

    def __init__(self):
        self.head = Scaled()

    def forward(self, x):
        return self.head.project(x).sum()


class Scaled(nn.Module):
    def __init__(self):
        self.linear, self.scale = nn.Linear(3, 2, seed=0), 1.0

    def forward(self, x):
        return self.project(x)

    def project(self, x):
        return self.linear(x) * self.scale


def test_every_layer_below_a_model_is_watched_even_one_used_through_a_method():
    model, x = Projecting(), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    compiled(x)
    model.head.scale = 3.0
    assert_same(compiled(x).data, model(x).data)
    inner = autograd.compile(model.head.project)  # a model's method, compiled, called inside another recording
    outer = autograd.compile(lambda x: inner(x).sum())
    outer(x)
    model.head.scale = -1.0
    assert_same(outer(x).data, model(x).data)


def test_recording_the_same_inputs_again_call_after_call_warns_once_naming_the_model():
    model, x = Masked(), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    compiled(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for k in range(6):
            model.mask = np.full(3, float(k))  # a value that changes at every step, kept in the model
            compiled(x)
    expected = "compile: masked was recorded again at each of the last 3 calls, since what it reads changed: the state"
    assert [str(warning.message)[: len(expected)] for warning in caught] == [expected]
    assert "the state of Masked (an attribute" in str(caught[0].message)


def test_a_compiled_loss_given_new_labels_call_after_call_warns_once():
    model, x = nn.Linear(3, 2, seed=0), Tensor(np.ones((4, 3)))
    compiled = autograd.compile(lambda x, labels: nn.cross_entropy(model(x), labels))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for size in range(1, 5):  # new shapes: each recorded once, no warning
            compiled(Tensor(np.ones((size, 3))), np.zeros(size, dtype=int))
        for k in range(6):  # the same shapes, new labels: a program each
            compiled(x, np.array([k % 2, 1, 0, (k // 2) % 2]))
    assert len(caught) == 1
    assert "the numbers or arrays passed in changed, and they are constants of a program" in str(caught[0].message)


@pytest.mark.filterwarnings("ignore:compile.*recorded again")
def test_settings_held_in_sets_ordered_dicts_and_numbers_are_compared_by_value():
    class Settings(nn.Module):
        def __init__(self):
            self.blocks = OrderedDict(first=nn.Linear(3, 3, seed=0))
            self.skipped, self.factor = {0}, complex(1.0, 0.0)

        def forward(self, x):
            out = self.blocks["first"](x) * self.factor.real
            return sum(out[:, i].sum() for i in range(3) if i not in self.skipped)

    model, x = Settings(), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    compiled(x)
    changes = [
        lambda: model.blocks.__setitem__("first", nn.Linear(3, 3, seed=1)),  # an ordered dict changed in place
        lambda: model.skipped.add(1),  # a set changed in place
        *[lambda k=k: setattr(model, "factor", complex(k, 0.0)) for k in range(2, 6)],  # new numbers, maybe old ids
    ]
    for change in changes:
        change()
        assert_same(compiled(x).data, model(x).data)


def test_a_constant_values_number_changed_later_is_seen():
    w, temperature = Value(0.5), Value(2.0, requires_grad=False)
    compiled = autograd.compile(lambda x: x * w * temperature)
    compiled(Value(1.0))
    assert "* 2.0" in compiled.source  # written into the program
    temperature.data = 10.0
    assert compiled(Value(1.0)).data == 5.0


def test_numbers_among_the_inputs_are_matched_to_the_bit():
    compiled = autograd.compile(lambda x, s: x / s)
    x = Tensor([1.0, -2.0])
    assert np.array_equal(compiled(x, 0.0).data, [np.inf, -np.inf])
    assert np.array_equal(compiled(x, -0.0).data, [-np.inf, np.inf])  # -0.0 is another number
    for _ in range(3):
        compiled(x, np.nan)
    assert compiled.recordings == 3  # nan matches the nan recorded


def test_a_layer_drawing_random_numbers_in_forward_is_refused():
    class Noisy(nn.Module):
        def __init__(self):
            self.rng = np.random.default_rng(0)

        def forward(self, x):
            return x + self.rng.normal(size=x.shape)

    with pytest.raises(ValueError, match="calling Noisy while recording changed its state"):
        autograd.compile(Noisy())(Tensor(np.ones(3)))


def test_a_parameter_given_another_shape_records_again_and_gets_eagers_error():
    model, x = nn.Linear(3, 2, seed=0), Tensor(np.ones((2, 3)))
    compiled = autograd.compile(model)
    compiled(x)
    model.bias.data = np.zeros((1, 2))
    with pytest.raises(ValueError, match="linear: a bias of shape"):
        compiled(x)


def test_the_least_recently_used_program_is_dropped():
    compiled = autograd.compile(lambda x: (x * 2.0).sum())
    sizes = range(1, autograd.compiled.PROGRAMS_KEPT + 1)
    for size in sizes:
        compiled(Tensor(np.ones(size)))
    compiled(Tensor(np.ones(1)))  # used again: now the most recent
    compiled(Tensor(np.ones(99)))  # one more: the least recently used (size 2) is dropped
    compiled(Tensor(np.ones(1)))
    assert compiled.recordings == autograd.compiled.PROGRAMS_KEPT + 1
    compiled(Tensor(np.ones(2)))
    assert compiled.recordings == autograd.compiled.PROGRAMS_KEPT + 2


def test_a_model_whose_call_changes_its_state_is_refused():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4))  # training mode: updates running statistics
    with pytest.raises(ValueError, match=r"calling BatchNorm1d while recording changed its state.*eval mode"):
        autograd.compile(model)(Tensor(np.ones((5, 3))))


def test_a_compiled_function_called_by_another_is_recorded_into_it():
    w = Tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)
    inner = autograd.compile(lambda x: (x @ w).tanh())
    outer, results = run_both(lambda x: inner(x).sum() * 2.0, [Tensor([[1.0, -1.0], [0.5, 0.25]])], [w])
    assert_runs_agree(results)
    assert "np.tanh(" in outer.source  # the outer program holds the inner function's ops


def test_backward_twice_adds_twice_and_adds_to_existing_gradients():
    w = Value(3.0)
    compiled = autograd.compile(lambda x: x * w * w)
    out = compiled(Value(2.0, requires_grad=False))
    w.grad = 1.0
    out.backward()
    out.backward()
    assert w.grad == 1.0 + 2 * (2 * 2.0 * 3.0)


def test_a_result_can_be_used_in_a_larger_eager_graph():
    w = Tensor([1.0, -1.0], requires_grad=True)
    compiled = autograd.compile(lambda x: x * w)
    x = Tensor([3.0, 4.0], requires_grad=True)
    loss = (compiled(x) ** 2).sum()
    loss.backward()
    assert_same(w.grad, 2 * x.data**2 * w.data)
    assert_same(x.grad, 2 * w.data**2 * x.data)


class Cube(Function):
    """A user's op that keeps its input on ``self`` between forward and backward."""

    def forward(self, x):
        self.saved = x
        return x**3

    def backward(self, grad, out, x):
        return (grad * 3 * self.saved**2,)


def test_custom_functions_compile_and_each_call_keeps_its_own_state():
    w = Tensor([1.0, 2.0], requires_grad=True)
    compiled = autograd.compile(lambda x: Cube.apply(x * w).sum())
    first = compiled(Tensor([1.0, 1.0]))
    second = compiled(Tensor([2.0, 3.0]))
    first.backward()
    assert_same(w.grad, 3 * np.array([1.0, 1.0]) ** 3 * w.data**2)
    w.grad = None
    second.backward()
    assert_same(w.grad, 3 * np.array([2.0, 3.0]) ** 3 * w.data**2)


class CachedInADict(Function):
    """Keeps its inputs in a dict made by ``__init__``: each application must have its own."""

    def __init__(self):
        self.cache = {}

    def forward(self, x, w):
        self.cache["x"], self.cache["w"] = x, w
        return x * w

    def backward(self, grad, out, x, w):
        return grad * self.cache["w"], grad * self.cache["x"]


class ScaledByItsFirstInput(Function):
    """Sets state in forward only when it has none yet: a fresh op has none."""

    def forward(self, x):
        if not hasattr(self, "scale"):
            self.scale = x.sum()
        return x * self.scale

    def backward(self, grad, out, x):
        return grad * self.scale


def test_each_call_makes_a_users_op_afresh_as_eager_mode_applies_it_afresh():
    w = Tensor([1.0, 1.0], requires_grad=True)
    compiled = autograd.compile(lambda x: CachedInADict.apply(x, w).sum())
    compiled(Tensor([9.0, 9.0]))  # the recording
    first, second = compiled(Tensor([1.0, 2.0])), compiled(Tensor([10.0, 20.0]))
    (first + second).backward()
    np.testing.assert_array_equal(w.grad, [11.0, 22.0])  # (the recording's dict, shared, had given [20, 40])
    for make in (lambda f: f, autograd.compile):
        f = make(lambda x: ScaledByItsFirstInput.apply(x).sum())
        results = []
        for numbers in ([1.0, 2.0], [3.0, 7.0]):
            x = Tensor(numbers, requires_grad=True)
            y = f(x)
            y.backward()
            results.append((y.item(), x.grad.tolist()))
        assert results == [(9.0, [3.0, 3.0]), (100.0, [10.0, 10.0])]


def _stops_the_gradient_with_detach(x, w):
    product = x * w
    return (product * product.detach()).sum()


def _computes_a_target_without_recording(x, w):
    with no_grad():
        target = x * 2.0
    return ((x * w - target) ** 2).sum()


def _takes_a_gradient_itself(x, w):
    inner = (x * w).sum()
    return inner * autograd.grad(inner, w)[0].sum()  # plain numbers: outside the graph


@pytest.mark.parametrize(
    ("fn", "what"),
    [
        (_stops_the_gradient_with_detach, r"detach\(\)"),
        (_computes_a_target_without_recording, r"no_grad\(\)"),
        (_takes_a_gradient_itself, r"a backward pass \(backward\(\), grad\(\)\)"),
    ],
)
def test_numbers_made_outside_the_graph_while_recording_are_refused_not_frozen(fn, what):
    w = Tensor([1.0, 2.0], requires_grad=True)
    eager = fn(Tensor([3.0, -2.0]), w).item()  # eager mode: fine
    compiled = autograd.compile(lambda x: fn(x, w))
    with pytest.raises(RuntimeError, match=f"compile: {what} inside a compiled function .* from its first call"):
        compiled(Tensor([3.0, -2.0]))  # (the first call's numbers were kept: a wrong loss at every later call)
    assert fn(Tensor([3.0, -2.0]), w).item() == eager  # nothing left switched on


class WrongShape(Function):
    def forward(self, a):
        return a * 2.0

    def backward(self, grad, out, a):
        return (grad * 2.0)[:1]  # one row: it broadcasts against the rest, so unchecked it would pass silently


class TupleAndNone(Function):
    def forward(self, a, b):
        return a * 2.0 + b

    def backward(self, grad, out, a, b):
        return (grad * 2.0, None)  # no gradient for b


def test_a_wrong_gradient_from_a_users_op_is_the_error_eager_mode_gives():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    fn = lambda x: (WrongShape.apply(x @ w) * Tensor(np.ones((4, 2)))).sum()
    x = Tensor(np.ones((4, 3)))
    with pytest.raises(ValueError) as eager:
        fn(x).backward()
    compiled = autograd.compile(fn)
    with pytest.raises(ValueError) as ours:
        compiled(x).backward()
    assert str(ours.value) == str(eager.value)
    assert "gave input 0 a gradient of shape (1, 2)" in str(ours.value)


def test_a_users_op_may_leave_out_a_gradient():
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    v = Tensor([[3.0, 4.0]], requires_grad=True)
    compiled, results = run_both(lambda x: (TupleAndNone.apply(x * w, v) ** 2).sum(), [Tensor([[1.0, -1.0]])], [w, v])
    assert "checked(" in compiled.source
    assert_runs_agree(results)
    assert results["compiled"][1][1] is None  # nothing reached v, as in eager mode (it had been zeros)
    np.testing.assert_array_equal(results["compiled"][1][0], [[20.0, 0.0]])  # 2 (2 x w + v) * 2 x


class Blocked(Function):
    """The identity going forward; backward, no gradient for its input (None), or one on the calls ``passes`` says."""

    passes = iter(())

    def forward(self, a):
        return a.copy()

    def backward(self, grad, out, a):
        return grad if next(Blocked.passes, False) else None


def test_what_only_a_left_out_gradient_reaches_is_skipped_as_eager_mode_skips_it():
    # Eager backward() never runs the log's backward: nothing reaches it. Zeros in its place had given 0 / 0 = nan,
    # which the multiply passed on to w: w.grad was [nan, nan] where eager mode gives [1, 1].
    w = Tensor([1.0, 2.0], requires_grad=True)

    def f(w):
        with np.errstate(divide="ignore"):
            blocked = Blocked.apply((w * 0.0).log())
        return (blocked.clip(-1.0, 1.0) + w).sum()

    compiled, results = run_both(f, [w], [w])
    assert_runs_agree(results)
    np.testing.assert_array_equal(results["compiled"][1][0], [1.0, 1.0])
    assert "if grad_log_1 is not None:" in compiled.source


def test_a_gradient_shared_by_two_names_is_not_overwritten_past_a_skipped_op():
    # z + y hands one array to z and y; the tanh's term is added to z's under a guard, so when the guard is
    # skipped z's name still holds y's array, which relu's backward had then overwritten in place: y.grad was
    # [2, 0, 2] (or the array was read-only) where eager mode gives [2, 2, 2].
    w = Tensor([2.0, 2.0, 2.0])

    def f(x, y):
        z = x.relu()
        return ((Blocked.apply(z.tanh()) + (z + y)) * w).sum()

    x, y = Tensor([1.0, -1.0, 0.5], requires_grad=True), Tensor([0.0, 0.0, 0.0], requires_grad=True)
    _, results = run_both(f, [x, y], [x, y])
    assert_runs_agree(results)
    np.testing.assert_array_equal(results["compiled"][1][1], [2.0, 2.0, 2.0])
    _, results = run_both(lambda x, y: (Blocked.apply(x.relu().tanh()) + (x.relu() + y)).sum(), [x, y], [x, y])
    assert_runs_agree(results)


def test_a_users_op_that_leaves_out_a_gradient_on_some_calls_only():
    # One program serves both cases: the lines after the op run when its gradient comes, and are skipped when not.
    w = Tensor([0.5, -2.0], requires_grad=True)
    v = Tensor([3.0, 1.0], requires_grad=True)
    f = lambda w, v: (Blocked.apply(w.tanh() * v) + Blocked.apply(v.exp()) * w).sum()
    compiled = autograd.compile(f)
    compiled(w, v)  # the recording
    for passes in [(True, True), (False, False), (True, False), (False, True)]:
        grads = {}
        for name, call in [("compiled", compiled), ("eager", f)]:
            w.grad = v.grad = None
            Blocked.passes = iter(passes)  # (the backward pass reaches the second op first)
            call(w, v).backward()
            grads[name] = w.grad, v.grad
        for ours, theirs in zip(grads["compiled"], grads["eager"]):
            assert (ours is None) == (theirs is None), (passes, grads)
            if theirs is not None:
                assert_same(ours, theirs, str(passes))
    assert grads["eager"][1] is not None  # v gets its gradient through the product's other input, whatever comes


def test_a_value_graph_with_a_left_out_gradient():
    class HalfBlocked(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad, out, a, b):
            return grad * b, None

    a, b, c = Value(2.0), Value(-3.0), Value(0.5)
    f = lambda a, b, c: HalfBlocked.apply(a.tanh(), b.exp()) + a * c
    _, results = run_both(f, [a, b, c], [a, b, c])
    assert_runs_agree(results)
    assert results["compiled"][1][1] is None  # b: reached only through the left-out gradient, as in eager mode
    assert_same(results["compiled"][1][0], (1 - np.tanh(2.0) ** 2) * np.exp(-3.0) + 0.5)


def test_a_users_op_is_not_held_to_gradients_nobody_wants():
    class Sloppy(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad, out, a, b):
            return grad * b, "not a gradient"  # eager mode never looks at the second: b wants none

    w = Tensor([1.0, 2.0], requires_grad=True)
    _, results = run_both(lambda x: Sloppy.apply(w, x).sum(), [Tensor([3.0, 4.0])], [w])
    assert_runs_agree(results)


def test_under_no_grad_the_result_is_a_constant():
    w = Value(2.0)
    compiled = autograd.compile(lambda x: x * w)
    with autograd.no_grad():
        out = compiled(Value(3.0))
    assert out.data == 6.0 and not out.requires_grad


def test_higher_derivatives_are_refused_with_a_clear_error():
    x = Value(2.0)
    out = autograd.compile(lambda x: x * x * x)(x)
    with pytest.raises(TypeError, match="create_graph"):
        autograd.grad(out, x, create_graph=True)


def test_bad_inputs_and_outputs_are_named():
    compiled = autograd.compile(lambda x: x)
    with pytest.raises(TypeError, match="input x is of type object"):
        compiled(object())
    with pytest.raises(TypeError, match="must return one Value or Tensor, not a list"):
        autograd.compile(lambda x: [x])(Value(1.0))
    with pytest.raises(RuntimeError, match="call it once before reading .source"):
        _ = autograd.compile(lambda x: x).source


def test_labels_python_reads_alike_stay_apart_and_any_label_makes_a_name():
    def product(a, b):
        ligature, plain = a * b, a + b
        ligature.label, plain.label = "\ufb01", "fi"  # Python reads the ligature ﬁ as fi
        squared = plain * 1.0
        squared.label = "x\u00b2"  # x², not a character a name may hold as it is
        return ligature * squared

    a, b = Value(2.0), Value(5.0)
    eager = product(a, b)
    eager.backward()
    expected = (eager.data, a.grad, b.grad)
    a.grad = b.grad = None
    compiled = autograd.compile(product)
    result = compiled(a, b)
    result.backward()
    assert (result.data, a.grad, b.grad) == expected == (70.0, 45.0, 24.0)  # (one variable for both gave 49)
    assert "fi = a * b\n    fi_1 = a + b\n    x2 = fi_1 * 1.0" in compiled.source


@pytest.mark.parametrize("title", ["tanh", "np", "checked", "class"])
def test_a_function_named_like_a_helper_or_a_keyword_compiles(title):
    w = Tensor([0.5, -1.0], requires_grad=True)

    def fn(x):
        return (x * w).tanh().sum()

    fn.__name__ = title
    x = Tensor([1.0, 2.0])
    assert_same(autograd.compile(fn)(x).data, fn(x).data)


class SumOfAll(Function):
    """Any number of inputs, added."""

    def forward(self, *inputs):
        return sum(inputs)

    def backward(self, grad, out, *inputs):
        return (grad,) * len(inputs)


def test_one_input_used_thousands_of_times_by_one_op_compiles_adding_in_eager_order():
    x, w = Value(0.1), Value(0.7)

    def fn(x):
        total = SumOfAll.apply(*[x * w] * 3000)
        total.label = "added_in_order"  # a value named like the helper the program calls
        return total * x

    fn(x).backward()
    eager = (x.grad, w.grad)
    x.grad = w.grad = None
    autograd.compile(fn)(x).backward()  # (one line of 3000 additions: Python's compiler ran out of recursion)
    assert (x.grad, w.grad) == eager


class FailsOnce(Function):
    """A user's op whose backward raises the first time."""

    calls = 0

    def forward(self, x):
        return x * 2.0

    def backward(self, grad, out, x):
        FailsOnce.calls += 1
        if FailsOnce.calls == 1:
            raise ValueError("not yet")
        return grad * 2.0


def test_a_compiled_result_whose_backward_raised_says_so_when_called_again():
    FailsOnce.calls = 0
    x = Tensor([1.0, 2.0], requires_grad=True)
    result = autograd.compile(lambda x: FailsOnce.apply(x).sum())(x)
    with pytest.raises(ValueError, match="not yet"):
        result.backward()
    with pytest.raises(RuntimeError, match=r"backward raised before \(ValueError: not yet\); call the compiled"):
        result.backward()  # (a bare StopIteration before)


def test_threads_calling_one_compiled_function_get_eagers_numbers_and_few_programs(run_racing):
    w = Tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)

    def fn(x):
        return ((x @ w).tanh() ** 2).sum()

    compiled = autograd.compile(fn)
    batches = [np.random.default_rng(size).standard_normal((size, 3)) for size in (1, 2, 3, 4, 5, 6)]
    expected = [fn(Tensor(batch)).item() for batch in batches]
    errors, wrong = [], []

    def calls(index):
        try:
            for _ in range(2000):
                if compiled(Tensor(batches[index])).item() != expected[index]:
                    wrong.append(index)
        except Exception as error:  # noqa: BLE001 (collected, asserted below)
            errors.append(error)

    run_racing(*[functools.partial(calls, index) for index in range(6)])
    assert errors == [] and wrong == []  # (list.remove on the programs raced: ValueError, extra recordings)
    assert compiled.recordings == 6 and len(compiled._recordings) == 6


def test_what_the_function_computes_from_constants_alone_is_checked_at_every_call():
    """c * 3 is not recorded, in eager mode either; the numbers of c are checked instead, and a change records again.

    Recording c * 3 made the recording call's graph differ from eager mode's (c * 3 requiring grad
    there), so library code took other branches, and an in-place change of its data was lost. Keeping
    the recording's c * 3 (as torch.jit.trace does) gave the old numbers after c changed.
    """
    c = Tensor([2.0, -3.0])
    clipped = lambda x: (x * _clipped_at_zero(c * 1.0)).sum()  # an in-place change of a constant: kept
    tripled = lambda x: (x * (c * 3.0)).sum()
    x = Tensor([1.0, 1.0], requires_grad=True)
    compiled_clipped, compiled_tripled = autograd.compile(clipped), autograd.compile(tripled)
    for _ in range(2):
        assert compiled_clipped(x).data == clipped(x).data == 2.0
    assert compiled_tripled(x).data == tripled(x).data == -3.0
    c.data[0] = 5.0
    assert tripled(x).data == compiled_tripled(x).data == 6.0 and compiled_tripled.recordings == 2
    c.requires_grad = True  # unfrozen: c is a parameter of a new program
    compiled_tripled(x).backward()
    assert compiled_tripled.recordings == 3 and c.grad.tolist() == [3.0, 3.0]
    passed_in = autograd.compile(lambda x, scale: (x * scale).sum())
    assert passed_in(x, c * 3.0).data == 6.0  # computed outside and passed in: read afresh


def _clipped_at_zero(t):
    t.data[t.data < 0] = 0.0
    return t


def test_a_constant_value_given_an_int_or_a_numpy_number_records_again():
    v = Value(2.0, requires_grad=False)
    times = autograd.compile(lambda x: x * v)
    assert times(Value(1.0)).data == 2.0
    for number, expected in ((4, 4.0), (np.float32(5.0), 5.0)):
        v.data = number  # (the check had failed: 'int' object has no attribute 'hex')
        assert times(Value(1.0)).data == expected


def test_a_constant_value_turning_from_0_to_minus_0_records_again():
    zero = Value(0.0, requires_grad=False)
    divide = autograd.compile(lambda x: x / zero)
    assert divide(Value(1.0)).data == math.inf
    zero.data = -0.0
    assert divide(Value(1.0)).data == -math.inf  # (it had kept 0.0's program: inf)
    assert divide.recordings == 2


def test_tensors_whose_numbers_an_op_takes_as_settings_are_checked_at_every_call():
    """Labels and masks given as Tensors are settings of their ops, not inputs of the graph: read at every call."""
    W = Tensor(np.eye(3), requires_grad=True)
    loss = lambda x, y: nn.cross_entropy(x @ W, y)
    masked = lambda m: autograd.where(m, W[0], 0.0).sum()
    soft_targets = Tensor([[1.0, 0.0, 0.0]])
    soft = lambda x: autograd.softmax_cross_entropy(x @ W, soft_targets)
    compiled_loss, compiled_masked, compiled_soft = map(autograd.compile, (loss, masked, soft))
    x = Tensor([[1.0, 2.0, 3.0]])
    compiled_loss(x, Tensor([0.0]))
    compiled_masked(Tensor([1.0, 0.0, 0.0]))
    compiled_soft(x)
    soft_targets.data[:] = [[0.0, 0.0, 1.0]]  # a closed-over tensor changed in place
    expected = -np.log(np.exp(3.0) / np.exp([1.0, 2.0, 3.0]).sum())  # class 2's -log softmax: 0.4076
    assert compiled_loss(x, Tensor([2.0])).item() == loss(x, Tensor([2.0])).item() == pytest.approx(expected, abs=1e-15)
    assert compiled_masked(Tensor([0.0, 1.0, 0.0])).item() == masked(Tensor([0.0, 1.0, 0.0])).item() == 0.0
    assert compiled_soft(x).item() == soft(x).item() == pytest.approx(expected, abs=1e-15)
    assert (compiled_loss.recordings, compiled_masked.recordings, compiled_soft.recordings) == (2, 2, 2)
    assert compiled_loss(x, Tensor([2.0])).item() == pytest.approx(expected) and compiled_loss.recordings == 2


def test_a_copy_of_an_input_into_a_new_leaf_is_checked_at_every_call():
    doubled_tensor = autograd.compile(lambda x: (Tensor(x) * 2.0).sum())
    doubled_value = autograd.compile(lambda v: Value(v) * 2.0)
    assert doubled_tensor(Tensor([1.0])).item() == 2.0 and doubled_value(Value(1.0)).data == 2.0
    assert doubled_tensor(Tensor([5.0])).item() == 10.0 and doubled_value(Value(5.0)).data == 10.0


def test_a_frozen_weight_used_through_an_op_is_watched_for_loads_and_unfreezing():
    class Tied(nn.Module):
        def __init__(self):
            self.weight = Tensor(np.eye(2), requires_grad=False)  # frozen

        def forward(self, x):
            return (x @ self.weight) @ self.weight.T  # weight.T: an op on a constant, a constant of the program

    model = Tied()
    compiled = autograd.compile(model)
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    compiled(x)
    model.load_state_dict({"weight": 3.0 * np.array([[0.0, 1.0], [1.0, 0.0]])})
    assert compiled(x).data.tolist() == model(x).data.tolist() == [[9.0, 18.0]]
    model.weight.requires_grad = True
    compiled(x).sum().backward()
    from_compiled = model.weight.grad.copy()
    model.weight.grad = None
    model(x).sum().backward()
    np.testing.assert_array_equal(from_compiled, model.weight.grad)
    assert compiled.recordings == 3


def test_an_op_taking_a_result_computed_in_the_function_as_a_setting_is_refused():
    W = Tensor(np.eye(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"compile: the numbers of the result of an op \(@\) were read as a setting"):
        autograd.compile(lambda x: (Tensor(x @ W) * 2.0).sum())(Tensor([[1.0, 2.0]]))


def test_inputs_in_named_tuples_default_dicts_and_keywords_and_labels_of_any_kind():
    from collections import defaultdict, namedtuple

    W = Tensor([3.0, 4.0], requires_grad=True)
    Batch = namedtuple("Batch", "x w")
    by_name = defaultdict(float, {"x": Tensor([1.0, 2.0])})
    functions = [
        (lambda b: (b.x * b.w).sum(), (Batch(Tensor([1.0, 2.0]), W),), {}),
        (lambda d: (d["x"] * W).sum() + d["missing"], (by_name,), {}),
        (lambda x, k=1.0: (x * W * k).sum(), (Tensor([1.0, 1.0]),), {"k": 2.0}),
        (lambda x: x * 2.0, (Value(1.0, label=3),), {}),  # a label that is not text
    ]
    for function, args, kwargs in functions:
        compiled = autograd.compile(function)
        for _ in range(2):
            assert compiled(*args, **kwargs).data == function(*args, **kwargs).data
    keywords = autograd.compile(lambda x, k=1.0: (x * W * k).sum())
    assert keywords(Tensor([1.0, 1.0]), k=2.0).item() == 14.0 and keywords(Tensor([1.0, 1.0]), k=3.0).item() == 21.0
    assert keywords(Tensor([1.0, 1.0])).item() == 7.0 and keywords.recordings == 3


def test_an_input_that_contains_itself_is_a_clear_error():
    looped = [Tensor([1.0])]
    looped.append(looped)
    with pytest.raises(TypeError, match="compile: the input xs_1 contains itself"):
        autograd.compile(lambda xs: xs[0].sum())(looped)


def test_the_result_of_a_compiled_call_made_outside_is_refused_with_advice():
    W = Tensor([1.0, 2.0], requires_grad=True)
    hidden = autograd.compile(lambda x: (x * W).tanh())(Tensor([0.5, 0.5]))
    with pytest.raises(TypeError, match="uses the result of a compiled function called outside it"):
        autograd.compile(lambda x: (x * hidden).sum())(Tensor([1.0, 1.0]))


def test_more_input_shapes_in_turn_than_programs_kept_warn_that_each_call_records():
    W = Tensor(np.ones((4, 4)), requires_grad=True)
    compiled = autograd.compile(lambda x: (x @ W).tanh().sum())
    shapes = autograd.compiled.PROGRAMS_KEPT + 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for call in range(3 * shapes):
            compiled(Tensor(np.ones((1 + call % shapes, 4))))
    assert compiled.recordings == 3 * shapes  # each shape's program was dropped before it came back
    assert [str(w.message) for w in caught if "more than" in str(w.message)]
    compiled = autograd.compile(lambda x: (x @ W).tanh().sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in range(3 * (shapes - 1)):  # as many shapes as programs kept: each recorded once
            compiled(Tensor(np.ones((1 + call % (shapes - 1), 4))))
    assert compiled.recordings == shapes - 1


def test_new_tensor_labels_at_every_call_warn_with_the_advice_for_labels():
    W = Tensor(np.eye(3), requires_grad=True)
    compiled = autograd.compile(lambda x, y: nn.cross_entropy(x @ W, y))
    x = Tensor(np.ones((2, 3)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for labels in ([0, 1], [1, 2], [2, 0], [0, 2]):
            compiled(x, Tensor(np.array(labels, dtype=float)))
    assert ["compile the model and compute the loss outside it" in str(w.message) for w in caught] == [True]


class _LeakyByWhere(Function):
    """np.where gives a 0-d array, not a float, for a number: eager mode makes the Value's data a float."""

    def forward(self, x):
        return np.where(x > 0, x, 0.01 * x)

    def backward(self, grad, out, x):
        return grad * np.where(x > 0, 1.0, 0.01)


class _GivesIntegers(Function):
    """Integers for large inputs only: recorded on small ones, the program meets them at a later call."""

    def forward(self, x):
        return x.astype(int) if x.sum() > 10 else x * 1.0

    def backward(self, grad, out, x):
        return grad * 0.0


def test_what_an_op_of_the_users_forward_gives_is_checked_in_a_program_as_in_eager_mode():
    """A program had kept the forward's result as it came: a 0-d array in a Value, integers in a Tensor."""
    p = Value(1.0)
    compiled = autograd.compile(lambda x: _LeakyByWhere.apply(x * p))
    for point in (3.0, -2.0):
        eager, result = _LeakyByWhere.apply(Value(point) * p), compiled(Value(point))
        assert type(result.data) is float and result.data == eager.data
    integers = autograd.compile(lambda x: _GivesIntegers.apply(x).sum())
    assert integers(Tensor([1.0, -1.0, 2.0], requires_grad=True)).item() == 2.0  # recorded on floats
    large = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    with pytest.raises(TypeError, match="the forward of <op _givesintegers> gave int64 numbers"):
        _GivesIntegers.apply(large)
    with pytest.raises(TypeError, match="the forward of <op _givesintegers> gave int64 numbers"):
        integers(large)  # the program had summed the integers


def test_a_graph_too_large_to_compile_is_refused_with_advice(monkeypatch):
    """A 2-million-op chain had grown to 7.6 GB while compiling, then died with a bare MemoryError."""
    from autograd import codegen

    monkeypatch.setattr(codegen, "LARGEST_PROGRAM", 100)

    def chain(x):
        y = x
        for _ in range(60):
            y = y * 0.5 + x
        return y

    with pytest.raises(ValueError, match=r"compile: the recorded graph has 120 ops, and a program of more than 100"):
        autograd.compile(chain)(Value(1.0))
    assert chain(Value(1.0)).data == pytest.approx(2.0)  # eager mode runs it (the limit is compile's alone)


@pytest.mark.parametrize("shift", [Tensor([1.0, 2.0], requires_grad=True), Tensor(0.0, requires_grad=True)])
def test_a_models_attribute_that_becomes_a_tensor_records_the_model_again(shift):
    """The state compared a Tensor with the number it replaced by ==, which compares elements: an error for two,
    and for one equal number "unchanged", so the old program ran and the new parameter got no gradient."""

    class Shift(nn.Module):
        def __init__(self):
            self.linear, self.shift = nn.Linear(2, 2, seed=0), 0

        def forward(self, x):
            return (self.linear(x) + self.shift).sum()

    model, x = Shift(), Tensor(np.ones((3, 2)))
    compiled = autograd.compile(model)
    compiled(x)
    model.shift = shift
    compiled(x).backward()
    eager_shift = Tensor(shift.data.copy(), requires_grad=True)
    model.shift = eager_shift
    model(x).backward()
    np.testing.assert_array_equal(shift.grad, eager_shift.grad)  # 3 rows x (2 outputs for one number)


def test_a_tensor_as_a_dict_key_in_a_models_state_is_compared_by_identity():
    """A key 0 that became a Tensor key had been compared with == (elementwise): the call raised."""

    class Table(nn.Module):
        def __init__(self):
            self.linear, self.table = nn.Linear(2, 2, seed=0), {0: 1.0}

        def forward(self, x):
            return self.linear(x).sum() * next(iter(self.table.values()))

    model, x = Table(), Tensor(np.ones((3, 2)))
    compiled = autograd.compile(model)
    first = compiled(x).item()
    model.table = {Tensor([0.0, 1.0]): 2.0}
    assert compiled(x).item() == model(x).item() == 2 * first


# -- numbers read as settings while recording ---------------------------------------------------------------------


def test_a_number_read_with_item_is_a_setting_checked_at_every_call():
    # clip() reads its bounds with float(): the program had kept the first call's bound (3.5 where eager gives 6.5).
    f = lambda x, bound: (x.clip(0.0, bound) * Tensor([1.0, 2.0, 3.0, 4.0])).sum()
    compiled = autograd.compile(f)
    x = Tensor([-3.0, -0.5, 0.5, 3.0], requires_grad=True)
    for bound in (1.0, 2.0, 0.25):
        ours, theirs = compiled(x, Tensor(bound)), f(x, Tensor(bound))
        assert ours.data == theirs.data == 3.0 * min(0.5, bound) + 4.0 * min(3.0, bound)
    assert compiled.recordings == 3


def test_a_number_of_an_ops_result_read_with_item_is_refused():
    compiled = autograd.compile(lambda x, bound: x.clip(-bound, bound).sum())
    with pytest.raises(RuntimeError, match=r"result of an op \(neg\) were read as a setting .* item\(\) or float\(\)"):
        compiled(Tensor([1.0, 2.0], requires_grad=True), Tensor(1.5))


def test_a_gradient_taken_inside_the_function_through_a_relu_is_refused():
    # The relu's gate in its backward is this call's numbers: the program had replayed the first call's gate.
    w = Tensor([1.0, -2.0, 0.5], requires_grad=True)

    def penalty(x):
        y = ((x * w).relu() ** 2).sum()
        return (autograd.grad(y, x, create_graph=True) ** 2).sum()

    compiled = autograd.compile(penalty)
    with pytest.raises(RuntimeError, match=r"\(relu\) were read as a setting .* gate of a relu"):
        compiled(Tensor([1.0, 1.0, 1.0], requires_grad=True))


def test_a_gradient_taken_inside_the_function_through_smooth_ops_compiles():
    w = Tensor([1.0, -2.0, 0.5], requires_grad=True)

    def penalty(x):
        y = ((x * w).tanh() ** 2).sum()
        return (autograd.grad(y, x, create_graph=True) ** 2).sum()

    for xs in ([1.0, 1.0, 1.0], [-1.0, 0.5, 2.0]):
        _, results = run_both(penalty, [Tensor(xs, requires_grad=True)], [w])
        assert_runs_agree(results)


@pytest.mark.parametrize("label", ["Tensor", "Value"])
def test_a_node_named_after_a_class_the_program_calls_is_renamed(label):
    # The program hands the class to a user's op by name: a node labelled "Tensor" had hidden it (AttributeError).
    x = Tensor(np.ones(3), requires_grad=True, label=label)
    _, results = run_both(lambda x: TupleAndNone.apply(x, x).sum(), [x], [x])
    assert_runs_agree(results)


def test_soft_targets_passed_in_as_data_are_a_setting_as_in_eager_mode():
    # Recorded as an input that requires grad, data targets had taken the path of targets in the graph, whose
    # 0 * log(0) at a logit of -inf is nan: 1.40228649 eagerly, nan compiled.
    loss = lambda logits, targets: autograd.softmax_cross_entropy(logits, targets)
    compiled = autograd.compile(loss)
    logits = np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -1.0]])
    for targets in ([[0.3, 0.0, 0.7], [0.2, 0.3, 0.5]], [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]):
        results = {}
        for name, fn in [("compiled", compiled), ("eager", loss)]:
            z = Tensor(logits, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # quiet, as the op is (0 * -inf had warned outside its quiet block)
                out = fn(z, Tensor(targets))
                out.backward()
            results[name] = out.data, z.grad
        np.testing.assert_array_equal(results["compiled"][0], results["eager"][0])
        np.testing.assert_array_equal(results["compiled"][1], results["eager"][1])
        assert np.isfinite(results["compiled"][0])
    assert compiled.recordings == 2  # the targets' numbers are a setting: new numbers, a new recording
    np.testing.assert_allclose(
        results["eager"][0],
        (np.log1p(np.e) - 1.0 + np.log(np.exp(2.0) + np.exp(0.5) + np.exp(-1.0)) - 0.5 * 2.0 - 0.5 * 0.5) / 2,
    )


def test_soft_targets_that_want_a_gradient_stay_in_the_graph():
    loss = lambda logits, targets: autograd.softmax_cross_entropy(logits, targets.softmax(axis=1))
    z, t = Tensor([[0.5, -1.0, 2.0]], requires_grad=True), Tensor([[1.0, 0.0, -1.0]], requires_grad=True)
    compiled, results = run_both(loss, [z, t], [z, t])
    assert_runs_agree(results)
    assert results["compiled"][1][1] is not None and compiled.recordings == 1


def test_a_literal_exponent_or_base_writes_only_the_branch_it_takes():
    # The general rule's guard (0.0 if 2.0 == 0.0 else ...) can never hold for a number written into the program.
    f = lambda x, y: (x - 1.0) ** 2.0 + 2.0**y + x**0.0 + 0.0**y
    x, y = Value(3.0), Value(0.5)
    compiled, results = run_both(f, [x, y], [x, y])
    assert_runs_agree(results)
    lines = [line.strip() for line in compiled.source.splitlines()]
    assert "grad_sub_1 = grad_pow_1 * (2.0 * power(sub_1, 2.0 - 1))" in lines
    assert any(line.endswith("grad_pow_2 * (pow_2 * log(2.0))") for line in lines)
    assert "grad_x = 0.0" in lines  # x ** 0.0
    assert any("0.0 if 0.0 == 0.0 and y >= 0.0 else" in line for line in lines)  # a base of 0: still decided by y
    assert results["compiled"][1] == [2.0 * (3.0 - 1.0), 2.0**0.5 * math.log(2.0)]
