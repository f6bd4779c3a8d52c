"""The chapters as manim-slides presentations: one Slide class per chapter, no second copy.

Each chapter class is combined with manim-slides' Slide (ThreeDSlide for 3-D chapters);
ChapterMixin.beat() then pauses before every caption, with the caption as speaker notes.

    manim-slides render scenes/slides.py OpeningSlides ...   (tools/slides.py does it all)
"""

from __future__ import annotations

import importlib

from manim import ThreeDScene
from manim_slides import Slide, ThreeDSlide

from scenes.video import CHAPTERS, Chapter


def slide_class(chapter: Chapter) -> type:
    """``<Scene>Slides``: the chapter's scene with manim-slides' pauses."""
    scene_class = getattr(importlib.import_module(f"scenes.{chapter.module}"), chapter.scene)
    base = ThreeDSlide if issubclass(scene_class, ThreeDScene) else Slide
    return type(slide_name(chapter), (scene_class, base), {"__module__": __name__})


def slide_name(chapter: Chapter) -> str:
    return f"{chapter.scene}Slides"


for _chapter in CHAPTERS:
    globals()[slide_name(_chapter)] = slide_class(_chapter)
