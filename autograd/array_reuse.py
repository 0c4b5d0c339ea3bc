"""Reusing arrays in place in a generated program: the liveness pass of a small compiler.

An eager graph cannot overwrite anything: every node keeps its array, since
someone might still read it. Once the whole program is written out
(``autograd/codegen.py``) it is known who reads what, line by line, and an
array that nothing reads any more can take a result in place, the way
backprop written by hand does with ``grad *= mask`` or ``np.maximum(z, 0.0,
out=z)``: the same numbers, one array fewer to allocate and fill.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Line:
    """One line of a program, and for an op that can work in place, the same line reusing ``operand``'s array."""

    text: str
    calls: bool = False  # calls an op (or yields): whatever it reads may be kept or viewed by someone else
    in_place: str | None = None
    operand: str | None = None
    quiet: bool = False  # runs without numpy's warnings (inf - inf is nan silently), as its eager op does
    comment: str = ""  # shown after the line, for the reader
    guard: str | None = None  # runs only if this gradient is not None (an op of the user's may leave one out)
    unset: tuple[str, ...] = ()  # the last line of a guarded op: the gradients it makes, None where it is skipped


_ASSIGNMENT = re.compile(r"^(?:(?P<targets>[\w, ]+?) (?P<how>\+?=) )?(?P<value>.*)$")  # [targets = or +=] value
_NAME = re.compile(r"[A-Za-z_]\w*")


def reuse_arrays(lines: Sequence[Line], names: set[str]) -> list[str]:
    """The lines' texts, each in place where that is safe: ``grad *= mask`` rather than a new array.

    A line may write its result into its operand's array when that array is
    new (made by an earlier line written out here, not handed over by a call,
    and no other name refers to it), no call ever saw it (an op may keep it or a
    view of it), and no later line reads it, in the backward loop either:
    then nothing can tell the difference but the memory saved. ``names`` are
    the program's value and gradient names.
    """
    if not any(line.in_place for line in lines):  # a program of numbers, say: nothing to decide
        return [line.text for line in lines]
    parsed = []
    for line in lines:
        match = _ASSIGNMENT.match(line.text)
        assert match is not None  # the pattern matches any text
        targets = [target.strip() for target in (match["targets"] or "").split(",") if target.strip()]
        read = set(_NAME.findall(match["value"])) & names
        if match["how"] == "+=":
            read.update(targets)
        parsed.append((targets, match["how"], match["value"], read))
    seen_by_calls = set().union(*(read for line, (*_, read) in zip(lines, parsed) if line.calls))
    new: set[str] = set()  # names holding an array no other name refers to
    reusable = []  # per line: may its operand be overwritten, as far as the lines before it tell
    for line, (targets, how, value, _) in zip(lines, parsed):
        reusable.append(line.operand in new)
        if how == "+=":
            continue
        if line.calls or line.guard:  # (a guarded line may not run: its target may still be another name's array)
            new.difference_update(targets)
        elif value in names:  # ``grad_a = grad_s``: two names for one array
            new.difference_update([*targets, value])
        else:
            new.update(targets)
    texts, read_later = [], set()
    for line, (*_, read), may in zip(reversed(lines), reversed(parsed), reversed(reusable)):
        reuse = may and line.operand not in seen_by_calls and line.operand not in read_later
        texts.append(line.in_place if reuse and line.in_place else line.text)
        read_later |= read
    return texts[::-1]
