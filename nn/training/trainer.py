"""The training loop: predict, measure the loss, backpropagate, update; batch after batch, epoch after epoch.

One step on a batch is the loop of notebook 04: run the model forward with the
current weights, compute the loss, let ``backward()`` fill every parameter's gradient,
and let the optimizer move the weights against it (``w <- w - lr * dL/dw`` for plain
SGD). An epoch is one pass over all training examples. After each epoch the model is
evaluated on the validation data, with ``model.eval()`` (dropout off, batch norm on
its running statistics) and under ``no_grad()`` (nothing recorded, nothing to free).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.compiled import CompiledGraph
from autograd.elementwise import Sigmoid as SigmoidOp
from autograd.numerics import refuse_masked

from ..data import DataLoader, Seed
from ..data.arguments import check_count
from ..layers import Sequential, Sigmoid
from ..module import Module, eval_mode
from ..optim import Optimizer
from .callbacks import Callback
from .compiled import compiled_model
from .history import History
from .metrics import Metric, accuracy, resolve_metrics
from .progress import epoch_progress

LossFunction = Callable[[Tensor, np.ndarray], Tensor]
"""``loss_fn(outputs, targets)``: the model's output ``Tensor`` and the targets as numpy, to a scalar ``Tensor``."""

Metrics = Iterable[str | Metric] | Mapping[str, Metric] | None
Data = tuple[np.ndarray, np.ndarray] | DataLoader
Augmentation = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
"""``augment(X_batch, y_batch) -> (X_batch, y_batch)``: a new version of each training batch (noise, mixup)."""


class Trainer:
    """Train ``model`` with ``loss_fn(outputs, targets)`` and ``optimizer``; record a ``History``.

    ``metrics`` are names (``"accuracy"``) or functions ``f(outputs, targets) -> float``
    on numpy arrays; ``callbacks`` are ``Callback`` objects such as ``EarlyStopping``;
    ``scheduler`` (``StepLR``, ``CosineAnnealingLR``) is stepped once after every epoch;
    ``augment(X_batch, y_batch)`` returns a changed copy of each training batch
    (``add_noise``, ``mixup``; validation data is never augmented);
    ``progress`` shows the epochs go by: True always (a live bar on a terminal, one
    closing line in a log or a pipe), False never, None (the default) only when the
    error stream is a terminal, so logs and tests stay quiet.
    ``compile=True`` runs each training step as the model's compiled program
    (``autograd.compile``): the same numbers, without building a graph per batch.

    The model takes a ``Tensor`` of inputs; the targets reach ``loss_fn`` and the
    metrics as the numpy arrays they are in the data. Each epoch puts the whole
    model in training mode (``model.train()``), as a PyTorch loop does, so a
    layer frozen with ``.eval()`` (a batch norm whose statistics should stay)
    trains again: freeze it in a callback's ``on_epoch_begin`` instead.

    Training on NaN or infinity can only give NaN weights, so ``fit`` refuses
    data holding them (naming the array and the first bad row), and stops with
    a ``FloatingPointError`` when a batch's loss is not finite (it names the
    epoch and the step; the step is not taken, and ``history`` keeps what came
    before). A smaller learning rate or scaled inputs are the usual cure.
    """

    def __init__(
        self,
        model: Module,
        loss_fn: LossFunction,
        optimizer: Any,
        metrics: Metrics = None,
        callbacks: Sequence[Callback] = (),
        scheduler: Any = None,
        augment: Augmentation | None = None,
        progress: bool | None = None,
        compile: bool = False,
    ):
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be Callback objects, got a {type(callback).__name__}")
        _check_loss_and_optimizer(model, loss_fn, optimizer)
        self.model = model
        # The model or its compiled program (the same numbers); the output is a Tensor, typed Any as Module.forward is.
        self.training_forward: Callable[[Tensor], Any] = compiled_model(model) if compile else model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.metrics = resolve_metrics(metrics)
        # Whether the model's outputs are a sigmoid's probabilities: from its last layer now, from its output's op
        # once a training step has run (a model of the user's that ends with .sigmoid()).
        self.outputs_are_probabilities = _ends_in_sigmoid(model)
        if self.metrics.get("accuracy") is accuracy:
            self.metrics["accuracy"] = self._accuracy
        self.callbacks = list(callbacks)
        self.scheduler = scheduler
        self.augment = augment
        self.progress = progress
        self.history = History()
        self.epoch = 0
        self.step = 0
        self.stop_training = False

    def fit(
        self,
        data: Data,
        epochs: int = 1,
        batch_size: int | None = None,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        shuffle: bool = True,
        seed: Seed = None,
    ) -> History:
        """Train for ``epochs`` passes over ``data`` and return the new ``History``.

        ``data`` is ``(X, y)``, split into batches of ``batch_size`` examples
        (None: the full batch) reshuffled each epoch from ``seed``; or a
        ``DataLoader``, which then decides the batches itself.
        """
        loader = _training_loader(data, batch_size, shuffle, seed)
        check_count("epochs", epochs, 1)
        if validation_data is not None:
            _check_validation_data(validation_data)
        names = ("X", "y") if isinstance(data, (tuple, list)) else ("the loader's inputs", "the loader's targets")
        check_finite(dict(zip(names, loader.arrays)))
        if validation_data is not None:
            check_finite(dict(zip(("validation X", "validation y"), validation_data)))
        self.history = History()
        self.step = 0
        self.stop_training = False
        self._call("on_train_begin")
        with epoch_progress(epochs, self.progress) as progress:
            for self.epoch in range(epochs):
                self.model.train()  # (before the callbacks, which may put a layer back in eval mode)
                self._call("on_epoch_begin")
                learning_rate = getattr(self.optimizer, "lr", None)
                numbers = self._train_one_epoch(loader)
                if validation_data is not None:
                    validation = self.evaluate(*validation_data, batch_size=loader.batch_size)
                    numbers.update({f"val_{name}": value for name, value in validation.items()})
                if learning_rate is not None:
                    numbers["lr"] = learning_rate
                self.history.log_epoch(numbers)
                progress.epoch_done(numbers)
                self._call("on_epoch_end")
                if self.scheduler is not None:
                    self.scheduler.step()
                if self.stop_training:
                    break
        self._call("on_train_end")
        return self.history

    def _train_one_epoch(self, loader: DataLoader) -> dict[str, float]:
        total_loss, rows, outputs, targets = 0.0, 0, [], []
        for X_batch, y_batch in loader:
            if self.augment is not None:
                X_batch, y_batch = self.augment(X_batch, y_batch)
            output = self.training_forward(Tensor(X_batch))
            self.outputs_are_probabilities = self.outputs_are_probabilities or _made_by_sigmoid(output)
            loss = self.loss_fn(output, y_batch)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                raise FloatingPointError(
                    f"training stopped: the loss is {loss_value} in epoch {self.epoch} (counting from 0) after "
                    f"{self.step} optimisation steps, so the weights would turn NaN; this step was not taken. "
                    "Try a smaller learning rate or scaled inputs"
                )
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.step += 1
            step_numbers = {"loss": loss_value}
            for name, metric in self.metrics.items():
                step_numbers[name] = metric(output.data, y_batch)
            self.history.log_step(step_numbers)
            self._call("on_batch_end")
            total_loss, rows = total_loss + step_numbers["loss"] * len(y_batch), rows + len(y_batch)
            if self.metrics:
                outputs.append(output.data)
                targets.append(y_batch)
        return {"loss": total_loss / rows, **self._metric_values(outputs, targets)}  # (the rows trained on)

    def evaluate(self, X: np.ndarray, y: np.ndarray, batch_size: int | None = None) -> dict[str, float]:
        """The loss and the metrics on ``(X, y)``, in eval mode and without recording a graph."""
        total_loss, outputs, targets = 0.0, [], []
        with evaluation(self.model):
            for X_batch, y_batch in DataLoader(X, y, batch_size=batch_size):
                output = self.model(Tensor(X_batch))
                total_loss += self.loss_fn(output, y_batch).item() * len(y_batch)
                outputs.append(output.data)
                targets.append(y_batch)
        return {"loss": total_loss / len(y), **self._metric_values(outputs, targets)}

    def _accuracy(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        """The built-in accuracy: a sigmoid's outputs (probabilities) read at 0.5, scores (logits) at 0."""
        return accuracy(outputs, targets, threshold=0.5 if self.outputs_are_probabilities else 0.0)

    def _metric_values(self, outputs: list[np.ndarray], targets: list[np.ndarray]) -> dict[str, float]:
        if not self.metrics:
            return {}
        all_outputs, all_targets = np.concatenate(outputs), np.concatenate(targets)
        return {name: metric(all_outputs, all_targets) for name, metric in self.metrics.items()}

    def _call(self, hook: str) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(self)


@contextmanager
def evaluation(model: Module) -> Iterator[Module]:
    """Run the block with ``model`` in eval mode and under ``no_grad()``; put every module's mode back afterwards."""
    with eval_mode(model), no_grad():
        yield model


def check_finite(arrays: Mapping[str, Any]) -> None:
    """Refuse numeric data holding NaN or infinity, naming the array and the first example (row) with one."""
    for name, array in arrays.items():
        refuse_masked(name, array)
        array = np.asarray(array)
        if array.dtype.kind not in "fc" or array.ndim == 0 or array.size == 0:
            continue
        bad_rows = np.flatnonzero(~np.isfinite(array).reshape(len(array), -1).all(axis=1))
        if len(bad_rows):
            raise ValueError(
                f"{name} holds NaN or infinity in {len(bad_rows)} example(s), the first at row {bad_rows[0]}; "
                "training on them can only give NaN weights: drop or fill them first"
            )


def predict(model: Module, X: np.ndarray) -> np.ndarray:
    """The model's outputs for ``X`` as a numpy array, in eval mode and without recording a graph.

    The model is switched to eval mode for the call and back (``eval_mode``):
    a thread training the same model meanwhile would see dropout off.
    """
    with evaluation(model):
        return model(Tensor(X)).data


def _check_loss_and_optimizer(model: Module, loss_fn: Any, optimizer: Any) -> None:
    """Refuse a loss or an optimizer that cannot be one (two arguments swapped, a class), and warn of an optimizer
    that steps none of the model's parameters: training would leave the model as it is, with no word."""
    if isinstance(loss_fn, type):
        raise TypeError(
            f"loss_fn is the class {loss_fn.__name__}: pass an instance, {loss_fn.__name__}(), or a function such "
            "as nn.cross_entropy"
        )
    if hasattr(loss_fn, "zero_grad") and hasattr(loss_fn, "step"):
        raise TypeError("loss_fn is an optimizer: the order is fit(model, loss_fn, optimizer, data, ...)")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of (outputs, targets), got a {type(loss_fn).__name__}")
    if not (callable(getattr(optimizer, "zero_grad", None)) and callable(getattr(optimizer, "step", None))):
        raise TypeError(
            f"optimizer must have zero_grad() and step(), as nn.optim's do (nn.optim.SGD(model.parameters(), "
            f"lr=0.1)), got a {type(optimizer).__name__}"
        )
    if isinstance(optimizer, Optimizer) and not {id(p) for p in optimizer.params} & {id(p) for p in model.parameters()}:
        warnings.warn(
            "the optimizer steps none of the model's parameters (was it made for another model?): training "
            "will not change the model",
            UserWarning,
            stacklevel=_frames_in_this_file() + 1,  # the line that called fit() or Trainer()
        )


def _frames_in_this_file() -> int:
    """How many of the calls on the stack, from the caller of this function up, are in this file."""
    frame: FrameType | None = sys._getframe(1)
    count = 0
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, count = frame.f_back, count + 1
    return count


def _ends_in_sigmoid(model: Module) -> bool:
    """Whether the model's outputs are a sigmoid's probabilities (a ``Sequential`` whose last layer is ``Sigmoid``)."""
    while isinstance(model, Sequential) and len(model) > 0:
        model = model[len(model) - 1]  # (a Sequential's last layer may be a Sequential itself)
    return isinstance(model, Sigmoid)


def _made_by_sigmoid(output: Tensor) -> bool:
    """Whether a training step's output is a sigmoid's probabilities: made by a sigmoid, eagerly or in a compiled program."""
    op = output.op
    return isinstance(op, SigmoidOp) or (isinstance(op, CompiledGraph) and op.ends_with is SigmoidOp)


def _check_validation_data(validation_data: Any) -> None:
    """validation_data must be a pair (X_val, y_val) with one target per example."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError(
            f"validation_data must be a pair (X_val, y_val), got a {type(validation_data).__name__}"
            + (f" of {len(validation_data)} items" if isinstance(validation_data, (tuple, list)) else "")
        )
    X_val, y_val = validation_data
    if len(X_val) != len(y_val):
        raise ValueError(f"validation_data: {len(X_val)} examples in X_val but {len(y_val)} targets in y_val")


def _training_loader(data: Data, batch_size: int | None, shuffle: bool, seed: Seed) -> DataLoader:
    if isinstance(data, DataLoader):
        if batch_size is not None:
            raise ValueError("batch_size is set by the DataLoader passed as data; leave fit's batch_size out")
        if len(data.arrays) != 2:
            raise ValueError(f"the DataLoader must yield (inputs, targets), but it holds {len(data.arrays)} arrays")
        return data
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError("data must be a pair (X, y) of arrays or a DataLoader")
    return DataLoader(*data, batch_size=batch_size, shuffle=shuffle, seed=seed)


def fit(
    model: Module,
    loss_fn: LossFunction,
    optimizer: Any,
    data: Data,
    epochs: int = 1,
    batch_size: int | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    metrics: Metrics = None,
    callbacks: Sequence[Callback] = (),
    scheduler: Any = None,
    augment: Augmentation | None = None,
    shuffle: bool = True,
    seed: Seed = None,
    progress: bool | None = None,
    compile: bool = False,
) -> History:
    """Train ``model`` in one call and return its ``History`` (a ``Trainer`` made and run for you).

    >>> import nn
    >>> from nn.data import make_spirals, train_test_split
    >>> X_train, X_val, y_train, y_val = train_test_split(*make_spirals(100, 2, seed=0), seed=0)
    >>> model = nn.MLP([2, 16, 2], seed=0)
    >>> history = fit(model, nn.cross_entropy, nn.optim.Adam(model.parameters(), lr=1e-2),
    ...               (X_train, y_train), epochs=20, batch_size=32,
    ...               validation_data=(X_val, y_val), metrics=["accuracy"], seed=0, progress=False)
    >>> len(history["loss"]), history["val_accuracy"][-1]  # one number per epoch
    (20, 0.84)
    """
    trainer = Trainer(model, loss_fn, optimizer, metrics, callbacks, scheduler, augment, progress, compile=compile)
    return trainer.fit(data, epochs, batch_size, validation_data, shuffle, seed)
