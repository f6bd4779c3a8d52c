"""Loudness of a narration track: measure (EBU R128 / ITU-R BS.1770) and normalise for delivery.

- ``integrated_loudness(samples, rate)``: LUFS, gated, K-weighted (pyloudnorm's BS.1770-4 meter).
- ``true_peak(samples)``: dBTP, the peak of the signal 4x oversampled (BS.1770 Annex 2).
- ``normalise(samples, rate)``: gain to -16 LUFS (within ±1 LU), then a look-ahead limiter only if the true
  peak would exceed -1.5 dBTP; returns the new samples and a ``LoudnessReport``.

Samples are mono float arrays with full scale at ±1 (as ``common.voice.read_wav`` returns them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

TARGET_LUFS = -16.0
#: Delivery limit for the true peak; the limiter aims a little below it, since its gain is applied at the base rate.
CEILING_DBTP = -1.5
LIMITER_MARGIN_DB = 0.3
OVERSAMPLING = 4
#: The limiter's look-ahead (and hold): long enough to turn the gain down smoothly before a peak.
LOOKAHEAD_SECONDS = 0.005


def _mono(samples: np.ndarray, what: str = "samples") -> np.ndarray:
    """``samples`` as a finite, non-empty 1-D float64 array; ValueError otherwise."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError(f"{what}: need a non-empty 1-D (mono) array, got shape {samples.shape}")
    if not np.all(np.isfinite(samples)):
        raise ValueError(f"{what}: has NaN or infinite samples")
    return samples


def _db(amplitude: float) -> float:
    """20·log10 of an amplitude; -inf for silence."""
    return float(20 * np.log10(amplitude)) if amplitude > 0 else float("-inf")


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS; ValueError if shorter than one 400 ms gating block or silent."""
    samples = _mono(samples)
    if samples.size < int(0.4 * rate):
        raise ValueError(f"{samples.size / rate:.3f} s of audio is shorter than the 0.4 s a loudness measurement needs")
    loudness = float(pyloudnorm.Meter(rate).integrated_loudness(samples))
    if not np.isfinite(loudness):
        raise ValueError(f"audio is silent (loudness {loudness} LUFS)")
    return loudness


def oversampled_peak(samples: np.ndarray) -> np.ndarray:
    """|signal| on the 4x oversampled grid, reduced to the largest of each input sample's 4 neighbours."""
    upsampled = np.abs(resample_poly(_mono(samples), OVERSAMPLING, 1))
    return upsampled.reshape(-1, OVERSAMPLING).max(axis=1)


def true_peak(samples: np.ndarray) -> float:
    """True peak in dBTP: the peak of the 4x oversampled signal."""
    return _db(float(oversampled_peak(samples).max()))


def sample_peak(samples: np.ndarray) -> float:
    """Sample peak in dBFS."""
    return _db(float(np.max(np.abs(_mono(samples)))))


def limit(samples: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    """Turn the gain down smoothly around every place whose true peak exceeds ``ceiling_db``."""
    samples = _mono(samples)
    return limit_where(samples, oversampled_peak(samples), rate, ceiling_db)


def limit_where(
    samples: np.ndarray, peaks: np.ndarray, rate: int, ceiling_db: float, hold_seconds: float = LOOKAHEAD_SECONDS
) -> np.ndarray:
    """Turn the gain of ``samples`` down smoothly wherever ``peaks`` exceed ``ceiling_db``, by as much as they do.

    ``peaks`` is a true-peak envelope (``oversampled_peak``) of the samples themselves, or of a copy of them that
    peaks elsewhere or higher, such as the samples after a lossy encoder; ``hold_seconds`` is the ramp's reach.
    """
    samples = _mono(samples)
    peaks = np.asarray(peaks, dtype=np.float64)
    if peaks.shape != samples.shape:
        raise ValueError(f"peaks: need one per sample ({samples.shape}), got shape {peaks.shape}")
    ceiling = 10 ** (ceiling_db / 20)
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    width = max(1, int(hold_seconds * rate))
    # A moving average of a moving minimum twice as wide never exceeds the gain each sample needs,
    # and ramps smoothly into and out of every reduction (no clicks).
    held = minimum_filter1d(needed, size=2 * width + 1, mode="nearest")
    gain = uniform_filter1d(held, size=width + 1 - (width % 2), mode="nearest")
    return samples * np.minimum(gain, needed)


@dataclass(frozen=True)
class LoudnessReport:
    """What ``normalise`` measured and did."""

    loudness_before: float  # LUFS
    loudness: float  # LUFS, after
    true_peak: float  # dBTP, after
    gain_db: float  # the gain applied before any limiting
    limited: bool  # whether the limiter had to act


def normalise(
    samples: np.ndarray,
    rate: int,
    target: float = TARGET_LUFS,
    ceiling: float = CEILING_DBTP,
    tolerance: float = 1.0,
) -> tuple[np.ndarray, LoudnessReport]:
    """Bring ``samples`` to ``target`` LUFS (±``tolerance``) with true peak ≤ ``ceiling`` dBTP and nothing clipped."""
    samples = _mono(samples)
    if not -70 < target < 0:
        raise ValueError(f"target loudness {target} LUFS is outside (-70, 0)")
    if not ceiling < 0:
        raise ValueError(f"true-peak ceiling {ceiling} dBTP must be below 0")
    before = integrated_loudness(samples, rate)
    gain_db = target - before
    out, loudness, limited = samples, before, False
    # Limiting lowers the loudness a little; raise the gain by what it took and limit again (converges in 2-3).
    for _ in range(6):
        out = samples * 10 ** (gain_db / 20)
        if true_peak(out) > ceiling:
            out, limited = limit(out, rate, ceiling - LIMITER_MARGIN_DB), True
        loudness = integrated_loudness(out, rate)
        if abs(loudness - target) <= min(0.1, tolerance):
            break
        gain_db += target - loudness
    peak = true_peak(out)
    if abs(loudness - target) > tolerance or peak > ceiling or np.max(np.abs(out)) >= 1.0:
        raise ValueError(
            f"cannot reach {target} LUFS ±{tolerance} under {ceiling} dBTP: got {loudness:.2f} LUFS, {peak:.2f} dBTP"
        )
    return out, LoudnessReport(before, loudness, peak, gain_db, limited)
