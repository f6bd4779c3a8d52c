"""Recipe: its α, schedule, scale and initial buffer (lambdified from sympy) against independent numerics."""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore import derivations as D
from mathcore import experiments
from mathcore.recipe import Recipe


@st.composite
def recipes(draw: st.DrawFn) -> Recipe:
    """Valid recipes: α real needs ηλ ≤ (1 − √γ)²."""
    momentum = draw(st.sampled_from([0.0, 0.3, 0.9]) | st.floats(0.0, 0.95))
    lr = draw(st.floats(1e-3, 2.0))
    # ηλ ≤ 0.99 keeps α ≥ 0.005, so that the schedule η·α^(−2t−1) of up to 60 steps stays finite (≤ 1e278).
    limit = min((1 - math.sqrt(momentum)) ** 2, 0.99)
    # lr·(limit/lr) may round one ulp above the limit: keep exactly the draws Recipe accepts.
    weight_decay = draw(st.floats(0.0, limit / lr).filter(lambda wd: lr * wd <= limit))
    return Recipe(lr, weight_decay, momentum, steps=draw(st.integers(0, 60)))


@settings(max_examples=60, deadline=None)
@given(recipe=recipes())
def test_alpha_is_the_larger_real_root_of_the_characteristic_quadratic(recipe):
    b = 1 + recipe.momentum - recipe.lr * recipe.weight_decay
    roots = np.roots([1.0, -b, recipe.momentum])  # numpy's eigenvalue solver, independent of sympy
    assert recipe.alpha == pytest.approx(max(roots.real), rel=1e-7, abs=1e-7)
    assert recipe.alpha**2 - b * recipe.alpha + recipe.momentum == pytest.approx(0, abs=1e-12)
    assert 0 < recipe.alpha <= 1


@settings(max_examples=60, deadline=None)
@given(recipe=recipes())
def test_schedule_and_scale_satisfy_the_theorem_relations(recipe):
    """η̃_t = η/(s_t·s_{t+1}) (matching the gradient terms) and s_{t+1} = α·s_t with s_0 = 1."""
    scale, schedule = recipe.scale, recipe.exp_lr_schedule
    assert scale.shape == (recipe.steps + 1,) and schedule.shape == (recipe.steps,)
    assert scale[0] == 1
    np.testing.assert_allclose(scale[1:], recipe.alpha * scale[:-1], rtol=1e-12)
    np.testing.assert_allclose(schedule, recipe.lr / (scale[:-1] * scale[1:]), rtol=1e-12)


@pytest.mark.parametrize("recipe", [experiments.TOY, experiments.MOMENTUM_TOY, experiments.BN_MOMENTUM])
def test_numbers_equal_the_sympy_results_evaluated_directly(recipe):
    theorem = D.momentum_theorem()
    values = {D.eta: recipe.lr, D.lam: recipe.weight_decay, D.gamma: recipe.momentum}
    alpha = complex(theorem.alpha_principal.subs(values).evalf(30)).real
    assert recipe.alpha == pytest.approx(alpha, rel=1e-14)
    for step in (0, 7, recipe.steps - 1):
        exact = float(theorem.schedule.subs({D.eta: recipe.lr, D.alpha: alpha, D.t: step}).evalf(30))
        assert recipe.exp_lr_schedule[step] == pytest.approx(exact, rel=1e-12)
    velocity = float(theorem.initial_velocity.subs({D.eta: recipe.lr, D.alpha: alpha, D.theta0: 0.6}).evalf(30))
    assert recipe.velocity0([0.6, -0.8])[0] == pytest.approx(velocity, rel=1e-12)


def test_initial_buffer_is_the_published_one():
    """ṽ_0 = −(1 − α)·θ_0/(η·α), as Li & Arora state it, for one point and for a batch."""
    recipe = experiments.MOMENTUM_TOY
    theta0 = np.array([-0.7, 0.7])
    expected = -(1 - recipe.alpha) * theta0 / (recipe.lr * recipe.alpha)
    np.testing.assert_allclose(recipe.velocity0(theta0), expected, rtol=1e-13)
    batch = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(recipe.velocity0(batch), -(1 - recipe.alpha) * batch / (recipe.lr * recipe.alpha))


def test_without_weight_decay_the_twin_is_the_run_itself():
    recipe = Recipe(lr=1.0, weight_decay=0.0, momentum=0.95, steps=5)  # the formula alone gives 1 + 2e-16 here
    assert recipe.alpha == 1.0
    assert np.all(recipe.scale == 1.0) and np.all(recipe.exp_lr_schedule == 1.0)


def test_without_momentum_alpha_is_one_minus_eta_lambda():
    recipe = Recipe(lr=0.3, weight_decay=0.2, steps=50)
    assert recipe.alpha == pytest.approx(1 - 0.3 * 0.2, rel=1e-15)
    np.testing.assert_allclose(recipe.exp_lr_schedule, 0.3 * 0.94 ** (-2.0 * np.arange(50) - 1), rtol=1e-13)


def test_mpmath_numbers_agree_with_float_ones_and_carry_more_digits():
    recipe = experiments.MOMENTUM_TOY
    with mpmath.workdps(50):
        alpha = recipe.alpha_mp()
        b = 1 + mpmath.mpf(recipe.momentum) - mpmath.mpf(recipe.lr) * mpmath.mpf(recipe.weight_decay)
        assert abs(alpha**2 - b * alpha + mpmath.mpf(recipe.momentum)) < mpmath.mpf(10) ** -45
        schedule = recipe.exp_lr_schedule_mp()
        velocity = recipe.velocity0_mp([0.6, -0.8])
    assert float(alpha) == pytest.approx(recipe.alpha, rel=1e-15)
    np.testing.assert_allclose([float(x) for x in schedule], recipe.exp_lr_schedule, rtol=1e-13)
    np.testing.assert_allclose([float(v) for v in velocity], recipe.velocity0([0.6, -0.8]), rtol=1e-13)


def test_the_papers_growth_per_epoch_is_recomputed_from_its_inputs():
    """Li & Arora report ×1.481 per epoch for lr 0.1, momentum 0.9, weight decay 5e-4, 391 steps per epoch."""
    assert experiments.PAPER_EPOCH.lr_growth == pytest.approx(1.481, abs=0.005)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": 0.0}, "lr must be > 0, got 0"),
        ({"lr": -0.1}, "lr must be a finite number >= 0, got -0.1"),
        ({"lr": float("nan")}, "lr must be a finite number >= 0, got nan"),
        ({"weight_decay": -1.0}, "weight_decay must be finite and >= 0, got -1.0"),
        ({"momentum": 1.0}, "momentum must lie in \\[0, 1\\), got 1.0"),
        ({"lr": 2.0, "weight_decay": 0.5}, "need lr \\* weight_decay < 1, got 2.0 \\* 0.5 = 1.0"),
        ({"lr": 0.5, "weight_decay": 0.5, "momentum": 0.9}, "no real alpha: lr \\* weight_decay = 0.25 exceeds"),
        ({"steps": 2.5}, "steps must be an integer, got 2.5"),
        ({"steps": True}, "steps must be an integer, got True"),
        ({"steps": -3}, "steps must be >= 0, got -3"),
    ],
)
def test_bad_recipes_raise_value_error_naming_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Recipe(**({"lr": 0.1} | kwargs))


def test_schedule_overflow_names_the_step_without_a_runtime_warning():
    recipe = Recipe(lr=0.5, weight_decay=1.5, steps=2000)  # α = 0.25: η̃_t passes 1e308 near t = 256
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match="overflows float64 at step 256"):
            _ = recipe.exp_lr_schedule


def test_growth_overflow_is_named():
    with pytest.raises(OverflowError, match="growth over 2000 steps overflows float64"):
        _ = Recipe(lr=0.5, weight_decay=1.5, steps=2000).lr_growth


def test_double_root_at_the_real_alpha_boundary():
    momentum = 0.81
    recipe = Recipe(lr=0.1, weight_decay=(1 - math.sqrt(momentum)) ** 2 / 0.1, momentum=momentum)
    assert recipe.alpha == pytest.approx(math.sqrt(momentum), rel=1e-7)


def test_a_double_root_whose_expanded_discriminant_rounds_below_zero_is_still_found():
    """Accepted (ηλ ≤ (1 − √γ)² by Recipe's check), but the derived formula's discriminant η²λ² − 2ηγλ − ... rounds
    to a small negative number here: α is then the double root (1 + γ − ηλ)/2."""
    recipe = Recipe(lr=0.03056231272335239, weight_decay=5.110326403641458, momentum=0.36578249876190305)
    b = 1 + recipe.momentum - recipe.lr * recipe.weight_decay
    assert recipe.alpha == pytest.approx(b / 2, rel=1e-7)
    assert recipe.alpha == pytest.approx(math.sqrt(recipe.momentum), rel=1e-7)


def test_recipes_are_values():
    assert Recipe(0.25, 0.1, steps=150) == experiments.TOY
    assert hash(Recipe(0.25, 0.1, steps=150)) == hash(experiments.TOY)
    assert experiments.TOY.with_steps(3).steps == 3 and experiments.TOY.steps == 150
    assert experiments.VANILLA.weight_decay == 0 and experiments.VANILLA.lr == experiments.TOY.lr
