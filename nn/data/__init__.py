"""Data for training: toy datasets, splits, a batch loader, augmentation and the digits.

Everything here is numpy in, numpy out, and seeded (``seed`` an int or a
``numpy.random.Generator``), so an experiment can be rerun exactly.
"""

from .arguments import Seed
from .augment import add_noise, mixup
from .datasets import make_blobs, make_moons, make_spirals, make_xor
from .digits import load_digits
from .loader import DataLoader
from .splits import bootstrap, k_fold, train_test_split

__all__ = [
    "DataLoader",
    "Seed",
    "add_noise",
    "bootstrap",
    "k_fold",
    "load_digits",
    "make_blobs",
    "make_moons",
    "make_spirals",
    "make_xor",
    "mixup",
    "train_test_split",
]
