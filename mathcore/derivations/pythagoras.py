"""Pythagoras: <g, th> = 0  =>  ||th - eta g||^2 = ||th||^2 + eta^2 ||g||^2 (plain GD only grows the norm)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step, _inner
from mathcore.derivations.latex import _eq_tex, _lin_tex, _product_tex, _sum_tex, to_latex
from mathcore.derivations.symbols import _disp, eta


@dataclass(frozen=True, eq=False)
class Pythagoras(Derivation):
    """Results of :func:`pythagoras` (symbols: ``theta_sq`` = ||theta||^2,
    ``grad_sq`` = ||grad L||^2, ``inner`` = <grad L, theta>, and ``eta``).

    ``expanded``: ||theta - eta g||^2 by bilinearity; ``norm_sq``: the same
    after Lemma 1 (inner = 0); ``increase`` = norm_sq - theta_sq.
    """

    theta_sq: sp.Symbol
    grad_sq: sp.Symbol
    inner: sp.Symbol
    expanded: sp.Expr
    norm_sq: sp.Expr
    increase: sp.Expr


@functools.cache
def pythagoras() -> Pythagoras:
    """<grad L(th), th> = 0 implies ||th - eta grad L||^2 = ||th||^2 + eta^2 ||grad L||^2."""
    T = _disp("norm_theta_sq", r"\|\theta_t\|^2", positive=True)
    Gs = _disp("norm_grad_sq", r"\|\nabla L(\theta_t)\|^2", nonnegative=True)
    P = _disp("inner_grad_theta", r"\langle \nabla L(\theta_t), \theta_t \rangle", real=True)
    th, th1, g = (_disp("theta_t", r"\theta_t"), _disp("theta_t1", r"\theta_{t+1}"),
                  _disp("grad_theta_t", r"\nabla L(\theta_t)"))
    N1 = _disp("norm_theta1_sq", r"\|\theta_{t+1}\|^2", positive=True)
    gram = {frozenset(["th"]): T, frozenset(["g"]): Gs, frozenset(["th", "g"]): P}
    new = {"th": sp.S.One, "g": -eta}
    expanded = _inner(new, new, gram)
    norm_sq = expanded.subs(P, 0)  # Lemma 1: the gradient is orthogonal to theta
    increase = sp.simplify(norm_sq - T)

    def by_eta(e: sp.Expr) -> list[sp.Expr]:
        return sorted(sp.Add.make_args(sp.expand(e)), key=lambda term: sp.degree(term, eta))

    steps = (
        Step(sp.Eq(th1, th - eta * g), to_latex(th1) + " = " + _lin_tex(th - eta * g, [th, g]),
             "Plain gradient step, no weight decay", key="gd_step"),
        Step(sp.Eq(N1, expanded), to_latex(N1) + " = " + _sum_tex(by_eta(expanded), [eta]),
             "Expand the squared norm", key="expand"),
        Step(sp.Eq(P, 0), _eq_tex(P, 0), "Lemma 1: gradient orthogonal to theta", key="orthogonality"),
        Step(sp.Eq(N1, norm_sq), to_latex(N1) + " = " + _sum_tex(by_eta(norm_sq), [eta]),
             "Pythagoras", key="pythagoras"),
        Step(sp.Ge(increase, 0),
             _sum_tex([N1, -T]) + " = " + _product_tex(increase, [eta]) + r" \geq 0",
             "The norm can only grow", key="norm_grows"),
    )
    return Pythagoras(name="pythagoras", steps=steps, theta_sq=T, grad_sq=Gs, inner=P,
                      expanded=expanded, norm_sq=norm_sq, increase=increase)
