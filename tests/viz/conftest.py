"""Shared set-up for the viz tests: the curriculum's worked examples, the DOT text taken apart, the renderers."""

from __future__ import annotations

import re
import shutil

import pytest

from autograd import Value
from viz import dot_program


@pytest.fixture
def example_a():
    """Worked example A: ``f = (x + y) * z`` at x=-2, y=5, z=-4 (CURRICULUM.md section 1)."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return {"x": x, "y": y, "z": z, "q": q, "f": f}


@pytest.fixture
def example_b():
    """Worked example B: the sigmoid neuron ``1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))``, gate by gate."""
    leaves = {
        name: Value(v, label=name) for name, v in {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}.items()
    }
    dot = leaves["w0"] * leaves["x0"] + leaves["w1"] * leaves["x1"] + leaves["w2"]
    negated = -dot
    exponential = negated.exp()
    denominator = 1 + exponential
    f = 1 / denominator
    f.label = "f"
    return {**leaves, "dot": dot, "negated": negated, "exp": exponential, "denominator": denominator, "f": f}


_STATEMENT = re.compile(r"^\t(\w+)(?: -> (\w+))?(?: \[(.*)\])?$")
_LABEL = re.compile(r'label=(<<.*>>|"[^"]*"|[^ \]]+)')


def _visible_text(label: str) -> str:
    """The words of a label: HTML tags dropped, rows joined by ' | '."""
    label = label[1:-1] if label[0] in '<"' else label  # an HTML label <...> or a quoted string
    label = re.sub(r"</TD></TR><TR><TD>", " | ", label)
    return re.sub(r"<[^>]*>", "", label).strip()


_EDGE_LABEL_NODE = re.compile(r"^op\d+e\d+$")


def _parse(source: str):
    nodes, edges = {}, []
    for line in source.splitlines():
        match = _STATEMENT.match(line)
        if not match or match.group(1) in ("node", "edge", "graph"):
            continue
        tail, head, attributes = match.groups()
        attributes = attributes or ""
        label_match = _LABEL.search(attributes)
        label = _visible_text(label_match.group(1)) if label_match else ""
        if head is None:
            nodes[tail] = (label, attributes)
        else:
            edges.append((tail, head, label, attributes))
    return nodes, edges


@pytest.fixture
def parse_dot():
    """Split DOT text into ``{node id: (visible label, attributes)}`` and ``[(tail, head, edge label, attributes)]``.

    An edge drawn through a small node that carries its numbers (input -> numbers -> op) is
    given back as one edge input -> op whose label is that node's text.
    """

    def parse(source: str):
        nodes, edges = _parse(source)
        numbers = {node_id: nodes.pop(node_id)[0] for node_id in list(nodes) if _EDGE_LABEL_NODE.match(node_id)}
        onward = {tail: (head, attributes) for tail, head, _, attributes in edges if tail in numbers}
        joined = []
        for tail, head, label, attributes in edges:
            if tail in numbers:
                continue
            if head in numbers:
                head, label, attributes = onward[head][0], numbers[head], onward[head][1]
            joined.append((tail, head, label, attributes))
        return nodes, joined

    return parse


@pytest.fixture
def system_dot():
    """Rendering through the system Graphviz ``dot`` (CI installs it; see .ci/run)."""
    if shutil.which("dot") is None:
        pytest.skip("the system Graphviz `dot` is not installed (apt-get install graphviz)")
    program = dot_program.find_dot()
    assert program.kind == "system"
    return program


@pytest.fixture
def pure_dot_only(monkeypatch, tmp_path):
    """Rendering with ``dot`` hidden from PATH, so the graphviz-pure command is the one found."""
    monkeypatch.setenv("PATH", str(tmp_path))
    program = dot_program.find_dot()
    if program is None:
        pytest.skip("graphviz-pure is not installed (pip install 'tracegrad[viz]')")
    assert program.kind == "graphviz-pure"
    return program


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """No renderer at all: an empty PATH and no commands next to Python."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(dot_program, "_installed_script_dirs", list)
    assert dot_program.find_dot() is None
