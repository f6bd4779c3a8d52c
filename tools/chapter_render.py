"""Render one chapter: manim in a child process, then the clip published into build/<edition>/chapters/.

- ``status(chapter, quality, narrated, locale)``: what a render has to do now: reuse the clip (its inputs are
  unchanged), publish it again (only the translations of its subtitles changed), or render it.
- ``render_chapter(...)``: do that, and describe the clip as a ``RenderedChapter``.
- ``publish_chapter``: a narrated clip is manim's video with its audio at delivery loudness and a subtitle track
  per language; a silent clip is manim's MP4 as it is.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from common.atomic import copy_atomically, write_text_atomically
from scenes.i18n import CUES_SUFFIX, LANGUAGES, SOURCE, Msg, language
from scenes.video import Chapter
from tools import editions, inputs, tracks
from tools.editions import QUALITIES, build_dir, manim_environment
from tools.plumbing import Children, probe, shown


@dataclass(frozen=True)
class RenderedChapter:
    """A chapter's finished MP4 (and subtitles): how long it is and what it took to get it."""

    chapter: Chapter
    video: Path
    subtitles: Path | None
    duration: float
    seconds: float = 0.0  #: wall time spent on this chapter (render, or just the check when reused)
    reused: bool = False  #: True when the inputs were unchanged and the previous render was kept
    levels: tracks.AudioLevels | None = None  #: the clip's audio as measured (decoded); None: no audio
    cue_texts: Path | None = None  #: the subtitles' texts in every language (the scene's record, CUES_SUFFIX)
    locale: str = SOURCE.tag  #: the language the chapter was rendered in (its captions, labels and .srt)

    def cues(self, tag: str | None = None, sequential: bool = False) -> tuple[tracks.Cue, ...]:
        """The chapter's subtitle cues in language ``tag`` (default: its own), timed as manim's .srt;
        ``sequential``: one at a time and ending with the video (``tracks.sequential``)."""
        if self.subtitles is None:
            return ()
        own = tracks.read_cues(self.subtitles)
        tag = self.locale if tag is None else tag
        if tag != self.locale:
            if self.cue_texts is None:
                raise ValueError(f"{self.chapter.module}: no record of its cues in {tag} ({CUES_SUFFIX})")
            own = tracks.translated(own, read_cue_texts(self.cue_texts), self.locale, tag)
        return tracks.sequential(own, self.duration) if sequential else own


def read_cue_texts(path: Path) -> list[dict[str, str]]:
    """The texts of a chapter's cues in every language, in the .srt's order (by start, then end): each cue's
    recorded message translated with the catalogue as it is now; in the chapter's own language, the text
    manim wrote (so a record that does not belong to the .srt is caught)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        own = language(record["locale"]).tag
        cues = sorted(record["cues"], key=lambda cue: (cue["start"], cue["end"]))
        messages = [(Msg.from_record(cue["message"]), str(cue["text"])) for cue in cues]
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path} is not a cue record written by a chapter: {error}") from error
    return [{tag: text if tag == own else message.in_(tag) for tag in LANGUAGES} for message, text in messages]


@dataclass(frozen=True)
class ChapterFiles:
    """Where a chapter's render goes: the published files in build/<edition>/chapters/, and manim's own output."""

    video: Path
    subtitles: Path
    cue_texts: Path
    sections: Path
    stamp: Path  #: the input hash of the render the published clip came from
    publish_stamp: Path  #: narrated: the publication (translations) the clip's subtitle tracks came from
    media: Path  #: manim's media folder for this chapter (one per chapter: parallel renders share no TeX files)
    produced: Path  #: the MP4 manim writes there

    @classmethod
    def of(cls, chapter: Chapter, quality: str, narrated: bool = True, locale: str = SOURCE.tag) -> ChapterFiles:
        out = build_dir(quality, narrated, locale)
        extensions = (".mp4", ".srt", CUES_SUFFIX, ".sections.json", ".hash")
        chapters = out / "chapters"
        video, subtitles, cue_texts, sections, stamp = (chapters / f"{chapter.module}{ext}" for ext in extensions)
        media = out / "media" / chapter.module
        produced = media / "videos" / chapter.module / QUALITIES[quality] / f"{chapter.scene}.mp4"
        return cls(video, subtitles, cue_texts, sections, stamp, stamp.with_suffix(".published"), media, produced)


#: What a render of a chapter has to do: keep the clip, publish its subtitles again, or run manim.
Action = Literal["reuse", "publish", "render"]


@dataclass(frozen=True)
class Status:
    """What a render of a chapter has to do now, and the hashes that decide it."""

    action: Action
    digest: str  #: ``inputs.input_hash`` of the chapter now
    publication: str  #: narrated: ``inputs.publish_hash``; silent: the digest


def status(chapter: Chapter, quality: str, narrated: bool = True, locale: str = SOURCE.tag) -> Status:
    """Whether the chapter's published clip is current (reuse), needs only its subtitles made again from changed
    translations (publish: manim's output is still there), or has to be rendered."""
    files = ChapterFiles.of(chapter, quality, narrated, locale)
    digest = inputs.input_hash(chapter, quality, narrated, locale=locale)
    publication = inputs.publish_hash(digest) if narrated else digest
    action: Action = "render"
    if files.video.exists() and files.stamp.exists() and files.stamp.read_text() == digest:
        if not narrated or (files.publish_stamp.exists() and files.publish_stamp.read_text() == publication):
            action = "reuse"
        elif all(files.produced.with_suffix(ext).is_file() for ext in (".mp4", ".srt", CUES_SUFFIX)):
            action = "publish"
    return Status(action, digest, publication)


def manim_command(chapter: Chapter, quality: str, media: Path) -> list[str]:
    """The manim call that renders ``chapter`` at ``quality`` into the media folder ``media``."""
    return [
        sys.executable, "-m", "manim", "render", f"-q{quality}", "--media_dir", str(media),
        "--disable_caching", "--progress_bar", "none", "-v", "INFO", "--save_sections",
        str(chapter.path), chapter.scene,
    ]  # fmt: skip


def subtitle_tracks(
    cues: Sequence[tracks.Cue], cue_texts: Sequence[dict[str, str]] | None
) -> list[tracks.SubtitleTrack]:
    """The narrated edition's subtitle tracks, English first: ``cues`` (English, from manim's .srt) and the same
    cues in every other language (``cue_texts``, the scene's record; None: English only); none without cues."""
    if not cues:
        return []
    tags = LANGUAGES if cue_texts is not None else (SOURCE.tag,)
    return [
        tracks.subtitle_track(tag, cues if tag == SOURCE.tag else tracks.translated(cues, cue_texts, SOURCE.tag, tag))
        for tag in tags
    ]


def publish_chapter(
    produced: Path, video: Path, subtitles: Path, cue_texts: Path | None = None
) -> tracks.AudioLevels | None:
    """Publish manim's narrated render ``produced`` as ``video``: its video stream copied, its audio (if any) at
    delivery loudness, its subcaptions as one mov_text track per language (English, then the translations from
    ``cue_texts``) and as ``<module>.<tag>.srt``/``.vtt``.

    The audio comes from the WAV manim leaves beside its MP4 (lossless, and free of the AAC priming delay manim's
    MP4 carries), else from the MP4 itself; it is made exactly as long as the video.
    """
    duration = probe(produced).duration
    audio = None
    if tracks.has_audio(produced):
        wav = produced.with_suffix(".wav")
        audio = tracks.fit(tracks.read_audio(wav if wav.is_file() else produced), duration)
    cues = tracks.read_cues(subtitles) if subtitles.is_file() else ()
    texts = read_cue_texts(cue_texts) if cues and cue_texts is not None and cue_texts.is_file() else None
    present = [tracks.SubtitleTrack(t.language, t.tag, t.title, tracks.sequential(t.cues, duration))
               for t in subtitle_tracks(cues, texts)]  # fmt: skip
    levels = tracks.write_mp4(video, [tracks.VideoSource(produced)], audio, present)
    tracks.write_sidecars(video, present)
    if not present:  # no subcaptions any more: no sidecars from an earlier render
        for tag in LANGUAGES:
            for old in tracks.sidecar_paths(video, tracks.subtitle_track(tag, ())):
                old.unlink(missing_ok=True)
    return levels


def clip_levels(video: Path) -> tracks.AudioLevels | None:
    """The levels of a published clip's audio, decoded (None: no audio)."""
    audio = tracks.read_audio(video)
    return None if audio is None else tracks.measure(audio)


def render_chapter(
    chapter: Chapter,
    quality: str,
    log: Callable[[str], None],
    children: Children,
    narrated: bool = True,
    locale: str = SOURCE.tag,
) -> RenderedChapter:
    """Render one chapter with manim (a child in ``children``) unless its inputs are unchanged since the last render."""
    started = time.monotonic()
    files = ChapterFiles.of(chapter, quality, narrated, locale)
    video, subtitles, cue_texts, produced = files.video, files.subtitles, files.cue_texts, files.produced
    now = status(chapter, quality, narrated, locale)

    def reused() -> RenderedChapter:
        return RenderedChapter(
            chapter, video, subtitles if subtitles.exists() else None, probe(video).duration,
            seconds=time.monotonic() - started, reused=True, levels=clip_levels(video),
            cue_texts=cue_texts if cue_texts.exists() else None, locale=locale,
        )  # fmt: skip

    if now.action == "reuse":
        log(f"{chapter.module}: unchanged, reusing {shown(video, editions.ROOT)}")
        return reused()
    if now.action == "publish":
        # Only the translations changed: the same frames and sound, subtitle tracks made again.
        publish_chapter(produced, video, produced.with_suffix(".srt"), produced.with_suffix(CUES_SUFFIX))
        write_text_atomically(files.publish_stamp, now.publication)
        log(f"{chapter.module}: translations changed, subtitles published again")
        return reused()
    # manim leaves its mixed sound there, and writes it only when the scene has sound: never read an old one.
    produced.with_suffix(".wav").unlink(missing_ok=True)
    produced.with_suffix(CUES_SUFFIX).unlink(missing_ok=True)
    log(f"{chapter.module}: rendering")
    last_report = started
    animations = 0
    tail: list[str] = []
    with children.popen(manim_command(chapter, quality, files.media), cwd=editions.ROOT, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, env=manim_environment(narrated, locale)) as proc:  # fmt: skip
        for line in proc.stdout:  # type: ignore[union-attr]
            tail = (tail + [line.rstrip()])[-40:]
            if re.search(r"Animation \d+ : Partial movie file written", line):
                animations += 1
                if time.monotonic() - last_report > 10:
                    last_report = time.monotonic()
                    log(f"{chapter.module}: {animations} animations done ({time.monotonic() - started:.0f} s)")
        if proc.wait() != 0:
            raise RuntimeError(f"manim failed on {chapter.module} ({chapter.scene}):\n" + "\n".join(tail))
    produced_srt, produced_texts = produced.with_suffix(".srt"), produced.with_suffix(CUES_SUFFIX)
    if narrated:
        levels = publish_chapter(produced, video, produced_srt, produced_texts)
    else:
        copy_atomically(produced, video)
        levels = None
    copy_atomically(produced.parent / "sections" / f"{chapter.scene}.json", files.sections)
    for made, published in ((produced_srt, subtitles), (produced_texts, cue_texts)):
        if made.exists():
            copy_atomically(made, published)
        elif published.exists():
            published.unlink()
    # The stamps come last: a run stopped before them renders this chapter again.
    write_text_atomically(files.stamp, now.digest)
    if narrated:
        write_text_atomically(files.publish_stamp, now.publication)
    duration = probe(video).duration
    seconds = time.monotonic() - started
    loud = f", audio {levels.loudness_lufs:.1f} LUFS" if levels and levels.loudness_lufs is not None else ""
    log(f"{chapter.module}: done, {duration:.1f} s of video{loud} in {seconds:.0f} s")
    return RenderedChapter(
        chapter, video, subtitles if subtitles.exists() else None, duration, seconds=seconds, levels=levels,
        cue_texts=cue_texts if cue_texts.exists() else None, locale=locale,
    )  # fmt: skip


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
