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
VIDEO_TITLE = "Scale invariance and exponentially growing learning rates"
CARD_WIDTH, CARD_HEIGHT = 6.75, 3.05
FORMULA_SIZE = 36
#: Li & Arora's CIFAR-10 recipe (arXiv:1910.07454), recomputed from its inputs; they report ×1.481 per epoch.
PAPER_REPORTED_GROWTH = 1.481


def paper_epoch_card() -> VGroup:
    """The paper's recipe and the growth per epoch of its equivalent LR, α^(−2·steps), computed from it."""
    recipe = experiments.PAPER_EPOCH
    inputs = text(
        f"Li & Arora's CIFAR-10 recipe: lr {recipe.lr:g}, momentum {recipe.momentum:g}, "
        f"weight decay {recipe.weight_decay:g}, {recipe.steps} steps per epoch",
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
    reported = text(f"per epoch; the paper reports ×{PAPER_REPORTED_GROWTH:g}", SMALL_SIZE + 2, MUTED)
    return VGroup(inputs, growth, reported).arrange(DOWN, aligned_edge=LEFT, buff=0.25)


def practice_lines() -> tuple[str, ...]:
    """What carries over to real networks; the one claim about training is the BN network's measured accuracy."""
    accuracy = experiments.bn_pair(experiments.BN).accuracy_wd[-1]
    return (
        "Batch, layer and weight norm all make the loss scale invariant.",
        "Weight decay then acts on the effective learning rate, keeping it up.",
        f"Our batch-norm network: constant LR + weight decay reached {accuracy:.1%} accuracy.",
        "Learning-rate schedules and weight decay interact: tune them together.",
    )


def final_equality(latex: str) -> str:
    """The last statement of a derivation step ``a = b = 0`` → ``b = 0``: the result without the working."""
    parts = latex.split(" = ")
    return " = ".join(parts[-2:])


def card_content(heading: str, formulas: Sequence[str], note: str | None = None) -> VGroup:
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
        min(1.0, (CARD_WIDTH - 0.6) / content.width, (CARD_HEIGHT - 0.4) / content.height) for content, _ in entries
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
                "Lemma 1: the gradient is orthogonal\nto θ and shrinks like 1/‖θ‖",
                [
                    final_equality(step_named(lemma, "orthogonality")),
                    step_named(lemma, "gradient_scaling"),
                ],
            ), GRAD_COLOR),
            (card_content(
                "No weight decay: ‖θ‖ only grows,\nso the effective LR decays",
                [step_named(equilibrium, "effective_lr")],
                f"our plain run: ‖θ‖ went {plain[0]:.2f} → {plain[-1]:.2f}\n"
                f"in {steps} steps; its effective LR fell {drop:.1f}×",
            ), VANILLA_COLOR),
            (card_content(
                "Weight decay holds ‖θ‖ down:\nan exponential LR in disguise",
                [step_named(theorem, "exp_lr_schedule")],
                f"our weight-decay run: ‖θ‖ stayed\nbetween {decayed.min():.2f} and {decayed.max():.2f}",
            ), DECAY_COLOR),
            (card_content(
                "With momentum: the same,\nwith α from a quadratic",
                [step_named(momentum, "exp_lr_schedule")],
            ), EXP_COLOR),
        ])
        cards.arrange_in_grid(rows=2, cols=2, buff=(0.35, 0.3))
        fit_within(cards, config.frame_width - 0.6, config.frame_height - 1.3)
        cards.to_edge(UP, buff=0.3)

        said = (
            ("Lemma 1: gradients are orthogonal to θ and shrink as θ grows.",
             "To recap. Lemma 1: gradients are orthogonal to the weights, and shrink as they grow."),
            ("Without weight decay the norm grows, and the steps die out.",
             f"Without weight decay the norm only grows; our plain run's effective rate fell about {drop:.0f} fold."),
            ("Weight decay holds the norm down: an exponential learning rate in disguise.", None),
            ("With momentum it still holds; the growth rate α solves a quadratic.",
             "With momentum it still holds, with the rate taken from a quadratic."),
        )
        for card, (caption, say) in zip(cards, said):
            self.caption(caption, FadeIn(card[:2]), FadeIn(card.content.title), Write(card.content[1:]),
                         say=say, run_time=1.5, hold=2.0)
        self.wait(1.0)
        self.play(FadeOut(cards), run_time=0.5)

    def practice(self) -> None:
        """Where scale invariance matters, and the paper's recipe with its growth per epoch recomputed."""
        heading = text("Where this matters", TITLE_SIZE - 8, TEXT_COLOR)
        bullets = VGroup(*(text(f"•  {line}", LABEL_SIZE, TEXT_COLOR) for line in practice_lines()))
        bullets.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        quote = paper_epoch_card()
        reported = framed(quote, EXP_COLOR, quote.width + 0.8, quote.height + 0.5)
        page = VGroup(heading, bullets, reported).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        fit_within(page, config.frame_width - 1.0, config.frame_height - 1.4)
        page.move_to(0.35 * UP)

        self.caption("Normalised networks are scale invariant, so all of this applies.", FadeIn(heading),
                     FadeIn(bullets[:2], lag_ratio=0.4), run_time=1.5, hold=2.0)
        self.caption("Constant LR plus weight decay trained our network; schedules and decay interact.",
                     FadeIn(bullets[2:], lag_ratio=0.4),
                     say="Weight decay with a constant learning rate trained our network. Tune the two together.",
                     run_time=1.5, hold=2.0)
        growth = experiments.PAPER_EPOCH.lr_growth
        self.caption(f"For the paper's CIFAR-10 recipe: ×{growth:.3f} per epoch.",
                     FadeIn(reported),
                     say=f"For the paper's CIFAR-10 recipe, the equivalent rate grows "
                     f"about {100 * (growth - 1):.0f} percent per epoch.",
                     run_time=1.0,
                     hold=2.5)
        self.play(FadeOut(page), run_time=0.5)

    def end_card(self) -> None:
        """The video's title and its sources."""
        title = text(VIDEO_TITLE, TITLE_SIZE, TEXT_COLOR)
        fit_within(title, config.frame_width - 1.0, 2.0)
        sources = VGroup(
            text("Li & Arora, ICLR 2020 — arXiv:1910.07454", LABEL_SIZE + 2, TEXT_COLOR),
            text("after Ferenc Huszár's inFERENCe post (2019)", LABEL_SIZE, MUTED),
        ).arrange(DOWN, buff=0.25)
        card = VGroup(title, sources).arrange(DOWN, buff=0.6).move_to(0.3 * UP)
        self.caption("Thanks for watching.", FadeIn(card, shift=0.2 * UP), run_time=1.0, hold=3.0)
        self.clear_caption()
        self.wait(0.5)
