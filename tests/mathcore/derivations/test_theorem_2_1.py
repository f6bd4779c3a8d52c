"""Tests for mathcore.derivations.theorem_2_1 (weight decay == exponential learning rate).

The expected formulas (from shared/reference/math.md) are typed here, as the
independent expectation; the module under test must derive them.
"""

from __future__ import annotations

import sympy as sp

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import by_name, quadform, rel


def test_theorem_2_1_matches_math_md() -> None:
    d = D.theorem_2_1()
    names = by_name(d.schedule)
    assert set(names) == {"eta", "lambda", "t"}
    eta, lam, t = names["eta"], names["lambda"], names["t"]
    assert sp.simplify(d.schedule - eta * (1 - eta * lam) ** (-2 * t - 1)) == 0
    assert sp.simplify(d.scale - (1 - eta * lam) ** t) == 0
    assert sp.simplify(d.schedule - eta * (1 - eta * lam) ** (-2 * t)) != 0  # the test can fail
    assert d.residual == 0
    s = sp.Function("s")
    assert sp.simplify(d.scale_recurrence.rhs - (1 - eta * lam) * s(t)) == 0
    et = sp.Function("etatilde")
    assert d.lr_from_scale.lhs == et(t)
    assert sp.simplify(d.lr_from_scale.rhs - eta / (s(t) * s(t + 1))) == 0


def test_theorem_2_1_numerically_equivalent_runs() -> None:
    d = D.theorem_2_1()
    e, l = 0.1, 0.05
    sched = sp.lambdify(D.t, d.schedule.subs({D.eta: e, D.lam: l}))
    scale = sp.lambdify(D.t, d.scale.subs({D.eta: e, D.lam: l}))
    grad = quadform([[1.0, 0.3], [0.3, -0.5]])

    def run(lr_fn):
        th, tt = [1.2, -1.6], [1.2, -1.6]
        worst = 0.0
        for k in range(300):
            g = grad(th)
            th = [(1 - e * l) * a - e * b for a, b in zip(th, g)]
            gt = grad(tt)
            tt = [a - lr_fn(k) * b for a, b in zip(tt, gt)]
            worst = max(worst, rel(th, [scale(k + 1) * a for a in tt]))
        return worst

    assert run(sched) < 1e-10
    assert run(lambda k: e * (1 - e * l) ** (-2 * k)) > 1e-4  # a wrong schedule is detected


def test_theorem_2_1_step_keys_are_stable_and_show_the_derived_schedule() -> None:
    d = D.theorem_2_1()
    assert d.keys() == [
        "wd_step", "exp_lr_step", "induction_hypothesis", "wd_step_rewritten", "exp_lr_step_scaled",
        "match_coefficients", "scale", "condition", "exp_lr_schedule",
    ]
    schedule, scale = d.step("exp_lr_schedule"), d.step("scale")
    assert schedule.expr.rhs == d.schedule
    assert scale.expr.rhs == d.scale
    # what the viewer reads: math.md's exponent -2t-1 on the base 1 - eta*lambda, and s_t = (1 - eta*lambda)^t
    assert schedule.latex.endswith(r"= \eta \left(1 - \eta \lambda\right)^{- 2 t - 1}"), schedule.latex
    assert scale.latex.endswith(r"s_{t} = \left(1 - \eta \lambda\right)^{t}"), scale.latex


def test_theorem_2_1_needs_eta_lambda_below_one() -> None:
    """math.md: 0 ≤ ηλ < 1. Derived from s_{t+1}/s_t > 0; checked at values either side of the bound."""
    d = D.theorem_2_1()
    names = by_name(d.condition)
    eta, lam = names["eta"], names["lambda"]
    assert isinstance(d.condition, sp.StrictLessThan)
    assert sp.simplify(d.condition.lhs / d.condition.rhs - eta * lam) == 0
    ratio = d.scale.subs(by_name(d.scale)["t"], 1)
    for product, allowed in ((0.0, True), (0.5, True), (0.999, True), (1.0, False), (1.5, False)):
        values = {eta: 0.5, lam: product / 0.5}
        assert bool(d.condition.subs(values)) is allowed
        assert bool(ratio.subs(values) > 0) is allowed  # the scale stays positive exactly when allowed
    assert d.step("condition").latex == r"\eta \lambda < 1"
