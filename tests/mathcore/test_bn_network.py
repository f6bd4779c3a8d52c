"""BN network: scale invariance per layer and per row, exact backprop, and the WD ≡ exp-LR equivalence on it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore.bn_network import (
    BNNetwork,
    PairRun,
    make_moons,
    train_pair,
)
from mathcore.experiments import BN, BN_MOMENTUM
from mathcore.recipe import Recipe
from mathcore.trajectories import exp_lr_gd, gd


@pytest.fixture(scope="module")
def net() -> BNNetwork:
    return BNNetwork(*make_moons(seed=0), seed=0)


@pytest.fixture(scope="module")
def theta(net: BNNetwork) -> np.ndarray:
    return net.init_params(seed=7)


@pytest.fixture(scope="module")
def plain() -> PairRun:
    return train_pair(BN)


@pytest.fixture(scope="module")
def heavy_ball() -> PairRun:
    return train_pair(BN_MOMENTUM)


def scaled(net: BNNetwork, theta: np.ndarray, factors: list[np.ndarray]) -> np.ndarray:
    """θ with row j of W_l multiplied by factors[l][j] (a scalar factor scales the whole matrix)."""
    return np.concatenate([(W * np.reshape(c, (-1, 1))).ravel() for W, c in zip(net.unflatten(theta), factors)])


# -- data and plumbing -------------------------------------------------------------------------------
def test_moons_are_seeded_balanced_and_two_dimensional() -> None:
    X, y = make_moons(200, 0.1, seed=3)
    assert X.shape == (200, 2) and y.shape == (200,) and set(np.unique(y)) == {0, 1} and y.sum() == 100
    np.testing.assert_array_equal(X, make_moons(200, 0.1, seed=3)[0])
    assert not np.allclose(X, make_moons(200, 0.1, seed=4)[0])


def test_unflatten_round_trips_and_shapes(net: BNNetwork, theta: np.ndarray) -> None:
    weights = net.unflatten(theta)
    assert [W.shape for W in weights] == [(32, 2), (32, 32)] and net.n_params == 64 + 1024
    np.testing.assert_array_equal(np.concatenate([W.ravel() for W in weights]), theta)


def test_predictions_use_training_statistics(net: BNNetwork, theta: np.ndarray) -> None:
    # The query path (training mean/std applied to new points) must agree with the training pass on X itself.
    np.testing.assert_allclose(net.predict(theta, net.X), net.predict(theta), rtol=1e-12)
    xx, yy, p = net.decision_grid(theta, (-1.0, 2.0, -1.0, 1.0), 40)
    assert xx.shape == yy.shape == p.shape == (40, 40) and np.all((p > 0) & (p < 1))
    _, _, p_scaled = net.decision_grid(5.0 * theta, (-1.0, 2.0, -1.0, 1.0), 40)
    np.testing.assert_allclose(p_scaled, p, rtol=1e-12)


# -- scale invariance and gradients --------------------------------------------------------------------
def test_loss_invariant_to_scaling_each_matrix(net: BNNetwork, theta: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    for _ in range(5):
        factors = list(np.exp(rng.uniform(-5, 5, size=2)))
        assert net.loss(scaled(net, theta, factors)) == pytest.approx(net.loss(theta), rel=1e-12)


def test_loss_invariant_to_scaling_each_row(net: BNNetwork, theta: np.ndarray) -> None:
    # BN normalises each feature separately, so every row of W_l (one feature) has its own symmetry.
    rng = np.random.default_rng(2)
    rows = [np.exp(rng.uniform(-4, 4, size=w)) for w, _ in net.shapes]
    assert net.loss(scaled(net, theta, [rows[0], np.ones(32)])) == pytest.approx(net.loss(theta), rel=1e-12)
    assert net.loss(scaled(net, theta, rows)) == pytest.approx(net.loss(theta), rel=1e-12)


def test_readout_is_not_scale_invariant(net: BNNetwork, theta: np.ndarray) -> None:
    # Control: the frozen readout is why the trained set is invariant; scaling it does change the loss.
    loud = BNNetwork(net.X, net.y, readout_scale=6.0, seed=0)
    assert abs(loud.loss(theta) - net.loss(theta)) > 1e-2


def test_gradient_matches_central_differences(net: BNNetwork, theta: np.ndarray) -> None:
    h = 1e-6
    eye = np.eye(net.n_params)
    fd = np.array([(net.loss(theta + h * e) - net.loss(theta - h * e)) / (2 * h) for e in eye])
    g = net.grad(theta)
    assert np.linalg.norm(fd - g) / np.linalg.norm(g) < 1e-6


def test_gradient_orthogonal_to_each_matrix_and_row(net: BNNetwork, theta: np.ndarray) -> None:
    """Lemma 1 per layer (and per row): ⟨∇_W L, W⟩ = 0."""
    for G, W in zip(net.unflatten(net.grad(theta)), net.unflatten(theta)):
        assert abs(np.sum(G * W)) < 1e-12 * np.linalg.norm(G) * np.linalg.norm(W)
        row_dots = np.abs(np.sum(G * W, axis=1))
        assert np.all(row_dots < 1e-12 * np.linalg.norm(G, axis=1).max() * np.linalg.norm(W, axis=1).max())


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-6.0, 6.0), min_size=2, max_size=2),
    st.integers(0, 2**32 - 1),
)
def test_property_random_scalings(net: BNNetwork, theta: np.ndarray, log_c: list[float], row_seed: int) -> None:
    """L(c_l·W_l) = L(W_l) and ∇_{W_l} L scales as 1/c_l (Lemma 1), also under extra per-row scalings."""
    c = np.exp(log_c)
    moved = scaled(net, theta, list(c))
    assert net.loss(moved) == pytest.approx(net.loss(theta), rel=1e-12)
    for G_moved, G, c_l in zip(net.unflatten(net.grad(moved)), net.unflatten(net.grad(theta)), c):
        np.testing.assert_allclose(c_l * G_moved, G, rtol=1e-9, atol=1e-12 * np.abs(G).max())
    rows = [np.exp(np.random.default_rng(row_seed).uniform(-3, 3, size=w)) for w, _ in net.shapes]
    assert net.loss(scaled(net, moved, rows)) == pytest.approx(net.loss(theta), rel=1e-12)


def test_norms_never_shrink_without_weight_decay(net: BNNetwork, theta: np.ndarray) -> None:
    # Pythagoras from Lemma 1: ‖W_{t+1}‖² = ‖W_t‖² + η²‖∇_W L‖² per layer.
    path = gd(net.grad, theta, Recipe(lr=0.5, steps=40))
    norms = net.layer_norms(path)
    assert np.all(np.diff(norms, axis=0) >= -1e-12 * norms[1:])
    step = np.array([net.layer_norms(0.5 * net.grad(p)) for p in path[:-1]])
    np.testing.assert_allclose(norms[1:] ** 2, norms[:-1] ** 2 + step**2, rtol=1e-12)


# -- the equivalence -----------------------------------------------------------------------------------
@pytest.mark.parametrize("run", ["plain", "heavy_ball"])
def test_weight_decay_run_equals_exp_lr_run(run: str, request: pytest.FixtureRequest) -> None:
    pair: PairRun = request.getfixturevalue(run)
    assert len(pair.loss_wd) - 1 >= 200
    assert pair.relative_gap().max() <= 1e-9  # losses and every training-point probability, all 300 steps
    gap = np.linalg.norm(pair.params_wd - pair.recipe.scale[:, None] * pair.params_exp, axis=1)
    assert np.all(gap <= 1e-9 * np.linalg.norm(pair.params_wd, axis=1))  # θ_wd[t] = α^t θ_exp[t]
    np.testing.assert_allclose(pair.norms_wd, pair.recipe.scale[:, None] * pair.norms_exp, rtol=1e-9)


def test_momentum_needs_the_matching_initial_buffer(heavy_ball: PairRun) -> None:
    # Control: starting the exp-LR run with ṽ_0 = 0 instead breaks the equivalence at O(1).
    net, theta0 = heavy_ball.net, heavy_ball.params_wd[0]
    recipe = heavy_ball.recipe.with_steps(100)
    naive = exp_lr_gd(net.grad, theta0, recipe, velocity0=np.zeros_like(theta0))
    gap = np.linalg.norm(heavy_ball.params_wd[100] - recipe.scale[100] * naive[-1])
    assert gap > 1e-2 * np.linalg.norm(heavy_ball.params_wd[100])


@pytest.mark.parametrize("run", ["plain", "heavy_ball"])
def test_exp_norms_explode_while_weight_decay_norms_stay_level(run: str, request: pytest.FixtureRequest) -> None:
    pair: PairRun = request.getfixturevalue(run)
    assert np.all(pair.norms_exp[-1] > 10 * pair.norms_exp[0])
    assert np.all(np.diff(pair.norms_exp[-100:], axis=0) > 0)  # still growing at the end
    ratio = pair.norms_wd / pair.norms_wd[0]
    assert np.all((ratio > 0.25) & (ratio < 8.0))  # measured 0.41..5.1 (γ = 0.9), 0.64..3.1 (γ = 0)
    assert pair.recipe.exp_lr_schedule[-1] / pair.recipe.exp_lr_schedule[0] > 400


@pytest.mark.parametrize("run", ["plain", "heavy_ball"])
def test_training_makes_progress(run: str, request: pytest.FixtureRequest) -> None:
    pair: PairRun = request.getfixturevalue(run)
    assert pair.loss_wd[-1] < 0.15
    assert pair.loss_wd[0] > 0.5
    assert pair.accuracy_wd[-1] >= 0.95


# -- bad input ------------------------------------------------------------------------------------------
def test_zero_variance_feature_is_named(net: BNNetwork, theta: np.ndarray) -> None:
    W1, W2 = (W.copy() for W in net.unflatten(theta))
    W1[3] = 0.0
    with pytest.raises(ValueError, match="feature 3 in layer 1"):
        net.loss(np.concatenate([W1.ravel(), W2.ravel()]))
    W1, W2 = (W.copy() for W in net.unflatten(theta))
    W2[5] = 0.0
    with pytest.raises(ValueError, match="feature 5 in layer 2"):
        net.grad(np.concatenate([W1.ravel(), W2.ravel()]))
    flat = BNNetwork(np.tile([[1.0, 2.0]], (10, 1)), np.arange(10) % 2)  # every point identical
    with pytest.raises(ValueError, match="layer 1 is zero"):
        flat.loss(flat.init_params())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda n, t: n.loss(t[:-1]), r"params must be finite with shape \(1088,\), got shape \(1087,\)"),
        (lambda n, t: n.grad(np.full_like(t, np.nan)), "params must be finite"),
        (lambda n, t: n.predict(t, np.zeros((4, 3))), r"X must have shape \(m, 2\), got \(4, 3\)"),
        (lambda n, t: n.decision_grid(t, (1.0, 0.0, 0.0, 1.0)), "x_min < x_max"),
        (lambda n, t: n.init_params(scale=-1.0), "scale must be finite and > 0, got -1.0"),
        (lambda n, t: BNNetwork(n.X, n.y[:-1]), r"y must have shape \(200,\)"),
        (lambda n, t: BNNetwork(n.X, 2 * n.y), "values in"),
        (lambda n, t: BNNetwork(n.X, n.y, widths=(32, 0)), r"widths must be .* got \(32, 0\)"),
        (lambda n, t: make_moons(3), "n must be an integer >= 4, got 3"),
        (lambda n, t: make_moons(noise=-0.1), "noise must be finite and >= 0, got -0.1"),
    ],
)
def test_bad_input_raises_naming_the_value(net: BNNetwork, theta: np.ndarray, call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(net, theta)
