"""Write the lesson page's folder: index.html (English) and index.zh-Hans.html, the video and its subtitle tracks,
the clips, downloads, KaTeX (vendored from the npm registry), the explorable's scripts and data, and the file of
mathcore's cases that the browser tests check the explorable against.

Everything the page loads is inside the folder (no CDN, no font service), so it works from ``file://`` and from any
static web server. The folder is made beside the target and moved into place when complete: an interrupted build
leaves the previous page (or none), never a half-written one. Big media files are hard-linked from the build when
they are on the same file system (copied otherwise).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from common.atomic import atomic_output, copy_atomically, write_text_atomically
from scenes.i18n import LANGUAGES, SOURCE, translate
from scenes.video import POSTER_CHAPTER
from tools.join import timestamp
from tools.lesson import explorable
from tools.lesson.content import SHOWN, Build, derivations, read_build
from tools.lesson.strings import PAGE
from tools.stills import POSTER_LEAD_SECONDS, frame_at, highlight_span
from tools.vendor import package_files

HERE = Path(__file__).resolve().parent
#: KaTeX, from the npm registry (MIT licence); the files the page loads, relative to the package.
KATEX_VERSION = "0.19.1"
KATEX_FILES = ("dist/katex.min.js", "dist/katex.min.css", "dist/fonts", "LICENSE")
#: The page's own scripts and style (tools/lesson/static/), copied as they are.
STATIC_FILES = ("lesson.css", "page.js", "lesson-math.js", "explorable.js")
#: The chapters whose clips the derivations show.
ANIMATING = frozenset(chapter for *_, chapter in SHOWN)
#: PAGE strings the scripts fill in themselves (they keep their {placeholders}).
SCRIPT_STRINGS = (
    "search_count", "search_none", "view_extent", "play", "pause", "refused_lr_weight_decay",
    "refused_no_real_alpha", "refused_overflow", "refused_other", "readout_step",
)  # fmt: skip


def page_name(tag: str) -> str:
    """index.html for English, index.<tag>.html for another language."""
    return "index.html" if tag == SOURCE.tag else f"index.{tag}.html"


def with_code(template: str, command: str) -> Markup:
    """A translated sentence with its {command} placeholder as HTML code (the rest escaped)."""
    before, _, after = template.partition("{command}")
    return Markup("{}<code>{}</code>{}").format(before, command, after)


def vtt_data_url(path: Path) -> str:
    """A WebVTT file as a data: URL. Chromium refuses a <track> file from file:// (each file is its own origin),
    but reads one inline, so the subtitles work from the folder opened directly as well as from a server."""
    return "data:text/vtt;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def place(source: Path, target: Path) -> Path:
    """A build's media file ``source`` at ``target``: a hard link when possible (no space taken; the build replaces
    its files rather than writing into them, so the page keeps what it was made from), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target


def poster(video: Path, seconds: float, target: Path, width: int = 1280) -> Path:
    """The frame of ``video`` at ``seconds``, at most ``width`` px wide, as a JPEG, atomically: what a player shows
    before it plays."""
    from PIL import Image

    image = frame_at(video, seconds)
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    with atomic_output(target) as tmp:
        image.save(tmp, quality=85)
    return target


def poster_time(clip: Path, duration: float) -> float:
    """When a chapter's clip shows its fullest picture: as the video's poster (tools/stills.py), just before its
    highlight ends; half-way through a clip without one."""
    span = highlight_span(clip)
    return duration / 2 if span is None else max(0.0, span[1] - POSTER_LEAD_SECONDS)


@dataclass(frozen=True)
class Download:
    """One line of the downloads: a label and its files (href, link text), or the command that makes them."""

    label: str
    files: list[tuple[str, str, bool]]  #: (href, link text, whether the text is a file name)
    missing: Markup | None = None


def slide_files(slides_root: Path, tag: str) -> list[Path]:
    """The built slide decks (HTML, PDF, PPTX) in language ``tag`` under build/slides, the default quality first."""
    from tools.editions import QUALITIES
    from tools.slides import FORMATS

    suffix = "" if tag == SOURCE.tag else f"-{tag}"
    default = QUALITIES["m"]  # make slides' SLIDES_QUALITY
    for resolution in (default, *(r for r in QUALITIES.values() if r != default)):
        found = [slides_root / f"{resolution}{suffix}" / f"slides.{fmt}" for fmt in FORMATS]
        if any(p.is_file() for p in found):
            return [p for p in found if p.is_file()]
    return []


def _json_script(data: object) -> Markup:
    """JSON safe inside a <script type="application/json"> element."""
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))


#: Names that must not break across lines (a narrow column would leave "Li" at the end of one line).
UNBROKEN = ("Li & Arora", "Ferenc Huszár", "ICLR 2020")


def typeset(text: str) -> str:
    """``text`` with the spaces inside UNBROKEN names made non-breaking."""
    for name in UNBROKEN:
        text = text.replace(name, name.replace(" ", "\u00a0"))
    return text


def render_page(build: Build, tag: str, placed: dict[str, object]) -> str:
    """The page in language ``tag`` (HTML)."""
    # The templates as translated: the ones with {placeholders} are filled in below or by the scripts.
    t = {name: typeset(translate(message.template, tag)) for name, message in PAGE.items()}
    chapters = [
        {
            "number": c.number, "title": c.title(tag), "start": c.start,
            "clock": timestamp(c.start),
            "lines": [{"start": line.start, "end": line.end, "clock": timestamp(line.start), "text": line.texts[tag]}
                      for line in c.lines],
        }
        for c in build.chapters
    ]  # fmt: skip
    by_module = {c.module: c for c in build.chapters}
    shown = []
    for derivation in derivations(tag):
        chapter = by_module.get(derivation.chapter)
        clip = placed["clips"].get(derivation.chapter)
        caption = ""
        if chapter is not None:
            title = chapter.title(tag)
            caption = translate(PAGE["clip_caption"].template, tag).format(number=chapter.number, title=title)
        shown.append({
            "name": derivation.name, "heading": t[derivation.heading], "steps": derivation.steps, "clip": clip,
            "caption": caption, "missing": None if clip else with_code(t["clip_missing"], "make clips"),
        })  # fmt: skip
    script_data = {
        "lang": tag,
        "settings": explorable.settings(),
        "strings": {name: translate(PAGE[name].template, tag) for name in SCRIPT_STRINGS},
    }
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    other = [LANGUAGES[other] for other in LANGUAGES if other != tag]
    return environment.get_template("index.html").render(
        lang=tag, t=t, chapters=chapters, derivations=shown, downloads=placed["downloads"][tag],
        video=placed["video"], poster=placed["poster"], tracks=placed["tracks"], duration=build.duration,
        others=[{"tag": o.tag, "name": o.name, "href": page_name(o.tag)} for o in other],
        palette=_palette(), data=_json_script(script_data), with_code=with_code,
    )  # fmt: skip


def _palette() -> dict[str, str]:
    """The video's colours, as CSS custom properties: they mean the same on the page (scenes.style.palette)."""
    from scenes.style import palette

    return {
        "background": palette.BACKGROUND, "text": palette.TEXT_COLOR, "muted": palette.MUTED,
        "decay": palette.DECAY_COLOR, "exp": palette.EXP_COLOR, "grad": palette.GRAD_COLOR, "norm": palette.NORM_COLOR,
    }  # fmt: skip


def _place_media(build: Build, work: Path, slides_root: Path) -> dict[str, object]:
    """Put the video, its tracks, the clips and the downloads into ``work``; returns their page-relative names."""
    place(build.video, work / "video.mp4")
    by_module = {chapter.module: chapter for chapter in build.chapters}
    cover = by_module.get(POSTER_CHAPTER)
    at = cover.start + poster_time(cover.clip, cover.duration) if cover and cover.clip else build.duration / 2
    poster(build.video, min(at, build.duration - 0.5), work / "assets" / "poster.jpg")
    tracks = []
    for tag, vtt in build.subtitles.items():
        tracks.append({"tag": tag, "name": LANGUAGES[tag].name, "src": vtt_data_url(vtt)})
    clips: dict[str, dict[str, object]] = {}
    for chapter in build.chapters:
        if chapter.clip is None:
            continue
        place(chapter.clip, work / "clips" / chapter.clip.name)
        sidecars = []
        for tag in LANGUAGES:
            vtt = chapter.clip.with_name(f"{chapter.clip.stem}.{tag}.vtt")
            if vtt.is_file():
                place(vtt, work / "clips" / vtt.name)
                sidecars.append({"tag": tag, "name": LANGUAGES[tag].name, "src": vtt_data_url(vtt)})
        clips[chapter.module] = {"src": f"clips/{chapter.clip.name}", "tracks": sidecars}
        if chapter.module in ANIMATING:  # the clips shown beside the derivations need a picture before they play
            cover = poster(chapter.clip, poster_time(chapter.clip, chapter.duration),
                           work / "assets" / "posters" / f"{chapter.module}.jpg")  # fmt: skip
            clips[chapter.module]["poster"] = cover.relative_to(work).as_posix()
    files = {
        "subtitles": [place(p, work / "downloads" / p.name) for p in build.downloads["subtitles"] if p.is_file()],
        "chapter_lists": [place(p, work / "downloads" / p.name) for p in build.downloads["chapter_lists"]],
    }
    decks = {tag: slide_files(slides_root, tag) for tag in LANGUAGES}
    slides = {tag: [place(p, work / "downloads" / "slides" / p.parent.name / p.name) for p in found]
              for tag, found in decks.items()}  # fmt: skip
    downloads = {tag: _downloads(tag, build, clips, files, slides, work) for tag in LANGUAGES}
    return {"video": "video.mp4", "poster": "assets/poster.jpg", "tracks": tracks, "clips": clips,
            "downloads": downloads}


def _downloads(tag: str, build: Build, clips: dict, files: dict, slides: dict, work: Path) -> list[Download]:
    def text(name: str) -> str:
        return translate(PAGE[name].template, tag)

    def links(paths: Iterable[Path]) -> list[tuple[str, str, bool]]:  # a file's name, shown as code
        return [(p.relative_to(work).as_posix(), p.name, True) for p in paths]

    number_title = translate("{number}. {title}", tag)
    clip_links = [(clips[c.module]["src"], number_title.format(number=c.number, title=c.title(tag)), False)
                  for c in build.chapters if c.module in clips]  # fmt: skip
    rows = [Download(text("download_clips"), clip_links,
                     None if clip_links else with_code(text("download_missing"), "make clips"))]  # fmt: skip
    for key, command, deck in (("download_slides", "make slides", slides[SOURCE.tag]),
                               ("download_slides_zh", "make slides LOCALE=zh-Hans", slides["zh-Hans"])):  # fmt: skip
        rows.append(Download(text(key), links(deck), None if deck else with_code(text("download_missing"), command)))
    rows.append(Download(text("download_subtitles"), links(files["subtitles"])))
    rows.append(Download(text("download_chapter_lists"), links(files["chapter_lists"])))
    return rows


def _place_assets(work: Path) -> None:
    """The page's scripts and style, the generated formulas, the heat map, KaTeX and the cases file."""
    assets = work / "assets"
    for name in STATIC_FILES:  # copies: a hard link would let an edit in the site folder change the source
        copy_atomically(HERE / "static" / name, assets / name)
    write_text_atomically(assets / "formulas.js", explorable.formulas_js())
    explorable.heatmap_png(assets / "heatmap.png")
    katex = package_files("katex", KATEX_VERSION)
    for inner in KATEX_FILES:
        source, target = katex / inner, assets / "katex" / Path(inner).name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            copy_atomically(source, target)
    explorable.write_cases(work / "data" / "cases.json")


def build_site(build_folder: Path, target: Path, slides_root: Path, make: str = "make video") -> Path:
    """Write the lesson page for the narrated build in ``build_folder`` into ``target`` (replaced when complete)."""
    build = read_build(build_folder, make)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        placed = _place_media(build, work, slides_root)
        _place_assets(work)
        for tag in LANGUAGES:
            write_text_atomically(work / page_name(tag), render_page(build, tag, placed))
        os.chmod(work, 0o755)
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


