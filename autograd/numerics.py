"""Elementary functions that never raise, for floats and numpy arrays alike.

Python's ``math`` raises on ``exp(1000)``, ``log(0)`` or ``1 / 0``; numpy warns.
A gradient engine wants neither: like PyTorch, it follows IEEE-754 and returns
``inf`` or ``nan`` quietly, so one bad number shows up in the result instead of
stopping a training loop half-way. Each function takes a Python float (the fast
path, used by ``Value``) or a numpy array (used by ``Tensor``) and returns the
same kind.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np


def _quiet():
    """A numpy context that returns inf and nan without warnings."""
    return np.errstate(all="ignore")


def _via_numpy(ufunc, *args: float) -> float:
    """Evaluate a numpy ufunc on plain floats with IEEE results and no warning."""
    with _quiet():
        return float(ufunc(*(np.float64(a) for a in args)))


def exp(x):
    """``e**x``: ``inf`` for large ``x`` instead of ``OverflowError``."""
    if type(x) is float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf
    with _quiet():
        return np.exp(x)


def log(x):
    """Natural logarithm: ``-inf`` at 0 and ``nan`` below 0, no exception."""
    if type(x) is float:
        if x > 0.0:
            return math.log(x)
        return _via_numpy(np.log, x)
    with _quiet():
        return np.log(x)


def divide(a, b):
    """``a / b`` with IEEE division by zero (``inf``, ``-inf`` or ``nan``)."""
    if type(a) is float and type(b) is float:
        try:
            return a / b
        except ZeroDivisionError:
            return _via_numpy(np.divide, a, b)
    with _quiet():
        return np.divide(a, b)


def power(a, b):
    """``a ** b``: ``nan`` for a negative base with a fractional exponent, never complex.

    ``a ** 0.5`` is a square root, as numpy and PyTorch compute it: ``nan`` at
    ``-inf`` and ``-0.0`` at ``-0.0``, where C's ``pow`` gives ``inf`` and ``0.0``.
    """
    if type(a) is float and type(b) is float:
        if b == 0.5:
            return math.nan if a < 0.0 else math.sqrt(a)
        try:
            result = a**b
        except (OverflowError, ZeroDivisionError):
            return _via_numpy(np.power, a, b)
        if type(result) is complex:
            return math.nan
        return result
    with _quiet():
        return np.power(a, b)


def tanh(x):
    """Hyperbolic tangent; saturates at +-1 without overflow."""
    if type(x) is float:
        return math.tanh(x)
    return np.tanh(x)


def sigmoid(x):
    """``1 / (1 + e**-x)``, computed from ``e**-|x|`` so it never overflows."""
    if type(x) is float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(e.dtype, copy=False)


def sign(x):
    """-1, 0 or 1 (the derivative of ``abs``, taking 0 at 0, and at nan, as PyTorch does)."""
    if type(x) is float:
        return float((x > 0.0) - (x < 0.0))
    return (x > 0.0).astype(x.dtype) - (x < 0.0)  # (np.sign gives nan at nan)


def maximum(a, b):
    """The larger of ``a`` and ``b``, element by element; ``nan`` wins, as in PyTorch."""
    if type(a) is float and type(b) is float:
        return a if a >= b or math.isnan(a) else b
    return np.maximum(a, b)


def minimum(a, b):
    """The smaller of ``a`` and ``b``, element by element; ``nan`` wins, as in PyTorch."""
    if type(a) is float and type(b) is float:
        return a if a <= b or math.isnan(a) else b
    return np.minimum(a, b)


def where(condition, a, b):
    """``a`` where ``condition`` holds, else ``b`` (``condition`` a bool or a bool array)."""
    if isinstance(condition, (bool, np.bool_)) and type(a) is float and type(b) is float:
        return a if condition else b
    if type(b) is float and b == 0.0 and isinstance(a, np.ndarray):
        return _kept(a, condition)
    if type(a) is float and a == 0.0 and isinstance(b, np.ndarray):
        return _kept(b, np.logical_not(condition))
    return np.where(condition, a, b)


def _kept(x, keep, out=None):
    """``x`` where ``keep`` holds, else 0: how a gradient passes an open or a closed gate.

    Multiplying by the 0/1 mask is the textbook form (a diagonal Jacobian) and,
    having no branches, several times faster than ``np.where`` on a random
    mask. It is exact unless ``x`` holds inf or nan, where ``0 * inf`` must
    give 0 rather than nan, so one pass of ``isfinite`` rules that out first.
    (A BLAS dot product of ``x`` with itself would tell too, but OpenBLAS
    splits a long float64 dot over threads whose start-up costs more than the
    pass.) ``out=x`` multiplies in place, as ``grad *= mask`` does in backprop
    written by hand.
    """
    if np.isfinite(x).all():
        return np.multiply(x, keep, out=out)
    return np.where(keep, x, 0.0).astype(x.dtype, copy=False)


def mask(condition, like):
    """1.0 where ``condition`` holds and 0.0 elsewhere, in the float type of ``like``.

    The local gradients of piecewise functions (relu, max, clip) are such masks.
    """
    if isinstance(condition, (bool, np.bool_)):
        return float(condition)
    return condition.astype(getattr(like, "dtype", np.float64))


def checked_flag(name: str, value: Any) -> bool:
    """``value`` as a bool if it is one (Python's or numpy's); a clear ``TypeError`` for anything else ("no", 1, ...)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def random_generator(seed: Any) -> np.random.Generator:
    """numpy's generator for ``seed``: an int >= 0 (the same numbers every run), a generator (used as it is) or None.

    None draws fresh entropy; whatever else numpy takes as a seed (a
    ``SeedSequence``, a list of ints) works too. The rest is refused by name:
    numpy would take True as the seed 1 without a word, and give an unclear
    error for 1.5 or -3.
    """
    try:
        if isinstance(seed, (bool, np.bool_)):
            raise TypeError(seed)
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be an int >= 0, a numpy Generator or None, got {seed!r}") from None


def real_number(value: Any) -> float | None:
    """``value`` as a float if it is a real number (Python's, numpy's, a 0-d array, a Fraction); else None.

    Bools and text are not numbers here: ``True`` or ``"0.1"`` given as a
    setting is a slip to name, not a 1 or a 0.1 to use.
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def finite_number(value: Any) -> float | None:
    """``value`` as a float if it is a finite real number (see ``real_number``); else None."""
    number = real_number(value)
    return number if number is not None and math.isfinite(number) else None


def whole_number(value: Any) -> int | None:
    """``value`` as an int if it is one (Python's, numpy's, a 0-d integer array); else None (floats and bools too)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def refuse_masked(name: str, data: Any) -> None:
    """Refuse a numpy masked array with entries masked: every computation here would use the values under the mask."""
    if isinstance(data, np.ma.MaskedArray) and np.ma.getmaskarray(data).any():
        raise TypeError(
            f"{name} is a masked array, whose mask would be dropped and the values under it used: fill or drop "
            "the masked entries first (data.filled(value), or the rows without masked entries)"
        )
