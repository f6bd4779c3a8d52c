"""Tests for mathcore.derivations.equilibrium_momentum (Spherical Motion Dynamics).

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math

import sympy as sp

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import is_zero


def test_equilibrium_momentum_matches_smd() -> None:
    d = D.equilibrium_momentum()
    eta, lam, gamma, G, r = D.eta, D.lam, D.gamma, D.G, D.r
    assert is_zero(d.cos_step - (1 - eta * lam / (1 + gamma)))
    assert is_zero(d.angular_step - sp.sqrt(2 * eta * lam / (1 + gamma)))
    assert sp.limit(d.angular_step_exact / d.angular_step, lam, 0) == 1
    assert is_zero(d.radial_buffer - lam * r**2 / (1 + gamma))
    assert is_zero(d.buffer_inner + lam * r**2 / (1 + gamma))
    assert is_zero(eta * d.buffer_sq - 2 * lam * r**2 / (1 + gamma))
    assert is_zero(d.norm4 - eta * G**2 * (1 + gamma) / (lam * (1 - gamma) * (2 * (1 + gamma) - eta * lam)))
    assert is_zero(d.norm4_leading - eta * G**2 / (2 * lam * (1 - gamma)))
    # gamma = 0: the plain equilibrium (math.md)
    assert is_zero(d.norm4.subs(gamma, 0) - eta**2 * G**2 / (1 - (1 - eta * lam) ** 2))
    assert is_zero(d.angular_step.subs(gamma, 0) - sp.sqrt(2 * eta * lam))


def test_equilibrium_momentum_exact_for_a_steady_rotation() -> None:
    """A 2-D loss G*atan2(y, x) (gradient orthogonal, norm G/r) drives momentum SGD into an
    exactly steady rotation: b, V, C and the angle must match the derived steady state to
    rounding, although the buffer is correlated with the gradient (C != 0), so the C = 0 norm
    formula must NOT hold here."""
    d = D.equilibrium_momentum()
    e, l, g, Gv = 0.1, 0.05, 0.9, 1.3
    th, v = [1.0, 0.0], [0.0, 0.0]
    for _ in range(20000):
        n2 = th[0] ** 2 + th[1] ** 2
        grad = [-Gv * th[1] / n2, Gv * th[0] / n2]
        v = [g * vi + gi + l * ti for vi, gi, ti in zip(v, grad, th)]
        prev, th = th, [ti - e * vi for ti, vi in zip(th, v)]
    n2 = th[0] ** 2 + th[1] ** 2
    grad = [-Gv * th[1] / n2, Gv * th[0] / n2]
    vals = {D.eta: e, D.lam: l, D.gamma: g, D.G: Gv, D.r: math.sqrt(n2)}
    dot = lambda a, b: a[0] * b[0] + a[1] * b[1]
    assert math.isclose(dot(prev, th) / math.sqrt(dot(prev, prev) * n2), float(d.cos_step.subs(vals)), rel_tol=1e-12)
    assert math.isclose(dot(th, v), float(d.buffer_inner.subs(vals)), rel_tol=1e-9)
    assert math.isclose(dot(v, v), float(d.buffer_sq.subs(vals)), rel_tol=1e-9)
    assert math.isclose(dot(v, grad), float(d.correlation.subs(vals)), rel_tol=1e-9)
    assert abs(dot(v, grad)) > 0.5
    assert not math.isclose(n2**2, float(d.norm4.subs(vals)), rel_tol=0.05)


def test_equilibrium_momentum_step_keys_are_stable_and_state_the_assumptions() -> None:
    d = D.equilibrium_momentum()
    assert d.keys() == [
        "wd_step", "steady_state", "lemma_1", "previous_step", "steady_radial", "steady_buffer_size", "steady_norm",
        "buffer_moments", "cos_step", "angular_step", "norm4", "norm4_leading", "gamma_zero",
    ]
    assert d.step("cos_step").expr.rhs == d.cos_step
    assert d.step("angular_step").expr.rhs == d.angular_step
    assert d.step("norm4").expr.rhs == d.norm4
    assert d.step("norm4_leading").expr.rhs == d.norm4_leading
    # the assumptions are on screen, on the steps that use them
    assert "steady" in d.step("steady_state").caption.lower()
    assert "uncorrelated" in d.step("norm4").caption.lower()
