"""Render the chapters (in parallel, skipping unchanged ones) and join them into one MP4.

    python tools/render.py --quality h            # the full video, 1080p60
    python tools/render.py --quality l --only vanilla_gd weight_decay
    python tools/render.py --list

Outputs, for a quality such as 1080p60:
    build/1080p60/chapters/<module>.mp4 (+ .srt)    one file per chapter
    build/1080p60/video.mp4 (+ video.srt)            the joined video, with chapter markers
Every final file is written to a temporary name and moved into place, so an interrupted
run leaves no truncated output, and a rerun picks up where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import srt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scenes.video import CHAPTERS, SCENES_DIR, Chapter
from tools.common import (
    Children,
    UsageError,
    atomic_output,
    copy_atomically,
    parallel_map,
    probe,
    run_cli,
    write_text_atomically,
)

QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}
#: Files every chapter depends on besides its own scene file, relative to the root (see ``shared_inputs``).
REQUIRED_SHARED_INPUTS = ("scenes/video.py", "manim.cfg", "requirements.lock")
#: Packages whose every ``*.py`` (at any depth) every chapter imports; either may be a module or a package.
SHARED_PACKAGES = ("mathcore", "scenes/style")
#: The render's machine-readable timing log, in build/<quality>/ (read by tools/bench.py).
RENDER_LOG = "render_log.json"


def shared_inputs(root: Path | None = None) -> list[str]:
    """Files (relative to ``root``, sorted) every chapter's render depends on besides its own scene file.

    Robust to either layout of the shared code: ``mathcore/derivations.py`` or a package
    ``mathcore/derivations/``, ``scenes/style.py`` or a package ``scenes/style/``.
    """
    root = ROOT if root is None else root
    missing = [name for name in REQUIRED_SHARED_INPUTS if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"shared render inputs missing under {root}: {missing}")
    found = {root / name for name in REQUIRED_SHARED_INPUTS}
    for package in SHARED_PACKAGES:
        module, folder = root / f"{package}.py", root / package
        if module.is_file():
            found.add(module)
        if folder.is_dir():
            found.update(folder.rglob("*.py"))
    init = root / "scenes" / "__init__.py"  # runs on every `import scenes.*`
    if init.is_file():
        found.add(init)
    return sorted(path.relative_to(root).as_posix() for path in found)


@dataclass(frozen=True)
class RenderedChapter:
    """A chapter's finished MP4 (and subtitles): how long it is and what it took to get it."""

    chapter: Chapter
    video: Path
    subtitles: Path | None
    duration: float
    seconds: float = 0.0  #: wall time spent on this chapter (render, or just the check when reused)
    reused: bool = False  #: True when the inputs were unchanged and the previous render was kept


def build_dir(quality: str) -> Path:
    """build/<resolution> for a quality letter, e.g. build/480p15 for ``l``."""
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; qualities: {', '.join(QUALITIES)}")
    return ROOT / "build" / QUALITIES[quality]


def input_hash(chapter: Chapter, quality: str, root: Path | None = None) -> str:
    """Hash of everything the chapter's render depends on: its file, the shared code, the quality."""
    root = ROOT if root is None else root
    digest = hashlib.sha256(quality.encode())
    own = chapter.path.relative_to(SCENES_DIR.parent).as_posix()
    for name in (own, *shared_inputs(root)):
        digest.update(name.encode() + b"\0")
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def manim_command(chapter: Chapter, quality: str, media: Path) -> list[str]:
    """The manim call that renders ``chapter`` at ``quality`` into the media folder ``media``."""
    return [
        sys.executable, "-m", "manim", "render", f"-q{quality}", "--media_dir", str(media),
        "--disable_caching", "--progress_bar", "none", "-v", "INFO", "--save_sections",
        str(chapter.path), chapter.scene,
    ]  # fmt: skip


def render_chapter(chapter: Chapter, quality: str, log: Callable[[str], None], children: Children) -> RenderedChapter:
    """Render one chapter with manim (a child in ``children``) unless its inputs are unchanged since the last render."""
    started = time.monotonic()
    out_dir = build_dir(quality) / "chapters"
    video, subtitles, sections, stamp = (
        out_dir / f"{chapter.module}{ext}" for ext in (".mp4", ".srt", ".sections.json", ".hash")
    )
    digest = input_hash(chapter, quality)
    if video.exists() and stamp.exists() and stamp.read_text() == digest:
        log(f"{chapter.module}: unchanged, reusing {video.relative_to(ROOT)}")
        return RenderedChapter(
            chapter, video, subtitles if subtitles.exists() else None, probe(video).duration,
            seconds=time.monotonic() - started, reused=True,
        )  # fmt: skip

    # One media folder per chapter: parallel manim processes must not write the same TeX/SVG files.
    media = build_dir(quality) / "media" / chapter.module
    log(f"{chapter.module}: rendering")
    last_report = started
    animations = 0
    tail: list[str] = []
    with children.popen(manim_command(chapter, quality, media), cwd=ROOT, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT) as proc:  # fmt: skip
        for line in proc.stdout:  # type: ignore[union-attr]
            tail = (tail + [line.rstrip()])[-40:]
            if re.search(r"Animation \d+ : Partial movie file written", line):
                animations += 1
                if time.monotonic() - last_report > 10:
                    last_report = time.monotonic()
                    log(f"{chapter.module}: {animations} animations done ({time.monotonic() - started:.0f} s)")
        if proc.wait() != 0:
            raise RuntimeError(f"manim failed on {chapter.module} ({chapter.scene}):\n" + "\n".join(tail))
    produced = media / "videos" / chapter.module / QUALITIES[quality] / f"{chapter.scene}.mp4"
    copy_atomically(produced, video)
    copy_atomically(produced.parent / "sections" / f"{chapter.scene}.json", sections)
    produced_srt = produced.with_suffix(".srt")
    if produced_srt.exists():
        copy_atomically(produced_srt, subtitles)
    elif subtitles.exists():
        subtitles.unlink()
    # The stamp comes last: a run stopped before it renders this chapter again.
    write_text_atomically(stamp, digest)
    duration = probe(video).duration
    seconds = time.monotonic() - started
    log(f"{chapter.module}: done, {duration:.1f} s of video in {seconds:.0f} s")
    return RenderedChapter(chapter, video, subtitles if subtitles.exists() else None, duration, seconds=seconds)


def chapter_starts(durations: Sequence[float]) -> list[float]:
    """Start time of each chapter in the joined video."""
    starts, total = [], 0.0
    for duration in durations:
        starts.append(total)
        total += duration
    return starts


def join_videos(parts: Sequence[RenderedChapter], target: Path) -> None:
    """Concatenate the chapter MP4s (same codec and size) into ``target`` with chapter markers."""
    if not parts:
        raise ValueError("join_videos needs at least one chapter, got none")
    starts = chapter_starts([p.duration for p in parts])
    with atomic_output(target) as tmp, av.open(str(parts[0].video)) as first:
        template = first.streams.video[0]
        with av.open(str(tmp), "w") as output:
            stream = output.add_stream_from_template(template)
            time_base = Fraction(1, 1000)
            output.set_chapters(
                [
                    {
                        "id": i + 1,
                        "start": round(start * 1000),
                        "end": round((start + part.duration) * 1000),
                        "time_base": time_base,
                        "metadata": {"title": part.chapter.title},
                    }
                    for i, (part, start) in enumerate(zip(parts, starts))
                ]
            )
            for part, start in zip(parts, starts):
                with av.open(str(part.video)) as source:
                    source_stream = source.streams.video[0]
                    offset = round(start / source_stream.time_base)
                    for packet in source.demux(source_stream):
                        if packet.dts is None:
                            continue
                        packet.pts += offset
                        packet.dts += offset
                        packet.stream = stream
                        output.mux(packet)


def join_subtitles(parts: Sequence[RenderedChapter], target: Path) -> None:
    """Merge the chapters' subtitles into one .srt, shifted by each chapter's start."""
    from datetime import timedelta

    merged: list[srt.Subtitle] = []
    for part, start in zip(parts, chapter_starts([p.duration for p in parts])):
        if part.subtitles is None:
            continue
        shift = timedelta(seconds=start)
        for sub in srt.parse(part.subtitles.read_text(encoding="utf-8")):
            merged.append(srt.Subtitle(len(merged) + 1, sub.start + shift, sub.end + shift, sub.content))
    write_text_atomically(target, srt.compose(merged, reindex=False))


def write_index(parts: Sequence[RenderedChapter], out_dir: Path) -> tuple[Path, Path]:
    """index.json and index.md beside the clips: title, duration, start in the full video, file."""
    starts = chapter_starts([p.duration for p in parts])
    rows = [
        {
            "number": i + 1,
            "title": p.chapter.title,
            "module": p.chapter.module,
            "duration_s": round(p.duration, 3),
            "start_s": round(start, 3),
            "file": p.video.name,
            "subtitles": p.subtitles.name if p.subtitles else None,
        }
        for i, (p, start) in enumerate(zip(parts, starts))
    ]
    table = ["| # | chapter | start | duration | file |", "|---|---|---|---|---|"]
    table += [
        f"| {r['number']} | {r['title']} | {int(r['start_s'] // 60)}:{r['start_s'] % 60:04.1f} | "
        f"{r['duration_s']:.1f} s | [{r['file']}]({r['file']}) |"
        for r in rows
    ]
    write_text_atomically(out_dir / "index.json", json.dumps(rows, indent=2) + "\n")
    write_text_atomically(out_dir / "index.md", "\n".join(table) + "\n")
    return out_dir / "index.json", out_dir / "index.md"


#: Programs manim needs at render time, and the Debian packages that provide them.
SYSTEM_PROGRAMS = {"latex": "texlive-latex-base texlive-latex-extra", "dvisvgm": "dvisvgm"}


def check_system() -> None:
    """Fail fast, before any rendering, when a program manim needs is missing; say what to install."""
    missing = {prog: pkg for prog, pkg in SYSTEM_PROGRAMS.items() if shutil.which(prog) is None}
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: install the Debian packages {' '.join(missing.values())} "
            "(or run tools/setup.sh, which `make` does first)"
        )


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


@dataclass(frozen=True)
class ChapterTiming:
    """One chapter's line in the render log."""

    module: str
    seconds: float  #: wall time spent on the chapter
    reused: bool  #: True: inputs unchanged, the previous render was kept
    video_s: float  #: length of the chapter's video


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


def render_all(
    chapters: Sequence[Chapter],
    quality: str,
    jobs: int,
    log: Callable[[str], None],
    finished: Callable[[RenderedChapter], None] = lambda part: None,
) -> list[RenderedChapter]:
    """Render ``chapters`` on ``jobs`` threads, in order, calling ``finished`` as each one is ready.

    Ctrl-C terminates the running manim processes and starts no new one (``parallel_map``).
    """
    children = Children()

    def one(chapter: Chapter) -> RenderedChapter:
        part = render_chapter(chapter, quality, log, children)
        finished(part)
        return part

    return parallel_map(one, chapters, jobs, children)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="h")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="render only these chapters (no join)")
    parser.add_argument("--list", action="store_true", help="list the chapters and exit")
    parser.add_argument("--no-join", action="store_true", help="render the clips and their index, no joined video")
    args = parser.parse_args(argv)

    if args.list:
        for i, c in enumerate(CHAPTERS, 1):
            print(f"{i:2d}. {c.module:<20} {c.scene:<16} {c.title}")
        return 0
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    chapters = select(args.only)
    check_system()
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

    parts = render_all(chapters, args.quality, args.jobs, log, finished)
    joined = not (args.only or args.no_join)
    if not args.only:
        index, _ = write_index(parts, build_dir(args.quality) / "chapters")
    if joined:
        target = build_dir(args.quality) / "video.mp4"
        join_videos(parts, target)
        join_subtitles(parts, target.with_suffix(".srt"))
    timings = tuple(ChapterTiming(p.chapter.module, round(p.seconds, 3), p.reused, round(p.duration, 3)) for p in parts)
    record = RenderLog(
        args.quality, QUALITIES[args.quality], args.jobs, round(time.monotonic() - started, 3), joined, timings,
        datetime.now(UTC).isoformat(timespec="seconds"),
    )  # fmt: skip
    record_path = record.write(build_dir(args.quality) / RENDER_LOG)
    if args.only:
        log("rendered the chosen chapters; the joined video is made only when all are rendered")
    elif args.no_join:
        log(f"wrote the clips and {index.relative_to(ROOT)} (+ index.md)")
    else:
        total = sum(p.duration for p in parts)
        log(f"wrote {target.relative_to(ROOT)} ({total / 60:.1f} min) and {target.with_suffix('.srt').name}")
    log(f"timings in {record_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    run_cli(main)
