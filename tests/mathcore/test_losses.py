"""Losses: scale invariance, Lemma 1 numerically, gradients vs finite differences, sympy and mpmath."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore.losses import AngularLoss, DirectionalLoss, FourierLoss, NormalizedQuadratic, RatioLoss, Well
from tests.mathcore.strategies import loss_dim, losses, points


def finite_difference_grad(loss, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    eye = np.eye(theta.size)
    return np.array([(loss.value(theta + h * e) - loss.value(theta - h * e)) / (2 * h) for e in eye])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), loss=losses(), c=st.floats(0.01, 100.0))
def test_lemma_1_holds_for_random_losses(data, loss, c):
    theta = data.draw(points(loss_dim(loss)))
    assert loss.value(c * theta) == pytest.approx(loss.value(theta), abs=1e-12)
    g = loss.grad(theta)
    assert abs(g @ theta) <= 1e-12 * max(1.0, np.linalg.norm(g) * np.linalg.norm(theta))
    np.testing.assert_allclose(loss.grad(c * theta), g / c, rtol=1e-9, atol=1e-12 / c)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), loss=losses())
def test_gradients_match_finite_differences(data, loss):
    theta = data.draw(points(loss_dim(loss)))
    theta = theta / np.linalg.norm(theta)  # unit norm keeps the FD step well scaled
    np.testing.assert_allclose(loss.grad(theta), finite_difference_grad(loss, theta), atol=1e-6)


@pytest.mark.parametrize("loss", [AngularLoss(), RatioLoss(), NormalizedQuadratic(np.diag([1.0, -2.0, 0.5]))])
def test_grad_mp_agrees_with_numpy(loss):
    theta = np.array([-0.7, 0.7, 0.3])[: loss.dim]
    with mpmath.workdps(30):
        g_mp = loss.grad_mp([mpmath.mpf(c) for c in theta])
        np.testing.assert_allclose([float(c) for c in g_mp], loss.grad(theta), rtol=1e-13, atol=1e-15)


def test_angular_loss_gradient_matches_sympy():
    x, y = sp.symbols("x y", real=True)
    phi = sp.atan2(y, x)
    loss = AngularLoss()
    expr = -sum(w.depth * sp.exp(w.concentration * (sp.cos(phi - w.centre) - 1)) for w in loss.wells)
    grad = sp.lambdify((x, y), [sp.diff(expr, x), sp.diff(expr, y)], "numpy")
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(50, 2))
    np.testing.assert_allclose(np.array(grad(pts[:, 0], pts[:, 1])).T, loss.grad(pts), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sp.lambdify((x, y), expr)(pts[:, 0], pts[:, 1]), loss.value(pts), rtol=1e-12)


def test_ratio_loss_is_x_squared_over_r_squared_and_matches_sympy():
    x, y = sp.symbols("x y", real=True)
    expr = x**2 / (x**2 + y**2)
    grad = sp.lambdify((x, y), [sp.diff(expr, x), sp.diff(expr, y)], "numpy")
    pts = np.random.default_rng(2).normal(size=(40, 2))
    np.testing.assert_allclose(RatioLoss().value(pts), pts[:, 0] ** 2 / np.sum(pts**2, axis=1), rtol=1e-13)
    np.testing.assert_allclose(np.array(grad(pts[:, 0], pts[:, 1])).T, RatioLoss().grad(pts), rtol=1e-10)


def test_default_angular_loss_has_minima_of_different_depths():
    loss = AngularLoss()
    minima = loss.minima()
    depths = loss.profile(minima)
    assert len(minima) >= 3
    assert len(np.unique(np.round(depths, 3))) == len(depths)
    # The start (−0.7, 0.7) lies in the basin of the shallowest minimum, next to it.
    start_angle = np.arctan2(0.7, -0.7)
    nearest = minima[np.argmin(np.abs(np.angle(np.exp(1j * (minima - start_angle)))))]
    assert loss.profile(nearest) == depths.max()


def test_directional_loss_wraps_any_function_of_the_direction():
    # f(u) = u_0 u_1 + u_2: not a quadratic form, any dimension.
    loss = DirectionalLoss(
        f=lambda u: u[..., 0] * u[..., 1] + u[..., 2],
        grad_f=lambda u: np.stack([u[..., 1], u[..., 0], np.ones_like(u[..., 2])], axis=-1),
        dim=3,
    )
    theta = np.array([0.3, -1.2, 0.8])
    assert loss.value(5 * theta) == pytest.approx(loss.value(theta))
    np.testing.assert_allclose(loss.grad(theta), finite_difference_grad(loss, theta), atol=1e-7)
    with pytest.raises(NotImplementedError, match="grad_f_mp"):
        loss.grad_mp([mpmath.mpf(1)] * 3)


def test_vectorised_over_leading_axes():
    pts = np.random.default_rng(3).normal(size=(4, 5, 2))
    loss = AngularLoss()
    assert loss.grad(pts).shape == (4, 5, 2)
    np.testing.assert_allclose(loss.grad(pts)[2, 3], loss.grad(pts[2, 3]))


@pytest.mark.parametrize(
    "theta, message",
    [([0.0, 0.0], "non-zero"), ([np.nan, 1.0], "finite"), ([1.0, 2.0, 3.0], "last dimension 2"), (1.0, "scalar")],
)
def test_bad_points_raise(theta, message):
    with pytest.raises(ValueError, match=message):
        AngularLoss().grad(theta)


def test_bad_loss_definitions_raise():
    with pytest.raises(ValueError, match="square"):
        NormalizedQuadratic(np.ones((2, 3)))
    with pytest.raises(ValueError, match="equally many"):
        FourierLoss((1.0,), (1.0, 2.0))
    with pytest.raises(ValueError, match="concentration"):
        AngularLoss(wells=(Well(0.0, 1.0, -1.0),))


def test_normalized_quadratic_expression_is_the_same_function():
    """The sympy expression shown on screen for a Rayleigh quotient evaluates like the numpy loss."""
    import sympy as sp

    from mathcore.losses import RatioLoss

    loss = NormalizedQuadratic(np.array([[1.0, 0.3, 0.0], [0.3, -0.5, 0.2], [0.0, 0.2, 0.4]]))
    f = sp.lambdify(sorted(loss.expression().free_symbols, key=str), loss.expression(), "numpy")
    points = np.random.default_rng(3).normal(size=(20, 3))
    np.testing.assert_allclose(f(*points.T), loss.value(points), rtol=1e-12)
    x, y = sp.symbols("x y", real=True)
    assert sp.simplify(RatioLoss().expression() - x**2 / (x**2 + y**2)) == 0
    with pytest.raises(ValueError, match="need 3 coordinate names"):
        loss.expression(("a", "b"))
