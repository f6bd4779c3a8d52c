"""Chaos: the parting step grows with the digits; a positive Lyapunov exponent; a calm contrast."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mathcore import experiments
from mathcore.chaos import (
    FLOAT_DIGITS,
    drift_study,
    gap_curve,
    lyapunov_from_gap,
    lyapunov_from_parting,
    parting_step,
    predicted_parting_step,
)
from mathcore.losses import RatioLoss


@pytest.fixture(scope="module")
def ratio_study():
    """RatioLoss from (−0.7, 0.7), η = 0.5, λ = 0.1: the chaotic toy of Li, Lyu & Arora (2020)."""
    return drift_study(RatioLoss(), experiments.START, experiments.CHAOS)


def test_parting_step_grows_with_the_digits(ratio_study):
    parting = ratio_study.parting
    assert all(t is not None for t in parting)
    assert list(parting) == sorted(parting) and len(set(parting)) == len(parting)
    # Roughly linear in the digits carried (float32 ... 64 digits).
    assert np.corrcoef(ratio_study.digits, parting)[0, 1] > 0.99


def test_lyapunov_exponent_is_positive_and_predicts_the_parting_steps(ratio_study):
    mu = ratio_study.exponent
    assert mu is not None and mu > 0.05
    # The slope of ln(gap) inside one run agrees with the exponent from the parting steps.
    fitted = lyapunov_from_gap(ratio_study.gaps[-1], floor=1e-60)
    assert fitted == pytest.approx(mu, rel=0.25)
    for measured, predicted in zip(ratio_study.parting, ratio_study.predicted):
        assert abs(measured - predicted) < 0.2 * measured + 20


def test_float32_gap_starts_at_its_rounding_level(ratio_study):
    gaps32 = ratio_study.gaps[0]
    assert 1e-9 < gaps32[1:6].max() < 1e-5
    assert len(gaps32) < 1401  # stops before η̃_t overflows float32


def test_calm_regime_stays_at_rounding_level_in_float64():
    gaps = gap_curve(RatioLoss(), experiments.START, experiments.CALM, "float64")
    # Rounding error accumulates (slowly, not exponentially) and stays near the unit roundoff.
    assert gaps.max() < 1000 * 10 ** -FLOAT_DIGITS["float64"]
    assert gaps[600] < 4 * gaps[300]
    assert parting_step(gaps) is None


def test_predicted_parting_step_formula_matches_its_definition():
    mu, digits, tol = 0.12, 16.0, 1e-3
    t = predicted_parting_step(digits, mu, tol)
    assert 10**-digits * math.exp(mu * t) == pytest.approx(tol)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: parting_step([1.0], tol=-1.0), "tol must be finite and > 0, got -1.0"),
        (lambda: lyapunov_from_gap([1e-10] * 3, floor=1e-12), "only 3 steps"),
        (lambda: lyapunov_from_gap([1.0], floor=1.0, ceiling=0.5), "floor=1.0"),
        (lambda: lyapunov_from_parting([16, 32], [200, 100]), "do not grow"),
        (lambda: predicted_parting_step(16, 0.0), "got 0.0"),
        (lambda: gap_curve(RatioLoss(), [1.0, 0.0], experiments.CALM.with_steps(5), "float16"), "float16"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
