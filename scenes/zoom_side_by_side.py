"""Chapter: weight decay beside the exp-LR run in a view that keeps zooming out; seen from the origin they match."""

from __future__ import annotations

import numpy as np
from manim import FadeIn, ValueTracker, linear

from mathcore import experiments
from scenes.style import ChapterScene, SideBySideZoom, sci_text

#: Half-width of both panels at step 0 (the weight-decay run stays inside |θ_i| ≤ 1.02, clear of the range labels).
EXTENT = 1.4


class ZoomSideBySide(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        comparison = experiments.comparison()
        steps = len(comparison.scale) - 1
        tracker = ValueTracker(0)
        view = SideBySideZoom(comparison, tracker, EXTENT)

        self.caption(
            "Left: constant learning rate with weight decay.",
            FadeIn(view.left),
            say="Now a second view. On the left, a constant learning rate with weight decay.",
            run_time=1.0,
        )
        self.caption(
            "Right: exponential learning rate, no weight decay.",
            FadeIn(view.right),
            FadeIn(view.readouts),
            FadeIn(view.strip),
            say="On the right, an exponential learning rate, and no weight decay.",
            run_time=1.0,
        )
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                "The right view keeps zooming out to keep the run in sight.",
                tracker.animate(rate_func=linear).set_value(45),
                say="Watch the right panel: it keeps zooming out, just fast enough to keep the run in sight.",
                run_time=8.0,
            )
            self.caption(
                "Its map never changes: the loss sees only the angle.",
                tracker.animate(rate_func=linear).set_value(100),
                say="Yet its loss map never changes, because the loss only sees the angle of the weights.",
                run_time=8.0,
            )
        self.caption(
            "Below, the angle of both runs: one curve on the other.",
            tracker.animate(rate_func=linear).set_value(steps),
            say="The strip below plots the angle of both runs, and one curve lies right on the other.",
            run_time=8.0,
        )
        zoom = 1 / comparison.scale[-1]
        widest = EXTENT * zoom
        gap = float(np.abs(experiments.angles(comparison.decayed) - experiments.angles(comparison.exploded)).max())
        self.caption(
            f"By step {steps} the right view spans ±{widest:.0f}, {zoom:.0f} times wider.",
            say=f"By step {steps}, the right view is {zoom:.0f} times wider than at the start.",
        )
        self.caption(
            f"Seen from the origin they agree: angles within {sci_text(gap)} radians.",
            say="Seen from the origin, they agree to rounding error. But does this survive momentum?",
        )
        self.clear_caption()
