"""LaTeX for the derivations: a printer whose sums read 1 + a - b, and helpers that lay out products,
sums, linear combinations of abstract vectors and polynomials in the order a reader expects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter

from mathcore.derivations.symbols import _NAMES, _SEQ_NAMES, _disp


def _paren(tex: str) -> str:
    """``tex`` in brackets that grow with it."""
    return rf"\left({tex}\right)"


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
                term_tex = _paren(term_tex)
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
                body.append(_paren(tex) if fac.is_Add else tex)
                rest = rest / fac
                break
    if rest != 1 or not body:
        tex = to_latex(rest, names)
        body.append(_paren(tex) if rest.is_Add and body else tex)
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
            body = f"{_paren(to_latex(k, names))} {to_latex(v, names)}"
        else:
            body = f"{to_latex(k, names)} {to_latex(v, names)}"
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
            body = f"{_paren(to_latex(coef))} {to_latex(power)}"
        else:
            body = f"{to_latex(coef)} {to_latex(power)}"
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
        return _disp(f"{e.func.__name__}[{k}]", f"{base}_{{{sp.latex(k)}}}")

    return expr.replace(lambda e: isinstance(e, sp.Function) and e.func in funcs, conv)


def _show(expr: sp.Basic) -> sp.Basic:
    return _show_functions(expr, _SEQ_NAMES)


class _LnPrinter(_Printer):
    """This module's printer, with natural logs written ln 10 and ln tau (no brackets for atoms)."""

    def _print_log(self, expr: sp.Expr, exp: str | None = None) -> str:
        (arg,) = expr.args
        inner = self._print(arg) if arg.is_Atom else _paren(self._print(arg))
        return r"\ln " + inner if exp is None else rf"\ln^{{{exp}}} {inner}"


def _ln_tex(expr: sp.Basic, names: Mapping[sp.Symbol, str] | None = None) -> str:
    """LaTeX like :func:`to_latex`, with natural logs as ln."""
    symbol_names = dict(_NAMES)
    if names:
        symbol_names.update(names)
    return _LnPrinter({"symbol_names": symbol_names}).doprint(expr)
