"""Chapter: no weight decay, exponentially growing learning rate: the norm explodes and θ̃ flies off the chart."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, FadeIn, FadeOut, VGroup, linear

from mathcore import derivations, experiments
from scenes.style import (
    EMPHASIS_SIZE,
    EXP_COLOR,
    MUTED,
    NORM_COLOR,
    PANEL_EXTENT,
    SMALL_SIZE,
    ChapterScene,
    Series,
    formula_card,
    run_panel,
    start_label,
    step_named,
    text,
)


class ExponentialLR(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        runs = experiments.comparison()
        path = runs.exploded
        steps = len(path) - 1
        norms = experiments.norms(path)
        # η̃_t for every shown step t = 0..steps (the run itself used t = 0..steps−1).
        rates = runs.recipe.with_steps(steps + 1).exp_lr_schedule
        growth = rates[1] / rates[0]
        percent = 100 * (growth - 1)
        # The first step at which θ̃ is outside the panel (and stays outside).
        inside = np.max(np.abs(path), axis=1) <= PANEL_EXTENT
        leaves = int(np.flatnonzero(inside)[-1]) + 1

        panel = run_panel(
            path,
            EXP_COLOR,
            PANEL_EXTENT,
            readouts=[
                Series(r"\tilde\eta_t =", rates, EXP_COLOR, 3),
                Series(r"\|\tilde\theta_t\| =", norms, NORM_COLOR, 2),
            ],
            plot=Series(r"\log_{10}\|\tilde\theta_t\|", np.log10(norms), NORM_COLOR),
            plot_size=(4.6, 1.5),
            clip=True,
        )
        tracker, trace = panel.tracker, panel.trace
        self.play(*panel.backdrop_animations(), run_time=1.5)

        card = formula_card(
            step_named(derivations.theorem_2_1(), "exp_lr_schedule"),
            "the learning rate at step t",
            size=EMPHASIS_SIZE,
        )
        recipe = runs.recipe
        setting = text(f"η = {recipe.lr:g}, λ = {recipe.weight_decay:g}: ×{growth:.3f} per step", SMALL_SIZE, MUTED)
        panel.column(VGroup(card, setting).arrange(DOWN, aligned_edge=LEFT, buff=0.2))
        start = start_label(r"\tilde\theta_0", trace.dot, EXP_COLOR)
        self.caption(
            f"No weight decay now. Instead the learning rate grows ×{growth:.3f} every step.",
            FadeIn(card),
            FadeIn(setting),
            FadeIn(trace),
            FadeIn(start),
            say=f"No weight decay now. Instead, the learning rate grows by about {percent:.0f} percent every step.",
            run_time=1.5,
        )
        self.play(FadeIn(panel.readouts), FadeIn(panel.plot), run_time=0.8)
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                "Same start as before; the steps keep getting bigger ...",
                FadeOut(start),
                tracker.animate(rate_func=linear).set_value(leaves - 8),
                say="Same start as before. Now watch the steps: each one is longer than the last.",
                run_time=5.0,
            )
            self.caption(
                "... nothing pulls the norm back, so θ̃ flies off the chart.",
                tracker.animate(rate_func=linear).set_value(leaves + 10),
                say="Nothing pulls the weights back, so the run flies off the chart.",
                run_time=3.5,
            )
        self.caption(
            f"‖θ̃‖ grows exponentially ({norms[steps]:.0f} by step {steps}); the edge arrow shows its direction.",
            tracker.animate(rate_func=linear).set_value(steps),
            say=f"Its length grows exponentially, to {norms[steps]:.0f} by step {steps}. "
            "The edge arrow shows its direction.",
            run_time=5.0,
        )
        self.caption(
            "Does its angle follow the weight-decay run's? The next chapter checks.",
            say="Does its direction still turn like the weight-decay run's did? The next chapter checks.",
        )
        self.wait(0.5)
        self.clear_caption()
