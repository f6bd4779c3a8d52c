"""The narrated edition on tiny renders with sound: one AAC track and one English mov_text track in the joined
video and in every clip, audio as long as the video, sounds and cues at their chapter's offset, delivery
loudness measured on the decoded files; and the switch between the editions (folders, hash, environment)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from common import loudness
from scenes.video import CHAPTERS
from tests.tools.conftest import CHINESE_CUES, CHINESE_TITLE, TONE_AMPLITUDE, TONES, edit, fake_render, tone_wav
from tools import chapter_render, clip_index, editions, inputs, join, render, render_log, slides, tracks
from tools.plumbing import probe

FRAME = 1 / 15  # the tiny renders are 480p15


def streams(path: Path) -> dict[str, list[tuple[str, str]]]:
    """(codec, language) of each stream of ``path``, by stream type; the chapter markers' text track left out."""
    with av.open(str(path)) as container:
        found: dict[str, list[tuple[str, str]]] = {}
        for stream in container.streams:
            if stream.type == "data":  # MP4 chapters are stored as a disabled text track: no codec, not shown
                continue
            found.setdefault(stream.type, []).append((stream.codec_context.name, stream.metadata.get("language", "")))
        return found


def mp4_cues(path: Path, track: int = 0) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue in the MP4's ``track``-th mov_text stream, decoded."""
    cues = []
    with av.open(str(path)) as container:
        stream = container.streams.subtitles[track]
        for packet in container.demux(stream):
            if packet.dts is None or packet.size <= 2:  # the flushing packet, and the gaps' empty samples
                continue
            subtitle = stream.decode2(packet)
            start = float(packet.pts * packet.time_base)
            text = subtitle[0].ass.decode().split(",", 8)[8]  # ReadOrder,Layer,Style,Name,L,R,V,Effect,Text
            cues.append((start, start + float(packet.duration * packet.time_base), text))
    return cues


def vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue of a WebVTT file (checking its header and time format)."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    assert blocks[0] == "WEBVTT"
    clock = r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)"
    cues = []
    for block in filter(None, blocks[1:]):
        timing, text = block.split("\n", 1)
        match = re.fullmatch(f"{clock} --> {clock}", timing)
        assert match, f"bad cue timing {timing!r}"
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
        cues.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, text.strip()))
    return cues


def expected_cues(parts: list[chapter_render.RenderedChapter], chinese: bool = False) -> list[tuple[float, float, str]]:
    """The chapters' .srt cues, each shifted by its chapter's start (the sum of the earlier chapters' lengths),
    and ended by the next cue or its chapter's end, whichever comes first; ``chinese``: with the texts the
    chapters recorded in Chinese (``CHINESE_CUES``), at the same times."""
    expected, start = [], 0.0
    for part in parts:
        own = list(tracks.read_cues(part.subtitles))
        for i, (cue, following) in enumerate(zip(own, [*own[1:], None])):
            end = min(cue.end, following.start if following else np.inf, part.duration)
            text = CHINESE_CUES[i].format(name=part.chapter.module) if chinese else cue.text
            expected.append((cue.start + start, end + start, text))
        start += part.duration
    return expected


def assert_same_cues(actual: list[tuple[float, float, str]], expected: list[tuple[float, float, str]]) -> None:
    """Same texts in the same order, times within a millisecond."""
    assert [c[2] for c in actual] == [c[2] for c in expected]
    assert np.allclose([c[:2] for c in actual], [c[:2] for c in expected], atol=1e-3)


def onset(samples: np.ndarray, after: float = 0.0) -> float:
    """Seconds to the first sample, from ``after`` on, above half the loudest one after it."""
    skip = round(after * tracks.AUDIO_RATE)
    tail = np.abs(samples[skip:])
    return (skip + int(np.argmax(tail > 0.5 * tail.max()))) / tracks.AUDIO_RATE


@pytest.fixture(scope="module")
def joined(narrated_parts, tmp_path_factory) -> join.JoinedVideo:
    """The narrated tiny chapters joined as render.py joins the narrated edition."""
    return join.join_edition(narrated_parts, tmp_path_factory.mktemp("joined") / "video.mp4", narrated=True)


def test_joined_video_has_one_aac_track_and_english_and_chinese_subtitle_tracks(joined, narrated_parts):
    found = streams(joined.video)
    assert found["audio"] == [("aac", "und")]
    assert found["subtitle"] == [("mov_text", "eng"), ("mov_text", "chi")]
    assert len(found["video"]) == 1
    info = probe(joined.video)
    assert [c.title for c in info.chapters] == ["Title of alpha", "Title of beta"], "chapter markers kept"
    assert info.frames == 45
    assert [p.name for p in joined.subtitles] == [
        "video.en.srt", "video.en.vtt", "video.zh-Hans.srt", "video.zh-Hans.vtt"
    ]  # fmt: skip
    chinese = [CHINESE_TITLE.format(name=name) for name in ("alpha", "beta")]
    assert [p.read_text() for p in joined.chapter_lists] == [
        "0:00 Title of alpha\n0:01 Title of beta\n", f"0:00 {chinese[0]}\n0:01 {chinese[1]}\n"
    ], "each list in its language (the test catalogue has the tiny chapters' Chinese titles)"
    assert not list(joined.video.parent.glob(".*partial*")), "temporary file left behind"


@pytest.mark.parametrize("index", [0, 1])
def test_each_clip_has_audio_exactly_as_long_as_its_video_and_its_own_subtitles(narrated_parts, index):
    clip = narrated_parts[index].video
    assert streams(clip)["audio"] == [("aac", "und")]
    assert streams(clip)["subtitle"] == [("mov_text", "eng"), ("mov_text", "chi")]
    video_s = probe(clip).duration
    assert video_s == pytest.approx([1.0, 2.0][index], abs=FRAME)
    with av.open(str(clip)) as container:
        audio = container.streams.audio[0]
        declared = float(audio.duration * audio.time_base)
        assert (audio.codec_context.sample_rate, audio.codec_context.layout.name) == (48000, "mono")
    decoded = tracks.read_audio(clip)
    # beta's tone runs 0.2 s past its video and alpha's ends 0.1 s before it: both were fitted to the video.
    assert declared == pytest.approx(video_s, abs=FRAME)
    assert decoded.size / tracks.AUDIO_RATE == pytest.approx(video_s, abs=FRAME)
    assert_same_cues(mp4_cues(clip), expected_cues([narrated_parts[index]]))
    assert_same_cues(vtt_cues(clip.with_suffix(".en.vtt")), expected_cues([narrated_parts[index]]))
    assert_same_cues(mp4_cues(clip, track=1), expected_cues([narrated_parts[index]], chinese=True))
    assert_same_cues(vtt_cues(clip.with_suffix(".zh-Hans.vtt")), expected_cues([narrated_parts[index]], chinese=True))
    name = narrated_parts[index].chapter.module
    assert sorted(p.name for p in clip.parent.glob(f"{name}.*")) == [
        f"{name}.en.srt", f"{name}.en.vtt", f"{name}.mp4", f"{name}.zh-Hans.srt", f"{name}.zh-Hans.vtt"
    ]  # fmt: skip


def test_a_sound_keeps_its_time_in_the_clip_and_in_the_joined_video(joined, narrated_parts):
    alpha, beta = narrated_parts
    offset = TONES["beta"][0]
    assert onset(tracks.read_audio(beta.video)) == pytest.approx(offset, abs=FRAME)
    audio = tracks.read_audio(joined.video)
    assert onset(audio, after=alpha.duration) == pytest.approx(alpha.duration + offset, abs=FRAME)
    assert audio.size / tracks.AUDIO_RATE == pytest.approx(alpha.duration + beta.duration, abs=FRAME)


def test_subtitle_cues_are_shifted_by_chapter_starts_in_the_mp4_and_the_sidecars(joined, narrated_parts):
    expected = expected_cues(narrated_parts)
    assert [c[2] for c in expected] == ["alpha first", "alpha second", "beta first", "beta second"]
    assert expected[2][0] == pytest.approx(narrated_parts[0].duration)  # beta's first cue starts at beta's start
    assert_same_cues(mp4_cues(joined.video), expected)
    assert_same_cues(vtt_cues(joined.video.with_name("video.en.vtt")), expected)
    srt_cues = tracks.read_cues(joined.video.with_name("video.en.srt"))
    assert_same_cues([(c.start, c.end, c.text) for c in srt_cues], expected)


def test_the_chinese_track_has_the_english_cues_timings_with_the_recorded_chinese(joined, narrated_parts):
    expected = expected_cues(narrated_parts, chinese=True)
    assert [c[2] for c in expected] == ["alpha：第一句", "alpha：第二句", "beta：第一句", "beta：第二句"]
    assert_same_cues(mp4_cues(joined.video, track=1), expected)
    assert_same_cues(vtt_cues(joined.video.with_name("video.zh-Hans.vtt")), expected)
    english, chinese = mp4_cues(joined.video, track=0), mp4_cues(joined.video, track=1)
    assert [c[:2] for c in english] == [c[:2] for c in chinese], "the same timings, cue for cue"


def test_a_stale_cue_record_is_refused_by_name(narrated_parts, tmp_path):
    record = json.loads(narrated_parts[0].cue_texts.read_text(encoding="utf-8"))
    record["cues"][1]["text"] = "an older caption"
    stale = tmp_path / "alpha.cues.json"
    stale.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValueError, match="cue 2: the .srt says 'alpha second', the record 'an older caption'"):
        chapter_render.publish_chapter(narrated_parts[0].video, tmp_path / "clip.mp4", narrated_parts[0].subtitles,
                                       stale)  # fmt: skip
    record["cues"].pop()
    stale.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValueError, match="2 subtitle cues but 1 recorded texts"):
        chapter_render.publish_chapter(narrated_parts[0].video, tmp_path / "clip.mp4", narrated_parts[0].subtitles,
                                       stale)  # fmt: skip
    assert not (tmp_path / "clip.mp4").exists()


def delivery(samples: np.ndarray) -> tuple[float, float, float]:
    """Integrated loudness, true peak and sample peak, with tools.loudness itself."""
    return (
        loudness.integrated_loudness(samples, tracks.AUDIO_RATE),
        loudness.true_peak(samples),
        float(np.max(np.abs(samples))),
    )


def test_loudness_of_the_decoded_clips_and_joined_video_meets_the_delivery_limits(joined, narrated_parts):
    source = TONE_AMPLITUDE * np.sin(2 * np.pi * 330 * np.arange(tracks.AUDIO_RATE) / tracks.AUDIO_RATE)
    assert loudness.integrated_loudness(source, tracks.AUDIO_RATE) < -25, "the tones must need normalising"
    for path, levels in [(p.video, p.levels) for p in narrated_parts] + [(joined.video, joined.levels)]:
        lufs, peak, sample_peak = delivery(tracks.read_audio(path))
        assert lufs == pytest.approx(-16, abs=1), path.name
        assert peak <= -1.5, path.name
        assert sample_peak < 1.0
        assert (levels.loudness_lufs, levels.true_peak_dbtp) == pytest.approx((lufs, peak), abs=0.01)


def test_the_clicks_true_peak_needed_the_limiter(narrated_parts):
    """alpha's click, 25 dB above its tone, would pass 0 dBFS at -16 LUFS without the limiter."""
    alpha = tracks.read_audio(narrated_parts[0].video)
    assert loudness.true_peak(alpha) <= -1.5
    assert loudness.true_peak(alpha) > -6, "the click is still the loudest thing"


def test_interrupted_narrated_join_leaves_no_final_file(narrated_parts, tmp_path, monkeypatch):
    """Interrupted while checking the written file: the complete but unchecked file is not published."""
    original = tracks.read_audio

    def interrupted(path):
        if ".partial" in str(path):
            raise KeyboardInterrupt
        return original(path)

    monkeypatch.setattr(tracks, "read_audio", interrupted)
    with pytest.raises(KeyboardInterrupt):
        join.join_edition(narrated_parts, tmp_path / "video.mp4", narrated=True)
    assert list(tmp_path.iterdir()) == []


def test_audio_that_misses_the_limits_after_encoding_is_refused_and_not_published(
    narrated_parts, tmp_path, monkeypatch
):
    too_loud = tracks.AudioLevels(-12.0, -0.5, -0.6)
    monkeypatch.setattr(tracks, "measure", lambda samples: too_loud)
    with pytest.raises(ValueError, match=r"video.mp4: the encoded audio misses .*-12.0 LUFS, -0.50 dBTP"):
        join.join_videos(narrated_parts, tmp_path / "video.mp4")
    assert list(tmp_path.iterdir()) == []


def test_silent_edition_has_no_audio_and_keeps_video_srt(parts, tmp_path, monkeypatch):
    monkeypatch.setenv(editions.BUILD_VARIABLE, str(tmp_path / "build"))
    target = editions.build_dir("l", narrated=False) / "video.mp4"
    assert target.parent == tmp_path / "build" / "480p15-silent"
    assert editions.build_dir("l") == tmp_path / "build" / "480p15"
    written = join.join_edition(parts, target, narrated=False)
    assert written.levels is None
    assert set(streams(target)) == {"video"}
    assert [p.name for p in written.subtitles] == ["video.srt"]
    assert [p.name for p in written.chapter_lists] == ["video.chapters.en.txt", "video.chapters.zh-Hans.txt"]
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        ["video.mp4", "video.srt", "video.chapters.en.txt", "video.chapters.zh-Hans.txt"]
    )


def test_the_edition_reaches_manim_and_the_slides_are_silent(tmp_path, monkeypatch):
    assert editions.manim_environment(True)["NARRATION"] == "on"
    assert editions.manim_environment(False)["NARRATION"] == "off"
    seen = {}

    class Recorder:
        def run(self, command, **kwargs):
            seen.update(kwargs)
            return subprocess.CompletedProcess(command, 1, "", "")

    monkeypatch.setattr(slides, "slides_dir", lambda quality, locale="en": tmp_path)
    with pytest.raises(RuntimeError, match="manim-slides failed"):
        slides.render_deck(CHAPTERS[0], "l", lambda message: None, Recorder())
    assert (seen["env"]["NARRATION"], seen["env"]["LOCALE"]) == ("off", "en")
    with pytest.raises(RuntimeError, match="manim-slides failed"):
        slides.render_deck(CHAPTERS[0], "l", lambda message: None, Recorder(), "zh-Hans")
    assert (seen["env"]["NARRATION"], seen["env"]["LOCALE"]) == ("off", "zh-Hans"), "Chinese slides and notes"


def test_the_edition_and_the_voice_are_part_of_the_input_hash(tree):
    chapter = CHAPTERS[0]
    narrated, silent = inputs.input_hash(chapter, "l"), inputs.input_hash(chapter, "l", narrated=False)
    assert narrated != silent
    recording = tree / "assets" / "voice" / chapter.module / "intro.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF first take")
    with_recording = inputs.input_hash(chapter, "l")
    assert with_recording != narrated, "a new recording renders the narrated edition again"
    recording.write_bytes(b"RIFF second take")
    assert inputs.input_hash(chapter, "l") != with_recording, "so does a changed one"
    for name in inputs.VOICE_INPUTS:
        before = inputs.input_hash(chapter, "l")
        edit(tree / name)
        assert inputs.input_hash(chapter, "l") != before, name
    assert inputs.input_hash(chapter, "l", narrated=False) == silent, "the silent edition does not depend on voice"


def test_clip_index_lists_the_narration_and_whether_each_clip_has_audio(narrated_parts, parts, tmp_path):
    json_path, md_path = clip_index.write_index(narrated_parts, tmp_path)
    rows = json.loads(json_path.read_text())
    assert [r["audio"] for r in rows] == [True, True]
    assert rows[1]["narration"] == [
        {"start_s": pytest.approx(c.start, abs=1e-3), "text": c.text} for c in tracks.read_cues(parts[1].subtitles)
    ]
    assert [line["text"] for line in rows[0]["narration"]] == ["alpha first", "alpha second"]
    assert "| narrated |" in md_path.read_text() and "- 0:00.0 alpha first" in md_path.read_text()
    silent_rows = json.loads(clip_index.write_index(parts, tmp_path / "silent")[0].read_text())
    assert [(r["audio"], r["narration"]) for r in silent_rows] == [(False, []), (False, [])]


def test_render_log_records_loudness_per_chapter_and_for_the_video(tmp_path, monkeypatch):
    monkeypatch.setenv(editions.BUILD_VARIABLE, str(tmp_path / "build"))
    monkeypatch.setattr(chapter_render, "check_system", lambda: None)
    levels = tracks.AudioLevels(-16.004, -2.345, -2.5)

    def with_audio(chapter, quality, log, children, narrated=True, locale="en"):
        part = fake_render({"opening": 1.0}, set())(chapter, quality, log, children, narrated, locale)
        return chapter_render.RenderedChapter(part.chapter, part.video, None, 30.0, 1.0, levels=levels)

    monkeypatch.setattr(chapter_render, "render_chapter", with_audio)
    assert render.main(["-q", "l", "--only", "opening"]) == 0
    log = render_log.RenderLog.read(tmp_path / "build" / "480p15" / render_log.RENDER_LOG)
    assert log.narration == "on"
    assert log.chapters[0].audio and (log.chapters[0].loudness_lufs, log.chapters[0].true_peak_dbtp) == (-16.0, -2.35)
    monkeypatch.setattr(chapter_render, "render_chapter", fake_render({"opening": 1.0}, set()))
    assert render.main(["-q", "l", "--only", "opening", "--narration", "off"]) == 0
    silent = render_log.RenderLog.read(tmp_path / "build" / "480p15-silent" / render_log.RENDER_LOG)
    assert (silent.narration, silent.chapters[0].audio, silent.chapters[0].loudness_lufs) == ("off", False, None)


def test_a_second_language_is_one_more_track(narrated_parts, tmp_path):
    """The next issue adds Simplified Chinese: one more SubtitleTrack, one more mov_text stream and sidecar pair."""
    english = tracks.english(tracks.read_cues(narrated_parts[0].subtitles))
    chinese = tracks.SubtitleTrack("chi", "zh-Hans", "简体中文", (tracks.Cue(0.1, 0.6, "缩放不变性"),))
    target = tmp_path / "clip.mp4"
    tracks.write_mp4(target, [tracks.VideoSource(narrated_parts[0].video)], None, [english, chinese])
    assert streams(target)["subtitle"] == [("mov_text", "eng"), ("mov_text", "chi")]
    written = tracks.write_sidecars(target, [english, chinese])
    assert [p.name for p in written] == ["clip.en.srt", "clip.en.vtt", "clip.zh-Hans.srt", "clip.zh-Hans.vtt"]
    assert vtt_cues(tmp_path / "clip.zh-Hans.vtt") == [(0.1, 0.6, "缩放不变性")]


TINY_SCENE = """
import os
from manim import Circle, FadeIn, Scene


class Opening(Scene):
    def construct(self):
        if os.environ["NARRATION"] == "on":  # as the chapters do: speak only in the narrated edition
            self.add_sound({wav!r}, time_offset=0.2)
        self.add_subcaption("opening line", duration=0.8)
        self.play(FadeIn(Circle()), run_time=0.5)
        self.wait(0.5)
"""


def test_both_editions_end_to_end_with_manim_in_a_child(tmp_path, monkeypatch):
    """render.py's own path: manim as a child reading NARRATION, the clip published, reused on a second run."""
    scene = tmp_path / "opening.py"
    scene.write_text(TINY_SCENE.format(wav=str(tone_wav(tmp_path / "line.wav", 0.6, 440.0))))
    original = chapter_render.manim_command
    monkeypatch.setattr(
        chapter_render, "manim_command", lambda chapter, quality, media: [
            str(scene) if arg == str(chapter.path) else arg for arg in original(chapter, quality, media)
        ],
    )  # fmt: skip
    monkeypatch.setattr(inputs, "input_hash", lambda chapter, quality, narrated=True, **_: f"digest {narrated}")
    monkeypatch.setenv(editions.BUILD_VARIABLE, str(tmp_path / "build"))
    monkeypatch.setattr(chapter_render, "check_system", lambda: None)
    for edition in ("on", "off", "on"):
        assert render.main(["-q", "l", "-j", "1", "--only", "opening", "--narration", edition]) == 0
    narrated, silent = tmp_path / "build" / "480p15", tmp_path / "build" / "480p15-silent"
    clip = narrated / "chapters" / "opening.mp4"
    assert streams(clip)["audio"] == [("aac", "und")]
    assert streams(clip)["subtitle"] == [("mov_text", "eng")], "a scene that records no cue texts: English only"
    assert [c[2] for c in mp4_cues(clip)] == ["opening line"]
    assert onset(tracks.read_audio(clip)) == pytest.approx(0.2, abs=FRAME)
    assert (narrated / "chapters" / "opening.en.vtt").exists() and (narrated / "chapters" / "opening.srt").exists()
    assert set(streams(silent / "chapters" / "opening.mp4")) == {"video"}
    assert not list(silent.rglob("*.en.*")), "the silent edition has its captions on screen only"
    log = render_log.RenderLog.read(narrated / render_log.RENDER_LOG)
    assert log.chapters[0].reused, "the second narrated run reuses the clip"
    assert log.chapters[0].audio and log.chapters[0].loudness_lufs == pytest.approx(-16, abs=1)
    assert log.chapters[0].true_peak_dbtp <= -1.5
