"""nn.model_selection: cross_validate's folds and scores, Bagging's averaging, votes and out-of-bag score."""

import numpy as np
import pytest

from nn.classifiers import MLPClassifier, Perceptron, SoftmaxClassifier
from nn.data import bootstrap, k_fold, make_blobs, make_moons, train_test_split
from nn.model_selection import Bagging, OneClass, cross_validate
from nn.neighbors import KNNClassifier


class ClassFrequencies:
    """A transparent model for checking the plumbing: it predicts the class shares it was trained on."""

    def __init__(self):
        self.fitted_on = None

    def get_params(self):
        return {}

    def fit(self, X, y):
        self.fitted_on = np.asarray(X)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.shares_ = counts / counts.sum()
        return self

    def predict_proba(self, X):
        return np.tile(self.shares_, (len(X), 1))

    def predict(self, X):
        return np.full(len(X), self.classes_[self.shares_.argmax()])

    def score(self, X, y):
        return float(np.mean(self.predict(X) == y))


def test_cross_validate_scores_a_fresh_model_on_each_fold():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    scores = cross_validate(ClassFrequencies(), X, y, k=5, seed=3)
    assert scores.shape == (5,)
    expected = []
    for train, validation in k_fold(10, 5, seed=3):
        classes, counts = np.unique(y[train], return_counts=True)
        majority = classes[counts.argmax()]
        expected.append(np.mean(y[validation] == majority))
    np.testing.assert_array_equal(scores, expected)


def test_cross_validate_takes_a_factory_and_a_scoring_function():
    X, y = make_blobs(n_samples=60, n_classes=2, cluster_std=0.5, seed=0)
    seen = []

    def scoring(model, X_val, y_val):
        seen.append(len(X_val))
        return 0.5

    scores = cross_validate(lambda: Perceptron(seed=0), X, y, k=4, scoring=scoring, seed=0)
    assert scores.tolist() == [0.5] * 4 and seen == [15] * 4


def test_cross_validate_gives_one_score_per_fold_for_a_real_classifier():
    X, y = make_blobs(n_samples=150, n_classes=3, cluster_std=1.0, seed=1)
    scores = cross_validate(SoftmaxClassifier(epochs=20, seed=0), X, y, k=3, seed=0)
    assert scores.shape == (3,) and (scores >= 0.95).all() and (scores <= 1.0).all()


def test_cross_validate_refuses_what_is_not_a_model():
    X, y = np.zeros((6, 1)), np.array([0, 1] * 3)
    with pytest.raises(TypeError, match="no fit"):
        cross_validate(lambda: 42, X, y, k=2)
    with pytest.raises(TypeError, match="estimator"):
        cross_validate(42, X, y, k=2)
    with pytest.raises(ValueError, match="examples"):
        cross_validate(ClassFrequencies(), X, y[:5], k=2)


def test_bagging_averages_members_fitted_on_bootstrap_samples():
    X = np.arange(40.0).reshape(20, 2)
    y = np.array([0] * 12 + [1] * 5 + [2] * 3)
    bag = Bagging(ClassFrequencies(), n_estimators=6, seed=7).fit(X, y)
    rng = np.random.default_rng(7)
    expected_shares = []
    for member, out_of_bag in zip(bag.estimators_, bag.out_of_bag_):
        sample, expected_out_of_bag = bootstrap(20, seed=rng)
        rng.integers(2**31)  # the member's seed, drawn whether or not it takes one
        np.testing.assert_array_equal(member.fitted_on, X[sample])
        np.testing.assert_array_equal(out_of_bag, expected_out_of_bag)
        expected_shares.append(np.bincount(y[sample], minlength=3) / 20)
    np.testing.assert_allclose(bag.predict_proba(X[:2]), np.tile(np.mean(expected_shares, axis=0), (2, 1)))
    assert bag.predict(X[:1]).tolist() == [0]


def test_bagging_maps_members_missing_a_class_to_the_right_column():
    X = np.zeros((10, 1))
    y = np.array([0] * 9 + [5])
    bag = Bagging(ClassFrequencies(), n_estimators=20, seed=0).fit(X, y)
    assert bag.classes_.tolist() == [0, 5]
    assert any(5 not in member.classes_ for member in bag.estimators_)
    probabilities = bag.predict_proba(X[:1])[0]
    assert probabilities.sum() == pytest.approx(1.0)
    expected = np.mean([m.shares_[-1] if 5 in m.classes_ else 0.0 for m in bag.estimators_])
    assert probabilities[1] == pytest.approx(expected)


def test_bagging_a_rare_class_gives_one_class_members_where_a_sample_misses_it():
    # 3 positives of 20: about one bootstrap sample in twenty holds none, and KNN refuses a single class.
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.array([1] * 3 + [0] * 17)
    bags = [Bagging(KNNClassifier(1), n_estimators=10, seed=seed).fit(X, y) for seed in range(20)]
    lone = [m for bag in bags for m in bag.estimators_ if isinstance(m, OneClass)]
    assert lone and all(m.classes_.tolist() == [0] for m in lone)  # (it had raised "needs at least 2 classes")
    bag = next(bag for bag in bags if any(isinstance(m, OneClass) for m in bag.estimators_))
    members = np.stack([m.predict(X) for m in bag.estimators_])
    np.testing.assert_array_equal(bag.predict_proba(X)[:, 1], (members == 1).mean(axis=0))


def test_bagging_votes_when_members_have_no_probabilities():
    X, y = make_blobs(n_samples=80, n_classes=2, cluster_std=0.8, seed=3)
    bag = Bagging(Perceptron(seed=0), n_estimators=5, seed=0).fit(X, y)
    votes = bag.decision_function(X)
    members = np.stack([m.predict(X) for m in bag.estimators_])
    np.testing.assert_allclose(votes[:, 1], (members == bag.classes_[1]).mean(axis=0))
    assert bag.score(X, y) == 1.0
    with pytest.raises(AttributeError, match="Perceptron has no predict_proba"):
        bag.predict_proba(X)


def test_bagging_of_mlps_generalises_and_its_out_of_bag_score_estimates_it():
    X, y = make_moons(n_samples=300, noise=0.25, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=0)
    bag = Bagging(MLPClassifier(hidden_sizes=(32,), lr=0.02, epochs=15, seed=0), n_estimators=5, seed=1)
    bag.fit(X_train, y_train)
    test_accuracy = bag.score(X_test, y_test)
    assert test_accuracy >= 0.9
    assert abs(bag.oob_score_ - test_accuracy) < 0.08
    assert len(bag.estimators_) == 5 and bag.get_params()["n_estimators"] == 5


def test_bagging_gives_each_seeded_member_its_own_seed():
    X, y = make_blobs(n_samples=40, n_classes=2, seed=0)
    bag = Bagging(Perceptron(seed=5), n_estimators=4, seed=2).fit(X, y)
    rng = np.random.default_rng(2)
    for member in bag.estimators_:
        bootstrap(40, seed=rng)
        assert member.seed == int(rng.integers(2**31))
    assert len({member.seed for member in bag.estimators_}) == 4


def test_bagging_refuses_a_bad_count_and_unfitted_use():
    with pytest.raises(ValueError, match="n_estimators"):
        Bagging(ClassFrequencies(), n_estimators=0).fit(np.zeros((4, 1)), [0, 1, 0, 1])
    with pytest.raises(RuntimeError, match="not fitted"):
        Bagging(ClassFrequencies()).predict_proba(np.zeros((4, 1)))


def test_a_class_is_taken_as_a_function_that_returns_a_new_model():
    X, y = make_blobs(60, 3, seed=0)
    by_class = cross_validate(Perceptron, X, y, k=3, seed=0)  # (it had failed: get_params() missing 'self')
    by_factory = cross_validate(lambda: Perceptron(), X, y, k=3, seed=0)
    np.testing.assert_array_equal(by_class, by_factory)
    assert Bagging(Perceptron, n_estimators=2, seed=0).fit(X, y).score(X, y) > 0.9


def test_nested_parameters_reach_the_estimator_set_with_them_and_clones_share_nothing():
    """As scikit-learn: estimator=new, estimator__lr=9 sets new's lr; a clone copies the inner estimator."""
    from nn.classifiers import clone

    bag = Bagging(Perceptron(lr=0.2))
    new = Perceptron(lr=0.2)
    bag.set_params(estimator=new, estimator__lr=9.0)  # (the 9 had gone to the old estimator)
    assert bag.estimator is new and new.lr == 9.0
    copy = clone(bag)
    assert copy.estimator is not bag.estimator  # (a clone had shared it: changing one changed both)
    copy.set_params(estimator__lr=5.0)
    assert bag.estimator.lr == 9.0 and copy.estimator.lr == 5.0


def test_more_folds_than_examples_says_so():
    with pytest.raises(ValueError, match="k=50 folds need at least 50 examples, one per fold; got 20"):
        list(k_fold(20, k=50))
    with pytest.raises(ValueError, match="k=50 folds need at least 50 examples"):
        cross_validate(SoftmaxClassifier(epochs=1), np.zeros((20, 2)), np.arange(20) % 2, k=50)
