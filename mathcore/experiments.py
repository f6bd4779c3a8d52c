"""The runs the video shows, computed once (vectorised numpy) and cached.

Story settings: the default AngularLoss from θ_0 = (−0.7, 0.7), η = 0.25, λ = 0.1;
the momentum chapter uses γ = 0.8 with λ = 0.02 (α must be real: λη ≤ (1 − √γ)²).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from mathcore.losses import AngularLoss
from mathcore.trajectories import (
    equivalence_scale,
    equivalent_velocity0,
    exp_lr_schedule,
    gd,
    momentum_alpha,
)

FloatArray = NDArray[np.float64]

START: tuple[float, float] = (-0.7, 0.7)
LR = 0.25
WEIGHT_DECAY = 0.1
STEPS = 150
MOMENTUM = 0.8
MOMENTUM_WEIGHT_DECAY = 0.02


@dataclass(frozen=True)
class Comparison:
    """A weight-decay run, its exp-LR twin, and what links them: θ_wd[t] = scale[t]·θ_exp[t]."""

    lr: float
    weight_decay: float
    momentum: float
    alpha: float
    decayed: FloatArray  # (steps+1, 2): constant LR + weight decay
    exploded: FloatArray  # (steps+1, 2): exp-LR schedule, no weight decay
    schedule: FloatArray  # (steps,): η̃_t
    scale: FloatArray  # (steps+1,): α^t
    velocity0: FloatArray  # (2,): exp-LR run's initial buffer

    @property
    def rescaled(self) -> FloatArray:
        """α^t·θ_exp[t]: the exploding run brought back to the weight-decay scale."""
        return self.scale[:, None] * self.exploded

    @property
    def relative_gap(self) -> FloatArray:
        """‖θ_wd[t] − α^t θ_exp[t]‖ / ‖θ_wd[t]‖ per step."""
        return np.linalg.norm(self.decayed - self.rescaled, axis=1) / np.linalg.norm(self.decayed, axis=1)


def angles(path: FloatArray) -> FloatArray:
    """Polar angle φ_t = atan2(y_t, x_t) of each iterate, unwrapped so it moves continuously (radians)."""
    return np.unwrap(np.arctan2(path[..., 1], path[..., 0]), axis=0)


def norms(path: FloatArray) -> FloatArray:
    """‖θ_t‖ of each iterate."""
    return np.linalg.norm(path, axis=-1)


@lru_cache(maxsize=None)
def loss() -> AngularLoss:
    """The video's toy loss."""
    return AngularLoss()


@lru_cache(maxsize=None)
def vanilla(steps: int = STEPS) -> FloatArray:
    """Plain GD: constant LR, no weight decay, no momentum."""
    return gd(loss().grad, START, LR, steps)


@lru_cache(maxsize=None)
def comparison(steps: int = STEPS, momentum: float = 0.0) -> Comparison:
    """The weight-decay run and its exponential-LR twin (Theorem 2.1, or the momentum theorem)."""
    weight_decay = WEIGHT_DECAY if momentum == 0 else MOMENTUM_WEIGHT_DECAY
    start = np.array(START)
    schedule = exp_lr_schedule(LR, weight_decay, steps, momentum)
    velocity0 = equivalent_velocity0(start, LR, weight_decay, momentum)
    return Comparison(
        lr=LR,
        weight_decay=weight_decay,
        momentum=momentum,
        alpha=momentum_alpha(LR, weight_decay, momentum),
        decayed=gd(loss().grad, start, LR, steps, weight_decay=weight_decay, momentum=momentum),
        exploded=gd(loss().grad, start, schedule, steps, momentum=momentum, velocity0=velocity0),
        schedule=schedule,
        scale=equivalence_scale(LR, weight_decay, steps, momentum),
        velocity0=velocity0,
    )


def gradient_field(extent: float, count: int, min_radius: float) -> tuple[FloatArray, FloatArray]:
    """Grid points (count², 2) on [−extent, extent]² outside radius min_radius, and ∇L there."""
    axis = np.linspace(-extent, extent, count)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    grid = grid[np.linalg.norm(grid, axis=1) >= min_radius]
    return grid, loss().grad(grid)
