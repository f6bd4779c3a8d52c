"""Lemma 1: L(c th) = L(th)  =>  <grad L(th), th> = 0, grad L(c th) = grad L(th)/c,
hess L(c th) = hess L(th)/c^2; checked on a concrete scale-invariant loss."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from mathcore.derivations.base import Derivation, Step
from mathcore.derivations.latex import _eq_tex, _lin_tex, to_latex
from mathcore.derivations.pythagoras import pythagoras
from mathcore.derivations.symbols import _disp, c, eta


@dataclass(frozen=True, eq=False)
class Lemma1(Derivation):
    """Results of :func:`lemma_1`.

    ``L`` is a plain undefined ``sympy.Function('L')``; ``theta`` its arguments.
    ``orthogonality``: sum_i theta_i dL/dtheta_i (derived to vanish).
    ``gradient_identities`` / ``hessian_identities``: ``Eq(Subs(d..L, theta,
    c*theta), derived rhs)``. ``gradient_scaling`` = 1/c and
    ``hessian_scaling`` = 1/c**2 (derived factors). ``concrete_loss`` and
    ``concrete_residuals`` (all derived facts applied to it; each is 0).
    """

    n: int
    theta: tuple[sp.Symbol, ...]
    L: sp.FunctionClass
    c: sp.Symbol
    orthogonality: sp.Expr
    gradient_identities: tuple[sp.Eq, ...]
    hessian_identities: tuple[sp.Eq, ...]
    gradient_scaling: sp.Expr
    hessian_scaling: sp.Expr
    concrete_loss: sp.Expr
    concrete_residuals: Mapping[str, sp.Tuple]


def _coord_names(n: int) -> tuple[str, ...]:
    return ("x", "y", "z")[:n] if n <= 3 else tuple(f"theta_{i + 1}" for i in range(n))


@functools.cache
def _partial_class(names: tuple[str, ...], idx: tuple[int, ...]) -> type:
    """The function (d^k L / d theta_idx) of n arguments, as a sympy Function
    class whose derivative is the next partial (so sympy's chain rule writes
    d/dc L(c*theta) in terms of named partials, with no Subs objects)."""
    label = "".join(names[i] for i in idx) if len(names) <= 3 else ",".join(str(i + 1) for i in idx)
    cls_name = "L" if not idx else f"L_{{{label}}}"

    def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
        return _partial_class(names, tuple(sorted(idx + (argindex - 1,))))(*self.args)

    return type(cls_name, (sp.Function,), {"nargs": len(names), "fdiff": fdiff, "_partial_index": idx})


def _to_standard(expr: sp.Basic, theta: tuple[sp.Symbol, ...], L: sp.FunctionClass) -> sp.Basic:
    """Rewrite named partials L_idx(args) as standard sympy objects:
    Derivative(L(theta), ...) at theta, or Subs(...) at other points."""

    def is_partial(e: sp.Basic) -> bool:
        return isinstance(e, sp.Function) and hasattr(type(e), "_partial_index")

    def conv(e: sp.Basic) -> sp.Basic:
        idx = type(e)._partial_index
        base = sp.Derivative(L(*theta), *[theta[i] for i in idx]) if idx else L(*theta)
        if tuple(e.args) == theta:
            return base
        return sp.Subs(base, theta, e.args)

    return expr.replace(is_partial, conv)


def angular_loss(theta: Sequence[sp.Symbol]) -> sp.Expr:
    """A concrete scale-invariant test loss, a polynomial in theta/||theta||:
    (x^4 - 6x^2y^2 + y^4 + sum_{i>=3} theta_i^4)/||theta||^4 + xy/||theta||^2
    (for n = 2: cos 4phi + sin(2phi)/2)."""
    if len(theta) < 2:
        raise ValueError("need at least two coordinates")
    x, y = theta[0], theta[1]
    n2 = sum(v**2 for v in theta)
    quartic = x**4 - 6 * x**2 * y**2 + y**4 + sum(v**4 for v in theta[2:])
    return quartic / n2**2 + x * y / n2


def _zero(expr: sp.Expr) -> sp.Expr:
    """Simplify an expression that should vanish (cheap route first)."""
    e = sp.cancel(sp.together(expr))
    if e != 0:
        e = sp.simplify(e)
    return e


def scale_invariance_residuals(loss: sp.Expr, theta: Sequence[sp.Symbol]) -> dict[str, sp.Tuple]:
    """Apply the facts derived in :func:`lemma_1` (and :func:`pythagoras`) to a
    concrete ``loss`` of ``theta``; return the simplified residuals, which are
    all 0 exactly when the loss satisfies them (e.g. is scale invariant).

    Keys: 'invariance' (L(c th) - L(th)), 'orthogonality' (derived
    <grad L, th>), 'gradient' (grad L(c th) - scaling * grad L(th)), 'hessian',
    'pythagoras' (||th - eta grad L||^2 minus the derived right-hand side).
    """
    theta = tuple(theta)
    lem = lemma_1(len(theta))
    loss_l = loss.subs(dict(zip(theta, lem.theta)), simultaneous=True)
    out = _residuals_with(lem, loss_l)
    back = dict(zip(lem.theta, theta))  # report in the caller's symbols
    return {k: v.subs(back, simultaneous=True) for k, v in out.items()}


@functools.cache
def lemma_1(n: int = 2) -> Lemma1:
    """Lemma 1: L(c th) = L(th) for all c > 0 implies <grad L(th), th> = 0,
    grad L(c th) = grad L(th)/c and hess L(c th) = hess L(th)/c^2."""
    if n < 2:
        raise ValueError("lemma_1 needs n >= 2")
    names = _coord_names(n)
    theta = tuple(sp.Symbol(nm, real=True) for nm in names)
    L_std = sp.Function("L")
    Lf = _partial_class(names, ())
    ctheta = [c * v for v in theta]
    identity = Lf(*ctheta) - Lf(*theta)  # == 0 for every c > 0 and theta

    def P(*idx: int) -> type:
        return _partial_class(names, tuple(sorted(idx)))

    steps: list[Step] = []
    steps.append(Step(sp.Eq(Lf(*ctheta), Lf(*theta)), _eq_tex(Lf(*ctheta), Lf(*theta)),
                      "Scale invariance, for every c > 0", key="scale_invariance"))

    # 1. d/dc at c = 1  ->  Euler's relation of degree 0
    d_c = sp.diff(identity, c)
    orth_named = d_c.subs(c, 1)
    steps.append(Step(sp.Eq(d_c, 0), to_latex(d_c) + " = 0", "Differentiate in c", key="differentiate_c"))
    steps.append(Step(sp.Eq(orth_named, 0),
                      to_latex(orth_named) + r" = \langle \nabla L(\theta), \theta \rangle = 0",
                      "At c = 1: the gradient is orthogonal to theta", key="orthogonality"))

    # 2. d/dtheta_i  ->  gradient scales like 1/c
    grad_ids: list[sp.Eq] = []
    factors: list[sp.Expr] = []
    for i in range(n):
        e_i = sp.diff(identity, theta[i])
        unknown = P(i)(*ctheta)
        sol = sp.solve(e_i, unknown)
        if len(sol) != 1:
            raise RuntimeError("unexpected gradient identity")
        grad_ids.append(sp.Eq(unknown, sol[0]))
        factors.append(sp.simplify(sol[0] / P(i)(*theta)))
        if i == 0:
            steps.append(Step(sp.Eq(e_i, 0), to_latex(e_i) + " = 0",
                              f"Differentiate in {names[0]} (chain rule)", key="differentiate_coordinate"))
            steps.append(Step(grad_ids[0], _eq_tex(unknown, sol[0]),
                              "Solve for the gradient at c theta", key="gradient_at_c_theta"))
    if any(sp.simplify(f - factors[0]) != 0 for f in factors) or factors[0].has(*theta):
        raise RuntimeError("gradient components do not scale alike")
    grad_scaling = factors[0]
    steps.append(Step(grad_scaling,
                      rf"\nabla L(c\theta) = {to_latex(grad_scaling)}\, \nabla L(\theta)",
                      "Every component: the gradient scales like 1/c", key="gradient_scaling"))

    # 3. second derivatives  ->  Hessian scales like 1/c^2
    hess_ids: list[sp.Eq] = []
    hfactors: list[sp.Expr] = []
    for i in range(n):
        for j in range(i, n):
            e_ij = sp.diff(identity, theta[i], theta[j])
            unknown = P(i, j)(*ctheta)
            sol = sp.solve(e_ij, unknown)
            if len(sol) != 1:
                raise RuntimeError("unexpected Hessian identity")
            hess_ids.append(sp.Eq(unknown, sol[0]))
            hfactors.append(sp.simplify(sol[0] / P(i, j)(*theta)))
            if (i, j) == (0, 1):
                steps.append(Step(sp.Eq(e_ij, 0), to_latex(e_ij) + " = 0",
                                  f"Differentiate in {names[0]} and {names[1]}", key="differentiate_twice"))
    if any(sp.simplify(f - hfactors[0]) != 0 for f in hfactors) or hfactors[0].has(*theta):
        raise RuntimeError("Hessian entries do not scale alike")
    hess_scaling = hfactors[0]
    steps.append(Step(hess_scaling,
                      rf"\nabla^2 L(c\theta) = {to_latex(hess_scaling)}\, \nabla^2 L(\theta)",
                      "The Hessian scales like 1/c^2", key="hessian_scaling"))

    std = functools.partial(_to_standard, theta=theta, L=L_std)
    orthogonality = std(orth_named)
    gradient_identities = tuple(sp.Eq(std(e.lhs), std(e.rhs)) for e in grad_ids)
    hessian_identities = tuple(sp.Eq(std(e.lhs), std(e.rhs)) for e in hess_ids)

    lem = Lemma1(
        name=f"lemma_1(n={n})", steps=(), n=n, theta=theta, L=L_std, c=c,
        orthogonality=orthogonality, gradient_identities=gradient_identities,
        hessian_identities=hessian_identities, gradient_scaling=grad_scaling,
        hessian_scaling=hess_scaling, concrete_loss=sp.S.Zero, concrete_residuals={},
    )
    # concrete check: compute with the partial results (no recursion into the cache)
    concrete = angular_loss(theta)
    residuals = _residuals_with(lem, concrete)
    steps.append(Step(sp.Eq(L_std(*theta), concrete), _eq_tex(L_std(*theta), concrete),
                      "A concrete scale-invariant loss", key="concrete_loss"))
    orth_val = residuals["orthogonality"][0]
    partial_syms = [_disp(f"partial_{nm}_L", rf"\partial_{{{to_latex(v)}}} L") for nm, v in zip(names, theta)]
    orth_disp = orth_named.subs({P(i)(*theta): partial_syms[i] for i in range(n)})
    steps.append(Step(orth_val, _lin_tex(orth_disp, partial_syms) + " = " + to_latex(orth_val),
                      "Check: orthogonality holds for it", key="check_orthogonality"))
    all_res = sp.Tuple(*[e for v in residuals.values() for e in v])
    grad_res = residuals["gradient"]
    grad_res_shown = sp.S.Zero if all(e == 0 for e in grad_res) else sp.Matrix(list(grad_res))
    steps.append(Step(all_res,
                      rf"\nabla L(c\theta) - {to_latex(grad_scaling)}\, \nabla L(\theta) = {to_latex(grad_res_shown)}",
                      "Check: gradient and Hessian scaling hold for it", key="check_scaling"))
    return Lemma1(
        name=f"lemma_1(n={n})", steps=tuple(steps), n=n, theta=theta, L=L_std, c=c,
        orthogonality=orthogonality, gradient_identities=gradient_identities,
        hessian_identities=hessian_identities, gradient_scaling=grad_scaling,
        hessian_scaling=hess_scaling, concrete_loss=concrete, concrete_residuals=residuals,
    )


def _residuals_with(lem: Lemma1, loss: sp.Expr) -> dict[str, sp.Tuple]:
    """scale_invariance_residuals for a loss already in lem.theta, using
    ``lem`` directly (used while lemma_1 itself is being built)."""
    theta = lem.theta
    real = sp.Lambda(theta, loss)
    scale_pt = {v: lem.c * v for v in theta}

    def realize(e: sp.Basic) -> sp.Expr:
        return e.subs(lem.L, real).doit()

    grad = [sp.diff(loss, v) for v in theta]
    pyt = pythagoras()
    rhs = pyt.norm_sq.subs({pyt.theta_sq: sum(v**2 for v in theta), pyt.grad_sq: sum(g**2 for g in grad)})
    return {
        "invariance": sp.Tuple(_zero(loss.subs(scale_pt, simultaneous=True) - loss)),
        "orthogonality": sp.Tuple(_zero(realize(lem.orthogonality))),
        "gradient": sp.Tuple(*[_zero(realize(e.lhs) - realize(e.rhs)) for e in lem.gradient_identities]),
        "hessian": sp.Tuple(*[_zero(realize(e.lhs) - realize(e.rhs)) for e in lem.hessian_identities]),
        "pythagoras": sp.Tuple(_zero(sum((v - eta * g) ** 2 for v, g in zip(theta, grad)) - rhs)),
    }
