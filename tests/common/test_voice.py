"""The voice engine: line ids, the spoken-text check, the lexicon, WAV files, overrides, the cache and piper itself."""

from __future__ import annotations

import re
import struct
import subprocess
import unicodedata
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from common import loudness, voice
from common.lexicon import LEXICON, apply_lexicon

SENTENCE = "The weights of this network can be scaled by any positive number without changing the output."
STOPWORDS = {"the", "of", "this", "can", "be", "by", "any", "a", "and", "to", "it", "is"}


def sine_wav(path: Path, seconds: float = 1.0, rate: int = 16000, channels: int = 1, width: int = 2) -> Path:
    """Write a 440 Hz sine WAV with the ``wave`` module."""
    t = np.arange(int(seconds * rate)) / rate
    x = 0.3 * np.sin(2 * np.pi * 440 * t)
    if width == 2:
        frames = np.repeat((x * 32767).astype("<i2"), channels).tobytes()
    else:
        frames = np.repeat((x * 127 + 128).astype(np.uint8), channels).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return path


# --- line ids -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line_id", ["vanilla_gd/intro", "weight_decay/step-2", "a/b", "ch1/x_y-z"])
def test_good_line_ids_pass(line_id: str) -> None:
    assert voice.check_line_id(line_id) == line_id


@pytest.mark.parametrize(
    "line_id", ["", "intro", "Vanilla/intro", "a/b/c", "a/", "/b", "a/B", "a b/c", "../etc", "a/-b", "1ch/x", "a/b.wav"]
)
def test_bad_line_ids_are_refused_by_name(line_id: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(line_id))):
        voice.check_line_id(line_id)


# --- the spoken-text check -------------------------------------------------------------------------------------------

GREEK = [chr(c) for c in range(0x391, 0x3CA) if chr(c).isalpha()]
MATH = list("=+−×·/^_√∑∏∫≤≥≠≈‖∞∂∇∈∀∃→←↦⊂∪∩<>|~*%$#@&{}[]\\`")
SCRIPTS = list("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ₀₁₂₃₄₅₆₇₈₉₊₋ₐₑₓᵢⱼ") + ["\n", "\t", "\x00", "ﬁ", "Ａ", "ª"]
#: Characters a voice cannot say that stay themselves whatever surrounds them: none is a combining mark, and NFC
#: (which the check applies first) leaves each alone, so no neighbour can absorb one.
FORBIDDEN = GREEK + MATH + SCRIPTS
#: Combining marks: NFC absorbs one into the letter before it when Unicode has that accented letter (a + ◌́ = á).
COMBINING_MARKS = ["\u0301", "\u0300", "\u0303", "\u0308", "\u0307", "\u030c"]
LETTERS = list("abcdXYZéáüñ")
SAYABLE = st.text(
    alphabet=st.sampled_from(LETTERS + list("0123456789 .,;:!?'\"()-") + ["\u2019", "\u2014", "\u201c", "\u201d"]),
    max_size=40,
)


def test_the_forbidden_characters_are_their_own_nfc_and_combine_with_nothing() -> None:
    """The premise of the next test: each forbidden character survives NFC next to any sayable text."""
    for char in FORBIDDEN:
        assert unicodedata.combining(char) == 0 and unicodedata.normalize("NFC", char) == char, repr(char)


@given(before=SAYABLE, char=st.sampled_from(FORBIDDEN), after=SAYABLE)
def test_any_text_with_an_unsayable_character_is_refused_by_name(before: str, char: str, after: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(char))):
        voice.check_spoken(before + "word" + char + after)
    assert char in voice.unsayable_characters(before + char + after)


@given(before=SAYABLE, letter=st.sampled_from(LETTERS), mark=st.sampled_from(COMBINING_MARKS), after=SAYABLE)
def test_a_combining_mark_is_sayable_exactly_when_it_composes_with_the_letter_before_it(
    before: str, letter: str, mark: str, after: str
) -> None:
    """a + ◌́ is á, a Latin letter the voice says; b + ◌́ has no composed form, so the bare mark is refused by name."""
    text = before + letter + mark + after
    if len(unicodedata.normalize("NFC", letter + mark)) == 1:
        assert voice.unsayable_characters(text) == []
        assert voice.check_spoken(text + " word")
    else:
        assert voice.unsayable_characters(text) == [mark]
        with pytest.raises(ValueError, match=re.escape(repr(mark))):
            voice.check_spoken(text + " word")


@given(text=SAYABLE.filter(lambda s: any(c.isalnum() for c in s)))
def test_sayable_text_passes_with_its_spaces_collapsed(text: str) -> None:
    spoken = voice.check_spoken(text)
    assert spoken == re.sub(" +", " ", text).strip(" ")
    assert voice.unsayable_characters(text) == []


@pytest.mark.parametrize("text", ["", "   ", "...", " - ! "])
def test_text_with_nothing_to_say_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        voice.check_spoken(text)


def test_the_check_names_every_offender_once() -> None:
    with pytest.raises(ValueError) as error:
        voice.check_spoken("η = η + x²")
    message = str(error.value)
    for char in "η=+²":
        assert repr(char) in message
    assert "GREEK SMALL LETTER ETA" in message and message.count("GREEK SMALL LETTER ETA") == 1


def test_decomposed_accents_are_composed_first() -> None:
    assert voice.check_spoken("Husza\u0301r") == "Huszár"


# --- the lexicon -----------------------------------------------------------------------------------------------------


def test_the_lexicon_replaces_whole_words_only_and_respects_case() -> None:
    assert apply_lexicon("Huszár's blog inFERENCe, on inference.") == "Hoosar's blog inference, on inference."
    assert apply_lexicon("Li and Arora, in Lithium and Aroras") == "Lee and Uh-roara, in Lithium and Aroras"
    assert apply_lexicon("CIFAR-10 with ReLU") == "sigh far-10 with ray loo"
    assert apply_lexicon("Li et al. (2019) used PyTorch") == "Lee and colleagues (2019) used pie torch"
    assert apply_lexicon("numpyish snumpy") == "numpyish snumpy"


@pytest.mark.parametrize("word", sorted(LEXICON))
def test_every_respelling_is_sayable_and_final(word: str) -> None:
    spoken = voice.spoken_text(f"About {word} here.")
    assert spoken == f"About {LEXICON[word]} here."
    assert apply_lexicon(LEXICON[word]) == LEXICON[word]  # no respelling is itself respelled


# --- WAV files -------------------------------------------------------------------------------------------------------


def test_a_wav_round_trips(tmp_path: Path) -> None:
    x = np.sin(np.linspace(0, 100, 5000)) * 0.5
    path = voice.write_wav(tmp_path / "out.wav", x, 16000)
    y, rate = voice.read_wav(path)
    assert rate == 16000
    np.testing.assert_allclose(y, x, atol=1 / 32768)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]  # no temporary file left


def test_writing_out_of_range_samples_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="within"):
        voice.write_wav(tmp_path / "out.wav", np.array([0.0, 1.5]), 16000)
    assert not (tmp_path / "out.wav").exists()


def bad_wavs(folder: Path) -> dict[str, Path]:
    """WAV files a recording must not be: empty, stereo, 8-bit, header only, float, not a WAV."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    no_frames = folder / "no_frames.wav"
    with wave.open(str(no_frames), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
    floats = folder / "float.wav"
    data = np.zeros(100, "<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, 16000, 64000, 4, 32)  # WAVE_FORMAT_IEEE_FLOAT
    floats.write_bytes(
        b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
        + b"data" + struct.pack("<I", len(data)) + data
    )  # fmt: skip
    text = folder / "text.wav"
    text.write_text("not audio")
    return {
        "empty": empty,
        "stereo": sine_wav(folder / "stereo.wav", channels=2),
        "8-bit": sine_wav(folder / "eight.wav", width=1),
        "no frames": no_frames,
        "float": floats,
        "text": text,
    }


def test_bad_wavs_are_refused_by_name(tmp_path: Path) -> None:
    for kind, path in bad_wavs(tmp_path).items():
        with pytest.raises(ValueError, match=re.escape(str(path))):
            voice.read_wav(path)
            pytest.fail(f"{kind} WAV was accepted")


# --- recorded overrides ----------------------------------------------------------------------------------------------


def test_a_recording_replaces_synthesis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recording = sine_wav(tmp_path / "voice" / "vanilla_gd" / "intro.wav", seconds=1.5, rate=44100)
    monkeypatch.setattr(voice.subprocess, "run", lambda *a, **k: pytest.fail("ran a process for a recorded line"))
    engine = voice.VoiceEngine(cache_dir=tmp_path / "cache", voice_dir=tmp_path / "voice")
    speech = engine.speak("vanilla_gd/intro", "Hello, Huszár.")
    assert (speech.path, speech.source, speech.sample_rate) == (recording, "recorded", 44100)
    assert speech.duration == pytest.approx(1.5)
    assert speech.spoken == "Hello, Hoosar."
    assert engine.processes == 0


@pytest.mark.parametrize("kind", ["empty", "stereo", "8-bit", "float"])
def test_a_bad_recording_is_refused_by_name(tmp_path: Path, kind: str) -> None:
    bad = bad_wavs(tmp_path / "bad")[kind]
    target = tmp_path / "voice" / "ch" / "line.wav"
    target.parent.mkdir(parents=True)
    bad.rename(target)
    engine = voice.VoiceEngine(cache_dir=tmp_path / "cache", voice_dir=tmp_path / "voice")
    with pytest.raises(ValueError, match=re.escape(str(target))):
        engine.speak("ch/line", "Hello.")


def test_a_script_error_is_caught_before_any_synthesis(tmp_path: Path) -> None:
    engine = voice.VoiceEngine(cache_dir=tmp_path / "cache", voice_dir=tmp_path / "voice")
    with pytest.raises(ValueError, match="'η'"):
        engine.speak_all([("ch/a", "Fine."), ("ch/b", "Set η to one half.")])
    with pytest.raises(ValueError, match="ch/a"):
        engine.speak_all([("ch/a", "Fine."), ("ch/a", "Again.")])
    with pytest.raises(ValueError, match="'Ch/a'"):
        engine.speak("Ch/a", "Fine.")
    assert engine.processes == 0 and not (tmp_path / "cache").exists()


# --- the cache key ---------------------------------------------------------------------------------------------------


def test_the_cache_key_follows_text_and_settings() -> None:
    engine = voice.VoiceEngine()
    key = engine.cache_key("Hello.")
    assert key == voice.VoiceEngine().cache_key("Hello.")
    assert key != engine.cache_key("Hello!")
    assert key != voice.VoiceEngine(settings=voice.VoiceSettings(length_scale=1.1)).cache_key("Hello.")
    assert key != voice.VoiceEngine(settings=voice.VoiceSettings(noise_scale=0.667)).cache_key("Hello.")


def test_bad_settings_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="noise_scale=-1"):
        voice.VoiceSettings(noise_scale=-1)
    with pytest.raises(ValueError, match="length_scale=0"):
        voice.VoiceSettings(length_scale=0)


# --- piper -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[voice.VoiceEngine, voice.Speech, voice.Speech]:
    """The test sentence synthesised by two engines with separate caches (two piper processes)."""
    engines = [voice.VoiceEngine(tmp_path_factory.mktemp(f"cache{i}"), tmp_path_factory.mktemp("none")) for i in (1, 2)]
    first = engines[0].speak("test/sentence", SENTENCE)
    second = engines[1].speak("test/sentence", SENTENCE)
    return engines[0], first, second


def test_synthesis_is_deterministic(twice) -> None:
    _, first, second = twice
    assert first.source == second.source == "synthesised"
    assert first.path != second.path
    assert first.path.read_bytes() == second.path.read_bytes()


def test_piper_speaks_at_22050_hz_at_a_plausible_pace(twice) -> None:
    _, first, _ = twice
    assert first.sample_rate == 22050
    words = len(SENTENCE.split())
    assert 2.0 < words / first.duration < 4.5  # words per second of ordinary speech


def test_an_unchanged_line_runs_no_process(twice, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, first, _ = twice
    mtime = first.path.stat().st_mtime_ns
    processes = engine.processes
    monkeypatch.setattr(voice.subprocess, "run", lambda *a, **k: pytest.fail("ran a process for a cached line"))
    again = engine.speak("other/id", "  " + SENTENCE)  # another id, same spoken text: same cached file
    assert (again.path, again.source) == (first.path, "cache")
    assert engine.processes == processes
    assert first.path.stat().st_mtime_ns == mtime


def test_many_lines_take_one_process(tmp_path: Path) -> None:
    engine = voice.VoiceEngine(cache_dir=tmp_path / "cache", voice_dir=tmp_path / "voice")
    sine_wav(tmp_path / "voice" / "ch" / "recorded.wav")
    lines = [("ch/a", "One."), ("ch/recorded", "Two."), ("ch/b", "Three, with NumPy."), ("ch/c", "One.")]
    speeches = engine.speak_all(lines)
    assert engine.processes == 1
    assert [s.source for s in speeches] == ["synthesised", "recorded", "synthesised", "synthesised"]
    assert speeches[0].path == speeches[3].path != speeches[2].path
    assert len(list((tmp_path / "cache").iterdir())) == 2  # nothing else left in the cache folder
    # Lines keep their order: "Three, with num pie." lasts longer than "One."
    assert speeches[2].duration > speeches[0].duration + 0.3


def test_a_synthesised_line_normalises(twice) -> None:
    _, first, _ = twice
    samples, rate = voice.read_wav(first.path)
    out, report = loudness.normalise(samples, rate)
    assert abs(report.loudness + 16) <= 1 and report.true_peak <= -1.5
    assert np.max(np.abs(out)) < 1


def test_the_voice_says_the_script(twice) -> None:
    """An offline recogniser hears at least 60 % of the sentence's content words."""
    pocketsphinx = pytest.importorskip("pocketsphinx")
    from scipy.signal import resample_poly

    _, first, _ = twice
    samples, rate = voice.read_wav(first.path)
    pcm = np.clip(np.round(resample_poly(samples, 16000, rate) * 32767), -32768, 32767).astype("<i2")
    decoder = pocketsphinx.Decoder(samprate=16000)
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    heard = set(decoder.hyp().hypstr.lower().split()) if decoder.hyp() else set()
    wanted = {w for w in re.findall(r"[a-z]+", SENTENCE.lower()) if w not in STOPWORDS}
    overlap = len(wanted & heard) / len(wanted)
    assert overlap >= 0.6, f"heard {sorted(heard)}; wanted {sorted(wanted)}"


def test_piper_is_run_as_a_separate_process_not_imported() -> None:
    # GPL-3.0: our code only starts it. A fresh interpreter that imports the voice engine must not load piper.
    probe = "import sys, common.voice; print('piper' in sys.modules)"
    done = subprocess.run([voice.sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=voice.ROOT)  # fmt: skip
    assert done.stdout.strip() == "False"
