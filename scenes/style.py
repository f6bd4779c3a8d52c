"""One place for the video's look: palette, fonts, and the reusable mobjects.

Colours mean the same thing in every chapter:
  VANILLA_COLOR  plain GD (constant LR, no weight decay)
  DECAY_COLOR    constant LR + weight decay
  EXP_COLOR      exponential LR, no weight decay (and its rescaled copy)
  GRAD_COLOR     gradients
  NORM_COLOR     norms ‖θ‖ and radial things
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    WHITE,
    Axes,
    BackgroundRectangle,
    Create,
    DashedLine,
    DecimalNumber,
    Dot,
    FadeIn,
    FadeOut,
    ImageMobject,
    MathTex,
    Mobject,
    Scene,
    ThreeDScene,
    Tex,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
)

from mathcore import experiments

from scenes import video

if TYPE_CHECKING:
    from mathcore.derivations import Derivation

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

# --- fonts (sizes chosen to stay legible at 854x480) -------------------------
FONT = "DejaVu Sans"
TITLE_SIZE = 46
BODY_SIZE = 30
LABEL_SIZE = 26
SMALL_SIZE = 22
MATH_SIZE = 40

config.background_color = BACKGROUND

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


class ChapterMixin:
    """What every chapter does: title card, on-screen captions mirrored into subtitles.

    The chapter's number and title come from the ordered list in scenes/video.py.
    Use it through ChapterScene (2-D) or ChapterThreeDScene.
    """

    def setup(self) -> None:
        self.camera.background_color = BACKGROUND
        self._caption: Mobject | None = None
        self.chapter = video.by_scene(type(self).__name__)

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
        """
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

    def clear_caption(self) -> None:
        if self._caption is not None:
            self.play(FadeOut(self._caption), run_time=0.3)
            self._caption = None

    def show_derivation(self, derivation: Derivation, indices: Sequence[int], position=ORIGIN, size: int = MATH_SIZE):
        """Write derivation steps one under another, each with its caption; returns the group."""
        rows = VGroup()
        for i in indices:
            step = derivation.steps[i]
            row = formula_row(step.latex, step.caption, size)
            if rows:
                row.next_to(rows, DOWN, buff=0.3, aligned_edge=LEFT)
            rows.add(row)
        rows.move_to(position)
        fit_within(rows, config.frame_width - 1.0, config.frame_height - 1.8)
        for row in rows:
            self.caption(row.caption_text, Write(row), run_time=1.5)
        return rows


def step_named(derivation: Derivation, caption: str) -> str:
    """LaTeX of the derivation step with this caption (so scenes do not depend on step order)."""
    for step in derivation.steps:
        if step.caption == caption:
            return step.latex
    raise KeyError(f"{derivation.name} has no step captioned {caption!r}: {[s.caption for s in derivation.steps]}")


class ChapterScene(ChapterMixin, Scene):
    """A 2-D chapter."""


class ChapterThreeDScene(ChapterMixin, ThreeDScene):
    """A chapter with a 3-D camera; captions and titles are fixed in the frame."""

    def pin(self, *mobjects: Mobject) -> None:
        self.add_fixed_in_frame_mobjects(*mobjects)


def formula_row(latex: str, caption: str, size: int = MATH_SIZE) -> VGroup:
    """A formula with its short caption to the left (muted)."""
    label = text(caption, SMALL_SIZE, MUTED)
    formula = math(latex, size)
    row = VGroup(label, formula).arrange(RIGHT, buff=0.4)
    row.caption_text = caption
    return row


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


def loss_heatmap(axes: Axes, extent: float, pixels: int = 360) -> ImageMobject:
    """The toy loss as an image over the panel: colour depends on the angle only, so it forms rays."""
    axis = np.linspace(-extent, extent, pixels)
    x, y = np.meshgrid(axis, axis[::-1])
    x[(x == 0) & (y == 0)] = 1e-12
    values = experiments.loss().profile(np.arctan2(y, x))
    # A gamma > 1 darkens the middle of the range so that shallow wells show too.
    unit = ((values - values.min()) / (values.max() - values.min())) ** 2.5
    rgb = LOSS_LOW + unit[..., None] * (LOSS_HIGH - LOSS_LOW)
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


