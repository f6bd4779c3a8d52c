"""How the chapters' frames are encoded: x264 at a faster preset, at a quality that makes up for it.

manim encodes its partial movies with libx264's default preset (medium) at CRF 23, which costs about as much
CPU per 1080p frame as drawing it. Flat animation frames need little of medium's motion search. Measured on
240 frames of real_network's training at 1080p60 (the busiest chapter; PSNR against the drawn frames):
medium CRF 23 44-50 ms a frame, 36.45 dB, 0.27 MB; veryfast CRF 18 25-28 ms, 36.47 dB, 0.33 MB.
So the same picture for about 40 % less encoding, in files about a fifth larger.
"""

from __future__ import annotations

from pathlib import Path

from manim.scene.scene_file_writer import SceneFileWriter

#: libx264 options for the partial movies (manim's own options, such as "an", are kept).
X264_OPTIONS = {"preset": "veryfast", "crf": "18"}


class ChapterFileWriter(SceneFileWriter):
    """manim's file writer, with X264_OPTIONS for every partial movie it encodes with libx264."""

    def open_partial_movie_stream(self, file_path: Path | None = None) -> None:
        super().open_partial_movie_stream(file_path)
        # The encoder opens on the first frame, which is written after this returns.
        context = self._current_encode_job.stream.codec_context
        if context.name == "libx264":
            context.options.update(X264_OPTIONS)
