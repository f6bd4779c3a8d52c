"""Every chapter constructs under a fast config (no movie), stays inside the frame, and has a sayable script."""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest
from manim import Mobject, ThreeDScene, ValueTracker, VMobject, config, tempconfig

from common.voice import check_line_id, spoken_text, unsayable_characters
from scenes.i18n import CHINESE
from scenes.style.chapter import reading_time
from scenes.video import CHAPTERS, Chapter, by_scene

#: Reading speed for Simplified Chinese subtitles (characters per second; Netflix's guide for adult viewers: 9).
CHINESE_CHARACTERS_PER_SECOND = 9.0
#: How far (scene units) a mobject may poke past the frame edge before we call it cut off.
FRAME_TOLERANCE = 0.05


def construct(chapter: Chapter, tmp_path, tex_cache: str):
    """Run the chapter's construct() (silent edition, no movie); return the scene at its last frame."""
    module = importlib.import_module(f"scenes.{chapter.module}")
    scene_class = getattr(module, chapter.scene)
    with tempconfig(
        {
            "quality": "low_quality",
            "media_dir": str(tmp_path),
            "output_file": str(tmp_path / chapter.module),
            "tex_dir": tex_cache,
            "save_last_frame": True,
            "write_to_movie": False,
            "disable_caching": True,
            "verbosity": "WARNING",
        }
    ):
        scene = scene_class()
        scene.render()
        half_w, half_h = config.frame_width / 2, config.frame_height / 2
    return scene, half_w, half_h


def visible(part: Mobject) -> bool:
    """Whether a mobject draws anything (ValueTrackers and fully transparent shapes do not)."""
    if isinstance(part, ValueTracker) or len(part.points) == 0:
        return False
    if isinstance(part, VMobject):
        return part.get_fill_opacity() > 0 or part.get_stroke_opacity() > 0 and part.get_stroke_width() > 0
    return True


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.module for c in CHAPTERS])
def test_chapter_constructs_with_captions_and_stays_in_frame(chapter, tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")  # the silent edition: captions on screen, checked for the frame too
    scene, half_w, half_h = construct(chapter, tmp_path, tex_cache)
    check_script(chapter, scene.script.lines)
    writer = scene.renderer.file_writer
    # The title card's subtitle comes first, then the captions.
    assert writer.subcaptions[0].content == chapter.title
    assert len(writer.subcaptions) >= 3
    assert all(sub.content.strip() for sub in writer.subcaptions)
    # Nothing on the last frame runs off the frame (3-D scenes pin their 2-D overlay in frame).
    for mob in scene.mobjects:
        for part in mob.get_family():
            if not visible(part):
                continue
            points = part.points
            if isinstance(scene, ThreeDScene) and part not in scene.camera.fixed_in_frame_mobjects:
                continue  # projected by the 3-D camera; only the pinned overlay is in frame coordinates
            xs, ys = points[:, 0], points[:, 1]
            assert np.all(np.abs(xs) <= half_w + FRAME_TOLERANCE), f"{part} runs off the frame sideways"
            assert np.all(np.abs(ys) <= half_h + FRAME_TOLERANCE), f"{part} runs off the frame vertically"


def check_script(chapter: Chapter, lines) -> None:
    """Every spoken line is sayable (no Greek letters, symbols, sub- or superscripts) and has a unique valid id."""
    assert lines[0].id == f"{chapter.module}/title" and chapter.title in lines[0].spoken
    assert len(lines) >= 3
    ids = [line.id for line in lines]
    assert len(set(ids)) == len(ids), ids
    problems = {line.id: unsayable_characters(line.spoken) for line in lines if unsayable_characters(line.spoken)}
    assert not problems, f"lines a voice cannot say: {problems}"
    for line in lines:
        check_line_id(line.id)
        assert spoken_text(line.spoken).strip()
    check_reading_pace(lines)


def reading_characters(text: str) -> int:
    """How many characters a reader of Chinese takes in: every CJK character or mark, and half of each run of
    Latin letters and digits (a number such as 1.177 is read at a glance, not digit by digit); spaces are free."""
    runs = re.findall(r"[!-~]+", text)
    return len(re.sub(r"[!-~]+|\s", "", text)) + sum(-(-len(run) // 2) for run in runs)


def test_reading_characters_counts_chinese_fully_and_latin_runs_by_half():
    assert reading_characters("第 1000 步后：范数 1.177") == 1 + 2 + 3 + 2 + 3
    assert reading_characters("float32 或 float64") == 4 + 1 + 4


def check_reading_pace(lines) -> None:
    """Every translated caption can be read in the time the English one is up (the silent editions share one
    timing), and every translated subtitle of a spoken line in the time the English takes to read (shorter
    than it takes to say): CHINESE_CHARACTERS_PER_SECOND."""
    slow = []
    for line in lines:
        for english, translated in ((line.caption, line.shown(CHINESE.tag)), (line.spoken, line.said(CHINESE.tag))):
            characters = reading_characters(translated)
            if characters / CHINESE_CHARACTERS_PER_SECOND > reading_time(english):
                slow.append(f"{line.id}: {characters} characters in {reading_time(english):.1f} s: {translated!r}")
    assert not slow, "shorten these translations:\n" + "\n".join(slow)


def test_chapter_list_is_consistent():
    modules = [c.module for c in CHAPTERS]
    assert len(set(modules)) == len(modules)
    for chapter in CHAPTERS:
        assert chapter.path.exists(), chapter.path
        assert by_scene(chapter.scene) is chapter
    with pytest.raises(ValueError, match="NoSuchScene"):
        by_scene("NoSuchScene")
