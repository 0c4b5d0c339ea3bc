"""Loss and metric curves of a training run, with the validation curve beside the training one.

The gap between the two curves is the generalization gap: a training loss
that keeps falling while the validation loss turns back up is over-fitting.
The loss of every minibatch, when recorded, is drawn faintly underneath: the
smaller the batch, the noisier it is, but it falls all the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograd import plain

from .figure import new_figure

VALIDATION_PREFIX = "val_"
LEARNING_RATE = "lr"
AXIS_NAMES = {LEARNING_RATE: "learning rate"}
MOST_MARKED_EPOCHS = 30  # beyond this many points per curve, markers would hide the line itself


def _curves(history: Any) -> tuple[Mapping[str, Sequence[float]], Mapping[str, Sequence[float]]]:
    """(per-epoch curves, per-step curves) from an ``nn.History`` or a plain dict of lists."""
    if isinstance(history, Mapping):
        return _numbers(history), {}
    per_epoch = getattr(history, "per_epoch", None)
    if isinstance(per_epoch, Mapping):
        return _numbers(per_epoch), _numbers(getattr(history, "per_step", None) or {})
    raise TypeError(
        f"expected an nn.History (with .per_epoch) or a dict of lists such as {{'loss': [...]}}, "
        f"got a {type(history).__name__}"
    )


def _numbers(curves: Mapping[str, Sequence[Any]]) -> dict[str, list[float]]:
    """Each curve as floats: losses logged by hand may be Values or 0-d Tensors still in their graphs."""
    return {
        name: [float("nan") if value is None else float(plain(value)) for value in values]
        for name, values in curves.items()
    }


def _groups(names: Sequence[str]) -> list[str]:
    """The quantities to plot, each once: ``loss`` stands for ``loss`` and ``val_loss``."""
    groups: list[str] = []
    for name in names:
        base = name.removeprefix(VALIDATION_PREFIX)
        if base not in groups:
            groups.append(base)
    return groups


def _constant_lr(name: str, per_epoch: Mapping[str, Sequence[float]]) -> bool:
    """A learning rate that never changed: not worth a panel unless asked for (a schedule changes it)."""
    return name == LEARNING_RATE and len(set(per_epoch.get(name, []))) <= 1


def plot_history(history: Any, metrics: Sequence[str] | None = None, steps: bool = True) -> Any:
    """One panel per quantity (loss, accuracy, ...), training and validation curves over the epochs.

    ``history``: an ``nn.History`` (``per_epoch`` and ``per_step`` dicts) or a
    dict of per-epoch lists such as ``{"loss": [...], "val_loss": [...]}``.
    ``metrics``: which quantities to show (default: all, except a learning
    rate ``lr`` that stayed the same every epoch). ``steps``: also draw
    the loss of every minibatch, placed along the epoch axis. Each epoch gets
    a marker only on short runs (at most 30 epochs); longer curves are plain lines.
    """
    per_epoch, per_step = _curves(history)
    available = _groups([name for name, values in per_epoch.items() if len(values)])
    chosen = [name for name in available if not _constant_lr(name, per_epoch)] if metrics is None else list(metrics)
    unknown = [name for name in chosen if name not in available]
    if unknown:
        raise ValueError(f"history has no {', '.join(map(repr, unknown))}; it records {', '.join(available)}")
    if not chosen:
        raise ValueError("history is empty: nothing to plot")
    figure = new_figure(figsize=(4.2 * len(chosen), 3.4))
    axes = figure.subplots(1, len(chosen), squeeze=False)[0]
    for ax, name in zip(axes, chosen):
        n_epochs = max(len(per_epoch.get(name, [])), len(per_epoch.get(VALIDATION_PREFIX + name, [])))
        step_values = per_step.get(name, []) if steps else []
        if len(step_values) and n_epochs:
            position = np.arange(1, len(step_values) + 1) * n_epochs / len(step_values)
            ax.plot(position, step_values, color="tab:blue", alpha=0.25, linewidth=0.8, label=f"{name} per step")
        compared = len(per_epoch.get(VALIDATION_PREFIX + name, [])) > 0
        for prefix, color, kind in (("", "tab:blue", "train"), (VALIDATION_PREFIX, "tab:orange", "validation")):
            values = per_epoch.get(prefix + name, [])
            if len(values):
                label = kind if compared else name
                missing = np.flatnonzero(~np.isfinite(np.asarray(values, dtype=np.float64))) + 1
                if len(missing):  # matplotlib leaves nan and inf out of a line: say where
                    shown = ", ".join(map(str, missing[:3])) + (", ..." if len(missing) > 3 else "")
                    label += f" (not finite at epoch {shown})"
                    for epoch in missing:
                        ax.axvline(epoch, color=color, linestyle=":", linewidth=1.0)
                marker = "o" if len(values) <= MOST_MARKED_EPOCHS else None
                ax.plot(np.arange(1, len(values) + 1), values, marker=marker, markersize=3, color=color, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(AXIS_NAMES.get(name, name))
        ax.xaxis.get_major_locator().set_params(integer=True)  # epochs are whole numbers
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return figure
