"""``viz.draw``: the DOT text of the worked examples, node by node and edge by edge, and the drawing options."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import graphviz
import numpy as np
import pytest

import viz
from autograd import Value

REPO = Path(__file__).resolve().parents[2]


def _named(parse_dot, source):
    """Nodes as ``{id: label}`` and edges as ``{(tail label, head label, edge label)}`` (a multiset as a list)."""
    nodes, edges = parse_dot(source)
    labels = {node_id: label for node_id, (label, _) in nodes.items()}
    return labels, sorted((labels[tail], labels[head], label) for tail, head, label, _ in edges)


def test_example_a_values_gradients_ops_and_local_gradients(example_a, parse_dot):
    example_a["f"].backward()
    labels, edges = _named(parse_dot, viz.draw(example_a["f"], show_local_grads=True).source)
    assert sorted(label for node_id, label in labels.items() if node_id.startswith("v")) == sorted(
        [
            "x | data -2 | grad -4",
            "y | data 5 | grad -4",
            "q | data 3 | grad -4",
            "z | data -4 | grad 3",
            "f | data -12 | grad 1",
        ]
    )
    assert sorted(label for node_id, label in labels.items() if node_id.startswith("op")) == ["*", "+"]
    # df/dq is z = -4 and df/dz is q = 3 (the mul gate swaps its inputs); the add gate's local gradients are 1.
    # Each share is the op output's grad times local: 1 x -4, 1 x 3, and -4 x 1 into x and y.
    assert edges == sorted(
        [
            ("x | data -2 | grad -4", "+", "local 1 | share -4"),
            ("y | data 5 | grad -4", "+", "local 1 | share -4"),
            ("+", "q | data 3 | grad -4", ""),
            ("q | data 3 | grad -4", "*", "local -4 | share -4"),
            ("z | data -4 | grad 3", "*", "local 3 | share 3"),
            ("*", "f | data -12 | grad 1", ""),
        ]
    )


def test_example_b_values_gradients_ops_and_local_gradients(example_b, parse_dot):
    example_b["f"].backward()
    labels, edges = _named(parse_dot, viz.draw(example_b["f"], show_local_grads=True).source)
    values = sorted(label for node_id, label in labels.items() if node_id.startswith("v"))
    assert values == sorted(
        [
            "w0 | data 2 | grad -0.1966",
            "x0 | data -1 | grad 0.3932",
            "w1 | data -3 | grad -0.3932",
            "x1 | data -2 | grad -0.5898",
            "w2 | data -3 | grad 0.1966",
            "data -2 | grad 0.1966",  # w0 * x0
            "data 6 | grad 0.1966",  # w1 * x1
            "data 4 | grad 0.1966",
            "data 1 | grad 0.1966",  # the dot product is 1
            "data -1 | grad -0.1966",  # -dot
            "data 0.3679 | grad -0.5344",  # exp(-1)
            "data 1.368 | grad -0.5344",  # 1 + exp(-1)
            "f | data 0.7311 | grad 1",
            "1",  # the constants of "1 +" and "1 /"
            "1",
        ]
    )
    ops = sorted(label for node_id, label in labels.items() if node_id.startswith("op"))
    assert ops == sorted(["*", "*", "+", "+", "neg", "exp", "+", "/"])
    # Worked example B's chain (notebook 01): the 1/x node's local gradient -1/1.37**2, the +1 node's 1, exp's e**-1, the *-1 node's -1.
    assert ("data 1.368 | grad -0.5344", "/", "local -0.5344 | share -0.5344") in edges
    assert ("1", "/", "") in edges  # a constant gets no gradient, so its edge has no numbers
    assert ("data 0.3679 | grad -0.5344", "+", "local 1 | share -0.5344") in edges
    assert ("data -1 | grad -0.1966", "exp", "local 0.3679 | share -0.1966") in edges  # -0.5344 x 0.3679
    assert ("data 1 | grad 0.1966", "neg", "local -1 | share 0.1966") in edges
    assert ("x0 | data -1 | grad 0.3932", "*", "local 2 | share 0.3932") in edges  # d(w0*x0)/dx0 = w0
    assert ("w1 | data -3 | grad -0.3932", "*", "local -2 | share -0.3932") in edges  # d(w1*x1)/dw1 = x1


def test_before_backward_gradients_are_marked_not_computed_never_zero(example_a, parse_dot):
    source = viz.draw(example_a["f"]).source
    labels, _ = _named(parse_dot, source)
    value_labels = [label for node_id, label in labels.items() if node_id.startswith("v")]
    assert len(value_labels) == 5 and all(label.endswith("grad ?") for label in value_labels)
    assert "gradient not computed yet" in source
    assert "grad 0" not in source
    example_a["f"].backward()
    assert "not computed" not in viz.draw(example_a["f"]).source


def test_grads_from_a_backward_on_an_inner_node_are_not_passed_off_as_the_outputs():
    from autograd import Value

    x = Value(1.0, label="x")
    y = x * 2.0
    z = y * 3.0
    y.backward()  # x.grad = dy/dx = 2, not dz/dx = 6
    source = viz.draw(z, show_local_grads=True).source
    assert "grad 2" in source and "the grads drawn are from a backward() on another node" in source
    assert "gradient not computed yet" not in source
    z.backward()
    assert "another node" not in viz.draw(z).source


def test_a_number_that_shows_as_zero_has_no_minus_sign(parse_dot):
    """-0.0 (0 times a negative) and a tiny negative rounded away are drawn 0: "-0" reads as below zero."""
    from autograd import Value

    x, y = Value(0.0, label="x"), Value(-1.0, label="y")
    product = x * y
    assert math.copysign(1.0, product.data) < 0  # IEEE -0.0
    product.backward()
    for options in ({}, {"number_format": ".2f"}):
        labels, _ = _named(parse_dot, viz.draw(product, **options).source)
        assert not any("-0 " in label or "-0.00" in label or label.endswith("-0") for label in labels.values())
    tiny = Value(-1e-5, label="t") * 1.0
    assert "data 0.00" in viz.draw(tiny, number_format=".2f").source
    assert "data -0.01" in viz.draw(Value(-0.006) * 1.0, number_format=".2f").source
    assert "data -1e-05" in viz.draw(tiny).source  # (.4g shows it as it is)
    from viz.summaries import format_number

    # a fill character is no digit and no exponent: -0.5 stays -0.5 (it had become "eeee0.00")
    assert format_number(-0.5, "e>8.2f") == "eee-0.50" and format_number(-0.5, "E^9.1f") == "EE-0.5EEE"
    assert format_number(-0.0, "x^8") == "xx0.0xxx" and format_number(-1e-9, ".1%") == "0.0%"


def test_node_ids_follow_the_graph_order(example_a, parse_dot):
    labels, _ = _named(parse_dot, viz.draw(example_a["f"]).source)
    assert [labels[f"v{i}"].split(" |")[0] for i in range(5)] == ["x", "y", "q", "z", "f"]
    assert labels["op2"] == "+" and labels["op4"] == "*"  # each op is numbered after the value it makes


def _example_a_source() -> str:
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    f = (x + y) * z
    f.backward()
    return viz.draw(f, show_local_grads=True).source


_SOURCE_SCRIPT = """
import viz
from autograd import Value
padding = [Value(float(i)) for i in range(1000)]  # other objects first: different memory addresses
x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
f = (x + y) * z
f.backward()
print(viz.draw(f, show_local_grads=True).source, end="")
"""


def test_dot_text_is_the_same_bytes_in_another_process():
    first = _example_a_source()
    assert first == _example_a_source()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", _SOURCE_SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert other == first
    assert "0x" not in first  # no id()-like addresses


class _TinyModel:
    """A stand-in for an nn.Module: one neuron, ``tanh(w0*x0 + w1*x1 + b)``, with dotted parameter names."""

    def __init__(self):
        self.weights = [Value(0.5), Value(-1.5)]
        self.bias = Value(0.25)

    def named_parameters(self):
        yield "neuron.w.0", self.weights[0]
        yield "neuron.w.1", self.weights[1]
        yield "neuron.b", self.bias

    def __call__(self, inputs):
        total = self.bias
        for weight, x in zip(self.weights, inputs):
            total = total + weight * x
        return total.tanh()


def test_parameters_leaves_constants_and_output_are_told_apart(parse_dot):
    model = _TinyModel()
    inputs = [Value(2.0, label="x0"), Value(1.0, label="x1")]
    loss = (model(inputs) - 1.0) ** 2
    loss.backward()
    nodes, _ = parse_dot(viz.draw(loss, model=model).source)
    by_title = {label.split(" |")[0]: attributes for label, attributes in nodes.values()}
    for name in ("neuron.w.0", "neuron.w.1", "neuron.b"):
        assert 'fillcolor="#d9f2dc"' in by_title[name]  # parameter green
    for name in ("x0", "x1"):
        assert 'fillcolor="#dcebfa"' in by_title[name]  # leaf blue
    assert 'fillcolor="#ffe2bf"' in by_title["output"]  # the unlabelled output is called "output"
    constants = [attributes for label, attributes in nodes.values() if label in ("1", "2")]
    assert len(constants) == 2 and all("dashed" in attributes for attributes in constants)
    # The gradient of the bias is 2 (tanh(s) - 1) (1 - tanh(s)**2), with s = 0.5*2 - 1.5*1 + 0.25 = -0.25.
    s = math.tanh(-0.25)
    expected = 2 * (s - 1) * (1 - s * s)
    assert f"neuron.b | data 0.25 | grad {expected:.4g}" in [label for label, _ in nodes.values()]


def test_model_without_named_parameters_is_refused(example_a):
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw(example_a["f"], model=object())


def test_max_nodes_keeps_the_nodes_nearest_the_output_and_says_so(parse_dot):
    start = Value(1.0, label="start")
    node = start
    for _ in range(50):
        node = node + start  # 50 adds: 51 values
    node.label = "end"
    source = viz.draw(node, max_nodes=10).source
    nodes, edges = parse_dot(source)
    values = [node_id for node_id in nodes if node_id.startswith("v")]
    assert len(values) == 10
    assert "end | data 51" in nodes["v9"][0]
    assert "more nodes" in nodes["hidden"][0] and "41" in nodes["hidden"][0]
    # 50 adds of two inputs each: 100 edges; the 9 adds drawn (start is a leaf) bring 18 of them.
    assert "showing the 10 nodes nearest the output; left out: 41 of 51 nodes and 82 of 100 edges" in source
    assert any(tail == "hidden" for tail, _, _, _ in edges)


def test_an_op_with_thousands_of_inputs_not_drawn_gets_one_dashed_edge_for_them(parse_dot):
    """max_nodes bounds the drawing: 3,000 hidden inputs had drawn 3,000 edges and share labels (45 s of layout)."""
    from autograd import Tensor, stack

    total = stack([Tensor([float(i)], requires_grad=True) for i in range(3000)]).sum()
    total.backward()
    nodes, edges = parse_dot(viz.draw(total, show_local_grads=True, max_nodes=20).source)
    from_hidden = [edge for edge in edges if edge[0] == "hidden"]
    assert len(nodes) + len(edges) < 200
    (to_concatenate,) = [edge for edge in from_hidden if "inputs" in str(edge)]
    drawn_inputs = [edge for edge in edges if edge[1] == to_concatenate[1] and edge[0] != "hidden"]
    assert f"{3000 - len(drawn_inputs)} inputs" in str(to_concatenate) and len(drawn_inputs) > 5


def test_control_characters_in_a_label_are_drawn_as_escapes():
    """An SVG cannot hold them: the renderer had failed with 'not well-formed (invalid token)'."""
    from autograd import Value

    unwritable = [("\x1b[31m", "\\x1b[31m"), ("\x07", "\\x07"), ("a\nb", "a\\nb"), ("\ufffe", "\\ufffe")]
    for label, shown in [*unwritable, ("\ud800", "\\ud800")]:  # (a lone surrogate had failed to encode)
        drawing = viz.draw(Value(2.0, label=label) * 3.0)
        assert f"<B>{shown}</B>" in drawing.source
        assert b"<svg" in drawing.pipe(format="svg")


def test_a_chain_far_deeper_than_the_recursion_limit_draws(parse_dot):
    node = Value(0.0, label="start")
    for _ in range(20_000):
        node = node + 1.0
    nodes, _ = parse_dot(viz.draw(node, max_nodes=40).source)
    assert len([node_id for node_id in nodes if node_id.startswith("v")]) == 40


def test_options_rankdir_number_format_and_the_returned_type(example_a):
    example_a["f"].backward()
    drawing = viz.draw(example_a["f"], rankdir="TB", number_format=".2f")
    assert isinstance(drawing, graphviz.Digraph)
    assert "rankdir=TB" in drawing.source
    assert "data -12.00" in drawing.source and "grad 3.00" in drawing.source


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"rankdir": "XY"}, ValueError, "rankdir"),
        ({"number_format": "nonsense"}, ValueError, "number_format"),
        ({"number_format": ">1000000"}, ValueError, "pads every number to 1000000 characters; at most 40"),
        ({"number_format": ".50f"}, ValueError, "asks for 50 digits; at most 20"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"max_nodes": 2.5}, ValueError, "max_nodes"),
    ],
)
def test_bad_options_are_refused_by_name(example_a, options, error, message):
    with pytest.raises(error, match=message):
        viz.draw(example_a["f"], **options)


def test_drawing_something_that_is_not_a_node_is_refused_by_its_full_type_name(example_a):
    torch = pytest.importorskip("torch")
    op = example_a["f"].op
    given = [(3.0, "float"), (np.ones(2), "numpy.ndarray"), (torch.ones(2), "torch.Tensor")]
    for thing, name in [*given, (op, f"{type(op).__module__}.{type(op).__qualname__}")]:
        for show in (viz.draw, viz.backprop_player):
            with pytest.raises(TypeError) as error:
                show(thing)
            assert str(error.value).startswith(f"viz draws an autograd Value or Tensor, got {name}")


def test_a_variable_used_twice_has_two_edges_with_their_local_gradients(parse_dot):
    x = Value(3.0, label="x")
    y = x * x
    y.backward()
    _, edges = _named(parse_dot, viz.draw(y, show_local_grads=True).source)
    # d(a*b)/da = b = 3 on each edge, and the two shares add up to x's grad.
    assert edges.count(("x | data 3 | grad 6", "*", "local 3 | share 3")) == 2


def test_a_gradient_recorded_with_create_graph_shows_its_number(parse_dot):
    x = Value(3.0, label="x")
    y = x * x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    labels, _ = _named(parse_dot, viz.draw(y).source)
    assert "x | data 3 | grad 27" in labels.values()  # 3 x**2


_OPS = {
    "tanh": (lambda a, b: a.tanh(), (0.4, 0.0)),
    "sigmoid": (lambda a, b: a.sigmoid(), (-0.7, 0.0)),
    "exp": (lambda a, b: a.exp(), (0.3, 0.0)),
    "log": (lambda a, b: a.log(), (1.7, 0.0)),
    "div": (lambda a, b: a / b, (1.3, -0.6)),
    "pow": (lambda a, b: a**b, (1.3, 0.7)),
    "max": (lambda a, b: a.max(b), (1.3, -0.6)),
    "sub": (lambda a, b: a - b, (1.3, -0.6)),
}


@pytest.mark.parametrize(("f", "point"), _OPS.values(), ids=_OPS.keys())
def test_local_gradients_on_edges_match_finite_differences(f, point):
    a, b = Value(point[0]), Value(point[1])
    out = f(a, b)
    computed = dict(zip(map(id, out.parents), viz.local_gradients(out)))
    h = 1e-6
    for index, node in enumerate((a, b)):
        if id(node) not in computed:
            continue
        shifted = [list(point), list(point)]
        shifted[0][index] += h
        shifted[1][index] -= h
        numeric = (f(*map(Value, shifted[0])).data - f(*map(Value, shifted[1])).data) / (2 * h)
        assert computed[id(node)] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_named_data_is_a_full_box_and_an_unnamed_constant_a_small_one(parse_dot):
    x = Value(0.5, requires_grad=False, label="x")
    w = Value(2.0, label="w")
    y = w * x + 1.0
    y.backward()
    nodes, _ = parse_dot(viz.draw(y).source)
    by_label = {label: attributes for label, attributes in nodes.values()}
    assert "dashed" in by_label["x | data 0.5"] and "width" not in by_label["x | data 0.5"]
    assert "dashed" in by_label["1"] and "width=0.3" in by_label["1"]
    assert "w | data 2 | grad 0.5" in by_label


def test_before_backward_an_edge_shows_its_local_gradient_and_an_unknown_share(example_a, parse_dot):
    _, edges = _named(parse_dot, viz.draw(example_a["f"], show_local_grads=True).source)
    assert ("z | data -4 | grad ?", "*", "local 3 | share ?") in edges
    assert ("x | data -2 | grad ?", "+", "local 1 | share ?") in edges
