"""Chapter: the two equivalent runs part because GD with weight decay can be chaotic: rounding grows like e^(μt)."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    ValueTracker,
    VGroup,
    config,
    linear,
)

from mathcore import derivations, experiments
from mathcore.chaos import lyapunov_from_gap, predicted_parting_step
from scenes.i18n import Msg, _
from scenes.style import (
    CAPTION_SIZE,
    DECAY_COLOR,
    EXP_COLOR,
    FORMULA_HOLD,
    MUTED,
    PRECISION_COLORS,
    SMALL_SIZE,
    TEXT_COLOR,
    ChapterScene,
    SciReadout,
    TrajectoryTrace,
    fit_within,
    legend,
    loss_heatmap,
    plane_panel,
    row_for,
    sci_latex,
    sci_text,
    step_counter,
    text,
)
from scenes.style import (
    math as tex,
)
from scenes.style.narration import Said

#: Half-width of the parameter plane (the chaotic weight-decay run stays within |θ_i| ≤ 1.06).
EXTENT = 1.2
#: Steps of the two float64 runs drawn on the plane: well past their parting step.
SHOWN_STEPS = 400
#: Smallest MathTex size that stays legible at 854x480.
TICK_SIZE = 30
#: Steps of the calm runs shown in the last plot (the chaotic float64 curve is cut to match).
CONTRAST_STEPS = experiments.CALM.steps


def power_above(value: float) -> int:
    """The smallest power of ten above ``value`` (> 0): what the narrator says as "below ten to the minus k"."""
    return math.floor(math.log10(value)) + 1


def precision_name(precision: str | int, digits: float) -> Msg:
    """How the video names a precision: numpy dtypes by name (with their digits), mpmath by its digits."""
    if isinstance(precision, str):
        # i18n: legend entry. precision: a number type's name (float32, float64); digits: its decimal digits
        return _("{precision} ({digits:.0f} digits)").format(precision=precision, digits=digits)
    # i18n: legend entry. mpmath is a library name; digits: the decimal digits it carries (32 or 64)
    return _("mpmath, {digits} digits").format(digits=precision)


class LogAxes(Axes):
    """Axes for log10(value) from ``low`` to ``high`` against the step, y ticks labelled as powers of ten.

    The y coordinate is counted in decades above ``low`` so that the step axis runs along the bottom;
    place points with ``at(step, log10_value)``.
    """

    def __init__(self, steps: int, low: int, high: int, width: float, height: float, label_every: int,
                 x_numbers: bool = True):
        x_step = 100 if steps <= 700 else 200
        super().__init__(
            x_range=[0, steps, x_step],
            y_range=[0, high - low, 5 if label_every <= 10 else 10],
            x_length=width,
            y_length=height,
            tips=False,
            axis_config={"color": MUTED, "stroke_width": 2, "font_size": TICK_SIZE},
            x_axis_config={"numbers_to_include": np.arange(x_step, steps + 1, x_step) if x_numbers else []},
            y_axis_config={"numbers_to_include": []},
        )
        self.low = low
        first = math.ceil(low / label_every) * label_every
        for power in range(first, high + 1, label_every):
            self.add(tex(rf"10^{{{power}}}", TICK_SIZE, MUTED).next_to(self.at(0, power), LEFT, buff=0.15))
        # i18n: x axis label; t is the symbol of the step number in the formulas
        self.add(text(_("step t"), SMALL_SIZE, MUTED).next_to(self.x_axis.get_right(), UP + LEFT, buff=0.15))
        # i18n: y axis label: how far apart two runs of the same training are, relative to their size
        self.add(text(_("relative gap between the runs"), SMALL_SIZE, MUTED)
                 .next_to(self.y_axis.get_top(), UP, buff=0.2).align_to(self.y_axis, LEFT))

    def at(self, step: float, level: float) -> np.ndarray:
        """Scene point of (step, log10 value)."""
        return self.c2p(step, level - self.low)


def log_curve(axes: LogAxes, gaps: np.ndarray, tracker: ValueTracker, color: str, width: float = 4) -> TrajectoryTrace:
    """log10 of a gap curve against the step, drawn up to the tracker's step.

    The runs start equal, so the first gaps are exactly 0: they are drawn at the first non-zero gap.
    """
    first = gaps[np.flatnonzero(gaps > 0)[0]]
    points = np.column_stack([np.arange(len(gaps)), np.log10(np.where(gaps > 0, gaps, first)) - axes.low])
    curve = TrajectoryTrace(axes, points, tracker, color, dot_radius=0.05)
    curve.line.set_stroke(width=width)
    return curve


def tolerance_line(axes: LogAxes, tol: float, steps: int) -> VGroup:
    """The dashed level where the runs count as parted, labelled τ = 10^k at its right end."""
    level = math.log10(tol)
    line = DashedLine(axes.at(0, level), axes.at(steps, level), color=TEXT_COLOR, stroke_width=2, dash_length=0.1)
    value = rf"10^{{{round(level)}}}" if level == round(level) else sci_latex(tol)
    label = tex(rf"\tau = {value}", TICK_SIZE, TEXT_COLOR)
    label.next_to(line.get_right(), DOWN + LEFT, buff=0.12)
    return VGroup(line, label)


class ChaoticDrift(ChapterScene):
    def construct(self) -> None:
        self.title_card(_("Chaos, and the last digit"))
        self.two_runs()
        self.gap_plot()
        kept = self.derivation()
        self.digits_plot(kept)
        self.contrast()

    def clear_screen(self) -> None:
        """Fade out everything but the caption (after the line being spoken, in the narrated edition)."""
        if self.narrated:
            self._wait_for_speech()
        self.play(*(FadeOut(m) for m in self.mobjects if m is not self._caption), run_time=0.4)

    # --- the two float64 runs, agreeing and then parting ----------------------------------------

    def two_runs(self) -> None:
        comparison = experiments.chaotic_comparison(SHOWN_STEPS)
        recipe = comparison.recipe
        study = experiments.drift()
        parting = study.parting[study.precisions.index("float64")]
        axes = plane_panel(EXTENT, side=5.2).to_edge(LEFT, buff=0.5).shift(0.35 * UP)
        heat = loss_heatmap(axes, EXTENT, loss=experiments.chaos_loss())
        tracker = ValueTracker(0)
        decayed = TrajectoryTrace(axes, comparison.decayed, tracker, DECAY_COLOR)
        decayed.line.set_stroke(width=8)
        # Drawn on top, thin and hollow, so the orange run shows through wherever they coincide.
        rescaled = TrajectoryTrace(axes, comparison.rescaled, tracker, EXP_COLOR, dot_radius=0.12)
        rescaled.line.set_stroke(width=2)
        rescaled.dot.set_fill(opacity=0).set_stroke(EXP_COLOR, width=3)

        key = legend([
            # i18n: legend: the run with weight decay and a constant learning rate (LR)
            (DECAY_COLOR, _("weight decay, constant LR")),
            # i18n: legend: the equivalent run with an exponentially growing learning rate (LR), its weights rescaled
            # to compare it with the other run
            (EXP_COLOR, _("exponential LR, rescaled")),
        ])
        # The loss is named on screen (the narrated edition has no caption bar to say which toy this is).
        loss_formula = tex(rf"L(x, y) = {derivations.to_latex(experiments.chaos_loss().expression())}", TICK_SIZE)
        settings = tex(
            rf"\eta = {recipe.lr:g},\quad \lambda = {recipe.weight_decay:g},\quad \text{{float64}}",
            TICK_SIZE,
        )
        counter = step_counter(tracker, SHOWN_STEPS)
        # i18n: live readout label, followed by "= 1.2 × 10⁻¹⁵": how far apart the two runs are; keep short
        gap = SciReadout(r"=", comparison.relative_gap, tracker, TEXT_COLOR, size=TICK_SIZE + 2, name=_("relative gap"))
        column = VGroup(key, loss_formula, settings, counter, gap).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        column.next_to(axes, RIGHT, buff=0.8).align_to(axes, UP)

        # The polar angle of both runs: the kicks out of the valley coincide until the runs part.
        angle_wd, angle_exp = experiments.angles(comparison.decayed), experiments.angles(comparison.rescaled)
        low = min(angle_wd.min(), angle_exp.min()) - 0.1
        high = max(angle_wd.max(), angle_exp.max()) + 0.1
        strip = Axes(
            x_range=[0, SHOWN_STEPS, 100],
            y_range=[low, high, 0.5],
            x_length=config.frame_width / 2 - 0.4 - column.get_left()[0],
            y_length=1.9,
            tips=False,
            axis_config={"color": MUTED, "stroke_width": 2, "font_size": TICK_SIZE},
            x_axis_config={"numbers_to_include": np.arange(100, SHOWN_STEPS + 1, 100)},
            y_axis_config={"include_ticks": False},
        )
        strip.next_to(column, DOWN, buff=0.6).align_to(column, LEFT)
        # i18n: plot title: the polar angle of each run's weights, against the step
        strip_label = text(_("angle of each run"), SMALL_SIZE, MUTED).next_to(strip.y_axis.get_top(), RIGHT, buff=0.25)
        steps = np.arange(SHOWN_STEPS + 1)
        angle_decay = TrajectoryTrace(strip, np.column_stack([steps, angle_wd]), tracker, DECAY_COLOR, dot_radius=0.05)
        angle_decay.line.set_stroke(width=7)
        angle_exp_trace = TrajectoryTrace(strip, np.column_stack([steps, angle_exp]), tracker, EXP_COLOR,
                                          dot_radius=0.04)
        angle_exp_trace.line.set_stroke(width=2)
        marker = DashedLine(strip.c2p(parting, low), strip.c2p(parting, high), color=TEXT_COLOR, stroke_width=2,
                            dash_length=0.08)
        marker_label = tex(rf"t = {parting}", TICK_SIZE, TEXT_COLOR).next_to(marker.get_top(), RIGHT, buff=0.1)

        self.caption(
            # i18n: lr: the learning rate η (a number); a toy = a toy loss function; GD: gradient descent; Li, Lyu &
            # Arora are the authors of a paper
            _("A different toy: x²/(x²+y²) at η = {lr:g}, where GD is chaotic (Li, Lyu & Arora).").format(
                lr=comparison.recipe.lr
            ),
            FadeIn(heat),
            Create(axes),
            FadeIn(decayed),
            FadeIn(rescaled),
            FadeIn(column),
            Create(strip),
            FadeIn(strip_label),
            FadeIn(angle_decay),
            FadeIn(angle_exp_trace),
            run_time=1.5,
            say=_("A different toy, at a learning rate where gradient descent is chaotic, after Li, Lyu and Arora."),
        )
        agree = parting // 10 * 10
        self.caption(
            # i18n: steps: a round number of steps; the sentence goes on in the next caption ("... then part at
            # step N")
            _("Both runs in float64: they agree for the first {steps} steps ...").format(steps=agree),
            tracker.animate(rate_func=linear).set_value(parting - 15),
            run_time=4.0,
            hold=0,
            # i18n: steps: a round number of steps; the sentence goes on in the next line
            say=_("In float64, the two equivalent runs agree for the first {steps} steps ...").format(steps=agree),
        )
        self.caption(
            # i18n: continues the previous caption; step: the step where the runs part. The post: the blog post this
            # video is about
            _("... then part at step {step}. The post's author guessed rounding; let us check.").format(step=parting),
            tracker.animate(rate_func=linear).set_value(SHOWN_STEPS),
            FadeIn(marker, run_time=0.5),
            FadeIn(marker_label, run_time=0.5),
            run_time=3.0,
            # i18n: continues the previous line; step: the step where the runs part
            say=_("... then part at step {step}. The post's author suspected rounding error. Let's check.").format(
                step=parting
            ),
        )
        self.clear_screen()

    # --- the gap at four precisions ----------------------------------------------------------

    def gap_plot(self) -> None:
        study = experiments.drift()
        steps = experiments.CHAOS.steps
        low = -10 * math.ceil((max(study.digits) + 3) / 10)
        axes = LogAxes(steps, low, 1, width=11.2, height=5.3, label_every=20, x_numbers=False)
        axes.to_edge(UP, buff=0.6).shift(0.45 * RIGHT)
        tracker = ValueTracker(0)
        curves = VGroup(
            *(log_curve(axes, gaps, tracker, PRECISION_COLORS[p]) for p, gaps in zip(study.precisions, study.gaps))
        )
        key = legend([(PRECISION_COLORS[p], precision_name(p, d)) for p, d in zip(study.precisions, study.digits)])
        # Lower right, under the 64-digit climb and left of its parting step's drop line.
        last_parting = max(t for t in study.parting if t is not None)
        key.next_to(axes.at(last_parting - 0.02 * steps, low), UP + LEFT, buff=0.35)

        # Where each pair of runs parts: a dot on the tolerance line, a drop line and the step below the axis.
        marks = VGroup(tolerance_line(axes, study.tol, steps))
        for precision, gaps, parted in zip(study.precisions, study.gaps, study.parting):
            color = PRECISION_COLORS[precision]
            level = math.log10(gaps[parted])
            drop = DashedLine(axes.at(parted, level), axes.at(parted, low), color=color, stroke_width=2,
                              dash_length=0.08)
            number = tex(str(parted), TICK_SIZE, color).next_to(axes.at(parted, low), DOWN, buff=0.15)
            marks.add(VGroup(drop, Dot(axes.at(parted, level), radius=0.08, color=color), number))

        last32 = len(study.gaps[study.precisions.index("float32")]) - 1
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                # i18n: float32 and float64 are number types (names)
                _("Carry more digits: float32, float64, then 32 and 64 digits."),
                Create(axes),
                FadeIn(key),
                FadeIn(curves),
                run_time=1.0,
                hold=0,
                say=_("If rounding is to blame, more digits should delay the parting. So try four precisions."),
            )
            self.play(tracker.animate(rate_func=linear).set_value(last32), run_time=3.2)
            self.caption(
                # i18n: step: the last step the float32 run reaches
                _("Float32 stops at step {step}: its learning rate would overflow.").format(step=last32),
                tracker.animate(rate_func=linear).set_value(steps),
                run_time=3.2,
                hold=0,
                # i18n: step: the last step the float32 run reaches
                say=_("Float32 stops at step {step}: its learning rate would overflow.").format(step=last32),
            )
        # i18n: τ: the tolerance (a dashed line on the plot) above which the runs count as parted
        self.caption(_("Each gap starts at its last digit; the runs part at τ."), FadeIn(marks),
                     run_time=1.0,
                     say=_("Each gap starts at its last digit and climbs; at the dashed line, the runs have parted."))
        self.clear_screen()

    # --- why: a gap growing like e^(μt) from 10^(−d) --------------------------------------------

    def derivation(self) -> Mobject:
        """Write the estimate of the parting step; return the t⋆ formula, kept for the next screen."""
        estimate = derivations.parting_step_estimate()
        screen = (
            (
                Said(_("Chaos multiplies a tiny gap by the same factor each step."),
                     # i18n: spoken; mu is the Greek letter μ, said aloud
                     _("Chaos multiplies a tiny gap by the same factor each step; call its growth rate mu.")),
                (
                    # i18n: short label beside a formula ("\n" breaks the line); gap: between the two runs
                    ("gap", _("gap: last digit,\ngrowing each step")),
                    # i18n: short label beside a formula ("\n" breaks the line); τ: the tolerance
                    ("parting_condition", _("parted at\ntolerance τ")),
                ),
            ),
            (
                # i18n: d: the number of digits carried; μ: the growth rate (Lyapunov exponent)
                Said(_("In this model parting is linear in the digits d; the slope gives μ."),
                     # i18n: spoken; mu is the Greek letter μ, said aloud
                     _("In this model, each extra digit buys the same number of steps, and that slope gives mu.")),
                (
                    # i18n: short label beside a formula: the step at which the runs part
                    ("parting_step", _("parting step")),
                    # i18n: short label beside a formula
                    ("slope", _("steps per digit")),
                    # i18n: short label beside a formula ("\n" breaks the line)
                    ("exponent_from_slope", _("Lyapunov\nexponent")),
                ),
            ),
        )
        kept = "parting_step"
        rows = self.write_derivation(estimate, screen, FORMULA_HOLD, size=42, buff=0.4, keep_step=kept)
        return row_for(rows, screen, kept).formula

    # --- measured: parting step against digits, and each curve's own rate ------------------------

    def digits_plot(self, parting_formula: Mobject) -> None:
        study = experiments.drift()
        estimate = derivations.parting_step_estimate()
        digits, parting = np.array(study.digits), np.array(study.parting, dtype=float)
        steps = experiments.CHAOS.steps
        top_digits = 10 * math.ceil(digits.max() / 10 + 0.5)
        axes = Axes(
            x_range=[0, top_digits, 10],
            y_range=[0, steps, 200],
            x_length=4.4,
            y_length=4.3,
            tips=False,
            axis_config={"color": MUTED, "stroke_width": 2, "font_size": TICK_SIZE, "include_numbers": True},
        ).to_corner(UP + LEFT, buff=0.9).shift(0.5 * RIGHT)
        # i18n: x axis label; d is the symbol of the number of digits in the formulas
        axes.add(text(_("digits carried, d"), SMALL_SIZE, MUTED).next_to(axes.x_axis, DOWN, buff=0.55))
        # i18n: y axis label: the step at which the runs part
        axes.add(text(_("parting step"), SMALL_SIZE, MUTED).next_to(axes.y_axis.get_top(), UP, buff=0.25)
                 .align_to(axes.y_axis, LEFT))
        # The least-squares line through the measured points (the fit chaos.lyapunov_from_parting makes),
        # drawn where it is above the axis.
        slope, intercept = np.polyfit(digits, parting, 1)
        start = max(0.0, -intercept / slope)
        fit = Line(axes.c2p(start, intercept + slope * start), axes.c2p(top_digits, intercept + slope * top_digits),
                   color=TEXT_COLOR, stroke_width=2)
        dots = VGroup(*(Dot(axes.c2p(d, t), radius=0.09, color=PRECISION_COLORS[p])
                        for p, d, t in zip(study.precisions, digits, parting)))
        slope_label = VGroup(
            tex(rf"k = {slope:.1f}", TICK_SIZE + 2),
            tex(estimate.step("exponent_from_slope").latex + rf" = {study.exponent:.3f}", TICK_SIZE + 2),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        slope_label.next_to(axes.c2p(0, steps), DOWN + RIGHT, buff=0.3)

        # Each curve's own growth rate, fitted between its last digit and τ, predicts where it parts.
        rates = [lyapunov_from_gap(gaps[:parted], 10.0**-d, study.tol)
                 for gaps, d, parted in zip(study.gaps, study.digits, study.parting)]
        predicted = [predicted_parting_step(d, mu, study.tol) for d, mu in zip(study.digits, rates)]
        headers = (
            # i18n: table column header, short: the number type (float32, float64, ...)
            _("precision"),
            # i18n: table column header, two short lines ("\n" breaks the line): the decimal digits carried, d
            _("digits\nd"),
            # i18n: table column header, two short lines ("\n" breaks the line): the growth rate μ fitted to each
            # gap curve
            _("μ from\nthe gap"),
            # i18n: table column header, two short lines ("\n" breaks the line): the predicted parting step
            _("predicted\nparting"),
            # i18n: table column header, two short lines ("\n" breaks the line): the measured parting step
            _("measured\nparting"),
        )
        header = [text(h, SMALL_SIZE, MUTED) for h in headers]
        cells: list[Mobject] = list(header)
        for p, d, mu, guess, parted in zip(study.precisions, study.digits, rates, predicted, study.parting):
            color = PRECISION_COLORS[p]
            # i18n: table cell naming a precision by its decimal digits (32 or 64)
            name = p if isinstance(p, str) else _("{digits} digits").format(digits=p)
            cells += [text(name, CAPTION_SIZE, color), text(f"{round(d, 1):g}", CAPTION_SIZE),
                      text(f"{mu:.3f}", CAPTION_SIZE), text(f"{guess:.0f}", CAPTION_SIZE),
                      text(f"{parted}", CAPTION_SIZE, color)]
        grid = VGroup(*cells).arrange_in_grid(rows=len(study.precisions) + 1, cols=5, buff=(0.35, 0.26),
                                              col_alignments="lrrrr")
        # Align each row by the tops of its characters: "32 digits" has a descender that centring would lift.
        for row in range(1, len(study.precisions) + 1):
            cells[5 * row].align_to(cells[5 * row + 1], UP)
        rule = Line(grid.get_left(), grid.get_right(), color=MUTED, stroke_width=1.5)
        rule.next_to(VGroup(*header), DOWN, buff=0.12).match_x(grid)
        table = VGroup(grid, rule)
        left = axes.get_right()[0] + 0.6
        fit_within(table, config.frame_width / 2 - 0.3 - left, 3.2)
        table.next_to(axes, RIGHT, buff=0.6).align_to(axes.x_axis, DOWN).shift(0.5 * DOWN)
        self.caption(
            # i18n: mu: the measured growth rate μ (Lyapunov exponent), e.g. 0.12
            _("Measured: nearly a line. Its slope gives μ ≈ {mu:.2f} per step.").format(mu=study.exponent),
            parting_formula.animate.next_to(table, UP, buff=0.5).match_x(table),
            Create(axes),
            FadeIn(dots),
            Create(fit),
            FadeIn(slope_label),
            run_time=1.5,
            hold=FORMULA_HOLD,
            # i18n: spoken; mu: the measured growth rate μ, e.g. 0.12 (mu is the Greek letter, said aloud)
            say=_("Measured: nearly a line, with mu about {mu:.2f} per step.").format(mu=study.exponent),
        )
        worst = max(abs(g - t) for g, t in zip(predicted, study.parting))
        self.caption(
            # i18n: steps: the largest miss of the predictions, in steps
            _("Each gap's own growth rate predicts its parting within {steps:.0f} steps.").format(steps=worst),
            FadeIn(table),
            run_time=1.0,
            hold=FORMULA_HOLD + 0.5,
            # i18n: steps: the largest miss of the predictions, in steps
            say=_("In the table, each gap's own growth rate predicts its parting within {steps:.0f} steps.").format(
                steps=worst
            ),
        )
        self.clear_screen()

    # --- no chaos, no drift ----------------------------------------------------------------------

    def contrast(self) -> None:
        study = experiments.drift()
        chaotic = study.gaps[study.precisions.index("float64")][: CONTRAST_STEPS + 1]
        calm = experiments.calm_gap()
        toy = experiments.comparison().relative_gap
        low = -5 * math.ceil(-math.log10(chaotic[chaotic > 0].min()) / 5)
        axes = LogAxes(CONTRAST_STEPS, low, 1, width=11.2, height=5.0, label_every=5)
        axes.to_edge(UP, buff=0.6).shift(0.45 * RIGHT)
        tracker = ValueTracker(0)
        color64 = PRECISION_COLORS["float64"]
        curves = VGroup(
            log_curve(axes, chaotic, tracker, color64),
            log_curve(axes, calm, tracker, TEXT_COLOR),
            log_curve(axes, toy, tracker, MUTED, width=5),
        )
        tol = tolerance_line(axes, study.tol, CONTRAST_STEPS)
        # Labels in the free space by each curve: the chaotic one above its climb, the calm one above
        # its end, the toy's right of its end (between the chaotic climb and the calm curve).
        labels = VGroup(
            # i18n: curve label; lr: the learning rate η (a number); toy: the toy loss function
            text(_("chaotic toy, η = {lr:g}").format(lr=experiments.CHAOS.lr), SMALL_SIZE, color64)
            .next_to(axes.at(0, math.log10(study.tol) / 2), RIGHT, buff=0.3),
            # i18n: curve label; lr: the learning rate η (a number); the same toy loss as the chaotic one
            text(_("same toy, η = {lr:g}").format(lr=experiments.CALM.lr), SMALL_SIZE, TEXT_COLOR)
            .next_to(axes.at(CONTRAST_STEPS, math.log10(calm[-1])), UP + LEFT, buff=0.2),
            # i18n: curve label: the toy loss of the blog post this video is about
            text(_("the post's toy"), SMALL_SIZE, MUTED).next_to(axes.at(len(toy) - 1, math.log10(toy[-1])), RIGHT,
                                                                  buff=0.2),
        )
        self.caption(
            # i18n: lr: the learning rate η (a number); largest_gap: the largest relative gap, e.g. 1.8 × 10⁻¹⁰
            _("Without chaos, no drift: at η = {lr:g}, float64 agrees to {largest_gap}.").format(
                lr=experiments.CALM.lr, largest_gap=sci_text(calm.max())
            ),
            Create(axes),
            Create(tol),
            FadeIn(curves),
            tracker.animate(rate_func=linear).set_value(CONTRAST_STEPS),
            run_time=4.0,
            hold=0,
            # i18n: spoken; ratio: how many times smaller the learning rate is (e.g. 10); digits: a whole number
            say=_("Same toy, a learning rate {ratio:.0f} times smaller: no chaos, "
                  "and the runs agree to {digits} digits.").format(
                ratio=experiments.CHAOS.lr / experiments.CALM.lr, digits=-power_above(calm.max())
            ),
        )
        self.play(FadeIn(labels), run_time=0.6)
        # i18n: the post: the blog post this video is about; peak_gap: the largest relative gap, e.g. 3.1 × 10⁻⁷
        self.caption(_("Our copy of the post's toy, at its settings: a burst to {peak_gap}, then it settles.").format(
                         peak_gap=sci_text(toy.max())
                     ),
                     # i18n: spoken; exponent: a whole number k, the gap stays below 10^-k ("ten to the minus k")
                     say=_("In gray, our copy of the post's toy at its settings: its gap stays below ten to the "
                           "minus {exponent}.").format(exponent=-power_above(toy.max())))
        self.caption(_("Where runs drift, no bug is needed: chaos amplifies the last digit."),
                     # i18n: spoken; the last sentence leads to the next chapter (the learning rate the angle feels)
                     say=_("No bug is needed: chaos amplifies the last digit. "
                           "Next, what learning rate does the angle feel?"))
        self.clear_caption()
