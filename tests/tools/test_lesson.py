"""The lesson page's build (tools/lesson, tools/site.py): what it reads, what it derives, how it fails, and that
the folder is complete and replaced in one step. Its behaviour in a browser: test_lesson_page.py."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from markupsafe import escape

from mathcore import derivations as D
from mathcore import experiments
from mathcore.recipe import Recipe
from mathcore.trajectories import twin_runs
from scenes.i18n import CHINESE, SOURCE, translate
from tools import site, vendor
from tools.lesson import content, explorable, page, serve
from tools.lesson.strings import PAGE, STEPS

TEMPLATE = Path(page.__file__).parent / "templates" / "index.html"


def test_every_step_of_the_shown_derivations_is_sympys_latex_with_a_caption_in_each_language():
    english, chinese = content.derivations(SOURCE.tag), content.derivations(CHINESE.tag)
    for shown, zh, (name, build, _, _) in zip(english, chinese, content.SHOWN):
        derived = build()
        assert [s.key for s in shown.steps] == derived.keys(), "every step, in sympy's order"
        assert [s.latex for s in shown.steps] == derived.latex_steps(), "the LaTeX sympy printed, not retyped"
        assert set(STEPS[name]) == set(derived.keys()), f"{name}: a caption for each step and no stale one"
        for en_step, zh_step in zip(shown.steps, zh.steps):
            assert zh_step.caption != en_step.caption and re.search(r"[\u4e00-\u9fff]", zh_step.caption)


def test_a_derivation_step_without_a_caption_is_named(monkeypatch):
    captions = dict(STEPS["theorem_2_1"])
    del captions["condition"]
    monkeypatch.setitem(STEPS, "theorem_2_1", captions)
    with pytest.raises(ValueError, match="theorem_2_1: step 'condition' has no caption"):
        content.derivations(SOURCE.tag)


def test_the_template_has_no_prose_of_its_own():
    """Every word on the page comes from PAGE (the catalogue): strip the template's tags, its {{ }}, {% %} and {# #},
    and no word is left."""
    text = TEMPLATE.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.DOTALL)
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]*>", " ", text, flags=re.DOTALL)
    assert re.findall(r"[A-Za-z]{2,}", text) == []
    used = set(re.findall(r"\bt\.(\w+)", TEMPLATE.read_text(encoding="utf-8")))
    assert used <= set(PAGE), f"the template asks for strings PAGE lacks: {sorted(used - set(PAGE))}"


def test_the_javascript_formulas_are_sympys_printing_of_the_derivations():
    js = explorable.formulas_js()
    theorem = D.momentum_theorem()
    expected = sp.jscode(theorem.alpha_principal.subs(D.lam, sp.Symbol("lam")))
    assert f"alpha: function (eta, lam, gamma) {{ return {expected}; }}" in js
    assert "Math.pow(alpha, -2*t - 1)*eta" in js, "η̃_t = η·α^(−2t−1), as the derivation has it"
    assert "eta*lam <= Math.pow(1 - Math.sqrt(gamma), 2)" in js and "eta*lam < 1" in js


def test_every_run_case_is_mathcores_and_well_conditioned():
    cases = explorable.cases()
    assert len(cases["runs"]) >= 4 and {r["recipe"]["momentum"] > 0 for r in cases["runs"]} == {True, False}
    for run in cases["runs"]:
        recipe = Recipe(**run["recipe"])
        twins = twin_runs(experiments.loss().grad, run["start"], recipe)
        np.testing.assert_array_equal(np.array(run["decayed"]), twins.decayed)
        np.testing.assert_array_equal(np.array(run["exploded"]), twins.exploded)
        assert run["amplification"] <= explorable.MAX_AMPLIFICATION
        assert run["alpha"] == recipe.alpha


def test_an_ill_conditioned_case_is_refused_by_name(monkeypatch):
    """The video's own TOY run starts on the edge of the narrow well: a nudge of 1e-9 grows about 1e8-fold, so no
    browser could be asked to match numpy there to 1e-9."""
    toy = explorable.Case("the video's toy", experiments.TOY, 135.0)
    assert explorable.amplification(toy) > 1e6
    monkeypatch.setattr(explorable, "RUN_CASES", (toy,))
    with pytest.raises(ValueError, match="case \"the video's toy\" amplifies a nudge"):
        explorable.cases()


def test_refused_cases_are_what_mathcore_refuses():
    for case in explorable.cases()["refused"]:
        r = case["recipe"]
        if case["kind"] == "overflow":
            with pytest.raises(OverflowError, match=f"step {case['step']}"):
                twin_runs(experiments.loss().grad, case["start"], Recipe(**r))
        else:
            with pytest.raises(ValueError, match="lr \\* weight_decay < 1" if case["kind"] == "lr_weight_decay"
                               else "no real alpha"):  # fmt: skip
                Recipe(**r)
    with pytest.raises(ValueError, match="not a refusal"):
        explorable.refusal(0.25, 0.1, 0.0, 10, (0.5, 0.5))


def test_the_sliders_start_at_the_videos_recipe():
    settings = explorable.settings()
    start = {s["name"]: s["value"] for s in settings["sliders"]}
    assert (start["lr"], start["weight_decay"], start["momentum"], start["steps"]) == (
        experiments.TOY.lr, experiments.TOY.weight_decay, experiments.TOY.momentum, experiments.TOY.steps,
    )  # fmt: skip
    assert settings["radius"] == pytest.approx(np.linalg.norm(experiments.START))
    assert [w["depth"] for w in settings["wells"]] == [w.depth for w in experiments.loss().wells]
    for slider in settings["sliders"]:
        assert slider["low"] <= slider["value"] <= slider["high"], slider


def test_a_missing_build_is_named_with_the_command_that_makes_it(tmp_path):
    with pytest.raises(content.MissingBuildError, match=r"video\.mp4 is missing: run `make video QUALITY=l`"):
        content.read_build(tmp_path, "make video QUALITY=l")


def test_the_command_line_says_what_to_render_first(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VIDEO_BUILD_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exited:
        site.run_cli(lambda: site.main(["-q", "l"]))
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path}/480p15/video.mp4 is missing: run `make video QUALITY=l` first"]


def test_subtitle_tracks_that_disagree_are_refused(tiny_build, tmp_path):
    broken = tmp_path / "build"
    for path in tiny_build.rglob("*"):
        if path.is_file():
            (broken / path.relative_to(tiny_build)).parent.mkdir(parents=True, exist_ok=True)
            (broken / path.relative_to(tiny_build)).write_bytes(path.read_bytes())
    chinese = broken / "video.zh-Hans.srt"
    chinese.write_text(chinese.read_text(encoding="utf-8").replace("00:00:00,500", "00:00:00,600"), encoding="utf-8")
    with pytest.raises(ValueError, match="zh-Hans subtitles are not timed cue for cue"):
        content.read_build(broken)


def test_the_build_is_read_chapter_by_chapter(tiny_build):
    build = content.read_build(tiny_build)
    assert [c.module for c in build.chapters] == ["alpha", "beta"]
    assert [line.texts["en"] for c in build.chapters for line in c.lines] == [
        "alpha first", "alpha second", "beta first", "beta second"]  # fmt: skip
    assert build.chapters[1].lines[0].start == pytest.approx(build.chapters[1].start, abs=1e-3)
    assert build.chapters[0].titles["zh-Hans"] != build.chapters[0].titles["en"]
    assert build.duration == pytest.approx(3.0)


def test_the_site_folder_has_everything_the_page_loads(tiny_site):
    for tag in ("en", "zh-Hans"):
        html = (tiny_site / page.page_name(tag)).read_text(encoding="utf-8")
        sources = re.findall(r'(?:src|href)="([^"#][^"]*)"', html)
        local = [s for s in sources if not s.startswith("data:")]
        absent = [s for s in local if not (tiny_site / s).is_file()]
        assert local and absent == []
        assert not [s for s in local if re.match(r"[a-z]+://|//", s)], "no request outside the folder"
        assert f'lang="{tag}"' in html
    for font in ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"):
        assert (tiny_site / "assets" / "katex" / "fonts" / font).is_file(), "the fonts KaTeX's CSS asks for"
    assert json.loads((tiny_site / "data" / "cases.json").read_text())["runs"]


def test_an_interrupted_build_keeps_the_old_page_and_leaves_nothing_half_written(tiny_build, tmp_path, monkeypatch):
    target = tmp_path / "site"
    page.build_site(tiny_build, target, tmp_path / "no-slides")
    before = (target / "index.html").read_text(encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(page, "render_page", interrupted)
    with pytest.raises(KeyboardInterrupt):
        page.build_site(tiny_build, target, tmp_path / "no-slides")
    assert (target / "index.html").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no partial folder left beside it"


def test_missing_clips_and_slides_say_how_to_build_them(tiny_site):
    html = (tiny_site / "index.html").read_text(encoding="utf-8")
    missing = str(escape(translate(PAGE["clip_missing"].template, "en").split("{command}")[0]))
    assert html.count(missing) == 3, "the three derivations' chapters are not in the tiny build"
    assert "<code>make slides</code>" in html and "<code>make slides LOCALE=zh-Hans</code>" in html
    assert 'href="clips/alpha.mp4"' in html, "the clips that are built are linked"


@pytest.mark.parametrize(("name", "version"), [("KaTeX", "0.19.1"), ("katex", "latest"), ("ka tex", "1.0.0")])
def test_an_npm_package_must_be_named_and_pinned_exactly(name, version):
    with pytest.raises(ValueError, match=re.escape(repr(name if " " in name or name != name.lower() else version))):
        vendor.package_files(name, version)


@pytest.fixture
def served(tiny_site):
    """The tiny page on a free localhost port (tools/site.py --serve)."""
    running = serve.server(tiny_site, 0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{running.server_address[1]}"
    running.shutdown()
    running.server_close()


def fetch(url: str, byte_range: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Range": byte_range} if byte_range else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_the_server_answers_range_requests_so_the_video_can_seek(served, tiny_site):
    video = (tiny_site / "video.mp4").read_bytes()
    status, headers, body = fetch(f"{served}/video.mp4", "bytes=100-199")
    assert (status, body, headers["Content-Range"]) == (206, video[100:200], f"bytes 100-199/{len(video)}")
    assert fetch(f"{served}/video.mp4", "bytes=-10")[2] == video[-10:]
    assert fetch(f"{served}/video.mp4", f"bytes={len(video) - 5}-")[2] == video[-5:]
    assert fetch(f"{served}/video.mp4", f"bytes={len(video)}-")[0] == 416
    status, headers, body = fetch(f"{served}/video.mp4")
    assert (status, body, headers["Accept-Ranges"]) == (200, video, "bytes")
    assert b"<html" in fetch(f"{served}/")[2]


def test_serving_a_folder_without_a_page_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make site` first"):
        serve.server(tmp_path, 0)
