"""The real-network chapter's board keeps what holds still out of the per-frame redraw: its decision maps change
only at snapshot steps (stepwise updaters), and its axes, titles and names are drawn before anything that moves."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ValueTracker, tempconfig
from manim.utils.family import extract_mobject_family_members

from mathcore import experiments
from scenes.real_network import BoundaryPanel, TrainingBoard
from scenes.style import DECAY_COLOR, StepwiseUpdater
from scenes.style.chapter import moves_itself


def test_a_panel_changes_its_map_and_contour_exactly_when_the_step_passes_a_snapshot():
    pair, snapshots = experiments.bn_pair(experiments.BN), experiments.bn_boundaries(experiments.BN)
    tracker = ValueTracker(0)
    panel = BoundaryPanel(pair, snapshots, snapshots.prob_wd, tracker, DECAY_COLOR, "run")
    updaters = [panel.image.updaters[0], panel.contour.updaters[0]]
    assert all(isinstance(updater, StepwiseUpdater) for updater in updaters)
    shown = 0
    for step in np.arange(0, snapshots.steps[-1] + 1, 0.4):
        tracker.set_value(step)
        for updater in updaters:
            updater.changed = False
        panel.update()
        latest = int(np.flatnonzero(snapshots.steps <= step + 1e-9)[-1])
        assert [updater.changed for updater in updaters] == [latest != shown] * 2, step
        np.testing.assert_array_equal(panel.image.pixel_array, panel.images[latest])
        shown = latest
    assert shown == len(snapshots.steps) - 1


@pytest.mark.slow
def test_the_board_redraws_only_its_traces_and_numbers_while_training(tex_cache):
    with tempconfig({"tex_dir": tex_cache}):
        pair = experiments.bn_pair(experiments.BN)
        board = TrainingBoard(pair, experiments.bn_boundaries(experiments.BN), r"\eta_t", "settings")
    family = extract_mobject_family_members([board], only_those_with_points=True)
    first = next(index for index, mob in enumerate(family) if moves_itself(mob))
    redrawn = family[first:]
    panels = set(board.left.get_family()) | set(board.right.get_family())
    assert not panels & set(redrawn)  # the maps, points and contours are in the static frame
    axes = {mob for plot in board.plots for mob in plot[0].get_family()}
    assert not axes & set(redrawn)
    assert len(redrawn) < 0.1 * len(family), (len(redrawn), len(family))
