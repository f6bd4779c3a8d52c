"""Chapter: weight decay beside the exp-LR run in a view that keeps zooming out; seen from the origin they match."""

from __future__ import annotations

import numpy as np
from manim import FadeIn, ValueTracker, linear

from mathcore import experiments
from scenes.i18n import _
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
            _("Left: constant learning rate with weight decay."),
            FadeIn(view.left),
            say=_("Now a second view. On the left, a constant learning rate with weight decay."),
            run_time=1.0,
        )
        self.caption(
            _("Right: exponential learning rate, no weight decay."),
            FadeIn(view.right),
            FadeIn(view.readouts),
            FadeIn(view.strip),
            say=_("On the right, an exponential learning rate, and no weight decay."),
            run_time=1.0,
        )
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                _("The right view keeps zooming out to keep the run in sight."),
                tracker.animate(rate_func=linear).set_value(45),
                say=_("Watch the right panel: it keeps zooming out, just fast enough to keep the run in sight."),
                run_time=8.0,
            )
            self.caption(
                _("Its map never changes: the loss sees only the angle."),
                tracker.animate(rate_func=linear).set_value(100),
                say=_("Yet its loss map never changes, because the loss only sees the angle of the weights."),
                run_time=8.0,
            )
        self.caption(
            _("Below, the angle of both runs: one curve on the other."),
            tracker.animate(rate_func=linear).set_value(steps),
            say=_("The strip below plots the angle of both runs, and one curve lies right on the other."),
            run_time=8.0,
        )
        zoom = 1 / comparison.scale[-1]
        widest = EXTENT * zoom
        gap = float(np.abs(experiments.angles(comparison.decayed) - experiments.angles(comparison.exploded)).max())
        self.caption(
            # i18n: step = the last step; half_width = half the width of the right view then (±half_width);
            # i18n: zoom_factor = how many times wider the right view is than at step 0.
            _("By step {step} the right view spans ±{half_width:.0f}, {zoom_factor:.0f} times wider.").format(
                step=steps, half_width=widest, zoom_factor=zoom
            ),
            # i18n: step = the last step; zoom_factor = how many times wider the right view is than at step 0.
            say=_("By step {step}, the right view is {zoom_factor:.0f} times wider than at the start.").format(
                step=steps, zoom_factor=zoom
            ),
        )
        self.caption(
            # i18n: angle_gap = the largest difference of the two runs' angles, e.g. "1.8 × 10⁻¹⁰".
            _("Seen from the origin they agree: angles within {angle_gap} radians.").format(angle_gap=sci_text(gap)),
            say=_("Seen from the origin, they agree to rounding error. But does this survive momentum?"),
        )
        self.clear_caption()
