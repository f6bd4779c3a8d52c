"""Tiny real renders (480p15, a second or two) shared by the tools' tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from manim import BLUE, RED, Circle, FadeIn, Scene, Square, tempconfig

from scenes.video import Chapter
from tools import render
from tools.common import probe


def tiny_chapter(tmp_path: Path, name: str, seconds: float, shape: type, color: str) -> render.RenderedChapter:
    """Render a short 480p15 scene with two subcaptions; return it as a rendered chapter."""

    class Tiny(Scene):
        def construct(self) -> None:
            self.add_subcaption(f"{name} first", duration=0.5)
            self.play(FadeIn(shape(color=color)), run_time=0.5)
            self.add_subcaption(f"{name} second", duration=seconds - 0.5)
            self.wait(seconds - 0.5)

    config = {
        "quality": "low_quality", "media_dir": str(tmp_path / name), "disable_caching": True,
        "verbosity": "WARNING", "output_file": name,
    }  # fmt: skip
    with tempconfig(config):
        scene = Tiny()
        scene.render()
        video = Path(scene.renderer.file_writer.movie_file_path)
    chapter = Chapter(module=name, scene="Tiny", title=f"Title of {name}")
    return render.RenderedChapter(chapter, video, video.with_suffix(".srt"), probe(video).duration)


@pytest.fixture(scope="session")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[render.RenderedChapter]:
    """Two rendered chapters: 'alpha' (1 s, 15 frames) and 'beta' (2 s, 30 frames)."""
    tmp = tmp_path_factory.mktemp("tiny")
    return [tiny_chapter(tmp, "alpha", 1.0, Circle, BLUE), tiny_chapter(tmp, "beta", 2.0, Square, RED)]
