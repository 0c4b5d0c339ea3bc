"""Softmax, log-softmax and log-sum-exp along an axis, stable for any logits.

``exp(1e4)`` overflows, but softmax does not change when the same number is
subtracted from every logit, so the largest one is subtracted first: every
exponent is then at most 0. The local gradients are short:

- ``logsumexp``: d/dx_i = softmax(x)_i;
- ``log_softmax``: ``grad - softmax * sum(grad)``;
- ``softmax`` (s): ``s * (grad - sum(grad * s))``.

Softmax followed by cross-entropy is one op of its own, beside this file
(``autograd/cross_entropy.py``).
"""

from __future__ import annotations

import numpy as np

from . import numerics
from .elementwise import Exp
from .function import Function, plain
from .reductions import expand_back


def _shifted(x: np.ndarray, axis: int, infinite_to_zero: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``x`` minus its largest value along ``axis``, and that value (call it under ``numerics._quiet()``).

    With ``infinite_to_zero`` a largest value of ``inf`` or ``-inf`` is replaced
    by 0, so ``logsumexp`` of a row of ``-inf`` is ``-inf`` rather than nan
    (PyTorch's rules, which keep nan for softmax there).
    """
    top = x.max(axis=axis, keepdims=True, initial=-np.inf)  # (-inf along an empty axis, as an empty max is)
    if infinite_to_zero and not np.isfinite(top).all():
        top = np.where(np.isinf(top), 0.0, top).astype(x.dtype, copy=False)
    return x - top, top


def _softmax_parts(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``shifted`` (``x`` minus its largest value), ``exp(shifted)`` and the sums of those along ``axis``.

    Softmax is ``exp(shifted) / sums`` and log-softmax ``shifted - log(sums)``.
    Call it under ``numerics._quiet()``: logits of inf give nan, and of -inf
    probabilities of 0, without warnings.
    """
    shifted, _ = _shifted(x, axis)
    exponentials = np.exp(shifted)
    return shifted, exponentials, exponentials.sum(axis=axis, keepdims=True)


class _AlongAxis(Function):
    """An op that works along one axis of its input."""

    __slots__ = ("axis",)

    def __init__(self, axis: int = -1):
        self.axis = axis


class LogSumExp(_AlongAxis):
    """``log(sum(exp(x)))`` along ``axis``: a smooth maximum, with softmax as its gradient."""

    __slots__ = ("keepdims",)

    def __init__(self, axis: int = -1, keepdims: bool = False):
        super().__init__(axis)
        self.keepdims = numerics.checked_flag("keepdims", keepdims)

    def forward(self, x):
        with numerics._quiet():
            shifted, top = _shifted(x, self.axis, infinite_to_zero=True)
            result = np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True)) + top
        return result if self.keepdims else np.squeeze(result, axis=self.axis)

    def backward(self, grad, out, x):
        shape = np.shape(plain(x))
        kept_out = expand_back(out, shape, self.axis, self.keepdims)
        with numerics._quiet():
            return expand_back(grad, shape, self.axis, self.keepdims) * Exp.apply(x - kept_out)


class LogSoftmax(_AlongAxis):
    """``x - logsumexp(x)`` along ``axis``: log-probabilities, finite even for logits of 1e4."""

    __slots__ = ()
    shared = True
    name = "log_softmax"

    def forward(self, x):
        return _log_softmax(x, self.axis)

    def backward(self, grad, out, x):
        return grad - Exp.apply(out) * grad.sum(axis=self.axis, keepdims=True)


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """The log-probabilities ``shifted - log(sum(exp(shifted)))``: every exponent at most 0, so no overflow."""
    with numerics._quiet():  # logits of inf give nan, -inf give log-probabilities of -inf, without warnings
        shifted, _, sums = _softmax_parts(x, axis)
        return shifted - np.log(sums)


class Softmax(_AlongAxis):
    """``exp(x) / sum(exp(x))`` along ``axis``: probabilities that sum to 1."""

    __slots__ = ()
    shared = True

    def forward(self, x):
        with numerics._quiet():
            _, exponentials, sums = _softmax_parts(x, self.axis)
            return exponentials / sums

    def backward(self, grad, out, x):
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))
