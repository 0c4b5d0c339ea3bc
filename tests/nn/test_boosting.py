"""Gradient boosting: stages reproduced by hand, a loss that never rises, and ensembles that beat one member."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.data import load_digits, make_moons, train_test_split


def _regression_data(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 + 0.1 * rng.normal(size=n)
    return X, y


def test_two_regression_stages_reproduced_by_hand():
    X, y = _regression_data()
    boosted = nn.GradientBoostingRegressor(n_stages=2, shrinkage=0.5, epochs=20, lr=0.05, seed=3).fit(X, y)

    rng = np.random.default_rng(3)
    outputs = np.full(len(y), y.mean())
    expected = []
    for _ in range(2):
        residual = y - outputs  # the negative gradient of (F - y)^2 / 2
        member = nn.MLP([2, 8, 1], activation="tanh", seed=int(rng.integers(2**31)))
        optimizer = nn.optim.Adam(member.parameters(), lr=0.05)
        nn.fit(member, nn.mse_loss, optimizer, (X, residual[:, None]), epochs=20, seed=rng, progress=False)
        change = nn.predict(member, X)[:, 0]
        step = residual @ change / (change @ change)  # the exact line search of the squared error
        outputs = outputs + 0.5 * step * change
        expected.append(outputs)

    staged = list(boosted.staged_predict(X))
    assert len(staged) == 2
    np.testing.assert_allclose(staged[0], expected[0], rtol=0, atol=1e-7)
    np.testing.assert_allclose(staged[1], expected[1], rtol=0, atol=1e-7)
    np.testing.assert_allclose(boosted.predict(X), expected[1], rtol=0, atol=1e-7)
    np.testing.assert_allclose(boosted.init_, [y.mean()])


def test_boosting_linear_models_converges_to_least_squares():
    X, y = _regression_data(seed=1)
    boosted = nn.GradientBoostingRegressor(
        n_stages=50, shrinkage=1.0, base_model=nn.boosting.linear_model, epochs=200, lr=0.1, seed=0
    ).fit(X, y)
    design = np.column_stack([X, np.ones(len(X))])
    least_squares = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(boosted.predict(X), least_squares, atol=1e-6)
    r2 = 1 - ((y - least_squares) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert boosted.score(X, y) == pytest.approx(r2, abs=1e-9)


@pytest.mark.parametrize("shrinkage", [0.05, 0.3])
def test_training_loss_never_rises(shrinkage):
    X, y = make_moons(200, noise=0.3, seed=0)
    boosted = nn.GradientBoostingClassifier(n_stages=15, shrinkage=shrinkage, epochs=10, lr=0.05, seed=0).fit(X, y)
    losses = np.array(boosted.train_loss_)
    assert len(losses) == 16
    assert losses[0] == pytest.approx(np.log(2), abs=1e-3)  # the start: the class frequencies (100 and 100)
    assert np.all(np.diff(losses) <= 1e-12)
    assert losses[-1] < losses[0] - 0.1
    X_r, y_r = _regression_data()
    regression = nn.GradientBoostingRegressor(n_stages=10, shrinkage=shrinkage, epochs=10, seed=0).fit(X_r, y_r)
    assert np.all(np.diff(regression.train_loss_) <= 1e-12)


def test_classifier_negative_gradient_is_one_hot_minus_softmax():
    boosted = nn.GradientBoostingClassifier()
    logits = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 3.0]])
    targets = np.array([2, 0])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    one_hot = np.eye(3)[targets]
    np.testing.assert_allclose(boosted.negative_gradient(logits, targets), one_hot - probabilities, atol=1e-15)
    logits_tensor = Tensor(logits)
    assert boosted.loss(logits_tensor, targets).data == pytest.approx(-np.log(probabilities[[0, 1], targets]).mean())


def test_beats_its_single_base_model_on_moons():
    X, y = make_moons(300, noise=0.25, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=0)
    boosted = nn.GradientBoostingClassifier(
        n_stages=30, shrinkage=0.5, base_model=nn.boosting.small_mlp(2), epochs=30, lr=0.05, seed=0
    ).fit(X_train, y_train)
    single = nn.MLPClassifier((2,), "tanh", lr=0.05, epochs=30, batch_size=None, alpha=0, seed=0).fit(X_train, y_train)
    # seen: boosted 0.91, single 0.86 on the test split
    assert boosted.score(X_test, y_test) >= single.score(X_test, y_test) + 0.04
    staged = [np.mean(labels == y_test) for labels in boosted.staged_predict(X_test)]
    assert len(staged) == 30 and staged[-1] == boosted.score(X_test, y_test)
    probabilities = boosted.predict_proba(X_test)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(boosted.classes_[probabilities.argmax(axis=1)], boosted.predict(X_test))


def test_beats_its_single_base_model_on_digits():
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=1, stratify=y)
    options = {"epochs": 10, "lr": 0.05, "batch_size": 128, "seed": 0}
    boosted = nn.GradientBoostingClassifier(
        n_stages=20, shrinkage=0.5, base_model=nn.boosting.small_mlp(4), **options
    ).fit(X_train, y_train)
    single = nn.MLPClassifier((4,), "tanh", alpha=0, **options).fit(X_train, y_train)
    # seen: boosted 0.964, single 0.887 on the test split
    assert boosted.score(X_test, y_test) >= single.score(X_test, y_test) + 0.05
    assert boosted.score(X_test, y_test) >= 0.95


def test_bad_arguments_and_unfitted_use_are_refused():
    X, y = _regression_data()
    with pytest.raises(ValueError, match="shrinkage"):
        nn.GradientBoostingRegressor(shrinkage=0).fit(X, y)
    with pytest.raises(ValueError, match="n_stages"):
        nn.GradientBoostingRegressor(n_stages=0).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        nn.GradientBoostingRegressor().fit(X, np.where(y > 0, np.nan, y))
    with pytest.raises(RuntimeError, match="not fitted"):
        nn.GradientBoostingRegressor().predict(X)
    with pytest.raises(RuntimeError, match="not fitted"):
        nn.GradientBoostingClassifier().predict(X)
    fitted = nn.GradientBoostingRegressor(n_stages=1, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="2 features"):
        fitted.predict(np.zeros((3, 5)))
    assert repr(nn.GradientBoostingClassifier(n_stages=3)).startswith("GradientBoostingClassifier(n_stages=3,")
    assert nn.clone(nn.GradientBoostingClassifier(n_stages=3), shrinkage=0.2).get_params()["shrinkage"] == 0.2


def test_score_is_scikit_learns_r2_for_several_outputs_and_constant_columns():
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3))
    y = np.stack([X @ [1.0, -2.0, 0.5], 10 * np.sin(X[:, 0]), np.full(40, 3.0)], axis=1)
    boosted = nn.GradientBoostingRegressor(n_stages=3, shrinkage=0.5, epochs=5, lr=0.05, seed=0).fit(X, y)
    predicted = boosted.predict(X)
    assert boosted.score(X, y) == pytest.approx(r2_score(y, predicted), abs=1e-12)  # uniform average, 0 for column 3
    single = nn.GradientBoostingRegressor(n_stages=2, epochs=5, lr=0.05, seed=0).fit(X, y[:, 0])
    assert single.score(X, y[:, 0]) == pytest.approx(r2_score(y[:, 0], single.predict(X)), abs=1e-12)
    with pytest.raises(ValueError, match="predictions' shape"):
        single.score(X, y[:, :2])


def test_the_regressor_takes_images_as_rows_of_pixels_as_the_classifier_does():
    images = np.random.default_rng(0).normal(size=(30, 2, 3))
    y = images.sum(axis=(1, 2))
    options = {"n_stages": 2, "epochs": 2, "seed": 0}
    on_images = nn.GradientBoostingRegressor(**options).fit(images, y)
    on_rows = nn.GradientBoostingRegressor(**options).fit(images.reshape(30, 6), y)
    assert on_images.n_features_in_ == 6
    np.testing.assert_array_equal(on_images.predict(images), on_rows.predict(images.reshape(30, 6)))
