"""The runs the video shows: every recipe by name, computed once (vectorised numpy) and cached.

Scenes, the benchmark and the tests read the recipes here, so no setting is typed twice.
Story: the toy AngularLoss from θ_0 = START with TOY (η = 0.25, λ = 0.1); the momentum
chapter uses MOMENTUM_TOY (γ = 0.8 with λ = 0.02: α must be real, λη ≤ (1 − √γ)²).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from mathcore import bn_network, derivations
from mathcore.chaos import DriftStudy, drift_study, gap_curve
from mathcore.equilibrium import EquilibriumMeasurement, angular_steps, measure_equilibrium, noisy_gd
from mathcore.losses import AngularLoss, RatioLoss
from mathcore.recipe import Recipe
from mathcore.trajectories import Comparison, gd, twin_runs

FloatArray = NDArray[np.float64]

START: tuple[float, float] = (-0.7, 0.7)
#: The original post's toy run: constant LR with weight decay (and, as its twin, the exp-LR run).
TOY = Recipe(lr=0.25, weight_decay=0.1, steps=150)
#: Plain GD: the toy's learning rate, no weight decay.
VANILLA = TOY.without_weight_decay()
#: Heavy ball on the toy (α real needs λη ≤ (1 − √γ)², hence the smaller λ).
MOMENTUM_TOY = Recipe(lr=0.25, weight_decay=0.02, momentum=0.8, steps=150)
#: The CIFAR-10 recipe Li & Arora quote (lr 0.1, momentum 0.9, weight decay 5e-4), one epoch of
#: 391 steps (50,000 images in batches of 128): the equivalent LR grows α^(−2·391) per epoch.
PAPER_EPOCH = Recipe(lr=0.1, weight_decay=5e-4, momentum=0.9, steps=391)


def angles(path: FloatArray) -> FloatArray:
    """Polar angle φ_t = atan2(y_t, x_t) of each iterate, unwrapped so it moves continuously (radians)."""
    return np.unwrap(np.arctan2(path[..., 1], path[..., 0]), axis=0)


def norms(path: FloatArray) -> FloatArray:
    """‖θ_t‖ of each iterate."""
    return np.linalg.norm(path, axis=-1)


@cache
def loss() -> AngularLoss:
    """The video's toy loss."""
    return AngularLoss()


@cache
def vanilla(recipe: Recipe = VANILLA) -> FloatArray:
    """Plain GD on the toy from START (the recipe's own weight decay, none by default)."""
    return gd(loss().grad, START, recipe)


@cache
def comparison(recipe: Recipe = TOY) -> Comparison:
    """The toy's weight-decay run and its exponential-LR twin (Theorem 2.1, or the momentum theorem)."""
    return twin_runs(loss().grad, START, recipe)


def gradient_field(extent: float, count: int, min_radius: float) -> tuple[FloatArray, FloatArray]:
    """Grid points (count², 2) on [−extent, extent]² outside radius min_radius, and ∇L there."""
    axis = np.linspace(-extent, extent, count)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    grid = grid[np.linalg.norm(grid, axis=1) >= min_radius]
    return grid, loss().grad(grid)


# --- Chapter "Why the two runs drift apart": Li, Lyu & Arora's chaotic toy, and a calm setting ---

#: RatioLoss L = x²/(x² + y²) from START with a large η: GD with weight decay is chaotic there.
#: 1,400 steps: long enough for the 64-digit runs to part.
CHAOS = Recipe(lr=0.5, weight_decay=0.1, steps=1400)
#: The same loss with a small η: not chaotic, float64 agrees to ~1e-14 for the whole run.
CALM = Recipe(lr=0.05, weight_decay=0.01, steps=600)


@cache
def chaos_loss() -> RatioLoss:
    """The chaotic toy loss x²/(x² + y²)."""
    return RatioLoss()


@cache
def chaotic_comparison(steps: int = CHAOS.steps) -> Comparison:
    """The chaotic toy's weight-decay run and its exp-LR twin, in float64, for the first ``steps`` steps."""
    return twin_runs(chaos_loss().grad, START, CHAOS.with_steps(steps))


@cache
def drift() -> DriftStudy:
    """The chaotic toy's two runs at float32, float64, 32 and 64 digits: gaps, parting steps, μ (~0.5 s)."""
    return drift_study(chaos_loss(), START, CHAOS)


@cache
def calm_gap() -> FloatArray:
    """Relative gap of the two runs in float64 on the same loss with a small η (no chaos)."""
    return gap_curve(chaos_loss(), START, CALM, "float64")


# --- Chapter "The effective learning rate and the equilibrium": seeded noisy SGD and where it fails ---


class EquilibriumSetting(NamedTuple):
    """One run of the equilibrium chapter: a recipe and its gradient noise (seeded)."""

    recipe: Recipe
    noise: float
    seed: int = 0


#: Noisy SGD with the story's η and λ: settles at the derived norm and angular step.
EQUILIBRIUM_NOISY = EquilibriumSetting(TOY.with_steps(3000), noise=1.0)
#: With momentum: matches √(2ηλ/(1+γ)), not the plain √(2ηλ).
EQUILIBRIUM_MOMENTUM = EquilibriumSetting(MOMENTUM_TOY.with_steps(4000), noise=2.0)
#: Deterministic GD with a small η: stuck in the sharp well, ∇L → 0, no steady state (the prediction fails).
EQUILIBRIUM_STUCK = EquilibriumSetting(Recipe(lr=0.02, weight_decay=0.005, steps=3000), noise=0.0)
#: Steps in the trailing window of the running RMS of the angular step.
ANGLE_WINDOW = 100


@dataclass(frozen=True)
class EquilibriumRun:
    """A noisy run from START, measured after its first third (burn-in) against the derivations."""

    setting: EquilibriumSetting
    path: FloatArray  # (steps+1, 2)
    grads: FloatArray  # (steps, 2): the noisy gradients used
    burn_in: int
    measurement: EquilibriumMeasurement
    angular_step: FloatArray  # (steps,): |Δφ_t| = ∠(θ_t, θ_{t+1})
    effective_lr: FloatArray  # (steps+1,): η/‖θ_t‖², lambdified from derivations.equilibrium()

    def angular_rms(self, window: int = ANGLE_WINDOW) -> FloatArray:
        """(steps+1,): at t, √mean(Δφ²) over the last ``window`` steps before t (fewer near the start; 0 at t = 0)."""
        squares = np.concatenate([[0.0], np.cumsum(self.angular_step**2)])
        t = np.arange(len(squares))
        start = np.maximum(t - window, 0)
        count = np.maximum(t - start, 1)
        return np.sqrt((squares - squares[start]) / count)


@cache
def equilibrium_run(setting: EquilibriumSetting) -> EquilibriumRun:
    """Run ``setting`` once (noisy_gd from START) and measure it (burn-in: the first third)."""
    recipe = setting.recipe
    run = noisy_gd(loss(), START, recipe, setting.noise, setting.seed)
    burn_in = recipe.steps // 3
    measurement = measure_equilibrium(run.path, run.grads, recipe, burn_in=burn_in)
    effective = sp.lambdify((derivations.eta, derivations.r), derivations.equilibrium().effective_lr, "numpy")
    return EquilibriumRun(
        setting=setting,
        path=run.path,
        grads=run.grads,
        burn_in=burn_in,
        measurement=measurement,
        angular_step=angular_steps(run.path),
        effective_lr=np.asarray(effective(recipe.lr, norms(run.path)), dtype=float),
    )


# --- Chapter "A real batch-norm network": both recipes on a small BN-MLP (mathcore.bn_network) ---

#: Plain full-batch GD on the BN network: α = 0.99, η̃ grows ×412 over 300 steps.
BN = Recipe(lr=0.5, weight_decay=0.02, steps=300)
#: Heavy ball on the BN network: α ≈ 0.98887, η̃ grows ×814 over 300 steps.
BN_MOMENTUM = Recipe(lr=0.1, weight_decay=0.01, momentum=0.9, steps=300)
#: Steps at which the chapter draws the decision boundary: dense early, where it moves most.
BN_SNAPSHOTS: tuple[int, ...] = (*range(0, 60, 3), *range(60, BN.steps + 1, 15))
#: The plane shown around the two moons, (x_min, x_max, y_min, y_max), and the grid's points per side.
BN_GRID_EXTENT: tuple[float, float, float, float] = (-1.5, 2.5, -1.0, 1.5)
BN_GRID_SIZE = 120
#: Factors for W_1 and W_2 in the on-screen check that rescaling the trained weights leaves the loss unchanged.
BN_RESCALE: tuple[float, float] = (10.0, 0.1)


@cache
def bn_pair(recipe: Recipe = BN) -> bn_network.PairRun:
    """The recipe (BN or BN_MOMENTUM) and its exp-LR twin on the BN network (~0.3 s)."""
    return bn_network.train_pair(recipe)


@dataclass(frozen=True)
class BoundarySnapshots:
    """P(y = 1) of both runs on one grid over BN_GRID_EXTENT, at the steps BN_SNAPSHOTS."""

    steps: NDArray[np.int64]  # (k,)
    xx: FloatArray  # (n, n): grid x, rows from y_min up
    yy: FloatArray  # (n, n)
    prob_wd: FloatArray  # (k, n, n)
    prob_exp: FloatArray  # (k, n, n)


@cache
def bn_boundaries(recipe: Recipe = BN) -> BoundarySnapshots:
    """Decision grids of bn_pair(recipe) at every snapshot step (~1 s for both runs)."""
    pair = bn_pair(recipe)
    steps = np.array(BN_SNAPSHOTS, dtype=np.int64)

    def grids(params: FloatArray) -> FloatArray:
        return np.array([pair.net.decision_grid(params[t], BN_GRID_EXTENT, BN_GRID_SIZE)[2] for t in steps])

    xx, yy, _ = pair.net.decision_grid(pair.params_wd[0], BN_GRID_EXTENT, BN_GRID_SIZE)
    return BoundarySnapshots(steps, xx, yy, grids(pair.params_wd), grids(pair.params_exp))
