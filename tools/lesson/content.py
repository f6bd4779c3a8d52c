"""What the lesson page shows, read from a narrated build (``make video``) and from mathcore, in one language.

- ``read_build(folder)``: the joined video, its chapters (from the clip index), its spoken lines in every language
  (the subtitle tracks, cue for cue), and which clips, slides and subtitle files exist to download.
- ``derivations(tag)``: Lemma 1, Theorem 2.1 and the momentum theorem as sympy derived them (mathcore's ``.steps``:
  the LaTeX sympy printed), each step with its caption in language ``tag``, and the chapter that animates it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from mathcore import derivations as D
from scenes.i18n import LANGUAGES, SOURCE
from scenes.video import CHAPTERS
from tools import tracks
from tools.lesson.strings import STEPS


@dataclass(frozen=True)
class Line:
    """One spoken line: its span in the joined video and its text in every language."""

    start: float
    end: float
    texts: dict[str, str]


@dataclass(frozen=True)
class ChapterEntry:
    """A chapter of the joined video: its number, module, titles (every language), start and length."""

    number: int
    module: str
    titles: dict[str, str]
    start: float
    duration: float
    lines: list[Line] = field(default_factory=list)
    clip: Path | None = None  #: the chapter's narrated clip, if built

    def title(self, tag: str) -> str:
        """The title in language ``tag`` (English when the build has none in it)."""
        return self.titles.get(tag, self.titles[SOURCE.tag])


@dataclass(frozen=True)
class Build:
    """A narrated build's files the page uses."""

    folder: Path
    video: Path
    duration: float
    subtitles: dict[str, Path]  #: language -> the joined video's WebVTT
    chapters: list[ChapterEntry]
    downloads: dict[str, list[Path]]  #: what -> files that exist (subtitles, chapter lists)


class MissingBuildError(FileNotFoundError):
    """The build the page is made from is missing a file: the message says which and what makes it."""


def _required(path: Path, make: str) -> Path:
    if not path.is_file():
        raise MissingBuildError(f"{path} is missing: run `{make}` first")
    return path


def read_build(folder: Path, make: str = "make video") -> Build:
    """The joined narrated video in ``folder`` (e.g. build/1080p60), its chapters and spoken lines, and its files.

    Raises MissingBuildError naming the first missing file, and ValueError when the subtitle tracks disagree.
    """
    from tools.plumbing import probe

    video = _required(folder / "video.mp4", make)
    index = json.loads(_required(folder / "chapters" / "index.json", make).read_text(encoding="utf-8"))
    subtitles = {tag: _required(folder / f"video.{tag}.vtt", make) for tag in LANGUAGES}
    cues = {tag: tracks.read_cues(_required(folder / f"video.{tag}.srt", make)) for tag in LANGUAGES}
    english = cues[SOURCE.tag]
    for tag, theirs in cues.items():
        if [(c.start, c.end) for c in theirs] != [(c.start, c.end) for c in english]:
            raise ValueError(f"{folder}: the {tag} subtitles are not timed cue for cue as the English ones")
    lines = [Line(c.start, c.end, {tag: cues[tag][i].text for tag in LANGUAGES}) for i, c in enumerate(english)]
    chapters = []
    for row in index:
        start, duration = float(row["start_s"]), float(row["duration_s"])
        own = [line for line in lines if start <= line.start < start + duration]
        clip = folder / "chapters" / str(row["file"])
        chapters.append(ChapterEntry(int(row["number"]), str(row["module"]), dict(row["titles"]), start, duration,
                                     own, clip if clip.is_file() else None))  # fmt: skip
    placed = sum(len(chapter.lines) for chapter in chapters)
    if placed != len(lines):
        raise ValueError(f"{folder}: {len(lines) - placed} spoken lines fall outside every chapter of index.json")
    downloads = {
        "subtitles": [p for tag in LANGUAGES for p in (folder / f"video.{tag}.srt", folder / f"video.{tag}.vtt")],
        "chapter_lists": [p for tag in LANGUAGES if (p := folder / f"video.chapters.{tag}.txt").is_file()],
    }
    return Build(folder, video, probe(video).duration, subtitles, chapters, downloads)


#: Where sympy's LaTeX of a step joins two formulas (``a,\quad b``): the page sets each on a line of its own, so a
#: step fits a phone's width.
FORMULA_SEPARATOR = re.compile(r",\\quad\s*")


@dataclass(frozen=True)
class ShownStep:
    """A derivation step as the page shows it: sympy's LaTeX and the caption in the page's language."""

    key: str
    latex: str
    caption: str

    @property
    def parts(self) -> list[str]:
        """The step's formulas, one per line (sympy's LaTeX split where it joins them with a comma and a quad)."""
        return FORMULA_SEPARATOR.split(self.latex)


@dataclass(frozen=True)
class ShownDerivation:
    """A derivation on the page: its heading (a PAGE key), its steps, and the chapter that animates it."""

    name: str
    heading: str
    steps: list[ShownStep]
    chapter: str  #: the module of the chapter that animates it


#: The derivations the page shows: (name, builder, PAGE heading key, the chapter that animates it).
SHOWN = (
    ("lemma_1", D.lemma_1, "lemma_heading", "lemma_one"),
    ("theorem_2_1", D.theorem_2_1, "theorem_heading", "reprojection"),
    ("momentum_theorem", D.momentum_theorem, "momentum_heading", "momentum"),
)


def derivations(tag: str) -> list[ShownDerivation]:
    """The page's derivations in language ``tag``; ValueError naming a step that has no caption on the page."""
    known = {chapter.module for chapter in CHAPTERS}
    shown = []
    for name, build, heading, chapter in SHOWN:
        if chapter not in known:
            raise ValueError(f"{name}: no chapter {chapter!r} in scenes/video.py")
        captions = STEPS[name]
        steps = []
        for step in build().steps:
            if step.key not in captions:
                raise ValueError(f"{name}: step {step.key!r} has no caption in tools/lesson/strings.py STEPS")
            steps.append(ShownStep(step.key, step.latex, captions[step.key].in_(tag)))
        shown.append(ShownDerivation(name, heading, steps, chapter))
    return shown
