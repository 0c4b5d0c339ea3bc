"""Layers against PyTorch's modules with copied weights (float64), dropout's statistics, initialisation scales."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _run_both(ours, theirs, x: np.ndarray):
    """Forward both modules on ``x``, backpropagate the same random upstream gradient, return both sides."""
    mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    (out * Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_linear_matches_torch_with_copied_weights():
    ours = nn.Linear(5, 3, seed=0)
    theirs = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data.T))  # torch keeps (out, in)
        theirs.bias.copy_(torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64))
    ours.bias.data = np.array([0.1, -0.2, 0.3])
    _run_both(ours, theirs, np.random.default_rng(0).standard_normal((4, 5)))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy().T, rtol=1e-10)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), (1, 2)])
def test_conv2d_matches_torch_with_copied_weights(stride, padding):
    ours = nn.Conv2d(2, 3, 3, stride=stride, padding=padding, seed=0)
    theirs = torch.nn.Conv2d(2, 3, 3, stride=stride, padding=padding).double()
    bias = np.array([0.5, -0.1, 0.2])
    ours.bias.data = bias.copy()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(bias))
    _run_both(ours, theirs, np.random.default_rng(0).standard_normal((2, 2, 7, 6)))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10)


def test_pooling_and_flatten_match_torch():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    _run_both(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    _run_both(nn.AvgPool2d(3, stride=1), torch.nn.AvgPool2d(3, stride=1), x)
    _run_both(nn.Flatten(), torch.nn.Flatten(), x)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Softmax(), torch.nn.Softmax(dim=-1)),
    ],
)
def test_activations_match_torch(ours, theirs):
    _run_both(ours, theirs, np.random.default_rng(0).standard_normal((4, 5)))


def test_batch_norm_matches_torch_in_training_and_evaluation():
    ours, theirs = nn.BatchNorm1d(4, momentum=0.2), torch.nn.BatchNorm1d(4, momentum=0.2).double()
    rng = np.random.default_rng(0)
    for _ in range(3):
        _run_both(ours, theirs, rng.standard_normal((8, 4)) * 3 + 1)
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
        ours.zero_grad()
        theirs.zero_grad()
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)  # unbiased, as torch
    ours.eval()
    theirs.eval()
    _run_both(ours, theirs, rng.standard_normal((3, 4)))


def test_a_float32_batch_norm_keeps_float32_running_statistics_on_float64_data():
    layer = nn.BatchNorm1d(3, dtype=np.float32)
    x = np.random.default_rng(1).standard_normal((6, 3)) * 2 + 1  # float64, as nn.data gives
    layer(Tensor(x))
    assert layer.running_mean.dtype == layer.running_var.dtype == np.float32
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=0), rtol=1e-6)
    torch_layer = nn.to_torch(layer).eval()  # its buffers and weights agree on float32
    out = torch_layer(torch.tensor(x, dtype=torch.float32))
    assert out.dtype == torch.float32


def test_batch_norm_refuses_a_single_example_in_training_and_a_wrong_width():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than one example"):
        layer(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        layer(Tensor(np.ones((4, 2))))


def test_dropout_keeps_about_1_minus_p_scales_by_its_inverse_and_is_the_identity_in_eval():
    layer = nn.Dropout(0.3, seed=0)
    out = layer(Tensor(np.ones((400, 500)))).data
    kept = out > 0
    assert kept.mean() == pytest.approx(0.7, abs=0.005)  # 200,000 draws: the standard error is 0.001
    np.testing.assert_allclose(out[kept], 1 / 0.7)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the expectation
    layer.eval()
    x = Tensor(np.arange(5.0))
    assert layer(x) is x


def test_dropout_gradient_flows_only_through_kept_units():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    out = nn.Dropout(0.5, seed=3)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # 2 where kept, 0 where dropped


@pytest.mark.parametrize(("activation", "variance"), [("relu", 2 / 400), ("tanh", 2 / (400 + 300))])
def test_initialisation_by_fan_in(activation, variance):
    model = nn.MLP([400, 300, 1], activation=activation, seed=0)
    assert model.layers[0].weight.data.var() == pytest.approx(variance, rel=0.02)
    assert np.all(model.layers[0].bias.data == 0)


def test_mlp_layout_and_seeding():
    model = nn.MLP([2, 8, 8, 3], activation="tanh", dropout=0.1, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    again = nn.MLP([2, 8, 8, 3], activation="tanh", dropout=0.1, seed=0)
    for (_, a), (_, b) in zip(model.named_parameters(), again.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert model(Tensor(np.ones((5, 2)))).shape == (5, 3)


@pytest.mark.parametrize("momentum", [np.float32(0.1), np.int64(1), np.array(0.5), 0])
def test_batch_norm_takes_numpys_numbers_as_momentum(momentum):
    layer = nn.BatchNorm1d(2, momentum=momentum)
    layer(Tensor([[0.0, 1.0], [2.0, 3.0]]))
    np.testing.assert_allclose(layer.running_mean, float(momentum) * np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.Linear(0, 3), ValueError, "Linear: in_features must be an int >= 1, got 0"),
        (lambda: nn.Linear(3, 2.5), ValueError, "Linear: out_features must be an int >= 1, got 2.5"),
        (lambda: nn.MLP([3, 0, 2]), ValueError, r"MLP: sizes\[1\] must be an int >= 1, got 0"),
        (lambda: nn.MLP([3, -4]), ValueError, r"MLP: sizes\[1\] must be an int >= 1, got -4"),
        (lambda: nn.Conv2d(0, 3, 3), ValueError, "Conv2d: in_channels must be an int >= 1, got 0"),
        (lambda: nn.Conv2d(1, 0, 3), ValueError, "Conv2d: out_channels must be an int >= 1, got 0"),
        (lambda: nn.Conv2d(1, 2, 0), ValueError, "Conv2d: kernel_size must be an int >= 1 or a pair of them, got 0"),
        (lambda: nn.Conv2d(1, 2, (3, -1)), ValueError, r"Conv2d: kernel_size .* got \(3, -1\)"),
        (lambda: nn.Conv2d(1, 2, 3, stride=0), ValueError, "Conv2d: stride must be an int >= 1"),
        (lambda: nn.Conv2d(1, 2, 3, padding=-1), ValueError, "Conv2d: padding must be an int >= 0"),
        (lambda: nn.MaxPool2d(0), ValueError, "MaxPool2d: kernel_size must be an int >= 1"),
        (lambda: nn.AvgPool2d(2, stride=0), ValueError, "AvgPool2d: stride must be an int >= 1"),
        (lambda: nn.BatchNorm1d(0), ValueError, "BatchNorm1d: num_features must be an int >= 1, got 0"),
        (lambda: nn.BatchNorm1d(3, momentum=float("nan")), ValueError, "BatchNorm1d: momentum must be a number in"),
        (lambda: nn.BatchNorm1d(3, momentum=None), ValueError, r"got None \(PyTorch's None, a cumulative average"),
        (lambda: nn.BatchNorm1d(3)(Tensor(np.ones((1, 3)))), ValueError, "got 1 .* the last one holds what is left"),
        (lambda: nn.BatchNorm1d(3, eps=-1e-5), ValueError, "BatchNorm1d: eps must be a finite number >= 0"),
        (lambda: nn.Dropout(float("nan")), ValueError, r"\[0, 1\]"),
        (lambda: nn.Linear(3, 2)(Tensor(np.ones((4, 2)))), ValueError, r"input of shape \(4, 2\)"),
        (lambda: nn.MLP([3]), ValueError, "at least an input and an output"),
        (lambda: nn.MLP([3, 2], activation="swish"), ValueError, "unknown activation"),
        (lambda: nn.Linear(2, 2, init="orthogonal"), ValueError, "unknown init"),
        (lambda: nn.Dropout(1.5), ValueError, r"\[0, 1\]"),
        (lambda: nn.Sequential(nn.ReLU(), "relu"), TypeError, "item 1 is a str"),
    ],
)
def test_bad_layer_settings_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()
