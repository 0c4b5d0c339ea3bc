"""Numerical derivatives by finite differences, the reference every analytic gradient is checked against.

Nudge one element of the input by a small step ``h`` up and down and watch
the output: ``(f(x + h) - f(x - h)) / 2h`` is the central difference, whose
error shrinks like ``h**2``. It needs two evaluations of ``f`` per element,
so it is slow, but it needs no calculus, which is why it is trusted.
``gradcheck`` and ``check_graph`` both use these functions.

The outputs at ``x + h`` and ``x - h`` are subtracted element by element
before they are summed: the output elements the nudge did not touch cancel
exactly, so a large output does not drown the change in rounding error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .numerics import finite_number

Evaluate = Callable[[Any], Any]


def check_settings(caller: str, eps: Any, atol: Any, rtol: Any) -> None:
    """Refuse a step or tolerance that could not check anything: ``eps`` > 0, ``atol``, ``rtol`` >= 0, all finite.

    An infinite tolerance would pass any gradient, and a step of 0 divides by zero.
    """
    for name, value, least in (("eps", eps, None), ("atol", atol, 0.0), ("rtol", rtol, 0.0)):
        number = finite_number(value)
        if number is None or (number <= 0 if least is None else number < least):
            wanted = "a finite number > 0" if least is None else "a finite number >= 0"
            raise ValueError(f"{caller}: {name} must be {wanted}, got {value!r}")


def nudged(x: np.ndarray, position: int, step: float, as_float: bool) -> Any:
    """A copy of ``x`` (float64) with element ``position`` (a flat index) moved by ``step``; a float when asked."""
    moved = np.array(x, dtype=np.float64, order="C")  # C order, so the flat view below writes into it
    moved.reshape(-1)[position] += step
    return float(moved) if as_float else moved


def _difference(f: Evaluate, x: np.ndarray, position: int, up: float, down: float, as_float: bool) -> float:
    """``sum(f(x + up) - f(x + down))`` with the step taken at one element."""
    with np.errstate(all="ignore"):  # inf - inf is nan, which the callers read as "no number here"
        return float(np.sum(np.subtract(f(nudged(x, position, up, as_float)), f(nudged(x, position, down, as_float)))))


def central_differences(f: Evaluate, x: Any, eps: float, positions: Iterable[int] | None = None) -> np.ndarray:
    """d sum(f(x)) / dx at each element of ``positions`` (flat indices; every element when None).

    ``f`` takes an input of ``x``'s kind (a float for a float, a float64 array
    of ``x``'s shape otherwise) and returns a number or an array.
    """
    as_float = not isinstance(x, np.ndarray)
    x = np.asarray(x, dtype=np.float64)
    positions = range(x.size) if positions is None else positions
    return np.array([_difference(f, x, i, eps, -eps, as_float) / (2 * eps) for i in positions], dtype=np.float64)


def one_sided_differences(f: Evaluate, x: Any, eps: float, position: int) -> tuple[float, float]:
    """The slopes just left and just right of ``x`` at one element: ``(f(x) - f(x - h)) / h`` and ``(f(x + h) - f(x)) / h``.

    Where they differ by far more than ``h`` can explain, ``f`` has a kink (relu
    at 0, a max with a tie) or a jump (step) within ``h`` of ``x``: it is not
    differentiable there, and any slope between the two is as good an answer.
    """
    as_float = not isinstance(x, np.ndarray)
    x = np.asarray(x, dtype=np.float64)
    left = _difference(f, x, position, 0.0, -eps, as_float) / eps
    right = _difference(f, x, position, eps, 0.0, as_float) / eps
    return left, right


def excess(analytic: Any, numerical: Any, atol: float, rtol: float) -> np.ndarray:
    """How far ``|analytic - numerical|`` is beyond the tolerance ``atol + rtol * |numerical|`` (> 0: they disagree).

    nan wherever either side is nan; each caller decides what that means.
    """
    analytic, numerical = np.asarray(analytic, np.float64), np.asarray(numerical, np.float64)
    with np.errstate(invalid="ignore"):
        return np.abs(analytic - numerical) - (atol + rtol * np.abs(numerical))
