"""Plumbing shared by the tools: probing videos, child processes, the command line (atomic files: ``common.atomic``).

- ``probe(video)``: duration, frame rate, frame count, size and chapter markers of a video.
- ``Children``, ``parallel_map``: subprocesses run from worker threads, all ended by an interrupt.
- ``run_cli(main)``: one-line errors, Ctrl-C and closed pipes handled the same way by every tool.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import NoReturn, TypeVar

import av

#: What an interrupted tool prints: every output is atomic, so a rerun simply continues.
INTERRUPTED = "interrupted: nothing half-written; rerun to continue"

T = TypeVar("T")
R = TypeVar("R")


def shown(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """``path`` for a message: relative to ``root`` when inside it (the usual build/), else as it is."""
    path, root = Path(path), Path(root)
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


@dataclass(frozen=True)
class ChapterMark:
    """A chapter marker of a video: its title and its span in seconds."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class VideoInfo:
    """What ``probe`` reads from a video's first video stream."""

    frames: int
    frame_rate: Fraction
    width: int
    height: int
    chapters: tuple[ChapterMark, ...] = ()

    @property
    def duration(self) -> float:
        """Seconds: frames / frame rate (exact, unlike the container's duration, which the muxer rounds)."""
        return float(self.frames / self.frame_rate)


def probe(video: str | os.PathLike[str]) -> VideoInfo:
    """Frame count, frame rate, size and chapter markers of ``video``'s first video stream.

    Raises FileNotFoundError for a missing file and ValueError for a file with no video stream.
    """
    video = Path(video)
    if not video.is_file():
        raise FileNotFoundError(f"no video at {video}")
    with av.open(str(video)) as container:
        if not container.streams.video:
            raise ValueError(f"{video} has no video stream")
        stream = container.streams.video[0]
        rate = stream.guessed_rate or stream.average_rate
        if not rate:
            raise ValueError(f"{video}: the video stream has no frame rate")
        frames = stream.frames
        if not frames:  # some containers do not count frames: count them (exact, but decodes nothing)
            frames = sum(1 for packet in container.demux(stream) if packet.size)
        chapters = tuple(
            ChapterMark(
                str(c["metadata"].get("title", "")),
                float(c["start"] * c["time_base"]),
                float(c["end"] * c["time_base"]),
            )
            for c in container.chapters()
        )
        return VideoInfo(int(frames), Fraction(rate), stream.width, stream.height, chapters)


class Children:
    """The child processes a tool runs (from any thread); ``terminate_all`` ends them and refuses new ones.

    A Ctrl-C in a terminal reaches the whole process group, but a SIGINT sent to the tool alone
    (or a KeyboardInterrupt raised in it) does not: without this, manim would keep rendering.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()
        self._stopping = False

    @contextmanager
    def popen(self, command: Sequence[str], **kwargs: object) -> Iterator[subprocess.Popen[str]]:
        """Start ``command`` (text mode) and yield it; it is waited for (or killed) on exit."""
        with self._lock:
            if self._stopping:
                raise KeyboardInterrupt  # the tool is shutting down: start nothing new
            proc: subprocess.Popen[str] = subprocess.Popen(  # type: ignore[call-overload]
                list(command), text=True, **kwargs
            )
            self._running.add(proc)
        try:
            with proc:
                yield proc
        finally:
            with self._lock:
                self._running.discard(proc)

    def run(self, command: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Like ``subprocess.run(command, capture_output=True, text=True)``, but ended by ``terminate_all``."""
        with self.popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs) as proc:
            stdout, stderr = proc.communicate()
        return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)

    def terminate_all(self, grace: float = 5.0) -> None:
        """Terminate every running child (kill it after ``grace`` seconds) and start no new one."""
        with self._lock:
            self._stopping = True
            running = list(self._running)
        for proc in running:
            proc.terminate()
        for proc in running:
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def parallel_map(work: Callable[[T], R], items: Iterable[T], jobs: int, children: Children) -> list[R]:
    """``[work(item) for item in items]`` on ``jobs`` threads, in order; ``work`` runs its programs in ``children``.

    On Ctrl-C (which only the main thread sees), start no further item and terminate the running
    children: otherwise the pool would wait for every one of them to finish its work.
    Another exception in one item lets the others finish (their results are kept on disk), then propagates.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(work, item) for item in items]
        return [future.result() for future in futures]
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        children.terminate_all()
        raise
    finally:
        pool.shutdown(wait=True)


class UsageError(Exception):
    """A mistake on the command line (such as an unknown chapter): one line on stderr, exit status 2."""


def run_cli(main: Callable[[], int]) -> NoReturn:
    """Run a tool's ``main`` and exit with its status; the usual failures print one line, no traceback.

    UsageError -> ``error: <message>``, status 2. KeyboardInterrupt -> ``INTERRUPTED``, status 130
    (128 + SIGINT, as shells report it). BrokenPipeError (``tool --list | head -2``) -> quiet, status 1,
    the way the Python documentation recommends: stdout goes to devnull so the exit flush cannot fail again.
    """
    try:
        status = main()
        sys.stdout.flush()  # a buffered write to a closed pipe fails here, not at exit where it cannot be caught
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        status = 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = 1
    sys.exit(status)
