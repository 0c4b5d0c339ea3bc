"""Callbacks: code that the training loop calls at fixed moments, to watch or steer it.

A callback subclasses ``Callback`` and overrides the hooks it needs. Each hook gets
the ``Trainer``, whose ``model``, ``optimizer``, ``history``, ``epoch`` (from 0) and
``step`` (optimisation steps so far) it may read; setting ``trainer.stop_training``
ends training after the current epoch. ``TrainingRun`` names what a hook sees, so
this module and the trainer's do not import each other.
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Protocol

import numpy as np

from ..data.arguments import check_amount, check_count
from ..module import Module
from .history import History, infer_mode


class TrainingRun(Protocol):
    """What a hook sees of the training loop that calls it (a ``Trainer``)."""

    stop_training: bool

    @property
    def model(self) -> Module: ...

    @property
    def optimizer(self) -> Any: ...

    @property
    def history(self) -> History: ...

    @property
    def epoch(self) -> int: ...

    @property
    def step(self) -> int: ...


class Callback:
    """Base class: every hook does nothing until a subclass overrides it."""

    def on_train_begin(self, trainer: TrainingRun) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, trainer: TrainingRun) -> None:
        """Before each epoch's first step."""

    def on_batch_end(self, trainer: TrainingRun) -> None:
        """After each optimisation step (its loss is ``trainer.history.per_step["loss"][-1]``)."""

    def on_epoch_end(self, trainer: TrainingRun) -> None:
        """After each epoch, once its training and validation numbers are in the history."""

    def on_train_end(self, trainer: TrainingRun) -> None:
        """After the last epoch (or after an early stop)."""


class EarlyStopping(Callback):
    """Stop when the validation score has not improved for ``patience`` epochs, keep the best weights.

    Training longer fits the training data ever better, but at some point the
    validation loss turns up again (over-fitting begins). Early stopping watches
    ``monitor`` (on validation data, never on the test data), remembers the
    weights of the best epoch, and when ``patience`` epochs in a row have not
    beaten it by more than ``min_delta`` it stops training. With
    ``restore_best_weights`` the model ends with the best epoch's weights
    (also when training ran to the last epoch without stopping).

    After training, ``best_epoch`` and ``best_value`` say which epoch won, and
    ``stopped_epoch`` is the epoch training stopped after (None if it ran out).
    A NaN value never counts as an improvement: an epoch with a NaN score is
    never the best, and its weights are never restored.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ):
        check_count("patience", patience, 1)
        check_amount("min_delta", min_delta)
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must name a column of the history, such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = infer_mode(monitor, mode)
        self.restore_best_weights = restore_best_weights
        self._reset()

    def _reset(self) -> None:
        self.best_value: float | None = None
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.best_state: dict[str, np.ndarray] | None = None
        self._epochs_without_improvement = 0

    def on_train_begin(self, trainer: TrainingRun) -> None:
        self._reset()

    def _improves(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.best_value is None:
            return True
        if self.mode == "min":
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta

    def on_epoch_end(self, trainer: TrainingRun) -> None:
        if self.monitor not in trainer.history:
            recorded = sorted(trainer.history.per_epoch)
            close = difflib.get_close_matches(self.monitor, recorded, n=1)
            if self.monitor.startswith("val_") and not any(name.startswith("val_") for name in recorded):
                advice = "pass validation_data to fit or choose another monitor"
            else:
                advice = f"did you mean {close[0]!r}?" if close else "choose another monitor"
            raise KeyError(
                f"EarlyStopping watches {self.monitor!r}, which this training does not record "
                f"(it records {recorded}); {advice}"
            )
        value = trainer.history[self.monitor][-1]
        if self._improves(value):
            self.best_value, self.best_epoch = value, trainer.epoch
            self._epochs_without_improvement = 0
            if self.restore_best_weights:
                self.best_state = trainer.model.state_dict()
            return
        self._epochs_without_improvement += 1
        if self._epochs_without_improvement >= self.patience:
            self.stopped_epoch = trainer.epoch
            trainer.stop_training = True

    def on_train_end(self, trainer: TrainingRun) -> None:
        if self.restore_best_weights and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)
