"""Render the chapters (in parallel, longest first, skipping unchanged ones) and join them into one MP4.

    python tools/render.py --quality h            # the full video, 1080p60, narrated
    python tools/render.py --quality h --narration off   # the silent edition (captions burned in)
    python tools/render.py --quality l --only vanilla_gd weight_decay
    python tools/render.py --dry-run              # the plan: chapters in the order they would start; renders nothing
    python tools/render.py --list

Outputs of the narrated edition (the default), for a quality such as 1080p60:
    build/1080p60/chapters/<module>.mp4 (+ .srt, .en.srt, .en.vtt)   one file per chapter
    build/1080p60/video.mp4 (+ video.en.srt, video.en.vtt)            the joined video
Every MP4 has one AAC audio track (mono, 48 kHz, -16 LUFS, true peak at most -1.5 dBTP), an English
mov_text subtitle track and (the joined one) chapter markers. The silent edition goes to build/1080p60-silent/:
the same chapter MP4s (+ .srt) and video.mp4 (+ video.srt), with no audio and no subtitle track.
The manim processes get NARRATION=on or off in their environment: the scenes read it.
Every final file is written to a temporary name and moved into place, so an interrupted
run leaves no truncated output, and a rerun picks up where it stopped.

The pieces: ``editions`` (what is asked for, where it goes), ``inputs`` (what a chapter depends on),
``chapter_render`` (one chapter), ``schedule`` (the order, local processes), ``cluster`` (a Dask cluster),
``join`` (the joined video), ``clip_index``, ``render_log``.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scenes.i18n import LANGUAGES, SOURCE
from scenes.video import CHAPTERS
from tools import chapter_render, editions, schedule
from tools.chapter_render import RenderedChapter
from tools.clip_index import write_index
from tools.editions import NARRATION_VALUES, QUALITIES, build_dir, check_edition, narration_value, select
from tools.join import join_edition
from tools.plumbing import run_cli, shown
from tools.render_log import RENDER_LOG, ChapterTiming, RenderLog


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="h")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="render only these chapters (no join)")
    parser.add_argument("--list", action="store_true", help="list the chapters and exit")
    parser.add_argument("--no-join", action="store_true", help="render the clips and their index, no joined video")
    parser.add_argument(
        "--dry-run", action="store_true",
        help="print the plan (the chapters in the order they would start, each with its expected cost and whether "
        "it would be reused) and render nothing",
    )  # fmt: skip
    parser.add_argument(
        "--narration", choices=NARRATION_VALUES, default=NARRATION_VALUES[0],
        help="on: the narrated edition, in build/<res>/ (default); off: the silent one, in build/<res>-silent/",
    )  # fmt: skip
    parser.add_argument(
        "--locale", choices=list(LANGUAGES), default=SOURCE.tag,
        help="the language of the captions and labels: en (default); zh-Hans needs --narration off "
        "(into build/<res>-silent-zh-Hans/). The narrated edition carries subtitles in every language.",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", default=os.environ.get("SCHEDULER") or None, metavar="ADDRESS",
        help="render the chapters on this Dask scheduler (e.g. tcp://host:8786; see tools/cluster.py); "
        "default: local processes",
    )  # fmt: skip
    args = parser.parse_args(argv)
    narrated = args.narration == NARRATION_VALUES[0]
    locale = args.locale

    if args.list:
        for i, c in enumerate(CHAPTERS, 1):
            print(f"{i:2d}. {c.module:<20} {c.scene:<16} {c.title_in(locale)}")
        return 0
    check_edition(narrated, locale)
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    chapters = select(args.only)
    if args.dry_run:
        planned = schedule.plan(chapters, args.quality, args.jobs, narrated, locale)
        print(schedule.plan_text(planned, args.quality, args.jobs, narrated, locale), end="")
        return 0
    chapter_render.check_system()
    started = time.monotonic()
    done = 0
    lock = threading.Lock()  # chapters report from several threads

    def log(message: str) -> None:
        with lock:
            print(f"[{time.monotonic() - started:6.0f} s | {done}/{len(chapters)} chapters] {message}", flush=True)

    def finished(part: RenderedChapter) -> None:
        nonlocal done
        with lock:
            done += 1

    if args.scheduler:
        from tools.cluster import render_on_cluster

        parts = render_on_cluster(chapters, args.quality, args.scheduler, log, finished, narrated, locale)
    else:
        parts = schedule.render_all(chapters, args.quality, args.jobs, log, finished, narrated, locale)
    out = build_dir(args.quality, narrated, locale)
    joined = not (args.only or args.no_join)
    if not args.only:
        index, _ = write_index(parts, out / "chapters")
    levels = None
    if joined:
        target = out / "video.mp4"
        written = join_edition(parts, target, narrated)
        levels = written.levels
    record = RenderLog(
        args.quality, QUALITIES[args.quality], args.jobs, round(time.monotonic() - started, 3), joined,
        tuple(ChapterTiming.of(p) for p in parts), datetime.now(UTC).isoformat(timespec="seconds"),
        narration_value(narrated), locale, **(levels.rounded() if levels else {}),
    )  # fmt: skip
    record_path = record.write(out / RENDER_LOG)
    schedule.record_costs(out, parts)
    root = editions.ROOT
    if args.only:
        log("rendered the chosen chapters; the joined video is made only when all are rendered")
    elif args.no_join:
        log(f"wrote the clips and {shown(index, root)} (+ index.md)")
    else:
        total = sum(p.duration for p in parts)
        loud = f", {levels.loudness_lufs:.1f} LUFS, {levels.true_peak_dbtp:.1f} dBTP" if levels else ""
        beside = ", ".join(path.name for path in (*written.subtitles, *written.chapter_lists))
        log(f"wrote {shown(target, root)} ({total / 60:.1f} min{loud}) and {beside}")
    log(f"timings in {shown(record_path, root)}")
    return 0


if __name__ == "__main__":
    run_cli(main)
