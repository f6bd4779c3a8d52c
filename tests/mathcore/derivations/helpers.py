"""Shared helpers for the tests of mathcore.derivations: every derivation by name, and small numeric tools."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import sympy as sp

from mathcore import derivations as D

#: Every derivation the package offers (lemma_1 at two sizes), built on demand.
ALL: dict[str, Callable[[], D.Derivation]] = {
    "lemma_1": lambda: D.lemma_1(2),
    "lemma_1_n3": lambda: D.lemma_1(3),
    "pythagoras": D.pythagoras,
    "theorem_2_1": D.theorem_2_1,
    "momentum_theorem": D.momentum_theorem,
    "equilibrium": D.equilibrium,
    "equilibrium_momentum": D.equilibrium_momentum,
    "parting_step_estimate": D.parting_step_estimate,
}


def by_name(expr: sp.Basic) -> dict[str, sp.Symbol]:
    """The free symbols of ``expr`` by name."""
    return {s.name: s for s in expr.free_symbols}


def is_zero(expr: sp.Basic) -> bool:
    """Whether ``expr`` simplifies to 0."""
    return sp.simplify(expr) == 0


def quadform(A: Sequence[Sequence[float]]) -> Callable[[Sequence[float]], list[float]]:
    """Gradient of the normalised quadratic form L = th^T A th / th^T th (scale invariant)."""

    def grad(th: Sequence[float]) -> list[float]:
        n2 = sum(v * v for v in th)
        Ath = [sum(A[i][j] * th[j] for j in range(len(th))) for i in range(len(th))]
        L = sum(a * b for a, b in zip(th, Ath)) / n2
        return [2 * (a - L * b) / n2 for a, b in zip(Ath, th)]

    return grad


def rel(a: Sequence[float], b: Sequence[float]) -> float:
    """||a - b|| / ||a||."""
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b))) / math.sqrt(sum(x * x for x in a))
