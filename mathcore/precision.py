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
from mathcore.recipe import Recipe
from mathcore.validation import check_hyper, check_theta0

MpVector = list[mpmath.mpf]


def _check_digits(digits: int) -> int:
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 5:
        raise ValueError(f"digits must be an integer >= 5, got {digits!r}")
    return int(digits)


def iterate_mp(
    loss: ScaleInvariantLoss,
    theta0: ArrayLike,
    rates: Sequence[mpmath.mpf],
    digits: int,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    velocity0: Sequence[mpmath.mpf] | None = None,
) -> list[MpVector]:
    """v ← γv + ∇L(θ) + λθ; θ ← θ − η_t·v with ``digits`` significant digits, one rate per step.

    Returns θ_0..θ_steps as lists of mpmath numbers (valid at that precision).
    """
    digits = _check_digits(digits)
    check_hyper(weight_decay, momentum)
    theta_checked = check_theta0(theta0)
    if theta_checked.ndim != 1:
        raise ValueError(f"theta0 must be a single point (d,), got shape {theta_checked.shape}")
    with mpmath.workdps(digits):
        rates = [mpmath.mpf(r) for r in rates]
        theta = [mpmath.mpf(float(c)) for c in theta_checked]
        velocity = [mpmath.mpf(0)] * len(theta) if velocity0 is None else [mpmath.mpf(c) for c in velocity0]
        wd, gamma = mpmath.mpf(weight_decay), mpmath.mpf(momentum)
        path = [theta]
        for t, rate in enumerate(rates):
            g = loss.grad_mp(theta)
            velocity = [gamma * v + gi + wd * th for v, gi, th in zip(velocity, g, theta)]
            theta = [th - rate * v for th, v in zip(theta, velocity)]
            if not all(mpmath.isfinite(c) for c in theta):
                raise OverflowError(f"gd_mp overflowed at step {t + 1} of {len(rates)}")
            path.append(theta)
    return path


def gd_mp(loss: ScaleInvariantLoss, theta0: ArrayLike, recipe: Recipe, digits: int) -> list[MpVector]:
    """θ_0..θ_T of the recipe (constant η, λ, γ, v_0 = 0) carried out with ``digits`` significant digits."""
    rates = [mpmath.mpf(recipe.lr)] * recipe.steps
    return iterate_mp(loss, theta0, rates, digits, recipe.weight_decay, recipe.momentum)


def exp_lr_gd_mp(loss: ScaleInvariantLoss, theta0: ArrayLike, recipe: Recipe, digits: int) -> list[MpVector]:
    """The recipe's exp-LR twin (λ = 0, η̃_t, from ṽ_0), with η̃_t and ṽ_0 evaluated at ``digits`` digits."""
    digits = _check_digits(digits)
    with mpmath.workdps(digits):
        schedule, velocity0 = recipe.exp_lr_schedule_mp(), recipe.velocity0_mp(theta0)
    return iterate_mp(loss, theta0, schedule, digits, 0.0, recipe.momentum, velocity0)


def equivalence_gap(loss: ScaleInvariantLoss, theta0: ArrayLike, recipe: Recipe, digits: int) -> NDArray[np.float64]:
    """‖θ_wd[t] − α^t·θ_exp[t]‖ / ‖θ_wd[t]‖ for t = 0..steps, both runs at ``digits`` digits."""
    decayed = gd_mp(loss, theta0, recipe, digits)
    exploded = exp_lr_gd_mp(loss, theta0, recipe, digits)
    gaps = np.empty(recipe.steps + 1)
    with mpmath.workdps(digits):
        alpha = recipe.alpha_mp()
        for t, (a, e) in enumerate(zip(decayed, exploded)):
            scale = alpha**t
            diff = mpmath.sqrt(mpmath.fsum((ai - scale * ei) ** 2 for ai, ei in zip(a, e)))
            gaps[t] = float(diff / mpmath.sqrt(mpmath.fsum(ai * ai for ai in a)))
    return gaps


def divergence_step(
    loss: ScaleInvariantLoss, theta0: ArrayLike, recipe: Recipe, digits: int, tol: float = 1e-3
) -> int | None:
    """The first step t with relative gap > tol between θ_wd[t] and α^t·θ_exp[t], or None."""
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0, got {tol!r}")
    gaps = equivalence_gap(loss, theta0, recipe, digits)
    parted = np.nonzero(gaps > tol)[0]
    return int(parted[0]) if parted.size else None
