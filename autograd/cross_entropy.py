"""Softmax and cross-entropy as one op: the softmax classifier's loss, with its short gradient.

For logits ``z`` and target probabilities ``t`` the loss of a row is
``-sum(t * log_softmax(z))``, and its local gradient is
``softmax(z) * sum(t) - t``: for a class label, "the probabilities, minus 1 at
the correct class". Softmax and log-softmax come from the same shifted
exponentials as in ``autograd/softmax.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import numerics
from .elementwise import Cast
from .function import Function, plain
from .graph import Node, is_grad_enabled, values_of, wants_gradient
from .softmax import Softmax, _softmax_parts
from .tensor import Tensor


class SoftmaxCrossEntropy(Function):
    """Softmax and cross-entropy as one op, averaged over the rows of the logits.

    For logits ``z`` and target probabilities ``t`` (for a class label, a
    one-hot row) a row's loss is ``-sum(t * log_softmax(z))``. Its local
    gradient is the short formula the softmax classifier is known for,
    ``softmax(z) * sum(t) - t``: for a class label, "the probabilities, minus 1
    at the correct class". Class labels are kept as indices, so the forward
    pass just picks each row's log-probability at its correct class.
    """

    __slots__ = ("labels", "probabilities", "rows", "targets")
    name = "cross_entropy"

    def __init__(self, labels: np.ndarray | None = None, targets: np.ndarray | None = None):
        self.labels, self.targets = labels, targets
        self.rows = None if labels is None else np.arange(len(labels))  # with labels: picks each row's class

    def forward(self, logits):
        rows = len(logits)
        with numerics._quiet():  # logits of inf give nan, -inf give probabilities of 0, without warnings
            shifted, exponentials, sums = _softmax_parts(logits, axis=1)
            self.probabilities = exponentials / sums
            if self.targets is None:  # each row's log-probability at its class: shifted - log(sums) there
                return -(shifted[self.rows, self.labels] - np.log(sums[:, 0])).sum() / rows
            log_probabilities = shifted - np.log(sums)
            # 0 * log(0) counts as 0: a class with no target weight adds nothing, even at a logit of -inf
            return -np.where(self.targets == 0.0, 0.0, self.targets * log_probabilities).sum() / rows

    def backward(self, grad, out, logits):
        scale = grad / len(self.probabilities)
        if self.targets is None and not isinstance(logits, Node):  # the common case, in place on a fresh array
            gradient = self.probabilities * scale
            gradient[self.rows, self.labels] -= scale
            return gradient
        probabilities = Softmax.apply(logits, axis=1) if isinstance(logits, Node) else self.probabilities
        if self.targets is None:  # one-hot rows, each summing to 1
            one_hot = np.zeros(probabilities.shape, dtype=probabilities.dtype)
            one_hot[self.rows, self.labels] = 1.0
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
    given = target_numbers(targets)
    if given.ndim == 2:
        if given.shape != data.shape:
            raise ValueError(
                f"softmax_cross_entropy: probability targets of shape {given.shape} for logits of shape {data.shape}"
            )
        check_probability_targets(given, "softmax_cross_entropy")
        if targets_in_the_graph(targets):
            # Targets computed in the graph (a teacher's softmax) get their gradient too, -log_softmax / n:
            # the same loss from ops that pass gradients both ways.
            scores = logits if isinstance(logits, Tensor) else Tensor(data)
            return -(targets_in_dtype(targets, scores.dtype) * scores.log_softmax(axis=1)).sum() / rows
        return SoftmaxCrossEntropy.apply(logits, targets=given.astype(data.dtype))  # copies: kept for backward
    if given.shape != (rows,) or given.dtype.kind not in "iu":
        raise ValueError(
            f"softmax_cross_entropy: targets must be {rows} integer class indices or probabilities of shape "
            f"{data.shape}, got {given.dtype} of shape {given.shape}"
        )
    if given.size and (given.min() < 0 or given.max() >= classes):
        raise ValueError(
            f"softmax_cross_entropy: class indices must be in [0, {classes}), got {given.min()}..{given.max()}"
        )
    return SoftmaxCrossEntropy.apply(logits, labels=given.astype(np.intp))  # a copy: kept for backward


def check_probability_targets(targets: np.ndarray, loss: str) -> None:
    """Refuse whole-number targets of shape ``(n, classes)`` that are not one-hot rows.

    Probabilities are floats; a matrix of ints is one-hot labels (accepted) or
    a slip, such as several classes marked per row or class indices in the
    shape of the logits, which would give a loss with no meaning. PyTorch
    refuses every integer matrix of targets.
    """
    if targets.dtype.kind not in "biu" or not targets.size:
        return
    one_hot = np.isin(targets, (0, 1)).all() and (targets.sum(axis=1) == 1).all()
    if not one_hot:
        raise ValueError(
            f"{loss}: whole-number targets of shape {targets.shape} must be one-hot rows (a single 1 in each); "
            "give class labels as one number per row, shape (n,), and probabilities as floats"
        )


def target_numbers(targets: Any) -> np.ndarray:
    """A loss's targets as an array.

    Targets computed in the graph are an input of the loss's op, read at every
    call; others are numbers the op keeps as a setting, which a recording in
    progress notes (``values_of``) so that ``compile`` checks them.
    """
    return np.asarray(plain(targets) if targets_in_the_graph(targets) else values_of(targets))


def targets_in_the_graph(targets: Any) -> bool:
    """Whether a loss's targets are computed in the graph (a teacher's probabilities), so they get a gradient too."""
    return isinstance(targets, Node) and wants_gradient(targets) and is_grad_enabled()


def targets_in_dtype(targets: Tensor, dtype: np.dtype) -> Tensor:
    """Targets in the logits' dtype, so the loss keeps it (their gradient is cast back to theirs)."""
    return targets if targets.dtype == dtype else Cast.apply(targets, dtype=dtype)
