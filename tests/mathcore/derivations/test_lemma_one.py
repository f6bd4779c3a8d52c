"""Tests for mathcore.derivations.lemma_one (Lemma 1 and the concrete scale-invariance checks).

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math
import random

import pytest
import sympy as sp

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import is_zero


@pytest.mark.parametrize("n", [2, 3])
def test_lemma1_scalings_and_orthogonality(n: int) -> None:
    d = D.lemma_1(n)
    c = d.c
    assert is_zero(d.gradient_scaling - 1 / c)
    assert is_zero(d.hessian_scaling - 1 / c**2)
    assert not is_zero(d.gradient_scaling - 1)  # the scaling is not trivial
    # <grad L(theta), theta> written out in standard sympy derivatives
    expected = sum(v * sp.Derivative(d.L(*d.theta), v) for v in d.theta)
    assert sp.expand(d.orthogonality - expected) == 0
    assert len(d.gradient_identities) == n
    assert len(d.hessian_identities) == n * (n + 1) // 2
    for eq in d.gradient_identities:
        assert isinstance(eq.lhs, sp.Subs)
        assert tuple(eq.lhs.point) == tuple(c * v for v in d.theta)
        assert is_zero(eq.rhs - eq.lhs.expr / c)
    for eq in d.hessian_identities:
        assert is_zero(eq.rhs - eq.lhs.expr / c**2)


@pytest.mark.parametrize("n", [2, 3])
def test_lemma1_concrete_loss_residuals_vanish(n: int) -> None:
    d = D.lemma_1(n)
    assert set(d.concrete_residuals) == {"invariance", "orthogonality", "gradient", "hessian", "pythagoras"}
    for key, vals in d.concrete_residuals.items():
        assert all(v == 0 for v in vals), key
    # the concrete loss really is scale invariant (independent check)
    c = sp.Symbol("c", positive=True)
    scaled = d.concrete_loss.subs({v: c * v for v in d.theta}, simultaneous=True)
    assert sp.cancel(scaled - d.concrete_loss) == 0


def test_lemma1_facts_hold_for_an_independent_loss_with_roots() -> None:
    x, y = sp.symbols("x y", real=True)
    rr = sp.sqrt(x**2 + y**2)
    loss = (x * y + 2 * y**2) / (x**2 + y**2) + x / rr + (x / rr) ** 3
    res = D.scale_invariance_residuals(loss, (x, y))
    for key, vals in res.items():
        assert all(v == 0 for v in vals), key


def test_lemma1_facts_fail_for_a_loss_that_is_not_scale_invariant() -> None:
    x, y = sp.symbols("x y", real=True)
    res = D.scale_invariance_residuals(x**2 + y**3, (x, y))
    for key in ("invariance", "orthogonality", "gradient", "hessian", "pythagoras"):
        assert any(v != 0 for v in res[key]), key


def test_lemma1_numeric_gradient_scaling() -> None:
    d = D.lemma_1(3)
    grad = [sp.lambdify(d.theta, sp.diff(d.concrete_loss, v)) for v in d.theta]
    k = sp.lambdify(d.c, d.gradient_scaling)
    rng = random.Random(1)
    for _ in range(20):
        p = [rng.uniform(-2, 2) for _ in range(3)]
        cc = rng.uniform(0.1, 10)
        g_p = [f(*p) for f in grad]
        g_cp = [f(*[cc * v for v in p]) for f in grad]
        assert abs(sum(a * b for a, b in zip(g_p, p))) < 1e-9
        for a, b in zip(g_cp, g_p):
            assert math.isclose(a, k(cc) * b, rel_tol=1e-9, abs_tol=1e-12)
        assert not math.isclose(g_cp[0], g_p[0], rel_tol=1e-6) or abs(cc - 1) < 1e-3


def test_lemma1_rejects_n_below_2() -> None:
    with pytest.raises(ValueError):
        D.lemma_1(1)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_lemma1_step_keys_are_stable_and_find_the_results(n: int) -> None:
    """The keys scenes use do not depend on n (only the captions name the coordinates)."""
    d = D.lemma_1(n)
    assert d.keys() == [
        "scale_invariance", "differentiate_c", "orthogonality", "differentiate_coordinate", "gradient_at_c_theta",
        "gradient_scaling", "differentiate_twice", "hessian_scaling", "concrete_loss", "check_orthogonality",
        "check_scaling",
    ]
    assert d.step("gradient_scaling").expr == d.gradient_scaling
    assert d.step("hessian_scaling").expr == d.hessian_scaling
    assert d.step("concrete_loss").expr.rhs == d.concrete_loss
    assert is_zero(d.step("check_orthogonality").expr)
