"""conv2d, max_pool2d and avg_pool2d against PyTorch (float64), finite differences and hand-computed cases.

Values and first derivatives must match torch to 1e-12 of the largest number
compared (only the order of the additions differs); second derivatives too,
since the backward of each op is recorded under ``create_graph=True``.
"""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, avg_pool2d, conv2d, gradcheck, max_pool2d

torch = pytest.importorskip("torch")
functional = pytest.importorskip("torch.nn.functional")

pytestmark = pytest.mark.filterwarnings("error")

RELATIVE = 1e-12

# (N, C, H, W), (F, kh, kw), stride, padding, with a bias?
CONVOLUTIONS = {
    "3x3, no padding": ((2, 3, 7, 6), (4, 3, 3), 1, 0, True),
    "3x3 same padding": ((3, 2, 6, 6), (5, 3, 3), 1, 1, True),
    "stride 2 and padding 1": ((2, 2, 9, 8), (3, 3, 3), 2, 1, True),
    "stride 3, kernel 2x3, padding 2": ((2, 2, 6, 7), (3, 2, 3), 3, 2, False),
    "1x1 kernel": ((2, 4, 3, 5), (2, 1, 1), 1, 0, True),
    "kernel as large as the image": ((2, 1, 5, 5), (2, 5, 5), 1, 0, False),
    "pairs: stride (1, 2), padding (2, 0)": ((1, 2, 5, 8), (3, 3, 2), (1, 2), (2, 0), True),
    "one image, one channel, one filter": ((1, 1, 4, 4), (1, 2, 2), 1, 0, True),
}

# (N, C, H, W), kernel_size, stride
POOLS = {
    "2x2 side by side": ((2, 3, 6, 6), 2, None),
    "3x3 overlapping, stride 2": ((2, 2, 7, 5), 3, 2),
    "2x3 overlapping, stride 1": ((1, 2, 5, 6), (2, 3), 1),
    "stride larger than the kernel": ((2, 1, 7, 7), 2, 3),
    "the whole image": ((3, 2, 4, 4), 4, None),
}


def assert_close(ours, theirs, what):
    """Equal to ``RELATIVE`` of the largest number in ``theirs``, same shape."""
    ours = np.asarray(ours)
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    worst = float(np.max(np.abs(ours - theirs), initial=0.0))
    assert worst <= RELATIVE * scale, f"{what}: largest difference {worst:.3g} on numbers up to {scale:.3g}"


def random_arrays(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


def conv_arrays(case, seed=0):
    x_shape, (filters, kh, kw), stride, padding, with_bias = case
    x, weight, bias = random_arrays(seed, x_shape, (filters, x_shape[1], kh, kw), (filters,))
    return [x, weight, bias] if with_bias else [x, weight], {"stride": stride, "padding": padding}


def ours_and_torch(arrays):
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


@pytest.mark.parametrize("case", CONVOLUTIONS.values(), ids=CONVOLUTIONS.keys())
def test_conv2d_value_and_gradients_match_torch(case):
    arrays, params = conv_arrays(case)
    ours, theirs = ours_and_torch(arrays)
    out = conv2d(*ours, **params)
    torch_out = functional.conv2d(*theirs, **params)
    assert_close(out.data, torch_out, "conv2d output")
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    for name, ours_input, torch_input in zip(("x", "weight", "bias"), ours, theirs):
        assert_close(ours_input.grad, torch_input.grad, f"d/d{name}")


@pytest.mark.parametrize("case", CONVOLUTIONS.values(), ids=CONVOLUTIONS.keys())
def test_conv2d_second_derivatives_match_torch(case):
    arrays, params = conv_arrays(case, seed=2)
    ours, theirs = ours_and_torch(arrays)

    def second_order(inputs, conv, grad):
        out = (conv(*inputs, **params) ** 2).sum()
        first = grad(out, inputs[:2], create_graph=True)
        return grad((first[0] ** 2).sum() + (first[1] ** 3).sum(), inputs)

    ours_second = second_order(ours, conv2d, autograd.grad)
    torch_second = second_order(theirs, functional.conv2d, torch.autograd.grad)
    for name, ours_grad, torch_grad in zip(("x", "weight", "bias"), ours_second, torch_second):
        assert_close(ours_grad, torch_grad, f"second derivative d/d{name}")


@pytest.mark.parametrize("case", list(CONVOLUTIONS.values())[:4], ids=list(CONVOLUTIONS)[:4])
def test_conv2d_passes_gradcheck(case):
    arrays, params = conv_arrays(case, seed=3)
    inputs = [Tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *inputs: conv2d(*inputs, **params), *inputs)


def test_conv2d_by_hand():
    """A 3x3 image and a 2x2 filter: each output is the dot product of the filter with one window."""
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
    weight = Tensor([[[[1.0, 0.0], [0.0, -1.0]]]], requires_grad=True)
    bias = Tensor([0.5], requires_grad=True)
    out = conv2d(x, weight, bias)
    # window at (0, 0) is [[0, 1], [3, 4]]: 0 - 4 + 0.5; every window gives top-left minus bottom-right = -4
    np.testing.assert_array_equal(out.data, [[[[-3.5, -3.5], [-3.5, -3.5]]]])
    out.sum().backward()
    # d/dx: each pixel gets +1 from every window where it is top-left, -1 where it is bottom-right
    np.testing.assert_array_equal(x.grad, [[[[1.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -1.0]]]])
    # d/dweight at offset (i, j): the sum of the pixels at that offset over the four windows
    np.testing.assert_array_equal(weight.grad, [[[[8.0, 12.0], [20.0, 24.0]]]])
    np.testing.assert_array_equal(bias.grad, [4.0])


@pytest.mark.parametrize("case", POOLS.values(), ids=POOLS.keys())
@pytest.mark.parametrize(
    ("ours", "theirs"), [(max_pool2d, functional.max_pool2d), (avg_pool2d, functional.avg_pool2d)], ids=["max", "avg"]
)
def test_pool_value_and_gradient_match_torch(ours, theirs, case):
    shape, kernel_size, stride = case
    (x,) = random_arrays(4, shape)
    (ours_x,), (torch_x,) = ours_and_torch([x])
    out = ours(ours_x, kernel_size, stride)
    torch_out = theirs(torch_x, kernel_size, stride)
    assert_close(out.data, torch_out, "pool output")
    upstream = np.random.default_rng(5).standard_normal(out.shape)
    out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    assert_close(ours_x.grad, torch_x.grad, "d/dx")


@pytest.mark.parametrize("case", POOLS.values(), ids=POOLS.keys())
@pytest.mark.parametrize(
    ("ours", "theirs"), [(max_pool2d, functional.max_pool2d), (avg_pool2d, functional.avg_pool2d)], ids=["max", "avg"]
)
def test_pool_second_derivative_matches_torch(ours, theirs, case):
    shape, kernel_size, stride = case
    (x,) = random_arrays(6, shape)
    (ours_x,), (torch_x,) = ours_and_torch([x])

    def second_order(x, pool, grad):
        first = grad((pool(x, kernel_size, stride) ** 3).sum(), x, create_graph=True)
        first = first[0] if isinstance(first, tuple) else first
        return grad((first**2).sum(), x)

    torch_second = second_order(torch_x, theirs, torch.autograd.grad)[0]
    assert_close(second_order(ours_x, ours, autograd.grad), torch_second, "second derivative")


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_pools_pass_gradcheck(pool):
    x = Tensor(np.random.default_rng(7).standard_normal((2, 2, 5, 5)), requires_grad=True)
    assert gradcheck(lambda x: pool(x, 3, 2), x)
    assert gradcheck(lambda x: pool(x, 2), x)


def test_max_pool_routes_the_gradient_to_the_first_maximum_of_a_tie_as_torch_does():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 5.0, 5.0]]]])
    ours_x = Tensor(x, requires_grad=True)
    out = max_pool2d(ours_x, 2)
    np.testing.assert_array_equal(out.data, [[[[3.0, 5.0]]]])
    out.sum().backward()
    np.testing.assert_array_equal(ours_x.grad, [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]]])
    torch_x = torch.tensor(x, requires_grad=True)
    functional.max_pool2d(torch_x, 2).sum().backward()
    np.testing.assert_array_equal(ours_x.grad, torch_x.grad.numpy())


def test_overlapping_windows_add_their_gradients():
    """With stride 1, the centre of a 3x3 image is in all four 2x2 windows: it collects all four shares."""
    x = Tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    avg_pool2d(x, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_backward_twice_doubles_the_gradients():
    arrays, params = conv_arrays(CONVOLUTIONS["stride 2 and padding 1"])
    x, weight, bias = [Tensor(a, requires_grad=True) for a in arrays]
    loss = max_pool2d(conv2d(x, weight, bias, **params), 2, 1).sum()
    loss.backward()
    once = [t.grad.copy() for t in (x, weight, bias)]
    loss.backward()
    for t, first in zip((x, weight, bias), once):
        np.testing.assert_array_equal(t.grad, 2 * first)


def test_float32_stays_float32():
    rng = np.random.default_rng(8)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)), dtype=np.float32, requires_grad=True)
    weight = Tensor(rng.standard_normal((4, 3, 3, 3)), dtype=np.float32, requires_grad=True)
    bias = Tensor(rng.standard_normal(4), dtype=np.float32, requires_grad=True)
    convolved = conv2d(x, weight, bias, padding=1)
    pooled = [max_pool2d(convolved, 2), avg_pool2d(convolved, 3, 1)]
    assert {t.dtype for t in [convolved, *pooled]} == {np.dtype(np.float32)}
    (pooled[0].sum() + pooled[1].sum()).backward()
    assert {t.grad.dtype for t in (x, weight, bias)} == {np.dtype(np.float32)}


def test_no_grad_records_nothing():
    arrays, params = conv_arrays(CONVOLUTIONS["3x3, no padding"])
    x, weight, bias = [Tensor(a, requires_grad=True) for a in arrays]
    with autograd.no_grad():
        out = max_pool2d(conv2d(x, weight, bias, **params), 2)
    assert not out.requires_grad and out.parents == ()


def test_plain_arrays_in_plain_arrays_out():
    arrays, params = conv_arrays(CONVOLUTIONS["3x3 same padding"])
    out = conv2d(*arrays, **params)
    assert type(out) is np.ndarray
    assert_close(out, functional.conv2d(*[torch.tensor(a) for a in arrays], **params), "conv2d on arrays")
    assert type(max_pool2d(out, 2)) is np.ndarray and type(avg_pool2d(out, 2)) is np.ndarray


def test_the_ops_are_named_in_the_graph():
    arrays, _ = conv_arrays(CONVOLUTIONS["3x3, no padding"])
    x, weight, bias = [Tensor(a, requires_grad=True) for a in arrays]
    convolved = conv2d(x, weight, bias)
    assert convolved.op.name == "conv2d" and convolved.parents == (x, weight, bias)
    assert max_pool2d(convolved, 2).op.name == "max_pool2d"
    assert avg_pool2d(convolved, 2).op.name == "avg_pool2d"


BAD_CONVOLUTIONS = {
    "3-D input": ((3, 5, 5), (2, 3, 3, 3), None, {}, ["conv2d", "(3, 5, 5)", "(2, 3, 3, 3)"]),
    "3-D weight": ((1, 3, 5, 5), (2, 3, 3), None, {}, ["conv2d", "(1, 3, 5, 5)", "(2, 3, 3)"]),
    "channels differ": ((1, 3, 5, 5), (2, 4, 3, 3), None, {}, ["conv2d", "(1, 3, 5, 5)", "(2, 4, 3, 3)", "channels"]),
    "bias of the wrong length": ((1, 3, 5, 5), (2, 3, 3, 3), (3,), {}, ["conv2d", "bias", "(3,)", "(2, 3, 3, 3)"]),
    "kernel larger than the image": ((1, 1, 2, 5), (1, 1, 3, 3), None, {}, ["conv2d", "3x3", "(1, 1, 2, 5)"]),
    "stride 0": ((1, 1, 5, 5), (1, 1, 3, 3), None, {"stride": 0}, ["conv2d", "stride", "0"]),
    "negative padding": ((1, 1, 5, 5), (1, 1, 3, 3), None, {"padding": -1}, ["conv2d", "padding", "-1"]),
    "three strides": ((1, 1, 5, 5), (1, 1, 3, 3), None, {"stride": (1, 1, 1)}, ["conv2d", "stride", "(1, 1, 1)"]),
}


@pytest.mark.parametrize(
    ("x_shape", "weight_shape", "bias_shape", "params", "words"), BAD_CONVOLUTIONS.values(), ids=BAD_CONVOLUTIONS.keys()
)
def test_conv2d_rejects_bad_shapes_and_settings_naming_them(x_shape, weight_shape, bias_shape, params, words):
    x, weight = Tensor(np.zeros(x_shape)), Tensor(np.zeros(weight_shape), requires_grad=True)
    bias = None if bias_shape is None else Tensor(np.zeros(bias_shape))
    with pytest.raises(ValueError) as error:
        conv2d(x, weight, bias, **params)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d], ids=["max_pool2d", "avg_pool2d"])
def test_pools_reject_bad_shapes_and_settings_naming_them(pool):
    name = pool.__name__
    cases = [
        ((2, 5, 5), {"kernel_size": 2}, ["(2, 5, 5)", "(N, C, H, W)"]),
        ((1, 1, 3, 3), {"kernel_size": 4}, ["4x4", "(1, 1, 3, 3)"]),
        ((1, 1, 3, 3), {"kernel_size": 0}, ["kernel_size", "0"]),
        ((1, 1, 3, 3), {"kernel_size": 2, "stride": 0}, ["stride", "0"]),
    ]
    for shape, params, words in cases:
        with pytest.raises(ValueError) as error:
            pool(Tensor(np.zeros(shape), requires_grad=True), **params)
        for word in [name, *words]:
            assert word in str(error.value)


def test_a_value_cannot_be_convolved_with_a_tensor():
    x = Tensor(np.zeros((1, 1, 3, 3)))
    with pytest.raises(TypeError, match="Value"):
        conv2d(x, Value(1.0))


def test_an_empty_batch_flows_forward_and_backward_as_in_torch():
    torch = pytest.importorskip("torch")
    images, weight = np.zeros((0, 2, 4, 4)), np.random.default_rng(0).normal(size=(3, 2, 3, 3))
    for ours, theirs in (
        (lambda x, w: conv2d(x, w, padding=1), lambda x, w: torch.nn.functional.conv2d(x, w, padding=1)),
        (lambda x, w: max_pool2d(x, 2), lambda x, w: torch.nn.functional.max_pool2d(x, 2)),
        (lambda x, w: avg_pool2d(x, 2), lambda x, w: torch.nn.functional.avg_pool2d(x, 2)),
        (lambda x, w: x.flatten(1), lambda x, w: x.flatten(1)),
    ):
        x, w = Tensor(images, requires_grad=True), Tensor(weight, requires_grad=True)
        out = ours(x, w)
        (out * 2.0).sum().backward()  # (the backward passes had failed to reshape an empty batch with -1)
        x_torch, w_torch = torch.tensor(images, requires_grad=True), torch.tensor(weight, requires_grad=True)
        expected = theirs(x_torch, w_torch)
        (expected * 2.0).sum().backward()
        assert out.shape == tuple(expected.shape) and x.grad.shape == (0, 2, 4, 4)
        if w_torch.grad is not None:
            np.testing.assert_array_equal(w.grad, w_torch.grad.numpy())  # zeros: no example to learn from
