"""Write the learner's copy of the exercise notebooks: every solution replaced by a stub.

In an exercise notebook (``notebooks/NN_*.md`` with solution markers) each
solution sits between a line ``### BEGIN SOLUTION`` and a line
``### END SOLUTION``. The learner's copy keeps everything else and puts, at the
indentation of the markers, a comment and ``raise NotImplementedError()``: the
check cells catch it and print a hint, so the copy runs top to bottom. The
copies are written as ``.ipynb`` files, without outputs, into an output folder
(default ``build/exercises``, which git ignores)::

    python notebooks/make_exercises.py                 # what `make exercises` runs
    python notebooks/make_exercises.py --out /tmp/ex
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import jupytext
import nbformat

NOTEBOOK_DIR = Path(__file__).resolve().parent
EXERCISES_DIR = NOTEBOOK_DIR.parent / "build" / "exercises"
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
LEARNER_KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>### (?:BEGIN|END) SOLUTION)[ \t]*$")


class MarkerError(ValueError):
    """Solution markers that do not pair up."""


def without_solutions(text: str, name: str = "notebook") -> str:
    """``text`` with every solution (the lines between the markers, markers included) replaced by a stub."""
    lines, solution_indent, started = [], None, 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = _MARKER.match(line.rstrip("\n"))
        if match and match["marker"] == BEGIN:
            if solution_indent is not None:
                raise MarkerError(f"{name}, line {number}: {BEGIN} inside the solution begun on line {started}")
            solution_indent, started = match["indent"], number
            lines.append(f"{solution_indent}# your code here\n{solution_indent}raise NotImplementedError()\n")
        elif match:
            if solution_indent is None:
                raise MarkerError(f"{name}, line {number}: {END} without a {BEGIN} before it")
            solution_indent = None
        elif solution_indent is None:
            lines.append(line)
    if solution_indent is not None:
        raise MarkerError(f"{name}, line {started}: {BEGIN} is never ended by {END}")
    return "".join(lines)


def exercise_notebooks() -> list[Path]:
    """The notebooks that hold solutions."""
    return [path for path in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.md")) if BEGIN in path.read_text()]


def student_copy(path: Path) -> nbformat.NotebookNode:
    """The learner's copy of one exercise notebook, as a notebook without outputs."""
    return jupytext.reads(without_solutions(path.read_text(), path.name), fmt="md")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python notebooks/make_exercises.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=EXERCISES_DIR, help="folder for the .ipynb files (default %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        parser.error(f"--out {args.out}: {error.strerror or error}")
    for path in exercise_notebooks():
        try:
            notebook = student_copy(path)
        except MarkerError as error:
            parser.exit(1, f"make_exercises: {error}\n")
        target = args.out / f"{path.stem}.ipynb"
        if target.exists() and not target.is_file():  # (a pipe would block the write until killed)
            parser.error(f"{target} is a folder or another non-file: remove it, or choose another --out")
        notebook.metadata["kernelspec"] = LEARNER_KERNEL  # so Jupyter or VS Code opens it without asking
        nbformat.write(notebook, target)
        print(f"{path.name}: wrote the learner's copy {target}")


if __name__ == "__main__":
    main()
