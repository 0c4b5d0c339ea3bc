"""Run the teaching notebooks and save them, outputs included, as ``.ipynb`` files.

The notebooks are kept as Jupytext Markdown (``NN_name.md``): text that reads
well on the repository page and diffs cleanly. This script converts each one
with jupytext, runs it top to bottom with nbclient in an IPython kernel on this
very interpreter, and writes the executed notebook into an output folder
(default ``build/notebooks``, which git ignores; copies ready to hand out)::

    python notebooks/execute.py                      # all notebooks
    python notebooks/execute.py 01 04 --out /tmp/nb  # the ones whose names start so

Each notebook runs in a temporary working folder, so nothing else is written.
The test suite (``tests/test_notebooks.py``) runs the notebooks through the
same ``execute`` function.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbclient
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

NOTEBOOK_DIR = Path(__file__).resolve().parent
REPOSITORY = NOTEBOOK_DIR.parent
EXECUTED_DIR = NOTEBOOK_DIR.parent / "build" / "notebooks"
KERNEL_NAME = "tracegrad-python"
CELL_TIMEOUT = 300


def notebook_paths(prefixes: list[str] | None = None) -> list[Path]:
    """The teaching notebooks in order (``01_...md``, ``02_...md``, ...), or those whose names start with a prefix."""
    paths = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.md"))
    if prefixes:
        paths = [path for path in paths if any(path.name.startswith(prefix) for prefix in prefixes)]
    return paths


# The kernel a handed-out copy names: the usual Python 3 kernel of whoever opens it (run here by this_python_kernel).
HANDED_OUT_KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def this_python_kernel(directory: Path) -> KernelSpecManager:
    """A kernel spec manager that knows one kernel, ipykernel on ``sys.executable``, written into ``directory``.

    Asking for the default ``python3`` kernel could start the interpreter of
    another environment (a user-wide kernel spec wins over the virtual
    environment's); this one always runs this interpreter, and imports
    ``autograd``, ``nn`` and ``viz`` from the repository beside the notebooks
    (first on ``PYTHONPATH``), not from another copy the environment may point at.
    """
    spec = directory / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    search_path = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    kernel = {"argv": argv, "display_name": "tracegrad", "language": "python", "env": {"PYTHONPATH": search_path}}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return KernelSpecManager(kernel_dirs=[str(directory)], ensure_native_kernel=False)


def execute(notebook: nbformat.NotebookNode, workdir: Path, kernels: KernelSpecManager) -> None:
    """Run every cell in order in a fresh kernel started in ``workdir``; raise ``CellExecutionError`` on a failure.

    Where the system has them (not on Windows), the kernel talks over socket files in a private temporary
    folder rather than over TCP ports that any local user could connect to (the kernel warns about those).
    The kernel is shut down at the end, failure or not.
    """
    manager = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=kernels)
    client = nbclient.NotebookClient(
        notebook, km=manager, timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(workdir)}}
    )
    with tempfile.TemporaryDirectory() as sockets:
        if sys.platform != "win32":
            manager.transport = "ipc"
            manager.ip = str(Path(sockets) / "kernel")
        try:
            client.execute()
        finally:
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python notebooks/execute.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="name prefixes such as 01 or 04_neurons (default: all)")
    parser.add_argument(
        "--out", type=Path, default=EXECUTED_DIR, help="folder for the .ipynb files (default %(default)s)"
    )
    args = parser.parse_args(argv)
    paths = notebook_paths(args.notebooks)
    if not paths:
        parser.error(f"no notebook name starts with {' or '.join(args.notebooks)}")
    targets = [args.out / f"{path.stem}.ipynb" for path in paths]
    try:  # checked before any notebook runs: a folder where a file goes would waste the run
        args.out.mkdir(parents=True, exist_ok=True)
        unwritable = next((target for target in targets if target.exists() and not target.is_file()), None)
    except OSError as error:
        parser.error(f"--out {args.out}: {error.strerror or error}")
    if unwritable:
        parser.error(f"{unwritable} is a folder or another non-file: remove it, or choose another --out")
    with tempfile.TemporaryDirectory() as scratch:
        kernels = this_python_kernel(Path(scratch) / "kernels")
        for path, target in zip(paths, targets):
            notebook = jupytext.read(path)
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as workdir:
                execute(notebook, Path(workdir), kernels)
            notebook.metadata["kernelspec"] = HANDED_OUT_KERNEL  # so Jupyter or VS Code opens it without asking
            nbformat.write(notebook, target)
            print(f"{path.name}: ran in {time.perf_counter() - started:.1f} s, wrote {target}")


if __name__ == "__main__":
    main()
