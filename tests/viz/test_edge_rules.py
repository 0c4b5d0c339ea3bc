"""Every number on a labelled edge obeys the rule the legend prints beside it, on random graphs.

The rules: on an edge into an elementwise op, upstream grad x local = share;
on any edge, the share is what the op's backward passes to the input (checked
here by central differences of the op's forward, not by its backward); and a
value's grad is the sum of the shares on the edges leaving it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd import Tensor, Value
from viz.graph_walk import walk_graph
from viz.local_gradients import edge_flows

EXACT = ".17g"  # numbers written in full, so the DOT text parses back to the very floats drawn
_NUMBER = r"(-?[0-9.e+-]+|-?inf|nan)"

_VALUE_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "square": lambda a, b: a**2,
    "max": lambda a, b: a.max(b),
    "neg": lambda a, b: -a,
}


@st.composite
def value_graphs(draw):
    """A random expression over three leaves: each op takes the last result and any earlier node."""
    leaves = [Value(draw(st.floats(-2, 2)), label=f"x{i}") for i in range(3)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(sorted(_VALUE_OPS)))
        other = nodes[draw(st.integers(0, len(nodes) - 1))]
        nodes.append(_VALUE_OPS[op](nodes[-1], other))
    return nodes[-1]


def _value_boxes(source: str) -> dict[str, float]:
    """``{node id: grad}`` from the value boxes of the DOT text."""
    return {m[0]: float(m[1]) for m in re.findall(r"\t(v\d+) \[label=<.*?grad " + _NUMBER + "<", source)}


@settings(max_examples=60, deadline=None)
@given(value_graphs())
def test_value_edges_read_upstream_times_local_equals_share_and_shares_add_up(root):
    root.backward()
    source = viz.draw(root, show_local_grads=True, number_format=EXACT).source
    grads = _value_boxes(source)
    edges = re.findall(r"\t(op(\d+)e\d+) \[label=<.*?local " + _NUMBER + ".*?share " + _NUMBER + "<", source)
    tail_of = {label_id: tail for tail, label_id in re.findall(r"\t(v\d+) -> (op\d+e\d+) ", source)}
    received: dict[str, float] = {}
    for label_id, op_index, local, share in edges:
        upstream = grads[f"v{op_index}"]  # the op's output box: op7 makes v7
        assert float(share) == pytest.approx(upstream * float(local), rel=1e-12, abs=1e-300)
        received[tail_of[label_id]] = received.get(tail_of[label_id], 0.0) + float(share)
    assert received, "every random graph has at least one labelled edge"
    for tail, total in received.items():
        assert total == pytest.approx(grads[tail], rel=1e-9, abs=1e-12)
    assert "upstream grad (the op output's grad) × local = share" in source
    assert "a value's grad = the sum of the shares on the edges leaving it" in source


_TENSOR_OPS = ("tanh", "square", "broadcast add", "matmul", "sum axis 0", "transpose", "reshape", "softmax", "rows")


@st.composite
def tensor_graphs(draw):
    """A random chain of tensor ops from a (2, 3) leaf, with new leaves mixed in, summed to a scalar at the end."""
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)

    def leaf(*shape):
        return Tensor(rng.normal(size=shape), requires_grad=True)

    node = leaf(2, 3)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(_TENSOR_OPS))
        if op == "tanh":
            node = node.tanh()
        elif op == "square":
            node = node * node
        elif op == "broadcast add":
            node = node + leaf(node.shape[-1])
        elif op == "matmul" and node.ndim <= 2:
            node = node @ leaf(node.shape[-1], 2)
        elif op == "sum axis 0" and node.ndim == 2:
            node = node.sum(axis=0)
        elif op == "transpose" and node.ndim == 2:
            node = node.transpose()
        elif op == "reshape":
            node = node.reshape(-1)
        elif op == "softmax":
            node = node.softmax(axis=-1)
        elif op == "rows" and node.ndim == 2:
            node = node[np.array([0, 0, node.shape[0] - 1])]
    return (node * leaf(*node.shape)).sum()


def _vjp_by_differences(flow, h=1e-6):
    """d/d(input) of sum(upstream * op(inputs)): what the input should receive, from the forward alone."""
    inputs = [np.array(parent.data, dtype=np.float64) for parent in flow.node.parents]
    numeric = np.zeros_like(inputs[flow.position])
    for index in np.ndindex(numeric.shape):
        sides = []
        for step in (h, -h):
            moved = [x.copy() for x in inputs]
            moved[flow.position][index] += step
            sides.append(np.sum(flow.upstream * flow.node.op.forward(*moved)))
        numeric[index] = (sides[0] - sides[1]) / (2 * h)
    return numeric


@settings(max_examples=40, deadline=None)
@given(tensor_graphs())
def test_tensor_edges_carry_the_vector_jacobian_product_and_local_only_where_elementwise(root):
    root.backward()
    view = walk_graph(root)
    flows = [flow for node in view.nodes for flow in edge_flows(node, node.grad)]
    received = {}
    for flow in flows:
        # Central differences lose about 1e-10 of the largest number summed: the tolerance scales with it.
        scale = 1.0 + np.max(np.abs(flow.upstream * flow.node.data)) + np.max(np.abs(flow.share))
        np.testing.assert_allclose(flow.share, _vjp_by_differences(flow), rtol=1e-5, atol=1e-7 * scale)
        if flow.local is not None:
            assert flow.node.op.name in ("*", "+", "tanh") and flow.node.data.shape == flow.parent.data.shape
            np.testing.assert_allclose(flow.share, flow.upstream * flow.local, rtol=1e-12)
        else:
            assert flow.node.op.name not in ("*", "+", "tanh")
        received[flow.parent] = flow.share + received.get(flow.parent, 0.0)
    for node, total in received.items():
        np.testing.assert_allclose(total, node.grad, rtol=1e-10, atol=1e-12)
    source = viz.draw(root, show_local_grads=True).source
    named = re.findall(r"edge into ([^:]*): share = the op's backward", source)
    assert {flow.node.op.name for flow in flows if flow.local is None} == set(named[0].split(", ") if named else ())


def test_the_legend_names_uses_outside_the_drawing_instead_of_a_false_sum():
    x = Value(2.0, label="x")
    inner = x * 3.0
    (inner + x).backward()  # x is used twice, but the drawing of inner shows one of the uses
    source = viz.draw(inner, show_local_grads=True).source
    assert "the grad of x also has parts from uses not drawn" in source
    assert "a value's grad = the sum of the shares" not in source


def _tanh_chain(labelled, h_used_twice):
    x = Value(0.5, label="x")
    h = x * 2.0
    h.label = "h" if labelled else None
    a = h
    for i in range(6):
        a = a * 1.1
        a.label = f"m{i}" if labelled else None
        a = a.tanh()
        a.label = f"t{i}" if labelled else None
    out = ((a + h) if h_used_twice else a) * 3.0  # h's second use is near the output, its first far from it
    out.backward()
    return out


@pytest.mark.parametrize("labelled", [True, False])
@pytest.mark.parametrize("max_nodes", [4, 6, 8, 10])
def test_a_cut_drawing_makes_claims_only_about_the_values_it_draws(labelled, max_nodes):
    for h_used_twice in (False, True):
        out = _tanh_chain(labelled, h_used_twice)
        source = viz.draw(out, max_nodes=max_nodes, show_local_grads=True).source
        assert "graph cut" in source
        claims = re.findall(r"the grad of ([^<]*) also has parts from uses not drawn", source)
        if not h_used_twice:  # every drawn value's uses are drawn: its shares add up; hidden values are not named
            assert claims == [] and "a value's grad = the sum of the shares" in source
        elif max_nodes > 4:  # h is drawn, its use in the tanh chain is not
            assert claims == ["h" if labelled else "an unnamed * result (1)"]
        viz.backprop_player(out, max_nodes=max_nodes)  # the same cut, a step per node


def test_a_player_at_its_default_cut_of_a_network_works():
    import nn

    model = nn.ScalarMLP([2, 8, 8, 1], seed=0)
    points = [([1.0, -2.0], 1.0), ([0.5, 0.3], -1.0), ([-1.0, 0.2], 1.0)]
    loss = sum(((model(x) - y) ** 2 for x, y in points), Value(0.0))
    loss.backward()
    player = viz.backprop_player(loss, model=model)
    assert "graph cut" in player.html()


def test_a_nan_share_that_equals_its_nan_grad_adds_up():
    x, y = Value(-2.0, label="x"), Value(0.5, label="y")
    out = x**y  # a negative base to a fractional power: nan, and nan gradients
    out.backward()
    source = viz.draw(out, show_local_grads=True).source
    assert "uses not drawn" not in source


def test_grads_cleared_after_backward_are_not_called_not_computed_yet():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = x * w
    out.backward()
    w.zero_grad()
    source = viz.draw(out, show_local_grads=True).source
    assert (
        "no gradient now (cleared by zero_grad() since backward(), changed in place since, by an optimizer step "
        "say, or none reached it)"
    ) in source
    assert "not computed yet" not in source and "uses not drawn" not in source
    # a fresh output, before its backward(): x's grad is still out's
    assert "the grads drawn are from a backward() on another node" in viz.draw(x * w).source
    assert "not computed yet" in viz.draw(Value(2.0) * w).source  # no grad anywhere
