"""The argument types and checks nn shares: seeds, counts, a network's widths and aligned arrays."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

import numpy as np

from autograd import Seed
from autograd.numerics import finite_number

__all__ = ["Seed", "check_count", "check_sizes", "common_length", "equal_shares"]


def check_count(name: str, value: int, minimum: int) -> None:
    """Raise a ``ValueError`` naming ``name`` unless ``value`` is an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def check_amount(name: str, value: float, least: float | None = 0.0) -> None:
    """Raise a ``ValueError`` naming ``name`` unless ``value`` is a finite number >= ``least`` (None: of any sign).

    For a noise, a spread, a slope or a margin: NaN or infinity would only turn the data or the loss into NaN.
    """
    number = finite_number(value)
    if number is None or (least is not None and number < least):
        wanted = "a finite number" + ("" if least is None else f" >= {least:g}")
        raise ValueError(f"{name} must be {wanted}, got {value!r}")


def check_sizes(owner: str, sizes: Sequence[int]) -> list[int]:
    """A network's widths, inputs first, as a list; a ``ValueError`` naming ``owner`` and the bad one otherwise."""
    if isinstance(sizes, (str, bytes, AbstractSet, Mapping)) or not isinstance(sizes, Iterable):  # (no order)
        raise TypeError(f"{owner} takes one list of widths, inputs first, such as {owner}([2, 16, 1]); got {sizes!r}")
    widths = list(sizes)
    if len(widths) < 2:
        raise ValueError(f"{owner} needs at least an input and an output size, got {widths}")
    for index, width in enumerate(widths):
        check_count(f"{owner}: sizes[{index}]", width, 1)
    return widths


def common_length(arrays: Sequence[np.ndarray]) -> int:
    """The number of examples (length of axis 0) the arrays share; a ``ValueError`` if they differ."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"all arrays must have the same number of examples (axis 0), got lengths {lengths}")
    return lengths[0]


def equal_shares(total: int, parts: int) -> np.ndarray:
    """Split ``total`` into ``parts`` sizes as equal as possible; the first ``total % parts`` get one more."""
    sizes = np.full(parts, total // parts)
    sizes[: total % parts] += 1
    return sizes
