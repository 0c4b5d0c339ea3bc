"""Metrics: numbers that say how well a model does, computed from its outputs without gradients.

A metric is any function ``metric(outputs, targets) -> float`` on numpy arrays; the
training loop logs it per step and per epoch next to the loss. Unlike the loss it
need not be differentiable (accuracy is a step function of the scores).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from autograd import plain
from autograd.numerics import finite_number

Metric = Callable[[np.ndarray, np.ndarray], float]


def accuracy(outputs: np.ndarray, targets: np.ndarray, threshold: float | None = None) -> float:
    """The fraction of examples whose predicted class is the target class.

    ``outputs`` are scores with one column per class (the prediction is the
    largest), predicted class labels (integers, as a classifier's ``predict``
    gives), or a single column of binary scores: class 1 where a score is above
    ``threshold``, 0 for logits (the default) and 0.5 for probabilities (a
    sigmoid's outputs). Scores that all lie in [0, 1] with no threshold given
    look like probabilities read as logits, so a warning says so.
    ``targets`` are class indices, or soft labels whose largest entry counts.
    """
    outputs = np.asarray(plain(outputs))  # (the model's output Tensor, which may require grad, or an array)
    targets = np.asarray(plain(targets))
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
    elif outputs.dtype.kind in "biu":  # labels already
        predicted = outputs.reshape(len(outputs))
    else:
        scores = outputs.reshape(len(outputs))
        if threshold is not None and finite_number(threshold) is None:
            raise ValueError(f"accuracy(): threshold must be a finite number, got {threshold!r}")
        if threshold is None:
            threshold = 0.0
            if scores.size and np.all((scores >= 0.0) & (scores <= 1.0)):
                warnings.warn(
                    "accuracy(): every score is in [0, 1], which looks like probabilities, but they are read as "
                    "logits (class 1 above 0): pass threshold=0.5 for probabilities, or threshold=0.0 for logits",
                    stacklevel=2,
                )
        predicted = (scores > threshold).astype(np.int64)
    if targets.ndim == 2 and targets.shape[1] > 1:
        targets = targets.argmax(axis=1)
    targets = targets.reshape(len(targets))
    if len(targets) != len(predicted):
        raise ValueError(f"accuracy(): {len(predicted)} outputs but {len(targets)} targets")
    return float(np.mean(predicted == targets))


BUILT_IN_METRICS: dict[str, Metric] = {"accuracy": accuracy}


def resolve_metrics(metrics: Iterable[str | Metric] | Mapping[str, Metric] | None) -> dict[str, Metric]:
    """Name each metric: built-in ones by name (``"accuracy"``), functions by ``__name__``, or a dict."""
    if metrics is None:
        return {}
    if isinstance(metrics, Mapping):
        return dict(metrics)
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    named = {}
    for metric in metrics:
        if isinstance(metric, str):
            if metric not in BUILT_IN_METRICS:
                raise ValueError(f"unknown metric {metric!r}; built-in metrics: {sorted(BUILT_IN_METRICS)}")
            named[metric] = BUILT_IN_METRICS[metric]
        elif callable(metric):
            named[getattr(metric, "__name__", type(metric).__name__)] = metric
        else:
            raise TypeError(f"a metric is a name or a function(outputs, targets), not a {type(metric).__name__}")
    return named
