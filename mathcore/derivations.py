"""Symbolic derivations (sympy) behind the video on scale invariance and
exponentially growing learning rates (Li & Arora, arXiv:1910.07454).

Every result is *derived* here from the update rules and the definition
L(c*theta) = L(theta); no final formula is typed in and then checked.
Each public function returns a cached, frozen :class:`Derivation` whose
``steps`` are ``Step(expr, latex, caption)`` triples (``latex`` is ready for
manim's ``MathTex``, built from the derived sympy objects) plus named results.

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

import functools
from dataclasses import dataclass
from typing import Iterable, Mapping, NamedTuple, Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter

__all__ = [
    "Step",
    "Derivation",
    "Lemma1",
    "Pythagoras",
    "Theorem21",
    "MomentumTheorem",
    "Equilibrium",
    "EquilibriumMomentum",
    "PartingStepEstimate",
    "lemma_1",
    "pythagoras",
    "theorem_2_1",
    "momentum_theorem",
    "equilibrium",
    "equilibrium_momentum",
    "parting_step_estimate",
    "angular_loss",
    "scale_invariance_residuals",
    "to_latex",
    "eta",
    "lam",
    "t",
    "gamma",
    "alpha",
    "c",
    "r",
    "G",
    "theta0",
]

# --------------------------------------------------------------------------
# Public symbols
# --------------------------------------------------------------------------
eta = sp.Symbol("eta", positive=True)
lam = sp.Symbol("lambda", nonnegative=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
gamma = sp.Symbol("gamma", nonnegative=True)
alpha = sp.Symbol("alpha", positive=True)
c = sp.Symbol("c", positive=True)
r = sp.Symbol("r", positive=True)
G = sp.Symbol("G", positive=True)
theta0 = sp.Symbol("theta_0")


# --------------------------------------------------------------------------
# Result containers
# --------------------------------------------------------------------------
class Step(NamedTuple):
    """One displayed step: the sympy object, its LaTeX (no $), a caption."""

    expr: sp.Basic
    latex: str
    caption: str


@dataclass(frozen=True, eq=False)
class Derivation:
    """A derivation: ordered steps plus (in subclasses) the derived results."""

    name: str
    steps: tuple[Step, ...]

    def latex_steps(self) -> list[str]:
        """The LaTeX of every step, in order."""
        return [s.latex for s in self.steps]

    def captions(self) -> list[str]:
        """The caption of every step, in order."""
        return [s.caption for s in self.steps]


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


@dataclass(frozen=True, eq=False)
class Theorem21(Derivation):
    """Results of :func:`theorem_2_1` (symbols ``eta``, ``lambda``, ``t``).

    ``scale`` = s_t, ``schedule`` = eta~_t; ``scale_recurrence``:
    ``Eq(s(t+1), (1-eta*lambda)*s(t))`` and ``lr_from_scale``:
    ``Eq(etatilde(t), eta/(s(t)*s(t+1)))`` with ``s = sympy.Function('s')``,
    ``etatilde = sympy.Function('etatilde')``; ``residual``: the
    inductive-step mismatch after substituting the solution (0).
    """

    scale: sp.Expr
    schedule: sp.Expr
    scale_recurrence: sp.Eq
    lr_from_scale: sp.Eq
    residual: sp.Expr


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


# --------------------------------------------------------------------------
# LaTeX helpers
# --------------------------------------------------------------------------
_NAMES: dict[sp.Symbol, str] = {}


def _disp(key: str, tex: str, **assumptions: bool) -> sp.Symbol:
    """A commutative placeholder symbol (an abstract vector or quantity)
    that prints as ``tex``."""
    sym = sp.Symbol(f"~{key}", **assumptions)  # '~' sorts after letters: scalars print first
    _NAMES[sym] = tex
    return sym


class _Printer(LatexPrinter):
    """sympy's LaTeX printer, but sums read 1 + a - b (positive constant
    first, negative terms last) instead of -b + a + 1."""

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        terms = list(self._as_ordered_terms(expr, order=order))

        def rank(term: sp.Expr) -> int:
            neg = term.could_extract_minus_sign()
            if term.is_Number:
                return 3 if neg else 0
            return 2 if neg else 1

        terms.sort(key=rank)
        tex = ""
        for i, term in enumerate(terms):
            if i > 0:
                if term.could_extract_minus_sign():
                    tex += " - "
                    term = -term
                else:
                    tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = r"\left(%s\right)" % term_tex
            tex += term_tex
        return tex


def to_latex(expr: sp.Basic, names: Mapping[sp.Symbol, str] | None = None) -> str:
    """LaTeX of a sympy object with this module's display names."""
    symbol_names = dict(_NAMES)
    if names:
        symbol_names.update(names)
    return _Printer({"symbol_names": symbol_names}).doprint(expr)


def _neg(expr: sp.Expr) -> bool:
    """Whether the display form starts with a minus sign (for a sum: only
    when every term is negative, since positive terms are printed first)."""
    if expr.is_Add:
        return all(a.could_extract_minus_sign() for a in expr.args)
    return expr.could_extract_minus_sign()


def _number_term_negative(base: sp.Expr) -> bool:
    num = [a for a in base.args if a.is_Number]
    return bool(num) and bool(num[0].is_negative)


def _nice(expr: sp.Expr) -> sp.Expr:
    """Display form of the same value: pull out common factors; write sum
    factors as (1 - eta*lambda) or (2 - eta*lambda) rather than carrying an
    outer minus sign with -(eta*lambda - 1); even powers of sums get a
    positive constant term: (1 - x)^2 rather than (x - 1)^2."""
    if expr.is_Add:
        ft = sp.factor_terms(expr)
        if not (ft.is_Mul and any(not (f.is_Number or f.is_Add) for f in ft.args)):
            return expr
        expr = ft
    factors = list(sp.Mul.make_args(expr))
    sign = sp.S.One
    out = []
    for f in factors:
        if f.is_Number:
            sign *= sp.sign(f)
            out.append(abs(f))
            continue
        base, exp = f.as_base_exp()
        if base.is_Add and exp.is_integer:
            if exp.is_even:
                if _number_term_negative(base):
                    f = sp.Pow(-base, exp)
            elif exp.is_odd and (_neg(base) or (sign < 0 and _number_term_negative(base))):
                sign = -sign
                f = sp.Pow(-base, exp)
        out.append(f)
    # a lone leading -1 times a single sum would be re-distributed by sympy:
    # keep it as an unevaluated product then
    body = sp.Mul(*out)
    if sign < 0 and body.is_Add:
        return sp.Mul(sp.S.NegativeOne, body, evaluate=False)
    return sign * body


def _product_tex(term: sp.Expr, front: Sequence[sp.Expr] = (), names: Mapping[sp.Symbol, str] | None = None) -> str:
    """LaTeX of one product, sign and number first, then the factors whose
    base is in ``front`` (in that order), then the rest."""
    term = _nice(term)
    coeff, rest = term.as_coeff_Mul()
    negative = coeff < 0
    coeff = abs(coeff)
    body: list[str] = []
    if coeff != 1:
        body.append(to_latex(coeff, names))
    for f in front:
        for fac in sp.Mul.make_args(rest):
            b, e = fac.as_base_exp()
            if b == f and e.is_positive:
                tex = to_latex(fac, names)
                body.append(r"\left(%s\right)" % tex if fac.is_Add else tex)
                rest = rest / fac
                break
    if rest != 1 or not body:
        tex = to_latex(rest, names)
        body.append(r"\left(%s\right)" % tex if rest.is_Add and body else tex)
    return ("- " if negative else "") + " ".join(body)


def _sum_tex(terms: Iterable[sp.Expr], front: Sequence[sp.Expr] = (),
             names: Mapping[sp.Symbol, str] | None = None) -> str:
    """LaTeX of a sum written term by term in the given order."""
    out = ""
    for i, term in enumerate(terms):
        tex = _product_tex(term, front, names)
        if i == 0:
            out = tex
        elif tex.startswith("- "):
            out += " - " + tex[2:]
        else:
            out += " + " + tex
    return out or "0"


def _lin_tex(expr: sp.Expr, vecs: Sequence[sp.Symbol], names: Mapping[sp.Symbol, str] | None = None) -> str:
    """LaTeX of an expression that is linear in the abstract vectors
    ``vecs``, written as sum of (coefficient) * vector in that order."""
    coefs = [sp.diff(expr, v) for v in vecs]
    rest = sp.expand(expr - sum(k * v for k, v in zip(coefs, vecs)))
    if rest != 0 or any(k.has(*vecs) for k in coefs):
        raise ValueError("expression is not linear in the given vectors")
    parts: list[str] = []
    for k, v in zip(coefs, vecs):
        k = _nice(k)
        if k == 0:
            continue
        neg = _neg(k) or (k.is_Add and _number_term_negative(k))
        if neg:
            k = _nice(-k)
        if k == 1:
            body = to_latex(v, names)
        elif k.is_Add:
            body = r"\left(%s\right) %s" % (to_latex(k, names), to_latex(v, names))
        else:
            body = "%s %s" % (to_latex(k, names), to_latex(v, names))
        if not parts:
            parts.append(("- " if neg else "") + body)
        else:
            parts.append((" - " if neg else " + ") + body)
    return "".join(parts) if parts else "0"


def _poly_tex(expr: sp.Expr, var: sp.Symbol) -> str:
    """LaTeX of a polynomial in ``var``, highest power first, each
    coefficient written before the power: x^2 - (1 + g) x + g."""
    poly = sp.Poly(expr, var)
    terms = []
    for (k,), coef in poly.terms():
        coef = _nice(coef)
        neg = _neg(coef) or (coef.is_Add and _number_term_negative(coef))
        if neg:
            coef = _nice(-coef)
        power = var**k
        if k == 0:
            body = to_latex(coef)
        elif coef == 1:
            body = to_latex(power)
        elif coef.is_Add:
            body = r"\left(%s\right) %s" % (to_latex(coef), to_latex(power))
        else:
            body = "%s %s" % (to_latex(coef), to_latex(power))
        terms.append(("- " if neg else "") + body)
    out = terms[0]
    for tex in terms[1:]:
        out += (" - " + tex[2:]) if tex.startswith("- ") else (" + " + tex)
    return out


def _eq_tex(lhs: sp.Basic, rhs: sp.Basic) -> str:
    return f"{to_latex(lhs)} = {to_latex(rhs)}"


def _seq(*items: str) -> str:
    """Join several short formulas on one line."""
    return r",\quad ".join(items)


def _show_functions(expr: sp.Basic, funcs: Mapping[sp.FunctionClass, str]) -> sp.Basic:
    """Replace applied sequence functions s(k), etatilde(k) by display symbols
    printing as s_{k}, \\tilde\\eta_{k}."""

    def conv(e: sp.Basic) -> sp.Basic:
        base = funcs[e.func]
        (k,) = e.args
        return _disp(f"{e.func.__name__}[{k}]", "%s_{%s}" % (base, sp.latex(k)))

    return expr.replace(lambda e: isinstance(e, sp.Function) and e.func in funcs, conv)


# --------------------------------------------------------------------------
# Abstract inner-product algebra (for norms of linear combinations)
# --------------------------------------------------------------------------
def _inner(a: Mapping[str, sp.Expr], b: Mapping[str, sp.Expr], gram: Mapping[frozenset, sp.Expr]) -> sp.Expr:
    """<a, b> for vectors given as {basis name: coefficient}, by bilinearity
    and symmetry, with the basis inner products in ``gram``."""
    return sp.Add(*[ca * cb * gram[frozenset((i, j))] for i, ca in a.items() for j, cb in b.items()])


# --------------------------------------------------------------------------
# Lemma 1
# --------------------------------------------------------------------------
def _coord_names(n: int) -> tuple[str, ...]:
    return ("x", "y", "z")[:n] if n <= 3 else tuple(f"theta_{i + 1}" for i in range(n))


@functools.lru_cache(maxsize=None)
def _partial_class(names: tuple[str, ...], idx: tuple[int, ...]) -> type:
    """The function (d^k L / d theta_idx) of n arguments, as a sympy Function
    class whose derivative is the next partial (so sympy's chain rule writes
    d/dc L(c*theta) in terms of named partials, with no Subs objects)."""
    label = "".join(names[i] for i in idx) if len(names) <= 3 else ",".join(str(i + 1) for i in idx)
    cls_name = "L" if not idx else "L_{%s}" % label

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


@functools.lru_cache(maxsize=None)
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
                      "Scale invariance, for every c > 0"))

    # 1. d/dc at c = 1  ->  Euler's relation of degree 0
    d_c = sp.diff(identity, c)
    orth_named = d_c.subs(c, 1)
    steps.append(Step(sp.Eq(d_c, 0), to_latex(d_c) + " = 0", "Differentiate in c"))
    steps.append(Step(sp.Eq(orth_named, 0),
                      to_latex(orth_named) + r" = \langle \nabla L(\theta), \theta \rangle = 0",
                      "At c = 1: the gradient is orthogonal to theta"))

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
                              f"Differentiate in {names[0]} (chain rule)"))
            steps.append(Step(grad_ids[0], _eq_tex(unknown, sol[0]), "Solve for the gradient at c theta"))
    if any(sp.simplify(f - factors[0]) != 0 for f in factors) or factors[0].has(*theta):
        raise RuntimeError("gradient components do not scale alike")
    grad_scaling = factors[0]
    steps.append(Step(grad_scaling,
                      r"\nabla L(c\theta) = %s\, \nabla L(\theta)" % to_latex(grad_scaling),
                      "Every component: the gradient scales like 1/c"))

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
                                  f"Differentiate in {names[0]} and {names[1]}"))
    if any(sp.simplify(f - hfactors[0]) != 0 for f in hfactors) or hfactors[0].has(*theta):
        raise RuntimeError("Hessian entries do not scale alike")
    hess_scaling = hfactors[0]
    steps.append(Step(hess_scaling,
                      r"\nabla^2 L(c\theta) = %s\, \nabla^2 L(\theta)" % to_latex(hess_scaling),
                      "The Hessian scales like 1/c^2"))

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
                      "A concrete scale-invariant loss"))
    orth_val = residuals["orthogonality"][0]
    partial_syms = [_disp(f"partial_{nm}_L", r"\partial_{%s} L" % to_latex(v)) for nm, v in zip(names, theta)]
    orth_disp = orth_named.subs({P(i)(*theta): partial_syms[i] for i in range(n)})
    steps.append(Step(orth_val, _lin_tex(orth_disp, partial_syms) + " = " + to_latex(orth_val),
                      "Check: orthogonality holds for it"))
    all_res = sp.Tuple(*[e for v in residuals.values() for e in v])
    grad_res = residuals["gradient"]
    grad_res_shown = sp.S.Zero if all(e == 0 for e in grad_res) else sp.Matrix(list(grad_res))
    steps.append(Step(all_res,
                      r"\nabla L(c\theta) - %s\, \nabla L(\theta) = %s"
                      % (to_latex(grad_scaling), to_latex(grad_res_shown)),
                      "Check: gradient and Hessian scaling hold for it"))
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


# --------------------------------------------------------------------------
# Pythagoras (consequence of Lemma 1)
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
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
             "Plain gradient step, no weight decay"),
        Step(sp.Eq(N1, expanded), to_latex(N1) + " = " + _sum_tex(by_eta(expanded), [eta]),
             "Expand the squared norm"),
        Step(sp.Eq(P, 0), _eq_tex(P, 0), "Lemma 1: gradient orthogonal to theta"),
        Step(sp.Eq(N1, norm_sq), to_latex(N1) + " = " + _sum_tex(by_eta(norm_sq), [eta]), "Pythagoras"),
        Step(sp.Ge(increase, 0),
             _sum_tex([N1, -T]) + " = " + _product_tex(increase, [eta]) + r" \geq 0",
             "The norm can only grow"),
    )
    return Pythagoras(name="pythagoras", steps=steps, theta_sq=T, grad_sq=Gs, inner=P,
                      expanded=expanded, norm_sq=norm_sq, increase=increase)


# --------------------------------------------------------------------------
# Theorem 2.1
# --------------------------------------------------------------------------
_S = sp.Function("s")
_ET = sp.Function("etatilde")
_SEQ_NAMES = {_S: "s", _ET: r"\tilde\eta"}


def _show(expr: sp.Basic) -> sp.Basic:
    return _show_functions(expr, _SEQ_NAMES)


def _geometric(expr: sp.Basic, base: sp.Expr) -> sp.Expr:
    """Substitute s_k = base**k everywhere."""
    k = sp.Dummy("k")
    return expr.subs(_S, sp.Lambda(k, base**k))


@functools.lru_cache(maxsize=None)
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

    st = _show(s(t))
    steps = (
        Step(sp.Eq(th1, wd_rhs), to_latex(th1) + " = " + _lin_tex(wd_rhs, [th, g]), "SGD with weight decay"),
        Step(sp.Eq(tt1, exp_rhs), to_latex(tt1) + " = " + _lin_tex(_show(exp_rhs), [tt, gt]),
             "SGD without weight decay, learning rate eta~_t"),
        Step(sp.Tuple(sp.Eq(th, s(t) * tt), sp.Eq(g, k_s * gt)),
             _seq(_eq_tex(th, _show(s(t) * tt)), to_latex(g) + " = " + _lin_tex(_show(k_s * gt), [gt])),
             "Induction hypothesis, and Lemma 1"),
        Step(sp.Eq(th1, lhs), to_latex(th1) + " = " + _lin_tex(_show(lhs), [tt, gt]),
             "Weight-decay step, rewritten"),
        Step(sp.Eq(s(t + 1) * tt1, rhs),
             to_latex(_show(s(t + 1)) * tt1) + " = " + _lin_tex(_show(rhs), [tt, gt]),
             "Exp-LR step, scaled by s_{t+1}"),
        Step(sp.Tuple(sp.Eq(et(t), lr_from_scale), sp.Eq(s(t + 1), s_next)),
             _seq(_eq_tex(_show(et(t)), _show(lr_from_scale)), _eq_tex(_show(s(t + 1)), _show(s_next))),
             "Match the coefficients: both steps agree"),
        Step(sp.Eq(s(t), scale), _seq(_eq_tex(_show(s(0)), s0), _eq_tex(st, scale)),
             "Start equal, solve the recurrence"),
        Step(sp.Eq(et(t), schedule), to_latex(_show(et(t))) + " = " + _product_tex(schedule, [eta]),
             "An exponentially growing learning rate"),
    )
    return Theorem21(name="theorem_2_1", steps=steps, scale=scale, schedule=schedule,
                     scale_recurrence=sp.Eq(s(t + 1), s_next), lr_from_scale=sp.Eq(et(t), lr_from_scale),
                     residual=residual)


# --------------------------------------------------------------------------
# Momentum theorem
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
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

    stt = lambda k: _show(s(k))  # noqa: E731
    steps = (
        Step(sp.Tuple(wd_v, wd_x),
             _seq(to_latex(v1) + " = " + _lin_tex(wd_v.rhs, [v0, g, th0]),
                  to_latex(th1) + " = " + _lin_tex(wd_x.rhs, [th0, v1])),
             "SGD with momentum and weight decay"),
        Step(sp.Eq(th1, rec_wd), to_latex(th1) + " = " + _lin_tex(rec_wd, [th0, thm, g]),
             "Eliminate the momentum buffer"),
        Step(sp.Tuple(ex_v, ex_x),
             _seq(to_latex(vt1) + " = " + _lin_tex(ex_v.rhs, [vt0, gt]),
                  to_latex(tt1) + " = " + _lin_tex(_show(ex_x.rhs), [tt0, vt1])),
             "Momentum, no weight decay, learning rate eta~_t"),
        Step(sp.Eq(tt1, rec_exp), to_latex(tt1) + " = " + _lin_tex(_show(rec_exp), [tt0, ttm, gt]),
             "Eliminate its buffer too"),
        Step(sp.Eq(et(t), lr_from_scale),
             _seq(_eq_tex(th0, _show(s(t) * tt0)), _eq_tex(_show(et(t)), _show(lr_from_scale))),
             "Put theta_t = s_t theta~_t; match the gradient terms"),
        Step(sp.Eq(coefs[ttm], 0), to_latex(_show(coefs[ttm])) + " = " + to_latex(coef_prev),
             "The theta~_{t-1} terms then agree automatically"),
        Step(sp.Eq(s(t + 1), s_next), to_latex(stt(t + 1)) + " = " + _lin_tex(_show(s_next), [stt(t), stt(t - 1)]),
             "The theta~_t terms: a recurrence for s"),
        Step(sp.Eq(characteristic, 0),
             _seq(_eq_tex(stt(t), scale), _poly_tex(characteristic, alpha) + " = 0"),
             "Geometric scale: alpha solves a quadratic"),
        Step(sp.Eq(discriminant, disc_display), to_latex(disc_display) + r" \geq 0",
             "Real alpha needs a non-negative discriminant"),
        Step(real_alpha_condition, to_latex(real_alpha_condition), "Weight decay must be small enough"),
        Step(sp.Eq(et(t), schedule),
             _seq(to_latex(th0) + " = " + _lin_tex(scale * tt0, [tt0]),
                  to_latex(_show(et(t))) + " = " + _product_tex(schedule, [eta])),
             "The equivalent exponential schedule"),
        Step(sp.Eq(vt0, initial_velocity),
             _seq(_eq_tex(_disp("v_0", "v_0"), 0),
                  to_latex(_disp("vtilde_0", r"\tilde v_0")) + " = " + _lin_tex(initial_velocity, [theta0, g0])),
             "Matching buffers at the start"),
        Step(sp.Eq(alpha, alpha_gamma0), _seq(_eq_tex(gamma, 0), _eq_tex(alpha, alpha_gamma0)),
             "No momentum: Theorem 2.1 again"),
    )
    return MomentumTheorem(
        name="momentum_theorem", steps=steps, recurrence_wd=rec_wd, recurrence_exp=rec_exp,
        scale_recurrence=sp.Eq(s(t + 1), s_next), characteristic=characteristic, alpha_roots=alpha_roots,
        alpha_principal=alpha_roots[0], discriminant=discriminant,
        real_alpha_condition=real_alpha_condition, scale=scale, schedule=schedule,
        initial_velocity=initial_velocity, alpha_gamma0=alpha_gamma0,
    )


# --------------------------------------------------------------------------
# Equilibrium of the norm and angular speed
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
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
        Step(sp.Eq(th1, wd_rhs), to_latex(th1) + " = " + _lin_tex(wd_rhs, [th, g]), "SGD with weight decay"),
        Step(sp.Tuple(sp.Eq(th, r * u_vec), sp.Eq(g, k_r * gu)),
             _seq(to_latex(th) + " = " + _lin_tex(r * u_vec, [u_vec], names),
                  to_latex(g) + " = " + _lin_tex(k_r * gu, [gu], names)),
             "Unit direction u; Lemma 1"),
        Step(sp.Eq(N1, expanded), to_latex(N1) + " = " + _sum_tex(ordered(expanded), [eta, 1 - eta * lam], names),
             "Expand the squared norm"),
        Step(sp.Eq(N1, norm_rec), to_latex(N1) + " = " + _sum_tex(ordered(norm_rec), [eta, 1 - eta * lam], names),
             "Lemma 1: the cross term vanishes"),
        Step(sp.Eq(rs**4, norm4_form), _eq_tex(rs**4, _nice(norm4_form)) + " = " + to_latex(norm4),
             "Equilibrium: the norm stops changing"),
        Step(sp.Eq(rs**4, norm4_leading), to_latex(rs**4) + r" \approx " + to_latex(norm4_leading),
             "Small weight decay"),
        Step(sp.Eq(tan_d, tan_step), to_latex(tan_d) + " = " + to_latex(tan_step, names),
             "Angle turned in one step"),
        Step(sp.Tuple(sp.Eq(tan2_d, tan2_eq), sp.Eq(cos2_d, cos2_eq)),
             _seq(_eq_tex(tan2_d, tan2_eq), _eq_tex(cos2_d, cos2_eq)), "At equilibrium"),
        Step(sp.Eq(dphi, ang_lead),
             to_latex(dphi) + r" \approx " + to_latex(sp.Pow(ang_sq, sp.S.Half, evaluate=False)),
             "Angular speed set by eta * lambda alone"),
        Step(effective_lr, r"\eta_{\mathrm{eff}} = " + to_latex(effective_lr, names),
             "Effective learning rate on the sphere"),
    )
    return Equilibrium(
        name="equilibrium", steps=steps, norm_recurrence=norm_rec, norm4=norm4,
        norm4_leading=norm4_leading, tan_step=tan_step, tan2_step_eq=tan2_eq, tan_step_eq=tan_eq,
        angular_step_exact=angular_exact, cos2_step_eq=cos2_eq, angular_step=ang_lead,
        effective_lr=effective_lr,
    )


def _flip_sums(expr: sp.Expr) -> sp.Expr:
    """Same value, each odd-power sum factor written with a positive constant
    term: (1 - gamma) rather than (gamma - 1), the sign moved to the front."""
    sign, out = sp.S.One, []
    for f in sp.Mul.make_args(expr):
        base, exp = f.as_base_exp()
        if base.is_Add and exp.is_integer and exp.is_odd and _number_term_negative(base):
            sign, f = -sign, sp.Pow(-base, exp)
        out.append(f)
    return sign * sp.Mul(*out)


# --------------------------------------------------------------------------
# Equilibrium with momentum (Spherical Motion Dynamics, arXiv:2006.08419)
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
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
    tex = lambda e: to_latex(e, names)  # noqa: E731
    steps = (
        Step(sp.Tuple(mom_v, mom_x),
             _seq(to_latex(v1) + " = " + _lin_tex(mom_v.rhs, [v0, g, th]),
                  to_latex(th1) + " = " + _lin_tex(mom_x.rhs, [th, v1])),
             "SGD with momentum and weight decay"),
        Step(sp.Tuple(sp.Eq(inner_tv, b), sp.Eq(v_norm, V), sp.Eq(inner_vg, C)),
             _seq(_eq_tex(b, inner_tv), _eq_tex(V, v_norm), _eq_tex(C, inner_vg)),
             "Steady state: these stay the same every step"),
        Step(sp.Tuple(sp.Eq(P, 0), sp.Eq(g_norm, k_r * G)),
             _seq(to_latex(P) + " = 0", to_latex(g_norm) + " = " + tex(k_r * G)),
             "Lemma 1 (the noise is tangent too)"),
        Step(sp.Eq(thm, prev), to_latex(thm) + " = " + _lin_tex(prev, [th, v0]), "Undo the previous step"),
        Step(eq_radial, _seq(_eq_tex(inner_a_prev, inner_a), tex(eq_radial.lhs) + " = " + tex(eq_radial.rhs)),
             "Steady radial part of the buffer"),
        Step(eq_energy, _eq_tex(v1_sq, V) + r",\quad " + tex(eq_energy.lhs) + " = V", "Steady buffer size"),
        Step(eq_norm, _eq_tex(n1_sq, n0_sq) + r",\quad " + tex(eq_norm.lhs) + " = " + tex(eq_norm.rhs),
             "Steady norm"),
        Step(sp.Tuple(sp.Eq(b, buffer_inner), sp.Eq(V, buffer_sq)),
             _seq(tex(sp.Eq(b, buffer_inner)), tex(sp.Eq(V, buffer_sq))),
             "Solve the linear equations"),
        Step(sp.Eq(cos_d, cos_step), to_latex(cos_d) + " = " + r"\frac{%s}{\|\theta\|^2} = %s"
             % (to_latex(inner_tt), to_latex(cos_step)), "Angle turned in one step"),
        Step(sp.Eq(dphi, ang_lead),
             to_latex(dphi) + r" \approx " + to_latex(sp.Pow(ang_sq, sp.S.Half, evaluate=False)),
             "Momentum slows the rotation by sqrt(1 + gamma)"),
        Step(sp.Eq(rs**4, norm4), _seq(_eq_tex(C, 0), _eq_tex(rs**4, norm4)),
             "New gradient uncorrelated with the buffer"),
        Step(sp.Eq(rs**4, norm4_leading), to_latex(rs**4) + r" \approx " + to_latex(norm4_leading),
             "Small weight decay"),
        Step(sp.Tuple(sp.Eq(dphi, ang_lead.subs(gamma, 0)), sp.Eq(rs**4, norm4_leading.subs(gamma, 0))),
             _seq(_eq_tex(gamma, 0), to_latex(dphi) + r" \approx "
                  + to_latex(sp.Pow(ang_sq.subs(gamma, 0), sp.S.Half, evaluate=False))),
             "No momentum: the plain equilibrium again"),
    )
    return EquilibriumMomentum(
        name="equilibrium_momentum", steps=steps, moments=(b, V, C), radial_buffer=radial,
        buffer_inner=buffer_inner, buffer_sq=buffer_sq, correlation=correlation, cos_step=cos_step,
        angular_step_exact=angular_exact, angular_step=ang_lead, norm4=norm4, norm4_leading=norm4_leading,
    )


# --------------------------------------------------------------------------
# When rounding error, amplified by chaos, parts the two equivalent runs
# --------------------------------------------------------------------------
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


class _LnPrinter(_Printer):
    """This module's printer, with natural logs written ln 10 and ln tau (no brackets for atoms)."""

    def _print_log(self, expr: sp.Expr, exp: str | None = None) -> str:
        (arg,) = expr.args
        inner = self._print(arg) if arg.is_Atom else r"\left(%s\right)" % self._print(arg)
        return r"\ln " + inner if exp is None else r"\ln^{%s} %s" % (exp, inner)


def _ln_tex(expr: sp.Basic, names: Mapping[sp.Symbol, str] | None = None) -> str:
    """LaTeX like :func:`to_latex`, with natural logs as ln."""
    symbol_names = dict(_NAMES)
    if names:
        symbol_names.update(names)
    return _LnPrinter({"symbol_names": symbol_names}).doprint(expr)


@functools.lru_cache(maxsize=None)
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
    tex = lambda e: _ln_tex(e, names)  # noqa: E731

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
        Step(sp.Eq(delta, gap), tex(delta) + r" \approx " + tex(gap), "Rounding error, amplified by chaos"),
        Step(parting_eq, tex(parting_eq.lhs) + " = " + tex(tau), "The runs part when the gap reaches tau"),
        Step(sp.Eq(t_star, parting), tex(t_star) + " = " + tex(parting), "Solve for the parting step"),
        Step(sp.Eq(slope_sym, slope), tex(slope_sym) + r" = \frac{\Delta t_\star}{\Delta d} = " + tex(slope),
             "Linear in the digits: each digit adds ln 10/mu steps"),
        Step(sp.Eq(mu, mu_from_slope), tex(mu) + " = " + tex(mu_from_slope), "The Lyapunov exponent from the slope"),
    )
    return PartingStepEstimate(
        name="parting_step_estimate", steps=steps, digits=d, exponent=mu, tol=tau, gap=gap,
        parting_step=parting, slope=slope, slope_symbol=slope_sym, exponent_from_slope=mu_from_slope,
    )

