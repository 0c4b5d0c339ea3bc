"""nn.classifiers: the perceptron rule, the linear SVM and softmax classifiers, MLPClassifier's options."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.classifiers import LinearSVM, MLPClassifier, Perceptron, SoftmaxClassifier, clone
from nn.data import load_digits, make_blobs, make_moons, train_test_split


def separable_points(n=200, seed=0):
    """Points labelled by the side of the line 2x - y + 0.5 = 0, with no point closer than 0.2 to it."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(4 * n, 2))
    side = 2 * X[:, 0] - X[:, 1] + 0.5
    keep = np.abs(side) / np.sqrt(5) > 0.2
    return X[keep][:n], (side[keep][:n] > 0).astype(int)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, n_classes=3, cluster_std=1.5, seed=4)
    return train_test_split(X, y, test_size=0.3, seed=0, stratify=y)


def test_perceptron_separates_a_linearly_separable_set_perfectly():
    X, y = separable_points()
    model = Perceptron(seed=0).fit(X, y)
    assert model.converged_ and model.mistakes_[-1] == 0 and model.mistakes_[0] > 0
    assert model.score(X, y) == 1.0
    # Two classes, one unit: its line w.x + b = 0 separates them, positive on the side of classes_[1].
    assert model.coef_.shape == (1, 2) and model.intercept_.shape == (1,)
    scores = model.decision_function(X)
    np.testing.assert_array_equal(scores[:, 0] > 0, y == 1)
    # The learnt line is the true one (2x - y + 0.5 = 0) up to scale, near enough for the 0.2 gap.
    direction = np.append(model.coef_[0], model.intercept_[0]) / np.linalg.norm(model.coef_[0])
    assert np.allclose(direction[:2], np.array([2, -1]) / np.sqrt(5), atol=0.2)


def test_perceptron_learns_and_with_the_rule_traced_by_hand():
    # The AND gate (notebook 04) with one step unit, lr 1, examples in order, weights from 0.
    # Epoch 1: only [1,1] is wrong (wants 1, step(0) = 0): w += [1,1], b += 1.
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0, 0, 0, 1])
    model = Perceptron(lr=1.0, epochs=1, shuffle=False).fit(X, y)
    np.testing.assert_array_equal(model.coef_, [[1.0, 1.0]])
    np.testing.assert_array_equal(model.intercept_, [1.0])
    assert model.mistakes_ == [1] and not model.converged_
    # Epoch 2: [0,0] fires (b -> 0), [0,1] fires (w -> [1,0], b -> -1), [1,1] is silent (w -> [2,1], b -> 0);
    # epochs 3-6 go on the same way by hand until w = [2, 1], b = -2: x1 + x2/2 > 1 only for [1,1].
    model = Perceptron(lr=1.0, epochs=50, shuffle=False).fit(X, y)
    assert model.mistakes_ == [1, 3, 3, 2, 1, 0] and model.converged_
    np.testing.assert_array_equal(model.coef_, [[2.0, 1.0]])
    np.testing.assert_array_equal(model.intercept_, [-2.0])
    assert model.predict(X).tolist() == [0, 0, 0, 1]


def test_perceptron_has_one_unit_per_class_for_more_classes():
    # Three corners of a triangle, each its own class: unit c must fire for corner c only.
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    y = np.array([0, 1, 2])
    model = Perceptron(lr=1.0, epochs=1, shuffle=False).fit(X, y)
    # Epoch 1 by hand. [0,0]: no unit fires; unit 0 wants 1 -> b0 = 1. [4,0]: unit 0 fires (b0 = 1), unit 1 does
    # not: w0 -= [4,0], b0 = 0; w1 += [4,0], b1 = 1. [0,4]: unit 1 fires (b1 = 1), unit 2 does not:
    # w1 -= [0,4], b1 = 0; w2 += [0,4], b2 = 1.
    np.testing.assert_array_equal(model.coef_, [[-4.0, 0.0], [4.0, -4.0], [0.0, 4.0]])
    np.testing.assert_array_equal(model.intercept_, [0.0, 0.0, 1.0])
    assert model.mistakes_ == [3]
    model = Perceptron(lr=1.0, epochs=20, shuffle=False).fit(X, y)
    assert model.converged_ and model.predict(X).tolist() == [0, 1, 2]
    assert model.decision_function(X).shape == (3, 3)


def test_perceptron_stops_at_the_epoch_limit_on_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0, 1, 1, 0])
    model = Perceptron(epochs=20, seed=0).fit(X, y)
    assert len(model.mistakes_) == 20 and not model.converged_
    assert model.score(X, y) < 1.0


def test_linear_svm_reaches_high_accuracy_on_blobs(blobs):
    X_train, X_test, y_train, y_test = blobs
    model = LinearSVM(seed=0, epochs=30).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.97
    assert model.decision_function(X_test).shape == (len(X_test), 3)
    assert model.coef_.shape == (3, 2) and model.intercept_.shape == (3,)


def test_linear_svm_scores_beat_the_others_by_the_margin_on_easy_data():
    # Far apart blobs and no penalty: training drives the hinge loss to 0, i.e. every margin >= 1.
    X, y = make_blobs(n_samples=60, n_classes=3, cluster_std=0.3, seed=1)
    model = LinearSVM(alpha=0.0, lr=0.05, epochs=200, seed=0).fit(X, y)
    scores = model.decision_function(X)
    correct = scores[np.arange(len(y)), y]
    others = np.where(np.eye(3, dtype=bool)[y], -np.inf, scores).max(axis=1)
    assert (correct - others >= 1.0 - 1e-6).all()
    assert model.history_["loss"][-1] == pytest.approx(0.0, abs=1e-12)


def test_softmax_classifier_reaches_high_accuracy_and_gives_probabilities(blobs):
    X_train, X_test, y_train, y_test = blobs
    model = SoftmaxClassifier(seed=0, epochs=30).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.97
    probabilities = model.predict_proba(X_test)
    assert probabilities.shape == (len(X_test), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(probabilities.argmax(axis=1), model.predict(X_test))
    scores = model.decision_function(X_test)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-12)


@pytest.fixture(scope="module")
def digits_images():
    pytest.importorskip("sklearn")
    X, y = load_digits(as_images=True)
    return X[:, 0], y


def test_softmax_templates_have_the_image_shape_and_look_like_their_class(digits_images):
    images, y = digits_images
    model = SoftmaxClassifier(seed=0, epochs=10, lr=0.1).fit(images[:1000], y[:1000])
    templates = model.templates()
    assert templates.shape == (10, 8, 8)
    np.testing.assert_array_equal(templates.reshape(10, 64), model.coef_)
    assert model.templates(image_shape=(64,)).shape == (10, 64)
    with pytest.raises(ValueError, match="image_shape"):
        model.templates(image_shape=(7, 7))
    # A template matches its own class's average image better than any other class's.
    centred = images - images.mean(axis=0)
    means = np.stack([centred[y == c].mean(axis=0) for c in range(10)]).reshape(10, 64)
    match = templates.reshape(10, 64) @ means.T
    assert (match.argmax(axis=1) == np.arange(10)).sum() >= 9
    flat = SoftmaxClassifier(seed=0, epochs=1).fit(images[:200].reshape(200, 64), y[:200])
    assert flat.templates().shape == (10, 64) and flat.templates((8, 8)).shape == (10, 8, 8)


def test_classifiers_keep_any_labels():
    X, y = make_blobs(n_samples=90, n_classes=3, cluster_std=0.5, seed=2)
    names = np.array(["cat", "dog", "emu"])[y]
    for model in [Perceptron(seed=0), SoftmaxClassifier(seed=0, epochs=20), LinearSVM(seed=0, epochs=20)]:
        model.fit(X, names)
        assert model.classes_.tolist() == ["cat", "dog", "emu"]
        assert model.predict(X[:5]).tolist() == names[:5].tolist()
        assert model.score(X, names) >= 0.95


def test_mlp_classifier_solves_moons_and_records_its_history():
    X, y = make_moons(n_samples=200, noise=0.1, seed=0)
    model = MLPClassifier(hidden_sizes=(32, 32), lr=0.01, epochs=40, seed=0).fit(X, y)
    assert model.score(X, y) >= 0.97
    assert len(model.history_) == 40 and len(model.history_.per_step["loss"]) == 40 * 7
    assert model.history_["loss"][-1] < model.history_["loss"][0]
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_mlp_classifier_takes_each_optimizer_by_name(optimizer):
    X, y = make_blobs(n_samples=60, n_classes=2, cluster_std=0.5, seed=0)
    lr = {"sgd": 0.1, "adagrad": 0.1}.get(optimizer, 0.05)
    model = MLPClassifier(hidden_sizes=(8,), optimizer=optimizer, lr=lr, epochs=10, seed=0).fit(X, y)
    assert model.score(X, y) == 1.0


def test_mlp_classifier_early_stopping_keeps_the_best_validation_epoch():
    X, y = make_moons(n_samples=120, noise=0.3, seed=1)
    model = MLPClassifier(hidden_sizes=(64,), lr=0.05, epochs=200, early_stopping=True, patience=5, seed=0)
    model.fit(X, y)
    history = model.history_
    assert len(history) < 200
    assert len(history) == history.best_epoch("val_loss") + 1 + 5
    assert "val_accuracy" in history


def test_mlp_classifier_loss_is_cross_entropy_plus_alpha_times_the_squared_weights():
    # Rebuild the starting network from the same seed and compute the first full-batch loss independently.
    X, y = make_blobs(n_samples=40, n_classes=3, seed=0)
    model = MLPClassifier(hidden_sizes=(5,), alpha=0.3, epochs=1, batch_size=None, seed=4).fit(X, y)
    start = nn.MLP([2, 5, 3], seed=int(np.random.default_rng(4).integers(2**31)))
    logits = start(Tensor(X)).data
    log_softmax = logits - logits.max(axis=1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
    penalty = sum((layer.weight.data**2).sum() for layer in (start[0], start[2]))
    expected = -log_softmax[np.arange(40), y].mean() + 0.3 * penalty
    assert model.history_.per_step["loss"] == [pytest.approx(expected, rel=1e-12)]


def test_mlp_classifier_l2_penalty_shrinks_the_weights():
    X, y = make_moons(n_samples=100, noise=0.2, seed=0)
    norms = []
    for alpha in [0.0, 0.1]:
        model = MLPClassifier(hidden_sizes=(16,), lr=0.01, epochs=30, alpha=alpha, seed=0).fit(X, y)
        norms.append(sum(float((p.data**2).sum()) for p in model.network_.parameters()))
    assert norms[1] < 0.7 * norms[0]


def test_get_params_clone_and_repr():
    model = MLPClassifier(hidden_sizes=(5,), lr=0.1, seed=3)
    params = model.get_params()
    assert params["hidden_sizes"] == (5,) and params["lr"] == 0.1 and params["seed"] == 3
    copy = clone(model)
    assert type(copy) is MLPClassifier and copy.get_params() == params and copy is not model
    assert repr(model).startswith("MLPClassifier(hidden_sizes=(5,), activation='relu'")
    with pytest.raises(TypeError, match="get_params"):
        clone(object())


def test_set_params_and_scikit_learns_own_clone_work_on_every_classifier():
    """The scikit-learn contract: get_params(deep=...), set_params returning self; sklearn.base.clone uses both."""
    sklearn_base = pytest.importorskip("sklearn.base")
    for model in (Perceptron(), LinearSVM(), SoftmaxClassifier(), MLPClassifier(), nn.GradientBoostingClassifier()):
        params = model.get_params(deep=True)
        assert model.set_params(seed=7) is model and model.get_params(deep=False)["seed"] == 7
        copy = sklearn_base.clone(model)  # (it had failed: get_params() got an unexpected keyword argument 'deep')
        assert type(copy) is type(model) and copy.get_params() == {**params, "seed": 7}
    with pytest.raises(ValueError, match="MLPClassifier has no parameter 'epoch'; its parameters are hidden_sizes"):
        MLPClassifier().set_params(epoch=3)


def test_an_mlp_classifier_takes_one_layer_size_as_a_number():
    X, y = make_blobs(60, 3, seed=0)
    one_layer = MLPClassifier(hidden_sizes=16, epochs=2, seed=0).fit(X, y)
    as_tuple = MLPClassifier(hidden_sizes=(16,), epochs=2, seed=0).fit(X, y)
    np.testing.assert_array_equal(one_layer.predict_proba(X), as_tuple.predict_proba(X))
    with pytest.raises(ValueError, match="hidden_sizes must be a layer size or a sequence of them"):
        MLPClassifier(hidden_sizes=(16, 0), epochs=1).fit(X, y)


def test_the_linear_svm_loss_is_the_hinge_sum_over_the_classes_as_torchs_multi_margin_loss():
    """The docstring's loss, sum_j max(0, s_j - s_y + margin) / C averaged over rows, is torch's multi_margin_loss."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    scores, labels = rng.normal(size=(8, 4)), rng.integers(0, 4, 8)
    ours = LinearSVM(margin=0.5)._data_loss(Tensor(scores), labels).item()
    by_formula = np.mean(
        [sum(max(0.0, s[j] - s[y] + 0.5) for j in range(4) if j != y) / 4 for s, y in zip(scores, labels)]
    )
    theirs = torch.nn.functional.multi_margin_loss(torch.tensor(scores), torch.tensor(labels), margin=0.5).item()
    assert ours == pytest.approx(by_formula, rel=1e-12) and ours == pytest.approx(theirs, rel=1e-12)


def test_classifiers_refuse_bad_input():
    X, y = make_blobs(n_samples=30, n_classes=2, seed=0)
    unfitted_uses = [
        lambda: SoftmaxClassifier().predict(X),
        lambda: MLPClassifier().predict_proba(X),
        lambda: Perceptron().decision_function(X),
        lambda: LinearSVM().templates(),
        lambda: LinearSVM().coef_,
    ]
    for use in unfitted_uses:
        with pytest.raises(RuntimeError, match="not fitted"):
            use()
    with pytest.raises(ValueError, match="one row per example"):
        Perceptron().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="one label per example"):
        Perceptron().fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        Perceptron().fit(X, np.zeros(30))
    with pytest.raises(ValueError, match="NaN"):
        Perceptron().fit(np.full((3, 2), np.nan), [0, 1, 0])
    with pytest.raises(ValueError, match="unknown optimizer 'adma'"):
        MLPClassifier(optimizer="adma").fit(X, y)
    model = Perceptron(seed=0).fit(X, y)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        model.predict(np.zeros((4, 3)))


def test_a_continuous_or_nan_target_is_refused_as_in_scikit_learn():
    """A float target had trained a 20-class model; NaN had become a class."""
    X = np.random.default_rng(0).normal(size=(20, 2))
    for y, words in ((np.random.default_rng(1).random(20), "fractions"), (np.r_[np.nan, np.ones(19)], "NaN")):
        for model in (SoftmaxClassifier(epochs=1), nn.GradientBoostingClassifier(n_stages=1, epochs=1)):
            with pytest.raises(ValueError, match=f"y must hold class labels .* {words}"):
                model.fit(X, y)
    assert SoftmaxClassifier(epochs=1).fit(X, np.r_[np.zeros(10), np.ones(10)]).classes_.tolist() == [0.0, 1.0]


def test_fractional_labels_in_an_object_column_are_refused_too():
    X, y = make_moons(60, seed=0)
    with pytest.raises(ValueError, match="fractions"):
        Perceptron().fit(X, np.array(y + 0.5, dtype=object))  # (it had trained on classes 0.5 and 1.5)
    assert Perceptron().fit(X, np.array(["a", "b"] * 30, dtype=object)).classes_.tolist() == ["a", "b"]


def test_labels_of_kinds_that_cannot_be_sorted_together_are_named():
    with pytest.raises(ValueError, match="y must hold class labels of one kind, but it holds NoneType, str"):
        MLPClassifier(epochs=1).fit(np.zeros((3, 2)), np.array(["a", None, "b"], dtype=object))
