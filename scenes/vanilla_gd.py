"""Chapter: plain GD. Each step is orthogonal to θ, so ‖θ‖ grows (Pythagoras) and the steps stall."""

from __future__ import annotations

import numpy as np
from manim import Create, FadeIn, FadeOut, Line, RightAngle, VGroup, linear

from mathcore import derivations, experiments
from scenes.i18n import _
from scenes.style import (
    EMPHASIS_SIZE,
    GRAD_COLOR,
    MUTED,
    NORM_COLOR,
    PANEL_EXTENT,
    SYMBOL_SIZE,
    VANILLA_COLOR,
    ChapterScene,
    formula_card,
    math,
    run_panel,
    start_label,
    step_named,
)


class VanillaGD(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        path = experiments.vanilla()
        steps = len(path) - 1
        norms = experiments.norms(path)

        panel = run_panel(path, VANILLA_COLOR, PANEL_EXTENT)
        axes, tracker, trace = panel.axes, panel.tracker, panel.trace
        self.play(*panel.backdrop_animations(), run_time=1.5)

        start = start_label(r"\theta_0", trace.dot, VANILLA_COLOR)
        self.caption(
            # i18n: GD is gradient descent. {start_x}, {start_y}: the coordinates of the start θ₀ (e.g. -0.7, 0.7);
            # {lr}: the learning rate η (e.g. 0.25).
            _("Plain GD from θ₀ = ({start_x:g}, {start_y:g}): learning rate η = {lr:g}, no weight decay.").format(
                start_x=path[0, 0], start_y=path[0, 1], lr=experiments.VANILLA.lr
            ),
            FadeIn(trace),
            FadeIn(start),
            # i18n: {lr}: the learning rate (a number, e.g. 0.25).
            say=_("Plain gradient descent from theta zero, in blue: learning rate {lr:g}, "
                  "and no weight decay.").format(lr=experiments.VANILLA.lr),
        )

        # One big early step, drawn as a right triangle: θ_k, the step −η∇L(θ_k), θ_{k+1}.
        step_lengths = np.linalg.norm(np.diff(path[:12], axis=0), axis=1)
        k = int(np.argmax(step_lengths))
        origin, before, after = axes.c2p(0, 0), axes.c2p(*path[k]), axes.c2p(*path[k + 1])
        radius_before = Line(origin, before, color=NORM_COLOR, stroke_width=4)
        step = Line(before, after, color=GRAD_COLOR, stroke_width=5)
        radius_after = Line(origin, after, color=NORM_COLOR, stroke_width=4, stroke_opacity=0.7)
        corner = RightAngle(radius_before, step, length=0.18, quadrant=(-1, 1), color=MUTED)
        self.play(tracker.animate.set_value(k), run_time=1.5, rate_func=linear)
        self.caption(
            _("Each step is orthogonal to θ (Lemma 1), so θ, the step and the new θ form a right triangle."),
            Create(radius_before),
            Create(step),
            Create(corner),
            Create(radius_after),
            say=_("By Lemma 1, the pink step is at right angles to the yellow radius: a right triangle."),
            run_time=2.0,
        )
        card = formula_card(
            step_named(derivations.pythagoras(), "pythagoras"),
            # i18n: Caption above a formula: Pythagoras' theorem, as derived by the computer-algebra program SymPy.
            _("Pythagoras, derived by sympy"),
            size=EMPHASIS_SIZE,
        )
        check = math(
            rf"{norms[k]:.3f}^2 + {step_lengths[k]:.3f}^2 = {norms[k + 1]:.3f}^2",
            SYMBOL_SIZE,
            NORM_COLOR,
        )
        panel.column(card, check)
        self.caption(
            _("So without weight decay the norm can only grow, step after step."),
            FadeIn(card),
            FadeIn(check),
            say=_("The new radius is the hypotenuse. So without weight decay, the norm can only grow."),
        )
        self.play(FadeOut(VGroup(radius_before, step, radius_after, corner)), run_time=0.6)

        # The rest of the run, with live readouts and the norm against the step.
        self.play(FadeIn(panel.readouts), FadeIn(panel.plot), run_time=1.0)
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                _("The norm climbs at every step, and the gradient shrinks like 1/‖θ‖ ..."),
                tracker.animate.set_value(40),
                say=_("Watch it zigzag while the norm climbs; the gradient shrinks like one over the norm ..."),
                run_time=5.0,
            )
            self.caption(
                _("... and in the narrow, shallow valley next to its start, the steps die out."),
                tracker.animate.set_value(steps),
                say=_("... and in the narrow, shallow valley by its start, the steps die out. Can weight decay help?"),
                run_time=4.0,
            )
        self.wait(1.5)
        self.clear_caption()
