"""Property-based tests: hypothesis draws shapes (broadcastable pairs, size-1 axes, 0-d tensors) and numbers.

For every draw the forward must equal numpy's own result, the gradients must
match torch in float64, and finite differences (``gradcheck``) must agree.
Numbers for the finite-difference checks come from a grid of eighths, so two
inputs are either equal (a tie, where the max gate's half-and-half matches the
central difference) or at least 1/8 apart, far from any kink the step could
straddle.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("error")

RELATIVE = 1e-12
COMPOSITE_RELATIVE = 1e-10  # a few ops in a row: rounding differences add up, most where terms cancel

# name: (ours, numpy's, torch's, draw the right-hand input from positive numbers, draw the left from them)
BINARY = {
    "+": (lambda a, b: a + b, np.add, lambda a, b: a + b, False, False),
    "-": (lambda a, b: a - b, np.subtract, lambda a, b: a - b, False, False),
    "*": (lambda a, b: a * b, np.multiply, lambda a, b: a * b, False, False),
    "/": (lambda a, b: a / b, np.divide, lambda a, b: a / b, True, False),
    "**": (lambda a, b: a**b, np.power, lambda a, b: a**b, False, True),
    "maximum": (autograd.maximum, np.maximum, torch.maximum, False, False),
    "minimum": (autograd.minimum, np.minimum, torch.minimum, False, False),
}
UNARY = {
    "exp": (Tensor.exp, torch.exp),
    "tanh": (Tensor.tanh, torch.tanh),
    "sigmoid": (Tensor.sigmoid, torch.sigmoid),
    "relu": (Tensor.relu, torch.relu),
    "square": (lambda x: x * x, lambda x: x * x),
    "neg": (lambda x: -x, lambda x: -x),
}
REDUCTIONS = {
    "sum": (Tensor.sum, torch.sum),
    "mean": (Tensor.mean, torch.mean),
    "max": (Tensor.max, torch.amax),
    "min": (Tensor.min, torch.amin),
    "var": (Tensor.var, lambda x, dim, keepdim: torch.var(x, dim=dim, keepdim=keepdim, correction=0)),
}

GRID = st.integers(-16, 16).map(lambda k: k / 8)
POSITIVE_GRID = st.integers(4, 16).map(lambda k: k / 8)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3)


def grid_array(shape, positive=False):
    return hnp.arrays(np.float64, shape, elements=POSITIVE_GRID if positive else GRID)


def assert_close(ours, theirs, what, relative=RELATIVE):
    theirs = np.zeros(np.shape(ours)) if theirs is None else theirs.detach().numpy()
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1.0)
    worst = float(np.max(np.abs(ours - theirs), initial=0.0))
    assert worst <= relative * scale, f"{what}: largest difference {worst:.3g} on numbers up to {scale:.3g}"


def backward_both(ours_out, torch_out, seed=0):
    upstream = np.random.default_rng(seed).standard_normal(ours_out.shape)
    ours_out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))


@st.composite
def binary_cases(draw):
    name = draw(st.sampled_from(sorted(BINARY)))
    *_, right_positive, left_positive = BINARY[name]
    shapes = draw(PAIRS).input_shapes
    a = draw(grid_array(shapes[0], positive=left_positive))
    b = draw(grid_array(shapes[1], positive=right_positive))
    return name, a, b


@settings(max_examples=100, deadline=None)
@given(binary_cases())
def test_binary_ops_broadcast_like_numpy_and_match_torch(case):
    name, a, b = case
    ours, numpy_op, theirs, *_ = BINARY[name]
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out = ours(x, y)
    np.testing.assert_array_equal(out.data, numpy_op(a, b))
    backward_both(out, theirs(tx, ty))
    assert x.grad.shape == a.shape and y.grad.shape == b.shape
    assert_close(x.grad, tx.grad, f"{name}: d/d left {a.shape}")
    assert_close(y.grad, ty.grad, f"{name}: d/d right {b.shape}")


@settings(max_examples=60, deadline=None)
@given(binary_cases())
def test_binary_ops_pass_gradcheck(case):
    name, a, b = case
    ours = BINARY[name][0]
    assert gradcheck(ours, Tensor(a, requires_grad=True), Tensor(b, requires_grad=True))


@st.composite
def programs(draw):
    """``reduce(unary(a) <op> b) * c`` on three mutually broadcastable inputs."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=1, max_side=3))
    arrays = [draw(grid_array(shape)) for shape in shapes.input_shapes]
    unary = draw(st.sampled_from(sorted(UNARY)))
    binary = draw(st.sampled_from(["+", "-", "*", "maximum"]))
    ndim = len(shapes.result_shape)
    axis = draw(st.none() | st.integers(0, ndim - 1)) if ndim else None
    reduction = draw(st.sampled_from(["sum", "mean", "var"]))
    return arrays, unary, binary, reduction, axis


def run_program(inputs, program, library):
    _, unary, binary, reduction, axis = program
    a, b, c = inputs
    unary_op = UNARY[unary][0 if library == "ours" else 1]
    binary_op = BINARY[binary][0 if library == "ours" else 2]
    combined = binary_op(unary_op(a), b) * c
    if library == "ours":
        return REDUCTIONS[reduction][0](combined, axis=axis)
    dim = tuple(range(combined.ndim)) if axis is None else axis
    if reduction == "var":
        return torch.var(combined, dim=dim, correction=0)
    return REDUCTIONS[reduction][1](combined, dim=dim)


@settings(max_examples=60, deadline=None)
@given(programs())
def test_random_programs_match_torch_to_second_order(program):
    arrays = program[0]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, torch_out = run_program(ours, program, "ours"), run_program(theirs, program, "torch")
    assert_close(out.data, torch_out, "value", COMPOSITE_RELATIVE)
    rng = np.random.default_rng(1)
    upstream = rng.standard_normal(out.shape)
    first = autograd.grad(out, ours, upstream, create_graph=True)
    torch_first = torch.autograd.grad(torch_out, theirs, torch.tensor(upstream), create_graph=True)
    for index, (g, tg) in enumerate(zip(first, torch_first)):
        assert_close(g.data, tg, f"d/d input {index}", COMPOSITE_RELATIVE)
    directions = [rng.standard_normal(a.shape) for a in arrays]
    terms = [(g * v).sum() for g, v in zip(first, directions) if g.requires_grad]
    torch_terms = [(g * torch.tensor(v)).sum() for g, v in zip(torch_first, directions)]
    if terms:
        second = autograd.grad(sum(terms[1:], terms[0]), ours, allow_unused=True)
    else:
        second = [None] * 3
    torch_second = torch.autograd.grad(sum(torch_terms), theirs, allow_unused=True, materialize_grads=True)
    for index, (h, th) in enumerate(zip(second, torch_second)):
        ours_h = np.zeros(arrays[index].shape) if h is None else h
        assert_close(ours_h, th, f"second derivative {index}", COMPOSITE_RELATIVE)


@st.composite
def reduction_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    x = draw(grid_array(shape))
    axes = (
        draw(st.none() | st.lists(st.integers(0, max(len(shape) - 1, 0)), min_size=1, unique=True)) if shape else None
    )
    axis = axes if axes is None or len(axes) > 1 else axes[0]
    keepdims = draw(st.booleans())
    return draw(st.sampled_from(sorted(REDUCTIONS))), x, axis, keepdims


@settings(max_examples=100, deadline=None)
@given(reduction_cases())
def test_reductions_over_random_axes_match_torch(case):
    name, x, axis, keepdims = case
    ours, theirs = REDUCTIONS[name]
    t, tt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    dim = tuple(range(x.ndim)) if axis is None else tuple(axis) if isinstance(axis, list) else axis
    out = ours(t, axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=keepdims)
    torch_out = theirs(tt, dim=dim, keepdim=keepdims)
    assert_close(out.data, torch_out, f"{name} over {axis} of {x.shape}")
    backward_both(out, torch_out)
    assert_close(t.grad, tt.grad, f"gradient of {name} over {axis} of {x.shape}")


@st.composite
def matmul_cases(draw):
    batches = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, min_side=1, max_side=3))
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    left_vector, right_vector = draw(st.booleans()), draw(st.booleans())
    left = (k,) if left_vector else (*batches.input_shapes[0], n, k)
    right = (k,) if right_vector else (*batches.input_shapes[1], k, m)
    return draw(grid_array(left)), draw(grid_array(right))


@settings(max_examples=80, deadline=None)
@given(matmul_cases())
def test_matmul_of_vectors_matrices_and_broadcast_batches_matches_torch(case):
    a, b = case
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, torch_out = x @ y, tx @ ty
    np.testing.assert_array_equal(out.data, a @ b)
    backward_both(out, torch_out)
    assert_close(x.grad, tx.grad, f"d/d left {a.shape} @ {b.shape}")
    assert_close(y.grad, ty.grad, f"d/d right {a.shape} @ {b.shape}")


@st.composite
def shape_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    order = [axis - len(shape) if draw(st.booleans()) else axis for axis in draw(st.permutations(range(len(shape))))]
    rows = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6))
    return draw(grid_array(shape)), tuple(order), np.array(rows)  # (axes counted from the end too: -1 is the last)


@settings(max_examples=60, deadline=None)
@given(shape_cases())
def test_permute_flatten_and_integer_indexing_match_torch(case):
    x, order, rows = case
    t, tt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = (t[rows] * 2.0).permute(*order).flatten().unsqueeze(0)
    torch_out = torch.flatten((tt[torch.tensor(rows)] * 2.0).permute(*order)).unsqueeze(0)
    np.testing.assert_array_equal(out.data, torch_out.detach().numpy())
    backward_both(out, torch_out)
    assert_close(t.grad, tt.grad, f"gradient through rows {rows.tolist()} and order {order}")


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
        elements=st.floats(-1e4, 1e4) | st.sampled_from([1e4, -1e4]),
    ),
    st.sampled_from(["softmax", "log_softmax", "logsumexp"]),
    st.integers(0, 2),
)
def test_softmax_family_is_finite_and_matches_torch_for_any_logits(logits, name, axis):
    axis = axis % logits.ndim
    t, tt = Tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    out, torch_out = getattr(t, name)(axis=axis), getattr(torch, name)(tt, axis)
    assert np.isfinite(out.data).all()
    assert_close(out.data, torch_out, f"{name} along {axis}")
    backward_both(out, torch_out)
    assert np.isfinite(t.grad).all()
    assert_close(t.grad, tt.grad, f"gradient of {name} along {axis}")
