"""Equilibrium with momentum gamma (Spherical Motion Dynamics, arXiv:2006.08419):
cos(step) = 1 - eta lam/(1+gamma); with the new gradient uncorrelated with the buffer,
||th*||^4 ~ eta G^2/(2 lam (1-gamma))."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step, _inner
from mathcore.derivations.equilibrium import equilibrium
from mathcore.derivations.latex import _eq_tex, _flip_sums, _lin_tex, _seq, to_latex
from mathcore.derivations.lemma_one import lemma_1
from mathcore.derivations.symbols import G, _disp, eta, gamma, lam, r


@dataclass(frozen=True, eq=False)
class EquilibriumMomentum(Derivation):
    """Results of :func:`equilibrium_momentum` (symbols ``r`` = ||theta||, ``G``,
    ``eta``, ``lambda``, ``gamma``).

    ``moments`` = (b, V, C): display symbols for <theta_t, v_t>, ||v_t||^2 and
    <v_t, grad L(theta_t)>, held steady in time. ``radial_buffer``:
    <theta_t, v_{t+1}>; ``buffer_inner`` = b, ``buffer_sq`` = V and
    ``correlation`` = C as the steady state forces them (functions of r, G);
    ``cos_step``: cos of the angle turned per step; ``angular_step_exact`` its
    acos, ``angular_step`` leading order in lambda; ``norm4``: ||theta*||^4 when
    C = 0 (noise-dominated), ``norm4_leading`` leading order in lambda.
    """

    moments: tuple[sp.Symbol, sp.Symbol, sp.Symbol]
    radial_buffer: sp.Expr
    buffer_inner: sp.Expr
    buffer_sq: sp.Expr
    correlation: sp.Expr
    cos_step: sp.Expr
    angular_step_exact: sp.Expr
    angular_step: sp.Expr
    norm4: sp.Expr
    norm4_leading: sp.Expr


@functools.cache
def equilibrium_momentum() -> EquilibriumMomentum:
    """Steady state of SGD with momentum gamma and weight decay lam on a scale-invariant loss:
    cos(step) = 1 - eta lam/(1+gamma), so step ~ sqrt(2 eta lam/(1+gamma)); with the new gradient
    uncorrelated with the buffer, ||th*||^4 = eta G^2 (1+gamma)/(lam (1-gamma)(2(1+gamma) - eta lam)).

    Assumptions: (i) steady state: ||theta_t||^2 = r^2, b = <theta_t, v_t>, V = ||v_t||^2 and
    C = <v_t, grad L(theta_t)> do not change from step to step (for a noisy run: their
    expectations, with the norm's fluctuations neglected); (ii) Lemma 1 (exact):
    <theta_t, grad L> = 0, ||grad L(theta_t)|| = G/r (the noise is tangent too). The angular
    step follows from (i)-(ii) alone. (iii) For the norm only: C = 0, the new gradient is
    uncorrelated with the buffer (noise-dominated regime, as SMD assumes).
    """
    lem = lemma_1(2)
    th, th1, thm = (_disp("theta_t", r"\theta_t"), _disp("theta_t1", r"\theta_{t+1}"),
                    _disp("theta_tm1", r"\theta_{t-1}"))
    v0, v1 = _disp("v_t", "v_t"), _disp("v_t1", "v_{t+1}")
    g = _disp("grad_theta_t", r"\nabla L(\theta_t)")
    b = _disp("mom_b", "b", real=True)
    V = _disp("mom_V", "V", positive=True)
    C = _disp("mom_C", "C", real=True)
    P = _disp("inner_g_theta", r"\langle \nabla L(\theta_t), \theta_t \rangle")
    names = {r: r"\|\theta\|"}
    k_r = lem.gradient_scaling.subs(lem.c, r)  # Lemma 1: ||grad L(theta_t)|| = G/r

    # premises (PyTorch convention) and the previous step solved for theta_{t-1}
    mom_v = sp.Eq(v1, gamma * v0 + g + lam * th)
    mom_x = sp.Eq(th1, th - eta * v1)
    (prev,) = sp.solve(mom_x.subs({th1: th, th: thm, v1: v0}, simultaneous=True), thm)

    # every vector in the basis (theta_t, v_t, grad L(theta_t)); inner products by bilinearity
    basis = {"th": th, "v": v0, "g": g}
    gram = {frozenset(["th"]): r**2, frozenset(["v"]): V, frozenset(["g"]): (k_r * G) ** 2,
            frozenset(["th", "v"]): b, frozenset(["th", "g"]): P, frozenset(["v", "g"]): C}

    def coords(expr: sp.Expr) -> dict[str, sp.Expr]:
        expr = sp.expand(expr.subs(v1, mom_v.rhs))
        return {k: expr.coeff(vec) for k, vec in basis.items()}

    def ip(x: sp.Expr, y: sp.Expr) -> sp.Expr:
        return sp.expand(_inner(coords(x), coords(y), gram).subs(P, 0))  # Lemma 1: P = 0

    a_prev = ip(prev, v0)  # <theta_{t-1}, v_t>
    a_now = ip(th, v1)  # <theta_t, v_{t+1}>
    v_sq = ip(v1, v1)  # ||v_{t+1}||^2
    norm_sq = ip(mom_x.rhs, mom_x.rhs)  # ||theta_{t+1}||^2
    # the same norm, grouped: ||theta_t||^2 - 2 eta <theta_t, v_{t+1}> + eta^2 ||v_{t+1}||^2
    norm_grouped = r**2 - 2 * eta * a_now + eta**2 * v_sq
    if sp.expand(norm_sq - norm_grouped) != 0:
        raise RuntimeError("norm expansion mismatch")

    # steady state: all three moments repeat; solve the linear system for b, V and C
    eq_radial = sp.Eq(a_prev, a_now)
    eq_energy = sp.Eq(v_sq, V)
    eq_norm = sp.Eq(r**2 - 2 * eta * a_now + eta**2 * V, r**2)  # uses eq_energy
    (sol,) = sp.solve([eq_radial, eq_energy, eq_norm], [b, V, C], dict=True)
    buffer_inner, buffer_sq = sp.factor(sol[b]), sp.factor(sol[V])
    if buffer_inner.has(G, C) or buffer_sq.has(G, C):
        raise RuntimeError("b and V should not depend on the gradient")
    correlation = sp.factor(sol[C])
    radial = sp.factor(a_now.subs(b, buffer_inner))

    # angle turned in one step: <theta_t, theta_{t+1}> / (||theta_t|| ||theta_{t+1}||), both = r
    cos_step = sp.simplify(ip(th, mom_x.rhs).subs(sol) / r**2)
    if cos_step.has(r, G):
        raise RuntimeError("the angular step should depend on eta, lambda, gamma only")
    cos_step = 1 + sp.factor(cos_step - 1)
    angular_exact = sp.acos(cos_step)
    ang_lead = sp.powsimp(angular_exact.as_leading_term(lam), force=True)
    ang_sq = sp.factor(sp.powsimp(sp.expand(ang_lead**2), force=True))

    # the norm: set C = 0 (uncorrelated), an equation linear in w = r^4
    w = sp.Symbol("w", positive=True)
    fixed = sp.collect(sp.expand(sp.numer(sp.together(correlation))), r).subs(r**4, w)
    if fixed.has(r) or sp.degree(fixed, w) != 1:
        raise RuntimeError("C = 0 is not linear in r^4")
    (norm4,) = sp.solve(fixed, w)
    norm4 = _flip_sums(sp.factor(norm4))
    norm4_leading = _flip_sums(sp.factor(norm4.as_leading_term(lam)))

    # gamma = 0 must give back equilibrium()
    eq0 = equilibrium()
    if sp.simplify(norm4.subs(gamma, 0) - eq0.norm4) != 0 or sp.simplify(
            ang_lead.subs(gamma, 0) - eq0.angular_step) != 0:
        raise RuntimeError("gamma = 0 does not reduce to equilibrium()")

    rs = _disp("r_star", r"\|\theta_\star\|")
    dphi = _disp("dphi", r"\Delta\varphi")
    cos_d = _disp("cos_dphi", r"\cos\Delta\varphi")
    inner_tv = _disp("inner_th_v", r"\langle \theta_t, v_t \rangle")
    v_norm = _disp("norm_v_sq", r"\|v_t\|^2")
    inner_vg = _disp("inner_v_g", r"\langle v_t, \nabla L(\theta_t) \rangle")
    g_norm = _disp("norm_grad", r"\|\nabla L(\theta_t)\|")
    inner_a = _disp("inner_th_v1", r"\langle \theta_t, v_{t+1} \rangle")
    inner_a_prev = _disp("inner_thm_v", r"\langle \theta_{t-1}, v_t \rangle")
    inner_tt = _disp("inner_th_th1", r"\langle \theta_t, \theta_{t+1} \rangle")
    v1_sq = _disp("norm_v1_sq", r"\|v_{t+1}\|^2")
    n1_sq = _disp("norm_theta1_sq", r"\|\theta_{t+1}\|^2")
    n0_sq = _disp("norm_theta_sq", r"\|\theta_t\|^2")
    tex = lambda e: to_latex(e, names)
    steps = (
        Step(sp.Tuple(mom_v, mom_x),
             _seq(to_latex(v1) + " = " + _lin_tex(mom_v.rhs, [v0, g, th]),
                  to_latex(th1) + " = " + _lin_tex(mom_x.rhs, [th, v1])),
             "SGD with momentum and weight decay", key="wd_step"),
        Step(sp.Tuple(sp.Eq(inner_tv, b), sp.Eq(v_norm, V), sp.Eq(inner_vg, C)),
             _seq(_eq_tex(b, inner_tv), _eq_tex(V, v_norm), _eq_tex(C, inner_vg)),
             "Steady state: these stay the same every step", key="steady_state"),
        Step(sp.Tuple(sp.Eq(P, 0), sp.Eq(g_norm, k_r * G)),
             _seq(to_latex(P) + " = 0", to_latex(g_norm) + " = " + tex(k_r * G)),
             "Lemma 1 (the noise is tangent too)", key="lemma_1"),
        Step(sp.Eq(thm, prev), to_latex(thm) + " = " + _lin_tex(prev, [th, v0]),
             "Undo the previous step", key="previous_step"),
        Step(eq_radial, _seq(_eq_tex(inner_a_prev, inner_a), tex(eq_radial.lhs) + " = " + tex(eq_radial.rhs)),
             "Steady radial part of the buffer", key="steady_radial"),
        Step(eq_energy, _eq_tex(v1_sq, V) + r",\quad " + tex(eq_energy.lhs) + " = V",
             "Steady buffer size", key="steady_buffer_size"),
        Step(eq_norm, _eq_tex(n1_sq, n0_sq) + r",\quad " + tex(eq_norm.lhs) + " = " + tex(eq_norm.rhs),
             "Steady norm", key="steady_norm"),
        Step(sp.Tuple(sp.Eq(b, buffer_inner), sp.Eq(V, buffer_sq)),
             _seq(tex(sp.Eq(b, buffer_inner)), tex(sp.Eq(V, buffer_sq))),
             "Solve the linear equations", key="buffer_moments"),
        Step(sp.Eq(cos_d, cos_step),
             to_latex(cos_d) + rf" = \frac{{{to_latex(inner_tt)}}}{{\|\theta\|^2}} = {to_latex(cos_step)}",
             "Angle turned in one step", key="cos_step"),
        Step(sp.Eq(dphi, ang_lead),
             to_latex(dphi) + r" \approx " + to_latex(sp.Pow(ang_sq, sp.S.Half, evaluate=False)),
             "Momentum slows the rotation by sqrt(1 + gamma)", key="angular_step"),
        Step(sp.Eq(rs**4, norm4), _seq(_eq_tex(C, 0), _eq_tex(rs**4, norm4)),
             "New gradient uncorrelated with the buffer", key="norm4"),
        Step(sp.Eq(rs**4, norm4_leading), to_latex(rs**4) + r" \approx " + to_latex(norm4_leading),
             "Small weight decay", key="norm4_leading"),
        Step(sp.Tuple(sp.Eq(dphi, ang_lead.subs(gamma, 0)), sp.Eq(rs**4, norm4_leading.subs(gamma, 0))),
             _seq(_eq_tex(gamma, 0), to_latex(dphi) + r" \approx "
                  + to_latex(sp.Pow(ang_sq.subs(gamma, 0), sp.S.Half, evaluate=False))),
             "No momentum: the plain equilibrium again", key="gamma_zero"),
    )
    return EquilibriumMomentum(
        name="equilibrium_momentum", steps=steps, moments=(b, V, C), radial_buffer=radial,
        buffer_inner=buffer_inner, buffer_sq=buffer_sq, correlation=correlation, cos_step=cos_step,
        angular_step_exact=angular_exact, angular_step=ang_lead, norm4=norm4, norm4_leading=norm4_leading,
    )
