"""Which leaves changed since the graph was computed, found by running the drawn forward again.

A graph keeps the data each result had when it was computed. After an
optimizer step or a hand edit of ``w.data`` (in place or not) a leaf holds new
numbers while the results computed from it still hold the old ones, so a
drawing would show numbers that contradict each other. Running each drawn
op's forward again on its inputs' current data finds the results that no
longer follow from their inputs (cheap: a drawing holds at most a few hundred
nodes). The leaves feeding such a result are the ones that may have changed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from autograd import Node


def _agrees(node: Node) -> bool:
    """True when ``node``'s data is still its op applied to its inputs' current data."""
    if node.op is None:  # a leaf: nothing to run again
        return True
    op = copy.copy(node.op)  # some ops keep what backward needs on themselves: leave the recorded one alone
    try:
        with np.errstate(all="ignore"):
            again = op.forward(*[parent.data for parent in node.parents])
    except (ArithmeticError, ValueError, TypeError):  # an input edited into another shape or out of the domain
        return False
    except NotImplementedError:  # an op that cannot run again (one of torch's backward functions): taken as it is
        return True
    return np.shape(again) == np.shape(node.data) and bool(
        np.allclose(again, node.data, rtol=1e-12, atol=0.0, equal_nan=True)
    )


@dataclass(frozen=True)
class Changes:
    """The results that no longer follow from their inputs, and for each the inputs one of which changed."""

    outdated: list[Node]
    suspects: list[tuple[Node, ...]]

    def __bool__(self) -> bool:
        return bool(self.outdated)

    @property
    def changed(self) -> list[Node]:
        """Every node named as changed, each once, in the order found."""
        return list(dict.fromkeys(node for group in self.suspects for node in group))


def _suspects(node: Node, stale: set[Node], agreeing_inputs: set[Node]) -> tuple[Node, ...]:
    """The inputs of an outdated result that may have changed: leaves, or results edited by hand.

    An input that also feeds a result that still agrees is cleared; an input
    that requires grad (what an optimizer step changes) is named before data,
    and then a leaf before a result (a result is outdated by its own inputs'
    change far more often than edited by hand).
    """
    suspects = [p for p in node.parents if p.op is None or p in stale]
    suspects = [p for p in suspects if p not in agreeing_inputs] or suspects
    suspects = [p for p in suspects if p.requires_grad] or suspects
    suspects = [p for p in suspects if p.op is None] or suspects
    return tuple(dict.fromkeys(suspects))


def find_changes(nodes: Iterable[Node]) -> Changes:
    """Run the forward of every result in ``nodes`` again and name what changed since it was computed."""
    results = [node for node in nodes if node.op is not None]
    outdated = [node for node in results if not _agrees(node)]
    stale = set(outdated)
    agreeing_inputs = {parent for node in results if node not in stale for parent in node.parents}
    groups = [_suspects(node, stale, agreeing_inputs) for node in outdated]
    return Changes(outdated, list(dict.fromkeys(group for group in groups if group)))
