"""Loudness measurement and normalisation on synthetic audio of known loudness and peak."""

from __future__ import annotations

import numpy as np
import pytest

from common import loudness

RATE = 22050


def sine(amplitude: float, frequency: float = 1000.0, seconds: float = 3.0, phase: float = 0.0) -> np.ndarray:
    """A sine of the given amplitude (full scale 1.0)."""
    t = np.arange(int(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * frequency * t + phase)


def speech_like(seconds: float = 12.0, seed: int = 0) -> np.ndarray:
    """Bursts of band-limited noise with sharp transients: a crest factor like speech's, so gain alone overshoots."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    noise = np.convolve(rng.standard_normal(n), np.hanning(9) / 4.5, mode="same")
    envelope = np.repeat(rng.uniform(0.05, 1.0, size=n // 2205 + 1), 2205)[:n]  # 0.1 s syllables
    envelope *= np.tile(np.r_[np.ones(2205 * 4), np.zeros(2205)], n // (2205 * 5) + 1)[:n]  # pauses
    clicks = np.zeros(n)
    clicks[rng.integers(0, n, size=20)] = rng.choice([-1.0, 1.0], size=20) * 0.9
    return np.clip(0.1 * noise * envelope + clicks, -1, 1)


@pytest.mark.parametrize("amplitude", [1.0, 0.5, 0.1, 0.01])
def test_a_1khz_sine_measures_its_textbook_loudness(amplitude: float) -> None:
    # BS.1770 is calibrated so a full-scale 1 kHz sine reads -3.01 LUFS; every halving of amplitude takes 6.02 dB.
    expected = 20 * np.log10(amplitude) - 3.01
    assert loudness.integrated_loudness(sine(amplitude), RATE) == pytest.approx(expected, abs=0.1)


def test_true_peak_finds_the_peak_between_samples() -> None:
    # At a quarter of the sample rate with a 45° phase every sample misses the crest by 3 dB.
    x = sine(0.5, frequency=RATE / 4, seconds=1.0, phase=np.pi / 4)
    assert loudness.sample_peak(x) == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.01)
    assert loudness.true_peak(x) == pytest.approx(20 * np.log10(0.5), abs=0.2)


def test_quiet_audio_only_needs_gain() -> None:
    x = sine(0.01)
    y, report = loudness.normalise(x, RATE)
    assert not report.limited
    assert report.loudness == pytest.approx(-16.0, abs=0.1)
    assert report.gain_db == pytest.approx(-16.0 - report.loudness_before, abs=0.1)
    np.testing.assert_allclose(y, x * 10 ** (report.gain_db / 20))


def test_a_peaky_track_is_limited_to_the_ceiling_at_the_target_loudness() -> None:
    x = speech_like()
    gain_only = x * 10 ** ((-16.0 - loudness.integrated_loudness(x, RATE)) / 20)
    assert loudness.true_peak(gain_only) > -1.5  # the test is worthless unless gain alone would overshoot
    y, report = loudness.normalise(x, RATE)
    assert report.limited
    assert abs(loudness.integrated_loudness(y, RATE) + 16.0) <= 1.0
    assert loudness.true_peak(y) <= -1.5
    assert np.max(np.abs(y)) < 1.0
    assert report.true_peak == pytest.approx(loudness.true_peak(y))


def test_the_limiter_only_turns_down() -> None:
    x = speech_like(seconds=3.0, seed=1) * 3
    y = loudness.limit(x, RATE, -3.0)
    assert np.all(np.abs(y) <= np.abs(x) + 1e-12)
    assert loudness.true_peak(y) <= -3.0 + 0.1
    quiet = np.abs(x) < 0.01  # most quiet samples are far from any peak, where the gain stays 1
    assert np.median(np.abs(y[quiet] - x[quiet])) < 1e-6


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        (np.zeros(RATE), "silent"),
        (np.ones(100) * 0.1, "shorter than"),
        (np.zeros((2, RATE)), "mono"),
        (np.r_[np.zeros(RATE), np.nan], "NaN"),
    ],
)
def test_unmeasurable_audio_is_refused(samples: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        loudness.normalise(samples, RATE)


def test_bad_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="5"):
        loudness.normalise(sine(0.1), RATE, target=5)
    with pytest.raises(ValueError, match="0.5"):
        loudness.normalise(sine(0.1), RATE, ceiling=0.5)
