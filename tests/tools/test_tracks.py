"""tracks.py without video: cues, WebVTT, checks of subtitle tracks, fitting audio, the blockwise true peak."""

from __future__ import annotations

import numpy as np
import pytest

from common import loudness
from tools import tracks
from tools.tracks import Cue


def test_vtt_has_its_header_millisecond_times_and_escaped_text():
    text = tracks.vtt_text([Cue(0.0, 1.5, "a < b & c"), Cue(3661.0125, 3662.5, "one hour in")])
    assert text == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\na &lt; b &amp; c\n\n01:01:01.012 --> 01:01:02.500\none hour in\n"
    )


def test_sequential_cues_end_at_the_next_one_and_at_the_video_end():
    cues = [Cue(1.0, 3.0, "second"), Cue(0.0, 1.5, "first"), Cue(4.0, 6.0, "runs past the end"), Cue(5.5, 6, "after")]
    assert tracks.sequential(cues, 5.0) == (
        Cue(0.0, 1.0, "first"), Cue(1.0, 3.0, "second"), Cue(4.0, 5.0, "runs past the end"),
    )  # fmt: skip
    assert tracks.shifted([Cue(0.0, 1.0, "x")], 2.5) == (Cue(2.5, 3.5, "x"),)


@pytest.mark.parametrize(
    ("language", "tag", "cue", "message"),
    [
        ("en", "en", Cue(0, 1, "x"), "subtitle language 'en'"),
        ("eng", "english!", Cue(0, 1, "x"), "subtitle tag 'english!'"),
        ("eng", "en", Cue(2, 1, "late"), "cue 'late': need 0 <= start < end, got 2..1"),
        ("eng", "en", Cue(0, 1, "a {brace}"), "cue 'a {brace}': braces and backslashes"),
    ],
)
def test_a_bad_subtitle_track_is_refused_naming_the_value(language, tag, cue, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        tracks.SubtitleTrack(language, tag, "title", (cue,))


def test_fit_pads_with_silence_and_trims_to_the_video_length():
    ones = np.ones(tracks.AUDIO_RATE)
    padded = tracks.fit(ones, 1.5)
    assert padded.size == 72000 and padded[:48000].all() and not padded[48000:].any()
    assert tracks.fit(ones, 0.25).size == 12000
    assert not tracks.fit(None, 0.5).any() and tracks.fit(None, 0.5).size == 24000
    with pytest.raises(ValueError, match="cannot fit audio to 0 s"):
        tracks.fit(ones, 0)


def test_the_blockwise_true_peak_is_the_true_peak():
    rng = np.random.default_rng(1)
    samples = rng.normal(0, 0.1, 50_000)
    samples[30_001] = 0.7  # near a block edge (block 10_000 below)
    assert tracks.true_peak(samples, block=10_000) == pytest.approx(loudness.true_peak(samples), abs=1e-9)
    assert tracks.true_peak(np.zeros(10)) == float("-inf")


def test_where_the_encoder_overshoots_at_one_transient_the_gain_is_turned_down_there_only(tmp_path, monkeypatch):
    """AAC can overshoot by 3.6 dB at one word of a long join (its state, not the level, decides): a global trim or
    a lower ceiling would cost the loudness, so the gain goes down where the encoded file peaks, and only there."""
    rate = tracks.AUDIO_RATE
    t = np.arange(rate * 8) / rate
    transient = slice(int(3.2 * rate), int(3.2 * rate) + 300)
    speech = 0.1 * np.sin(2 * np.pi * 220 * t)
    speech[transient] *= 8  # a plosive: the limiter brings it to the ceiling
    audio = loudness.normalise(speech, rate)[0]
    overshoot = 10 ** (3.6 / 20)
    written = []

    def fake_write(tmp, sources, samples, subtitle_tracks, chapters):  # an "encoder" that overshoots at one place
        decoded = samples.copy()
        decoded[transient] *= overshoot
        written.append((samples, decoded))
        tmp.write_bytes(b"mp4")

    monkeypatch.setattr(tracks, "_write", fake_write)
    monkeypatch.setattr(tracks, "read_audio", lambda path: written[-1][1])
    assert tracks.measure(audio).deliverable()
    levels = tracks.write_mp4(tmp_path / "out.mp4", [tracks.VideoSource(tmp_path / "in.mp4")], audio)
    assert levels.deliverable()
    final = written[-1][0]
    changed = np.flatnonzero(np.abs(final - audio) > 1e-9)
    reach = 3 * tracks.AAC_FRAME  # the ramps into and out of the reduction
    assert changed.min() >= transient.start - reach and changed.max() < transient.stop + reach, "only there"
    assert abs(loudness.integrated_loudness(final, rate) - loudness.integrated_loudness(audio, rate)) < 0.05
    assert len(written) <= 2 + tracks.OVERSHOOT_PASSES


def test_audio_at_delivery_levels_is_trimmed_not_limited_when_aac_overshoots(tmp_path, monkeypatch):
    """The join's audio is already at -16 LUFS: if encoding pushes its true peak over, a gain trim by the excess
    fixes it; the (slow) limiter is not run."""
    audio = 0.1 * np.sin(2 * np.pi * 440 * np.arange(tracks.AUDIO_RATE * 3) / tracks.AUDIO_RATE)
    monkeypatch.setattr(tracks, "measure", lambda samples: tracks.AudioLevels(-16.2, -1.7, -1.8))
    encoded = [tracks.AudioLevels(-16.2, -1.3, -1.4), tracks.AudioLevels(-16.7, -1.8, -1.9)]
    written = []

    def fake_encoded_levels(tmp, sources, samples, subtitle_tracks, chapters):
        written.append(samples)
        tmp.write_bytes(b"mp4")
        return encoded[len(written) - 1]

    monkeypatch.setattr(tracks, "_encoded_levels", fake_encoded_levels)
    monkeypatch.setattr(tracks, "prepared", lambda *args: pytest.fail("the limiter must not run"))
    levels = tracks.write_mp4(tmp_path / "out.mp4", [tracks.VideoSource(tmp_path / "in.mp4")], audio)
    assert levels == encoded[1] and len(written) == 2
    excess = -1.3 - (-1.5) + tracks.TRIM_MARGIN_DB
    assert np.allclose(written[1], audio * 10 ** (-excess / 20))
    assert (tmp_path / "out.mp4").read_bytes() == b"mp4"
