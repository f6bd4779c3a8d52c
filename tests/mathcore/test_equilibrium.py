"""Equilibrium numerics: seeded noisy SGD settles at the derived norm and angular speed.

Statistical tests, all seeded; tolerances have a wide margin over the measured errors
(listed per test) yet stay far below the gap to a wrong prediction, so they can fail.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from mathcore.equilibrium import (
    EquilibriumMeasurement,
    angular_steps,
    measure_equilibrium,
    noisy_gd,
    predictions,
)
from mathcore.experiments import START, TOY, angles, loss
from mathcore.losses import NormalizedQuadratic
from mathcore.recipe import Recipe
from mathcore.trajectories import gd

LR, WEIGHT_DECAY = TOY.lr, TOY.weight_decay

NORM_TOL, ANGLE_TOL = 0.10, 0.15  # relative


@cache
def toy(lr: float, wd: float, momentum: float, noise: float, steps: int, batch: int = 1) -> EquilibriumMeasurement:
    """The video's toy from START, measured after the first third of the run."""
    start = np.tile(START, (batch, 1)) if batch > 1 else START
    recipe = Recipe(lr, wd, momentum, steps)
    run = noisy_gd(loss(), start, recipe, noise, seed=0)
    return measure_equilibrium(run.path, run.grads, recipe, burn_in=steps // 3)


def test_noisy_toy_run_matches_the_prediction() -> None:
    # η = 0.25, λ = 0.1, noise 1 (max |∇L| on the unit circle ≈ 1.7): errors ≈ +0.3 %, −0.6 %
    m = toy(LR, WEIGHT_DECAY, 0.0, 1.0, 3000, batch=4)
    assert abs(m.norm_error) < NORM_TOL and abs(m.angular_error) < ANGLE_TOL
    assert m.grad_sq > 1.0  # noise dominates G² (the noise alone gives 1)
    assert m.angular_step_mean < 0.9 * m.angular_step_rms  # the step fluctuates: mean |Δφ| ≈ 0.8 rms
    assert m.effective_lr == pytest.approx(m.effective_lr_predicted, rel=0.2)


@pytest.mark.parametrize("momentum, wd", [(0.8, 0.02), (0.9, 0.01)])
def test_noisy_momentum_run_matches_smd_not_the_plain_formula(momentum: float, wd: float) -> None:
    # errors: γ = 0.8: −0.1 % norm, +3 % angle; γ = 0.9: +3.6 %, +4.5 %
    m = toy(LR, wd, momentum, 2.0, 4000)
    assert abs(m.norm_error) < NORM_TOL and abs(m.angular_error) < ANGLE_TOL
    # without the 1/(1+γ), √(2ηλ) overshoots by ≈ 1/0.74: the test separates the two
    assert m.angular_step_rms / m.angular_step_plain - 1 < -0.2
    plain_norm = predictions(Recipe(LR, wd), m.grad_sq)["norm"]
    assert plain_norm / m.norm < 0.8  # the no-momentum norm misses the (1 − γ)^(-1/4)


def test_deterministic_run_stuck_in_a_well_is_far_from_the_prediction() -> None:
    # small LR: the sharp well at 123° stays stable, ∇L → 0, the norm just decays (no steady state)
    lr, wd, steps = 0.02, 0.005, 3000
    recipe = Recipe(lr, wd, steps=steps)
    run = noisy_gd(loss(), START, recipe, noise=0.0)
    m = measure_equilibrium(run.path, run.grads, recipe, burn_in=steps // 3)
    assert m.grad_sq < 1e-6 and m.norm_predicted < 0.1 * m.norm
    assert m.angular_step_rms < 0.01 * m.angular_step_predicted
    norms = np.linalg.norm(run.path, axis=-1)
    assert norms[-1] < 0.85 * norms[steps // 3]
    assert np.degrees(angles(run.path)[-1]) == pytest.approx(123.0, abs=0.5)


def test_deterministic_video_run_settles_into_a_two_cycle_equilibrium() -> None:
    # the derivation needs only a steady state: the edge-of-stability 2-cycle is one (errors < 0.3 %)
    m = toy(LR, WEIGHT_DECAY, 0.0, 0.0, 900)
    assert abs(m.norm_error) < 0.01 and abs(m.angular_error) < 0.01
    assert m.angular_step_mean == pytest.approx(m.angular_step_rms, rel=1e-6)
    path = noisy_gd(loss(), START, TOY.with_steps(900)).path
    np.testing.assert_allclose(path[-1], path[-3], rtol=1e-9)
    assert np.linalg.norm(path[-1] - path[-2]) > 0.1


@pytest.mark.parametrize("momentum, wd", [(0.0, 0.1), (0.9, 0.01)])
def test_pure_noise_in_20d_matches_to_a_few_percent(momentum: float, wd: float) -> None:
    # ∇L = 0: only tangent noise, uncorrelated with the buffer (C = 0 exactly): errors < 0.5 %
    zero = NormalizedQuadratic(np.zeros((20, 20)))
    recipe = Recipe(0.25, wd, momentum, steps=3000)
    run = noisy_gd(zero, np.full(20, 0.2), recipe, noise=1.0, seed=3)
    m = measure_equilibrium(run.path, run.grads, recipe, burn_in=1000)
    assert m.grad_sq == pytest.approx(19.0, rel=0.02)  # noise²·(d − 1)
    assert abs(m.norm_error) < 0.03 and abs(m.angular_error) < 0.03


# ------------------------------------------------------------------ the noise itself
def test_noise_is_tangent_and_scales_like_one_over_the_norm() -> None:
    quad = NormalizedQuadratic(np.diag([1.0, -0.5, 0.3]))
    for scale in (0.5, 4.0):
        # a tiny LR keeps θ (almost) where it is, so the noise is sampled at one norm
        run = noisy_gd(quad, [0.6 * scale, -0.8 * scale, 0.1], Recipe(1e-9, steps=4000), noise=0.7, seed=5)
        theta = run.path[:-1]
        extra = run.grads - quad.grad(theta)
        assert np.max(np.abs(np.sum(extra * theta, axis=-1))) < 1e-12
        r2 = np.sum(theta**2, axis=-1)
        assert np.mean(np.sum(extra**2, axis=-1) * r2) == pytest.approx(0.7**2 * 2, rel=0.05)


def test_noise_zero_is_gd_and_seeds_reproduce() -> None:
    recipe = Recipe(LR, WEIGHT_DECAY, 0.5, steps=200)
    run = noisy_gd(loss(), START, recipe)
    np.testing.assert_array_equal(run.path, gd(loss().grad, START, recipe))
    np.testing.assert_array_equal(run.grads, loss().grad(run.path[:-1]))
    a, b, c = (noisy_gd(loss(), START, TOY.with_steps(50), noise=1.0, seed=s).path for s in (1, 1, 2))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_batch_rows_get_independent_noise() -> None:
    run = noisy_gd(loss(), np.tile(START, (3, 1)), TOY.with_steps(40), noise=1.0)
    assert run.path.shape == (41, 3, 2) and run.grads.shape == (40, 3, 2)
    assert not np.allclose(run.path[-1, 0], run.path[-1, 1])


def test_angular_steps_match_unwrapped_angles_in_2d() -> None:
    path = noisy_gd(loss(), START, TOY.with_steps(300), noise=1.0).path
    np.testing.assert_allclose(angular_steps(path), np.abs(np.diff(angles(path))), atol=1e-12)


def test_predictions_are_the_documented_formulas() -> None:
    e, l, g, G2 = 0.25, 0.02, 0.8, 1.7
    p = predictions(Recipe(e, l, g), G2)
    assert p["angular_step"] == pytest.approx(math.sqrt(2 * e * l / (1 + g)), rel=1e-12)
    assert p["angular_step_plain"] == pytest.approx(math.sqrt(2 * e * l), rel=1e-12)
    r4 = e * G2 * (1 + g) / (l * (1 - g) * (2 * (1 + g) - e * l))
    assert p["norm"] == pytest.approx(r4**0.25, rel=1e-12)
    assert p["effective_lr"] == pytest.approx(e / math.sqrt(r4), rel=1e-12)
    p0 = predictions(Recipe(e, l), G2)
    assert p0["norm"] == pytest.approx((e**2 * G2 / (1 - (1 - e * l) ** 2)) ** 0.25, rel=1e-12)
    assert p0["angular_step"] == pytest.approx(p0["angular_step_plain"], rel=1e-12)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"noise": -1.0}, "noise"),
        ({"noise": math.nan}, "noise"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"theta0": [0.0, 0.0]}, "theta0"),
    ],
)
def test_noisy_gd_rejects_bad_input(kwargs: dict, word: str) -> None:
    args = {"theta0": START, "recipe": TOY.with_steps(10), "noise": 1.0, "seed": 0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        noisy_gd(loss(), **args)


def test_noisy_gd_overflow_is_reported() -> None:
    with pytest.raises(OverflowError, match="step"):
        noisy_gd(loss(), [-1e-10, 1e-10], TOY.without_weight_decay().with_steps(20), noise=1e300)  # noise/‖θ‖ overflows


def test_measure_and_predictions_reject_bad_input() -> None:
    recipe = TOY.with_steps(20)
    run = noisy_gd(loss(), START, recipe, noise=1.0)
    with pytest.raises(ValueError, match="grads"):
        measure_equilibrium(run.path, run.grads[:-1], recipe)
    with pytest.raises(ValueError, match="burn_in"):
        measure_equilibrium(run.path, run.grads, recipe, burn_in=20)
    with pytest.raises(ValueError, match="burn_in"):
        measure_equilibrium(run.path, run.grads, recipe, burn_in=-1)
    with pytest.raises(ValueError, match="weight_decay > 0"):
        measure_equilibrium(run.path, run.grads, recipe.without_weight_decay())
    with pytest.raises(ValueError, match="grad_sq"):
        predictions(recipe, -1.0)
