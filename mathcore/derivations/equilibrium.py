"""Equilibrium of the norm under weight decay: ||th*||^4 = eta^2 G^2/(1-(1-eta lam)^2) ~ eta G^2/(2 lam),
angular step ~ sqrt(2 eta lam), effective learning rate eta/||th||^2."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step, _inner
from mathcore.derivations.latex import _eq_tex, _lin_tex, _nice, _seq, _sum_tex, to_latex
from mathcore.derivations.lemma_one import lemma_1
from mathcore.derivations.symbols import G, _disp, eta, lam, r


@dataclass(frozen=True, eq=False)
class Equilibrium(Derivation):
    """Results of :func:`equilibrium` (symbols ``r`` = ||theta_t||, ``G``,
    ``eta``, ``lambda``).

    ``norm_recurrence``: ||theta_{t+1}||^2 as a function of r;
    ``norm4``: exact ||theta*||^4; ``norm4_leading``: leading order in lambda;
    ``tan_step``: tan of the angle turned in one step, function of r;
    ``tan2_step_eq``, ``tan_step_eq``, ``angular_step_exact``: at equilibrium;
    ``cos2_step_eq``: cos^2 of that angle at equilibrium, (1 - eta lam)^2;
    ``angular_step``: leading order in lambda; ``effective_lr``: eta/r**2.
    """

    norm_recurrence: sp.Expr
    norm4: sp.Expr
    norm4_leading: sp.Expr
    tan_step: sp.Expr
    tan2_step_eq: sp.Expr
    tan_step_eq: sp.Expr
    angular_step_exact: sp.Expr
    cos2_step_eq: sp.Expr
    angular_step: sp.Expr
    effective_lr: sp.Expr


@functools.cache
def equilibrium() -> Equilibrium:
    """||th_{t+1}||^2 = (1-eta lam)^2 ||th_t||^2 + eta^2 G^2/||th_t||^2; fixed point
    ||th*||^4 ~ eta G^2/(2 lam); angular step ~ sqrt(2 eta lam)."""
    lem = lemma_1(2)
    th, th1 = _disp("theta_t", r"\theta_t"), _disp("theta_t1", r"\theta_{t+1}")
    g = _disp("grad_theta_t", r"\nabla L(\theta_t)")
    u_vec, gu = _disp("u_unit", "u"), _disp("grad_u", r"\nabla L(u)")
    P = _disp("inner_gu_u", r"\langle \nabla L(u), u \rangle")
    N1 = _disp("norm_theta1_sq", r"\|\theta_{t+1}\|^2", positive=True)
    names = {r: r"\|\theta_t\|"}
    wd_rhs = (1 - eta * lam) * th - eta * g  # premise: SGD with weight decay
    k_r = lem.gradient_scaling.subs(lem.c, r)  # Lemma 1: grad L(r u) = k grad L(u)
    # theta_t = r u with ||u|| = 1; ||grad L(u)|| = G; <grad L(u), u> = P (= 0 by Lemma 1)
    gram = {frozenset(["u"]): sp.S.One, frozenset(["gu"]): G**2, frozenset(["u", "gu"]): P}
    coords = {"u": sp.diff(wd_rhs, th) * r, "gu": sp.diff(wd_rhs, g) * k_r}
    expanded = _inner(coords, coords, gram)
    norm_rec = expanded.subs(P, 0)

    def ordered(e: sp.Expr) -> list[sp.Expr]:
        return sorted(sp.Add.make_args(e), key=lambda term: (sp.degree(term, G), sp.degree(term, P)))

    # fixed point: ||theta_{t+1}|| = ||theta_t|| = r*, an equation linear in w = r*^4
    w = sp.Symbol("w", positive=True)
    fixed = sp.collect(sp.expand_mul((norm_rec - r**2) * r**2), r**4).subs(r**4, w)
    if fixed.has(r) or sp.degree(fixed, w) != 1:
        raise RuntimeError("fixed-point equation not linear in r^4")
    (norm4_solved,) = sp.solve(fixed, w)
    norm4_form = -fixed.subs(w, 0) / fixed.coeff(w)  # same value, unsimplified
    if sp.simplify(norm4_form - norm4_solved) != 0:
        raise RuntimeError("fixed point mismatch")
    norm4 = _nice(sp.factor(sp.simplify(norm4_form)))
    norm4_leading = norm4.as_leading_term(lam)

    # angle turned in one step: components along u and along grad L(u)/G
    along = _inner(coords, {"u": sp.S.One}, gram).subs(P, 0)
    perp = _inner(coords, {"gu": 1 / G}, gram).subs(P, 0)
    tan_step = _nice(sp.simplify(sp.Abs(perp) / along))
    tan2_eq = _nice(sp.factor(sp.cancel((tan_step**2).subs(r**4, norm4))))
    if tan2_eq.has(r):
        raise RuntimeError("tan^2 did not reduce to r^4")
    cos2_eq = _nice(sp.factor(sp.cancel(1 / (1 + tan2_eq))))
    tan_eq = sp.sqrt(tan2_eq)
    angular_exact = sp.atan(tan_eq)
    ang_lead = sp.powsimp(angular_exact.as_leading_term(lam), force=True)
    ang_sq = sp.powsimp(sp.expand(ang_lead**2), force=True)
    effective_lr = sp.simplify(sp.Abs(perp) / (r * G))

    rs = _disp("r_star", r"\|\theta_\star\|")
    dphi = _disp("dphi", r"\Delta\varphi")
    tan_d = _disp("tan_dphi", r"\tan\Delta\varphi")
    tan2_d = _disp("tan2_dphi", r"\tan^2\Delta\varphi")
    cos2_d = _disp("cos2_dphi", r"\cos^2\Delta\varphi")
    steps = (
        Step(sp.Eq(th1, wd_rhs), to_latex(th1) + " = " + _lin_tex(wd_rhs, [th, g]),
             "SGD with weight decay", key="wd_step"),
        Step(sp.Tuple(sp.Eq(th, r * u_vec), sp.Eq(g, k_r * gu)),
             _seq(to_latex(th) + " = " + _lin_tex(r * u_vec, [u_vec], names),
                  to_latex(g) + " = " + _lin_tex(k_r * gu, [gu], names)),
             "Unit direction u; Lemma 1", key="unit_direction"),
        Step(sp.Eq(N1, expanded), to_latex(N1) + " = " + _sum_tex(ordered(expanded), [eta, 1 - eta * lam], names),
             "Expand the squared norm", key="expand"),
        Step(sp.Eq(N1, norm_rec), to_latex(N1) + " = " + _sum_tex(ordered(norm_rec), [eta, 1 - eta * lam], names),
             "Lemma 1: the cross term vanishes", key="norm_recurrence"),
        Step(sp.Eq(rs**4, norm4_form), _eq_tex(rs**4, _nice(norm4_form)) + " = " + to_latex(norm4),
             "Equilibrium: the norm stops changing", key="norm4"),
        Step(sp.Eq(rs**4, norm4_leading), to_latex(rs**4) + r" \approx " + to_latex(norm4_leading),
             "Small weight decay", key="norm4_leading"),
        Step(sp.Eq(tan_d, tan_step), to_latex(tan_d) + " = " + to_latex(tan_step, names),
             "Angle turned in one step", key="tan_step"),
        Step(sp.Tuple(sp.Eq(tan2_d, tan2_eq), sp.Eq(cos2_d, cos2_eq)),
             _seq(_eq_tex(tan2_d, tan2_eq), _eq_tex(cos2_d, cos2_eq)), "At equilibrium", key="step_at_equilibrium"),
        Step(sp.Eq(dphi, ang_lead),
             to_latex(dphi) + r" \approx " + to_latex(sp.Pow(ang_sq, sp.S.Half, evaluate=False)),
             "Angular speed set by eta * lambda alone", key="angular_step"),
        Step(effective_lr, r"\eta_{\mathrm{eff}} = " + to_latex(effective_lr, names),
             "Effective learning rate on the sphere", key="effective_lr"),
    )
    return Equilibrium(
        name="equilibrium", steps=steps, norm_recurrence=norm_rec, norm4=norm4,
        norm4_leading=norm4_leading, tan_step=tan_step, tan2_step_eq=tan2_eq, tan_step_eq=tan_eq,
        angular_step_exact=angular_exact, cos2_step_eq=cos2_eq, angular_step=ang_lead,
        effective_lr=effective_lr,
    )
