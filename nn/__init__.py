"""``nn``: build, train and evaluate neural networks on tracegrad's engine.

Two stacks share one ``Module`` base: a scalar stack on ``Value`` (``Neuron``,
``Layer``, ``ScalarMLP``), where every weight is a node small enough to draw,
and a tensor stack on ``Tensor`` (``Linear``, ``Conv2d``, ``MLP``, ...) for
real training. Around them: losses, optimizers (``nn.optim``), data
(``nn.data``), a training loop with history and early stopping, model
selection, and scikit-learn-style classifiers.
"""

from . import boosting, data, optim
from .boosting import GradientBoostingClassifier, GradientBoostingRegressor
from .classifiers import LinearSVM, MLPClassifier, Perceptron, SoftmaxClassifier, clone
from .layers import (
    ACTIVATIONS,
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
    Step,
    Tanh,
)
from .losses import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    MultiMarginLoss,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_penalty,
    l2_penalty,
    mse_loss,
    multi_margin_loss,
)
from .model_selection import Bagging, cross_validate
from .module import Module
from .neighbors import KNNClassifier
from .scalar import Layer, Neuron, ScalarMLP
from .torch_bridge import from_torch, to_torch
from .training import Callback, EarlyStopping, History, Trainer, accuracy, fit, predict

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "AvgPool2d",
    "BCEWithLogitsLoss",
    "Bagging",
    "BatchNorm1d",
    "Callback",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "History",
    "Identity",
    "KNNClassifier",
    "Layer",
    "LeakyReLU",
    "Linear",
    "LinearSVM",
    "MLPClassifier",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "MultiMarginLoss",
    "Neuron",
    "Perceptron",
    "ReLU",
    "ScalarMLP",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "SoftmaxClassifier",
    "Step",
    "Tanh",
    "Trainer",
    "accuracy",
    "binary_cross_entropy_with_logits",
    "boosting",
    "clone",
    "cross_entropy",
    "cross_validate",
    "data",
    "fit",
    "from_torch",
    "l1_penalty",
    "l2_penalty",
    "mse_loss",
    "multi_margin_loss",
    "optim",
    "predict",
    "to_torch",
]
