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

from scenes.i18n import LANGUAGES, Msg, as_message, english

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
    """One spoken line: its id, the caption shown in the silent edition and the sentence the narrator says, as
    messages; the English of each (``caption``, ``spoken``: the id and the voice) and every language's
    (``shown``, ``said``) come from them."""

    id: str
    caption_message: Msg
    said_message: Msg

    @property
    def caption(self) -> str:
        """The caption in English."""
        return self.caption_message.english

    @property
    def spoken(self) -> str:
        """The sentence the narrator says (English)."""
        return self.said_message.english

    def shown(self, tag: str) -> str:
        """The caption in language ``tag``."""
        return self.caption_message.in_(tag)

    def said(self, tag: str) -> str:
        """The spoken sentence in language ``tag``: the narrated edition's subtitle in that language."""
        return self.said_message.in_(tag)

    def record(self) -> dict[str, object]:
        """The line as JSON-ready data: id, English caption and spoken line, and both in every language."""
        return {
            "id": self.id, "caption": self.caption, "spoken": self.spoken,
            "captions": {tag: self.shown(tag) for tag in LANGUAGES},
            "sayings": {tag: self.said(tag) for tag in LANGUAGES},
        }  # fmt: skip


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
        if not english(said).strip():
            raise ValueError(f"the spoken line for caption {english(caption)!r} is empty")
        base = key if key is not None else slug(english(caption))
        line_slug, n = base, 1
        while line_slug in self._used:
            n += 1
            line_slug = f"{base}-{n}"
        self._used.add(line_slug)
        line = Line(f"{self.chapter_module}/{line_slug}", as_message(caption), as_message(said))
        self.lines.append(line)
        return line
