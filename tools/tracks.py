"""The audio and subtitle tracks of the published MP4s: decode, fit, normalise, encode, mux.

- ``read_audio(path)``: a file's first audio stream as mono float samples at ``AUDIO_RATE`` (None: no audio).
- ``fit(samples, seconds)``: pad with silence or trim to exactly a video's length.
- ``SubtitleTrack(language, tag, title, cues)``: one language's cues; ``read_cues`` reads a .srt,
  ``write_sidecars`` writes ``<stem>.<tag>.srt`` and ``.vtt`` beside a video.
- ``write_mp4(target, sources, audio, tracks, chapters)``: video packets copied from ``sources`` (each at its
  offset), the audio encoded once as AAC at delivery loudness (verified on the decoded result), one mov_text
  stream per subtitle track, chapter markers; written atomically. Returns the measured ``AudioLevels``.

Delivery loudness: -16 ± 1 LUFS integrated, true peak ≤ -1.5 dBTP, no clipped sample (``common.loudness``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import srt
from av.subtitles.subtitle import SubtitleSet
from scipy.signal import resample_poly

from common import loudness
from common.atomic import atomic_output, write_text_atomically
from scenes.i18n import SOURCE, language

#: Every published track is mono at this rate (the narration is mono; 48 kHz is video's usual rate).
AUDIO_RATE = 48000
AUDIO_BITRATE = 128_000
#: Samples per AAC frame: the encoder takes frames of exactly this many samples.
AAC_FRAME = 1024
#: True-peak ceilings to normalise to before encoding, tried in turn: AAC's decoded peaks overshoot its input's.
ENCODE_CEILINGS = (-2.0, -3.0)
#: Headroom (dB) below the ceiling when audio at delivery levels is trimmed for AAC's overshoot.
TRIM_MARGIN_DB = 0.3
#: Passes of gain reduction where the encoded file still peaks over the ceiling (``tamed``); each takes an encode.
OVERSHOOT_PASSES = 4
#: mov_text packets and subtitle cue times are in milliseconds.
SUBTITLE_TIME_BASE = Fraction(1, 1000)
#: The ASS header ffmpeg's mov_text encoder needs (it reads styles from it; players use their own).
ASS_HEADER = """[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text

"""
LANGUAGE = re.compile(r"[a-z]{3}")  # ISO 639-2, as MP4 stores it: eng, chi
TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # BCP 47, for file names: en, zh-Hans


@dataclass(frozen=True)
class Cue:
    """One subtitle: seconds from the start of its video, and its text."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SubtitleTrack:
    """One language's subtitles: ``language`` for the MP4 (ISO 639-2), ``tag`` for file names (BCP 47)."""

    language: str
    tag: str
    title: str
    cues: tuple[Cue, ...]

    def __post_init__(self) -> None:
        if not LANGUAGE.fullmatch(self.language):
            raise ValueError(f"subtitle language {self.language!r}: need an ISO 639-2 code such as 'eng' or 'chi'")
        if not TAG.fullmatch(self.tag):
            raise ValueError(f"subtitle tag {self.tag!r}: need a BCP 47 tag such as 'en' or 'zh-Hans'")
        for cue in self.cues:
            if not 0 <= cue.start < cue.end:
                raise ValueError(f"{self.tag} cue {cue.text!r}: need 0 <= start < end, got {cue.start}..{cue.end}")
            if set(cue.text) & set("{}\\"):
                # ASS reads braces as style overrides and backslashes as escapes; spoken text never has them.
                raise ValueError(f"{self.tag} cue {cue.text!r}: braces and backslashes cannot go into a subtitle")


def english(cues: Sequence[Cue]) -> SubtitleTrack:
    """The English track (the narration's own text)."""
    return subtitle_track(SOURCE.tag, cues)


def subtitle_track(tag: str, cues: Sequence[Cue]) -> SubtitleTrack:
    """The track of language ``tag`` (``en``: eng/English, ``zh-Hans``: chi/简体中文; see scenes.i18n)."""
    spoken = language(tag)
    return SubtitleTrack(spoken.iso639_2, spoken.tag, spoken.name, tuple(cues))


def translated(cues: Sequence[Cue], texts: Sequence[dict[str, str]], source: str, tag: str) -> tuple[Cue, ...]:
    """``cues`` (read from manim's .srt, in language ``source``) with their texts in language ``tag``, from
    ``texts`` (the scene's record of each cue in every language, in the same order): same count, same timings.

    A record whose ``source`` text is not the .srt's cue (another render's record) is a ValueError naming it.
    """
    if len(cues) != len(texts):
        raise ValueError(f"{len(cues)} subtitle cues but {len(texts)} recorded texts: the cue record is stale")
    out = []
    for i, (cue, text) in enumerate(zip(cues, texts), 1):
        if " ".join(text[source].split()) != " ".join(cue.text.split()):
            raise ValueError(f"cue {i}: the .srt says {cue.text!r}, the record {text[source]!r}: stale record")
        out.append(Cue(cue.start, cue.end, text[tag]))
    return tuple(out)


def read_cues(path: str | os.PathLike[str]) -> tuple[Cue, ...]:
    """The cues of a .srt file."""
    return tuple(
        Cue(sub.start.total_seconds(), sub.end.total_seconds(), sub.content)
        for sub in srt.parse(Path(path).read_text(encoding="utf-8"))
    )


def sequential(cues: Sequence[Cue], length: float) -> tuple[Cue, ...]:
    """``cues`` in order, each ended by the next one's start and by ``length`` (the video's); empty ones dropped.

    An MP4 text track shows one cue at a time: an overlap would delay the later cue.
    """
    ordered = sorted(cues, key=lambda cue: cue.start)
    ends = [cue.start for cue in ordered[1:]] + [length]
    fitted = (Cue(cue.start, min(cue.end, end, length), cue.text) for cue, end in zip(ordered, ends))
    return tuple(cue for cue in fitted if cue.start < cue.end)


def shifted(cues: Sequence[Cue], offset: float) -> tuple[Cue, ...]:
    """``cues`` moved ``offset`` seconds later."""
    return tuple(Cue(cue.start + offset, cue.end + offset, cue.text) for cue in cues)


def srt_text(cues: Sequence[Cue]) -> str:
    """``cues`` as SubRip."""
    return srt.compose(
        [srt.Subtitle(i, timedelta(seconds=c.start), timedelta(seconds=c.end), c.text) for i, c in enumerate(cues, 1)],
        reindex=False,
    )


def _vtt_time(seconds: float) -> str:
    """HH:MM:SS.mmm."""
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def vtt_text(cues: Sequence[Cue]) -> str:
    """``cues`` as WebVTT (``&``, ``<``, ``>`` escaped, as the format requires)."""
    blocks = ["WEBVTT\n"]
    for cue in cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}\n{text}\n")
    return "\n".join(blocks)


def sidecar_paths(video: Path, track: SubtitleTrack) -> tuple[Path, Path]:
    """``<stem>.<tag>.srt`` and ``<stem>.<tag>.vtt`` beside ``video``."""
    return video.with_name(f"{video.stem}.{track.tag}.srt"), video.with_name(f"{video.stem}.{track.tag}.vtt")


def write_sidecars(video: Path, tracks: Sequence[SubtitleTrack]) -> list[Path]:
    """Write each track as .srt and .vtt beside ``video`` (atomically); returns the paths."""
    written = []
    for track in tracks:
        srt_path, vtt_path = sidecar_paths(video, track)
        written += [
            write_text_atomically(srt_path, srt_text(track.cues)),
            write_text_atomically(vtt_path, vtt_text(track.cues)),
        ]
    return written


def has_audio(path: str | os.PathLike[str]) -> bool:
    """Whether the file has an audio stream."""
    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def read_audio(path: str | os.PathLike[str]) -> np.ndarray | None:
    """The first audio stream of ``path`` as mono float64 at ``AUDIO_RATE``, each frame at its timestamp; None if none.

    Channels are averaged (the narration is mono). A frame before time 0 (encoder priming the container did not
    trim) is cut at 0.
    """
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        # Only the sample format and the channels change here: a rate change would delay the samples.
        mono = av.AudioResampler(format="dbl", layout="mono", rate=rate)
        pieces: list[tuple[int, np.ndarray]] = []
        position = 0
        for frame in container.decode(stream):
            at = round(frame.pts * frame.time_base * rate) if frame.pts is not None else position
            for converted in mono.resample(frame):
                samples = converted.to_ndarray().reshape(-1)
                pieces.append((at, samples))
                at += samples.size
            position = at
        end = max((at + samples.size for at, samples in pieces), default=0)
        if stream.duration:  # the encoder's padding after the last sample, which the decoder does not trim
            end = min(end, round(stream.duration * stream.time_base * rate))
    out = np.zeros(max(end, 0))
    for at, samples in pieces:
        if at < 0:
            samples, at = samples[-at:], 0
        samples = samples[: max(0, end - at)]
        out[at : at + samples.size] = samples
    if rate != AUDIO_RATE:
        ratio = Fraction(AUDIO_RATE, rate)
        out = resample_poly(out, ratio.numerator, ratio.denominator)  # linear phase: no delay
    return out


def fit(samples: np.ndarray | None, seconds: float) -> np.ndarray:
    """``samples`` (at ``AUDIO_RATE``; None: silence) padded with silence or trimmed to ``seconds``."""
    if seconds <= 0:
        raise ValueError(f"cannot fit audio to {seconds} s")
    length = round(seconds * AUDIO_RATE)
    out = np.zeros(length)
    if samples is not None:
        kept = min(length, samples.size)
        out[:kept] = samples[:kept]
    return out


@dataclass(frozen=True)
class AudioLevels:
    """A track's delivery measurements: integrated loudness (None if silent or too short), true and sample peak."""

    loudness_lufs: float | None
    true_peak_dbtp: float
    sample_peak_dbfs: float

    def deliverable(self, ceiling: float = loudness.CEILING_DBTP) -> bool:
        """Within -16 ± 1 LUFS, true peak at most ``ceiling`` dBTP, nothing at full scale."""
        return (
            self.loudness_lufs is not None
            and abs(self.loudness_lufs - loudness.TARGET_LUFS) <= 1.0
            and self.true_peak_dbtp <= ceiling
            and self.sample_peak_dbfs < 0.0
        )

    def rounded(self) -> dict[str, float | None]:
        """Loudness and true peak to 0.01, for the render log."""
        lufs = None if self.loudness_lufs is None else round(self.loudness_lufs, 2)
        return {"loudness_lufs": lufs, "true_peak_dbtp": round(self.true_peak_dbtp, 2)}


def true_peak(samples: np.ndarray, block: int = 1 << 20) -> float:
    """``loudness.true_peak`` computed block by block (a long video's 4x oversampled copy would take gigabytes)."""
    samples = np.asarray(samples, dtype=np.float64)
    margin = 64  # input samples either side: more than the oversampling filter reaches
    peak = 0.0
    for start in range(0, samples.size, block):
        low, high = max(0, start - margin), min(samples.size, start + block + margin)
        over = loudness.oversampled_peak(samples[low:high])
        peak = max(peak, float(over[start - low : start - low + block].max()))
    return 20 * float(np.log10(peak)) if peak > 0 else float("-inf")


def measure(samples: np.ndarray) -> AudioLevels:
    """Integrated loudness, true peak and sample peak of mono ``samples`` at ``AUDIO_RATE``."""
    try:
        lufs: float | None = loudness.integrated_loudness(samples, AUDIO_RATE)
    except ValueError:  # silent, or shorter than one gating block: nothing to measure
        lufs = None
    return AudioLevels(lufs, true_peak(samples), loudness.sample_peak(samples))


def prepared(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """``samples`` unchanged if already deliverable under ``ceiling``, else normalised (common.loudness.normalise)."""
    levels = measure(samples)
    if levels.loudness_lufs is None or levels.deliverable(ceiling):
        return samples
    return loudness.normalise(samples, AUDIO_RATE, ceiling=ceiling)[0]


def encode_audio(stream: av.audio.stream.AudioStream, samples: np.ndarray) -> list[av.Packet]:
    """Encode mono ``samples`` with ``stream``'s encoder; returns the packets (first ones before 0: the priming)."""
    packets = []
    data = samples.astype(np.float32)
    for start in range(0, data.size, AAC_FRAME):
        frame = av.AudioFrame.from_ndarray(data[np.newaxis, start : start + AAC_FRAME], format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, start, Fraction(1, AUDIO_RATE)
        packets += stream.encode(frame)
    return packets + stream.encode(None)


def subtitle_packets(stream: av.subtitles.stream.SubtitleStream, cues: Sequence[Cue]) -> list[av.Packet]:
    """One mov_text packet per cue, timed in ``SUBTITLE_TIME_BASE``."""
    packets = []
    for order, cue in enumerate(cues):
        start, end = round(cue.start * 1000), round(cue.end * 1000)
        text = cue.text.replace("\r\n", "\n").replace("\n", "\\N")
        # ASS dialogue without its times: ReadOrder, Layer, Style, Name, MarginL, MarginR, MarginV, Effect, Text.
        subtitle = SubtitleSet.create(text=f"{order},0,Default,,0,0,0,,{text}".encode(), start=0, end=end - start)
        packet = stream.codec_context.encode_subtitle(subtitle)
        packet.stream = stream
        packet.time_base = SUBTITLE_TIME_BASE
        packet.pts = packet.dts = start
        packet.duration = end - start
        packets.append(packet)
    return packets


@dataclass(frozen=True)
class VideoSource:
    """A video whose first video stream goes into the output from ``offset`` seconds on."""

    path: Path
    offset: float = 0.0


def _video_packets(
    sources: Sequence[VideoSource], stream: av.video.stream.VideoStream
) -> Iterator[tuple[float, av.Packet]]:
    """Each source's video packets, retimed by its offset, with their decode time in seconds."""
    for source in sources:
        with av.open(str(source.path)) as container:
            video = container.streams.video[0]
            offset = round(source.offset / video.time_base)
            for packet in container.demux(video):
                if packet.dts is None:  # the flushing packet demux ends with
                    continue
                packet.pts += offset
                packet.dts += offset
                packet.stream = stream
                yield float(packet.dts * video.time_base), packet


def _mux_all(
    output: av.container.OutputContainer,
    video: Iterator[tuple[float, av.Packet]],
    others: Sequence[tuple[float, av.Packet]],
) -> None:
    """Mux video and the other streams' packets in time order (interleaved, so players need not seek back and forth)."""
    pending = sorted(others, key=lambda item: item[0])
    i = 0
    for time, packet in video:
        while i < len(pending) and pending[i][0] <= time:
            output.mux(pending[i][1])
            i += 1
        output.mux(packet)
    for _, packet in pending[i:]:
        output.mux(packet)


def _write(
    target: Path,
    sources: Sequence[VideoSource],
    audio: np.ndarray | None,
    tracks: Sequence[SubtitleTrack],
    chapters: Sequence[dict[str, object]],
) -> None:
    """One attempt of ``write_mp4``: write ``target`` (a temporary path) with ``audio`` encoded as given."""
    with av.open(str(sources[0].path)) as first, av.open(str(target), "w") as output:
        video = output.add_stream_from_template(first.streams.video[0])
        others: list[tuple[float, av.Packet]] = []
        if audio is not None:
            stream = output.add_stream("aac", rate=AUDIO_RATE, layout="mono")
            stream.bit_rate = AUDIO_BITRATE
            others += [(float(p.dts * Fraction(1, AUDIO_RATE)), p) for p in encode_audio(stream, audio)]
        for track in tracks:
            stream = output.add_stream("mov_text")
            stream.time_base = SUBTITLE_TIME_BASE
            stream.codec_context.subtitle_header = ASS_HEADER.encode()
            stream.metadata["language"] = track.language
            stream.metadata["title"] = track.title
            others += [(float(p.pts * SUBTITLE_TIME_BASE), p) for p in subtitle_packets(stream, track.cues)]
        if chapters:
            output.set_chapters(list(chapters))
        _mux_all(output, _video_packets(sources, video), others)


def _encoded(
    tmp: Path, sources: Sequence[VideoSource], audio: np.ndarray, tracks: Sequence[SubtitleTrack],
    chapters: Sequence[dict[str, object]],
) -> tuple[AudioLevels, np.ndarray]:
    """Write the MP4 to ``tmp`` with ``audio``; its audio as decoded, and that audio's levels."""
    _write(tmp, sources, audio, tracks, chapters)
    decoded = read_audio(tmp)
    decoded = decoded if decoded is not None else np.zeros(1)
    return measure(decoded), decoded


def _encoded_levels(
    tmp: Path, sources: Sequence[VideoSource], audio: np.ndarray, tracks: Sequence[SubtitleTrack],
    chapters: Sequence[dict[str, object]],
) -> AudioLevels:
    """Write the MP4 to ``tmp`` with ``audio`` and measure its audio as decoded."""
    return _encoded(tmp, sources, audio, tracks, chapters)[0]


def tamed(samples: np.ndarray, decoded: np.ndarray, ceiling_db: float) -> np.ndarray:
    """``samples`` turned down, smoothly and only there, wherever their encoded copy ``decoded`` peaks above
    ``ceiling_db`` dBTP, by as much as it does (a ramp of an AAC frame either side: the encoder works by frames)."""
    if decoded.shape != samples.shape:
        decoded = fit(decoded, samples.size / AUDIO_RATE)
    return loudness.limit_where(samples, loudness.oversampled_peak(decoded), AUDIO_RATE, ceiling_db,
                                hold_seconds=AAC_FRAME / AUDIO_RATE)  # fmt: skip


def write_mp4(
    target: Path,
    sources: Sequence[VideoSource],
    audio: np.ndarray | None = None,
    tracks: Sequence[SubtitleTrack] = (),
    chapters: Sequence[dict[str, object]] = (),
) -> AudioLevels | None:
    """Write ``target`` atomically: video copied from ``sources``, ``audio`` (mono, ``AUDIO_RATE``) as AAC at
    delivery loudness, a mov_text stream per track, ``chapters`` as markers; returns the decoded audio's levels.

    Audio already within the delivery limits is encoded as it is first (and trimmed by AAC's overshoot, if that is
    uniform); other audio is normalised to a lower true-peak ceiling first. The levels are measured on the encoded
    file, decoded; where it still peaks over the ceiling, the gain is turned down there and it is written again
    (``tamed``); ValueError naming the levels if none works.
    """
    if not sources:
        raise ValueError(f"{target}: no video to write")
    with atomic_output(target) as tmp:
        if audio is None:
            _write(tmp, sources, None, tracks, chapters)
            return None
        # Audio already at delivery levels (the join of normalised clips) is first encoded as it is and, if AAC's
        # overshoot takes its true peak over the ceiling, trimmed by that much: the limiter is the slow part.
        start = audio
        if measure(audio).deliverable():
            levels = _encoded_levels(tmp, sources, audio, tracks, chapters)
            if levels.deliverable():
                return levels
            excess = levels.true_peak_dbtp - loudness.CEILING_DBTP + TRIM_MARGIN_DB
            if levels.loudness_lufs is not None and abs(levels.loudness_lufs - excess - loudness.TARGET_LUFS) <= 1:
                levels = _encoded_levels(tmp, sources, audio * 10 ** (-excess / 20), tracks, chapters)
                if levels.deliverable():
                    return levels
        else:
            for ceiling in ENCODE_CEILINGS:
                start = prepared(audio, ceiling)
                levels = _encoded_levels(tmp, sources, start, tracks, chapters)
                if levels.loudness_lufs is None or levels.deliverable():
                    return levels
        # AAC's overshoot at a transient depends on the encoder's state, not only on the level (seen: +3.6 dB at one
        # word of a join whose clips encoded fine): turn the gain down where the encoded file peaks, and only there.
        current = start
        for _ in range(OVERSHOOT_PASSES):
            levels, decoded = _encoded(tmp, sources, current, tracks, chapters)
            if levels.loudness_lufs is None or levels.deliverable():
                return levels
            current = tamed(current, decoded, loudness.CEILING_DBTP - TRIM_MARGIN_DB)
        raise ValueError(
            f"{target}: the encoded audio misses the delivery limits (-16 ± 1 LUFS, true peak ≤ "
            f"{loudness.CEILING_DBTP} dBTP): {levels.loudness_lufs} LUFS, {levels.true_peak_dbtp:.2f} dBTP"
        )
