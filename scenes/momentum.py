"""Chapter: the momentum theorem derived on screen, the zoomed side by side with momentum, and why ṽ_0 matters."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    ValueTracker,
    VGroup,
    VMobject,
    config,
    linear,
)

from mathcore import derivations, experiments
from mathcore.trajectories import exp_lr_gd
from scenes.i18n import _
from scenes.style import (
    EXP_COLOR,
    FORMULA_HOLD,
    MUTED,
    READOUT_SIZE,
    SMALL_SIZE,
    ChapterScene,
    Screen,
    SideBySideZoom,
    derivation_rows,
    fit_within,
    labelled_row,
    math,
    sci_latex,
    screen_beats,
    screen_entries,
    text,
)
from scenes.style.narration import Said

#: Half-width of both panels at step 0 (with momentum the weight-decay run reaches θ_1 ≈ 2.8).
EXTENT = 3.0
ROW_BUFF = 0.5
#: Space between ṽ_0 and the words after it (about LaTeX's word space at READOUT_SIZE).
AS_DERIVED_BUFF = 0.12

# Screens of beats: (caption at the bottom, [(caption of the step in mathcore.derivations, label beside it)]).
FIRST_SCREEN: Screen = (
    (
        Said(
            _("With momentum (PyTorch's rule), then without the buffer."),
            _("Now add momentum, the way PyTorch does it, then write the step without the buffer."),
        ),
        (
            # i18n: a short label beside a formula; "\n" breaks it into lines (keep it as short).
            ("wd_step", _("momentum,\nweight decay")),
            # i18n: a short label beside a formula: the momentum buffer has been eliminated from the update.
            ("wd_recurrence", _("buffer\neliminated")),
        ),
    ),
    (
        Said(
            _("Match a run without weight decay: a recurrence for the scale."),
            _("Match it to a run without weight decay, and the scale must obey a recurrence."),
        ),
        # i18n: a short label beside a formula (the recurrence the scale obeys); "\n" breaks it into lines.
        (("scale_recurrence", _("match the runs:\nthe scale")),),
    ),
    (
        Said(
            _("A geometric scale works if α solves a quadratic."),
            _("A geometric scale works if its ratio, call it alpha, solves a quadratic."),
        ),
        # i18n: a short label beside a formula (a scale that grows geometrically, s_t = α^t); "\n" breaks lines.
        (("characteristic", _("geometric\nscale")),),
    ),
)
SECOND_SCREEN: Screen = (
    (
        Said(
            _("α is real when weight decay is small enough."),
            _("Alpha is real when weight decay is small enough, and our numbers pass the check."),
        ),
        # i18n: a short label beside a formula: the condition for α to be a real number.
        (("real_alpha_condition", _("real α")),),
    ),
    (
        Said(
            _("Exponential learning rate; the buffer must start here, not at 0."),
            _("Again the learning rate grows exponentially, and the buffer must start here, not at zero."),
        ),
        (
            # i18n: a short label beside a formula: the learning-rate schedule.
            ("exp_lr_schedule", _("the schedule")),
            # i18n: a short label beside a formula: the momentum buffers' values at step 0; "\n" breaks lines.
            ("velocity0", _("starting\nbuffers")),
        ),
    ),
    (
        _("Without momentum it is Theorem 2.1 again."),
        # i18n: a short label beside a formula: the theorem with momentum γ = 0.
        (("gamma_zero", _("no momentum")),),
    ),
)


class Momentum(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        theorem = derivations.momentum_theorem()
        comparison = experiments.comparison(experiments.MOMENTUM_TOY)
        self.derive(theorem, comparison)
        view = self.side_by_side(comparison)
        self.without_initial_buffer(comparison, view)

    def derive(self, theorem: derivations.MomentumTheorem, comparison: experiments.Comparison) -> None:
        """The theorem in two screens; the second also checks the condition with this chapter's numbers."""
        self.write_derivation(theorem, FIRST_SCREEN, FORMULA_HOLD, buff=ROW_BUFF)

        # The numbers rows go right under the condition and are written with it.
        rows = derivation_rows(theorem, screen_entries(SECOND_SCREEN), buff=ROW_BUFF)
        setting, check = self.numbers_latex(theorem, comparison)
        numbers = VGroup(
            # i18n: a very short label beside this chapter's numbers (γ, η, λ and the α they give).
            labelled_row(_("here"), setting),
            # i18n: a very short label (a noun) beside the condition checked with this chapter's numbers.
            labelled_row(_("check"), check),
        )
        numbers.arrange(DOWN, aligned_edge=LEFT, buff=ROW_BUFF).next_to(rows[0], DOWN, buff=ROW_BUFF, aligned_edge=LEFT)
        rows[1:].shift((numbers.height + ROW_BUFF) * DOWN)
        screen = VGroup(rows[0], *numbers, *rows[1:])
        fit_within(screen, config.frame_width - 1.0, config.frame_height - 1.6).move_to(0.3 * UP)
        beats = screen_beats(SECOND_SCREEN)
        beats[0] = (beats[0][0], beats[0][1] + len(numbers))
        self.write_rows(screen, beats, FORMULA_HOLD)

    @staticmethod
    def numbers_latex(theorem: derivations.MomentumTheorem, comparison: experiments.Comparison) -> tuple[str, str]:
        """(γ, η, λ of the run and the α they give; both sides of the real-α condition), from mathcore."""
        values = {
            derivations.gamma: comparison.recipe.momentum,
            derivations.eta: comparison.recipe.lr,
            derivations.lam: comparison.recipe.weight_decay,
        }
        condition = theorem.real_alpha_condition
        left, right = float(condition.lhs.subs(values)), float(condition.rhs.subs(values))
        setting = r",\ ".join(f"{derivations.to_latex(symbol)} = {value:g}" for symbol, value in values.items())
        setting += rf"\quad\Rightarrow\quad {derivations.to_latex(derivations.alpha)} = {comparison.recipe.alpha:.4f}"
        check = (
            f"{derivations.to_latex(condition.lhs)} = {left:.3g} "
            rf"\leq {derivations.to_latex(condition.rhs)} = {right:.3g}"
        )
        return setting, check

    def side_by_side(self, comparison: experiments.Comparison) -> SideBySideZoom:
        """Chapter 8's picture, with momentum: the exp-LR run seen through a view zooming out by 1/α^t."""
        steps = len(comparison.scale) - 1
        tracker = ValueTracker(0)
        view = SideBySideZoom(comparison, tracker, EXTENT)
        momentum = comparison.recipe.momentum
        self.caption(
            # i18n: momentum = the momentum coefficient γ of the runs, e.g. 0.9.
            _("With momentum {momentum:g}: the right view zooms out by 1/α per step.").format(momentum=momentum),
            FadeIn(view),
            # i18n: momentum = the momentum coefficient γ of the runs, e.g. 0.9.
            say=_(
                "Side by side, with momentum {momentum:g}: the right view zooms out by one over alpha each step."
            ).format(momentum=momentum),
            run_time=1.2,
        )
        self.caption(
            _("The runs still match: same angles, step after step."),
            tracker.animate(rate_func=linear).set_value(steps),
            say=_("Watch the angle strip below: the runs still match, the same angle at every step."),
            run_time=8.0,
        )
        return view

    def without_initial_buffer(self, comparison: experiments.Comparison, view: SideBySideZoom) -> None:
        """The exp-LR run with its buffer started at 0, rescaled: it leaves the weight-decay run."""
        start = comparison.decayed[0]
        zero_start = exp_lr_gd(experiments.loss().grad, start, comparison.recipe, velocity0=np.zeros_like(start))
        rescaled = comparison.scale[:, None] * zero_start
        gap = np.linalg.norm(comparison.decayed - rescaled, axis=1) / np.linalg.norm(comparison.decayed, axis=1)

        axes = view.left.axes
        path = VMobject(color=EXP_COLOR, stroke_width=2.5).set_points_as_corners(axes.coords_to_point(rescaled))
        wrong = DashedVMobject(path, num_dashes=50, dashed_ratio=0.6)  # dashed: not the theorem's run
        # i18n: a note beside the dashed path; "\n" breaks lines (keep about as narrow).
        note = text(_("dashed: the exp-LR run\nstarted with its buffer\nat 0, rescaled"), SMALL_SIZE, EXP_COLOR)
        note.move_to(view.readouts, aligned_edge=LEFT + UP)
        fit_within(note, config.frame_width / 2 - 0.3 - note.get_left()[0], 2.0).align_to(view.readouts, LEFT + UP)
        size = READOUT_SIZE
        derived = math(r"\tilde v_0", size)
        # Text at SMALL_SIZE is about as tall as LaTeX's text at READOUT_SIZE; it sits on the v's baseline.
        # i18n: follows the formula ṽ₀ (the starting buffer): "ṽ₀ as derived:", then the gap in that case.
        words = text(_("as derived:"), SMALL_SIZE)
        words.next_to(derived, RIGHT, buff=AS_DERIVED_BUFF).align_to(derived[0][1], DOWN)
        card = VGroup(
            text(_("largest relative gap"), SMALL_SIZE, MUTED),
            VGroup(derived, words),
            math(sci_latex(comparison.relative_gap.max()), size, EXP_COLOR),
            math(r"\tilde v_0 = 0:", size),
            math(sci_latex(gap.max()), size, EXP_COLOR),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        for number in (card[2], card[4]):
            number.shift(0.4 * RIGHT)
        card.move_to(view.readouts, aligned_edge=LEFT + UP)
        self.caption(
            _("Start the exp-LR buffer at zero instead, rescale, and it drifts off."),
            FadeOut(view.readouts),
            Create(wrong),
            FadeIn(note),
            say=_("Now start the exponential run's buffer at zero instead. Rescaled, it drifts away."),
            run_time=2.0,
        )
        self.caption(
            _("The initial buffer is part of the theorem."),
            FadeOut(note),
            FadeIn(card),
            say=_("So the starting buffer is part of the theorem. Why, then, did the blog's runs drift apart?"),
            run_time=1.0,
            hold=2.0,
        )
        self.clear_caption()
