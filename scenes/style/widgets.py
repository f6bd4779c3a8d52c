"""Small mobjects every chapter uses: text and formulas, cards, legends, live readouts, derivation rows."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    BackgroundRectangle,
    DecimalNumber,
    MathTex,
    Mobject,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
    config,
)
from manim.mobject.text.numbers import string_to_mob_map

from scenes.i18n import Msg, current_locale, language, localized
from scenes.style.geometry import fit_factor, sci_parts
from scenes.style.palette import (
    BACKGROUND,
    BODY_SIZE,
    LABEL_SIZE,
    LOSS_GAMMA,
    LOSS_HIGH,
    LOSS_LOW,
    MATH_SIZE,
    MUTED,
    READOUT_SIZE,
    SMALL_SIZE,
    TEXT_COLOR,
)

if TYPE_CHECKING:
    from mathcore.derivations import Derivation


def text(content: str | Msg, size: int = BODY_SIZE, color: str = TEXT_COLOR, **kwargs) -> Text:
    """Text in the render's language (a Msg is translated; a plain str is a name or number), its fonts and its
    line spacing."""
    spoken = language(current_locale())
    if spoken.line_spacing is not None:
        kwargs.setdefault("line_spacing", spoken.line_spacing)
    installed_fonts(spoken.font)  # manim's own check only knows single families
    return Text(localized(content), font=spoken.font, font_size=size, color=color, warn_missing_font=False, **kwargs)


@cache
def installed_fonts(families: str) -> str:
    """``families`` (a Pango family list) if every family in it is installed, else a ValueError naming it."""
    known = set(Text.font_list())
    missing = [family for family in families.split(", ") if family not in known]
    if missing:
        raise ValueError(f"font {missing[0]!r} is not installed (Debian: fonts-dejavu-core, fonts-noto-cjk; "
                         "tools/setup.sh installs them)")  # fmt: skip
    return families


def math(latex: str, size: int = MATH_SIZE, color: str = TEXT_COLOR, **kwargs) -> MathTex:
    """A formula; ``latex`` comes from mathcore.derivations, never typed in a scene."""
    return MathTex(latex, font_size=size, color=color, **kwargs)


def fit_within(mobject: Mobject, width: float, height: float) -> Mobject:
    """Scale ``mobject`` down (never up) to fit a width × height box."""
    return mobject.scale(fit_factor(mobject.width, mobject.height, width, height))


def formula_card(
    latex: str, caption: str | Msg | None = None, size: int = MATH_SIZE, color: str = TEXT_COLOR
) -> VGroup:
    """A boxed formula (with an optional caption above) on a dark backdrop."""
    formula = math(latex, size, color)
    group = VGroup(formula)
    if caption:
        group.add(text(caption, SMALL_SIZE, MUTED).next_to(formula, UP, buff=0.2))
    backdrop = BackgroundRectangle(group, color=BACKGROUND, fill_opacity=0.85, buff=0.2)
    return VGroup(backdrop, *group)


def start_label(latex: str, dot: Mobject, color: str) -> MathTex:
    """The name of a run's start (θ₀), up and left of its dot, where the run has not gone yet."""
    return math(latex, LABEL_SIZE, color).next_to(dot, UP + LEFT, buff=0.1)


def loss_rgb(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """RGB in [0, 1] (shape values.shape + (3,)) for loss values: LOSS_LOW at bounds[0] to LOSS_HIGH at bounds[1].

    The one loss colour map: the heat-map and the 3-D surface (chapter 2) both use it.
    """
    low, high = bounds
    unit = np.clip((np.asarray(values) - low) / (high - low), 0.0, 1.0) ** LOSS_GAMMA
    return LOSS_LOW + unit[..., None] * (LOSS_HIGH - LOSS_LOW)


def legend(entries: Sequence[tuple[str, str | Msg]]) -> VGroup:
    """Colour key: a short line and a label per entry."""
    rows = VGroup()
    for color, label in entries:
        swatch = VMobject(color=color, stroke_width=6).set_points_as_corners([ORIGIN, 0.4 * RIGHT])
        rows.add(VGroup(swatch, text(label, SMALL_SIZE)).arrange(RIGHT, buff=0.2))
    return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.15)


# --- live readouts: per frame they only index precomputed values --------------------


#: Text is drawn about 1.55 times as wide as the same words in LaTeX at the same font size (measured for
#: DejaVu Sans against Computer Modern's \text{}); a readout's name is scaled by this to look as it did in LaTeX.
TEXT_TO_LATEX_SIZE = 0.65


def readout_label(label_latex: str, size: int, color: str, name: str | Msg | None = None) -> Mobject:
    """A readout's label: the formula, after a word or two of text (``name``, translated) when it has one."""
    formula = math(label_latex, size, color)
    if name is None:
        return formula
    return VGroup(text(name, round(size * TEXT_TO_LATEX_SIZE), color), formula).arrange(RIGHT, buff=0.15)


class CachedDecimal(DecimalNumber):
    """A DecimalNumber that rebuilds its digits only when the text it shows changes.

    Rebuilding deep-copies a TeX glyph per digit, the costliest part of a frame with live readouts (43 % of the
    real-network chapter's render in a profile); at 60 fps most frames show the same step's value as the last.
    """

    def set_value(self, number: float) -> CachedDecimal:
        if hasattr(self, "number") and self._get_num_string(number) == self._get_num_string(self.number):
            self.number = number
            return self
        return super().set_value(number)

    def _string_to_mob(self, string: str, mob_class: type | None = None, **kwargs) -> VMobject:
        """A glyph of the number: the outlines of manim's cached TeX glyph, copied as plain VMobjects.

        manim deep-copies the whole TeX mobject for every digit (61 ms a rebuild in a profile); the outlines and
        their style are all a digit draws, so copying only those gives the same pixels at a fraction of the cost.
        """
        if string not in string_to_mob_map:
            super()._string_to_mob(string, mob_class, **kwargs)  # manim makes the TeX glyph and caches it
        template = string_to_mob_map[string]
        parts = [
            VMobject().set_points(part.points.copy()).match_style(part)
            for part in template.family_members_with_points()
        ]
        glyph = VGroup(*parts)
        if template.height > 0:
            glyph.scale(self._font_size / template.font_size)
        return glyph


class CachedInteger(CachedDecimal):
    """An Integer that rebuilds its digits only when they change (see CachedDecimal)."""

    def __init__(self, number: float = 0, num_decimal_places: int = 0, **kwargs) -> None:
        super().__init__(number=number, num_decimal_places=num_decimal_places, **kwargs)


def readout(
    label_latex: str,
    values: np.ndarray,
    tracker: ValueTracker,
    color: str,
    digits: int = 3,
    name: str | Msg | None = None,
) -> VGroup:
    """``name label = value`` where value is values[round(tracker)], updated per frame by indexing."""
    label = readout_label(label_latex, READOUT_SIZE, color, name)
    number = CachedDecimal(values[0], num_decimal_places=digits, font_size=READOUT_SIZE, color=color)
    number.next_to(label, RIGHT, buff=0.15)

    def update(mob: DecimalNumber) -> None:
        index = int(np.clip(round(tracker.get_value()), 0, len(values) - 1))
        mob.set_value(values[index])
        mob.next_to(label, RIGHT, buff=0.15)

    number.add_updater(update)
    return VGroup(label, number)


def step_counter(tracker: ValueTracker, steps: int) -> VGroup:
    """``step t`` readout, driven by the same tracker as the traces."""
    values = np.arange(steps + 1, dtype=float)
    return readout(r"t =", values, tracker, TEXT_COLOR, digits=0)


class SciReadout(VGroup):
    """``name label = m × 10^e`` for values[round(tracker)]; per frame it only indexes precomputed m and e.

    DecimalNumber cannot print scientific notation, so the mantissa and the exponent are two numbers.
    """

    def __init__(
        self,
        label_latex: str,
        values: np.ndarray,
        tracker: ValueTracker,
        color: str,
        digits: int = 1,
        size: int = READOUT_SIZE,
        name: str | Msg | None = None,
    ):
        super().__init__()
        self.mantissas, self.exponents = sci_parts(values, digits)
        self.tracker = tracker
        self.label = readout_label(label_latex, size, color, name)
        self.mantissa = CachedDecimal(self.mantissas[0], num_decimal_places=digits, font_size=size, color=color)
        self.times_ten = math(r"\times 10", size, color)
        self.exponent = CachedInteger(int(self.exponents[0]), font_size=round(size * 0.8), color=color)
        self.add(self.label, self.mantissa, self.times_ten, self.exponent)
        self._update(self)
        self.mantissa.add_updater(lambda _: self._update(self))

    def _update(self, _: Mobject) -> None:
        index = int(np.clip(round(self.tracker.get_value()), 0, len(self.mantissas) - 1))
        self.mantissa.set_value(self.mantissas[index])
        self.exponent.set_value(int(self.exponents[index]))
        self.mantissa.next_to(self.label, RIGHT, buff=0.15)
        self.times_ten.next_to(self.mantissa, RIGHT, buff=0.18).align_to(self.mantissa, DOWN)
        self.exponent.next_to(self.times_ten, RIGHT, buff=0.05).align_to(self.times_ten, UP).shift(0.12 * UP)
        shown = 0.0 if self.mantissas[index] == 0 else 1.0  # an exact 0 reads "0", not "0.0 × 10^0"
        self.times_ten.set_fill(opacity=shown)
        self.exponent.set_fill(opacity=shown)


# --- derivation screens -------------------------------------------------------------


def step_named(derivation: Derivation, key: str) -> str:
    """LaTeX of the derivation step with this key (so scenes depend on neither step order nor caption wording)."""
    return derivation.step(key).latex


def labelled_row(label: str | Msg, latex: str, size: int = MATH_SIZE, label_width: float = 3.3) -> VGroup:
    """A short muted label ('\\n' breaks it), then a formula starting ``label_width`` to the right of it.

    The row has ``.label`` and ``.formula``; rows with the same ``label_width`` align when stacked flush left.
    """
    label_mob = text(label, SMALL_SIZE, MUTED)
    formula = math(latex, size)
    formula.next_to(label_mob.get_left(), RIGHT, buff=label_width).match_y(label_mob)
    row = VGroup(label_mob, formula)
    row.label, row.formula = label_mob, formula
    return row


def derivation_rows(
    derivation: Derivation,
    entries: Sequence[tuple[str, str | Msg]],
    size: int = MATH_SIZE,
    label_width: float = 3.3,
    buff: float = 0.45,
) -> VGroup:
    """Steps of ``derivation`` as labelled rows (see labelled_row), stacked and centred in the frame.

    ``entries`` pairs the step's key in mathcore (so the order and captions of steps there do not matter)
    with the label shown.
    """
    rows = VGroup()
    for step_key, label in entries:
        row = labelled_row(label, step_named(derivation, step_key), size, label_width)
        if rows:
            row.next_to(rows, DOWN, buff=buff, aligned_edge=LEFT)
        rows.add(row)
    fit_within(rows, config.frame_width - 1.0, config.frame_height - 1.6)
    return rows.move_to(0.3 * UP)
