"""Render the chapters as manim-slides decks and convert them to one offline HTML file, a PDF and a PowerPoint.

    python tools/slides.py --quality m                    # build/slides/720p30/slides.html, .pdf, .pptx
    python tools/slides.py --quality m --locale zh-Hans   # build/slides/720p30-zh-Hans/: Chinese on screen and in notes

Every caption is a pause with the spoken line as the speaker notes, in the deck's language.

The HTML embeds every video and reveal.js itself (--one-file --offline). reveal.js comes
from the npm registry (tools/vendor.py), since manim-slides would fetch it from a CDN; the
files are placed in manim-slides' asset cache under build/cache.
Chapters whose inputs did not change are not rendered again; outputs are written atomically.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.atomic import atomic_output, copy_atomically, write_text_atomically
from scenes.i18n import LANGUAGES, SOURCE
from scenes.video import Chapter
from tools.chapter_render import check_system
from tools.editions import QUALITIES, manim_environment, select
from tools.inputs import input_hash
from tools.plumbing import Children, parallel_map, run_cli, shown
from tools.vendor import package_files

#: The reveal.js version manim-slides' HTML template asks for (manim_slides.convert.RevealJS).
REVEAL_VERSION = "6.0.1"
#: Files the template links: asset name (as manim-slides caches it) -> path inside the npm package.
REVEAL_ASSETS = {
    "reveal.css": "dist/reveal.css",
    "black.css": "dist/theme/black.css",
    "zenburn.css": "dist/plugin/highlight/zenburn.css",
    "reveal.js": "dist/reveal.js",
    "notes.js": "dist/plugin/notes.js",
    "markdown.js": "dist/plugin/markdown.js",
    "highlight.js": "dist/plugin/highlight.js",
    "math.js": "dist/plugin/math.js",
    "search.js": "dist/plugin/search.js",
    "zoom.js": "dist/plugin/zoom.js",
}
CACHE_HOME = ROOT / "build" / "cache"
MANIM_SLIDES = Path(sys.executable).with_name("manim-slides")


#: What `make slides` writes, in order: manim-slides' convert formats.
FORMATS = ("html", "pdf", "pptx")


def slides_dir(quality: str, locale: str = SOURCE.tag) -> Path:
    """build/slides/<resolution> (English) or build/slides/<resolution>-<locale>."""
    return ROOT / "build" / "slides" / (QUALITIES[quality] + ("" if locale == SOURCE.tag else f"-{locale}"))


def ensure_reveal_assets() -> Path:
    """Put reveal.js's files where manim-slides looks for cached assets; returns that folder."""
    cache = CACHE_HOME / "manim-slides" / f"revealjs{REVEAL_VERSION}"
    if all((cache / name).exists() for name in REVEAL_ASSETS):
        return cache
    package = package_files("reveal.js", REVEAL_VERSION)
    cache.mkdir(parents=True, exist_ok=True)
    for name, inner in REVEAL_ASSETS.items():
        if (package / inner).exists():
            copy_atomically(package / inner, cache / name)
    missing = [name for name in REVEAL_ASSETS if not (cache / name).exists()]
    if missing:
        print(f"slides: reveal.js {REVEAL_VERSION} has no {missing}; the template may not need them")
    return cache


def render_deck(
    chapter: Chapter, quality: str, log: Callable[[str], None], children: Children, locale: str = SOURCE.tag
) -> None:
    """manim-slides render (a child in ``children``) of one chapter's slide class, unless its inputs are unchanged."""
    work = slides_dir(quality, locale)
    stamp = work / "stamps" / f"{chapter.module}.hash"
    digest = input_hash(chapter, quality, narrated=False, locale=locale) + (ROOT / "scenes" / "slides.py").read_text()
    name = f"{chapter.scene}Slides"
    if stamp.exists() and stamp.read_text() == digest and (work / "slides" / f"{name}.json").exists():
        log(f"{chapter.module}: unchanged")
        return
    log(f"{chapter.module}: rendering slides")
    started = time.monotonic()
    result = children.run(
        [str(MANIM_SLIDES), "render", "-c", str(ROOT / "manim.cfg"), f"-q{quality}", "--disable_caching",
         "--progress_bar", "none", "--media_dir", str(work / "media" / chapter.module),
         str(ROOT / "scenes" / "slides.py"), name],
        cwd=work, env=manim_environment(narrated=False, locale=locale),  # silent: captions on screen, no voice
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"manim-slides failed on {chapter.module}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    write_text_atomically(stamp, digest)
    log(f"{chapter.module}: slides done in {time.monotonic() - started:.0f} s")


def convert(chapters: Sequence[Chapter], quality: str, fmt: str, target: Path, locale: str = SOURCE.tag) -> None:
    """manim-slides convert to ``fmt`` (html, pdf or pptx), written atomically to ``target``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown slide format {fmt!r}; formats: {', '.join(FORMATS)}")
    work = slides_dir(quality, locale)
    options = ["--one-file", "--offline", "-cslide_number=true", "-cprogress=true"] if fmt == "html" else []
    env = dict(os.environ, XDG_CACHE_HOME=str(CACHE_HOME))
    with atomic_output(target) as tmp:
        try:
            subprocess.run(
                [str(MANIM_SLIDES), "convert", "--folder", str(work / "slides"), "--to", fmt, *options,
                 *[f"{c.scene}Slides" for c in chapters], str(tmp)],
                cwd=work, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
        finally:
            # manim-slides puts the HTML's assets beside it; --one-file has inlined them by then.
            shutil.rmtree(tmp.with_name(f"{tmp.stem}_assets"), ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="m")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="a deck of these chapters only")
    parser.add_argument("--locale", choices=list(LANGUAGES), default=SOURCE.tag, help="the deck's language")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    chapters = select(args.only)  # an unknown name: UsageError, one line from run_cli
    check_system()
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", flush=True)

    ensure_reveal_assets()
    out = slides_dir(args.quality, args.locale)
    out.mkdir(parents=True, exist_ok=True)
    children = Children()
    parallel_map(
        lambda chapter: render_deck(chapter, args.quality, log, children, args.locale), chapters, args.jobs, children
    )
    for fmt in FORMATS:
        target = out / f"slides.{fmt}"
        convert(chapters, args.quality, fmt, target, args.locale)
        note = " (works offline)" if fmt == "html" else ""
        log(f"wrote {shown(target, ROOT)} ({target.stat().st_size / 1e6:.0f} MB){note}")
    return 0


if __name__ == "__main__":
    run_cli(main)
