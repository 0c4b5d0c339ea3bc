"""Arithmetic typed as text (``"(x + y) * z"``) turned into a graph of Values, safely.

The text is parsed with Python's ``ast`` module and every part of the tree is
checked against a short whitelist: numbers, variable names, ``+ - * / **``,
unary minus and calls of a few known functions. Nothing is ever passed to
``eval``: the checked tree is walked and each part applies the matching
``Value`` operation, so text such as ``__import__('os')`` or ``x.__class__``
is refused before anything runs, with a caret under the offending part.
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from autograd import Value
from autograd.elementwise import Minimum

MAX_LENGTH = 2000
MAX_DEPTH = 200
# Each operation is an op node and a value box in the drawing; past this many the picture is
# unreadable, and a value used by every op (x + x + ... + x) takes Graphviz seconds to minutes to lay out.
MAX_OPERATIONS = 40

# The functions an expression may call, with their number of arguments.
FUNCTIONS: dict[str, tuple[int, Callable[..., Value]]] = {
    "exp": (1, Value.exp),
    "log": (1, Value.log),
    "tanh": (1, Value.tanh),
    "sigmoid": (1, Value.sigmoid),
    "relu": (1, Value.relu),
    "abs": (1, Value.abs),
    "step": (1, Value.step),
    "max": (2, Value.max),
    "min": (2, Minimum.apply),
}

_BINARY: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}

_OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}

# What to call the constructs that are refused, so the message names them.
_REFUSED = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[i])",
    ast.Lambda: "lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "a conditional (a if c else b)",
    ast.NamedExpr: "an assignment (:=)",
    ast.JoinedStr: "an f-string",
    ast.Starred: "unpacking (*a)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}

ALLOWED = "numbers, names of variables, + - * / **, unary minus, parentheses and the functions " + ", ".join(
    f"{name}({', '.join('xy'[:arity])})" for name, (arity, _) in FUNCTIONS.items()
)


class ExpressionError(ValueError):
    """An expression that is malformed or uses something outside the whitelist.

    ``str()`` gives the message, the expression and a caret line under the
    offending part; ``column`` is where it starts (1-based), or None.
    """

    def __init__(
        self,
        message: str,
        text: str = "",
        column: int | None = None,
        end_column: int | None = None,
        hint: str | None = None,
    ):
        self.message = message
        self.text = text
        self.column = column
        shown = message
        if text and column is not None:
            width = max(1, (end_column or column + 1) - column)
            shown += f" (column {column})\n  {text}\n  {' ' * (column - 1)}{'^' * width}"
        if hint:
            shown += f"\n{hint}"
        super().__init__(shown)


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its tree and the variables it needs (in order of appearance)."""

    text: str
    tree: ast.Expression
    variables: tuple[str, ...]

    def leaves(self, values: Mapping[str, float]) -> dict[str, Value]:
        """One leaf ``Value`` per variable, labelled with its name; every variable needs a value.

        The names are read as the parser reads them (see ``variable_name``): ``ｘ`` sets ``x``.
        """
        values = _by_variable_name(values)
        unset = [name for name in self.variables if name not in values]
        if unset:
            raise ExpressionError(f"no value for the variable(s) {', '.join(unset)}: set them, e.g. {unset[0]}=1.5")
        unused = sorted(set(values) - set(self.variables))
        if unused:
            raise ExpressionError(f"{', '.join(unused)} given a value but not used in {self.text!r}")
        return {name: Value(float(values[name]), label=name) for name in self.variables}

    def apply(self, leaves: Mapping[str, Value]) -> Value:
        """The graph of the expression over the given leaves (numbers in the text become constants)."""
        return _Builder(leaves).visit(self.tree)

    def build(self, values: Mapping[str, float]) -> Value:
        """The graph of ``Value`` nodes for the given variable values."""
        return self.apply(self.leaves(values))


def variable_name(text: str) -> str:
    """A name as the expression sees it: Python reads names in the NFKC normal form, so the full-width ``ｘ`` is ``x``."""
    return unicodedata.normalize("NFKC", text)


def _by_variable_name(values: Mapping[str, float]) -> dict[str, float]:
    named: dict[str, float] = {}
    spelled: dict[str, str] = {}
    for text, value in values.items():
        name = variable_name(text)
        if name in named:
            raise ExpressionError(f"{spelled[name]!r} and {text!r} are the same name {name!r}: give it one value")
        named[name], spelled[name] = value, text
    return named


def _character_column(line: str, byte_offset: int) -> int:
    """``ast`` counts columns in UTF-8 bytes; a caret needs characters (1-based)."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) + 1


def _fail(message: str, node: ast.AST, text: str, hint: str | None = None) -> ExpressionError:
    """The error for ``node``, marked under its place in the line (a node without one marks the first line)."""
    number = getattr(node, "lineno", 1)
    line = re.split(r"\r\n|\r|\n", text)[number - 1]  # Python's own line ends (splitlines also splits at a form feed)
    start = _character_column(line, getattr(node, "col_offset", 0))
    end_column = getattr(node, "end_col_offset", None) if getattr(node, "end_lineno", None) == number else None
    end = len(line) + 1 if end_column is None else _character_column(line, end_column)
    return ExpressionError(message, line, start, end, hint)


def _depth(tree: ast.AST) -> int:
    """How deeply the tree nests, found with a stack (a deep tree must not exhaust Python's recursion)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


class _Checker(ast.NodeVisitor):
    """Walks the tree and refuses anything outside the whitelist; collects the variable names."""

    def __init__(self, text: str):
        self.text = text
        self.variables: dict[str, None] = {}
        self.operations = 0

    def generic_visit(self, node: ast.AST) -> None:
        what = _REFUSED.get(type(node), type(node).__name__)
        raise _fail(f"{what} is not allowed in an expression", node, self.text, f"allowed: {ALLOWED}")

    def visit_Expression(self, node: ast.Expression) -> None:
        self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _fail(f"only numbers are allowed as constants, not {type(node.value).__name__}", node, self.text)
        try:
            finite = math.isfinite(float(node.value))
        except OverflowError:
            finite = False
        if not finite:  # 1e999 parses as inf
            raise _fail("this number is too large for a float", node, self.text)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FUNCTIONS:
            raise _fail(f"{node.id} is a function: call it, as in {node.id}(x)", node, self.text)
        if node.id.startswith("__"):
            raise _fail(f"names starting with '__' are not allowed ({node.id})", node, self.text)
        self.variables.setdefault(node.id)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if type(node.op) not in _BINARY:
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise _fail(f"the operator {symbol} is not supported; use + - * / **", node, self.text)
        self.operations += 1
        self.visit(node.left)
        self.visit(node.right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise _fail(f"the operator {symbol} is not supported; only unary minus (and plus)", node, self.text)
        self.operations += isinstance(node.op, ast.USub)
        self.visit(node.operand)

    def visit_Call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            raise _fail("only the known functions can be called", node.func, self.text, f"allowed: {ALLOWED}")
        name = node.func.id
        if name not in FUNCTIONS:
            raise _fail(f"unknown function {name!r}; the known ones are {', '.join(FUNCTIONS)}", node.func, self.text)
        if node.keywords:
            raise _fail(f"{name}() takes no keyword arguments", node.keywords[0].value, self.text)
        arity = FUNCTIONS[name][0]
        if len(node.args) != arity:
            raise _fail(f"{name}() takes {arity} argument(s), got {len(node.args)}", node, self.text)
        self.operations += 1
        for argument in node.args:
            self.visit(argument)


class _Builder(ast.NodeVisitor):
    """Walks a checked tree and applies the ``Value`` operation of each part."""

    def __init__(self, leaves: Mapping[str, Value]):
        self.leaves = leaves

    def visit_Expression(self, node: ast.Expression) -> Value:
        return self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> Value:
        return Value(float(cast(float, node.value)), requires_grad=False)  # the check let only numbers through

    def visit_Name(self, node: ast.Name) -> Value:
        return self.leaves[node.id]

    def visit_BinOp(self, node: ast.BinOp) -> Value:
        return _BINARY[type(node.op)](self.visit(node.left), self.visit(node.right))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Value:
        operand = self.visit(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand

    def visit_Call(self, node: ast.Call) -> Value:
        function = FUNCTIONS[cast(ast.Name, node.func).id][1]  # the check let only known names be called
        return function(*[self.visit(argument) for argument in node.args])


def parse_expression(text: str) -> Expression:
    """Parse and check ``text``; raises ``ExpressionError`` pointing at the first refused part."""
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got a {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        line = (error.text or text).rstrip("\n")
        column = error.offset if error.offset and error.offset <= len(line) + 1 else len(line) + 1
        raise ExpressionError(f"not a valid expression: {error.msg}", line, column) from None
    except (RecursionError, MemoryError, ValueError) as error:
        raise ExpressionError(f"the expression cannot be parsed: {error}") from None
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the expression nests more than {MAX_DEPTH} levels deep; split it up")
    checker = _Checker(text.strip())
    checker.visit(tree)
    if checker.operations > MAX_OPERATIONS:
        raise ExpressionError(
            f"the expression has {checker.operations} operations; at most {MAX_OPERATIONS} are accepted, "
            "so that its drawing stays readable and quick to lay out: split it into smaller ones"
        )
    return Expression(text.strip(), tree, tuple(checker.variables))


def build_expression(text: str, values: Mapping[str, float]) -> Value:
    """Parse ``text`` and build its graph of ``Value`` nodes with the given variable values."""
    return parse_expression(text).build(values)
