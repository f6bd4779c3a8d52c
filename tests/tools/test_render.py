"""The join: chapter order, chapter markers, durations and merged subtitle offsets, on tiny renders."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import av
import pytest
import srt
from manim import BLUE, RED, Circle, FadeIn, Scene, Square, tempconfig

from scenes.video import CHAPTERS, Chapter
from tools import render


def tiny_chapter(tmp_path: Path, name: str, seconds: float, shape, color) -> render.RenderedChapter:
    """Render a short 480p15 scene with two subcaptions; return it as a rendered chapter."""

    class Tiny(Scene):
        def construct(self) -> None:
            self.add_subcaption(f"{name} first", duration=0.5)
            self.play(FadeIn(shape(color=color)), run_time=0.5)
            self.add_subcaption(f"{name} second", duration=seconds - 0.5)
            self.wait(seconds - 0.5)

    media = tmp_path / name
    with tempconfig({"quality": "low_quality", "media_dir": str(media), "disable_caching": True, "verbosity": "WARNING", "output_file": name}):
        scene = Tiny()
        scene.render()
        video = Path(scene.renderer.file_writer.movie_file_path)
    chapter = Chapter(module=name, scene="Tiny", title=f"Title of {name}")
    return render.RenderedChapter(chapter, video, video.with_suffix(".srt"), render.video_duration(video))


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> list[render.RenderedChapter]:
    tmp = tmp_path_factory.mktemp("tiny")
    return [tiny_chapter(tmp, "alpha", 1.0, Circle, BLUE), tiny_chapter(tmp, "beta", 2.0, Square, RED)]


def test_join_has_chapter_markers_in_order_with_durations(parts, tmp_path):
    target = tmp_path / "out" / "video.mp4"
    render.join_videos(parts, target)
    assert not list(target.parent.glob("*.partial*")), "temporary file left behind"
    with av.open(str(target)) as container:
        chapters = container.chapters()
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
    assert [c["metadata"]["title"] for c in chapters] == ["Title of alpha", "Title of beta"]
    starts = [float(c["start"] * c["time_base"]) for c in chapters]
    ends = [float(c["end"] * c["time_base"]) for c in chapters]
    assert starts[0] == 0.0
    assert starts[1] == pytest.approx(parts[0].duration, abs=1e-3)
    assert ends[1] == pytest.approx(parts[0].duration + parts[1].duration, abs=1e-3)
    assert render.video_duration(target) == pytest.approx(parts[0].duration + parts[1].duration, abs=0.1)
    assert frames == 15 * 3  # 1 s + 2 s at 15 fps, no frame lost or doubled


def test_merged_subtitles_are_offset_by_chapter_starts(parts, tmp_path):
    target = tmp_path / "video.srt"
    render.join_subtitles(parts, target)
    subs = list(srt.parse(target.read_text()))
    assert [s.content for s in subs] == ["alpha first", "alpha second", "beta first", "beta second"]
    assert [s.index for s in subs] == [1, 2, 3, 4]
    offset = timedelta(seconds=parts[0].duration)
    beta = list(srt.parse(parts[1].subtitles.read_text()))
    assert subs[2].start == beta[0].start + offset
    assert subs[3].end == beta[1].end + offset


def test_interrupted_join_leaves_no_final_file(parts, tmp_path, monkeypatch):
    target = tmp_path / "video.mp4"
    original = render.av.open

    def failing_open(path, *args, **kwargs):
        if str(path) == str(parts[1].video):
            raise KeyboardInterrupt
        return original(path, *args, **kwargs)

    monkeypatch.setattr(render.av, "open", failing_open)
    with pytest.raises(KeyboardInterrupt):
        render.join_videos(parts, target)
    assert list(tmp_path.iterdir()) == []


def test_input_hash_tracks_the_chapter_file_shared_code_and_quality():
    chapter = CHAPTERS[0]
    assert render.input_hash(chapter, "l") == render.input_hash(chapter, "l")
    assert render.input_hash(chapter, "l") != render.input_hash(chapter, "h")
    assert render.input_hash(chapter, "l") != render.input_hash(CHAPTERS[1], "l")
    assert "scenes/style.py" in render.SHARED_INPUTS and "mathcore/trajectories.py" in render.SHARED_INPUTS


def test_select_keeps_video_order_and_rejects_unknown_names():
    assert [c.module for c in render.select(["summary", "opening"])] == ["opening", "summary"]
    with pytest.raises(ValueError, match="nope"):
        render.select(["nope"])


def test_clip_index_lists_titles_starts_and_files(parts, tmp_path):
    import json

    json_path, md_path = render.write_index(parts, tmp_path)
    rows = json.loads(json_path.read_text())
    assert [r["title"] for r in rows] == ["Title of alpha", "Title of beta"]
    assert rows[1]["start_s"] == pytest.approx(parts[0].duration, abs=1e-3)
    assert rows[0]["file"] == parts[0].video.name
    assert "| 2 | Title of beta |" in md_path.read_text()


def test_missing_latex_is_reported_before_rendering(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda prog: None if prog == "latex" else "/usr/bin/" + prog)
    with pytest.raises(SystemExit, match="missing latex: install the Debian packages texlive-latex-base"):
        render.check_system()
