"""Public sympy symbols of the derivations, and the display-only placeholders they print with.

``eta`` ("eta", positive), ``lam`` ("lambda", nonnegative), ``t`` ("t", nonnegative integer),
``gamma`` ("gamma", nonnegative), ``alpha`` ("alpha", positive), ``c`` (scale factor), ``r``
(= ||theta_t||), ``G`` (gradient norm on the unit sphere), ``theta0`` (the vector theta_0, treated
as a symbol). ``_disp`` makes placeholders (abstract vectors, inner products) that print as given
LaTeX; ``_S`` and ``_ET`` are the sequences s_t and eta~_t of the equivalence theorems.
"""

from __future__ import annotations

import sympy as sp

eta = sp.Symbol("eta", positive=True)
lam = sp.Symbol("lambda", nonnegative=True)
t = sp.Symbol("t", integer=True, nonnegative=True)
gamma = sp.Symbol("gamma", nonnegative=True)
alpha = sp.Symbol("alpha", positive=True)
c = sp.Symbol("c", positive=True)
r = sp.Symbol("r", positive=True)
G = sp.Symbol("G", positive=True)
theta0 = sp.Symbol("theta_0")


_NAMES: dict[sp.Symbol, str] = {}


def _disp(key: str, tex: str, **assumptions: bool) -> sp.Symbol:
    """A commutative placeholder symbol (an abstract vector or quantity)
    that prints as ``tex``."""
    sym = sp.Symbol(f"~{key}", **assumptions)  # '~' sorts after letters: scalars print first
    _NAMES[sym] = tex
    return sym


_S = sp.Function("s")
_ET = sp.Function("etatilde")
_SEQ_NAMES = {_S: "s", _ET: r"\tilde\eta"}


def _geometric(expr: sp.Basic, base: sp.Expr) -> sp.Expr:
    """Substitute s_k = base**k everywhere."""
    k = sp.Dummy("k")
    return expr.subs(_S, sp.Lambda(k, base**k))
