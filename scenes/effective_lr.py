"""Chapter: the learning rate seen on the sphere is η/‖θ‖², and weight decay holds ‖θ‖ where growth and decay
balance."""

from __future__ import annotations

import math as pymath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Circle,
    Create,
    DashedLine,
    DashedVMobject,
    FadeIn,
    FadeOut,
    Group,
    Line,
    ValueTracker,
    VGroup,
    VMobject,
    config,
    linear,
)

from mathcore import derivations, experiments
from mathcore.experiments import EquilibriumRun
from scenes.i18n import Msg, _
from scenes.style import (
    CAPTION_SIZE,
    DECAY_COLOR,
    MUTED,
    NORM_COLOR,
    READOUT_SIZE,
    SMALL_SIZE,
    TEXT_COLOR,
    ChapterScene,
    Screen,
    TrajectoryTrace,
    fit_within,
    loss_heatmap,
    math,
    minimum_rays,
    plane_panel,
    readout,
    sci_text,
    series_plot,
    step_counter,
    text,
)
from scenes.style.narration import Said

#: Extra seconds a screen of formulas stays up after its last caption (shorter than style.FORMULA_HOLD: the
#: captions here are long, so their own reading time already covers most of it).
SCREEN_HOLD = 1.2
ROW_BUFF = 0.42
#: Side of the loss panel (scene units) and the plots' size in the column beside it.
PANEL_SIDE = 5.1
PLOT_WIDTH = 3.0
PLOT_HEIGHT = 1.3
#: The noisy run's fading tail on the panel: (steps back, stroke width, opacity), oldest first.
TAIL_LAYERS: tuple[tuple[int | None, float, float], ...] = ((300, 1.0, 0.3), (60, 1.6, 0.6), (8, 3.0, 1.0))

# i18n: legend entry, short: a predicted value of the quantity plotted; value: a number, e.g. 0.123
PREDICTED = _("predicted {value}")

# Screens of beats: (caption at the bottom, ((caption of the step in mathcore.derivations, label beside it), ...)).
EFFECTIVE_LR_SCREEN: Screen = (
    (
        # i18n: Lemma 1 is a result shown in an earlier chapter; θ: the weights; ‖θ‖: their norm
        Said(_("Lemma 1: at θ, the gradient is divided by ‖θ‖."),
             _("One step with weight decay: by Lemma 1, the gradient is divided by the norm.")),
        (
            # i18n: short label beside a formula ("\n" breaks the line); SGD: stochastic gradient descent
            ("wd_step", _("SGD with\nweight decay")),
            # i18n: short label beside a formula: the lemma shown in an earlier chapter
            ("unit_direction", _("Lemma 1")),
        ),
    ),
    (
        # i18n: turn: the angle the weights turn by; G: the symbol of the gradient's size in the formulas
        Said(_("One step's turn. G: gradient size on the unit circle."),
             # i18n: spoken; G: the symbol of the gradient's size in the formulas
             _("Each step turns the weights; call G the gradient's size on the unit circle.")),
        # i18n: short label beside a formula ("\n" breaks the line)
        (("tan_step", _("angle turned\nin one step")),),
    ),
    (
        # i18n: ‖θ‖²: the squared norm of the weights
        Said(_("On the circle, the learning rate is divided by ‖θ‖²."),
             _("Seen on the circle, the learning rate is divided by the norm squared: the effective rate.")),
        # i18n: short label beside a formula ("\n" breaks the line)
        (("effective_lr", _("effective\nlearning rate")),),
    ),
)
EQUILIBRIUM_SCREEN: Screen = (
    (
        # i18n: orthogonal: at right angles to the weights; the norm: of the weights
        Said(_("Orthogonal steps grow the norm; weight decay shrinks it."),
             _("Each orthogonal step grows the norm, by Pythagoras; weight decay shrinks it.")),
        # i18n: short label beside a formula ("\n" breaks the line)
        (("norm_recurrence", _("norm after\none step")),),
    ),
    (
        Said(_("They balance at one norm: the equilibrium."),
             _("They balance at one norm: the equilibrium. Small weight decay simplifies it.")),
        (
            # i18n: short label beside a formula: the norm where growth and decay balance
            ("norm4", _("equilibrium")),
            # i18n: short label beside a formula ("\n" breaks the line): the approximation for a small weight decay
            ("norm4_leading", _("small weight\ndecay")),
        ),
    ),
    (
        # i18n: turn: the angle the weights turn by; η: the learning rate; λ: the weight decay
        Said(_("There, the turn per step depends on η and λ only."),
             _("There, the angle turned per step depends only on the learning rate and the weight decay.")),
        (
            # i18n: short label beside a formula
            ("step_at_equilibrium", _("at equilibrium")),
            # i18n: short label beside a formula: the angle turned per step
            ("angular_step", _("angular step")),
        ),
    ),
)


class Reference(NamedTuple):
    """A predicted value drawn as a dashed horizontal line on a plot, with its legend entry.

    ``label`` is the whole legend entry, a message with a ``{value}`` placeholder for the value."""

    label: Msg
    value: float
    color: str = TEXT_COLOR


def number(value: float) -> str:
    """A measured or predicted value for the screen: 3 decimals, 3 significant digits below 0.1, 1 when tiny."""
    if value != 0 and abs(value) < 1e-3:
        return sci_text(value, 0)  # essentially zero: one digit says so
    return f"{value:.3f}" if abs(value) >= 0.1 else f"{value:#.3g}"


def percent_off(*pairs: float) -> int:
    """For (measured, predicted, measured, predicted, ...): the largest relative miss, in whole percent rounded up."""
    worst = max(abs(measured / predicted - 1) for measured, predicted in zip(pairs[::2], pairs[1::2]))
    return max(1, pymath.ceil(100 * worst))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 (times a power of ten) at or above ``value``."""
    power = 10.0 ** pymath.floor(pymath.log10(value))
    for mantissa in (1, 1.5, 2, 3, 4, 5, 6, 8, 10):
        if mantissa * power >= value * (1 - 1e-9):
            return mantissa * power
    return 10 * power


class WindowTrace(TrajectoryTrace):
    """A TrajectoryTrace drawing only recent steps, in layers (steps back or None for all, width, opacity),
    oldest first: a long noisy run reads as a fading tail. Nothing is drawn before step ``first``.

    Per frame it only slices the precomputed path, like its parent.
    """

    def __init__(
        self,
        axes: Axes,
        path: np.ndarray,
        tracker: ValueTracker,
        color: str,
        layers: Sequence[tuple[int | None, float, float]] = ((None, 3.0, 1.0),),
        first: int = 0,
        dot_radius: float = 0.07,
    ):
        self.layers, self.first = tuple(layers), first
        self.extra = [VMobject(color=color, stroke_width=w, stroke_opacity=o) for _back, w, o in self.layers[1:]]
        super().__init__(axes, path, tracker, color, dot_radius)
        _back, width, opacity = self.layers[0]
        self.line.set_stroke(width=width, opacity=opacity)
        self.remove(self.dot)
        self.add(*self.extra, self.dot)  # the dot on top of every layer

    def _redraw(self) -> None:
        last = int(np.floor(self.step()))
        point = self.current_data_point()
        for mob, (back, _width, _opacity) in zip([self.line, *self.extra], self.layers):
            start = self.first if back is None else max(self.first, last - back)
            if last < self.first:
                mob.clear_points()
                continue
            mob.set_points_as_corners(self.axes.coords_to_point(np.vstack([self.path[start : last + 1], point[None]])))
        self.dot.move_to(self.axes.c2p(*point)).set_opacity(0.0 if last < self.first else 1.0)


def relabel_y(axes: Axes, y_max: float) -> None:
    """Number the plot's y axis at a 1-2-2.5-5 step with at most three labels, with the decimals that step needs
    (series_plot prints one decimal at every tick, too many on a short plot)."""
    power = 10.0 ** pymath.floor(pymath.log10(y_max))
    step = next(m * power / 10 for m in (1, 2, 2.5, 5, 10, 20) if y_max / (m * power / 10) <= 4)
    decimals = len(f"{step:.10g}".partition(".")[2])
    axes.y_axis.remove(axes.y_axis.numbers)
    ticks = np.arange(step, y_max * (1 - 1e-9), step)
    axes.y_axis.add_numbers(ticks, num_decimal_places=decimals, font_size=SMALL_SIZE)


def legend_entry(swatch: VMobject, label: str | Msg) -> VGroup:
    """A short line (dashed for a prediction, solid for a measurement) and its label."""
    return VGroup(swatch, text(label, SMALL_SIZE)).arrange(RIGHT, buff=0.12)


@dataclass
class MeasuredPlot:
    """A quantity against the step, its predictions as dashed lines, and its measured mean (shown at the end).

    ``measured`` sits inside ``group`` so that it follows the layout; call detach_measured() before showing the group.
    """

    group: VGroup
    measured: VGroup  # the mean after burn-in (a solid line) and its legend entry
    entries: VGroup
    mean_line: Line

    def detach_measured(self) -> VGroup:
        """Take the measured mean out of the group, where it is, to reveal it later."""
        self.group.remove(self.mean_line)
        self.entries.remove(self.measured[1])
        return self.measured


def measured_plot(
    values: np.ndarray,
    tracker: ValueTracker,
    color: str,
    y_label: str,
    note: str | Msg | None,
    references: Sequence[Reference],
    measured: float,
    burn_in: int,
    first: int = 0,
) -> MeasuredPlot:
    """values[t] drawn up to the tracker from step ``first``, with dashed predictions and a legend on the right."""
    steps = len(values) - 1
    shown = values[first:]
    y_max = nice_ceiling(1.1 * max(float(shown.max()), measured, *(ref.value for ref in references)))
    axes = series_plot(values, tracker, color, y_label, width=PLOT_WIDTH, height=PLOT_HEIGHT, y_max=y_max)[0]
    relabel_y(axes, y_max)
    if note:
        axes.add(text(note, SMALL_SIZE, MUTED).next_to(axes.y_axis.get_top(), RIGHT, buff=0.45).shift(0.3 * UP))
    curve = WindowTrace(axes, np.column_stack([np.arange(steps + 1), values]), tracker, color, first=first,
                        dot_radius=0.04)
    curve.line.set_stroke(width=1.4)

    lines, entries = VGroup(), VGroup()
    for ref in references:
        lines.add(DashedLine(axes.c2p(0, ref.value), axes.c2p(steps, ref.value), color=ref.color, stroke_width=2.5,
                             dash_length=0.08))
        swatch = DashedLine(LEFT * 0.15, RIGHT * 0.15, color=ref.color, stroke_width=2.5, dash_length=0.08)
        entries.add(legend_entry(swatch, ref.label.format(value=number(ref.value))))
    mean_line = Line(axes.c2p(burn_in, measured), axes.c2p(steps, measured), color=color, stroke_width=5)
    mean_swatch = Line(LEFT * 0.15, RIGHT * 0.15, color=color, stroke_width=5)
    # i18n: legend entry, short: the measured mean of the quantity; value: a number, e.g. 0.123
    mean_entry = legend_entry(mean_swatch, _("measured {value}").format(value=number(measured)))
    entries.add(mean_entry)
    # beside the x axis's end (the note above the plot may reach further right)
    entries.arrange(DOWN, aligned_edge=LEFT, buff=0.16).next_to(axes.x_axis, RIGHT, buff=0.4).match_y(axes)
    group = VGroup(axes, lines, curve, entries, mean_line)
    return MeasuredPlot(group, VGroup(mean_line, mean_entry), entries, mean_line)


def readout_row(items: Sequence[tuple[VGroup, np.ndarray]], buff: float = 0.45) -> VGroup:
    """Readouts (from style.readout) side by side, each given room for its widest value, so none collide."""
    row, left = VGroup(), 0.0
    for item, values in items:
        label, number_mob = item
        probe = number_mob.copy().clear_updaters()
        widest = max(probe.set_value(v).width for v in (float(values.min()), float(values.max())))
        label.move_to(left * RIGHT, aligned_edge=LEFT)
        number_mob.next_to(label, RIGHT, buff=0.15)
        left += label.width + 0.15 + widest + buff
        row.add(item)
    return row


@dataclass
class RunView:
    """One run: the loss panel with its fading tail and predicted circle, readouts, norm and angle plots."""

    everything: Group
    tracker: ValueTracker
    measured: VGroup  # revealed at the end; not part of ``everything``

    def all(self) -> Group:
        return Group(self.everything, self.measured)


def settings_line(run: EquilibriumRun) -> VGroup:
    """The run's η, λ (and γ) and its noise level, from the experiment's settings."""
    setting, recipe = run.setting, run.setting.recipe
    values = {derivations.eta: recipe.lr, derivations.lam: recipe.weight_decay}
    if recipe.momentum:
        values[derivations.gamma] = recipe.momentum
    latex = r",\ ".join(f"{derivations.to_latex(symbol)} = {value:g}" for symbol, value in values.items())
    # i18n: short label beside "η = 0.1, λ = 0.01": the run's noise level; noise: a number, e.g. 1
    noise = text(_("noise {noise:g}").format(noise=setting.noise), CAPTION_SIZE, MUTED)
    return VGroup(math(latex, READOUT_SIZE), noise).arrange(RIGHT, buff=0.3)


def run_panel_with_circle(run: EquilibriumRun, heading: Msg, tracker: ValueTracker) -> tuple[Group, Axes]:
    """The loss panel with the run's fading tail, the predicted radius as a dashed circle, heading and settings.

    A noisy run is reproducible: its heading (a whole message) says which seed, in its ``{seed}``."""
    seeded = "seed" in heading.values
    if seeded != bool(run.setting.noise) or (seeded and heading.values["seed"] != run.setting.seed):
        raise ValueError(f"heading {heading.english!r}: a noisy run's, and only a noisy run's, names its seed")
    m = run.measurement
    extent = np.ceil(2.1 * float(experiments.norms(run.path).max())) / 2  # 5 % margin, to a half unit
    axes = plane_panel(extent, PANEL_SIDE, labels=False).to_edge(LEFT, buff=0.45).shift(0.3 * UP)
    panel = Group(loss_heatmap(axes, extent), axes, minimum_rays(axes, extent))
    if m.norm_predicted > 0.05 * extent:  # the predicted radius, where it is big enough to draw
        radius = m.norm_predicted * axes.x_length / (2 * extent)
        circle = DashedVMobject(Circle(radius, color=NORM_COLOR, stroke_width=2.5), num_dashes=48)
        panel.add(circle.move_to(axes.c2p(0, 0)))
        label = math(r"\|\theta_\star\|", READOUT_SIZE, NORM_COLOR)
        panel.add(label.move_to(axes.c2p(0, 0) + (radius + 0.35) * np.array([np.cos(-0.8), np.sin(-0.8), 0])))
    panel.add(WindowTrace(axes, run.path, tracker, DECAY_COLOR, TAIL_LAYERS))
    for part, direction in ((text(heading, CAPTION_SIZE, DECAY_COLOR), UP), (settings_line(run), DOWN)):
        fit_within(part, PANEL_SIDE, 1.0)
        panel.add(part.next_to(axes, direction, buff=0.12))
    return panel, axes


def run_view(run: EquilibriumRun, heading: Msg, angle_references: Sequence[Reference]) -> RunView:
    """The panel on the left; readouts and the two measured-vs-predicted plots on the right, fitted to the frame."""
    m = run.measurement
    norms = experiments.norms(run.path)
    tracker = ValueTracker(0)
    panel, axes = run_panel_with_circle(run, heading, tracker)

    steps = np.arange(run.setting.recipe.steps + 1, dtype=float)
    readouts = readout_row([
        (step_counter(tracker, run.setting.recipe.steps), steps),
        (readout(r"\|\theta_t\| =", norms, tracker, NORM_COLOR), norms),
        (readout(r"\eta_{\mathrm{eff}} =", run.effective_lr, tracker, TEXT_COLOR), run.effective_lr),
    ])
    norm_plot = measured_plot(
        norms, tracker, NORM_COLOR, r"\|\theta_t\|", None, [Reference(PREDICTED, m.norm_predicted)], m.norm,
        run.burn_in,
    )
    # i18n: plot title, short: the root mean square of the angle turned per step; window: a number of steps
    window_note = _("RMS of the last {window} steps").format(window=experiments.ANGLE_WINDOW)
    angle_plot = measured_plot(
        run.angular_rms(), tracker, DECAY_COLOR, r"\Delta\varphi", window_note,
        angle_references, m.angular_step_rms, run.burn_in, first=experiments.ANGLE_WINDOW,
    )
    # i18n: a two-line note under the plots ("\n" breaks the line): the measured means are taken after step
    # burn_in; grad_sq: the run's mean squared gradient size G² (a number)
    note = text(_("measured: after step {burn_in}\npredictions use this run's G² = {grad_sq}").format(
                    burn_in=run.burn_in, grad_sq=number(m.grad_sq)
                ), SMALL_SIZE, MUTED)
    column = VGroup(readouts, norm_plot.group, angle_plot.group, note).arrange(DOWN, aligned_edge=LEFT, buff=0.32)
    # line up the two plots' y axes and their legends (their y numbers differ in width)
    axis_x = max(plot.group[0].y_axis.get_x() for plot in (norm_plot, angle_plot))
    for plot in (norm_plot, angle_plot):
        plot.group.shift((axis_x - plot.group[0].y_axis.get_x()) * RIGHT)
    legend_x = max(plot.entries.get_left()[0] for plot in (norm_plot, angle_plot))
    for plot in (norm_plot, angle_plot):
        plot.entries.shift((legend_x - plot.entries.get_left()[0]) * RIGHT)
    left = axes.get_right()[0] + 0.45
    fit_within(column, config.frame_width / 2 - 0.3 - left, config.frame_height - 1.2)
    column.next_to(axes, RIGHT, buff=0.45).align_to(panel, UP)
    measured = VGroup(norm_plot.detach_measured(), angle_plot.detach_measured())
    return RunView(Group(panel, column), tracker, measured)


class EffectiveLR(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        plain = derivations.equilibrium()
        self.write_derivation(plain, EFFECTIVE_LR_SCREEN, SCREEN_HOLD, buff=ROW_BUFF)
        self.write_derivation(plain, EQUILIBRIUM_SCREEN, SCREEN_HOLD, buff=ROW_BUFF)
        self.noisy_run()
        self.momentum_run()
        self.stuck_run()
        self.clear_caption()

    def show_run(
        self, view: RunView, stages: Sequence[tuple[str | Msg | Said, int, float]], result: str | Msg | Said
    ) -> None:
        """Run the view's tracker through ``stages`` (caption, up to step, seconds), then reveal the measured means.

        A caption may be a Said: its ``caption`` is shown, its ``say`` spoken."""
        for caption, step, seconds in stages:
            line = caption if isinstance(caption, Said) else Said(caption, caption)
            self.caption(line.caption, view.tracker.animate(rate_func=linear).set_value(step), run_time=seconds,
                         say=line.say)
        line = result if isinstance(result, Said) else Said(result, result)
        self.caption(line.caption, Create(view.measured), run_time=1.2, say=line.say)

    def noisy_run(self) -> None:
        run = experiments.equilibrium_run(experiments.EQUILIBRIUM_NOISY)
        m = run.measurement
        # i18n: panel heading: a run of stochastic gradient descent (SGD) with weight decay; seed: the random seed
        heading = _("SGD + weight decay, seed {seed}").format(seed=run.setting.seed)
        view = run_view(run, heading, [Reference(PREDICTED, m.angular_step_predicted)])
        with self.highlight():
            # i18n: kicks: random pushes of the weights, like the noise of mini-batches; seeded: reproducible
            self.caption(_("A noisy run: random, mini-batch-like kicks (seeded)."), FadeIn(view.everything),
                         run_time=1.0, say=_("Now a noisy run: random kicks, like mini-batches."))
            self.show_run(
                view,
                [
                    (Said(_("Kicks push the norm out, weight decay pulls it in."),
                          _("Watch the norm: the kicks push it out, and weight decay pulls it back in.")), 300, 4.0),
                    # i18n: both: the norm and the angle turned per step, on the two plots
                    (_("Fast forward: both hover at the dashed predictions."), run.setting.recipe.steps, 2.6),
                ],
                Said(
                    # i18n: burn_in: a step number; norm, turn: measured means (numbers), each followed by its
                    # prediction (norm_predicted, turn_predicted); turn: the angle turned per step
                    _("After step {burn_in}: norm {norm} vs {norm_predicted}, "
                      "turn {turn} vs {turn_predicted}.").format(
                        burn_in=run.burn_in, norm=number(m.norm), norm_predicted=number(m.norm_predicted),
                        turn=number(m.angular_step_rms), turn_predicted=number(m.angular_step_predicted),
                    ),
                    # i18n: spoken; percent: a whole number
                    _("Measured means, the solid lines, match both predictions within {percent} percent.").format(
                        percent=percent_off(m.norm, m.norm_predicted, m.angular_step_rms, m.angular_step_predicted)
                    ),
                ),
            )
        self.play(FadeOut(view.all()), run_time=0.6)

    def momentum_run(self) -> None:
        run = experiments.equilibrium_run(experiments.EQUILIBRIUM_MOMENTUM)
        recipe = run.setting.recipe
        m = run.measurement
        # i18n: legend entry, short: the prediction of the formula without momentum; value: a number, e.g. 0.123
        no_momentum = Reference(_("no momentum {value}"), m.angular_step_plain, MUTED)
        refs = [Reference(PREDICTED, m.angular_step_predicted), no_momentum]
        # i18n: panel heading: a run of stochastic gradient descent (SGD) with momentum; seed: the random seed
        heading = _("SGD with momentum, seed {seed}").format(seed=run.setting.seed)
        view = run_view(run, heading, refs)
        off = m.angular_step_plain / m.angular_step_rms - 1
        self.play(FadeIn(view.everything), run_time=0.8)
        self.show_run(
            view,
            [(Said(
                # i18n: momentum: the momentum coefficient γ (a number, e.g. 0.9)
                _("With momentum {momentum:g}, the momentum formula holds.").format(momentum=recipe.momentum),
                # i18n: spoken; momentum: the momentum coefficient γ (a number, e.g. 0.9)
                _("Now with momentum {momentum:g}: the run settles where the formula with momentum predicts.").format(
                    momentum=recipe.momentum
                ),
            ), recipe.steps, 4.0)],
            Said(
                # i18n: turn: the measured angle turned per step (a number); overshoot: a percentage, e.g. 12%
                _("Turn {turn}: the formula without momentum is {overshoot:.0%} too high.").format(
                    turn=number(m.angular_step_rms), overshoot=off
                ),
                # i18n: spoken; percent: a whole number
                _("The formula without momentum, the gray dashed line, is {percent:.0f} percent too high.").format(
                    percent=100 * off
                ),
            ),
        )
        self.play(FadeOut(view.all()), run_time=0.6)

    def stuck_run(self) -> None:
        run = experiments.equilibrium_run(experiments.EQUILIBRIUM_STUCK)
        m = run.measurement
        # i18n: panel heading: a run of plain gradient descent (GD, no noise) with weight decay
        view = run_view(run, _("GD + weight decay"), [Reference(PREDICTED, m.angular_step_predicted)])
        self.play(FadeIn(view.everything), run_time=0.8)
        self.show_run(
            view,
            # i18n: it: the prediction; GD: gradient descent
            [(Said(_("Where it fails: no noise, GD stuck in a minimum."),
                   _("Where it fails: without noise, gradient descent gets stuck in a minimum.")),
              run.setting.recipe.steps, 3.0)],
            Said(
                # i18n: grad_sq: the run's mean squared gradient size G², nearly 0 (e.g. 3 × 10⁻⁹)
                _("Gradient gone (G² = {grad_sq}): no balance, the norm just decays.").format(
                    grad_sq=number(m.grad_sq)
                ),
                # i18n: spoken; the last question leads to the next chapter (a real network)
                _("With no gradient left, the norm just decays. Does all this hold on a real network?"),
            ),
        )
        self.wait(0.5)
