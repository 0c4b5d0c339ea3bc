"""Learning, asserted on seeded data: the networks reach the accuracies the notebooks reach.

These are the slow tests of nn (a few seconds each): real training runs with modest epoch counts.
"""

import pytest

import nn
from nn.data import load_digits, make_spirals, train_test_split
from nn.training import accuracy, fit, predict


@pytest.fixture(scope="module")
def digits():
    """A stratified 75/25 split of the 1,797 digits as (n, 1, 8, 8) images.

    Split seed 1: on the seed-0 split scikit-learn's own MLPClassifier (default settings) scores about 97.1%,
    right at the bar, so that split would test luck rather than learning.
    """
    pytest.importorskip("sklearn")
    X, y = load_digits(as_images=True)
    return train_test_split(X, y, test_size=0.25, seed=1, stratify=y)


def test_tensor_mlp_reaches_98_percent_on_three_spirals():
    X, y = make_spirals(n_samples=300, n_classes=3, seed=0)
    model = nn.MLP([2, 100, 3], activation="relu", seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    history = fit(
        model, nn.cross_entropy, optimizer, (X, y), epochs=300, batch_size=None, metrics=["accuracy"], progress=False
    )
    assert accuracy(predict(model, X), y) >= 0.98
    assert history["accuracy"][0] < 0.7


def test_mlp_classifier_reaches_97_percent_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    # The defaults (one hidden layer of 100 ReLU units, Adam at lr 1e-3, batches of 32) for 30 epochs.
    model = nn.MLPClassifier(epochs=30, seed=0)
    model.fit(X_train.reshape(len(X_train), 64), y_train)
    assert model.score(X_test.reshape(len(X_test), 64), y_test) >= 0.97


def test_small_cnn_reaches_98_percent_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, seed=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 10, seed=1),
    )
    optimizer = nn.optim.Adam(model.parameters(), lr=3e-3)
    fit(model, nn.cross_entropy, optimizer, (X_train, y_train), epochs=30, batch_size=32, seed=0, progress=False)
    assert accuracy(predict(model, X_test), y_test) >= 0.98
