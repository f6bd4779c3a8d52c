"""Measure render and numeric performance and write BENCHMARKS.md (`make bench`).

Renders every chapter from scratch at 480p15 (serially, then in parallel), re-renders
after one chapter changed, renders at 1080p60, and times the numerics and the test suite. Takes a while
(the 1080p60 pass dominates); `--skip-1080p` for a quicker report.

The measured per-chapter render times also go into assets/render_costs.json, which plans the render order of a
fresh clone (tools/schedule.py).

Render costs are reported normalised by a reference scene rendered in the same run at the same quality
(tools/bench_reference/ref_scene.py, the team's 10 s animated plot), so that machines and runs compare:

    normalised cost = (render wall time × cores used ÷ seconds of video) ÷ (reference render time ÷ 10 s)

A chapter uses one core (one manim process); the whole video uses the run's jobs.
"""

from __future__ import annotations

import argparse
import os
import platform
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

from common.atomic import write_text_atomically
from common.voice import VoiceEngine
from mathcore import derivations, experiments
from mathcore.precision import equivalence_gap
from mathcore.trajectories import gd
from scenes.video import CHAPTERS
from tools import schedule
from tools.editions import QUALITIES, build_dir
from tools.plumbing import run_cli
from tools.render_log import RENDER_LOG, RenderLog
from tools.script import chapter_script


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
        (
            f"- Python {platform.python_version()}, manim {manim.__version__}, numpy {np.__version__}, "
            f"mpmath {mpmath.__version__}, cairo {cairo.cairo_version_string()}"
        ),
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
        (
            f"| per-point Python loop (`gd` per start; timed on {len(sample)}, scaled ×{len(starts) // len(sample)}) "
            f"| {per_point_all:.1f} s | 1× |"
        ),
        "",
        (
            "mpmath: the weight-decay run and the rescaled exp-LR run (`equivalence_gap`), the chaos recipe on "
            f"RatioLoss, {chaos.steps:,} steps:"
        ),
        "",
        "| digits | wall time |",
        "|---|---|",
    ]
    for digits in (16, 32, 64, 128):
        seconds = best_of(
            1, lambda digits=digits: equivalence_gap(experiments.chaos_loss(), experiments.START, chaos, digits)
        )
        lines.append(f"| {digits} | {seconds:.2f} s |")
    return lines + ["", *derivation_times()]


#: The derivations (sympy), each cached: what a render builds once.
DERIVATIONS = (
    derivations.lemma_1, derivations.pythagoras, derivations.theorem_2_1, derivations.momentum_theorem,
    derivations.equilibrium, derivations.equilibrium_momentum, derivations.parting_step_estimate,
)  # fmt: skip


def derivation_times() -> list[str]:
    """Markdown: how long sympy takes to derive each result once the ones it builds on are cached (as in a render)."""
    for build in DERIVATIONS:
        build()
    lines = ["sympy, each derivation built once the ones it builds on are cached (as in a render):", "",
             "| derivation | wall time |", "|---|---|"]  # fmt: skip
    for build in DERIVATIONS:
        build.cache_clear()
        lines.append(f"| `{build.__name__}` | {best_of(1, build):.2f} s |")
    return lines + [""]


#: The test runs timed for BENCHMARKS.md: (what, the command's arguments after `python -m pytest`).
TEST_RUNS = (
    ("`make test`: the whole suite, one worker per core", ["-n", "auto", "--dist", "loadgroup"]),
    ("the whole suite in one process (`TEST_JOBS=0`)", []),
    ("`make test-math`: the derivations and trajectories", ["-n", "auto", "--dist", "loadgroup", "tests/mathcore"]),
)


def test_times() -> list[str]:
    """Markdown: wall time of the test suite as `make test` runs it (derandomized, CI=true), and of its parts."""
    lines = ["## Tests", "", f"pytest under `CI=true` (the derandomized profile), {os.cpu_count()} cores:", "",
             "| run | tests | wall time |", "|---|---|---|"]  # fmt: skip
    for what, arguments in TEST_RUNS:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments], cwd=ROOT,
            env={**os.environ, "CI": "true"}, capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no output"
        if done.returncode != 0:
            raise SystemExit(f"bench: the test run {arguments} failed: {summary}")
        passed = summary.strip("= ").split(" in ")[0]
        lines.append(f"| {what} | {passed} | {seconds:.0f} s ({seconds / 60:.1f} min) |")
    return lines + [""]


#: The explorable's settings timed for BENCHMARKS.md: (what, slider values); 1,000 steps as the issue asks.
EXPLORABLE_RUNS = (
    ("the video's recipe, 1,000 steps", {"steps": 1000}),
    ("with momentum 0.5, 1,000 steps", {"steps": 1000, "momentum": 0.5, "weight_decay": 0.05}),
    ("2,000 steps (the most the slider allows)", {"steps": 2000}),
)


def explorable_times(site: Path, repeats: int = 30) -> list[str]:
    """Markdown: how long one update of the lesson page's explorable takes in headless Chromium (both runs computed
    again and all four pictures redrawn), and the arithmetic alone; median and slowest of ``repeats``."""
    if not (site / "index.html").is_file():
        return ["## Lesson page", "", f"Not measured: no lesson page in {site} (`make site` first).", ""]
    from tools.lesson.browser import chromium

    lines = [
        "## Lesson page",
        "",
        f"The explorable in Debian's Chromium, headless ({repeats} updates each; goal: at most 50 ms for 1,000 steps):",
        "",
        "| settings | update (runs + drawing), median / slowest | arithmetic alone, median |",
        "|---|---|---|",
    ]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((site / "index.html").resolve().as_uri())
        page.wait_for_function("window.Explorable && window.Explorable.state.updates > 0")
        for what, values in EXPLORABLE_RUNS:
            timed = page.evaluate(
                """([values, repeats]) => {
                    document.getElementById('reset').click();
                    for (const [name, value] of Object.entries(values)) {
                        document.getElementById('slider-' + name).value = value;
                    }
                    const updates = [], sums = [];
                    for (let i = 0; i < repeats; i++) {
                        Explorable.update();
                        updates.push(Explorable.state.lastUpdateMs);
                    }
                    const wells = JSON.parse(document.getElementById('lesson-data').textContent).settings.wells;
                    for (let i = 0; i < repeats; i++) {
                        const began = performance.now();
                        LessonMath.twinRuns(wells, Explorable.start(), Explorable.recipe());
                        sums.push(performance.now() - began);
                    }
                    const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
                    return [median(updates), Math.max(...updates), median(sums)];
                }""",
                [values, repeats],
            )
            lines.append(f"| {what} | {timed[0]:.1f} / {timed[1]:.1f} ms | {timed[2]:.1f} ms |")
    return lines + [""]


def speech_speed() -> list[str]:
    """Markdown: seconds of speech piper synthesises per second of wall time, on the first chapter's script."""
    chapter = CHAPTERS[0]
    lines = [line.spoken for line in chapter_script(chapter)]
    with tempfile.TemporaryDirectory() as tmp:
        engine = VoiceEngine(cache_dir=Path(tmp) / "cache", voice_dir=Path(tmp) / "no-recordings")
        start = time.perf_counter()
        speeches = engine.speak_all([(f"bench/line-{i}", text) for i, text in enumerate(lines)])
        wall = time.perf_counter() - start
    spoken = sum(speech.duration for speech in speeches)
    return [
        "## Speech",
        "",
        (
            f"piper (one process, cold cache) on the {len(lines)} lines of `{chapter.module}`: {spoken:.1f} s of "
            f"speech in {wall:.1f} s wall, **{spoken / wall:.1f} s of speech per second** (the ~3 s start of the "
            "process included). A re-render with an unchanged script synthesises nothing (the cache)."
        ),
        "",
    ]


REFERENCE_SCENE = ROOT / "tools" / "bench_reference" / "ref_scene.py"
#: Seconds of video the reference scene renders.
REFERENCE_VIDEO_S = 10.0
#: The issue's measurements before this work (fresh clone, 2 cores): whole video, normalised.
BEFORE = {"l": 4.1, "h": 4.0}
#: Goals: the whole video at 1080p60, and any chapter.
GOAL_VIDEO, GOAL_CHAPTER = 2.0, 3.0


def reference_seconds(quality: str) -> float:
    """Wall time of rendering the reference scene at ``quality`` (one manim process, no cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "manim", "render", f"-q{quality}", "--disable_caching", "--progress_bar", "none",
             "--media_dir", tmp, str(REFERENCE_SCENE), "Ref"],
            cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        return time.perf_counter() - started


def normalised_cost(wall_s: float, cores: int, video_s: float, reference_s: float) -> float:
    """(wall × cores ÷ video seconds) ÷ (reference seconds ÷ 10 s); ValueError on a non-positive input."""
    for name, value in (("wall_s", wall_s), ("cores", cores), ("video_s", video_s), ("reference_s", reference_s)):
        if not value > 0:
            raise ValueError(f"normalised_cost needs {name} > 0, got {value!r}")
    return (wall_s * cores / video_s) / (reference_s / REFERENCE_VIDEO_S)


def cost_table(logs: dict[str, tuple[RenderLog, float]]) -> list[str]:
    """Markdown: per chapter and for the whole video, the normalised cost at each quality (``logs``: quality ->
    (its render log, its reference time)), with the issue's figures before and the goals."""
    header = ["chapter", *(f"{log.resolution}: render, cost" for log, _ in logs.values())]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for chapter in CHAPTERS:
        cells = [chapter.module]
        for log, reference in logs.values():
            timing = next((c for c in log.chapters if c.module == chapter.module and not c.reused), None)
            cells.append(
                "–" if timing is None
                else f"{timing.seconds:.0f} s, **{normalised_cost(timing.seconds, 1, timing.video_s, reference):.2f}**"
            )  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    whole = ["whole video (wall × jobs, join included)"]
    for log, reference in logs.values():
        video = sum(c.video_s for c in log.chapters)
        cost = normalised_cost(log.wall_s, log.jobs, video, reference)
        whole.append(f"{log.wall_s:.0f} s × {log.jobs}, **{cost:.2f}** (before: {BEFORE.get(log.quality, '–')})")
    lines.append("| " + " | ".join(whole) + " |")
    references = ", ".join(f"{log.resolution} {reference:.1f} s" for log, reference in logs.values())
    intro = (
        f"Normalised cost (reference scene rendered in the same run: {references}); goals: whole video at 1080p60 "
        f"≤ {GOAL_VIDEO}, every chapter ≤ {GOAL_CHAPTER}."
    )
    return [intro, "", *lines]


def render_all(quality: str, jobs: int, force: bool) -> RenderLog:
    """Render every chapter (and join) with tools/render.py; returns the run's log (build/<res>/render_log.json)."""
    if force:
        for stamp in (build_dir(quality) / "chapters").glob("*.hash"):
            stamp.unlink()
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "render.py"), "-q", quality, "-j", str(jobs)],
        cwd=ROOT, stdout=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    return RenderLog.read(build_dir(quality) / RENDER_LOG)


def render_table(low: RenderLog, high: RenderLog | None, high_note: str) -> list[str]:
    """Markdown: per chapter, video length and render seconds (ratio to the length) at 480p15 and 1080p60.

    Chapter lengths come from ``low``; a chapter reused (not rendered) in a run shows as "–".
    """
    per_low = low.seconds_by_chapter()
    per_high = high.seconds_by_chapter() if high is not None else {}
    durations = {c.module: c.video_s for c in low.chapters}
    missing = [c.module for c in CHAPTERS if c.module not in durations]
    if missing:
        raise ValueError(f"the {low.resolution} render log has no chapters {missing}: render all chapters")

    def cell(seconds: float | None, length: float) -> str:
        return "– | –" if seconds is None else f"{seconds:.0f} s | {seconds / length:.2f}"

    lines = [
        f"Per chapter, from scratch: {low.resolution} rendered with {low.jobs} job(s), {high_note}:",
        "",
        "| chapter | video | 480p15 render | ratio | 1080p60 render | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for chapter in CHAPTERS:
        length = durations[chapter.module]
        low_cell = cell(per_low.get(chapter.module), length)
        high_cell = cell(per_high.get(chapter.module), length)
        lines.append(f"| {chapter.module} | {length:.1f} s | {low_cell} | {high_cell} |")
    return lines


def loudness_note(log: RenderLog) -> str:
    """The joined video's measured loudness and true peak, as a phrase."""
    if log.loudness_lufs is None or log.true_peak_dbtp is None:
        return "no audio measured"
    return f"{log.loudness_lufs:.1f} LUFS integrated, true peak {log.true_peak_dbtp:.1f} dBTP"


def rerender_one(quality: str, jobs: int) -> float:
    """Wall time of `make video` after one chapter's input changed (its stamp invalidated)."""
    (build_dir(quality) / "chapters" / f"{CHAPTERS[-1].module}.hash").write_text("changed")
    return render_all(quality, jobs, force=False).wall_s


def measured_costs(logs: Sequence[RenderLog]) -> dict[str, dict[str, float]]:
    """The table of shipped render costs (``schedule.SHIPPED_COSTS``) as these from-scratch logs measured it:
    resolution -> chapter -> seconds; a chapter a log reused has no new time."""
    table: dict[str, dict[str, float]] = {}
    for log in logs:
        table.setdefault(log.resolution, {}).update(log.seconds_by_chapter())
    return table


def refresh_shipped_costs(logs: Sequence[RenderLog], path: Path | None = None) -> Path:
    """Rewrite the committed table with the resolutions these logs measured; the others keep their times."""
    table = schedule.read_shipped_costs(path)
    for resolution, row in measured_costs(logs).items():
        table[resolution] = {**table.get(resolution, {}), **row}
    return schedule.write_shipped_costs(table, path)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-1080p", action="store_true", help="no 1080p60 render (the slow part)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument(
        "--log-1080p", type=Path,
        help="take the 1080p60 numbers from this render log (build/1080p60/render_log.json of a `render.py -q h` run)",
    )  # fmt: skip
    parser.add_argument(
        "--log-480p", type=Path,
        help="take the 480p15 numbers from this render log of a from-scratch parallel run (no serial pass)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--costs", type=Path, default=ROOT / schedule.SHIPPED_COSTS,
        help="the committed table of render times per chapter that plans a fresh clone's render (refreshed)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    jobs = os.cpu_count() or 1
    high: RenderLog | None = None
    given_low: RenderLog | None = None
    # Read given logs first: a bad file should fail before an hour of work.
    for path, quality in ((args.log_1080p, "h"), (args.log_480p, "l")):
        if path is None:
            continue
        log = RenderLog.read(path)
        if log.quality != quality or any(c.reused for c in log.chapters) or not log.joined:
            raise SystemExit(f"bench: {path} is not a full from-scratch {QUALITIES[quality]} render log")
        high, given_low = (log, given_low) if quality == "h" else (high, log)

    print("bench: numerics", flush=True)
    lines = ["# Benchmarks", "", "Written by `make bench` (tools/bench.py).", "", *machine(), "", *numerics()]
    print("bench: speech", flush=True)
    lines += speech_speed()
    if not args.skip_tests:
        print("bench: the test suite", flush=True)
        lines += test_times()
    print("bench: the lesson page's explorable", flush=True)
    lines += explorable_times(ROOT / "build" / "site")

    print("bench: the reference scene at 480p15 and 1080p60", flush=True)
    reference = {quality: reference_seconds(quality) for quality in ("l", "h")}
    if given_low is None:
        print("bench: 480p15 serial", flush=True)
        serial = render_all("l", 1, force=True)
        print("bench: 480p15 parallel", flush=True)
        parallel = render_all("l", jobs, force=True)
        print("bench: re-render after one chapter changed", flush=True)
        rerender: float | None = rerender_one("l", jobs)
    else:
        serial = parallel = given_low
        rerender = None
    high_note = (
        f"1080p60 parallel ({jobs} jobs; each chapter shares the cores with another, so its ratio is pessimistic)"
    )
    if high is not None:
        high_note += f", from {args.log_1080p.name}"
    elif not args.skip_1080p:
        print("bench: 1080p60 parallel", flush=True)
        high = render_all("h", jobs, force=True)
    else:
        high_note = "1080p60 not measured (--skip-1080p)"
    total = sum(c.video_s for c in serial.chapters)

    costs = {"l": (parallel, reference["l"])}
    if high is not None:
        costs["h"] = (high, reference["h"])
    lines += ["## Rendering", "", *cost_table(costs), "", *render_table(serial, high, high_note)]
    lines += [
        "",
        f"Full video, narrated edition ({total / 60:.1f} min; {loudness_note(serial)}), including the join:",
        "",
        "| run | wall time | goal |",
        "|---|---|---|",
    ]
    if given_low is None:
        lines.append(f"| 480p15, serial (1 job) | {serial.wall_s:.0f} s | |")
    lines.append(f"| 480p15, parallel ({parallel.jobs} jobs) | {parallel.wall_s:.0f} s | < 120 s |")
    if rerender is not None:
        lines.append(f"| 480p15, re-render after one chapter changed | {rerender:.0f} s | |")
    if high is not None:
        lines.append(
            f"| 1080p60, parallel ({high.jobs} jobs) | {high.wall_s:.0f} s ({high.wall_s / total:.2f}× the video) "
            "| ≤ 1.5× the video |"
        )
    lines.append("")
    write_text_atomically(args.out, "\n".join(lines))
    print(f"bench: wrote {args.out}")
    costs = refresh_shipped_costs([parallel, *([high] if high is not None else [])], args.costs)
    print(f"bench: wrote {costs} (the render order of a fresh clone)")
    return 0


if __name__ == "__main__":
    run_cli(main)
