"""Theorem 2.1 with momentum: alpha^2 - (1+gamma-eta lam) alpha + gamma = 0, eta~_t = eta alpha^(-2t-1),
v~_0 = -(1-alpha) th_0/(eta alpha)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step
from mathcore.derivations.latex import _eq_tex, _lin_tex, _nice, _poly_tex, _product_tex, _seq, _show, to_latex
from mathcore.derivations.lemma_one import lemma_1
from mathcore.derivations.symbols import _ET, _S, _disp, _geometric, alpha, eta, gamma, lam, t, theta0


@dataclass(frozen=True, eq=False)
class MomentumTheorem(Derivation):
    """Results of :func:`momentum_theorem`.

    ``characteristic``: alpha**2 - (1+gamma-eta*lambda)*alpha + gamma (in the
    symbol ``alpha``); ``alpha_roots``: its two roots in eta, lambda, gamma,
    principal (+ sqrt, -> 1 as lambda -> 0) first; ``alpha_principal`` the
    first. ``schedule`` = eta*alpha**(-2t-1); ``scale`` = alpha**t;
    ``recurrence_wd`` / ``recurrence_exp``: theta_{t+1} after eliminating v
    (in display-only vector symbols); ``scale_recurrence``:
    ``Eq(s(t+1), (1+gamma-eta*lambda)*s(t) - gamma*s(t-1))``, s = Function('s');
    ``discriminant``; ``real_alpha_condition``: ``Le(eta*lambda,
    (1-sqrt(gamma))**2)``; ``initial_velocity``: v~_0 in ``theta0``, eta,
    alpha; ``alpha_gamma0``: the non-zero root at gamma = 0.
    """

    recurrence_wd: sp.Expr
    recurrence_exp: sp.Expr
    scale_recurrence: sp.Eq
    characteristic: sp.Expr
    alpha_roots: tuple[sp.Expr, sp.Expr]
    alpha_principal: sp.Expr
    discriminant: sp.Expr
    real_alpha_condition: sp.Rel
    scale: sp.Expr
    schedule: sp.Expr
    initial_velocity: sp.Expr
    alpha_gamma0: sp.Expr


@functools.cache
def momentum_theorem() -> MomentumTheorem:
    """SGD+momentum gamma+WD lam == SGD+momentum with LR eta*alpha^(-2t-1),
    alpha^2 - (1+gamma-eta*lam)*alpha + gamma = 0, theta_t = alpha^t thetatilde_t."""
    lem = lemma_1(2)
    s, et = _S, _ET
    thm, th0, th1 = (_disp("theta_tm1", r"\theta_{t-1}"), _disp("theta_t", r"\theta_t"),
                     _disp("theta_t1", r"\theta_{t+1}"))
    v0, v1 = _disp("v_t", "v_t"), _disp("v_t1", "v_{t+1}")
    g = _disp("grad_theta_t", r"\nabla L(\theta_t)")
    ttm, tt0, tt1 = (_disp("thetatilde_tm1", r"\tilde\theta_{t-1}"), _disp("thetatilde_t", r"\tilde\theta_t"),
                     _disp("thetatilde_t1", r"\tilde\theta_{t+1}"))
    vt0, vt1 = _disp("vtilde_t", r"\tilde v_t"), _disp("vtilde_t1", r"\tilde v_{t+1}")
    gt = _disp("grad_thetatilde_t", r"\nabla L(\tilde\theta_t)")

    # premises: the two runs (PyTorch convention)
    wd_v = sp.Eq(v1, gamma * v0 + g + lam * th0)
    wd_x = sp.Eq(th1, th0 - eta * v1)
    ex_v = sp.Eq(vt1, gamma * vt0 + gt)
    ex_x = sp.Eq(tt1, tt0 - et(t) * vt1)

    # eliminate the buffers: use the position update at t and at t-1
    wd_x_prev = wd_x.subs({th1: th0, th0: thm, v1: v0}, simultaneous=True)
    (sol,) = sp.solve([wd_v, wd_x, wd_x_prev], [th1, v1, v0], dict=True)
    rec_wd = sp.expand(sol[th1])
    ex_x_prev = ex_x.subs({tt1: tt0, tt0: ttm, vt1: vt0, et(t): et(t - 1)}, simultaneous=True)
    (sol,) = sp.solve([ex_v, ex_x, ex_x_prev], [tt1, vt1, vt0], dict=True)
    rec_exp = sp.expand(sol[tt1])

    # plug theta_k = s_k thetatilde_k, Lemma 1 for the gradient
    k_s = lem.gradient_scaling.subs(lem.c, s(t))
    lhs = rec_wd.subs({th0: s(t) * tt0, thm: s(t - 1) * ttm, g: k_s * gt}, simultaneous=True)
    rhs = s(t + 1) * rec_exp
    resid = sp.expand(lhs - rhs)
    vecs = [tt0, ttm, gt]
    coefs = {v: resid.coeff(v) for v in vecs}
    if sp.expand(resid - sum(coefs[v] * v for v in vecs)) != 0:
        raise RuntimeError("residual not linear in the vectors")

    (lr_from_scale,) = sp.solve(coefs[gt], et(t))  # eta / (s_t s_{t+1})
    lr_sub = {et(t): lr_from_scale, et(t - 1): lr_from_scale.subs(t, t - 1)}
    coef_prev = sp.simplify(coefs[ttm].subs(lr_sub))  # vanishes identically
    if coef_prev != 0:
        raise RuntimeError("theta~_{t-1} coefficient does not vanish")
    coef_now = sp.expand(sp.cancel(coefs[tt0].subs(lr_sub)))
    (s_next,) = sp.solve(coef_now, s(t + 1))

    # geometric scale s_t = alpha^t  ->  characteristic polynomial for alpha
    char_raw = sp.expand(sp.powsimp(sp.expand(_geometric(coef_now, alpha) / alpha ** (t - 1))))
    if char_raw.has(t):
        raise RuntimeError("geometric ansatz did not separate")
    characteristic = sp.Poly(char_raw, alpha).monic().as_expr()
    x = sp.Dummy("x")
    roots = sp.solve(characteristic.subs(alpha, x), x)
    sample = {eta: sp.Rational(1, 10), lam: sp.Rational(1, 100), gamma: sp.Rational(9, 10)}
    roots = sorted(roots, key=lambda e: -float(e.subs(sample)))
    alpha_roots = (roots[0], roots[1])
    scale = alpha**t
    schedule = sp.powsimp(_geometric(lr_from_scale, alpha))

    # real roots: discriminant >= 0; solve for u = eta*lambda
    discriminant = sp.discriminant(characteristic, alpha)
    root_sum = sp.simplify(alpha_roots[0] + alpha_roots[1])
    root_prod = sp.simplify(sp.expand(alpha_roots[0] * alpha_roots[1]))
    disc_display = root_sum**2 - 4 * root_prod
    if sp.expand(disc_display - discriminant) != 0:
        raise RuntimeError("discriminant mismatch")
    u = sp.Symbol("u", nonnegative=True)
    disc_u = sp.expand(discriminant.subs(lam, u / eta))
    if sp.Poly(disc_u, u).LC() != 1:  # upward parabola in u
        raise RuntimeError("unexpected discriminant shape")
    bounds = sp.solve(disc_u, u)
    q = sp.Symbol("q", nonnegative=True)
    bounds = [sp.factor(b.subs(gamma, q**2)).subs(q, sp.sqrt(gamma)) for b in bounds]
    lo, hi = sorted(bounds, key=lambda e: float(e.subs(gamma, sp.Rational(1, 2))))
    if not sp.simplify(hi - lo).is_nonnegative:
        raise RuntimeError("cannot order the discriminant's roots")
    # the branch u <= lo contains u = 0 (no weight decay, roots 1 and gamma)
    real_alpha_condition = sp.Le(eta * lam, _nice(lo))

    # initial momentum buffer: WD run starts with v_0 = 0
    g0 = _disp("grad_theta_0", r"\nabla L(\theta_0)")
    w, w_g = sp.symbols("w w_g")
    vt_init = w * theta0 + w_g * g0
    (sol,) = sp.solve([wd_v.subs({v0: 0, th0: theta0, g: g0}), wd_x.subs({th0: theta0})], [th1, v1], dict=True)
    th1_wd = sol[th1]
    s0, s1 = scale.subs(t, 0), scale.subs(t, 1)
    if s0 != 1:
        raise RuntimeError("scale must start at 1")
    ex_sub = {tt0: theta0, gt: g0, vt0: vt_init, et(t): schedule.subs(t, 0)}
    (sol,) = sp.solve([ex_v.subs(ex_sub), ex_x.subs(ex_sub)], [tt1, vt1], dict=True)
    resid0 = sp.expand(th1_wd - s1 * sol[tt1])
    (wsol,) = sp.solve([resid0.coeff(theta0), resid0.coeff(g0)], [w, w_g], dict=True)
    (lam_char,) = sp.solve(characteristic, lam)
    w_final = sp.factor(sp.simplify(wsol[w].subs(lam, lam_char)))
    initial_velocity = w_final * theta0 + wsol[w_g] * g0

    # gamma = 0: the non-zero root
    alpha_gamma0 = [z for z in sp.solve(characteristic.subs(gamma, 0).subs(alpha, x), x) if z != 0]
    if len(alpha_gamma0) != 1:
        raise RuntimeError("gamma = 0 reduction failed")
    alpha_gamma0 = alpha_gamma0[0]

    stt = lambda k: _show(s(k))
    steps = (
        Step(sp.Tuple(wd_v, wd_x),
             _seq(to_latex(v1) + " = " + _lin_tex(wd_v.rhs, [v0, g, th0]),
                  to_latex(th1) + " = " + _lin_tex(wd_x.rhs, [th0, v1])),
             "SGD with momentum and weight decay", key="wd_step"),
        Step(sp.Eq(th1, rec_wd), to_latex(th1) + " = " + _lin_tex(rec_wd, [th0, thm, g]),
             "Eliminate the momentum buffer", key="wd_recurrence"),
        Step(sp.Tuple(ex_v, ex_x),
             _seq(to_latex(vt1) + " = " + _lin_tex(ex_v.rhs, [vt0, gt]),
                  to_latex(tt1) + " = " + _lin_tex(_show(ex_x.rhs), [tt0, vt1])),
             "Momentum, no weight decay, learning rate eta~_t", key="exp_lr_step"),
        Step(sp.Eq(tt1, rec_exp), to_latex(tt1) + " = " + _lin_tex(_show(rec_exp), [tt0, ttm, gt]),
             "Eliminate its buffer too", key="exp_lr_recurrence"),
        Step(sp.Eq(et(t), lr_from_scale),
             _seq(_eq_tex(th0, _show(s(t) * tt0)), _eq_tex(_show(et(t)), _show(lr_from_scale))),
             "Put theta_t = s_t theta~_t; match the gradient terms", key="lr_from_scale"),
        Step(sp.Eq(coefs[ttm], 0), to_latex(_show(coefs[ttm])) + " = " + to_latex(coef_prev),
             "The theta~_{t-1} terms then agree automatically", key="previous_terms_vanish"),
        Step(sp.Eq(s(t + 1), s_next), to_latex(stt(t + 1)) + " = " + _lin_tex(_show(s_next), [stt(t), stt(t - 1)]),
             "The theta~_t terms: a recurrence for s", key="scale_recurrence"),
        Step(sp.Eq(characteristic, 0),
             _seq(_eq_tex(stt(t), scale), _poly_tex(characteristic, alpha) + " = 0"),
             "Geometric scale: alpha solves a quadratic", key="characteristic"),
        Step(sp.Eq(discriminant, disc_display), to_latex(disc_display) + r" \geq 0",
             "Real alpha needs a non-negative discriminant", key="discriminant"),
        Step(real_alpha_condition, to_latex(real_alpha_condition),
             "Weight decay must be small enough", key="real_alpha_condition"),
        Step(sp.Eq(et(t), schedule),
             _seq(to_latex(th0) + " = " + _lin_tex(scale * tt0, [tt0]),
                  to_latex(_show(et(t))) + " = " + _product_tex(schedule, [eta])),
             "The equivalent exponential schedule", key="exp_lr_schedule"),
        Step(sp.Eq(vt0, initial_velocity),
             _seq(_eq_tex(_disp("v_0", "v_0"), 0),
                  to_latex(_disp("vtilde_0", r"\tilde v_0")) + " = " + _lin_tex(initial_velocity, [theta0, g0])),
             "Matching buffers at the start", key="velocity0"),
        Step(sp.Eq(alpha, alpha_gamma0), _seq(_eq_tex(gamma, 0), _eq_tex(alpha, alpha_gamma0)),
             "No momentum: Theorem 2.1 again", key="gamma_zero"),
    )
    return MomentumTheorem(
        name="momentum_theorem", steps=steps, recurrence_wd=rec_wd, recurrence_exp=rec_exp,
        scale_recurrence=sp.Eq(s(t + 1), s_next), characteristic=characteristic, alpha_roots=alpha_roots,
        alpha_principal=alpha_roots[0], discriminant=discriminant,
        real_alpha_condition=real_alpha_condition, scale=scale, schedule=schedule,
        initial_velocity=initial_velocity, alpha_gamma0=alpha_gamma0,
    )
