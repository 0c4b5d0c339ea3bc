"""``nn.optim``: update rules that move parameters against their gradients, and learning-rate schedules."""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import CosineAnnealingLR, LRScheduler, StepLR
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "CosineAnnealingLR", "LRScheduler", "Optimizer", "RMSprop", "StepLR"]
