"""The order the chapters render in, longest first, and rendering them on local processes.

A chapter's expected cost, best source first:
1. its last render time in this build folder (``render_costs.json``, written after every run);
2. its last time in another edition of the same resolution (the editions' times are nearly proportional);
3. the committed table ``assets/render_costs.json``, measured from scratch by ``make bench``, so that a fresh
   clone is planned longest first too (a resolution it does not list is estimated from the ones it does);
4. unknown: started first, since it may be long.
A chapter that will be reused (or only have its subtitles published again) costs next to nothing.

Starting the costliest chapter first (LPT scheduling) means the last to finish is a short one, so no core idles
for minutes at the end; ``plan`` is that order, and ``tools/render.py --dry-run`` prints it.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common.atomic import write_text_atomically
from scenes.i18n import SOURCE
from scenes.video import Chapter
from tools import chapter_render, editions
from tools.chapter_render import Action, RenderedChapter
from tools.editions import QUALITIES, build_dir
from tools.plumbing import Children, parallel_map, shown

#: Each chapter's last measured render time (s), kept across runs beside the log: the longest start first.
RENDER_COSTS = "render_costs.json"
#: The committed table of from-scratch render times by resolution (``make bench`` rewrites it).
SHIPPED_COSTS = Path("assets") / "render_costs.json"
#: What the shipped table says of itself (its "about" entry).
SHIPPED_ABOUT = (
    "Seconds each chapter took to render from scratch (narrated edition), by resolution; written by tools/bench.py "
    "(make bench) from its render logs. tools/schedule.py starts the costliest chapters first on a fresh clone."
)
#: Expected seconds of a chapter that is reused, or only published again: a probe and a copy.
REUSE_SECONDS = 1.0


def known_costs(out: Path) -> dict[str, float]:
    """The last measured render time of each chapter in the build folder ``out``; for a chapter it has none
    for yet, the time in another edition of the same resolution (they are nearly proportional)."""
    costs: dict[str, float] = {}
    siblings = sorted(out.parent.glob(f"{out.name.split('-')[0]}*"), key=lambda folder: folder == out)
    for folder in siblings:  # this folder's own times last, so they win
        try:
            found = json.loads((folder / RENDER_COSTS).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(found, dict):
            costs.update({str(k): float(v) for k, v in found.items()})
    return costs


def record_costs(out: Path, parts: Sequence[RenderedChapter]) -> Path:
    """Keep the render times of the chapters rendered now (not the reused ones) for the next run's order."""
    try:
        costs = json.loads((out / RENDER_COSTS).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        costs = {}
    costs.update({p.chapter.module: round(p.seconds, 3) for p in parts if not p.reused})
    return write_text_atomically(out / RENDER_COSTS, json.dumps(costs, indent=1, sort_keys=True) + "\n")


def pixel_rate(resolution: str) -> float:
    """Pixels drawn per second of video at a resolution such as ``1080p60`` (16:9 frames)."""
    found = re.fullmatch(r"(\d+)p(\d+)", resolution)
    if not found or not all(int(part) > 0 for part in found.groups()):
        raise ValueError(f"resolution {resolution!r} is not of the form <height>p<fps>, e.g. 1080p60")
    height, fps = (int(part) for part in found.groups())
    return height * height * 16 / 9 * fps


def read_shipped_costs(path: Path | None = None) -> dict[str, dict[str, float]]:
    """The committed table: resolution -> chapter module -> seconds; a malformed table is a ValueError naming it."""
    path = editions.ROOT / SHIPPED_COSTS if path is None else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        table = {str(res): {str(k): float(v) for k, v in row.items()} for res, row in data.items() if res != "about"}
        for resolution, row in table.items():
            pixel_rate(resolution)
            bad = {module: seconds for module, seconds in row.items() if not (math.isfinite(seconds) and seconds > 0)}
            if bad:
                raise ValueError(f"{resolution}: render times must be positive seconds, got {bad}")
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, AttributeError, TypeError, ValueError) as error:
        raise ValueError(f"{path} is not a table of render costs: {error}") from error
    return table


def write_shipped_costs(table: dict[str, dict[str, float]], path: Path | None = None) -> Path:
    """Write the committed table (``make bench``), resolutions from the smallest, seconds to 0.1 s."""
    path = editions.ROOT / SHIPPED_COSTS if path is None else path
    ordered = {"about": SHIPPED_ABOUT}
    for resolution in sorted(table, key=pixel_rate):
        ordered[resolution] = {module: round(seconds, 1) for module, seconds in sorted(table[resolution].items())}
    return write_text_atomically(path, json.dumps(ordered, indent=1, ensure_ascii=False) + "\n")


def shipped_costs(resolution: str, table: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    """The shipped render times at ``resolution``: as measured if the table lists it; else, per chapter, a power
    law in the pixel rate, t = t₁·(r/r₁)^b, through the two listed resolutions nearest to it (one listed: its times).
    """
    table = read_shipped_costs() if table is None else table
    if resolution in table:
        return dict(table[resolution])
    rate = math.log(pixel_rate(resolution))
    nearest = sorted(table, key=lambda listed: abs(math.log(pixel_rate(listed)) - rate))[:2]
    if len(nearest) < 2:
        return dict(table[nearest[0]]) if nearest else {}
    (low, t_low), (high, t_high) = sorted(((r, table[r]) for r in nearest), key=lambda item: pixel_rate(item[0]))
    span = math.log(pixel_rate(high)) - math.log(pixel_rate(low))
    where = (rate - math.log(pixel_rate(low))) / span
    return {
        module: t_low[module] * (t_high[module] / t_low[module]) ** where for module in t_low.keys() & t_high.keys()
    }


@dataclass(frozen=True)
class Cost:
    """A chapter's expected render time and where the number comes from."""

    seconds: float | None  #: None: unknown
    source: str


def expected_costs(out: Path, chapters: Sequence[Chapter]) -> dict[str, Cost]:
    """Each chapter's expected from-scratch render time in the build folder ``out`` (see the module docstring)."""
    resolution = out.name.split("-")[0]
    local = known_costs(out)
    try:
        own = json.loads((out / RENDER_COSTS).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        own = {}
    table = read_shipped_costs()
    shipped = shipped_costs(resolution, table)
    estimated = "" if resolution in table else ", estimated from other resolutions"
    costs = {}
    for chapter in chapters:
        module = chapter.module
        if module in local:
            here = isinstance(own, dict) and module in own
            costs[module] = Cost(local[module], "last render here" if here else "another edition, same resolution")
        elif module in shipped:
            costs[module] = Cost(shipped[module], f"shipped table{estimated}")
        else:
            costs[module] = Cost(None, "unknown")
    return costs


def longest_first(chapters: Sequence[Chapter], costs: dict[str, float]) -> list[Chapter]:
    """The order to start ``chapters`` in: unknown costs first (they may be long), then the longest first, so
    the last chapter to finish is a short one and no core idles for minutes at the end (LPT scheduling)."""
    return sorted(chapters, key=lambda c: -costs.get(c.module, float("inf")))


@dataclass(frozen=True)
class PlannedChapter:
    """One chapter of a plan: what it will do, what that is expected to cost, and when it would start."""

    chapter: Chapter
    action: Action  #: reuse, publish (subtitles again) or render
    cost: Cost  #: its from-scratch render time
    start_s: float | None = None  #: when it would start with the plan's jobs (None: after an unknown cost)

    @property
    def expected_s(self) -> float | None:
        """The time it is expected to take now: its render time, or next to nothing if it is not rendered."""
        return self.cost.seconds if self.action == "render" else REUSE_SECONDS


def plan(
    chapters: Sequence[Chapter], quality: str, jobs: int = 1, narrated: bool = True, locale: str = SOURCE.tag
) -> list[PlannedChapter]:
    """The chapters in the order they would start on ``jobs`` processes, each with what it would do, its expected
    cost and (simulated) start; renders nothing."""
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    costs = expected_costs(build_dir(quality, narrated, locale), chapters)
    actions = {c.module: chapter_render.status(c, quality, narrated, locale).action for c in chapters}
    now = {c.module: costs[c.module].seconds if actions[c.module] == "render" else REUSE_SECONDS for c in chapters}
    order = longest_first(chapters, {module: seconds for module, seconds in now.items() if seconds is not None})
    free = [0.0] * jobs  # when each process is next free; a process picks the next chapter as soon as it is
    planned = []
    for chapter in order:
        start = heapq.heappop(free)
        seconds = now[chapter.module]
        planned.append(PlannedChapter(chapter, actions[chapter.module], costs[chapter.module],
                                      None if math.isinf(start) else start))  # fmt: skip
        heapq.heappush(free, start + (math.inf if seconds is None else seconds))
    return planned


def expected_wall_s(planned: Sequence[PlannedChapter]) -> float | None:
    """When the last chapter of ``planned`` would finish (None: a cost is unknown)."""
    ends = [p.start_s + p.expected_s for p in planned if p.start_s is not None and p.expected_s is not None]
    return max(ends, default=0.0) if len(ends) == len(planned) else None


def plan_text(planned: Sequence[PlannedChapter], quality: str, jobs: int, narrated: bool, locale: str) -> str:
    """The plan as ``--dry-run`` prints it: one line per chapter in the order they would start."""
    out = build_dir(quality, narrated, locale)
    rendering = sum(p.action == "render" for p in planned)
    wall = expected_wall_s(planned)
    total = f"about {wall / 60:.0f} min" if wall is not None else "unknown (a chapter has no known cost)"
    edition = "narrated" if narrated else "silent"
    lines = [
        (
            f"dry run: {QUALITIES[quality]}, {edition} ({locale}), {jobs} job(s), into {shown(out, editions.ROOT)}: "
            f"{len(planned)} chapter(s), {rendering} to render, {len(planned) - rendering} reused; chapters done in "
            f"{total} (the join follows); nothing is rendered"
        ),
        f"{'#':>3}  {'start':>7}  {'chapter':<20} {'action':<8} {'expected':>9}  cost from",
    ]
    for i, p in enumerate(planned, 1):
        start = "?" if p.start_s is None else f"{int(p.start_s // 60)}:{int(p.start_s % 60):02d}"
        expected = "?" if p.expected_s is None else f"{p.expected_s:.0f} s"
        source = p.cost.source if p.action == "render" else f"reused (render: {_seconds(p.cost.seconds)})"
        lines.append(f"{i:>3}  {start:>7}  {p.chapter.module:<20} {p.action:<8} {expected:>9}  {source}")
    return "\n".join(lines) + "\n"


def _seconds(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds:.0f} s"


def render_all(
    chapters: Sequence[Chapter],
    quality: str,
    jobs: int,
    log: Callable[[str], None],
    finished: Callable[[RenderedChapter], None] = lambda part: None,
    narrated: bool = True,
    locale: str = SOURCE.tag,
) -> list[RenderedChapter]:
    """Render ``chapters`` (of the edition ``narrated``, in language ``locale``) on ``jobs`` threads in the order of
    ``plan``, calling ``finished`` as each one is ready; returns them in video order.

    Ctrl-C terminates the running manim processes and starts no new one (``parallel_map``).
    """
    children = Children()

    def one(chapter: Chapter) -> RenderedChapter:
        part = chapter_render.render_chapter(chapter, quality, log, children, narrated, locale)
        finished(part)
        return part

    order = [p.chapter for p in plan(chapters, quality, jobs, narrated, locale)]
    done = {part.chapter.module: part for part in parallel_map(one, order, jobs, children)}
    return [done[chapter.module] for chapter in chapters]
