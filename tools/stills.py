"""Stills and GIFs from rendered chapters.

    python tools/stills.py --quality h        # after `make video`: poster, key frames, GIFs
    python tools/stills.py build/480p15/chapters/vanilla_gd.mp4 --at 5 12.5 30
    python tools/stills.py build/480p15/chapters/vanilla_gd.mp4 --every 8 --out build/stills

Key frames: one PNG at the end of each caption (each beat of the chapter), from its .srt.
GIFs: the chapters that mark a highlight section (ChapterMixin.highlight) — the five
animations of the original post — cut from that section, scaled down for web pages.
Poster: the last frame of the zoom chapter's highlight.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import av
import srt
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.atomic import atomic_output
from scenes.i18n import LANGUAGES, SOURCE
from scenes.style import HIGHLIGHT_SECTION
from scenes.video import CHAPTERS, POSTER_CHAPTER
from tools.editions import NARRATION_VALUES, QUALITIES, build_dir, narration_value
from tools.plumbing import UsageError, probe, run_cli, shown


def extract_stills(video: Path, times: Sequence[float], out_dir: Path) -> list[Path]:
    """Save the first frame at or after each time (seconds) as <stem>_<time>s.png in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = sorted(times)
    written: list[Path] = []
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            while wanted and frame.time is not None and frame.time >= wanted[0] - 1e-6:
                target = out_dir / f"{video.stem}_{wanted.pop(0):07.2f}s.png"
                with atomic_output(target) as tmp:
                    frame.to_image().save(tmp)
                written.append(target)
            if not wanted:
                break
    if wanted:
        raise ValueError(f"{video} ends before {wanted[0]} s")
    return written


def section_spans(sections_json: Path, fps: float) -> dict[str, tuple[float, float]]:
    """(start, end) in seconds of each named section, from manim's --save_sections JSON.

    Frame counts are exact; the listed durations are rounded by the muxer, so frames / fps is used.
    """
    spans, start = {}, 0.0
    for section in json.loads(sections_json.read_text()):
        end = start + int(section["nb_frames"]) / fps
        spans[section["name"]] = (start, end)
        start = end
    return spans


#: A poster is the frame this long before the highlight ends: the main animation's fullest picture.
POSTER_LEAD_SECONDS = 0.1


def highlight_span(video: Path) -> tuple[float, float] | None:
    """(start, end) in seconds of a chapter clip's highlight section (its .sections.json beside it); None if none."""
    sections = video.with_suffix(".sections.json")
    if not sections.exists():
        return None
    return section_spans(sections, float(probe(video).frame_rate)).get(HIGHLIGHT_SECTION)


def frame_at(video: Path, seconds: float) -> Image.Image:
    """The first frame of ``video`` at or after ``seconds``, seeking to the keyframe before it (one frame, quickly)."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        container.seek(max(0, int(seconds / stream.time_base)), stream=stream, backward=True)
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds - 1e-6:
                return frame.to_image()
    raise ValueError(f"{video} ends before {seconds} s")


def keyframe_times(subtitles: Path, length: float) -> list[float]:
    """Just before each caption ends: the beat's fullest picture."""
    times = [min(sub.end.total_seconds(), length) - 0.1 for sub in srt.parse(subtitles.read_text(encoding="utf-8"))]
    return sorted({round(max(t, 0.0), 2) for t in times})


def write_gif(video: Path, start: float, end: float, target: Path, width: int = 480, fps: float = 10) -> Path:
    """Frames of ``video`` in [start, end) at ``fps``, ``width`` px wide, as a looping GIF (atomic)."""
    if not 0 <= start < end:
        raise ValueError(f"need 0 <= start < end, got start={start}, end={end}")
    frames: list[Image.Image] = []
    next_time = start
    with av.open(str(video)) as container:
        for frame in container.decode(container.streams.video[0]):
            if frame.time is None or frame.time < next_time - 1e-6:
                continue
            if frame.time >= end:
                break
            image = frame.to_image()
            image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
            frames.append(image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
            next_time += 1 / fps
    if not frames:
        raise ValueError(f"{video} has no frames between {start} s and {end} s")
    with atomic_output(target) as tmp:
        frames[0].save(tmp, save_all=True, append_images=frames[1:], duration=round(1000 / fps), loop=0, optimize=True)
    return target


def make_all(quality: str, narrated: bool = True, locale: str = SOURCE.tag) -> list[Path]:
    """Poster, key frames per chapter and the highlight GIFs for a rendered quality (and edition, and language)."""
    base = build_dir(quality, narrated, locale)
    written: list[Path] = []
    for chapter in CHAPTERS:
        video = base / "chapters" / f"{chapter.module}.mp4"
        if not video.exists():
            edition = narration_value(narrated)
            make = f"make clips QUALITY={quality} NARRATION={edition} LOCALE={locale}"
            raise UsageError(f"{video} is missing; render it first ({make})")
        info = probe(video)
        subtitles = video.with_suffix(".srt")
        if subtitles.exists():
            written += extract_stills(video, keyframe_times(subtitles, info.duration), base / "stills" / chapter.module)
        span = highlight_span(video)
        if span is not None:
            start, end = span
            written.append(write_gif(video, start, end, base / "gifs" / f"{chapter.module}.gif"))
            if chapter.module == POSTER_CHAPTER:
                poster = extract_stills(video, [end - POSTER_LEAD_SECONDS], base / "stills")[0]
                written.append(poster.replace(base / "poster.png"))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path, nargs="?", help="one video to take stills from (else: all chapters)")
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="h")
    parser.add_argument("--narration", choices=NARRATION_VALUES, default=NARRATION_VALUES[0],
                        help="which edition's clips: on (build/<res>/) or off (build/<res>-silent/)")  # fmt: skip
    parser.add_argument("--locale", choices=list(LANGUAGES), default=SOURCE.tag,
                        help="the silent edition's language (zh-Hans: build/<res>-silent-zh-Hans/)")  # fmt: skip
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--at", type=float, nargs="+", help="times in seconds")
    group.add_argument("--every", type=float, help="one still every this many seconds")
    parser.add_argument("--out", type=Path, default=Path("build/stills"))
    args = parser.parse_args(argv)
    if args.video is None:
        for path in make_all(args.quality, args.narration == NARRATION_VALUES[0], args.locale):
            size = path.stat().st_size
            name = shown(path, ROOT)
            print(f"{name}  ({size / 1e6:.1f} MB)" if path.suffix == ".gif" else name)
        return 0
    if args.at is None and args.every is None:
        parser.error("give --at or --every with a video")
    if args.every is not None and args.every <= 0:
        parser.error(f"--every must be > 0, got {args.every}")
    times = args.at
    if args.every is not None:
        length = probe(args.video).duration
        times = [i * args.every for i in range(int(length // args.every) + 1) if i * args.every < length - 0.05]
    for path in extract_stills(args.video, times, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    run_cli(main)
