"""The tracegrad demo: train a small MLP on three spirals, then look inside it.

A tanh MLP (2 inputs, two hidden layers of 32, 3 class scores) learns the
spiral toy data with Adam (its learning rate annealed along a cosine) and
softmax cross-entropy, and the demo writes five
files that show what happened:

- ``neuron_graph.svg``: the backprop graph of one hidden neuron ``h`` of the
  trained network on one example, every box with its value and gradient, every
  edge into an op with its local gradient; backward starts at ``h`` itself, so
  each gradient is dh/d(that value), not the training loss's;
- ``backprop_player.html``: the same backward pass one node at a time
  (upstream x local = downstream), to open in a browser;
- ``decision_boundary.png``: the class the network predicts over the plane;
- ``loss_curve.png``: the loss on the training and on the held-out points over the epochs;
- ``training.html``: the network learning, recorded by ``viz.TrainingRecorder``:
  every few steps its layers on a few training points with their data and
  gradients (coloured by the gradients' sizes), the loss so far and the
  decision boundary, to play in a browser.

Run it with ``python -m viz.demo`` (``make demo``); ``--help`` lists the options.
It lives in ``viz`` because it uses all three packages, and ``nn`` never imports ``viz``.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

import viz
from autograd import Value
from nn.data import make_spirals, train_test_split
from nn.layers import MLP, Linear
from nn.losses import cross_entropy
from nn.optim import Adam, CosineAnnealingLR
from nn.scalar import Neuron
from nn.training import History, fit, predict
from viz.cli import STOPPED, printing_to_stdout

N_SAMPLES = 300
N_CLASSES = 3
HIDDEN_SIZES = (32, 32)
LEARNING_RATE = 0.01
BATCH_SIZE = 25  # 225 training points: 9 full batches, so no frame shows the loss of a batch of one
TRAINING_FRAMES = 60  # about this many frames in training.html, whatever the number of epochs
MAX_EPOCHS = 100_000  # several minutes: a typo of extra zeros must not train for days
PROGRAM = "python -m viz.demo"
PROBE_EVERY = 19  # the recorder's probe: every 19th training point
# The files the demo writes into its folder, by kind.
OUTPUT_NAMES = {
    "graph": "neuron_graph.svg",
    "player": "backprop_player.html",
    "boundary": "decision_boundary.png",
    "loss": "loss_curve.png",
    "training": "training.html",
}


@dataclass
class DemoResult:
    """What one run of the demo produced: the accuracies and the files it wrote, by kind."""

    train_accuracy: float
    test_accuracy: float
    files: dict[str, Path]


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Train a small MLP on three spirals and write its backprop graph, "
        "a step-through player, the decision boundary, the loss curve and a recording of the training.",
    )
    parser.add_argument(
        "--epochs", type=int, default=300, help=f"passes over the training data (default 300, at most {MAX_EPOCHS})"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the batches (default 0)")
    parser.add_argument(
        "--out", type=Path, default=Path("demo_output"), help="folder for the output files (default ./demo_output)"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar; print only the accuracy and the files written"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.epochs <= MAX_EPOCHS:
        parser.error(f"--epochs must be from 1 to {MAX_EPOCHS} (about 300 a second), got {args.epochs}")
    if args.seed < 0:
        parser.error(f"--seed must be 0 or more, got {args.seed}")
    problem = output_folder_problem(args.out)
    if problem:
        parser.error(problem)
    return args


def output_folder_problem(out: Path) -> str | None:
    """Why the files could not be written into ``out``, or None; checked before training, so no run is wasted."""
    try:
        return _folder_problem(out)
    except OSError as error:  # a folder on the way that cannot even be looked into
        return f"--out {out}: {error.strerror} ({error.filename})"


def _folder_problem(out: Path) -> str | None:
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder: give a folder for the {len(OUTPUT_NAMES)} files"
    existing = next(folder for folder in (out, *out.parents) if folder.exists())
    if not existing.is_dir():
        return f"--out {out}: {existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"--out {out}: {existing} is not writable"
    taken = [out / name for name in OUTPUT_NAMES.values() if (out / name).is_dir()]
    if taken:
        return f"--out {out}: {taken[0]} is a folder, where the demo writes a file"
    return None


def accuracy(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of points whose highest class score is their class."""
    return float(np.mean(predict(model, X).argmax(axis=1) == y))


def neuron_on_example(model: MLP, x: np.ndarray) -> tuple[Neuron, Value]:
    """The first hidden neuron of the trained ``model``, rebuilt from Values and run on the example ``x``.

    The tensor layer computes all 32 neurons at once with one matmul; the scalar
    ``Neuron`` computes one of them weight by weight, so each product and sum is
    a node with its own gradient. ``backward()`` fills d(neuron)/d(each weight).
    """
    first = cast(Linear, model.layers[0])  # an MLP starts with a Linear layer
    neuron = Neuron(len(x), activation="tanh")
    state = {f"weights.{i}": first.weight.data[i, 0] for i in range(len(x))}
    neuron.load_state_dict({**state, "bias": 0.0 if first.bias is None else first.bias.data[0]})
    inputs = [Value(float(xi), label=f"x{i}", requires_grad=False) for i, xi in enumerate(x)]
    output = neuron(inputs)
    output.label = "h"
    output.backward()
    return neuron, output


def write_outputs(
    model: MLP, history: History, recorder: viz.TrainingRecorder, X: np.ndarray, y: np.ndarray, out: Path
) -> dict[str, Path]:
    """Draw the neuron graph, the player, the two plots and the recording into ``out``; return the paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    files = {kind: out / name for kind, name in OUTPUT_NAMES.items()}
    neuron, output = neuron_on_example(model, X[0])
    viz.render(output, files["graph"], show_local_grads=True, model=neuron)
    viz.backprop_player(output, files["player"], model=neuron)
    boundary = viz.plot_decision_boundary(model, X, y, title="classes predicted by the trained MLP")
    boundary.savefig(files["boundary"], dpi=110)
    curve = viz.plot_history(history, metrics=["loss"])
    curve.savefig(files["loss"], dpi=110)
    recorder.save(files["training"], title="The spiral MLP learning, frame by frame")
    return files


def run(epochs: int = 300, seed: int = 0, out: Path | str = "demo_output", progress: bool = True) -> DemoResult:
    """Make the data, train the MLP (recording it as it learns), write the five files; return accuracies and paths."""
    Path(out).mkdir(parents=True, exist_ok=True)  # first: a folder that cannot be made fails before the training
    X, y = make_spirals(N_SAMPLES, n_classes=N_CLASSES, noise=0.2, seed=seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=seed, stratify=y)
    model = MLP([2, *HIDDEN_SIZES, N_CLASSES], activation="tanh", seed=seed)
    optimizer = Adam(model.parameters(), lr=LEARNING_RATE)
    batches = -(-len(y_train) // BATCH_SIZE)  # per epoch
    every = max(1, epochs * batches // TRAINING_FRAMES)
    recorder = viz.TrainingRecorder(model, X_train[::PROBE_EVERY], y_train[::PROBE_EVERY], every=every)
    history = fit(
        model,
        cross_entropy,
        optimizer,
        (X_train, y_train),
        epochs=epochs,
        batch_size=BATCH_SIZE,
        validation_data=(X_test, y_test),
        scheduler=CosineAnnealingLR(optimizer, T_max=epochs),
        callbacks=[recorder],
        seed=seed,
        progress=progress,
    )
    files = write_outputs(model, history, recorder, X_train, y_train, Path(out))
    return DemoResult(accuracy(model, X_train, y_train), accuracy(model, X_test, y_test), files)


DESCRIPTIONS = {
    "graph": "backprop graph of one hidden neuron h: values, local gradients, dh/d(each value)",
    "player": "that backward pass one node at a time (open it in a browser)",
    "boundary": "the class the MLP predicts at each point of the plane",
    "loss": "loss per epoch on the training and on the held-out points",
    "training": "the MLP learning: its layers' data and gradients, loss, boundary (open it in a browser)",
}


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    if not args.quiet:
        sizes = "-".join(str(n) for n in (2, *HIDDEN_SIZES, N_CLASSES))
        with printing_to_stdout(PROGRAM):
            print(
                f"tracegrad demo: a {sizes} tanh MLP learns {N_CLASSES} spirals "
                f"({N_SAMPLES} points, 75% to train, 25% to test; seed {args.seed})"
            )
    try:
        result = run(args.epochs, args.seed, args.out, progress=not args.quiet)
    except OSError as error:  # the folder was usable when checked, but a file could not be written
        print(
            f"{PROGRAM}: error: cannot write {error.filename or args.out}: {error.strerror or error}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    except KeyboardInterrupt:  # Ctrl-C: a stop asked for, not a crash to show a traceback for
        print(f"{PROGRAM}: stopped (Ctrl-C); the files written so far are in place", file=sys.stderr)
        raise SystemExit(STOPPED) from None
    width = max(len(path.name) for path in result.files.values())
    with printing_to_stdout(PROGRAM):
        print(
            f"accuracy: {result.train_accuracy:.1%} on the training points, "
            f"{result.test_accuracy:.1%} on the test points"
        )
        print(f"wrote into {args.out.resolve()}:")
        for kind, path in result.files.items():
            print(f"  {path.name:<{width}}  {DESCRIPTIONS[kind]}")


if __name__ == "__main__":
    main()
