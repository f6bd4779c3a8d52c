"""Tests for mathcore.derivations.momentum_theorem (Theorem 2.1 with momentum).

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import quadform, rel


def test_momentum_characteristic_and_schedule() -> None:
    d = D.momentum_theorem()
    eta, lam, gamma, alpha, t = D.eta, D.lam, D.gamma, D.alpha, D.t
    assert sp.expand(d.characteristic - (alpha**2 - (1 + gamma - lam * eta) * alpha + gamma)) == 0
    assert {s.name for s in d.schedule.free_symbols} == {"eta", "alpha", "t"}
    assert sp.simplify(d.schedule - eta * alpha ** (-2 * t - 1)) == 0
    assert sp.simplify(d.scale - alpha**t) == 0
    assert len(d.alpha_roots) == 2
    assert {s.name for r in d.alpha_roots for s in r.free_symbols} == {"eta", "lambda", "gamma"}
    for root in d.alpha_roots:
        assert sp.simplify(sp.expand(d.characteristic.subs(alpha, root))) == 0
    s = sp.Function("s")
    assert sp.expand(d.scale_recurrence.rhs - ((1 + gamma - eta * lam) * s(t) - gamma * s(t - 1))) == 0
    assert sp.expand(d.discriminant - ((1 + gamma - eta * lam) ** 2 - 4 * gamma)) == 0


@pytest.mark.parametrize("g", [0.0, 0.5, 0.9])
def test_principal_alpha_is_the_root_that_starts_at_one(g: float) -> None:
    """Without weight decay the roots are 1 and gamma. The principal root is the one continuous with 1:
    alpha = 1 - u/(1 - gamma) + O(u^2) for u = eta*lambda (implicit differentiation of the quadratic at
    alpha = 1; the u^2 term is -gamma u^2/(1 - gamma)^3), the larger of the two, while the other tends to gamma."""
    d = D.momentum_theorem()
    for u in (1e-4, 1e-5, 1e-6):
        vals = {D.eta: 0.1, D.lam: u / 0.1, D.gamma: g}
        principal = complex(d.alpha_principal.subs(vals).evalf())
        roots = [complex(r.subs(vals).evalf()) for r in d.alpha_roots]
        other = roots[1] if abs(roots[0] - principal) < abs(roots[1] - principal) else roots[0]
        assert abs(principal**2 - (1 + g - u) * principal + g) < 1e-12  # it is a root
        assert abs(principal.imag) < 1e-12 and abs(other.imag) < 1e-12
        assert principal.real > other.real
        assert abs(principal.real - (1 - u / (1 - g))) < 2 * u**2 / (1 - g) ** 3 + 1e-12
        assert abs(other.real - g) < 2 * u / (1 - g) + 1e-12


@settings(max_examples=40, deadline=None)
@given(
    e=st.floats(0.001, 1.0),
    l=st.floats(0.0, 0.5),
    g=st.floats(0.0, 0.99),
)
def test_momentum_roots_numerically(e: float, l: float, g: float) -> None:
    d = D.momentum_theorem()
    vals = {D.eta: e, D.lam: l, D.gamma: g}
    roots = [complex(r.subs(vals).evalf()) for r in d.alpha_roots]
    for z in roots:
        assert abs(z * z - (1 + g - e * l) * z + g) < 1e-9
    assert abs(roots[0] * roots[1] - g) < 1e-9
    real = e * l <= (1 - math.sqrt(g)) ** 2
    cond = d.real_alpha_condition.subs(vals)
    assert bool(cond) == real
    # Within rounding of the double root (ηλ = (1 − √γ)²) the discriminant cancels: the roots' imaginary parts are
    # then rounding (up to ~1e-8) of either sign, and only the condition above is decided exactly.
    if abs(e * l - (1 - math.sqrt(g)) ** 2) <= 1e-12:
        return
    if real:
        assert all(abs(z.imag) < 1e-9 for z in roots)
        assert roots[0].real >= roots[1].real - 1e-12
    elif e * l < (1 + math.sqrt(g)) ** 2:
        assert all(abs(z.imag) > 0 for z in roots)


def test_real_alpha_condition_matches_math_md_and_its_boundary() -> None:
    d = D.momentum_theorem()
    cond = d.real_alpha_condition
    assert isinstance(cond, sp.Le)
    assert sp.simplify(cond.lhs - D.eta * D.lam) == 0
    assert sp.simplify(cond.rhs - (1 - sp.sqrt(D.gamma)) ** 2) == 0
    for g in (0.04, 0.25, 0.81, 0.9):  # (at gamma = 0 the two branches touch)
        bound = (1 - math.sqrt(g)) ** 2
        for el, real in ((bound * 0.999, True), (bound * 1.001, False)):
            vals = {D.eta: 0.5, D.lam: el / 0.5, D.gamma: g}
            disc = float(d.discriminant.subs(vals))
            assert (disc >= 0) == real
            assert bool(cond.subs(vals)) == real


def test_initial_velocity_matches_math_md() -> None:
    d = D.momentum_theorem()
    eta, alpha, th0 = D.eta, D.alpha, D.theta0
    assert {s.name for s in d.initial_velocity.free_symbols} == {"eta", "alpha", "theta_0"}
    assert sp.simplify(d.initial_velocity - (-(1 - alpha) * th0 / (eta * alpha))) == 0
    assert sp.simplify(d.initial_velocity) != 0


def _momentum_runs(e, l, g, alpha_val, v0_coef, steps, A, th0):
    """Max relative gap between theta_t and alpha^t thetatilde_t."""
    grad = quadform(A)
    th, v = list(th0), [0.0] * len(th0)
    tt = list(th0)
    vt = [v0_coef * a for a in th0]
    worst = 0.0
    for k in range(steps):
        gr = grad(th)
        v = [g * a + b + l * c for a, b, c in zip(v, gr, th)]
        th = [a - e * b for a, b in zip(th, v)]
        lr = e * alpha_val ** (-2 * k - 1)
        grt = grad(tt)
        vt = [g * a + b for a, b in zip(vt, grt)]
        tt = [a - lr * b for a, b in zip(tt, vt)]
        worst = max(worst, rel(th, [alpha_val ** (k + 1) * a for a in tt]))
    return worst


def test_momentum_numerically_equivalent_runs() -> None:
    d = D.momentum_theorem()
    e, l, g = 0.05, 0.01, 0.9
    vals = {D.eta: e, D.lam: l, D.gamma: g}
    A = [[1.0, 0.2, 0.0], [0.2, 0.5, 0.1], [0.0, 0.1, 0.2]]
    th0 = [0.3, -0.5, 0.8]
    coef = sp.diff(d.initial_velocity, D.theta0)
    for root, steps in ((d.alpha_roots[0], 200), (d.alpha_roots[1], 40)):
        a = float(root.subs(vals))
        c = float(coef.subs({D.eta: e, D.alpha: a}))
        assert _momentum_runs(e, l, g, a, c, steps, A, th0) < 1e-9
    # with both buffers zero the runs differ at O(1)
    a = float(d.alpha_roots[0].subs(vals))
    assert _momentum_runs(e, l, g, a, 0.0, 200, A, th0) > 1e-2


def test_initial_velocity_by_brute_force_two_steps() -> None:
    """Solve for v~_0 (two unknown components) from theta_1 = alpha thetatilde_1
    on a concrete loss, then check theta_2 = alpha^2 thetatilde_2."""
    d = D.momentum_theorem()
    e, l, g = 0.1, 0.02, 0.8
    a = float(d.alpha_roots[0].subs({D.eta: e, D.lam: l, D.gamma: g}))
    x, y = sp.symbols("x y", real=True)
    loss = (x**2 + 3 * x * y - y**2) / (x**2 + y**2)
    gx, gy = (sp.lambdify((x, y), sp.diff(loss, v)) for v in (x, y))

    def grad(p):
        return [gx(*p), gy(*p)]

    th0 = [0.7, -0.4]
    p, q = sp.symbols("p q")
    vt0 = [p, q]
    g0 = grad(th0)
    v1 = [b + l * cc for b, cc in zip(g0, th0)]  # gamma * 0 + grad + lam theta
    th1 = [cc - e * b for cc, b in zip(th0, v1)]
    lr0 = e * a**-1
    vt1 = [g * v + b for v, b in zip(vt0, g0)]
    tt1 = [cc - lr0 * b for cc, b in zip(th0, vt1)]
    sol = sp.solve([th1[i] - a * tt1[i] for i in range(2)], [p, q], dict=True)[0]
    coef = float(sp.diff(d.initial_velocity, D.theta0).subs({D.eta: e, D.alpha: a}))
    assert math.isclose(float(sol[p]), coef * th0[0], rel_tol=1e-9)
    assert math.isclose(float(sol[q]), coef * th0[1], rel_tol=1e-9)
    # second step with the solved buffer
    vt1n = [float(v.subs(sol)) for v in vt1]
    tt1n = [float(v.subs(sol)) for v in tt1]
    v2 = [g * v + b + l * cc for v, b, cc in zip(v1, grad(th1), th1)]
    th2 = [cc - e * v for cc, v in zip(th1, v2)]
    vt2 = [g * v + b for v, b in zip(vt1n, grad(tt1n))]
    tt2 = [cc - e * a**-3 * v for cc, v in zip(tt1n, vt2)]
    assert rel(th2, [a**2 * v for v in tt2]) < 1e-12


def test_momentum_reduces_to_theorem_2_1_when_gamma_is_zero() -> None:
    d = D.momentum_theorem()
    thm = D.theorem_2_1()
    eta, lam, gamma, alpha = D.eta, D.lam, D.gamma, D.alpha
    assert sp.simplify(d.alpha_gamma0 - (1 - eta * lam)) == 0
    assert sp.simplify(d.schedule.subs(alpha, d.alpha_gamma0) - thm.schedule) == 0
    assert sp.simplify(d.scale.subs(alpha, d.alpha_gamma0) - thm.scale) == 0
    assert sp.simplify(d.scale_recurrence.rhs.subs(gamma, 0) - thm.scale_recurrence.rhs) == 0
    roots0 = sp.solve(d.characteristic.subs(gamma, 0).subs(alpha, sp.Symbol("x")), sp.Symbol("x"))
    assert any(sp.simplify(z - (1 - eta * lam)) == 0 for z in roots0)
    for e, l in ((0.1, 0.05), (0.5, 1.0), (0.01, 3.0)):
        vals = {eta: e, lam: l, gamma: 0}
        assert math.isclose(float(d.alpha_principal.subs(vals)), 1 - e * l, rel_tol=1e-12)


def test_momentum_step_keys_are_stable_and_find_the_results() -> None:
    d = D.momentum_theorem()
    assert d.keys() == [
        "wd_step", "wd_recurrence", "exp_lr_step", "exp_lr_recurrence", "lr_from_scale", "previous_terms_vanish",
        "scale_recurrence", "characteristic", "discriminant", "real_alpha_condition", "exp_lr_schedule", "velocity0",
        "gamma_zero",
    ]
    assert d.step("wd_recurrence").expr.rhs == d.recurrence_wd
    assert d.step("characteristic").expr.lhs == d.characteristic
    assert d.step("real_alpha_condition").expr == d.real_alpha_condition
    assert d.step("velocity0").expr.rhs == d.initial_velocity
    assert d.step("gamma_zero").expr.rhs == d.alpha_gamma0
    schedule = d.step("exp_lr_schedule")
    assert schedule.expr.rhs == d.schedule
    assert schedule.latex.endswith(r"= \eta \alpha^{- 2 t - 1}"), schedule.latex
