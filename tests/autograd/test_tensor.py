"""``Tensor`` on its own: what it holds, its constructors, worked example C, the graph semantics and every error.

The numbers are checked against hand computation, numpy and finite
differences (``gradcheck``); the comparisons with torch are in
``test_tensor_torch.py``.
"""

import inspect
import math

import numpy as np
import pytest

import autograd
from autograd import Function, GradcheckError, Tensor, Value, gradcheck

pytestmark = pytest.mark.filterwarnings("error")


# What a Tensor holds.
def test_data_is_float64_by_default_and_float32_is_kept():
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(2).dtype == np.float64 and Tensor(2).shape == ()
    assert Tensor([True, False]).dtype == np.float64
    assert Tensor(np.arange(3, dtype=np.int32)).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert Tensor([1.0, 2.0], dtype=np.float32).dtype == np.float32
    assert Tensor(np.ones(2, dtype=np.float32), dtype=np.float64).dtype == np.float64


def test_requires_grad_dtype_and_label_are_keywords_as_in_value():
    x = Tensor([1.0], requires_grad=True, dtype=np.float32, label="x")
    assert x.requires_grad and x.dtype == np.float32 and x.label == "x"
    with pytest.raises(TypeError, match="positional"):
        Tensor([1.0], True)


def test_max_of_a_tensor_points_to_maximum():
    a, b = Tensor([1.0, 5.0]), Tensor([3.0, 2.0])
    np.testing.assert_array_equal(a.maximum(b).data, [3.0, 5.0])
    np.testing.assert_array_equal(a.minimum(b).data, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"t\.maximum\(other\)"):
        a.max(b)
    with pytest.raises(TypeError, match=r"t\.minimum\(other\)"):
        a.min(np.array([3.0, 2.0]))


def test_data_is_copied_from_the_caller_and_shared_with_numpy():
    array = np.array([1.0, 2.0])
    x = Tensor(array)
    array[0] = 5.0
    assert x.data[0] == 1.0
    assert x.numpy() is x.data
    assert Tensor(x).data is not x.data and Tensor(x).data.tolist() == [1.0, 2.0]


def test_shape_properties_len_and_item():
    x = Tensor(np.zeros((2, 3, 4)))
    assert (x.shape, x.ndim, x.size, len(x)) == ((2, 3, 4), 3, 24, 2)
    assert Tensor([[1.0, 2.0, 3.0]]).T.shape == (3, 1)
    assert Tensor([[2.5]]).item() == 2.5 and type(Tensor([[2.5]]).item()) is float
    assert float(Tensor(1.5)) == 1.5
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.5))


def test_iteration_gives_recorded_rows():
    x = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    rows = list(x)
    assert [row.data.tolist() for row in rows] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    (rows[0] * 2.0 + rows[2]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]])


def test_a_tensor_used_as_an_index_is_refused():
    """A Tensor holds floats: a bool mask inside one would silently become positions 0 and 1."""
    scores = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    with pytest.raises(TypeError, match="not with a Tensor"):
        scores[np.arange(3), Tensor([0, 3, 1])]
    with pytest.raises(TypeError, match="bool mask"):
        scores[Tensor([True, False, True])]
    picked = scores[np.array([True, False, True])]  # a numpy mask works
    assert picked.data.tolist() == [[0.0, 1.0, 2.0, 3.0], [8.0, 9.0, 10.0, 11.0]]


def test_variance_without_degrees_of_freedom_is_infinite_as_in_torch():
    x = Tensor([1.0, 2.0, 3.0])
    assert x.var(ddof=3).item() == np.inf  # 2 / 0; torch.var(correction=3) gives inf too
    assert x.var(ddof=4).item() == np.inf  # not 2 / -1: torch.var(correction=4) gives inf
    assert x.var(ddof=1).item() == 1.0


def test_axes_out_of_range_are_refused_as_numpy_and_torch_refuse_them():
    x = Tensor(np.zeros((2, 3, 4)))
    for axes in [(0, 1, 3), (0, 1, -4), (0, 0, 1), (0,)]:
        with pytest.raises(ValueError, match="not a permutation"):
            x.transpose(*axes)
    for axes in [(0, 3), (-4, 1)]:  # two axes are swapped: each must be one of the three
        with pytest.raises(ValueError, match=f"transpose: axis {axes[0] if axes[0] == -4 else 3} is out of range"):
            x.transpose(*axes)
    for start_dim in (3, -4):
        with pytest.raises(ValueError, match=f"start_dim {start_dim} is not an axis"):
            x.flatten(start_dim)
    assert x.flatten(-2).shape == (2, 12)


def test_comparisons_give_plain_boolean_arrays():
    x = Tensor([-1.0, 0.0, 2.0])
    for result, expected in [
        (x > 0, [False, False, True]),
        (x >= 0, [False, True, True]),
        (x < Tensor([0.0, 0.0, 3.0]), [True, False, True]),
        (x <= np.array([-1.0, -1.0, -1.0]), [True, False, False]),
    ]:
        assert type(result) is np.ndarray and result.dtype == bool
        assert result.tolist() == expected


def test_equality_with_numbers_and_arrays_is_elementwise_so_a_mask_picks_what_torch_picks():
    """``x[x != 0]`` had compared identity (True) and indexed with it: shape (1, 3) where torch gives (2,)."""
    torch = pytest.importorskip("torch")
    x = Tensor([0.0, 1.5, -2.0], requires_grad=True)
    x_torch = torch.tensor([0.0, 1.5, -2.0], dtype=torch.float64, requires_grad=True)
    assert (x == 1.5).tolist() == [False, True, False] and (x != np.array([0.0, 0.0, 0.0])).tolist() == [0, 1, 1]
    picked, picked_torch = x[x != 0], x_torch[x_torch != 0]
    np.testing.assert_array_equal(picked.data, picked_torch.detach().numpy())
    (picked * picked).sum().backward()
    (picked_torch * picked_torch).sum().backward()
    np.testing.assert_array_equal(x.grad, x_torch.grad.numpy())  # [0, 3, -4]
    same, alias = Tensor([0.0, 1.5, -2.0]), x
    assert (x == alias) is True and (x == same) is False and (x != same) is True  # two nodes: identity
    assert {x: "x", same: "same"}[x] == "x"  # still hashed by identity: the keys of a backward pass


def test_a_user_made_tensor_is_a_leaf_that_does_not_require_grad_unless_asked():
    x, w = Tensor([1.0, 2.0]), Tensor([3.0, 4.0], requires_grad=True, label="w")
    assert x.is_leaf and not x.requires_grad and w.requires_grad and w.label == "w"
    y = x * w
    assert y.requires_grad and not y.is_leaf and y.parents == (x, w) and y.op.name == "*"
    assert not (x * x).requires_grad


def test_repr_shows_the_numbers_dtype_and_op():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert "dtype=float32" in repr(Tensor([1.0], dtype=np.float32))
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))
    assert "op='+'" in repr(Tensor([1.0], requires_grad=True) + 1.0)


# Constructors.
def test_zeros_ones_full_and_arange():
    assert Tensor.zeros(2, 3).data.tolist() == [[0.0] * 3] * 2
    assert Tensor.zeros((2, 3)).shape == (2, 3)
    ones = Tensor.ones(4, dtype=np.float32, requires_grad=True)
    assert ones.data.tolist() == [1.0] * 4 and ones.dtype == np.float32 and ones.requires_grad
    assert Tensor.full((2, 2), 7.0).data.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert Tensor.arange(4).data.tolist() == [0.0, 1.0, 2.0, 3.0] and Tensor.arange(4).dtype == np.float64
    assert Tensor.arange(1, 2, 0.25).data.tolist() == [1.0, 1.25, 1.5, 1.75]
    np.testing.assert_array_equal(Tensor.arange(10, step=2).data, np.arange(10, step=2))  # (step had been ignored)


def test_random_constructors_repeat_with_a_seed_or_a_generator():
    a, b = Tensor.randn(3, 4, seed=7), Tensor.randn((3, 4), seed=7)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.data, np.random.default_rng(7).standard_normal((3, 4)))
    generator = np.random.default_rng(1)
    first, second = Tensor.randn(5, seed=generator), Tensor.randn(5, seed=generator)
    assert not np.array_equal(first.data, second.data)  # one generator moves on between calls
    uniform = Tensor.uniform(1000, low=-2.0, high=3.0, seed=0, dtype=np.float32)
    assert uniform.dtype == np.float32 and uniform.data.min() >= -2.0 and uniform.data.max() < 3.0
    assert Tensor.randn(2, seed=0, requires_grad=True).requires_grad


# Worked example C (notebook 02): f = ||W x||^2.
def test_worked_example_c():
    W = Tensor([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True, label="W")
    x = Tensor([0.2, 0.4], requires_grad=True, label="x")
    q = W @ x
    f = (q * q).sum()
    f.backward()
    np.testing.assert_allclose(q.data, [0.22, 0.26], rtol=0, atol=1e-15)
    assert f.item() == pytest.approx(0.116, rel=0, abs=1e-15)
    np.testing.assert_allclose(q.grad, [0.44, 0.52], rtol=0, atol=1e-15)
    np.testing.assert_allclose(W.grad, [[0.088, 0.176], [0.104, 0.208]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(x.grad, [-0.112, 0.636], rtol=0, atol=1e-15)


def test_worked_example_c_second_derivative_is_2_w_transpose_w():
    W = Tensor([[0.1, 0.5], [-0.3, 0.8]])
    x = Tensor([0.2, 0.4], requires_grad=True)
    (gradient,) = [autograd.grad(((W @ x) ** 2).sum(), x, create_graph=True)]
    np.testing.assert_allclose(gradient.data, [-0.112, 0.636], rtol=0, atol=1e-15)
    hessian = np.stack([autograd.grad(gradient[i], x) for i in range(2)])
    np.testing.assert_allclose(hessian, 2 * W.data.T @ W.data, rtol=0, atol=1e-15)


# Graph semantics shared with Value.
def test_backward_twice_doubles_every_gradient_and_zero_grad_resets():
    w = Tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    b = Tensor([0.1, -0.1], requires_grad=True)
    x = Tensor([[1.0, 2.0], [-1.0, 0.5], [2.0, 2.0]])
    loss = (x @ w + b).tanh().sum()
    loss.backward()
    once = w.grad.copy(), b.grad.copy()
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * once[0])
    np.testing.assert_array_equal(b.grad, 2 * once[1])
    autograd.zero_grad(loss)
    assert w.grad is None and b.grad is None


def test_a_gradient_of_another_shape_than_the_one_kept_is_refused_not_broadcast():
    torch = pytest.importorskip("torch")
    x = Tensor([[1.0, 2.0, 3.0]], requires_grad=True, label="x")
    (x * x).sum().backward()
    x.data = np.ones((2, 3))
    with pytest.raises(
        ValueError, match=r"the \.grad of 'x' has shape \(1, 3\) .* gives it shape \(2, 3\) .* zero_grad"
    ):
        (x * x).sum().backward()  # adding would spread the old row's [2, 4, 6] over both rows
    x.zero_grad()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * np.ones((2, 3)))
    x.grad = 0  # micrograd's way to zero a gradient: a number adds to any shape
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * np.ones((2, 3)))
    t = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (t * t).sum().backward()
    t.data = torch.ones(2, 3)
    with pytest.raises(RuntimeError, match="shape"):
        (t * t).sum().backward()


def test_a_tensor_used_twice_collects_both_gradients():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data + 1)


def test_a_broadcast_input_gets_its_gradient_summed_back_to_its_shape():
    x = Tensor(np.ones((4, 3)))
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = Tensor(2.0, requires_grad=True)
    out = x * b + c
    assert out.shape == (4, 3)
    out.sum().backward()
    np.testing.assert_array_equal(b.grad, [4.0, 4.0, 4.0])
    assert c.grad.shape == () and c.grad == 12.0


@pytest.mark.parametrize(
    "backward",
    [lambda out: out.sum().backward(), lambda out: out.backward(np.ones(2))],
    ids=["through a sum (a read-only view)", "one fresh array handed to three nodes"],
)
def test_each_leaf_gets_its_own_gradient_array(backward):
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    out = a + b
    backward(out)
    a.grad[0] = 100.0  # an optimizer may change a gradient in place
    assert b.grad.tolist() == [1.0, 1.0] and out.grad.tolist() == [1.0, 1.0]


def test_a_leaf_gradient_never_shares_memory_with_the_gradient_passed_to_backward():
    upstream = np.array([1.0, 1.0])
    for make in [lambda x: x, lambda x: x + 0.0, lambda x: x.reshape(2), lambda x: x[:]]:
        x = Tensor([1.0, 2.0], requires_grad=True)
        make(x).backward(upstream)
        assert not np.shares_memory(x.grad, upstream)


def test_no_grad_records_nothing_and_enable_grad_turns_it_back_on():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with autograd.no_grad():
        y = (w * 2.0).exp().sum()
        with autograd.enable_grad():
            z = (w * 2.0).sum()
    assert not y.requires_grad and y.parents == () and y.op is None
    assert z.requires_grad
    with autograd.no_grad():
        w.data -= 0.5  # the usual parameter update
    assert w.data.tolist() == [0.5, 1.5]


def test_detach_gives_a_leaf_with_the_same_numbers():
    w = Tensor([1.0, 2.0], requires_grad=True)
    d = (w * 3.0).detach()
    assert d.is_leaf and not d.requires_grad and d.data.tolist() == [3.0, 6.0]


def test_grad_returns_tensor_gradients_without_touching_grad():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    ga, gb = autograd.grad((a * b).sum(), [a, b])
    assert ga.tolist() == [3.0, 4.0] and gb.tolist() == [1.0, 2.0]
    assert a.grad is None and b.grad is None


def test_a_custom_function_on_tensors_backpropagates_and_checks():
    class Cube(Function):
        def forward(self, x):
            return x**3

        def backward(self, grad, out, x):
            return grad * 3 * x**2

    x = Tensor([[-1.0, 0.5], [2.0, 1.5]], requires_grad=True)
    y = Cube.apply(x)
    assert isinstance(y, Tensor) and y.op.name == "cube"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, 3 * x.data**2)
    assert gradcheck(lambda x: Cube.apply(x).sum(), x)


# gradcheck on tensors.
def test_gradcheck_accepts_tensors_and_catches_a_wrong_gradient():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda w, x: (x @ w).sigmoid().log_softmax(axis=0), w, x)

    class WrongSquare(Function):
        def forward(self, x):
            return x * x

        def backward(self, grad, out, x):
            return grad * x  # should be 2x

    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(lambda x: WrongSquare.apply(x), Tensor(rng.standard_normal((2, 2)), requires_grad=True))
    with pytest.raises(TypeError, match="float32"):
        gradcheck(lambda x: x * 2.0, Tensor([1.0], dtype=np.float32, requires_grad=True))


# float32 stays float32, forward and backward.
FLOAT32_OPS = {
    "number arithmetic": lambda x, w: ((x * 2 + 1 - 0.5) / 3.0) ** 2 + 2.0 / (x.abs() + 1) + 1.5**x,
    "elementwise functions": lambda x, w: x.exp() + x.abs().log() + x.tanh() + x.sigmoid() + x.relu() + x.leaky_relu(),
    "more elementwise": lambda x, w: x.clip(-0.5, 0.5) + x.step() - x + autograd.maximum(x, 0.3),
    "minimum and where": lambda x, w: autograd.minimum(x, w[0]) + autograd.where(x.data > 0, x, 0.0),
    "matmul and reductions": lambda x, w: (x @ w).sum(axis=0) + (x @ w).mean() + (x @ w).max(axis=1).var(),
    "min and var": lambda x, w: x.min(axis=0, keepdims=True) + x.var(axis=0, ddof=1),
    "shapes": lambda x, w: x.T.reshape(-1).unsqueeze(0).squeeze(0).flatten()[np.array([0, 5, 5])],
    "joining": lambda x, w: autograd.concatenate([x, x], axis=1) + autograd.stack([x, x], axis=1).reshape(4, 6),
    "softmax family": lambda x, w: x.softmax() + x.log_softmax(axis=0) + x.logsumexp(keepdims=True),
    "integer array": lambda x, w: x + np.arange(3),
}


@pytest.mark.parametrize("op", FLOAT32_OPS.values(), ids=FLOAT32_OPS.keys())
def test_float32_stays_float32_through_ops_and_backward(op):
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((4, 3)), dtype=np.float32, requires_grad=True)
    w = Tensor(rng.standard_normal((3, 3)), dtype=np.float32, requires_grad=True)
    out = op(x, w)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    assert w.grad is None or w.grad.dtype == np.float32


# Errors.
SHAPE_MISMATCHES = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "max": autograd.maximum,
    "min": autograd.minimum,
    "where": lambda a, b: autograd.where(np.ones((2, 3), dtype=bool), a, b),
}


@pytest.mark.parametrize("op", SHAPE_MISMATCHES.values(), ids=SHAPE_MISMATCHES.keys())
def test_a_shape_mismatch_names_both_shapes_and_the_op(op):
    name = next(key for key, value in SHAPE_MISMATCHES.items() if value is op)
    with pytest.raises(ValueError) as error:
        op(Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.ones((4,)), requires_grad=True))
    message = str(error.value)
    assert "(2, 3)" in message and "(4,)" in message and name in message


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2))), ["@", "(2, 3)", "(4, 2)"]),
        (lambda: Tensor(np.ones(3)) @ Tensor(np.ones(4)), ["@", "(3,)", "(4,)"]),
        (lambda: Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 1))), ["@", "(2, 2, 3)", "(3, 3, 1)"]),
        (lambda: Tensor(2.0) @ Tensor(np.ones(2)), ["@", "()", "(2,)"]),
        (lambda: Tensor(np.ones((2, 3))).reshape(4, 2), ["reshape", "(2, 3)", "(4, 2)"]),
        (lambda: Tensor(np.ones((2, 3))).transpose(0, 2), ["transpose", "axis 2", "(2, 3)"]),
        (lambda: Tensor(np.ones((2, 3))).permute(0, 0), ["permute", "(0, 0)", "(2, 3)"]),
        (lambda: Tensor(np.ones((2, 3))).squeeze(0), ["squeeze", "(2, 3)"]),
        (lambda: Tensor(np.ones((2, 3))).unsqueeze(4), ["unsqueeze", "(2, 3)"]),
        (lambda: autograd.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))]), ["concatenate", "(2, 4)"]),
        (lambda: autograd.stack([Tensor(np.ones(2)), Tensor(np.ones(3))]), ["stack", "(2,)", "(3,)"]),
        (lambda: autograd.concatenate([]), ["concatenate"]),
        (lambda: Tensor([1.0, 2.0]).item(), ["item", "(2,)"]),
        (lambda: Tensor(np.ones(0)).max(), ["max", "(0,)"]),
    ],
    ids=[
        "matmul",
        "dot",
        "batched matmul",
        "matmul 0-d",
        "reshape",
        "transpose",
        "permute",
        "squeeze",
        "unsqueeze",
        "concatenate",
        "stack",
        "nothing to join",
        "item",
        "max of nothing",
    ],
)
def test_bad_shapes_raise_value_error_naming_them(make, words):
    with pytest.raises(ValueError) as error:
        make()
    for word in words:
        assert word in str(error.value)


def test_an_index_out_of_range_names_the_shape():
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        Tensor(np.ones((2, 3)))[5]


def test_backward_on_a_non_scalar_needs_a_gradient_and_says_so():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match=r"shape \(2,\) needs a gradient"):
        y.backward()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))
    assert y.parents[0].grad.tolist() == [2.0, 20.0]
    one_element = Tensor([[3.0]], requires_grad=True) * 2.0
    one_element.backward()
    assert one_element.parents[0].grad.tolist() == [[2.0]]


def test_backward_on_a_tensor_that_does_not_require_grad_says_so():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2.0).sum().backward()


@pytest.mark.parametrize(
    "mix",
    [
        lambda t, v: t + v,
        lambda t, v: v + t,
        lambda t, v: t * v,
        lambda t, v: v * t,
        lambda t, v: t @ v,
        lambda t, v: autograd.maximum(t, v),
        lambda t, v: autograd.where(np.array([True]), t, v),
        lambda t, v: autograd.concatenate([t, v]),
        lambda t, v: Tensor(v),
        lambda t, v: Tensor([v, v]),
    ],
    ids=["t + v", "v + t", "t * v", "v * t", "t @ v", "maximum", "where", "concatenate", "Tensor(v)", "Tensor([v, v])"],
)
def test_mixing_a_tensor_and_a_value_raises_type_error(mix):
    with pytest.raises(TypeError, match="Value"):
        mix(Tensor([1.0], requires_grad=True), Value(2.0))


@pytest.mark.parametrize("bad", ["text", None, {"a": 1}], ids=["str", "None", "dict"])
def test_a_non_number_operand_raises_type_error(bad):
    with pytest.raises(TypeError):
        Tensor([1.0]) + bad
    with pytest.raises(TypeError):
        Tensor(bad)


# Every op against finite differences. Inputs are seeded random numbers, away from the kinks of relu, abs,
# clip, max and min (a central difference straddling a kink would be wrong, not the gradient).
FINITE_DIFFERENCES = {
    "arithmetic": (lambda a, b: (a + b) * a - b / (a * a + 1.0) + a**2.5 + 2.0**b - (-a), [(3, 4), (4,)], True),
    "pow of tensors": (lambda a, b: a**b, [(2, 3), (2, 1)], True),
    "exp log tanh sigmoid": (lambda a: a.exp() + a.log() * a.tanh() + a.sigmoid(), [(3, 4)], True),
    "relu leaky_relu abs step clip": (
        lambda a: a.relu() * 2 + a.leaky_relu(0.1) + a.abs() + a.step() + a.clip(-0.5, 0.5),
        [(4, 5)],
        False,
    ),
    "maximum minimum where": (
        lambda a, b: autograd.maximum(a, b) * autograd.minimum(a, b) + autograd.where(a.data > b.data, a * 2, b),
        [(3, 4), (3, 4)],
        False,
    ),
    "matmul": (lambda a, b: a @ b, [(2, 3, 4), (4, 2)], False),
    "matrix times vector": (lambda a, b: a @ b, [(3, 4), (4,)], False),
    "sum mean max min var": (
        lambda a: a.sum(axis=0) * a.mean(axis=1, keepdims=True) + a.max(axis=1, keepdims=True) - a.min() + a.var(),
        [(3, 4)],
        False,
    ),
    "shapes": (
        lambda a: a.reshape(4, 3).T.transpose(1, 0).permute(1, 0).flatten().unsqueeze(0).squeeze() ** 2,
        [(3, 4)],
        False,
    ),
    "indexing": (lambda a: a[np.array([0, 2, 2]), np.array([1, 0, 3])] * a[1:, ::2].sum() + a[-1, 2], [(3, 4)], False),
    "concatenate and stack": (
        lambda a, b: autograd.concatenate([a, b], axis=1) ** 2 + autograd.stack([a, a], axis=1).sum(axis=1).mean(),
        [(2, 3), (2, 2)],
        False,
    ),
    "softmax family": (
        lambda a: a.softmax(axis=0) * a.log_softmax() + a.logsumexp(axis=0, keepdims=True),
        [(3, 4)],
        False,
    ),
    "cross-entropy": (lambda a: -a.log_softmax()[np.arange(3), np.array([1, 0, 3])].mean(), [(3, 4)], False),
}


@pytest.mark.parametrize(("f", "shapes", "positive"), FINITE_DIFFERENCES.values(), ids=FINITE_DIFFERENCES.keys())
def test_every_op_passes_gradcheck(f, shapes, positive):
    rng = np.random.default_rng(11)
    draw = (lambda shape: rng.uniform(0.5, 2.0, shape)) if positive else rng.standard_normal
    inputs = [Tensor(draw(shape), requires_grad=True) for shape in shapes]
    assert gradcheck(f, *inputs)


class _SumForgettingToSpread(Function):
    """A sum whose backward forgets to spread the gradient back to the input's shape."""

    def forward(self, x):
        return x.sum()

    def backward(self, grad, out, x):
        return grad * 2.0


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_backward_that_gives_a_gradient_of_the_wrong_shape_is_refused(create_graph):
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = _SumForgettingToSpread.apply(x)
    with pytest.raises(ValueError, match=r"<op _sumforgettingtospread> gave input 0 a gradient of shape \(\), but "):
        y.backward(create_graph=create_graph)
    assert x.grad is None


def test_a_wrong_shape_is_refused_for_any_input_of_a_many_input_op():
    class Blend(Function):
        def forward(self, a, b, c):
            return a + b + c

        def backward(self, grad, out, a, b, c):
            return grad, grad, grad.sum(axis=0)  # c has shape (2, 3): its gradient lost an axis

    a, b, c = (Tensor(np.ones((2, 3)), requires_grad=True) for _ in range(3))
    with pytest.raises(
        ValueError, match=r"<op blend> gave input 2 a gradient of shape \(3,\), but that input has shape"
    ):
        Blend.apply(a, b, c).sum().backward()


def test_a_tensor_given_a_non_array_gradient_is_refused():
    class Listed(Function):
        def forward(self, x):
            return x * 2.0

        def backward(self, grad, out, x):
            return (grad * 2.0).tolist()

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="<op listed> gave input 0, a Tensor, a gradient that is a list"):
        Listed.apply(x).sum().backward()


def test_a_float32_input_keeps_a_float32_gradient_when_mixed_with_float64():
    x = Tensor([1.5, -2.0], dtype=np.float32, requires_grad=True)
    scale = Tensor([0.1, 3.0])  # float64: the product is float64, as in numpy
    (x * scale).sum().backward()
    assert x.grad.dtype == np.float32
    assert x.grad.tolist() == np.array([0.1, 3.0], np.float32).tolist()  # d(sum x*c)/dx = c, rounded to float32
    grad_x = autograd.grad(((x * scale) ** 2).sum(), x)  # 2 x c^2, computed in float64 then rounded
    assert grad_x.dtype == np.float32
    expected = (2 * np.array([1.5, -2.0]) * np.array([0.1, 3.0]) ** 2).astype(np.float32)
    assert grad_x.tolist() == expected.tolist()


def test_a_float32_input_keeps_float32_gradients_of_every_order_under_create_graph():
    x = Tensor([1.5, -2.0], dtype=np.float32, requires_grad=True)
    scale = Tensor([0.5, 3.0])  # float64
    first = autograd.grad(((x * scale) ** 2).sum(), x, create_graph=True)  # 2 x c^2
    assert isinstance(first, Tensor) and first.dtype == np.float32
    assert first.data.tolist() == [0.75, -36.0]
    second = autograd.grad(first.sum(), x)  # d(sum 2 x c^2)/dx = 2 c^2
    assert second.dtype == np.float32 and second.tolist() == [0.5, 18.0]


@pytest.mark.parametrize(
    ("shape", "axis", "expected"),
    [((0,), None, np.nan), ((0, 3), 0, [np.nan] * 3), ((0, 3), 1, []), ((2, 0), None, np.nan)],
)
def test_the_mean_of_nothing_is_nan_as_in_torch(shape, axis, expected):
    x = Tensor(np.zeros(shape), requires_grad=True)
    mean = x.mean(axis=axis)
    np.testing.assert_array_equal(mean.data, np.array(expected))
    mean.sum().backward()
    assert x.grad.shape == shape  # no elements, so no gradient numbers, but the right shape


def test_pow_at_a_zero_base_gives_pytorch_gradients_without_warnings():
    # d(a**b)/da = b a**(b-1) (0 when b = 0); d(a**b)/db = a**b log(a) (0 at a = 0 with b >= 0)
    base = Tensor([0.0, 0.0, 0.0, 2.0], requires_grad=True)
    exponent = Tensor([0.0, 0.5, -1.0, 3.0], requires_grad=True)
    (base**exponent).sum().backward()
    assert base.grad.tolist() == [0.0, math.inf, -math.inf, 12.0]
    assert exponent.grad.tolist() == [0.0, 0.0, -math.inf, 8.0 * math.log(2.0)]
    constant_exponent = Tensor([0.0, 3.0], requires_grad=True)
    (constant_exponent**0.0).sum().backward()
    assert constant_exponent.grad.tolist() == [0.0, 0.0]


def test_the_data_docstrings_warn_that_editing_data_before_backward_is_silently_wrong():
    for kind in (Value, Tensor):
        documented = " ".join((inspect.getdoc(kind.data) + " " + inspect.getdoc(kind)).split())
        assert "silently wrong gradient" in documented and "no_grad()" in documented
        assert "fresh forward pass" in documented
    # The example the docstring gives, and its safe way.
    x = Tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    x.data[0] = 100.0
    y.backward()
    assert x.grad.tolist() == [200.0]  # d(x*x)/dx at the x of the forward is 6: the edit went unnoticed
    x.zero_grad()
    with autograd.no_grad():
        x.data[0] = 3.0
    (x * x).sum().backward()  # a fresh forward
    assert x.grad.tolist() == [6.0]


def test_numpy_reads_a_tensor_as_its_data_and_refuses_one_that_requires_grad():
    t = Tensor([1.0, 2.0])
    assert np.array_equal(t, [1.0, 2.0])  # (an object array of 0-d tensors before: never equal)
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float32), np.float32([1.0, 2.0]))
    assert np.array(t, copy=True) is not t.data
    with pytest.raises(TypeError, match="requires grad.*t.data, or t.detach()"):
        np.asarray(Tensor([1.0], requires_grad=True))
    assert isinstance(np.ones(2) + t, Tensor)  # arithmetic with arrays still records


def test_a_single_number_formats_as_a_float_in_f_strings():
    import torch

    assert f"{Tensor(2.5):.2f} {Value(2.0):.3f}" == f"{torch.tensor(2.5):.2f} {2.0:.3f}" == "2.50 2.000"
    with pytest.raises(TypeError, match=r"needs a single number, but the Tensor has shape \(2,\)"):
        f"{Tensor([1.0, 2.0]):.2f}"
    assert f"{Value(1.5)}" == repr(Value(1.5))
    assert Value(np.bool_(True)).data == 1.0  # numpy's bool, as Python's


def test_each_nodes_grad_is_its_own_array_even_where_the_add_gate_passed_one_on():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    a2, b2 = a * 1.0, b * 1.0
    total = a2 + b2  # the add gate hands its upstream to both inputs unchanged
    total.backward(np.array([1.0, 10.0]))
    arrays = [a2.grad, b2.grad, total.grad, a.grad, b.grad]
    assert len({id(array) for array in arrays}) == 5
    a2.grad *= 5  # changes a2's gradient only
    np.testing.assert_array_equal(b2.grad, [1.0, 10.0])
    np.testing.assert_array_equal(total.grad, [1.0, 10.0])


def test_a_grad_that_came_as_a_view_is_an_array_of_its_own():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    k = h.reshape(2, 1)  # reshape's backward hands h a view of k's gradient
    (k * Tensor([[3.0], [4.0]])).sum().backward()
    h.grad *= 5
    np.testing.assert_array_equal(k.grad, [[3.0], [4.0]])
    summed = x * 1.0
    summed.sum().backward()  # sum's backward hands a read-only broadcast
    summed.grad *= 5
    np.testing.assert_array_equal(summed.grad, [5.0, 5.0])
    assert np.array(Tensor([1.0]), copy=False) is not None
    with pytest.raises(ValueError):
        np.array(Tensor([1.0]), dtype=np.float32, copy=False)  # numpy 2: copy=False never copies


class Positive(Function):
    """A user's op whose forward forgets to give floats."""

    def forward(self, x):
        return (x > 0).astype(np.int64)

    def backward(self, grad, out, x):
        return grad * 0.0


def test_a_forward_that_gives_integers_is_an_error_naming_the_op():
    x = Tensor([-1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"the forward of <op positive> gave int64 numbers: a Tensor holds floats"):
        Positive.apply(x)  # (it had made every later gradient an integer: x.grad = [0, 0, 0] for 0.3 * sum)


def test_an_index_mask_or_label_array_changed_after_the_forward_pass_does_not_change_the_gradient():
    """The ops keep copies: torch would refuse the change; silently following it gave wrong gradients."""
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    positions, as_list, mask = np.array([0, 0]), [0, 1, 1], np.array([True, False, True])
    picked, listed, masked = x[positions].sum(), x[as_list].sum(), autograd.where(mask, x, 0.0).sum()
    positions[:], as_list[0], mask[:] = 2, 2, False
    for loss, expected in ((picked, [2.0, 0.0, 0.0]), (listed, [1.0, 2.0, 0.0]), (masked, [1.0, 0.0, 1.0])):
        x.grad = None
        loss.backward()
        np.testing.assert_array_equal(x.grad, expected)  # (picked had given [0, 0, 2])
    logits = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    labels, soft = np.array([0]), np.array([[1.0, 0.0, 0.0]])
    by_label, by_probability = (
        autograd.softmax_cross_entropy(logits, labels),
        autograd.softmax_cross_entropy(logits, soft),
    )
    labels[0], soft[0] = 2, [0.0, 0.0, 1.0]
    for loss in (by_label, by_probability):
        logits.grad = None
        loss.backward()
        np.testing.assert_allclose(logits.grad[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum() - [1, 0, 0], rtol=1e-12)
    assert x[[]].shape == (0,)  # an empty list is still an index


def test_an_index_list_holding_a_tensor_gets_numpys_clear_refusal_not_a_copy_error():
    x, w = Tensor([1.0, 2.0, 3.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    with pytest.raises((TypeError, ValueError, IndexError)) as refused:
        x[[w * 1.0]]
    assert "copy" not in str(refused.value)  # (copying the index had raised the deep-copy refusal)


def test_matmul_hands_a_matrix_its_own_gradient_array_not_a_view_to_copy():
    """A reshape of the same shape is a view, which backward() copies before keeping it: 800 KB a step for W1."""
    from autograd.matmul import MatMul

    op = MatMul()
    op.needs_input_grad = (True, True)
    a, b = np.ones((4, 3)), np.ones((3, 2))
    grad_a, grad_b = op.backward(np.ones((4, 2)), a @ b, a, b)
    assert grad_a.base is None and grad_b.base is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tensor([[1.0, 2.0], [3.0, 4.0]]).permute(0.9, 1.2),  # (it had returned the matrix unchanged)
        lambda: Tensor([[1.0, 2.0], [3.0, 4.0]]).transpose(1.5, 0),  # (it had transposed)
        lambda: Tensor.zeros(2.7),  # (shape (2,))
        lambda: Tensor.full((2, 2.5), 1.0),
        lambda: Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2.9, 2),
        lambda: Tensor.zeros(True),  # (shape (1,))
        lambda: Tensor([[1.0, 2.0]]).flatten(1.5),
        lambda: Tensor([1.0]).unsqueeze(0.5),
    ],
)
def test_a_size_or_axis_that_is_not_an_int_is_refused_not_truncated(make):
    with pytest.raises(TypeError, match="sizes and axes must be ints, as in numpy"):
        make()


def test_the_constructors_refuse_an_integer_dtype_that_would_truncate_their_numbers():
    """randn(dtype=int64) had given [0, 0, 0, 0, 0], then float64 all the same."""
    for make in (
        lambda dtype: Tensor.randn(5, seed=0, dtype=dtype),
        lambda dtype: Tensor.uniform(3, seed=0, dtype=dtype),
        lambda dtype: Tensor.arange(0, 1, 0.25, dtype=dtype),
        lambda dtype: Tensor.full((2,), 2.7, dtype=dtype),
        lambda dtype: Tensor.zeros(2, dtype=dtype),
    ):
        with pytest.raises(TypeError, match="dtype must be a float type, not int64"):
            make(np.int64)
        assert make(np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="arange: step must not be 0"):
        Tensor.arange(0, 1, 0)


@pytest.mark.parametrize("seed", [True, 1.5, -3, "0"])
def test_every_seed_is_checked_by_name(seed):
    """numpy had taken True as the seed 1 without a word, and given unclear errors for 1.5 or -3."""
    import nn

    for make in (
        lambda: Tensor.randn(2, seed=seed),
        lambda: nn.data.make_moons(10, seed=seed),
        lambda: nn.Linear(2, 2, seed=seed),
        lambda: nn.data.train_test_split(np.arange(10), seed=seed),
    ):
        with pytest.raises(ValueError, match="seed must be an int >= 0, a numpy Generator or None"):
            make()


def test_numpy_integers_and_0_d_integer_arrays_are_sizes_as_in_numpy():
    assert Tensor.zeros(np.array(3)).shape == (3,) and Tensor.zeros(np.int32(2), 3).shape == (2, 3)
    assert Tensor([[1.0, 2.0]]).transpose(np.int64(1), 0).shape == (2, 1)


def test_numpy_scalars_and_numpys_own_seeds_pass_the_checks():
    """The checks refuse slips (True, 1.5, text), not numpy's numbers or numpy's other kinds of seed."""
    import nn
    import viz
    from autograd import check_graph, grad, gradcheck

    x = Tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=np.int64(2) > 1)  # a numpy bool
    assert isinstance(x.grad, Tensor)
    grad((x * x).sum(), x, allow_unused=np.False_)
    assert check_graph((x * x).sum(), max_elements=np.int64(8), eps=np.float32(1e-6)).ok
    assert gradcheck(lambda t: (t * t).sum(), Tensor([1.0, 2.0], requires_grad=True), rtol=np.array(1e-3))
    seeds = np.random.SeedSequence(42)
    nn.MLP([2, 2], seed=seeds.spawn(1)[0])
    nn.data.make_moons(10, seed=[1, 2], noise=np.float32(0.1))
    Tensor.randn(2, seed=np.random.PCG64(3))
    nn.Dropout(np.float32(0.5))
    nn.data.mixup(np.ones((2, 2)), np.array([0, 1]), alpha=np.float32(0.2), seed=0)
    viz.plot_optimizer_paths(lambda a, b: a * a + b * b, steps=np.int64(5), resolution=np.int64(10))
    viz.plot_decision_boundary(lambda p: p[:, 0], np.zeros((3, 2)), resolution=np.int64(5), threshold=np.float32(0))


def test_ragged_rows_and_integer_data_are_named():
    with pytest.raises(ValueError, match=r"a Tensor needs a rectangular array of numbers \(rows of one length\)"):
        Tensor([[1.0, 2.0], [3.0]])
    w = Tensor([1.0, 2.0], requires_grad=True)
    w.data = np.array([1, 2])  # a slot: not checked when set
    with pytest.raises(TypeError, match=r"was a tensor's .data set to an integer array\?"):
        w * 0.5  # the constant 0.5 takes w's dtype: 0


def test_a_0d_gradient_kept_from_a_backward_is_not_spread_over_a_reshaped_tensor():
    t = Tensor(2.0, requires_grad=True)
    (t * 3).backward()
    t.data = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"has shape \(\) from an earlier backward\(\), but this backward\(\) gives"):
        (t * 3).sum().backward()


def test_a_backward_that_cannot_add_into_one_grad_adds_into_none():
    """``a.grad`` had taken the pass's gradient before ``b``'s refusal: [6, 8] after one good and one failed pass."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True, label="b")
    (a * b).sum().backward()
    b.data = np.array([3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"the \.grad of 'b' has shape \(2,\) from an earlier backward"):
        (a * b[:2]).sum().backward()
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    (x * y).backward()
    y.grad = "not a number"
    with pytest.raises(TypeError, match=r"the \.grad of 'y' is a str \('not a number'\).*nothing was added"):
        (x * y).backward()
    assert x.grad == 3.0
