"""The benchmarks time the same work on each side of their tables.

Their timings are not tested (they belong in ``benchmarks/``), but the checks
they run first are. The tensor benchmark: one SGD step of the MLP from the same
weights must give the same loss and the same updated weights in tracegrad (fused,
compiled and op by op), hand-written numpy and torch. The value benchmark: the
compiled demo step must be the eager one. The player benchmark: the player's one
picture must be the static drawing it is compared with.
"""

import numpy as np
import pytest

import viz
from benchmarks import bench_player, bench_tensor, bench_value

pytest.importorskip("torch")


@pytest.mark.parametrize("size", bench_tensor.BATCHES)
@pytest.mark.parametrize("dtype", bench_tensor.DTYPES, ids=lambda dtype: dtype.__name__)
def test_every_contestant_takes_the_same_step(size, dtype):
    bench_tensor.check_same_step(size, dtype)


def wrong_update(make):
    """A contestant that takes the right step, then nudges one weight."""

    def make_wrong(x, labels, weights):
        step = make(x, labels, weights)

        def wrong_step():
            loss = step()
            weights[0][0, 0] += 1e-3
            return loss

        return wrong_step

    return make_wrong


def wrong_loss(make):
    """A contestant that takes the right step but reports a slightly different loss."""

    def make_wrong(x, labels, weights):
        step = make(x, labels, weights)
        return lambda: np.float64(step().item() + 1e-4)

    return make_wrong


@pytest.mark.parametrize("spoil", [wrong_update, wrong_loss])
def test_a_contestant_with_a_different_step_is_caught(monkeypatch, spoil):
    contestants = dict(bench_tensor.CONTESTANTS)
    contestants["tracegrad"] = spoil(contestants["tracegrad"])
    monkeypatch.setattr(bench_tensor, "CONTESTANTS", contestants)
    with pytest.raises(AssertionError, match="tracegrad computes a different step"):
        bench_tensor.check_same_step(64, np.float64)


def test_aligned_copy_starts_on_the_boundary_and_keeps_the_values():
    array = np.arange(12.0, dtype=np.float32).reshape(3, 4)[:, 1:]
    copy = bench_tensor.aligned_copy(array)
    assert copy.ctypes.data % bench_tensor.ALIGNMENT == 0
    assert copy.dtype == array.dtype and copy.shape == array.shape and copy.flags.writeable
    np.testing.assert_array_equal(copy, array)


def test_the_player_benchmark_compares_the_player_with_the_same_picture():
    bench_player.check_same_picture(1)


def test_a_player_that_draws_another_picture_is_caught(monkeypatch):
    player = viz.backprop_player
    monkeypatch.setattr(viz, "backprop_player", lambda loss, **options: player(loss, rankdir="TB", **options))
    with pytest.raises(AssertionError, match="different picture"):
        bench_player.check_same_picture(1)


def test_the_compiled_demo_step_is_the_eager_one():
    bench_value.check_same_demo_step(points=6)


def test_a_compiled_demo_step_that_differs_is_caught(monkeypatch):
    def spoiled_compile(loss):
        return lambda points: loss(points) * (1.0 + 1e-9)

    monkeypatch.setattr(bench_value.autograd, "compile", spoiled_compile)
    with pytest.raises(AssertionError, match="compiled demo step computes a different loss"):
        bench_value.check_same_demo_step(points=6)
