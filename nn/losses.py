"""Losses: one number that says how wrong the scores are, to backpropagate from.

Each is a function (``cross_entropy(logits, y)``) and a module
(``CrossEntropyLoss()(logits, y)``), averaged over the batch. Most are built
from ``Tensor`` ops, so the engine derives their gradients; the two
cross-entropies are ops of their own (softmax's is ``autograd.softmax_cross_entropy``),
with the short gradients notebook 03 derives (``softmax - target`` and
``sigmoid - target``), which is faster and exact where the composed ops would lose digits
(probability targets computed in the graph make softmax's a composition with
``log_softmax``, still exact, so the targets get their gradient too).
Penalties on the weights (L1, L2) are added to a loss to regularize.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Function, Node, Tensor, Value, plain, softmax_cross_entropy, where
from autograd.cross_entropy import check_probability_targets, target_numbers, targets_in_dtype, targets_in_the_graph
from autograd.elementwise import Sigmoid
from autograd.graph import values_of

from .data.arguments import check_amount
from .module import Module


def _as_tensor(x: Any, like: Tensor) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x), dtype=like.dtype)


def _class_indices(targets: Any, scores: Tensor, loss: str) -> np.ndarray:
    """The targets as integer class indices, checked against the scores' shape ``(n, classes)``."""
    if scores.ndim != 2:
        raise ValueError(f"{loss}: scores must have shape (n, classes), got {scores.shape}")
    labels = np.asarray(values_of(targets))
    if labels.shape != scores.shape[:1]:
        raise ValueError(
            f"{loss}: {scores.shape[0]} score rows need {scores.shape[0]} targets, got shape {labels.shape}"
        )
    if labels.dtype.kind == "O":  # numbers held as Python objects (a pandas column, say) are numbers
        labels = np.array(labels.tolist())
    if labels.dtype.kind not in "biuf":
        example = f" such as {labels.flat[0]!r}" if labels.size else ""
        raise ValueError(
            f"{loss}: targets must be class indices 0, 1, 2, ..., not {labels.dtype} values{example}: number the "
            "classes first (np.unique(y, return_inverse=True)), or use a classifier such as nn.MLPClassifier, "
            "which does"
        )
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ValueError(f"{loss}: targets must be class indices (whole numbers)")
    labels = labels.astype(np.intp, copy=False)
    if labels.size and (labels.min() < 0 or labels.max() >= scores.shape[1]):
        hint = (
            ": the scores have one column, one class; two classes need two columns (a model with 2 outputs), or "
            "binary_cross_entropy_with_logits on the one"
            if scores.shape[1] == 1
            else ""
        )
        raise ValueError(
            f"{loss}: targets must be class indices in [0, {scores.shape[1]}), got {labels.min()}..{labels.max()}{hint}"
        )
    return labels


def mse_loss(predictions: Tensor, targets: Any) -> Tensor:
    """Mean squared error ``mean((predictions - targets)**2)``; the shapes must be equal."""
    targets = _as_tensor(targets, predictions)
    if predictions.shape != targets.shape:
        raise ValueError(f"mse_loss: predictions of shape {predictions.shape} and targets of shape {targets.shape}")
    difference = predictions - targets
    return (difference * difference).mean()


def _one_hot(labels: np.ndarray, classes: int, dtype: np.dtype) -> np.ndarray:
    """Rows of target probabilities for class labels: 1 at the label, 0 elsewhere."""
    rows = np.zeros((len(labels), classes), dtype=dtype)
    rows[np.arange(len(labels)), labels] = 1.0
    return rows


def cross_entropy(logits: Tensor, targets: Any, label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from raw scores ``(n, classes)``, averaged over the rows.

    ``targets`` are class indices ``(n,)``: the loss is ``-log softmax(logits)``
    at the correct class, the softmax classifier's loss. Or they are
    probabilities ``(n, classes)`` (soft labels, as ``mixup`` makes): the loss
    is ``-sum(targets * log softmax(logits))``. With ``label_smoothing`` ``e``,
    the target keeps ``1 - e`` of its weight and spreads ``e`` evenly over all
    classes, which keeps the model from becoming over-confident.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], not {label_smoothing}")
    if not isinstance(logits, (Tensor, np.ndarray)):
        values = isinstance(logits, (list, tuple)) and any(isinstance(item, Value) for item in logits)
        raise TypeError(
            f"cross_entropy takes the scores as a Tensor (or an array) of shape (n, classes), got a "
            f"{type(logits).__name__}"
            + (" of Values: write a scalar model's loss with Values, or use the tensor stack, nn.MLP" if values else "")
        )
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: scores must have shape (n, classes), got {logits.shape}")
    probabilities: Tensor | np.ndarray
    if np.ndim(plain(targets)) != 2:
        labels = _class_indices(targets, logits, "cross_entropy")
        if not label_smoothing:
            return softmax_cross_entropy(logits, labels)
        probabilities = _one_hot(labels, logits.shape[1], logits.dtype)
    else:
        if targets_in_the_graph(targets):
            probabilities = targets_in_dtype(targets, logits.dtype)
        else:
            given = np.asarray(values_of(targets))
            check_probability_targets(given, "cross_entropy")
            probabilities = given.astype(logits.dtype)
        shape = np.shape(plain(probabilities))
        if shape != logits.shape:
            hint = "; class labels go as one number per row, shape (n,): y.ravel()" if shape[1:] == (1,) else ""
            raise ValueError(
                f"cross_entropy: probability targets of shape {shape} for logits of shape {logits.shape}{hint}"
            )
    if label_smoothing:
        probabilities = (1.0 - label_smoothing) * probabilities + label_smoothing / logits.shape[1]
    return softmax_cross_entropy(logits, probabilities)


class _BinaryCrossEntropyWithLogits(Function):
    """``-y log s(x) - (1 - y) log(1 - s(x))`` with ``s`` the sigmoid, per element.

    Written as ``max(x, 0) - x y + log(1 + exp(-|x|))`` it never overflows, and
    its local gradient is simply ``s(x) - y``. The targets ``y`` are a constant
    of the op, or its second input when they are computed in the graph (a
    teacher's probabilities): their local gradient is ``-x``.
    """

    __slots__ = ("targets",)
    name = "bce_with_logits"

    def __init__(self, targets: np.ndarray | None = None):
        self.targets = targets

    def forward(self, x, y=None):
        y = self.targets if y is None else y
        return np.maximum(x, 0.0) - x * y + np.log1p(np.exp(-np.abs(x)))  # exp of at most 0: no overflow

    def backward(self, grad, out, x, y=None):
        grad_x = grad * (Sigmoid.apply(x) - (self.targets if y is None else y))
        if y is None:
            return grad_x
        return grad_x, -grad * x if self.needs_input_grad[1] else None


def binary_cross_entropy_with_logits(logits: Tensor, targets: Any) -> Tensor:
    """Binary cross-entropy from raw scores and 0/1 (or soft) targets of the same shape, averaged.

    Targets computed in the graph get their gradient too, as in PyTorch.
    """
    labels = np.array(target_numbers(targets), dtype=logits.dtype)  # a copy: the op keeps it for backward
    if labels.shape != logits.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: logits of shape {logits.shape} and targets of shape {labels.shape}"
        )
    if targets_in_the_graph(targets):
        return _BinaryCrossEntropyWithLogits.apply(logits, targets_in_dtype(targets, logits.dtype)).mean()
    return _BinaryCrossEntropyWithLogits.apply(logits, targets=labels).mean()


def multi_margin_loss(scores: Tensor, targets: Any, margin: float = 1.0) -> Tensor:
    """The multiclass SVM (hinge) loss: ``sum over wrong classes j of max(0, margin - s_correct + s_j)``.

    Each wrong class costs nothing once its score is at least ``margin`` below
    the correct one. As in PyTorch, each row's sum is divided by the number of
    classes, then the rows are averaged.
    """
    check_amount("margin", margin, least=None)
    labels = _class_indices(targets, scores, "multi_margin_loss")
    rows = np.arange(len(labels))
    correct = scores[rows, labels].reshape(-1, 1)
    hinge = (scores - correct + margin).relu()
    is_correct = np.zeros(scores.shape, dtype=bool)
    is_correct[rows, labels] = True
    hinge = where(is_correct, 0.0, hinge)
    return hinge.sum(axis=1).mean() * (1.0 / scores.shape[1])


def _parameters(params: Iterable[Node] | Module) -> list[Value | Tensor]:
    found: list[Value | Tensor] = []
    for p in params.parameters() if isinstance(params, Module) else params:
        if not isinstance(p, (Value, Tensor)):
            raise TypeError(f"a penalty takes Values and Tensors (or a Module), not a {type(p).__name__}")
        found.append(p)
    if not found:
        raise ValueError("a penalty needs at least one parameter")
    return found


def l1_penalty(params: Iterable[Node] | Module) -> Value | Tensor:
    """``sum |w|`` over all the given parameters (or a module's): pushes weights to exactly 0."""
    terms = [p.abs().sum() if isinstance(p, Tensor) else abs(p) for p in _parameters(params)]
    return sum(terms[1:], terms[0])


def l2_penalty(params: Iterable[Node] | Module) -> Value | Tensor:
    """``sum w**2`` over all the given parameters (or a module's), with no 1/2 in front: pulls weights towards 0.

    Its gradient is ``2 w``; ``loss + lam * l2_penalty(weights)`` is the L2
    regularization of notebook 06.
    """
    terms = [(p * p).sum() if isinstance(p, Tensor) else p * p for p in _parameters(params)]
    return sum(terms[1:], terms[0])


class MSELoss(Module):
    """Module form of ``mse_loss``."""

    def forward(self, predictions: Tensor, targets: Any) -> Tensor:
        return mse_loss(predictions, targets)


class CrossEntropyLoss(Module):
    """Module form of ``cross_entropy``."""

    def __init__(self, label_smoothing: float = 0.0):
        self.label_smoothing = label_smoothing

    def forward(self, logits: Tensor, targets: Any) -> Tensor:
        return cross_entropy(logits, targets, self.label_smoothing)


class BCEWithLogitsLoss(Module):
    """Module form of ``binary_cross_entropy_with_logits``."""

    def forward(self, logits: Tensor, targets: Any) -> Tensor:
        return binary_cross_entropy_with_logits(logits, targets)


class MultiMarginLoss(Module):
    """Module form of ``multi_margin_loss``."""

    def __init__(self, margin: float = 1.0):
        self.margin = margin

    def forward(self, scores: Tensor, targets: Any) -> Tensor:
        return multi_margin_loss(scores, targets, self.margin)
