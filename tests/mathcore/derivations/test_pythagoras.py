"""Tests for mathcore.derivations.pythagoras.

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math
import random

import sympy as sp

from mathcore import derivations as D


def test_pythagoras() -> None:
    p = D.pythagoras()
    eta = D.eta
    assert sp.expand(p.expanded - (p.theta_sq - 2 * eta * p.inner + eta**2 * p.grad_sq)) == 0
    assert sp.expand(p.norm_sq - (p.theta_sq + eta**2 * p.grad_sq)) == 0
    assert sp.expand(p.increase - eta**2 * p.grad_sq) == 0
    assert p.increase.is_nonnegative
    # numeric: random theta and an orthogonal g
    rng = random.Random(2)
    f = sp.lambdify((p.theta_sq, p.grad_sq, eta), p.norm_sq)
    for _ in range(10):
        th = [rng.uniform(-1, 1) for _ in range(3)]
        u = [rng.uniform(-1, 1) for _ in range(3)]
        proj = sum(a * b for a, b in zip(u, th)) / sum(a * a for a in th)
        g = [a - proj * b for a, b in zip(u, th)]
        e = rng.uniform(0.01, 2)
        new = [a - e * b for a, b in zip(th, g)]
        lhs = sum(a * a for a in new)
        assert math.isclose(lhs, f(sum(a * a for a in th), sum(a * a for a in g), e), rel_tol=1e-12)


def test_pythagoras_step_keys_are_stable_and_find_the_results() -> None:
    p = D.pythagoras()
    assert p.keys() == ["gd_step", "expand", "orthogonality", "pythagoras", "norm_grows"]
    assert p.step("expand").expr.rhs == p.expanded
    assert p.step("pythagoras").expr.rhs == p.norm_sq
    assert p.step("norm_grows").expr == sp.Ge(p.increase, 0)
