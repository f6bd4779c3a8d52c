"""The clip index: index.json and index.md beside the clips, for lecturers picking a chapter to show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from common.atomic import write_text_atomically
from scenes.i18n import LANGUAGES, SOURCE
from tools import tracks
from tools.chapter_render import RenderedChapter
from tools.join import chapter_starts


def write_index(parts: Sequence[RenderedChapter], out_dir: Path) -> tuple[Path, Path]:
    """index.json and index.md beside the clips: title (the clips' language) and titles (every language),
    duration, start in the full video, file, audio, narration.

    The narration is the chapter's cues (start, text) when the clip has audio: then each cue is a spoken line.
    """
    starts = chapter_starts([p.duration for p in parts])
    rows = []
    for i, (p, start) in enumerate(zip(parts, starts)):
        spoken = tracks.read_cues(p.subtitles) if p.levels is not None and p.subtitles else ()
        rows.append(
            {
                "number": i + 1,
                "title": p.chapter.title_in(p.locale),
                "titles": {tag: p.chapter.title_in(tag) for tag in LANGUAGES},
                "module": p.chapter.module,
                "duration_s": round(p.duration, 3),
                "start_s": round(start, 3),
                "file": p.video.name,
                "subtitles": p.subtitles.name if p.subtitles else None,
                "audio": p.levels is not None,
                "narration": [{"start_s": round(cue.start, 3), "text": cue.text} for cue in spoken],
            }
        )
    # One title column per language: the clips' own first, then the others.
    own = parts[0].locale if parts else SOURCE.tag
    tags = [own, *(tag for tag in LANGUAGES if tag != own)]
    header = ["#", *(f"chapter ({tag})" for tag in tags), "start", "duration", "file", "audio"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        link = f"[{r['file']}]({r['file']})"
        cells = [str(r["number"]), *(r["titles"][tag] for tag in tags), _clock(r["start_s"]),
                 f"{r['duration_s']:.1f} s", link, "narrated" if r["audio"] else "silent"]  # fmt: skip
        table.append("| " + " | ".join(cells) + " |")
    for r in rows:
        if r["narration"]:
            table += ["", f"## {r['number']}. {r['title']}", ""]
            table += [f"- {_clock(line['start_s'])} {line['text']}" for line in r["narration"]]
    write_text_atomically(out_dir / "index.json", json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    write_text_atomically(out_dir / "index.md", "\n".join(table) + "\n")
    return out_dir / "index.json", out_dir / "index.md"


def _clock(seconds: float) -> str:
    """m:ss.s"""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"
