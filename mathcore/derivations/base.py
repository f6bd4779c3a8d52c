"""Result containers shared by every derivation, and the abstract inner-product algebra they use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import sympy as sp

#: What a step key looks like: lower-case snake_case, starting with a letter.
_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


class Step(NamedTuple):
    """One displayed step: the sympy object, its LaTeX (no $), a caption, and a key.

    ``key`` is short snake_case, unique within its derivation and stable: scenes look steps up by
    it (:meth:`Derivation.step`), so captions can be reworded without breaking them.
    """

    expr: sp.Basic
    latex: str
    caption: str
    key: str


@dataclass(frozen=True, eq=False)
class Derivation:
    """A derivation: ordered steps (keys unique and snake_case, else ValueError) plus, in subclasses, its results."""

    name: str
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        keys = self.keys()
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"{self.name}: step keys must be unique, repeated: {repeated}")
        malformed = [k for k in keys if not _KEY.fullmatch(k)]
        if malformed:
            raise ValueError(f"{self.name}: step keys must be snake_case, got {malformed}")

    def step(self, key: str) -> Step:
        """The step with this key (so callers do not depend on step order or caption wording)."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"{self.name} has no step {key!r}; its keys: {self.keys()}")

    def keys(self) -> list[str]:
        """The key of every step, in order."""
        return [s.key for s in self.steps]

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
