"""The runs the video shows, computed once (vectorised numpy) and cached.

Story settings: the default AngularLoss from θ_0 = (−0.7, 0.7), η = 0.25, λ = 0.1;
the momentum chapter uses γ = 0.8 with λ = 0.02 (α must be real: λη ≤ (1 − √γ)²).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from mathcore import bn_network, derivations
from mathcore.chaos import DriftStudy, drift_study, gap_curve
from mathcore.equilibrium import EquilibriumMeasurement, angular_steps, measure_equilibrium, noisy_gd
from mathcore.losses import AngularLoss, RatioLoss
from mathcore.trajectories import Comparison, gd, twin_runs

FloatArray = NDArray[np.float64]

START: tuple[float, float] = (-0.7, 0.7)
LR = 0.25
WEIGHT_DECAY = 0.1
STEPS = 150
MOMENTUM = 0.8
MOMENTUM_WEIGHT_DECAY = 0.02


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
    return twin_runs(loss().grad, START, LR, weight_decay, steps, momentum)


def gradient_field(extent: float, count: int, min_radius: float) -> tuple[FloatArray, FloatArray]:
    """Grid points (count², 2) on [−extent, extent]² outside radius min_radius, and ∇L there."""
    axis = np.linspace(-extent, extent, count)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    grid = grid[np.linalg.norm(grid, axis=1) >= min_radius]
    return grid, loss().grad(grid)


# --- Chapter "Why the two runs drift apart": Li, Lyu & Arora's chaotic toy, and a calm setting ---

#: RatioLoss L = x²/(x² + y²) from START with a large η: GD with weight decay is chaotic there.
CHAOS_LR = 0.5
CHAOS_WEIGHT_DECAY = 0.1
CHAOS_STEPS = 1400  # long enough for the 64-digit runs to part
#: The same loss with a small η: not chaotic, float64 agrees to ~1e-14 for the whole run.
CALM_LR = 0.05
CALM_WEIGHT_DECAY = 0.01
CALM_STEPS = 600


@lru_cache(maxsize=None)
def chaos_loss() -> RatioLoss:
    """The chaotic toy loss x²/(x² + y²)."""
    return RatioLoss()


@lru_cache(maxsize=None)
def chaotic_comparison(steps: int = CHAOS_STEPS) -> Comparison:
    """The chaotic toy's weight-decay run and its exp-LR twin, in float64."""
    return twin_runs(chaos_loss().grad, START, CHAOS_LR, CHAOS_WEIGHT_DECAY, steps)


@lru_cache(maxsize=None)
def drift() -> DriftStudy:
    """The chaotic toy's two runs at float32, float64, 32 and 64 digits: gaps, parting steps, μ (~0.5 s)."""
    return drift_study(chaos_loss(), START, CHAOS_LR, CHAOS_WEIGHT_DECAY, CHAOS_STEPS)


@lru_cache(maxsize=None)
def calm_gap() -> FloatArray:
    """Relative gap of the two runs in float64 on the same loss with a small η (no chaos)."""
    return gap_curve(chaos_loss(), START, CALM_LR, CALM_WEIGHT_DECAY, CALM_STEPS, "float64")


# --- Chapter "The effective learning rate and the equilibrium": seeded noisy SGD and where it fails ---


class EquilibriumSetting(NamedTuple):
    """One run of the equilibrium chapter: hyper-parameters, gradient noise (seeded) and length."""

    lr: float
    weight_decay: float
    momentum: float
    noise: float
    steps: int
    seed: int = 0


#: Noisy SGD with the story's η and λ: settles at the derived norm and angular step.
EQUILIBRIUM_NOISY = EquilibriumSetting(LR, WEIGHT_DECAY, 0.0, noise=1.0, steps=3000)
#: With momentum: matches √(2ηλ/(1+γ)), not the plain √(2ηλ).
EQUILIBRIUM_MOMENTUM = EquilibriumSetting(LR, MOMENTUM_WEIGHT_DECAY, MOMENTUM, noise=2.0, steps=4000)
#: Deterministic GD with a small η: stuck in the sharp well, ∇L → 0, no steady state (the prediction fails).
EQUILIBRIUM_STUCK = EquilibriumSetting(0.02, 0.005, 0.0, noise=0.0, steps=3000)
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


@lru_cache(maxsize=None)
def equilibrium_run(setting: EquilibriumSetting) -> EquilibriumRun:
    """Run ``setting`` once (noisy_gd from START) and measure it (burn-in: the first third)."""
    run = noisy_gd(loss(), START, setting.lr, setting.steps, setting.weight_decay, setting.momentum,
                   setting.noise, setting.seed)
    burn_in = setting.steps // 3
    measurement = measure_equilibrium(run.path, run.grads, setting.lr, setting.weight_decay, setting.momentum,
                                      burn_in=burn_in)
    effective = sp.lambdify((derivations.eta, derivations.r), derivations.equilibrium().effective_lr, "numpy")
    return EquilibriumRun(
        setting=setting,
        path=run.path,
        grads=run.grads,
        burn_in=burn_in,
        measurement=measurement,
        angular_step=angular_steps(run.path),
        effective_lr=np.asarray(effective(setting.lr, norms(run.path)), dtype=float),
    )


# --- Chapter "A real batch-norm network": both recipes on a small BN-MLP (mathcore.bn_network) ---

#: Steps at which the chapter draws the decision boundary: dense early, where it moves most.
BN_SNAPSHOTS: tuple[int, ...] = (*range(0, 60, 3), *range(60, bn_network.STEPS + 1, 15))
#: The plane shown around the two moons, (x_min, x_max, y_min, y_max), and the grid's points per side.
BN_GRID_EXTENT: tuple[float, float, float, float] = (-1.5, 2.5, -1.0, 1.5)
BN_GRID_SIZE = 120
#: Factors for W_1 and W_2 in the on-screen check that rescaling the trained weights leaves the loss unchanged.
BN_RESCALE: tuple[float, float] = (10.0, 0.1)


@lru_cache(maxsize=None)
def bn_pair(momentum: bool = False) -> bn_network.PairRun:
    """Constant LR + WD and its exp-LR twin on the BN network (~0.3 s): plain GD with bn_network's LR and
    WEIGHT_DECAY, or heavy ball with its MOMENTUM, MOMENTUM_LR and MOMENTUM_WEIGHT_DECAY."""
    if momentum:
        return bn_network.train_pair(
            lr=bn_network.MOMENTUM_LR, weight_decay=bn_network.MOMENTUM_WEIGHT_DECAY, momentum=bn_network.MOMENTUM
        )
    return bn_network.train_pair()


@dataclass(frozen=True)
class BoundarySnapshots:
    """P(y = 1) of both runs on one grid over BN_GRID_EXTENT, at the steps BN_SNAPSHOTS."""

    steps: NDArray[np.int64]  # (k,)
    xx: FloatArray  # (n, n): grid x, rows from y_min up
    yy: FloatArray  # (n, n)
    prob_wd: FloatArray  # (k, n, n)
    prob_exp: FloatArray  # (k, n, n)


@lru_cache(maxsize=None)
def bn_boundaries(momentum: bool = False) -> BoundarySnapshots:
    """Decision grids of bn_pair(momentum) at every snapshot step (~1 s for both runs)."""
    pair = bn_pair(momentum)
    steps = np.array(BN_SNAPSHOTS, dtype=np.int64)

    def grids(params: FloatArray) -> FloatArray:
        return np.array([pair.net.decision_grid(params[t], BN_GRID_EXTENT, BN_GRID_SIZE)[2] for t in steps])

    xx, yy, _ = pair.net.decision_grid(pair.params_wd[0], BN_GRID_EXTENT, BN_GRID_SIZE)
    return BoundarySnapshots(steps, xx, yy, grids(pair.params_wd), grids(pair.params_exp))
