"""A real (small) dataset: scikit-learn's 8x8 handwritten digits, bundled with it, no download.

1797 grey images of the digits 0-9 from UCI, each pixel an integer 0-16. It is small
enough to train on in seconds with numpy and big enough for a CNN to beat an MLP.
Needs the optional extra: ``pip install 'tracegrad[digits]'``.
"""

from __future__ import annotations

import numpy as np


def load_digits(as_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(X, y)``: pixels scaled to [0, 1] as float64, labels 0-9 as int64.

    ``X`` has shape ``(1797, 64)``, or ``(1797, 1, 8, 8)`` (examples, channels,
    height, width: what ``Conv2d`` takes) with ``as_images=True``.
    """
    try:
        from sklearn.datasets import load_digits as load_sklearn_digits
    except ImportError as error:
        raise ImportError(
            "load_digits() reads the digits bundled with scikit-learn, which is not installed; "
            "install the extra with: pip install 'tracegrad[digits]'"
        ) from error
    bunch = load_sklearn_digits()
    X = bunch.data.astype(np.float64) / 16.0
    if as_images:
        X = X.reshape(-1, 1, 8, 8)
    return X, bunch.target.astype(np.int64)
