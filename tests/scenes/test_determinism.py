"""Rendering the same chapter twice gives identical frames."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from manim import tempconfig

from scenes.vanilla_gd import VanillaGD


def render_frames(tmp_path: Path, tex_cache: str) -> list[np.ndarray]:
    """The first animations of a chapter at 480p, 5 frames/s, decoded back to RGB arrays."""
    with tempconfig(
        {
            "quality": "low_quality",
            "frame_rate": 5,
            "upto_animation_number": 8,
            "media_dir": str(tmp_path),
            "tex_dir": tex_cache,
            "disable_caching": True,
            "verbosity": "WARNING",
            "output_file": "determinism",
        }
    ):
        scene = VanillaGD()
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    with av.open(str(movie)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_same_chapter_renders_identical_frames(tmp_path, tex_cache):
    first = render_frames(tmp_path / "a", tex_cache)
    second = render_frames(tmp_path / "b", tex_cache)
    assert len(first) == len(second) > 20
    # The picture changes over time, so equal frames are not equal by accident.
    assert not np.array_equal(first[0], first[-1])
    for index in (0, len(first) // 3, len(first) // 2, len(first) - 1):
        np.testing.assert_array_equal(first[index], second[index], err_msg=f"frame {index} differs")
