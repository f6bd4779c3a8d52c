"""render.py: the join (chapter order, markers, durations, subtitle offsets) on tiny renders,
the input hash, chapter selection, the clip index and the JSON render log."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import pairwise

import av
import pytest
import srt

from scenes.i18n import CUES_SUFFIX
from scenes.video import CHAPTERS
from tests.tools.conftest import copy_of_the_tree, edit, fake_render
from tools import chapter_render, clip_index, editions, inputs, join, plumbing, render, render_log, tracks
from tools.plumbing import probe


def test_join_has_chapter_markers_in_order_with_durations(parts, tmp_path):
    target = tmp_path / "out" / "video.mp4"
    join.join_videos(parts, target)
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
    info = probe(target)
    assert info.duration == pytest.approx(parts[0].duration + parts[1].duration, abs=0.1)
    assert [(c.title, c.start) for c in info.chapters] == [("Title of alpha", 0.0), ("Title of beta", starts[1])]
    assert frames == info.frames == 15 * 3  # 1 s + 2 s at 15 fps, no frame lost or doubled


def test_merged_subtitles_are_offset_by_chapter_starts(parts, tmp_path):
    target = tmp_path / "video.srt"
    join.join_subtitles(parts, target)
    subs = list(srt.parse(target.read_text()))
    assert [s.content for s in subs] == ["alpha first", "alpha second", "beta first", "beta second"]
    assert [s.index for s in subs] == [1, 2, 3, 4]
    offset = timedelta(seconds=parts[0].duration)
    beta = list(srt.parse(parts[1].subtitles.read_text()))
    assert subs[2].start == beta[0].start + offset
    video_end = offset + timedelta(seconds=parts[1].duration)
    assert beta[1].end + offset > video_end, "manim's last cue runs past the chapter's end ..."
    assert subs[3].end == video_end, "... the joined .srt ends it with the video, as the screen does"
    assert all(a.end <= b.start for a, b in pairwise(subs)), "one cue at a time"


def test_interrupted_join_leaves_no_final_file(parts, tmp_path, monkeypatch):
    target = tmp_path / "video.mp4"
    original = tracks.av.open

    def failing_open(path, *args, **kwargs):
        if str(path) == str(parts[1].video):
            raise KeyboardInterrupt
        return original(path, *args, **kwargs)

    monkeypatch.setattr(tracks.av, "open", failing_open)
    with pytest.raises(KeyboardInterrupt):
        join.join_videos(parts, target)
    assert list(tmp_path.iterdir()) == []


def test_input_hash_changes_with_shared_code_quality_and_the_chapters_own_file(tree):
    chapter, other = CHAPTERS[0], CHAPTERS[1]
    before = inputs.input_hash(chapter, "l")
    assert inputs.input_hash(chapter, "h") != before
    edit(tree / "mathcore" / "losses.py")
    after_mathcore = inputs.input_hash(chapter, "l")
    assert after_mathcore != before
    edit(tree / "manim.cfg")
    after_cfg = inputs.input_hash(chapter, "l")
    assert after_cfg != after_mathcore
    other_before = inputs.input_hash(other, "l")
    edit(tree / "scenes" / f"{chapter.module}.py")
    assert inputs.input_hash(chapter, "l") != after_cfg
    assert inputs.input_hash(other, "l") == other_before, "one chapter's file must not invalidate another chapter"


def test_input_hash_ignores_files_the_render_does_not_read(tree):
    chapter = CHAPTERS[0]
    before = inputs.input_hash(chapter, "l")
    edit(tree / "README.md")
    edit(tree / "scenes" / f"{CHAPTERS[1].module}.py")
    (tree / "mathcore" / "notes.txt").write_text("not code")
    assert inputs.input_hash(chapter, "l") == before


def test_a_recorded_line_rerenders_its_own_chapter_only(tree):
    """assets/voice/<module>/<slug>.wav is an input of that chapter's narrated render, of nothing else."""
    chapter, other = CHAPTERS[0], CHAPTERS[1]
    before, other_before = inputs.input_hash(chapter, "l"), inputs.input_hash(other, "l")
    silent_before = inputs.input_hash(chapter, "l", narrated=False)
    recording = tree / "assets" / "voice" / chapter.module / "title.wav"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(b"RIFF....WAVE")
    assert inputs.input_hash(chapter, "l") != before
    assert inputs.input_hash(other, "l") == other_before
    assert inputs.input_hash(chapter, "l", narrated=False) == silent_before  # the silent edition speaks no line


def test_input_hash_follows_shared_code_into_packages(tree):
    """mathcore/derivations.py and scenes/style.py are becoming packages: files at any depth count."""
    chapter = CHAPTERS[0]
    package = tree / "mathcore" / "derivations_pkg" / "deeper"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("X = 1\n")
    before = inputs.input_hash(chapter, "l")
    assert "mathcore/derivations_pkg/deeper/__init__.py" in inputs.shared_inputs()
    edit(package / "__init__.py")
    assert inputs.input_hash(chapter, "l") != before


def test_shared_inputs_cover_either_layout_of_the_style(tmp_path):
    module_layout = inputs.shared_inputs(copy_of_the_tree(tmp_path / "a"))
    package_root = copy_of_the_tree(tmp_path / "b", style_package=True)
    (package_root / "scenes" / "style" / "colors.py").write_text("BLUE = 1\n")
    package_layout = inputs.shared_inputs(package_root)
    assert "scenes/style.py" in module_layout or "scenes/style/__init__.py" in module_layout
    assert {"scenes/style/__init__.py", "scenes/style/colors.py"} <= set(package_layout)
    assert {"scenes/video.py", "mathcore/trajectories.py", "manim.cfg", "requirements.lock"} <= set(package_layout)
    assert package_layout == sorted(package_layout)
    chapter_files = {f"scenes/{c.module}.py" for c in CHAPTERS}
    assert not chapter_files & set(package_layout), "chapter files are per-chapter inputs, not shared ones"


def test_missing_shared_input_is_named(tree):
    (tree / "manim.cfg").unlink()
    with pytest.raises(FileNotFoundError, match="manim.cfg"):
        inputs.input_hash(CHAPTERS[0], "l")


def test_select_keeps_video_order_and_rejects_unknown_names():
    assert [c.module for c in editions.select(["summary", "opening"])] == ["opening", "summary"]
    with pytest.raises(editions.UnknownChapterError, match="unknown chapter 'nope'; chapters: opening, radial_surface"):
        editions.select(["nope"])


def test_clip_index_lists_titles_starts_and_files(parts, tmp_path):
    json_path, md_path = clip_index.write_index(parts, tmp_path)
    rows = json.loads(json_path.read_text())
    assert [r["title"] for r in rows] == ["Title of alpha", "Title of beta"]
    assert rows[1]["start_s"] == pytest.approx(parts[0].duration, abs=1e-3)
    assert rows[0]["file"] == parts[0].video.name
    assert "| 2 | Title of beta |" in md_path.read_text()


def test_missing_latex_is_reported_before_rendering(monkeypatch):
    monkeypatch.setattr(chapter_render.shutil, "which", lambda prog: None if prog == "latex" else "/usr/bin/" + prog)
    with pytest.raises(SystemExit, match="missing latex: install the Debian packages texlive-latex-base"):
        chapter_render.check_system()


def test_render_writes_a_json_timing_log(quiet_build, monkeypatch):
    monkeypatch.setattr(chapter_render, "render_chapter", fake_render({"opening": 12.5, "summary": 0.25}, {"summary"}))
    assert render.main(["-q", "l", "-j", "2", "--only", "summary", "opening"]) == 0
    data = json.loads((quiet_build / "render_log.json").read_text())
    assert {k: data[k] for k in ("quality", "resolution", "jobs", "joined")} == {
        "quality": "l", "resolution": "480p15", "jobs": 2, "joined": False,
    }  # fmt: skip
    no_audio = {"audio": False, "loudness_lufs": None, "true_peak_dbtp": None}
    assert data["chapters"] == [
        {"module": "opening", "seconds": 12.5, "reused": False, "video_s": 30.0, **no_audio},
        {"module": "summary", "seconds": 0.25, "reused": True, "video_s": 30.0, **no_audio},
    ]
    assert (data["narration"], data["loudness_lufs"], data["true_peak_dbtp"]) == ("on", None, None)
    assert 0 <= data["wall_s"] < 10
    log = render_log.RenderLog.read(quiet_build / "render_log.json")
    assert log.seconds_by_chapter() == {"opening": 12.5}
    assert log.seconds_by_chapter(rendered_only=False) == {"opening": 12.5, "summary": 0.25}
    assert sorted(p.name for p in quiet_build.iterdir()) == ["render_costs.json", "render_log.json"], "a temp file?"
    assert json.loads((quiet_build / "render_costs.json").read_text()) == {"opening": 12.5}, "reused: no new cost"


@pytest.mark.parametrize("content", ["{not json", '{"quality": "l"}', "[]"])
def test_a_malformed_render_log_is_named(tmp_path, content):
    path = tmp_path / "render_log.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="render_log.json is not a render log"):
        render_log.RenderLog.read(path)
    with pytest.raises(ValueError, match="no render log at"):
        render_log.RenderLog.read(tmp_path / "absent.json")


def test_the_chinese_edition_is_silent_and_has_its_own_folder(quiet_build, capsys):
    assert editions.build_dir("l", narrated=False, locale="zh-Hans") == quiet_build.with_name("480p15-silent-zh-Hans")
    with pytest.raises(plumbing.UsageError, match="narrated edition is in English.*NARRATION=off"):
        editions.build_dir("l", narrated=True, locale="zh-Hans")
    with pytest.raises(ValueError, match="unknown locale 'fr'"):
        editions.build_dir("l", narrated=False, locale="fr")
    assert editions.manim_environment(False, "zh-Hans")["LOCALE"] == "zh-Hans"
    with pytest.raises(SystemExit) as exit_info:
        plumbing.run_cli(lambda: render.main(["-q", "l", "--locale", "zh-Hans", "--only", "opening"]))
    assert exit_info.value.code == 2
    assert "use NARRATION=off" in capsys.readouterr().err


def test_the_language_and_the_catalogue_are_part_of_the_input_hash(tree):
    chapter = CHAPTERS[0]
    english = inputs.input_hash(chapter, "l", narrated=False)
    chinese = inputs.input_hash(chapter, "l", narrated=False, locale="zh-Hans")
    narrated = inputs.input_hash(chapter, "l")
    published = inputs.publish_hash(narrated)
    assert english != chinese
    catalogue = tree / "assets" / "locale" / "zh_Hans" / "LC_MESSAGES" / "video.po"
    assert catalogue.is_file(), "the tree copy has the catalogue"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n# a translator's edit\n", encoding="utf-8")
    assert inputs.input_hash(chapter, "l", narrated=False, locale="zh-Hans") != chinese, "Chinese frames: again"
    assert inputs.input_hash(chapter, "l", narrated=False) == english, "English frames do not read the catalogue"
    assert inputs.input_hash(chapter, "l") == narrated, "nor does the narrated render ..."
    assert inputs.publish_hash(narrated) != published, "... only its subtitle tracks, published again"


def test_chapter_lists_are_what_video_sites_read(tmp_path):
    parts = [
        chapter_render.RenderedChapter(chapter, tmp_path / f"{chapter.module}.mp4", None, seconds)
        for chapter, seconds in zip(CHAPTERS[:3], (59.6, 61.0, 30.0))
    ]
    english = join.chapter_list(parts, "en").splitlines()
    assert english == [f"0:00 {parts[0].chapter.title}", f"0:59 {parts[1].chapter.title}",
                       f"2:00 {parts[2].chapter.title}"]  # fmt: skip
    chinese = join.chapter_list(parts, "zh-Hans").splitlines()
    assert [line.split(" ", 1)[0] for line in chinese] == ["0:00", "0:59", "2:00"]
    assert chinese[0].split(" ", 1)[1] == parts[0].chapter.title_in("zh-Hans") != parts[0].chapter.title
    long = [chapter_render.RenderedChapter(CHAPTERS[0], tmp_path / "a.mp4", None, 3700.0), *parts[:1]]
    assert join.chapter_list(long, "en").splitlines()[1].startswith("1:01:40 ")


def test_a_narrated_chapter_whose_translations_changed_is_only_published_again(quiet_build, monkeypatch, parts):
    chapter = CHAPTERS[0]
    out = quiet_build / "chapters"
    out.mkdir(parents=True)
    video = out / f"{chapter.module}.mp4"
    video.write_bytes(parts[0].video.read_bytes())
    (out / f"{chapter.module}.hash").write_text("render digest")
    (out / f"{chapter.module}.published").write_text("the old catalogue")
    produced = quiet_build / "media" / chapter.module / "videos" / chapter.module / "480p15" / f"{chapter.scene}.mp4"
    produced.parent.mkdir(parents=True)
    for suffix in (".mp4", ".srt", CUES_SUFFIX):
        produced.with_suffix(suffix).write_text("made by manim earlier")
    monkeypatch.setattr(inputs, "input_hash", lambda *args, **kwargs: "render digest")
    monkeypatch.setattr(inputs, "publish_hash", lambda digest, root=None: "the new catalogue")
    published = []
    monkeypatch.setattr(chapter_render, "publish_chapter", lambda *args: published.append(args))

    class NoManim:
        def popen(self, *args, **kwargs):
            raise AssertionError("manim must not run: the frames and sound did not change")

    part = chapter_render.render_chapter(chapter, "l", lambda message: None, NoManim())
    assert part.reused and len(published) == 1 and published[0][1] == video
    assert (out / f"{chapter.module}.published").read_text() == "the new catalogue"
    published.clear()
    chapter_render.render_chapter(chapter, "l", lambda message: None, NoManim())
    assert published == [], "now current: reused as it is"
