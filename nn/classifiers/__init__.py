"""Classifiers with scikit-learn's habits: ``fit(X, y)``, ``predict``, ``predict_proba``, ``score``.

Numpy in, numpy out. ``Perceptron`` learns by Rosenblatt's rule; ``LinearSVM``,
``SoftmaxClassifier`` and ``MLPClassifier`` by the engine's gradients.
"""

from .base import Classifier, clone
from .gradient import OPTIMIZERS, GradientClassifier
from .linear import LinearClassifier, LinearSVM, SoftmaxClassifier
from .mlp import MLPClassifier
from .perceptron import Perceptron

__all__ = [
    "OPTIMIZERS",
    "Classifier",
    "GradientClassifier",
    "LinearClassifier",
    "LinearSVM",
    "MLPClassifier",
    "Perceptron",
    "SoftmaxClassifier",
    "clone",
]
