"""``viz.draw(check=True)``: the op whose backward disagrees with its forward drawn in red, and the count in the caption."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

import nn
import viz
from autograd import Function, Value, check_graph
from viz.dot_program import run_dot
from viz.graph_drawing import CHECK_FAIL_COLOR, CHECK_FAIL_FILL


class WrongCube(Function):
    """``x**3`` with twice the true local gradient (``6x**2``)."""

    name = "cube"

    def forward(self, x):
        return x**3

    def backward(self, grad, out, x):
        return grad * 6 * x**2


def _graph_with_a_wrong_cube():
    x, y = Value(0.5, label="x"), Value(-1.5, label="y")
    product = x * y
    c = WrongCube.apply(product)
    c.label = "c"
    f = (c + x).tanh() * y
    f.label = "f"
    f.backward()
    return f, c


def _ops(parse_dot, source):
    nodes, _ = parse_dot(source)
    return {label: attributes for node_id, (label, attributes) in nodes.items() if node_id.startswith("op")}


def test_the_wrong_op_is_red_with_its_error_and_the_caption_counts_the_ops(parse_dot):
    f, c = _graph_with_a_wrong_cube()
    report = check_graph(f)
    (wrong,) = report.failures
    assert wrong.node is c
    # p = x*y = -0.75, so the true local gradient is 3p**2 = 1.6875 and the op gives twice that: the error is
    # |upstream| x 1.6875, whatever the (random) upstream gradient is.
    upstream = wrong.analytic[0] / (6 * 0.75**2)
    assert wrong.error == pytest.approx(abs(upstream) * 3 * 0.75**2, rel=1e-6)
    source = viz.draw(f, check=True).source
    ops = _ops(parse_dot, source)
    red = [label for label, attributes in ops.items() if f'fillcolor="{CHECK_FAIL_FILL}"' in attributes]
    assert red == [f"cube\\nerror {wrong.error:.4g}"]
    assert f'color="{CHECK_FAIL_COLOR}"' in ops[red[0]]
    assert sum(CHECK_FAIL_FILL in attributes for attributes in ops.values()) == 1
    assert "op failing the gradient check" in source
    assert f"4 of 5 ops pass the gradient check; red: c (cube, error {wrong.error:.4g})" in source


def test_a_graph_whose_ops_all_pass_says_so_and_has_no_red():
    x = Value(0.3, label="x")
    f = (x * 2.0).tanh() + x.exp()
    source = viz.draw(f, check=True).source
    assert "4 of 4 ops pass the gradient check: each op's backward agrees" in source
    assert CHECK_FAIL_FILL not in source
    assert "gradient check" not in viz.draw(f).source


def test_a_report_can_be_passed_and_a_failure_not_drawn_is_named():
    f, _ = _graph_with_a_wrong_cube()
    report = check_graph(f)
    source = viz.draw(f, check=report, max_nodes=3).source
    assert CHECK_FAIL_FILL not in source.split('label=<<TABLE BORDER="0" CELLSPACING')[0]  # no op drawn red
    assert f"red: c (cube, error {report.failures[0].error:.4g}, not drawn)" in source
    with pytest.raises(TypeError, match="check must be True, False or a report"):
        viz.draw(f, check="yes")


def test_a_neuron_box_holding_a_failing_op_is_outlined_red(parse_dot):
    model = nn.ScalarMLP(2, [2, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    report = check_graph(loss)
    assert report.ok
    tanh = next(entry for entry in report if entry.name == "tanh")
    flagged = [replace(entry, ok=False, error=0.25) if entry is tanh else entry for entry in report]
    source = viz.draw(loss, model=model, level="neurons", check=type(report)(flagged, report.settings)).source
    nodes, _ = parse_dot(source)
    boxes = [(label, attributes) for node_id, (label, attributes) in nodes.items() if node_id.startswith("g")]
    outlined = [label for label, attributes in boxes if f'color="{CHECK_FAIL_COLOR}"' in attributes]
    assert len(outlined) == 1 and "fails the gradient check: tanh" in outlined[0]
    assert f"{len(report) - 1} of {len(report)} ops pass the gradient check" in source


def test_the_check_drawing_renders():
    f, _ = _graph_with_a_wrong_cube()
    svg = run_dot(viz.draw(f, check=True).source, "svg").decode()
    assert svg.count(CHECK_FAIL_FILL) >= 2 and "error" in svg  # the red op and its legend cell
    assert math.isfinite(check_graph(f).failures[0].error)


def test_a_traced_torch_graph_is_checked_op_by_op():
    """torch's own ops, re-run forward and backward through torch, pass; the drawing says so."""
    torch = pytest.importorskip("torch")
    with viz.trace_torch():
        x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
        f = ((x * 3).tanh() + x.exp()).sum()
    f.backward()
    source = viz.draw(f, check=True).source
    assert "5 of 5 ops pass the gradient check" in source and CHECK_FAIL_FILL not in source  # *, tanh, exp, +, sum
