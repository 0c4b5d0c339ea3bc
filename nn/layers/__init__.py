"""The tensor stack's layers: linear, convolution, pooling, activations, dropout, batch norm, and containers."""

from .activations import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d
from .containers import MLP, Sequential
from .convolution import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .dropout import Dropout
from .init import initial_weights
from .linear import Linear

__all__ = [
    "MLP",
    "AvgPool2d",
    "BatchNorm1d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "initial_weights",
]
