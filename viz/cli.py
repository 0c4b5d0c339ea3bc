"""``python -m viz``: draw the graph of an expression, with its values and gradients, from the command line.

    python -m viz "(x + y) * z" --set x=-2 y=5 z=-4 -o graph.svg
    python -m viz "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))" --set w0=2 x0=-1 w1=-3 x1=-2 w2=-3 --html -o neuron.html

The expression is checked against a whitelist (see ``viz.expression``), never
evaluated as Python, and kept small enough to draw; rendering gets
``TIME_LIMIT`` seconds in all. Exit codes: 0 done, 1 no renderer or a
renderer failure, 2 bad input (including a drawing too large to lay out in
time, or an output file that cannot be written).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .dot_program import GraphvizNotFoundError, RenderError, RenderTimeout, render_time_limit
from .expression import ALLOWED, ExpressionError, parse_expression
from .player import backprop_player
from .render import RENDER_FORMATS, render
from .summaries import check_number_format, format_number

BAD_INPUT = 2
STOPPED = 130  # the shell's code for a program stopped by Ctrl-C
RENDER_FAILED = 1
TIME_LIMIT = 20.0  # seconds for all the rendering one command does


class _UsageError(Exception):
    """A command-line argument that cannot be used (reported with exit code 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viz",
        description="Draw the computational graph of an expression, run backprop on it, and write the picture "
        "(or, with --html, a page that steps through backprop node by node).",
        epilog=f"An expression may use {ALLOWED}. Put -- before an expression that starts with a minus sign, after the options: --set x=1 -- '-x'.",
    )
    parser.add_argument("expression", help='arithmetic such as "(x + y) * z"')
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=VALUE",
        help="values of the variables, e.g. --set x=-2 y=5 z=-4",
    )
    parser.add_argument("-o", "--output", help="file to write (default graph.svg, or backprop.html with --html)")
    parser.add_argument("--format", choices=RENDER_FORMATS, help="picture format (default: from the file name)")
    parser.add_argument("--html", action="store_true", help="write the step-by-step backprop player instead")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="left to right or top to bottom")
    parser.add_argument(
        "--local-grads",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write each op's local gradient on its input edges (default: on)",
    )
    parser.add_argument(
        "--number-format", default=".4g", type=_number_format, help="format spec of the numbers (default .4g)"
    )
    return parser


def _number_format(text: str) -> str:
    try:
        return check_number_format(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _quoted(text: str, limit: int = 40) -> str:
    """``text`` for an error message: a long one is cut, as an echo of thousands of digits helps no one."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _assignments(items: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = item.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise _UsageError(f"--set expects NAME=VALUE, such as x=-2; got {_quoted(item)!r}")
        if name in values:
            raise _UsageError(f"--set gives {name} a value twice: give it one")
        try:
            values[name] = float(number)
        except ValueError:
            raise _UsageError(f"--set {_quoted(item)}: {_quoted(number)!r} is not a number") from None
        if not math.isfinite(values[name]):
            raise _UsageError(
                f"--set {_quoted(item)}: give a finite number (nan and inf are not points to differentiate at)"
            )
    return values


def _default_name(arguments: argparse.Namespace) -> str:
    return "backprop.html" if arguments.html else f"graph.{arguments.format or 'svg'}"


def _output_path(arguments: argparse.Namespace) -> Path:
    if arguments.html and arguments.format:
        raise _UsageError("--format chooses a picture format; the --html player is always an .html file")
    if arguments.output == "":
        raise _UsageError(f"-o needs a file name, such as {_default_name(arguments)}")
    path = Path(arguments.output or _default_name(arguments))
    try:
        is_folder, folder_exists = path.is_dir(), path.parent.is_dir()
    except OSError as error:  # a name too long for the file system, say
        raise _UsageError(f"-o {path}: {error.strerror or error}") from None
    if is_folder:
        raise _UsageError(f"-o {path} is a folder: give a file name, such as {path / _default_name(arguments)}")
    if not folder_exists:
        raise _UsageError(f"-o {path}: the folder {path.parent} does not exist")
    written = _with_extension(path, arguments)
    for named in (path, written):  # as typed (-o /dev/null), and with the extension added
        try:
            is_other = named.exists() and not named.is_file() and not named.is_dir()
        except OSError as error:
            raise _UsageError(f"-o {named}: {error.strerror or error}") from None
        if is_other:  # a pipe would block until something reads it; a device is no file to keep
            raise _UsageError(f"-o {named} is a pipe or a device, not a file: give a file name")
    return written


def _with_extension(path: Path, arguments: argparse.Namespace) -> Path:
    """``path``, its extension added when it has none; refused when the extension is not what will be written."""
    if path.name.endswith(".") or (path.name.startswith(".") and not path.suffix):
        raise _UsageError(f"-o {path}: give the file a name and an extension, such as {_default_name(arguments)}")
    if not path.suffix:
        return path.with_suffix(".html" if arguments.html else "." + (arguments.format or "svg"))
    written = path.suffix.lower().lstrip(".")
    if arguments.html:
        if written not in ("html", "htm"):
            raise _UsageError(f"-o {path}: --html writes a web page; give a name ending in .html")
    elif written in ("html", "htm"):
        raise _UsageError(f"-o {path}: a picture is .svg, .png or .dot; add --html for the step-by-step player")
    elif arguments.format and written in RENDER_FORMATS and written != arguments.format:
        raise _UsageError(f"-o {path} names a .{written} file, but --format is {arguments.format}: make them agree")
    elif not arguments.format and written not in RENDER_FORMATS:
        raise _UsageError(f"-o {path}: give a name ending in .svg, .png or .dot, or choose one with --format")
    return path


def run(arguments: argparse.Namespace) -> str:
    """Build, backpropagate and write; returns the summary to print."""
    expression = parse_expression(arguments.expression)
    leaves = expression.leaves(_assignments(arguments.set))
    output = expression.apply(leaves)
    path = _output_path(arguments)
    options = {
        "rankdir": arguments.rankdir,
        "show_local_grads": arguments.local_grads,
        "number_format": arguments.number_format,
    }
    if output.requires_grad:
        output.backward()
    try:
        with render_time_limit(TIME_LIMIT):
            if arguments.html:  # the whole graph: an expression of at most MAX_OPERATIONS ops is never cut
                backprop_player(output, path, max_nodes=None, **options)
            else:
                render(output, path, arguments.format, **options)
    except OSError as error:
        raise _UsageError(f"cannot write {path}: {error.strerror or error}") from None

    def number(x: float | None) -> str:
        return "not computed" if x is None else format_number(x, arguments.number_format)

    gradients = ", ".join(f"d/d{name} = {number(leaf.grad)}" for name, leaf in leaves.items())
    result = f"{expression.text} = {number(output.data)}"
    if not math.isfinite(output.data):
        result += " (not a finite number: outside the function's domain, or too large for a float)"
    return f"{result}\n{gradients}\nwrote {path}" if gradients else f"{result}\nwrote {path}"


@contextmanager
def printing_to_stdout(program: str) -> Iterator[None]:
    """Print in the block; a closed pipe (``| head``) ends the program quietly, a full disk with one line (exit 2)."""
    try:
        yield
        sys.stdout.flush()  # here, not at exit, where an error could only be a traceback
    except OSError as error:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit has nowhere to fail
        if isinstance(error, BrokenPipeError):  # the reader has all it wanted
            raise SystemExit(1) from None
        print(f"{program}: error: cannot print: {error.strerror or error}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = _parser().parse_args(argv)
    try:
        summary = run(arguments)
        with printing_to_stdout("python -m viz"):
            print(summary)
    except (ExpressionError, _UsageError, ValueError, RenderTimeout) as error:
        print(f"python -m viz: error: {error}", file=sys.stderr)
        return BAD_INPUT
    except (GraphvizNotFoundError, RenderError) as error:
        print(f"python -m viz: error: {error}", file=sys.stderr)
        return RENDER_FAILED
    except KeyboardInterrupt:  # Ctrl-C during a long layout: a stop asked for, not a crash
        print("python -m viz: stopped (Ctrl-C)", file=sys.stderr)
        return STOPPED
    return 0
