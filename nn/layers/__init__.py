"""The tensor stack's layers: linear, convolution, pooling, activations, dropout, batch norm, and containers."""

from .activations import ACTIVATIONS, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Step, Tanh, activation_layer
from .batchnorm import BatchNorm1d
from .containers import MLP, Sequential
from .convolution import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .dropout import Dropout
from .init import initial_weights
from .linear import Linear

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "AvgPool2d",
    "BatchNorm1d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Step",
    "Tanh",
    "activation_layer",
    "initial_weights",
]
