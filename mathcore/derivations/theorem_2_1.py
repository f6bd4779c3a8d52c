"""Theorem 2.1 (Li & Arora): the weight-decay run equals the exp-LR run, th_t = (1-eta lam)^t th~_t,
with eta~_t = eta (1-eta lam)^(-2t-1)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step
from mathcore.derivations.latex import _eq_tex, _lin_tex, _product_tex, _seq, _show, to_latex
from mathcore.derivations.lemma_one import lemma_1
from mathcore.derivations.symbols import _ET, _S, _disp, eta, lam, t


@dataclass(frozen=True, eq=False)
class Theorem21(Derivation):
    """Results of :func:`theorem_2_1` (symbols ``eta``, ``lambda``, ``t``).

    ``scale`` = s_t, ``schedule`` = eta~_t; ``scale_recurrence``:
    ``Eq(s(t+1), (1-eta*lambda)*s(t))`` and ``lr_from_scale``:
    ``Eq(etatilde(t), eta/(s(t)*s(t+1)))`` with ``s = sympy.Function('s')``,
    ``etatilde = sympy.Function('etatilde')``; ``residual``: the
    inductive-step mismatch after substituting the solution (0); ``condition``:
    ``eta*lambda < 1``, solved from s_{t+1}/s_t > 0 (the scale must stay positive).
    """

    scale: sp.Expr
    schedule: sp.Expr
    scale_recurrence: sp.Eq
    lr_from_scale: sp.Eq
    residual: sp.Expr
    condition: sp.Rel


@functools.cache
def theorem_2_1() -> Theorem21:
    """GD with WD equals GD with LR eta*(1-eta*lam)^(-2t-1): theta_t = (1-eta*lam)^t * thetatilde_t."""
    lem = lemma_1(2)
    s, et = _S, _ET
    th, th1, g = (_disp("theta_t", r"\theta_t"), _disp("theta_t1", r"\theta_{t+1}"),
                  _disp("grad_theta_t", r"\nabla L(\theta_t)"))
    tt, tt1, gt = (_disp("thetatilde_t", r"\tilde\theta_t"), _disp("thetatilde_t1", r"\tilde\theta_{t+1}"),
                   _disp("grad_thetatilde_t", r"\nabla L(\tilde\theta_t)"))
    wd_rhs = (1 - eta * lam) * th - eta * g  # premise: SGD with weight decay
    exp_rhs = tt - et(t) * gt  # premise: plain SGD with LR etatilde_t
    k_s = lem.gradient_scaling.subs(lem.c, s(t))  # Lemma 1: grad L(s th) = k grad L(th)

    lhs = wd_rhs.subs({th: s(t) * tt, g: k_s * gt}, simultaneous=True)  # theta_{t+1}
    rhs = s(t + 1) * exp_rhs  # s_{t+1} thetatilde_{t+1}
    resid = sp.expand(lhs - rhs)
    coef_t, coef_g = resid.coeff(tt), resid.coeff(gt)
    if sp.expand(resid - coef_t * tt - coef_g * gt) != 0:
        raise RuntimeError("residual not linear in the vectors")
    (lr_from_scale,) = sp.solve(coef_g, et(t))
    (s_next,) = sp.solve(coef_t, s(t + 1))
    s0 = sp.S.One  # thetatilde_0 = theta_0
    scale = sp.rsolve(s(t + 1) - s_next, s(t), {s(0): s0})
    kk = sp.Dummy("k")
    s_lambda = sp.Lambda(kk, scale.subs(t, kk))
    schedule = sp.powsimp(lr_from_scale.subs(s, s_lambda))
    residual = sp.simplify(resid.subs(et(t), lr_from_scale).subs(s, s_lambda))
    # The runs are one up to a *positive* scale (Lemma 1 needs c > 0): s_{t+1}/s_t > 0, solved for λ.
    ratio = sp.simplify(s_next / s(t))
    allowed = sp.solve_univariate_inequality(ratio > 0, lam, relational=False)  # an interval of λ, open above
    if not (allowed.right_open and allowed.sup.is_finite):
        raise RuntimeError(f"expected λ below a finite bound, got {allowed}")
    upper = allowed.sup
    condition = sp.Lt(eta * lam, sp.simplify(eta * upper))

    st = _show(s(t))
    steps = (
        Step(sp.Eq(th1, wd_rhs), to_latex(th1) + " = " + _lin_tex(wd_rhs, [th, g]),
             "SGD with weight decay", key="wd_step"),
        Step(sp.Eq(tt1, exp_rhs), to_latex(tt1) + " = " + _lin_tex(_show(exp_rhs), [tt, gt]),
             "SGD without weight decay, learning rate eta~_t", key="exp_lr_step"),
        Step(sp.Tuple(sp.Eq(th, s(t) * tt), sp.Eq(g, k_s * gt)),
             _seq(_eq_tex(th, _show(s(t) * tt)), to_latex(g) + " = " + _lin_tex(_show(k_s * gt), [gt])),
             "Induction hypothesis, and Lemma 1", key="induction_hypothesis"),
        Step(sp.Eq(th1, lhs), to_latex(th1) + " = " + _lin_tex(_show(lhs), [tt, gt]),
             "Weight-decay step, rewritten", key="wd_step_rewritten"),
        Step(sp.Eq(s(t + 1) * tt1, rhs),
             to_latex(_show(s(t + 1)) * tt1) + " = " + _lin_tex(_show(rhs), [tt, gt]),
             "Exp-LR step, scaled by s_{t+1}", key="exp_lr_step_scaled"),
        Step(sp.Tuple(sp.Eq(et(t), lr_from_scale), sp.Eq(s(t + 1), s_next)),
             _seq(_eq_tex(_show(et(t)), _show(lr_from_scale)), _eq_tex(_show(s(t + 1)), _show(s_next))),
             "Match the coefficients: both steps agree", key="match_coefficients"),
        Step(sp.Eq(s(t), scale), _seq(_eq_tex(_show(s(0)), s0), _eq_tex(st, scale)),
             "Start equal, solve the recurrence", key="scale"),
        Step(condition, to_latex(condition), "The scale stays positive only if eta*lambda < 1", key="condition"),
        Step(sp.Eq(et(t), schedule), to_latex(_show(et(t))) + " = " + _product_tex(schedule, [eta]),
             "An exponentially growing learning rate", key="exp_lr_schedule"),
    )
    return Theorem21(name="theorem_2_1", steps=steps, scale=scale, schedule=schedule,
                     scale_recurrence=sp.Eq(s(t + 1), s_next), lr_from_scale=sp.Eq(et(t), lr_from_scale),
                     residual=residual, condition=condition)
