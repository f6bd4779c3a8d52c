"""Chapter: batch norm makes the loss blind to the weights' scale, and the surprising equivalence this buys."""

from __future__ import annotations

import itertools

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    Line,
    RoundedRectangle,
    Transform,
    ValueTracker,
    VGroup,
    Write,
    config,
    linear,
)

from mathcore import derivations, experiments
from scenes.i18n import Msg, _
from scenes.style import (
    DECAY_COLOR,
    EMPHASIS_SIZE,
    EXP_COLOR,
    KEY_SIZE,
    LABEL_SIZE,
    MUTED,
    NORM_COLOR,
    SMALL_SIZE,
    TEXT_COLOR,
    ChapterScene,
    fit_within,
    formula_card,
    math,
    series_plot,
    step_named,
    text,
)

#: A batch of this many examples feeds the unit in the picture (bars, one per example).
BATCH = 7
#: The two rescalings shown, one up, one down (any c > 0 works; these just read well on screen).
SCALINGS = (2.0, 0.5)
#: Bar height (scene units) of the largest |pre-activation| at c = 1.
BAR_UNIT = 0.75
#: How many steps of the runs' learning-rate schedule the claim's plots show.
PLOT_STEPS = 100
SCHEDULE_STEP = "exp_lr_schedule"
WD_STEP = "wd_step"
#: The premise's step in mathcore's Lemma 1, and its caption as the card shows it (mathcore stays language-free,
#: so the card's words are a message here; scale_invariance checks that they still match mathcore's caption).
PREMISE_STEP = "scale_invariance"
PREMISE_CAPTION = _("Scale invariance, for every c > 0")


def batch_values() -> tuple[np.ndarray, np.ndarray]:
    """A unit's pre-activations z = Xθ over one batch, and what batch norm makes of them, (z − mean)/std.

    Illustration only (the bars carry no numbers): a fixed random batch, the weights θ = θ₀ of the runs.
    """
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(BATCH, 2))
    pre = inputs @ np.array(experiments.START)
    return pre, (pre - pre.mean()) / pre.std()


def bar_chart(values: np.ndarray, unit: float, color: str, caption: str | Msg) -> VGroup:
    """Bars from a baseline, one per batch example, with a muted caption under the baseline."""
    width, gap = 0.3, 0.1
    bars = VGroup()
    for i, value in enumerate(values):
        x = i * (width + gap)
        bar = RoundedRectangle(corner_radius=0.02, width=width, height=max(abs(value) * unit, 0.02))
        bar.set_fill(color, 0.9).set_stroke(width=0)
        bar.move_to([x, value * unit / 2, 0])
        bars.add(bar)
    baseline = Line(bars.get_left() + 0.1 * LEFT, bars.get_right() + 0.1 * RIGHT, color=MUTED, stroke_width=2)
    baseline.set_y(0)
    label = text(caption, SMALL_SIZE, MUTED)
    chart = VGroup(baseline, bars, label)
    chart.bars, chart.baseline, chart.label = bars, baseline, label
    return chart


def box(label: str | Msg, width: float, color: str = TEXT_COLOR) -> VGroup:
    """A rounded box with a text label: one stage of the network picture."""
    name = text(label, LABEL_SIZE, color)
    frame = RoundedRectangle(corner_radius=0.15, width=width, height=0.9, color=color, stroke_width=3)
    return VGroup(frame, name.move_to(frame))


def recipe(
    heading: str | Msg, color: str, latex: str, values: np.ndarray, tracker: ValueTracker, y_label: str
) -> VGroup:
    """One training recipe: coloured heading, its update or schedule (from mathcore), its learning rate per step."""
    title = text(heading, LABEL_SIZE, color)
    formula = math(latex, 36)
    plot = series_plot(values, tracker, color, y_label, width=4.6, height=2.2)
    column = VGroup(title, formula, plot).arrange(DOWN, buff=0.5)
    fit_within(column, 6.0, 5.4)
    column.title, column.formula, column.plot = title, formula, plot
    return column


class Opening(ChapterScene):
    def construct(self) -> None:
        # i18n: Subtitle of the opening title card: the paper (authors, year) and the blog post it follows.
        self.title_card(_("Li & Arora (2019), after Ferenc Huszár's inFERENCe post"))
        self.scale_invariance()
        self.claim()

    def scale_invariance(self) -> None:
        """The network picture: rescaling θ stretches the pre-activations; batch norm undoes it."""
        # i18n: A box in the network diagram (keep it short); "a" is the math symbol for the inputs.
        inputs = box(_("inputs a"), 2.1, MUTED)
        unit = Circle(radius=0.5, color=TEXT_COLOR, stroke_width=3)
        unit_label = math(r"\theta^\top a", KEY_SIZE).move_to(unit)
        neuron = VGroup(unit, unit_label)
        # i18n: A box in the network diagram (keep it short): the batch normalization layer.
        norm = box(_("batch norm"), 2.6, TEXT_COLOR)
        # i18n: A box in the network diagram (keep it very short); "L" is the math symbol for the loss.
        loss = box(_("loss L"), 1.9, TEXT_COLOR)
        stages = VGroup(inputs, neuron, norm, loss).arrange(RIGHT, buff=1.75).to_edge(UP, buff=0.6)
        arrows = VGroup(*(Arrow(a.get_right(), b.get_left(), buff=0.1, color=MUTED, stroke_width=3,
                                max_tip_length_to_length_ratio=0.2) for a, b in itertools.pairwise(stages)))
        weights = math(r"\theta", EMPHASIS_SIZE, NORM_COLOR).next_to(arrows[0], UP, buff=0.12)
        # i18n: A short label under the arrow that carries the weights θ (a noun).
        weights_label = text(_("weights"), SMALL_SIZE, MUTED).next_to(arrows[0], DOWN, buff=0.12)

        pre, normed = batch_values()
        unit_height = BAR_UNIT / np.abs(pre).max()
        # i18n: Label under a bar chart (two short lines): the values going into batch norm, one bar per example.
        before = bar_chart(pre, unit_height, NORM_COLOR, _("into batch norm:\none value per example"))
        # i18n: Label under a bar chart (two short lines): batch norm's output has mean 0 and spread (std) 1.
        after_label = _("out of batch norm:\nmean 0, spread 1")
        after = bar_chart(normed, BAR_UNIT / np.abs(normed).max(), TEXT_COLOR, after_label)
        # Each batch sits under the arrow it travels along, with room for the bars at the largest scaling.
        reach_up = max(SCALINGS) * max(pre.max(), 0.0) * unit_height
        reach_down = max(SCALINGS) * max(-pre.min(), 0.0) * unit_height
        baseline_y = stages.get_bottom()[1] - 0.35 - reach_up
        labels_top = baseline_y - reach_down - 0.3
        for chart, arrow in ((before, arrows[1]), (after, arrows[2])):
            chart.shift(arrow.get_x() * RIGHT - chart.baseline.get_center() + baseline_y * UP)
            fit_within(chart.label, 3.8, 1.0)
            chart.label.next_to([arrow.get_x(), labels_top, 0], DOWN, buff=0)

        self.caption(
            _("A unit of a network: inputs, weights θ, then batch norm."),
            FadeIn(stages),
            *(GrowArrow(a) for a in arrows),
            FadeIn(weights),
            FadeIn(weights_label),
            say=_("Here is one unit of a network: inputs, weights we call theta, then batch norm."),
            run_time=1.5,
        )
        self.caption(
            _("Batch norm rescales the unit's outputs over each batch."),
            FadeIn(before),
            FadeIn(after),
            say=_("The yellow bars are its outputs on one batch. Batch norm gives them mean zero and spread one."),
            run_time=1.2,
        )

        # Scale θ by c: the pre-activations stretch by c, batch norm's output does not move.
        scaled = math(r"c\,\theta", EMPHASIS_SIZE, NORM_COLOR).move_to(weights)
        first, second = SCALINGS
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                _("Multiply the weights by any c > 0: the outputs stretch ..."),
                Transform(weights, scaled),
                before.bars.animate.stretch(first, 1, about_point=before.baseline.get_center()),
                say=_("Now multiply the weights by any positive number c, and the outputs stretch by c ..."),
                run_time=1.5,
                hold=0.5,
            )
            self.caption(
                _("... but batch norm undoes it. The loss cannot tell."),
                before.bars.animate.stretch(second / first, 1, about_point=before.baseline.get_center()),
                Indicate(after.bars, color=TEXT_COLOR, scale_factor=1.05),
                Indicate(loss, color=TEXT_COLOR, scale_factor=1.1),
                say=_("... but batch norm undoes the stretch, up or down. So the loss cannot tell the difference."),
                run_time=1.5,
            )
        lemma = derivations.lemma_1()
        premise = lemma.step(PREMISE_STEP)
        if premise.caption.replace("theta", "θ") != PREMISE_CAPTION.english:
            raise ValueError(f"mathcore's caption {premise.caption!r} changed: update PREMISE_CAPTION to match")
        card = formula_card(premise.latex, PREMISE_CAPTION, size=44)
        coordinates = math(r"\theta = (x, y)", KEY_SIZE, NORM_COLOR)
        card.next_to(VGroup(before.label, after.label), DOWN, buff=0.2).set_x(0)
        coordinates.next_to(card, LEFT, buff=0.5)
        self.caption(_("The loss is scale invariant: only the weights' direction matters."), Write(card),
                     FadeIn(coordinates), run_time=1.2, hold=2.0,
                     say=_("The loss is scale invariant: rescaling theta changes nothing, only its direction matters."))
        everything = VGroup(stages, arrows, weights, weights_label, before, after, card, coordinates)
        self.play(FadeOut(everything), run_time=0.5)

    def claim(self) -> None:
        """Side by side: constant LR + weight decay ≡ no weight decay + exponentially growing LR."""
        theorem = derivations.theorem_2_1()
        runs = experiments.comparison()
        schedule = runs.schedule[: PLOT_STEPS + 1]
        steps = len(schedule)
        growth = schedule[-1] / schedule[0]  # how much the growing learning rate grows over the plotted steps
        tracker = ValueTracker(0)
        # i18n: Heading of a training recipe (two short lines).
        decay = recipe(_("constant learning rate\n+ weight decay"), DECAY_COLOR, step_named(theorem, WD_STEP),
                       np.full(steps, runs.recipe.lr), tracker, r"\eta_t")
        # i18n: Heading of a training recipe (two lines).
        growing = recipe(_("no weight decay\n+ exponentially growing learning rate"), EXP_COLOR,
                         step_named(theorem, SCHEDULE_STEP), schedule, tracker, r"\tilde\eta_t")
        same = math(r"\equiv", 72)
        row = VGroup(decay, same, growing).arrange(RIGHT, buff=0.5).to_edge(UP, buff=0.4)
        fit_within(row, config.frame_width - 0.6, config.frame_height - 1.4)
        same.match_y(VGroup(decay.formula, growing.formula))
        # The two formulas share a baseline height so the rows read across.
        growing.formula.match_y(decay.formula)

        self.caption(
            _("The usual recipe: a constant learning rate, plus weight decay."),
            FadeIn(decay.title),
            Write(decay.formula),
            FadeIn(decay.plot[0]),
            say=_("Now the usual training recipe, in orange: a constant learning rate, plus weight decay."),
            run_time=1.5,
        )
        self.caption(
            _("The claim: it is the same as no weight decay ..."),
            FadeIn(growing.title),
            Write(growing.formula),
            FadeIn(growing.plot[0]),
            Write(same),
            say=_("The claim, in green: that recipe is equivalent to no weight decay at all ..."),
            run_time=1.5,
        )
        self.caption(
            _("... and a learning rate that grows exponentially, step after step."),
            FadeIn(decay.plot[1]),
            FadeIn(growing.plot[1]),
            tracker.animate(rate_func=linear).set_value(steps - 1),
            # i18n: {growth} is how many times larger the learning rate gets (rounded, e.g. 160); {steps}: a step count.
            say=_("... and a learning rate that grows exponentially: about {growth:.0f} times larger "
                  "after {steps} steps.").format(growth=round(growth, -1), steps=steps - 1),
            run_time=2.5,
        )
        credit = VGroup(
            text("Zhiyuan Li & Sanjeev Arora (2019), arXiv:1910.07454", SMALL_SIZE, TEXT_COLOR),
            text(_("explained in Ferenc Huszár's blog post on inFERENCe (2019)"), SMALL_SIZE, MUTED),
        ).arrange(DOWN, buff=0.15)
        credit.next_to(row, DOWN, buff=0.35)
        self.caption(_("A result of Li & Arora, which this video explains."), FadeIn(credit), run_time=1.0, hold=2.0,
                     say=_("A result of Zhiyuan Li and Sanjeev Arora. "
                           "To see why, start with a loss that sees only direction."))
        self.clear_caption()
        self.play(FadeOut(VGroup(row, credit)), run_time=0.5)
        self.remove(tracker)  # its value is stored as a point far off the frame
