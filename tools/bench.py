"""Measure render and numeric performance and write BENCHMARKS.md (`make bench`).

Renders every chapter from scratch at 480p15 (serially, then in parallel), re-renders
after one chapter changed, renders at 1080p60, and times the numerics. Takes a while
(the 1080p60 pass dominates); `--skip-1080p` for a quicker report.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import cairo
import manim
import mpmath
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mathcore import experiments  # noqa: E402
from mathcore.precision import equivalence_gap  # noqa: E402
from mathcore.trajectories import gd  # noqa: E402
from scenes.video import CHAPTERS  # noqa: E402
from tools import render  # noqa: E402


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Smallest wall time of ``repeats`` runs (seconds): the least disturbed by other load."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def machine() -> list[str]:
    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        f"- date: {date.today().isoformat()}",
        f"- machine: {platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores",
        f"- Python {platform.python_version()}, manim {manim.__version__}, numpy {np.__version__}, "
        f"mpmath {mpmath.__version__}, cairo {cairo.cairo_version_string()}",
    ]


def numerics() -> list[str]:
    loss = experiments.loss()
    chaos = experiments.CHAOS.with_steps(1_000)
    rng = np.random.default_rng(0)
    starts = rng.normal(size=(10_000, 2))
    recipe = experiments.TOY.with_steps(1_000)
    batched = best_of(3, lambda: gd(loss.grad, starts, recipe))
    sample = starts[:200]
    per_point = best_of(1, lambda: [gd(loss.grad, s, recipe) for s in sample])
    per_point_all = per_point * len(starts) / len(sample)
    lines = [
        "## Numerics",
        "",
        f"GD with weight decay on the toy loss, {len(starts):,} starting points × {recipe.steps:,} steps:",
        "",
        "| method | wall time | speed-up |",
        "|---|---|---|",
        f"| batched (one `gd` call on a (10000, 2) array) | {batched:.2f} s | {per_point_all / batched:.0f}× |",
        f"| per-point Python loop (`gd` per start; timed on {len(sample)}, scaled ×{len(starts) // len(sample)}) "
        f"| {per_point_all:.1f} s | 1× |",
        "",
        "mpmath: the weight-decay run and the rescaled exp-LR run (`equivalence_gap`), the chaos recipe on RatioLoss, "
        f"{chaos.steps:,} steps:",
        "",
        "| digits | wall time |",
        "|---|---|",
    ]
    for digits in (16, 32, 64, 128):
        seconds = best_of(1, lambda: equivalence_gap(experiments.chaos_loss(), experiments.START, chaos, digits))
        lines.append(f"| {digits} | {seconds:.2f} s |")
    return lines + [""]


def parse_render_log(text: str) -> dict[str, float]:
    """Per-chapter render seconds from tools/render.py's log ("<module>: done, X s of video in Y s")."""
    per_chapter: dict[str, float] = {}
    for line in text.splitlines():
        if ": done, " in line:
            module = line.split("] ", 1)[1].split(":", 1)[0]
            per_chapter[module] = float(line.rsplit(" in ", 1)[1].split()[0])
    return per_chapter


def render_all(quality: str, jobs: int, force: bool) -> tuple[float, dict[str, float], dict[str, float]]:
    """Render every chapter (and join); returns wall time, per-chapter render seconds and durations."""
    chapters_dir = render.build_dir(quality) / "chapters"
    if force:
        for stamp in chapters_dir.glob("*.hash"):
            stamp.unlink()
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    started = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "tools" / "render.py"), "-q", quality, "-j", str(jobs)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    wall = time.perf_counter() - started
    per_chapter = parse_render_log(log.read_text())
    durations = {c.module: render.video_duration(chapters_dir / f"{c.module}.mp4") for c in CHAPTERS}
    log.unlink()
    return wall, per_chapter, durations


def rerender_one(quality: str, jobs: int) -> float:
    """Wall time of `make video` after one chapter's input changed (its stamp invalidated)."""
    (render.build_dir(quality) / "chapters" / f"{CHAPTERS[-1].module}.hash").write_text("changed")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "render.py"), "-q", quality, "-j", str(jobs)],
        cwd=ROOT, stdout=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-1080p", action="store_true", help="no 1080p60 render (the slow part)")
    parser.add_argument(
        "--log-1080p", type=Path, help="take 1080p60 numbers from this `render.py -q h` log (and its `time` line)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    jobs = os.cpu_count() or 1

    print("bench: numerics", flush=True)
    lines = ["# Benchmarks", "", "Written by `make bench` (tools/bench.py).", "", *machine(), "", *numerics()]

    print("bench: 480p15 serial", flush=True)
    serial, per_low, durations = render_all("l", 1, force=True)
    print("bench: 480p15 parallel", flush=True)
    parallel, _, _ = render_all("l", jobs, force=True)
    print("bench: re-render after one chapter changed", flush=True)
    rerender = rerender_one("l", jobs)
    per_high: dict[str, float] = {}
    high_note = f"parallel ({jobs} jobs)"
    if args.log_1080p is not None:
        text = args.log_1080p.read_text()
        per_high = parse_render_log(text)
        timed = re.search(r"^real\s+(\d+)m([\d.]+)s", text, re.MULTILINE)  # bash `time` output
        if timed is None:
            raise SystemExit(f"bench: no `real XmY.Zs` line in {args.log_1080p}")
        high_wall = 60 * float(timed.group(1)) + float(timed.group(2))
        high_note += f", from {args.log_1080p.name}"
    elif not args.skip_1080p:
        print("bench: 1080p60 parallel", flush=True)
        high_wall, per_high, _ = render_all("h", jobs, force=True)
    total = sum(durations.values())

    lines += [
        "## Rendering",
        "",
        f"Per chapter, from scratch: 480p15 rendered serially (one manim process at a time), 1080p60 {high_note}"
        " (each chapter shares the cores with another, so its ratio is pessimistic):",
        "",
        "| chapter | video | 480p15 render | ratio | 1080p60 render | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for chapter in CHAPTERS:
        d = durations[chapter.module]
        low = per_low.get(chapter.module, float("nan"))
        high = per_high.get(chapter.module, float("nan"))
        lines.append(f"| {chapter.module} | {d:.1f} s | {low:.0f} s | {low / d:.2f} | {high:.0f} s | {high / d:.2f} |")
    lines += [
        "",
        f"Full video ({total / 60:.1f} min), including the join:",
        "",
        "| run | wall time | goal |",
        "|---|---|---|",
        f"| 480p15, serial (1 job) | {serial:.0f} s | |",
        f"| 480p15, parallel ({jobs} jobs) | {parallel:.0f} s | < 120 s |",
        f"| 480p15, re-render after one chapter changed | {rerender:.0f} s | |",
    ]
    if per_high:
        lines.append(f"| 1080p60, {high_note} | {high_wall:.0f} s ({high_wall / total:.2f}× the video) | ≤ 1.5× the video |")
    lines.append("")
    args.out.write_text("\n".join(lines))
    print(f"bench: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
