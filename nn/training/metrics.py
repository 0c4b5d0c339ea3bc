"""Metrics: numbers that say how well a model does, computed from its outputs without gradients.

A metric is any function ``metric(outputs, targets) -> float`` on numpy arrays; the
training loop logs it per step and per epoch next to the loss. Unlike the loss it
need not be differentiable (accuracy is a step function of the scores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from autograd import plain

Metric = Callable[[np.ndarray, np.ndarray], float]


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """The fraction of examples whose predicted class is the target class.

    ``outputs`` are scores: one column per class (the prediction is the largest),
    or a single column of binary logits (the prediction is 1 where it is > 0).
    ``targets`` are class indices, or soft labels whose largest entry counts.
    """
    outputs = np.asarray(plain(outputs))  # (the model's output Tensor, which may require grad, or an array)
    targets = np.asarray(plain(targets))
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
    else:
        predicted = (outputs.reshape(len(outputs)) > 0).astype(np.int64)
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
