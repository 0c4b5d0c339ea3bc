"""Training steps run as a compiled program (``fit(..., compile=True)``).

``autograd.compile(model)`` records the model's graph on the first batch and
runs the forward and backward of every later batch as generated Python, with
the same numbers as the eager graph. A recording replays the same ops, so a
model whose training forward does something else at every call cannot be
compiled: dropout draws a new random mask, batch norm updates its running
averages as a side effect. Those are refused with a clear error.
"""

from __future__ import annotations

import autograd

from ..layers import BatchNorm1d, Dropout
from ..module import Module


def compiled_model(model: Module) -> autograd.CompiledFunction:
    """``autograd.compile(model)``, refused for a model with layers whose training forward a recording cannot replay."""
    for name, module in model.named_modules():
        if isinstance(module, Dropout) and module.p > 0.0:
            reason = "draws a new random mask at every call"
        elif isinstance(module, BatchNorm1d):
            reason = "updates its running averages at every call"
        else:
            continue
        raise ValueError(
            f"compile=True: {name or 'the model'} is a {type(module).__name__}, which {reason}; a compiled "
            "model replays one recorded call, so train this model without compile"
        )
    return autograd.compile(model)
