"""Noisy SGD on a scale-invariant loss and its equilibrium: the norm and angular speed
that weight decay settles at, measured and compared with mathcore.derivations.

Predictions (never retyped here: lambdified from the derivations):
  ‖θ*‖⁴ = η²G²/(1 − (1−ηλ)²)      (equilibrium().norm4, no momentum)
  ‖θ*‖⁴ from equilibrium_momentum().norm4 (momentum γ; new gradient uncorrelated with the buffer)
  Δφ* ≈ √(2ηλ/(1+γ))              (equilibrium_momentum().angular_step; √(2ηλ) at γ = 0)
  η_eff = η/‖θ‖²                   (equilibrium().effective_lr)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from mathcore import derivations as D
from mathcore.losses import ScaleInvariantLoss
from mathcore.recipe import Recipe
from mathcore.trajectories import gd
from mathcore.validation import check_theta0

FloatArray = NDArray[np.float64]

__all__ = ["EquilibriumMeasurement", "NoisyRun", "angular_steps", "measure_equilibrium", "noisy_gd", "predictions"]


class NoisyRun(NamedTuple):
    """θ_0..θ_T (T+1, *theta0.shape) and the noisy gradients g̃_0..g̃_{T−1} (T, *theta0.shape) used."""

    path: FloatArray
    grads: FloatArray


def noisy_gd(
    loss: ScaleInvariantLoss, theta0: ArrayLike, recipe: Recipe, noise: float = 0.0, seed: int = 0
) -> NoisyRun:
    """SGD (trajectories.gd) with g̃ = ∇L(θ) + (noise/‖θ‖)·(I − uuᵀ)ξ, u = θ/‖θ‖, ξ ~ N(0, I).

    The noise is tangent to the sphere and scales like 1/‖θ‖, as a mini-batch gradient of a
    scale-invariant loss does (Lemma 1), so E‖g̃‖²‖θ‖² = ‖∇L(u)‖² + noise²·(d − 1).
    ``theta0`` is (d,) or a batch (N, d); ξ comes from np.random.default_rng(seed), so a run is
    reproducible. Raises ValueError on bad input, OverflowError (from gd) if the run blows up.
    """
    theta = check_theta0(theta0)
    if not (isinstance(noise, (int, float, np.integer, np.floating)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    used: list[FloatArray] = []

    def grad(point: FloatArray) -> FloatArray:
        # gd calls grad exactly once per step, in order, so this stateful draw is the step's batch noise.
        norm = np.linalg.norm(point, axis=-1, keepdims=True)
        u = point / norm
        xi = rng.standard_normal(point.shape)
        tangent = xi - np.sum(xi * u, axis=-1, keepdims=True) * u
        g = loss.grad(point) + (noise / norm) * tangent
        used.append(g)
        return g

    path = gd(grad, theta, recipe)
    grads = np.array(used) if used else np.empty((0, *theta.shape))
    return NoisyRun(path, grads)


@dataclass(frozen=True)
class EquilibriumMeasurement:
    """Measured (after burn-in; pooled over time and runs) vs predicted equilibrium.

    ``angular_step_rms`` = √mean(Δφ²) is what the derivation predicts (it fixes E[1 − cos Δφ]);
    ``angular_step_mean`` = mean |Δφ| is smaller when the step fluctuates (≈ √(2/π)·rms for
    Gaussian 1-D noise in 2-D). ``angular_step_plain`` is √(2ηλ), the prediction without momentum.
    """

    norm: float
    angular_step_rms: float
    angular_step_mean: float
    grad_sq: float  # G²: mean ‖g̃_t‖²‖θ_t‖², the squared gradient rescaled to the unit sphere
    norm_predicted: float
    angular_step_predicted: float
    angular_step_plain: float
    effective_lr: float  # η/‖θ‖² at the measured norm
    effective_lr_predicted: float  # η/‖θ*‖²

    @property
    def norm_error(self) -> float:
        """measured/predicted − 1 for the norm."""
        return self.norm / self.norm_predicted - 1

    @property
    def angular_error(self) -> float:
        """measured (rms)/predicted − 1 for the angular step."""
        return self.angular_step_rms / self.angular_step_predicted - 1


@cache
def _predictors() -> dict[str, Callable[..., float]]:
    """Numeric functions lambdified from the sympy derivations (the formulas live there only)."""
    plain, mom = D.equilibrium(), D.equilibrium_momentum()
    args = (D.eta, D.lam, D.gamma, D.G)
    return {
        "norm4": sp.lambdify(args, plain.norm4, "math"),
        "norm4_momentum": sp.lambdify(args, mom.norm4, "math"),
        "angular_step": sp.lambdify(args, mom.angular_step, "math"),
        "angular_step_plain": sp.lambdify(args, plain.angular_step, "math"),
        "effective_lr": sp.lambdify((D.eta, D.r), plain.effective_lr, "math"),
    }


def predictions(recipe: Recipe, grad_sq: float) -> dict[str, float]:
    """‖θ*‖, Δφ*, √(2ηλ) and η/‖θ*‖² from the derivations, for G² = grad_sq."""
    lr, weight_decay, momentum = recipe.lr, recipe.weight_decay, recipe.momentum
    if weight_decay == 0:
        raise ValueError(f"an equilibrium needs weight_decay > 0, got {recipe!r}")
    if not (math.isfinite(grad_sq) and grad_sq >= 0):
        raise ValueError(f"grad_sq must be finite and >= 0, got {grad_sq!r}")
    f = _predictors()
    args = (lr, weight_decay, momentum, math.sqrt(grad_sq))
    # γ = 0 uses the no-momentum derivation (the momentum one reduces to it, checked symbolically)
    norm4 = f["norm4"](*args) if momentum == 0 else f["norm4_momentum"](*args)
    norm = norm4**0.25
    return {
        "norm": norm,
        "angular_step": f["angular_step"](*args),
        "angular_step_plain": f["angular_step_plain"](*args),
        "effective_lr": f["effective_lr"](lr, norm) if norm > 0 else math.inf,
    }


def angular_steps(path: ArrayLike) -> FloatArray:
    """|Δφ_t| = ∠(θ_t, θ_{t+1}) ∈ [0, π], any dimension; shape (T, ...). In 2-D it equals |Δ unwrap(atan2)|."""
    p = np.asarray(path, dtype=float)
    u = p / np.linalg.norm(p, axis=-1, keepdims=True)
    # 2·atan2(‖u−w‖, ‖u+w‖) is accurate for tiny and near-π angles alike (unlike acos of a dot product)
    return 2 * np.arctan2(np.linalg.norm(u[1:] - u[:-1], axis=-1), np.linalg.norm(u[1:] + u[:-1], axis=-1))


def measure_equilibrium(path: ArrayLike, grads: ArrayLike, recipe: Recipe, burn_in: int = 0) -> EquilibriumMeasurement:
    """Means over t ≥ burn_in of ‖θ_t‖, Δφ_t and G² = ‖g̃_t‖²‖θ_t‖², with the derivations' predictions.

    ``path`` (T+1, d) or (T+1, N, d) and ``grads`` (T, ...) as returned by :func:`noisy_gd`.
    """
    p, g = np.asarray(path, dtype=float), np.asarray(grads, dtype=float)
    if p.ndim not in (2, 3) or g.shape != (p.shape[0] - 1, *p.shape[1:]):
        raise ValueError(f"need path (T+1, [N,] d) and grads (T, [N,] d), got {p.shape} and {g.shape}")
    if isinstance(burn_in, bool) or not isinstance(burn_in, (int, np.integer)) or not 0 <= burn_in < g.shape[0]:
        raise ValueError(f"burn_in must be an integer in [0, {g.shape[0]}) (the number of steps), got {burn_in!r}")
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(g))):
        raise ValueError("path and grads must be finite")
    norms = np.linalg.norm(p, axis=-1)
    if np.any(norms == 0):
        raise ValueError("path must not pass through the origin")
    steps = angular_steps(p)[burn_in:]
    grad_sq = float(np.mean(np.sum(g[burn_in:] ** 2, axis=-1) * norms[burn_in:-1] ** 2))
    norm = float(np.mean(norms[burn_in:]))
    pred = predictions(recipe, grad_sq)
    return EquilibriumMeasurement(
        norm=norm,
        angular_step_rms=float(np.sqrt(np.mean(steps**2))),
        angular_step_mean=float(np.mean(steps)),
        grad_sq=grad_sq,
        norm_predicted=pred["norm"],
        angular_step_predicted=pred["angular_step"],
        angular_step_plain=pred["angular_step_plain"],
        effective_lr=_predictors()["effective_lr"](recipe.lr, norm),
        effective_lr_predicted=pred["effective_lr"],
    )
