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


def precision_name(precision: str | int, digits: float) -> str:
    """How the video names a precision: numpy dtypes by name (with their digits), mpmath by its digits."""
    if isinstance(precision, str):
        return f"{precision} ({digits:.0f} digits)"
    return f"mpmath, {precision} digits"


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
        self.add(text("step t", SMALL_SIZE, MUTED).next_to(self.x_axis.get_right(), UP + LEFT, buff=0.15))
        self.add(text("relative gap between the runs", SMALL_SIZE, MUTED).next_to(self.y_axis.get_top(), UP, buff=0.2)
                 .align_to(self.y_axis, LEFT))

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
        self.title_card("Chaos, and the last digit")
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

        key = legend([(DECAY_COLOR, "weight decay, constant LR"), (EXP_COLOR, "exponential LR, rescaled")])
        # The loss is named on screen (the narrated edition has no caption bar to say which toy this is).
        loss_formula = tex(rf"L(x, y) = {derivations.to_latex(experiments.chaos_loss().expression())}", TICK_SIZE)
        settings = tex(
            rf"\eta = {recipe.lr:g},\quad \lambda = {recipe.weight_decay:g},\quad \text{{float64}}",
            TICK_SIZE,
        )
        counter = step_counter(tracker, SHOWN_STEPS)
        gap = SciReadout(r"\text{relative gap} =", comparison.relative_gap, tracker, TEXT_COLOR, size=TICK_SIZE + 2)
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
        strip_label = text("angle of each run", SMALL_SIZE, MUTED).next_to(strip.y_axis.get_top(), RIGHT, buff=0.25)
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
            f"A different toy: x²/(x²+y²) at η = {comparison.recipe.lr:g}, where GD is chaotic (Li, Lyu & Arora).",
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
            say="A different toy, at a learning rate where gradient descent is chaotic, after Li, Lyu and Arora.",
        )
        self.caption(
            f"Both runs in float64: they agree for the first {parting // 10 * 10} steps ...",
            tracker.animate(rate_func=linear).set_value(parting - 15),
            run_time=4.0,
            hold=0,
            say=f"In float64, the two equivalent runs agree for the first {parting // 10 * 10} steps ...",
        )
        self.caption(
            f"... then part at step {parting}. The post's author guessed rounding; let us check.",
            tracker.animate(rate_func=linear).set_value(SHOWN_STEPS),
            FadeIn(marker, run_time=0.5),
            FadeIn(marker_label, run_time=0.5),
            run_time=3.0,
            say=f"... then part at step {parting}. The post's author suspected rounding error. Let's check.",
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
                "Carry more digits: float32, float64, then 32 and 64 digits.",
                Create(axes),
                FadeIn(key),
                FadeIn(curves),
                run_time=1.0,
                hold=0,
                say="If rounding is to blame, more digits should delay the parting. So try four precisions.",
            )
            self.play(tracker.animate(rate_func=linear).set_value(last32), run_time=3.2)
            self.caption(
                f"Float32 stops at step {last32}: its learning rate would overflow.",
                tracker.animate(rate_func=linear).set_value(steps),
                run_time=3.2,
                hold=0,
                say=f"Float32 stops at step {last32}: its learning rate would overflow.",
            )
        self.caption("Each gap starts at its last digit; the runs part at τ.", FadeIn(marks),
                     run_time=1.0,
                     say="Each gap starts at its last digit and climbs; at the dashed line, the runs have parted.")
        self.clear_screen()

    # --- why: a gap growing like e^(μt) from 10^(−d) --------------------------------------------

    def derivation(self) -> Mobject:
        """Write the estimate of the parting step; return the t⋆ formula, kept for the next screen."""
        estimate = derivations.parting_step_estimate()
        screen = (
            (
                Said("Chaos multiplies a tiny gap by the same factor each step.",
                     "Chaos multiplies a tiny gap by the same factor each step; call its growth rate mu."),
                (
                    ("gap", "gap: last digit,\ngrowing each step"),
                    ("parting_condition", "parted at\ntolerance τ"),
                ),
            ),
            (
                Said("In this model parting is linear in the digits d; the slope gives μ.",
                     "In this model, each extra digit buys the same number of steps, and that slope gives mu."),
                (
                    ("parting_step", "parting step"),
                    ("slope", "steps per digit"),
                    ("exponent_from_slope", "Lyapunov\nexponent"),
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
        axes.add(text("digits carried, d", SMALL_SIZE, MUTED).next_to(axes.x_axis, DOWN, buff=0.55))
        axes.add(text("parting step", SMALL_SIZE, MUTED).next_to(axes.y_axis.get_top(), UP, buff=0.25)
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
        headers = ("precision", "digits\nd", "μ from\nthe gap", "predicted\nparting", "measured\nparting")
        header = [text(h, SMALL_SIZE, MUTED) for h in headers]
        cells: list[Mobject] = list(header)
        for p, d, mu, guess, parted in zip(study.precisions, study.digits, rates, predicted, study.parting):
            color = PRECISION_COLORS[p]
            name = p if isinstance(p, str) else f"{p} digits"
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
            f"Measured: nearly a line. Its slope gives μ ≈ {study.exponent:.2f} per step.",
            parting_formula.animate.next_to(table, UP, buff=0.5).match_x(table),
            Create(axes),
            FadeIn(dots),
            Create(fit),
            FadeIn(slope_label),
            run_time=1.5,
            hold=FORMULA_HOLD,
            say=f"Measured: nearly a line, with mu about {study.exponent:.2f} per step.",
        )
        worst = max(abs(g - t) for g, t in zip(predicted, study.parting))
        self.caption(
            f"Each gap's own growth rate predicts its parting within {worst:.0f} steps.",
            FadeIn(table),
            run_time=1.0,
            hold=FORMULA_HOLD + 0.5,
            say=f"In the table, each gap's own growth rate predicts its parting within {worst:.0f} steps.",
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
            text(f"chaotic toy, η = {experiments.CHAOS.lr:g}", SMALL_SIZE, color64)
            .next_to(axes.at(0, math.log10(study.tol) / 2), RIGHT, buff=0.3),
            text(f"same toy, η = {experiments.CALM.lr:g}", SMALL_SIZE, TEXT_COLOR)
            .next_to(axes.at(CONTRAST_STEPS, math.log10(calm[-1])), UP + LEFT, buff=0.2),
            text("the post's toy", SMALL_SIZE, MUTED).next_to(axes.at(len(toy) - 1, math.log10(toy[-1])), RIGHT,
                                                               buff=0.2),
        )
        self.caption(
            f"Without chaos, no drift: at η = {experiments.CALM.lr:g}, float64 agrees to {sci_text(calm.max())}.",
            Create(axes),
            Create(tol),
            FadeIn(curves),
            tracker.animate(rate_func=linear).set_value(CONTRAST_STEPS),
            run_time=4.0,
            hold=0,
            say=f"Same toy, a learning rate {experiments.CHAOS.lr / experiments.CALM.lr:.0f} times smaller: no chaos, "
            f"and the runs agree to {-power_above(calm.max())} digits.",
        )
        self.play(FadeIn(labels), run_time=0.6)
        self.caption(f"Our copy of the post's toy, at its settings: a burst to {sci_text(toy.max())}, then it settles.",
                     say=f"In gray, our copy of the post's toy at its settings: its gap stays below ten to the "
                     f"minus {-power_above(toy.max())}.")
        self.caption("Where runs drift, no bug is needed: chaos amplifies the last digit.",
                     say="No bug is needed: chaos amplifies the last digit. "
                     "Next, what learning rate does the angle feel?")
        self.clear_caption()
