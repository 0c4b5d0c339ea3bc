"""Training speed on the digits: tracegrad's MLPClassifier and a small CNN against the same networks in torch.

Measured in one run, each the median of several repeats, as seconds per epoch over
the 1,347 training digits (75% of scikit-learn's 1,797 8x8 images), minibatches of
32 in a new random order each epoch, Adam (lr 1e-3), float64 on both sides:

- MLP: ``MLPClassifier``'s default network 64-100-10 with ReLU and its loss,
  cross-entropy + ``alpha * l2_penalty(weights)`` (alpha 1e-4). tracegrad's time is
  ``MLPClassifier.fit`` itself (the ``Trainer`` loop with its history and per-step
  accuracy, work the plain torch loop does not do);
- CNN: Conv2d(1, 16, 3, padding=1) - ReLU - MaxPool2d(2) - Flatten - Linear(256, 10)
  on 1x8x8 images, cross-entropy, trained with ``nn.fit`` (no metrics).

torch runs the same networks in CPU eager mode with ``torch.set_num_threads(2)``,
in the plain loop a torch user writes (shuffle, forward, loss, zero_grad,
backward, step), plus torch in float32, its default, for reference.
Target, checked in the last line this benchmark prints: at most 1.2x torch's time per epoch for the MLP.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import numpy as np

import nn
from benchmarks import machine_summary, markdown_table, seconds
from nn.data import load_digits, train_test_split

BATCH_SIZE = 32
LEARNING_RATE = 1e-3
ALPHA = 1e-4
EPOCHS_PER_RUN = 3
REPEATS = 5


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,347 training images (n, 1, 8, 8) and labels of a fixed stratified split."""
    X, y = load_digits(as_images=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    return X_train, y_train


def tracegrad_cnn() -> nn.Module:
    """The small CNN of ``tests/nn/test_learning.py``: 16 3x3 filters, 2x2 max-pool, one linear layer."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, seed=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 10, seed=1),
    )


def tracegrad_runs(X: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], object]]:
    """One call trains ``EPOCHS_PER_RUN`` epochs of each network."""
    flat = X.reshape(len(X), -1)
    mlp = nn.MLPClassifier(lr=LEARNING_RATE, batch_size=BATCH_SIZE, alpha=ALPHA, epochs=EPOCHS_PER_RUN, seed=0)
    cnn = tracegrad_cnn()
    optimizer = nn.optim.Adam(cnn.parameters(), lr=LEARNING_RATE)
    seed = np.random.default_rng(0)
    return {
        "MLP": lambda: mlp.fit(flat, y),
        "CNN": lambda: nn.fit(
            cnn, nn.cross_entropy, optimizer, (X, y), EPOCHS_PER_RUN, BATCH_SIZE, seed=seed, progress=False
        ),
    }


def torch_runs(X: np.ndarray, y: np.ndarray, dtype_name: str) -> dict[str, Callable[[], object]]:
    """The same networks, loss and optimizer in torch eager mode."""
    import torch

    torch.manual_seed(0)
    dtype = getattr(torch, dtype_name)
    images = torch.from_numpy(X).to(dtype)
    labels = torch.from_numpy(y)
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10)).to(dtype)
    cnn = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(16 * 4 * 4, 10),
    ).to(dtype)
    mlp_weights = [mlp[0].weight, mlp[2].weight]
    rng = np.random.default_rng(0)

    def train(model: torch.nn.Module, inputs: torch.Tensor, penalised: list[torch.Tensor]) -> Callable[[], None]:
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

        def run() -> None:
            for _ in range(EPOCHS_PER_RUN):
                order = torch.from_numpy(rng.permutation(len(labels)))
                for start in range(0, len(labels), BATCH_SIZE):
                    rows = order[start : start + BATCH_SIZE]
                    loss = torch.nn.functional.cross_entropy(model(inputs[rows]), labels[rows])
                    if penalised:
                        loss = loss + ALPHA * sum((w * w).sum() for w in penalised)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()

        return run

    return {"MLP": train(mlp, images.reshape(len(X), 64), mlp_weights), "CNN": train(cnn, images, [])}


def measure() -> dict[str, dict[str, float]]:
    """Seconds per epoch for each engine and network; repeats alternate between the engines."""
    import torch

    torch.set_num_threads(2)
    X, y = digits()
    engines = {
        "tracegrad (float64)": tracegrad_runs(X, y),
        "torch (float64)": torch_runs(X, y, "float64"),
        "torch (float32)": torch_runs(X, y, "float32"),
    }
    for runs in engines.values():
        for run in runs.values():
            run()  # warm-up
    times = {engine: {network: [] for network in runs} for engine, runs in engines.items()}
    for _ in range(REPEATS):
        for engine, runs in engines.items():
            for network, run in runs.items():
                times[engine][network].append(seconds(run) / EPOCHS_PER_RUN)
    return {engine: {net: statistics.median(ts) for net, ts in nets.items()} for engine, nets in times.items()}


def main() -> None:
    results = measure()
    reference = results["torch (float64)"]
    networks = list(reference)
    header = ["engine"] + [f"{net} s/epoch" for net in networks] + [f"{net} vs torch float64" for net in networks]
    rows = []
    for engine, per_network in results.items():
        rows.append(
            [engine]
            + [f"{per_network[net]:.4f}" for net in networks]
            + [f"{per_network[net] / reference[net]:.2f}x" for net in networks]
        )
    print("Epoch time on the digits (1,347 training images, batch 32, Adam)\n")
    print(markdown_table(header, rows))
    ratio = results["tracegrad (float64)"]["MLP"] / reference["MLP"]
    print(f"\nMLP target: at most 1.20x torch; measured {ratio:.2f}x")
    print(f"\n{machine_summary()}")


if __name__ == "__main__":
    main()
