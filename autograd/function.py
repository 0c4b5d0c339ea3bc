"""``Function``: an operation with its forward and its local gradient side by side.

This is the "gate" of notebook 01: ``forward`` computes the output from
plain numbers (floats or numpy arrays); ``backward`` receives the upstream
gradient d(loss)/d(output) and returns, for each input, upstream x local
gradient. Every built-in op is a ``Function``, and so is any op a user writes::

    class Cube(Function):
        def forward(self, x):
            return x**3

        def backward(self, grad, out, x):
            return grad * 3 * x**2

    y = Cube.apply(Value(2.0))   # a node, drawn as "cube", with backward and gradcheck

The arrays an op of yours is handed are read-only: they belong to other nodes
(an input may be a parameter, one upstream gradient may go to several inputs),
so ``grad *= 2`` is an error naming the op, and ``grad = grad * 2`` is the way.

``backward`` must use only arithmetic that works on plain numbers and on nodes
alike (operators, ``Function.apply`` of other ops, and, for tensors, the array
methods both share such as ``.sum`` and ``.reshape``): during an ordinary
backward pass it sees plain numbers, and under ``create_graph=True`` it sees
nodes, so the very same code records a graph of the gradient that can be
differentiated again.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np

from .graph import Node, Op, _grad_enabled, values_read

_recording = _grad_enabled.get  # bound once: read on every op
_values_read_now = values_read.get


def plain(x: Any) -> Any:
    """The data of a node, or ``x`` itself when it is already a plain number or array.

    For the parts of a backward pass that are constants (masks such as
    ``x > 0``), which should not be recorded even under ``create_graph``.
    """
    return x.data if isinstance(x, Node) else x


def backward_aside(op: Op, grad: Any, out: Any, *inputs: Any) -> Any:
    """``op``'s backward run beside a backward pass, by a check or a drawing, changing nothing.

    An op of the user's runs on a shallow copy of itself, handed read-only
    arrays (``Function._run``): what its backward sets on ``self``
    (``self.cache = None``) stays as ``backward()`` will find it, though an
    object it changes in place (``self.cache.pop(...)``) is shared with the op.
    """
    if not isinstance(op, Function) or not op._from_outside:
        return op.backward(grad, out, *inputs)
    return copy.copy(op)._run("backward", grad, out, *inputs)


def _read_only(x: Any) -> Any:
    """A view of an array that refuses to be written into; anything else as it is."""
    if type(x) is np.ndarray:
        view = x.view()
        view.flags.writeable = False
        return view
    return x


class Function:
    """Base class of every operation; subclass it and define ``forward`` and ``backward``.

    An instance is made for each application of the op: keyword parameters of
    ``apply`` go to ``__init__``, and ``forward`` may store on ``self`` what
    ``backward`` will need (its "cache"). ``needs_input_grad`` tells
    ``backward`` which inputs want a gradient, so it can skip the others by
    returning None for them.

    An op that keeps nothing on ``self`` may declare ``shared = True`` (most
    built-in ops do): applied without parameters, it is then made once per
    pattern of ``needs_input_grad`` and that one instance serves every node,
    which keeps scalar graphs small and fast. A shared op must declare
    ``__slots__ = ()``, so that nothing can be stored on it by mistake. Each
    class says it for itself (a subclass of a shared op is not shared unless it
    does too). An op of your own may leave both out and keep whatever it likes on ``self``.
    """

    __slots__ = ("_made_with", "needs_input_grad")
    needs_input_grad: tuple[bool, ...]  # which inputs want a gradient, set when the op is applied
    _made_with: dict[str, Any]  # apply's keyword parameters, so a compiled program can make the op afresh
    name: str  # what drawings print: given by the subclass, or its class name in lower case
    shared: ClassVar[bool] = False  # one instance per pattern of needs_input_grad serves every node
    _shared: ClassVar[dict[tuple[bool, ...], Function] | None] = None  # those instances, for a shared op
    _from_outside: ClassVar[bool] = False  # an op of the user's: its forward's result is checked

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name") is None:
            cls.name = cls.__name__.lower()
        cls.shared = cls.__dict__.get("shared", False)  # not inherited: a subclass that keeps state stays unshared
        if cls.shared and not (
            cls.__dict__.get("__slots__") == () and all("__slots__" in base.__dict__ for base in cls.__mro__[1:-1])
        ):
            raise TypeError(
                f"{cls.__name__} is shared (shared = True): one instance serves every node, so it must keep "
                "nothing on self; declare __slots__ = () in it (and __slots__ in its bases)"
            )
        cls._shared = {} if cls.shared else None
        # An op of the user's (defined outside this package): it is handed read-only arrays (``_run``), and what
        # its forward gives is checked by the node's kind.
        cls._from_outside = not cls.__module__.startswith("autograd.")

    def forward(self, *inputs: Any) -> Any:
        """Compute the output from the inputs' plain data."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def backward(self, grad: Any, out: Any, *inputs: Any) -> Any:
        """Given d(loss)/d(out), return d(loss)/d(input) per input: a tuple, or one value for a one-input op.

        Each gradient has its input's shape (None skips an input). The backward pass
        checks both, so a slip is an error naming the op and the input.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define backward()")

    def _run(self, step: str, *arrays: Any) -> Any:
        """``forward`` or ``backward`` of an op of the user's, handed read-only views of its arrays.

        Those arrays belong to other nodes (an input's data may be a parameter,
        and one upstream gradient may be handed to several inputs), so changing
        one in place would silently change them too: a write is an error naming
        the op. A view it hands back stays read-only, as a broadcast's does; a
        ``.grad`` is always an array of its own. The built-in ops are trusted to
        write nothing, and are called directly.
        """
        try:
            return getattr(self, step)(*[_read_only(x) for x in arrays])
        except ValueError as error:
            if "read-only" not in str(error) or "changed an array it was given" in str(error):
                raise
            raise ValueError(
                f"the {step} of {self!r} changed an array it was given, in place ({error}); those arrays belong to "
                "other nodes (a parameter's data, a gradient handed to several inputs): compute a new array "
                "instead (g = g * 2, not g *= 2)"
            ) from error

    def _users_forward(self, kind: type[Node], *arrays: Any) -> Any:
        """The forward of an op of the user's: handed read-only arrays (``_run``), what it gives checked by ``kind``."""
        return kind._checked_output(self._run("forward", *arrays), self)

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the op on nodes and record it in the graph.

        Plain numbers among the inputs become constants of the nodes' kind.
        When no input is a node, the op simply computes on the plain values,
        which lets one backward formula serve plain and recorded passes.
        Without its speed-ups (one and two inputs unrolled, a shared op reused)
        it reads::

            first = next((x for x in inputs if isinstance(x, Node)), None)
            if first is None:
                return cls(**params).forward(*inputs)
            kind = type(first)
            nodes = tuple(x if type(x) is kind else kind._lift(x, first) for x in inputs)
            op = cls(**params)
            op.needs_input_grad = tuple(x.requires_grad for x in nodes)
            data = op.forward(*[x.data for x in nodes])
            if any(op.needs_input_grad) and is_grad_enabled():
                return kind._result(data, nodes, op)
            return kind._result(data, (), None)

        For an op of the user's, the forward is handed read-only arrays (``_run``)
        and the data it gives is checked by the node's kind (``_checked_output``):
        a Value holds one float. While
        ``compile`` records, the inputs of an op on constants alone are noted:
        its result is a constant of the program, checked at every later call.
        """
        for x in inputs:
            if isinstance(x, Node):
                kind = type(x)
                break
        else:
            return cls(**params).forward(*inputs)
        # This is the hottest code of the library, so one and two inputs (almost
        # every op) take a path without loops; the steps are the same for any number.
        nodes: tuple[Any, ...]
        needs: tuple[bool, ...]
        if len(inputs) == 1:
            nodes, needs = inputs, (x.requires_grad,)
        elif len(inputs) == 2:
            a, b = inputs
            if type(a) is not kind:
                a = kind._lift(a, b)
            if type(b) is not kind:
                b = kind._lift(b, a)
            nodes, needs = (a, b), (a.requires_grad, b.requires_grad)
        else:
            nodes = tuple([y if type(y) is kind else kind._lift(y, x) for y in inputs])
            needs = tuple([x.requires_grad for x in nodes])
        shared = None if params else cls._shared
        op = shared.get(needs) if shared else None
        if op is None:
            op = cls._make(needs, params)
        if cls._from_outside:  # an op of the user's: handed read-only arrays, and what it gives is checked
            data = op._users_forward(kind, *[x.data for x in nodes])
        elif len(nodes) == 1:
            data = op.forward(x.data)
        elif len(nodes) == 2:
            data = op.forward(a.data, b.data)
        else:
            data = op.forward(*[x.data for x in nodes])
        if True in needs:
            if _recording():
                return kind._result(data, nodes, op)
        else:
            baking = _values_read_now()
            if baking is not None:  # compile is recording: a result of constants alone is a constant of the
                baking.extend(nodes)  # program, so the numbers it came from are checked at every later call
        return kind._result(data, (), None)

    @classmethod
    def _make(cls, needs: tuple[bool, ...], params: dict[str, Any]) -> Function:
        """A new op for one application; a shared op applied without parameters is kept for the next ones."""
        op = cls(**params)
        op.needs_input_grad = needs
        op._made_with = params
        if not params and cls._shared is not None:
            cls._shared[needs] = op
        return op

    def __repr__(self) -> str:
        return f"<op {self.name}>"
