"""Gradient-descent trajectories and the exponential-LR equivalence, in numpy.

PyTorch SGD convention throughout:  v ← γ·v + ∇L(θ) + λ·θ;  θ ← θ − η_t·v.
Theorem 2.1 / the momentum theorem: the weight-decay run equals α^t times the run
without weight decay whose learning rate is η_t = η·α^(−2t−1), where α is the larger
root of x² − (1 + γ − λη)x + γ = 0 (α = 1 − ηλ without momentum).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mathcore.validation import check_hyper, check_lr_scalar, check_lr_schedule, check_steps, check_theta0

FloatArray = NDArray[np.floating]
Gradient = Callable[[FloatArray], FloatArray]


def momentum_alpha(lr: float, weight_decay: float, momentum: float = 0.0) -> float:
    """α: the larger root of x² − (1 + γ − λη)x + γ = 0; equals 1 − ηλ when γ = 0."""
    lr = check_lr_scalar(lr)
    check_hyper(weight_decay, momentum)
    if lr * weight_decay >= 1:
        raise ValueError(f"need lr * weight_decay < 1, got {lr} * {weight_decay} = {lr * weight_decay}")
    b = 1 + momentum - lr * weight_decay
    disc = b * b - 4 * momentum
    if disc < 0:
        limit = (1 - math.sqrt(momentum)) ** 2
        raise ValueError(
            f"no real alpha: lr * weight_decay = {lr * weight_decay} exceeds (1 - sqrt(momentum))^2 = {limit} "
            f"for momentum = {momentum}"
        )
    return (b + math.sqrt(disc)) / 2


def exp_lr_schedule(lr: float, weight_decay: float, steps: int, momentum: float = 0.0) -> FloatArray:
    """η̃_t = η·α^(−2t−1) for t = 0..steps−1: the LR that replaces weight decay."""
    steps = check_steps(steps)
    alpha = momentum_alpha(lr, weight_decay, momentum)
    return lr * alpha ** (-2.0 * np.arange(steps) - 1.0)


def equivalence_scale(lr: float, weight_decay: float, steps: int, momentum: float = 0.0) -> FloatArray:
    """s_t = α^t for t = 0..steps, with θ_wd[t] = s_t·θ_exp[t]."""
    steps = check_steps(steps)
    return momentum_alpha(lr, weight_decay, momentum) ** np.arange(steps + 1, dtype=float)


def equivalent_velocity0(theta0: ArrayLike, lr: float, weight_decay: float, momentum: float) -> FloatArray:
    """ṽ_0 = −(1 − α)·θ_0/(η·α): the exp-LR run's buffer matching a weight-decay run with v_0 = 0."""
    theta = check_theta0(theta0)
    lr = check_lr_scalar(lr)
    if lr == 0:
        raise ValueError("lr must be > 0 for an equivalent velocity, got 0")
    alpha = momentum_alpha(lr, weight_decay, momentum)
    return -(1 - alpha) * theta / (lr * alpha)


def gd(
    grad: Gradient,
    theta0: ArrayLike,
    lr: float | ArrayLike,
    steps: int,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    velocity0: ArrayLike | None = None,
    dtype: type[np.floating] = np.float64,
) -> FloatArray:
    """Iterate v ← γv + ∇L(θ) + λθ; θ ← θ − η_t·v and return θ_0..θ_steps.

    ``theta0`` is one point (d,) or a batch (N, d) advanced together; ``lr`` is a
    scalar or one value per step. Returns shape (steps + 1, *theta0.shape).
    ``dtype`` is the arithmetic's precision (np.float32 to watch rounding error grow);
    ``grad`` must then keep that dtype, as the losses in mathcore.losses do.
    Raises ValueError on bad input and OverflowError naming the step that overflows.
    """
    steps = check_steps(steps)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    theta = check_theta0(theta0).astype(dtype)
    check_hyper(weight_decay, momentum)
    rates64 = check_lr_schedule(lr, steps, weight_decay)
    with np.errstate(over="ignore"):
        rates = rates64.astype(dtype)
    if not np.all(np.isfinite(rates)):
        first = int(np.argmin(np.isfinite(rates)))
        raise OverflowError(f"lr at step {first} ({rates64[first]:.3g}) overflows {np.dtype(dtype).name}")
    velocity = np.zeros_like(theta) if velocity0 is None else np.array(velocity0, dtype=dtype)
    if velocity.shape != theta.shape or not np.all(np.isfinite(velocity)):
        raise ValueError(f"velocity0 must be finite with shape {theta.shape}, got {velocity0!r}")
    # Python floats combine with float32 arrays without promoting them; numpy scalars would not.
    weight_decay, momentum = float(weight_decay), float(momentum)

    path = np.empty((steps + 1, *theta.shape), dtype=dtype)
    path[0] = theta
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            velocity = momentum * velocity + grad(theta) + weight_decay * theta
            theta = theta - rates[t] * velocity
            if not np.all(np.isfinite(theta)):
                raise OverflowError(f"gd overflowed at step {t + 1} of {steps} (lr there {rates[t]:.3g})")
            path[t + 1] = theta
    return path


@dataclass(frozen=True)
class Comparison:
    """A weight-decay run and its exponential-LR twin: θ_wd[t] = scale[t]·θ_exp[t] = α^t·θ_exp[t]."""

    lr: float
    weight_decay: float
    momentum: float
    alpha: float
    decayed: FloatArray  # (steps+1, *θ.shape): constant LR + weight decay
    exploded: FloatArray  # (steps+1, *θ.shape): exp-LR schedule, no weight decay
    schedule: FloatArray  # (steps,): η̃_t
    scale: FloatArray  # (steps+1,): α^t
    velocity0: FloatArray  # the exp-LR run's initial buffer

    @property
    def rescaled(self) -> FloatArray:
        """α^t·θ_exp[t]: the exploding run brought back to the weight-decay scale (float64)."""
        return self.scale.reshape(-1, *[1] * (self.exploded.ndim - 1)) * self.exploded.astype(np.float64)

    @property
    def relative_gap(self) -> FloatArray:
        """‖θ_wd[t] − α^t θ_exp[t]‖ / ‖θ_wd[t]‖ per step (and per run of a batch), in float64."""
        decayed = self.decayed.astype(np.float64)
        return np.linalg.norm(decayed - self.rescaled, axis=-1) / np.linalg.norm(decayed, axis=-1)


def twin_runs(
    grad: Gradient,
    theta0: ArrayLike,
    lr: float,
    weight_decay: float,
    steps: int,
    momentum: float = 0.0,
    dtype: type[np.floating] = np.float64,
) -> Comparison:
    """Run constant LR + weight decay, and no weight decay + η̃_t = η·α^(−2t−1) from ṽ_0, side by side."""
    schedule = exp_lr_schedule(lr, weight_decay, steps, momentum)
    velocity0 = equivalent_velocity0(theta0, lr, weight_decay, momentum)
    return Comparison(
        lr=float(lr),
        weight_decay=float(weight_decay),
        momentum=float(momentum),
        alpha=momentum_alpha(lr, weight_decay, momentum),
        decayed=gd(grad, theta0, lr, steps, weight_decay=weight_decay, momentum=momentum, dtype=dtype),
        exploded=gd(grad, theta0, schedule, steps, momentum=momentum, velocity0=velocity0, dtype=dtype),
        schedule=schedule,
        scale=equivalence_scale(lr, weight_decay, steps, momentum),
        velocity0=velocity0,
    )
