"""A chapter's movie is encoded with the x264 options of scenes.style.encoding, not manim's defaults.

x264 writes the settings it encoded with into the stream (an SEI message); the test reads them back.
"""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np
from manim import tempconfig

from scenes.style.encoding import X264_OPTIONS
from scenes.vanilla_gd import VanillaGD

#: The x264 settings that tell the presets apart, and the quality target.
TELLING = ("subme", "ref", "me", "trellis", "crf")


def x264_settings(movie: Path) -> dict[str, str]:
    """The telling settings x264 wrote into ``movie``'s first packet."""
    with av.open(str(movie)) as container:
        packet = next(container.demux(video=0))
        header = bytes(packet)
    options = re.search(rb"options: ([^\x00]+)", header)
    assert options, f"no x264 settings in {movie}"
    pairs = dict(item.split("=", 1) for item in options.group(1).decode().split() if "=" in item)
    return {name: pairs[name] for name in TELLING}


def encoded_with(tmp_path: Path, options: dict[str, str]) -> dict[str, str]:
    """x264's telling settings for two frames encoded directly with PyAV and ``options``."""
    path = tmp_path / f"direct-{len(options)}.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=15, options=options)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for value in (0, 255):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), value, dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return x264_settings(path)


def test_chapter_movies_use_the_chapter_encoder_settings(tmp_path, tex_cache, monkeypatch):
    monkeypatch.setenv("NARRATION", "off")
    with tempconfig(
        {
            "quality": "low_quality",
            "frame_rate": 5,
            "upto_animation_number": 2,
            "media_dir": str(tmp_path),
            "tex_dir": tex_cache,
            "disable_caching": True,
            "verbosity": "WARNING",
            "output_file": "encoding",
        }
    ):
        scene = VanillaGD()
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    ours = x264_settings(movie)
    assert ours == encoded_with(tmp_path, X264_OPTIONS)
    manims = encoded_with(tmp_path, {"crf": "23"})  # manim's partial-movie options
    assert ours != manims
