"""``autograd.Value`` against micrograd's ``Value``, in one run on one machine.

Measured, each the median of several repeats:

- microseconds per op, forward and backward, on a long chain
  (``y = relu(y * 0.999 + 0.001)``, 20,000 ops) and on a wide sum (``sum()`` of
  20,000 leaves);
- seconds per training step of micrograd's demo network: an MLP 2-16-16-1 on
  100 two-moons points, max-margin loss + L2, SGD (forward, zero the
  gradients, backward, update); and the same step with tracegrad's loss
  function compiled (``autograd.compile``: recorded once, then run as
  generated straight-line Python), against micrograd's step;
- bytes per node (tracemalloc): a chain ``y = y * c`` of 20,000 nodes with
  ``c`` an existing Value, and the same with a number operand, which makes a
  constant node per op in both libraries.

The network and every graph are written once against the API the two share and
run with either ``Value`` class. micrograd's backward is recursive, so its
recursion limit is raised for its runs only.

Targets, checked in the summary line this benchmark prints: at least 2x micrograd's speed per op, forward plus
backward; at most 40% of its bytes per node; the compiled demo step at least 10x micrograd's.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import itertools
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator

import numpy as np

import autograd
from autograd import Value
from benchmarks import machine_summary, markdown_table, seconds

CHAIN_STEPS = 6_667  # three ops per step: 20,001 ops
SUM_TERMS = 20_000
MEMORY_NODES = 20_000
MLP_SIZES = (2, 16, 16, 1)
MOONS_POINTS = 100
REPEATS = 7


@contextlib.contextmanager
def recursion_limit_for(value_class: type) -> Iterator[None]:
    """micrograd's backward recurses once per node of the longest path: raise the limit for its runs only."""
    previous = sys.getrecursionlimit()
    if value_class is not Value:
        sys.setrecursionlimit(max(previous, 10 * max(3 * CHAIN_STEPS, SUM_TERMS)))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def chain_run(value_class: type) -> tuple[float, float]:
    """Seconds of forward and of backward for one chain of ``3 * CHAIN_STEPS`` ops."""
    gc.collect()
    start = time.perf_counter()
    y = value_class(0.5)
    for _ in range(CHAIN_STEPS):
        y = (y * 0.999 + 0.001).relu()
    built = time.perf_counter()
    y.backward()
    return built - start, time.perf_counter() - built


def wide_sum_run(value_class: type) -> tuple[float, float]:
    """Seconds of forward and of backward for one ``sum()`` of ``SUM_TERMS`` leaves."""
    leaves = [value_class(0.001 * i) for i in range(SUM_TERMS)]
    gc.collect()
    start = time.perf_counter()
    total = sum(leaves)
    built = time.perf_counter()
    total.backward()
    return built - start, time.perf_counter() - built


def bytes_per_node(value_class: type, number_operand: bool) -> float:
    """Memory held by a chain of ``MEMORY_NODES`` multiplications, per node, as tracemalloc counts it."""
    factor = 0.999 if number_operand else value_class(0.999)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = value_class(0.5)
    for _ in range(MEMORY_NODES):
        y = y * factor
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del y
    return (after - before) / MEMORY_NODES


def make_moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles with Gaussian noise; labels +1 (upper moon) and -1 (lower)."""
    rng = np.random.default_rng(seed)
    upper, lower = n // 2, n - n // 2
    angles_upper, angles_lower = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    points = np.concatenate(
        [
            np.stack([np.cos(angles_upper), np.sin(angles_upper)], axis=1),
            np.stack([1 - np.cos(angles_lower), 0.5 - np.sin(angles_lower)], axis=1),
        ]
    )
    points += rng.normal(scale=noise, size=points.shape)
    labels = np.concatenate([np.ones(upper), -np.ones(lower)])
    return points.tolist(), labels.tolist()


class DemoMLP:
    """micrograd's demo network, written with the operators both ``Value`` classes share.

    Every neuron is ``relu(sum(w_i * x_i) + b)`` (the last layer is linear), with
    weights uniform in [-1, 1] and bias 0, as in micrograd's ``nn`` module.
    """

    def __init__(self, value_class: type, sizes: tuple[int, ...], seed: int):
        rng = random.Random(seed)
        self.layers = [
            [([value_class(rng.uniform(-1, 1)) for _ in range(n_in)], value_class(0.0)) for _ in range(n_out)]
            for n_in, n_out in itertools.pairwise(sizes)
        ]

    def parameters(self) -> list:
        return [p for layer in self.layers for weights, bias in layer for p in [*weights, bias]]

    def __call__(self, x: list) -> object:
        for depth, layer in enumerate(self.layers):
            acts = [sum((w * xi for w, xi in zip(weights, x)), bias) for weights, bias in layer]
            x = [act.relu() for act in acts] if depth < len(self.layers) - 1 else acts
        return x[0]


def demo_loss(model: DemoMLP, labels: list[float]) -> Callable[[list], object]:
    """The demo's loss of a list of points: max-margin over the points + 1e-4 * L2 of the weights."""
    parameters = model.parameters()

    def loss(points: list) -> object:
        scores = [model(point) for point in points]
        losses = [(1 + -y * score).relu() for y, score in zip(labels, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in parameters)

    return loss


def demo_training_step(value_class: type, compiled: bool = False, points: int = MOONS_POINTS) -> Callable[[], float]:
    """One SGD step of the demo per call (``compiled``: its loss function compiled); returns the loss."""
    xs, ys = make_moons(points, noise=0.1, seed=0)
    model = DemoMLP(value_class, MLP_SIZES, seed=1)
    parameters = model.parameters()
    loss_of = autograd.compile(demo_loss(model, ys)) if compiled else demo_loss(model, ys)
    step_number = itertools.count()

    def step() -> float:
        k = next(step_number)
        loss = loss_of([[value_class(x0), value_class(x1)] for x0, x1 in xs])
        for p in parameters:
            p.grad = 0
        loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in parameters:
            p.data -= learning_rate * p.grad
        return loss.data

    step.parameters = parameters
    return step


def check_same_demo_step(points: int = MOONS_POINTS) -> None:
    """Two steps of the compiled demo must give the eager steps' losses and weights (to 1e-12)."""
    eager, compiled = demo_training_step(Value, points=points), demo_training_step(Value, True, points=points)
    for _ in range(2):
        if abs(eager() - compiled()) > 1e-12:
            raise AssertionError("the compiled demo step computes a different loss than the eager one")
    if any(abs(a.data - b.data) > 1e-12 for a, b in zip(eager.parameters, compiled.parameters)):
        raise AssertionError("the compiled demo step updates the weights differently than the eager one")


def measure(engines: dict[str, type]) -> tuple[dict[str, dict[str, float]], float]:
    """Every measurement for every engine, and the seconds the compiled step's first call took (recording
    and compiling); timed runs alternate between the engines, so a change in the machine's load during the
    run affects both alike."""
    runs = {name: {"chain": [], "sum": [], "step": []} for name in engines}
    steps = {name: demo_training_step(value_class) for name, value_class in engines.items()}
    for name, value_class in engines.items():
        with recursion_limit_for(value_class):
            steps[name]()  # warm-up
    compiled_step, compiled_times = demo_training_step(Value, compiled=True), []
    recording = seconds(compiled_step)  # the first call records the graph and compiles its program
    for _ in range(REPEATS):
        for name, value_class in engines.items():
            with recursion_limit_for(value_class):
                runs[name]["chain"].append(chain_run(value_class))
                runs[name]["sum"].append(wide_sum_run(value_class))
                runs[name]["step"].append(seconds(steps[name]))
        compiled_times.append(seconds(compiled_step))
    results = {}
    for name, value_class in engines.items():
        chain_forward, chain_backward = (statistics.median(times) for times in zip(*runs[name]["chain"]))
        sum_forward, sum_backward = (statistics.median(times) for times in zip(*runs[name]["sum"]))
        chain_ops, sum_ops = 3 * CHAIN_STEPS, SUM_TERMS
        results[name] = {
            "chain forward": 1e6 * chain_forward / chain_ops,
            "chain backward": 1e6 * chain_backward / chain_ops,
            "chain forward + backward": 1e6 * (chain_forward + chain_backward) / chain_ops,
            "wide sum forward": 1e6 * sum_forward / sum_ops,
            "wide sum backward": 1e6 * sum_backward / sum_ops,
            "wide sum forward + backward": 1e6 * (sum_forward + sum_backward) / sum_ops,
            "training step": statistics.median(runs[name]["step"]),
            # micrograd has no compiler: its column repeats its eager step, the ratio compares with that
            "training step, tracegrad compiled": statistics.median(
                compiled_times if value_class is Value else runs[name]["step"]
            ),
            "bytes per node": bytes_per_node(value_class, number_operand=False),
            "bytes per op with a number operand": bytes_per_node(value_class, number_operand=True),
        }
    return results, recording


UNITS = {"training step": "s", "training step, tracegrad compiled": "s"}


def main() -> None:
    from micrograd.engine import Value as MicrogradValue

    results, recording = measure({"tracegrad": Value, "micrograd": MicrogradValue})
    ours, theirs = results["tracegrad"], results["micrograd"]
    rows = []
    for name, our_number in ours.items():
        their_number = theirs[name]
        if name.startswith("bytes"):
            unit, ratio = "B", f"{100 * our_number / their_number:.0f}% of micrograd"
        else:
            unit = UNITS.get(name, "µs/op")
            ratio = f"{their_number / our_number:.2f}x faster"
        precision = 4 if unit == "s" else (0 if unit == "B" else 2)
        rows.append([f"{name} ({unit})", f"{our_number:.{precision}f}", f"{their_number:.{precision}f}", ratio])
    header = ["Value benchmark", "tracegrad", f"micrograd {importlib.metadata.version('micrograd')}", "ratio"]
    print(markdown_table(header, rows))
    print(
        f"\nMedians of {REPEATS} runs, alternating between the libraries; chain of {3 * CHAIN_STEPS:,} ops, "
        f"sum of {SUM_TERMS:,} leaves, MLP {'-'.join(map(str, MLP_SIZES))} on {MOONS_POINTS} two-moons points. "
        "micrograd ran with a raised recursion limit (its backward is recursive). The compiled step's first "
        f"call, which records the graph and compiles the program, took {recording:.1f} s (not in the table).\n"
        f"{machine_summary()}."
    )
    memory = ours["bytes per node"] / theirs["bytes per node"]
    speed = [
        f"{graph} {theirs[f'{graph} forward + backward'] / ours[f'{graph} forward + backward']:.2f}x"
        for graph in ("chain", "wide sum")
    ]
    print(
        f"Targets: >= 2x micrograd's speed per op, forward + backward: {', '.join(speed)}; "
        f"<= 40% of its bytes per node: {100 * memory:.0f}%; the compiled demo step >= 10x micrograd's: "
        f"{theirs['training step'] / ours['training step, tracegrad compiled']:.1f}x."
    )


if __name__ == "__main__":
    main()
