"""Chapter: recap of what scale invariance buys (four cards), where it matters in practice, and the end card."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Line,
    RoundedRectangle,
    VGroup,
    Write,
    config,
)

from mathcore import derivations, experiments
from scenes.i18n import Msg, _, localized
from scenes.style import (
    BACKGROUND,
    DECAY_COLOR,
    EXP_COLOR,
    GRAD_COLOR,
    LABEL_SIZE,
    MUTED,
    SMALL_SIZE,
    TEXT_COLOR,
    TITLE_SIZE,
    VANILLA_COLOR,
    ChapterScene,
    fit_within,
    math,
    step_named,
    text,
)

#: The whole video's title (the README's heading); shown on the end card.
# i18n: the title of the whole video, shown on its end card
VIDEO_TITLE = _("Scale invariance and exponentially growing learning rates")
CARD_WIDTH, CARD_HEIGHT = 6.75, 3.05
FORMULA_SIZE = 36
#: Li & Arora's CIFAR-10 recipe (arXiv:1910.07454), recomputed from its inputs; they report ×1.481 per epoch.
PAPER_REPORTED_GROWTH = 1.481


def paper_epoch_card() -> VGroup:
    """The paper's recipe and the growth per epoch of its equivalent LR, α^(−2·steps), computed from it."""
    recipe = experiments.PAPER_EPOCH
    inputs = text(
        # i18n: the hyperparameters of the paper's CIFAR-10 training: lr is the learning rate (e.g. 0.1), momentum
        # the momentum coefficient (0.9), weight_decay the weight-decay factor (5e-04), steps the steps per epoch
        _(
            "Li & Arora's CIFAR-10 recipe: lr {lr:g}, momentum {momentum:g}, "
            "weight decay {weight_decay:g}, {steps} steps per epoch"
        ).format(lr=recipe.lr, momentum=recipe.momentum, weight_decay=recipe.weight_decay, steps=recipe.steps),
        SMALL_SIZE + 2,
    )
    # The growth over one epoch, η̃_{t+n}/η̃_t, simplified by sympy from the derived schedule.
    schedule = derivations.momentum_theorem().schedule
    per_epoch = sp.powsimp(sp.simplify(schedule.subs(derivations.t, derivations.t + recipe.steps) / schedule))
    growth = math(
        rf"{derivations.to_latex(derivations.alpha)} = {recipe.alpha:.6f},\qquad "
        rf"\tilde\eta_{{t + {recipe.steps}}} / \tilde\eta_t = {derivations.to_latex(per_epoch)} "
        rf"= {recipe.lr_growth:.3f}",
        FORMULA_SIZE,
        EXP_COLOR,
    )
    reported = text(
        # i18n: after a formula giving the learning rate's growth factor over one epoch; growth is the paper's (1.481)
        _("per epoch; the paper reports ×{growth:g}").format(growth=PAPER_REPORTED_GROWTH), SMALL_SIZE + 2, MUTED
    )
    return VGroup(inputs, growth, reported).arrange(DOWN, aligned_edge=LEFT, buff=0.25)


def practice_lines() -> tuple[Msg, ...]:
    """What carries over to real networks; the one claim about training is the BN network's measured accuracy."""
    accuracy = experiments.bn_pair(experiments.BN).accuracy_wd[-1]
    return (
        # i18n: batch normalization, layer normalization and weight normalization
        _("Batch, layer and weight norm all make the loss scale invariant."),
        _("Weight decay then acts on the effective learning rate, keeping it up."),
        # i18n: accuracy is a fraction shown as a percentage with one decimal (e.g. "97.5%")
        _("Our batch-norm network: constant LR + weight decay reached {accuracy:.1%} accuracy.").format(
            accuracy=accuracy
        ),
        _("Learning-rate schedules and weight decay interact: tune them together."),
    )


def final_equality(latex: str) -> str:
    """The last statement of a derivation step ``a = b = 0`` → ``b = 0``: the result without the working."""
    parts = latex.split(" = ")
    return " = ".join(parts[-2:])


def card_content(heading: str | Msg, formulas: Sequence[str], note: str | Msg | None = None) -> VGroup:
    """What a recap card says: a heading, its formulas in a row, and an optional muted note."""
    title = text(heading, LABEL_SIZE, TEXT_COLOR)
    body = VGroup(*(math(latex, FORMULA_SIZE) for latex in formulas)).arrange(RIGHT, buff=0.6)
    content = VGroup(title, body)
    if note:
        content.add(text(note, SMALL_SIZE, MUTED))
    content.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
    content.title, content.body = title, body
    return content


def framed(content: VGroup, accent: str, width: float, height: float) -> VGroup:
    """``content`` on a rounded card with an accent bar in the colour of what it is about."""
    frame = RoundedRectangle(corner_radius=0.18, width=width, height=height, color=MUTED, stroke_width=2)
    frame.set_fill(BACKGROUND, 1.0)
    inset = min(0.3, 0.2 * height)
    bar = Line(frame.get_corner(UP + LEFT) + inset * DOWN, frame.get_corner(DOWN + LEFT) + inset * UP,
               color=accent, stroke_width=8).shift(0.02 * RIGHT)
    content.move_to(frame).align_to(frame, LEFT).shift(0.35 * RIGHT)
    card = VGroup(frame, bar, content)
    card.content = content
    return card


def recap_cards(entries: Sequence[tuple[VGroup, str]]) -> VGroup:
    """Equal cards for (content, accent) pairs; all contents share one scale, so the text sizes match."""
    factor = min(
        min(1.0, (CARD_WIDTH - 0.6) / content.width, (CARD_HEIGHT - 0.4) / content.height)
        for content, _accent in entries
    )
    return VGroup(*(framed(content.scale(factor), accent, CARD_WIDTH, CARD_HEIGHT) for content, accent in entries))


class Summary(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        self.recap()
        self.practice()
        self.end_card()

    def recap(self) -> None:
        """Four cards, written one by one: Lemma 1, no weight decay, weight decay, momentum."""
        lemma = derivations.lemma_1()
        theorem = derivations.theorem_2_1()
        momentum = derivations.momentum_theorem()
        equilibrium = derivations.equilibrium()
        plain = experiments.norms(experiments.vanilla())
        decayed = experiments.norms(experiments.comparison().decayed)
        steps = len(plain) - 1
        drop = (plain[-1] / plain[0]) ** 2  # the effective LR is η/‖θ‖²

        cards = recap_cards([
            (card_content(
                # i18n: heading of a recap card; \n breaks the line (keep two short lines); θ are the weights
                _("Lemma 1: the gradient is orthogonal\nto θ and shrinks like 1/‖θ‖"),
                [
                    final_equality(step_named(lemma, "orthogonality")),
                    step_named(lemma, "gradient_scaling"),
                ],
            ), GRAD_COLOR),
            (card_content(
                # i18n: heading of a recap card; \n breaks the line (keep two short lines); ‖θ‖ is the weights' norm
                _("No weight decay: ‖θ‖ only grows,\nso the effective LR decays"),
                [step_named(equilibrium, "effective_lr")],
                # i18n: note on a recap card (\n breaks the line): the weights' norm went from start to end over
                # steps steps, and the effective learning rate fell by the factor drop (e.g. 9.3×)
                _(
                    "our plain run: ‖θ‖ went {start:.2f} → {end:.2f}\n"
                    "in {steps} steps; its effective LR fell {drop:.1f}×"
                ).format(start=plain[0], end=plain[-1], steps=steps, drop=drop),
            ), VANILLA_COLOR),
            (card_content(
                # i18n: heading of a recap card; \n breaks the line (keep two short lines); ‖θ‖ is the weights' norm
                _("Weight decay holds ‖θ‖ down:\nan exponential LR in disguise"),
                [step_named(theorem, "exp_lr_schedule")],
                # i18n: note on a recap card (\n breaks the line): the weights' norm stayed between low and high
                _("our weight-decay run: ‖θ‖ stayed\nbetween {low:.2f} and {high:.2f}").format(
                    low=decayed.min(), high=decayed.max()
                ),
            ), DECAY_COLOR),
            (card_content(
                # i18n: heading of a recap card; \n breaks the line (keep two short lines); α is the growth rate
                _("With momentum: the same,\nwith α from a quadratic"),
                [step_named(momentum, "exp_lr_schedule")],
            ), EXP_COLOR),
        ])
        cards.arrange_in_grid(rows=2, cols=2, buff=(0.35, 0.3))
        fit_within(cards, config.frame_width - 0.6, config.frame_height - 1.3)
        cards.to_edge(UP, buff=0.3)

        said = (
            (_("Lemma 1: gradients are orthogonal to θ and shrink as θ grows."),
             _("To recap. Lemma 1: gradients are orthogonal to the weights, and shrink as they grow.")),
            (_("Without weight decay the norm grows, and the steps die out."),
             # i18n: spoken; drop is the factor the effective learning rate fell by, rounded (e.g. 9)
             _("Without weight decay the norm only grows; our plain run's effective rate fell about {drop:.0f} fold.")
             .format(drop=drop)),
            (_("Weight decay holds the norm down: an exponential learning rate in disguise."), None),
            (_("With momentum it still holds; the growth rate α solves a quadratic."),
             _("With momentum it still holds, with the rate taken from a quadratic.")),
        )
        for card, (caption, say) in zip(cards, said):
            self.caption(caption, FadeIn(card[:2]), FadeIn(card.content.title), Write(card.content[1:]),
                         say=say, run_time=1.5, hold=2.0)
        self.wait(1.0)
        self.play(FadeOut(cards), run_time=0.5)

    def practice(self) -> None:
        """Where scale invariance matters, and the paper's recipe with its growth per epoch recomputed."""
        # i18n: heading of a list: where scale invariance matters in practice
        heading = text(_("Where this matters"), TITLE_SIZE - 8, TEXT_COLOR)
        # The bullet is typography, not a word: each line is a whole message, put after it in the render's language.
        bullets = VGroup(*(text(f"•  {localized(line)}", LABEL_SIZE, TEXT_COLOR) for line in practice_lines()))
        bullets.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        quote = paper_epoch_card()
        reported = framed(quote, EXP_COLOR, quote.width + 0.8, quote.height + 0.5)
        page = VGroup(heading, bullets, reported).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        fit_within(page, config.frame_width - 1.0, config.frame_height - 1.4)
        page.move_to(0.35 * UP)

        self.caption(_("Normalised networks are scale invariant, so all of this applies."), FadeIn(heading),
                     FadeIn(bullets[:2], lag_ratio=0.4), run_time=1.5, hold=2.0)
        self.caption(_("Constant LR plus weight decay trained our network; schedules and decay interact."),
                     FadeIn(bullets[2:], lag_ratio=0.4),
                     say=_("Weight decay with a constant learning rate trained our network. Tune the two together."),
                     run_time=1.5, hold=2.0)
        growth = experiments.PAPER_EPOCH.lr_growth
        # i18n: growth is the factor the equivalent learning rate grows by in one epoch (e.g. 1.481)
        self.caption(_("For the paper's CIFAR-10 recipe: ×{growth:.3f} per epoch.").format(growth=growth),
                     FadeIn(reported),
                     # i18n: spoken; percent is the equivalent learning rate's growth per epoch in percent (e.g. 48)
                     say=_("For the paper's CIFAR-10 recipe, the equivalent rate grows about {percent:.0f} percent "
                           "per epoch.").format(percent=100 * (growth - 1)),
                     run_time=1.0,
                     hold=2.5)
        self.play(FadeOut(page), run_time=0.5)

    def end_card(self) -> None:
        """The video's title and its sources."""
        title = text(VIDEO_TITLE, TITLE_SIZE, TEXT_COLOR)
        fit_within(title, config.frame_width - 1.0, 2.0)
        sources = VGroup(
            text("Li & Arora, ICLR 2020 — arXiv:1910.07454", LABEL_SIZE + 2, TEXT_COLOR),
            # i18n: a source credit on the end card; Ferenc Huszár is a person, inFERENCe the name of his blog
            text(_("after Ferenc Huszár's inFERENCe post (2019)"), LABEL_SIZE, MUTED),
        ).arrange(DOWN, buff=0.25)
        card = VGroup(title, sources).arrange(DOWN, buff=0.6).move_to(0.3 * UP)
        self.caption(_("Thanks for watching."), FadeIn(card, shift=0.2 * UP), run_time=1.0, hold=3.0)
        self.clear_caption()
        self.wait(0.5)
