"""Trajectories: Theorem 2.1 and the momentum theorem hold numerically; batches; bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore import derivations
from mathcore.losses import AngularLoss, NormalizedQuadratic, RatioLoss
from mathcore.trajectories import (
    equivalence_scale,
    equivalent_velocity0,
    exp_lr_schedule,
    gd,
    momentum_alpha,
)
from tests.mathcore.strategies import loss_dim, losses, points

QUADRATIC_3D = NormalizedQuadratic(np.array([[1.0, 0.3, 0.0], [0.3, -0.5, 0.2], [0.0, 0.2, 0.4]]))


def relative_gap(loss, theta0, lr, weight_decay, steps, momentum=0.0) -> np.ndarray:
    """‖θ_wd[t] − s_t·θ_exp[t]‖/‖θ_wd[t]‖ for the two runs of the theorem, in float64."""
    decayed = gd(loss.grad, theta0, lr, steps, weight_decay=weight_decay, momentum=momentum)
    exploded = gd(
        loss.grad,
        theta0,
        exp_lr_schedule(lr, weight_decay, steps, momentum),
        steps,
        momentum=momentum,
        velocity0=equivalent_velocity0(theta0, lr, weight_decay, momentum),
    )
    scale = equivalence_scale(lr, weight_decay, steps, momentum)
    scale = scale.reshape(-1, *[1] * (exploded.ndim - 1))
    return np.linalg.norm(decayed - scale * exploded, axis=-1) / np.linalg.norm(decayed, axis=-1)


@pytest.mark.parametrize(
    "loss, theta0",
    [(AngularLoss(), [-0.7, 0.7]), (RatioLoss(), [-0.7, 0.7]), (QUADRATIC_3D, [0.5, -1.0, 0.8])],
    ids=["angular", "ratio", "quadratic-3d"],
)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_equivalence_holds_to_1e12_in_a_non_chaotic_regime(loss, theta0, momentum):
    lr, weight_decay, steps = 0.02, 0.02, 300
    gap = relative_gap(loss, np.array(theta0), lr, weight_decay, steps, momentum)
    assert gap.max() <= 1e-12
    # And the two runs really are different runs: only the rescaled one matches.
    scale = equivalence_scale(lr, weight_decay, steps, momentum)
    assert scale[-1] < 0.9


def test_without_the_initial_buffer_the_momentum_runs_differ_at_order_one():
    theta0, lr, wd, gamma, steps = np.array([0.5, -1.0, 0.8]), 0.05, 0.01, 0.9, 200
    decayed = gd(QUADRATIC_3D.grad, theta0, lr, steps, weight_decay=wd, momentum=gamma)
    exploded = gd(QUADRATIC_3D.grad, theta0, exp_lr_schedule(lr, wd, steps, gamma), steps, momentum=gamma)
    scale = equivalence_scale(lr, wd, steps, gamma)[:, None]
    gap = np.linalg.norm(decayed - scale * exploded, axis=1) / np.linalg.norm(decayed, axis=1)
    assert gap.max() > 1e-2


def test_batch_runs_equal_single_runs():
    loss = AngularLoss()
    starts = np.random.default_rng(4).normal(size=(7, 2))
    batch = gd(loss.grad, starts, 0.25, 120, weight_decay=0.1, momentum=0.5)
    assert batch.shape == (121, 7, 2)
    for i, start in enumerate(starts):
        np.testing.assert_array_equal(batch[:, i], gd(loss.grad, start, 0.25, 120, weight_decay=0.1, momentum=0.5))


def test_vanilla_gd_norm_grows_by_pythagoras():
    loss = AngularLoss()
    path = gd(loss.grad, [-0.7, 0.7], 0.25, 200)
    sq = np.sum(path**2, axis=1)
    grads = loss.grad(path[:-1])
    np.testing.assert_allclose(np.diff(sq), 0.25**2 * np.sum(grads**2, axis=1), rtol=1e-9, atol=1e-15)
    assert np.all(np.diff(sq) >= 0)


def test_weight_decay_kicks_the_iterate_out_of_the_shallow_minimum():
    """The story's toy: plain GD stays in the shallow well, GD + weight decay leaves it."""
    loss = AngularLoss()
    shallow = loss.minima()[-1]
    plain = gd(loss.grad, [-0.7, 0.7], 0.25, 300)
    decayed = gd(loss.grad, [-0.7, 0.7], 0.25, 300, weight_decay=0.1)

    def angle_from_shallow(path):
        return np.abs(np.angle(np.exp(1j * (np.arctan2(path[:, 1], path[:, 0]) - shallow))))

    assert angle_from_shallow(plain)[-50:].max() < np.deg2rad(1)
    assert np.linalg.norm(plain[-1]) > 1.5 * np.linalg.norm(plain[0])
    assert angle_from_shallow(decayed)[-50:].min() > np.deg2rad(45)
    assert loss.value(decayed[-1]) < loss.value(plain[-1]) - 0.3


def numeric_schedule_from_derivation(derived: sp.Expr, values: dict[str, float], steps: int) -> np.ndarray:
    by_name = {s.name: s for s in derived.free_symbols}
    f = sp.lambdify(by_name["t"], derived.subs({by_name[k]: v for k, v in values.items() if k in by_name}), "numpy")
    return np.asarray(f(np.arange(steps, dtype=float)), dtype=float)


def test_numeric_schedule_and_scale_agree_with_the_sympy_derivation():
    lr, wd, steps = 0.3, 0.2, 50
    theorem = derivations.theorem_2_1()
    np.testing.assert_allclose(
        exp_lr_schedule(lr, wd, steps), numeric_schedule_from_derivation(theorem.schedule, {"eta": lr, "lambda": wd}, steps), rtol=1e-12
    )
    np.testing.assert_allclose(
        equivalence_scale(lr, wd, steps)[:-1],
        numeric_schedule_from_derivation(theorem.scale, {"eta": lr, "lambda": wd}, steps),
        rtol=1e-12,
    )


@pytest.mark.parametrize("lr, wd, gamma", [(0.1, 0.01, 0.9), (0.5, 0.1, 0.3), (0.05, 0.5, 0.0)])
def test_alpha_is_the_larger_root_derived_by_sympy(lr, wd, gamma):
    roots = derivations.momentum_theorem().alpha_roots
    values = []
    for root in roots:
        by_name = {s.name: s for s in root.free_symbols}
        values.append(complex(root.subs({by_name[k]: v for k, v in {"eta": lr, "lambda": wd, "gamma": gamma}.items() if k in by_name})))
    assert momentum_alpha(lr, wd, gamma) == pytest.approx(max(v.real for v in values), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    loss=losses(),
    lr=st.floats(0.001, 0.05),
    weight_decay=st.floats(0.0, 0.05),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
)
def test_equivalence_holds_for_random_losses(data, loss, lr, weight_decay, momentum):
    theta0 = data.draw(points(loss_dim(loss)))
    theta0 = theta0 / np.linalg.norm(theta0)
    gap = relative_gap(loss, theta0, lr, weight_decay, 60, momentum)
    assert gap.max() <= 1e-9


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=2.0, weight_decay=0.5), "lr \\* weight_decay < 1"),
        (dict(lr=-0.1), "lr must be a finite number >= 0, got -0.1"),
        (dict(weight_decay=-1.0), "weight_decay must be finite and >= 0, got -1.0"),
        (dict(momentum=1.0), "momentum must lie in \\[0, 1\\), got 1.0"),
        (dict(momentum=-0.1), "momentum must lie in \\[0, 1\\), got -0.1"),
        (dict(theta0=[0.0, 0.0]), "non-zero"),
        (dict(theta0=[np.inf, 0.0]), "finite"),
        (dict(lr=[0.1, 0.1]), "length steps=5"),
        (dict(lr=[0.1, 0.1, np.nan, 0.1, 0.1]), "got nan at step 2"),
        (dict(steps=-1), "steps must be >= 0, got -1"),
        (dict(steps=2.5), "steps must be an integer, got 2.5"),
    ],
)
def test_bad_input_raises_value_error_naming_it(kwargs, message):
    args = dict(grad=AngularLoss().grad, theta0=[-0.7, 0.7], lr=0.1, steps=5) | kwargs
    with pytest.raises(ValueError, match=message):
        gd(**args)


def test_no_real_alpha_is_reported():
    with pytest.raises(ValueError, match="no real alpha"):
        exp_lr_schedule(0.5, 0.5, 10, momentum=0.9)
    with pytest.raises(ValueError, match="no real alpha"):
        equivalent_velocity0([1.0, 0.0], 0.5, 0.5, 0.9)


def test_overflow_names_the_step():
    with pytest.raises(OverflowError, match="step 3"):
        gd(RatioLoss().grad, [1e-150, 2e-150], [0.0, 0.0, 1e300, 0.0], 4)


def test_zero_steps_returns_the_start():
    np.testing.assert_array_equal(gd(RatioLoss().grad, [0.6, 0.8], 0.1, 0), [[0.6, 0.8]])
