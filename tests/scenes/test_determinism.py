"""Rendering the same chapter twice gives identical frames, and in the narrated edition identical sound,
even when the second render synthesises every line afresh (an empty voice cache)."""

from __future__ import annotations

import functools
from pathlib import Path

import av
import numpy as np
import pytest
from manim import tempconfig

from common.voice import VoiceEngine
from scenes.style import chapter as chapter_module
from scenes.vanilla_gd import VanillaGD


def render(tmp_path: Path, tex_cache: str) -> Path:
    """The first animations of a chapter at 480p, 5 frames/s; the movie's path."""
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
        return Path(scene.renderer.file_writer.movie_file_path)


def render_frames(tmp_path: Path, tex_cache: str) -> list[np.ndarray]:
    """render(), decoded back to RGB arrays."""
    with av.open(str(render(tmp_path, tex_cache))) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def render_sound(tmp_path: Path, tex_cache: str, monkeypatch) -> np.ndarray:
    """The narrated render()'s audio samples, with a voice cache of its own (so every line is synthesised)."""
    engine = functools.partial(VoiceEngine, cache_dir=tmp_path / "voice-cache")
    monkeypatch.setattr(chapter_module, "VoiceEngine", engine)
    with av.open(str(render(tmp_path, tex_cache))) as container:
        return np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=-1)


@pytest.mark.slow
def test_same_chapter_renders_identical_frames(tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    first = render_frames(tmp_path / "a", tex_cache)
    second = render_frames(tmp_path / "b", tex_cache)
    assert len(first) == len(second) > 20
    # The picture changes over time, so equal frames are not equal by accident.
    assert not np.array_equal(first[0], first[-1])
    for index in (0, len(first) // 3, len(first) // 2, len(first) - 1):
        np.testing.assert_array_equal(first[index], second[index], err_msg=f"frame {index} differs")


@pytest.mark.slow
def test_narrated_chapter_renders_identical_sound_from_fresh_synthesis(tmp_path, tex_cache, monkeypatch):
    pytest.importorskip("piper")
    monkeypatch.setenv("NARRATION", "on")
    first = render_sound(tmp_path / "a", tex_cache, monkeypatch)
    second = render_sound(tmp_path / "b", tex_cache, monkeypatch)
    assert first.shape == second.shape and first.shape[-1] > 5 * 48_000 // 2  # seconds of sound, not a stub
    assert np.abs(first).max() > 0.05  # the voice is there
    np.testing.assert_array_equal(first, second)
