"""A chapter redraws per frame only what moves (ChapterMixin.get_moving_mobjects), and its frames are exactly
those of manim's more cautious rule, which redraws whole groups around anything with an updater. A mobject whose
updaters are stepwise stays in the static frame, which is drawn again on the frames where it changed."""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, RIGHT, Axes, Dot, Scene, Square, ValueTracker, VGroup, linear, tempconfig

from scenes.style import chapter as chapter_module
from scenes.style.chapter import StepwiseUpdater
from scenes.style.traces import TrajectoryTrace
from scenes.vanilla_gd import VanillaGD
from scenes.zoom_side_by_side import ZoomSideBySide


def render_frames(
    scene_class: type[Scene], tmp_path, tex_cache, frame_rate: int = 5, upto: int | None = None
) -> tuple[list[np.ndarray], int, int]:
    """A chapter's animations (up to number ``upto``) at ``frame_rate``: the frames, how many mobjects were redrawn per
    frame (summed over the animations), and how many times a static frame was drawn."""
    frames: list[np.ndarray] = []
    redrawn = static_frames = 0
    with tempconfig(
        {
            "quality": "low_quality",
            "frame_rate": frame_rate,
            "upto_animation_number": -1 if upto is None else upto,
            "media_dir": str(tmp_path),
            "tex_dir": tex_cache,
            "disable_caching": True,
            "verbosity": "WARNING",
            "output_file": "moving",
        }
    ):
        scene = scene_class()
        write_frame = scene.renderer.file_writer.write_frame

        def keep(frame, num_frames=1):
            frames.extend([frame.copy()] * num_frames)
            write_frame(frame, num_frames)

        scene.renderer.file_writer.write_frame = keep
        begin = scene.begin_animations

        def counted():
            nonlocal redrawn
            begin()
            redrawn += len(scene.moving_mobjects)

        scene.begin_animations = counted
        save_static = scene.renderer.save_static_frame_data

        def counted_static(*args):
            nonlocal static_frames
            static_frames += 1
            return save_static(*args)

        scene.renderer.save_static_frame_data = counted_static
        scene.render()
    return frames, redrawn, static_frames


def use_manims_rule(monkeypatch) -> None:
    """Redraw as manim does: whole groups around any updater, no static frame drawn again during a play."""
    for name in ("get_moving_mobjects", "begin_animations", "update_to_time"):
        monkeypatch.setattr(chapter_module.ChapterMixin, name, getattr(Scene, name))


@pytest.mark.slow
def test_frames_equal_manims_rule_with_fewer_mobjects_redrawn(tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    ours, ours_redrawn, _ = render_frames(ZoomSideBySide, tmp_path / "ours", tex_cache, upto=13)
    use_manims_rule(monkeypatch)
    manims, manims_redrawn, _ = render_frames(ZoomSideBySide, tmp_path / "manim", tex_cache, upto=13)
    assert len(ours) == len(manims) > 20
    assert not np.array_equal(ours[0], ours[-1])  # the picture changes, so equal frames are not an accident
    for index, (got, want) in enumerate(zip(ours, manims, strict=True)):
        np.testing.assert_array_equal(got, want, err_msg=f"frame {index} differs from manim's rule")
    assert ours_redrawn < 0.8 * manims_redrawn, (ours_redrawn, manims_redrawn)


def test_a_panel_around_a_moving_trace_stays_in_the_static_frame(monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    with tempconfig({"quality": "low_quality", "write_to_movie": False}):
        scene = chapter_module.ChapterScene()
        axes = Axes(x_range=[0, 4], y_range=[0, 4], x_length=3, y_length=3)
        tracker = ValueTracker(0)
        trace = TrajectoryTrace(axes, np.array([[0, 0], [1, 2], [3, 3]], dtype=float), tracker, "#ffffff")
        label = axes.get_x_axis_label("x")
        scene.add(VGroup(axes, trace, label), tracker)
        moving = scene.get_moving_mobjects(tracker.animate.set_value(2).build())
        manims = Scene.get_moving_mobjects(scene, tracker.animate.set_value(2).build())
    assert axes in manims and axes not in moving  # manim redraws the axes; the chapter keeps them static
    for part in (trace.line, trace.dot, label, tracker):  # what moves, and what is drawn over it, is redrawn
        assert part in moving


class SnapshotTiles(VanillaGD):
    """A chapter's set-up with a small scene of its own: a tile that takes a new colour every 3 steps of a tracker
    (a stepwise updater), points drawn over it, and a trace that moves on every frame, all in one play."""

    #: Whether the tile's updater says when it changed the tile (a lying one shows what the test would catch).
    honest = True
    colours = ("#7a3b3b", "#3b7a3b", "#3b3b7a", "#7a7a3b")

    def construct(self) -> None:
        tracker = ValueTracker(0)
        tile = Square(2.5).set_fill(self.colours[0], 1).set_stroke(width=0).shift(2 * LEFT)
        shown = [0]

        def recolour(mob: Square) -> bool:
            k = int(tracker.get_value()) // 3
            if k == shown[0]:
                return False
            mob.set_fill(self.colours[k], 1)
            shown[0] = k
            return self.honest

        tile.add_updater(StepwiseUpdater(recolour))
        points = VGroup(*(Dot(tile.get_center() + [x, y, 0], radius=0.12) for x in (-0.6, 0, 0.6) for y in (-0.6, 0.6)))
        axes = Axes(x_range=[0, 10], y_range=[0, 10], x_length=3, y_length=3).shift(2 * RIGHT)
        path = np.column_stack([np.arange(11), 10 * np.sqrt(np.arange(11) / 10)])
        trace = TrajectoryTrace(axes, path, tracker, "#ffffff")
        self.add(VGroup(tile, points), VGroup(axes, trace), tracker)
        self.play(tracker.animate.set_value(10), run_time=2, rate_func=linear)


def test_a_stepwise_mobject_stays_static_and_its_frame_is_redrawn_when_it_changes(tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    ours, ours_redrawn, ours_static = render_frames(SnapshotTiles, tmp_path / "ours", tex_cache, frame_rate=15)
    use_manims_rule(monkeypatch)
    manims, manims_redrawn, manims_static = render_frames(SnapshotTiles, tmp_path / "manim", tex_cache, frame_rate=15)
    assert len(ours) == len(manims) == 30
    tile_pixel = [tuple(frame[240, 307]) for frame in ours]  # the tile's middle, between the points
    assert len(set(tile_pixel)) == 4  # the tile takes all four colours during the play
    for index, (got, want) in enumerate(zip(ours, manims, strict=True)):
        np.testing.assert_array_equal(got, want, err_msg=f"frame {index} differs from manim's rule")
    assert manims_static == 1 and ours_static == 1 + 3  # drawn again at each of the three changes of colour
    assert ours_redrawn < manims_redrawn / 2, (ours_redrawn, manims_redrawn)


def test_a_stepwise_updater_that_hides_its_change_shows_in_the_frames(tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    monkeypatch.setattr(SnapshotTiles, "honest", False)
    ours, _, _ = render_frames(SnapshotTiles, tmp_path / "ours", tex_cache, frame_rate=15)
    use_manims_rule(monkeypatch)
    manims, _, _ = render_frames(SnapshotTiles, tmp_path / "manim", tex_cache, frame_rate=15)
    with pytest.raises(AssertionError):
        for got, want in zip(ours, manims, strict=True):
            np.testing.assert_array_equal(got, want)
