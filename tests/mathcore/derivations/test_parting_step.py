"""Tests for mathcore.derivations.parting_step (when rounding, amplified by chaos, parts the runs).

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import is_zero


def test_parting_step_estimate_matches_math() -> None:
    d = D.parting_step_estimate()
    digits, mu, tau = d.digits, d.exponent, d.tol
    assert is_zero(d.parting_step - (digits * sp.log(10) + sp.log(tau)) / mu)
    assert is_zero(d.slope - sp.log(10) / mu)
    assert is_zero(d.exponent_from_slope - sp.log(10) / d.slope_symbol)
    assert is_zero(d.gap.subs(D.t, d.parting_step) - tau)


@pytest.mark.parametrize("digits, exponent, tol", [(16.0, 0.12, 1e-3), (64.0, 0.05, 1e-2), (7.0, 1.3, 0.5)])
def test_parting_step_estimate_agrees_with_chaos_module(digits: float, exponent: float, tol: float) -> None:
    from mathcore.chaos import predicted_parting_step

    d = D.parting_step_estimate()
    value = float(d.parting_step.subs({d.digits: digits, d.exponent: exponent, d.tol: tol}))
    assert math.isclose(value, predicted_parting_step(digits, exponent, tol), rel_tol=1e-12)
    # a gap 10^-d e^(mu t) really reaches tol there
    assert math.isclose(10**-digits * math.exp(exponent * value), tol, rel_tol=1e-9)


def test_parting_step_keys_are_stable_and_find_the_results() -> None:
    d = D.parting_step_estimate()
    assert d.keys() == ["gap", "parting_condition", "parting_step", "slope", "exponent_from_slope"]
    assert d.step("gap").expr.rhs == d.gap
    assert d.step("parting_step").expr.rhs == d.parting_step
    assert d.step("slope").expr.rhs == d.slope
    assert d.step("exponent_from_slope").expr.rhs == d.exponent_from_slope
