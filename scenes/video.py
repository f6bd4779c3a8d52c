"""The full video: one ordered list of chapters. Each chapter is one Scene in scenes/<module>.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scenes.i18n import N_, translate

SCENES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Chapter:
    """A chapter: the scene file's module name, the Scene class in it, and its title."""

    module: str
    scene: str
    title: str  #: English; marked N_ so the catalogue has it
    folder: Path = SCENES_DIR  #: where ``<module>.py`` is (the tests render small scenes of their own)

    def title_in(self, locale: str) -> str:
        """The title in language ``locale`` (``en``, ``zh-Hans``) from the catalogue."""
        return translate(self.title, locale)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.module}.py"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("opening", "Opening", N_("Batch norm and a surprising claim")),
    Chapter("radial_surface", "RadialSurface", N_("A loss that only sees the angle")),
    Chapter("lemma_one", "LemmaOne", N_("Lemma 1: gradients of a scale-invariant loss")),
    Chapter("vanilla_gd", "VanillaGD", N_("Plain gradient descent")),
    Chapter("weight_decay", "WeightDecay", N_("Gradient descent with weight decay")),
    Chapter("exponential_lr", "ExponentialLR", N_("Exponential learning rate, no weight decay")),
    Chapter("reprojection", "Reprojection", N_("Theorem 2.1: the two runs are one")),
    Chapter("zoom_side_by_side", "ZoomSideBySide", N_("Zooming out, side by side")),
    Chapter("momentum", "Momentum", N_("With momentum")),
    Chapter("chaotic_drift", "ChaoticDrift", N_("Why the two runs drift apart")),
    Chapter("effective_lr", "EffectiveLR", N_("The effective learning rate and the equilibrium")),
    Chapter("real_network", "RealNetwork", N_("A real batch-norm network")),
    Chapter("summary", "Summary", N_("What scale invariance buys")),
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
