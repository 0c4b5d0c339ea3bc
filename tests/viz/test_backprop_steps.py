"""``viz.backprop_steps``: the frames of a backward pass, checked against notebook 01's numbers and against ``backward()``."""

from __future__ import annotations

import dataclasses
import re

import pytest

import viz
from autograd import Value, topological_order


def test_example_b_frames_show_notebook_01s_numbers(example_b):
    steps = viz.backprop_steps(example_b["f"], number_format=".2f")
    by_node = {step.node: step for step in steps}
    # The 1/x node's local gradient is -1/1.37**2 = -0.53 ...
    assert by_node[example_b["denominator"]].text.endswith("= 1.00 × -0.53 (from f via /) = -0.53")
    # ... the +1 node passes -0.53 on, the exp node multiplies by e**-1 (-0.20), the *-1 node flips it (0.20).
    assert "-0.53 × 1.00" in by_node[example_b["exp"]].text and by_node[example_b["exp"]].text.endswith("= -0.53")
    assert "-0.53 × 0.37" in by_node[example_b["negated"]].text and by_node[example_b["negated"]].text.endswith(
        "= -0.20"
    )
    assert "-0.20 × -1.00" in by_node[example_b["dot"]].text and by_node[example_b["dot"]].text.endswith("= 0.20")
    assert by_node[example_b["x1"]].text.endswith("0.20 × -3.00 (from the w1 * x1 node (data 6.00)) = -0.59")


def test_example_b_terms_are_upstream_times_local(example_b):
    steps = viz.backprop_steps(example_b["f"])
    exp_step = next(step for step in steps if step.node is example_b["exp"])
    (term,) = exp_step.terms
    assert term.consumer is example_b["denominator"] and term.op_name == "+"
    assert term.upstream == pytest.approx(-1 / (1 + 1 / 2.718281828459045) ** 2)
    assert term.local == 1.0
    for step in steps:
        for term in step.terms:
            assert term.downstream == pytest.approx(term.upstream * term.local, rel=1e-12)


def test_steps_run_in_backward_order_and_match_backward(example_b):
    f = example_b["f"]
    steps = viz.backprop_steps(f)
    assert [step.node for step in steps] == list(reversed(topological_order(f)))
    assert [step.index for step in steps] == list(range(len(steps)))
    assert steps[0].node is f and steps[0].gradient == 1.0 and "is the output" in steps[0].text
    assert all(node.grad is None for node in topological_order(f))  # the steps leave .grad alone
    f.backward()
    for step in steps:
        assert step.gradient == step.node.grad
        if step.terms:
            assert sum(term.downstream for term in step.terms) == pytest.approx(step.node.grad)


def test_a_node_used_twice_sums_both_parts():
    x = Value(3.0, label="x")
    y = x * x + x  # dy/dx = 2x + 1 = 7
    y.label = "y"
    step = next(step for step in viz.backprop_steps(y) if step.node is x)
    assert len(step.terms) == 3
    assert sorted(term.downstream for term in step.terms) == [1.0, 3.0, 3.0]
    assert step.gradient == 7.0 and step.text.endswith("= 7")


def test_each_step_drawing_highlights_its_node(example_a):
    steps = viz.backprop_steps(example_a["f"])
    q_step = next(step for step in steps if step.node is example_a["q"])
    source = q_step.drawing.source
    assert re.search(r'\tv2 \[.*fillcolor="#fff176"', source)  # q (v2) is the highlighted node
    assert re.search(r"\tv2 -> op4(e0)? \[.*penwidth=2\.5", source)  # and its gradient comes back along q -> *


def test_gradients_not_reached_yet_show_as_not_computed(example_a):
    steps = viz.backprop_steps(example_a["f"])
    # In the first step only f has its gradient; x's is not computed yet.
    assert '<B>x</B></TD></TR><TR><TD>data -2</TD></TR><TR><TD><FONT COLOR="#b3261e">grad ?</FONT>' in (
        steps[0].drawing.source
    )
    assert '<B>x</B></TD></TR><TR><TD>data -2</TD></TR><TR><TD><FONT COLOR="#b3261e">grad -4</FONT>' in (
        steps[-1].drawing.source
    )


def test_every_step_of_example_b_adds_up(example_b, written_sum):
    steps = viz.backprop_steps(example_b["f"])
    for step in steps[1:]:
        written = written_sum(step.text)
        assert len(written.terms) == len(step.terms) and written.hidden is None
        assert written.adds_up(), step.text


def test_a_cut_down_step_adds_the_terms_from_nodes_not_drawn_as_one_more(mlp_loss, written_sum):
    loss, model = mlp_loss(30)
    steps = viz.backprop_steps(loss, model=model)  # the default max_nodes=60 of a graph of 2348 nodes
    graph = topological_order(loss)
    loss.backward()
    cut = [step for step in steps if step.hidden_terms is not None]
    assert len(steps) < 60 and len(cut) == 2
    for step in steps[1:]:
        written = written_sum(step.text)
        assert written.adds_up(), step.text
        if step.hidden_terms is None:
            continue
        # The node is used once per input position it fills in the whole graph; the hidden terms are the rest.
        uses = sum(parent is step.node for node in graph for parent in node.parents)
        assert step.hidden_terms.count == uses - len(step.terms) == written.hidden[1]
        shown = sum(term.downstream for term in step.terms)
        assert step.hidden_terms.total == pytest.approx(step.node.grad - shown, rel=1e-9, abs=1e-12)
    # Without the hidden term, the written terms would not add up: the term is what makes the sum true.
    assert not any(dataclasses.replace(written_sum(step.text), hidden=None).adds_up() for step in cut)
    weight = next(step for step in cut if step.name == "l2.n0.w3")  # layers.2.neurons.0.weights.3, shortened
    assert re.search(r" \+ -?[\d.]+ \(26 terms from nodes not drawn, added up\) = ", weight.text)


def test_a_cut_down_picture_says_how_many_nodes_and_edges_are_left_out():
    start = Value(1.0, label="start")
    node = start
    for _ in range(20):
        node = node * start  # 20 products of two inputs: 21 values, 40 edges
    steps = viz.backprop_steps(node, max_nodes=5)
    # Drawn: start and the last 4 products, whose 8 inputs are drawn edges; 16 values and 32 edges are left out.
    # start is used 21 times (twice by the first product, once by each other): 4 drawn, 17 not.
    (start_step,) = [step for step in steps if step.node is start]
    assert len(start_step.terms) == 4 and start_step.hidden_terms.count == 17
    assert "left out: 16 of 21 nodes and 32 of 40 edges" in steps[0].canvas.paint().source


def test_a_node_that_needs_no_gradient_has_no_steps():
    constant = Value(2.0, requires_grad=False)
    assert viz.backprop_steps(constant) == []


def test_an_unlabelled_op_on_named_inputs_is_named_by_its_expression():
    """Two * nodes of data 9 had both read "the * node (data 9)"; now x * x and w * y tell them apart."""
    x, w, y = Value(3.0, label="x"), Value(3.0, label="w"), Value(3.0, label="y")
    squared, product = x * x, w * y
    total = (squared + product).tanh() * 2.0
    texts = [step.text for step in viz.backprop_steps(total)]
    assert any("(from the x * x node (data 9))" in text for text in texts)
    assert any(text.startswith("grad of the w * y node (data 9)") for text in texts)
    assert any(text.startswith("grad of the tanh node (data 1)") for text in texts)  # its input is unnamed
    # the output's box is drawn with the word "output", and its step starts with that word
    assert texts[0] == "output, the * node (data 2): its gradient with respect to itself is 1."
    assert "output" in viz.draw(total).source
