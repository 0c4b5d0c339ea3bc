"""Softmax, log-softmax and log-sum-exp along an axis, stable for any logits.

``exp(1e4)`` overflows, but softmax does not change when the same number is
subtracted from every logit, so the largest one is subtracted first: every
exponent is then at most 0. The local gradients are short:

- ``logsumexp``: d/dx_i = softmax(x)_i;
- ``log_softmax``: ``grad - softmax * sum(grad)``;
- ``softmax`` (s): ``s * (grad - sum(grad * s))``;
- ``softmax_cross_entropy``: ``softmax(z) * sum(t) - t`` for target probabilities ``t``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import numerics
from .elementwise import Exp
from .function import Function, plain
from .graph import Node
from .reductions import expand_back

if TYPE_CHECKING:  # tensor.py imports this module for its softmax methods
    from .tensor import Tensor


def _shifted(x: np.ndarray, axis: int, infinite_to_zero: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``x`` minus its largest value along ``axis``, and that value.

    With ``infinite_to_zero`` a largest value of ``inf`` or ``-inf`` is replaced
    by 0, so ``logsumexp`` of a row of ``-inf`` is ``-inf`` rather than nan
    (PyTorch's rules, which keep nan for softmax there).
    """
    top = x.max(axis=axis, keepdims=True)
    if infinite_to_zero and not np.isfinite(top).all():
        top = np.where(np.isinf(top), 0.0, top).astype(x.dtype, copy=False)
    with numerics._quiet():
        return x - top, top


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
        self.keepdims = keepdims

    def forward(self, x):
        shifted, top = _shifted(x, self.axis, infinite_to_zero=True)
        with numerics._quiet():
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
    shifted, _ = _shifted(x, axis)
    with numerics._quiet():  # logits of inf give nan, -inf give log-probabilities of -inf, without warnings
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class Softmax(_AlongAxis):
    """``exp(x) / sum(exp(x))`` along ``axis``: probabilities that sum to 1."""

    __slots__ = ()
    shared = True

    def forward(self, x):
        shifted, _ = _shifted(x, self.axis)
        with numerics._quiet():
            e = np.exp(shifted)
            return e / np.sum(e, axis=self.axis, keepdims=True)

    def backward(self, grad, out, x):
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


class SoftmaxCrossEntropy(Function):
    """Softmax and cross-entropy as one op, averaged over the rows of the logits.

    For logits ``z`` and target probabilities ``t`` (for a class label, a
    one-hot row) a row's loss is ``-sum(t * log_softmax(z))``. Its local
    gradient is the short formula the softmax classifier is known for,
    ``softmax(z) * sum(t) - t``: for a class label, "the probabilities, minus 1
    at the correct class". Class labels are kept as indices, so the forward
    pass just picks each row's log-probability at its correct class.
    """

    __slots__ = ("labels", "probabilities", "targets")
    name = "cross_entropy"

    def __init__(self, labels: np.ndarray | None = None, targets: np.ndarray | None = None):
        self.labels, self.targets = labels, targets

    def forward(self, logits):
        rows = len(logits)
        log_probabilities = _log_softmax(logits, axis=1)
        self.probabilities = np.exp(log_probabilities)
        if self.targets is None:
            return -log_probabilities[np.arange(rows), self.labels].sum() / rows
        # 0 * log(0) counts as 0: a class with no target weight adds nothing, even at a logit of -inf
        return -np.where(self.targets == 0.0, 0.0, self.targets * log_probabilities).sum() / rows

    def backward(self, grad, out, logits):
        scale = grad / len(self.probabilities)
        if self.targets is None and not isinstance(logits, Node):  # the common case, in place on a fresh array
            gradient = self.probabilities * scale
            gradient[np.arange(len(gradient)), self.labels] -= scale
            return gradient
        probabilities = Softmax.apply(logits, axis=1) if isinstance(logits, Node) else self.probabilities
        if self.targets is None:  # one-hot rows, each summing to 1
            one_hot = np.zeros(probabilities.shape, dtype=probabilities.dtype)
            one_hot[np.arange(len(self.labels)), self.labels] = 1.0
            return (probabilities - one_hot) * scale
        return (probabilities * self.targets.sum(axis=1, keepdims=True) - self.targets) * scale


def softmax_cross_entropy(logits: Tensor, targets: Any) -> Tensor:
    """The softmax classifier's loss from raw scores ``(n, classes)``, averaged over the rows, as one op.

    ``targets`` are integer class indices ``(n,)`` (the loss is ``-log_softmax(logits)``
    at each row's class) or probabilities ``(n, classes)`` (``-sum(targets * log_softmax(logits))``).
    ``nn.cross_entropy`` builds on it, adding label smoothing.
    """
    data = plain(logits)
    if np.ndim(data) != 2:
        raise ValueError(f"softmax_cross_entropy: logits must have shape (n, classes), got {np.shape(data)}")
    rows, classes = data.shape
    given = np.asarray(plain(targets))
    if given.ndim == 2:
        if given.shape != data.shape:
            raise ValueError(
                f"softmax_cross_entropy: probability targets of shape {given.shape} for logits of shape {data.shape}"
            )
        return SoftmaxCrossEntropy.apply(logits, targets=given.astype(data.dtype, copy=False))
    if given.shape != (rows,) or given.dtype.kind not in "iu":
        raise ValueError(
            f"softmax_cross_entropy: targets must be {rows} integer class indices or probabilities of shape "
            f"{data.shape}, got {given.dtype} of shape {given.shape}"
        )
    if given.size and (given.min() < 0 or given.max() >= classes):
        raise ValueError(
            f"softmax_cross_entropy: class indices must be in [0, {classes}), got {given.min()}..{given.max()}"
        )
    return SoftmaxCrossEntropy.apply(logits, labels=given.astype(np.intp, copy=False))
