"""Every ``Tensor`` op against PyTorch in float64: values, gradients and second derivatives.

Each case runs one op on random inputs in both libraries, backpropagates the
same random upstream gradient, and compares the output and every input's
gradient to 1e-12 of the largest number compared (the formulas are the same
maths; only rounding differs). Second derivatives are compared the way a
Hessian-vector product is computed: the first gradients are taken with
``create_graph=True``, dotted with a random vector, and differentiated again.
"""

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")
functional = pytest.importorskip("torch.nn.functional")

pytestmark = pytest.mark.filterwarnings("error")

RELATIVE = 1e-12
ROWS = np.array([0, 2, 1])
PICKED = np.array([3, 0, 3])
TARGET_ROWS = np.array([[0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.5]])
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])


def positive(shape, rng):
    return rng.uniform(0.5, 2.0, shape)


def anywhere(shape, rng):
    return rng.standard_normal(shape)


class Case:
    """One op on inputs of given shapes: ours and torch's, and where its inputs are drawn from."""

    def __init__(self, ours, theirs, *shapes, draw=anywhere):
        self.ours, self.theirs, self.shapes, self.draw = ours, theirs, shapes, draw

    def arrays(self, seed):
        rng = np.random.default_rng(seed)
        return [self.draw(shape, rng) for shape in self.shapes]


def torch_step(x):
    """torch has no differentiable step; this one has the same value and a zero gradient."""
    return x * 0.0 + (x > 0).to(torch.float64)


UNARY = {
    "neg": (lambda x: -x, lambda x: -x, anywhere),
    "exp": (Tensor.exp, torch.exp, anywhere),
    "log": (Tensor.log, torch.log, positive),
    "tanh": (Tensor.tanh, torch.tanh, anywhere),
    "sigmoid": (Tensor.sigmoid, torch.sigmoid, anywhere),
    "relu": (Tensor.relu, torch.relu, anywhere),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), lambda x: functional.leaky_relu(x, 0.2), anywhere),
    "abs": (abs, torch.abs, anywhere),
    "abs method": (Tensor.abs, torch.abs, anywhere),
    "step": (Tensor.step, torch_step, anywhere),
    "clip": (lambda x: x.clip(-0.5, 0.7), lambda x: torch.clamp(x, -0.5, 0.7), anywhere),
    "clip below only": (lambda x: x.clip(low=0.1), lambda x: torch.clamp(x, min=0.1), anywhere),
    "square": (lambda x: x**2, lambda x: x**2, anywhere),
    "cube": (lambda x: x**3, lambda x: x**3, anywhere),
    "square root": (lambda x: x**0.5, lambda x: x**0.5, positive),
    "pow -1.5": (lambda x: x**-1.5, lambda x: x**-1.5, positive),
    "radd": (lambda x: 2.5 + x, lambda x: 2.5 + x, anywhere),
    "rsub": (lambda x: 2.5 - x, lambda x: 2.5 - x, anywhere),
    "rmul": (lambda x: 2.5 * x, lambda x: 2.5 * x, anywhere),
    "rdiv": (lambda x: 2.5 / x, lambda x: 2.5 / x, positive),
    "rpow": (lambda x: 2.5**x, lambda x: 2.5**x, anywhere),
    "sub a number": (lambda x: x - 1.5, lambda x: x - 1.5, anywhere),
    "divide by a number": (lambda x: x / 4.0, lambda x: x / 4.0, anywhere),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, anywhere),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, anywhere),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, anywhere),
    "div": (lambda a, b: a / b, lambda a, b: a / b, positive),
    "pow": (lambda a, b: a**b, lambda a, b: a**b, positive),
    "maximum": (autograd.maximum, torch.maximum, anywhere),
    "minimum": (autograd.minimum, torch.minimum, anywhere),
    "maximum method": (lambda a, b: a.maximum(b), torch.maximum, anywhere),
    "minimum method": (lambda a, b: a.minimum(b), torch.minimum, anywhere),
}
# Broadcasting pairs: equal, a trailing vector, size-1 axes on both sides, 0-d on either side, a new front axis.
SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((2, 3), ()), ((1,), (2, 3))]

CASES = {}
for name, (ours, theirs, draw) in UNARY.items():
    for shape in [(), (3, 4), (2, 3, 2)]:
        CASES[f"{name} {shape}"] = Case(ours, theirs, shape, draw=draw)
for name, (ours, theirs, draw) in BINARY.items():
    for shapes in SHAPE_PAIRS:
        CASES[f"{name} {shapes[0]} {shapes[1]}"] = Case(ours, theirs, *shapes, draw=draw)

CONDITION = np.array([[True, False, True], [False, False, True]])
CASES |= {
    "array + tensor": Case(lambda x: np.arange(4.0) + x, lambda x: torch.arange(4.0, dtype=torch.float64) + x, (3, 4)),
    "array * tensor": Case(lambda x: np.arange(4.0) * x, lambda x: torch.arange(4.0, dtype=torch.float64) * x, (3, 4)),
    "tensor / array": Case(lambda x: x / np.arange(1.0, 5.0), lambda x: x / torch.arange(1.0, 5.0).double(), (3, 4)),
    "where": Case(
        lambda a, b: autograd.where(CONDITION, a, b),
        lambda a, b: torch.where(torch.tensor(CONDITION), a, b),
        (2, 3),
        (3,),
    ),
    "where with a number": Case(
        lambda a: autograd.where(CONDITION, a, 0.5), lambda a: torch.where(torch.tensor(CONDITION), a, 0.5), (2, 1)
    ),
    "matmul vector vector": Case(lambda a, b: a @ b, lambda a, b: a @ b, (4,), (4,)),
    "matmul matrix vector": Case(lambda a, b: a @ b, lambda a, b: a @ b, (3, 4), (4,)),
    "matmul vector matrix": Case(lambda a, b: a @ b, lambda a, b: a @ b, (4,), (4, 5)),
    "matmul matrix matrix": Case(lambda a, b: a @ b, lambda a, b: a @ b, (3, 4), (4, 5)),
    "matmul batch matrix": Case(lambda a, b: a @ b, lambda a, b: a @ b, (2, 3, 4), (4, 5)),
    "matmul batch batch": Case(lambda a, b: a @ b, lambda a, b: a @ b, (2, 3, 4), (2, 4, 5)),
    "matmul broadcast batches": Case(lambda a, b: a @ b, lambda a, b: a @ b, (2, 1, 3, 4), (3, 4, 2)),
    "matmul batch vector": Case(lambda a, b: a @ b, lambda a, b: a @ b, (2, 3, 4), (4,)),
    "matmul function": Case(autograd.matmul, torch.matmul, (3, 4), (4, 2)),
    "rmatmul array": Case(lambda b: np.ones((2, 3)) @ b, lambda b: torch.ones(2, 3, dtype=torch.float64) @ b, (3, 4)),
    # torch keeps a linear layer's weight as (out, in); ours is (in, out), hence the .T
    "linear": Case(autograd.linear, lambda x, w, b: functional.linear(x, w.T, b), (3, 4), (4, 5), (5,)),
    "linear without bias": Case(autograd.linear, lambda x, w: functional.linear(x, w.T), (3, 4), (4, 5)),
    "linear on a batch of batches": Case(
        autograd.linear, lambda x, w, b: functional.linear(x, w.T, b), (2, 3, 4), (4, 5), (5,)
    ),
}
REDUCTIONS = {
    "sum": (Tensor.sum, lambda x, dim, keepdim: torch.sum(x, dim=dim, keepdim=keepdim)),
    "mean": (Tensor.mean, lambda x, dim, keepdim: torch.mean(x, dim=dim, keepdim=keepdim)),
    "max": (Tensor.max, lambda x, dim, keepdim: torch.amax(x, dim=dim, keepdim=keepdim)),
    "min": (Tensor.min, lambda x, dim, keepdim: torch.amin(x, dim=dim, keepdim=keepdim)),
    "var": (Tensor.var, lambda x, dim, keepdim: torch.var(x, dim=dim, keepdim=keepdim, correction=0)),
    "var ddof=1": (
        lambda x, axis, keepdims: x.var(axis=axis, keepdims=keepdims, ddof=1),
        lambda x, dim, keepdim: torch.var(x, dim=dim, keepdim=keepdim, correction=1),
    ),
}


def _reduction_case(ours, theirs, axis, keepdims):
    dim = tuple(range(3)) if axis is None else axis
    return Case(lambda x: ours(x, axis=axis, keepdims=keepdims), lambda x: theirs(x, dim, keepdims), (2, 3, 4))


for name, (ours, theirs) in REDUCTIONS.items():
    for axis in [None, 0, -1, (0, 2)]:
        for keepdims in [False, True]:
            CASES[f"{name} axis={axis} keepdims={keepdims}"] = _reduction_case(ours, theirs, axis, keepdims)
CASES |= {
    "sum of a 0-d tensor": Case(Tensor.sum, torch.sum, ()),
    "max of a 0-d tensor": Case(Tensor.max, torch.amax, ()),
    "min of a 0-d tensor": Case(Tensor.min, torch.amin, ()),
    # a 0-d tensor takes axis 0 or -1 and reduces nothing (its backward had raised IndexError)
    "sum of a 0-d tensor over axis 0": Case(lambda x: x.sum(axis=0), lambda x: x.sum(0), ()),
    "mean of a 0-d tensor over axis -1": Case(lambda x: x.mean(axis=-1), lambda x: x.mean(-1), ()),
    "max of a 0-d tensor over axis 0": Case(lambda x: x.max(axis=0), lambda x: x.amax(0), ()),
    "min of a 0-d tensor over axis -1": Case(lambda x: x.min(axis=-1, keepdims=True), lambda x: x.amin(-1, True), ()),
    "var of a 0-d tensor over axis 0": Case(lambda x: x.var(axis=0), lambda x: x.var(0, correction=0), ()),
    "logsumexp of a 0-d tensor": Case(Tensor.logsumexp, lambda x: torch.logsumexp(x, -1), ()),
    "mean of a vector": Case(Tensor.mean, torch.mean, (5,)),
    "reshape": Case(lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), (2, 3, 4)),
    "reshape a tuple": Case(lambda x: x.reshape((6, 4)), lambda x: x.reshape((6, 4)), (2, 3, 4)),
    "reshape to 0-d": Case(lambda x: x.reshape(()), lambda x: x.reshape(()), (1, 1)),
    "transpose": Case(Tensor.transpose, lambda x: x.permute(2, 1, 0), (2, 3, 4)),
    "transpose axes": Case(lambda x: x.transpose(1, 0, 2), lambda x: x.permute(1, 0, 2), (2, 3, 4)),
    "permute": Case(lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    # two axes are swapped, as torch does (numpy's transpose(0, 1) of a matrix had silently changed nothing)
    "transpose two axes of a matrix": Case(lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1), (3, 4)),
    "transpose the last two axes": Case(lambda x: x.transpose(-1, -2), lambda x: x.transpose(-1, -2), (2, 3, 4)),
    "transpose an axis with itself": Case(lambda x: x.transpose(1, 1), lambda x: x.transpose(1, 1), (2, 3, 4)),
    "permute a matrix unchanged": Case(lambda x: x.permute(0, 1), lambda x: x.permute(0, 1), (3, 4)),
    "transpose a 0-d tensor": Case(lambda x: x.transpose(0, -1), lambda x: x.transpose(0, -1), ()),
    ".T": Case(lambda x: x.T, lambda x: x.T, (3, 4)),
    "flatten": Case(Tensor.flatten, torch.flatten, (2, 3, 4)),
    "flatten from 1": Case(lambda x: x.flatten(1), lambda x: torch.flatten(x, 1), (2, 3, 4)),
    "unsqueeze 0": Case(lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0), (3, 4)),
    "unsqueeze -1": Case(lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), (3, 4)),
    "squeeze": Case(Tensor.squeeze, torch.squeeze, (2, 1, 3, 1)),
    "squeeze 1": Case(lambda x: x.squeeze(1), lambda x: x.squeeze(1), (2, 1, 3, 1)),
    "concatenate axis 0": Case(lambda *xs: autograd.concatenate(xs), lambda *xs: torch.cat(xs), (2, 3), (1, 3), (4, 3)),
    "concatenate axis -1": Case(
        lambda *xs: autograd.concatenate(xs, axis=-1), lambda *xs: torch.cat(xs, dim=-1), (2, 3), (2, 1), (2, 2)
    ),
    "stack": Case(lambda *xs: autograd.stack(xs), lambda *xs: torch.stack(xs), (2, 3), (2, 3)),
    "stack axis -1": Case(lambda *xs: autograd.stack(xs, axis=-1), lambda *xs: torch.stack(xs, dim=-1), (4,), (4,)),
    "index an int": Case(lambda x: x[1], lambda x: x[1], (3, 4)),
    "index a negative int": Case(lambda x: x[-1, :, 2], lambda x: x[-1, :, 2], (2, 3, 4)),
    "slice": Case(lambda x: x[:, 1:3], lambda x: x[:, 1:3], (3, 4)),
    "slice with a step": Case(lambda x: x[..., ::2], lambda x: x[..., ::2], (2, 3, 5)),
    "new axis": Case(lambda x: x[None, 1], lambda x: x[None, 1], (3, 4)),
    "correct-class pick": Case(
        lambda x: x[np.arange(3), PICKED], lambda x: x[torch.arange(3), torch.tensor(PICKED)], (3, 4)
    ),
    "rows picked twice": Case(lambda x: x[[0, 0, 2]], lambda x: x[[0, 0, 2]], (3, 4)),
    "rows and a slice": Case(lambda x: x[ROWS, 1:], lambda x: x[torch.tensor(ROWS), 1:], (3, 4)),
    "boolean mask": Case(lambda x: x[MASK], lambda x: x[torch.tensor(MASK)], (3, 4)),
    "softmax": Case(Tensor.softmax, lambda x: torch.softmax(x, -1), (3, 4)),
    "softmax axis 0": Case(lambda x: x.softmax(axis=0), lambda x: torch.softmax(x, 0), (3, 4)),
    "log_softmax": Case(Tensor.log_softmax, lambda x: torch.log_softmax(x, -1), (3, 4)),
    "log_softmax axis 1": Case(lambda x: x.log_softmax(1), lambda x: torch.log_softmax(x, 1), (2, 3, 4)),
    "logsumexp": Case(Tensor.logsumexp, lambda x: torch.logsumexp(x, -1), (3, 4)),
    "logsumexp keepdims": Case(
        lambda x: x.logsumexp(axis=0, keepdims=True), lambda x: torch.logsumexp(x, 0, keepdim=True), (3, 4)
    ),
    "logsumexp of a vector": Case(Tensor.logsumexp, lambda x: torch.logsumexp(x, 0), (5,)),
    "cross-entropy from log_softmax": Case(
        lambda x: -x.log_softmax()[np.arange(3), PICKED].mean(),
        lambda x: functional.cross_entropy(x, torch.tensor(PICKED)),
        (3, 4),
    ),
    "softmax_cross_entropy of class indices": Case(
        lambda x: autograd.softmax_cross_entropy(x, PICKED),
        lambda x: functional.cross_entropy(x, torch.tensor(PICKED)),
        (3, 4),
    ),
    "softmax_cross_entropy of probabilities": Case(
        lambda x: autograd.softmax_cross_entropy(x, TARGET_ROWS),
        lambda x: functional.cross_entropy(x, torch.tensor(TARGET_ROWS)),
        (3, 4),
    ),
    "a two-layer net": Case(
        lambda x, w1, w2: ((x @ w1).relu() @ w2).tanh().sum(axis=1),
        lambda x, w1, w2: torch.tanh(torch.relu(x @ w1) @ w2).sum(dim=1),
        (5, 3),
        (3, 4),
        (4, 2),
    ),
}
SECOND_ORDER = {name: case for name, case in CASES.items() if not name.startswith("step")}


def assert_close(ours, theirs, what):
    """Equal to ``RELATIVE`` of the largest number compared; same shape and dtype."""
    theirs = np.zeros(np.shape(ours)) if theirs is None else theirs.detach().numpy(force=True)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    assert ours.dtype == np.float64, f"{what}: dtype {ours.dtype}"
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    worst = float(np.max(np.abs(ours - theirs), initial=0.0))
    assert worst <= RELATIVE * scale, f"{what}: largest difference {worst:.3g} on numbers up to {scale:.3g}"


def both(arrays):
    return [Tensor(a, requires_grad=True) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_value_and_gradients_match_torch(case):
    ours, theirs = both(case.arrays(seed=0))
    out, torch_out = case.ours(*ours), case.theirs(*theirs)
    assert isinstance(out, Tensor)
    assert_close(out.data, torch_out, "value")
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    for index, (x, torch_x) in enumerate(zip(ours, theirs)):
        assert_close(x.grad if x.grad is not None else np.zeros(x.shape), torch_x.grad, f"d/d input {index}")


def _hessian_vector(inputs, f, grad, upstream, directions, wrap):
    """d/d(inputs) of sum(first gradient * direction): a Hessian-vector product, via create_graph."""
    first = grad(f(*inputs), inputs, wrap(upstream), create_graph=True, allow_unused=True)
    terms = [(g * wrap(v)).sum() for g, v in zip(first, directions) if g is not None and g.requires_grad]
    if not terms:
        return [None] * len(inputs)
    return grad(sum(terms[1:], terms[0]), inputs, allow_unused=True)


@pytest.mark.parametrize("case", SECOND_ORDER.values(), ids=SECOND_ORDER.keys())
def test_second_derivatives_match_torch(case):
    arrays = case.arrays(seed=2)
    ours, theirs = both(arrays)
    rng = np.random.default_rng(3)
    upstream = rng.standard_normal(np.shape(case.ours(*[Tensor(a) for a in arrays]).data))
    directions = [rng.standard_normal(a.shape) for a in arrays]
    ours_second = _hessian_vector(ours, case.ours, autograd.grad, upstream, directions, lambda a: a)
    torch_second = _hessian_vector(
        theirs,
        case.theirs,
        lambda out, inputs, gradient=None, **kw: torch.autograd.grad(out, inputs, gradient, **kw),
        upstream,
        directions,
        torch.tensor,
    )
    for index, (h, torch_h) in enumerate(zip(ours_second, torch_second)):
        assert_close(np.zeros(arrays[index].shape) if h is None else h, torch_h, f"second derivative {index}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_gradient_given_as_a_node_stays_in_the_graph_with_create_graph(dtype):
    """The double-backward trick: g(v) = J^T v is linear in v, so d(w . g)/dv = J w, as torch gives it."""
    x = Tensor(np.array([1.0, 2.0, 3.0], dtype), requires_grad=True)
    v = Tensor(np.zeros(3), requires_grad=True)  # float64: cast to the output's float32 as an op
    w = np.array([0.5, -1.0, 2.0])
    g = autograd.grad(x**3, x, gradient=v, create_graph=True)
    dv = autograd.grad((g * w).sum(), v)
    tx = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    tv = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    (tg,) = torch.autograd.grad(tx**3, tx, grad_outputs=tv, create_graph=True)
    (torch_dv,) = torch.autograd.grad((tg * torch.tensor(w)).sum(), tv)
    np.testing.assert_allclose(dv, torch_dv.numpy(), rtol=1e-6 if dtype == np.float32 else 1e-15)
    assert dv.dtype == np.float64 and g.dtype == dtype


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_is_finite_for_huge_logits(name):
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4], [-1e4, 3.0, 1e4]])
    ours, theirs = both([logits])
    out = getattr(ours[0], name)(axis=-1)
    torch_out = getattr(torch, name)(theirs[0], -1)
    assert np.isfinite(out.data).all()
    assert_close(out.data, torch_out, f"{name} of huge logits")
    upstream = np.random.default_rng(4).standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    assert np.isfinite(ours[0].grad).all()
    assert_close(ours[0].grad, theirs[0].grad, f"gradient of {name} of huge logits")


def test_softmax_of_huge_logits_by_hand():
    probabilities = Tensor([1e4, 0.0, -1e4]).softmax()
    np.testing.assert_array_equal(probabilities.data, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(Tensor([1e4, 1e4]).log_softmax().data, [-np.log(2.0)] * 2)
    assert Tensor([-1e4, -1e4]).logsumexp().item() == -1e4 + np.log(2.0)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda x: x.max(), torch.amax),
        (lambda x: x.min(axis=1), lambda x: torch.amin(x, 1)),
        (lambda x: autograd.maximum(x, 1.0), lambda x: torch.maximum(x, torch.tensor(1.0, dtype=torch.float64))),
        (lambda x: autograd.minimum(x, 1.0), lambda x: torch.minimum(x, torch.tensor(1.0, dtype=torch.float64))),
        (lambda x: x.clip(0.0, 1.0), lambda x: torch.clamp(x, 0.0, 1.0)),
        (Tensor.relu, torch.relu),
        (abs, torch.abs),
    ],
    ids=["max", "min", "maximum", "minimum", "clip", "relu", "abs"],
)
def test_ties_and_kinks_share_the_gradient_as_torch_does(ours, theirs):
    values = np.array([[1.0, 3.0, 3.0, 0.0], [1.0, 1.0, -2.0, 1.0]])
    (x,), (torch_x,) = both([values])
    ours(x).sum().backward()
    theirs(torch_x).sum().backward()
    assert_close(x.grad, torch_x.grad, "gradient at a tie or kink")


NON_FINITE = {
    "max with a nan": (lambda x: x.max(axis=1), lambda x: x.amax(1), [[1.0, np.nan, 3.0], [1.0, 2.0, 0.5]]),
    "min with a nan": (lambda x: x.min(axis=1), lambda x: x.amin(1), [[1.0, np.nan, 3.0], [1.0, 2.0, 0.5]]),
    "relu of nan and inf": (Tensor.relu, torch.relu, [[np.nan, np.inf], [-np.inf, 1.0]]),
    "abs of nan, inf and 0": (Tensor.abs, torch.abs, [[np.nan, np.inf], [-np.inf, 0.0]]),
    "sqrt of relu: an inf gradient stopped by the closed gate": (
        lambda x: x.relu() ** 0.5,
        lambda x: torch.relu(x) ** 0.5,
        [[-1.0, 0.0], [4.0, -np.inf]],
    ),
    "softmax of a row of -inf": (Tensor.softmax, lambda x: torch.softmax(x, -1), [[-np.inf, -np.inf], [0.0, -np.inf]]),
    "log_softmax of a row of -inf": (
        Tensor.log_softmax,
        lambda x: torch.log_softmax(x, -1),
        [[-np.inf, -np.inf], [0.0, -np.inf]],
    ),
    "logsumexp of a row of -inf": (
        Tensor.logsumexp,
        lambda x: torch.logsumexp(x, -1),
        [[-np.inf, -np.inf], [0.0, -np.inf]],
    ),
    "softmax with an inf": (Tensor.softmax, lambda x: torch.softmax(x, -1), [[np.inf, 0.0], [1.0, 2.0]]),
    "softmax_cross_entropy with -inf and inf": (
        lambda x: autograd.softmax_cross_entropy(x, [0, 1]),
        lambda x: functional.cross_entropy(x, torch.tensor([0, 1])),
        [[0.0, -np.inf], [np.inf, 1.0]],
    ),
    "logsumexp with an inf": (Tensor.logsumexp, lambda x: torch.logsumexp(x, -1), [[np.inf, 0.0], [1.0, 2.0]]),
}


def assert_same_non_finite(ours, theirs, what):
    """nan and inf exactly where torch has them; the finite numbers to ``RELATIVE``."""
    theirs = theirs.detach().numpy()
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: nan")
    np.testing.assert_array_equal(ours[~finite & ~np.isnan(theirs)], theirs[~finite & ~np.isnan(theirs)], err_msg=what)
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=RELATIVE, atol=0, err_msg=what)


@pytest.mark.parametrize(("ours", "theirs", "values"), NON_FINITE.values(), ids=NON_FINITE.keys())
def test_nan_and_inf_give_torch_results_quietly(ours, theirs, values):
    """IEEE results where torch has them, without a warning (the module turns warnings into errors)."""
    (x,), (torch_x,) = both([np.array(values)])
    out, torch_out = ours(x), theirs(torch_x)
    assert_same_non_finite(out.data, torch_out, "value")
    out.backward(np.ones(out.shape))
    torch_out.backward(torch.ones_like(torch_out))
    assert_same_non_finite(x.grad, torch_x.grad, "gradient")


@pytest.mark.parametrize(
    ("logits", "targets", "message"),
    [
        (np.zeros(3), [0, 1, 2], r"logits must have shape \(n, classes\), got \(3,\)"),
        (np.zeros((2, 3)), [0, 3], r"class indices must be in \[0, 3\), got 0..3"),
        (np.zeros((2, 3)), [0.0, 1.0], r"2 integer class indices or probabilities of shape \(2, 3\), got float64"),
        (np.zeros((2, 3)), [0, 1, 2], r"got int64 of shape \(3,\)"),
        (np.zeros((2, 3)), np.ones((2, 2)), r"probability targets of shape \(2, 2\) for logits of shape \(2, 3\)"),
    ],
)
def test_softmax_cross_entropy_refuses_bad_targets_naming_the_shapes(logits, targets, message):
    with pytest.raises(ValueError, match=message):
        autograd.softmax_cross_entropy(Tensor(logits, requires_grad=True), targets)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_the_softmax_family_along_an_empty_axis_gives_torchs_empty_or_minus_inf(name):
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    out = getattr(x, name)(axis=1)
    expected = getattr(torch, name)(torch.zeros(2, 0, dtype=torch.float64), 1).numpy()
    np.testing.assert_array_equal(out.data, expected)  # logsumexp: log of an empty sum, -inf
    out.sum().backward()
    assert x.grad.shape == (2, 0)


@pytest.mark.parametrize("name, torch_name", [("max", "amax"), ("min", "amin")])
def test_max_and_min_over_a_full_axis_of_an_empty_array_give_torchs_empty_result(name, torch_name):
    """Only an empty reduced axis has no largest element; (0, 3) over axis 1 had raised all the same."""
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    out = getattr(x, name)(axis=1)
    expected = getattr(torch, torch_name)(torch.zeros(0, 3, dtype=torch.float64, requires_grad=True), 1)
    assert out.shape == tuple(expected.shape) == (0,)
    out.sum().backward()
    assert x.grad.shape == (0, 3)
    for axis, over in [(0, "axis 0"), (None, "all axes")]:
        with pytest.raises(ValueError, match=f"cannot reduce an empty array of shape \\(0, 3\\) over {over}"):
            getattr(x, name)(axis=axis)


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a * b,
        lambda a, b: b - a,
        lambda a, b: a / b,
        lambda a, b: a.abs() ** b,
        lambda a, b: (torch.where if isinstance(a, torch.Tensor) else autograd.where)(
            torch.tensor([True, False, True]) if isinstance(a, torch.Tensor) else np.array([True, False, True]), a, b
        ),
    ],
    ids=["mul", "rsub", "div", "pow", "where"],
)
def test_a_0d_float64_tensor_beside_a_float32_array_keeps_float32_as_torch_does(op):
    """A single number is a number: the array's float type wins, and each gradient keeps its input's type."""
    x32 = np.array([0.5, -1.25, 2.0], np.float32)
    x, number = Tensor(x32, requires_grad=True), Tensor(2.0, requires_grad=True)
    x_torch, number_torch = torch.tensor(x32, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    out, out_torch = op(x, number), op(x_torch, number_torch)
    assert out.dtype == np.float32 and out_torch.dtype == torch.float32  # it had been float64
    np.testing.assert_array_equal(out.data, out_torch.detach().numpy())
    out.sum().backward()
    out_torch.sum().backward()
    assert x.grad.dtype == np.float32 and number.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, x_torch.grad.numpy())
    np.testing.assert_array_equal(number.grad, number_torch.grad.numpy())


def test_a_0d_number_too_large_for_a_float16_array_becomes_inf_quietly_as_in_torch():
    ours = Tensor(np.ones(2, np.float16)) + Tensor(1e5)  # (numpy's cast had warned of an overflow)
    theirs = torch.ones(2, dtype=torch.float16) + torch.tensor(1e5, dtype=torch.float64)
    assert ours.dtype == np.float16 and theirs.dtype == torch.float16
    np.testing.assert_array_equal(ours.data, theirs.numpy())  # inf, inf
