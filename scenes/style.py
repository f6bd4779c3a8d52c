"""One place for the video's look: palette, fonts, and the reusable mobjects.

Colours mean the same thing in every chapter:
  VANILLA_COLOR  plain GD (constant LR, no weight decay)
  DECAY_COLOR    constant LR + weight decay
  EXP_COLOR      exponential LR, no weight decay (and its rescaled copy)
  GRAD_COLOR     gradients
  NORM_COLOR     norms ‖θ‖ and radial things
  PRECISION_COLORS  arithmetic precision (float32, float64, 32 and 64 digits)
  CLASS_COLORS   the two classes of a classification data set (class 0, class 1)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    WHITE,
    Animation,
    Axes,
    BackgroundRectangle,
    Create,
    DashedLine,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    ImageMobject,
    ManimColor,
    Integer,
    MathTex,
    Mobject,
    Scene,
    ThreeDScene,
    Triangle,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
    config,
)

from mathcore import experiments

from scenes import video

if TYPE_CHECKING:
    from mathcore.derivations import Derivation
    from mathcore.losses import ScaleInvariantLoss

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
#: Arithmetic precision (keys as in mathcore.chaos.PRECISIONS): a violet ramp, deeper = more digits.
PRECISION_COLORS: dict[str | int, str] = {"float32": "#F7CBEA", "float64": "#D59CF6", 32: "#A97BF2", 64: "#7A62EC"}
#: The two classes of a labelled data set (class 0, class 1), e.g. the two moons: teal and magenta.
CLASS_COLORS: tuple[str, str] = ("#2AB3AE", "#D65DB1")

# --- fonts (sizes chosen to stay legible at 854x480) -------------------------
FONT = "DejaVu Sans"
TITLE_SIZE = 46
BODY_SIZE = 30
LABEL_SIZE = 26
SMALL_SIZE = 22
MATH_SIZE = 40

config.background_color = ManimColor(BACKGROUND)

#: Seconds a viewer gets per caption word (plus a floor), so text can be read.
READING_SECONDS_PER_WORD = 0.32
MIN_CAPTION_SECONDS = 2.0


def text(content: str, size: int = BODY_SIZE, color: str = TEXT_COLOR, **kwargs) -> Text:
    """Body text in the video's font."""
    return Text(content, font=FONT, font_size=size, color=color, **kwargs)


def math(latex: str, size: int = MATH_SIZE, color: str = TEXT_COLOR, **kwargs) -> MathTex:
    """A formula; ``latex`` comes from mathcore.derivations, never typed in a scene."""
    return MathTex(latex, font_size=size, color=color, **kwargs)


def reading_time(content: str) -> float:
    """How long a caption stays up: enough to read it at a relaxed pace."""
    return max(MIN_CAPTION_SECONDS, READING_SECONDS_PER_WORD * len(content.split()))


#: Name of the manim section that holds a chapter's main animation (see ChapterMixin.highlight).
HIGHLIGHT_SECTION = "highlight"


def chapter_of(scene_class: type) -> video.Chapter:
    """The chapter a scene class (or a subclass of it, such as its slide version) renders."""
    for klass in scene_class.__mro__:
        try:
            return video.by_scene(klass.__name__)
        except ValueError:
            continue
    raise ValueError(f"{scene_class.__name__} is not a chapter listed in scenes/video.py")


class ChapterMixin:
    """What every chapter does: title card, on-screen captions mirrored into subtitles.

    The chapter's number and title come from the ordered list in scenes/video.py.
    Use it through ChapterScene (2-D) or ChapterThreeDScene.
    """

    def setup(self) -> None:
        self.camera.background_color = ManimColor(BACKGROUND)
        self._caption: Mobject | None = None
        self.chapter = chapter_of(type(self))

    def title_card(self, subtitle: str | None = None) -> None:
        """Open the chapter with its number and title."""
        title = self.chapter.title
        heading = text(f"{video.chapter_number(self.chapter)}. {title}", TITLE_SIZE)
        fit_within(heading, config.frame_width - 1.0, config.frame_height)
        group = VGroup(heading)
        if subtitle:
            group.add(text(subtitle, LABEL_SIZE, MUTED).next_to(heading, DOWN, buff=0.35))
        self.next_section(title)
        self.add_subcaption(title, duration=2.0)
        self.pin(group)
        self.play(FadeIn(group, shift=0.2 * UP), run_time=0.8)
        self.wait(1.2)
        self.play(FadeOut(group), run_time=0.5)

    def caption(self, content: str, *animations, run_time: float | None = None, hold: float | None = None) -> None:
        """Show ``content`` at the bottom (and in the subtitles) while ``animations`` play.

        The caption stays up at least its reading time; ``hold`` overrides the wait after.
        Each caption starts a new beat: in the slide deck, a pause before it.
        """
        self.beat(content)
        new = text(content, SMALL_SIZE + 2).to_edge(DOWN, buff=0.3)
        if new.width > config.frame_width - 0.8:
            new.scale_to_fit_width(config.frame_width - 0.8)
        needed = reading_time(content)
        self.pin(new)
        swap = [FadeOut(self._caption)] if self._caption is not None else []
        if animations:
            duration = run_time if run_time is not None else max(1.0, needed * 0.6)
            self.add_subcaption(content, duration=max(needed, duration))
            self.play(*swap, FadeIn(new), run_time=0.4)
            self.play(*animations, run_time=duration)
            rest = needed - duration if hold is None else hold
        else:
            self.add_subcaption(content, duration=needed)
            self.play(*swap, FadeIn(new), run_time=0.4)
            rest = needed if hold is None else hold
        self._caption = new
        if rest > 0:
            self.wait(rest)

    def pin(self, *mobjects: Mobject) -> None:
        """Keep mobjects fixed in the frame (a no-op in 2-D; see ChapterThreeDScene)."""

    @contextmanager
    def highlight(self) -> Iterator[None]:
        """Mark the chapter's main animation: `make stills` cuts the chapter's GIF from it."""
        self.next_section(HIGHLIGHT_SECTION)
        yield
        self.next_section(f"{self.chapter.title} (end)")

    def beat(self, notes: str = "") -> None:
        """A natural pause: a new slide when rendered as slides (scenes/slides.py), else nothing."""
        next_slide = getattr(self, "next_slide", None)
        if next_slide is not None:
            next_slide(notes=notes)

    def clear_caption(self) -> None:
        if self._caption is not None:
            self.play(FadeOut(self._caption), run_time=0.3)
            self._caption = None



def step_named(derivation: Derivation, key: str) -> str:
    """LaTeX of the derivation step with this key (so scenes depend on neither step order nor caption wording)."""
    return derivation.step(key).latex


class ChapterScene(ChapterMixin, Scene):
    """A 2-D chapter."""


class ChapterThreeDScene(ChapterMixin, ThreeDScene):
    """A chapter with a 3-D camera; captions and titles are fixed in the frame."""

    def pin(self, *mobjects: Mobject) -> None:
        self.add_fixed_in_frame_mobjects(*mobjects)


def formula_card(latex: str, caption: str | None = None, size: int = MATH_SIZE, color: str = TEXT_COLOR) -> VGroup:
    """A boxed formula (with an optional caption above) on a dark backdrop."""
    formula = math(latex, size, color)
    group = VGroup(formula)
    if caption:
        group.add(text(caption, SMALL_SIZE, MUTED).next_to(formula, UP, buff=0.2))
    backdrop = BackgroundRectangle(group, color=BACKGROUND, fill_opacity=0.85, buff=0.2)
    return VGroup(backdrop, *group)


def fit_within(mobject: Mobject, width: float, height: float) -> Mobject:
    """Scale ``mobject`` down (never up) to fit a width × height box."""
    factor = min(1.0, width / max(mobject.width, 1e-9), height / max(mobject.height, 1e-9))
    return mobject.scale(factor)


# --- the parameter plane ----------------------------------------------------


def plane_panel(extent: float = 2.0, side: float = 6.0, labels: bool = True) -> Axes:
    """Square axes for θ = (θ₁, θ₂) on [−extent, extent]², ``side`` scene units wide."""
    step = 1.0 if extent <= 3 else max(1.0, round(extent / 2))
    axes = Axes(
        x_range=[-extent, extent, step],
        y_range=[-extent, extent, step],
        x_length=side,
        y_length=side,
        tips=False,
        axis_config={"color": MUTED, "stroke_width": 2, "include_ticks": True, "tick_size": 0.05},
    )
    if labels:
        axes.add(math(r"\theta_1", LABEL_SIZE, TEXT_COLOR).next_to(axes.x_axis.get_right(), RIGHT, buff=0.1))
        axes.add(math(r"\theta_2", LABEL_SIZE, TEXT_COLOR).next_to(axes.y_axis.get_top(), UP, buff=0.1))
    return axes


#: A gamma > 1 darkens the middle of the loss colour range so that shallow wells show too.
LOSS_GAMMA = 2.5


def loss_rgb(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """RGB in [0, 1] (shape values.shape + (3,)) for loss values: LOSS_LOW at bounds[0] to LOSS_HIGH at bounds[1].

    The one loss colour map: the heat-map and the 3-D surface (chapter 2) both use it.
    """
    low, high = bounds
    unit = np.clip((np.asarray(values) - low) / (high - low), 0.0, 1.0) ** LOSS_GAMMA
    return LOSS_LOW + unit[..., None] * (LOSS_HIGH - LOSS_LOW)


def loss_heatmap(axes: Axes, extent: float, pixels: int = 360, loss: ScaleInvariantLoss | None = None) -> ImageMobject:
    """A loss (default: the toy) as an image over the panel: colour depends on the angle only, so it forms rays."""
    axis = np.linspace(-extent, extent, pixels)
    x, y = np.meshgrid(axis, axis[::-1])
    x[(x == 0) & (y == 0)] = 1e-12
    if loss is None:
        values = experiments.loss().profile(np.arctan2(y, x))
    else:
        values = loss.value(np.stack([x, y], axis=-1))
    rgb = loss_rgb(values, (values.min(), values.max()))
    image = ImageMobject((rgb * 255).astype(np.uint8))
    image.stretch_to_fit_width(axes.x_length).stretch_to_fit_height(axes.y_length)
    image.move_to(axes.c2p(0, 0))
    return image


def minimum_rays(axes: Axes, extent: float) -> VGroup:
    """Dashed rays from the origin through the loss's local minima: each ray is a valley."""
    rays = VGroup()
    for angle in experiments.loss().minima():
        reach = extent / max(abs(np.cos(angle)), abs(np.sin(angle)))  # to the edge of the square
        end = axes.c2p(reach * np.cos(angle), reach * np.sin(angle))
        ray = DashedLine(axes.c2p(0, 0), end, color=WHITE, stroke_width=2, stroke_opacity=0.5, dash_length=0.08)
        rays.add(ray)
    return rays


def valley_basin(valley: int) -> tuple[float, float]:
    """Angles (radians) of the loss profile's maxima either side of minimum ``valley`` (0 = deepest):
    that valley's basin. The upper angle may exceed π when the basin straddles the negative θ₁ axis."""
    loss = experiments.loss()
    centre = float(loss.minima()[valley])
    phi = np.linspace(centre - np.pi, centre + np.pi, 7200, endpoint=False)
    f = loss.profile(phi)
    peaks = phi[(f > np.roll(f, 1)) & (f > np.roll(f, -1))]
    return float(peaks[peaks < centre].max()), float(peaks[peaks > centre].min())


def in_basin(path: np.ndarray, basin: tuple[float, float]) -> np.ndarray:
    """Per step, whether the iterate's angle lies inside ``basin`` (from valley_basin)."""
    low, high = basin
    return np.mod(np.arctan2(path[:, 1], path[:, 0]) - low, 2 * np.pi) < high - low


class TrajectoryTrace(VGroup):
    """A polyline through path[0..k] plus a dot at path[k], k driven by a ValueTracker.

    The path is precomputed in data coordinates; the per-frame updater only slices it
    and maps it through the axes (so the trace follows the axes when they move or zoom).
    """

    def __init__(self, axes: Axes, path: np.ndarray, tracker: ValueTracker, color: str, dot_radius: float = 0.07):
        super().__init__()
        self.axes, self.tracker, self.path = axes, tracker, np.asarray(path, dtype=float)
        self.line = VMobject(color=color, stroke_width=3)
        self.dot = Dot(axes.c2p(*self.path[0]), radius=dot_radius, color=color)
        self.add(self.line, self.dot)
        self._redraw()
        self.line.add_updater(lambda _: self._redraw())

    def step(self) -> float:
        """The tracker's (fractional) step, clipped to the path."""
        return float(np.clip(self.tracker.get_value(), 0, len(self.path) - 1))

    def current_data_point(self) -> np.ndarray:
        """Data coordinates at the tracker's step, linearly interpolated between iterates."""
        t = self.step()
        k = min(int(np.floor(t)), len(self.path) - 2)
        if k < 0:
            return self.path[0]
        return self.path[k] + (t - k) * (self.path[k + 1] - self.path[k])

    def _redraw(self) -> None:
        t = self.step()
        data = np.vstack([self.path[: int(np.floor(t)) + 1], self.current_data_point()[None]])
        corners = self.axes.coords_to_point(data)
        self.line.set_points_as_corners(corners)
        self.dot.move_to(corners[-1])


def series_plot(
    values: np.ndarray,
    tracker: ValueTracker,
    color: str,
    y_label: str,
    width: float = 5.0,
    height: float = 2.2,
    y_max: float | None = None,
) -> VGroup:
    """A small plot of values[t] against the step t, drawn up to the tracker's step."""
    steps = len(values) - 1
    top = float(y_max if y_max is not None else values.max() * 1.15)
    y_step = float(10 ** np.floor(np.log10(top))) if top > 0 else 1.0
    if top / y_step < 2.5:
        y_step /= 2
    axes = Axes(
        x_range=[0, steps, max(1, steps // 5)],
        y_range=[0, top, y_step],
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": MUTED, "stroke_width": 2, "font_size": SMALL_SIZE},
        x_axis_config={"numbers_to_include": np.arange(0, steps + 1, max(1, steps // 5))},
        y_axis_config={"numbers_to_include": np.arange(0, top, y_step)[1:], "decimal_number_config": {"num_decimal_places": 1}},
    )
    axes.add(math("t", SMALL_SIZE + 2, MUTED).next_to(axes.x_axis.get_right(), RIGHT, buff=0.2))
    axes.add(math(y_label, SMALL_SIZE + 2, color).next_to(axes.y_axis.get_top(), UP, buff=0.15))
    curve = TrajectoryTrace(axes, np.column_stack([np.arange(steps + 1), values]), tracker, color, dot_radius=0.05)
    return VGroup(axes, curve)


def readout(label_latex: str, values: np.ndarray, tracker: ValueTracker, color: str, digits: int = 3) -> VGroup:
    """``label = value`` where value is values[round(tracker)], updated per frame by indexing."""
    label = math(label_latex, LABEL_SIZE + 4, color)
    number = DecimalNumber(values[0], num_decimal_places=digits, font_size=LABEL_SIZE + 4, color=color)
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


def legend(entries: Sequence[tuple[str, str]]) -> VGroup:
    """Colour key: a short line and a label per entry."""
    rows = VGroup()
    for color, label in entries:
        swatch = VMobject(color=color, stroke_width=6).set_points_as_corners([ORIGIN, 0.4 * RIGHT])
        rows.add(VGroup(swatch, text(label, SMALL_SIZE)).arrange(RIGHT, buff=0.2))
    return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.15)




# --- derivation screens, scientific readouts, the side-by-side zoom (chapters 7–9) ----

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci_parts(values: np.ndarray, digits: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Mantissas (rounded to ``digits``) and integer exponents: values ≈ mantissa·10^exponent; 0 gives (0, 0)."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    exponents = np.zeros(values.shape, dtype=int)
    nonzero = values != 0
    exponents[nonzero] = np.floor(np.log10(np.abs(values[nonzero]))).astype(int)
    mantissas = np.round(values / 10.0**exponents, digits)
    carry = np.abs(mantissas) >= 10  # 9.96 rounds to 10.0: move the carry into the exponent
    mantissas[carry] /= 10
    exponents[carry] += 1
    return mantissas, exponents


def sci_text(value: float, digits: int = 1) -> str:
    """``value`` as plain text for captions, e.g. '1.8 × 10⁻¹⁰'."""
    (mantissa,), (exponent,) = sci_parts(np.array([value]), digits)
    if mantissa == 0:
        return "0"
    return f"{mantissa:.{digits}f} × 10{str(exponent).translate(_SUPERSCRIPTS)}"


def sci_latex(value: float, digits: int = 1) -> str:
    """``value`` as LaTeX, e.g. '1.8 \\times 10^{-10}'."""
    (mantissa,), (exponent,) = sci_parts(np.array([value]), digits)
    if mantissa == 0:
        return "0"
    return rf"{mantissa:.{digits}f} \times 10^{{{exponent}}}"


class SciReadout(VGroup):
    """``label = m × 10^e`` for values[round(tracker)]; per frame it only indexes precomputed m and e.

    DecimalNumber cannot print scientific notation, so the mantissa and the exponent are two numbers.
    """

    def __init__(
        self,
        label_latex: str,
        values: np.ndarray,
        tracker: ValueTracker,
        color: str,
        digits: int = 1,
        size: int = LABEL_SIZE + 4,
    ):
        super().__init__()
        self.mantissas, self.exponents = sci_parts(values, digits)
        self.tracker = tracker
        self.label = math(label_latex, size, color)
        self.mantissa = DecimalNumber(self.mantissas[0], num_decimal_places=digits, font_size=size, color=color)
        self.times_ten = math(r"\times 10", size, color)
        self.exponent = Integer(int(self.exponents[0]), font_size=round(size * 0.8), color=color)
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


def labelled_row(label: str, latex: str, size: int = MATH_SIZE, label_width: float = 3.3) -> VGroup:
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
    entries: Sequence[tuple[str, str]],
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


class ZoomedTrace(TrajectoryTrace):
    """A trajectory drawn as zoom(t)·path[0..t]: a view that zooms out by 1/zoom(t) as the run grows."""

    def __init__(self, axes: Axes, path: np.ndarray, zoom: np.ndarray, tracker: ValueTracker, color: str):
        self.zoom_values = np.asarray(zoom, dtype=float)
        super().__init__(axes, path, tracker, color)

    def zoom(self) -> float:
        """The view's zoom at the tracker's (fractional) step."""
        return float(np.interp(self.step(), np.arange(len(self.zoom_values)), self.zoom_values))

    def _redraw(self) -> None:
        t = self.step()
        data = np.vstack([self.path[: int(np.floor(t)) + 1], self.current_data_point()[None]]) * self.zoom()
        corners = self.axes.coords_to_point(data)
        self.line.set_points_as_corners(corners)
        self.dot.move_to(corners[-1])


def _edge_numbers(axes: Axes, extent: float, values: np.ndarray, tracker: ValueTracker, color: str) -> VGroup:
    """Numbers at the positive ends of both axes showing the range there, values[round(tracker)]."""

    def number(place) -> DecimalNumber:
        mob = DecimalNumber(values[0], num_decimal_places=1, font_size=LABEL_SIZE + 4, color=color)

        def update(m: DecimalNumber) -> None:
            m.set_value(values[int(np.clip(round(tracker.get_value()), 0, len(values) - 1))])
            place(m)

        place(mob)
        mob.add_updater(update)
        return mob

    right = number(lambda m: m.next_to(axes.c2p(extent, 0), DOWN + LEFT, buff=0.08))
    top = number(lambda m: m.next_to(axes.c2p(0, extent), LEFT + DOWN, buff=0.08))
    return VGroup(right, top)


class SideBySideZoom(Group):
    """Left: the weight-decay run at a fixed scale. Right: its exp-LR twin in a view that zooms out by
    1/s_t, so the run stays in sight while the loss map (scale invariant) stays the same. Below: the
    polar angle of both runs per step. One tracker (the step) drives everything; laid out for the frame.

    Parts for animating separately: ``left``, ``right``, ``readouts``, ``strip``.
    """

    def __init__(self, comparison: experiments.Comparison, tracker: ValueTracker, extent: float, side: float = 4.0):
        super().__init__()
        steps = len(comparison.scale) - 1
        fixed = np.full(steps + 1, extent)
        self.left = self._panel(extent, side, "constant LR + weight decay", DECAY_COLOR, fixed, tracker)
        zoomed = extent / comparison.scale  # the right view's range at each step
        self.right = self._panel(extent, side, "exp. LR, no weight decay", EXP_COLOR, zoomed, tracker)
        # Space the panels by their squares (the headings may be a little wider than the squares).
        self.right.shift(self.left.axes.get_right() - self.right.axes.get_left() + 0.6 * RIGHT)
        panels = Group(self.left, self.right).to_corner(UP + LEFT, buff=0.25).shift(0.15 * RIGHT)
        self.left.add(TrajectoryTrace(self.left.axes, comparison.decayed, tracker, DECAY_COLOR))
        self.right.add(ZoomedTrace(self.right.axes, comparison.exploded, comparison.scale, tracker, EXP_COLOR))

        self.readouts = VGroup(
            step_counter(tracker, steps),
            readout(r"s_t =", comparison.scale, tracker, TEXT_COLOR, digits=4),
            readout(r"\text{zoom } 1/s_t =", 1 / comparison.scale, tracker, EXP_COLOR, digits=1),
            text("same map at every zoom:\nthe loss sees only\nthe angle", SMALL_SIZE, MUTED),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        fit_within(self.readouts, config.frame_width / 2 - self.right.axes.get_right()[0] - 0.8, side)
        self.readouts.next_to(self.right.axes, RIGHT, buff=0.5).align_to(self.right.axes, UP)

        # Two angle plots on one pair of axes: the wide orange line under the thin green one.
        angle_wd = experiments.angles(comparison.decayed)
        angle_exp = experiments.angles(comparison.exploded)
        top = 1.15 * float(max(angle_wd.max(), angle_exp.max()))
        width = config.frame_width - 2.0
        plot_wd = series_plot(angle_wd, tracker, DECAY_COLOR, r"\varphi_t", width=width, height=1.25, y_max=top)
        plot_exp = series_plot(angle_exp, tracker, EXP_COLOR, r"\varphi_t", width=width, height=1.25, y_max=top)
        axes, curve_wd = plot_wd
        curve_exp = plot_exp[1]
        curve_exp.axes = axes  # identical geometry: draw it on the first plot's axes
        curve_wd.line.set_stroke(width=10)
        curve_exp.line.set_stroke(width=3)
        caption = text("polar angle of each run", SMALL_SIZE, MUTED)
        self.strip = VGroup(axes, curve_wd, curve_exp, caption)
        self.strip.next_to(panels, DOWN, buff=0.35).set_x(0)
        caption.next_to(axes.y_axis.get_top(), RIGHT, buff=0.6)
        self.add(self.left, self.right, self.readouts, self.strip)

    @staticmethod
    def _panel(extent: float, side: float, title: str, color: str, ranges: np.ndarray, tracker: ValueTracker) -> Group:
        axes = plane_panel(extent, side, labels=False)
        heading = text(title, SMALL_SIZE, color).next_to(axes, UP, buff=0.12)
        fit_within(heading, side + 0.5, 1.0)
        panel = Group(loss_heatmap(axes, extent), axes, minimum_rays(axes, extent), heading)
        panel.add(_edge_numbers(axes, extent, ranges, tracker, TEXT_COLOR))
        panel.axes = axes
        return panel


# --- one run on the loss panel (the GD chapters share this layout) -----------


class Series(NamedTuple):
    """Per-step values with a LaTeX label and a colour: one readout row, or one plot."""

    label: str
    values: np.ndarray
    color: str
    digits: int = 3


def _clip_parameters(start: np.ndarray, delta: np.ndarray, extent: float) -> tuple[np.ndarray, np.ndarray]:
    """Liang–Barsky: for segments start + u·delta (u in [0, 1]), the u-interval inside [−extent, extent]².

    Returns (enter, leave) per segment; the segment is (partly) inside exactly when enter < leave.
    """
    enter, leave = np.zeros(len(start)), np.ones(len(start))
    for axis in range(2):
        p, d = start[:, axis], delta[:, axis]
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = (-extent - p) / d, (extent - p) / d
        near, far = np.minimum(low, high), np.maximum(low, high)
        moving = d != 0
        enter = np.where(moving, np.maximum(enter, near), enter)
        leave = np.where(moving, np.minimum(leave, far), leave)
        outside = ~moving & (np.abs(p) > extent)  # parallel to this edge and beyond it
        leave = np.where(outside, -1.0, leave)
    return enter, leave


class ClippedTrace(TrajectoryTrace):
    """A TrajectoryTrace drawn only inside the panel square [−extent, extent]².

    While the iterate is outside, its dot is hidden and a triangle on the panel's edge, on the
    ray from the origin through the iterate, points the way it went (so its angle stays visible).
    The clipping of every segment is computed once; per frame only indexing and a min() remain.
    """

    def __init__(self, axes: Axes, path: np.ndarray, tracker: ValueTracker, color: str, extent: float,
                 dot_radius: float = 0.07):
        path = np.asarray(path, dtype=float)
        self.extent = extent
        delta = np.diff(path, axis=0)
        self._enter, self._leave = _clip_parameters(path[:-1], delta, extent)
        self._delta = delta
        self.marker = Triangle(color=color, fill_opacity=0, stroke_width=0).scale(0.16)
        self._marker_angle = np.pi / 2  # Triangle() points up
        super().__init__(axes, path, tracker, color, dot_radius)
        self.add(self.marker)

    def is_outside(self) -> bool:
        """Whether the iterate at the tracker's step is outside the panel square."""
        return bool(np.max(np.abs(self.current_data_point())) > self.extent)

    def _redraw(self) -> None:
        t = self.step()
        last = min(int(np.floor(t)), len(self.path) - 2)
        upto = np.minimum(self._leave[: last + 1], 1.0).copy()
        upto[last] = min(upto[last], t - last)
        enter = self._enter[: last + 1]
        shown = np.flatnonzero(enter < upto)
        starts = self.path[shown] + enter[shown, None] * self._delta[shown]
        ends = self.path[shown] + upto[shown, None] * self._delta[shown]
        self.line.clear_points()
        for i, (a, b) in enumerate(zip(starts, ends)):
            corners = self.axes.coords_to_point(np.vstack([a, b]))
            if i == 0 or not np.allclose(a, ends[i - 1]):  # a gap: the path left the panel in between
                self.line.start_new_path(corners[0])
            self.line.add_line_to(corners[1])
        point = self.current_data_point()
        if not self.is_outside():
            self.dot.move_to(self.axes.c2p(*point)).set_opacity(1)
            self.marker.set_fill(opacity=0)
            return
        direction = np.arctan2(point[1], point[0])
        unit = np.array([np.cos(direction), np.sin(direction)])
        edge = self.axes.c2p(*(self.extent * unit / np.max(np.abs(unit))))
        self.marker.rotate(direction - self._marker_angle)
        self._marker_angle = direction
        inward = 0.5 * self.marker.height * np.append(unit, 0.0)  # sit just inside the panel's edge
        self.marker.move_to(edge - inward).set_fill(opacity=1)
        self.dot.move_to(edge).set_opacity(0)


@dataclass
class RunPanel:
    """One run on the loss panel: axes, heat-map, valley rays, the trace, live readouts and a plot."""

    axes: Axes
    heat: ImageMobject
    rays: VGroup
    tracker: ValueTracker
    trace: TrajectoryTrace
    readouts: VGroup
    plot: VGroup

    def backdrop_animations(self) -> list[Animation]:
        """Bring in the panel itself (heat-map, axes, valley rays), without the run."""
        return [FadeIn(self.heat), Create(self.axes), Create(self.rays)]

    def column(self, *top: Mobject, buff: float = 0.35) -> VGroup:
        """Stack ``top``, the readouts and the plot right of the panel, top-aligned with it."""
        column = VGroup(*top, self.readouts, self.plot).arrange(DOWN, aligned_edge=LEFT, buff=buff)
        column.to_edge(RIGHT, buff=0.5).align_to(self.axes, UP)
        return column


def run_panel(
    path: np.ndarray,
    color: str,
    extent: float = 2.2,
    side: float = 5.8,
    readouts: Sequence[Series] | None = None,
    plot: Series | None = None,
    plot_size: tuple[float, float] = (4.6, 1.9),
    clip: bool = False,
) -> RunPanel:
    """The loss panel on the left with ``path`` traced in ``color``, plus its readouts and plot.

    Readouts default to ‖θ_t‖ and the plot to ‖θ_t‖ against t (both NORM_COLOR); a step counter
    always comes first. ``clip`` keeps the trace inside the panel (see ClippedTrace).
    Place the readouts and plot with RunPanel.column(...).
    """
    path = np.asarray(path, dtype=float)
    steps = len(path) - 1
    norms = experiments.norms(path)
    if readouts is None:
        readouts = [Series(r"\|\theta_t\| =", norms, NORM_COLOR)]
    if plot is None:
        plot = Series(r"\|\theta_t\|", norms, NORM_COLOR)
    axes = plane_panel(extent, side=side).to_edge(LEFT, buff=0.5).shift(0.25 * UP)
    tracker = ValueTracker(0)
    if clip:
        trace: TrajectoryTrace = ClippedTrace(axes, path, tracker, color, extent)
    else:
        trace = TrajectoryTrace(axes, path, tracker, color)
    rows = VGroup(
        step_counter(tracker, steps),
        *(readout(row.label, row.values, tracker, row.color, row.digits) for row in readouts),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
    width, height = plot_size
    chart = series_plot(plot.values, tracker, plot.color, plot.label, width=width, height=height)
    return RunPanel(axes, loss_heatmap(axes, extent), minimum_rays(axes, extent), tracker, trace, rows, chart)
