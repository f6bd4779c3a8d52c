"""Trajectories: Theorem 2.1 and the momentum theorem hold numerically; batches; bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore.losses import AngularLoss, NormalizedQuadratic, RatioLoss
from mathcore.recipe import Recipe
from mathcore.trajectories import exp_lr_gd, gd, iterate, twin_runs
from tests.mathcore.strategies import loss_dim, losses, points

QUADRATIC_3D = NormalizedQuadratic(np.array([[1.0, 0.3, 0.0], [0.3, -0.5, 0.2], [0.0, 0.2, 0.4]]))


def relative_gap(loss, theta0, recipe: Recipe) -> np.ndarray:
    """‖θ_wd[t] − α^t·θ_exp[t]‖/‖θ_wd[t]‖ for the two runs of the theorem, in float64."""
    return twin_runs(loss.grad, theta0, recipe).relative_gap


@pytest.mark.parametrize(
    "loss, theta0",
    [(AngularLoss(), [-0.7, 0.7]), (RatioLoss(), [-0.7, 0.7]), (QUADRATIC_3D, [0.5, -1.0, 0.8])],
    ids=["angular", "ratio", "quadratic-3d"],
)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_equivalence_holds_to_1e12_in_a_non_chaotic_regime(loss, theta0, momentum):
    recipe = Recipe(lr=0.02, weight_decay=0.02, momentum=momentum, steps=300)
    runs = twin_runs(loss.grad, np.array(theta0), recipe)
    assert runs.relative_gap.max() <= 1e-12
    # And the two runs really are different runs: only the rescaled one matches.
    assert recipe.scale[-1] < 0.9
    unscaled = np.linalg.norm(runs.decayed - runs.exploded, axis=-1) / np.linalg.norm(runs.decayed, axis=-1)
    assert unscaled[-1] > 0.1


def test_without_the_initial_buffer_the_momentum_runs_differ_at_order_one():
    theta0, recipe = np.array([0.5, -1.0, 0.8]), Recipe(lr=0.05, weight_decay=0.01, momentum=0.9, steps=200)
    decayed = gd(QUADRATIC_3D.grad, theta0, recipe)
    exploded = exp_lr_gd(QUADRATIC_3D.grad, theta0, recipe, velocity0=np.zeros(3))
    gap = np.linalg.norm(decayed - recipe.scale[:, None] * exploded, axis=1) / np.linalg.norm(decayed, axis=1)
    assert gap.max() > 1e-2


def test_batch_runs_equal_single_runs():
    loss = AngularLoss()
    starts = np.random.default_rng(4).normal(size=(7, 2))
    recipe = Recipe(lr=0.25, weight_decay=0.1, momentum=0.5, steps=120)
    batch = gd(loss.grad, starts, recipe)
    assert batch.shape == (121, 7, 2)
    for i, start in enumerate(starts):
        np.testing.assert_array_equal(batch[:, i], gd(loss.grad, start, recipe))


def test_vanilla_gd_norm_grows_by_pythagoras():
    loss = AngularLoss()
    path = gd(loss.grad, [-0.7, 0.7], Recipe(lr=0.25, steps=200))
    sq = np.sum(path**2, axis=1)
    grads = loss.grad(path[:-1])
    np.testing.assert_allclose(np.diff(sq), 0.25**2 * np.sum(grads**2, axis=1), rtol=1e-9, atol=1e-15)
    assert np.all(np.diff(sq) >= 0)


def test_weight_decay_kicks_the_iterate_out_of_the_shallow_minimum():
    """The story's toy: plain GD stays in the shallow well, GD + weight decay leaves it."""
    loss = AngularLoss()
    shallow = loss.minima()[-1]
    decayed_recipe = Recipe(lr=0.25, weight_decay=0.1, steps=300)
    plain = gd(loss.grad, [-0.7, 0.7], decayed_recipe.without_weight_decay())
    decayed = gd(loss.grad, [-0.7, 0.7], decayed_recipe)

    def angle_from_shallow(path):
        return np.abs(np.angle(np.exp(1j * (np.arctan2(path[:, 1], path[:, 0]) - shallow))))

    assert angle_from_shallow(plain)[-50:].max() < np.deg2rad(1)
    assert np.linalg.norm(plain[-1]) > 1.5 * np.linalg.norm(plain[0])
    assert angle_from_shallow(decayed)[-50:].min() > np.deg2rad(45)
    assert loss.value(decayed[-1]) < loss.value(plain[-1]) - 0.3


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    loss=losses(),
    lr=st.floats(0.001, 0.05),
    weight_decay=st.floats(0.0, 0.05),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
)
def test_equivalence_holds_for_random_losses(data, loss, lr, weight_decay, momentum):
    theta0 = data.draw(points(loss_dim(loss)))
    theta0 = theta0 / np.linalg.norm(theta0)
    gap = relative_gap(loss, theta0, Recipe(lr, weight_decay, momentum, steps=60))
    assert gap.max() <= 1e-9


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weight_decay": -1.0}, "weight_decay must be finite and >= 0, got -1.0"),
        ({"momentum": 1.0}, "momentum must lie in \\[0, 1\\), got 1.0"),
        ({"theta0": [0.0, 0.0]}, "non-zero"),
        ({"theta0": [np.inf, 0.0]}, "finite"),
        ({"rates": [0.1, 0.1]}, "length steps=5"),
        ({"rates": [0.1, 0.1, np.nan, 0.1, 0.1]}, "got nan at step 2"),
        ({"rates": -0.1}, "lr must be a finite number >= 0, got -0.1"),
        ({"rates": 2.0, "weight_decay": 0.5}, "lr \\* weight_decay < 1"),
        ({"steps": -1}, "steps must be >= 0, got -1"),
        ({"steps": 2.5}, "steps must be an integer, got 2.5"),
        ({"velocity0": [0.0]}, "velocity0 must be finite with shape"),
    ],
)
def test_bad_input_raises_value_error_naming_it(kwargs, message):
    args = {"grad": AngularLoss().grad, "theta0": [-0.7, 0.7], "rates": 0.1, "steps": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        iterate(**args)


def test_overflow_names_the_step_without_a_runtime_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match="step 3"):
            iterate(RatioLoss().grad, [1e-150, 2e-150], [0.0, 0.0, 1e300, 0.0], 4)
        with pytest.raises(OverflowError, match="lr at step 1 .* overflows float32"):
            iterate(RatioLoss().grad, [0.6, 0.8], [0.1, 1e39, 0.1], 3, dtype=np.float32)


def test_float32_runs_round_in_float32():
    recipe = Recipe(lr=0.02, weight_decay=0.02, steps=40)  # a calm setting: rounding is not amplified
    single = gd(AngularLoss().grad, [-0.7, 0.7], recipe, dtype=np.float32)
    double = gd(AngularLoss().grad, [-0.7, 0.7], recipe)
    assert single.dtype == np.float32
    gap = np.abs(single - double).max()
    assert 1e-9 < gap < 1e-4  # float32 rounding shows, but the runs are the same run


def test_zero_steps_returns_the_start():
    np.testing.assert_array_equal(gd(RatioLoss().grad, [0.6, 0.8], Recipe(lr=0.1)), [[0.6, 0.8]])
