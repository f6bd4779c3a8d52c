"""The full video: one ordered list of chapters. Each chapter is one Scene in scenes/<module>.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCENES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Chapter:
    """A chapter: the scene file's module name, the Scene class in it, and its title."""

    module: str
    scene: str
    title: str

    @property
    def path(self) -> Path:
        return SCENES_DIR / f"{self.module}.py"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("opening", "Opening", "Batch norm and a surprising claim"),
    Chapter("radial_surface", "RadialSurface", "A loss that only sees the angle"),
    Chapter("lemma_one", "LemmaOne", "Lemma 1: gradients of a scale-invariant loss"),
    Chapter("vanilla_gd", "VanillaGD", "Plain gradient descent"),
    Chapter("weight_decay", "WeightDecay", "Gradient descent with weight decay"),
    Chapter("exponential_lr", "ExponentialLR", "Exponential learning rate, no weight decay"),
    Chapter("reprojection", "Reprojection", "Theorem 2.1: the two runs are one"),
    Chapter("zoom_side_by_side", "ZoomSideBySide", "Zooming out, side by side"),
    Chapter("momentum", "Momentum", "With momentum"),
    Chapter("chaotic_drift", "ChaoticDrift", "Why the two runs drift apart"),
    Chapter("effective_lr", "EffectiveLR", "The effective learning rate and the equilibrium"),
    Chapter("real_network", "RealNetwork", "A real batch-norm network"),
    Chapter("summary", "Summary", "What scale invariance buys"),
)


#: The chapter whose highlight's last frame is the video's poster / thumbnail.
POSTER_CHAPTER = "zoom_side_by_side"


def chapter_number(chapter: Chapter) -> int:
    """1-based position of ``chapter`` in the video."""
    return CHAPTERS.index(chapter) + 1


def by_scene(scene_name: str) -> Chapter:
    """The chapter whose Scene class is ``scene_name``."""
    for chapter in CHAPTERS:
        if chapter.scene == scene_name:
            return chapter
    raise ValueError(f"no chapter has scene {scene_name!r}; known: {[c.scene for c in CHAPTERS]}")
