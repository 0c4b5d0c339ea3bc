"""Finding a Graphviz ``dot`` program and running it on DOT source.

A drawing is DOT text; turning it into a picture needs a layout program. The
system Graphviz ``dot`` is used when it is on ``PATH``. Otherwise the
``graphviz-pure`` command is used: a self-contained port of ``dot`` (same
flags) that ``pip install 'tracegrad[viz]'`` installs next to Python, so
rendering works without any system package. When neither is there,
``GraphvizNotFoundError`` says how to get one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

RENDER_FORMATS = ("svg", "png", "dot")
# A bitmap larger than this many inches (at 96 dpi: 19200 pixels) is scaled down to fit: past that
# size a PNG is no longer useful, and graphviz-pure (unlike cairo in the system dot) has no cap of its own.
PNG_MAX_INCHES = 200

SYSTEM_DOT = "dot"
PURE_DOT = "graphviz-pure"

INSTALL_HINT = (
    "Rendering a drawing needs Graphviz's `dot` program, and neither the system `dot` nor the "
    "`graphviz-pure` command was found. Install one of them:\n"
    "  pip install 'tracegrad[viz]'        (graphviz-pure: a renderer in a wheel, no system package)\n"
    "  sudo apt-get install graphviz       (Debian/Ubuntu; `brew install graphviz` on macOS)\n"
    "The DOT text needs no renderer: viz.draw(node).source, or viz.render(node, 'graph.dot')."
)


class GraphvizNotFoundError(RuntimeError):
    """No program that lays out DOT (``dot`` or ``graphviz-pure``) could be found."""


class RenderError(RuntimeError):
    """The layout program ran but failed (its message is included)."""


@dataclass(frozen=True)
class DotProgram:
    """A program that turns DOT text into a picture: its path and which kind it is."""

    path: str
    kind: str  # "system" (Graphviz's dot) or "graphviz-pure"


def _installed_script_dirs() -> list[str]:
    """Where pip puts commands for this Python, which need not be on ``PATH`` (an unactivated venv)."""
    dirs = [str(Path(sys.executable).parent), sysconfig.get_path("scripts")]
    return list(dict.fromkeys(d for d in dirs if d))


def find_dot() -> DotProgram | None:
    """The program used for rendering: the system ``dot`` first, then ``graphviz-pure``, else None."""
    system = shutil.which(SYSTEM_DOT)
    if system:
        return DotProgram(system, "system")
    search = os.pathsep.join([os.environ.get("PATH", ""), *_installed_script_dirs()])
    pure = shutil.which(PURE_DOT, path=search)
    if pure:
        return DotProgram(pure, "graphviz-pure")
    return None


def run_dot(source: str, output_format: str) -> bytes:
    """Lay out DOT ``source`` and return the picture's bytes (``svg``, ``png``; ``dot`` returns the source)."""
    if output_format not in RENDER_FORMATS:
        raise ValueError(f"unknown output format {output_format!r}: choose one of {', '.join(RENDER_FORMATS)}")
    if output_format == "dot":
        return source.encode("utf-8")
    program = find_dot()
    if program is None:
        raise GraphvizNotFoundError(INSTALL_HINT)
    limits = [f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"] if output_format == "png" else []
    completed = subprocess.run(
        [program.path, f"-T{output_format}", *limits],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0 or not completed.stdout:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{program.path} -T{output_format} failed (exit code {completed.returncode}): {message}")
    return completed.stdout
