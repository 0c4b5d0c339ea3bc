"""``Module``: the base of every layer and network, which finds its own parameters.

A module keeps its parameters (leaf nodes with ``requires_grad=True``) and its
sub-modules as ordinary attributes, or in lists, tuples and dicts of them (nested too).
Walking those attributes gives ``parameters()`` for the optimizer and dotted
names such as ``layers.0.weight`` or ``heads.age.bias`` for saving, loading and
drawing: nothing has to be registered by hand. A node an op made (an
activation kept as ``self.last = self.lin(x)``) is not a parameter: only
leaves are, since only they are what training changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd import Node
from autograd.compiled import note_state
from autograd.numerics import checked_flag, refuse_masked

from .model_file import LoadResult, check_real, compared_names, read_state, write_state

_COMPARED_BY_VALUE = frozenset({int, bool, str, bytes, complex, type(None)})  # held in a module's state as they are


class _Same:
    """An object in a module's state that is compared by identity (``is``), kept alive so no other takes its id."""

    __slots__ = ("item",)

    def __init__(self, item: Any):
        self.item = item

    def __eq__(self, other: object) -> bool:
        return type(other) is _Same and other.item is self.item

    def __hash__(self) -> int:
        return id(self.item)


def _state_of(value: Any, enclosing: tuple[int, ...] = ()) -> Hashable:
    """One attribute's part of a module's recording state: its value where it has one, else the object itself.

    Numbers and strings are themselves (floats to the bit: -0.0 is not 0.0),
    arrays their shape, dtype and bytes, a random generator its state, lists,
    tuples, dicts and sets their items. Nodes and layers are themselves,
    compared by identity, and so is any other object (a config object changed
    in place is not seen: replace it). Held in the state, none of them can be
    freed and its id taken by another object. ``enclosing``: the ids of the
    lists, tuples and dicts ``value`` is inside, so a list that holds itself
    is compared by identity there instead of opened up again and again.
    """
    kind = type(value)
    if kind in _COMPARED_BY_VALUE:
        return value
    if kind is float:
        return kind, value.hex()
    if isinstance(value, Node):
        return _Same(value)  # (a Tensor's == compares elements with a number)
    if isinstance(value, Module):
        return value
    if isinstance(value, (list, tuple, dict)):
        if id(value) in enclosing:
            return _Same(value)
        inside = (*enclosing, id(value))
        if isinstance(value, dict):
            return kind, tuple((_state_of(key, inside), _state_of(item, inside)) for key, item in value.items())
        return kind, tuple(_state_of(item, inside) for item in value)
    if isinstance(value, (set, frozenset)):
        return kind, frozenset(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return kind, value.shape, value.dtype.str, value.tobytes()
    if isinstance(value, np.random.Generator):  # drawing moves it on: a forward that draws is refused
        return kind, repr(value.bit_generator.state)
    return _Same(value)


class Module:
    """Base class: subclass it, set parameters and sub-modules in ``__init__``, and define ``forward``.

    >>> from autograd import Tensor
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
        note_state(self)  # while ``autograd.compile`` records: this module's state is checked at every later call
        return self.forward(*inputs)

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute; a parameter replaced by a node that wants no gradient is refused, as in PyTorch.

        Such a node is a constant, so the layer would silently stop training;
        freezing a parameter is ``p.requires_grad = False``, said by name.
        """
        if "." in name and isinstance(value, (Node, Module, list, tuple, dict)):
            raise TypeError(f"{name!r} is no attribute name for a node or module: a dot would split its dotted names")
        old = self.__dict__.get(name)
        parameter = isinstance(old, Node) and old.is_leaf and old.requires_grad
        if parameter and isinstance(value, Node) and not value.requires_grad:
            raise TypeError(
                f"{type(self).__name__}.{name} is a parameter (a module's leaf that requires grad is one): "
                f"replacing it by a {type(value).__name__} that does not require grad would stop it training; give "
                f"the new one requires_grad=True, change {name}.data in place, or freeze it with "
                f"{name}.requires_grad = False"
            )
        object.__setattr__(self, name, value)

    def _children(self) -> Iterator[tuple[str, Any]]:
        """``(name, item)`` for each node or sub-module held directly, or in lists, tuples and dicts (nested too)."""
        for name, attribute in vars(self).items():
            if isinstance(attribute, (Module, Node)):
                yield name, attribute
            elif isinstance(attribute, (list, tuple, dict)):
                yield from _held((name,), attribute, ())

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every sub-module below it, with dotted names, each once.

        A layer used in two places is listed under its first name only, and a
        layer that holds its parent (``self.child.owner = self``) does not send
        the walk round in a circle.
        """
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:  # depth first, in the order the attributes were set, with a stack instead of recursion
            prefix, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield prefix, module
            children = [(name, child) for name, child in module._children() if isinstance(child, Module)]
            stack.extend((f"{prefix}.{name}" if prefix else name, child) for name, child in reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module below it."""
        for _, module in self.named_modules():
            yield module

    def _named_leaves(self) -> Iterator[tuple[str, Node]]:
        """Every leaf node held here or below, each once, with its dotted name, whether it requires grad or not.

        These are the parameters, those frozen (``requires_grad = False``) and
        constant tensors the model holds: all of them are saved by ``state_dict``.
        """
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, child in module._children():
                if isinstance(child, Node) and child.is_leaf and id(child) not in seen:
                    seen.add(id(child))
                    yield (f"{prefix}.{name}" if prefix else name), child

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        """Every parameter with its dotted name (``layers.0.weight``), each once, in definition order."""
        for name, leaf in self._named_leaves():
            if leaf.requires_grad:
                yield name, leaf

    def parameters(self) -> list[Node]:
        """Every parameter (a leaf that requires grad), each once, for an optimizer."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient before the next backward pass (``set_to_none=False``: set it to 0)."""
        forget_gradients(self.parameters(), set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training behaviour (dropout on, batch statistics)."""
        mode = checked_flag("mode", mode)
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation behaviour (dropout off, running statistics); same as ``train(False)``."""
        return self.train(False)

    def recording_state(self) -> Hashable:
        """What a compiled program of this module depends on besides its parameters' values.

        Its train or eval mode and every attribute (``_state_of``): a replaced
        layer, new buffers (batch norm's running statistics) or a changed
        setting make another program. ``autograd.compile`` records a function
        again when this differs from the recording, and refuses a call that
        changes it.
        """
        attributes = tuple((name, _state_of(value)) for name, value in vars(self).items() if name != "training")
        return self.training, attributes  # (``training``: the class's default until train() sets it)

    def _buffers(self) -> dict[str, np.ndarray]:
        """Arrays that are state but not parameters (batch norm's running mean), kept as attributes of those names."""
        return {}

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter's data and every buffer, by dotted name.

        Frozen parameters (``requires_grad = False``) are saved too, and so are
        constant tensors the model holds: a leaf does not say which it is.
        """
        named = [(name, np.asarray(leaf.data)) for name, leaf in self._named_leaves()]
        for prefix, module in self.named_modules():
            named += [
                ((f"{prefix}.{name}" if prefix else name), np.asarray(b)) for name, b in module._buffers().items()
            ]
        state: dict[str, np.ndarray] = {}
        for name, array in named:
            if name in state:  # a file would keep one of them, and a load would put one array into both
                raise ValueError(
                    f"two arrays of {type(self).__name__} have the name {name!r} (dict keys 0 and '0', or an "
                    "attribute name with a dot?): give them names that differ"
                )
            state[name] = np.array(array, copy=True)
        return state

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> LoadResult:
        """Set every parameter and buffer from ``state``; refuse, changing nothing, unless it fits.

        Strict (the default), every name must be present and none may be extra;
        ``strict=False`` sets only the names the state and the model share. Every
        shape must match and every array must hold real numbers (each is
        converted to the dtype the model has). All of it is checked, and every
        new array made, before the first one is set: a refused state leaves the
        model as it was. Returns, as PyTorch does, the model's names left as
        they were and the state's not used (both empty after a strict load).
        """
        strict = checked_flag("strict", strict)
        if not isinstance(state, Mapping) or not all(isinstance(name, str) for name in state):
            raise TypeError(
                "load_state_dict takes a dict of arrays by dotted name, as model.state_dict() gives, got a "
                f"{type(state).__name__}" + (" with keys that are not text" if isinstance(state, Mapping) else "")
            )
        current = self.state_dict()
        parameters = {name for name, _ in self.named_parameters()}  # (a constant, such as a mask, may hold inf)
        names = compared_names(state, current, f"load_state_dict: the state of {len(state)} arrays", strict)
        new: dict[str, np.ndarray] = {}
        for name, array in current.items():
            if name not in state:
                continue
            refuse_masked(f"load_state_dict: {name}", state[name])
            given = np.asarray(state[name])
            if given.shape != array.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {given.shape} in the state but {array.shape} in the model"
                )
            check_real(f"load_state_dict: {name}", given.dtype)
            with np.errstate(over="ignore"):  # (a number too large for the model's dtype becomes inf: refused below)
                new[name] = np.array(given, dtype=array.dtype, copy=True)
            overflowed = not np.array_equal(np.isfinite(new[name]), np.isfinite(given))
            if overflowed or (name in parameters and not np.isfinite(new[name]).all()):
                reason = f"numbers too large for the model's dtype {array.dtype}" if overflowed else "NaN or infinity"
                raise ValueError(
                    f"load_state_dict: {name} holds {reason} (a parameter of a model that diverged, or a damaged "
                    "file?); nothing was loaded"
                )
        for name, leaf in self._named_leaves():
            if name in new:
                leaf.data = new[name] if isinstance(leaf.data, np.ndarray) else float(new[name])
        for prefix, module in self.named_modules():
            for name in module._buffers():
                dotted = f"{prefix}.{name}" if prefix else name
                if dotted in new:
                    setattr(module, name, new[dotted])
        return names

    def save(self, path: str | os.PathLike) -> None:
        """Write the state to an ``.npz`` file (``.npz`` is added to a path without it); plain numbers, no pickle."""
        write_state(path, self.state_dict())

    def load(self, path: str | os.PathLike, strict: bool = True) -> LoadResult:
        """Read a state written by ``save(path)``; a file that does not fit is refused and nothing changes.

        The file's names, shapes and dtypes are checked from its headers before
        any array is read (see ``nn.model_file``). Strict (the default), its
        names must be the model's; ``strict=False`` reads the names the file
        and the model share, as in ``load_state_dict``.
        """
        shapes = {name: array.shape for name, array in self.state_dict().items()}
        state, names = read_state(path, shapes, checked_flag("strict", strict))
        self.load_state_dict(state, strict=False)  # (the names were compared in the file, before any array was read)
        return names

    def __repr__(self) -> str:
        return self._described(frozenset())

    def _described(self, enclosing: frozenset[int]) -> str:
        """The ``repr``, sub-modules indented; one that holds a module it is inside (its parent) is not opened again."""
        inside = enclosing | {id(self)}
        children = [
            f"  ({name}): "
            + (f"{type(child).__name__}(...)" if id(child) in inside else child._described(inside)).replace(
                "\n", "\n  "
            )
            for name, child in self._children()
            if isinstance(child, Module)
        ]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"

    def extra_repr(self) -> str:
        """The settings shown in the module's ``repr`` (sizes, rates)."""
        return ""


def _held(path: tuple[Any, ...], container: Any, enclosing: tuple[int, ...]) -> Iterator[tuple[str, Any]]:
    """The nodes and modules in a list, tuple or dict found at ``path`` (an attribute's name, then keys).

    Those in lists, tuples and dicts inside it are found too (``self.rows =
    [[layer, layer]]`` gives ``rows.0.1.weight``); ``enclosing`` holds the ids
    of the containers it is inside, so a list that holds itself is not opened again.
    """
    if id(container) in enclosing:
        return
    inside = (*enclosing, id(container))
    name = None  # this container's dotted name, made once it holds a node or module
    for key, item in container.items() if isinstance(container, dict) else enumerate(container):
        if isinstance(item, (Module, Node)):
            name = name or _dotted(path)
            yield f"{name}.{_checked_key(path[0], key)}", item
        elif isinstance(item, (list, tuple, dict)):
            yield from _held((*path, key), item, inside)


def _dotted(path: tuple[Any, ...]) -> str:
    """``("rows", 0, 1)`` -> ``"rows.0.1"``, each key checked (``_checked_key``)."""
    attribute, *keys = path
    return ".".join([attribute, *(_checked_key(attribute, key) for key in keys)])


def _checked_key(attribute: str, key: Any) -> str:
    """A list index or dict key as part of a dotted name: an int or a string without dots, or a clear refusal."""
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if not isinstance(key, str) or "." in key or not key:
        raise TypeError(
            f"the dict {attribute!r} holds a module or node under the key {key!r}; "
            "use non-empty string keys without dots, so its parameters get names like "
            f"'{attribute}.key.weight'"
        )
    return key


# The modules inside an eval_mode block now, by id: (the module, how many blocks it is inside, its own mode).
_evaluating: dict[int, tuple[Module, int, bool]] = {}
_evaluating_lock = threading.Lock()


@contextmanager
def eval_mode(model: Module) -> Iterator[Module]:
    """Run the block with ``model`` and every module below it in eval mode, then give each its own mode back.

    Each module's mode is put back, not the model's on all of them: a batch
    norm layer frozen in eval mode inside a model that trains stays frozen.
    Blocks nest and overlap (two threads predicting at once): a module gets
    its mode back when the last block it is inside ends. The mode belongs to
    the model, as in PyTorch, so every thread using it sees the switch: do not
    predict with a model another thread is training.
    """
    with _evaluating_lock:
        modules = list(model.modules())
        for module in modules:
            _, blocks, mode = _evaluating.get(id(module), (module, 0, module.training))
            _evaluating[id(module)] = (module, blocks + 1, mode)
            module.training = False
    try:
        yield model
    finally:
        with _evaluating_lock:
            for module in modules:
                _, blocks, mode = _evaluating.pop(id(module))
                if blocks > 1:
                    _evaluating[id(module)] = (module, blocks - 1, mode)
                else:
                    module.training = mode


def forget_gradients(parameters: Iterable[Node], set_to_none: bool = True) -> None:
    """Set each parameter's ``.grad`` to None, or (``set_to_none=False``, as PyTorch's option) to zeros in place."""
    set_to_none = checked_flag("set_to_none", set_to_none)
    for parameter in parameters:
        if set_to_none or parameter.grad is None or isinstance(parameter.grad, Node):
            parameter.grad = None
        elif isinstance(parameter.grad, np.ndarray):
            parameter.grad[...] = 0.0  # the same array: whoever holds it sees the zeros
        else:
            parameter.grad = 0.0
