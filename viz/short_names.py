"""Long parameter names made short for a drawing: ``layers.0.neurons.1.weights.2`` is drawn ``l0.n1.w2``.

A scalar network's names are long because every weight is named through
its layer and neuron; the shortened names, with a key under the picture
(``l = layers, n = neurons, w = weights``), keep its boxes narrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from autograd import Node

LONG_NAME = 20  # parameter names longer than this are shortened in a drawing


def short_names(names: Mapping[Node, str]) -> tuple[dict[Node, str], dict[str, str]]:
    """Long dotted names made short (``layers.0.neurons.1.weights.2`` -> ``l0.n1.w2``) and the key to read them.

    A word followed by an index becomes its first letter and the index; a last
    word stays whole (``l2.n0.bias``). Names are left as they are when all are
    short already or when two short names would be the same.
    """
    words = _words_by_letter(names)
    if all(len(name) <= LONG_NAME for name in names.values()) or any(len(w) > 1 for w in words.values()):
        return dict(names), {}
    shortened = {node: shorten(name) for node, name in names.items()}
    if len(set(shortened.values())) != len(shortened):
        return dict(names), {}
    return shortened, {letter: word for letter, (word,) in sorted(words.items())}


def shorten(name: str) -> str:
    """``layers.0.neurons.1.weights.2`` -> ``l0.n1.w2``: a word followed by an index becomes its first letter."""
    parts = name.split(".")
    out = []
    for part, following in zip(parts, [*parts[1:], ""]):
        if not part.isdigit():
            out.append(part[0] + following if following.isdigit() else part)
    return ".".join(out)


def _words_by_letter(names: Mapping[Node, str]) -> dict[str, set[str]]:
    """The words followed by an index (``layers`` in ``layers.0``), by their first letter."""
    words: dict[str, set[str]] = {}
    for name in names.values():
        parts = name.split(".")
        for part, following in pairwise(parts):
            if not part.isdigit() and following.isdigit():
                words.setdefault(part[0], set()).add(part)
    return words
