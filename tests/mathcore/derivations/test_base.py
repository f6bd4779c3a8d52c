"""Tests for mathcore.derivations.base: steps are found by key, keys are unique snake_case, results are cached."""

from __future__ import annotations

import pytest
import sympy as sp

from mathcore import derivations as D
from tests.mathcore.derivations.helpers import ALL

#: The cached function behind each entry of ALL (lemma_1 serves two).
BUILDERS = {
    "lemma_1": D.lemma_1,
    "lemma_1_n3": D.lemma_1,
    "pythagoras": D.pythagoras,
    "theorem_2_1": D.theorem_2_1,
    "momentum_theorem": D.momentum_theorem,
    "equilibrium": D.equilibrium,
    "equilibrium_momentum": D.equilibrium_momentum,
    "parting_step_estimate": D.parting_step_estimate,
}


def toy(*keys: str) -> D.Derivation:
    """A derivation whose i-th step has latex x_i and the i-th key."""
    return D.Derivation(name="toy", steps=tuple(D.Step(sp.Integer(i), f"x_{i}", f"step {i}", k)
                                                for i, k in enumerate(keys)))


def test_step_is_found_by_key_whatever_its_position() -> None:
    d = toy("first", "second_step", "third3")
    assert d.step("second_step").latex == "x_1"
    assert d.step("third3").caption == "step 2"
    assert d.keys() == ["first", "second_step", "third3"]


def test_an_unknown_key_raises_key_error_naming_it_and_the_available_keys() -> None:
    with pytest.raises(KeyError) as info:
        toy("first", "second_step").step("exp_lr_schedule")
    message = str(info.value)
    assert "exp_lr_schedule" in message and "first" in message and "second_step" in message


def test_repeated_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"repeated.*'again'"):
        toy("again", "other", "again")


@pytest.mark.parametrize("bad", ["Orthogonality", "exp-lr", "two words", "_private", "trailing_", "1st", ""])
def test_keys_that_are_not_snake_case_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="snake_case"):
        toy("fine", bad)


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_derivation_has_unique_keys_that_find_their_steps(name: str) -> None:
    d = ALL[name]()
    assert len(set(d.keys())) == len(d.steps) >= 4
    for step in d.steps:
        assert d.step(step.key) is step


@pytest.mark.parametrize("name", sorted(ALL))
def test_results_are_cached(name: str) -> None:
    assert ALL[name]() is ALL[name]()
