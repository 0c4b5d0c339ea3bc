"""``Tensor``: a numpy array in the graph, with its gradient.

A ``Tensor`` is the array kind of node. It shares everything with ``Value``
(the graph, ``backward()``, ``grad()``, ``no_grad()``, custom ``Function``
ops, second derivatives); only its data is an array, so one node stands for a
whole layer's worth of numbers and numpy does the arithmetic.

Broadcasting follows numpy. Forward, a smaller input is stretched; backward,
the stretched input's gradient is summed back to its own shape. tracegrad
makes that step visible: when an input that needs a gradient is stretched, a
``broadcast`` node is recorded in front of the op.

Tensors are float64 unless made from float32 (or given ``dtype``); numbers
mixed in take the tensor's dtype, so float32 stays float32.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import numerics
from .elementwise import (
    Add,
    Cast,
    Clip,
    Div,
    Maximum,
    Minimum,
    Mul,
    Pow,
    Sub,
    Where,
)
from .function import Function, plain
from .graph import Node, accumulated, is_grad_enabled, values_of
from .matmul import MatMul
from .numerics import random_generator
from .reductions import Axis, Max, Mean, Min, Sum, reduced_count
from .shapes import BroadcastTo, Concatenate, GetItem, Reshape, Transpose, kept_index
from .softmax import LogSoftmax, LogSumExp, Softmax
from .unary_methods import UnaryMethods

Seed = int | np.random.Generator | None
"""What every random choice in tracegrad takes: an int seed, a ``numpy.random.Generator`` to draw from, or None.

None draws fresh numbers at every run. Whatever ``numpy.random.default_rng``
takes as a seed works too (a ``SeedSequence``, a list of ints); a bool does not.
"""
Shape = tuple[int, ...]


def _kind(x: Any) -> str:
    return type(x).__name__


def _float_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    """``data`` as a floating numpy array: float64 unless it already is floating or ``dtype`` says otherwise."""
    if isinstance(data, Tensor):
        data = values_of(data)  # copied into a new leaf: a setting, not an input of the graph
    elif isinstance(data, Node):
        raise TypeError(f"a Tensor cannot be made from a {_kind(data)}: Tensors and Values do not mix")
    numerics.refuse_masked("a Tensor's data", data)
    try:
        array = np.array(data, dtype=dtype, copy=copy) if copy else np.asarray(data, dtype=dtype)
    except ValueError as error:  # rows of different lengths, or text given a dtype
        raise ValueError(f"a Tensor needs a rectangular array of numbers (rows of one length): {error}") from None
    if array.dtype == object and any(isinstance(x, Node) for x in array.flat):
        raise TypeError("a Tensor cannot hold Values: Tensors and Values do not mix (use .data to get the numbers)")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"a Tensor holds real numbers, not {array.dtype} data")
    if array.dtype.kind != "f":
        if dtype is not None:
            raise TypeError(f"a Tensor's dtype must be a float type, not {array.dtype}")
        array = array.astype(np.float64)
    return array


def _shape_argument(shape: tuple[Any, ...]) -> Shape:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``; every size or axis a whole number (2.7 is no size, True no axis)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    whole = []
    for n in shape:
        checked = numerics.whole_number(n)  # an int, a numpy int, a 0-d integer array; never a float
        if checked is None:
            raise TypeError(f"sizes and axes must be ints, as in numpy, got {n!r} ({type(n).__name__}) in {shape}")
        whole.append(checked)
    return tuple(whole)


def _float_dtype(dtype: Any) -> np.dtype:
    """``dtype`` if it is a float type; a clear error otherwise (an int dtype would truncate the numbers made)."""
    chosen = np.dtype(dtype)
    if chosen.kind != "f":
        raise TypeError(f"a Tensor's dtype must be a float type, not {chosen}")
    return chosen


def _owns_its_memory(array: Any) -> bool:
    """True for a writeable numpy array that is not a view of another one."""
    return type(array) is np.ndarray and array.base is None and array.flags.writeable


class Tensor(UnaryMethods, Node):
    """An array node: ``.data`` is a numpy array, ``.grad`` an array of the same shape after backward.

    >>> W = Tensor([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True)
    >>> x = Tensor([0.2, 0.4])
    >>> loss = ((W @ x) ** 2).sum()       # worked example C (notebook 02): ||W x||^2 = 0.116
    >>> loss.backward()
    >>> W.grad                           # 2 (W x) x^T
    array([[0.088, 0.176],
           [0.104, 0.208]])

    Unlike ``Value``, a tensor made by the user does not require grad unless
    asked (``requires_grad=True``), as in PyTorch: data and targets are
    tensors too, and their gradients are not wanted. Comparisons with numbers
    and arrays (``t != 0``, ``t > 0.5``) compare the data and return boolean
    numpy arrays, so ``t[t != 0]`` picks elements; between two tensors ``==``
    is identity, as tensors are graph nodes (compare ``a.data == b.data``).

    Changing ``.data`` (or the array in it) between a forward pass and its
    ``backward()`` gives a silently wrong gradient, as in PyTorch: ops saved
    no copy, so backward reads the changed numbers. Change parameters under
    ``no_grad()``, then run a fresh forward pass.
    """

    __slots__ = ()
    __array_ufunc__ = None  # numpy arrays defer to Tensor's operators: ``array + tensor`` is a Tensor
    _leaf_update_refused_while_recording = True  # ``w -= lr * w.grad`` outside no_grad(): an error, as in PyTorch

    def __init__(self, data: Any, *, requires_grad: bool = False, dtype: Any = None, label: str | None = None):
        super().__init__(_float_array(data, dtype), numerics.checked_flag("requires_grad", requires_grad), label)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """``np.asarray(t)``: the data of a tensor that needs no gradient; refused for one that does, as in PyTorch.

        numpy would otherwise read a tensor element by element, as a list of
        0-d tensors. A numpy array cannot carry the graph, so a tensor that
        requires grad asks for ``.data`` (or ``.detach()``) by name.
        """
        if self.requires_grad:
            raise TypeError(
                "numpy cannot take a Tensor that requires grad (its graph would be lost): "
                "use t.data, or t.detach(), for its numbers"
            )
        return np.array(self.data, dtype=dtype, copy=copy)  # (copy=False refuses a dtype that needs a copy)

    # Hooks of the graph core.
    @classmethod
    def _lift(cls, x: Any, like: Any = None) -> Tensor:
        if isinstance(x, Tensor):
            return x
        if isinstance(x, numbers.Real):
            dtype = like.data.dtype if isinstance(like, Tensor) else np.float64
            return cls._result(np.asarray(x, dtype=dtype), (), None)
        if isinstance(x, (np.ndarray, list, tuple)):
            # A copy: the graph must not change if the caller later changes the array in place.
            array = np.array(x)
            if array.dtype.kind in "biu" and isinstance(like, Tensor):
                array = array.astype(like.data.dtype)
            return cls._result(_float_array(array, copy=False), (), None)
        if isinstance(x, Node):
            raise TypeError(f"a Tensor cannot be combined with a {_kind(x)}: Tensors and Values do not mix")
        raise TypeError(f"a Tensor combines only with numbers, numpy arrays and other Tensors, not with a {_kind(x)}")

    @classmethod
    def _result(cls, data: Any, parents: tuple[Node, ...], op: Any) -> Tensor:
        if type(data) is not np.ndarray:  # numpy returns scalars for 0-d results; keep arrays throughout
            data = np.asarray(data)
        if data.dtype.kind != "f":
            if op is None:  # a constant that took the dtype of a tensor whose .data was set to ints
                raise TypeError(
                    f"a Tensor holds floats, not {data.dtype} numbers: was a tensor's .data set to an integer "
                    "array? Set it to floats (w.data = array.astype(np.float64))"
                )
            raise TypeError(  # a user's forward that gives ints would turn every gradient after it to ints
                f"the forward of {op!r} gave {data.dtype} numbers: a Tensor holds floats (return the result "
                "in its input's dtype, e.g. with .astype(x.dtype))"
            )
        return super()._result(data, parents, op)

    @staticmethod
    def _checked_output(data: Any, op: Any) -> Any:
        # What an op of the user's gave: an array of numbers (its dtype is checked by _result).
        if isinstance(data, Node):
            raise TypeError(
                f"the forward of {op!r} gave a {type(data).__name__}: a forward computes on plain arrays and gives "
                "one (the .data of a result), and apply() makes the node"
            )
        numerics.refuse_masked(f"what the forward of {op!r} gave", data)
        try:
            return np.asarray(data)
        except ValueError as error:  # a ragged list
            raise ValueError(
                f"the forward of {op!r} gave a {type(data).__name__} that is not a rectangular array of numbers ({error})"
            ) from None

    def _seed(self) -> np.ndarray:
        if self.data.size != 1:
            raise RuntimeError(
                f"backward() on a Tensor of shape {self.shape} needs a gradient of that shape: only a single "
                "number can start a backward pass by itself (reduce it with .sum() or .mean(), or pass gradient=...)"
            )
        return np.array(1.0, self.data.dtype).reshape(self.data.shape)  # faster than np.ones for one element

    def _checked_gradient(self, grad: Any, op: Any, index: int) -> np.ndarray | Tensor:
        data = self.data
        if type(grad) is np.ndarray and grad.shape == data.shape and grad.dtype is data.dtype:
            return grad  # the usual case, answered first: it runs for every input of every op
        recorded = isinstance(grad, Tensor)  # a gradient recorded under create_graph=True
        if recorded and not is_grad_enabled():  # a plain pass: the array it holds
            grad, recorded = grad.data, False
        if not recorded:
            if isinstance(grad, numbers.Real):
                grad = np.asarray(grad)  # numpy gives scalars for 0-d results
            if type(grad) is not np.ndarray:
                raise TypeError(
                    f"the backward of {op!r} gave input {index}, a Tensor, a gradient that is a {_kind(grad)}: "
                    "a Tensor's gradient is a numpy array of its shape"
                )
        array = grad.data if recorded else grad
        if array.shape != data.shape:
            raise ValueError(
                f"the backward of {op!r} gave input {index} a gradient of shape {array.shape}, but that input has "
                f"shape {data.shape}: a gradient has its input's shape (a reduction's must be spread back)"
            )
        if array.dtype == data.dtype:
            return grad
        if array.dtype.kind not in "biuf":
            raise TypeError(f"the backward of {op!r} gave input {index} a gradient of {array.dtype} numbers")
        return Cast.apply(grad, dtype=data.dtype)  # a float32 input keeps a float32 gradient, as in PyTorch

    def _set_data(self, data: Any) -> None:
        # Into the same array, in its own dtype: whatever holds it (a model, an optimizer's state) sees the change.
        np.copyto(self.data, data, casting="same_kind")

    @staticmethod
    def _totals(grads: dict[Node, Any]) -> list[tuple[Node, Any]]:
        """Each node and its ``.grad`` after this pass, none of them stored yet (see ``Node._accumulate_pass``).

        A pass may hand one array to several nodes (the add gate passes its upstream
        on unchanged) or give a view (reshape's backward, a read-only broadcast). Each
        node's first gradient must be an array of its own, since optimizers and users
        change .grad in place (a.grad *= 5 must change no other): an array handed to
        several nodes stays with the first and is copied for the others, and a view is
        copied. Fresh arrays are kept as they are, so the large gradients of matmuls
        are never copied.
        """
        given: set[int] = set()  # the arrays already given to a node as its .grad
        totals = []
        for node, grad in grads.items():
            if node.grad is None and not isinstance(grad, Node):
                if type(grad) is not np.ndarray:
                    grad = np.asarray(grad)  # (numpy gives scalars for 0-d results)
                if id(grad) in given or not _owns_its_memory(grad):
                    grad = np.array(grad)  # a copy of its own
                else:
                    given.add(id(grad))
            elif isinstance(node.grad, (np.ndarray, Tensor)) and node.grad.shape != grad.shape:  # (a number set: added)
                name = f"{node.label!r}" if node.label else "a tensor"
                raise ValueError(
                    f"the .grad of {name} has shape {node.grad.shape} from an earlier backward(), but this "
                    f"backward() gives it shape {grad.shape} (its data changed shape since): call zero_grad() first"
                )
            totals.append((node, accumulated(node.grad, grad)))
        return totals

    # What the array is.
    @property
    def shape(self) -> Shape:
        """The array's shape, as in numpy."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype (float64 unless made from float32 or told otherwise)."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self.data.size

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the same array, not a copy)."""
        return self.data

    def item(self) -> float:
        """The single number in a one-element tensor, as a Python float (a plain number: no graph behind it)."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return float(values_of(self).reshape(()))  # (a recording notes the number read: compile checks it)

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        return bool(self.data)

    def __contains__(self, item: Any) -> bool:
        """``2.0 in t``: whether any element equals ``item``, as in numpy and PyTorch (``==`` on nodes is identity)."""
        return bool((self.data == plain(item)).any())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        """The rows along the first axis, each a recorded ``x[i]``."""
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, threshold=24, separator=", ", prefix="Tensor(")
        extras = ""
        if self.dtype != np.float64:
            extras += f", dtype={self.dtype}"
        if self._op is not None:
            extras += f", op={self._op.name!r}"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        if self.label:
            extras += f", label={self.label!r}"
        return f"Tensor({body}{extras})"

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a single number, as PyTorch does for a 0-d tensor (without a spec, the ``repr``)."""
        if not spec:
            return repr(self)
        if self.ndim != 0:
            raise TypeError(
                f"a format such as {spec!r} needs a single number, but the Tensor has shape {self.shape}: "
                "format its elements, or reduce it first"
            )
        return format(float(self.data), spec)

    # Constructors.
    @classmethod
    def zeros(cls, *shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
        """A tensor of zeros: ``Tensor.zeros(2, 3)`` or ``Tensor.zeros((2, 3))``."""
        return cls(np.zeros(_shape_argument(shape), dtype=_float_dtype(dtype)), requires_grad=requires_grad)

    @classmethod
    def ones(cls, *shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
        """A tensor of ones."""
        return cls(np.ones(_shape_argument(shape), dtype=_float_dtype(dtype)), requires_grad=requires_grad)

    @classmethod
    def full(cls, shape: Sequence[int], value: float, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
        """A tensor of ``shape`` filled with ``value``."""
        return cls(np.full(_shape_argument((shape,)), value, dtype=_float_dtype(dtype)), requires_grad=requires_grad)

    @classmethod
    def randn(cls, *shape: Any, seed: Seed = None, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
        """Standard normal samples; ``seed`` is an int or a ``numpy.random.Generator`` for repeatable numbers."""
        data = random_generator(seed).standard_normal(_shape_argument(shape)).astype(_float_dtype(dtype), copy=False)
        return cls(data, requires_grad=requires_grad)

    @classmethod
    def uniform(
        cls,
        *shape: Any,
        low: float = 0.0,
        high: float = 1.0,
        seed: Seed = None,
        dtype: Any = np.float64,
        requires_grad: bool = False,
    ) -> Tensor:
        """Samples uniform in ``[low, high)``."""
        data = random_generator(seed).uniform(low, high, _shape_argument(shape)).astype(_float_dtype(dtype), copy=False)
        return cls(data, requires_grad=requires_grad)

    @classmethod
    def arange(
        cls,
        start: float,
        stop: float | None = None,
        step: float = 1,
        dtype: Any = np.float64,
        requires_grad: bool = False,
    ) -> Tensor:
        """Evenly spaced numbers, as ``numpy.arange``."""
        if step == 0:
            raise ValueError("arange: step must not be 0")
        dtype = _float_dtype(dtype)
        data = np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(0, start, step, dtype=dtype)
        return cls(data, requires_grad=requires_grad)

    # Arithmetic: each operator applies one op, broadcasting first.
    def __add__(self, other: Any) -> Tensor:
        return _binary(Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(Add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(Sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(Mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(Div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(Div, other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _binary(Pow, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _binary(Pow, base, self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    # Comparisons look at the data only; they are not recorded.
    _COMPARED_BY_ELEMENT = (numbers.Number, np.ndarray, np.generic)  # == and != with a node stay identity

    def __eq__(self, other: object) -> Any:
        """``t == 0`` compares each element with a number or an array, as numpy and PyTorch do.

        Between two nodes ``==`` stays identity, as for any graph node: nodes are
        the keys of a backward pass's gradients. Compare their data for numbers
        (``a.data == b.data``).
        """
        if isinstance(other, self._COMPARED_BY_ELEMENT):
            return self.data == other
        return NotImplemented

    def __ne__(self, other: object) -> Any:
        """``t != 0``: each element against a number or an array (between two nodes, not identical)."""
        if isinstance(other, self._COMPARED_BY_ELEMENT):
            return self.data != other
        return NotImplemented

    __hash__ = Node.__hash__  # (defining == would drop it): a node is hashed by identity

    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < plain(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= plain(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > plain(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= plain(other)

    def maximum(self, other: Any) -> Tensor:
        """The elementwise larger of ``self`` and ``other`` (broadcast); the gradient goes to the larger one."""
        return _binary(Maximum, self, other)

    def minimum(self, other: Any) -> Tensor:
        """The elementwise smaller of ``self`` and ``other`` (broadcast); the gradient goes to the smaller one."""
        return _binary(Minimum, self, other)

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        """``x`` limited to ``[low, high]``; the gradient passes only inside the range."""
        return Clip.apply(self, low=low, high=high)

    # Reductions.
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (every axis when None)."""
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Average over ``axis`` (every axis when None)."""
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest element over ``axis``, as ``torch.amax``: the gradient is shared on a tie, nan after a nan.

        (``torch.max(x, dim)`` gives all of it to one of the tied elements.) For the
        elementwise larger of two tensors use ``maximum``.
        """
        _check_axis("max", "maximum", axis)
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest element over ``axis``, as ``torch.amin`` (see ``max``); elementwise of two: ``minimum``."""
        _check_axis("min", "minimum", axis)
        return Min.apply(self, axis=axis, keepdims=keepdims)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """Variance over ``axis``: the mean squared distance from the mean (divided by ``n - ddof``)."""
        centred = self - self.mean(axis=axis, keepdims=True)
        count = reduced_count(self.shape, axis)
        # n - ddof <= 0 leaves no degrees of freedom: inf or nan, as in numpy and PyTorch (never a negative variance).
        degrees_of_freedom = float(max(count - ddof, 0))
        return (centred * centred).sum(axis=axis, keepdims=keepdims) * numerics.divide(1.0, degrees_of_freedom)

    # Shapes.
    def reshape(self, *shape: Any) -> Tensor:
        """The same numbers in a new shape (one axis may be -1: inferred)."""
        shape = _shape_argument(shape)
        try:
            return Reshape.apply(self, shape=shape)
        except ValueError:
            raise ValueError(f"reshape: a tensor of shape {self.shape} cannot become shape {shape}") from None

    def transpose(self, *axes: Any) -> Tensor:
        """Reverse the axes (none given), swap two (``x.transpose(-2, -1)``), or put all of them in a new order.

        Two axes are swapped, as ``torch.transpose`` does, on a matrix too:
        ``m.transpose(0, 1)`` is ``m.T`` (numpy would read it as the order the
        axes already have). Every axis given is a new order, as in
        ``numpy.transpose`` and ``permute``.
        """
        if not axes:
            return Transpose.apply(self, axes=None)
        order = _shape_argument(axes)
        if len(order) == 2:
            if self.ndim == 0 and set(order) <= {0, -1}:  # a single number: axis 0 or -1 names it, as in PyTorch
                return Transpose.apply(self, axes=())
            first, second = (self._axis_in_range("transpose", a) for a in order)
            swapped = list(range(self.ndim))
            swapped[first], swapped[second] = second, first
            order = tuple(swapped)
        return self._reordered("transpose", order)

    def permute(self, *axes: Any) -> Tensor:
        """Put the axes in the given order: ``x.permute(0, 2, 1)`` swaps the last two of three."""
        if not axes:
            raise ValueError("permute: give the new order of the axes, e.g. x.permute(0, 2, 1)")
        return self._reordered("permute", _shape_argument(axes))

    def _reordered(self, name: str, order: Shape) -> Tensor:
        """The axes in ``order``, which must name each axis once; an error naming ``name`` and the shape if not."""
        in_range = all(-self.ndim <= a < self.ndim for a in order)
        if not in_range or sorted(a % self.ndim for a in order) != list(range(self.ndim)):
            raise ValueError(f"{name}: axes {order} are not a permutation of the {self.ndim} axes of {self.shape}")
        return Transpose.apply(self, axes=tuple(a % self.ndim for a in order))  # (backward inverts them: -1 is ndim-1)

    def _axis_in_range(self, name: str, axis: int) -> int:
        """``axis`` as a non-negative position, or an error naming the op and the shape."""
        if not -self.ndim <= axis < self.ndim:
            raise ValueError(f"{name}: axis {axis} is out of range for the {self.ndim} axes of {self.shape}")
        return axis % self.ndim

    @property
    def T(self) -> Tensor:
        """The axes reversed: the transpose of a matrix."""
        return self.transpose()

    def flatten(self, start_dim: int = 0) -> Tensor:
        """Merge the axes from ``start_dim`` on into one (``start_dim=1`` keeps the batch axis)."""
        (start_dim,) = _shape_argument((start_dim,))
        axes = max(self.ndim, 1)  # (a number flattens into one axis)
        if not -axes <= start_dim < axes:
            raise ValueError(f"flatten: start_dim {start_dim} is not an axis of a tensor of shape {self.shape}")
        kept = self.shape[: start_dim % axes]
        return self.reshape(*kept, math.prod(self.shape[len(kept) :]))  # (no -1: it is ambiguous for an empty batch)

    def unsqueeze(self, axis: int) -> Tensor:
        """A new axis of size 1 at ``axis``."""
        (axis,) = _shape_argument((axis,))
        if not -self.ndim - 1 <= axis <= self.ndim:
            raise ValueError(f"unsqueeze: axis {axis} is out of range for shape {self.shape}")
        shape = list(self.shape)
        shape.insert(axis % (self.ndim + 1), 1)
        return self.reshape(*shape)

    def squeeze(self, axis: int | None = None) -> Tensor:
        """Drop axes of size 1 (only ``axis`` when given, which must have size 1)."""
        if axis is None:
            return self.reshape(*[n for n in self.shape if n != 1])
        (axis,) = _shape_argument((axis,))
        if not -self.ndim <= axis < self.ndim or self.shape[axis] != 1:
            raise ValueError(f"squeeze: axis {axis} of shape {self.shape} does not have size 1")
        shape = list(self.shape)
        del shape[axis]
        return self.reshape(*shape)

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing as in numpy: ints, slices, ``None``, and integer or boolean arrays (``x[rows, cols]``)."""
        parts = index if isinstance(index, tuple) else (index,)
        if any(isinstance(part, Node) for part in parts):
            raise TypeError(
                "index a Tensor with ints, slices or numpy arrays (integer positions or a bool mask), not with a "
                "Tensor or Value: a Tensor holds floats, so a mask in one would be read as positions 0 and 1"
            )
        try:
            return GetItem.apply(self, index=kept_index(index))
        except IndexError as error:
            raise IndexError(f"index: {error} (tensor of shape {self.shape})") from None

    # Along an axis.
    def softmax(self, axis: int = -1) -> Tensor:
        """Probabilities along ``axis``: ``exp(x) / sum(exp(x))``, computed stably."""
        return Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """Log-probabilities along ``axis``: ``x - logsumexp(x)``, finite for any logits."""
        return LogSoftmax.apply(self, axis=axis)

    def logsumexp(self, axis: int = -1, keepdims: bool = False) -> Tensor:
        """``log(sum(exp(x)))`` along ``axis``, computed stably."""
        return LogSumExp.apply(self, axis=axis, keepdims=keepdims)


def _check_axis(reduction: str, elementwise: str, axis: Any) -> None:
    """A clear error for ``t.max(u)``: ``max`` reduces over an axis, ``maximum`` compares two inputs."""
    if isinstance(axis, (Node, np.ndarray, float)):
        raise TypeError(
            f"Tensor.{reduction}(axis) reduces over an axis, and {_kind(axis)} is not an axis: for the elementwise "
            f"{reduction} of two inputs use t.{elementwise}(other) or autograd.{elementwise}(t, other)"
        )


def _as_tensor(x: Any, like: Any = None) -> Tensor:
    return x if type(x) is Tensor else Tensor._lift(x, like)


def _broadcast_shape(name: str, *shapes: Shape) -> Shape:
    """The shape numpy broadcasting gives ``shapes``, or a ValueError naming them and the op."""
    if len(shapes) == 2:  # the common case, a bias (3,) against a batch (n, 3), without numpy's general routine
        long, short = sorted(shapes, key=len, reverse=True)
        if long[len(long) - len(short) :] == short:
            return long
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " and ".join(str(shape) for shape in shapes)
        raise ValueError(f"{name}: shapes {listed} do not broadcast together") from None


def _expand(x: Tensor, shape: Shape) -> Tensor:
    """``x`` broadcast to ``shape`` as a recorded node when it needs a gradient; numpy stretches the rest."""
    if x.data.shape == shape or not (x.requires_grad and is_grad_enabled()):
        return x
    return BroadcastTo.apply(x, shape=shape)


def _single_number_takes_the_arrays_dtype(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """A 0-d tensor beside an array of another float type is cast to the array's type, as in PyTorch.

    A single number is a number: ``x32 * Tensor(2.0)`` stays float32, as
    ``x32 * 2.0`` does (numpy would make it float64). Its gradient comes back
    through the cast in its own type.
    """
    if a.data.dtype is not b.data.dtype and a.data.dtype != b.data.dtype and (a.data.ndim == 0) != (b.data.ndim == 0):
        if a.data.ndim == 0:
            return Cast.apply(a, dtype=b.data.dtype), b
        return a, Cast.apply(b, dtype=a.data.dtype)
    return a, b


def _binary(op: type[Function], a: Any, b: Any) -> Tensor:
    """Apply a two-input elementwise op, broadcasting the inputs as numpy does."""
    a, b = _single_number_takes_the_arrays_dtype(_as_tensor(a, b), _as_tensor(b, a))
    if a.data.shape != b.data.shape:
        shape = _broadcast_shape(f"'{op.name}'", a.data.shape, b.data.shape)
        a, b = _expand(a, shape), _expand(b, shape)
    return op.apply(a, b)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` with numpy's rules: vectors, matrices and stacks of matrices.

    A vector is a one-row (on the left) or one-column (on the right) matrix,
    whose axis is dropped from the result: ``W @ x`` of a vector ``x`` is a
    vector, one node, as numpy computes it.
    """
    a, b = _as_tensor(a, b), _as_tensor(b, a)
    left, right = a.data.shape, b.data.shape
    if len(left) == 2 and len(right) == 2 and left[1] == right[0]:  # the common case first: two matrices
        return MatMul.apply(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"'@': matmul needs at least 1-D inputs, got shapes {a.shape} and {b.shape}")
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        raise ValueError(
            f"'@': shapes {a.shape} and {b.shape} do not fit: the last axis of the left ({a.shape[-1]}) "
            f"must equal the {'second-to-last' if b.ndim > 1 else 'only'} axis of the right ({inner_b})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"'@': shapes {a.shape} and {b.shape} have batch axes that do not broadcast") from None
    return MatMul.apply(a, b)


def maximum(a: Any, b: Any) -> Any:
    """The elementwise larger of ``a`` and ``b`` (tensors broadcast; Values work too)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return _binary(Maximum, a, b)
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Any:
    """The elementwise smaller of ``a`` and ``b`` (tensors broadcast; Values work too)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return _binary(Minimum, a, b)
    return Minimum.apply(a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is true, else ``b``, elementwise; the gradient goes to the chosen one."""
    condition = np.array(values_of(condition), dtype=bool)  # a copy: the op keeps it for backward
    a, b = _single_number_takes_the_arrays_dtype(_as_tensor(a, b), _as_tensor(b, a))
    shape = _broadcast_shape("where", condition.shape, a.data.shape, b.data.shape)
    return Where.apply(_expand(a, shape), _expand(b, shape), condition=condition)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; their other axes must match."""
    tensors = _tensor_list("concatenate", tensors)
    first = tensors[0].shape
    for t in tensors:
        if (
            t.ndim != len(first)
            or t.ndim == 0
            or not -t.ndim <= axis < t.ndim
            or any(n != m for i, (n, m) in enumerate(zip(t.shape, first)) if i != axis % t.ndim)
        ):
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(f"concatenate: shapes {shapes} do not match outside axis {axis}")
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new ``axis``."""
    tensors = _tensor_list("stack", tensors)
    if len({t.shape for t in tensors}) > 1:
        raise ValueError(f"stack: tensors must have one shape, got {', '.join(str(t.shape) for t in tensors)}")
    return concatenate([t.unsqueeze(axis) for t in tensors], axis=axis)


def _tensor_list(name: str, tensors: Sequence[Any]) -> list[Tensor]:
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: needs at least one tensor")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [_as_tensor(t, like) for t in tensors]
