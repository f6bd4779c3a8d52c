"""Gradient-descent trajectories and the exponential-LR equivalence, in numpy.

PyTorch SGD convention throughout:  v ← γ·v + ∇L(θ) + λ·θ;  θ ← θ − η_t·v.
Theorem 2.1 / the momentum theorem: the weight-decay run equals α^t times the run
without weight decay whose learning rate is η̃_t = η·α^(−2t−1) (see mathcore.recipe).
Every runner takes a :class:`~mathcore.recipe.Recipe`; ``iterate`` is the engine
behind them, for any per-step learning rates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mathcore.recipe import Recipe
from mathcore.validation import check_hyper, check_lr_schedule, check_steps, check_theta0

FloatArray = NDArray[np.floating]
Gradient = Callable[[FloatArray], FloatArray]


def iterate(
    grad: Gradient,
    theta0: ArrayLike,
    rates: float | ArrayLike,
    steps: int,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    velocity0: ArrayLike | None = None,
    dtype: type[np.floating] = np.float64,
) -> FloatArray:
    """Iterate v ← γv + ∇L(θ) + λθ; θ ← θ − η_t·v from (θ_0, v_0) and return θ_0..θ_steps.

    The engine behind the recipe runners: ``rates`` is one learning rate or one per step.
    ``theta0`` is one point (d,) or a batch (N, d) advanced together; returns shape
    (steps + 1, *theta0.shape). ``dtype`` is the arithmetic's precision (np.float32 to watch
    rounding error grow); ``grad`` must then keep that dtype, as the losses in mathcore.losses do.
    Raises ValueError on bad input and OverflowError naming the step that overflows.
    """
    steps = check_steps(steps)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    theta = check_theta0(theta0).astype(dtype)
    check_hyper(weight_decay, momentum)
    rates64 = check_lr_schedule(rates, steps, weight_decay)
    with np.errstate(over="ignore"):
        rates_cast = rates64.astype(dtype)
    if not np.all(np.isfinite(rates_cast)):
        first = int(np.argmin(np.isfinite(rates_cast)))
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
            theta = theta - rates_cast[t] * velocity
            if not np.all(np.isfinite(theta)):
                raise OverflowError(f"gd overflowed at step {t + 1} of {steps} (lr there {rates_cast[t]:.3g})")
            path[t + 1] = theta
    return path


def gd(grad: Gradient, theta0: ArrayLike, recipe: Recipe, dtype: type[np.floating] = np.float64) -> FloatArray:
    """θ_0..θ_T of the recipe as given: constant η, weight decay λ, momentum γ, from v_0 = 0."""
    return iterate(grad, theta0, recipe.lr, recipe.steps, recipe.weight_decay, recipe.momentum, dtype=dtype)


def exp_lr_gd(
    grad: Gradient,
    theta0: ArrayLike,
    recipe: Recipe,
    dtype: type[np.floating] = np.float64,
    velocity0: ArrayLike | None = None,
) -> FloatArray:
    """The recipe's twin: no weight decay, η̃_t = η·α^(−2t−1), momentum γ, from ṽ_0 (or ``velocity0``)."""
    start = recipe.velocity0(theta0) if velocity0 is None else velocity0
    return iterate(grad, theta0, recipe.exp_lr_schedule, recipe.steps, 0.0, recipe.momentum, start, dtype)


@dataclass(frozen=True)
class Comparison:
    """A weight-decay run and its exponential-LR twin: θ_wd[t] = scale[t]·θ_exp[t] = α^t·θ_exp[t]."""

    recipe: Recipe
    decayed: FloatArray  # (steps+1, *θ.shape): constant LR + weight decay
    exploded: FloatArray  # (steps+1, *θ.shape): exp-LR schedule, no weight decay

    @property
    def schedule(self) -> FloatArray:
        """(steps,): η̃_t."""
        return self.recipe.exp_lr_schedule

    @property
    def scale(self) -> FloatArray:
        """(steps+1,): α^t."""
        return self.recipe.scale

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
    grad: Gradient, theta0: ArrayLike, recipe: Recipe, dtype: type[np.floating] = np.float64
) -> Comparison:
    """Run the recipe (constant LR + weight decay) and its exp-LR twin from ṽ_0, side by side."""
    return Comparison(recipe, gd(grad, theta0, recipe, dtype), exp_lr_gd(grad, theta0, recipe, dtype))
