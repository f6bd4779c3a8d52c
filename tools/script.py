"""The spoken script of every chapter: line ids, captions and spoken sentences, as JSON and Markdown.

    python tools/script.py                 # build/script.json and build/script.md
    python tools/script.py --only summary  # one chapter

Each chapter is constructed in the silent edition without writing a movie, so nothing is
synthesised; the lines are the same in both editions. Use the ids to record a line
(assets/voice/<id>.wav) or to translate it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from manim import tempconfig

from common.atomic import write_text_atomically
from scenes.i18n import CHINESE
from scenes.style.narration import EDITION_VARIABLE, Line
from scenes.video import CHAPTERS, Chapter
from tools.editions import select
from tools.plumbing import run_cli


def chapter_script(chapter: Chapter) -> list[Line]:
    """The lines of one chapter, in order, from a construct() that writes no movie."""
    os.environ[EDITION_VARIABLE] = "off"
    module = importlib.import_module(f"scenes.{chapter.module}")
    with tempfile.TemporaryDirectory() as tmp, tempconfig({
        "quality": "low_quality", "media_dir": tmp, "output_file": str(Path(tmp) / chapter.module),
        "write_to_movie": False, "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none",
    }):  # fmt: skip
        scene = getattr(module, chapter.scene)()
        scene.render()
    return list(scene.script.lines)


def as_markdown(script: dict[str, list[Line]]) -> str:
    """One table per chapter: id, caption (silent edition), spoken sentence (narrated edition), and both in
    Chinese (the silent Chinese edition's caption, the narrated edition's Chinese subtitle)."""
    parts = ["# The spoken script", "", "Written by `make script` (tools/script.py).", ""]
    for module, lines in script.items():
        header = "| id | caption | spoken | 字幕 (caption) | 字幕 (spoken) |"
        parts += [f"## {module}", "", header, "|---|---|---|---|---|"]
        parts += [
            f"| `{line.id}` | {line.caption} | {line.spoken} | {line.shown(CHINESE.tag)} | {line.said(CHINESE.tag)} |"
            .replace("\n", " ")
            for line in lines
        ]  # fmt: skip
        parts.append("")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="chapters to list (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="folder for script.json and script.md")
    args = parser.parse_args(argv)
    chapters = select(args.only) if args.only else list(CHAPTERS)
    script = {chapter.module: chapter_script(chapter) for chapter in chapters}
    data = {module: [line.record() for line in lines] for module, lines in script.items()}
    write_text_atomically(args.out / "script.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    write_text_atomically(args.out / "script.md", as_markdown(script))
    print(f"{sum(map(len, script.values()))} lines in {len(script)} chapters: {args.out / 'script.json'}")
    return 0


if __name__ == "__main__":
    run_cli(lambda: main())
