"""``autograd.Tensor`` against hand-written numpy and torch CPU eager, in one run on one machine.

Measured, each the median of many, as seconds per call:

- one SGD training step of an MLP 784-256-256-10 (ReLU, cross-entropy from
  logits, mean over the batch) on random data, batch 64 and 512, float32 and
  float64: forward, backward, update, and the gradients dropped;
- conv2d forward + backward on 64 images 1x8x8 with 16 3x3 filters (padding 1,
  with bias), once with the images as data (no gradient, as in a first layer)
  and once with a gradient for them too (as in a deeper layer).

The five contestants:

- tracegrad: the network as ``nn`` runs it, each layer one ``linear`` op
  (``x @ W + b``) and the loss one ``nn.cross_entropy`` op: six nodes;
- tracegrad compiled: the same loss function through ``autograd.compile``,
  recorded on the first call and from then on run as a generated program
  that builds no nodes: the layers, ReLUs and the loss written out as numpy
  lines (arrays reused in place where nothing needs them any more);
- tracegrad op by op: the same network written with the elementary ``Tensor``
  ops, ``x @ W + b`` and ``-logits.log_softmax()[rows, labels].mean()``:
  fifteen op nodes, each one a step a learner can draw and inspect;
- numpy by hand: the same maths with the gradients written out by hand, no
  graph at all. This is the limit for any engine that computes with numpy;
- torch: CPU eager mode with ``torch.set_num_threads(2)``.

Two effects outside the engines are kept out of the numbers. First, numpy's
BLAS threads and torch's OpenMP threads keep spinning for a while
after a call (OpenBLAS up to about 0.1 s). On a machine with few cores the
spinning threads of one library slow the next one down several times over
(torch's batch-64 step went from 0.7 to 6 ms when it alternated with numpy
without a pause), so torch is timed in runs of its own, each after a pause
of ``SETTLE_SECONDS``, when numpy's threads have gone to sleep. The
contestants that compute with numpy take their steps in turn instead, one
step each, over and over: other processes on this machine moved the ratio of
two 0.1 s runs by 10% either way, and a ratio of two steps made a millisecond
apart cancels most of that (two copies of the numpy step measured this way
agreed within 1%).

Second, glibc's allocator hands arrays above a size threshold back to the
operating system when they are freed, and each new one is then page-faulted
in again, zeroed, page by page. Whether that happens to the gradient
arrays of a step depends on the heap's layout at the time, so the very same
numpy step took 1.4 ms or 2.4 ms from one process to the next. The benchmark
keeps freed memory in the process (glibc's ``mallopt``, on Linux), so the
table compares the engines rather than the allocator's luck. For the same
reason all contestants train one shared set of weight arrays (put back to
their starting values before each timed run) on one input array, each
starting on a 64-byte boundary: two copies of the very same numpy step, each
on its own arrays, differed by up to 7%, and the matrix products run up to
10% faster on arrays aligned that way (torch aligns its own tensors so).

Before timing, every contestant takes one step from the same weights, and their
losses and updated weights are compared, so the table cannot time different
computations. Ratios are to the hand-written numpy step (conv2d: to torch):
the median over the steps of each step's ratio to the numpy step beside it.

Targets, checked in the summary line this benchmark prints: tracegrad within 1.15x of hand-written
numpy at every size, and faster than torch CPU at batch 64; tracegrad compiled within 1.05x of
hand-written numpy at every size.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import autograd
import nn
from autograd import Tensor, conv2d, linear
from benchmarks import machine_summary, markdown_table, seconds

SIZES = (784, 256, 256, 10)
BATCHES = (64, 512)
DTYPES = (np.float32, np.float64)
LEARNING_RATE = 0.01
REPEATS = 15
TARGET_SECONDS_PER_RUN = 0.1  # each timed run repeats the step this long, so timer noise stays small
SETTLE_SECONDS = 0.2  # the pause before each timed run: longer than the BLAS and OpenMP threads spin
CONV_IMAGES, CONV_FILTERS = (64, 1, 8, 8), (16, 1, 3, 3)
TORCH_THREADS = 2
ALIGNMENT = 64  # bytes: where the shared weight and input arrays start (numpy's own arrays start anywhere on 16)

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters

Step = Callable[[], object]  # one training step; returns the loss before the update


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse instead of returning it to the system; False where that is not possible."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    largest_mmap_threshold, never_trim = 32 * 2**20, 2**30
    return bool(libc.mallopt(M_MMAP_THRESHOLD, largest_mmap_threshold)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, never_trim)
    )


def initial_weights(dtype: type) -> list[np.ndarray]:
    """He-initialized weights and zero biases, the same for every contestant: [W1, b1, W2, b2, W3, b3]."""
    rng = np.random.default_rng(0)
    weights = []
    for n_in, n_out in itertools.pairwise(SIZES):
        weights += [rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)).astype(dtype), np.zeros(n_out, dtype)]
    return weights


def batch(size: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs and integer labels for one step."""
    rng = np.random.default_rng(1)
    return rng.standard_normal((size, SIZES[0])).astype(dtype), rng.integers(0, SIZES[-1], size)


def shared_tensor(array: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A tensor whose ``.data`` is ``array`` itself (``Tensor()`` copies), so every contestant uses the same memory."""
    tensor = Tensor(array, requires_grad=requires_grad)
    tensor.data = array
    return tensor


def tracegrad_parameters(weights: list[np.ndarray]) -> list[Tensor]:
    """Parameters whose ``.data`` are the given arrays themselves, so every contestant updates the same memory."""
    return [shared_tensor(w, requires_grad=True) for w in weights]


def mlp_loss(parameters: list[Tensor]) -> Callable[[Tensor, np.ndarray], Tensor]:
    """The network's loss as ``nn`` computes it: ``linear`` layers and ``nn.cross_entropy``."""
    w1, b1, w2, b2, w3, b3 = parameters

    def loss(inputs: Tensor, labels: np.ndarray) -> Tensor:
        hidden = linear(inputs, w1, b1).relu()
        hidden = linear(hidden, w2, b2).relu()
        return nn.cross_entropy(linear(hidden, w3, b3), labels)

    return loss


def tracegrad_step(x: np.ndarray, labels: np.ndarray, weights: list[np.ndarray], compiled: bool = False) -> Step:
    """One SGD step with ``linear`` layers and ``nn.cross_entropy`` (``compiled``: through ``autograd.compile``)."""
    parameters = tracegrad_parameters(weights)
    inputs = shared_tensor(x)
    loss_of = autograd.compile(mlp_loss(parameters)) if compiled else mlp_loss(parameters)

    def step() -> Tensor:
        loss = loss_of(inputs, labels)
        sgd_update(parameters, loss)
        return loss

    return step


def tracegrad_op_by_op_step(x: np.ndarray, labels: np.ndarray, weights: list[np.ndarray]) -> Step:
    """The same step written with elementary ``Tensor`` ops, each its own node."""
    parameters = tracegrad_parameters(weights)
    inputs, rows = shared_tensor(x), np.arange(len(x))
    w1, b1, w2, b2, w3, b3 = parameters

    def step() -> Tensor:
        hidden = (inputs @ w1 + b1).relu()
        hidden = (hidden @ w2 + b2).relu()
        logits = hidden @ w3 + b3
        loss = -logits.log_softmax()[rows, labels].mean()
        sgd_update(parameters, loss)
        return loss

    return step


def sgd_update(parameters: list[Tensor], loss: Tensor) -> None:
    """Backward and one SGD update, with the same numpy line as the other contestants, then zero the gradients.

    The gradients are dropped at the end of the step, where numpy by hand drops
    its own: kept until the next step, they change where the allocator puts the
    next step's arrays, which cost 4% at batch 64 here.
    """
    loss.backward()
    for p in parameters:
        p.data -= LEARNING_RATE * p.grad  # .data is a plain array: nothing is recorded
        p.grad = None


def numpy_step(x: np.ndarray, labels: np.ndarray, weights: list[np.ndarray]) -> Step:
    """The same step with every gradient written out by hand: forward, then the chain rule layer by layer."""
    w1, b1, w2, b2, w3, b3 = weights
    rows = np.arange(len(x))

    def step() -> float:
        hidden1 = np.maximum(x @ w1 + b1, 0.0)
        hidden2 = np.maximum(hidden1 @ w2 + b2, 0.0)
        logits = hidden2 @ w3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exponentials = np.exp(shifted)
        totals = exponentials.sum(axis=1, keepdims=True)
        loss = (np.log(totals).sum() - shifted[rows, labels].sum()) / len(x)  # -mean(log softmax at the labels)
        # its gradient is (softmax - one_hot) / n
        grad_logits = exponentials / totals
        grad_logits[rows, labels] -= 1.0
        grad_logits /= len(x)
        grad_hidden2 = grad_logits @ w3.T
        grad_hidden2 *= hidden2 > 0
        grad_hidden1 = grad_hidden2 @ w2.T
        grad_hidden1 *= hidden1 > 0
        grads = [
            x.T @ grad_hidden1,
            grad_hidden1.sum(axis=0),
            hidden1.T @ grad_hidden2,
            grad_hidden2.sum(axis=0),
            hidden2.T @ grad_logits,
            grad_logits.sum(axis=0),
        ]
        for p, g in zip(weights, grads):
            p -= LEARNING_RATE * g
        return loss

    return step


def torch_step(x: np.ndarray, labels: np.ndarray, weights: list[np.ndarray]) -> Step:
    """The same step in torch eager mode, as a torch user writes it."""
    import torch
    from torch.nn import functional

    parameters = [torch.from_numpy(w).requires_grad_() for w in weights]  # the same memory as ``weights``
    inputs, targets = torch.from_numpy(x), torch.from_numpy(labels)
    w1, b1, w2, b2, w3, b3 = parameters

    def step() -> torch.Tensor:
        hidden = torch.relu(inputs @ w1 + b1)
        hidden = torch.relu(hidden @ w2 + b2)
        loss = functional.cross_entropy(hidden @ w3 + b3, targets)
        for p in parameters:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in parameters:
                p -= LEARNING_RATE * p.grad
        return loss

    return step


REFERENCE = "numpy by hand"
CONTESTANTS = {
    "tracegrad": tracegrad_step,
    "tracegrad compiled": functools.partial(tracegrad_step, compiled=True),
    "tracegrad op by op": tracegrad_op_by_op_step,
    "numpy by hand": numpy_step,
    "torch": torch_step,
}


def aligned_copy(array: np.ndarray) -> np.ndarray:
    """A copy of ``array`` whose data starts on a ``ALIGNMENT``-byte boundary, as torch's allocator places tensors."""
    buffer = np.empty(array.nbytes + ALIGNMENT, np.uint8)
    start = -buffer.ctypes.data % ALIGNMENT
    copy = buffer[start : start + array.nbytes].view(array.dtype).reshape(array.shape)
    copy[...] = array
    return copy


def copy_into(arrays: list[np.ndarray], sources: list[np.ndarray]) -> None:
    """Overwrite each array with its source, in place (the contestants keep references to the arrays)."""
    for array, source in zip(arrays, sources):
        np.copyto(array, source)


def check_same_step(size: int, dtype: type) -> None:
    """One step from the same start must give the same loss and updated weights in all contestants (to rounding)."""
    x, labels = batch(size, dtype)
    results = {}
    for name, make in CONTESTANTS.items():
        weights = initial_weights(dtype)
        loss = make(x, labels, weights)().item()  # numpy, tracegrad and torch scalars all have .item()
        results[name] = [np.array(loss), *weights]
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    for name, arrays in results.items():
        for ours, reference in zip(arrays, results[REFERENCE]):
            if not np.allclose(ours, reference, rtol=tolerance, atol=tolerance):
                raise AssertionError(f"{name} computes a different step than numpy by hand ({size}, {dtype.__name__})")


def repeated(step: Step, restore: Callable[[], None] = lambda: None) -> Callable[[], float]:
    """A timed run of ``step``: as many calls as fit in about ``TARGET_SECONDS_PER_RUN``; returns seconds per call.

    ``restore`` runs before each timed run (not timed), to put shared weights back where they started.
    """
    step()  # warm-up: allocations, BLAS threads, torch's first-call set-up
    calls = max(1, round(TARGET_SECONDS_PER_RUN / seconds(step)))

    def run() -> float:
        restore()
        time.sleep(SETTLE_SECONDS)
        return seconds(functools.partial(call_repeatedly, step, calls)) / calls

    return run


def call_repeatedly(step: Step, calls: int) -> None:
    """Call ``step`` ``calls`` times, dropping each result at once (a kept loss would keep its whole graph alive)."""
    for _ in range(calls):
        step()


def timed_in_turn(steps: dict[str, Step], turns: int) -> dict[str, list[float]]:
    """Seconds of every step of each contestant, taken in turn: one step of each, ``turns`` times over."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(turns):
        for name, step in steps.items():
            start = time.perf_counter()
            step()  # the loss it returns is dropped at once: a kept loss would keep its whole graph alive
            times[name].append(time.perf_counter() - start)
    return times


@dataclass
class Timing:
    """A contestant's median seconds per step, and its median ratio to numpy by hand measured beside it."""

    seconds: float
    ratio: float


def measure_steps() -> dict[tuple[int, type], dict[str, Timing]]:
    """Every contestant's timing for each batch size and dtype.

    The contestants that compute with numpy take their steps in turn, one
    step each, so each ratio compares two steps made a millisecond apart,
    under the same load from other processes: the table gives the median of
    those ratios. torch runs on its own threads, which slow numpy's down while
    they spin, so it is timed in runs of its own after a pause, and compared
    with numpy's steps of the same round.
    """
    results = {}
    for size, dtype in itertools.product(BATCHES, DTYPES):
        check_same_step(size, dtype)
        x, labels = batch(size, dtype)
        x = aligned_copy(x)
        start = initial_weights(dtype)
        weights = [aligned_copy(w) for w in start]  # one set of arrays, shared by all
        restore = functools.partial(copy_into, weights, start)
        in_turn = {name: make(x, labels, weights) for name, make in CONTESTANTS.items() if name != "torch"}
        for step in in_turn.values():
            step()  # warm-up: first-call set-up (compiling records the graph here)
        turns = max(1, round(TARGET_SECONDS_PER_RUN / seconds(in_turn[REFERENCE])))
        torch_run = repeated(CONTESTANTS["torch"](x, labels, weights), restore)
        steps: dict[str, list[float]] = {name: [] for name in in_turn}
        torch_runs, numpy_medians = [], []
        for _ in range(REPEATS):
            restore()
            time.sleep(SETTLE_SECONDS)
            for name, taken in timed_in_turn(in_turn, turns).items():
                steps[name] += taken
            numpy_medians.append(statistics.median(steps[REFERENCE][-turns:]))
            torch_runs.append(torch_run())
        results[size, dtype] = {
            name: Timing(statistics.median(taken), median_ratio(taken, steps[REFERENCE]))
            for name, taken in steps.items()
        }
        results[size, dtype]["torch"] = Timing(statistics.median(torch_runs), median_ratio(torch_runs, numpy_medians))
    return results


def median_ratio(times: list[float], references: list[float]) -> float:
    """The median of each time divided by the reference time measured beside it."""
    return statistics.median(ours / reference for ours, reference in zip(times, references))


def conv_runs(dtype: type, images_need_grad: bool) -> dict[str, Callable[[], float]]:
    """conv2d forward + backward (an upstream gradient of ones) in tracegrad and torch."""
    import torch
    from torch.nn import functional

    rng = np.random.default_rng(2)
    images = rng.standard_normal(CONV_IMAGES).astype(dtype)
    filters = rng.standard_normal(CONV_FILTERS).astype(dtype)
    bias = np.zeros(CONV_FILTERS[0], dtype)
    x, weight, b = (
        Tensor(images, requires_grad=images_need_grad),
        Tensor(filters, requires_grad=True),
        Tensor(bias, requires_grad=True),
    )
    tx = torch.tensor(images, requires_grad=images_need_grad)
    tweight, tb = torch.tensor(filters, requires_grad=True), torch.tensor(bias, requires_grad=True)
    upstream = np.ones((CONV_IMAGES[0], CONV_FILTERS[0], *CONV_IMAGES[2:]), dtype)
    torch_upstream = torch.tensor(upstream)

    def ours() -> None:
        conv2d(x, weight, b, padding=1).backward(upstream)

    def theirs() -> None:
        functional.conv2d(tx, tweight, tb, padding=1).backward(torch_upstream)

    return {"tracegrad": repeated(ours), "torch": repeated(theirs)}


def measure_conv() -> dict[tuple[type, bool], dict[str, float]]:
    results = {}
    for dtype, images_need_grad in itertools.product(DTYPES, (False, True)):
        runs = conv_runs(dtype, images_need_grad)
        times = {name: [] for name in runs}
        for _ in range(REPEATS):
            for name, run in runs.items():
                times[name].append(run())
        results[dtype, images_need_grad] = {name: statistics.median(t) for name, t in times.items()}
    return results


def milliseconds(value: float) -> str:
    return f"{1e3 * value:.3f}"


def main() -> None:
    import torch

    torch.set_num_threads(TORCH_THREADS)
    memory_kept = keep_freed_memory()
    load_before = os.getloadavg()[0]
    steps = measure_steps()
    others = [name for name in CONTESTANTS if name != REFERENCE]
    rows = []
    for (size, dtype), timings in steps.items():
        rows.append(
            [f"batch {size}, {dtype.__name__}"]
            + [milliseconds(timings[name].seconds) for name in CONTESTANTS]
            + [f"{timings[name].ratio:.2f}x" for name in others]
        )
    header = ["MLP 784-256-256-10, one SGD step (ms)", *CONTESTANTS, *(f"{name} / numpy" for name in others)]
    print(markdown_table(header, rows))
    conv = measure_conv()
    rows = []
    for (dtype, images_need_grad), times in conv.items():
        what = "images and filters" if images_need_grad else "filters only"
        rows.append(
            [
                f"{dtype.__name__}, gradient for {what}",
                milliseconds(times["tracegrad"]),
                milliseconds(times["torch"]),
                f"{times['tracegrad'] / times['torch']:.2f}x",
            ]
        )
    print()
    print(
        markdown_table(
            ["conv2d 64x1x8x8, 16 3x3 filters, forward + backward (ms)", "tracegrad", "torch", "tracegrad/torch"], rows
        )
    )
    within = max(timings["tracegrad"].ratio for timings in steps.values())
    compiled_within = max(timings["tracegrad compiled"].ratio for timings in steps.values())
    faster = all(
        timings["tracegrad"].seconds < timings["torch"].seconds for (size, _), timings in steps.items() if size == 64
    )
    print(
        f"\nMedians over {REPEATS} rounds, each after a {SETTLE_SECONDS} s pause: the numpy-based contestants take "
        "their steps in turn (ratios: the median of each step's time over numpy by hand's step beside it), torch "
        "a run of its own (its ratio: to numpy's median step of the same round); freed memory kept in the process: "
        f"{'yes' if memory_kept else 'no'}; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (other "
        f"processes on the same cores make every column slower and noisier); torch {torch.__version__} "
        f"CPU eager with {TORCH_THREADS} threads, numpy {np.__version__}.\n{machine_summary()}.\n"
        f"Targets: within 1.15x of numpy by hand at every size: worst {within:.2f}x; "
        f"faster than torch at batch 64: {'yes' if faster else 'no'}; compiled within 1.05x of numpy by hand "
        f"at every size: worst {compiled_within:.2f}x."
    )


if __name__ == "__main__":
    main()
