"""When rounding error, amplified by chaos, parts the two equivalent runs: a gap 10^(-d) e^(mu t)
reaches tau at t* = (d ln 10 + ln tau)/mu, so dt*/dd = ln 10/mu."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step
from mathcore.derivations.latex import _ln_tex
from mathcore.derivations.symbols import _disp, t


@dataclass(frozen=True, eq=False)
class PartingStepEstimate(Derivation):
    """Results of :func:`parting_step_estimate` (symbols ``digits`` = d, ``exponent`` = mu,
    ``tol`` = tau, all positive).

    ``gap``: 10^(-d) e^(mu t), a gap born at the unit roundoff and growing at the Lyapunov rate;
    ``parting_step``: t* solving gap = tau; ``slope``: dt*/dd; ``exponent_from_slope``: mu as a
    function of that slope (the symbol ``slope_symbol``).
    """

    digits: sp.Symbol
    exponent: sp.Symbol
    tol: sp.Symbol
    gap: sp.Expr
    parting_step: sp.Expr
    slope: sp.Expr
    slope_symbol: sp.Symbol
    exponent_from_slope: sp.Expr


@functools.cache
def parting_step_estimate() -> PartingStepEstimate:
    """A gap born at 10^(-d) (the unit roundoff with d digits) that grows like e^(mu t) reaches the
    tolerance tau at t* = (d ln 10 + ln tau)/mu: linear in d with slope ln 10/mu, so mu = ln 10/slope."""
    d = sp.Symbol("d", positive=True)
    mu = sp.Symbol("mu", positive=True)
    tau = sp.Symbol("tau", positive=True)
    t_star = sp.Symbol("t_star", positive=True)
    slope_sym = sp.Symbol("k", positive=True)
    delta = _disp("gap_t", r"\delta_t", positive=True)
    names = {t_star: r"t_\star"}
    tex = lambda e: _ln_tex(e, names)

    gap = 10 ** (-d) * sp.exp(mu * t)  # premise: roundoff, amplified by e^mu per step
    parting_eq = sp.Eq(gap.subs(t, t_star), tau)
    (solved,) = sp.solve(parting_eq, t_star)
    parting = sp.expand_log(solved, force=True)
    if sp.simplify(gap.subs(t, parting) - tau) != 0:
        raise RuntimeError("the parting step does not solve the parting condition")
    slope = sp.diff(parting, d)
    if slope.has(d, tau):
        raise RuntimeError("the parting step should be linear in the digits")
    (mu_from_slope,) = sp.solve(sp.Eq(slope_sym, slope), mu)

    steps = (
        Step(sp.Eq(delta, gap), tex(delta) + r" \approx " + tex(gap), "Rounding error, amplified by chaos", key="gap"),
        Step(parting_eq, tex(parting_eq.lhs) + " = " + tex(tau),
             "The runs part when the gap reaches tau", key="parting_condition"),
        Step(sp.Eq(t_star, parting), tex(t_star) + " = " + tex(parting),
             "Solve for the parting step", key="parting_step"),
        Step(sp.Eq(slope_sym, slope), tex(slope_sym) + r" = \frac{\Delta t_\star}{\Delta d} = " + tex(slope),
             "Linear in the digits: each digit adds ln 10/mu steps", key="slope"),
        Step(sp.Eq(mu, mu_from_slope), tex(mu) + " = " + tex(mu_from_slope),
             "The Lyapunov exponent from the slope", key="exponent_from_slope"),
    )
    return PartingStepEstimate(
        name="parting_step_estimate", steps=steps, digits=d, exponent=mu, tol=tau, gap=gap,
        parting_step=parting, slope=slope, slope_symbol=slope_sym, exponent_from_slope=mu_from_slope,
    )

