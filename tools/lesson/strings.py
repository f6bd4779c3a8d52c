"""Every string a reader of the lesson page sees, as messages of the video's catalogue (scenes.i18n): the page is
translated as the video is (``make translations``), with the same glossary. The template holds no prose."""

from __future__ import annotations

from scenes.i18n import _

#: The page's words, by the name the template and the scripts use.
PAGE = {
    "title": _("Scale invariance and exponentially growing learning rates"),
    # i18n: the lesson page's subtitle, under its title.
    "subtitle": _("A lesson in one page: the video, its transcript, the derivations and an explorable."),
    "lede": _(
        "Batch normalisation makes a network's loss scale invariant: multiplying the weights by a positive "
        "constant changes nothing. Li & Arora showed that then gradient descent with a constant learning rate and "
        "weight decay is exactly gradient descent without weight decay and with an exponentially growing learning "
        "rate. Watch it, read it, check the derivations, and try it yourself."
    ),
    # i18n: the page's navigation: short names of its sections.
    "nav_video": _("Video"),
    "nav_transcript": _("Transcript"),
    "nav_explore": _("Explore"),
    "nav_derivations": _("Derivations"),
    "nav_downloads": _("Downloads"),
    "video_heading": _("The video"),
    "chapters_heading": _("Chapters"),
    # i18n: a note under the video player; the buttons beside it switch the subtitles.
    "video_note": _("Subtitles in English and Chinese: choose them here or in the player's menu."),
    # i18n: the label of the buttons that switch the video's subtitles (a language's own name, or off).
    "subtitles_label": _("Subtitles"),
    "subtitles_off": _("off"),
    # i18n: what screen readers call the page's navigation bar.
    "nav_label": _("Sections of this page"),
    "transcript_heading": _("Transcript"),
    "transcript_note": _("Every spoken line, as it is spoken: the current one is highlighted, and clicking a line "
                         "plays the video from there."),
    "search_label": _("Search the transcript"),
    # i18n: how many transcript lines match the search; {shown} and {total} are counts.
    "search_count": _("{shown} of {total} lines"),
    # i18n: shown when no transcript line matches; {query} is what the reader typed.
    "search_none": _("No line matches “{query}”."),
    "explore_heading": _("Explore: two runs that are one"),
    "explore_note": _(
        "Move a slider: both runs are computed again in your browser, step by step, as the video's code computes "
        "them. In orange, a constant learning rate with weight decay; in green, its twin without weight decay and "
        "with an exponentially growing learning rate, in a view that zooms out as the run grows. Theorem 2.1 says "
        "the green run, shrunk by the scale αᵗ, is the orange one; the gap below shows how closely float64 keeps to "
        "that."
    ),
    # i18n: slider labels; the symbols after the words are the video's (η, λ, γ).
    "slider_lr": _("learning rate η"),
    "slider_weight_decay": _("weight decay λ"),
    "slider_momentum": _("momentum γ"),
    "slider_steps": _("steps"),
    # i18n: the direction of the weights at step 0, in degrees.
    "slider_angle": _("start angle θ₀ (degrees)"),
    "slider_step": _("show step t"),
    "play": _("Play"),
    "pause": _("Pause"),
    "reset": _("The video's settings"),
    "panel_decayed": _("constant learning rate + weight decay: θₜ"),
    "panel_exploded": _("exponential learning rate, no weight decay: θ̃ₜ (zooming view)"),
    # i18n: the extent of the zooming view: the picture spans −{extent} to +{extent} on both axes.
    "view_extent": _("view: ±{extent}"),
    "plot_angle": _("polar angle of each run (degrees) at every step"),
    "plot_gap": _("relative gap ‖θₜ − αᵗθ̃ₜ‖ / ‖θₜ‖ (log scale)"),
    "legend_decayed": _("weight decay run θₜ"),
    "legend_rescaled": _("exponential-LR run, rescaled: αᵗθ̃ₜ"),
    "readout_alpha": _("α (the scale per step)"),
    # i18n: how many times larger the twin's learning rate is at the last step than at the first.
    "readout_growth": _("learning rate η̃, last step ÷ first"),
    "readout_gap": _("largest relative gap"),
    # i18n: the step the pictures show; {step} is its number.
    "readout_step": _("step {step}"),
    # i18n: refusals of the explorable; ηλ is learning rate times weight decay, {product} and {limit} are numbers.
    "refused_lr_weight_decay": _(
        "No exponential-LR twin: Theorem 2.1 needs ηλ < 1, and here ηλ = {product}. The scale (1 − ηλ)ᵗ would not "
        "stay positive."
    ),
    "refused_no_real_alpha": _(
        "No exponential-LR twin: with momentum γ the scale αᵗ needs a real α, that is ηλ ≤ (1 − √γ)² = {limit}, "
        "and here ηλ = {product}. Lower the weight decay or the momentum."
    ),
    # i18n: {step} is a step number; float64 is the number type and stays as it is.
    "refused_overflow": _(
        "The twin's learning rate η̃ₜ = η·α^(−2t−1) overflows float64 at step {step}: take fewer steps or less "
        "weight decay."
    ),
    "refused_other": _("These settings cannot be run."),
    "derivations_heading": _("The derivations"),
    "derivations_note": _(
        "Each step below is the one sympy derived in the project's code, written out by sympy itself; nothing was "
        "typed in and then checked. Beside each derivation, the chapter of the video that animates it."
    ),
    "lemma_heading": _("Lemma 1: gradients of a scale-invariant loss"),
    "theorem_heading": _("Theorem 2.1: weight decay is an exponentially growing learning rate"),
    "momentum_heading": _("With momentum: the momentum theorem"),
    # i18n: under a chapter's clip; {number} and {title} are the chapter's (the title may hold a colon itself).
    "clip_caption": _("Chapter {number} · {title}"),
    # i18n: instead of a clip that has not been built; {command} is a shell command, shown as code.
    "clip_missing": _("This chapter's clip is not built yet: run {command}."),
    "downloads_heading": _("Downloads"),
    "downloads_note": _("For lecturers: every chapter as a clip of its own, the slides, and the subtitles."),
    "download_clips": _("Chapter clips (MP4, narrated, with English and Chinese subtitles)"),
    "download_slides": _("Slides in English, with a pause before every caption"),
    "download_slides_zh": _("Slides in Chinese"),
    "download_subtitles": _("Subtitles of the whole video"),
    "download_chapter_lists": _("Chapter lists, as video sites read them"),
    # i18n: instead of a download that has not been built; {command} is a shell command, shown as code.
    "download_missing": _("Not built yet: run {command}."),
    "footer_made": _(
        "Made from the same code as the video: every formula derived by sympy, every number computed by numpy, "
        "the explorable checked against the same numbers."
    ),
    "footer_credit": _("After Li & Arora (arXiv:1910.07454, ICLR 2020) and Ferenc Huszár's inFERENCe post (2019)."),
}

#: Each shown derivation step's caption, by derivation and step key (the steps themselves: mathcore.derivations).
STEPS = {
    "lemma_1": {
        "scale_invariance": _("Scale invariance: for every c > 0 the loss is unchanged."),
        "differentiate_c": _("Differentiate both sides in c (chain rule)."),
        "orthogonality": _("Set c = 1: the gradient is orthogonal to θ."),
        "differentiate_coordinate": _("Differentiate the same identity in x instead."),
        "gradient_at_c_theta": _("Solve for the gradient at cθ."),
        "gradient_scaling": _("Every component alike: the gradient scales like 1/c."),
        "differentiate_twice": _("Differentiate once more, in x and y."),
        "hessian_scaling": _("The Hessian scales like 1/c²."),
        "concrete_loss": _("A concrete scale-invariant loss, to check the lemma on."),
        "check_orthogonality": _("Check: its gradient is orthogonal to θ."),
        "check_scaling": _("Check: its gradient and Hessian scale as the lemma says."),
    },
    "theorem_2_1": {
        "wd_step": _("Run 1: gradient descent with weight decay."),
        "exp_lr_step": _("Run 2: no weight decay, a learning rate η̃ₜ that changes with t."),
        "induction_hypothesis": _("Guess that run 1 is run 2 scaled by sₜ; Lemma 1 then scales the gradient."),
        "wd_step_rewritten": _("Run 1's step, in run 2's terms."),
        "exp_lr_step_scaled": _("Run 2's step, multiplied by the next scale sₜ₊₁."),
        "match_coefficients": _("The two steps agree when their coefficients match."),
        "scale": _("Both runs start at the same point: solve the recurrence for sₜ."),
        "condition": _("The scale stays positive only if ηλ < 1."),
        "exp_lr_schedule": _("So the learning rate that replaces weight decay grows exponentially."),
    },
    "momentum_theorem": {
        "wd_step": _("Gradient descent with momentum and weight decay."),
        "wd_recurrence": _("Eliminate the momentum buffer."),
        "exp_lr_step": _("Momentum, no weight decay, a changing learning rate η̃ₜ."),
        "exp_lr_recurrence": _("Eliminate its buffer too."),
        "lr_from_scale": _("Put θₜ = sₜθ̃ₜ and match the gradient terms."),
        "previous_terms_vanish": _("The terms in θ̃ₜ₋₁ then agree by themselves."),
        "scale_recurrence": _("The terms in θ̃ₜ give a recurrence for the scale."),
        "characteristic": _("A geometric scale αᵗ: α solves a quadratic."),
        "discriminant": _("A real α needs a discriminant that is not negative."),
        "real_alpha_condition": _("So the weight decay must be small enough."),
        "exp_lr_schedule": _("The equivalent exponentially growing learning rate."),
        "velocity0": _("The buffers must match at the start too."),
        "gamma_zero": _("Without momentum this is Theorem 2.1 again."),
    },
}
