"""Render chapters on a Dask distributed cluster: ``make video SCHEDULER=tcp://host:8786``.

Each chapter is one task, submitted longest first. A worker renders it with its own checkout (the same
``render_chapter`` as a local run) and sends the chapter's files back; this process writes them into its own
build folder, atomically, and joins as usual. A worker must render exactly the same inputs: before rendering,
it computes the chapter's input hash (scene code, shared code, translations, voice, requirements.lock) and
checks that its installed packages are the ones requirements.lock pins; any difference is refused with a
message naming the worker and what differs.

Start a scheduler and workers (each worker: a clone of the same commit, set up with ``make setup``):

    .venv/bin/dask scheduler                                  # prints tcp://<host>:8786
    .venv/bin/dask worker tcp://<host>:8786 --nworkers 2 --nthreads 1
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from common.atomic import atomic_output
from scenes.i18n import CUES_SUFFIX, SOURCE
from scenes.video import Chapter
from tools import chapter_render, editions, inputs, schedule
from tools.chapter_render import RenderedChapter, clip_levels
from tools.plumbing import Children, probe

#: The environment variable (and make variable) with the scheduler's address.
SCHEDULER_VARIABLE = "SCHEDULER"


class WorkerMismatchError(RuntimeError):
    """A worker whose checkout or installed packages differ from the client's: it would render other frames."""


def installed_mismatches(lock: Path | None = None) -> list[str]:
    """The pins of requirements.lock that this Python does not have installed as pinned (``name: want, have``)."""
    lock = editions.ROOT / "requirements.lock" if lock is None else lock
    problems = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" not in line:
            continue
        name, wanted = (part.strip() for part in line.split("==", 1))
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "not installed"
        if have != wanted:
            problems.append(f"{name}: requirements.lock pins {wanted}, installed {have}")
    return problems


@dataclass(frozen=True)
class RemoteResult:
    """What a worker sends back: the chapter's published files (name -> bytes) and how the render went."""

    files: dict[str, bytes]
    seconds: float
    reused: bool
    worker: str


def render_remote(
    chapter: Chapter, quality: str, narrated: bool, locale: str, expected_hash: str
) -> RemoteResult:
    """On a worker: check that it has the client's inputs, render the chapter, return its files."""
    worker = f"{socket.gethostname()}:{editions.ROOT}"
    here = inputs.input_hash(chapter, quality, narrated, locale=locale)
    if here != expected_hash:
        raise WorkerMismatchError(
            f"worker {worker} refuses {chapter.module}: its input hash {here[:12]} is not the client's "
            f"{expected_hash[:12]}: its checkout (scenes, mathcore, tools, translations, requirements.lock) differs; "
            "check out the client's commit there"
        )
    mismatches = installed_mismatches()
    if mismatches:
        raise WorkerMismatchError(
            f"worker {worker} refuses {chapter.module}: installed packages differ from requirements.lock "
            f"(run tools/setup.sh there): {'; '.join(mismatches[:5])}"
        )
    part = chapter_render.render_chapter(chapter, quality, print, Children(), narrated, locale)
    folder = part.video.parent
    files = {path.name: path.read_bytes() for path in sorted(folder.glob(f"{chapter.module}.*")) if path.is_file()}
    return RemoteResult(files, part.seconds, part.reused, worker)


def receive(chapter: Chapter, result: RemoteResult, out_dir: Path, locale: str) -> RenderedChapter:
    """Write a worker's files into ``out_dir`` (atomically; the stamp last) and describe the chapter."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{chapter.module}.hash"
    for name in sorted(result.files, key=lambda name: name == stamp):  # the stamp last: it vouches for the rest
        target = out_dir / name
        if target.is_file() and target.read_bytes() == result.files[name]:
            continue  # a worker sharing this file system has already written it
        with atomic_output(target) as tmp:
            tmp.write_bytes(result.files[name])
    video = out_dir / f"{chapter.module}.mp4"
    subtitles, cue_texts = video.with_suffix(".srt"), video.with_suffix(CUES_SUFFIX)
    return RenderedChapter(
        chapter, video, subtitles if subtitles.exists() else None, probe(video).duration,
        seconds=result.seconds, reused=result.reused, levels=clip_levels(video),
        cue_texts=cue_texts if cue_texts.exists() else None, locale=locale,
    )  # fmt: skip


def render_on_cluster(
    chapters: Sequence[Chapter],
    quality: str,
    address: str,
    log: Callable[[str], None],
    finished: Callable[[RenderedChapter], None] = lambda part: None,
    narrated: bool = True,
    locale: str = SOURCE.tag,
) -> list[RenderedChapter]:
    """Render ``chapters`` on the Dask cluster at ``address``, longest first; returns them in video order."""
    from distributed import Client, as_completed

    out_dir = editions.build_dir(quality, narrated, locale) / "chapters"
    order = [planned.chapter for planned in schedule.plan(chapters, quality, 1, narrated, locale)]
    with Client(address, timeout="30s") as client:
        log(f"cluster {address}: {len(client.scheduler_info().get('workers', {}))} workers")
        futures = {}
        for rank, chapter in enumerate(order):
            digest = inputs.input_hash(chapter, quality, narrated, locale=locale)
            future = client.submit(
                render_remote, chapter, quality, narrated, locale, digest,
                key=f"render-{chapter.module}-{digest[:16]}", priority=len(order) - rank, retries=0, pure=False,
            )  # fmt: skip
            futures[future] = chapter
        done: dict[str, RenderedChapter] = {}
        for future in as_completed(futures):
            chapter = futures[future]
            result = future.result()  # a worker's refusal or render error is raised here, naming it
            part = receive(chapter, result, out_dir, locale)
            log(f"{chapter.module}: {'reused' if result.reused else 'rendered'} on {result.worker} "
                f"in {result.seconds:.0f} s")  # fmt: skip
            finished(part)
            done[chapter.module] = part
    return [done[chapter.module] for chapter in chapters]
