"""Graphical regression of the shared visuals with manim's frames_comparison.

manim skips cairo frame tests when cairo < 1.18, because its own control data come from
a newer cairo. Ours are made here, on this machine kind (Debian 12, cairo 1.16), and the
cairo that made them is recorded in control_data/scenes/cairo_version.txt: on that cairo
the comparison is valid, so manim's threshold is lowered for it (and only for it). On any
other cairo the frames would differ for reasons that are not ours, so
``test_control_data_were_made_with_this_cairo`` fails and says so, and a frame test that
manim would skip fails instead: a skipped comparison must not pass for a successful one.
Regenerate control data with
`.venv/bin/python -m pytest tests/scenes/test_graphical.py --set_test` after an intended
visual change (this also records the cairo version), and look at the frames before committing them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import cairo
import pytest
from manim import LEFT, RIGHT, ValueTracker
from manim.utils.testing import frames_comparison as frames_comparison_module
from manim.utils.testing.frames_comparison import frames_comparison

from mathcore import derivations, experiments
from scenes.style import (
    DECAY_COLOR,
    NORM_COLOR,
    VANILLA_COLOR,
    TrajectoryTrace,
    formula_card,
    loss_heatmap,
    minimum_rays,
    plane_panel,
    series_plot,
    step_named,
)

__module_test__ = "scenes"

#: The cairo our control data were made with (written by --set_test).
CONTROL_CAIRO_FILE = Path(__file__).parent / "control_data" / __module_test__ / "cairo_version.txt"
CONTROL_CAIRO = CONTROL_CAIRO_FILE.read_text().strip() if CONTROL_CAIRO_FILE.exists() else "unrecorded"

if cairo.cairo_version_string() == CONTROL_CAIRO:
    # Valid because the control data come from this very cairo (see module docstring).
    frames_comparison_module.MIN_CAIRO_VERSION = min(frames_comparison_module.MIN_CAIRO_VERSION, cairo.cairo_version())


def test_control_data_were_made_with_this_cairo(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--set_test"):
        CONTROL_CAIRO_FILE.parent.mkdir(parents=True, exist_ok=True)
        CONTROL_CAIRO_FILE.write_text(cairo.cairo_version_string() + "\n")
        return
    assert cairo.cairo_version_string() == CONTROL_CAIRO, (
        f"the graphical control data were made with cairo {CONTROL_CAIRO}, this is cairo "
        f"{cairo.cairo_version_string()}: frames would differ for reasons that are not ours. Run on cairo "
        f"{CONTROL_CAIRO}, or regenerate with --set_test on this one and review the frames."
    )


def compared_frames(test: Callable[..., None]) -> Callable[..., None]:
    """manim's ``frames_comparison``, but a comparison manim would skip (old cairo) fails instead."""
    compared = frames_comparison(test)

    @functools.wraps(compared)  # keeps the fixture signature frames_comparison builds
    def strict(*args: object, **kwargs: object) -> None:
        try:
            compared(*args, **kwargs)
        except pytest.skip.Exception as skipped:
            pytest.fail(f"the frame comparison did not run ({skipped.msg}); see this module's docstring", pytrace=False)

    return strict


@compared_frames
def test_loss_panel_with_runs(scene):
    axes = plane_panel(2.2, side=5.5).shift(3 * LEFT)
    tracker = ValueTracker(80)
    scene.add(loss_heatmap(axes, 2.2, pixels=120), axes, minimum_rays(axes, 2.2))
    scene.add(TrajectoryTrace(axes, experiments.vanilla(), tracker, VANILLA_COLOR))
    scene.add(TrajectoryTrace(axes, experiments.comparison().decayed, tracker, DECAY_COLOR))
    plot = series_plot(experiments.norms(experiments.vanilla()), tracker, NORM_COLOR, r"\|\theta_t\|")
    scene.add(plot.shift(3.5 * RIGHT))


@compared_frames
def test_formula_card(scene):
    scene.add(formula_card(step_named(derivations.theorem_2_1(), "exp_lr_schedule"), "caption"))
