"""The narrated edition inside a chapter: each caption is a spoken line whose sound and subtitle cue start
together, animations start with their line, the next line waits for the last, and the chapter ends after
its last line. Recorded lines (tones written here) stand in for the voice, so these renders need no piper;
one test uses piper itself to show that an unchanged script synthesises nothing the second time."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from manim import Circle, Create, FadeIn, Scene, Square, tempconfig

from common import voice
from common.voice import VoiceEngine, write_wav
from scenes import video
from scenes.style import chapter as chapter_module
from scenes.style.chapter import ChapterMixin
from scenes.style.narration import PAUSE_AFTER_LINE, Script, slug
from scenes.video import Chapter

TINY = Chapter(module="tiny", scene="Tiny", title="A tiny chapter")
RATE = 22_050
FRAME = 1 / 15  # low quality renders at 15 fps
#: Recorded stand-ins for each line of Tiny: seconds of "speech".
RECORDED = {"tiny/title": 1.2, "tiny/first-line-on-screen": 2.0, "tiny/second": 0.8, "tiny/third-line": 1.0}


class Tiny(ChapterMixin, Scene):
    def construct(self) -> None:
        self.title_card()
        self.caption("First line on screen.", FadeIn(Square()), say="The first line, as the narrator says it.",
                     run_time=0.5)
        self.caption("Second.", hold=0)
        self.caption("Third line.", Create(Circle()), run_time=3.0)  # an animation longer than its speech


def speech_like(seconds: float, seed: int) -> np.ndarray:
    """A tone with a syllable-like envelope, ``seconds`` long, peaks well below full scale."""
    t = np.arange(round(seconds * RATE)) / RATE
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 4 * t)) * np.random.default_rng(seed).uniform(0.6, 1.0)
    return 0.3 * envelope * np.sin(2 * np.pi * 220 * t)


@pytest.fixture
def tiny_chapter(monkeypatch, tmp_path):
    """Tiny renders as a chapter with its recorded lines in a temporary voice folder."""
    monkeypatch.setattr(chapter_module, "chapter_of", lambda _: TINY)
    monkeypatch.setattr(video, "chapter_number", lambda _: 1)
    voices = tmp_path / "voice"
    for seed, (line_id, seconds) in enumerate(RECORDED.items()):
        write_wav(voices / f"{line_id}.wav", speech_like(seconds, seed), RATE)
    engine = functools.partial(VoiceEngine, cache_dir=tmp_path / "cache", voice_dir=voices)
    monkeypatch.setattr(chapter_module, "VoiceEngine", engine)
    return tmp_path


def render(scene_class: type, tmp_path: Path, narration: str, monkeypatch) -> Scene:
    monkeypatch.setenv("NARRATION", narration)
    with tempconfig({"quality": "low_quality", "media_dir": str(tmp_path / "media"), "disable_caching": True,
                     "verbosity": "WARNING", "output_file": "tiny", "progress_bar": "none"}):
        scene = scene_class()
        scene.render()
    return scene


def test_lines_cues_and_sounds_start_together_and_never_overlap(tiny_chapter, monkeypatch):
    scene = render(Tiny, tiny_chapter, "on", monkeypatch)
    cues = scene.renderer.file_writer.subcaptions
    assert [cue.content for cue in cues] == [
        "Chapter 1. A tiny chapter.", "The first line, as the narrator says it.", "Second.", "Third line.",
    ]
    durations = list(RECORDED.values())
    for cue, seconds in zip(cues, durations):
        length = (cue.end - cue.start).total_seconds()
        assert length == pytest.approx(seconds, abs=1e-3)  # a cue lasts as long as its line is heard
    starts = [cue.start.total_seconds() for cue in cues]
    for (start, seconds), next_start in zip(zip(starts, durations), starts[1:]):
        assert next_start >= start + seconds + PAUSE_AFTER_LINE - FRAME  # no overlap, and a pause between
    assert starts[1] > 0  # the first caption waits for the spoken title
    # The last line is heard to its end, and the beat lasts as long as its 3 s animation.
    assert scene.renderer.time >= starts[-1] + max(durations[-1] + PAUSE_AFTER_LINE, 3.0) - FRAME
    # Each sound was added where its cue starts.
    sounds = [segment for segment in scene.renderer.file_writer.audio_segment.get_array_of_samples()]
    assert len(sounds) > 0
    audio = np.abs(np.array(sounds, dtype=float))
    rate = scene.renderer.file_writer.audio_segment.frame_rate
    channels = scene.renderer.file_writer.audio_segment.channels
    audio = audio.reshape(-1, channels).max(axis=1)
    for start in starts:
        onset = int(start * rate)
        assert audio[max(onset - int(0.05 * rate), 0): onset].max() < 50  # silence just before the line ...
        assert audio[onset: onset + int(0.2 * rate)].max() > 500  # ... and the line right at its cue


def test_the_silent_edition_speaks_nothing_and_keeps_its_captions(tiny_chapter, monkeypatch):
    scene = render(Tiny, tiny_chapter, "off", monkeypatch)
    cues = [cue.content for cue in scene.renderer.file_writer.subcaptions]
    assert cues == ["A tiny chapter", "First line on screen.", "Second.", "Third line."]
    assert scene._voice is None
    # The script (ids, spoken lines) is the same in both editions.
    assert [line.id for line in scene.script.lines] == list(RECORDED)


def test_an_unchanged_script_synthesises_nothing_the_second_time(tmp_path):
    engine = VoiceEngine(cache_dir=tmp_path / "cache", voice_dir=tmp_path / "voice")
    first = engine.speak("tiny/first", "Weight decay keeps the norm in check.")
    assert first.source == "synthesised" and engine.processes == 1
    again = VoiceEngine(cache_dir=tmp_path / "cache", voice_dir=tmp_path / "voice")
    second = again.speak("tiny/first", "Weight decay keeps the norm in check.")
    assert second.source == "cache" and again.processes == 0
    assert voice.read_wav(second.path)[0].tolist() == voice.read_wav(first.path)[0].tolist()


def test_line_ids_are_stable_slugs_unique_within_a_chapter():
    script = Script("vanilla_gd")
    first = script.add(f"Plain GD from θ₀ = ({-0.7:g}, {0.7:g}): learning rate η = {0.25:g}.")
    again = script.add("Plain GD from θ₀ = (1, 2): learning rate η = 0.5.")  # other numbers, same words
    assert first.id == "vanilla_gd/plain-gd-from-learning-rate"
    assert again.id == "vanilla_gd/plain-gd-from-learning-rate-2"
    assert slug("θ = 0.5") == "line"
    with pytest.raises(ValueError, match="empty"):
        script.add("Caption.", say="  ")
