"""``nn.to_torch`` and ``nn.from_torch`` against PyTorch in float64: the same outputs and gradients to 1e-12."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

torch = pytest.importorskip("torch")

TOLERANCE = 1e-12
ROOT = Path(__file__).resolve().parents[2]


def close(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert np.shape(ours) == theirs.shape
    assert np.max(np.abs(np.asarray(ours) - theirs), initial=0.0) <= TOLERANCE * max(1.0, np.max(np.abs(theirs)))


def compare_forward_backward(model, torch_model, x):
    """The same loss (sum of squares of the output) in both; outputs and every parameter's gradient agree."""
    ours = model(Tensor(x))
    (ours * ours).sum().backward()
    theirs = torch_model(torch.tensor(x))
    (theirs * theirs).sum().backward()
    close(ours.data, theirs)
    torch_parameters = dict(torch_model.named_parameters())
    ours_parameters = list(model.named_parameters())
    assert len(ours_parameters) == len(torch_parameters)
    for (name, parameter), (torch_name, torch_parameter) in zip(ours_parameters, torch_parameters.items()):
        owner = torch_model.get_submodule(torch_name.rpartition(".")[0])
        transposed = isinstance(owner, torch.nn.Linear) and torch_name.endswith("weight")  # (in, out) here
        assert parameter.grad is not None, name
        close(parameter.data, torch_parameter.T if transposed else torch_parameter)
        close(parameter.grad, torch_parameter.grad.T if transposed else torch_parameter.grad)
    return ours, theirs


def image_model():
    return nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1, seed=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(3, 2, 2, stride=1, seed=1),
        nn.Tanh(),
        nn.AvgPool2d(2, 1),
        nn.Flatten(),
        nn.Linear(2 * 2 * 2, 5, seed=2),
        nn.LeakyReLU(0.1),
        nn.BatchNorm1d(5),
        nn.Sigmoid(),
        nn.Linear(5, 3, seed=3),
        nn.Softmax(),
    )


def test_an_mlp_moves_to_torch_with_the_same_outputs_and_gradients():
    model = nn.MLP([3, 8, 8, 2], activation="tanh", dropout=0.2, seed=0)
    model.eval()
    torch_model = nn.to_torch(model)
    assert isinstance(torch_model, torch.nn.Sequential) and not torch_model.training
    assert [type(m).__name__ for m in torch_model] == [
        "Linear",
        "Tanh",
        "Dropout",
        "Linear",
        "Tanh",
        "Dropout",
        "Linear",
    ]
    assert torch_model[0].weight.dtype == torch.float64 and torch_model[0].weight.shape == (8, 3)
    x = np.random.default_rng(1).normal(size=(4, 3))
    compare_forward_backward(model, torch_model, x)


def test_a_float32_model_stays_float32():
    model = nn.Sequential(nn.Linear(3, 2, seed=0, dtype=np.float32), nn.ReLU())
    torch_model = nn.to_torch(model)
    assert torch_model[0].weight.dtype == torch.float32 and torch_model[0].bias.dtype == torch.float32
    x = np.random.default_rng(0).normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_allclose(model(Tensor(x)).data, torch_model(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_images_through_convolution_pooling_and_batch_norm_in_training_agree_with_torch():
    model = image_model()
    torch_model = nn.to_torch(model)
    x = np.random.default_rng(2).normal(size=(4, 2, 8, 8))
    compare_forward_backward(model, torch_model, x)
    # One training step updated the running statistics the same way (unbiased variance, momentum 0.1).
    batchnorm, torch_batchnorm = model[9], torch_model[9]
    close(batchnorm.running_mean, torch_batchnorm.running_mean)
    close(batchnorm.running_var, torch_batchnorm.running_var)


def test_batch_norm_moves_with_its_running_statistics_and_settings():
    layer = nn.BatchNorm1d(3, momentum=0.3, eps=1e-3)
    layer.weight.data = np.array([1.5, -2.0, 0.5])
    layer.running_mean = np.array([0.1, -0.2, 0.3])
    layer.running_var = np.array([2.0, 0.5, 1.5])
    layer.eval()
    torch_layer = nn.to_torch(layer)
    assert (torch_layer.momentum, torch_layer.eps) == (0.3, 1e-3)
    x = np.random.default_rng(3).normal(size=(5, 3))
    compare_forward_backward(layer, torch_layer, x)
    expected = (x - layer.running_mean) / np.sqrt(layer.running_var + 1e-3) * layer.weight.data
    close(layer(Tensor(x)).data, expected)


def test_a_scalar_mlp_moves_to_torch_neuron_by_neuron():
    model = nn.ScalarMLP([2, 3, 2], activation="tanh", seed=4)
    torch_model = nn.to_torch(model)
    assert [type(m).__name__ for m in torch_model] == ["Linear", "Tanh", "Linear"]
    close(np.array([w.data for w in model.layers[0].neurons[1].weights]), torch_model[0].weight[1])
    x = [0.5, -1.5]
    outputs = model([Value(v) for v in x])
    sum(out * out for out in outputs).backward()
    theirs = torch_model(torch.tensor([x], dtype=torch.float64))
    (theirs * theirs).sum().backward()
    close(np.array([[out.data for out in outputs]]), theirs)
    for j, neuron in enumerate(model.layers[1].neurons):
        close(np.array([w.grad for w in neuron.weights]), torch_model[2].weight.grad[j])
        close(neuron.bias.grad, torch_model[2].bias.grad[j])


def test_from_torch_brings_a_torch_model_back_with_the_same_outputs_and_gradients():
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(8, 4),
        torch.nn.BatchNorm1d(4, momentum=0.2),
        torch.nn.Dropout(0.5),
        torch.nn.Sigmoid(),
        torch.nn.Linear(4, 2),
    ).double()
    torch_model[5].running_mean.fill_(0.25)
    torch_model.eval()
    model = nn.from_torch(torch_model)
    assert isinstance(model, nn.Sequential) and not model.training
    assert model[4].weight.shape == (8, 4) and model[5].momentum == 0.2
    close(model[5].running_mean, torch_model[5].running_mean)
    x = np.random.default_rng(5).normal(size=(3, 1, 4, 4))
    compare_forward_backward(model, torch_model, x)


def test_a_round_trip_gives_back_the_same_weights():
    model = image_model()
    back = nn.from_torch(nn.to_torch(model))
    assert [type(m) for m in back] == [type(m) for m in model]
    for (name, ours), (back_name, theirs) in zip(model.named_parameters(), back.named_parameters()):
        assert name == back_name
        assert np.array_equal(ours.data, theirs.data)


def test_a_layer_used_twice_stays_one_layer_used_twice_both_ways():
    x = np.random.default_rng(4).standard_normal((5, 3))
    shared = nn.Linear(3, 3, seed=0)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    torch_model = nn.to_torch(model)
    assert torch_model[0] is torch_model[2]
    compare_forward_backward(model, torch_model, x)  # the weights' gradients sum both uses, in both

    torch_shared = torch.nn.Linear(3, 3, dtype=torch.float64)
    torch_model = torch.nn.Sequential(torch_shared, torch.nn.Tanh(), torch_shared)
    back = nn.from_torch(torch_model)
    assert len(back.layers) == 3 and back.layers[0] is back.layers[2]
    compare_forward_backward(back, torch_model, x)


def test_an_unsupported_layer_is_named_with_its_place():
    torch_model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU())
    with pytest.raises(TypeError, match=r"cannot convert torch\.nn\.modules\.activation\.GELU at 'model\.1'"):
        nn.from_torch(torch_model)
    with pytest.raises(ValueError, match="dilation"):
        nn.from_torch(torch.nn.Conv2d(1, 1, 3, dilation=2))
    with pytest.raises(TypeError, match="cannot convert nn.neighbors.KNNClassifier at 'model'"):
        nn.to_torch(nn.KNNClassifier())
    with pytest.raises(ValueError, match="'step'"):
        nn.to_torch(nn.ScalarMLP([2, 1], output_activation="step"))


def test_importing_the_packages_does_not_import_torch():
    check = "import viz, nn, autograd, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", check], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})


def test_without_torch_the_error_says_how_to_install_it():
    # A meta path finder that refuses torch stands in for a machine without it.
    script = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "import nn, viz\n"
        "for call in (lambda: nn.to_torch(nn.Linear(2, 2)), lambda: nn.from_torch(None), viz.trace_torch):\n"
        "    try:\n"
        "        call()\n"
        "    except ImportError as error:\n"
        "        print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.count("pip install 'tracegrad[torch]'") == 3, result.stderr


def test_each_layers_own_mode_crosses_the_bridge_both_ways():
    """A batch norm frozen in eval mode inside a model that trains: its copy must use running statistics too."""
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4))
    model.layers[1].running_mean = np.full(4, 5.0)
    model.train()
    model.layers[1].eval()
    copy = nn.to_torch(model)
    assert [layer.training for layer in copy] == [True, False] and copy.training
    x = np.random.default_rng(0).normal(size=(6, 3))
    close(model(Tensor(x)).data, copy(torch.tensor(x)))  # (it had been 6.3 off: batch statistics)
    torch_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    torch_model[1].eval()
    assert [layer.training for layer in nn.from_torch(torch_model).layers] == [True, False]
    # one layer of ours made of several torch modules: all of them take its mode
    assert not any(module.training for module in nn.to_torch(nn.ScalarMLP([2, 3, 1]).eval()).modules())


def test_frozen_parameters_stay_frozen_both_ways():
    # Each had come back trainable: one torch SGD step changed the frozen layer.
    model = nn.MLP([3, 4, 2], seed=0)
    model.layers[0].weight.requires_grad = model.layers[0].bias.requires_grad = False
    theirs = nn.to_torch(model)
    assert [name for name, p in theirs.named_parameters() if p.requires_grad] == ["2.weight", "2.bias"]
    back = nn.from_torch(theirs)
    assert [name for name, _ in back.named_parameters()] == ["layers.2.weight", "layers.2.bias"]
    np.testing.assert_array_equal(back.layers[0].weight.data, model.layers[0].weight.data)


def test_a_weight_two_layers_share_stays_one_parameter_both_ways():
    # Tied weights had become two parameters, whose training pulled them apart; their gradient sums both uses.
    model = nn.Sequential(nn.Linear(3, 3, seed=0), nn.Tanh(), nn.Linear(3, 3, seed=1))
    model[2].weight = model[0].weight
    x = np.random.default_rng(0).normal(size=(4, 3))
    (model(Tensor(x)) ** 2).sum().backward()
    theirs = nn.to_torch(model)
    assert theirs[0].weight is theirs[2].weight and len(list(theirs.parameters())) == 3
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    np.testing.assert_allclose(theirs[0].weight.grad.numpy().T, model[0].weight.grad, rtol=1e-12)
    back = nn.from_torch(theirs)
    assert back[0].weight is back[2].weight and len(back.parameters()) == 3


def test_a_model_without_a_numpy_copy_says_how_to_convert_it():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2)).to(torch.bfloat16)  # (numpy has no bfloat16)
    with pytest.raises(TypeError, match=r"dtype torch.bfloat16 on device cpu has no numpy copy .* \.float\(\)"):
        nn.from_torch(model)


def test_a_scalar_mlps_frozen_layer_stays_frozen_and_a_half_frozen_one_is_refused():
    model = nn.ScalarMLP([2, 3, 1], seed=0)
    for neuron in model.layers[0].neurons:
        for value in [*neuron.weights, neuron.bias]:
            value.requires_grad = False
    assert [name for name, p in nn.to_torch(model).named_parameters() if p.requires_grad] == ["2.weight", "2.bias"]
    model.layers[1].neurons[0].weights[0].requires_grad = False
    with pytest.raises(ValueError, match="some of its weights .* frozen and others not"):
        nn.to_torch(model)
