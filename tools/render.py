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
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import srt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scenes.video import CHAPTERS, Chapter  # noqa: E402

QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}
#: Files every chapter depends on besides its own scene file.
SHARED_INPUTS = ("scenes/style.py", "scenes/video.py", "manim.cfg", "requirements.lock", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "mathcore").glob("*.py")
))


@dataclass(frozen=True)
class RenderedChapter:
    chapter: Chapter
    video: Path
    subtitles: Path | None
    duration: float


def build_dir(quality: str) -> Path:
    return ROOT / "build" / QUALITIES[quality]


def input_hash(chapter: Chapter, quality: str) -> str:
    """Hash of everything the chapter's render depends on: its file, the shared code, the quality."""
    digest = hashlib.sha256(quality.encode())
    for name in (str(chapter.path.relative_to(ROOT)), *SHARED_INPUTS):
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def publish(tmp: str | Path, target: Path) -> None:
    """Move a finished temporary file into place in one step, readable by all (mkstemp makes it private)."""
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def write_text_atomically(target: Path, content: str) -> None:
    """Write ``content`` to ``target`` so that ``target`` is either absent, old, or complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(content)
        publish(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` so that ``target`` is either absent, old, or complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    try:
        shutil.copyfile(source, tmp)
        publish(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def video_duration(path: Path) -> float:
    """Duration in seconds of the first video stream of ``path``: frames / frame rate.

    (The container's own duration is rounded by the muxer; the frame count is exact.)
    """
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.frames and stream.guessed_rate:
            return float(stream.frames / stream.guessed_rate)
        return float(container.duration / av.time_base)


def render_chapter(chapter: Chapter, quality: str, log: callable) -> RenderedChapter:
    """Render one chapter with manim unless its inputs are unchanged since the last render."""
    out_dir = build_dir(quality) / "chapters"
    video, subtitles, sections, stamp = (
        out_dir / f"{chapter.module}{ext}" for ext in (".mp4", ".srt", ".sections.json", ".hash")
    )
    digest = input_hash(chapter, quality)
    if video.exists() and stamp.exists() and stamp.read_text() == digest:
        log(f"{chapter.module}: unchanged, reusing {video.relative_to(ROOT)}")
        return RenderedChapter(chapter, video, subtitles if subtitles.exists() else None, video_duration(video))

    # One media folder per chapter: parallel manim processes must not write the same TeX/SVG files.
    media = build_dir(quality) / "media" / chapter.module
    command = [
        sys.executable, "-m", "manim", "render", f"-q{quality}", "--media_dir", str(media),
        "--disable_caching", "--progress_bar", "none", "-v", "INFO", "--save_sections",
        str(chapter.path), chapter.scene,
    ]  # fmt: skip
    log(f"{chapter.module}: rendering")
    started = time.monotonic()
    last_report = started
    animations = 0
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        tail: list[str] = []
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
    atomic_copy(produced, video)
    atomic_copy(produced.parent / "sections" / f"{chapter.scene}.json", sections)
    produced_srt = produced.with_suffix(".srt")
    if produced_srt.exists():
        atomic_copy(produced_srt, subtitles)
    elif subtitles.exists():
        subtitles.unlink()
    stamp.write_text(digest)
    duration = video_duration(video)
    log(f"{chapter.module}: done, {duration:.1f} s of video in {time.monotonic() - started:.0f} s")
    return RenderedChapter(chapter, video, subtitles if subtitles.exists() else None, duration)


def chapter_starts(durations: Sequence[float]) -> list[float]:
    """Start time of each chapter in the joined video."""
    starts, total = [], 0.0
    for duration in durations:
        starts.append(total)
        total += duration
    return starts


def join_videos(parts: Sequence[RenderedChapter], target: Path) -> None:
    """Concatenate the chapter MP4s (same codec and size) into ``target`` with chapter markers."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial.mp4")
    starts = chapter_starts([p.duration for p in parts])
    try:
        with av.open(str(parts[0].video)) as first:
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
        publish(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def join_subtitles(parts: Sequence[RenderedChapter], target: Path) -> None:
    """Merge the chapters' subtitles into one .srt, shifted by each chapter's start."""
    from datetime import timedelta

    merged: list[srt.Subtitle] = []
    for part, start in zip(parts, chapter_starts([p.duration for p in parts])):
        if part.subtitles is None:
            continue
        for sub in srt.parse(part.subtitles.read_text(encoding="utf-8")):
            merged.append(
                srt.Subtitle(len(merged) + 1, sub.start + timedelta(seconds=start), sub.end + timedelta(seconds=start), sub.content)
            )
    write_text_atomically(target, srt.compose(merged, reindex=False))


def write_index(parts: Sequence[RenderedChapter], out_dir: Path) -> tuple[Path, Path]:
    """index.json and index.md beside the clips: title, duration, start in the full video, file."""
    import json

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


def select(modules: Iterable[str] | None) -> list[Chapter]:
    """The chapters named by module (all when None), in video order."""
    if not modules:
        return list(CHAPTERS)
    known = {c.module for c in CHAPTERS}
    unknown = [m for m in modules if m not in known]
    if unknown:
        raise ValueError(f"unknown chapter(s) {unknown}; known: {sorted(known)}")
    return [c for c in CHAPTERS if c.module in set(modules)]


def main(argv: Sequence[str] | None = None) -> int:
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

    def render(chapter: Chapter) -> RenderedChapter:
        nonlocal done
        result = render_chapter(chapter, args.quality, log)
        done += 1
        return result

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        parts = list(pool.map(render, chapters))
    if args.only:
        log("rendered the chosen chapters; the joined video is made only when all are rendered")
        return 0
    index, _ = write_index(parts, build_dir(args.quality) / "chapters")
    if args.no_join:
        log(f"wrote the clips and {index.relative_to(ROOT)} (+ index.md)")
        return 0
    target = build_dir(args.quality) / "video.mp4"
    join_videos(parts, target)
    join_subtitles(parts, target.with_suffix(".srt"))
    total = sum(p.duration for p in parts)
    log(f"wrote {target.relative_to(ROOT)} ({total / 60:.1f} min) and {target.with_suffix('.srt').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
