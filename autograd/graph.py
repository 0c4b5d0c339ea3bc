"""The computational graph and the backward pass, shared by ``Value`` and ``Tensor``.

Every result of an operation is a node that remembers its inputs (``parents``)
and the operation that made it (``op``). ``backward()`` visits the graph in
reverse topological order, so a node's gradient is complete before it is passed
on, and at each node applies the chain rule: the op turns the upstream gradient
into one downstream gradient per input (upstream x local gradient).

The order is found with an explicit stack, not recursion, so a chain of a
million nodes is as easy as a chain of ten.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import inspect
import operator
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .numerics import checked_flag

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are only read by type checkers
    from typing_extensions import Self

_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("grad_enabled", default=True)
# The grad-mode blocks open in the running context, outermost first: (block, the mode it found) pairs.
# A tuple, never changed in place, because an asyncio task starts with a copy of its creator's context.
_open_blocks: contextvars.ContextVar[tuple[tuple[_GradMode, bool], ...]] = contextvars.ContextVar(
    "open_grad_mode_blocks", default=()
)
# Held while a backward pass adds its gradients into ``.grad``: ``grad = grad + new`` by two threads at
# once (numpy lets the other thread run during the addition) would keep only one of the two sums.
_adding_to_grads = threading.Lock()
# True while ``autograd.compile`` runs a function to record it (see ``refuse_while_recording``).
recording_a_program: contextvars.ContextVar[bool] = contextvars.ContextVar("recording_a_program", default=False)


def refuse_while_recording(what: str) -> None:
    """Raise if ``autograd.compile`` is recording: ``what`` would give numbers the program could only replay.

    A recorded program replays ops; numbers computed outside the graph while
    recording (under ``no_grad()``, by ``detach()``, by a backward pass) would
    become constants of the program, the first call's numbers at every call.
    """
    if recording_a_program.get():
        raise RuntimeError(
            f"compile: {what} inside a compiled function gives numbers outside the graph, which the recorded "
            "program would keep from its first call for every later one; do it outside the function, or call "
            "the function without compile"
        )


# While ``autograd.compile`` records a function: the nodes whose numbers an op took as a setting (see ``values_of``).
values_read: contextvars.ContextVar[list[Node] | None] = contextvars.ContextVar("compile_values_read", default=None)
# And the ids of the stand-ins of its inputs that want no gradient (data): they require grad only so that every op
# on them is recorded (see ``wants_gradient``).
data_stand_ins: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("compile_data", default=frozenset())


def wants_gradient(node: Node) -> bool:
    """Whether ``node`` really wants a gradient: it requires grad, and is not a recording's stand-in for data."""
    return node.requires_grad and id(node) not in data_stand_ins.get()


def values_of(x: Any) -> Any:
    """The numbers of ``x`` (its data, if it is a node) when an op takes them as a setting rather than as an input.

    Class labels, a mask or a tensor copied into a new leaf are settings: the
    op keeps their numbers, and no gradient flows back to them. A recording in
    progress notes the node, so ``compile`` records the function again when
    its numbers change, where a program would otherwise keep the first call's.
    """
    if not isinstance(x, Node):
        return x
    noted = values_read.get()
    if noted is not None:
        noted.append(x)
    return x.data


def is_grad_enabled() -> bool:
    """True when new operations are recorded into the graph (the default).

    The switch belongs to the running thread (and to the running asyncio task), as
    in PyTorch: ``no_grad()`` in an evaluation thread leaves a training thread recording.
    """
    return _grad_enabled.get()


class _GradMode:
    """Whether operations are recorded, set for a ``with`` block (or a decorated function) and restored after.

    The mode is a context variable, so each thread and each asyncio task has its own.
    Leaving a block restores the mode it found on entering; that is kept in the
    running context too, so one object can be open in several threads at once, or
    inside itself.
    """

    __slots__ = ("enabled",)

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self) -> None:
        if not self.enabled:
            refuse_while_recording("no_grad()")
        _open_blocks.set((*_open_blocks.get(), (self, _grad_enabled.get())))
        _grad_enabled.set(self.enabled)

    def __exit__(self, *exception: object) -> None:
        blocks = _open_blocks.get()
        for position in range(len(blocks) - 1, -1, -1):  # this object's innermost open block
            if blocks[position][0] is self:
                break
        else:
            raise RuntimeError(
                "leaving a no_grad()/enable_grad() block that was never entered (in this thread): "
                "use it as `with no_grad():` or as a decorator"
            )
        _grad_enabled.set(blocks[position][1])
        _open_blocks.set(blocks[:position] + blocks[position + 1 :])

    def __call__(self, function: Callable) -> Callable:
        """Decorate ``function`` so that it runs in this mode; a generator runs in it each time it resumes."""
        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def generator_with_mode(*args: Any, **kwargs: Any) -> Generator:
                return _resumed_in_mode(self, function(*args, **kwargs))

            return generator_with_mode

        @functools.wraps(function)
        def with_mode(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return with_mode


def _resumed_in_mode(mode: _GradMode, generator: Generator) -> Generator:
    """Pass on what ``generator`` yields, running each of its steps in ``mode`` and the caller's code in its own.

    A plain ``with mode: yield from generator`` would stay in the mode between
    steps as well, while the caller's loop body runs.
    """
    sent: Any = None
    thrown: BaseException | None = None
    while True:
        try:
            with mode:
                yielded = generator.send(sent) if thrown is None else generator.throw(thrown)
        except StopIteration as finished:
            return finished.value
        sent = thrown = None
        try:
            sent = yield yielded
        except GeneratorExit:
            with mode:
                generator.close()
            raise
        except BaseException as error:  # noqa: BLE001 (thrown in by the caller: passed on to the generator)
            thrown = error


def no_grad():
    """Context manager (or decorator) in which nothing is recorded.

    Results computed inside have ``requires_grad=False`` and no parents: use it
    for evaluation and for parameter updates, as in PyTorch. It holds for the
    thread (or asyncio task) that enters it only, and a decorated generator runs
    each of its steps without recording while the code that drives it records.
    """
    return _GradMode(False)


def enable_grad():
    """Context manager that turns recording back on inside a ``no_grad()`` block."""
    return _GradMode(True)


class Op(Protocol):
    """What the graph needs of the op that made a node; every ``Function`` is one (``autograd.function``)."""

    name: str
    needs_input_grad: tuple[bool, ...]

    def forward(self, *inputs: Any) -> Any: ...

    def backward(self, grad: Any, out: Any, *inputs: Any) -> Any: ...


class Node:
    """A value in the graph: its data, its gradient and how it was made.

    Leaves are made by the user (``op`` is None); every other node is the output
    of an op applied to its ``parents``. ``grad`` is None until a backward pass
    reaches the node; after that it holds d(output)/d(node), summed over every
    backward call since the last ``zero_grad()``.
    """

    __slots__ = {  # a dict gives each attribute a docstring: help(Value.data), inspect.getdoc
        "_op": "The op that made this node (None for a leaf); read it as ``op``.",
        "_parents": "The op's inputs (empty for a leaf); read them as ``parents``.",
        "data": (
            "The number(s) this node holds: a float for a Value, a numpy array for a Tensor.\n\n"
            "Changing it between a forward pass and its backward() gives a silently wrong gradient:\n"
            "backward reads the data as it is then (PyTorch's .data is just as silent). With\n"
            "x = Tensor([3.0], requires_grad=True) and y = (x * x).sum(), setting x.data[0] = 100\n"
            "before y.backward() gives x.grad = [200.] where d(x*x)/dx = 2 * 3 = 6.\n\n"
            "The safe way: change parameters under no_grad() (as an optimizer's step does), then\n"
            "run a fresh forward pass before the next backward()."
        ),
        "grad": "d(output)/d(this node) once a backward pass has reached it, else None.",
        "label": "A name for drawings and error messages (optional).",
        "requires_grad": "True when backward() should compute a gradient for this node.",
    }
    # The slots' types, for type checkers (a bare annotation makes no class attribute, so it fits beside __slots__).
    _op: Op | None
    _parents: tuple[Node, ...]
    data: Any
    grad: Any
    label: str | None
    requires_grad: bool

    def __init__(self, data: Any, requires_grad: bool, label: str | None):
        """A leaf: data the user made, with no op behind it."""
        self.data = data
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self._parents = ()
        self._op = None

    # Subclasses build constants and results of ops through these hooks.
    @classmethod
    def _lift(cls, x: Any, like: Any = None) -> Node:
        """Turn a plain number or array into a constant node of this kind.

        ``like`` is the node it is about to be combined with, so a number can take
        its dtype (``2 * x`` keeps a float32 tensor in float32).
        """
        raise NotImplementedError

    def _seed(self) -> Any:
        """The gradient of this node with respect to itself (1 for a scalar)."""
        raise NotImplementedError

    @staticmethod
    def _checked_output(data: Any, op: Any) -> Any:
        """``data``, which the forward of ``op`` (an op of the user's) gave, if a node of this kind can hold it.

        It is converted to this kind's type where that is safe (an int to a
        float); otherwise an error names the op. The built-in ops are trusted.
        """
        return data

    def _checked_gradient(self, grad: Any, op: Any, index: int) -> Any:
        """``grad``, which ``op``'s backward returned for this node (its input ``index``), if it fits this node.

        It must be of this node's kind and shape, and is converted to its data's
        type (a float, or an array of its dtype); otherwise an error names the op,
        the input and what was wrong.
        """
        raise NotImplementedError

    @classmethod
    def _result(cls, data: Any, parents: tuple[Node, ...], op: Op | None) -> Self:
        """A new node holding ``data``, made by ``op`` from ``parents``."""
        node = cls.__new__(cls)
        node.data = data
        node.grad = None
        node.requires_grad = op is not None
        node.label = None
        node._parents = parents
        node._op = op
        return node

    @property
    def parents(self) -> tuple[Node, ...]:
        """The inputs of the op that made this node (empty for a leaf)."""
        return self._parents

    @property
    def op(self) -> Op | None:
        """The op (a ``Function``) that made this node, or None for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for a node the user made rather than an op."""
        return self._op is None

    def backward(self, gradient: Any = None, create_graph: bool = False, *, retain_graph: bool | None = None) -> None:
        """Backpropagate from this node and add the gradients to every node's ``.grad``.

        ``gradient`` is d(loss)/d(this node); it may be left out when this node
        holds a single number. Calling ``backward()`` twice adds the gradients
        twice. With ``create_graph=True`` the gradients are nodes themselves,
        so they can be differentiated again. ``retain_graph`` is taken for
        PyTorch's code and changes nothing: the graph is always kept (to be
        drawn), where PyTorch frees it unless asked.
        """
        _checked_retain_graph(retain_graph)
        grads = backprop(self, gradient, create_graph)
        with _adding_to_grads:  # two threads adding into one .grad (shared parameters) must not lose a sum
            self._accumulate_pass(grads)

    @classmethod
    def _accumulate_pass(cls, grads: dict[Node, Any]) -> None:
        """Add each gradient of one backward pass into its node's ``.grad``.

        Every sum is made before any is stored (``_totals``), so an error (a
        ``.grad`` set to something that cannot be added) leaves each ``.grad`` as it was.
        """
        try:
            totals = cls._totals(grads)
        except TypeError as error:
            raise _unaddable(grads) or error from None
        for node, total in totals:
            node.grad = total

    @staticmethod
    def _totals(grads: dict[Node, Any]) -> list[tuple[Node, Any]]:
        """Each node and its ``.grad`` after this pass, none of them stored yet (a hook: ``Tensor`` adds a rule)."""
        return [(node, accumulated(node.grad, grad)) for node, grad in grads.items()]

    def zero_grad(self) -> None:
        """Forget this node's gradient (set ``.grad`` back to None)."""
        self.grad = None

    # Copies: a leaf (a parameter, an input) is copied with its data, grad and label; the result of an op is
    # refused, as PyTorch refuses to deep-copy one: copying it would copy its whole graph (recursing through a
    # training run's worth of nodes), and a copy without its graph, a leaf that requires grad, would pass for
    # a parameter of any model that held it.
    def __deepcopy__(self, memo: dict[int, Any]) -> Node:
        rebuild, fields = self.__reduce_ex__(4)
        copied = rebuild(*copy.deepcopy(fields, memo))  # the same fields as a pickle, each copied
        memo[id(self)] = copied
        return copied

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """What ``pickle`` (and ``copy.copy``) keeps of a leaf: its data, ``.grad``, ``requires_grad`` and label."""
        self._refuse_copy_of_result()
        grad = self.grad.data if isinstance(self.grad, Node) else self.grad
        return _rebuilt_leaf, (type(self), self.data, grad, self.requires_grad, self.label)

    def _refuse_copy_of_result(self) -> None:
        if self._op is not None:
            raise RuntimeError(
                f"cannot copy or pickle the result of an op ({getattr(self._op, 'name', 'an op')}, with its graph), as in "
                "PyTorch: copy its numbers (x.detach() or x.data), and drop a result a model keeps as an "
                "attribute (self.last = ...) before copying the model"
            )

    def detach(self) -> Node:
        """The same data as a new leaf that does not require grad."""
        refuse_while_recording("detach()")
        return type(self)._lift(self.data)

    # ``w -= lr * w.grad`` under ``no_grad()``, as in PyTorch: the update changes w itself.
    _leaf_update_refused_while_recording = False  # (Tensor: True, as in PyTorch; see _in_place)

    def __iadd__(self, other: Any) -> Any:
        return self._in_place(other, operator.add)

    def __isub__(self, other: Any) -> Any:
        return self._in_place(other, operator.sub)

    def __imul__(self, other: Any) -> Any:
        return self._in_place(other, operator.mul)

    def __itruediv__(self, other: Any) -> Any:
        return self._in_place(other, operator.truediv)

    def __ipow__(self, other: Any) -> Any:
        return self._in_place(other, operator.pow)

    def _in_place(self, other: Any, combine: Callable[[Any, Any], Any]) -> Any:
        """``self op= other``: recorded as a new node while recording, else a change of ``self``'s own data.

        While recording, ``total += loss`` makes a new node, as ``total = total
        + loss`` does, so a sum built in a loop keeps its graph, and a graph
        that already read the old ``total`` (or a constant ``c`` before
        ``c += 1``) keeps reading the old numbers: its backward reads its
        inputs' data, so changing them in place would silently change its
        gradients (PyTorch counts versions to refuse that; tracegrad makes a
        new node instead). Other names for the old node do not see the change
        then, as for a Python number. A tensor leaf that requires grad is
        refused, as in PyTorch: rebinding ``w`` would leave the model's
        parameter untouched. A ``Value`` is a leaf that requires grad by
        default, so ``total = Value(0.0); total += term`` rebinds, as in
        micrograd; but a ``Value`` leaf that already has a gradient is a
        parameter being stepped (``p -= lr * p.grad``), and is refused like a
        tensor's. Under ``no_grad()`` a leaf's data changes in place, so every
        holder of ``w`` (a model, an optimizer) sees the step; the result of an
        op is never changed (its graph's backward reads its data), so it is
        rebound to a new node then too.
        """
        if is_grad_enabled() or self._op is not None:
            stepped = self._leaf_update_refused_while_recording or self.grad is not None
            if stepped and self.requires_grad and self._op is None:
                symbol = IN_PLACE_SYMBOLS.get(combine, "op=")
                raise RuntimeError(
                    f"an in-place update (w {symbol} ...) of a leaf that requires grad, while recording, would make "
                    "a new node and leave w itself unchanged: do it under no_grad(), as an optimizer's step does, "
                    "or change w.data"
                )
            return NotImplemented  # Python then makes ``self op other``: a new node
        self._set_data(combine(self, other).data)  # the op itself, unrecorded: its rules (x / 0 is inf), its dtype
        return self

    def _set_data(self, data: Any) -> None:
        """Replace this node's data by ``data`` in an in-place update (a hook: ``Tensor`` writes into its array)."""
        self.data = data


IN_PLACE_SYMBOLS = {
    operator.add: "+=",
    operator.sub: "-=",
    operator.mul: "*=",
    operator.truediv: "/=",
    operator.pow: "**=",
}


def _rebuilt_leaf(kind: type[Node], data: Any, grad: Any, requires_grad: bool, label: str | None = None) -> Node:
    """A leaf of ``kind`` holding ``data`` and ``grad``: a copied or unpickled node."""
    node = kind._result(data, (), None)
    node.grad, node.requires_grad, node.label = grad, requires_grad, label
    return node


def topological_order(root: Node, leaves: bool = True) -> list[Node]:
    """Every node ``root`` depends on that requires grad, each after all of its parents.

    Depth-first search with an explicit stack instead of recursion: the node on
    top of the stack waits there until all of its parents have been emitted,
    then is emitted itself. Read backwards, the list visits each node before
    any of its inputs, which is the order backprop needs. ``leaves=False``
    leaves out the nodes no op made (backprop has nothing to compute there).
    Beside each node on the stack, an iterator keeps its place among its
    parents, so a node with thousands of inputs (a ``stack`` of tensors) has
    them read once, not again from the first each time the search returns.
    """
    if not (root._op is not None or (leaves and root.requires_grad)):
        return []
    order: list[Node] = []
    visited = {root}
    stack = [root]
    parents_left = [iter(root._parents)]  # for each node on the stack, its parents not looked at yet
    while stack:
        for parent in parents_left[-1]:
            if (parent._op is not None or (leaves and parent.requires_grad)) and parent not in visited:
                visited.add(parent)
                stack.append(parent)
                parents_left.append(iter(parent._parents))
                break
        else:
            order.append(stack.pop())
            parents_left.pop()
    return order


def accumulated(total: Any, grad: Any) -> Any:
    """``total + grad``, or ``grad`` alone while nothing is collected yet (``total`` is None).

    A node used by several ops receives one gradient from each, and by the
    multivariable chain rule they add up. Every place that collects gradients
    uses this one rule: ``backprop`` within a pass, and ``.grad`` across passes.
    """
    return grad if total is None else total + grad


def _checked_seed(output: Node, gradient: Any, create_graph: bool) -> Any:
    if not output.requires_grad:
        raise RuntimeError(
            "backward() on a node that does not require grad: nothing it was computed "
            "from requires a gradient (made under no_grad(), detached, or from constants)"
        )
    if gradient is None:  # the output's own seed needs no checks
        seed = output._seed()
        return output._lift(seed, output) if create_graph else seed
    if isinstance(gradient, Node) and not create_graph:
        gradient = gradient.data
    seed = output._lift(gradient, output)  # a node given with create_graph stays itself: what it depends on counts
    if getattr(seed.data, "shape", None) != getattr(output.data, "shape", None):
        raise ValueError(
            f"backward(): the gradient has shape {seed.data.shape}, but the output has shape {output.data.shape}"
        )
    dtype = getattr(output.data, "dtype", None)
    if dtype is not None and seed.data.dtype != dtype:  # a float32 output's gradient is float32, as in PyTorch
        if create_graph:  # cast as an op, so the cast is recorded too
            return output._checked_gradient(seed, "backward()", 0)
        seed = output._lift(seed.data.astype(dtype), output)
    return seed if create_graph else seed.data


def backprop(output: Node, gradient: Any = None, create_graph: bool = False) -> dict[Node, Any]:
    """One backward pass: d(output)/d(node) for every node that requires grad.

    The gradients are collected in a fresh dictionary and nothing in the graph is
    changed; ``Node.backward`` and ``grad`` decide what to do with them. Without
    ``create_graph`` the ops see plain numbers; with it they see nodes, and the
    backward computation is recorded like any forward one.

    What each op's backward returns is checked before it is added up: one gradient
    per input, each of its input's kind and shape (and dtype: a float32 input gets
    a float32 gradient), so a slip in a custom op is an error naming the op and the
    input rather than a wrong ``.grad``. A custom op is handed read-only arrays
    (``Function._run``), so it cannot change another node's numbers. Without
    that, its speed-ups (two inputs unrolled, a ``Value``'s float gradients
    accepted inline) and ``create_graph`` the loop reads::

        for node in reversed(topological_order(output, leaves=False)):
            if node not in grads:  # every op on the way skipped it (returned None for it)
                continue
            downstream = node.op.backward(grads[node], node.data, *[p.data for p in node.parents])
            if type(downstream) is not tuple:
                downstream = (downstream,)
            if len(downstream) != len(node.parents):
                raise _wrong_count(node.op, downstream, len(node.parents))
            for index, (parent, grad) in enumerate(zip(node.parents, downstream)):
                if grad is not None and parent.requires_grad:
                    grad = parent._checked_gradient(grad, node.op, index)
                    grads[parent] = accumulated(grads.get(parent), grad)
    """
    create_graph = checked_flag("create_graph", create_graph)
    if not create_graph:
        refuse_while_recording("a backward pass (backward(), grad())")
    seed = _checked_seed(output, gradient, create_graph)
    grads: dict[Node, Any] = {output: seed}
    collected = grads.get
    # A graph holds one kind of node, so a float seed means a Value's plain pass: every right gradient is a float.
    scalar = type(seed) is float
    op: Any  # each node below has one: topological_order(leaves=False) lists only the results of ops
    recording = _grad_enabled.set(create_graph)  # set and reset directly: a with-block costs more per pass
    try:
        for node in reversed(topological_order(output, leaves=False)):
            upstream = collected(node)
            if upstream is None:
                continue
            op, parents = node._op, node._parents
            if create_graph:
                downstream = op.backward(upstream, node, *parents)
            elif op._from_outside:  # an op of the user's: handed read-only arrays (Function._run)
                downstream = op._run("backward", upstream, node.data, *[p.data for p in parents])
            elif len(parents) == 2:  # most ops: the steps below, unrolled because this is the hot loop
                a, b = parents
                downstream = op.backward(upstream, node.data, a.data, b.data)
                if type(downstream) is not tuple or len(downstream) != 2:
                    raise _wrong_count(op, downstream, 2)
                grad_a, grad_b = downstream
                if grad_a is not None and a.requires_grad:
                    if not (scalar and type(grad_a) is float):
                        grad_a = a._checked_gradient(grad_a, op, 0)
                    grads[a] = accumulated(collected(a), grad_a)
                if grad_b is not None and b.requires_grad:
                    if not (scalar and type(grad_b) is float):
                        grad_b = b._checked_gradient(grad_b, op, 1)
                    grads[b] = accumulated(collected(b), grad_b)
                continue
            else:
                downstream = op.backward(upstream, node.data, *[p.data for p in parents])
            if type(downstream) is not tuple:
                downstream = (downstream,)
            if len(downstream) != len(parents):
                raise _wrong_count(op, downstream, len(parents))
            for index, grad in enumerate(downstream):
                parent = parents[index]
                if grad is not None and parent.requires_grad:
                    if not (scalar and type(grad) is float):
                        grad = parent._checked_gradient(grad, op, index)
                    grads[parent] = accumulated(collected(parent), grad)
    finally:
        _grad_enabled.reset(recording)
    return grads


def _unaddable(grads: dict[Node, Any]) -> TypeError | None:
    """The error naming the first node whose ``.grad`` cannot take its gradient of this pass (None if every one can)."""
    for node, grad in grads.items():
        try:
            accumulated(node.grad, grad)
        except TypeError:
            name = repr(node.label) if node.label else f"a {type(node).__name__}"
            return TypeError(
                f"the .grad of {name} is a {type(node.grad).__name__} ({node.grad!r}), which this backward()'s "
                "gradient cannot be added to: set it to None (zero_grad()) or to a number; nothing was added"
            )
    return None


def _checked_retain_graph(retain_graph: Any) -> None:
    """PyTorch's ``retain_graph``: None, True or False, each meaning the same here (the graph is never freed)."""
    if retain_graph is not None:
        checked_flag("retain_graph", retain_graph)


def _wrong_count(op: Any, downstream: Any, inputs: int) -> TypeError:
    """The error for a backward that did not return one gradient per input."""
    returned = len(downstream) if type(downstream) is tuple else 1
    wanted = "one gradient" if inputs == 1 else f"a tuple of {inputs} gradients, one per input (None for none)"
    return TypeError(
        f"the backward of {op!r} returned {returned} gradient{'s' if returned != 1 else ''} for {inputs} "
        f"input{'s' if inputs != 1 else ''}: it must return {wanted}"
    )


def grad(
    output: Node,
    inputs: Node | Sequence[Node],
    gradient: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
    *,
    retain_graph: bool | None = None,
):
    """d(output)/d(inputs), returned instead of added to ``.grad``.

    ``inputs`` is one node (one gradient is returned) or a sequence of nodes (a
    tuple is returned). With ``create_graph=True`` the gradients are nodes, so
    ``grad`` can be applied to them again for second derivatives. An input the
    output does not depend on raises, unless ``allow_unused`` (then it gets None).
    ``retain_graph`` is taken as in ``Node.backward``: the graph is always kept.
    """
    _checked_retain_graph(retain_graph)
    single = isinstance(inputs, Node)
    wanted = (inputs,) if isinstance(inputs, Node) else tuple(inputs)
    allow_unused = checked_flag("allow_unused", allow_unused)
    grads = backprop(output, gradient, create_graph)
    result = []
    for index, node in enumerate(wanted):
        if not isinstance(node, Node):
            raise TypeError(f"grad(): input {index} is a {type(node).__name__}, not a Value or Tensor")
        if node not in grads and not allow_unused:
            raise ValueError(
                f"grad(): input {index} ({node!r}) is not used in the graph of the output "
                "(or does not require grad); pass allow_unused=True to get None for it"
            )
        result.append(grads.get(node))
    return result[0] if single else tuple(result)


def zero_grad(*nodes: Node | Iterable[Node]) -> None:
    """Forget the gradient of the given nodes and of every node in their graphs."""
    for item in nodes:
        for root in [item] if isinstance(item, Node) else item:
            root.grad = None
            for node in topological_order(root):
                node.grad = None
