"""Training: the loop (``fit``, ``Trainer``), its record (``History``), metrics, callbacks and ``predict``."""

from .callbacks import Callback, EarlyStopping
from .history import History
from .metrics import accuracy
from .trainer import Trainer, evaluation, fit, predict

__all__ = ["Callback", "EarlyStopping", "History", "Trainer", "accuracy", "evaluation", "fit", "predict"]
