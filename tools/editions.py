"""What a render is asked for (chapters, quality, edition, language) and where its files go.

- ``select(modules)``: the chapters named on a command line, in video order.
- ``build_dir(quality, narrated, locale)``: build/480p15 (narrated), build/480p15-silent, build/480p15-silent-zh-Hans.
- ``manim_environment(narrated, locale)``: what a manim child reads to render an edition (NARRATION, LOCALE).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from scenes.i18n import LANGUAGES, LOCALE_VARIABLE, SOURCE, language
from scenes.video import CHAPTERS, Chapter
from tools.plumbing import UsageError

#: The checkout: the render's inputs are read from here, manim runs here, build/ is here (unless BUILD_VARIABLE).
ROOT = Path(__file__).resolve().parent.parent
QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}
#: The scenes' switch between the editions: the environment variable and its values.
NARRATION_VARIABLE = "NARRATION"
NARRATION_VALUES = ("on", "off")
#: Builds go to build/ in the checkout, or to this folder when the variable is set (e.g. a worker's scratch disk).
BUILD_VARIABLE = "VIDEO_BUILD_DIR"


class UnknownChapterError(UsageError, ValueError):
    """A chapter name on the command line that is not in scenes/video.py."""


def select(modules: Iterable[str] | None) -> list[Chapter]:
    """The chapters named by module (all when None), in video order."""
    if not modules:
        return list(CHAPTERS)
    known = [c.module for c in CHAPTERS]
    unknown = [m for m in modules if m not in known]
    if unknown:
        names = ", ".join(repr(m) for m in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise UnknownChapterError(f"unknown chapter{plural} {names}; chapters: {', '.join(known)}")
    return [c for c in CHAPTERS if c.module in set(modules)]


def narration_value(narrated: bool) -> str:
    """``on`` or ``off``: the value of NARRATION for an edition."""
    return NARRATION_VALUES[0] if narrated else NARRATION_VALUES[1]


def check_edition(narrated: bool, locale: str) -> None:
    """Refuse an edition that does not exist: the narrated one is spoken in English (and carries every
    language's subtitles); another language is a silent edition."""
    language(locale)
    if narrated and locale != SOURCE.tag:
        raise UsageError(
            f"the narrated edition is in English, with subtitles in {', '.join(LANGUAGES)}; "
            f"for the {locale} edition use NARRATION=off (LOCALE={locale})"
        )


def build_root() -> Path:
    """build/ in the checkout, or ``$VIDEO_BUILD_DIR``."""
    return Path(os.environ.get(BUILD_VARIABLE) or ROOT / "build")


def build_dir(quality: str, narrated: bool = True, locale: str = SOURCE.tag) -> Path:
    """build/<resolution> (narrated), build/<resolution>-silent (silent, English) or
    build/<resolution>-silent-<locale> (silent, another language), e.g. build/480p15 for ``l``."""
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; qualities: {', '.join(QUALITIES)}")
    check_edition(narrated, locale)
    suffix = "" if narrated else "-silent" + ("" if locale == SOURCE.tag else f"-{locale}")
    return build_root() / (QUALITIES[quality] + suffix)


def manim_environment(narrated: bool, locale: str = SOURCE.tag) -> dict[str, str]:
    """The environment of a manim child: this process's, with NARRATION and LOCALE set for the edition."""
    return {**os.environ, NARRATION_VARIABLE: narration_value(narrated), LOCALE_VARIABLE: locale}
