"""Why the weight-decay run and the rescaled exp-LR run drift apart: chaos amplifies rounding.

In exact arithmetic θ_wd[t] = α^t·θ_exp[t]. Each run rounds differently, so their gap
starts near the unit roundoff 10^(−digits); where GD with weight decay is chaotic it
then grows like e^(μt) (μ the Lyapunov exponent) and reaches a tolerance τ near
t* ≈ (digits·ln 10 + ln τ)/μ: the parting step moves right roughly in proportion to the
digits carried (roughly: μ is an average over a chaotic run, so the measured points scatter).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mathcore.losses import ScaleInvariantLoss
from mathcore.precision import equivalence_gap
from mathcore.recipe import Recipe
from mathcore.trajectories import twin_runs

FloatArray = NDArray[np.float64]

#: Significant decimal digits of each numpy dtype (the unit roundoff is about 10^−digits).
FLOAT_DIGITS = {"float32": -math.log10(np.finfo(np.float32).eps), "float64": -math.log10(np.finfo(np.float64).eps)}

#: The precisions the video compares: numpy float32 and float64, and mpmath at 32 and 64 digits.
PRECISIONS: tuple[str | int, ...] = ("float32", "float64", 32, 64)


def digits_of(precision: str | int) -> float:
    """Decimal digits carried by a precision (a numpy dtype name or an mpmath digit count)."""
    if isinstance(precision, str):
        if precision not in FLOAT_DIGITS:
            raise ValueError(f"precision must be 'float32', 'float64' or a digit count, got {precision!r}")
        return FLOAT_DIGITS[precision]
    return float(precision)


def gap_curve(loss: ScaleInvariantLoss, theta0: ArrayLike, recipe: Recipe, precision: str | int) -> FloatArray:
    """‖θ_wd[t] − α^t θ_exp[t]‖/‖θ_wd[t]‖ for t = 0..steps, both runs of ``recipe`` carried at ``precision``.

    A numpy dtype cannot hold η̃_t forever (float32 overflows near 3.4e38): its curve stops
    at the last step whose learning rate and iterate fit, so it may be shorter than steps + 1.
    """
    if not isinstance(precision, str):
        return equivalence_gap(loss, theta0, recipe, int(precision))
    digits_of(precision)  # validates the name
    dtype = np.float32 if precision == "float32" else np.float64
    # η̃_t and ‖θ̃_t‖² grow alike; keep both a factor 1e6 below the dtype's largest number.
    fits = np.nonzero(recipe.exp_lr_schedule < np.finfo(dtype).max / 1e6)[0]
    if fits.size < recipe.steps:
        recipe = recipe.with_steps(int(fits[-1]) + 1)
    return twin_runs(loss.grad, np.asarray(theta0, dtype=float), recipe, dtype).relative_gap


def parting_step(gaps: ArrayLike, tol: float = 1e-3) -> int | None:
    """First step whose relative gap exceeds ``tol``, or None if the runs never part."""
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0, got {tol!r}")
    parted = np.nonzero(np.asarray(gaps) > tol)[0]
    return int(parted[0]) if parted.size else None


def lyapunov_from_gap(gaps: ArrayLike, floor: float, ceiling: float = 1e-3) -> float:
    """μ from a least-squares fit of ln(gap) = a + μt over the steps where floor < gap < ceiling.

    Only the exponential-growth stretch is fitted: above the rounding floor, below saturation.
    """
    gaps = np.asarray(gaps, dtype=float)
    if not 0 < floor < ceiling:
        raise ValueError(f"need 0 < floor < ceiling, got floor={floor!r}, ceiling={ceiling!r}")
    steps = np.nonzero((gaps > floor) & (gaps < ceiling))[0]
    if steps.size < 5:
        raise ValueError(f"only {steps.size} steps have a gap between {floor:g} and {ceiling:g}; need at least 5")
    slope, _ = np.polyfit(steps, np.log(gaps[steps]), 1)
    return float(slope)


def lyapunov_from_parting(digits: Sequence[float], parting: Sequence[int]) -> float:
    """μ = ln 10 / (slope of parting step against digits): adding d digits delays parting by d·ln10/μ."""
    if len(digits) != len(parting) or len(digits) < 2:
        raise ValueError(f"need >= 2 matching digits and parting steps, got {list(digits)} and {list(parting)}")
    slope, _ = np.polyfit(np.asarray(digits, float), np.asarray(parting, float), 1)
    if slope <= 0:
        raise ValueError(f"parting steps do not grow with the digits (slope {slope:g}): not a chaotic regime")
    return float(math.log(10) / slope)


def predicted_parting_step(digits: float, exponent: float, tol: float = 1e-3) -> float:
    """t* = (digits·ln 10 + ln tol)/μ: when a gap born at 10^−digits, growing like e^(μt), reaches tol."""
    if not exponent > 0:
        raise ValueError(f"the Lyapunov exponent must be > 0 to predict a parting step, got {exponent!r}")
    return (digits * math.log(10) + math.log(tol)) / exponent


@dataclass(frozen=True)
class DriftStudy:
    """Gap curves per precision, their parting steps, and the Lyapunov exponent they imply."""

    precisions: tuple[str | int, ...]
    digits: tuple[float, ...]
    gaps: tuple[FloatArray, ...]
    parting: tuple[int | None, ...]
    tol: float
    exponent: float | None  # from the parting steps (None when fewer than two runs parted)
    predicted: tuple[float | None, ...]


def drift_study(
    loss: ScaleInvariantLoss,
    theta0: ArrayLike,
    recipe: Recipe,
    precisions: Sequence[str | int] = PRECISIONS,
    tol: float = 1e-3,
) -> DriftStudy:
    """Run the recipe and its exp-LR twin at each precision and measure where they part."""
    gaps = tuple(gap_curve(loss, theta0, recipe, p) for p in precisions)
    digits = tuple(digits_of(p) for p in precisions)
    parting = tuple(parting_step(g, tol) for g in gaps)
    parted = [(d, t) for d, t in zip(digits, parting) if t is not None]
    exponent = lyapunov_from_parting(*zip(*parted)) if len(parted) >= 2 else None
    predicted = tuple(predicted_parting_step(d, exponent, tol) if exponent else None for d in digits)
    return DriftStudy(tuple(precisions), digits, gaps, parting, tol, exponent, predicted)
