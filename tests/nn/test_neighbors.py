"""k-nearest neighbours against scikit-learn's KNeighborsClassifier and hand-made examples."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

import nn
from nn.data import load_digits, train_test_split


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits()
    return train_test_split(X, y, test_size=0.25, seed=1, stratify=y)


@pytest.mark.parametrize("k", [1, 3, 5, 10])
def test_predictions_equal_scikit_learn_on_digits(digits_split, k):
    X_train, X_test, y_train, y_test = digits_split
    ours = nn.KNNClassifier(k=k).fit(X_train, y_train)
    theirs = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-15)
    distances, _ = ours.kneighbors(X_test[:50])
    their_distances, _ = theirs.kneighbors(X_test[:50])
    np.testing.assert_allclose(distances, their_distances, atol=1e-9)
    assert ours.score(X_test, y_test) == theirs.score(X_test, y_test)


def test_votes_by_hand():
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    y = np.array(["a", "a", "b", "b", "b"])
    knn = nn.KNNClassifier(k=3).fit(X, y)
    np.testing.assert_allclose(knn.predict_proba([[0.4], [10.5]]), [[2 / 3, 1 / 3], [0, 1]])
    np.testing.assert_array_equal(knn.predict([[0.4], [10.5]]), ["a", "b"])
    distances, indices = knn.kneighbors([[1.9]])
    np.testing.assert_allclose(distances, [[0.1, 0.9, 1.9]])
    np.testing.assert_array_equal(indices, [[2, 1, 0]])
    assert knn.n_stored_numbers_ == 5


@pytest.mark.parametrize("offset", [1e6, 1.7e9])
def test_features_far_from_zero_find_the_true_neighbours(offset):
    rng = np.random.default_rng(0)
    X_train, X_test = rng.standard_normal((300, 2)) + offset, rng.standard_normal((50, 2)) + offset
    y_train = rng.integers(0, 3, 300)
    knn = nn.KNNClassifier(k=5).fit(X_train, y_train)
    exact = np.linalg.norm((X_test - offset)[:, None, :] - (X_train - offset)[None, :, :], axis=2)
    distances, indices = knn.kneighbors(X_test)
    np.testing.assert_array_equal(indices, np.argsort(exact, axis=1, kind="stable")[:, :5])
    np.testing.assert_allclose(distances, np.sort(exact, axis=1)[:, :5], atol=1e-6)
    theirs = KNeighborsClassifier(n_neighbors=5, algorithm="kd_tree").fit(X_train, y_train)
    np.testing.assert_array_equal(knn.predict(X_test), theirs.predict(X_test))


def test_one_timestamp_feature():
    knn = nn.KNNClassifier(k=1).fit([[1.7e9], [1.7e9 + 40]], [0, 1])
    distances, indices = knn.kneighbors([[1.7e9 + 30]])
    assert indices.tolist() == [[1]] and distances.tolist() == [[10.0]]


def test_memory_is_bounded_by_blocks(monkeypatch, digits_split):
    X_train, X_test, y_train, _ = digits_split
    whole = nn.KNNClassifier(k=3).fit(X_train, y_train).predict(X_test)
    monkeypatch.setattr(nn.neighbors, "DISTANCE_BLOCK", 7 * len(X_train))  # 7 test rows per block
    np.testing.assert_array_equal(nn.KNNClassifier(k=3).fit(X_train, y_train).predict(X_test), whole)


def test_bad_arguments_are_refused():
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="k=5 neighbours"):
        nn.KNNClassifier(k=5).fit(X, y)
    with pytest.raises(ValueError, match="k"):
        nn.KNNClassifier(k=0).fit(X, y)
    with pytest.raises(RuntimeError, match="not fitted"):
        nn.KNNClassifier().predict(X)
    with pytest.raises(ValueError, match="shape"):
        nn.KNNClassifier(k=1).fit(X, y).predict(np.zeros((2, 3)))


@pytest.mark.parametrize(("k", "message"), [(0, "k must be an int >= 1, got 0"), (5, "k=5 neighbours asked for")])
def test_a_k_set_after_fitting_is_checked_when_predicting(k, message):
    # k=0 had given nan probabilities and class 0 everywhere; k=5 numpy's "kth(=4) out of bounds".
    model = nn.KNNClassifier(k=1).fit(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 1, 0, 1]))
    model.set_params(k=k)
    with pytest.raises(ValueError, match=message):
        model.predict(np.zeros((2, 1)))


def test_features_far_from_zero_keep_the_shortlist_short():
    import tracemalloc

    rng = np.random.default_rng(0)
    X_train, X_test = 1e9 + rng.standard_normal((500, 16)), 1e9 + rng.standard_normal((500, 16))
    knn = nn.KNNClassifier(k=5).fit(X_train, rng.integers(0, 2, 500))
    tracemalloc.start()
    try:
        _, indices = knn.kneighbors(X_test)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    exact = ((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(indices, np.argsort(exact, axis=1, kind="stable")[:, :5])
    assert peak < 20e6  # the distance arrays, about 2 MB each (every pair on the shortlist took 96 MB)
