"""``Module``: the base of every layer and network, which finds its own parameters.

A module keeps its parameters (leaf nodes with ``requires_grad=True``) and its
sub-modules as ordinary attributes, or in lists and tuples of them. Walking
those attributes gives ``parameters()`` for the optimizer and dotted names
such as ``layers.0.weight`` for saving, loading and drawing: nothing has to be
registered by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import Node


class Module:
    """Base class: subclass it, set parameters and sub-modules in ``__init__``, and define ``forward``.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.weight = Tensor.randn(3, 2, seed=0, requires_grad=True)
    ...     def forward(self, x):
    ...         return x @ self.weight
    >>> [name for name, _ in Affine().named_parameters()]
    ['weight']
    """

    training: bool = True

    def forward(self, *inputs: Any) -> Any:
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *inputs: Any) -> Any:
        return self.forward(*inputs)

    def _children(self) -> Iterator[tuple[str, Any]]:
        """``(name, item)`` for each parameter or sub-module held directly, lists and tuples opened up."""
        for name, attribute in vars(self).items():
            if isinstance(attribute, (list, tuple)):
                for index, item in enumerate(attribute):
                    if isinstance(item, (Module, Node)):
                        yield f"{name}.{index}", item
            elif isinstance(attribute, (Module, Node)):
                yield name, attribute

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every sub-module below it, with dotted names."""
        yield prefix, self
        for name, child in self._children():
            if isinstance(child, Module):
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module below it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        """Every parameter with its dotted name (``layers.0.weight``), each once, in definition order."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, child in module._children():
                if isinstance(child, Node) and child.requires_grad and id(child) not in seen:
                    seen.add(id(child))
                    yield (f"{prefix}.{name}" if prefix else name), child

    def parameters(self) -> list[Node]:
        """Every parameter, for an optimizer."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (set it to None) before the next backward pass."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training behaviour (dropout on, batch statistics)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation behaviour (dropout off, running statistics); same as ``train(False)``."""
        return self.train(False)

    def _buffers(self) -> dict[str, np.ndarray]:
        """Arrays that are state but not parameters (batch norm's running mean), kept as attributes of those names."""
        return {}

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter's data and every buffer, by dotted name."""
        state = {name: np.array(np.asarray(p.data), copy=True) for name, p in self.named_parameters()}
        for prefix, module in self.named_modules():
            for name, buffer in module._buffers().items():
                state[f"{prefix}.{name}" if prefix else name] = np.array(buffer, copy=True)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter and buffer from ``state``; refuse, changing nothing, unless it fits exactly.

        Every key must be present, no key may be extra, and every shape must match.
        """
        current = self.state_dict()
        missing = sorted(set(current) - set(state))
        extra = sorted(set(state) - set(current))
        if missing or extra:
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
                [f"unexpected {', '.join(extra)}"] if extra else []
            )
            raise KeyError(f"load_state_dict: the state does not fit this {type(self).__name__}: {'; '.join(parts)}")
        for name, array in current.items():
            if np.shape(state[name]) != array.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {np.shape(state[name])} in the state "
                    f"but {array.shape} in the model"
                )
        parameters = dict(self.named_parameters())
        for prefix, module in self.named_modules():
            for name in module._buffers():
                setattr(module, name, np.array(state[f"{prefix}.{name}" if prefix else name], copy=True))
        for name, parameter in parameters.items():
            if isinstance(parameter.data, np.ndarray):
                parameter.data = np.array(state[name], dtype=parameter.data.dtype, copy=True)
            else:
                parameter.data = float(np.asarray(state[name]))

    def save(self, path: str | os.PathLike) -> None:
        """Write the state to a ``.npz`` file (plain arrays only, no pickled objects)."""
        np.savez(path, **self.state_dict())

    def load(self, path: str | os.PathLike) -> None:
        """Read a state written by ``save``; a file that does not fit is refused and nothing changes."""
        with np.load(path, allow_pickle=False) as archive:
            self.load_state_dict({name: archive[name] for name in archive.files})

    def __repr__(self) -> str:
        children = [
            f"  ({name}): {child!r}".replace("\n", "\n  ")
            for name, child in self._children()
            if isinstance(child, Module)
        ]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"

    def extra_repr(self) -> str:
        """The settings shown in the module's ``repr`` (sizes, rates)."""
        return ""
