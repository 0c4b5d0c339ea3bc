"""Every optimizer and schedule against ``torch.optim`` on the same gradients, step by step, in float64."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from autograd import Tensor, Value
from nn.optim import SGD, Adagrad, Adam, AdamW, CosineAnnealingLR, RMSprop, StepLR

torch = pytest.importorskip("torch")

RULES = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.1, "momentum": 0.9}),
    (SGD, {"lr": 0.1, "momentum": 0.8, "dampening": 0.3}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (Adagrad, {"lr": 0.1}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.2}),
    (RMSprop, {"lr": 0.01}),
    (RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    (Adam, {"lr": 0.01}),
    (Adam, {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True}),
    (AdamW, {"lr": 0.01}),
    (AdamW, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.5}),
]


@pytest.mark.parametrize(("rule", "settings"), RULES, ids=lambda x: x.__name__ if isinstance(x, type) else str(x))
def test_matches_torch_for_eight_steps(rule, settings):
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 4))
    ours = Tensor(start, requires_grad=True)
    theirs = torch.tensor(start, requires_grad=True)
    optimizer = rule([ours], **settings)
    reference = getattr(torch.optim, rule.__name__)([theirs], **settings)
    for _ in range(8):
        gradient = rng.standard_normal((3, 4))
        ours.grad = gradient.copy()
        theirs.grad = torch.tensor(gradient)
        optimizer.step()
        reference.step()
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("rule", [SGD, Adam, RMSprop, Adagrad])
def test_value_parameters_stay_floats_and_match_tensors(rule):
    value, tensor = Value(0.5), Tensor([0.5], requires_grad=True)
    by_value, by_tensor = rule([value], lr=0.1), rule([tensor], lr=0.1)
    for gradient in (0.3, -1.2, 0.7):
        value.grad, tensor.grad = gradient, np.array([gradient])
        by_value.step()
        by_tensor.step()
    assert type(value.data) is float
    assert value.data == pytest.approx(tensor.data[0], abs=1e-15)


def test_parameters_without_gradient_are_left_alone_and_float32_is_kept():
    used = Tensor(np.ones(2, np.float32), requires_grad=True)
    unused = Tensor(np.ones(2), requires_grad=True)
    used.grad = np.ones(2, np.float32)
    SGD([used, unused], lr=0.5).step()
    assert used.dtype == np.float32 and used.data.tolist() == [0.5, 0.5]
    assert unused.data.tolist() == [1.0, 1.0]


def test_zero_grad_forgets_gradients():
    p = Tensor(np.ones(2), requires_grad=True)
    p.grad = np.ones(2)
    Adam([p]).zero_grad()
    assert p.grad is None


@pytest.mark.parametrize(
    ("schedule", "settings"),
    [(StepLR, {"step_size": 3, "gamma": 0.5}), (CosineAnnealingLR, {"T_max": 7, "eta_min": 0.01})],
)
def test_schedules_match_torch(schedule, settings):
    ours, theirs = Tensor(np.ones(2), requires_grad=True), torch.ones(2, dtype=torch.float64, requires_grad=True)
    optimizer, reference = SGD([ours], lr=0.3), torch.optim.SGD([theirs], lr=0.3)
    scheduler = schedule(optimizer, **settings)
    reference_scheduler = getattr(torch.optim.lr_scheduler, schedule.__name__)(reference, **settings)
    for _ in range(12):
        ours.grad, theirs.grad = np.ones(2), torch.ones(2, dtype=torch.float64)
        optimizer.step()
        reference.step()
        scheduler.step()
        reference_scheduler.step()
        assert optimizer.lr == pytest.approx(reference.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD([], lr=0.1), "no parameters"),
        (lambda: SGD([Tensor([1.0])], lr=0.1), "requires grad"),
        (lambda: SGD([Tensor([1.0], requires_grad=True)], lr=0.1, nesterov=True), "Nesterov"),
        (lambda: Adam([Tensor([1.0], requires_grad=True)], betas=(1.0, 0.9)), "betas"),
        (lambda: Adam([Tensor([1.0], requires_grad=True)], betas=(0.9,)), "betas must be two numbers"),
    ],
)
def test_bad_settings_are_refused(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


REFUSED = [
    (SGD, "lr", -1.0),
    (SGD, "momentum", -1.0),
    (SGD, "weight_decay", -1.0),
    (Adam, "weight_decay", -1.0),
    (Adam, "eps", -1e-8),
    (AdamW, "weight_decay", -0.5),
    (Adagrad, "lr_decay", -0.1),
    (Adagrad, "weight_decay", -0.1),
    (Adagrad, "initial_accumulator_value", -0.1),
    (Adagrad, "eps", -1e-10),
    (RMSprop, "alpha", -0.9),
    (RMSprop, "eps", -1e-8),
    (RMSprop, "momentum", -0.9),
    (RMSprop, "weight_decay", -0.1),
]


@pytest.mark.parametrize(("rule", "name", "value"), REFUSED, ids=lambda x: getattr(x, "__name__", str(x)))
def test_what_torch_refuses_is_refused(rule, name, value):
    with pytest.raises(ValueError, match="Invalid"):
        getattr(torch.optim, rule.__name__)([torch.ones(1, requires_grad=True)], **{name: value})
    with pytest.raises(ValueError, match=f"{rule.__name__}: .*{name} must be a finite number >= 0, got {value}"):
        rule([Tensor([1.0], requires_grad=True)], **{name: value})


@pytest.mark.parametrize("rule", [SGD, Adagrad, RMSprop, Adam, AdamW])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("name", ["lr", "weight_decay"])
def test_nan_and_infinite_settings_are_refused(rule, value, name):
    with pytest.raises(ValueError, match=f"{rule.__name__}: .*{name} must be a finite number >= 0, got {value}"):
        rule([Tensor([1.0], requires_grad=True)], **{name: value})


@pytest.mark.parametrize("value", ["0.1", b"0.1", True, np.bool_(True)])
def test_text_and_bools_are_refused_as_settings(value):
    with pytest.raises(TypeError):  # torch compares the setting with 0.0, which text cannot be
        torch.optim.SGD([torch.ones(1, requires_grad=True)], lr="0.1")
    with pytest.raises(ValueError, match=f"SGD: .*lr must be a finite number >= 0, got {re.escape(repr(value))}"):
        SGD([Tensor([1.0], requires_grad=True)], lr=value)


def test_numpy_numbers_and_fractions_are_settings():
    parameter = Tensor([1.0], requires_grad=True)
    assert SGD([parameter], lr=np.float32(0.5)).lr == 0.5
    assert Adam([parameter], lr=Fraction(1, 4), betas=(np.float64(0.5), 0.25)).lr == 0.25


def test_a_learning_rate_set_later_is_checked_too():
    optimizer = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: the learning rate lr must be a finite number >= 0, got nan"):
        optimizer.lr = float("nan")
    assert optimizer.lr == 0.1
    with pytest.raises(ValueError, match="got inf"):
        StepLR(optimizer, step_size=1, gamma=float("inf")).step()


@pytest.mark.parametrize("rule", [SGD, Adam, AdamW])
def test_a_parameter_listed_twice_is_stepped_once_with_a_warning(rule):
    shared, other = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    twin = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        getattr(torch.optim, rule.__name__)([twin, twin], lr=0.1)
    with pytest.warns(UserWarning, match=f"{rule.__name__}: the parameter list holds 2 duplicate parameter") as caught:
        optimizer = rule([shared, other, shared, shared], lr=0.1)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert optimizer.params == [shared, other]
    once = getattr(torch.optim, rule.__name__)([twin], lr=0.1)
    shared.grad, twin.grad = np.array([0.5, -1.0]), torch.tensor([0.5, -1.0], dtype=torch.float64)
    optimizer.step()
    once.step()
    np.testing.assert_allclose(shared.data, twin.detach().numpy(), rtol=1e-12)


def test_an_optimizer_refuses_a_bare_tensor_or_a_result_as_torch_does():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"SGD takes a list of parameters, got one Tensor: pass \[w\]"):
        SGD(w, lr=0.1)  # (it had taken the tensor's rows, which never get a gradient: nothing trained)
    with pytest.raises(ValueError, match="parameter 0 is the result of an op, not a leaf"):
        SGD([w * 3.0], lr=0.1)


def test_zero_grad_can_keep_the_gradient_arrays_and_an_update_of_another_shape_is_refused():
    w = Tensor([1.0, -2.0], requires_grad=True)
    optimizer = Adam([w], lr=0.1)
    (w * w).sum().backward()
    gradient = w.grad
    optimizer.zero_grad(set_to_none=False)
    assert w.grad is gradient and w.grad.tolist() == [0.0, 0.0]
    optimizer.zero_grad()
    assert w.grad is None

    class Averaging(SGD):
        def update(self, data, grad, state):
            return (data - self.lr * grad).mean(axis=0, keepdims=True)  # a slip: one row for a (3, 2) parameter

    p = Tensor(np.ones((3, 2)), requires_grad=True)
    p.grad = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"Averaging.update gave shape \(1, 2\) for a parameter of shape \(3, 2\)"):
        Averaging([p], lr=0.1).step()


def test_a_schedule_refuses_a_setting_that_would_fail_epochs_later():
    """gamma=nan had been taken, then training failed with 'SGD: the learning rate lr must be...'."""
    optimizer = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
    for make, words in (
        (lambda: StepLR(optimizer, step_size=2, gamma=float("nan")), "StepLR: gamma must be a finite number >= 0"),
        (lambda: StepLR(optimizer, step_size=True), "step_size must be an int >= 1"),
        (lambda: CosineAnnealingLR(optimizer, T_max=10, eta_min=-0.01), "eta_min must be a finite number >= 0"),
        (lambda: CosineAnnealingLR(optimizer, T_max=float("inf")), "T_max must be an int >= 1"),
    ):
        with pytest.raises(ValueError, match=words):
            make()


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)])
def test_a_gradient_that_does_not_fit_stops_the_step_before_anything_changes(make):
    """Adam had stepped the first two parameters, then kept a (3, 5) state for the third and refused every step."""
    parameters = [Tensor(np.full((3, 1), 1.0), requires_grad=True) for _ in range(3)]
    optimizer = make(parameters)
    for p in parameters:
        p.grad = np.full((3, 1), 0.5)
    parameters[2].grad = np.ones(5)
    with pytest.raises(
        ValueError, match=r"the \.grad of parameter 2 has shape \(5,\), but its data has shape \(3, 1\)"
    ):
        optimizer.step()
    assert all(p.data.tolist() == [[1.0]] * 3 for p in parameters) and optimizer.state == [{}, {}, {}]
    parameters[2].grad = np.full((3, 1), 0.5)
    optimizer.step()  # a fitting gradient steps all three, as a first step
    first = make([Tensor(np.ones((3, 1)), requires_grad=True)])  # the same rule, one parameter, one step
    first.params[0].grad = np.full((3, 1), 0.5)
    first.step()
    assert all(np.array_equal(p.data, first.params[0].data) for p in parameters)
