"""Chapter: GD with weight decay. Shrinking ‖θ‖ enlarges the gradient, which kicks θ out of the narrow valley."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    BackgroundRectangle,
    Circle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    VGroup,
    config,
    linear,
)

from mathcore import derivations, experiments
from scenes.i18n import Msg, _
from scenes.style import (
    BACKGROUND,
    DECAY_COLOR,
    EMPHASIS_SIZE,
    GRAD_COLOR,
    MUTED,
    NORM_COLOR,
    PANEL_EXTENT,
    SMALL_SIZE,
    SYMBOL_SIZE,
    TEXT_COLOR,
    VANILLA_COLOR,
    ChapterScene,
    TrajectoryTrace,
    formula_card,
    in_basin,
    legend,
    math,
    run_panel,
    start_label,
    step_named,
    text,
    valley_basin,
)

#: Length (scene units) of the gradient step in the close-up of one step.
CLOSEUP_LENGTH = 1.8
#: Opacity of the plain-GD run shown for contrast.
FAINT = 0.35


def labelled(content: str | Msg, color: str) -> VGroup:
    """A small label on a dark backdrop, readable over the heat-map."""
    label = text(content, SMALL_SIZE, color)
    return VGroup(BackgroundRectangle(label, color=BACKGROUND, fill_opacity=0.75, buff=0.06), label)


def display_magnification(ratio: float) -> int:
    """The 1-2-5 magnification closest to ``ratio`` (so a tiny arrow can be drawn comparable to a big one)."""
    options = np.array([m * 10**k for k in range(3) for m in (1, 2, 5)])
    return int(options[np.argmin(np.abs(np.log(options / ratio)))])


def step_closeup(gradient_step: np.ndarray, shrink: np.ndarray, unit: float) -> VGroup:
    """One weight-decay step, enlarged: the gradient step and the (further enlarged) pull to 0.

    ``unit`` is the panel's scene units per data unit; the close-up keeps the panel's directions.
    """
    scale = max(1, round(CLOSEUP_LENGTH / (unit * np.linalg.norm(gradient_step))))
    extra = display_magnification(np.linalg.norm(gradient_step) / np.linalg.norm(shrink))
    here = np.zeros(3)
    dot = Dot(here, radius=0.08, color=DECAY_COLOR)
    name = math(r"\theta_t", SYMBOL_SIZE, DECAY_COLOR)
    arrows, labels = VGroup(), VGroup()
    # i18n: a label at the tip of an arrow; magnification = how much longer the arrow is drawn (1, 2, 5, 10, ...).
    pull = _("pull to 0, drawn\n{magnification}× longer than it is").format(magnification=extra)
    for vector, factor, color, words in (
        # i18n: a label at the tip of an arrow; "\n" breaks it into lines (keep it as narrow).
        (gradient_step, scale, GRAD_COLOR, _("gradient\nstep")),
        (shrink, scale * extra, NORM_COLOR, pull),
    ):
        end = here + factor * unit * np.append(vector, 0.0)
        arrow = Arrow(here, end, buff=0, color=color, stroke_width=7, max_tip_length_to_length_ratio=0.2)
        arrows.add(arrow)
        # Each label sits beyond its arrow's tip, in the arrow's direction, clear of the other arrow.
        labels.add(text(words, SMALL_SIZE, color).next_to(end, arrow.get_unit_vector(), buff=0.12))
    # The name goes opposite the mean arrow direction, away from both arrows.
    away = -(arrows[0].get_unit_vector() + arrows[1].get_unit_vector())
    name.next_to(dot, away / np.linalg.norm(away), buff=0.12)
    # i18n: magnification = how many times larger the close-up of one step is drawn than the panel.
    heading = text(_("one step, close up ({magnification}× larger)").format(magnification=scale), SMALL_SIZE, MUTED)
    body = VGroup(arrows, dot, name, labels)
    heading.next_to(body, UP, buff=0.3, aligned_edge=LEFT)
    return VGroup(heading, body)


class WeightDecay(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        runs = experiments.comparison()
        path = runs.decayed
        steps = len(path) - 1
        lr, decay = runs.recipe.lr, runs.recipe.weight_decay
        loss = experiments.loss()

        # The step where θ leaves the shallow valley's basin for good, and the first step after it
        # that is lower than the shallow valley's floor ever goes (it has reached the deep valley).
        shallow = loss.minima()[-1]  # minima() is sorted deepest first
        inside = in_basin(path, valley_basin(-1))
        exit_step = int(np.flatnonzero(inside)[-1]) + 1
        floor = float(loss.profile(np.array([shallow]))[0])
        values = loss.value(path)
        arrival = exit_step + int(np.flatnonzero(values[exit_step:] < floor)[0])

        panel = run_panel(path, DECAY_COLOR, PANEL_EXTENT, plot_size=(4.6, 1.6))
        axes, tracker, trace = panel.axes, panel.tracker, panel.trace
        # Plain GD from the same start, driven by the same step tracker, faint: it stays stuck.
        plain = experiments.vanilla(experiments.VANILLA.with_steps(steps))
        vanilla = TrajectoryTrace(axes, plain, tracker, VANILLA_COLOR)
        vanilla.line.set_stroke(opacity=FAINT)
        vanilla.dot.set_opacity(FAINT)
        self.play(*panel.backdrop_animations(), run_time=1.5)

        card = formula_card(
            step_named(derivations.theorem_2_1(), "wd_step"),
            _("the update, with weight decay"),
            size=EMPHASIS_SIZE,
        )
        key = legend(
            [
                (DECAY_COLOR, _("with weight decay")),
                # i18n: the plain gradient-descent run of the last chapter, drawn faint.
                (VANILLA_COLOR, _("plain GD (last chapter), faint")),
            ]
        )
        panel.column(card, key)
        start = start_label(r"\theta_0", trace.dot, DECAY_COLOR)
        self.caption(
            # i18n: lr = the learning rate η; weight_decay = the weight-decay coefficient λ.
            _("Same start, same η = {lr:g}, now with weight decay λ = {weight_decay:g}.").format(
                lr=lr, weight_decay=decay
            ),
            FadeIn(trace),
            FadeIn(start),
            FadeIn(key),
            # i18n: weight_decay = the weight-decay coefficient λ.
            say=_(
                "Same start and learning rate, now with weight decay of {weight_decay:g}. "
                "Plain descent stays, in faint blue."
            ).format(weight_decay=decay),
        )

        # Go to the biggest step inside the narrow valley and split it into its two parts.
        lengths = np.linalg.norm(np.diff(path[:exit_step], axis=0), axis=1)
        k = int(np.argmax(lengths))
        shrink = -lr * decay * path[k]
        gradient_step = -lr * loss.grad(path[k])
        assert np.allclose(path[k] + shrink + gradient_step, path[k + 1]), "update convention mismatch"
        self.caption(
            # i18n: shrink_factor = the value of 1 − ηλ, e.g. 0.999.
            _("Each step shrinks θ by the factor 1 − ηλ = {shrink_factor:g}, then follows −∇L.").format(
                shrink_factor=1 - lr * decay
            ),
            FadeIn(card),
            FadeOut(start),
            tracker.animate(rate_func=linear).set_value(k),
            # i18n: shrink_percent = how much each step shrinks θ, in percent (100 ηλ).
            say=_(
                "Each step first shrinks theta by {shrink_percent:.3g} percent, then takes the usual gradient step."
            ).format(shrink_percent=100 * lr * decay),
            run_time=2.5,
        )
        closeup = step_closeup(gradient_step, shrink, axes.x_axis.unit_size)
        closeup.next_to(key, DOWN, buff=0.5, aligned_edge=LEFT)
        closeup.shift(min(0.0, config.frame_width / 2 - 0.4 - closeup.get_right()[0]) * RIGHT)  # keep it in frame
        marker = Circle(radius=0.22, color=TEXT_COLOR, stroke_width=3).move_to(axes.c2p(*path[k]))
        self.caption(
            _("Weight decay's pull towards the origin: small per step, but steady."),
            Create(marker),
            FadeIn(closeup),
            say=_("Close up: the yellow pull to the origin is small next to the gradient step, but steady."),
            run_time=1.2,
        )
        self.play(FadeOut(closeup), FadeOut(marker), run_time=0.5)

        # The run: shrinking norm, stronger gradient, the kick, the deep valley.
        self.play(FadeIn(vanilla), FadeIn(panel.readouts), FadeIn(panel.plot), run_time=0.8)
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                # i18n: the next caption ("... until a big step kicks θ out ...") continues this sentence.
                _("In the narrow valley the norm shrinks, so the gradient (∝ 1/‖θ‖) grows ..."),
                tracker.animate(rate_func=linear).set_value(exit_step - 1),
                # i18n: the next spoken line ("... until one big step kicks theta out ...") continues this sentence.
                say=_(
                    "In the narrow valley the norm shrinks, "
                    "so the gradient, which scales as one over the norm, grows ..."
                ),
                run_time=4.0,
            )
            # i18n: a label on the panel; step = the step at which θ leaves the narrow valley.
            kick = labelled(_("kicked out at t = {step}").format(step=exit_step), DECAY_COLOR)
            kick.next_to(axes.c2p(*path[exit_step]), UP, buff=0.25)
            self.caption(
                # i18n: continues the previous caption ("In the narrow valley ... grows ..."); step = a step number.
                _("... until a big step kicks θ out of the narrow valley, at t = {step}.").format(step=exit_step),
                tracker.animate(rate_func=linear).set_value(exit_step),
                FadeIn(kick),
                # i18n: continues the previous spoken line; step = a step number.
                say=_("... until one big step kicks theta out of the narrow valley, at step {step}.").format(
                    step=exit_step
                ),
                run_time=1.5,
            )
            self.caption(
                _("It slides down into the wide, deep valley that plain GD never reaches."),
                tracker.animate(rate_func=linear).set_value(arrival),
                say=_("It slides down into the wide, deep valley, which plain gradient descent never reaches."),
                run_time=3.0,
            )
        self.play(FadeOut(kick), run_time=0.4)
        self.caption(
            _("Weight decay acts like a learning-rate schedule: smaller norm, bigger effective steps."),
            tracker.animate(rate_func=linear).set_value(steps),
            say=_(
                "So weight decay acts as a learning rate schedule: smaller norm, bigger steps. "
                "Can a growing rate replace it?"
            ),
            run_time=5.0,
        )
        self.wait(1.0)
        self.clear_caption()
