"""Tests for mathcore.derivations.equilibrium (the norm's equilibrium under weight decay).

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import math

import sympy as sp

from mathcore import derivations as D


def test_equilibrium_formulas_match_math_md() -> None:
    d = D.equilibrium()
    eta, lam, G, r = D.eta, D.lam, D.G, D.r
    assert sp.simplify(d.norm_recurrence - ((1 - eta * lam) ** 2 * r**2 + eta**2 * G**2 / r**2)) == 0
    assert sp.simplify(d.norm4 - eta**2 * G**2 / (1 - (1 - eta * lam) ** 2)) == 0
    assert sp.simplify(d.norm4_leading - eta * G**2 / (2 * lam)) == 0
    assert sp.simplify(d.angular_step - sp.sqrt(2 * eta * lam)) == 0
    assert sp.simplify(d.cos2_step_eq - (1 - eta * lam) ** 2) == 0
    assert sp.simplify(d.tan_step - eta * G / ((1 - eta * lam) * r**2)) == 0
    assert sp.simplify(d.effective_lr - eta / r**2) == 0
    assert sp.limit(d.angular_step_exact / d.angular_step, lam, 0) == 1
    assert sp.limit(d.norm4 / d.norm4_leading, lam, 0) == 1


def test_equilibrium_numerically() -> None:
    d = D.equilibrium()
    e, l, Gv = 0.1, 0.02, 1.3
    vals = {D.eta: e, D.lam: l, D.G: Gv}
    th = [1.0, 0.0]
    for _ in range(6000):
        n2 = th[0] ** 2 + th[1] ** 2
        g = [-Gv * th[1] / n2, Gv * th[0] / n2]  # grad of G*atan2(y, x): orthogonal, norm G/r
        th = [(1 - e * l) * a - e * b for a, b in zip(th, g)]
    r4 = (th[0] ** 2 + th[1] ** 2) ** 2
    assert math.isclose(r4, float(d.norm4.subs(vals)), rel_tol=1e-9)
    n2 = th[0] ** 2 + th[1] ** 2
    g = [-Gv * th[1] / n2, Gv * th[0] / n2]
    nxt = [(1 - e * l) * a - e * b for a, b in zip(th, g)]
    step = abs(math.atan2(nxt[1], nxt[0]) - math.atan2(th[1], th[0]))
    step = min(step, 2 * math.pi - step)
    assert math.isclose(step, float(d.angular_step_exact.subs(vals)), rel_tol=1e-9)
    assert math.isclose(step, float(d.angular_step.subs(vals)), rel_tol=5e-3)
    assert math.isclose(math.cos(step) ** 2, float(d.cos2_step_eq.subs(vals)), rel_tol=1e-9)


def test_equilibrium_step_keys_are_stable_and_find_the_results() -> None:
    d = D.equilibrium()
    assert d.keys() == [
        "wd_step", "unit_direction", "expand", "norm_recurrence", "norm4", "norm4_leading", "tan_step",
        "step_at_equilibrium", "angular_step", "effective_lr",
    ]
    assert d.step("norm_recurrence").expr.rhs == d.norm_recurrence
    assert d.step("norm4_leading").expr.rhs == d.norm4_leading
    assert d.step("tan_step").expr.rhs == d.tan_step
    assert d.step("angular_step").expr.rhs == d.angular_step
    assert d.step("effective_lr").expr == d.effective_lr
    assert sp.simplify(d.step("norm4").expr.rhs - d.norm4) == 0
