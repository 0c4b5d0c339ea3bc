"""``History``: the record of a training run, for plotting curves and picking the best epoch."""

from __future__ import annotations

import difflib
import math


def infer_mode(monitor: str, mode: str) -> str:
    """``"min"`` or ``"max"``: whether smaller or larger values of ``monitor`` are better.

    ``mode="auto"`` decides from the name: a loss goes down, an accuracy goes up.
    """
    if mode in ("min", "max"):
        return mode
    if mode != "auto":
        raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
    if monitor.endswith("loss"):
        return "min"
    if monitor.endswith("accuracy"):
        return "max"
    close = difflib.get_close_matches(monitor, ["loss", "accuracy", "val_loss", "val_accuracy"], n=1)
    slip = f", or did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"cannot tell whether {monitor!r} should go up or down: pass mode='min' or mode='max' (a loss goes "
        f"down, an accuracy up){slip}"
    )


class History:
    """Loss and metrics after every optimisation step and every epoch.

    ``per_step["loss"]`` holds the loss of each minibatch (a noisy curve, the
    noisier the smaller the batch); ``per_epoch`` holds one number per epoch
    for each name: ``loss`` and the metrics on the training data, ``val_loss``
    and ``val_<metric>`` on the validation data, and ``lr``, the learning rate
    the epoch was trained with. ``history["val_loss"]`` is short for
    ``history.per_epoch["val_loss"]``.
    """

    def __init__(self) -> None:
        self.per_step: dict[str, list[float]] = {}
        self.per_epoch: dict[str, list[float]] = {}

    def log_step(self, values: dict[str, float]) -> None:
        """Append one step's numbers."""
        for name, value in values.items():
            self.per_step.setdefault(name, []).append(float(value))

    def log_epoch(self, values: dict[str, float]) -> None:
        """Append one epoch's numbers."""
        for name, value in values.items():
            self.per_epoch.setdefault(name, []).append(float(value))

    def __getitem__(self, name: str) -> list[float]:
        if name not in self.per_epoch:
            raise KeyError(f"history has no {name!r}; it records {sorted(self.per_epoch)}")
        return self.per_epoch[name]

    def __contains__(self, name: str) -> bool:
        return name in self.per_epoch

    def __len__(self) -> int:
        """The number of epochs recorded."""
        return max((len(values) for values in self.per_epoch.values()), default=0)

    def best_epoch(self, monitor: str = "val_loss", mode: str = "auto") -> int:
        """The index (from 0) of the epoch with the best ``monitor``; the first one on ties; NaN is never best."""
        numbers = [value for value in self[monitor] if not math.isnan(value)]
        if not numbers:
            raise ValueError(f"history has no epochs with a number for {monitor!r} (none yet, or all NaN)")
        pick = min if infer_mode(monitor, mode) == "min" else max
        return self[monitor].index(pick(numbers))

    def best(self, monitor: str = "val_loss", mode: str = "auto") -> float:
        """The best value of ``monitor`` over the epochs."""
        return self[monitor][self.best_epoch(monitor, mode)]

    def __repr__(self) -> str:
        last = ", ".join(f"{name}={values[-1]:.4g}" for name, values in self.per_epoch.items() if values)
        return f"History({len(self)} epochs: {last})"
