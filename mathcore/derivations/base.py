"""Result containers shared by every derivation, and the abstract inner-product algebra they use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, NamedTuple

import sympy as sp


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


def _inner(a: Mapping[str, sp.Expr], b: Mapping[str, sp.Expr], gram: Mapping[frozenset, sp.Expr]) -> sp.Expr:
    """<a, b> for vectors given as {basis name: coefficient}, by bilinearity
    and symmetry, with the basis inner products in ``gram``."""
    return sp.Add(*[ca * cb * gram[frozenset((i, j))] for i, ca in a.items() for j, cb in b.items()])
