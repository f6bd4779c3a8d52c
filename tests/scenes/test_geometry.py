"""The manim-free helpers of scenes.style.geometry: clipping, tick steps, scientific notation, fitting, basins."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcore import experiments
from scenes.style.geometry import (
    clip_parameters,
    fit_factor,
    in_basin,
    plane_tick_step,
    plot_tick_step,
    sci_latex,
    sci_parts,
    sci_text,
    segment_meets_box,
    valley_basin,
)

coordinate = st.floats(-10.0, 10.0, allow_nan=False)
extents = st.floats(0.1, 5.0)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


def test_geometry_imports_no_manim():
    """Loaded on its own (not through the scenes.style package), the module pulls in no manim."""
    path = Path(__file__).resolve().parents[2] / "scenes" / "style" / "geometry.py"
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('geometry', {str(path)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'manim'], 'manim was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=path.parents[2])


# --- clipping ------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.lists(st.tuples(coordinate, coordinate, coordinate, coordinate), min_size=1, max_size=8), extents)
def test_clipped_segments_lie_in_the_square_and_on_the_segment(segments, extent):
    data = np.array(segments)
    start, delta = data[:, :2], data[:, 2:] - data[:, :2]
    enter, leave = clip_parameters(start, delta, extent)
    tolerance = 1e-9 * (1 + np.abs(data).max())
    for i in np.flatnonzero(enter < leave):
        assert 0.0 <= enter[i] < leave[i] <= 1.0  # on the original segment
        for u in (enter[i], leave[i], (enter[i] + leave[i]) / 2):
            assert np.all(np.abs(start[i] + u * delta[i]) <= extent + tolerance)  # in the square
    # Nothing inside is lost: a sampled point strictly inside the square means the segment is kept.
    for i in range(len(start)):
        samples = start[i] + np.linspace(0, 1, 101)[:, None] * delta[i]
        if np.any(np.all(np.abs(samples) < extent - tolerance, axis=1)):
            assert enter[i] < leave[i]


def test_clip_parameters_known_cases():
    start = np.array([[0.0, 0.0], [-2.0, 0.0], [2.0, 2.0], [0.5, 3.0]])
    delta = np.array([[0.5, 0.5], [4.0, 0.0], [1.0, 0.0], [0.0, -1.0]])
    enter, leave = clip_parameters(start, delta, 1.0)
    np.testing.assert_allclose(enter[:2], [0.0, 0.25])  # wholly inside; crossing from the left
    np.testing.assert_allclose(leave[:2], [1.0, 0.75])
    assert enter[2] >= leave[2]  # parallel to the top edge, above it
    assert enter[3] >= leave[3]  # stops short of the square


@settings(max_examples=300)
@given(coordinate, coordinate, coordinate, coordinate, st.tuples(coordinate, coordinate), st.tuples(extents, extents))
def test_segment_meets_box_agrees_with_sampling(x0, y0, x1, y1, corner, size):
    start, end = np.array([x0, y0]), np.array([x1, y1])
    low = np.array(corner)
    high = low + np.array(size)
    meets = segment_meets_box(start, end, low, high)
    samples = start + np.linspace(0, 1, 401)[:, None] * (end - start)
    inside = np.all((samples > low + 1e-9) & (samples < high - 1e-9), axis=1)
    if inside.any():
        assert meets
    if meets:  # then some point of the segment is in the (slightly grown) box
        step = np.linalg.norm(end - start) / 400
        grown = np.all((samples >= low - step - 1e-9) & (samples <= high + step + 1e-9), axis=1)
        assert grown.any()


def test_segment_meets_box_rejects_an_empty_box():
    with pytest.raises(ValueError, match="low < high"):
        segment_meets_box(np.zeros(2), np.ones(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]))


@pytest.mark.parametrize("extent", [0.0, -1.0, float("nan"), float("inf")])
def test_clip_parameters_rejects_bad_extent(extent):
    with pytest.raises(ValueError, match="extent"):
        clip_parameters(np.zeros((1, 2)), np.ones((1, 2)), extent)


def test_clip_parameters_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        clip_parameters(np.zeros((3, 2)), np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="finite"):
        clip_parameters(np.array([[np.nan, 0.0]]), np.ones((1, 2)), 1.0)


# --- tick steps -------------------------------------------------------------------------


@given(st.floats(1e-3, 1e3))
def test_plane_tick_step(extent):
    step = plane_tick_step(extent)
    if extent <= 3:
        assert step == 1.0
    else:
        assert step == round(step) and 1.5 <= extent / step <= 2.5  # about two ticks each side


@given(st.floats(1e-12, 1e12))
def test_plot_tick_step_is_one_or_five_times_a_power_of_ten(top):
    step = plot_tick_step(top)
    mantissa = step / 10 ** np.floor(np.log10(step) + 1e-12)
    assert np.isclose(mantissa, 1.0) or np.isclose(mantissa, 5.0)
    assert 2 * (1 - 1e-9) <= top / step < 10 * (1 + 1e-9)  # between 2 and 10 intervals


def test_plot_tick_step_known_cases():
    assert plot_tick_step(3.2) == 1.0
    assert plot_tick_step(1.4) == 0.5
    assert plot_tick_step(0.0) == 1.0  # a plot of nothing
    assert plot_tick_step(-2.0) == 1.0


@pytest.mark.parametrize("bad", [0.0, -3.0, float("nan")])
def test_plane_tick_step_rejects_bad_extent(bad):
    with pytest.raises(ValueError, match="extent"):
        plane_tick_step(bad)


def test_plot_tick_step_rejects_nan():
    with pytest.raises(ValueError, match="top"):
        plot_tick_step(float("nan"))


# --- scientific notation ---------------------------------------------------------------


@given(finite, st.integers(0, 4))
def test_sci_parts_mantissa_and_exponent_reproduce_the_value(value, digits):
    (mantissa,), (exponent,) = sci_parts(np.array([value]), digits)
    if value == 0:
        assert (mantissa, exponent) == (0, 0)
        return
    assert 1.0 <= abs(mantissa) < 10.0
    assert np.sign(mantissa) == np.sign(value)
    # Correct to the digits shown: value/10^e (exact, in Decimal) is within half a unit of the last digit
    # of the mantissa (after a carry, 9.96 → 1.0 × 10¹, the unit is 10× finer than needed).
    exact = Decimal(value).scaleb(-int(exponent))
    assert abs(Decimal(float(mantissa)) - exact) <= Decimal(0.5 + 1e-9) * Decimal(10) ** -digits


def test_sci_parts_carries_a_rounded_up_mantissa():
    mantissas, exponents = sci_parts(np.array([9.96, -9.96e-5, 9.94, 0.0]), 1)
    np.testing.assert_array_equal(mantissas, [1.0, -1.0, 9.9, 0.0])
    np.testing.assert_array_equal(exponents, [1, -4, 0, 0])
    assert sci_text(9.96) == "1.0 × 10¹"
    assert sci_text(1.8e-10) == "1.8 × 10⁻¹⁰"
    assert sci_latex(1.8e-10) == r"1.8 \times 10^{-10}"
    assert sci_text(0.0) == sci_latex(0.0) == "0"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_sci_parts_rejects_non_finite_values(bad):
    with pytest.raises(ValueError, match="finite"):
        sci_parts(np.array([1.0, bad]))


@pytest.mark.parametrize("digits", [-1, 1.5])
def test_sci_parts_rejects_bad_digits(digits):
    with pytest.raises(ValueError, match="digits"):
        sci_parts(np.array([1.0]), digits)


# --- fitting ---------------------------------------------------------------------------------

sizes = st.floats(0.0, 100.0)
boxes = st.floats(0.01, 100.0)


@given(sizes, sizes, boxes, boxes)
def test_fit_factor_fits_and_never_enlarges(width, height, box_width, box_height):
    factor = fit_factor(width, height, box_width, box_height)
    assert 0 < factor <= 1
    assert width * factor <= box_width * (1 + 1e-12)
    assert height * factor <= box_height * (1 + 1e-12)
    if factor < 1:  # shrunk no more than needed: one side touches the box
        assert np.isclose(width * factor, box_width) or np.isclose(height * factor, box_height)


@pytest.mark.parametrize("box", [(0.0, 1.0), (1.0, -1.0), (float("nan"), 1.0)])
def test_fit_factor_rejects_bad_boxes(box):
    with pytest.raises(ValueError, match="box_"):
        fit_factor(1.0, 1.0, *box)


def test_fit_factor_rejects_negative_sizes():
    with pytest.raises(ValueError, match="width and height"):
        fit_factor(-1.0, 1.0, 1.0, 1.0)


# --- valley basins ---------------------------------------------------------------------------


@pytest.mark.parametrize("valley", [0, -1])
def test_valley_basin_contains_its_minimum_and_not_beyond(valley):
    centre = experiments.loss().minima()[valley]
    low, high = valley_basin(valley)
    assert low < centre < high
    angles = np.array([centre, low + 1e-3, high - 1e-3, low - 1e-3, high + 1e-3])
    path = np.column_stack([np.cos(angles), np.sin(angles)]) * 1.7  # any radius: only the angle counts
    np.testing.assert_array_equal(in_basin(path, (low, high)), [True, True, True, False, False])


def test_valley_basin_and_in_basin_reject_bad_input():
    count = len(experiments.loss().minima())
    with pytest.raises(ValueError, match="valley"):
        valley_basin(count)
    with pytest.raises(ValueError, match="basin"):
        in_basin(np.ones((2, 2)), (1.0, 0.5))
