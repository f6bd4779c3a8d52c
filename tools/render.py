"""Render the chapters (in parallel, skipping unchanged ones) and join them into one MP4.

    python tools/render.py --quality h            # the full video, 1080p60, narrated
    python tools/render.py --quality h --narration off   # the silent edition (captions burned in)
    python tools/render.py --quality l --only vanilla_gd weight_decay
    python tools/render.py --list

Outputs of the narrated edition (the default), for a quality such as 1080p60:
    build/1080p60/chapters/<module>.mp4 (+ .srt, .en.srt, .en.vtt)   one file per chapter
    build/1080p60/video.mp4 (+ video.en.srt, video.en.vtt)            the joined video
Every MP4 has one AAC audio track (mono, 48 kHz, -16 LUFS, true peak at most -1.5 dBTP), an English
mov_text subtitle track and (the joined one) chapter markers. The silent edition goes to build/1080p60-silent/:
the same chapter MP4s (+ .srt) and video.mp4 (+ video.srt), with no audio and no subtitle track.
The manim processes get NARRATION=on or off in their environment: the scenes read it.
Every final file is written to a temporary name and moved into place, so an interrupted
run leaves no truncated output, and a rerun picks up where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scenes.i18n import CUES_SUFFIX, LANGUAGES, LOCALE_VARIABLE, SOURCE, Msg, catalogue_file, language
from scenes.video import CHAPTERS, SCENES_DIR, Chapter
from tools import tracks
from tools.common import (
    Children,
    UsageError,
    copy_atomically,
    parallel_map,
    probe,
    run_cli,
    shown,
    write_text_atomically,
)

QUALITIES = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}
#: Files every chapter depends on besides its own scene file, relative to the root (see ``shared_inputs``).
REQUIRED_SHARED_INPUTS = ("scenes/video.py", "scenes/i18n.py", "manim.cfg", "requirements.lock")
#: Packages whose every ``*.py`` (at any depth) every chapter imports; either may be a module or a package.
SHARED_PACKAGES = ("mathcore", "scenes/style")
#: The render's machine-readable timing log, in build/<quality>/ (read by tools/bench.py).
RENDER_LOG = "render_log.json"
#: Each chapter's last measured render time (s), kept across runs beside the log: the longest start first.
RENDER_COSTS = "render_costs.json"
#: The scenes' switch between the editions: the environment variable and its values.
NARRATION_VARIABLE = "NARRATION"
NARRATION_VALUES = ("on", "off")
#: Files the narrated edition's chapters depend on besides the shared ones (the voice, the loudness, the muxing).
VOICE_INPUTS = ("tools/voice.py", "tools/voice_lexicon.py", "tools/loudness.py", "tools/tracks.py")
#: Recorded lines (any file under it counts: a changed recording renders its chapter again).
VOICE_ASSETS = "assets/voice"


def shared_inputs(root: Path | None = None) -> list[str]:
    """Files (relative to ``root``, sorted) every chapter's render depends on besides its own scene file.

    Robust to either layout of the shared code: ``mathcore/derivations.py`` or a package
    ``mathcore/derivations/``, ``scenes/style.py`` or a package ``scenes/style/``.
    """
    root = ROOT if root is None else root
    missing = [name for name in REQUIRED_SHARED_INPUTS if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"shared render inputs missing under {root}: {missing}")
    found = {root / name for name in REQUIRED_SHARED_INPUTS}
    for package in SHARED_PACKAGES:
        module, folder = root / f"{package}.py", root / package
        if module.is_file():
            found.add(module)
        if folder.is_dir():
            found.update(folder.rglob("*.py"))
    init = root / "scenes" / "__init__.py"  # runs on every `import scenes.*`
    if init.is_file():
        found.add(init)
    return sorted(path.relative_to(root).as_posix() for path in found)


def voice_inputs(root: Path | None = None, module: str | None = None) -> list[str]:
    """Files (relative to ``root``, sorted) the narrated edition depends on besides ``shared_inputs``: the voice's
    code, and the recorded lines of chapter ``module`` (assets/voice/<module>/; all chapters' when None)."""
    root = ROOT if root is None else root
    missing = [name for name in VOICE_INPUTS if not (root / name).is_file()]
    if missing:
        raise FileNotFoundError(f"narration inputs missing under {root}: {missing}")
    folder = root / VOICE_ASSETS / (module or "")
    recordings = [path for path in folder.rglob("*.wav") if path.is_file()]
    return sorted([*VOICE_INPUTS, *(path.relative_to(root).as_posix() for path in recordings)])


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


def narration_value(narrated: bool) -> str:
    """``on`` or ``off``: the value of NARRATION for an edition."""
    return NARRATION_VALUES[0] if narrated else NARRATION_VALUES[1]


def check_edition(narrated: bool, locale: str) -> None:
    """Refuse an edition that does not exist: the narrated one is spoken in English (and carries every
    language's subtitles); another language is a silent edition."""
    language(locale)
    if narrated and locale != SOURCE.tag:
        raise UsageError(
            f"the narrated edition is in English, with subtitles in {', '.join(LANGUAGES)}; "
            f"for the {locale} edition use NARRATION=off (LOCALE={locale})"
        )


def build_dir(quality: str, narrated: bool = True, locale: str = SOURCE.tag) -> Path:
    """build/<resolution> (narrated), build/<resolution>-silent (silent, English) or
    build/<resolution>-silent-<locale> (silent, another language), e.g. build/480p15 for ``l``."""
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; qualities: {', '.join(QUALITIES)}")
    check_edition(narrated, locale)
    suffix = "" if narrated else "-silent" + ("" if locale == SOURCE.tag else f"-{locale}")
    return build_root() / (QUALITIES[quality] + suffix)


#: Builds go to build/ in the checkout, or to this folder when the variable is set (e.g. a worker's scratch disk).
BUILD_VARIABLE = "VIDEO_BUILD_DIR"


def build_root() -> Path:
    """build/ in the checkout, or ``$VIDEO_BUILD_DIR``."""
    return Path(os.environ.get(BUILD_VARIABLE) or ROOT / "build")


def translation_inputs(root: Path | None = None) -> list[str]:
    """The translated catalogues (relative to ``root``): a translated edition's frames, and the narrated
    edition's subtitles (made when a chapter is published, see ``publish_hash``), depend on them."""
    root = ROOT if root is None else root
    names = [catalogue_file(tag).as_posix() for tag in LANGUAGES if tag != SOURCE.tag]
    return sorted(name for name in names if (root / name).is_file())


def input_hash(
    chapter: Chapter, quality: str, narrated: bool = True, root: Path | None = None, locale: str = SOURCE.tag
) -> str:
    """Hash of everything the chapter's frames and sound depend on: its file, the shared code, the quality, the
    edition, the language, a translated edition's catalogue and, narrated, the voice's code and recordings.

    The English editions' frames do not depend on the translations: the narrated edition's other-language
    subtitles are made when it is published (``publish_hash``), so a translator's edit re-renders nothing.
    """
    root = ROOT if root is None else root
    digest = hashlib.sha256(f"{quality}\0NARRATION={narration_value(narrated)}\0LOCALE={locale}".encode())
    own = chapter.path.relative_to(SCENES_DIR.parent).as_posix()
    voice = voice_inputs(root, chapter.module) if narrated else ()
    translations = translation_inputs(root) if locale != SOURCE.tag else ()
    for name in (own, *shared_inputs(root), *translations, *voice):
        digest.update(name.encode() + b"\0")
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def publish_hash(digest: str, root: Path | None = None) -> str:
    """What a narrated chapter's published clip depends on beyond its render (``digest``): the catalogues its
    other-language subtitle tracks are translated with."""
    root = ROOT if root is None else root
    combined = hashlib.sha256(digest.encode())
    for name in translation_inputs(root):
        combined.update(name.encode() + b"\0" + (root / name).read_bytes())
    return combined.hexdigest()


def manim_environment(narrated: bool, locale: str = SOURCE.tag) -> dict[str, str]:
    """The environment of a manim child: this process's, with NARRATION and LOCALE set for the edition."""
    return {**os.environ, NARRATION_VARIABLE: narration_value(narrated), LOCALE_VARIABLE: locale}


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
    out_dir = build_dir(quality, narrated, locale) / "chapters"
    video, subtitles, cue_texts, sections, stamp = (
        out_dir / f"{chapter.module}{ext}" for ext in (".mp4", ".srt", CUES_SUFFIX, ".sections.json", ".hash")
    )
    digest = input_hash(chapter, quality, narrated, locale=locale)
    publish_stamp, publication = stamp.with_suffix(".published"), publish_hash(digest) if narrated else digest
    # One media folder per chapter: parallel manim processes must not write the same TeX/SVG files.
    media = build_dir(quality, narrated, locale) / "media" / chapter.module
    produced = media / "videos" / chapter.module / QUALITIES[quality] / f"{chapter.scene}.mp4"

    def reused() -> RenderedChapter:
        return RenderedChapter(
            chapter, video, subtitles if subtitles.exists() else None, probe(video).duration,
            seconds=time.monotonic() - started, reused=True, levels=clip_levels(video),
            cue_texts=cue_texts if cue_texts.exists() else None, locale=locale,
        )  # fmt: skip

    if video.exists() and stamp.exists() and stamp.read_text() == digest:
        if not narrated or (publish_stamp.exists() and publish_stamp.read_text() == publication):
            log(f"{chapter.module}: unchanged, reusing {shown(video, ROOT)}")
            return reused()
        if all(produced.with_suffix(ext).is_file() for ext in (".mp4", ".srt", CUES_SUFFIX)):
            # Only the translations changed: the same frames and sound, subtitle tracks made again.
            publish_chapter(produced, video, produced.with_suffix(".srt"), produced.with_suffix(CUES_SUFFIX))
            write_text_atomically(publish_stamp, publication)
            log(f"{chapter.module}: translations changed, subtitles published again")
            return reused()
    # manim leaves its mixed sound there, and writes it only when the scene has sound: never read an old one.
    produced.with_suffix(".wav").unlink(missing_ok=True)
    produced.with_suffix(CUES_SUFFIX).unlink(missing_ok=True)
    log(f"{chapter.module}: rendering")
    last_report = started
    animations = 0
    tail: list[str] = []
    with children.popen(manim_command(chapter, quality, media), cwd=ROOT, stdout=subprocess.PIPE,
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
    copy_atomically(produced.parent / "sections" / f"{chapter.scene}.json", sections)
    for made, published in ((produced_srt, subtitles), (produced_texts, cue_texts)):
        if made.exists():
            copy_atomically(made, published)
        elif published.exists():
            published.unlink()
    # The stamps come last: a run stopped before them renders this chapter again.
    write_text_atomically(stamp, digest)
    if narrated:
        write_text_atomically(publish_stamp, publication)
    duration = probe(video).duration
    seconds = time.monotonic() - started
    loud = f", audio {levels.loudness_lufs:.1f} LUFS" if levels and levels.loudness_lufs is not None else ""
    log(f"{chapter.module}: done, {duration:.1f} s of video{loud} in {seconds:.0f} s")
    return RenderedChapter(
        chapter, video, subtitles if subtitles.exists() else None, duration, seconds=seconds, levels=levels,
        cue_texts=cue_texts if cue_texts.exists() else None, locale=locale,
    )  # fmt: skip


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
    return "".join(f"{_timestamp(start, hours)} {part.chapter.title_in(tag)}\n" for part, start in zip(parts, starts))


def _timestamp(seconds: float, hours: bool) -> str:
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


def write_index(parts: Sequence[RenderedChapter], out_dir: Path) -> tuple[Path, Path]:
    """index.json and index.md beside the clips: title (the clips' language) and titles (every language),
    duration, start in the full video, file, audio, narration.

    The narration is the chapter's cues (start, text) when the clip has audio: then each cue is a spoken line.
    """
    starts = chapter_starts([p.duration for p in parts])
    rows = []
    for i, (p, start) in enumerate(zip(parts, starts)):
        spoken = tracks.read_cues(p.subtitles) if p.levels is not None and p.subtitles else ()
        rows.append(
            {
                "number": i + 1,
                "title": p.chapter.title_in(p.locale),
                "titles": {tag: p.chapter.title_in(tag) for tag in LANGUAGES},
                "module": p.chapter.module,
                "duration_s": round(p.duration, 3),
                "start_s": round(start, 3),
                "file": p.video.name,
                "subtitles": p.subtitles.name if p.subtitles else None,
                "audio": p.levels is not None,
                "narration": [{"start_s": round(cue.start, 3), "text": cue.text} for cue in spoken],
            }
        )
    # One title column per language: the clips' own first, then the others.
    own = parts[0].locale if parts else SOURCE.tag
    tags = [own, *(tag for tag in LANGUAGES if tag != own)]
    header = ["#", *(f"chapter ({tag})" for tag in tags), "start", "duration", "file", "audio"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        link = f"[{r['file']}]({r['file']})"
        cells = [str(r["number"]), *(r["titles"][tag] for tag in tags), _clock(r["start_s"]),
                 f"{r['duration_s']:.1f} s", link, "narrated" if r["audio"] else "silent"]  # fmt: skip
        table.append("| " + " | ".join(cells) + " |")
    for r in rows:
        if r["narration"]:
            table += ["", f"## {r['number']}. {r['title']}", ""]
            table += [f"- {_clock(line['start_s'])} {line['text']}" for line in r["narration"]]
    write_text_atomically(out_dir / "index.json", json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    write_text_atomically(out_dir / "index.md", "\n".join(table) + "\n")
    return out_dir / "index.json", out_dir / "index.md"


def _clock(seconds: float) -> str:
    """m:ss.s"""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


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


class UnknownChapterError(UsageError, ValueError):
    """A chapter name on the command line that is not in scenes/video.py."""


def select(modules: Iterable[str] | None) -> list[Chapter]:
    """The chapters named by module (all when None), in video order."""
    if not modules:
        return list(CHAPTERS)
    known = [c.module for c in CHAPTERS]
    unknown = [m for m in modules if m not in known]
    if unknown:
        names = ", ".join(repr(m) for m in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise UnknownChapterError(f"unknown chapter{plural} {names}; chapters: {', '.join(known)}")
    return [c for c in CHAPTERS if c.module in set(modules)]


@dataclass(frozen=True)
class ChapterTiming:
    """One chapter's line in the render log."""

    module: str
    seconds: float  #: wall time spent on the chapter
    reused: bool  #: True: inputs unchanged, the previous render was kept
    video_s: float  #: length of the chapter's video
    audio: bool = False  #: whether the clip has an audio track
    loudness_lufs: float | None = None  #: the clip's integrated loudness (decoded); None: no audio, or silent
    true_peak_dbtp: float | None = None  #: the clip's true peak (decoded); None: no audio

    @classmethod
    def of(cls, part: RenderedChapter) -> ChapterTiming:
        """The log line of a rendered (or reused) chapter."""
        levels = part.levels.rounded() if part.levels else {}
        return cls(part.chapter.module, round(part.seconds, 3), part.reused, round(part.duration, 3),
                   part.levels is not None, **levels)  # fmt: skip


@dataclass(frozen=True)
class RenderLog:
    """The machine-readable record of one run of this tool, written to build/<resolution>/render_log.json."""

    quality: str
    resolution: str
    jobs: int
    wall_s: float  #: the whole run, join included
    joined: bool  #: whether the run wrote the joined video
    chapters: tuple[ChapterTiming, ...] = field(default_factory=tuple)
    finished: str = ""  #: ISO 8601 time (UTC) the run ended
    narration: str = NARRATION_VALUES[0]  #: the edition: "on" (narrated) or "off" (silent)
    locale: str = SOURCE.tag  #: the edition's language (of its captions and labels; the narrated one is English)
    loudness_lufs: float | None = None  #: the joined video's integrated loudness (decoded); None: not joined, no audio
    true_peak_dbtp: float | None = None  #: the joined video's true peak (decoded); None: not joined, no audio

    def write(self, target: Path) -> Path:
        """Write the log as JSON, atomically; returns ``target``."""
        return write_text_atomically(target, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> RenderLog:
        """Read a log written by ``write``; a missing or malformed file raises ValueError naming it."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            chapters = tuple(ChapterTiming(**row) for row in data.pop("chapters"))
            return cls(**data, chapters=chapters)
        except FileNotFoundError as error:
            raise ValueError(f"no render log at {path}: run tools/render.py first") from error
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path} is not a render log written by tools/render.py: {error}") from error

    def seconds_by_chapter(self, rendered_only: bool = True) -> dict[str, float]:
        """Wall seconds per chapter module; by default only the chapters this run actually rendered."""
        return {c.module: c.seconds for c in self.chapters if not (rendered_only and c.reused)}


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


def longest_first(chapters: Sequence[Chapter], costs: dict[str, float]) -> list[Chapter]:
    """The order to start ``chapters`` in: unknown costs first (they may be long), then the longest first, so
    the last chapter to finish is a short one and no core idles for minutes at the end (LPT scheduling)."""
    return sorted(chapters, key=lambda c: -costs.get(c.module, float("inf")))


def render_all(
    chapters: Sequence[Chapter],
    quality: str,
    jobs: int,
    log: Callable[[str], None],
    finished: Callable[[RenderedChapter], None] = lambda part: None,
    narrated: bool = True,
    locale: str = SOURCE.tag,
) -> list[RenderedChapter]:
    """Render ``chapters`` (of the edition ``narrated``, in language ``locale``) on ``jobs`` threads, longest
    first by the last known times, calling ``finished`` as each one is ready; returns them in video order.

    Ctrl-C terminates the running manim processes and starts no new one (``parallel_map``).
    """
    children = Children()

    def one(chapter: Chapter) -> RenderedChapter:
        part = render_chapter(chapter, quality, log, children, narrated, locale)
        finished(part)
        return part

    order = longest_first(chapters, known_costs(build_dir(quality, narrated, locale)))
    done = {part.chapter.module: part for part in parallel_map(one, order, jobs, children)}
    return [done[chapter.module] for chapter in chapters]


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


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", "-q", choices=sorted(QUALITIES), default="h")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="render only these chapters (no join)")
    parser.add_argument("--list", action="store_true", help="list the chapters and exit")
    parser.add_argument("--no-join", action="store_true", help="render the clips and their index, no joined video")
    parser.add_argument(
        "--narration", choices=NARRATION_VALUES, default=NARRATION_VALUES[0],
        help="on: the narrated edition, in build/<res>/ (default); off: the silent one, in build/<res>-silent/",
    )  # fmt: skip
    parser.add_argument(
        "--locale", choices=list(LANGUAGES), default=SOURCE.tag,
        help="the language of the captions and labels: en (default); zh-Hans needs --narration off "
        "(into build/<res>-silent-zh-Hans/). The narrated edition carries subtitles in every language.",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", default=os.environ.get("SCHEDULER") or None, metavar="ADDRESS",
        help="render the chapters on this Dask scheduler (e.g. tcp://host:8786; see tools/cluster.py); "
        "default: local processes",
    )  # fmt: skip
    args = parser.parse_args(argv)
    narrated = args.narration == NARRATION_VALUES[0]
    locale = args.locale

    if args.list:
        for i, c in enumerate(CHAPTERS, 1):
            print(f"{i:2d}. {c.module:<20} {c.scene:<16} {c.title_in(locale)}")
        return 0
    check_edition(narrated, locale)
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

    def finished(part: RenderedChapter) -> None:
        nonlocal done
        with lock:
            done += 1

    if args.scheduler:
        from tools.cluster import render_on_cluster

        parts = render_on_cluster(chapters, args.quality, args.scheduler, log, finished, narrated, locale)
    else:
        parts = render_all(chapters, args.quality, args.jobs, log, finished, narrated, locale)
    out = build_dir(args.quality, narrated, locale)
    joined = not (args.only or args.no_join)
    if not args.only:
        index, _ = write_index(parts, out / "chapters")
    levels = None
    if joined:
        target = out / "video.mp4"
        written = join_edition(parts, target, narrated)
        levels = written.levels
    record = RenderLog(
        args.quality, QUALITIES[args.quality], args.jobs, round(time.monotonic() - started, 3), joined,
        tuple(ChapterTiming.of(p) for p in parts), datetime.now(UTC).isoformat(timespec="seconds"),
        narration_value(narrated), locale, **(levels.rounded() if levels else {}),
    )  # fmt: skip
    record_path = record.write(out / RENDER_LOG)
    record_costs(out, parts)
    if args.only:
        log("rendered the chosen chapters; the joined video is made only when all are rendered")
    elif args.no_join:
        log(f"wrote the clips and {shown(index, ROOT)} (+ index.md)")
    else:
        total = sum(p.duration for p in parts)
        loud = f", {levels.loudness_lufs:.1f} LUFS, {levels.true_peak_dbtp:.1f} dBTP" if levels else ""
        beside = ", ".join(path.name for path in (*written.subtitles, *written.chapter_lists))
        log(f"wrote {shown(target, ROOT)} ({total / 60:.1f} min{loud}) and {beside}")
    log(f"timings in {shown(record_path, ROOT)}")
    return 0


if __name__ == "__main__":
    run_cli(main)
