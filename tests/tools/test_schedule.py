"""schedule.py: the order chapters start in (longest first by the best-known cost), the shipped table that plans a
fresh clone, the dry run, and local rendering in that order."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scenes.video import CHAPTERS
from tests.tools.conftest import fake_render
from tools import chapter_render, editions, inputs, render, schedule


@pytest.fixture
def no_shipped_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the repository shipped no table of render costs."""
    monkeypatch.setattr(schedule, "SHIPPED_COSTS", tmp_path / "absent" / "render_costs.json")


def test_chapters_start_longest_first_by_the_last_known_times_and_come_back_in_video_order(
    quiet_build, monkeypatch, no_shipped_table
):
    costs = {"opening": 5.0, "radial_surface": 80.0, "lemma_one": 20.0, "summary": 1.0}
    started: list[str] = []
    fake = fake_render(costs, set())

    def recording(chapter, *args, **kwargs):
        started.append(chapter.module)
        return fake(chapter, *args, **kwargs)

    monkeypatch.setattr(chapter_render, "render_chapter", recording)
    chapters = editions.select(costs)
    quiet_build.mkdir(parents=True)
    last_run = {"radial_surface": 80.0, "lemma_one": 20.0, "opening": 5}
    (quiet_build / "render_costs.json").write_text(json.dumps(last_run))
    parts = schedule.render_all(chapters, "l", 1, lambda message: None)
    assert started == ["summary", "radial_surface", "lemma_one", "opening"], "unknown (summary) first, then longest"
    assert [p.chapter.module for p in parts] == ["opening", "radial_surface", "lemma_one", "summary"]
    schedule.record_costs(quiet_build, parts)
    assert json.loads((quiet_build / "render_costs.json").read_text()) == costs


def test_a_new_edition_borrows_the_render_times_of_the_same_resolution(quiet_build):
    silent = quiet_build.with_name("480p15-silent")
    silent.mkdir(parents=True)
    (silent / "render_costs.json").write_text('{"opening": 3.0}')
    assert schedule.known_costs(quiet_build) == {"opening": 3.0}
    assert schedule.known_costs(quiet_build.with_name("1080p60")) == {}
    quiet_build.mkdir(parents=True)
    (quiet_build / "render_costs.json").write_text('{"summary": 1.0, "opening": 5.0}')
    assert schedule.known_costs(quiet_build) == {"opening": 5.0, "summary": 1.0}, "its own times win"
    (silent / "render_costs.json").write_text("{broken")
    assert schedule.known_costs(quiet_build) == {"opening": 5.0, "summary": 1.0}


@pytest.mark.parametrize("quality", ["l", "h"])
def test_a_fresh_clone_is_planned_costliest_first_from_the_shipped_table(quiet_build, quality):
    shipped = schedule.read_shipped_costs()[editions.QUALITIES[quality]]
    assert set(shipped) == {c.module for c in CHAPTERS}, "the committed table has every chapter"
    planned = schedule.plan(list(CHAPTERS), quality, jobs=2)
    assert [p.chapter.module for p in planned] == sorted(shipped, key=lambda module: -shipped[module])
    assert all(p.action == "render" and p.cost.source == "shipped table" for p in planned)
    assert [p.start_s for p in planned[:2]] == [0.0, 0.0], "two jobs: the two costliest start at once"
    # Each later chapter starts when the first of the two processes is free (list scheduling, simulated).
    ends = sorted(p.start_s + p.expected_s for p in planned[:2])
    assert planned[2].start_s == ends[0]
    assert schedule.expected_wall_s(planned) >= sum(shipped.values()) / 2


def test_local_times_win_over_the_shipped_table_and_reused_chapters_go_last(quiet_build, monkeypatch):
    chapters = list(CHAPTERS[:4])
    smallest = min(chapters, key=lambda c: schedule.shipped_costs("480p15")[c.module])
    quiet_build.mkdir(parents=True)
    (quiet_build / "render_costs.json").write_text(json.dumps({smallest.module: 10_000.0}))
    # The costliest by the table is rendered already, with today's inputs: it will be reused.
    costliest = max(chapters, key=lambda c: schedule.shipped_costs("480p15")[c.module])
    files = chapter_render.ChapterFiles.of(costliest, "l", narrated=False)
    files.video.parent.mkdir(parents=True)
    files.video.write_bytes(b"an earlier render")
    files.stamp.write_text(inputs.input_hash(costliest, "l", narrated=False))
    silent = quiet_build.with_name("480p15-silent")
    (silent / "render_costs.json").write_text(json.dumps({smallest.module: 10_000.0}))
    planned = schedule.plan(chapters, "l", jobs=1, narrated=False)
    assert planned[0].chapter == smallest and planned[0].cost.source == "last render here"
    assert planned[-1].chapter == costliest and planned[-1].action == "reuse"
    assert planned[-1].expected_s == schedule.REUSE_SECONDS
    assert [p.start_s for p in planned] == sorted(p.start_s for p in planned), "one job: one after another"


def test_dry_run_prints_the_plan_and_renders_nothing(quiet_build, monkeypatch, capsys):
    def must_not_render(*args, **kwargs):
        raise AssertionError("a dry run renders nothing")

    monkeypatch.setattr(chapter_render, "render_chapter", must_not_render)
    monkeypatch.setattr(chapter_render, "check_system", must_not_render)
    assert render.main(["-q", "h", "-j", "2", "--dry-run"]) == 0
    printed = capsys.readouterr().out.splitlines()
    shipped = schedule.read_shipped_costs()["1080p60"]
    rows = [line.split() for line in printed[2:]]
    assert [row[2] for row in rows] == sorted(shipped, key=lambda module: -shipped[module])
    assert all(row[3] == "render" and row[4] == f"{shipped[row[2]]:.0f}" for row in rows)
    assert "13 to render, 0 reused" in printed[0] and "nothing is rendered" in printed[0]
    assert not quiet_build.parent.exists() or not any(quiet_build.parent.rglob("*")), "a dry run writes nothing"


def test_a_resolution_the_table_does_not_list_is_estimated_between_the_listed_ones():
    table = {"480p15": {"a": 10.0, "b": 40.0}, "1080p60": {"a": 40.0, "b": 80.0}}
    assert schedule.shipped_costs("480p15", table) == table["480p15"]
    middle = schedule.shipped_costs("720p30", table)
    for module in ("a", "b"):
        low, high = table["480p15"][module], table["1080p60"][module]
        assert low < middle[module] < high
        # a power law in the pixel rate: log t is linear in log r
        where = math.log(schedule.pixel_rate("720p30") / schedule.pixel_rate("480p15")) / math.log(
            schedule.pixel_rate("1080p60") / schedule.pixel_rate("480p15")
        )
        assert math.log(middle[module]) == pytest.approx(math.log(low) + where * math.log(high / low))
    assert schedule.shipped_costs("2160p60", table)["a"] > 40.0, "extrapolated upwards"
    assert schedule.shipped_costs("720p30", {"480p15": {"a": 3.0}}) == {"a": 3.0}, "one listed: its times"
    assert schedule.shipped_costs("720p30", {}) == {}


@pytest.mark.parametrize("resolution", ["1080p", "p60", "0p60", "1080p0", "hd"])
def test_a_malformed_resolution_is_refused_by_name(resolution):
    with pytest.raises(ValueError, match=repr(resolution)):
        schedule.pixel_rate(resolution)


@pytest.mark.parametrize(
    "content", ["{broken", '{"480p15": {"opening": -1}}', '{"480p15": {"opening": "slow"}}', '{"fast": {}}', "[]"]
)
def test_a_malformed_shipped_table_is_refused_by_name(tmp_path, content):
    path = tmp_path / "render_costs.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="render_costs.json is not a table of render costs"):
        schedule.read_shipped_costs(path)


def test_the_shipped_table_round_trips_and_says_what_it_is(tmp_path):
    table = {"1080p60": {"b": 2.04, "a": 1.0}, "480p15": {"a": 0.5}}
    path = schedule.write_shipped_costs(table, tmp_path / "render_costs.json")
    data = json.loads(path.read_text())
    assert list(data) == ["about", "480p15", "1080p60"] and "make bench" in data["about"]
    assert schedule.read_shipped_costs(path) == {"480p15": {"a": 0.5}, "1080p60": {"a": 1.0, "b": 2.0}}
