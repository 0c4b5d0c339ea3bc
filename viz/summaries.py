"""Short text for the numbers in a drawing: a scalar, a small array in full, a large one as mean and norm."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from autograd import plain

FEW_NUMBERS = 6  # arrays with at most this many elements are shown in full
# A number in a box needs no more: a wider spec only pads, a longer precision only prints float noise,
# and a huge one ('>100000000') would build strings of gigabytes.
MAX_NUMBER_WIDTH = 40
MAX_NUMBER_PRECISION = 20
MAX_SPEC_LENGTH = 20
# Python's format spec for a float: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FLOAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>[0-9]*)[,_]?(?:\.(?P<precision>[0-9]+))?(?P<type>[eEfFgGn%]?)", re.DOTALL
)


def check_number_format(number_format: str) -> str:
    """Return ``number_format`` if it is a float format spec of a sensible size (``.4g``, ``+.2f``, ``>10.3e``).

    Raises ``ValueError`` naming the problem: not a spec for floats, or a width
    or precision larger than ``MAX_NUMBER_WIDTH`` / ``MAX_NUMBER_PRECISION``.
    """
    if isinstance(number_format, str) and len(number_format) > MAX_SPEC_LENGTH:
        raise ValueError(f"number_format is {len(number_format)} characters long; a format spec such as '.4g' is a few")
    spec = _FLOAT_SPEC.fullmatch(number_format) if isinstance(number_format, str) else None
    if spec is None:
        raise ValueError(f"number_format must be a format spec for floats such as '.4g', got {number_format!r}")
    width, precision = int(spec["width"] or 0), int(spec["precision"] or 0)
    if width > MAX_NUMBER_WIDTH:
        raise ValueError(
            f"number_format {number_format!r} pads every number to {width} characters; at most "
            f"{MAX_NUMBER_WIDTH} are allowed"
        )
    if precision > MAX_NUMBER_PRECISION:
        raise ValueError(
            f"number_format {number_format!r} asks for {precision} digits; at most "
            f"{MAX_NUMBER_PRECISION} are allowed (a float holds about 17)"
        )
    try:
        format(1.0, number_format)
    except ValueError as error:  # a combination the pattern lets through, such as ',' with 'n'
        raise ValueError(f"number_format {number_format!r} cannot format a float: {error}") from None
    return number_format


def format_number(x: Any, number_format: str) -> str:
    """One number with ``number_format`` (a format spec such as ``.4g``); one that shows as zero has no minus sign.

    A float can be -0.0 (``0 * -1``), and a tiny negative number rounds to
    ``-0.00``; both are drawn as 0, since a learner reads "-0" as a number
    below zero (the ``z`` of Python 3.11's format specs, done by hand for 3.10).
    """
    x = float(x)
    if math.copysign(1.0, x) < 0 and math.isfinite(x) and _shows_as_zero(-x, number_format):
        x = 0.0
    return format(x, number_format)


def _shows_as_zero(x: float, number_format: str) -> bool:
    """Whether ``x`` (not negative) rounds to 0 in ``number_format``: the digits of its number part are all 0.

    The number is formatted with the spec's precision and type alone, so that
    no fill character or padding can pass for a digit or an exponent.
    """
    spec = _FLOAT_SPEC.fullmatch(number_format)
    assert spec is not None, "number formats are checked (check_number_format) before they are used"
    precision = f".{spec['precision']}" if spec["precision"] else ""
    text = format(x, precision + spec["type"])
    return not any(digit in "123456789" for digit in re.split("[eE]", text)[0])


def summarize(x: Any, number_format: str) -> str:
    """A scalar as itself; an array of a few numbers in full; a larger array as its mean and norm.

    ``x`` may also be a node: a gradient recorded with ``create_graph=True`` is one;
    None is a value nobody kept (between torch's backward functions), shown as ``?``.
    """
    x = plain(x)
    if x is None:
        return "?"
    if not isinstance(x, np.ndarray):
        return format_number(x, number_format)
    if x.size <= FEW_NUMBERS:
        return _nested(x, number_format)
    mean = format_number(np.mean(x), number_format)
    norm = format_number(np.linalg.norm(x.ravel()), number_format)
    return f"mean {mean}, norm {norm}"


def _nested(x: np.ndarray, number_format: str) -> str:
    if x.ndim == 0:
        return format_number(x, number_format)
    return "[" + " ".join(_nested(row, number_format) for row in x) + "]"


def describe_array(x: Any) -> str | None:
    """``shape (2, 3) float64`` for an array, None for a scalar."""
    x = plain(x)
    if not isinstance(x, np.ndarray):
        return None
    return f"shape {tuple(x.shape)} {x.dtype}"
