"""Grad mode belongs to the running thread and asyncio task; ``no_grad`` as a decorator of generators.

The threads are made to overlap in a fixed order with ``threading.Event``: each
step waits for the one before it, so the tests never depend on the scheduler.
Every gradient checked is a hand derivative (d(w*w)/dw = 2w).
"""

import asyncio
import threading

import numpy as np
import pytest

from autograd import Tensor, Value, enable_grad, is_grad_enabled, no_grad

TIMEOUT = 10  # seconds; a step that never comes fails the test instead of hanging it


def _wait(event: threading.Event) -> None:
    assert event.wait(TIMEOUT), "the other thread never reached its step"


class _Thread(threading.Thread):
    """A thread whose exception (a failed assert inside it) is raised again by ``finish()``."""

    def __init__(self, target):
        super().__init__(target=target, daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            super().run()
        except BaseException as error:  # noqa: BLE001 (handed to the main thread by finish())
            self.error = error

    def finish(self) -> None:
        self.join(TIMEOUT)
        assert not self.is_alive(), "the thread did not finish"
        if self.error is not None:
            raise self.error


def test_no_grad_in_another_thread_leaves_this_thread_recording():
    inside, leave = threading.Event(), threading.Event()

    def evaluator():
        with no_grad():
            inside.set()
            _wait(leave)

    thread = _Thread(evaluator)
    thread.start()
    _wait(inside)
    w = Tensor([3.0, -1.0], requires_grad=True)
    loss = (w * w).sum()
    leave.set()
    thread.finish()
    assert is_grad_enabled() and loss.requires_grad
    loss.backward()
    assert w.grad.tolist() == [6.0, -2.0]


def _overlap(first_block, second_block) -> list[bool]:
    """Thread 1 enters ``first_block``, thread 2 enters ``second_block``, thread 1 leaves, thread 2 leaves.

    Returns the mode each thread sees after leaving, then the mode of this thread.
    """
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with first_block:
            first_in.set()
            _wait(second_in)
        first_out.set()
        seen["first"] = is_grad_enabled()

    def second():
        _wait(first_in)
        with second_block:
            second_in.set()
            _wait(first_out)
        seen["second"] = is_grad_enabled()

    threads = [_Thread(first), _Thread(second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.finish()
    return [seen["first"], seen["second"], is_grad_enabled()]


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on():
    assert _overlap(no_grad(), no_grad()) == [True, True, True]
    assert (Value(2.0) * 3.0).requires_grad


def test_one_no_grad_object_open_in_two_threads_at_once():
    # A decorated predict() shares one object between every thread that calls it.
    shared = no_grad()
    assert _overlap(shared, shared) == [True, True, True]


def test_a_new_thread_starts_recording_whatever_this_thread_does():
    seen = []
    thread = _Thread(lambda: seen.append((is_grad_enabled(), (Value(1.0) * 2.0).requires_grad)))
    with no_grad():
        thread.start()
        thread.finish()
    assert seen == [(True, True)]


def test_asyncio_tasks_each_have_their_own_grad_mode():
    async def main():
        evaluating = asyncio.Event()
        trained = asyncio.Event()
        w = Value(3.0)

        async def evaluate():
            with no_grad():
                evaluating.set()
                await trained.wait()
                return is_grad_enabled(), (w * w).requires_grad

        async def train():
            await evaluating.wait()
            loss = w * w
            trained.set()
            return is_grad_enabled(), loss

        (evaluating_mode, evaluated), (training_mode, loss) = await asyncio.gather(evaluate(), train())
        loss.backward()
        return evaluating_mode, evaluated, training_mode, w.grad

    assert asyncio.run(main()) == (False, False, True, 6.0)
    assert is_grad_enabled()


def test_a_decorated_generator_records_nothing_while_it_runs_and_the_caller_still_records():
    w = Value(2.0)

    @no_grad()
    def scaled(factors):
        for factor in factors:
            yield w * factor, is_grad_enabled()

    for y, mode in scaled([1.0, 3.0]):
        assert mode is False and not y.requires_grad and y.parents == ()
        assert is_grad_enabled()  # the loop body is the caller's code
        z = w * y
        assert z.requires_grad and z.parents[0] is w
    z.backward()
    assert w.grad == 6.0


def test_a_decorated_generator_passes_on_send_throw_close_and_its_return_value():
    events = []

    @no_grad()
    def accumulate():
        total = 0.0
        try:
            while True:
                try:
                    received = yield total
                except ValueError:
                    events.append(("thrown", is_grad_enabled()))
                    received = 0.0
                total += received
        finally:
            events.append(("closing", is_grad_enabled()))

    generator = accumulate()
    assert next(generator) == 0.0
    assert generator.send(2.0) == 2.0
    assert generator.throw(ValueError("reset")) == 2.0
    generator.close()
    assert events == [("thrown", False), ("closing", False)] and is_grad_enabled()

    @no_grad()
    def answer():
        yield is_grad_enabled()
        return 42

    def delegate():
        result = yield from answer()
        return result

    runner = delegate()
    assert next(runner) is False
    with pytest.raises(StopIteration) as finished:
        next(runner)
    assert finished.value.value == 42


def test_enable_grad_inside_no_grad_inside_a_thread():
    seen = []

    def body():
        with no_grad():
            with enable_grad():
                seen.append((Value(1.0) * 2.0).requires_grad)
            seen.append((Value(1.0) * 2.0).requires_grad)
        seen.append(is_grad_enabled())

    thread = _Thread(body)
    thread.start()
    thread.finish()
    assert seen == [True, False, True]


def test_leaving_a_no_grad_block_that_was_never_entered_is_a_clear_error():
    with pytest.raises(RuntimeError, match="never entered"):
        no_grad().__exit__(None, None, None)
    quiet = no_grad()
    with pytest.raises(RuntimeError, match="never entered"), no_grad():
        quiet.__exit__(None, None, None)  # another block is open, but not this one
    assert is_grad_enabled()


def test_the_pytorch_update_w_minus_equals_under_no_grad_changes_the_parameters_themselves():
    import torch

    import nn

    model, x = nn.MLP([2, 3, 1], seed=0), np.random.default_rng(0).standard_normal((4, 2))
    torch_model = nn.to_torch(model)
    (model(Tensor(x)) ** 2).mean().backward()
    (torch_model(torch.tensor(x)) ** 2).mean().backward()
    with no_grad():
        for p in model.parameters():  # the loop variable is rebound in Python, so only in place reaches the model
            p -= 0.1 * p.grad
    with torch.no_grad():
        for p in torch_model.parameters():
            p -= 0.1 * p.grad
    np.testing.assert_allclose(model.layers[0].weight.data, torch_model[0].weight.detach().numpy().T, rtol=1e-15)
    assert all(p.is_leaf and p.requires_grad for p in model.parameters())
    w = model.layers[0].weight
    with pytest.raises(RuntimeError, match=r"in-place update .* under no_grad\(\)"):
        w -= 0.1 * w.grad  # while recording: torch refuses this too


def test_a_value_sum_built_with_plus_equals_keeps_its_graph_and_a_value_steps_in_place_under_no_grad():
    total, x = Value(0.0), Value(2.0)
    for i in range(3):
        total += x * i  # a Value requires grad by default: += makes a new node, as in micrograd
    total.backward()
    assert (total.data, x.grad) == (6.0, 3.0)
    held = [x]
    with no_grad():
        x -= 0.5 * x.grad
        x *= 2
        x /= 4
        x += 1
    assert held[0] is x and x.data == (2.0 - 1.5) * 2 / 4 + 1


def test_a_value_parameter_stepped_in_place_while_recording_is_refused_as_torch_refuses_it():
    import torch

    import nn

    model = nn.ScalarMLP([2, 3, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    before = [p.data for p in model.parameters()]
    for p in model.parameters():
        with pytest.raises(RuntimeError, match=r"would make a new node and leave w itself unchanged"):
            p -= 0.05 * p.grad  # the micrograd-style step: rebinding p would leave the model as it was
    torch_leaf = torch.tensor(1.0, requires_grad=True)
    torch_leaf.grad = torch.tensor(1.0)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        torch_leaf -= 0.05 * torch_leaf.grad
    assert [p.data for p in model.parameters()] == before
    with no_grad():
        for p in model.parameters():
            p -= 0.05 * p.grad
    assert all(p.data == b - 0.05 * p.grad for p, b in zip(model.parameters(), before))
    x = Value(2.0)
    (x * x).backward()
    with pytest.raises(RuntimeError, match=r"in-place update \(w \+= \.\.\.\)"):
        x += 0.1


def test_plus_equals_under_no_grad_leaves_the_result_of_an_op_as_its_graph_needs_it():
    a, b = Value(2.0), Value(3.0)
    product = a * b
    result = product
    with no_grad():
        result += 1.0  # a new number, not a change of the product its backward reads
    assert (product.data, result.data, result is product) == (6.0, 7.0, False)
    product.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_an_in_place_update_follows_the_ops_own_rules():
    v = Value(2.0)
    with no_grad():
        v /= 0.0  # as v / 0.0: inf, not Python's ZeroDivisionError
    assert v.data == float("inf")
    t = Tensor(np.ones(2, np.float32), requires_grad=True)
    with no_grad():
        t -= np.array([0.5, 0.25])  # a float64 step keeps the float32 parameter float32, in its own array
    assert t.dtype == np.float32 and t.data.tolist() == [0.5, 0.75]


def test_threads_adding_into_one_parameters_grad_lose_nothing(run_racing):
    w = Tensor(np.ones((200, 200)), requires_grad=True)

    def backward_passes():
        for _ in range(100):
            (w * 2.0).sum().backward()

    run_racing(*[backward_passes] * 4)
    assert np.all(w.grad == 4 * 100 * 2.0)  # (unlocked, two threads' grad = grad + new kept one sum: 490 for 800)
