"""The graph core on ``Value``: accumulation, ``grad``, higher order, ``no_grad``, ``detach``, custom ops.

Expected gradients are derived by hand in each test (the graphs are small) or,
for the million-node chain, from the closed form of the product.
"""

import math

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, Value, gradcheck, no_grad, plain, topological_order


def _two_level_graph():
    """``f = (x * y) * z`` at x=2, y=3, z=4: q = 6, f = 24; df/dq = 4, df/dx = 12, df/dy = 8, df/dz = 6."""
    x, y, z = Value(2.0), Value(3.0), Value(4.0)
    q = x * y
    f = q * z
    return x, y, z, q, f


def test_backward_gives_the_chain_rule_at_leaves_and_intermediates():
    x, y, z, q, f = _two_level_graph()
    f.backward()
    assert (f.grad, q.grad, x.grad, y.grad, z.grad) == (1.0, 4.0, 12.0, 8.0, 6.0)


def test_backward_twice_gives_exactly_twice_the_gradient_at_every_node():
    x, y, z, q, f = _two_level_graph()
    f.backward()
    once = [node.grad for node in (f, q, x, y, z)]
    f.backward()
    assert [node.grad for node in (f, q, x, y, z)] == [2 * g for g in once] == [2.0, 8.0, 24.0, 16.0, 12.0]


def test_backward_with_an_explicit_upstream_gradient_scales_every_gradient():
    x, y, z, q, f = _two_level_graph()
    f.backward(0.5)
    assert (f.grad, q.grad, x.grad, y.grad, z.grad) == (0.5, 2.0, 6.0, 4.0, 3.0)
    x2, _, _, _, f2 = _two_level_graph()
    f2.backward(Value(-1.0))
    assert x2.grad == -12.0


def test_a_node_used_twice_sums_the_gradients_of_both_paths():
    x = Value(3.0)
    a = x * 2.0
    f = a * a + a  # f = 4x^2 + 2x, df/dx = 8x + 2 = 26; df/da = 2a + 1 = 13
    f.backward()
    assert (f.data, a.grad, x.grad) == (42.0, 13.0, 26.0)


def test_node_zero_grad_resets_one_node_and_the_helper_resets_a_whole_graph():
    x, y, z, q, f = _two_level_graph()
    f.backward()
    x.zero_grad()
    assert x.grad is None and y.grad == 8.0
    autograd.zero_grad(f)
    assert all(node.grad is None for node in (f, q, x, y, z))
    f.backward()
    assert (f.grad, q.grad, x.grad, y.grad, z.grad) == (1.0, 4.0, 12.0, 8.0, 6.0)


def test_zero_grad_helper_takes_several_nodes_and_lists_of_nodes():
    x, y, z, q, f = _two_level_graph()
    g = x * 5.0
    f.backward()
    g.backward()
    assert x.grad == 17.0
    autograd.zero_grad([y, z], g)
    assert (y.grad, z.grad, g.grad, x.grad) == (None, None, None, None)
    assert q.grad == 4.0


def test_grad_returns_gradients_without_touching_dot_grad():
    x, y, z, q, f = _two_level_graph()
    assert autograd.grad(f, [x, y, z]) == (12.0, 8.0, 6.0)
    assert autograd.grad(f, q) == 4.0
    assert autograd.grad(f, f) == 1.0
    assert all(node.grad is None for node in (f, q, x, y, z))


def test_grad_of_an_unused_input_raises_unless_allow_unused():
    x, *_, f = _two_level_graph()
    unused = Value(1.0, label="w")
    with pytest.raises(ValueError, match=r"input 1 .*'w'.* not used in the graph.*allow_unused=True"):
        autograd.grad(f, [x, unused])
    assert autograd.grad(f, [x, unused], allow_unused=True) == (12.0, None)


def test_grad_of_a_non_node_input_raises_type_error_naming_its_type():
    x, *_, f = _two_level_graph()
    with pytest.raises(TypeError, match="input 1 is a float"):
        autograd.grad(f, [x, 2.0])


def test_create_graph_makes_gradients_nodes_that_give_second_derivatives():
    x = Value(1.5)
    f = x**3 + x.exp()
    first = autograd.grad(f, x, create_graph=True)
    assert isinstance(first, Value) and first.requires_grad
    assert first.data == pytest.approx(3 * 1.5**2 + math.exp(1.5), rel=1e-15)
    second = autograd.grad(first, x, create_graph=True)
    assert second.data == pytest.approx(6 * 1.5 + math.exp(1.5), rel=1e-15)
    third = autograd.grad(second, x)
    assert type(third) is float and third == pytest.approx(6 + math.exp(1.5), rel=1e-15)


def test_mixed_second_derivative_of_a_product():
    x, y = Value(2.0), Value(-3.0)
    f = x * x * y  # df/dx = 2xy, d2f/dxdy = 2x = 4, d2f/dx2 = 2y = -6
    dfdx = autograd.grad(f, x, create_graph=True)
    assert dfdx.data == -12.0
    assert autograd.grad(dfdx, [x, y]) == (-6.0, 4.0)


def test_backward_with_create_graph_stores_nodes_in_dot_grad():
    x = Value(2.0)
    (x**3).backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value) and first.data == 12.0
    x.zero_grad()
    first.backward()
    assert x.grad == 12.0  # d(3x^2)/dx = 6x


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        assert not autograd.is_grad_enabled()
        y = x * 3.0 + 1.0
        z = y.exp()
    assert autograd.is_grad_enabled()
    for node in (y, z):
        assert not node.requires_grad and node.parents == () and node.op is None and node.is_leaf
    assert y.data == 7.0
    with pytest.raises(RuntimeError, match="does not require grad"):
        z.backward()
    assert x.grad is None


def test_no_grad_restores_recording_after_an_exception_and_enable_grad_nests():
    x = Value(2.0)
    with pytest.raises(ZeroDivisionError), no_grad():
        raise ZeroDivisionError
    assert autograd.is_grad_enabled()
    with no_grad():
        with autograd.enable_grad():
            recorded = x * 2.0
        unrecorded = x * 2.0
    assert recorded.requires_grad and recorded.parents[0] is x
    assert not unrecorded.requires_grad


def test_one_no_grad_object_can_be_reused_and_nested():
    quiet = no_grad()
    with quiet:
        with quiet:
            assert not autograd.is_grad_enabled()
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    with quiet:
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def test_no_grad_works_as_a_decorator():
    @no_grad()
    def update(parameter, step):
        parameter.data -= step
        return parameter * 2.0

    w = Value(1.0)
    assert not update(w, 0.25).requires_grad and w.data == 0.75


def test_backward_on_a_node_that_does_not_require_grad_raises():
    c = Value(3.0, requires_grad=False)
    y = c * 2.0
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="backward\\(\\) on a node that does not require grad"):
        y.backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad(y, c)


def test_requires_grad_flows_from_any_input_that_requires_it():
    c = Value(3.0, requires_grad=False)
    x = Value(2.0)
    assert (c * x).requires_grad and (x + c).requires_grad and not (c + 1).requires_grad
    f = c * x
    f.backward()
    assert x.grad == 3.0 and c.grad is None


def test_detach_cuts_the_graph():
    x = Value(3.0, label="x")
    d = x.detach()
    assert d.data == 3.0 and not d.requires_grad and d.is_leaf and d is not x
    f = x * d  # d is a constant: df/dx = d = 3, not 2x = 6
    f.backward()
    assert x.grad == 3.0 and d.grad is None


def test_topological_order_puts_every_node_after_its_parents_and_skips_constants():
    x, y, z, q, f = _two_level_graph()
    g = f + q
    order = topological_order(g)
    assert set(order) == {x, y, z, q, f, g}
    position = {node: index for index, node in enumerate(order)}
    for node in order:
        assert all(position[parent] < position[node] for parent in node.parents)
    assert topological_order(Value(1.0, requires_grad=False)) == []


class CountedParents(tuple):
    """A node's parents that count how often the search starts reading them."""

    reads = 0

    def __iter__(self):
        CountedParents.reads += 1
        return super().__iter__()


def test_a_node_with_many_inputs_has_them_read_once_not_once_per_input():
    from autograd import Tensor, stack

    inputs = [Tensor(np.full(2, float(i)), requires_grad=True) * 2.0 for i in range(1000)]
    stacked = stack(inputs)
    stacked._parents = CountedParents(stacked._parents)
    CountedParents.reads = 0
    order = topological_order(stacked.sum())
    assert CountedParents.reads == 1  # (reading them afresh each time the search came back took 1001: quadratic)
    assert len(order) == 2 + 3 * 1000 and order[-2] is stacked  # each input: a leaf, times 2, given an axis
    stacked.sum().backward()
    np.testing.assert_array_equal(inputs[0].parents[0].grad, [2.0, 2.0])


def test_a_million_node_chain_backpropagates():
    """``y = x * c**n`` built one multiplication at a time; dy/dx = c**n = exp(n log c)."""
    n, c = 1_000_000, 1.000001
    x = Value(1.0)
    factor = Value(c, requires_grad=False)
    y = x
    for _ in range(n):
        y = y * factor
    y.backward()
    expected = math.exp(n * math.log1p(c - 1.0))
    assert y.data == pytest.approx(expected, rel=1e-9)
    assert x.grad == pytest.approx(expected, rel=1e-9)


class Cube(Function):
    """``x**3`` as a user-defined op: local gradient ``3 x**2``."""

    def forward(self, x):
        return x**3

    def backward(self, grad, out, x):
        return grad * 3.0 * x * x


class Scale(Function):
    """``factor * x`` with the factor given to ``apply`` as a keyword parameter."""

    def __init__(self, factor):
        self.factor = factor

    def forward(self, x):
        return self.factor * x

    def backward(self, grad, out, x):
        return grad * self.factor


def test_a_custom_function_records_a_node_like_a_built_in():
    x = Value(2.0)
    y = Cube.apply(x)
    assert isinstance(y, Value) and y.data == 8.0
    assert y.parents == (x,) and isinstance(y.op, Cube) and y.op.name == "cube" and repr(y.op) == "<op cube>"
    (y + x).backward()
    assert x.grad == 13.0


def test_a_custom_function_on_plain_numbers_just_computes():
    assert Cube.apply(2.0) == 8.0
    assert Scale.apply(3.0, factor=-2.0) == -6.0


def test_a_custom_function_with_parameters():
    x = Value(1.5)
    y = Scale.apply(x, factor=4.0)
    assert y.data == 6.0
    y.backward()
    assert x.grad == 4.0


def test_a_custom_function_has_second_derivatives_and_passes_gradcheck():
    x = Value(-1.5)
    first = autograd.grad(Cube.apply(x), x, create_graph=True)
    assert first.data == 3 * 1.5**2
    assert autograd.grad(first, x) == -9.0  # d(3x^2)/dx = 6x
    assert gradcheck(lambda v: Cube.apply(v) * v.tanh(), Value(0.7))


def test_a_custom_function_sees_which_inputs_need_a_gradient():
    seen = []

    class Product(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad, out, a, b):
            seen.append(self.needs_input_grad)
            return grad * b, grad * a

    x, c = Value(2.0), Value(5.0, requires_grad=False)
    Product.apply(x, c).backward()
    Product.apply(3.0, x).backward()
    assert seen == [(True, False), (False, True)]
    assert x.grad == 8.0


def test_a_shared_op_serves_every_node_and_an_op_with_empty_slots_alone_does_not():
    class SharedCube(Function):
        __slots__ = ()
        shared = True
        forward, backward = Cube.forward, Cube.backward

    class SlotsOnlyCube(Function):
        __slots__ = ()
        forward, backward = Cube.forward, Cube.backward

    class SubclassOfShared(SharedCube):  # free to keep state on self: each class declares shared itself
        pass

    assert (SharedCube.shared, SlotsOnlyCube.shared, SubclassOfShared.shared) == (True, False, False)
    for op, shared in [(SharedCube, True), (SlotsOnlyCube, False), (SubclassOfShared, False)]:
        a, b, c = Value(2.0), Value(3.0), Value(4.0, requires_grad=False)
        first, second, constant = op.apply(a), op.apply(b), op.apply(c)
        assert (first.op is second.op) is shared, op.__name__
        assert first.op.needs_input_grad == (True,) and constant.op is None
        (first + second).backward()
        assert (a.grad, b.grad) == (12.0, 27.0)  # 3 x**2 at each node: the shared op kept nothing from either
    assert Value(1.0).tanh().op is Value(5.0).tanh().op  # the built-in ops say shared = True
    assert Scale.apply(Value(1.0), factor=2.0).op is not Scale.apply(Value(1.0), factor=2.0).op


def test_a_shared_op_that_could_keep_state_on_self_is_refused_where_it_is_defined():
    with pytest.raises(TypeError, match=r"Cached is shared \(shared = True\).*declare __slots__ = \(\)"):

        class Cached(Function):
            __slots__ = ("cache",)
            shared = True

    with pytest.raises(TypeError, match="Unslotted is shared"):

        class Unslotted(Cube):  # Cube has no __slots__: every instance has a __dict__ to store things in
            shared = True


def test_a_function_without_backward_says_so():
    class ForwardOnly(Function):
        def forward(self, x):
            return x + 1.0

    y = ForwardOnly.apply(Value(1.0))
    with pytest.raises(NotImplementedError, match="ForwardOnly does not define backward"):
        y.backward()


def test_a_two_input_op_whose_backward_returns_one_gradient_is_refused():
    class Broken(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad, out, a, b):
            return grad * b  # forgot the second input's gradient

    with pytest.raises(TypeError, match="tuple of 2 gradients"):
        Broken.apply(Value(2.0), Value(3.0)).backward()


class _Returns(Function):
    """An op on any number of inputs whose backward returns ``count`` gradients (each 1.0)."""

    def __init__(self, count: int):
        self.count = count

    def forward(self, *inputs):
        return sum(inputs)

    def backward(self, grad, out, *inputs):
        return tuple([grad] * self.count) if self.count != 1 else grad


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    ("inputs", "count", "message"),
    [
        (1, 3, "returned 3 gradients for 1 input: it must return one gradient"),
        (3, 2, "returned 2 gradients for 3 inputs: it must return a tuple of 3 gradients"),
        (3, 4, "returned 4 gradients for 3 inputs"),
        (2, 1, "returned 1 gradient for 2 inputs: it must return a tuple of 2 gradients"),
    ],
)
def test_a_backward_that_returns_the_wrong_number_of_gradients_is_refused_on_every_path(
    inputs, count, message, create_graph
):
    xs = [Value(float(i)) for i in range(inputs)]
    y = _Returns.apply(*xs, count=count)
    assert y.data == sum(range(inputs))
    with pytest.raises(TypeError, match=f"<op _returns> {message}"):
        y.backward(create_graph=create_graph)
    assert all(x.grad is None for x in xs)


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_backward_that_gives_a_value_an_array_gradient_is_refused(create_graph):
    class Spread(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, grad, out, a, b):
            return grad * b, np.full(3, plain(grad) * plain(a))  # input 1 is a Value: an array cannot be its gradient

    x, w = Value(2.0), Value(3.0)
    with pytest.raises(TypeError, match=r"<op spread> gave input 1, a Value, a gradient that is a ndarray of shape"):
        Spread.apply(x, w).backward(create_graph=create_graph)


def test_a_value_gradient_given_as_a_numpy_or_int_number_becomes_a_float():
    class NumpyCube(Function):
        def forward(self, x):
            return x**3

        def backward(self, grad, out, x):
            return np.float32(3) * np.float64(grad * x**2)  # a numpy number, not a float

    x = Value(2.0)
    NumpyCube.apply(x).backward()
    assert type(x.grad) is float and x.grad == 12.0


class GivesANode(Function):
    """A user's op whose backward wraps its gradient in a node of the input's kind."""

    def forward(self, x):
        return x * 2.0

    def backward(self, grad, out, x):
        return Tensor(grad * 2.0) if isinstance(grad, np.ndarray) else Value(grad * 2.0)


def test_a_gradient_given_as_a_node_in_a_plain_pass_is_taken_as_its_numbers():
    w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    GivesANode.apply(Tensor([[1.0, 1.0]]) @ w).sum().backward()
    assert type(w.grad) is np.ndarray and w.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    a = Value(3.0)
    (GivesANode.apply(a) * a).backward()
    assert type(a.grad) is float and a.grad == 12.0  # (a Value object before, which optimizers choked on)
    compiled = autograd.compile(lambda x: (GivesANode.apply(x).relu() * x).sum())
    x = Tensor([1.0, -2.0], requires_grad=True)
    compiled(x).backward()  # (a TypeError deep in the program before)
    np.testing.assert_array_equal(x.grad, [2.0 * 1.0 + 2.0, 0.0])  # relu'(2x) 2 x + relu(2x)


def test_in_place_operators_never_change_what_a_graph_has_read_and_change_parameters_under_no_grad():
    x, c = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    y = (c * x).sum()
    c += 1.0  # while recording: a new node, as c = c + 1; the graph keeps reading the old c
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])  # (changed in place, it would give [4, 5], silently)
    np.testing.assert_array_equal(c.data, [4.0, 5.0])
    buffers = [Tensor.zeros(2)]
    with no_grad():
        for buffer in buffers:
            buffer += 1.0  # under no_grad the tensor itself changes
    np.testing.assert_array_equal(buffers[0].data, [1.0, 1.0])
    w = Tensor([2.0, 3.0], requires_grad=True)
    holder = [w]
    with no_grad():
        w **= 2  # (**= had rebound w, leaving the holder's parameter unchanged)
    np.testing.assert_array_equal(holder[0].data, [4.0, 9.0])
    with pytest.raises(RuntimeError, match="an in-place update"):
        w **= 2  # recording: refused like the other operators


def test_containment_int_and_plus_as_for_numbers_and_in_pytorch():
    assert 2.0 in Tensor([1.0, 2.0, 3.0]) and 5.0 not in Tensor([1.0, 2.0, 3.0])  # (it had always been False)
    assert int(Tensor(3.7)) == 3 and int(Value(-3.7)) == -3
    v = Value(1.5)
    assert +v is v
    with pytest.raises(ValueError, match="one element"):
        int(Tensor([1.0, 2.0]))


def test_copies_and_pickles_of_leaves_keep_their_numbers_and_results_are_refused():
    """A deep graph had hit RecursionError at 99 ops (deepcopy) or 199 (pickle); a result is refused, as torch
    refuses to deep-copy one (its graph could be a training run; a copy without it would pass for a parameter)."""
    import copy
    import pickle

    w = Value(0.5, label="w")
    loss = Value(0.0)
    for i in range(5000):
        loss = loss + (w * float(i) - 1.0) ** 2
    loss.backward()
    with pytest.raises(RuntimeError, match="cannot copy or pickle the result of an op"):
        copy.deepcopy(loss)
    with pytest.raises(RuntimeError, match=r"cannot copy or pickle the result of an op \(\+, with its graph\)"):
        pickle.dumps(loss)  # (unpickled as a leaf that requires grad, it would pass for a parameter)
    twin = copy.deepcopy(w)
    assert twin is not w and (twin.data, twin.grad, twin.label, twin.requires_grad) == (w.data, w.grad, "w", True)
    t = Tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()
    t_twin = pickle.loads(pickle.dumps(t))
    np.testing.assert_array_equal(t_twin.grad, [2.0, 4.0])
    assert copy.deepcopy(t).grad is not t.grad


def test_requires_grad_must_be_a_bool_as_in_pytorch():
    for make in (lambda flag: Tensor([1.0], requires_grad=flag), lambda flag: Value(1.0, requires_grad=flag)):
        with pytest.raises(TypeError, match="requires_grad must be True or False, got 'no'"):
            make("no")  # (it had made a node that requires grad, holding the string)
        assert make(np.bool_(False)).requires_grad is False


class _DoublesInPlace(Function):
    """A slip a learner makes: ``g *= 2`` changes the upstream gradient, which the add gate also gave ``b``."""

    def forward(self, x):
        return 2 * x

    def backward(self, grad, out, x):
        grad *= 2.0
        return grad


class _SortsItsInput(Function):
    def forward(self, x):
        x.sort()  # changes the caller's array: a parameter's data
        return x * 1.0

    def backward(self, grad, out, x):
        return grad


def test_an_op_that_changes_an_array_it_was_given_is_stopped_by_name():
    """The add gate hands one upstream array to both inputs: b.grad had silently become [2, 2] instead of [1, 1]."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([10.0, 20.0], requires_grad=True)
    loss = (_DoublesInPlace.apply(a) + b).sum()
    with pytest.raises(ValueError, match=r"the backward of <op _doublesinplace> changed an array it was given"):
        loss.backward()
    assert a.grad is None and b.grad is None  # nothing was added
    w = Tensor([3.0, 1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"the forward of <op _sortsitsinput> changed an array.*g = g \* 2"):
        _SortsItsInput.apply(w)
    assert w.data.tolist() == [3.0, 1.0, 2.0]  # the parameter is as it was (sort had reordered it)
    compiled = autograd.compile(lambda a, b: (_DoublesInPlace.apply(a) + b).sum())
    with pytest.raises(ValueError, match="changed an array it was given"):
        compiled(a, b).backward()


class _Identity(Function):
    def forward(self, x):
        return x

    def backward(self, grad, out, x):
        return x  # (wrong on purpose: hands back its input's own array)


def test_a_gradient_that_is_an_inputs_array_is_copied_into_grad():
    """``w.grad is x.data`` had held, so zeroing the gradient in place zeroed the data."""
    x = Tensor([1.0, 2.0])
    w = Tensor([5.0, 6.0], requires_grad=True)
    (_Identity.apply(w) * x).sum().backward()
    w.grad[:] = 0.0
    assert w.data.tolist() == [5.0, 6.0] and not np.shares_memory(w.grad, w.data)


@pytest.mark.parametrize(
    "gives, error, message",
    [
        (lambda x: [[1.0, 2.0], [3.0]], ValueError, r"gave a list that is not a rectangular array of numbers"),
        (lambda x: Tensor(x, requires_grad=True), TypeError, r"gave a Tensor: a forward computes on plain arrays"),
        (lambda x: np.ma.masked_array(x, [True, False]), TypeError, r"gave is a masked array, whose mask would be"),
    ],
    ids=["ragged", "a node", "masked"],
)
def test_what_a_users_forward_gives_a_tensor_is_named_when_it_cannot_be_one(gives, error, message):
    """These had been numpy's own words (an inhomogeneous shape; a tensor numpy cannot take), or a dropped mask."""

    class Gives(Function):
        def forward(self, x):
            return gives(x)

        def backward(self, grad, out, x):
            return grad

    with pytest.raises(error, match=r"the forward of <op gives> " + message):
        Gives.apply(Tensor([1.0, 2.0], requires_grad=True))


def test_a_whole_number_too_large_for_a_float_is_infinite_in_a_value():
    """A forward or backward giving 10 ** 400 had raised a bare OverflowError."""

    class Huge(Function):
        def forward(self, x):
            return 10**400

        def backward(self, grad, out, x):
            return -(10**400)

    x = Value(1.0)
    y = Huge.apply(x)
    y.backward()
    assert (y.data, x.grad) == (math.inf, -math.inf)
    assert Value(10**400).data == (Value(1.0) * 10**400).data == math.inf  # numbers given to a Value, too


def test_pytorchs_retain_graph_is_taken_and_changes_nothing_as_the_graph_is_always_kept():
    """Code written for PyTorch passes retain_graph=True to call backward twice; it had raised TypeError."""
    torch = pytest.importorskip("torch")
    x, x_torch = Value(3.0), torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    y, y_torch = x * x, x_torch * x_torch
    y.backward(retain_graph=True)
    y.backward()
    y_torch.backward(retain_graph=True)
    y_torch.backward()
    assert x.grad == x_torch.grad.item() == 12.0  # twice 6, added up
    assert autograd.grad(y, x, retain_graph=False) == 6.0
    with pytest.raises(TypeError, match="retain_graph must be True or False"):
        y.backward(retain_graph="yes")


class _StraightThrough(Function):
    """Rounds going forward, passes the gradient straight through going back (and the input, here, unchanged)."""

    def forward(self, x):
        return x if np.all(x == np.round(x)) else np.round(x)

    def backward(self, grad, out, x):
        return grad


@pytest.mark.parametrize("kind", ["method", "staticmethod", "mixin"])
def test_every_way_of_writing_a_users_op_is_handed_read_only_arrays(kind):
    """Wrapping only the plain methods of an op's class had left staticmethods and mixins unguarded (b.grad [6, 6]);
    and what an op hands back through stays read-only, so writing into it cannot change a parameter."""

    class InPlace:
        def backward(self, grad, out, x):
            grad *= 2.0
            return grad

    if kind == "method":
        op = _DoublesInPlace
    elif kind == "staticmethod":

        class op(Function):
            forward = staticmethod(lambda x: 2 * x)

            @staticmethod
            def backward(grad, out, x):
                grad *= 2.0
                return grad

    else:

        class op(InPlace, Function):
            def forward(self, x):
                return 2 * x

    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([10.0, 20.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"changed an array it was given, in place \(output array is read-only\);"):
        ((op.apply(a) + b) * 3.0).sum().backward()
    assert b.grad is None
    whole = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="read-only"):
        _StraightThrough.apply(whole).data[0] = 9.0
    assert whole.data.tolist() == [1.0, 2.0]
    (_StraightThrough.apply(whole) * 3.0).sum().backward()
    whole.grad *= 0.5  # a .grad is an array of its own
    assert whole.grad.tolist() == [1.5, 1.5]
