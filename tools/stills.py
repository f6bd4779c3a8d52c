"""Pull PNG stills out of a rendered video at chosen times (or evenly spaced).

    python tools/stills.py build/480p15/chapters/vanilla_gd.mp4 --at 5 12.5 30
    python tools/stills.py build/480p15/chapters/vanilla_gd.mp4 --every 8 --out build/stills
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import av


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
                handle, tmp = tempfile.mkstemp(dir=out_dir, suffix=".png")
                os.close(handle)
                frame.to_image().save(tmp)
                os.replace(tmp, target)
                written.append(target)
            if not wanted:
                break
    if wanted:
        raise ValueError(f"{video} ends before {wanted[0]} s")
    return written


def duration(video: Path) -> float:
    with av.open(str(video)) as container:
        return float(container.duration / av.time_base)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--at", type=float, nargs="+", help="times in seconds")
    group.add_argument("--every", type=float, help="one still every this many seconds")
    parser.add_argument("--out", type=Path, default=Path("build/stills"))
    args = parser.parse_args(argv)
    if args.every is not None and args.every <= 0:
        parser.error(f"--every must be > 0, got {args.every}")
    times = args.at
    if args.every is not None:
        length = duration(args.video)
        times = [i * args.every for i in range(int(length // args.every) + 1) if i * args.every < length - 0.05]
    for path in extract_stills(args.video, times, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
