"""The weight-decay run and the rescaled exp-LR run at arbitrary precision (mpmath).

In exact arithmetic θ_wd[t] = α^t·θ_exp[t] for every t (Theorem 2.1, momentum theorem).
With finitely many digits the two runs round differently; where GD with weight decay
is chaotic that rounding error grows exponentially, so the runs part at a step that
moves later as more digits are carried.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
from numpy.typing import ArrayLike, NDArray

from mathcore.losses import ScaleInvariantLoss
from mathcore.trajectories import momentum_alpha
from mathcore.validation import check_hyper, check_lr_schedule, check_steps, check_theta0

MpVector = list[mpmath.mpf]


def _check_digits(digits: int) -> int:
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 5:
        raise ValueError(f"digits must be an integer >= 5, got {digits!r}")
    return int(digits)


def gd_mp(
    loss: ScaleInvariantLoss,
    theta0: ArrayLike | Sequence[mpmath.mpf],
    lr: float | ArrayLike | Sequence[mpmath.mpf],
    steps: int,
    digits: int,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    velocity0: Sequence[mpmath.mpf] | None = None,
) -> list[MpVector]:
    """v ← γv + ∇L(θ) + λθ; θ ← θ − η_t·v carried out with ``digits`` significant digits.

    Returns θ_0..θ_steps as lists of mpmath numbers (valid at that precision).
    """
    steps = check_steps(steps)
    digits = _check_digits(digits)
    check_hyper(weight_decay, momentum)
    check_theta0(np.array([float(c) for c in theta0]))
    mp_schedule = not np.ndim(lr) == 0 and isinstance(next(iter(lr), None), mpmath.mpf)  # type: ignore[arg-type]
    if not mp_schedule:
        check_lr_schedule(lr, steps, weight_decay)
    elif len(lr) != steps:  # type: ignore[arg-type]
        raise ValueError(f"lr must have length steps={steps}, got {len(lr)}")  # type: ignore[arg-type]
    with mpmath.workdps(digits):
        rates = list(lr) if mp_schedule else [mpmath.mpf(float(r)) for r in check_lr_schedule(lr, steps, weight_decay)]
        theta = [mpmath.mpf(c) for c in theta0]
        velocity = [mpmath.mpf(0)] * len(theta) if velocity0 is None else [mpmath.mpf(c) for c in velocity0]
        wd, gamma = mpmath.mpf(weight_decay), mpmath.mpf(momentum)
        path = [theta]
        for t in range(steps):
            g = loss.grad_mp(theta)
            velocity = [gamma * v + gi + wd * th for v, gi, th in zip(velocity, g, theta)]
            theta = [th - rates[t] * v for th, v in zip(theta, velocity)]
            if not all(mpmath.isfinite(c) for c in theta):
                raise OverflowError(f"gd_mp overflowed at step {t + 1} of {steps}")
            path.append(theta)
    return path


def equivalence_gap(
    loss: ScaleInvariantLoss,
    theta0: ArrayLike,
    lr: float,
    weight_decay: float,
    steps: int,
    digits: int,
    momentum: float = 0.0,
) -> NDArray[np.float64]:
    """‖θ_wd[t] − α^t·θ_exp[t]‖ / ‖θ_wd[t]‖ for t = 0..steps, both runs at ``digits`` digits."""
    theta = check_theta0(theta0)
    if theta.ndim != 1:
        raise ValueError(f"theta0 must be a single point (d,), got shape {theta.shape}")
    momentum_alpha(lr, weight_decay, momentum)  # validates lr, weight_decay, momentum
    if lr == 0:
        raise ValueError("lr must be > 0, got 0")
    digits = _check_digits(digits)
    with mpmath.workdps(digits):
        eta, lam, gamma = mpmath.mpf(float(lr)), mpmath.mpf(float(weight_decay)), mpmath.mpf(float(momentum))
        b = 1 + gamma - eta * lam
        alpha = (b + mpmath.sqrt(b * b - 4 * gamma)) / 2
        schedule = [eta * alpha ** (-2 * t - 1) for t in range(steps)]
        velocity0 = [-(1 - alpha) * mpmath.mpf(float(c)) / (eta * alpha) for c in theta]
    decayed = gd_mp(loss, theta, lr, steps, digits, weight_decay=weight_decay, momentum=momentum)
    exploded = gd_mp(loss, theta, schedule, steps, digits, momentum=momentum, velocity0=velocity0)
    gaps = np.empty(steps + 1)
    with mpmath.workdps(digits):
        for t, (a, e) in enumerate(zip(decayed, exploded)):
            scale = alpha**t
            diff = mpmath.sqrt(mpmath.fsum((ai - scale * ei) ** 2 for ai, ei in zip(a, e)))
            gaps[t] = float(diff / mpmath.sqrt(mpmath.fsum(ai * ai for ai in a)))
    return gaps


def divergence_step(
    loss: ScaleInvariantLoss,
    theta0: ArrayLike,
    lr: float,
    weight_decay: float,
    steps: int,
    digits: int,
    tol: float = 1e-3,
    momentum: float = 0.0,
) -> int | None:
    """The first step t with relative gap > tol between θ_wd[t] and α^t·θ_exp[t], or None."""
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0, got {tol!r}")
    gaps = equivalence_gap(loss, theta0, lr, weight_decay, steps, digits, momentum)
    parted = np.nonzero(gaps > tol)[0]
    return int(parted[0]) if parted.size else None
