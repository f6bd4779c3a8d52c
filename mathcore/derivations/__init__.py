"""Symbolic derivations (sympy) behind the video on scale invariance and
exponentially growing learning rates (Li & Arora, arXiv:1910.07454).

Every result is *derived* in this package (one module per result) from the update rules and the definition
L(c*theta) = L(theta); no final formula is typed in and then checked.
Each public function returns a cached, frozen :class:`Derivation` whose
``steps`` are ``Step(expr, latex, caption, key)`` (``latex`` is ready for
manim's ``MathTex``, built from the derived sympy objects; ``key`` is a stable
snake_case name, looked up with ``derivation.step(key)``) plus named results.

Public symbols (module level; look them up here rather than re-creating them):
``eta`` ("eta", positive), ``lam`` ("lambda", nonnegative), ``t`` ("t",
nonnegative integer), ``gamma`` ("gamma", nonnegative), ``alpha`` ("alpha",
positive), ``c`` (scale factor), ``r`` (= ||theta_t||), ``G`` (gradient norm
on the unit sphere), ``theta0`` (the vector theta_0, treated as a symbol).

Derivations:
  lemma_1(n)          L(c th) = L(th)  =>  <grad L(th), th> = 0,
                      grad L(c th) = grad L(th)/c,  hess L(c th) = hess L(th)/c^2
  pythagoras()        <g, th> = 0  =>  ||th - eta g||^2 = ||th||^2 + eta^2 ||g||^2
  theorem_2_1()       WD run == exp-LR run:  th_t = (1-eta lam)^t th~_t,
                      eta~_t = eta (1-eta lam)^(-2t-1)
  momentum_theorem()  same with momentum: alpha^2 - (1+gamma-eta lam) alpha + gamma = 0,
                      eta~_t = eta alpha^(-2t-1), v~_0 = -(1-alpha) th_0/(eta alpha)
  equilibrium()       ||th*||^4 = eta^2 G^2/(1-(1-eta lam)^2) ~ eta G^2/(2 lam),
                      angular step ~ sqrt(2 eta lam)
  equilibrium_momentum()  with momentum gamma (Spherical Motion Dynamics):
                      cos(step) = 1 - eta lam/(1+gamma), step ~ sqrt(2 eta lam/(1+gamma));
                      if the new gradient is uncorrelated with the buffer,
                      ||th*||^4 ~ eta G^2/(2 lam (1-gamma))
  parting_step_estimate()  a gap 10^(-d) e^(mu t) reaches tau at
                      t* = (d ln 10 + ln tau)/mu;  dt*/dd = ln 10/mu
"""

from __future__ import annotations

from mathcore.derivations.base import Derivation, Step
from mathcore.derivations.equilibrium import Equilibrium, equilibrium
from mathcore.derivations.equilibrium_momentum import EquilibriumMomentum, equilibrium_momentum
from mathcore.derivations.latex import to_latex
from mathcore.derivations.lemma_one import Lemma1, angular_loss, lemma_1, scale_invariance_residuals
from mathcore.derivations.momentum_theorem import MomentumTheorem, momentum_theorem
from mathcore.derivations.parting_step import PartingStepEstimate, parting_step_estimate
from mathcore.derivations.pythagoras import Pythagoras, pythagoras
from mathcore.derivations.symbols import G, alpha, c, eta, gamma, lam, r, t, theta0
from mathcore.derivations.theorem_2_1 import Theorem21, theorem_2_1

__all__ = [
    "Derivation",
    "Equilibrium",
    "EquilibriumMomentum",
    "G",
    "Lemma1",
    "MomentumTheorem",
    "PartingStepEstimate",
    "Pythagoras",
    "Step",
    "Theorem21",
    "alpha",
    "angular_loss",
    "c",
    "equilibrium",
    "equilibrium_momentum",
    "eta",
    "gamma",
    "lam",
    "lemma_1",
    "momentum_theorem",
    "parting_step_estimate",
    "pythagoras",
    "r",
    "scale_invariance_residuals",
    "t",
    "theorem_2_1",
    "theta0",
    "to_latex",
]
