"""The lesson page in a real browser (Debian's Chromium, headless, through Playwright), opened from file:// as a
reader would open the folder: what a person checks, on the tiny build's page (test_lesson.py: the build itself)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from scenes.i18n import CHINESE
from tests.scenes.test_catalogue import NAMES
from tests.tools.conftest import CHINESE_CUES
from tools.lesson import page as lesson
from tools.lesson.browser import PHONE, chromium
from tools.plumbing import probe

#: One pytest-xdist worker runs these, with one browser.
pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.slow]
#: Latin words the Chinese page may keep: names (the video's, and the tiny build's chapters) and the number type.
LATIN_NAMES = NAMES | {"ferenc", "katex", "alpha", "beta"}
#: The explorable's two panels and two plots.
CANVASES = ("panel-decayed", "panel-exploded", "plot-angle", "plot-gap")
#: The page's video element, in the page's JavaScript.
VIDEO = "document.getElementById('lesson-video')"


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


class Visit:
    """A page opened in a fresh tab, with everything it logged and every request it made."""

    def __init__(self, browser, site, tag="en", viewport=None):
        self.tab = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
        self.console, self.requests = [], []
        self.tab.on("console", lambda m: self.console.append((m.type, m.text)))
        self.tab.on("pageerror", lambda e: self.console.append(("pageerror", str(e))))
        self.tab.on("request", lambda r: self.requests.append(r.url))
        self.tab.goto((site / lesson.page_name(tag)).resolve().as_uri())
        self.tab.wait_for_function("window.Explorable && window.Explorable.state.updates > 0")
        self.tab.wait_for_function("document.getElementById('lesson-video').readyState >= 1")

    def __call__(self, script, argument=None):
        return self.tab.evaluate(script, argument)


@pytest.fixture
def visit(browser, tiny_site):
    opened = []

    def open_page(tag="en", viewport=None):
        opened.append(Visit(browser, tiny_site, tag, viewport))
        return opened[-1]

    yield open_page
    for each in opened:
        each.tab.close()


@pytest.mark.parametrize("tag", ["en", "zh-Hans"])
def test_no_console_error_and_no_request_outside_the_folder(visit, tiny_site, tag):
    page = visit(tag)
    page.tab.wait_for_timeout(300)
    assert [entry for entry in page.console if entry[0] in ("error", "pageerror")] == []
    folder = tiny_site.resolve().as_uri() + "/"
    outside = [url for url in page.requests if not url.startswith((folder, "data:"))]
    assert outside == [] and len(page.requests) > 10
    assert page("document.querySelectorAll('.math .katex').length") == page("document.querySelectorAll('.math').length")


def test_the_video_is_the_builds_and_as_long(visit, tiny_site):
    page = visit()
    assert page(f"{VIDEO}.duration") == pytest.approx(probe(tiny_site / "video.mp4").duration, abs=0.05)


def test_the_subtitle_buttons_show_the_chinese_cues_and_none(visit):
    page = visit()
    tracks = page("Array.from(document.getElementById('lesson-video').textTracks, t => [t.language, t.label, t.mode])")
    assert [(t[0], t[2]) for t in tracks] == [("en", "showing"), ("zh-Hans", "disabled")]
    page.tab.click('.subtitle-choice button[data-track="zh-Hans"]')
    assert page(f"Array.from({VIDEO}.textTracks, t => t.mode)") == ["disabled", "showing"]
    assert page("document.querySelector('.subtitle-choice [aria-pressed=\"true\"]').dataset.track") == "zh-Hans"
    page(f"{VIDEO}.currentTime = 1.2")  # beta's first cue: 1.0 s into the video
    page.tab.wait_for_function("() => { const t = Array.from(document.getElementById('lesson-video').textTracks)"
                               ".find(t => t.language === 'zh-Hans'); return t.activeCues && t.activeCues.length; }")
    shown = page("Array.from(Array.from(document.getElementById('lesson-video').textTracks)"
                 ".find(t => t.language === 'zh-Hans').activeCues, c => c.text)")
    assert shown == [CHINESE_CUES[0].format(name="beta")]
    page.tab.click('.subtitle-choice button[data-track=""]')
    assert page(f"Array.from({VIDEO}.textTracks, t => t.mode)") == ["disabled", "disabled"]


def test_a_chapter_and_a_transcript_line_seek_the_video_and_playing_highlights_the_line(visit):
    page = visit()
    # A click seeks and plays: count the plays instead, so that the time read back is the one the click set.
    page(f"""() => {{ window.played = 0;
        {VIDEO}.play = function () {{ window.played++; return Promise.resolve(); }}; }}""")
    page.tab.click("#chapter-list li:nth-child(2) button")
    assert page(f"{VIDEO}.currentTime") == pytest.approx(1.0, abs=1e-3) and page("window.played") == 1
    line = page.tab.locator("#transcript-lines .line").nth(1)  # alpha second
    line.locator("button").click()
    start = float(line.get_attribute("data-start"))
    assert 0.4 < start < 0.6 and page(f"{VIDEO}.currentTime") == pytest.approx(start, abs=1e-3)
    assert page("window.played") == 2
    page(f"() => {{ delete {VIDEO}.play; }}")  # the element's own play again
    page(f"() => {{ const v = {VIDEO}; v.muted = true; v.currentTime = 1.05; return v.play(); }}")
    page.tab.wait_for_function("document.getElementById('lesson-video').currentTime > 1.3")
    page("document.getElementById('lesson-video').pause()")
    page.tab.wait_for_function("document.querySelector('.line.current') !== null")
    now = page("document.getElementById('lesson-video').currentTime")
    current = page("[Number(document.querySelector('.line.current').dataset.start), "
                   "Number(document.querySelector('.line.current').dataset.end)]")
    assert current[0] <= now < current[1], "the highlighted line is the one being spoken"
    assert page("document.querySelector('.line.current .text').textContent") == "beta first"


def test_the_search_box_filters_the_lines(visit):
    page = visit()
    page.tab.fill("#search", "SECOND")
    assert page("Array.from(document.querySelectorAll('.line:not([hidden]) .text'), e => e.textContent)") == [
        "alpha second", "beta second"]  # fmt: skip
    assert page("document.getElementById('search-count').textContent") == "2 of 4 lines"
    page.tab.fill("#search", "gamma")
    assert page("document.querySelectorAll('.line:not([hidden])').length") == 0
    assert "gamma" in page("document.getElementById('search-count').textContent")


def test_a_slider_redraws_the_runs_and_the_readouts(visit):
    page = visit()

    def picture():  # the pixels as shown (a canvas with a file:// image in it cannot be read back by the page)
        shown = [page.tab.locator(f"#{name}").screenshot() for name in CANVASES]
        return shown, page("['readout-alpha', 'readout-growth', 'readout-gap']"
                           ".map(id => document.getElementById(id).textContent)")

    before = picture()
    page("() => { const s = document.getElementById('slider-weight_decay'); s.value = 0.2;"
         " s.dispatchEvent(new Event('input')); }")
    after = picture()
    assert all(a != b for a, b in zip(before[0], after[0])), "every picture changed"
    assert before[1][0] != after[1][0] and before[1][1] != after[1][1], "α and the growth changed"
    assert page("Explorable.recipe().weight_decay") == 0.2


def test_the_browsers_numbers_are_mathcores(visit, tiny_site):
    """The page's own code (LessonMath, LessonFormulas) on the cases mathcore computed: every step within 1e-9."""
    page = visit()
    cases = json.loads((tiny_site / "data" / "cases.json").read_text(encoding="utf-8"))
    wells = page("JSON.parse(document.getElementById('lesson-data').textContent).settings.wells")
    results = page("""([wells, cases]) => cases.map(c => { const r = LessonMath.twinRuns(wells, c.start, c.recipe);
        return r.refused ? {refused: r.refused} : {alpha: r.alpha, decayed: Array.from(r.decayed),
        exploded: Array.from(r.exploded), gap: Array.from(r.gap)}; })""", [wells, cases["runs"] + cases["refused"]])
    tolerance = cases["agreement"]
    for case, result in zip(cases["runs"], results):
        assert result["alpha"] == pytest.approx(case["alpha"], rel=1e-14), case["name"]
        for name in ("decayed", "exploded"):
            # (float: a whole number the browser sends, such as 3e22, arrives as a Python int)
            ours, theirs = np.array(result[name], dtype=float).reshape(-1, 2), np.array(case[name], dtype=float)
            relative = np.linalg.norm(ours - theirs, axis=1) / np.linalg.norm(theirs, axis=1)
            worst = f"{case['name']}, {name}: {relative.max():.2e} at step {relative.argmax()}"
            assert relative.max() <= tolerance, worst
        assert np.max(np.abs(np.array(result["gap"], dtype=float) - np.array(case["gap"]))) <= tolerance
    for case, result in zip(cases["refused"], results[len(cases["runs"]):]):
        assert result["refused"]["kind"] == case["kind"], case["name"]
        assert result["refused"].get("step") == case.get("step"), case["name"]


@pytest.mark.parametrize("tag", ["en", "zh-Hans"])
@pytest.mark.parametrize(("settings", "kind"), [({"lr": 1.0, "weight_decay": 1.0}, "lr_weight_decay"),
                                                ({"lr": 0.5, "weight_decay": 0.5, "momentum": 0.5}, "no_real_alpha"),
                                                ({"lr": 0.9, "weight_decay": 1.0, "steps": 2000}, "overflow")])
def test_a_setting_the_theorem_forbids_is_shown_as_such(visit, settings, kind, tag):
    page = visit(tag)
    page("""(settings) => { for (const [name, value] of Object.entries(settings)) {
        document.getElementById('slider-' + name).value = value; }
        document.getElementById('slider-lr').dispatchEvent(new Event('input')); }""", settings)
    message = page("document.getElementById('refusal')")
    assert page("!document.getElementById('refusal').hidden") and message is not None
    text = page("document.getElementById('refusal').textContent")
    template = lesson.translate(lesson.PAGE[f"refused_{kind}"].template, tag)
    assert text.startswith(template.split("{")[0]) and "{" not in text, text
    assert page("document.getElementById('readout-alpha').textContent") == "—", "no number from a forbidden run"
    page.tab.click("#reset")
    assert page("document.getElementById('refusal').hidden")


def test_the_chinese_page_has_no_english_outside_formulas_code_and_names(visit):
    page = visit(CHINESE.tag)
    prose = page("""() => { const copy = document.body.cloneNode(true);
        for (const e of copy.querySelectorAll('.math, .katex, code, script, style, [lang="en"], video')) e.remove();
        return copy.innerText; }""")
    latin = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9]{2,}", prose)  # float64 and Huszár are one word each
    words = {w for w in latin if w.lower() not in LATIN_NAMES and not w.isupper() and not re.search(r"\d", w)}
    assert words == set(), sorted(words)
    assert re.search(r"[\u4e00-\u9fff]{20}", prose), "the page is in Chinese"


@pytest.mark.parametrize("tag", ["en", "zh-Hans"])
@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_nothing_runs_off_the_page_sideways(visit, tag, viewport):
    page = visit(tag, viewport)
    assert page("document.documentElement.scrollWidth") <= viewport["width"]
    # Every panel and plot fits its column (the canvases scale with the page).
    widths = page("Array.from(document.querySelectorAll('canvas'), c => c.getBoundingClientRect().right)")
    assert max(widths) <= viewport["width"]
