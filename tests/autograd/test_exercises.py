"""The checks of notebook 08's exercises: the notebook's solutions pass, each typical mistake gets a hint naming it.

The learner's engine is the one notebook 08 builds: its code cells (not the
check cells) are run here, and single functions are then replaced by broken
versions, one typical mistake at a time.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from autograd import check_graph, exercises

jupytext = pytest.importorskip("jupytext")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08_build_your_own_engine.md"


@pytest.fixture
def engine():
    """The namespace after running notebook 08's code cells, check cells left out."""
    namespace: dict = {}
    for cell in jupytext.read(NOTEBOOK).cells:
        if cell.cell_type == "code" and not cell.source.startswith("check."):
            exec(compile(cell.source, str(NOTEBOOK), "exec"), namespace)  # noqa: S102 - the repository's own notebook
    return namespace


def _verdict(capsys, run) -> str:
    run()
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1, printed
    return printed.strip()


def test_the_notebooks_solutions_pass_every_check(engine, capsys):
    Value, Neuron = engine["Value"], engine["Neuron"]
    runs = [
        lambda: exercises.add_gate(Value),
        lambda: exercises.mul_gate(Value),
        lambda: exercises.topological_order(engine["topological_order"], Value),
        lambda: exercises.backward(Value),
        lambda: exercises.tanh(Value),
        lambda: exercises.neuron(Neuron, Value),
        lambda: exercises.training_step(engine["training_step"], Neuron, Value),
    ]
    for run in runs:
        assert _verdict(capsys, run).startswith("✓ ")


def _replace_backward(Value, op, make_backward):
    """Replace the gradient rule of the learner's ``op`` (``"+"`` or ``"*"``), keeping its forward."""
    original = {"+": Value.__add__, "*": Value.__mul__}[op]

    def broken(self, other):
        out = original(self, other)
        a, b = out._prev
        out._backward = make_backward(a, b, out)
        return out

    setattr(Value, {"+": "__add__", "*": "__mul__"}[op], broken)


def test_an_add_gate_that_sets_instead_of_adding_is_caught_on_a_value_used_twice(engine, capsys):
    Value = engine["Value"]

    def setting(a, b, out):
        def _backward():
            a.grad = out.grad
            b.grad = out.grad

        return _backward

    _replace_backward(Value, "+", setting)
    verdict = _verdict(capsys, lambda: exercises.add_gate(Value))
    assert verdict.startswith("✗ hint: add gate: c.grad for out = c + c should be 2, got 1.0")
    assert "add with +=" in verdict


def test_a_mul_gate_that_does_not_swap_is_named(engine, capsys):
    Value = engine["Value"]

    def unswapped(a, b, out):
        def _backward():
            a.grad += a.data * out.grad
            b.grad += b.data * out.grad

        return _backward

    _replace_backward(Value, "*", unswapped)
    verdict = _verdict(capsys, lambda: exercises.mul_gate(Value))
    # a = 3, b = -1, upstream 2.5: a must get 2.5 * b = -2.5; the unswapped rule gives 2.5 * a = 7.5.
    assert verdict.startswith(
        "✗ hint: mul gate: a.grad after out._backward() with out.grad = 2.5 should be -2.5, got 7.5"
    )


def test_a_topological_order_without_a_visited_set_or_in_the_wrong_order(engine, capsys):
    Value = engine["Value"]

    def without_visited(root):
        order = []

        def visit(node):
            for child in node._prev:
                visit(child)
            order.append(node)

        visit(root)
        return order

    def parents_first(root):
        order, seen, stack = [], set(), [root]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                order.append(node)
                stack.extend(node._prev)
        return order

    verdict = _verdict(capsys, lambda: exercises.topological_order(without_visited, Value))
    assert verdict == (
        "✗ hint: topological order: x appears 2 times in the order, it should appear once: "
        "remember which nodes you visited"
    )
    verdict = _verdict(capsys, lambda: exercises.topological_order(parents_first, Value))
    assert verdict.startswith("✗ hint: topological order: on g = (x + y) * z + q, g comes before ")
    assert "append a node only after all of its children" in verdict


def test_a_breadth_first_order_is_caught_on_a_value_used_early_and_late(engine, capsys):
    """Reversed breadth-first order fits example A, but not m = x * y used by g itself and far below it."""
    Value = engine["Value"]

    def breadth_first(root):
        order, seen, queue = [], {root}, [root]
        while queue:
            node = queue.pop(0)
            order.append(node)
            for child in node._prev:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return order[::-1]

    verdict = _verdict(capsys, lambda: exercises.topological_order(breadth_first, Value))
    assert verdict.startswith("✗ hint: topological order: on g = (m + x) * y + m, m = x * y, a comes before m, ")
    engine["Value"].backward = lambda self: _backward_in(self, breadth_first)
    verdict = _verdict(capsys, lambda: exercises.backward(Value))
    # (both checks had passed it, and then g = (m + x) * y + m gave x.grad = 2 where the answer is 8)
    assert verdict.startswith("✗ hint: backward: on g = (m + x) * y + m, m = x * y, ")


def _backward_in(output, order):
    output.grad = 1.0
    for node in reversed(order(output)):
        node._backward()


def test_a_backward_without_the_seed_or_in_forward_order(engine, capsys):
    Value, order = engine["Value"], engine["topological_order"]

    def unseeded(self):
        for node in reversed(order(self)):
            node._backward()

    def forward_order(self):
        self.grad = 1.0
        for node in order(self):
            node._backward()

    Value.backward = unseeded
    assert _verdict(capsys, lambda: exercises.backward(Value)).startswith(
        "✗ hint: backward: g.grad should be 1, got 0.0: backward starts with self.grad = 1"
    )

    def only_its_own(self):
        self.grad = 1.0
        self._backward()

    # In forward order only g's own _backward sees a gradient: f gets 1, but f's share never reaches q, z, x, y.
    # The hint is about the loop (it had said that q's two shares must add up, which the add gate already does).
    for wrong in (forward_order, only_its_own):
        Value.backward = wrong
        assert _verdict(capsys, lambda: exercises.backward(Value)) == (
            "✗ hint: backward: on g = (x + y) * z + q, only g's own _backward reached its inputs: call every node's "
            "_backward from g back to the leaves (reversed topological order), so each node has every share of its "
            "gradient before its _backward passes it on"
        )


def test_a_wrong_tanh_derivative_is_named_at_its_first_point_and_check_graph_finds_the_node(engine, capsys):
    Value = engine["Value"]

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t) * out.grad  # forgot to square

        out._backward = _backward
        return out

    Value.tanh = tanh
    verdict = _verdict(capsys, lambda: exercises.tanh(Value))
    expected = 1 - math.tanh(-2.0) ** 2
    assert verdict.startswith(
        f"✗ hint: tanh: x.grad (0.25 from another use, plus tanh's share at x = -2.0) should be {0.25 + expected:.6g}, got "
    )
    # In the neuron the output is right, and check_graph names the tanh node before any gradient is compared.
    verdict = _verdict(capsys, lambda: exercises.neuron(engine["Neuron"], Value))
    assert verdict.startswith("✗ hint: neuron: check_graph: the tanh node (data ")
    assert "x upstream to the + node (data " in verdict and "but central differences of its forward give" in verdict
    x = Value(0.5, label="x")
    out = (x * 2.0).tanh() + x
    report = check_graph(exercises.mirror(out))
    assert [entry.name for entry in report.failures] == ["tanh"]
    wrong = report.failures[0]
    # d tanh(s)/ds at s = 1 is 1 - tanh(1)**2 = 0.41997; the broken rule gives 1 - tanh(1) = 0.23841.
    assert wrong.analytic[0] / wrong.upstream == pytest.approx(1 - math.tanh(1.0), rel=1e-12)
    assert wrong.numerical[0] / wrong.upstream == pytest.approx(1 - math.tanh(1.0) ** 2, rel=1e-6)


def test_a_neuron_without_its_bias_and_a_training_step_that_keeps_old_gradients(engine, capsys):
    Value, Neuron = engine["Value"], engine["Neuron"]

    class NoBias(Neuron):
        def __call__(self, x):
            total = Value(0.0)
            for wi, xi in zip(self.w, x):
                total = total + wi * xi
            return total.tanh()

    def with_a_bias_of_a_quarter(n_inputs):
        made = NoBias(n_inputs)
        made.b.data = 0.25  # a bias the forward forgets
        return made

    verdict = _verdict(capsys, lambda: exercises.neuron(with_a_bias_of_a_quarter, Value))
    assert verdict.startswith("✗ hint: neuron: the neuron's output should be ")
    assert verdict.endswith("tanh(w0*x0 + w1*x1 + w2*x2 + b)")

    def keeps_old_gradients(neuron, xs, ys, learning_rate):
        loss = Value(0.0)
        for x, y in zip(xs, ys):
            loss = loss + (neuron(x) - y) ** 2
        loss.backward()
        for p in neuron.parameters():
            p.data -= learning_rate * p.grad
        return loss

    def ascends(neuron, xs, ys, learning_rate):
        return engine["training_step"](neuron, xs, ys, -learning_rate)

    verdict = _verdict(capsys, lambda: exercises.training_step(keeps_old_gradients, Neuron, Value))
    assert verdict.startswith("✗ hint: training step: after step 2, w0.data should be ")
    assert verdict.endswith("step 1 was right, so the gradients of step 1 were still there: set p.grad = 0 first")
    verdict = _verdict(capsys, lambda: exercises.training_step(ascends, Neuron, Value))
    assert verdict.endswith("it moved up the gradient: a descent step subtracts learning_rate * p.grad")


def test_an_unfinished_exercise_and_a_crash_are_hints_not_tracebacks(engine, capsys):
    Value = engine["Value"]

    def unfinished(root):
        raise NotImplementedError()

    verdict = _verdict(capsys, lambda: exercises.topological_order(unfinished, Value))
    assert verdict.startswith(  # then the function's qualified name (its bare name before Python 3.11)
        "✗ hint: topological order: topological_order(g) on g = (x + y) * z + q raised NotImplementedError in "
    )
    assert verdict.endswith("unfinished: that exercise is not written yet (replace its stub)")
    assert _verdict(capsys, lambda: exercises.topological_order(lambda root: root.children, Value)) == (
        "✗ hint: topological order: topological_order(g) on g = (x + y) * z + q raised AttributeError: "
        "'Value' object has no attribute 'children'"
    )


def test_a_stub_left_in_an_earlier_exercise_is_named_as_the_one_not_written(engine, capsys):
    """backward() written, topological_order still the stub: the hint names the stub, not backward."""
    Value = engine["Value"]

    def topological_order_stub(root):
        raise NotImplementedError()

    Value.backward = lambda self: _backward_in(self, topological_order_stub)
    verdict = _verdict(capsys, lambda: exercises.backward(Value))
    assert "raised NotImplementedError in " in verdict  # then its qualified name (its bare name before Python 3.11)
    assert verdict.endswith("topological_order_stub: that exercise is not written yet (replace its stub)")
    original_add = Value.__add__

    def add_with_a_stub_backward(self, other):
        out = original_add(self, other)

        def _backward():
            raise NotImplementedError()

        out._backward = _backward
        return out

    Value.__add__ = add_with_a_stub_backward
    verdict = _verdict(capsys, lambda: exercises.neuron(engine["Neuron"], Value))
    # (it had read "check_graph: the backward of the + node (data 0.3444) raised NotImplementedError:", nothing after)
    assert verdict.startswith("✗ hint: neuron: the backward of the + node (data ")
    assert verdict.endswith("raised NotImplementedError: that exercise is not written yet (replace its stub)")


def test_a_tanh_backward_that_replaces_the_gradient_instead_of_adding_to_it(engine, capsys):
    """self.grad = ... instead of += passed every check, then gave 0.0707 for d(tanh(x) + x)/dx = 1.0707."""
    Value = engine["Value"]

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad = (1 - t**2) * out.grad

        out._backward = _backward
        return out

    Value.tanh = tanh
    verdict = _verdict(capsys, lambda: exercises.tanh(Value))
    assert verdict.startswith("✗ hint: tanh: x.grad held 0.25 from another use of x, and tanh's backward replaced it")
    assert verdict.endswith("add the share with +=, not =")


def test_a_training_step_that_updates_with_zeroed_or_missing_gradients(engine, capsys):
    Value, Neuron = engine["Value"], engine["Neuron"]

    def zeroes_after_backward(neuron, xs, ys, learning_rate):
        loss = sum(((neuron(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
        loss.backward()
        for p in neuron.parameters():
            p.grad = 0.0
            p.data -= learning_rate * p.grad
        return loss

    def updates_before_backward(neuron, xs, ys, learning_rate):
        for p in neuron.parameters():
            p.grad = 0.0
        loss = sum(((neuron(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
        for p in neuron.parameters():
            p.data -= learning_rate * p.grad
        loss.backward()
        return loss

    verdict = _verdict(capsys, lambda: exercises.training_step(zeroes_after_backward, Neuron, Value))
    assert verdict.endswith(
        "every p.grad is 0 now: zero the gradients first, then loss.backward(), then "
        "p.data -= learning_rate * p.grad (in that order)"
    )
    verdict = _verdict(capsys, lambda: exercises.training_step(updates_before_backward, Neuron, Value))
    assert verdict.startswith("✗ hint: training step: after step 1, w0.data should be ")
    assert verdict.endswith("the update p.data -= learning_rate * p.grad must come after loss.backward()")


def test_an_expected_number_is_shown_with_the_digits_that_tell_it_from_the_one_got():
    assert exercises._shown(6.201351234, 6.201327847857113) == "6.20135"
    assert exercises._shown(6.2013512345, 6.2013499) == "6.201351"  # (6 digits would show both as 6.20135)


def test_the_mirror_of_a_value_used_twice_checks_its_total_share(engine):
    """``c * c`` has one input used twice: the mirror's op has one input, whose share is 2c x upstream."""
    Value = engine["Value"]
    c = Value(1.5, label="c")
    square = c * c
    report = check_graph(exercises.mirror(square))
    (entry,) = report
    assert report.ok and len(entry.node.parents) == 1 and entry.node.parents[0].label == "c"
    assert entry.analytic[0] / entry.upstream == pytest.approx(3.0, rel=1e-12)
    assert (c.grad, square.grad) == (0.0, 0.0)  # the learner's gradients are put back as they were
