"""Pure numpy helpers behind the mobjects (no manim here, so they are tested on their own).

Clipping segments to the panel square (Liang–Barsky), axis tick steps, scientific notation,
the factor that fits a box into another, the basins of the toy loss's valleys, and line breaks in Chinese.
"""

from __future__ import annotations

import math as pymath
from typing import TYPE_CHECKING

import numpy as np

from mathcore import experiments

if TYPE_CHECKING:
    from mathcore.losses import ScaleInvariantLoss

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _positive(name: str, value: float) -> float:
    """``value`` as a float if it is finite and > 0, else ValueError naming it."""
    value = float(value)
    if not (pymath.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return value


def clip_parameters(start: np.ndarray, delta: np.ndarray, extent: float) -> tuple[np.ndarray, np.ndarray]:
    """Liang–Barsky: for segments start + u·delta (u in [0, 1]), the u-interval inside [−extent, extent]².

    ``start`` and ``delta`` have shape (n, 2). Returns (enter, leave) per segment; the segment is
    (partly) inside exactly when enter < leave.
    """
    extent = _positive("extent", extent)
    start, delta = np.asarray(start, dtype=float), np.asarray(delta, dtype=float)
    if start.ndim != 2 or start.shape[1] != 2 or delta.shape != start.shape:
        raise ValueError(f"start and delta must both have shape (n, 2), got {start.shape} and {delta.shape}")
    if not (np.all(np.isfinite(start)) and np.all(np.isfinite(delta))):
        raise ValueError("start and delta must be finite")
    enter, leave = np.zeros(len(start)), np.ones(len(start))
    for axis in range(2):
        p, d = start[:, axis], delta[:, axis]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # d may be 0 or tiny: ±inf is right
            low, high = (-extent - p) / d, (extent - p) / d
        near, far = np.minimum(low, high), np.maximum(low, high)
        moving = d != 0
        enter = np.where(moving, np.maximum(enter, near), enter)
        leave = np.where(moving, np.minimum(leave, far), leave)
        outside = ~moving & (np.abs(p) > extent)  # parallel to this edge and beyond it
        leave = np.where(outside, -1.0, leave)
    return enter, leave


def segment_meets_box(start: np.ndarray, end: np.ndarray, low: np.ndarray, high: np.ndarray) -> bool:
    """Whether the segment start→end (2-D points) touches the axis-aligned box with corners ``low`` and ``high``."""
    start, end = np.asarray(start, dtype=float)[:2], np.asarray(end, dtype=float)[:2]
    low, high = np.asarray(low, dtype=float)[:2], np.asarray(high, dtype=float)[:2]
    if not np.all(low < high):
        raise ValueError(f"the box needs low < high in both coordinates, got low={low} and high={high}")
    # In coordinates where the box is [−1, 1]², it is clip_parameters' square.
    centre, half = (low + high) / 2, (high - low) / 2
    enter, leave = clip_parameters(((start - centre) / half)[None], ((end - start) / half)[None], 1.0)
    return bool(enter[0] <= leave[0])


def plane_tick_step(extent: float) -> float:
    """Tick spacing of the parameter plane on [−extent, extent]²: 1, or about extent/2 on wide planes."""
    extent = _positive("extent", extent)
    return 1.0 if extent <= 3 else max(1.0, round(extent / 2))


def plot_tick_step(top: float) -> float:
    """Tick spacing of a plot's y axis on [0, top]: the power of ten below ``top``, halved when that gives
    fewer than 2.5 intervals. A plot of nothing (top ≤ 0) gets 1."""
    top = float(top)
    if not pymath.isfinite(top):
        raise ValueError(f"top must be finite, got {top!r}")
    if top <= 0:
        return 1.0
    step = float(10 ** np.floor(np.log10(top)))
    if top / step < 2.5:
        step /= 2
    return step


def sci_parts(values: np.ndarray, digits: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Mantissas (rounded to ``digits``) and integer exponents: values ≈ mantissa·10^exponent; 0 gives (0, 0).

    A mantissa that rounds up to 10 (9.96 at one digit) carries into the exponent: 1.0·10^(e+1).
    """
    if int(digits) != digits or digits < 0:
        raise ValueError(f"digits must be a whole number ≥ 0, got {digits!r}")
    values = np.atleast_1d(np.asarray(values, dtype=float))
    if not np.all(np.isfinite(values)):
        raise ValueError(f"values must be finite, got {values[~np.isfinite(values)][:3]}")
    exponents = np.zeros(values.shape, dtype=int)
    nonzero = values != 0
    exponents[nonzero] = np.floor(np.log10(np.abs(values[nonzero]))).astype(int)
    # 10**e under/overflows beyond |e| ≈ 308 (subnormal values): there divide by it in two halves.
    wide = np.abs(exponents) > 300
    scaled = np.empty_like(values)
    scaled[~wide] = values[~wide] / 10.0 ** exponents[~wide]
    half = exponents[wide] // 2
    scaled[wide] = values[wide] / 10.0**half / 10.0 ** (exponents[wide] - half)
    mantissas = np.round(scaled, digits)
    carry = np.abs(mantissas) >= 10  # 9.96 rounds to 10.0: move the carry into the exponent
    mantissas[carry] /= 10
    exponents[carry] += 1
    return mantissas, exponents


def sci_text(value: float, digits: int = 1) -> str:
    """``value`` as plain text for captions, e.g. '1.8 × 10⁻¹⁰'."""
    (mantissa,), (exponent,) = sci_parts(np.array([value]), digits)
    if mantissa == 0:
        return "0"
    return f"{mantissa:.{digits}f} × 10{str(exponent).translate(_SUPERSCRIPTS)}"


def sci_latex(value: float, digits: int = 1) -> str:
    """``value`` as LaTeX, e.g. '1.8 \\times 10^{-10}'."""
    (mantissa,), (exponent,) = sci_parts(np.array([value]), digits)
    if mantissa == 0:
        return "0"
    return rf"{mantissa:.{digits}f} \times 10^{{{exponent}}}"


def fit_factor(width: float, height: float, box_width: float, box_height: float) -> float:
    """The scale (never above 1) that fits a width × height thing into a box_width × box_height box.

    A degenerate thing (zero width or height) is treated as 1e-9 wide there, so it never forces a shrink.
    """
    box_width, box_height = _positive("box_width", box_width), _positive("box_height", box_height)
    if width < 0 or height < 0:
        raise ValueError(f"width and height must be ≥ 0, got {width!r} and {height!r}")
    return min(1.0, box_width / max(width, 1e-9), box_height / max(height, 1e-9))


def valley_basin(valley: int, loss: ScaleInvariantLoss | None = None) -> tuple[float, float]:
    """Angles (radians) of the loss profile's maxima either side of minimum ``valley`` (0 = deepest):
    that valley's basin. The upper angle may exceed π when the basin straddles the negative θ₁ axis.

    ``loss`` defaults to the video's toy loss.
    """
    loss = experiments.loss() if loss is None else loss
    minima = loss.minima()
    if not -len(minima) <= valley < len(minima):
        raise ValueError(f"valley must index one of the {len(minima)} minima, got {valley!r}")
    centre = float(minima[valley])
    phi = np.linspace(centre - np.pi, centre + np.pi, 7200, endpoint=False)
    f = loss.profile(phi)
    peaks = phi[(f > np.roll(f, 1)) & (f > np.roll(f, -1))]
    return float(peaks[peaks < centre].max()), float(peaks[peaks > centre].min())


def in_basin(path: np.ndarray, basin: tuple[float, float]) -> np.ndarray:
    """Per step, whether the iterate's angle lies inside ``basin`` (from valley_basin)."""
    low, high = basin
    if not low < high:
        raise ValueError(f"basin must be (low, high) with low < high, got {basin!r}")
    path = np.asarray(path, dtype=float)
    return np.mod(np.arctan2(path[:, 1], path[:, 0]) - low, 2 * np.pi) < high - low


#: Where a line of Chinese (no spaces) may break: after these punctuation marks, best first.
BREAK_AFTER = "。；：，、）》」"


def break_line(line: str) -> str:
    """``line`` (a language without spaces) as two lines, broken after the punctuation mark nearest its middle
    (if one is in its middle half), else at the middle; Latin words and numbers inside it are never split (a line
    that is one such word comes back whole)."""
    if len(line) < 2:
        raise ValueError(f"cannot break a line of {len(line)} character(s): {line!r}")
    middle = len(line) / 2
    marks = [i + 1 for i, char in enumerate(line[:-1]) if char in BREAK_AFTER and abs(i + 1 - middle) <= middle / 2]
    if marks:
        cut = min(marks, key=lambda i: abs(i - middle))
    else:
        # not inside a run of ASCII (keep "float32", "215" or "1e-07" whole)
        cuts = [i for i in range(1, len(line)) if not _ascii_run(line[i - 1]) or not _ascii_run(line[i])]
        if not cuts:
            return line  # one Latin word or number: nowhere to break it
        cut = min(cuts, key=lambda i: abs(i - middle))
    return line[:cut].rstrip() + "\n" + line[cut:].lstrip()


def _ascii_run(char: str) -> bool:
    """Whether ``char`` belongs to a Latin word or number (ASCII, not a space)."""
    return char.isascii() and not char.isspace()
