"""Chapter: Theorem 2.1 derived on screen, then the exploding run rescaled by s_t lands on the weight-decay run."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    ValueTracker,
    VGroup,
    config,
    linear,
)

from mathcore import derivations, experiments
from scenes.i18n import _
from scenes.style import (
    DECAY_COLOR,
    EXP_COLOR,
    FORMULA_HOLD,
    TEXT_COLOR,
    ChapterScene,
    SciReadout,
    Screen,
    TrajectoryTrace,
    legend,
    loss_heatmap,
    minimum_rays,
    plane_panel,
    readout,
    row_for,
    sci_text,
    segment_meets_box,
    step_counter,
)
from scenes.style.geometry import sci_parts
from scenes.style.narration import Said

EXTENT = 1.2
ROW_SIZE = 46
#: Every how many steps an iterate of the exploding run is shown at its true position.
PICK_EVERY = 4
#: Gap (scene units) between the formula column and any green dot or spoke of the exploding run.
COLUMN_MARGIN = 0.3

# Screens of beats: (caption at the bottom, [(caption of the step in mathcore.derivations, label beside it)]).
SCREENS: tuple[Screen, ...] = (
    (
        (
            Said(
                _("Two runs: weight decay, or a changing learning rate."),
                _("Now the proof. Run 1 uses weight decay; run 2, a changing learning rate instead."),
            ),
            (
                # i18n: a short label beside run 1's update formula; "\n" breaks lines (LR = learning rate).
                ("wd_step", _("weight decay,\nconstant LR")),
                # i18n: a short label beside run 2's update formula; "\n" breaks lines (LR = learning rate).
                ("exp_lr_step", _("no weight decay,\nchanging LR")),
            ),
        ),
        (
            Said(
                _("Guess: run 1 is a scaled copy of run 2."),
                _("Guess that run 1 is a scaled copy of run 2. Call the scale s."),
            ),
            # i18n: a short label beside a formula: a guess (induction hypothesis), then Lemma 1 applied to it.
            (("induction_hypothesis", _("guess,\nthen Lemma 1")),),
        ),
        (
            Said(_("Write run 1's step in run 2's terms."), _("Now rewrite run 1's step in terms of run 2.")),
            # i18n: a short label beside a formula; "\n" breaks lines.
            (("wd_step_rewritten", _("run 1's step,\nrewritten")),),
        ),
    ),
    (
        (
            Said(
                _("Run 2's step, times the next scale."),
                _("Take run 2's step, and multiply it by the next scale."),
            ),
            # i18n: a short label beside a formula: run 2's step multiplied by the scale s_{t+1}.
            (("exp_lr_step_scaled", _("run 2's step,\ntimes next scale")),),
        ),
        (
            _("The steps agree if the coefficients match."),
            # i18n: a short label beside a formula ("match" is a verb); "\n" breaks lines.
            (("match_coefficients", _("match the\ncoefficients")),),
        ),
        (
            Said(
                _("Same start: the scale shrinks, the learning rate grows exponentially."),
                _("Start both runs together: the scale shrinks, and the learning rate grows exponentially."),
            ),
            (
                # i18n: a short label beside a formula: both runs have the same start; "solve" is a verb.
                ("scale", _("same start,\nsolve")),
                # i18n: a short label beside a formula: the learning-rate schedule.
                ("exp_lr_schedule", _("the schedule")),
            ),
        ),
        (
            Said(
                _("It needs ηλ < 1, so that the scale stays positive."),
                _("This needs learning rate times weight decay below 1, so the scale stays positive."),
            ),
            # i18n: a short label before a condition (the formula that follows completes it); "\n" breaks lines.
            (("condition", _("the scale stays\npositive if")),),
        ),
    ),
)
SCALE_STEP = "scale"


class Reprojection(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        theorem = derivations.theorem_2_1()
        scale_formula = self.derive(theorem)
        self.reproject(scale_formula)

    def derive(self, theorem: derivations.Theorem21) -> VGroup:
        """Write the proof, one screen of rows at a time; return the s_t formula, kept for the picture."""
        for screen in SCREENS[:-1]:
            self.write_derivation(theorem, screen, FORMULA_HOLD, size=ROW_SIZE, buff=0.6)
        last = self.write_derivation(theorem, SCREENS[-1], FORMULA_HOLD, size=ROW_SIZE, buff=0.6, keep_step=SCALE_STEP)
        return row_for(last, SCREENS[-1], SCALE_STEP).formula

    def reproject(self, scale_formula: VGroup) -> None:
        """The exploding run, multiplied by s_t, lands on the weight-decay run; the gap is rounding error."""
        comparison = experiments.comparison()
        steps = len(comparison.scale) - 1
        axes = plane_panel(EXTENT, side=5.4).to_edge(LEFT, buff=0.6).shift(0.3 * UP)
        heat, rays = loss_heatmap(axes, EXTENT), minimum_rays(axes, EXTENT)

        decay_tracker, rescaled_tracker = ValueTracker(0), ValueTracker(0)
        decayed = TrajectoryTrace(axes, comparison.decayed, decay_tracker, DECAY_COLOR)
        decayed.line.set_stroke(width=9)
        # Drawn on top, thin and hollow, so the orange run shows through wherever they coincide.
        rescaled = TrajectoryTrace(axes, comparison.rescaled, rescaled_tracker, EXP_COLOR, dot_radius=0.12)
        rescaled.line.set_stroke(width=2)
        rescaled.dot.set_fill(opacity=0).set_stroke(EXP_COLOR, width=3)

        key = legend(
            [
                # i18n: a legend label (LR = learning rate).
                (DECAY_COLOR, _("weight decay, constant LR")),
                # i18n: a legend label: the exponential-learning-rate run, multiplied by the scale s_t.
                (EXP_COLOR, _("exponential LR, rescaled")),
            ]
        )
        counter = step_counter(rescaled_tracker, steps)
        scale = readout(r"s_t =", comparison.scale, rescaled_tracker, TEXT_COLOR, digits=4)
        # The largest gap so far, so the number on screen at the end is the one the caption states.
        largest = np.maximum.accumulate(comparison.relative_gap)
        # i18n: a readout's name, before "= 1.2 × 10⁻¹⁵": the largest relative gap between the runs up to this step.
        gap = SciReadout("=", largest, rescaled_tracker, EXP_COLOR, size=34, name=_("largest gap so far"))
        card = scale_formula.copy()
        # Lower right: the exploding run's true positions fill the upper right while it is shown.
        column = VGroup(card, key, counter, scale, gap).arrange(DOWN, aligned_edge=LEFT, buff=0.32)
        column.next_to(axes, RIGHT, buff=0.9).align_to(axes, DOWN)

        self.caption(
            _("Orange: the weight-decay run, as before."),
            FadeIn(heat),
            Create(axes),
            Create(rays),
            scale_formula.animate.move_to(card),
            FadeIn(key),
            FadeIn(decayed),
            say=_("In orange, the weight-decay run, just as before."),
            run_time=1.3,
            hold=0,
        )
        self.play(decay_tracker.animate(rate_func=linear).set_value(steps), run_time=1.5)

        # Iterates of the exploding run where they really are (those that fit the frame beside the column) ...
        shrink = ValueTracker(0.0)

        def placed(k: int) -> np.ndarray:
            factor = 1 + shrink.get_value() * (comparison.scale[k] - 1)
            return axes.c2p(*(factor * comparison.exploded[k]))

        def in_frame(point: np.ndarray) -> bool:
            return abs(point[0]) < config.frame_width / 2 - 0.4 and abs(point[1]) < config.frame_height / 2 - 0.4

        # The column and a margin (more than a dot's radius) around it: no dot or spoke may enter it.
        keep_out = (column.get_corner(DOWN + LEFT) - COLUMN_MARGIN, column.get_corner(UP + RIGHT) + COLUMN_MARGIN)

        def fits(k: int) -> bool:
            """The whole slide, from the true position to the landing point, is in the frame and off the column
            (the frame is convex, so the ends decide the first; the second is an exact segment-box test)."""
            start, end = axes.c2p(*comparison.exploded[k]), axes.c2p(*comparison.rescaled[k])
            return in_frame(start) and in_frame(end) and not segment_meets_box(start, end, *keep_out)

        picks = [k for k in range(0, steps + 1, PICK_EVERY) if fits(k)]
        dots = VGroup()
        spokes = VGroup()  # the stretch of ray each point slides along
        for k in picks:
            dot = Dot(placed(k), radius=0.07, color=EXP_COLOR)
            dot.add_updater(lambda m, k=k: m.move_to(placed(k)))
            dots.add(dot)
            landing = axes.c2p(*comparison.rescaled[k])
            spokes.add(Line(landing, placed(k), color=EXP_COLOR, stroke_width=1.5, stroke_opacity=0.45))
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                _("Green: the exploding run, where it really is."),
                FadeIn(spokes),
                FadeIn(dots),
                say=_("In green, the exploding run, at its true positions."),
                run_time=1.0,
            )
            # ... slide along their rays as each is multiplied by its own s_t.
            self.caption(
                _("Scaled down, each point slides along its ray onto orange."),
                shrink.animate.set_value(1.0),
                run_time=2.5,
                hold=0.5,
            )
        self.play(FadeOut(dots), FadeOut(spokes), run_time=0.4)

        self.caption(
            _("Rescale every step: the two runs coincide."),
            FadeIn(rescaled),
            FadeIn(counter),
            FadeIn(scale),
            FadeIn(gap),
            say=_("Now rescale every step. The hollow green dot runs right along the orange path."),
            run_time=0.8,
            hold=0,
        )
        self.play(rescaled_tracker.animate(rate_func=linear).set_value(steps), run_time=5.5)
        worst = float(comparison.relative_gap.max())
        (mantissa,), (exponent,) = sci_parts(np.array([worst]), 0)
        self.caption(
            # i18n: gap = a number in scientific notation, e.g. "1.2 × 10⁻¹⁵".
            _("The largest gap is {gap}: rounding error.").format(gap=sci_text(worst)),
            # i18n: the gap is "mantissa times 10 to the minus power", e.g. mantissa = 1 and power = 15.
            say=_(
                "The largest gap is about {mantissa:.0f} times 10 to the minus {power}: float64 rounding error."
            ).format(mantissa=mantissa, power=-exponent),
        )
        self.clear_caption()
