"""Losses against ``torch.nn.functional`` in float64 (value and gradient), penalties by hand, and bad targets."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value

torch = pytest.importorskip("torch")
F = torch.nn.functional

RNG = np.random.default_rng(0)
SCORES = RNG.standard_normal((6, 4)) * 3
LABELS = np.array([0, 3, 1, 1, 2, 3])
SOFT = RNG.random((6, 4))
SOFT /= SOFT.sum(axis=1, keepdims=True)
TARGETS = RNG.random((6, 4))

CASES = {
    "cross_entropy": (lambda s: nn.cross_entropy(s, LABELS), lambda s: F.cross_entropy(s, torch.tensor(LABELS))),
    "cross_entropy smoothed": (
        lambda s: nn.cross_entropy(s, LABELS, label_smoothing=0.2),
        lambda s: F.cross_entropy(s, torch.tensor(LABELS), label_smoothing=0.2),
    ),
    "cross_entropy soft labels": (
        lambda s: nn.cross_entropy(s, SOFT, label_smoothing=0.1),
        lambda s: F.cross_entropy(s, torch.tensor(SOFT), label_smoothing=0.1),
    ),
    "binary_cross_entropy_with_logits": (
        lambda s: nn.binary_cross_entropy_with_logits(s, TARGETS),
        lambda s: F.binary_cross_entropy_with_logits(s, torch.tensor(TARGETS)),
    ),
    "multi_margin_loss": (
        lambda s: nn.multi_margin_loss(s, LABELS),
        lambda s: F.multi_margin_loss(s, torch.tensor(LABELS)),
    ),
    "multi_margin_loss margin 2.5": (
        lambda s: nn.MultiMarginLoss(margin=2.5)(s, LABELS),
        lambda s: F.multi_margin_loss(s, torch.tensor(LABELS), margin=2.5),
    ),
    "mse_loss": (lambda s: nn.MSELoss()(s, TARGETS), lambda s: F.mse_loss(s, torch.tensor(TARGETS))),
}


@pytest.mark.parametrize("name", CASES)
def test_value_and_gradient_match_torch(name):
    ours_fn, torch_fn = CASES[name]
    ours, theirs = Tensor(SCORES, requires_grad=True), torch.tensor(SCORES, requires_grad=True)
    loss, reference = ours_fn(ours), torch_fn(theirs)
    loss.backward()
    reference.backward()
    assert loss.item() == pytest.approx(reference.item(), rel=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_binary_cross_entropy_is_finite_for_huge_logits_and_exact_at_zero():
    logits = Tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(logits, [[0.0, 1.0, 1.0]])
    loss.backward()
    assert loss.item() == pytest.approx((1000 + 1000 + np.log(2)) / 3)
    np.testing.assert_allclose(logits.grad, [[1 / 3, -1 / 3, -0.5 / 3]])  # (sigmoid(x) - y) / n


def test_cross_entropy_is_finite_for_logits_of_1e4():
    logits = Tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    loss = nn.cross_entropy(logits, [1])
    loss.backward()
    assert loss.item() == pytest.approx(2e4)
    np.testing.assert_allclose(logits.grad, [[1.0, -1.0, 0.0]])


CROSS_ENTROPIES = {
    name: CASES[name] for name in ("cross_entropy", "cross_entropy smoothed", "cross_entropy soft labels")
}


@pytest.mark.parametrize("name", CROSS_ENTROPIES)
def test_cross_entropy_second_derivatives_match_torch(name):
    """The fused op's backward is recorded under create_graph: a Hessian-vector product against torch."""
    ours_fn, torch_fn = CROSS_ENTROPIES[name]
    direction = RNG.standard_normal(SCORES.shape)
    ours, theirs = Tensor(SCORES, requires_grad=True), torch.tensor(SCORES, requires_grad=True)
    (gradient,) = autograd.grad(ours_fn(ours), [ours], create_graph=True)
    (gradient * Tensor(direction)).sum().backward()
    (torch_gradient,) = torch.autograd.grad(torch_fn(theirs), [theirs], create_graph=True)
    (torch_gradient * torch.tensor(direction)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_with_a_logit_of_minus_inf_matches_torch():
    """A class with probability 0 adds nothing to the loss of a row whose label is another class."""
    scores = np.array([[0.5, -np.inf, 2.0], [-np.inf, 1.0, 0.0]])
    ours, theirs = Tensor(scores, requires_grad=True), torch.tensor(scores, requires_grad=True)
    loss, reference = nn.cross_entropy(ours, [0, 2]), F.cross_entropy(theirs, torch.tensor([0, 2]))
    loss.backward()
    reference.backward()
    assert loss.item() == pytest.approx(reference.item(), rel=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=0)


def test_penalties_by_hand_on_tensors_values_and_modules():
    a, b = Tensor([1.0, -2.0], requires_grad=True), Tensor([[3.0]], requires_grad=True)
    assert nn.l2_penalty([a, b]).item() == 14.0
    assert nn.l1_penalty([a, b]).item() == 6.0
    w = Value(-1.5)
    assert nn.l2_penalty([w]).data == 2.25
    model = nn.Linear(2, 1, seed=0)
    expected = float(np.sum(model.weight.data**2) + np.sum(model.bias.data**2))
    assert nn.l2_penalty(model).item() == pytest.approx(expected)
    nn.l2_penalty([a]).backward()
    np.testing.assert_allclose(a.grad, [2.0, -4.0])  # d(w**2)/dw = 2w: no 1/2 in front


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: nn.cross_entropy(s, [0, 1]), "6 score rows need 6 targets"),
        (lambda s: nn.cross_entropy(s, [0, 1, 2, 3, 4, 0]), r"class indices in \[0, 4\)"),
        (lambda s: nn.cross_entropy(s, [0.5] * 6), "whole numbers"),
        (lambda s: nn.cross_entropy(s, list("abcabc")), "not <U1 values such as np.str_.'a'.: number the classes"),
        (lambda s: nn.multi_margin_loss(s, [None] * 6), "not object values such as None"),
        (lambda s: nn.cross_entropy(s, np.array([0, "a"] * 3, dtype=object)), "not <U21 values such as np.str_"),
        (lambda s: nn.cross_entropy(s[0], [0]), r"shape \(n, classes\)"),
        (lambda s: nn.cross_entropy(s, LABELS, label_smoothing=1.5), "label_smoothing"),
        (lambda s: nn.cross_entropy(s, np.ones((6, 3))), "probability targets of shape"),
        (lambda s: nn.mse_loss(s, np.ones(6)), r"\(6, 4\).*\(6,\)"),
        (lambda s: nn.binary_cross_entropy_with_logits(s, np.ones(4)), "targets of shape"),
        (lambda s: nn.multi_margin_loss(s, [-1, 0, 0, 0, 0, 0]), "class indices"),
        (lambda s: nn.l2_penalty([]), "at least one parameter"),
    ],
)
def test_bad_targets_are_refused_with_the_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call(Tensor(SCORES, requires_grad=True))


@pytest.mark.parametrize("loss", [nn.cross_entropy, autograd.softmax_cross_entropy])
def test_whole_number_targets_in_the_logits_shape_must_be_one_hot_rows(loss):
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    for slip in (np.array([[1, 1, 0], [0, 1, 1]]), np.array([[0, 1, 2], [2, 1, 0]])):  # multi-hot, labels as a matrix
        with pytest.raises(RuntimeError, match="Expected floating point type for target with class probabilities"):
            torch.nn.functional.cross_entropy(torch.zeros(2, 3), torch.tensor(slip))  # torch refuses ints here too
        with pytest.raises(ValueError, match=r"whole-number targets of shape \(2, 3\) must be one-hot rows"):
            loss(logits, slip)
    assert loss(logits, np.array([[0, 1, 0], [1, 0, 0]])).item() == pytest.approx(np.log(3), abs=1e-15)


def test_slips_of_shape_name_the_fix():
    with pytest.raises(ValueError, match=r"shape \(n,\): y.ravel\(\)"):
        nn.cross_entropy(Tensor(np.zeros((4, 3))), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="the scores have one column, one class; two classes need two columns"):
        nn.cross_entropy(Tensor(np.zeros((4, 1))), np.array([0, 1, 0, 1]))


def test_a_penalty_refuses_what_is_not_a_parameter():
    with pytest.raises(TypeError, match="Values and Tensors .* not a float"):
        nn.l2_penalty([Value(1.0), 2.0])


def test_class_indices_held_as_python_objects_are_numbers():
    scores = Tensor(SCORES)
    as_objects = np.array(LABELS.tolist(), dtype=object)  # as a pandas column of ints may hold them
    assert nn.cross_entropy(scores, as_objects).item() == nn.cross_entropy(scores, LABELS).item()


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_probability_targets_computed_in_the_graph_get_their_gradient_as_in_torch(label_smoothing):
    """A teacher's softmax as targets (distillation): the gradient reaches the teacher, as in torch (it had been cut)."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rng = np.random.default_rng(0)
    scores, teacher = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    losses = {
        "cross_entropy": (
            lambda s, t: nn.cross_entropy(s, t.softmax(axis=1), label_smoothing=label_smoothing),
            lambda s, t: functional.cross_entropy(s, t.softmax(dim=1), label_smoothing=label_smoothing),
        ),
        "bce_with_logits": (
            lambda s, t: nn.binary_cross_entropy_with_logits(s, t.sigmoid()),
            lambda s, t: functional.binary_cross_entropy_with_logits(s, t.sigmoid()),
        ),
        "softmax_cross_entropy": (
            lambda s, t: autograd.softmax_cross_entropy(s, t.softmax(axis=1)),
            lambda s, t: functional.cross_entropy(s, t.softmax(dim=1)),
        ),
    }
    for ours, theirs in losses.values():
        s, t = Tensor(scores, requires_grad=True), Tensor(teacher, requires_grad=True)
        loss = ours(s, t)
        loss.backward()
        s_torch, t_torch = (torch.tensor(a, requires_grad=True) for a in (scores, teacher))
        expected = theirs(s_torch, t_torch)
        expected.backward()
        np.testing.assert_allclose(loss.data, expected.item(), rtol=1e-12)
        np.testing.assert_allclose(s.grad, s_torch.grad.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(t.grad, t_torch.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_targets_in_the_graph_keep_the_bce_exact_the_logits_dtype_and_no_grad():
    torch = pytest.importorskip("torch")
    logits = np.array([[40.0, 30.0, -20.0]])
    ours_x, ours_y = Tensor(logits, requires_grad=True), Tensor([[1.0, 1.0, 0.0]], requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(ours_x, ours_y)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(logits), torch.tensor([[1.0, 1.0, 0.0]]))
    assert loss.item() == pytest.approx(theirs.item(), rel=1e-12)  # (softplus(x) - x y had given 0 here: cancellation)
    assert loss.item() > 0
    small = Tensor(np.float32([[0.5, -1.0]]), requires_grad=True)
    for make in (nn.binary_cross_entropy_with_logits, nn.cross_entropy):
        targets = Tensor([[0.2, 0.8]], requires_grad=True)  # float64
        loss = make(small, targets)
        loss.backward()
        assert loss.dtype == np.float32 and targets.grad.dtype == np.float64  # the logits' dtype, as without grad
        with autograd.no_grad():
            assert make(small, targets).data == pytest.approx(loss.item(), rel=1e-6)


def test_bce_keeps_its_own_copy_of_the_targets():
    x, y = Tensor([0.5, -1.0, 2.0], requires_grad=True), np.array([1.0, 0.0, 1.0])
    loss = nn.binary_cross_entropy_with_logits(x, y)
    y[:] = 0.0  # changed before backward(): the loss was computed with the old targets
    loss.backward()
    sigmoid = 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(x.grad, (sigmoid - [1.0, 0.0, 1.0]) / 3, rtol=1e-12)


def test_cross_entropy_takes_plain_arrays_as_a_metric_does():
    scores, labels = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]]), np.array([0, 2])
    expected = torch.nn.functional.cross_entropy(torch.tensor(scores), torch.tensor(labels)).item()
    assert float(nn.cross_entropy(scores, labels)) == pytest.approx(expected, abs=1e-15)
    with pytest.raises(TypeError, match="got a list of Values: write a scalar model's loss with Values"):
        nn.cross_entropy([Value(1.0), Value(2.0)], [1])
