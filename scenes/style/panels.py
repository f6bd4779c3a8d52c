"""The parameter plane and what is drawn on it: the loss heat-map, valley rays, step plots, and the
composite layouts several chapters share (one run on the panel; the side-by-side zoom)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    WHITE,
    Animation,
    Axes,
    Create,
    DashedLine,
    DecimalNumber,
    FadeIn,
    Group,
    ImageMobject,
    Mobject,
    ValueTracker,
    VGroup,
    config,
)

from mathcore import experiments
from scenes.i18n import Msg, _
from scenes.style.geometry import plane_tick_step, plot_tick_step
from scenes.style.palette import (
    CAPTION_SIZE,
    DECAY_COLOR,
    EXP_COLOR,
    LABEL_SIZE,
    MUTED,
    NORM_COLOR,
    PANEL_EDGE_BUFF,
    PANEL_EXTENT,
    PANEL_RAISE,
    PANEL_SIDE,
    READOUT_SIZE,
    SMALL_SIZE,
    TEXT_COLOR,
)
from scenes.style.traces import ClippedTrace, TrajectoryTrace, ZoomedTrace
from scenes.style.widgets import CachedDecimal, fit_within, loss_rgb, math, readout, step_counter, text

if TYPE_CHECKING:
    from mathcore.losses import ScaleInvariantLoss

M = TypeVar("M", bound=Mobject)


def plane_panel(extent: float = 2.0, side: float = 6.0, labels: bool = True) -> Axes:
    """Square axes for θ = (θ₁, θ₂) on [−extent, extent]², ``side`` scene units wide."""
    step = plane_tick_step(extent)
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


def to_panel_place(mobject: M) -> M:
    """Move the loss panel (or anything laid out like it) to its usual place: left edge, a little raised."""
    return mobject.to_edge(LEFT, buff=PANEL_EDGE_BUFF).shift(PANEL_RAISE * UP)


def loss_heatmap_pixels(extent: float, pixels: int = 360, loss: ScaleInvariantLoss | None = None) -> np.ndarray:
    """The heat map's RGB pixels (pixels × pixels × 3, uint8, top row first) of a loss (default: the toy) on
    [−extent, extent]²: the video's loss colours (``loss_rgb``), also the lesson page's heat map."""
    axis = np.linspace(-extent, extent, pixels)
    x, y = np.meshgrid(axis, axis[::-1])
    x[(x == 0) & (y == 0)] = 1e-12
    if loss is None:
        values = experiments.loss().profile(np.arctan2(y, x))
    else:
        values = loss.value(np.stack([x, y], axis=-1))
    return (loss_rgb(values, (values.min(), values.max())) * 255).astype(np.uint8)


def loss_heatmap(axes: Axes, extent: float, pixels: int = 360, loss: ScaleInvariantLoss | None = None) -> ImageMobject:
    """A loss (default: the toy) as an image over the panel: colour depends on the angle only, so it forms rays."""
    image = ImageMobject(loss_heatmap_pixels(extent, pixels, loss))
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
    y_step = plot_tick_step(top)
    axes = Axes(
        x_range=[0, steps, max(1, steps // 5)],
        y_range=[0, top, y_step],
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": MUTED, "stroke_width": 2, "font_size": SMALL_SIZE},
        x_axis_config={"numbers_to_include": np.arange(0, steps + 1, max(1, steps // 5))},
        y_axis_config={
            "numbers_to_include": np.arange(0, top, y_step)[1:],
            "decimal_number_config": {"num_decimal_places": 1},
        },
    )
    axes.add(math("t", CAPTION_SIZE, MUTED).next_to(axes.x_axis.get_right(), RIGHT, buff=0.2))
    axes.add(math(y_label, CAPTION_SIZE, color).next_to(axes.y_axis.get_top(), UP, buff=0.15))
    curve = TrajectoryTrace(axes, np.column_stack([np.arange(steps + 1), values]), tracker, color, dot_radius=0.05)
    return VGroup(axes, curve)


# --- the side-by-side zoom (chapters 8 and 9) ----------------------------------------


def _edge_numbers(axes: Axes, extent: float, values: np.ndarray, tracker: ValueTracker, color: str) -> VGroup:
    """Numbers at the positive ends of both axes showing the range there, values[round(tracker)]."""

    def number(place) -> DecimalNumber:
        mob = CachedDecimal(values[0], num_decimal_places=1, font_size=READOUT_SIZE, color=color)

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
        self.left = self._panel(extent, side, _("constant LR + weight decay"), DECAY_COLOR, fixed, tracker)
        zoomed = extent / comparison.scale  # the right view's range at each step
        self.right = self._panel(extent, side, _("exp. LR, no weight decay"), EXP_COLOR, zoomed, tracker)
        # Space the panels by their squares (the headings may be a little wider than the squares).
        self.right.shift(self.left.axes.get_right() - self.right.axes.get_left() + 0.6 * RIGHT)
        panels = Group(self.left, self.right).to_corner(UP + LEFT, buff=0.25).shift(0.15 * RIGHT)
        self.left.add(TrajectoryTrace(self.left.axes, comparison.decayed, tracker, DECAY_COLOR))
        self.right.add(ZoomedTrace(self.right.axes, comparison.exploded, comparison.scale, tracker, EXP_COLOR))

        self.readouts = VGroup(
            step_counter(tracker, steps),
            readout(r"s_t =", comparison.scale, tracker, TEXT_COLOR, digits=4),
            readout(r"1/s_t =", 1 / comparison.scale, tracker, EXP_COLOR, digits=1, name=_("zoom")),
            text(_("same map at every zoom:\nthe loss sees only\nthe angle"), SMALL_SIZE, MUTED),
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
        caption = text(_("polar angle of each run"), SMALL_SIZE, MUTED)
        self.strip = VGroup(axes, curve_wd, curve_exp, caption)
        self.strip.next_to(panels, DOWN, buff=0.35).set_x(0)
        caption.next_to(axes.y_axis.get_top(), RIGHT, buff=0.6)
        self.add(self.left, self.right, self.readouts, self.strip)

    @staticmethod
    def _panel(
        extent: float, side: float, title: str | Msg, color: str, ranges: np.ndarray, tracker: ValueTracker
    ) -> Group:
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
    extent: float = PANEL_EXTENT,
    side: float = PANEL_SIDE,
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
    axes = to_panel_place(plane_panel(extent, side=side))
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
