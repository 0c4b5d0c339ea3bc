"""``fit(..., compile=True)``: training on the compiled model takes exactly the eager steps."""

import numpy as np
import pytest

import nn


def train(compile, **model_options):
    X, y = nn.data.make_moons(90, noise=0.2, seed=0)
    model = nn.MLP([2, 16, 16, 2], seed=1, **model_options)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.02)
    trainer = nn.Trainer(model, nn.cross_entropy, optimizer, compile=compile)
    history = trainer.fit((X, y), epochs=4, batch_size=32, seed=2)
    return history, model, trainer


def test_compiled_training_takes_the_same_steps_as_eager_training():
    eager_history, eager_model, _ = train(compile=False)
    compiled_history, compiled_model, trainer = train(compile=True)
    # 90 examples in batches of 32: the last batch of 26 is a second input shape, recorded once and then reused
    assert trainer.training_forward.recordings == 2
    np.testing.assert_allclose(compiled_history.per_step["loss"], eager_history.per_step["loss"], rtol=1e-12)
    for (name, ours), (_, theirs) in zip(compiled_model.state_dict().items(), eager_model.state_dict().items()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12, err_msg=name)


def test_a_model_with_dropout_is_refused():
    with pytest.raises(ValueError, match=r"layers\.2 is a Dropout, which draws a new random mask"):
        train(compile=True, dropout=0.5)
