"""The import graph of ``autograd``, ``nn`` and ``viz``: no circles, and dependencies pointing one way.

Every ``import`` statement in every module counts, including those only run for type
checkers (``if TYPE_CHECKING:``) and those inside functions: a circle hidden behind
either still ties two files together for a reader. The graph is read from the source
with ``ast``, so nothing is imported to draw it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "viz")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported_modules(name: str) -> set[str]:
    """The modules of the three packages that module ``name`` imports (a package stands for its ``__init__``)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # ``import a.b.c`` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imported_modules(name) for name in MODULES}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start, imports in graph.items():
        if start in index:
            continue
        work = [(start, iter(sorted(imports)))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    lowest[work[-1][0]] = min(lowest[work[-1][0]], lowest[node])
                if lowest[node] == index[node]:
                    group = []
                    while not group or group[-1] != node:
                        group.append(stack.pop())
                        on_stack.discard(group[-1])
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = lowest[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                lowest[node] = min(lowest[node], index[child])
    return groups


def test_the_circle_finder_finds_a_circle_of_three_and_nothing_in_a_chain():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_relative_type_checking_and_package_imports():
    assert "nn.training.history" in GRAPH["nn.training.callbacks"]  # from .history import ...
    assert "nn.module" in GRAPH["nn.layers.linear"]  # from ..module import Module
    assert "autograd" in GRAPH["nn.module"]  # from autograd import Node


def test_no_module_imports_itself_through_others():
    assert circles(GRAPH) == []


@pytest.mark.parametrize(("package", "forbidden"), [("autograd", ("nn", "viz")), ("nn", ("viz",))])
def test_dependencies_point_one_way(package: str, forbidden: tuple[str, ...]):
    wrong = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.split(".")[0] == package
        for target in targets
        if target.split(".")[0] in forbidden
    }
    assert wrong == set()
