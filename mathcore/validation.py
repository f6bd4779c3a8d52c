"""Input checks shared by the numeric modules: bad input raises ValueError naming the value."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray


def check_steps(steps: int) -> int:
    """steps is a whole number >= 0."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ValueError(f"steps must be an integer, got {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    return int(steps)


def check_hyper(weight_decay: float, momentum: float) -> None:
    """0 <= weight_decay < inf and 0 <= momentum < 1."""
    if not (math.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be finite and >= 0, got {weight_decay!r}")
    if not (math.isfinite(momentum) and 0 <= momentum < 1):
        raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")


def check_lr_scalar(lr: float) -> float:
    """lr is one finite number >= 0."""
    if not (isinstance(lr, (int, float, np.floating, np.integer)) and math.isfinite(lr) and lr >= 0):
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    return float(lr)


def check_lr_schedule(lr: float | ArrayLike, steps: int, weight_decay: float) -> NDArray[np.float64]:
    """lr is a scalar or one finite value >= 0 per step, with lr·weight_decay < 1; returns (steps,)."""
    if np.ndim(lr) == 0:
        rates = np.full(steps, check_lr_scalar(lr))  # type: ignore[arg-type]
    else:
        rates = np.asarray(lr, dtype=float)
        if rates.shape != (steps,):
            raise ValueError(f"lr must be a scalar or have length steps={steps}, got shape {rates.shape}")
        bad = ~(np.isfinite(rates) & (rates >= 0))
        if np.any(bad):
            first = int(np.argmax(bad))
            raise ValueError(f"lr values must be finite and >= 0, got {float(rates[first])!r} at step {first}")
    if steps and weight_decay and rates.max() * weight_decay >= 1:
        raise ValueError(
            f"need lr * weight_decay < 1, got {rates.max()} * {weight_decay} = {rates.max() * weight_decay}"
        )
    return rates


def check_theta0(theta0: ArrayLike) -> NDArray[np.float64]:
    """theta0 is a finite, non-zero point (d,) or batch of points (N, d)."""
    theta = np.array(theta0, dtype=float)
    if theta.ndim not in (1, 2) or theta.shape[-1] == 0:
        raise ValueError(f"theta0 must have shape (d,) or (N, d), got {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError(f"theta0 must be finite, got {theta0!r}")
    if np.any(np.linalg.norm(theta, axis=-1) == 0):
        raise ValueError(f"theta0 must be non-zero (the loss is undefined at the origin), got {theta0!r}")
    return theta
