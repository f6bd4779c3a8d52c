"""Tests for mathcore.derivations.symbols and the package's public names.

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

from mathcore import derivations as D


def test_public_symbols_have_the_documented_names() -> None:
    assert (D.eta.name, D.lam.name, D.t.name, D.gamma.name, D.alpha.name) == (
        "eta", "lambda", "t", "gamma", "alpha")
    assert D.eta.is_positive and D.alpha.is_positive
    assert D.t.is_integer and D.t.is_nonnegative
    assert D.lam.is_nonnegative and D.gamma.is_nonnegative


def test_the_package_exports_every_public_name() -> None:
    missing = [name for name in D.__all__ if not hasattr(D, name)]
    assert not missing


def test_derived_results_are_written_in_the_public_symbols() -> None:
    """Same objects, assumptions included: a lookalike Symbol("eta") would not substitute."""
    assert D.theorem_2_1().schedule.free_symbols == {D.eta, D.lam, D.t}
    assert D.momentum_theorem().characteristic.free_symbols == {D.alpha, D.eta, D.lam, D.gamma}
    assert D.equilibrium().norm4.free_symbols == {D.eta, D.lam, D.G}
    assert D.momentum_theorem().initial_velocity.free_symbols == {D.eta, D.alpha, D.theta0}
