"""The video's languages: every viewer-facing string is a :class:`Msg` looked up in one gettext catalogue.

English is the source language. A scene marks a string with ``_("...")`` (Babel's extractor finds it; see
``make translations``) and fills computed numbers in through named placeholders, so a translation can move
them: ``_("The runs part at step {step}").format(step=215)``. Formulas (sympy's LaTeX) are not translated.

``str(msg)`` gives the message in the render's language (the ``LOCALE`` environment variable: ``en``, the
default, or ``zh-Hans``; not ``LANG``, which would change every command's process locale); ``msg.in_(locale)``
in any language, e.g. the Chinese subtitle of a line the narrator says in English. The Simplified Chinese
catalogue is ``assets/locale/zh_Hans/LC_MESSAGES/video.po``. A string it lacks (or marks fuzzy, i.e. stale)
falls back to English, as gettext does, and is reported by :func:`untranslated`; the test suite fails on it.
No manim import here: tools/render.py reads the chapter titles' translations too.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType

ROOT = Path(__file__).resolve().parent.parent
#: The environment variable that picks the language of a render (tools/render.py sets it for every chapter).
LOCALE_VARIABLE = "LOCALE"
#: The catalogue folder (gettext layout: <dir>/<babel locale>/LC_MESSAGES/<domain>.po) and its template.
LOCALE_FOLDER = Path("assets") / "locale"
LOCALE_DIR = ROOT / LOCALE_FOLDER
DOMAIN = "video"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
#: Beside manim's .srt of a chapter, the chapter's record of its cues in every language (tools/render.py reads it).
CUES_SUFFIX = ".cues.json"


@dataclass(frozen=True)
class Language:
    """A language of the video: its BCP 47 tag (files, ``LOCALE``), its ISO 639-2/B code (MP4 tracks), its
    own name (track titles), the fonts its text is set in (a Pango family list, first choice first), Babel's
    name for its catalogue folder, and the line spacing of its multi-line text (manim's ``line_spacing``;
    None: manim's default)."""

    tag: str
    iso639_2: str
    name: str
    font: str
    babel: str
    line_spacing: float | None = None


SOURCE = Language("en", "eng", "English", "DejaVu Sans", "en")
#: Latin, Greek and symbols from DejaVu Sans as in English (Noto CJK would drop the tilde of θ̃ and draw ‖ full
#: width), Chinese from Noto Sans CJK SC (Debian's fonts-noto-cjk, tools/setup.sh); CJK lines need more leading.
CHINESE = Language("zh-Hans", "chi", "简体中文", "DejaVu Sans, Noto Sans CJK SC", "zh_Hans", line_spacing=0.8)
#: The family that draws the Chinese characters (fontconfig must resolve it to a real CJK font).
CJK_FAMILY = "Noto Sans CJK SC"
LANGUAGES: Mapping[str, Language] = MappingProxyType({language.tag: language for language in (SOURCE, CHINESE)})


def language(tag: str) -> Language:
    """The language with BCP 47 tag ``tag`` (``en`` or ``zh-Hans``)."""
    if tag not in LANGUAGES:
        raise ValueError(f"unknown locale {tag!r}; locales: {', '.join(LANGUAGES)}")
    return LANGUAGES[tag]


def current_locale() -> str:
    """The render's language: ``LOCALE`` (default ``en``), checked."""
    return language(os.environ.get(LOCALE_VARIABLE, SOURCE.tag).strip() or SOURCE.tag).tag


def catalogue_file(tag: str) -> Path:
    """The .po file of a translated language, relative to the checkout."""
    return LOCALE_FOLDER / language(tag).babel / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_path(tag: str) -> Path:
    """The .po file of a translated language (where this process reads it)."""
    return LOCALE_DIR / language(tag).babel / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(tag: str) -> Mapping[str, str]:
    """msgid → msgstr of the catalogue of ``tag``: only non-empty, non-fuzzy entries (a fuzzy one is stale)."""
    from babel.messages.pofile import read_po  # only a translated render needs Babel

    path = catalogue_path(tag)
    if not path.is_file():
        raise ValueError(f"no catalogue for locale {tag!r} at {path}: run `make translations`")
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return {m.id: m.string for m in catalogue if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


_missing: dict[str, set[str]] = {}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def translate(source: str, tag: str) -> str:
    """``source`` (an English msgid) in language ``tag``; English when the catalogue lacks it (see untranslated)."""
    if tag == SOURCE.tag or not _PLACEHOLDER.sub("", source).strip():
        return source  # the source language, or nothing but placeholders: nothing to translate
    found = _translations(language(tag).tag).get(source)
    if found is None:
        _missing.setdefault(tag, set()).add(source)
        return source
    return found


def untranslated(tag: str) -> list[str]:
    """The English strings this process asked for in ``tag`` that had no (current) translation."""
    return sorted(_missing.get(tag, ()))


def placeholders(template: str) -> set[tuple[str, str]]:
    """The named placeholders of a str.format template, as (name, format spec) pairs.

    A positional ``{}`` or ``{0}`` is refused: a translation must be able to reorder the values.
    """
    found = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if name == "" or name.isdigit():
            raise ValueError(f"{template!r} has a positional placeholder {{{name}}}; name it, e.g. {{step}}")
        found.add((name, spec or ""))
    return found


@dataclass(frozen=True)
class Msg:
    """A viewer-facing string: an English template (the msgid) and the values of its named placeholders."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def format(self, /, **values: object) -> Msg:
        """The message with its placeholders' values; every placeholder needs one, and no other name is taken."""
        names = {name for name, _ in placeholders(self.template)}
        if set(values) != names:
            missing, extra = sorted(names - set(values)), sorted(set(values) - names)
            raise ValueError(f"{self.template!r} takes {sorted(names)}; missing {missing}, unexpected {extra}")
        return Msg(self.template, MappingProxyType(dict(values)))

    def in_(self, tag: str) -> str:
        """The message in language ``tag``: the template translated, then the values (messages among them in
        the same language) put in."""
        names = {name for name, _ in placeholders(self.template)}
        if names - set(self.values):
            raise ValueError(f"{self.template!r} needs values for {sorted(names - set(self.values))}: call .format")
        values = {k: v.in_(tag) if isinstance(v, Msg) else v for k, v in self.values.items()}
        return translate(self.template, tag).format(**values)

    def to_record(self) -> dict[str, object]:
        """The message as JSON-ready data (template and values, messages among them too): ``from_record`` reads it
        back, to translate a chapter's subtitles after its render with whatever the catalogue says then."""
        values = {}
        for name, value in self.values.items():
            if isinstance(value, Msg):
                values[name] = value.to_record()
            elif isinstance(value, (bool, int, float, str)) or hasattr(value, "item"):
                values[name] = value.item() if hasattr(value, "item") else value  # numpy scalars as Python ones
            else:
                raise ValueError(f"{self.template!r}: value {name}={value!r} cannot be recorded (number, str, Msg)")
        return {"template": self.template, "values": values}

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> Msg:
        """The message ``to_record`` wrote."""
        try:
            values = {
                name: cls.from_record(value) if isinstance(value, dict) else value
                for name, value in dict(record["values"]).items()  # type: ignore[call-overload]
            }
            return cls(str(record["template"]), MappingProxyType(values))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a recorded message: {record!r}") from error

    @property
    def english(self) -> str:
        """The message in the source language (line ids, the voice, reading times come from it)."""
        return self.in_(SOURCE.tag)

    def __str__(self) -> str:
        return self.in_(current_locale())


def _(template: str) -> Msg:
    """Mark ``template`` (English) as a viewer-facing string: Babel's extractor collects every ``_("...")``."""
    if not isinstance(template, str) or not template:
        raise ValueError(f"a message needs a non-empty English template, got {template!r}")
    placeholders(template)
    return Msg(template)


def N_(template: str) -> str:  # gettext's name for a no-op marker
    """Mark a plain str constant for extraction without making it a Msg (e.g. chapter titles in scenes/video.py)."""
    return template


def localized(content: str | Msg, tag: str | None = None) -> str:
    """A plain str as it is (a name, a number); a Msg in language ``tag`` (default: the render's)."""
    if isinstance(content, Msg):
        return content.in_(current_locale() if tag is None else tag)
    return content


def english(content: str | Msg) -> str:
    """The English of a Msg, or a plain str as it is."""
    return content.english if isinstance(content, Msg) else content


def as_message(content: str | Msg) -> Msg:
    """A Msg for either: a plain str (a name, a number) becomes a message made only of a placeholder, which
    has nothing to translate and reads the same in every language."""
    if isinstance(content, Msg):
        return content
    return Msg("{text}", MappingProxyType({"text": content}))
