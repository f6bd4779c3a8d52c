"""Chapter: on a real batch-norm network, constant LR + weight decay and the exponential LR train identically."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Brace,
    CapStyleType,
    Create,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    ImageMobject,
    Indicate,
    Mobject,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)
from manim.utils.color import ManimColor

from mathcore import derivations, experiments
from mathcore.bn_network import PairRun
from scenes.i18n import Msg, _
from scenes.style import (
    BACKGROUND,
    CAPTION_SIZE,
    CLASS_COLORS,
    DECAY_COLOR,
    EXP_COLOR,
    MUTED,
    NORM_COLOR,
    READOUT_SIZE,
    SMALL_SIZE,
    SYMBOL_SIZE,
    TEXT_COLOR,
    ChapterScene,
    SciReadout,
    StepwiseUpdater,
    TrajectoryTrace,
    fit_within,
    formula_card,
    math,
    readout,
    sci_text,
    series_plot,
    step_counter,
    step_named,
    text,
)

PANEL_WIDTH = 3.8  # one decision-boundary panel; its height follows the grid's aspect ratio
PLOT_SIZE = (3.0, 2.35)
BOUNDARY_LEVEL = 0.5  # P(class 1) on the decision boundary
#: Heat-map tint: how much of the class colour shows over the background, from unsure (p = ½) to sure.
TINT_RANGE = (0.12, 0.42)


def power_above(value: float) -> int:
    """The smallest power of ten above ``value`` (> 0): what the narrator says as "below ten to the minus k"."""
    return int(np.floor(np.log10(value))) + 1


# --- geometry helpers (run once per chapter, never per frame) -------------------------------------


def contour_segments(field: np.ndarray, level: float) -> np.ndarray:
    """Marching squares: segments (m, 2, 2) of {field = level} on a grid (rows = y), as (column, row) indices.

    Each cell whose corners straddle the level gets one segment, a saddle cell two.
    """
    f = np.asarray(field, dtype=float) - level
    c00, c01, c10, c11 = f[:-1, :-1], f[:-1, 1:], f[1:, :-1], f[1:, 1:]
    rows, cols = np.meshgrid(np.arange(f.shape[0] - 1), np.arange(f.shape[1] - 1), indexing="ij")
    rows, cols = rows.astype(float), cols.astype(float)
    # The cell's four edges (bottom, right, top, left): corner values and the point at fraction u along it.
    edges = (
        (c00, c01, lambda u: (cols + u, rows)),
        (c01, c11, lambda u: (cols + 1, rows + u)),
        (c10, c11, lambda u: (cols + u, rows + 1)),
        (c00, c10, lambda u: (cols, rows + u)),
    )
    points, hits = [], []
    for a, b, place in edges:
        hit = (a > 0) != (b > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(hit, a / (a - b), 0.0)
        x, y = place(u)
        points.append(np.stack(np.broadcast_arrays(x, y), axis=-1))
        hits.append(hit)
    points_arr, hits_arr = np.stack(points, axis=2), np.stack(hits, axis=2)  # (R, C, 4, 2), (R, C, 4)
    count = hits_arr.sum(axis=-1)
    two = count == 2
    first_two = np.argsort(~hits_arr[two], axis=-1, kind="stable")[:, :2]  # the two crossed edges
    segments = np.take_along_axis(points_arr[two], first_two[..., None], axis=1)
    saddle = points_arr[count == 4]
    return np.concatenate([segments, saddle[:, [0, 3]], saddle[:, [1, 2]]])


def heat_rgba(prob: np.ndarray) -> np.ndarray:
    """RGBA image (uint8, top row first) of P(class 1): the likelier class's colour, stronger where sure."""
    low, high = (ManimColor(c).to_rgb() for c in CLASS_COLORS)
    background = ManimColor(BACKGROUND).to_rgb()
    p = np.asarray(prob)[::-1, :, None]  # the grid's row 0 is y_min: the image's bottom row
    colour = np.where(p > BOUNDARY_LEVEL, high, low)
    tint = TINT_RANGE[0] + (TINT_RANGE[1] - TINT_RANGE[0]) * np.abs(2 * p - 1)
    rgb = background + tint * (colour - background)
    alpha = np.ones(p.shape)
    return (np.concatenate([rgb, alpha], axis=-1) * 255).round().astype(np.uint8)


# --- the decision-boundary panel --------------------------------------------------------------------


class BoundaryPanel(Group):
    """The data plane of one run: P(class 1) heat map, the ½-contour in the run's colour, the data points.

    The maps at the snapshot steps are precomputed; per frame the updaters only pick the latest
    snapshot at or before the tracker's step and place its contour (stored in [0, 1]² panel units).
    """

    def __init__(
        self, pair: PairRun, snapshots: experiments.BoundarySnapshots, prob: np.ndarray, tracker: ValueTracker,
        color: str, title: str | Msg,
    ):
        super().__init__()
        x0, x1, y0, y1 = experiments.BN_GRID_EXTENT
        self.extent = (x0, x1, y0, y1)
        self.frame = Rectangle(width=PANEL_WIDTH, height=PANEL_WIDTH * (y1 - y0) / (x1 - x0))
        self.frame.set_stroke(MUTED, 2)
        self.steps, self.tracker = snapshots.steps, tracker
        self.images = [heat_rgba(p) for p in prob]
        cells = prob.shape[-1] - 1
        self.contours = [contour_segments(p, BOUNDARY_LEVEL) / cells for p in prob]
        self.image = ImageMobject(self.images[0].copy())
        self.image.stretch_to_fit_width(self.frame.width).stretch_to_fit_height(self.frame.height)
        self.contour = VMobject(stroke_color=color, stroke_width=4, cap_style=CapStyleType.ROUND)
        self.dots = VGroup(
            *(
                Dot(radius=0.04, color=CLASS_COLORS[int(label)], stroke_color=BACKGROUND, stroke_width=1)
                for label in pair.net.y
            )
        )
        self.heading = text(title, SMALL_SIZE, color)
        self.add(self.image, self.frame, self.contour, self.dots, self.heading)
        self._shown = 0
        fit_within(self.heading, self.frame.width + 0.3, 1.0)
        self.heading.next_to(self.frame, UP, buff=0.12)
        for dot, point in zip(self.dots, self.data_to_scene(pair.net.X)):
            dot.move_to(point)
        self._draw_contour()
        # Both change only when the tracker passes a snapshot step: between those the panel is a still.
        self.image.add_updater(StepwiseUpdater(lambda _: self._update_image()))
        self.contour.add_updater(StepwiseUpdater(lambda _: self._draw_contour()))

    def snapshot(self) -> int:
        """Index of the latest precomputed map at or before the tracker's step."""
        return max(0, int(np.searchsorted(self.steps, self.tracker.get_value() + 1e-9, side="right")) - 1)

    def to_scene(self, unit: np.ndarray) -> np.ndarray:
        """[0, 1]² panel units (x right, y up) → scene points, through the frame's current place."""
        corner = self.frame.get_corner(DOWN + LEFT)
        return corner + np.column_stack([unit[:, 0] * self.frame.width, unit[:, 1] * self.frame.height, 0 * unit[:, 0]])

    def data_to_scene(self, xy: np.ndarray) -> np.ndarray:
        x0, x1, y0, y1 = self.extent
        return self.to_scene(np.column_stack([(xy[:, 0] - x0) / (x1 - x0), (xy[:, 1] - y0) / (y1 - y0)]))

    def _update_image(self) -> bool:
        """Show the current snapshot's map; whether that changed the image."""
        k = self.snapshot()
        if k == self._shown:
            return False
        self.image.pixel_array = self.images[k].copy()
        self._shown = k
        return True

    def _draw_contour(self) -> bool:
        """Place the current snapshot's contour on the frame; whether that moved it."""
        segments = self.contours[self.snapshot()]
        ends = self.to_scene(segments.reshape(-1, 2)).reshape(-1, 2, 3)
        a, b = ends[:, 0], ends[:, 1]
        # Each segment as a straight cubic Bézier: anchor, two handles on the line, anchor.
        points = np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=1).reshape(-1, 3)
        if np.array_equal(points, self.contour.points):
            return False
        self.contour.set_points(points)
        return True

    def still_contour(self) -> VMobject:
        """A copy of the current contour without updaters (to move it around)."""
        copy = self.contour.copy()
        copy.clear_updaters()
        return copy


# --- the training board: both runs, their plots and readouts ----------------------------------------


def swatch(color: str) -> VMobject:
    """A short thick line in a run's colour (as in style.legend)."""
    return VMobject(color=color, stroke_width=6).set_points_as_corners([LEFT * 0.2, RIGHT * 0.2])


def plot_title(content: str | Msg, axes: Mobject) -> Mobject:
    """A muted title right of a series_plot's y label, kept within the plot's width."""
    y_label = axes[-1]
    title = text(content, SMALL_SIZE, MUTED)
    fit_within(title, axes.x_axis.get_right()[0] - y_label.get_right()[0] - 0.3, 1.0)
    return title.next_to(y_label, RIGHT, buff=0.3)


def overlay(axes: Mobject, values: np.ndarray, tracker: ValueTracker, color: str, width: float) -> TrajectoryTrace:
    """Another series drawn on the axes of a series_plot (same step axis)."""
    trace = TrajectoryTrace(
        axes, np.column_stack([np.arange(len(values)), values]), tracker, color, dot_radius=0.04
    )
    trace.line.set_stroke(width=width)
    return trace


class TrainingBoard(Group):
    """Both runs of a PairRun side by side: decision panels on top, loss and norm plots below, readouts right.

    Parts: ``left``, ``right`` (BoundaryPanel), ``plots``, ``column``; one ``tracker``.
    """

    def __init__(self, pair: PairRun, snapshots: experiments.BoundarySnapshots, schedule_latex: str, settings: str):
        super().__init__()
        self.pair = pair
        self.tracker = tracker = ValueTracker(0)
        steps = len(pair.loss_wd) - 1
        self.left = BoundaryPanel(
            pair, snapshots, snapshots.prob_wd, tracker, DECAY_COLOR, _("constant LR + weight decay")
        )
        self.right = BoundaryPanel(
            pair, snapshots, snapshots.prob_exp, tracker, EXP_COLOR, _("exp. LR, no weight decay")
        )
        # Move whole panels (image, frame, dots, heading together); the contours follow their frames.
        self.left.shift(self.left.frame.copy().to_corner(UP + LEFT, buff=0.4).shift(0.4 * DOWN).get_center()
                        - self.left.frame.get_center())
        self.right.shift(self.left.frame.get_center() + (PANEL_WIDTH + 0.4) * RIGHT - self.right.frame.get_center())

        # Loss of both runs on one pair of axes: the wide orange line under the thin green one.
        width, height = PLOT_SIZE
        loss_plot = series_plot(pair.loss_wd, tracker, DECAY_COLOR, "L", width, height, y_max=1.0)
        loss_axes = loss_plot[0]
        loss_axes[-1].set_color(TEXT_COLOR)  # the y label names both curves
        loss_plot[1].line.set_stroke(width=9)
        loss_plot.add(overlay(loss_axes, pair.loss_exp, tracker, EXP_COLOR, 3))
        loss_plot.add(plot_title(_("training loss"), loss_axes))

        # Per-layer weight norms: level with weight decay, growing like α^(−t) without it.
        top = 1.12 * float(pair.norms_exp.max())
        layers = pair.norms_wd.shape[1]
        norm_plot = series_plot(pair.norms_exp[:, -1], tracker, EXP_COLOR, r"\|W_l\|", width, height, y_max=top)
        norm_axes = norm_plot[0]
        norm_axes[-1].set_color(TEXT_COLOR)
        for layer in range(layers - 1):
            norm_plot.add(overlay(norm_axes, pair.norms_exp[:, layer], tracker, EXP_COLOR, 3))
        for layer in range(layers):
            norm_plot.add(overlay(norm_axes, pair.norms_wd[:, layer], tracker, DECAY_COLOR, 3))
        norm_plot.add(plot_title(_("norm per layer"), norm_axes))
        # Which curves are which run's layers: a key in the plot's empty upper left.
        key = VGroup(
            *(
                VGroup(swatch(color), math(latex, SYMBOL_SIZE, color)).arrange(RIGHT, buff=0.15)
                for color, latex in ((EXP_COLOR, r"\tilde W_1, \tilde W_2"), (DECAY_COLOR, r"W_1, W_2"))
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        key.next_to(norm_axes.c2p(0, top), DOWN + RIGHT, buff=0.15).shift(0.15 * RIGHT)
        norm_plot.add(key)
        loss_plot.next_to(self.left.frame, DOWN, buff=0.45).align_to(self.left.frame, LEFT).shift(0.3 * RIGHT)
        norm_plot.next_to(self.right.frame, DOWN, buff=0.45).align_to(self.right.frame, LEFT).shift(0.3 * RIGHT)
        self.plots = Group(loss_plot, norm_plot)

        # Right column: the schedule formula, then the live readouts.
        card = formula_card(schedule_latex, settings, size=32)
        norm_ratio = np.linalg.norm(pair.params_exp, axis=1) / np.linalg.norm(pair.params_wd, axis=1)
        readouts = VGroup(
            step_counter(tracker, steps),
            readout(r"\tilde\eta_t =", pair.recipe.exp_lr_schedule, tracker, EXP_COLOR, digits=2),
            readout(r"L(\theta_t) =", pair.loss_wd, tracker, DECAY_COLOR, digits=4),
            readout(r"L(\tilde\theta_t) =", pair.loss_exp, tracker, EXP_COLOR, digits=4),
            # i18n: a live readout's name, followed by "(%) = 97.5"; keep it one or two words
            readout(r"(\%) =", 100 * pair.accuracy_wd, tracker, TEXT_COLOR, digits=1, name=_("accuracy")),
            readout(r"\|\tilde\theta_t\| / \|\theta_t\| =", norm_ratio, tracker, NORM_COLOR, digits=2),
            SciReadout(
                # i18n: a live readout's name, followed by "= 1.8 × 10⁻¹⁰": the largest relative difference so far
                # between the two runs; keep it short (abbreviated)
                r"=", np.maximum.accumulate(pair.relative_gap()), tracker, TEXT_COLOR, name=_("max rel. gap")
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        readouts.scale(1.12)  # the column has room: make the numbers easier to read
        self.column = VGroup(card, readouts).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        left_edge = self.right.frame.get_right()[0] + 0.5
        fit_within(self.column, 7.1 - 0.3 - left_edge, 7.0)
        self.column.align_to(self.left.heading, UP).set_x(left_edge + self.column.width / 2)
        # Draw what holds still during training before what moves: a chapter redraws every frame from the first
        # mobject that moves on, so the axes, titles, key, card and readout names stay in the static frame.
        # ``plots`` and ``column`` still group the parts for layout and for fading in.
        traces = [part for plot in (loss_plot, norm_plot) for part in plot if isinstance(part, TrajectoryTrace)]
        stills = [part for plot in (loss_plot, norm_plot) for part in plot if not isinstance(part, TrajectoryTrace)]
        stills += [card, *(row[0] for row in readouts)]  # a readout row is its name, then its number
        numbers = [part for row in readouts for part in row[1:]]
        self.add(self.left, self.right, *stills, *traces, *numbers)

    def gap(self) -> float:
        """Largest relative difference between the runs (loss and per-point probability) over the run."""
        return float(self.pair.relative_gap().max())


# --- the network diagram -------------------------------------------------------------------------------


def network_diagram() -> VGroup:
    """x → [W_l → BN → ReLU] × 2 → frozen readout r → loss, as boxes; ``.trained`` and ``.frozen`` name parts."""
    size = READOUT_SIZE

    def box(label: Mobject, stroke: str, dashed: bool = False) -> VGroup:
        frame: VMobject = RoundedRectangle(corner_radius=0.12, width=max(1.05, label.width + 0.3), height=0.8)
        if dashed:  # frozen: not trained
            frame = DashedVMobject(frame, num_dashes=24)
        frame.set_stroke(stroke, 2.5)
        return VGroup(frame, label.move_to(frame))

    widths = [int(w) for w, _unused in experiments.bn_pair().net.shapes]
    trained = [box(math(rf"W_{{{i + 1}}}", size), TEXT_COLOR) for i in range(len(widths))]
    hidden = [
        VGroup(w, box(text("BN", CAPTION_SIZE), MUTED), box(text("ReLU", CAPTION_SIZE), MUTED)) for w in trained
    ]
    readout_box = box(math("r", size, MUTED), MUTED, dashed=True)
    chain = [box(math(r"x \in \mathbb{R}^2", size), MUTED)]
    for layer in hidden:
        chain.extend(layer)
    # i18n: the last box of the network diagram (the loss function); a single short word
    chain += [readout_box, box(text(_("loss"), CAPTION_SIZE), MUTED)]
    row = VGroup(*chain).arrange(RIGHT, buff=0.38)
    arrows = VGroup(
        *(Arrow(a.get_right(), b.get_left(), buff=0.04, stroke_width=2.5, color=MUTED, tip_length=0.14,
                max_tip_length_to_length_ratio=0.5) for a, b in itertools.pairwise(chain))
    )
    braces = VGroup()
    for i, (layer, width) in enumerate(zip(hidden, widths)):
        brace = Brace(layer, UP, color=MUTED)
        # i18n: a brace over one layer of the diagram; layer is its number (1, 2), units its width (e.g. 16)
        label = text(_("hidden layer {layer}: {units} units").format(layer=i + 1, units=width), SMALL_SIZE, MUTED)
        label.next_to(brace, UP, 0.1)
        braces.add(VGroup(brace, label))
    notes = VGroup(
        # i18n: under a weight box of the diagram: these weights are trained (adjective, one word)
        *(text(_("trained"), SMALL_SIZE, TEXT_COLOR).next_to(w, DOWN, buff=0.15) for w in trained),
        # i18n: under the readout box of the diagram: these weights are frozen, not trained (adjective, one word)
        text(_("frozen"), SMALL_SIZE, MUTED).next_to(readout_box, DOWN, buff=0.15),
    )
    diagram = VGroup(row, arrows, braces, notes)
    diagram.trained = VGroup(*trained)
    diagram.frozen = readout_box
    return diagram


def class_legend() -> VGroup:
    """A dot per class in its colour, with the class's name."""
    return VGroup(
        *(
            # i18n: legend entry for a class of the data set; index is 0 or 1
            VGroup(Dot(radius=0.08, color=color), text(_("class {index}").format(index=i), SMALL_SIZE)).arrange(
                RIGHT, buff=0.15
            )
            for i, color in enumerate(CLASS_COLORS)
        )
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)


def rescale(pair: PairRun, factors: Sequence[float]) -> np.ndarray:
    """θ_0 with W_l multiplied by factors[l]."""
    return np.concatenate([c * W.ravel() for c, W in zip(factors, pair.net.unflatten(pair.params_wd[0]))])


# --- the chapter -------------------------------------------------------------------------------------------


class RealNetwork(ChapterScene):
    def construct(self) -> None:
        # i18n: the chapter's subtitle; "two moons" is the name of the toy data set (two interleaved half circles)
        self.title_card(_("two moons, a two-layer batch-norm network"))
        pair, pair_m = experiments.bn_pair(experiments.BN), experiments.bn_pair(experiments.BN_MOMENTUM)
        theorem, heavy_ball = derivations.theorem_2_1(), derivations.momentum_theorem()
        board = TrainingBoard(
            pair, experiments.bn_boundaries(experiments.BN), step_named(theorem, "exp_lr_schedule"),
            f"η = {pair.recipe.lr:g},  λ = {pair.recipe.weight_decay:g},  α = 1 − ηλ = {pair.recipe.alpha:g}",
        )
        board_m = TrainingBoard(
            pair_m, experiments.bn_boundaries(experiments.BN_MOMENTUM),
            step_named(heavy_ball, "exp_lr_schedule"),
            f"γ = {pair_m.recipe.momentum:g},  η = {pair_m.recipe.lr:g},  λ = {pair_m.recipe.weight_decay:g},  "
            f"α = {pair_m.recipe.alpha:.4f}",
        )
        steps = len(pair.loss_wd) - 1

        # The network and why the theorem applies to it exactly.
        diagram = network_diagram()
        fit_within(diagram, 13.2, 3.0)
        diagram.to_edge(UP, buff=0.45)
        widths = [int(w) for w, _unused in pair.net.shapes]
        self.caption(
            # i18n: layers is how many hidden layers (2), units how many units each has (e.g. 16)
            _("A real network: {layers} hidden layers of {units} units, each followed by batch norm.").format(
                layers=len(widths), units=widths[0]
            ),
            Create(diagram[0]), Create(diagram[1]), FadeIn(diagram[2]), run_time=2.5,
            # i18n: layers is how many hidden layers (2), units how many units each has (e.g. 16)
            say=_(
                "From the toy to a real network: {layers} hidden layers of {units} units, each followed by batch norm."
            ).format(layers=len(widths), units=widths[0]),
        )
        self.caption(
            # i18n: r is the name of the readout layer in the diagram
            _("Only weights feeding a batch norm are trained; the readout r stays frozen."),
            FadeIn(diagram[3]), Indicate(diagram.trained, 1.1, color=TEXT_COLOR),
            Indicate(diagram.frozen, 1.1, color=MUTED),
            run_time=2.0,
            say=_("Only weights that feed a batch norm are trained; the last readout layer stays frozen."),
        )
        factors = experiments.BN_RESCALE
        check = VGroup(
            math(rf"L(W_1, W_2) = {pair.net.loss(pair.params_wd[0]):.6f}", 34),
            math(
                rf"L({factors[0]:g}\,W_1,\ {factors[1]:g}\,W_2) = {pair.net.loss(rescale(pair, factors)):.6f}", 34
            ),
        ).arrange(DOWN, aligned_edge=RIGHT, buff=0.3)
        # i18n: above two formulas: the loss at the first step, with the weights as they are and rescaled
        heading = text(_("at the start:"), SMALL_SIZE, MUTED).next_to(check, UP, buff=0.3).align_to(check, LEFT)
        check_group = VGroup(heading, check).move_to([-3.6, -1.2, 0])
        self.caption(
            _("So rescaling W₁ or W₂ changes nothing: the loss is scale invariant."),
            FadeIn(check_group), run_time=1.5,
            say=_("So rescaling either layer's weights leaves the loss unchanged: it is scale invariant."),
        )

        # The data, drawn as the left panel will show it.
        data_view = VGroup(board.left.frame.copy(), board.left.dots.copy())
        data_view.scale(1.15).move_to([2.8, -1.3, 0])
        legend = class_legend().next_to(data_view, RIGHT, buff=0.3).align_to(data_view, UP)
        self.caption(
            # i18n: points is how many data points there are (e.g. 200)
            _("The data: {points} points on two interleaved moons, one class each.").format(points=len(pair.net.y)),
            FadeIn(data_view), FadeIn(legend), run_time=1.5,
        )

        # Train twice: the board.
        self.play(
            FadeOut(diagram), FadeOut(check_group), FadeOut(legend),
            ReplacementTransform(data_view, VGroup(board.left.frame, board.left.dots)), run_time=1.5,
        )
        self.bring_to_back(board.left.image)  # under the frame and the points it fades in behind
        self.caption(
            _("Train twice: constant LR with weight decay, and Theorem 2.1's exponential LR without it."),
            FadeIn(board.left.image), FadeIn(board.left.contour), FadeIn(board.left.heading),
            FadeIn(board.right), FadeIn(board.plots), FadeIn(board.column), run_time=1.5,
            say=_("Left: constant rate with weight decay. Right: the exponential rate from Theorem 2.1."),
        )
        # From here on the board is one mobject: swap the pieces brought in one by one for it.
        self.remove(*(mob for mob in self.mobjects if mob is not self._caption))
        self.add(board)
        tracker = board.tracker
        with self.highlight():
            self.caption(
                _("The two loss curves lie on top of each other, step after step."),
                tracker.animate(rate_func=linear).set_value(steps // 5), run_time=5.0,
                say=_("Below, the two loss curves lie on top of each other, step after step."),
            )
            self.caption(
                _("Weight decay keeps the norms level; without it they grow like α⁻ᵗ."),
                tracker.animate(rate_func=linear).set_value(steps), run_time=5.0,
                say=_("Weight decay keeps the orange norms level; without it, the green norms grow exponentially."),
            )
        board.suspend_updating()  # trained: from here on the board is a still
        moved = board.right.still_contour()
        self.caption(
            # i18n: gap is a small number in scientific notation, e.g. "1.8 × 10⁻¹⁰"
            _("The green boundary covers the orange; the runs differ by at most {gap}.").format(
                gap=sci_text(board.gap())
            ),
            moved.animate.shift(board.left.frame.get_center() - board.right.frame.get_center()), run_time=2.0,
            # i18n: spoken; power is a whole number (e.g. 9): the runs differ by less than 10^(-power)
            say=_(
                "The green boundary covers the orange; the runs differ by less than ten to the minus {power}."
            ).format(power=-power_above(board.gap())),
        )
        self.play(FadeOut(moved), run_time=0.5)

        # With momentum: the exact twin needs α from a quadratic, and a matched start for the buffer.
        self.caption(
            # i18n: momentum is the momentum coefficient γ (e.g. 0.9)
            _("With momentum (γ = {momentum:g}) the matching schedule works just as well.").format(
                momentum=pair_m.recipe.momentum
            ),
            FadeOut(board), FadeIn(board_m), run_time=1.5,
            # i18n: spoken; momentum is the momentum coefficient γ (e.g. 0.9)
            say=_("With momentum {momentum:g}, the matching exponential schedule works just as well.").format(
                momentum=pair_m.recipe.momentum
            ),
        )
        self.caption(
            # i18n: gap is a small number in scientific notation, e.g. "1.8 × 10⁻¹⁰"
            _("Same loss, same boundaries: the runs differ by at most {gap}.").format(gap=sci_text(board_m.gap())),
            board_m.tracker.animate(rate_func=linear).set_value(steps), run_time=5.0,
            # i18n: spoken; power is a whole number (e.g. 9): the runs differ by less than 10^(-power)
            say=_("Same loss, same boundaries: the runs differ by less than ten to the minus {power}.").format(
                power=-power_above(board_m.gap())
            ),
        )
        board_m.suspend_updating()
        accuracy = 100 * float(pair_m.accuracy_wd[-1])
        self.caption(
            # i18n: accuracy is a percentage (e.g. 97.5) on the training data
            _("On a real network the two recipes are one: both reach {accuracy:.1f} % accuracy.").format(
                accuracy=accuracy
            ),
            # i18n: spoken; accuracy is a percentage rounded to a whole number (e.g. 98)
            say=_("On this network the two recipes are one, both at {accuracy:.0f} percent accuracy. "
                  "What does that buy?").format(accuracy=accuracy),
        )
        self.clear_caption()
