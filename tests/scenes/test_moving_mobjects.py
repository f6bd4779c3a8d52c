"""A chapter redraws per frame only what moves (ChapterMixin.get_moving_mobjects), and its frames are exactly
those of manim's more cautious rule, which redraws whole groups around anything with an updater."""

from __future__ import annotations

import numpy as np
from manim import Axes, Scene, ValueTracker, VGroup, tempconfig

from scenes.style import chapter as chapter_module
from scenes.style.traces import TrajectoryTrace
from scenes.zoom_side_by_side import ZoomSideBySide


def render_frames(tmp_path, tex_cache) -> tuple[list[np.ndarray], int]:
    """ZoomSideBySide's first animations (up to its first zoom) at 5 frames/s: the frames, and how many mobjects were
    redrawn per frame, summed over the animations."""
    frames: list[np.ndarray] = []
    redrawn = 0
    with tempconfig(
        {
            "quality": "low_quality",
            "frame_rate": 5,
            "upto_animation_number": 13,
            "media_dir": str(tmp_path),
            "tex_dir": tex_cache,
            "disable_caching": True,
            "verbosity": "WARNING",
            "output_file": "moving",
        }
    ):
        scene = ZoomSideBySide()
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
        scene.render()
    return frames, redrawn


def test_frames_equal_manims_rule_with_fewer_mobjects_redrawn(tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    ours, ours_redrawn = render_frames(tmp_path / "ours", tex_cache)
    monkeypatch.setattr(chapter_module.ChapterMixin, "get_moving_mobjects", Scene.get_moving_mobjects)
    manims, manims_redrawn = render_frames(tmp_path / "manim", tex_cache)
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
