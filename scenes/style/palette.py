"""The video's look as plain constants (no manim): colours, fonts, font-size tiers, shared layout and timing.

Colours mean the same thing in every chapter:
  VANILLA_COLOR  plain GD (constant LR, no weight decay)
  DECAY_COLOR    constant LR + weight decay
  EXP_COLOR      exponential LR, no weight decay (and its rescaled copy)
  GRAD_COLOR     gradients
  NORM_COLOR     norms ‖θ‖ and radial things
  PRECISION_COLORS  arithmetic precision (float32, float64, 32 and 64 digits)
  CLASS_COLORS   the two classes of a classification data set (class 0, class 1)

A literal used by one chapter only stays in that chapter; the ones here recur across chapters.
"""

from __future__ import annotations

import numpy as np

from scenes.i18n import SOURCE

# --- palette ---------------------------------------------------------------
BACKGROUND = "#0f1117"
TEXT_COLOR = "#ECEFF4"
MUTED = "#8A93A6"
VANILLA_COLOR = "#5AB8F0"  # sky blue
DECAY_COLOR = "#FF9F43"  # orange
EXP_COLOR = "#4CD98A"  # green
GRAD_COLOR = "#FF5C8A"  # pink-red
NORM_COLOR = "#F5D547"  # yellow
LOSS_LOW = np.array([0x1B, 0x1F, 0x4A]) / 255  # deep indigo: low loss
LOSS_HIGH = np.array([0x9E, 0x8C, 0xE8]) / 255  # lavender: high loss
#: A gamma > 1 darkens the middle of the loss colour range so that shallow wells show too.
LOSS_GAMMA = 2.5
#: Arithmetic precision (keys as in mathcore.chaos.PRECISIONS): a violet ramp, deeper = more digits.
PRECISION_COLORS: dict[str | int, str] = {"float32": "#F7CBEA", "float64": "#D59CF6", 32: "#A97BF2", 64: "#7A62EC"}
#: The two classes of a labelled data set (class 0, class 1), e.g. the two moons: teal and magenta.
CLASS_COLORS: tuple[str, str] = ("#2AB3AE", "#D65DB1")

# --- fonts (sizes chosen to stay legible at 854x480), smallest tier first -----------
FONT = SOURCE.font  # the English font; text in another language uses its own (scenes.i18n.LANGUAGES)
SMALL_SIZE = 22  # notes, legends, muted labels
CAPTION_SIZE = SMALL_SIZE + 2  # the bottom captions, plot axis names, small tables
LABEL_SIZE = 26  # short labels (θ₀ at a run's start, card headings)
SYMBOL_SIZE = LABEL_SIZE + 2  # a symbol or a one-line check set beside a picture
BODY_SIZE = 30
READOUT_SIZE = LABEL_SIZE + 4  # live readouts ``label = value`` and the numbers beside them
KEY_SIZE = LABEL_SIZE + 6  # a key symbol placed in a picture (θ, θᵀa)
EMPHASIS_SIZE = LABEL_SIZE + 8  # a formula on a side card, or a highlighted symbol
MATH_SIZE = 40
TITLE_SIZE = 46

# --- layout shared by several chapters (scene units) -------------------------------
#: The loss panel most chapters use: [−PANEL_EXTENT, PANEL_EXTENT]², PANEL_SIDE wide, at the left edge.
PANEL_EXTENT = 2.2
PANEL_SIDE = 5.8
PANEL_EDGE_BUFF = 0.5
#: The panel sits a little above centre, leaving the bottom for captions.
PANEL_RAISE = 0.25

# --- timing (seconds) ---------------------------------------------------------------
#: Seconds a viewer gets per caption word (plus a floor), so text can be read.
READING_SECONDS_PER_WORD = 0.32
MIN_CAPTION_SECONDS = 2.0
#: A caption swap: the old one fades out, then the new one fades in (total 0.4 s).
CAPTION_SWAP_SECONDS = 0.4
#: Writing one beat's rows of a derivation screen.
ROW_WRITE_SECONDS = 1.3
#: How long a screen of formulas stays up after its last caption's reading time (reading the formulas).
FORMULA_HOLD = 2.0
#: Fading a screen of formulas out.
SCREEN_FADE_SECONDS = 0.5
