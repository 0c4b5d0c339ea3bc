"""The argument types and checks the data tools share: seeds, counts and aligned arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Seed

__all__ = ["Seed", "check_count", "common_length", "equal_shares"]


def check_count(name: str, value: int, minimum: int) -> None:
    """Raise a ``ValueError`` naming ``name`` unless ``value`` is an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


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
