"""Metrics: numbers that say how well a model does, computed from its outputs without gradients.

A metric is any function ``metric(outputs, targets) -> float`` on numpy arrays; the
training loop logs it per step and per epoch next to the loss. Unlike the loss it
need not be differentiable (accuracy is a step function of the scores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from autograd import plain
from autograd.numerics import finite_number

Metric = Callable[[np.ndarray, np.ndarray], float]


def accuracy(outputs: np.ndarray, targets: np.ndarray, threshold: float = 0.0) -> float:
    """The fraction of examples whose predicted class is the target class.

    ``outputs`` are scores with one column per class (the prediction is the
    largest), predicted class labels (as a classifier's ``predict`` gives:
    integers, strings, or floats where the targets hold a class other than 0
    and 1, as for a classifier fitted on float labels), or a single column of
    binary scores for targets 0 and 1 (float labels 0.0 and 1.0 read the same
    either way): class 1 where a score is above
    ``threshold``, 0 for logits (the default) and 0.5 for probabilities (a
    sigmoid's outputs). ``fit``'s ``metrics=["accuracy"]`` takes 0.5 for a
    model whose outputs come from a sigmoid (a ``Sequential`` ending with
    ``Sigmoid``, or a forward ending with ``.sigmoid()``); for probabilities
    made otherwise, pass ``metrics={"accuracy": partial(nn.accuracy, threshold=0.5)}``.
    ``targets`` are class indices, or soft labels whose largest entry counts.
    """
    outputs = np.asarray(plain(outputs))  # (the model's output Tensor, which may require grad, or an array)
    targets = np.asarray(plain(targets))
    if targets.ndim == 2 and targets.shape[1] > 1:
        targets = targets.argmax(axis=1)
    targets = targets.reshape(len(targets))
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
    elif outputs.dtype.kind != "f" or not np.isin(targets, (0, 1)).all():  # labels: scores only tell 0 from 1
        predicted = outputs.reshape(len(outputs))
    else:
        scores = outputs.reshape(len(outputs))
        cut = finite_number(threshold)
        if cut is None:
            raise ValueError(f"accuracy(): threshold must be a finite number, got {threshold!r}")
        predicted = (scores > cut).astype(np.int64)
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
