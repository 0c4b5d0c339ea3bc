"""nn.data: the toy datasets' geometry, seeded splits, the loader's coverage, augmentation, digits."""

import sys

import numpy as np
import pytest

import nn
from nn.data import (
    DataLoader,
    add_noise,
    bootstrap,
    k_fold,
    load_digits,
    make_blobs,
    make_moons,
    make_spirals,
    make_xor,
    mixup,
    train_test_split,
)

MAKERS = [make_moons, make_spirals, make_blobs, make_xor]


@pytest.mark.parametrize("maker", MAKERS)
def test_makers_give_float_inputs_int_labels_and_repeat_with_a_seed(maker):
    X, y = maker(n_samples=90, seed=3)
    assert X.shape == (90, 2) and X.dtype == np.float64
    assert y.shape == (90,) and y.dtype == np.int64
    X_again, y_again = maker(n_samples=90, seed=3)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    X_other, _ = maker(n_samples=90, seed=4)
    assert not np.array_equal(X, X_other)


@pytest.mark.parametrize("maker", MAKERS)
def test_makers_take_a_numpy_generator_as_the_seed(maker):
    # default_rng(seed) hands a Generator back as it is, so it draws the same numbers as the int seed.
    X, y = maker(n_samples=40, seed=np.random.default_rng(11))
    X_int, y_int = maker(n_samples=40, seed=11)
    np.testing.assert_array_equal(X, X_int)
    np.testing.assert_array_equal(y, y_int)
    rng = np.random.default_rng(11)
    first, _ = maker(n_samples=40, seed=rng)
    second, _ = maker(n_samples=40, seed=rng)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("maker", [make_moons, make_spirals, make_blobs])
def test_makers_balance_the_classes_and_shuffle_them(maker):
    _, y = maker(n_samples=61, seed=0)
    counts = np.bincount(y)
    assert counts.sum() == 61 and counts.max() - counts.min() <= 1
    assert len(set(y[:10].tolist())) > 1


@pytest.mark.parametrize("maker", MAKERS)
def test_makers_refuse_a_bad_sample_count(maker):
    with pytest.raises(ValueError, match="n_samples"):
        maker(n_samples=0)


def test_moons_without_noise_lie_on_their_two_unit_half_circles():
    X, y = make_moons(n_samples=101, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [51, 50]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_moons_noise_moves_points_off_the_arcs_by_about_its_size():
    # Small noise moves a point off its circle by about the noise's radial component, whose std is the noise.
    X, y = make_moons(n_samples=4000, noise=0.05, seed=1)
    distance = np.where(y == 0, np.hypot(X[:, 0], X[:, 1]), np.hypot(X[:, 0] - 1.0, X[:, 1] - 0.5)) - 1.0
    assert abs(distance.std() - 0.05) < 0.005


def test_spirals_without_noise_follow_the_cs231n_arms():
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    for label in range(3):
        arm = X[y == label]
        radius = np.hypot(arm[:, 0], arm[:, 1])
        order = np.argsort(radius)
        np.testing.assert_allclose(radius[order], np.linspace(0, 1, 100), atol=1e-12)
        angle = np.linspace(4.0 * label, 4.0 * (label + 1), 100)
        expected = np.stack([np.linspace(0, 1, 100) * np.sin(angle), np.linspace(0, 1, 100) * np.cos(angle)], 1)
        np.testing.assert_allclose(arm[order], expected, atol=1e-12)


def test_spirals_share_an_uneven_count_and_take_k_classes():
    _, y = make_spirals(n_samples=302, n_classes=4, seed=0)
    assert np.bincount(y).tolist() == [76, 76, 75, 75]
    with pytest.raises(ValueError, match="n_classes"):
        make_spirals(n_classes=1)


def test_blobs_without_spread_collapse_onto_centres_inside_the_box():
    X, y = make_blobs(n_samples=60, n_classes=4, n_features=3, cluster_std=0.0, center_box=(-2, 2), seed=5)
    assert X.shape == (60, 3)
    for label in range(4):
        points = X[y == label]
        assert len(points) == 15
        np.testing.assert_array_equal(points, np.broadcast_to(points[0], points.shape))
        assert (np.abs(points[0]) <= 2).all()
    with pytest.raises(ValueError, match="center_box"):
        make_blobs(center_box=(1, 1))


def test_xor_labels_are_one_where_the_signs_differ():
    X, y = make_xor(n_samples=500, seed=2)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert (np.abs(X) <= 1).all()
    with pytest.raises(ValueError, match="noise"):
        make_xor(noise=-1.0)


def test_train_test_split_partitions_aligned_arrays():
    X = np.arange(50).reshape(25, 2)
    y = np.arange(25)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_test) == 5 and len(X_train) == 20
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(25))
    again = train_test_split(X, y, test_size=0.2, seed=0)
    np.testing.assert_array_equal(again[3], y_test)


def test_train_test_split_takes_a_count_and_can_keep_the_order():
    y = np.arange(10)
    y_train, y_test = train_test_split(y, test_size=3, shuffle=False)
    assert y_train.tolist() == list(range(7)) and y_test.tolist() == [7, 8, 9]


def test_stratified_split_keeps_each_class_share():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    y_train, y_test = train_test_split(y, test_size=0.2, seed=1, stratify=y)
    assert np.bincount(y_test).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]
    # 7 test examples of 21: shares 3.33, 2.33, 1.33 -> 3, 2, 1, and the spare place to one of them (a tie).
    y = np.repeat([0, 1, 2], [10, 7, 4])
    spare = {tuple(np.bincount(train_test_split(y, test_size=7, seed=s, stratify=y)[1]) - [3, 2, 1]) for s in range(20)}
    assert spare == {(1, 0, 0), (0, 1, 0), (0, 0, 1)}
    # 9 test examples of 21: 4.29, 3.0, 1.71 -> 4, 3, 1 and the spare place to the largest remainder, 0.71.
    _, y_test = train_test_split(y, test_size=9, seed=0, stratify=y)
    assert np.bincount(y_test).tolist() == [4, 3, 2]


def test_spare_test_places_tied_between_classes_go_to_each_class_equally_often():
    """Ten equal classes, 2.5 test places each: the five spare places had always gone to classes 0 to 4."""
    y = np.repeat(np.arange(10), 10)
    counts = np.array([np.bincount(train_test_split(y, test_size=0.25, seed=s, stratify=y)[1]) for s in range(400)])
    assert set(counts.ravel()) == {2, 3} and (counts.sum(axis=1) == 25).all()
    share = counts.mean(axis=0)
    assert np.all(np.abs(share - 2.5) < 0.1)  # each class 2.5 on average (sd of the mean about 0.025)


def test_a_stratified_split_refuses_labels_it_cannot_keep_in_both_parts():
    """As scikit-learn: a class of one example, or a continuous target, cannot be in both parts."""
    with pytest.raises(ValueError, match="the class 0 has only 1 example"):
        train_test_split(np.arange(10), stratify=np.array([0] + [1] * 9), test_size=0.5, seed=0)
    target = np.random.default_rng(0).normal(size=100)
    with pytest.raises(ValueError, match="a continuous target cannot be stratified"):
        train_test_split(target, stratify=target, seed=0)  # (it had put the lowest 25% in the test set)
    with pytest.raises(ValueError, match="a part of 2 examples cannot hold one of each of the 3 classes"):
        train_test_split(np.arange(12), stratify=np.repeat([0, 1, 2], 4), test_size=2, seed=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"test_size": 1.5}, "test_size"), ({"test_size": 0}, "test_size"), ({"stratify": np.zeros(3)}, "stratify")],
)
def test_train_test_split_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(np.arange(10), **kwargs)


def test_train_test_split_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="lengths"):
        train_test_split(np.zeros(10), np.zeros(9))


@pytest.mark.parametrize("n, k", [(10, 3), (12, 4), (7, 7)])
def test_k_fold_validates_every_example_once(n, k):
    folds = list(k_fold(n, k, seed=0))
    assert len(folds) == k
    validated = np.concatenate([validation for _, validation in folds])
    assert sorted(validated.tolist()) == list(range(n))
    for train, validation in folds:
        assert sorted(np.concatenate([train, validation]).tolist()) == list(range(n))
        assert len(np.intersect1d(train, validation)) == 0
    sizes = [len(validation) for _, validation in folds]
    assert max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True)


def test_k_fold_without_shuffle_takes_consecutive_blocks():
    folds = list(k_fold(5, 2, shuffle=False))
    assert [v.tolist() for _, v in folds] == [[0, 1, 2], [3, 4]]
    assert folds[0][0].tolist() == [3, 4]
    with pytest.raises(ValueError, match="k must"):
        list(k_fold(5, 1))


def test_bootstrap_out_of_bag_is_exactly_what_was_never_drawn():
    sample, out_of_bag = bootstrap(20, seed=3)
    assert len(sample) == 20 and sample.min() >= 0 and sample.max() < 20
    assert set(out_of_bag.tolist()) == set(range(20)) - set(sample.tolist())
    assert len(np.unique(sample)) < 20
    sample, out_of_bag = bootstrap(20000, seed=0)
    assert abs(len(out_of_bag) / 20000 - np.exp(-1)) < 0.01
    sample, _ = bootstrap(5, size=12, seed=0)
    assert len(sample) == 12


@pytest.mark.parametrize("batch_size, n_batches", [(None, 1), (1, 23), (5, 5), (23, 1), (100, 1)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_covers_every_example_once_per_epoch(batch_size, n_batches, shuffle):
    X = np.arange(46.0).reshape(23, 2)
    y = np.arange(23)
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, seed=0)
    assert len(loader) == n_batches
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == n_batches
        seen = np.concatenate([yb for _, yb in batches])
        assert sorted(seen.tolist()) == list(range(23))
        for xb, yb in batches:
            np.testing.assert_array_equal(xb[:, 0], 2 * yb)
        if not shuffle:
            assert seen.tolist() == list(range(23))


def test_loader_shuffles_anew_each_epoch_and_repeats_with_the_seed():
    y = np.arange(30)
    first = np.concatenate([b for (b,) in DataLoader(y, batch_size=4, shuffle=True, seed=7)])
    loader = DataLoader(y, batch_size=4, shuffle=True, seed=7)
    epoch_1 = np.concatenate([b for (b,) in loader])
    epoch_2 = np.concatenate([b for (b,) in loader])
    np.testing.assert_array_equal(epoch_1, first)
    assert not np.array_equal(epoch_1, epoch_2)


def test_loader_refuses_bad_input():
    with pytest.raises(ValueError, match="lengths"):
        DataLoader(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(np.zeros(3), batch_size=0)


def test_add_noise_has_the_requested_spread_and_keeps_the_input():
    X = np.ones((200, 50))
    noisy = add_noise(X, std=0.5, seed=0)
    assert noisy.shape == X.shape
    assert abs((noisy - X).std() - 0.5) < 0.01 and abs((noisy - X).mean()) < 0.01
    np.testing.assert_array_equal(noisy, add_noise(X, std=0.5, seed=0))
    np.testing.assert_array_equal(X, 1.0)


def test_mixup_is_a_convex_combination_of_two_examples():
    # Every example its own class, so a soft label names both partners and the weight lam.
    n = 40
    X = np.random.default_rng(0).normal(size=(n, 3))
    y = np.arange(n)
    mixed_X, mixed_y = mixup(X, y, alpha=0.4, seed=1)
    assert mixed_y.shape == (n, n)
    np.testing.assert_allclose(mixed_y.sum(axis=1), 1.0)
    assert (mixed_y >= 0).all()
    for i in range(n):
        lam = mixed_y[i, i]
        assert 0.0 <= lam <= 1.0
        partners = np.flatnonzero(mixed_y[i])
        j = next(p for p in partners if p != i) if len(partners) == 2 else i
        np.testing.assert_allclose(mixed_X[i], lam * X[i] + (1 - lam) * X[j], atol=1e-12)
        np.testing.assert_allclose(mixed_y[i, j], 1 - lam if j != i else 1.0)
    assert len({tuple(np.flatnonzero(row)) for row in mixed_y}) > n // 2


def test_mixup_takes_soft_labels_and_checks_classes():
    X = np.zeros((4, 2))
    soft = np.full((4, 3), 1 / 3)
    np.testing.assert_allclose(mixup(X, soft, seed=0)[1], soft)
    with pytest.raises(ValueError, match="class indices"):
        mixup(X, np.array([0, 1, 2, 3]), n_classes=3)
    with pytest.raises(ValueError, match="alpha"):
        mixup(X, np.arange(4), alpha=0.0)


def test_load_digits_gives_scaled_pixels_and_labels():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.dtype == np.int64 and np.bincount(y).min() >= 170 and set(y.tolist()) == set(range(10))
    images, _ = load_digits(as_images=True)
    assert images.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), X)


def test_load_digits_without_scikit_learn_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'tracegrad\[digits\]'"):
        load_digits()


def test_mixup_builds_its_one_hot_rows_for_the_examples_not_a_square_of_classes():
    """n_classes=60000 for 4 examples had asked for 26.8 GiB (np.eye(n_classes))."""
    X, y = np.ones((4, 2)), np.array([0, 1, 2, 59999])
    _, soft = mixup(X, y, n_classes=60000, seed=0)
    assert soft.shape == (4, 60000) and np.allclose(soft.sum(axis=1), 1.0)
    for bad, words in (
        ({"alpha": float("inf")}, "alpha must be a finite number > 0"),
        ({"n_classes": 2.5}, "n_classes"),
    ):
        with pytest.raises(ValueError, match=words):
            mixup(X, np.array([0, 1, 0, 1]), **bad)


def test_a_setting_of_nan_infinity_or_text_is_refused_by_name():
    """noise=inf had made all-NaN data; a slope or margin of NaN a NaN loss; '0.1' a comparison error."""
    import nn

    for make, words in (
        (lambda: make_moons(10, noise=float("inf"), seed=0), "noise must be a finite number >= 0, got inf"),
        (lambda: make_moons(10, noise="0.1", seed=0), "noise must be a finite number >= 0, got '0.1'"),
        (lambda: make_blobs(10, cluster_std=float("inf"), seed=0), "cluster_std must be a finite number >= 0"),
        (lambda: nn.LeakyReLU(slope=float("nan")), "slope must be a finite number, got nan"),
        (lambda: nn.EarlyStopping(min_delta=float("inf")), "min_delta must be a finite number >= 0"),
    ):
        with pytest.raises(ValueError, match=words):
            make()
    assert nn.LeakyReLU(slope=-0.1).slope == -0.1  # any sign, as in PyTorch


def test_spiral_arms_are_spaced_as_linspace_spaces_them_and_many_arms_take_one_pass():
    rng = np.random.default_rng(7)
    X, y = make_spirals(301, n_classes=4, noise=0.3, seed=np.random.default_rng(7))
    arms, sizes = [], [76, 75, 75, 75]  # the first 301 % 4 arms get one more point
    for label, size in enumerate(sizes):  # the arms as np.linspace lays them out, one after another
        angle = np.linspace(4.0 * label, 4.0 * (label + 1), size) + 0.3 * rng.standard_normal(size)
        arms.append(
            np.stack([np.linspace(0.0, 1.0, size) * np.sin(angle), np.linspace(0.0, 1.0, size) * np.cos(angle)], 1)
        )
    order = rng.permutation(301)
    np.testing.assert_array_equal(X, np.concatenate(arms)[order])  # bit for bit
    np.testing.assert_array_equal(y, np.repeat(np.arange(4), sizes)[order])
    X, y = make_spirals(200_000, n_classes=100_000, seed=0)  # had been a Python loop per arm
    assert X.shape == (200_000, 2) and np.bincount(y).tolist() == [2] * 100_000


def test_drop_last_leaves_out_a_short_last_batch_and_fit_trains_batch_norm_with_it():
    X, y = np.arange(66.0).reshape(33, 2), np.arange(33) % 2
    loader = DataLoader(X, y, batch_size=16, shuffle=True, seed=0, drop_last=True)
    batches = list(loader)
    assert len(loader) == len(batches) == 2 and [len(b[1]) for b in batches] == [16, 16]
    assert len(DataLoader(X, y, batch_size=16)) == 3  # kept by default: 16, 16, 1
    assert len(DataLoader(X, y, batch_size=33, drop_last=True)) == 1
    # A batch of one stops batch norm's training; without it, the epoch trains (it had raised at the 33rd row).
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.BatchNorm1d(3), nn.Linear(3, 2, seed=1))
    with pytest.raises(ValueError, match="got 1 .* drop_last=True"):
        nn.fit(model, nn.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.01), (X, y), batch_size=16, epochs=1)
    history = nn.fit(model, nn.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.01), loader, epochs=2)
    assert len(history.per_step["loss"]) == 4
    with pytest.raises(TypeError, match="drop_last"):
        DataLoader(X, y, drop_last="yes")
    with pytest.raises(ValueError, match="drop_last=True with batch_size=40 and 33 examples leaves no batch"):
        DataLoader(X, y, batch_size=40, drop_last=True)  # (it had kept one batch of all 33)


def test_the_epoch_loss_is_the_mean_over_the_rows_trained_on():
    # A loss of exactly 1 per example: the epoch's mean is 1 with drop_last too (it had divided by all 10 rows: 0.6).
    X, y = np.zeros((10, 2)), np.zeros(10)
    model = nn.Linear(2, 1, seed=0)
    loss = lambda output, targets: (output * 0.0).sum() / len(targets) + 1.0
    loader = DataLoader(X, y, batch_size=6, drop_last=True)
    history = nn.fit(model, loss, nn.optim.SGD(model.parameters(), lr=0.1), loader, epochs=1)
    assert history.per_step["loss"] == [1.0] and history["loss"] == [1.0]
