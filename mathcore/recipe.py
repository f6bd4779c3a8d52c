"""A training recipe: SGD's settings in one validated value, and the numbers the theorems derive from them.

PyTorch SGD convention:  v ← γ·v + ∇L(θ) + λ·θ;  θ ← θ − η·v, for ``steps`` steps.
The momentum theorem (Theorem 2.1 when γ = 0): this run equals α^t times the run with
no weight decay, learning rate η̃_t = η·α^(−2t−1) and initial buffer ṽ_0, where α is
the larger root of x² − (1 + γ − ηλ)x + γ = 0. α, η̃_t, α^t and ṽ_0 are lambdified once
from mathcore.derivations.momentum_theorem(): the formulas live in the derivation only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

import mpmath
import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from mathcore import derivations as D
from mathcore.validation import check_hyper, check_lr_scalar, check_steps, check_theta0

FloatArray = NDArray[np.float64]


@cache
def _formulas(module: str) -> dict[str, Callable[..., object]]:
    """α(η, λ, γ), η̃_t(η, α, t), s_t(α, t) and ṽ_0(η, α, θ_0) from the momentum theorem, for ``module``."""
    theorem = D.momentum_theorem()
    velocity = theorem.initial_velocity
    stray = velocity.free_symbols - {D.eta, D.alpha, D.theta0}
    if stray:
        raise RuntimeError(f"the derived initial buffer depends on more than η, α and θ_0: {sorted(map(str, stray))}")
    return {
        "alpha": sp.lambdify((D.eta, D.lam, D.gamma), theorem.alpha_principal, module),
        "schedule": sp.lambdify((D.eta, D.alpha, D.t), theorem.schedule, module),
        "scale": sp.lambdify((D.alpha, D.t), theorem.scale, module),
        "velocity0": sp.lambdify((D.eta, D.alpha, D.theta0), velocity, module),
    }


def _check_finite(values: FloatArray, what: str) -> FloatArray:
    """``values`` unchanged if finite; else OverflowError naming the first step that is not."""
    finite = np.isfinite(values)
    if not np.all(finite):
        first = int(np.argmin(finite))
        raise OverflowError(f"{what} overflows float64 at step {first}")
    return values


@dataclass(frozen=True)
class Recipe:
    """SGD with learning rate η, weight decay λ and momentum γ for ``steps`` steps: v ← γv + ∇L + λθ; θ ← θ − ηv.

    Always valid for the momentum theorem: η > 0, λ ≥ 0, 0 ≤ γ < 1, ηλ < 1 and α real
    (ηλ ≤ (1 − √γ)²); otherwise construction raises ValueError naming the value.
    """

    lr: float
    weight_decay: float = 0.0
    momentum: float = 0.0
    steps: int = 0

    def __post_init__(self) -> None:
        lr = check_lr_scalar(self.lr)
        if lr == 0:
            raise ValueError("lr must be > 0, got 0")
        check_hyper(self.weight_decay, self.momentum)
        object.__setattr__(self, "lr", lr)
        object.__setattr__(self, "weight_decay", float(self.weight_decay))
        object.__setattr__(self, "momentum", float(self.momentum))
        object.__setattr__(self, "steps", check_steps(self.steps))
        product = self.lr * self.weight_decay
        if product >= 1:
            raise ValueError(f"need lr * weight_decay < 1, got {self.lr} * {self.weight_decay} = {product}")
        limit = (1 - math.sqrt(self.momentum)) ** 2
        if product > limit:
            raise ValueError(
                f"no real alpha: lr * weight_decay = {product} exceeds (1 - sqrt(momentum))^2 = {limit} "
                f"for momentum = {self.momentum}"
            )

    def with_steps(self, steps: int) -> Recipe:
        """The same settings run for ``steps`` steps."""
        return dataclasses.replace(self, steps=steps)

    def without_weight_decay(self) -> Recipe:
        """The same learning rate and momentum, λ = 0 (plain GD when γ = 0)."""
        return dataclasses.replace(self, weight_decay=0.0)

    @cached_property
    def alpha(self) -> float:
        """α: the larger root of x² − (1 + γ − ηλ)x + γ = 0 (1 − ηλ when γ = 0)."""
        b = 1 + self.momentum - self.lr * self.weight_decay
        if b * b - 4 * self.momentum <= 0:  # ηλ = (1 − √γ)²: a double root (rounding may leave a −1e-17 discriminant)
            return b / 2
        # α ≤ 1 exactly (the quadratic is ηλ ≥ 0 at x = 1, its vertex below 1); the float formula may round one
        # ulp above 1 when ηλ is tiny, which would make the "decaying" scale grow.
        try:
            root = float(_formulas("math")["alpha"](self.lr, self.weight_decay, self.momentum))
        except ValueError:  # the formula's expanded discriminant rounded below 0: it is 0 to rounding, a double root
            return b / 2
        return min(root, 1.0)

    @cached_property
    def exp_lr_schedule(self) -> FloatArray:
        """η̃_t = η·α^(−2t−1) for t = 0..steps−1: the learning rate that replaces weight decay."""
        t = np.arange(self.steps, dtype=float)
        with np.errstate(over="ignore"):
            rates = np.asarray(_formulas("numpy")["schedule"](self.lr, self.alpha, t), dtype=float)
        return _check_finite(np.broadcast_to(rates, t.shape).copy(), "the exp-LR schedule")

    @cached_property
    def scale(self) -> FloatArray:
        """s_t = α^t for t = 0..steps: θ_wd[t] = s_t·θ_exp[t]."""
        t = np.arange(self.steps + 1, dtype=float)
        return np.broadcast_to(np.asarray(_formulas("numpy")["scale"](self.alpha, t), dtype=float), t.shape).copy()

    def velocity0(self, theta0: ArrayLike) -> FloatArray:
        """ṽ_0 = −(1 − α)·θ_0/(η·α): the exp-LR run's buffer that matches a weight-decay run starting at v_0 = 0."""
        theta = check_theta0(theta0)
        velocity = _formulas("numpy")["velocity0"](self.lr, self.alpha, theta)
        return np.asarray(velocity, dtype=float) * np.ones_like(theta)

    @property
    def lr_growth(self) -> float:
        """η̃_steps/η̃_0 = α^(−2·steps): how much the equivalent learning rate grows over the run."""
        exponent = -2.0 * self.steps * math.log(self.alpha)
        if exponent > math.log(np.finfo(float).max):
            raise OverflowError(f"the learning-rate growth over {self.steps} steps overflows float64")
        return math.exp(exponent)

    # --- the same numbers at arbitrary precision (mpmath), for mathcore.precision ---

    def alpha_mp(self) -> mpmath.mpf:
        """α at the current mpmath precision (the recipe's floats taken as exact)."""
        args = (mpmath.mpf(self.lr), mpmath.mpf(self.weight_decay), mpmath.mpf(self.momentum))
        return mpmath.mpf(mpmath.re(_formulas("mpmath")["alpha"](*args)))

    def exp_lr_schedule_mp(self) -> list[mpmath.mpf]:
        """η̃_t for t = 0..steps−1 at the current mpmath precision."""
        alpha, eta, schedule = self.alpha_mp(), mpmath.mpf(self.lr), _formulas("mpmath")["schedule"]
        return [schedule(eta, alpha, t) for t in range(self.steps)]

    def velocity0_mp(self, theta0: ArrayLike) -> list[mpmath.mpf]:
        """ṽ_0 at the current mpmath precision."""
        alpha, eta, velocity0 = self.alpha_mp(), mpmath.mpf(self.lr), _formulas("mpmath")["velocity0"]
        return [velocity0(eta, alpha, mpmath.mpf(float(c))) for c in check_theta0(theta0)]
