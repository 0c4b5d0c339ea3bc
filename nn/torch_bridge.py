"""Moving a model to PyTorch and back: ``to_torch`` and ``from_torch``.

A model trained and understood here can move to PyTorch when one machine's
CPU is not enough (GPUs, ``torch.distributed``): ``to_torch`` builds the
equivalent ``torch.nn.Module`` with the same weights, buffers and dtype, so
it computes the same outputs and gradients. ``from_torch`` brings the layers
tracegrad has back. One difference of layout is handled at the border:
tracegrad's ``Linear`` keeps its weight as ``(in, out)`` (``x @ W``), PyTorch
as ``(out, in)`` (``x @ W.T``).

PyTorch is optional (``pip install 'tracegrad[torch]'``) and imported only
when one of these functions is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor

from .layers import (
    MLP,
    AvgPool2d,
    BatchNorm1d,
    Conv2d,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    activation_layer,
)
from .module import Module
from .scalar import Layer, ScalarMLP

INSTALL_TORCH = "pip install 'tracegrad[torch]'"


def require_torch() -> Any:
    """The ``torch`` module, imported now; a clear ``ImportError`` saying how to install it when it is missing."""
    try:
        import torch
    except ImportError:
        raise ImportError(f"this needs PyTorch, which is not installed: {INSTALL_TORCH}") from None
    return torch


def _parameter(torch: Any, array: Any) -> Any:
    """A torch parameter holding a copy of ``array`` in its own dtype."""
    return torch.nn.Parameter(torch.tensor(np.array(array)))


class _TorchParameters:
    """The torch parameters made from a model's tensors: one for each tensor, frozen where it is.

    A tensor two layers share (tied weights) becomes one parameter that both
    torch layers hold, so its gradient still sums both uses.
    """

    def __init__(self, torch: Any):
        self.torch = torch
        self.made: dict[int, tuple[Tensor, Any]] = {}  # (the tensor kept too: its id stays its own)

    def __call__(self, tensor: Tensor, transposed: bool = False) -> Any:
        if id(tensor) not in self.made:
            parameter = _parameter(self.torch, tensor.data.T if transposed else tensor.data)
            parameter.requires_grad_(tensor.requires_grad)
            self.made[id(tensor)] = (tensor, parameter)
        return self.made[id(tensor)][1]


class _TracegradTensors:
    """The tensors made from a torch model's parameters: one for each parameter (see above).

    Each is made as a parameter (a layer takes only those), and ``freeze_as_in_torch``
    then freezes those whose torch parameter is frozen.
    """

    def __init__(self) -> None:
        self.made: dict[int, tuple[Any, Tensor]] = {}

    def __call__(self, parameter: Any, transposed: bool = False) -> Tensor:
        if id(parameter) not in self.made:
            try:
                array = _numpy(parameter)
            except (TypeError, NotImplementedError, RuntimeError) as error:  # bfloat16, the meta device, ...
                raise TypeError(
                    f"nn.from_torch: a parameter of dtype {parameter.dtype} on device {parameter.device} has no numpy "
                    f"copy ({error}): convert the model first, with .float() or .double() and .cpu()"
                ) from error
            self.made[id(parameter)] = (parameter, Tensor(array.T.copy() if transposed else array, requires_grad=True))
        return self.made[id(parameter)][1]

    def freeze_as_in_torch(self) -> None:
        """Freeze each tensor made whose torch parameter is frozen (once the layers hold them)."""
        for parameter, tensor in self.made.values():
            tensor.requires_grad = bool(parameter.requires_grad)


def _numpy(tensor: Any) -> np.ndarray:
    return tensor.detach().cpu().numpy().copy()


# tracegrad -> torch, one function per layer type.


def _linear_to_torch(torch: Any, layer: Linear, parameter: _TorchParameters) -> Any:
    result = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    result.weight = parameter(layer.weight, transposed=True)  # (in, out) here, (out, in) in torch
    if layer.bias is not None:
        result.bias = parameter(layer.bias)
    return result


def _conv_to_torch(torch: Any, layer: Conv2d, parameter: _TorchParameters) -> Any:
    result = torch.nn.Conv2d(
        layer.in_channels,
        layer.out_channels,
        layer.kernel_size,
        stride=layer.stride,
        padding=layer.padding,
        bias=layer.bias is not None,
    )
    result.weight = parameter(layer.weight)  # the same (out, in, kh, kw) layout
    if layer.bias is not None:
        result.bias = parameter(layer.bias)
    return result


def _batchnorm_to_torch(torch: Any, layer: BatchNorm1d, parameter: _TorchParameters) -> Any:
    result = torch.nn.BatchNorm1d(layer.num_features, eps=layer.eps, momentum=layer.momentum)
    result.weight, result.bias = parameter(layer.weight), parameter(layer.bias)
    result.running_mean = torch.tensor(np.array(layer.running_mean))
    result.running_var = torch.tensor(np.array(layer.running_var))
    return result


def _scalar_layer_to_torch(torch: Any, layer: Layer) -> Any:
    """A layer of ``Value`` neurons as ``Linear`` (row j = neuron j's weights) and its activation."""
    name = layer.neurons[0].activation
    if name == "step":
        raise ValueError(f"nn.to_torch: a neuron with activation {name!r} has no torch equivalent with a gradient")
    activation = activation_layer(name)
    weights = [[w.data for w in neuron.weights] for neuron in layer.neurons]
    result = torch.nn.Linear(len(weights[0]), len(weights), dtype=torch.float64)
    result.weight = _parameter(torch, np.array(weights, dtype=np.float64))
    result.bias = _parameter(torch, np.array([neuron.bias.data for neuron in layer.neurons], dtype=np.float64))
    for parameter, values in [
        (result.weight, [w for neuron in layer.neurons for w in neuron.weights]),
        (result.bias, [neuron.bias for neuron in layer.neurons]),
    ]:
        wanted = {value.requires_grad for value in values}
        if len(wanted) > 1:
            raise ValueError(
                "nn.to_torch: a layer of scalar neurons with some of its weights (or biases) frozen and others not "
                "has no torch equivalent, where a whole tensor is frozen or not: freeze them after converting"
            )
        parameter.requires_grad_(wanted.pop())
    if isinstance(activation, Identity):
        return [result]
    return [result, _simple_to_torch(torch, activation)]


def _scalar_mlp_to_torch(torch: Any, model: ScalarMLP, parameter: _TorchParameters) -> Any:
    return torch.nn.Sequential(*[part for layer in model.layers for part in _scalar_layer_to_torch(torch, layer)])


def _simple_to_torch(torch: Any, layer: Module, parameter: _TorchParameters | None = None) -> Any:
    """Layers with no parameters: the same settings under PyTorch's names."""
    if isinstance(layer, AvgPool2d):
        return torch.nn.AvgPool2d(layer.kernel_size, layer.stride)
    if isinstance(layer, MaxPool2d):
        return torch.nn.MaxPool2d(layer.kernel_size, layer.stride)
    if isinstance(layer, Dropout):
        return torch.nn.Dropout(layer.p)
    if isinstance(layer, LeakyReLU):
        return torch.nn.LeakyReLU(layer.slope)
    if isinstance(layer, Softmax):
        return torch.nn.Softmax(layer.axis)
    if isinstance(layer, Flatten):
        return torch.nn.Flatten(layer.start_dim)
    return getattr(torch.nn, type(layer).__name__)()  # Identity, ReLU, Sigmoid, Tanh


_TO_TORCH: dict[type, Callable[[Any, Any, _TorchParameters], Any]] = {
    Linear: _linear_to_torch,
    Conv2d: _conv_to_torch,
    BatchNorm1d: _batchnorm_to_torch,
    ScalarMLP: _scalar_mlp_to_torch,
    **dict.fromkeys(
        (MaxPool2d, AvgPool2d, Dropout, Flatten, Identity, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax), _simple_to_torch
    ),
}


def _convert(
    module: Any,
    path: str,
    convert_one: Callable[[Any, str], Any],
    what: str,
    supported: list[str],
    converted: dict[int, Any],
) -> Any:
    """``convert_one(module, path)``, refused with the module's name and place when it is not a kind it knows.

    ``converted`` holds the results so far by the id of their module: a layer
    used in two places becomes one layer used in both, so the copy keeps its
    weights tied (one set of weights, whose gradient sums both uses).
    """
    if id(module) in converted:
        return converted[id(module)]
    result = convert_one(module, path)
    if result is None:
        raise TypeError(
            f"{what} cannot convert {type(module).__module__}.{type(module).__qualname__} at {path!r}; "
            f"it converts {', '.join(supported)}"
        )
    converted[id(module)] = result
    return result


def to_torch(module: Module) -> Any:
    """An equivalent ``torch.nn.Module``: the same layers, weights, buffers, dtype and train/eval mode.

    ``Sequential`` and ``MLP`` become ``torch.nn.Sequential`` (so ``layers.0.weight``
    is ``0.weight`` there), ``ScalarMLP`` a ``Sequential`` of ``Linear`` layers
    whose row j holds neuron j's weights. The copy is independent: training one
    does not change the other. A frozen parameter (``requires_grad=False``)
    stays frozen, and a tensor two layers share stays one parameter of both.
    """
    torch = require_torch()
    supported = sorted({cls.__name__ for cls in _TO_TORCH} | {"Sequential", "MLP"})
    converted: dict[int, Any] = {}
    parameter = _TorchParameters(torch)

    def convert(layer: Any, path: str) -> Any:
        return _convert(layer, path, convert_one, "nn.to_torch", supported, converted)

    def convert_one(layer: Any, path: str) -> Any:
        if type(layer) in (Sequential, MLP):
            result = torch.nn.Sequential(*[convert(c, f"{path}.{i}") for i, c in enumerate(layer)])
            result.training = layer.training  # its own mode only: each layer inside has its own, converted with it
            return result
        if type(layer) in _TO_TORCH:
            return _TO_TORCH[type(layer)](torch, layer, parameter).train(layer.training)  # one layer: all its parts
        return None

    return convert(module, "model")


# torch -> tracegrad


def _require_settings(layer: Any, path: str, **accepted: tuple) -> None:
    """Refuse a torch layer whose settings tracegrad's layer does not have (dilation, groups, ...)."""
    for name, values in accepted.items():
        actual = getattr(layer, name)
        if actual not in values:
            raise ValueError(
                f"nn.from_torch: {type(layer).__name__} at {path!r} has {name}={actual!r}; tracegrad's layer "
                f"supports only {name}={values[0]!r}"
            )


def _linear_from_torch(layer: Any, path: str, tensor: _TracegradTensors) -> Linear:
    weight = tensor(layer.weight, transposed=True)
    result = Linear(layer.in_features, layer.out_features, bias=layer.bias is not None, dtype=weight.dtype)
    result.weight = weight
    if layer.bias is not None:
        result.bias = tensor(layer.bias)
    return result


def _conv_from_torch(layer: Any, path: str, tensor: _TracegradTensors) -> Conv2d:
    _require_settings(layer, path, dilation=((1, 1),), groups=(1,), padding_mode=("zeros",))
    if isinstance(layer.padding, str):
        raise TypeError(f"nn.from_torch: Conv2d at {path!r} has padding={layer.padding!r}; give it in pixels")
    weight = tensor(layer.weight)
    result = Conv2d(
        layer.in_channels,
        layer.out_channels,
        layer.kernel_size,
        stride=layer.stride,
        padding=layer.padding,
        bias=layer.bias is not None,
        dtype=weight.dtype,
    )
    result.weight = weight
    if layer.bias is not None:
        result.bias = tensor(layer.bias)
    return result


def _batchnorm_from_torch(layer: Any, path: str, tensor: _TracegradTensors) -> BatchNorm1d:
    _require_settings(layer, path, affine=(True,), track_running_stats=(True,))
    if layer.momentum is None:
        raise ValueError(f"nn.from_torch: BatchNorm1d at {path!r} has momentum=None (a cumulative average); give one")
    weight = tensor(layer.weight)
    result = BatchNorm1d(layer.num_features, momentum=layer.momentum, eps=layer.eps, dtype=weight.dtype)
    result.weight, result.bias = weight, tensor(layer.bias)
    result.running_mean, result.running_var = _numpy(layer.running_mean), _numpy(layer.running_var)
    return result


def _pool_from_torch(layer: Any, path: str, tensor: _TracegradTensors | None = None) -> MaxPool2d | AvgPool2d:
    if type(layer).__name__ == "MaxPool2d":
        _require_settings(
            layer, path, padding=(0, (0, 0)), dilation=(1, (1, 1)), ceil_mode=(False,), return_indices=(False,)
        )
        return MaxPool2d(layer.kernel_size, layer.stride)
    _require_settings(layer, path, padding=(0, (0, 0)), ceil_mode=(False,), divisor_override=(None,))
    return AvgPool2d(layer.kernel_size, layer.stride)


def _simple_from_torch(layer: Any, path: str, tensor: _TracegradTensors | None = None) -> Module:
    kind = type(layer).__name__
    if kind == "Dropout":
        return Dropout(layer.p)
    if kind == "LeakyReLU":
        return LeakyReLU(layer.negative_slope)
    if kind == "Softmax":
        if layer.dim is None:
            raise ValueError(f"nn.from_torch: Softmax at {path!r} has dim=None; give the axis")
        return Softmax(layer.dim)
    if kind == "Flatten":
        _require_settings(layer, path, end_dim=(-1,))
        return Flatten(layer.start_dim)
    return {"Identity": Identity, "ReLU": ReLU, "Sigmoid": Sigmoid, "Tanh": Tanh}[kind]()


_FROM_TORCH: dict[str, Callable[[Any, str, _TracegradTensors], Module]] = {
    "Linear": _linear_from_torch,
    "Conv2d": _conv_from_torch,
    "BatchNorm1d": _batchnorm_from_torch,
    "MaxPool2d": _pool_from_torch,
    "AvgPool2d": _pool_from_torch,
    **dict.fromkeys(
        ("Dropout", "LeakyReLU", "Softmax", "Flatten", "Identity", "ReLU", "Sigmoid", "Tanh"), _simple_from_torch
    ),
}


def from_torch(module: Any) -> Module:
    """The tracegrad equivalent of a ``torch.nn.Module`` built from the layers tracegrad has.

    Supported: ``Sequential``, ``Linear``, ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``,
    ``BatchNorm1d``, ``Dropout``, ``Flatten`` and the activations ``Identity``, ``ReLU``,
    ``LeakyReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``. Any other layer (or a
    setting tracegrad's layer lacks, such as a dilated convolution) is refused
    with its name and its place in the model. The copy is independent of the
    torch model; a frozen parameter stays frozen, and a parameter two layers
    share stays one tensor of both.
    """
    torch = require_torch()
    supported = sorted(["Sequential", *_FROM_TORCH])
    converted: dict[int, Any] = {}
    tensor = _TracegradTensors()

    def convert(layer: Any, path: str) -> Any:
        return _convert(layer, path, convert_one, "nn.from_torch", supported, converted)

    def convert_one(layer: Any, path: str) -> Any:
        if not isinstance(layer, torch.nn.Module):
            return None
        if type(layer) is torch.nn.Sequential:  # every position, a layer used twice included
            result = Sequential(*[convert(c, f"{path}.{i}") for i, c in enumerate(layer)])
            result.training = layer.training  # its own mode only: each layer inside has its own, converted with it
            return result
        if type(layer) is getattr(torch.nn, type(layer).__name__, None) and type(layer).__name__ in _FROM_TORCH:
            return _FROM_TORCH[type(layer).__name__](layer, path, tensor).train(layer.training)
        return None

    model = convert(module, "model")
    tensor.freeze_as_in_torch()
    return model
