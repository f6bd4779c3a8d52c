"""The spoken script: one line per caption, with a stable id, and the edition switch.

The narrated edition (``NARRATION=on``, the default) speaks every caption and shows no caption bar;
the silent edition (``NARRATION=off``) burns the captions in. Both come from the same scene code:
``ChapterMixin.caption(text, say=...)`` makes a :class:`Line` either way, so the script (and its
checks) is the same in both editions. A line's id is ``<chapter module>/<slug of its caption>``;
the voice cache, the recorded-voice override (``assets/voice/<id>.wav``) and translations use it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import NamedTuple

from scenes.i18n import LANGUAGES, Msg, as_message, english, localized

#: The environment variable that picks the edition; tools/render.py sets it for every chapter it renders.
EDITION_VARIABLE = "NARRATION"
#: Words of the caption that make a line's slug: enough to tell a chapter's lines apart.
SLUG_WORDS = 6
#: Silence after a line before the next one may start (seconds).
PAUSE_AFTER_LINE = 0.35


def narrated() -> bool:
    """Whether this render is the narrated edition: ``NARRATION`` is ``on`` (default) or ``off``."""
    value = os.environ.get(EDITION_VARIABLE, "on").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{EDITION_VARIABLE} must be 'on' or 'off', got {value!r}")
    return value == "on"


def slug(caption: str) -> str:
    """A stable slug from a caption's first words: lower-case letters only, so computed numbers do not move it."""
    words = re.findall(r"[a-z]+", caption.lower())[:SLUG_WORDS]
    return "-".join(words) or "line"


class Said(NamedTuple):
    """A beat's caption (silent edition) with the sentence the narrator says instead (narrated edition)."""

    caption: str | Msg
    say: str | Msg


@dataclass(frozen=True)
class Line:
    """One spoken line: its id, the caption shown in the silent edition and the sentence the narrator says
    (both English), and both in every language of the video (``shown``, ``said``)."""

    id: str
    caption: str
    spoken: str
    captions: dict[str, str]  #: language tag → the caption in that language
    sayings: dict[str, str]  #: language tag → the spoken sentence in that language (its subtitle)
    caption_message: Msg  #: the caption as a message (translated again when the subtitles are published)
    said_message: Msg  #: the spoken sentence as a message

    def shown(self, tag: str) -> str:
        """The caption in language ``tag``."""
        return self.captions[tag]

    def said(self, tag: str) -> str:
        """The spoken sentence in language ``tag``: the narrated edition's subtitle in that language."""
        return self.sayings[tag]


class Script:
    """The lines of one chapter, in order, with ids unique within the chapter."""

    def __init__(self, chapter_module: str) -> None:
        self.chapter_module = chapter_module
        self.lines: list[Line] = []
        self._used: set[str] = set()

    def add(self, caption: str | Msg, say: str | Msg | None = None, key: str | None = None) -> Line:
        """Record the line for ``caption``; ``say`` is the spoken sentence when it differs from the caption,
        ``key`` a slug to use instead of one made from the caption (for lines without a caption).

        The id and the voice come from the English; a plain str is the same in every language (a name).
        """
        said = caption if say is None else say
        spoken = english(said)
        if not spoken.strip():
            raise ValueError(f"the spoken line for caption {english(caption)!r} is empty")
        base = key if key is not None else slug(english(caption))
        line_slug, n = base, 1
        while line_slug in self._used:
            n += 1
            line_slug = f"{base}-{n}"
        self._used.add(line_slug)
        line = Line(
            f"{self.chapter_module}/{line_slug}", english(caption), spoken,
            {tag: localized(caption, tag) for tag in LANGUAGES}, {tag: localized(said, tag) for tag in LANGUAGES},
            as_message(caption), as_message(said),
        )  # fmt: skip
        self.lines.append(line)
        return line
