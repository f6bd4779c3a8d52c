"""Join the chapters into one video: the MP4 with chapter markers, one audio track and a subtitle track per
language, its subtitle files, and the chapter lists video sites read.

- ``join_edition(parts, target, narrated)``: all of it, for the narrated or the silent edition.
- ``chapter_starts``, ``joined_cues``, ``chapter_list``: the pieces, each chapter shifted by its start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from common.atomic import write_text_atomically
from scenes.i18n import LANGUAGES, SOURCE
from tools import tracks
from tools.chapter_render import RenderedChapter


def chapter_starts(durations: Sequence[float]) -> list[float]:
    """Start time of each chapter in the joined video."""
    starts, total = [], 0.0
    for duration in durations:
        starts.append(total)
        total += duration
    return starts


def chapter_marks(parts: Sequence[RenderedChapter]) -> list[dict[str, object]]:
    """The joined video's chapter markers (MP4 chapter metadata), in milliseconds, titled in the chapters' language."""
    starts = chapter_starts([p.duration for p in parts])
    return [
        {
            "id": i + 1,
            "start": round(start * 1000),
            "end": round((start + part.duration) * 1000),
            "time_base": Fraction(1, 1000),
            "metadata": {"title": part.chapter.title_in(part.locale)},
        }
        for i, (part, start) in enumerate(zip(parts, starts))
    ]


def joined_audio(parts: Sequence[RenderedChapter]) -> np.ndarray | None:
    """The chapters' audio, each made exactly as long as its video, end to end; None if no chapter has audio.

    Each chapter starts at the sample of its video's start, so no chapter boundary shifts the sound.
    """
    audio = [tracks.read_audio(part.video) for part in parts]
    if all(samples is None for samples in audio):
        return None
    starts = chapter_starts([p.duration for p in parts])
    edges = [round(t * tracks.AUDIO_RATE) for t in [*starts, starts[-1] + parts[-1].duration]]
    return np.concatenate(
        [tracks.fit(samples, (edges[i + 1] - edges[i]) / tracks.AUDIO_RATE) for i, samples in enumerate(audio)]
    )


def joined_cues(parts: Sequence[RenderedChapter], sequential: bool = False, tag: str | None = None) -> list[tracks.Cue]:
    """The chapters' subtitle cues in language ``tag`` (default: their own), each shifted by its chapter's start;
    ``sequential``: each chapter's cues made one at a time and ending with its video (``tracks.sequential``), as an
    MP4 text track needs."""
    cues: list[tracks.Cue] = []
    for part, start in zip(parts, chapter_starts([p.duration for p in parts])):
        cues += tracks.shifted(part.cues(tag, sequential), start)
    return cues


def chapter_list(parts: Sequence[RenderedChapter], tag: str) -> str:
    """The chapters' start times and titles in language ``tag``, one ``0:00 Title`` per line, as video sites
    read them from a description (hours only when the video is that long)."""
    starts = chapter_starts([p.duration for p in parts])
    hours = sum(p.duration for p in parts) >= 3600
    return "".join(f"{timestamp(start, hours)} {part.chapter.title_in(tag)}\n" for part, start in zip(parts, starts))


def timestamp(seconds: float, hours: bool = False) -> str:
    """m:ss, or h:mm:ss when ``hours`` (seconds floored, so a chapter never appears to start late)."""
    whole = int(seconds)
    if hours:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def write_chapter_lists(parts: Sequence[RenderedChapter], video: Path) -> list[Path]:
    """``<stem>.chapters.<tag>.txt`` beside ``video`` for every language (the times are the same in each)."""
    return [
        write_text_atomically(video.with_name(f"{video.stem}.chapters.{tag}.txt"), chapter_list(parts, tag))
        for tag in LANGUAGES
    ]


def join_videos(
    parts: Sequence[RenderedChapter], target: Path, subtitles: Sequence[tracks.SubtitleTrack] = ()
) -> tracks.AudioLevels | None:
    """Concatenate the chapter MP4s (same codec and size) into ``target`` with chapter markers, the chapters'
    audio (if any has audio) as one AAC track at delivery loudness, and a mov_text stream per ``subtitles``
    track; returns the joined audio's levels, measured on the decoded result."""
    if not parts:
        raise ValueError("join_videos needs at least one chapter, got none")
    starts = chapter_starts([p.duration for p in parts])
    sources = [tracks.VideoSource(part.video, start) for part, start in zip(parts, starts)]
    return tracks.write_mp4(target, sources, joined_audio(parts), subtitles, chapter_marks(parts))


def join_subtitles(parts: Sequence[RenderedChapter], target: Path) -> None:
    """Merge the chapters' subtitles (in their own language) into one .srt, shifted by each chapter's start, one
    cue at a time (a caption that the next one replaces early ends there, as it does on screen)."""
    write_text_atomically(target, tracks.srt_text(joined_cues(parts, sequential=True)))


@dataclass(frozen=True)
class JoinedVideo:
    """What ``join_edition`` wrote: the video, its subtitle files beside it, its audio's levels."""

    video: Path
    subtitles: tuple[Path, ...]
    levels: tracks.AudioLevels | None
    chapter_lists: tuple[Path, ...] = ()


def join_edition(parts: Sequence[RenderedChapter], target: Path, narrated: bool) -> JoinedVideo:
    """Join the chapters into ``target`` and write its subtitles and chapter lists beside it.

    Narrated: a mov_text track per language in the MP4 (English first) and ``video.<tag>.srt``/``.vtt``.
    Silent: ``video.srt`` in the edition's language. Both: ``video.chapters.<tag>.txt`` for every language.
    """
    if not narrated:
        levels = join_videos(parts, target)
        join_subtitles(parts, target.with_suffix(".srt"))
        return JoinedVideo(target, (target.with_suffix(".srt"),), levels, tuple(write_chapter_lists(parts, target)))
    recorded = all(p.cue_texts is not None for p in parts if p.subtitles is not None)
    tags = LANGUAGES if recorded else (SOURCE.tag,)
    present = [tracks.subtitle_track(tag, joined_cues(parts, sequential=True, tag=tag)) for tag in tags]
    present = [track for track in present if track.cues]
    levels = join_videos(parts, target, present)
    sidecars = tuple(tracks.write_sidecars(target, present))
    return JoinedVideo(target, sidecars, levels, tuple(write_chapter_lists(parts, target)))
