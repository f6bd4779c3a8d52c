"""Graphical regression of the shared visuals with manim's frames_comparison.

manim skips cairo frame tests when cairo < 1.18, because its own control data come from
a newer cairo. Ours are made here, on this machine kind (Debian 12, cairo 1.16), and CI
runs on the same kind, so the comparison is valid: we lower manim's threshold on
purpose instead of letting every test skip. Regenerate control data with
`.venv/bin/python -m pytest tests/scenes/test_graphical.py --set_test` after an intended
visual change, and look at the frames before committing them.
"""

from __future__ import annotations

import cairo
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

# Deliberate: control data were made with this machine kind's cairo (see module docstring).
frames_comparison_module.MIN_CAIRO_VERSION = min(frames_comparison_module.MIN_CAIRO_VERSION, cairo.cairo_version())


def test_cairo_frame_tests_are_not_skipped():
    assert cairo.cairo_version() >= frames_comparison_module.MIN_CAIRO_VERSION


@frames_comparison
def test_loss_panel_with_runs(scene):
    axes = plane_panel(2.2, side=5.5).shift(3 * LEFT)
    tracker = ValueTracker(80)
    scene.add(loss_heatmap(axes, 2.2, pixels=120), axes, minimum_rays(axes, 2.2))
    scene.add(TrajectoryTrace(axes, experiments.vanilla(), tracker, VANILLA_COLOR))
    scene.add(TrajectoryTrace(axes, experiments.comparison().decayed, tracker, DECAY_COLOR))
    plot = series_plot(experiments.norms(experiments.vanilla()), tracker, NORM_COLOR, r"\|\theta_t\|")
    scene.add(plot.shift(3.5 * RIGHT))


@frames_comparison
def test_formula_card(scene):
    scene.add(formula_card(step_named(derivations.theorem_2_1(), "exp_lr_schedule"), "caption"))
