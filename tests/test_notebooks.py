"""Run every teaching notebook top to bottom in a real Jupyter kernel.

The notebooks are committed as Jupytext Markdown (``notebooks/*.md``); each is
converted with jupytext and executed with nbclient by ``notebooks/execute.py``
(the script behind ``make notebooks``), in an IPython kernel that runs this
very interpreter. The notebooks assert their key numbers in their own cells,
so a wrong engine makes a cell raise and the test fail with that cell's
traceback. They run in a temporary folder, so nothing is written into the
repository.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
psutil = pytest.importorskip("psutil")  # an ipykernel dependency

EXECUTE_SCRIPT = Path(__file__).resolve().parent.parent / "notebooks" / "execute.py"
EXERCISES_SCRIPT = EXECUTE_SCRIPT.parent / "make_exercises.py"


def load_script(path: Path) -> ModuleType:
    """A script beside the notebooks (``execute.py``, ``make_exercises.py``), which is not part of an installed package."""
    spec = importlib.util.spec_from_file_location(f"notebook_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = load_script(EXECUTE_SCRIPT)
exercises = load_script(EXERCISES_SCRIPT)
NOTEBOOKS = runner.notebook_paths()
EXERCISE_NOTEBOOK = EXECUTE_SCRIPT.parent / "08_build_your_own_engine.md"


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory):
    return runner.this_python_kernel(tmp_path_factory.mktemp("kernels"))


def test_every_teaching_notebook_is_present() -> None:
    assert [path.name for path in NOTEBOOKS] == [
        "01_backprop_graph.md",
        "02_vectorized_backprop.md",
        "03_linear_softmax_classifiers.md",
        "04_neurons_mlps.md",
        "05_optimizers.md",
        "06_generalization_regularization.md",
        "07_cnn_digits.md",
        "08_build_your_own_engine.md",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_plain_markdown_with_asserts(path: Path) -> None:
    """Committed as text without outputs, and checking its own numbers (a notebook without asserts checks nothing)."""
    notebook = jupytext.read(path)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    assert all(not cell.get("outputs") for cell in code)
    asserting = [cell for cell in code if "assert " in cell.source]
    assert len(asserting) >= 3, f"{path.name} asserts its numbers in only {len(asserting)} cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_a_notebook_run_and_saved_in_jupyter_is_unchanged(path: Path) -> None:
    """Jupyter adds its kernel, the language and outputs; Jupytext saves the cells back as the same text.

    A notebook without a metadata header is saved without one (Jupytext writes a header, with its own
    version number, only where there was one), so a class that runs the notebooks leaves them as they were.
    """
    notebook = jupytext.read(path)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="printed\n")]
    assert jupytext.writes(notebook, fmt="md") == path.read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path, kernels) -> None:
    notebook = jupytext.read(path)
    runner.execute(notebook, tmp_path, kernels)
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    assert list(tmp_path.iterdir()) == [], "a notebook should show its pictures inline, not write files"


def test_kernel_runs_this_interpreter(tmp_path: Path, kernels) -> None:
    """The notebooks must test the code installed here, not whatever a default ``python3`` kernel points at."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")])
    runner.execute(notebook, tmp_path, kernels)
    printed = notebook.cells[0].outputs[0]["text"].strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


def test_kernel_imports_the_packages_beside_the_notebooks(tmp_path: Path, kernels) -> None:
    """The notebooks check this repository's code, even where the environment has another copy installed."""
    source = "import autograd, nn, viz\nfor package in (autograd, nn, viz):\n    print(package.__file__)"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    runner.execute(notebook, tmp_path, kernels)
    printed = notebook.cells[0].outputs[0]["text"].splitlines()
    repository = EXECUTE_SCRIPT.parent.parent
    assert [Path(path).resolve() for path in printed] == [
        repository / package / "__init__.py" for package in ("autograd", "nn", "viz")
    ]


@pytest.mark.parametrize("source", ["print(1)", "1 / 0"], ids=["runs", "fails"])
def test_the_kernel_is_shut_down_after_its_notebook(source: str, tmp_path: Path, kernels) -> None:
    """A kernel left running would live on until the script ends, one per notebook."""
    before = set(psutil.Process().children(recursive=True))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    try:
        runner.execute(notebook, tmp_path, kernels)
    except nbclient.exceptions.CellExecutionError:
        assert source == "1 / 0"
    assert set(psutil.Process().children(recursive=True)) <= before


def test_execute_script_writes_executed_notebooks(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """``make notebooks``: the chosen notebook comes back as an .ipynb with its outputs, and one line is printed.

    The kernel prints nothing: no warning about TCP without encryption (it talks over socket files).
    """
    runner.main(["02", "--out", str(tmp_path)])
    printed, errors = capfd.readouterr()
    assert printed.startswith("02_vectorized_backprop.md: ran in ") and printed.count("\n") == 1
    assert errors == ""
    written = nbformat.read(tmp_path / "02_vectorized_backprop.ipynb", as_version=4)
    assert written.metadata.kernelspec.name == "python3"  # opens in Jupyter or VS Code without asking for a kernel
    outputs = [output for cell in written.cells if cell.cell_type == "code" for output in cell.outputs]
    assert any("image/svg+xml" in output.get("data", {}) for output in outputs)
    assert any("image/png" in output.get("data", {}) for output in outputs)
    assert not any(output.output_type == "error" for output in outputs)


def _check_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """``(source, printed text)`` of every check cell (a cell calling ``check.``) of an executed notebook."""
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith("check.")]
    return [(cell.source, "".join(output.get("text", "") for output in cell.outputs)) for cell in cells]


def test_the_exercise_notebook_with_its_solutions_passes_every_check(tmp_path: Path, kernels) -> None:
    notebook = jupytext.read(EXERCISE_NOTEBOOK)
    runner.execute(notebook, tmp_path, kernels)
    checks = _check_cells(notebook)
    assert len(checks) == 7
    for source, printed in checks:
        assert printed.startswith("✓ ") and printed.count("\n") == 1, (source, printed)


def test_the_learners_copy_has_no_solutions_and_every_check_prints_a_hint(tmp_path: Path, kernels) -> None:
    """Each solution becomes a stub; the checks catch the stubs, so the copy runs to the end with a hint per check."""
    lines = [line.strip() for line in EXERCISE_NOTEBOOK.read_text().splitlines()]
    solutions = lines.count(exercises.BEGIN)
    assert solutions == lines.count(exercises.END) == 7
    notebook = exercises.student_copy(EXERCISE_NOTEBOOK)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "SOLUTION" not in code and "self.grad += out.grad" not in code
    assert code.count("raise NotImplementedError()") == solutions
    runner.execute(notebook, tmp_path, kernels)  # a cell that raised would stop here with its traceback
    checks = _check_cells(notebook)
    assert len(checks) == 7
    for source, printed in checks:
        assert printed.startswith("✗ hint: ") and "NotImplementedError" in printed, (source, printed)


def test_make_exercises_writes_the_learners_copy(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    exercises.main(["--out", str(tmp_path)])
    printed, errors = capfd.readouterr()
    assert (
        printed
        == f"08_build_your_own_engine.md: wrote the learner's copy {tmp_path / '08_build_your_own_engine.ipynb'}\n"
    )
    assert errors == ""
    written = nbformat.read(tmp_path / "08_build_your_own_engine.ipynb", as_version=4)
    code = [cell for cell in written.cells if cell.cell_type == "code"]
    assert sum("raise NotImplementedError()" in cell.source for cell in code) == 7
    assert not any("SOLUTION" in cell.source or cell.outputs for cell in code)
    assert written.metadata["kernelspec"]["name"] == "python3"  # opens without asking for a kernel


@pytest.mark.parametrize("script", ["execute", "exercises"])
def test_an_output_folder_that_cannot_be_made_or_written_is_one_line(
    script: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    main = runner.main if script == "execute" else exercises.main
    (tmp_path / "a_file").touch()
    (tmp_path / "out" / "08_build_your_own_engine.ipynb").mkdir(parents=True)
    for out, said in ((tmp_path / "a_file" / "sub", "Not a directory"), (tmp_path / "out", "is a folder")):
        with pytest.raises(SystemExit) as stop:
            main(["08", "--out", str(out)] if script == "execute" else ["--out", str(out)])
        assert stop.value.code == 2 and said in capfd.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "    ### BEGIN SOLUTION\n    x = 1\n",
            "notebook, line 1: ### BEGIN SOLUTION is never ended by ### END SOLUTION",
        ),
        ("x = 1\n### END SOLUTION\n", "notebook, line 2: ### END SOLUTION without a ### BEGIN SOLUTION before it"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n",
            "notebook, line 2: ### BEGIN SOLUTION inside the solution begun on line 1",
        ),
    ],
)
def test_solution_markers_that_do_not_pair_up_are_named(text: str, message: str) -> None:
    with pytest.raises(exercises.MarkerError) as error:
        exercises.without_solutions(text)
    assert str(error.value) == message


def test_a_solution_becomes_a_stub_at_its_indentation() -> None:
    text = "def f():\n    y = 2\n    ### BEGIN SOLUTION\n    return y * 3\n    ### END SOLUTION\n"
    assert exercises.without_solutions(text) == (
        "def f():\n    y = 2\n    # your code here\n    raise NotImplementedError()\n"
    )
