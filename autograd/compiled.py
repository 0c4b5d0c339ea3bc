"""``compile``: record a function's graph once, then run it as straight-line Python.

Eager mode (define-by-run, as in PyTorch) builds a fresh graph of node
objects at every call, and that bookkeeping is most of the cost of a scalar
graph. A recorded program (as ``torch.jit.trace`` or JAX's ``jit`` make) is
the other way: run the function once, record the ops it did, and write them
out as code, the forward pass and then its backward pass one line per op
(``autograd.codegen``). Later calls run that code on the new inputs without
building a single node.

A trace records what happened on one call, so it holds while the same ops run:

- Python control flow that depends on data (``if loss.data > 1``, a loop
  until convergence, ``x.data`` or a comparison such as ``x > 0`` turned into
  a mask) is baked in: the branch taken, the mask computed while recording is
  replayed, whatever the new inputs are. Random numbers the function draws
  itself are baked in too (dropout in training mode is refused, see below).
  Write such functions without it, or do not compile them.
- The structure of the inputs is checked at every call: the nesting of lists,
  tuples and dicts, the names of keyword arguments, which items are Values or Tensors (their shape,
  dtype and ``requires_grad``), and the exact value of every other item
  (numbers, strings, numpy arrays such as class labels, which the program
  holds as constants: copies taken when recording, so changing the array in
  place afterwards changes no program). When anything differs, the function
  is recorded again for the new structure (a few programs are kept, so
  alternating batch sizes do not record at every call).
- Parameters (leaves that require grad, reached from the output but not
  passed in) are read afresh at every call, so an optimizer's in-place steps
  and ``load_state_dict`` between calls are seen. Other tensors the function
  closes over are read afresh too; numbers, and Values that do not require
  grad, are written into the program as literals. What the function computes
  from such constants alone (``c * 3``, ``W / W.sum()``, ``W.T`` of a frozen
  ``W``: no input or parameter in it) is not recorded, as in eager mode where
  it needs no graph: its result is a constant of the program, and the numbers
  of the constants it came from are checked at every call, so a change (or
  unfreezing ``c``) records the function again. So are the numbers that an op
  takes as a setting rather than as an input of the graph: class labels or a
  mask given as a Tensor, soft targets that want no gradient, an input copied
  with ``Tensor(x)``. Each check compares every bit, a copy per call. A value
  that changes at every call (a new batch of labels) makes a new recording at
  every call, as an array passed in does: compile the model and compute the
  loss outside it, as ``fit(compile=True)`` does. Freezing a parameter
  (``requires_grad = False``), unfreezing a constant, changing a constant
  ``Value``'s number or a tensor's shape or dtype records the function again.
  Plain numpy arrays the function closes over (not passed in) become
  constants of the program when it is recorded: pass data as arguments.
- The state of every model called while recording, and of every layer
  below it, is checked at every call too (an ``nn.Module`` notes itself with
  ``note_state``): its train or eval mode and its attributes, such as the
  layers and parameters it holds, its settings and its buffers (batch norm's
  running statistics), compared by value (arrays byte by byte, so a large
  array held by a model costs a copy per call) or, for other objects, by
  identity (replace such an object rather than change it in place). When it
  differs (``model.eval()``, a layer replaced, buffers loaded), the function
  is recorded again; the program for the old state is kept too, and recording
  the same inputs again call after call gives a warning. A model whose call
  changes that state (batch norm in training mode updates its running
  statistics, dropout draws random numbers, a forward keeps a node as an
  attribute) is refused: a program cannot replay the side effect. The refused
  call has run the function once, eagerly, so the side effect has happened
  once, as a call without compile would have it (running statistics moved,
  random numbers drawn). Only models
  called as ``model(x)`` in the recording thread are seen (``compile`` of a
  model's method watches that model too).
- A compiled function called while another one records runs as the plain
  function, so its ops are written into the outer program.
- Numbers computed outside the graph while recording, under ``no_grad()``,
  by ``detach()`` or by a backward pass (``backward()``, ``grad()`` without
  ``create_graph``), are refused with an error: the program could only keep
  the first call's numbers. Rebinding a name the function reads (a global
  ``w = Tensor(...)``, a dict entry) to a new tensor is not seen either: change
  ``w.data``, or keep parameters in an ``nn.Module``, whose attributes are watched.
- The first call runs the function twice, once eagerly to record it and once
  as the program, so a custom op whose forward has a side effect (a buffer
  it updates) has it twice then.
- While recording, each input Tensor or Value stands in as a node that
  requires grad, so that every op computed from it is recorded, even from an
  input that wants no gradient (data). Code that asks ``x.requires_grad``,
  changes such an input in place or hands it to numpy sees one that requires
  grad then.
- A graph of more than 200,000 ops (``codegen.LARGEST_PROGRAM``) is refused
  with an error: Python compiles a program that long in gigabytes of memory.
  Eager mode runs graphs of any size.
- Results of ops computed before the call (``h = W * 2`` outside, read by the
  function) are computed again by the program from the parameters as they are
  at each call, where eager mode reads the numbers ``h`` holds; the result of
  a compiled function called outside is refused. Compute such values inside
  the function, or pass them in.
"""

from __future__ import annotations

import contextvars
import copy
import inspect
import threading
import warnings
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .codegen import Program, generate
from .function import Function
from .graph import (
    Node,
    data_stand_ins,
    enable_grad,
    is_grad_enabled,
    recording_a_program,
    topological_order,
    values_read,
)

PROGRAMS_KEPT = 8  # programs kept (for other input structures or model states) before the least used is dropped
RECORDINGS_BEFORE_WARNING = 3  # calls in a row recording the same inputs again before compile warns about it


class HasState(Protocol):
    """An object whose state a function may read beyond its inputs and parameters (an ``nn.Module``)."""

    def recording_state(self) -> Hashable:
        """Everything about the object a recorded program depends on, comparable with ``==``."""
        ...


Noted = dict[int, tuple[weakref.ref, Hashable]]  # by id: a weak reference to each object, and its state then

# While a function is being recorded: the objects that noted their state.
_noted_states: contextvars.ContextVar[Noted | None] = contextvars.ContextVar("compile_noted_states", default=None)


def note_state(owner: HasState) -> None:
    """Tell a recording in progress (if any) that the function reads ``owner``'s state: checked at every later call.

    A model calls it at each call, before its forward pass; outside a
    recording it does nothing. A model with ``modules()`` notes every layer
    below it too, since its forward may use a layer without calling it (a
    layer's method). The references are weak: a layer made and dropped inside
    the function (an activation made in ``forward``) leaves nothing behind
    that a later call could read, so it is not watched.
    """
    noted = _noted_states.get()
    if noted is None:
        return
    for part in owner.modules() if hasattr(owner, "modules") else (owner,):
        seen = noted.get(id(part))
        if seen is None or seen[0]() is not part:  # (an id is reused once its object is gone)
            noted[id(part)] = (weakref.ref(part), part.recording_state())


class CompiledGraph(Function):
    """The op of a node returned by a compiled function: its backward runs the program's backward half.

    The node's parents are the inputs that want a gradient and the
    parameters, so ``backward()`` on it (or on any graph built on top of it)
    adds their gradients to ``.grad`` by the engine's own rule.
    """

    __slots__ = ("ends_with", "failed", "run", "running")
    name = "compiled"

    def __init__(self, run: Iterator[Any], ends_with: type | None = None):
        self.run = run
        self.ends_with = ends_with  # the kind of op that made the output when recording (a Sigmoid, say)
        self.running = threading.Lock()  # one backward at a time: the program is one generator
        self.failed: BaseException | None = None

    def backward(self, grad, out, *leaves):
        if isinstance(grad, Node):
            raise TypeError(
                "a compiled function's backward computes plain numbers and cannot be recorded "
                "(create_graph=True): call the function without compile for higher derivatives"
            )
        with self.running:
            if self.failed is not None:  # a generator that raised has ended: it cannot run again
                raise RuntimeError(
                    "this compiled result's backward raised before "
                    f"({type(self.failed).__name__}: {self.failed}); call the compiled function again"
                ) from self.failed
            try:
                return self.run.send(grad)
            except BaseException as error:
                self.failed = error
                raise


def _flatten(
    item: Any, path: str, signature: list, nodes: list[Node], paths: list[str], within: frozenset[int] = frozenset()
) -> None:
    """Walk the inputs: append what must match for a program to fit (``signature``), and the nodes with their paths.

    ``within`` holds the lists, tuples and dicts the walk is inside, so one that contains itself is an error.
    """
    if isinstance(item, (list, tuple, dict)):
        if id(item) in within:
            raise TypeError(f"compile: the input {path} contains itself, so its structure has no end")
        within = within | {id(item)}
    if isinstance(item, Node):
        data = item.data
        shape = (data.shape, data.dtype.str) if isinstance(data, np.ndarray) else ()
        signature.append((type(item).__name__, *shape, item.requires_grad))
        nodes.append(item)
        paths.append(path)
    elif isinstance(item, (list, tuple)):
        signature.append((type(item).__name__, len(item)))
        for index, element in enumerate(item):
            _flatten(element, f"{path}_{index}", signature, nodes, paths, within)
    elif isinstance(item, dict):
        signature.append(("dict", tuple(item)))
        for key, element in item.items():
            _flatten(element, f"{path}_{key}", signature, nodes, paths, within)
    elif isinstance(item, np.ndarray):
        signature.append(("array", item.shape, item.dtype.str, item.tobytes()))
    elif isinstance(item, float):  # to the bit: -0.0 is not 0.0, and nan matches nan
        signature.append(("float", item.hex()))
    elif isinstance(item, np.generic):
        signature.append(("scalar", item.dtype.str, item.tobytes()))
    elif item is None or isinstance(item, (bool, int, complex, str, bytes)):
        signature.append((type(item).__name__, item))
    else:
        raise TypeError(
            f"compile: the input {path} is of type {type(item).__name__}; a compiled function takes Values, Tensors, "
            "numbers, strings, numpy arrays and lists, tuples and dicts of them (let it close over other objects)"
        )


# The kinds of signature entry whose last item is a value (an array's bytes, a number) rather than a shape.
VALUES_IN_SIGNATURE = frozenset({"array", "float", "scalar", "int", "bool", "complex", "str", "bytes", "NoneType"})


def _shapes_of(signature: tuple) -> tuple:
    """A signature without the values of the numbers and arrays in it: what stays when only data changes."""
    return tuple(entry[:-1] if entry[0] in VALUES_IN_SIGNATURE else entry for entry in signature)


def _rebuild(item: Any, stand_ins: Iterator[Node]) -> Any:
    """The inputs with each node replaced by the next stand-in, in the order ``_flatten`` found them.

    Arrays are copied: an op may keep its input array (cross-entropy its labels),
    and the program must hold the values it was recorded for, which are the
    ones its structure is matched against, even if the caller's array changes later.
    """
    if isinstance(item, Node):
        return next(stand_ins)
    if isinstance(item, np.ndarray):
        return item.copy()
    # Containers keep the caller's own type (a namedtuple, a defaultdict).
    if isinstance(item, tuple):
        elements = [_rebuild(element, stand_ins) for element in item]
        return item._make(elements) if hasattr(item, "_fields") else type(item)(elements)  # type: ignore[attr-defined]
    if isinstance(item, (list, dict)):
        rebuilt = copy.copy(item)
        for key, element in item.items() if isinstance(item, dict) else enumerate(item):
            rebuilt[key] = _rebuild(element, stand_ins)
        return rebuilt
    return item


def _numbers_of(node: Node) -> Hashable:
    """What a program that took ``node``'s numbers as a setting depends on: its shape, dtype and every bit.

    And whether it wants a gradient: unfrozen, it must be recorded as a parameter.
    """
    data = node.data
    numbers = (data.shape, data.dtype.str, data.tobytes()) if isinstance(data, np.ndarray) else float(data).hex()
    return numbers, node.requires_grad


@dataclass(frozen=True, eq=False)  # (a node compares element by element)
class Setting:
    """A node whose numbers an op took as a setting while recording (class labels, a mask), and those numbers.

    The node is an input (``source`` is its position among a call's input
    nodes) or a tensor or Value the function closes over (``source`` is that node).
    """

    source: int | Node
    numbers: Hashable

    def holds(self, inputs: list[Node]) -> bool:
        node = inputs[self.source] if isinstance(self.source, int) else self.source
        return _numbers_of(node) == self.numbers


@dataclass(eq=False)  # one recording is only ever the same as itself
class Recording:
    """A program and what it was recorded for: the inputs' structure, and the objects whose state the function read."""

    signature: tuple
    program: Program
    owners: list[HasState]  # held strongly: an object the program depends on must not be replaced by another at its id
    states: list[Hashable]
    settings: list[Setting]

    def fits(self, signature: tuple, states_now: dict[int, Hashable], nodes: list[Node]) -> bool:
        """Whether the program holds for a call on these input nodes of this structure, with every object as it is now.

        ``states_now`` keeps the objects' states computed during this call, for the other recordings to reuse.
        """
        return (
            signature == self.signature
            and self.program.leaves_as_recorded()  # no parameter frozen, no constant unfrozen or changed since
            and (not self.owners or all(_state_now(o, states_now) == s for o, s in zip(self.owners, self.states)))
            and all(setting.holds(nodes) for setting in self.settings)
        )

    def changed_owners(self, states_now: dict[int, Hashable]) -> list[str]:
        """The names of the objects whose state is no longer what it was at the recording."""
        return [
            type(owner).__name__
            for owner, state in zip(self.owners, self.states)
            if _state_now(owner, states_now) != state
        ]


def _state_now(owner: HasState, states_now: dict[int, Hashable]) -> Hashable:
    """``owner``'s state, computed once per call."""
    if id(owner) not in states_now:
        states_now[id(owner)] = owner.recording_state()
    return states_now[id(owner)]


class CompiledFunction:
    """A function recorded on its first call and run as generated Python after that (see ``compile``)."""

    def __init__(self, fn: Callable[..., Node], names: Mapping[str, Node] | None = None):
        if not callable(fn):
            raise TypeError(f"compile: expected a function or a model, got a {type(fn).__name__}")
        self.fn = fn
        owner = fn if hasattr(fn, "named_parameters") else getattr(fn, "__self__", None)
        self.owner = owner if hasattr(owner, "recording_state") else None  # a model, or a model's method's model
        named_parameters = getattr(owner, "named_parameters", None)
        if names is None and named_parameters is not None:  # a model, or a model's method
            names = dict(named_parameters())
        self.parameter_names = {id(node): name for name, node in (names or {}).items()}
        self.title = getattr(fn, "__name__", type(fn).__name__.lower())
        if not self.title.isidentifier():  # a lambda
            self.title = "compiled"
        arguments: Iterable[inspect.Parameter]
        try:  # the names of the function's (or the model's forward's) arguments, to name the inputs after
            arguments = inspect.signature(getattr(fn, "forward", fn)).parameters.values()
        except (TypeError, ValueError):
            arguments = []
        self.argument_names = [a.name for a in arguments if a.kind in (a.POSITIONAL_ONLY, a.POSITIONAL_OR_KEYWORD)]
        self.recordings = 0
        self._choosing = threading.RLock()  # threads calling at once take turns to find or record a program
        self._recordings: list[Recording] = []  # the most recently used last, at most PROGRAMS_KEPT
        self._recorded_again = 0  # calls in a row that recorded again for inputs already seen
        self._dropped_shapes: set[tuple] = set()  # the input structures of programs dropped, to tell when they return
        self._latest: Program | None = None

    @property
    def source(self) -> str:
        """The generated Python of the program the latest call ran: forward, then backward in reverse."""
        if self._latest is None:
            raise RuntimeError("compile records the function at its first call: call it once before reading .source")
        return self._latest.source

    def __call__(self, *args: Any, **kwargs: Any) -> Node:
        if _noted_states.get() is not None:  # called while another compiled function records: record its ops too
            if self.owner is not None:
                note_state(self.owner)
            return self.fn(*args, **kwargs)
        signature: list = []
        nodes: list[Node] = []
        paths: list[str] = []
        for index, arg in enumerate(args):
            name = self.argument_names[index] if index < len(self.argument_names) else f"input{index}"
            _flatten(arg, name, signature, nodes, paths)
        if kwargs:  # keyword arguments: their names (and order) are part of the structure
            signature.append(("keywords", tuple(kwargs)))
            for name, arg in kwargs.items():
                _flatten(arg, name, signature, nodes, paths)
        key = tuple(signature)
        states_now: dict[int, Hashable] = {}
        with self._choosing:
            fitting = next((kept for kept in reversed(self._recordings) if kept.fits(key, states_now, nodes)), None)
            if fitting is None:
                self._note_recording_again(key, states_now, nodes)
                program = self._record(args, kwargs, key, nodes, paths)
            else:
                self._recorded_again = 0
                self._recordings.remove(fitting)  # the most recently used last: the last to be dropped
                self._recordings.append(fitting)
                program = fitting.program
            self._latest = program
        run = program.start([node.data for node in nodes])
        data = next(run)
        kind = program.output_kind
        parents = [nodes[i] for i in program.inputs_needing_grad] + program.parameters
        if not parents or not is_grad_enabled():
            result = kind._result(data, (), None)
        else:
            op = CompiledGraph(run, program.output_op)
            op.needs_input_grad = (True,) * len(parents)
            result = kind._result(data, tuple(parents), op)
        result.label = program.output_label
        return result

    def _note_recording_again(self, signature: tuple, states_now: dict[int, Hashable], nodes: list[Node]) -> None:
        """Warn once when call after call records inputs of a structure already seen, each costing an eager call.

        Either the inputs are the same and what the function reads changed (a
        model's state), or only the values of numbers or arrays passed in did
        (a new batch of labels): both are constants of a program.
        """
        earlier = next((kept for kept in reversed(self._recordings) if kept.signature == signature), None)
        shapes = _shapes_of(signature)
        kept_shapes = any(_shapes_of(kept.signature) == shapes for kept in self._recordings)
        if earlier is None and not kept_shapes and shapes not in self._dropped_shapes:
            return  # a new shape of input, such as another batch size: recorded once, then kept
        self._recorded_again += 1
        if self._recorded_again != RECORDINGS_BEFORE_WARNING:
            return
        if earlier is None and not kept_shapes:
            reason = (
                f"inputs of more than {PROGRAMS_KEPT} structures (batch sizes, say) came in turn, and only the "
                f"{PROGRAMS_KEPT} programs used most recently are kept: give the inputs fewer shapes"
            )
        elif earlier is None or any(
            isinstance(setting.source, int) and not setting.holds(nodes) for setting in earlier.settings
        ):
            reason = (
                "the numbers or arrays passed in changed, and they are constants of a program (a new batch of "
                "labels makes a new one): compile the model and compute the loss outside it, as "
                "fit(compile=True) does"
            )
        else:
            owners = ", ".join(earlier.changed_owners(states_now))
            changed = (
                f"the state of {owners} (an attribute, the train or eval mode or a buffer)"
                if owners
                else "a parameter frozen or unfrozen, a constant, or the numbers of a tensor an op takes as a "
                "setting (class labels, a mask)"
            )
            reason = (
                f"what it reads changed: {changed}; keep values that change at every step (a step counter) out "
                "of the model"
            )
        warnings.warn(
            f"compile: {self.title} was recorded again at each of the last {RECORDINGS_BEFORE_WARNING} calls, since "
            f"{reason}. Each recording costs an eager call and a new program (the plain function is faster then)",
            RuntimeWarning,
            stacklevel=3,
        )

    def _record(
        self, args: tuple, kwargs: dict[str, Any], signature: tuple, nodes: list[Node], paths: list[str]
    ) -> Program:
        """Run the function eagerly on stand-ins of the input nodes, and generate the program of its graph.

        The stand-ins are fresh leaves holding the same data that all require
        grad, so that every op computed from an input is recorded, even from
        an input that wants no gradient (data). The program is kept with the
        inputs' structure and the state of every object that noted it.
        """
        stand_ins = []
        for node in nodes:
            stand_in = type(node)._result(node.data, (), None)
            stand_in.requires_grad, stand_in.label = True, node.label
            stand_ins.append(stand_in)
        noted: Noted = {}
        read: list[Node] = []
        recording, flagged, reading = _noted_states.set(noted), recording_a_program.set(True), values_read.set(read)
        data = data_stand_ins.set(frozenset(id(s) for s, node in zip(stand_ins, nodes) if not node.requires_grad))
        try:
            if self.owner is not None:  # (a model's method: the model's own call does not run)
                note_state(self.owner)
            remaining = iter(stand_ins)  # in the order _flatten found the nodes: the arguments, then the keywords
            arguments, keywords = _rebuild(args, remaining), _rebuild(kwargs, remaining)
            with enable_grad():
                output = self.fn(*arguments, **keywords)
        finally:
            data_stand_ins.reset(data)
            values_read.reset(reading)
            recording_a_program.reset(flagged)
            _noted_states.reset(recording)
        settings = _settings(read, stand_ins, nodes)
        owners, states = [], []
        for reference, before in noted.values():
            owner = reference()
            if owner is None:  # made and dropped during the call
                continue
            state = owner.recording_state()
            if state != before:
                raise ValueError(
                    f"compile: calling {type(owner).__name__} while recording changed its state (a buffer, its "
                    "train or eval mode, or another attribute), a side effect that a recorded program cannot "
                    "replay at later calls: batch norm's running statistics and dropout's random numbers in "
                    "training mode (switch the model to eval mode, or call it without compile), or a layer made "
                    "at the first call (call the model once before compiling it)"
                )
            owners.append(owner)
            states.append(state)
        if not isinstance(output, Node):
            raise TypeError(f"compile: the function must return one Value or Tensor, not a {type(output).__name__}")
        for node in topological_order(output, leaves=False):
            if isinstance(node._op, CompiledGraph):
                raise TypeError(
                    "compile: the function uses the result of a compiled function called outside it, whose "
                    "program cannot be written into this one: call that compiled function inside this one (its "
                    "ops are then recorded here too), or pass its result in"
                )
        wants_grad = [node.requires_grad for node in nodes]
        program = generate(output, stand_ins, paths, wants_grad, self.parameter_names, self.title)
        self.recordings += 1
        if len(self._recordings) >= PROGRAMS_KEPT:
            if len(self._dropped_shapes) > 10 * PROGRAMS_KEPT:  # (bounded: an endless stream of new shapes)
                self._dropped_shapes.clear()
            self._dropped_shapes.add(_shapes_of(self._recordings.pop(0).signature))
        self._recordings.append(Recording(signature, program, owners, states, settings))
        return program


def _settings(read: list[Node], stand_ins: list[Node], inputs: list[Node]) -> list[Setting]:
    """What a program depends on beyond the graph: the numbers of the nodes that ops read as settings while recording.

    An input or a leaf the function closes over is checked at every later
    call. The result of an op is refused: its numbers come from this call's
    data, which the program cannot take as a setting afresh.
    """
    positions = {id(stand_in): index for index, stand_in in enumerate(stand_ins)}
    settings: dict[int, Setting] = {}
    for node in read:
        index = positions.get(id(node))
        if index is None and node._op is not None:
            raise RuntimeError(
                f"compile: the numbers of the result of an op ({node._op.name}) were read as a setting (class "
                "labels, a mask, a copy into a new tensor, a number read with item() or float(), or the gate of "
                "a relu, abs, max or clip in a gradient taken inside the function with create_graph=True); a "
                "program would keep this call's numbers at every later call: compute them outside the function "
                "and pass them in, or call it without compile"
            )
        if index is not None:  # an input: compared with the input given at each call, as given now
            settings[id(node)] = Setting(index, _numbers_of(inputs[index]))
        else:
            settings[id(node)] = Setting(node, _numbers_of(node))
    return list(settings.values())


def compile(fn: Callable[..., Node], names: Mapping[str, Node] | None = None) -> CompiledFunction:
    """Record ``fn``'s graph at its first call and run it as generated Python from then on.

    ``fn`` takes Values or Tensors (or lists, tuples and dicts of
    them, and constant numbers or arrays) and returns one ``Value`` or
    ``Tensor``; a model (an ``nn.Module``) is such a function. The compiled
    function returns a node whose ``.data`` is ``fn``'s output and whose
    ``backward()`` adds to the parameters' and inputs' ``.grad`` exactly
    what ``fn``'s own graph would. ``.source`` shows the generated program:
    one line per op forward, then the chain rule one line per op backward.

    ``names`` maps dotted names to parameters (``dict(model.named_parameters())``)
    to name them in the source; a model (or a model's method) is asked for them.

    Recording is tracing: control flow that depends on the data is baked in
    (see this module's docstring for what is checked and what is not).
    """
    return CompiledFunction(fn, names)
