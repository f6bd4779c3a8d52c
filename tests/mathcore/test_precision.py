"""Precision: the runs part later with more digits in the chaotic regime, never in the calm one."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from mathcore import experiments
from mathcore.losses import AngularLoss, NormalizedQuadratic, RatioLoss
from mathcore.precision import divergence_step, equivalence_gap, gd_mp
from mathcore.recipe import Recipe
from mathcore.trajectories import gd


def test_mp_run_matches_float64_in_a_calm_regime():
    loss = AngularLoss()
    recipe = Recipe(lr=0.05, weight_decay=0.01, momentum=0.5, steps=100)
    path = gd(loss.grad, [-0.7, 0.7], recipe)
    path_mp = gd_mp(loss, [-0.7, 0.7], recipe, digits=40)
    np.testing.assert_allclose(np.array([[float(c) for c in p] for p in path_mp]), path, rtol=1e-12)


def test_parting_step_moves_right_with_more_digits_on_ratio_loss():
    """RatioLoss from (−0.7, 0.7), η = 0.5, λ = 0.1 is chaotic (Li, Lyu & Arora 2020)."""
    args = (RatioLoss(), experiments.START, experiments.CHAOS.with_steps(1000))
    at_16, at_32 = divergence_step(*args, digits=16), divergence_step(*args, digits=32)
    assert at_16 is not None and at_32 is not None
    assert 150 < at_16 < 350  # math.md: near step 236 at 16 digits
    assert at_32 > at_16 + 200  # well beyond: roughly linear in the digits carried


def test_no_parting_in_a_calm_regime():
    loss = NormalizedQuadratic(np.diag([1.0, -0.5, 0.2]))
    recipe = Recipe(lr=0.05, weight_decay=0.01, momentum=0.9, steps=300)
    gaps = equivalence_gap(loss, [0.5, -1.0, 0.8], recipe, digits=16)
    assert gaps.max() < 1e-12
    assert divergence_step(loss, [0.5, -1.0, 0.8], recipe, digits=16) is None


def test_gap_shrinks_with_digits_before_parting():
    recipe = experiments.CHAOS.with_steps(100)
    gaps_16 = equivalence_gap(RatioLoss(), [-0.7, 0.7], recipe, digits=16)
    gaps_40 = equivalence_gap(RatioLoss(), [-0.7, 0.7], recipe, digits=40)
    assert gaps_40[1:].max() < 1e-20 < gaps_16[1:].max()


def test_precision_is_restored_afterwards():
    before = mpmath.mp.dps
    equivalence_gap(RatioLoss(), [-0.7, 0.7], experiments.CHAOS.with_steps(5), digits=50)
    assert mpmath.mp.dps == before


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"digits": 3}, "digits must be an integer >= 5, got 3"),
        ({"digits": 20.5}, "digits must be an integer >= 5, got 20.5"),
        ({"tol": 0.0}, "tol must be finite and > 0, got 0.0"),
        ({"theta0": [0.0, 0.0]}, "non-zero"),
        ({"theta0": [[1.0, 0.0], [0.0, 1.0]]}, "single point"),
    ],
)
def test_bad_input(kwargs, message):
    recipe = experiments.CHAOS.with_steps(10)
    args = {"loss": RatioLoss(), "theta0": [-0.7, 0.7], "recipe": recipe, "digits": 20} | kwargs
    with pytest.raises(ValueError, match=message):
        divergence_step(**args)
