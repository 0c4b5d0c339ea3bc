"""``Optimizer``: the base of every update rule, working on ``Value`` and ``Tensor`` parameters alike.

After ``backward()`` every parameter holds its gradient, the direction in which
the loss grows fastest; an optimizer moves each parameter a little the other
way. The rules differ in how they remember past gradients (momentum) and how
they scale each parameter's step (AdaGrad, RMSProp, Adam).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, no_grad
from autograd.numerics import finite_number

from ..module import Module, forget_gradients


class Optimizer:
    """Holds the parameters and the learning rate ``lr``; subclasses define ``update``.

    ``lr`` may be changed between steps (the schedules in ``nn.optim`` do), but
    only to a finite number >= 0: a NaN or infinite rate can only turn every
    weight into NaN. Parameters whose ``grad`` is None (not reached by the
    last backward pass) are left as they are. A parameter listed twice is
    stepped once, with a warning (as PyTorch warns).
    """

    def __init__(self, params: Iterable[Node], lr: float):
        if isinstance(params, Node):  # (iterating a tensor would give its rows: new nodes that never get a gradient)
            raise TypeError(
                f"{type(self).__name__} takes a list of parameters, got one {type(params).__name__}: "
                "pass [w] (or model.parameters())"
            )
        if isinstance(params, Module):  # (a Sequential iterates over its layers)
            raise TypeError(
                f"{type(self).__name__} takes a list of parameters, got the model itself (a {type(params).__name__}): "
                "pass model.parameters()"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got no parameters to optimize")
        for index, p in enumerate(params):
            if not isinstance(p, Node) or not p.requires_grad:
                raise TypeError(f"{type(self).__name__}: parameter {index} is not a Value or Tensor that requires grad")
            if not p.is_leaf:
                raise ValueError(
                    f"{type(self).__name__}: parameter {index} is the result of an op, not a leaf; an optimizer steps "
                    "leaves (the parameters a model holds), as in PyTorch"
                )
        self.params = list({id(p): p for p in params}.values())
        if len(self.params) < len(params):
            subclasses = type(self).__mro__[: type(self).__mro__.index(Optimizer)]
            constructors = sum("__init__" in vars(cls) for cls in subclasses)  # frames between here and the caller
            warnings.warn(
                f"{type(self).__name__}: the parameter list holds {len(params) - len(self.params)} duplicate "
                "parameter(s); each parameter is stepped once",
                UserWarning,
                stacklevel=2 + constructors,
            )
        self.lr = lr
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    @property
    def lr(self) -> float:
        """The learning rate: how far each step moves against the gradient."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_setting(self, "the learning rate lr", value)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient before the next backward pass (``set_to_none=False``: set it to 0)."""
        forget_gradients(self.params, set_to_none)

    def step(self) -> None:
        """Move every parameter that has a gradient by one update of the rule.

        Every gradient is checked first, so a gradient of the wrong shape stops
        the step before any parameter (or the rule's state of it) has changed.
        Then each parameter is stepped with its state, one after the other (a
        rule's ``update`` that raises stops the step there, the ones before it stepped).
        """
        grads = [self._checked_grad(index, p) for index, p in enumerate(self.params)]
        with no_grad():
            for p, grad, state in zip(self.params, grads, self.state):
                if grad is not None:
                    p.data = self._checked_update(self.update(p.data, grad, state), p.data)

    def _checked_grad(self, index: int, parameter: Node) -> Any:
        """The parameter's gradient as a plain number or array, if it fits the parameter (None: no gradient)."""
        grad = parameter.grad.data if isinstance(parameter.grad, Node) else parameter.grad
        if grad is not None and np.shape(grad) not in ((), np.shape(parameter.data)):
            name = f" ({parameter.label!r})" if parameter.label else ""
            raise ValueError(
                f"{type(self).__name__}.step(): the .grad of parameter {index}{name} has shape {np.shape(grad)}, "
                f"but its data has shape {np.shape(parameter.data)}; nothing was stepped (was .data or .grad set "
                "by hand? zero_grad() and a fresh backward() give gradients that fit)"
            )
        return grad

    def _checked_update(self, new: Any, data: Any) -> Any:
        """The new data of a parameter, in its dtype; an update of another shape (or kind) is an error, not a broadcast."""
        if isinstance(data, np.ndarray):
            if np.shape(new) != data.shape:
                raise ValueError(
                    f"{type(self).__name__}.update gave shape {np.shape(new)} for a parameter of shape {data.shape}"
                )
            return np.asarray(new).astype(data.dtype, copy=False)
        if np.ndim(new) != 0:
            raise ValueError(
                f"{type(self).__name__}.update gave shape {np.shape(new)} for a Value, which holds one number"
            )
        return float(new)

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        """The parameter's new data, from its data, its gradient and its own ``state`` (a dict to keep things in)."""
        raise NotImplementedError(f"{type(self).__name__} does not define update()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, {len(self.params)} parameters)"


def check_setting(owner: object, name: str, value: float, below: float = math.inf) -> float:
    """``value`` as a float if it is a finite number in ``[0, below)``; otherwise a ``ValueError`` naming it.

    These are the settings PyTorch refuses too (a negative rate, momentum or
    weight decay), plus NaN and infinity, with which training can only diverge.
    """
    number = finite_number(value)  # text ("0.1") and bools are slips, refused as PyTorch refuses them
    if number is None or not 0.0 <= number < below:
        upper = "" if below == math.inf else f" and < {below:g}"
        raise ValueError(f"{type(owner).__name__}: {name} must be a finite number >= 0{upper}, got {value!r}")
    return number


def stored(state: dict[str, Any], name: str, like: Any, start: float = 0.0) -> Any:
    """``state[name]``, or ``start`` in the shape of ``like`` when the rule has not kept it yet."""
    if name not in state:
        state[name] = np.full_like(like, start) if isinstance(like, np.ndarray) else float(start)
    return state[name]
