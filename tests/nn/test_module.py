"""Module: discovery of parameters and sub-modules, train/eval, state_dict and npz save/load with refusals."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class TwoBranches(nn.Module):
    """Parameters held directly, in a list, in a tuple of modules, and one shared twice."""

    def __init__(self):
        self.scale = Tensor([2.0], requires_grad=True)
        self.branches = [nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)]
        self.head = (nn.Sequential(nn.Linear(2, 1, seed=2), nn.Dropout(0.5)),)
        self.same_scale = self.scale
        self.constant = Tensor([1.0])  # data, not a parameter

    def forward(self, x):
        return self.head[0](self.branches[0](x) + self.branches[1](x)) * self.scale


def test_named_parameters_are_dotted_in_definition_order_each_once():
    names = [name for name, _ in TwoBranches().named_parameters()]
    assert names == [
        "scale",
        "branches.0.weight",
        "branches.0.bias",
        "branches.1.weight",
        "branches.1.bias",
        "head.0.layers.0.weight",
        "head.0.layers.0.bias",
    ]


def test_modules_train_eval_and_zero_grad_reach_every_submodule():
    model = TwoBranches()
    assert len(list(model.modules())) == 6  # itself, 2 Linear, Sequential, its Linear and Dropout
    model.eval()
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())
    model(Tensor(np.ones((4, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


class HeldByItsLayer(nn.Module):
    """A layer that keeps a reference to the model holding it: a circle of attributes."""

    def __init__(self):
        self.layer = nn.Linear(2, 2, seed=0)
        self.layer.owner = self

    def forward(self, x):
        return self.layer(x)


def test_a_layer_holding_its_parent_is_walked_once():
    model = HeldByItsLayer()
    assert [name for name, _ in model.named_modules()] == ["", "layer"]
    assert [name for name, _ in model.named_parameters()] == ["layer.weight", "layer.bias"]
    model.eval()
    assert not model.layer.training
    assert sorted(model.state_dict()) == ["layer.bias", "layer.weight"]


def test_a_layer_used_twice_is_listed_once_under_its_first_name_as_in_torch():
    import torch

    shared = nn.Linear(2, 2, seed=0)
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2, seed=1), shared), shared, nn.Linear(2, 1, seed=2))
    torch_shared = torch.nn.Linear(2, 2)
    torch_model = torch.nn.Sequential(
        torch.nn.Sequential(torch.nn.Linear(2, 2), torch_shared), torch_shared, torch.nn.Linear(2, 1)
    )
    names = [name for name, _ in model.named_modules()]
    assert names == ["", "layers.0", "layers.0.layers.0", "layers.0.layers.1", "layers.2"]
    torch_names = [name for name, _ in torch_model.named_modules()]  # torch numbers a Sequential's layers 0, 1, 2
    assert [name.replace("layers.", "") for name in names] == torch_names
    assert len(model.parameters()) == len(list(torch_model.parameters())) == 6


def test_scalar_parameters_are_found_too():
    neuron = nn.Neuron(3, seed=0)
    assert [name for name, _ in neuron.named_parameters()] == ["weights.0", "weights.1", "weights.2", "bias"]
    assert all(isinstance(p, Value) for p in neuron.parameters())


def test_save_and_load_round_trip_exactly(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4), nn.Linear(4, 2, seed=1))
    model(Tensor(np.random.default_rng(0).standard_normal((6, 3))))  # moves the running statistics
    path = tmp_path / "model.npz"
    model.save(path)
    copy = nn.Sequential(nn.Linear(3, 4, seed=5), nn.BatchNorm1d(4), nn.Linear(4, 2, seed=6))
    copy.load(path)
    for (name, a), (_, b) in zip(model.state_dict().items(), copy.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert "layers.1.running_mean" in copy.state_dict()
    x = Tensor(np.ones((2, 3)))
    model.eval()
    copy.eval()
    np.testing.assert_array_equal(model(x).data, copy(x).data)


def test_scalar_model_round_trip(tmp_path):
    model, copy = nn.ScalarMLP([2, 3, 1], seed=0), nn.ScalarMLP([2, 3, 1], seed=9)
    model.save(tmp_path / "scalar.npz")
    copy.load(tmp_path / "scalar.npz")
    assert [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]
    assert all(type(p.data) is float for p in copy.parameters())


def _file_with(tmp_path, state):
    path = tmp_path / "state.npz"
    np.savez(path, **state)
    return path


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda s: s.pop("layers.0.bias"), KeyError, "missing layers.0.bias"),
        (lambda s: s.update({"layers.9.weight": np.ones(2)}), KeyError, "unexpected layers.9.weight"),
        (lambda s: s.update({"layers.2.weight": np.ones((4, 3))}), ValueError, r"layers.2.weight has shape \(4, 3\)"),
    ],
)
def test_a_file_that_does_not_fit_is_refused_and_changes_nothing(tmp_path, change, error, message):
    model = nn.MLP([3, 4, 2], seed=0)
    before = model.state_dict()
    state = nn.MLP([3, 4, 2], seed=1).state_dict()
    change(state)
    with pytest.raises(error, match=message):
        model.load(_file_with(tmp_path, state))
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


def test_a_frozen_parameter_is_saved_and_loaded_as_torch_does(tmp_path):
    model = nn.MLP([2, 3, 2], seed=0)
    model.layers[0].weight.requires_grad = False  # frozen: not trained, still part of the model
    assert "layers.0.weight" in model.state_dict()
    model.save(tmp_path / "frozen")
    for frozen in (True, False):
        other = nn.MLP([2, 3, 2], seed=1)
        other.layers[0].weight.requires_grad = not frozen
        other.load(tmp_path / "frozen")
        for (name, saved), loaded in zip(model.state_dict().items(), other.state_dict().values()):
            np.testing.assert_array_equal(loaded, saved, err_msg=name)
    torch_model = nn.to_torch(model)
    torch_model[0].weight.requires_grad_(False)
    assert len(torch_model.state_dict()) == len(model.state_dict()) == 4


def test_a_pickled_file_is_not_loaded(tmp_path):
    state = nn.MLP([3, 4, 2], seed=1).state_dict()
    state["layers.0.weight"] = np.full((3, 4), object(), dtype=object)
    with pytest.raises(ValueError, match=r"layers.0.weight holds object values \(Python objects, which would need"):
        nn.MLP([3, 4, 2], seed=0).load(_file_with(tmp_path, state))


class KeepsItsLastOutput(nn.Module):
    """Keeps an activation (a node made by an op, requiring grad) as an attribute, and heads in a dict."""

    def __init__(self):
        self.lin = nn.Linear(2, 2, seed=0)
        self.heads = {"age": nn.Linear(2, 1, seed=1), "size": nn.Sequential(nn.Linear(2, 3, seed=2), nn.Dropout())}
        self.last = None

    def forward(self, x):
        self.last = self.lin(x)
        return self.heads["age"](self.last) + self.heads["size"](self.last).sum(axis=1, keepdims=True)


def test_parameters_are_leaves_and_dicts_of_modules_are_walked(tmp_path):
    model = KeepsItsLastOutput()
    model(Tensor(np.ones((4, 2))))
    assert model.last.requires_grad and not model.last.is_leaf
    names = [
        "lin.weight",
        "lin.bias",
        "heads.age.weight",
        "heads.age.bias",
        "heads.size.layers.0.weight",
        "heads.size.layers.0.bias",
    ]
    assert [name for name, _ in model.named_parameters()] == names
    assert list(model.state_dict()) == names
    assert [p.shape for p in model.parameters()] == [(2, 2), (2,), (2, 1), (1,), (2, 3), (3,)]
    model.eval()
    assert not model.heads["size"].layers[1].training
    copy = KeepsItsLastOutput()
    for p in copy.parameters():
        p.data = p.data + 1.0
    model.save(tmp_path / "heads")
    copy.load(tmp_path / "heads")
    for (name, a), b in zip(model.state_dict().items(), copy.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)


class Grid(nn.Module):
    """Layers in a list of lists and in a dict of lists, beside settings kept in containers."""

    def __init__(self, seed):
        self.rows = [[nn.Linear(2, 2, seed=seed), nn.Linear(2, 2, seed=seed + 1)], [nn.Linear(2, 1, seed=seed + 2)]]
        self.parts = {"encoder": [nn.Linear(2, 2, seed=seed + 3)], "sizes": (2, [2, 1])}
        self.settings = {1.5: [0.1, 0.2]}  # a key that cannot be part of a name, holding no layer: fine


def test_layers_in_nested_lists_and_dicts_are_found_named_and_saved(tmp_path):
    model, copy = Grid(seed=0), Grid(seed=10)
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        f"{layer}.{kind}"
        for layer in ("rows.0.0", "rows.0.1", "rows.1.0", "parts.encoder.0")
        for kind in ("weight", "bias")
    ]
    assert len(list(model.modules())) == 5
    model.save(tmp_path / "grid")
    copy.load(tmp_path / "grid")
    for (name, a), b in zip(model.state_dict().items(), copy.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("key", ["a.b", "", 1.5, ("a", 1)])
def test_a_dict_key_that_cannot_be_part_of_a_name_is_refused(key):
    model = KeepsItsLastOutput()
    model.heads[key] = nn.Linear(2, 1)
    message = f"the dict 'heads' holds a module or node under the key {re.escape(repr(key))}; use"
    with pytest.raises(TypeError, match=message):
        model.parameters()


def test_state_dict_holds_copies():
    model = nn.Linear(2, 2, seed=0)
    state = model.state_dict()
    state["weight"][:] = 0
    assert np.any(model.weight.data != 0)


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Empty does not define forward"):
        type("Empty", (nn.Module,), {})()(1)


def test_the_repr_of_a_layer_holding_its_parent_does_not_open_the_parent_again():
    assert repr(HeldByItsLayer()) == "HeldByItsLayer(\n  (layer): Linear(\n    (owner): HeldByItsLayer(...)\n  )\n)"


def test_a_model_copies_and_pickles_with_its_parameters_and_refuses_a_result_it_keeps():
    """A result kept as an attribute, unpickled as a leaf that requires grad, had become a third parameter."""
    import copy
    import pickle

    model = nn.Linear(2, 1, seed=0)
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert [name for name, _ in twin.named_parameters()] == ["weight", "bias"]
        np.testing.assert_array_equal(twin.weight.data, model.weight.data)
        assert twin.weight is not model.weight
    model.last = model(Tensor(np.ones((1, 2))))
    for copying in (copy.deepcopy, pickle.dumps):
        with pytest.raises(RuntimeError, match=r"drop a result a model keeps as an attribute \(self.last = ...\)"):
            copying(model)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Linear(2, 3, bias="no"),  # (it had made a bias: "no" is truthy)
        lambda: nn.Conv2d(1, 2, 3, bias="False"),
        lambda: nn.Linear(2, 3).train("no"),  # (training stayed "no", so the model stayed in training mode)
        lambda: nn.optim.Adam([Tensor([1.0], requires_grad=True)], lr=0.1, amsgrad="no"),
        lambda: nn.optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9, nesterov=1),
        lambda: nn.data.DataLoader(np.ones((4, 2)), shuffle="no"),
        lambda: Tensor([1.0, 2.0]).sum(keepdims="no"),
        lambda: (Tensor([1.0], requires_grad=True) * 2.0).sum().backward(create_graph="False"),
        lambda: nn.MLPClassifier(early_stopping="no", epochs=1).fit(np.ones((10, 2)), np.arange(10) % 2),
    ],
)
def test_a_flag_must_be_true_or_false(make):
    with pytest.raises(TypeError, match="must be True or False"):
        make()


def test_a_dropout_probability_of_true_is_refused():
    with pytest.raises(ValueError, match="Dropout probability must be a number in"):
        nn.Dropout(p=True)  # (it had zeroed every activation)


def test_a_parameter_replaced_by_a_constant_is_refused_as_in_torch():
    torch = pytest.importorskip("torch")
    layer = nn.Linear(2, 1, seed=0)
    with pytest.raises(TypeError, match=r"Linear.weight is a parameter .*weight.requires_grad = False"):
        layer.weight = Tensor(np.zeros((2, 1)))  # would have dropped out of parameters(): trained no more
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    torch_layer = torch.nn.Linear(2, 1)
    with pytest.raises(TypeError, match="cannot assign"):
        torch_layer.weight = torch.zeros(1, 2)
    layer.weight = Tensor(np.ones((2, 1)), requires_grad=True)  # another parameter: fine
    layer.weight.requires_grad = False  # freezing, said by name
    layer.weight = Tensor(np.zeros((2, 1)))  # a frozen one may be replaced by a constant
    assert [name for name, _ in layer.named_parameters()] == ["bias"]


def test_learner_slips_with_layers_name_the_fix():
    with pytest.raises(
        TypeError, match=r"MLP takes one list of widths, inputs first, such as MLP\(\[2, 16, 1\]\); got 2"
    ):
        nn.MLP(2, [4, 2])  # micrograd's form, which ScalarMLP takes
    with pytest.raises(TypeError, match=r"Linear\(2, 4\) takes a Tensor .* got a list: wrap it as Tensor\(x\)"):
        nn.MLP([2, 4, 1], seed=0)([[1.0, 2.0]])
    assert nn.MLP([2, 4, 1], seed=0)(np.array([[1.0, 2.0]])).shape == (1, 1)  # a numpy array is taken as it is
    with pytest.raises(TypeError, match="cross_entropy takes the scores as a Tensor .* got a list"):
        nn.cross_entropy(nn.ScalarMLP([2, 3, 2], seed=0)([1.0, 2.0]), [1])


def test_two_leaves_of_one_dotted_name_are_refused_before_a_file_mixes_them_up():
    class Twins(nn.Module):
        def __init__(self):
            self.d = {0: nn.Linear(2, 2, seed=0), "0": nn.Linear(2, 2, seed=1)}

    with pytest.raises(ValueError, match=r"two arrays of Twins have the name 'd.0.weight'"):
        Twins().state_dict()  # save would keep one, and load would put one array into both layers
    assert len(Twins().parameters()) == 4  # it still trains: only a file needs the names to differ
    layer = nn.Linear(2, 2)
    for value in (Tensor(np.ones(2), requires_grad=True), [nn.Linear(1, 1)]):
        with pytest.raises(TypeError, match="'a.weight' is no attribute name"):
            setattr(layer, "a.weight", value)


def test_a_constant_holding_infinity_saves_and_loads_and_early_stopping_restores_it(tmp_path):
    class Masked(nn.Module):
        def __init__(self):
            self.scale = Tensor([1.0, 1.0, 1.0], requires_grad=True)
            self.mask = Tensor([0.0, 0.0, -np.inf])  # a constant: -inf is its point

        def forward(self, x):
            return x * self.scale + self.mask

    model = Masked()
    model.save(tmp_path / "masked")
    assert Masked().load(tmp_path / "masked") == ([], [])
    X, y = np.ones((4, 3)), np.zeros(4, dtype=int)
    nn.fit(
        model,
        nn.cross_entropy,
        nn.optim.SGD(model.parameters(), lr=0.1),
        (X, y),
        epochs=3,
        progress=False,
        validation_data=(X, y),
        callbacks=[nn.EarlyStopping("val_loss", patience=1)],
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e300])
def test_a_state_with_numbers_the_model_cannot_hold_finitely_is_refused(bad):
    model = nn.Linear(2, 1, seed=0, dtype=np.float32)
    before = model.weight.data.copy()
    state = model.state_dict()
    state["weight"] = np.full((2, 1), bad)  # 1e300 is inf in float32
    with pytest.raises(
        ValueError,
        match=r"load_state_dict: weight holds (NaN or infinity|numbers too large for the model's dtype float32) \(a parameter",
    ):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model.weight.data, before)


def test_masked_arrays_are_refused_where_their_mask_would_be_dropped():
    X = np.ma.masked_array(np.ones((4, 2)), mask=[[0, 0], [1, 0], [0, 0], [0, 0]])
    y = np.array([0, 1, 0, 1])
    model = nn.MLP([2, 2], seed=0)
    calls = [
        lambda: Tensor(X),
        lambda: nn.predict(model, X),
        lambda: nn.fit(model, nn.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, y), progress=False),
        lambda: nn.MLPClassifier(epochs=1).fit(X, y),
        lambda: model.load_state_dict(
            {**model.state_dict(), "layers.0.weight": np.ma.masked_array(np.ones((2, 2)), mask=True)}
        ),
    ]
    for call in calls:
        with pytest.raises(TypeError, match="is a masked array, whose mask would be dropped"):
            call()
    unmasked = np.ma.masked_invalid(np.ones((4, 2)))  # nothing masked: its numbers are all there is
    assert Tensor(unmasked).shape == (4, 2) and nn.MLPClassifier(epochs=1).fit(unmasked, y).score(unmasked, y) >= 0


def test_two_eval_mode_blocks_that_overlap_leave_the_model_in_the_mode_it_had():
    """Two threads predicting at once: the first to finish had put training back under the second (dropout on),
    and the second then left every module in eval mode for good."""
    import threading

    from nn.module import eval_mode

    model = nn.Sequential(nn.Linear(4, 4, seed=0), nn.Dropout(0.5))
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with eval_mode(model):
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second():
        first_in.wait(10)
        with eval_mode(model):
            second_in.set()
            first_out.wait(10)
            seen.append(model.layers[1].training)  # the first block has ended: this one is still in eval mode

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [False] and model.training and model.layers[1].training
