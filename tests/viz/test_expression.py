"""The expression whitelist: what it builds, and everything it refuses (with a caret under the culprit)."""

from __future__ import annotations

import math

import pytest

import viz
from autograd import topological_order


def test_worked_example_a_from_text():
    f = viz.build_expression("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    f.backward()
    leaves = {node.label: node for node in topological_order(f) if node.is_leaf}
    assert f.data == -12.0
    assert {name: node.grad for name, node in leaves.items()} == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_worked_example_b_from_text():
    expression = viz.parse_expression("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))")
    assert expression.variables == ("w0", "x0", "w1", "x1", "w2")
    leaves = expression.leaves({"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    f = expression.apply(leaves)
    f.backward()
    assert round(f.data, 4) == 0.7311
    expected = {"w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898, "w2": 0.1966}
    assert {name: round(leaf.grad, 4) for name, leaf in leaves.items()} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tanh(x) ** 2", math.tanh(0.5) ** 2),
        ("sigmoid(x) - relu(-x) + abs(-x)", 1 / (1 + math.exp(-0.5)) + 0.5),
        ("max(x, 2) / min(x, 2)", 4.0),
        ("log(exp(x)) * 2 ** 3", 4.0),
        ("-x + +x - 1.5e0", -1.5),
        ("step(x) + step(-x)", 1.0),
    ],
)
def test_whitelisted_functions_compute(text, expected):
    assert viz.build_expression(text, {"x": 0.5}).data == pytest.approx(expected, rel=1e-12)


def test_a_variable_used_twice_is_one_leaf():
    f = viz.build_expression("x * x + x", {"x": 3})
    f.backward()
    (leaf,) = [node for node in topological_order(f) if node.is_leaf]
    assert leaf.grad == 7.0


# (expression, words the message must contain, the text the caret must underline or None)
HOSTILE = [
    ("__import__('os').system('id')", "only the known functions can be called", "__import__('os').system"),
    ("x.__class__", "attribute access", "x.__class__"),
    ("().__class__.__bases__", "attribute access", "().__class__.__bases__"),
    ("lambda: 1", "lambda", "lambda: 1"),
    ("[x for x in y]", "list comprehension", "[x for x in y]"),
    ("x[0]", "indexing", "x[0]"),
    ("open('f')", "unknown function 'open'", "open"),
    ("1 +", "not a valid expression", None),
    ("exec('print(1)')", "unknown function 'exec'", "exec"),
    ("x if x else 1", "conditional", "x if x else 1"),
    ("'a' * 3", "only numbers", "'a'"),
    ("x // 2", "operator //", "x // 2"),
    ("x == 1", "comparison", "x == 1"),
    ("(x := 2)", "assignment", "x := 2"),
    ("{'a': x}", "dict", "{'a': x}"),
    ("exp(x, x)", "exp() takes 1 argument", "exp(x, x)"),
    ("max(x, y=1)", "keyword", "1"),
    ("exp", "exp is a function", "exp"),
    ("__builtins__", "'__'", "__builtins__"),
    ("f'{x}'", "f-string", "f'{x}'"),
    ("import os", "not a valid expression", None),
    ("x; y", "not a valid expression", None),
    ("~x", "operator ~", "~x"),
    ("1 + 2j", "complex", "2j"),
    ("True + x", "bool", "True"),
    ("", "empty", None),
]


@pytest.mark.parametrize(("text", "words", "culprit"), HOSTILE, ids=[case[0] or "empty" for case in HOSTILE])
def test_hostile_and_malformed_text_is_refused_with_a_pointer(text, words, culprit):
    with pytest.raises(viz.ExpressionError) as error:
        viz.parse_expression(text)
    message = str(error.value)
    assert words in message
    if culprit is not None:
        line, carets = message.splitlines()[1:3]
        start = line.index(text) + text.index(culprit)
        assert carets == " " * start + "^" * len(culprit)
        assert error.value.column == text.index(culprit) + 1


def test_syntax_errors_point_at_the_column():
    with pytest.raises(viz.ExpressionError) as error:
        viz.parse_expression("(x + y")
    assert error.value.column is not None and "^" in str(error.value)


def test_unset_and_unknown_variables_are_named():
    expression = viz.parse_expression("a * b + c")
    with pytest.raises(viz.ExpressionError, match="no value for the variable"):
        expression.build({"a": 1})
    with pytest.raises(viz.ExpressionError, match=r"b, c"):
        expression.build({"a": 1})
    with pytest.raises(viz.ExpressionError, match=r"d given a value but not used"):
        expression.build({"a": 1, "b": 2, "c": 3, "d": 4})


def test_names_are_given_values_as_the_parser_reads_them():
    """Python reads names in NFKC form: the full-width ｘ in the text is x, and so is ｘ in the values."""
    expression = viz.parse_expression("ｘ*2 + ﬁ")  # a full-width x and the ligature fi
    assert expression.variables == ("x", "fi")
    assert expression.build({"ｘ": 3.0, "ﬁ": 1.0}).data == 7.0
    assert expression.build({"x": 3.0, "fi": 1.0}).data == 7.0
    with pytest.raises(viz.ExpressionError, match="'ｘ' and 'x' are the same name 'x'"):
        expression.build({"ｘ": 3.0, "x": 4.0, "fi": 1.0})


def test_huge_and_deep_inputs_are_refused_without_crashing():
    with pytest.raises(viz.ExpressionError, match="nests more than"):
        viz.parse_expression("x" + " + x" * 300)
    with pytest.raises(viz.ExpressionError, match="characters long"):
        viz.parse_expression("x + " * 1000 + "x")
    with pytest.raises(viz.ExpressionError, match="too large"):
        viz.parse_expression("1" + "0" * 400)
    with pytest.raises(viz.ExpressionError, match=r"too large for a float \(column 5\)"):
        viz.parse_expression("x * 1e999")  # Python reads it as inf


def test_the_number_of_operations_is_bounded():
    """Each +, -, *, /, ** and call is an op node; past the bound a drawing is unreadable and slow to lay out."""
    at_the_bound = viz.parse_expression("+".join(["x"] * (viz.expression.MAX_OPERATIONS + 1)))
    assert at_the_bound.build({"x": 1.0}).data == viz.expression.MAX_OPERATIONS + 1
    with pytest.raises(viz.ExpressionError, match=r"has 41 operations; at most 40 are accepted"):
        viz.parse_expression("+".join(["x"] * 42))
    with pytest.raises(viz.ExpressionError, match=r"has 41 operations"):
        viz.parse_expression("-" + "*".join(["exp(x)"] * 20) + " + x")  # 1 negation, 20 calls, 19 products, 1 sum
    assert viz.parse_expression("+" * 30 + "x").build({"x": 2.0}).data == 2.0  # a unary plus is no operation


def test_nothing_is_evaluated_while_checking(tmp_path):
    marker = tmp_path / "touched"
    with pytest.raises(viz.ExpressionError):
        viz.parse_expression(f"open({str(marker)!r}, 'w')")
    assert not marker.exists()


def test_the_caret_marks_the_right_line_past_a_form_feed():
    """A form feed is whitespace to Python but a line end to splitlines: the caret had marked the line "x +"."""
    text = "x +\x0c y @ z"
    with pytest.raises(viz.ExpressionError) as error:
        viz.parse_expression(text)
    line, carets = str(error.value).split("\n")[1:3]
    assert line.strip() == text and carets == " " * line.index("y @ z") + "^" * len("y @ z")
