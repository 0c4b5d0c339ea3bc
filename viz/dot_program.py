"""Finding a Graphviz ``dot`` program and running it on DOT source.

A drawing is DOT text; turning it into a picture needs a layout program. The
system Graphviz ``dot`` is used when it is on ``PATH``. Otherwise the
``graphviz-pure`` command is used: a self-contained port of ``dot`` (same
flags) that ``pip install 'tracegrad[viz]'`` installs next to Python, so
rendering works without any system package. When neither is there,
``GraphvizNotFoundError`` says how to get one.

Both are separate programs, so a layout that takes too long can be stopped:
each run gets at most ``RENDER_TIME_LIMIT`` seconds, or what is left of the
budget a ``render_time_limit`` block sets, and then ``RenderTimeout`` says
how to make the drawing easier to lay out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

# A bitmap larger than this many inches (at 96 dpi: 19200 pixels) is scaled down to fit: past that
# size a PNG is no longer useful, and graphviz-pure (unlike cairo in the system dot) has no cap of its own.
PNG_MAX_INCHES = 200

# Seconds one layout may take when no render_time_limit() block says otherwise.
RENDER_TIME_LIMIT = 30.0
MAX_RENDER_SECONDS = (
    86_400  # the longest budget render_time_limit takes: a day, more than any layout needs (infinity overflowed select)
)
_FORMAT_NAME = re.compile(r"[A-Za-z0-9_.:-]+")

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


class RenderTimeout(RenderError):
    """The layout program did not finish in the time allowed, and was stopped."""


@dataclass(frozen=True)
class _Budget:
    seconds: float
    deadline: float


_budget: ContextVar[_Budget | None] = ContextVar("viz_render_budget", default=None)


@contextmanager
def render_time_limit(seconds: float) -> Iterator[None]:
    """Give every rendering inside the block, all together, at most ``seconds`` (the command line's budget).

    It is a block, ``with viz.render_time_limit(120): viz.render(loss, "big.svg")``;
    a bare call sets nothing. A block inside another never gets more time than
    the outer one has left.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= MAX_RENDER_SECONDS:
        raise ValueError(
            f"the time limit must be a number of seconds > 0 and at most {MAX_RENDER_SECONDS} (a day), got {seconds!r}"
        )
    outer = _budget.get()
    deadline = time.monotonic() + seconds
    budget = _Budget(seconds, deadline) if outer is None or deadline < outer.deadline else outer
    token = _budget.set(budget)
    try:
        yield
    finally:
        _budget.reset(token)


def _time_allowed() -> tuple[float, float]:
    """The seconds this run may take, and the limit to name if it does not finish in them."""
    budget = _budget.get()
    if budget is None:
        return RENDER_TIME_LIMIT, RENDER_TIME_LIMIT
    return budget.deadline - time.monotonic(), budget.seconds


def _timeout(program: DotProgram, seconds: float) -> RenderTimeout:
    return RenderTimeout(
        f"{program.path} did not finish laying out the drawing within {seconds:g} s, so it was stopped. "
        "A graph with many nodes, or one value used by many ops, takes long to lay out: "
        "draw fewer nodes (a smaller graph, or draw(..., max_nodes=50)), a model at a coarser level "
        "(draw(..., model=model, level='layers')), or leave out the edge labels "
        "(show_local_grads=False; --no-local-grads on the command line)."
    )


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
    """Lay out DOT ``source`` and return the picture's bytes in ``output_format`` (``svg``, ``png``, ...).

    The formats are those of the program found (``svg``, ``png``, ``jpeg`` and
    ``json`` on both); the program's own message names the others it knows.
    """
    if not isinstance(output_format, str) or not _FORMAT_NAME.fullmatch(output_format):
        raise ValueError(f"{output_format!r} is not the name of an output format, such as 'svg' or 'png'")
    program = find_dot()
    if program is None:
        raise GraphvizNotFoundError(INSTALL_HINT)
    seconds_left, limit = _time_allowed()
    if seconds_left <= 0:
        raise _timeout(program, limit)
    limits = [f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"] if output_format == "png" else []
    try:
        completed = subprocess.run(
            [program.path, f"-T{output_format}", *limits],
            input=source.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=seconds_left,
        )
    except subprocess.TimeoutExpired:
        raise _timeout(program, limit) from None
    except OSError as error:  # found but cannot be started (not executable, a broken file)
        raise RenderError(f"{program.path} could not be started: {error}") from None
    if completed.returncode != 0 or not completed.stdout:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{program.path} -T{output_format} failed (exit code {completed.returncode}): {message}")
    return completed.stdout
