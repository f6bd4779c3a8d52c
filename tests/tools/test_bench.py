"""bench.py's render table comes from render.py's JSON log (no parsing of printed text)."""

from __future__ import annotations

import pytest

from scenes.video import CHAPTERS
from tools import bench, editions
from tools.render_log import ChapterTiming, RenderLog


def synthetic_log(tmp_path, quality: str, seconds: float, reused: frozenset[str] = frozenset()) -> RenderLog:
    """A render log written to disk and read back, as bench does: every chapter 40 s long."""
    timings = tuple(
        ChapterTiming(c.module, seconds + i, c.module in reused, 40.0) for i, c in enumerate(CHAPTERS)
    )
    log = RenderLog(quality, editions.QUALITIES[quality], 2, 123.4, True, timings, "2026-01-01T00:00:00+00:00")
    path = log.write(tmp_path / f"{quality}.json")
    assert RenderLog.read(path) == log
    return RenderLog.read(path)


def test_render_table_rows_come_from_the_logs(tmp_path):
    low = synthetic_log(tmp_path, "l", 20.0, reused=frozenset({CHAPTERS[1].module}))
    high = synthetic_log(tmp_path, "h", 60.0)
    lines = bench.render_table(low, high, "note")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines if line.startswith("| ") and "---" not in line}
    assert rows[CHAPTERS[0].module] == f"| {CHAPTERS[0].module} | 40.0 s | 20 s | 0.50 | 60 s | 1.50 |"
    # A chapter the run reused was not rendered: no time to report.
    assert rows[CHAPTERS[1].module] == f"| {CHAPTERS[1].module} | 40.0 s | – | – | 61 s | 1.52 |"
    assert len(rows) == len(CHAPTERS) + 1  # + the header row


def test_render_table_without_1080p_and_with_a_partial_log(tmp_path):
    low = synthetic_log(tmp_path, "l", 20.0)
    last = CHAPTERS[-1].module  # the 13th chapter: 20 + 12 s
    assert bench.render_table(low, None, "skipped")[-1] == f"| {last} | 40.0 s | 32 s | 0.80 | – | – |"
    partial = RenderLog("l", "480p15", 1, 1.0, False, low.chapters[:3])
    with pytest.raises(ValueError, match="has no chapters"):
        bench.render_table(partial, None, "x")


def test_loudness_note_reports_the_joined_videos_measurement(tmp_path):
    log = synthetic_log(tmp_path, "l", 20.0)
    assert bench.loudness_note(log) == "no audio measured"
    measured = RenderLog.read(
        RenderLog(**{**vars(log), "loudness_lufs": -16.04, "true_peak_dbtp": -2.31}).write(tmp_path / "m.json")
    )
    assert bench.loudness_note(measured) == "-16.0 LUFS integrated, true peak -2.3 dBTP"


def test_normalised_cost_is_the_issues_formula_and_refuses_nonsense():
    # The issue's own numbers: 1736 s on 2 cores for the 1080p60 video, reference 15.3 s: 4.0.
    video = 9.5 * 60
    assert bench.normalised_cost(1736, 2, video, 15.3) == pytest.approx(1736 * 2 / video / 1.53)
    assert round(bench.normalised_cost(1736, 2, 9.45 * 60, 15.3), 1) == 4.0
    for bad in ({"wall_s": 0}, {"cores": 0}, {"video_s": -1.0}, {"reference_s": float("nan")}):
        arguments = {"wall_s": 10.0, "cores": 1, "video_s": 10.0, "reference_s": 10.0} | bad
        with pytest.raises(ValueError, match=next(iter(bad))):
            bench.normalised_cost(**arguments)


def test_cost_table_has_a_row_per_chapter_and_the_whole_video(tmp_path):
    low = synthetic_log(tmp_path, "l", 20.0, reused=frozenset({CHAPTERS[1].module}))
    high = synthetic_log(tmp_path, "h", 60.0)
    lines = bench.cost_table({"l": (low, 3.0), "h": (high, 15.0)})
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines if line.startswith("| ")}
    # opening: 20 s for 40 s of video on one core, reference 3 s per 10 s: 0.5 / 0.3
    assert rows[CHAPTERS[0].module] == f"| {CHAPTERS[0].module} | 20 s, **1.67** | 60 s, **1.00** |"
    assert "| – |" in rows[CHAPTERS[1].module], "a reused chapter has no cost"
    whole = rows["whole video (wall × jobs, join included)"]
    video = 40.0 * len(CHAPTERS)
    assert f"**{123.4 * 2 / video / 0.3:.2f}** (before: 4.1)" in whole
    assert "reference scene rendered in the same run: 480p15 3.0 s, 1080p60 15.0 s" in lines[0]


def test_the_reference_scene_is_the_teams(tmp_path):
    shared = bench.ROOT.parent / "shared" / "bench" / "ref_scene.py"
    if not shared.is_file():
        pytest.skip("the team's reference scene is not beside this checkout")
    assert bench.REFERENCE_SCENE.read_bytes() == shared.read_bytes()
