"""Shared set-up for the viz tests: the worked examples of notebooks 01 and 02, the DOT text taken apart, the renderers."""

from __future__ import annotations

import math
import re
import shutil
import sys
from dataclasses import dataclass

import pytest

import nn
from autograd import Value
from viz import dot_program


@pytest.fixture
def example_a():
    """Worked example A: ``f = (x + y) * z`` at x=-2, y=5, z=-4 (notebook 01)."""
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
    """Rendering through the system Graphviz ``dot``.

    Tests that use it carry the ``system_dot`` mark: a plain ``pytest`` leaves them
    out (a new user's machine has no system Graphviz), and ``pytest -m system_dot``
    runs them where it is installed, as CI does in a second run.
    """
    if shutil.which("dot") is None:
        pytest.fail("this test needs the system Graphviz `dot`: apt-get install graphviz, then pytest -m system_dot")
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


@pytest.fixture
def mlp_loss():
    """A 2-4-4-1 ``ScalarMLP``'s squared error summed over ``n_points`` fixed points: ``(loss, model)``."""

    def make(n_points: int):
        model = nn.ScalarMLP([2, 4, 4, 1], seed=0)
        points = [((math.cos(i), math.sin(2 * i)), 1.0 if i % 2 else -1.0) for i in range(n_points)]
        loss = sum((model(list(x)) - target) ** 2 for x, target in points)
        loss.label = "loss"
        return loss, model

    return make


_NUMBER = r"-?(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|inf|nan)"
_SCALAR_SUM = re.compile(r"^grad of .* = upstream × local = (.*) = (" + _NUMBER + r")$")
_TERM = re.compile(r"(?:^| \+ )(" + _NUMBER + r") × (" + _NUMBER + r") \(from ")
_HIDDEN_TERM = re.compile(r" \+ (" + _NUMBER + r") \((\d+) terms? from (?:nodes|a node) not drawn, added up\)")


def _half_unit(text: str, significant: int) -> float:
    """How far the number written as ``text`` (``significant`` digits, as ``.4g`` writes) can be from the true one."""
    value = float(text)
    return 0.0 if value == 0 else 0.5 * 10 ** (math.floor(math.log10(abs(value))) - significant + 1)


@dataclass
class WrittenSum:
    """A step's sum as its text writes it: the terms (upstream, local), the hidden terms (sum, count), the total."""

    terms: list[tuple[str, str]]
    hidden: tuple[str, int] | None
    total: str

    def adds_up(self, significant: int = 4) -> bool:
        """Whether the written terms add up to the written total, within the rounding of each written number."""
        written = float(self.hidden[0]) if self.hidden else 0.0
        error = _half_unit(self.total, significant) + (_half_unit(self.hidden[0], significant) if self.hidden else 0)
        for upstream, local in self.terms:
            du, dl = _half_unit(upstream, significant), _half_unit(local, significant)
            written += float(upstream) * float(local)
            error += abs(float(upstream)) * dl + abs(float(local)) * du + du * dl
        return abs(written - float(self.total)) <= error * (1 + 1e-9)


@pytest.fixture
def written_sum():
    """Read the numbers of a step's sentence ``grad of ... = upstream × local = u × l (from ...) + ... = total``."""

    def parse(text: str) -> WrittenSum:
        match = _SCALAR_SUM.match(text)
        assert match, f"not a sum of upstream × local terms: {text!r}"
        hidden = _HIDDEN_TERM.search(match.group(1))
        return WrittenSum(
            _TERM.findall(match.group(1)), (hidden.group(1), int(hidden.group(2))) if hidden else None, match.group(2)
        )

    return parse


@pytest.fixture
def slow_dot(monkeypatch, tmp_path):
    """A layout program that never finishes: a `dot` on PATH that sleeps for a minute."""
    program = tmp_path / "dot"
    program.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert dot_program.find_dot().path == str(program)
    return program
