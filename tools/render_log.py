"""The render log: build/<resolution>/render_log.json, what one run of tools/render.py did and how long it took
(tools/bench.py reads it)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common.atomic import write_text_atomically
from scenes.i18n import SOURCE
from tools.chapter_render import RenderedChapter
from tools.editions import NARRATION_VALUES

#: The render's machine-readable timing log, in build/<quality>/ (read by tools/bench.py).
RENDER_LOG = "render_log.json"


@dataclass(frozen=True)
class ChapterTiming:
    """One chapter's line in the render log."""

    module: str
    seconds: float  #: wall time spent on the chapter
    reused: bool  #: True: inputs unchanged, the previous render was kept
    video_s: float  #: length of the chapter's video
    audio: bool = False  #: whether the clip has an audio track
    loudness_lufs: float | None = None  #: the clip's integrated loudness (decoded); None: no audio, or silent
    true_peak_dbtp: float | None = None  #: the clip's true peak (decoded); None: no audio

    @classmethod
    def of(cls, part: RenderedChapter) -> ChapterTiming:
        """The log line of a rendered (or reused) chapter."""
        levels = part.levels.rounded() if part.levels else {}
        return cls(part.chapter.module, round(part.seconds, 3), part.reused, round(part.duration, 3),
                   part.levels is not None, **levels)  # fmt: skip


@dataclass(frozen=True)
class RenderLog:
    """The machine-readable record of one run of this tool, written to build/<resolution>/render_log.json."""

    quality: str
    resolution: str
    jobs: int
    wall_s: float  #: the whole run, join included
    joined: bool  #: whether the run wrote the joined video
    chapters: tuple[ChapterTiming, ...] = field(default_factory=tuple)
    finished: str = ""  #: ISO 8601 time (UTC) the run ended
    narration: str = NARRATION_VALUES[0]  #: the edition: "on" (narrated) or "off" (silent)
    locale: str = SOURCE.tag  #: the edition's language (of its captions and labels; the narrated one is English)
    loudness_lufs: float | None = None  #: the joined video's integrated loudness (decoded); None: not joined, no audio
    true_peak_dbtp: float | None = None  #: the joined video's true peak (decoded); None: not joined, no audio

    def write(self, target: Path) -> Path:
        """Write the log as JSON, atomically; returns ``target``."""
        return write_text_atomically(target, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> RenderLog:
        """Read a log written by ``write``; a missing or malformed file raises ValueError naming it."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            chapters = tuple(ChapterTiming(**row) for row in data.pop("chapters"))
            return cls(**data, chapters=chapters)
        except FileNotFoundError as error:
            raise ValueError(f"no render log at {path}: run tools/render.py first") from error
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path} is not a render log written by tools/render.py: {error}") from error

    def seconds_by_chapter(self, rendered_only: bool = True) -> dict[str, float]:
        """Wall seconds per chapter module; by default only the chapters this run actually rendered."""
        return {c.module: c.seconds for c in self.chapters if not (rendered_only and c.reused)}
