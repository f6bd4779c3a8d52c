"""Chapter: Lemma 1 derived by sympy, then its picture: −∇L is orthogonal to θ and shrinks like 1/‖θ‖."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    UR,
    Arc,
    Arrow,
    Axes,
    Circle,
    Create,
    DashedLine,
    DashedVMobject,
    FadeIn,
    FadeOut,
    GrowArrow,
    Line,
    VGroup,
    VMobject,
    Write,
    config,
)

from mathcore import derivations, experiments
from scenes.i18n import _
from scenes.style import (
    CAPTION_SIZE,
    EMPHASIS_SIZE,
    FORMULA_HOLD,
    GRAD_COLOR,
    MUTED,
    NORM_COLOR,
    PANEL_EXTENT,
    PANEL_SIDE,
    READOUT_SIZE,
    SMALL_SIZE,
    TEXT_COLOR,
    ChapterScene,
    loss_heatmap,
    math,
    minimum_rays,
    plane_panel,
    text,
    to_panel_place,
    valley_basin,
)
from scenes.style.narration import Said

#: The field's grid stops short of the panel edge so that no arrow pokes out of the panel.
FIELD_EXTENT = 2.0
#: Left edge of the derivation column (it is about 7.7 units wide, so this centres it).
DERIVATION_LEFT = -3.8
#: Gradient-field grid: points per axis, and the hole around the origin where ∇L blows up.
FIELD_COUNT = 11
FIELD_HOLE = 0.6
#: Display scale: this percentile of arrow lengths fills a grid cell; the few longer ones are capped.
FIELD_PERCENTILE = 90
#: The two circles whose loss profiles are compared.
RADII = (1.0, 2.0)

#: Lemma 1 in two passes: (step key in mathcore, what the bottom caption says while it is written).
#: A caption is a Said(caption, say) when the narrator says it differently.
ORTHOGONALITY = (
    ("differentiate_c", Said(_("Differentiate both sides in c."),
                             _("Differentiate both sides with respect to c; the chain rule brings out theta."))),
    ("orthogonality", Said(_("At c = 1: the gradient is orthogonal to θ."),
                           _("Set c to one: the gradient's dot product with theta is zero. They are orthogonal."))),
)
SCALING = (
    ("differentiate_coordinate", Said(_("Differentiate in x instead ..."),
                                      _("Now differentiate the same identity in the first weight, x, instead ..."))),
    ("gradient_scaling", Said(_("... so ∇L at cθ is ∇L at θ divided by c."),
                              _("... so the gradient at c times theta is the gradient at theta, divided by c."))),
    ("hessian_scaling", Said(_("Once more: the Hessian shrinks like 1/c²."),
                             _("Once more, and the curvature, the Hessian, shrinks like one over c squared."))),
)
PREMISE = ("scale_invariance", Said(_("Scale invariance: scaling the weights by c > 0 keeps the loss."),
                                    _("Start from scale invariance: scaling the weights by any positive c "
                                      "keeps the loss.")))
#: The label above each step's formula: mathcore's caption of the step (theta as θ, ^2 as ²) as a message,
#: since mathcore stays language-free; step_block checks that each still matches mathcore's caption.
STEP_LABELS = {
    # i18n: Label above a formula of the derivation.
    "scale_invariance": _("Scale invariance, for every c > 0"),
    # i18n: Label above a formula of the derivation: differentiate (a verb, an instruction) with respect to c.
    "differentiate_c": _("Differentiate in c"),
    # i18n: Label above a formula of the derivation.
    "orthogonality": _("At c = 1: the gradient is orthogonal to θ"),
    # i18n: Label above a formula of the derivation: differentiate (a verb) with respect to the coordinate x.
    "differentiate_coordinate": _("Differentiate in x (chain rule)"),
    # i18n: Label above a formula of the derivation: each component of the gradient scales like 1/c.
    "gradient_scaling": _("Every component: the gradient scales like 1/c"),
    # i18n: Label above a formula of the derivation.
    "hessian_scaling": _("The Hessian scales like 1/c²"),
}


def step_block(derivation: derivations.Derivation, key: str) -> VGroup:
    """A derivation step as its (muted) caption above its formula, both left-aligned."""
    step = derivation.step(key)
    caption = STEP_LABELS[key]
    if step.caption.replace("theta", "θ").replace("^2", "²") != caption.english:
        raise ValueError(f"mathcore's caption {step.caption!r} of step {key!r} changed: update STEP_LABELS to match")
    label = text(caption, SMALL_SIZE, MUTED)
    formula = math(step.latex, 44)
    return VGroup(label, formula).arrange(DOWN, aligned_edge=LEFT, buff=0.12)


def nice_factor(value: float) -> float:
    """``value`` rounded down to two significant digits (a display scale a viewer can read)."""
    power = 10.0 ** (np.floor(np.log10(value)) - 1)
    return float(np.floor(value / power) * power)


def field_arrows(axes: Axes, points: np.ndarray, grads: np.ndarray, factor: float, cap: float) -> tuple[VGroup, int]:
    """Arrows of −∇L·factor (data units) centred on ``points``, capped at ``cap``; and how many were capped."""
    descent = -grads * factor
    lengths = np.linalg.norm(descent, axis=1)
    capped = lengths > cap
    descent[capped] *= (cap / lengths[capped])[:, None]
    arrows = VGroup()
    for point, vector in zip(points, descent):
        arrows.add(
            Arrow(
                axes.c2p(*(point - vector / 2)),
                axes.c2p(*(point + vector / 2)),
                buff=0,
                color=GRAD_COLOR,
                stroke_width=3,
                tip_length=0.12,
                max_tip_length_to_length_ratio=0.4,
                max_stroke_width_to_length_ratio=8,
            )
        )
    return arrows, int(capped.sum())


def arc_profile_plot(
    radius: float, window: tuple[float, float], unit: float, y_range: tuple[float, float], marked: float
) -> VGroup:
    """The loss along the arc of radius ``radius`` over ``window``, against arc length s.

    ``unit`` is scene units per unit of s, the same for every radius, so a bigger circle's plot is
    proportionally wider. The point at angle ``marked`` gets a tangent labelled with its slope f'(φ)/r.
    """
    loss = experiments.loss()
    start, stop = window
    length = radius * (stop - start)
    low, high = y_range
    axes = Axes(
        x_range=[0, length, length],
        y_range=[low, high, high - low],
        x_length=unit * length,
        y_length=1.35,
        tips=False,
        axis_config={"color": MUTED, "stroke_width": 2, "include_ticks": False},
    )
    s = np.linspace(0, length, 240)
    values = loss.profile(start + s / radius)
    curve = VMobject(color=TEXT_COLOR, stroke_width=3)
    curve.set_points_smoothly(axes.coords_to_point(np.column_stack([s, values])))
    at = radius * (marked - start)
    height = float(loss.profile(np.array([marked]))[0])
    slope = float(loss.profile_derivative(np.array([marked]))[0]) / radius  # dL/ds along the circle
    half = 0.3  # the same half-width in s on every plot, so the tilts compare directly
    tangent = Line(
        axes.c2p(at - half, height - half * slope),
        axes.c2p(at + half, height + half * slope),
        color=GRAD_COLOR,
        stroke_width=6,
    )
    s_label = math("s", READOUT_SIZE, MUTED).next_to(axes.x_axis.get_right(), RIGHT, buff=0.12)
    name = text(f"r = {radius:g}", SMALL_SIZE, NORM_COLOR).next_to(axes.y_axis.get_top(), UP, buff=0.1)
    # The slope goes in the plot's title line, clear of the curve; the colour ties it to the tangent.
    # i18n: Title of a small plot: the slope of the curve at the marked point; {slope} is a number like 1.25.
    slope_text = _("slope there: {slope:.2f}").format(slope=abs(slope))
    slope_label = text(slope_text, SMALL_SIZE, GRAD_COLOR).next_to(name, RIGHT, buff=0.5)
    group = VGroup(axes, curve, s_label, name, tangent, slope_label)
    group.slope = abs(slope)
    return group


class LemmaOne(ChapterScene):
    def construct(self) -> None:
        self.title_card()
        leftover = self.derivation()
        self.gradient_picture(leftover)

    def derivation(self) -> VGroup:
        """Lemma 1 from scale invariance, in two passes that share the premise; returns what is still shown."""
        lemma = derivations.lemma_1()
        # i18n: A corner note: the formulas below were derived by the computer-algebra program SymPy.
        source = text(_("derived by sympy"), SMALL_SIZE, MUTED).to_corner(UR, buff=0.35)
        premise = step_block(lemma, PREMISE[0]).to_edge(UP, buff=0.5).set_x(DERIVATION_LEFT, LEFT)
        self.add(source)
        self.caption(PREMISE[1].caption, Write(premise), say=PREMISE[1].say, run_time=1.5)

        # The hold keeps the last formula of each pass up ≥ 3 s with its caption; the second pass stays.
        for steps, hold in ((ORTHOGONALITY, FORMULA_HOLD), (SCALING, FORMULA_HOLD + 0.5)):
            blocks = VGroup(*(step_block(lemma, key) for key, _said in steps))
            blocks.arrange(DOWN, aligned_edge=LEFT, buff=0.4).next_to(premise, DOWN, buff=0.45, aligned_edge=LEFT)
            self.write_rows(blocks, [(said, 1) for _key, said in steps], hold, run_time=1.5, clear=steps is not SCALING)
        return VGroup(premise, source, blocks)

    def gradient_picture(self, leftover: VGroup) -> None:
        """The descent field on the toy loss, then one valley's profile around two circles; fades ``leftover``."""
        loss = experiments.loss()
        axes = to_panel_place(plane_panel(PANEL_EXTENT, side=PANEL_SIDE))
        heat, rays = loss_heatmap(axes, PANEL_EXTENT), minimum_rays(axes, PANEL_EXTENT)
        origin = axes.c2p(0, 0)
        hole = DashedVMobject(
            Circle(radius=axes.x_axis.unit_size * FIELD_HOLE, color=TEXT_COLOR, stroke_width=2).move_to(origin),
            num_dashes=24,
        )

        # Display scale: the FIELD_PERCENTILE-th arrow fills 90% of a grid cell, rounded down to two
        # digits so it can be stated; the few longer arrows are capped at that length.
        points, grads = experiments.gradient_field(FIELD_EXTENT, FIELD_COUNT, FIELD_HOLE)
        cell = 0.9 * 2 * FIELD_EXTENT / (FIELD_COUNT - 1)
        factor = nice_factor(cell / np.percentile(np.linalg.norm(grads, axis=1), FIELD_PERCENTILE))
        arrows, capped = field_arrows(axes, points, grads, factor, cell)

        swatch = Arrow(0.6 * LEFT, 0.6 * RIGHT, buff=0, color=GRAD_COLOR, stroke_width=5, tip_length=0.18)
        # i18n: Legend entry beside an arrow and the formula −∇L: what the pink arrows show.
        direction = text(_("the descent direction"), SMALL_SIZE)
        key = VGroup(swatch, math(r"-\nabla L", EMPHASIS_SIZE, GRAD_COLOR), direction)
        key.arrange(RIGHT, buff=0.25)
        notes = VGroup(
            key,
            # i18n: The arrows are drawn {factor} times their true length (a scale factor such as 0.47).
            text(_("drawn at {factor:g} × true length").format(factor=factor), SMALL_SIZE, MUTED),
            # i18n: {count} is how many of the longest arrows are shortened (capped) for the picture.
            text(_("(the {count} longest are capped)").format(count=capped), SMALL_SIZE, MUTED),
            # i18n: No arrows are drawn inside the circle of radius {radius} around 0, where the gradient blows up.
            text(_("none inside ‖θ‖ < {radius:g}: ∇L blows up at 0").format(radius=FIELD_HOLE), SMALL_SIZE, MUTED),
        )
        notes.arrange(DOWN, aligned_edge=LEFT, buff=0.22).next_to(axes, RIGHT, buff=0.7).align_to(axes, UP)

        # The heat-map is dimmed so the arrows stand out against it.
        self.play(FadeOut(leftover), FadeIn(heat), Create(axes), Create(rays), run_time=1.2)
        self.caption(
            _("−∇L on our toy loss: always at right angles to θ."),
            heat.animate.set_opacity(0.5),
            *(GrowArrow(a) for a in arrows),
            Create(hole),
            FadeIn(notes),
            say=_("The pink arrows point downhill on our toy loss. Each one is at right angles to theta."),
            run_time=2.0,
        )

        # The steepest ray on the deep valley's flank: there the arrows at r = 1 and r = 2 are drawn
        # exactly (never capped), so their lengths compare.
        window = valley_basin(0)
        phi = np.linspace(*window, 4000)
        marked = float(phi[np.argmax(np.abs(loss.profile_derivative(phi)))])
        ray = np.array([np.cos(marked), np.sin(marked)])
        highlighted, readings = VGroup(), VGroup()
        for radius in RADII:
            point = radius * ray
            descent = -loss.grad(point)
            highlighted.add(
                Arrow(axes.c2p(*point), axes.c2p(*(point + factor * descent)), buff=0, color=GRAD_COLOR,
                      stroke_width=8, tip_length=0.22, max_tip_length_to_length_ratio=0.4)
            )
            readings.add(
                VGroup(
                    # i18n: Before a formula for the gradient's length: at the point at radius r = {radius}.
                    text(_("at r = {radius:g}:").format(radius=radius), CAPTION_SIZE, NORM_COLOR),
                    math(rf"\|\nabla L\| = {np.linalg.norm(descent):.2f}", EMPHASIS_SIZE, GRAD_COLOR),
                ).arrange(RIGHT, buff=0.2)
            )
        radius_line = DashedLine(origin, axes.c2p(*(RADII[-1] * ray)), color=NORM_COLOR, stroke_width=3)
        readings.arrange(DOWN, aligned_edge=LEFT, buff=0.25).next_to(notes, DOWN, buff=0.5, aligned_edge=LEFT)
        self.caption(
            _("Twice as far out along a ray: half the gradient."),
            arrows.animate.set_opacity(0.25),
            Create(radius_line),
            GrowArrow(highlighted[0]),
            GrowArrow(highlighted[1]),
            FadeIn(readings),
            # i18n: {inner_radius} and {outer_radius} are the radii of the two points compared (e.g. 1 and 2).
            say=_("Along one ray, compare radius {inner_radius:g} and radius {outer_radius:g}: "
                  "twice as far out, half the gradient.").format(inner_radius=RADII[0], outer_radius=RADII[1]),
            run_time=1.5,
            hold=1.6,
        )

        # The deep valley's profile around both circles: same values, spread over twice the arc length.
        arcs, arc_labels = VGroup(), VGroup()
        for radius in RADII:
            arcs.add(Arc(radius=radius * axes.x_axis.unit_size, start_angle=window[0], angle=window[1] - window[0],
                         arc_center=origin, color=NORM_COLOR, stroke_width=6))
            outward = np.array([np.cos(window[0]), np.sin(window[0]), 0.0])
            end = axes.c2p(*(radius * outward[:2]))
            arc_labels.add(text(f"r = {radius:g}", SMALL_SIZE, NORM_COLOR).next_to(end, outward, buff=0.12))
        values = loss.profile(phi)
        y_range = (float(values.min()) - 0.05, float(values.max()) + 0.05)
        left = notes.get_left()[0]
        unit = (config.frame_width / 2 - 0.5 - left - 0.5) / (RADII[-1] * (window[1] - window[0]))
        plots = VGroup(*(arc_profile_plot(radius, window, unit, y_range, marked) for radius in RADII))
        # i18n: Heading of two small plots; "s" is the math symbol of their horizontal axis, the arc length.
        heading = text(_("loss along each arc (s: arc length)"), SMALL_SIZE, MUTED)
        column = VGroup(heading, *plots).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        column.next_to(axes, RIGHT, buff=0.7).align_to(axes, UP)

        self.play(FadeOut(notes), FadeOut(readings), FadeOut(arrows), FadeOut(hole), run_time=0.5)
        self.caption(
            # i18n: {inner_radius} and {outer_radius} are the radii of the two circles (e.g. 1 and 2).
            _("The deep valley's profile, around circles of radius {inner_radius:g} and {outer_radius:g} ...").format(
                inner_radius=RADII[0], outer_radius=RADII[1]
            ),
            Create(arcs),
            FadeIn(arc_labels),
            FadeIn(heading),
            *(FadeIn(VGroup(*plot[:4])) for plot in plots),
            # i18n: {inner_radius} and {outer_radius} are the radii of the two circles (e.g. 1 and 2).
            say=_("Why? Take the deep valley's profile around the circles of radius {inner_radius:g} and "
                  "{outer_radius:g} ...").format(inner_radius=RADII[0], outer_radius=RADII[1]),
            run_time=2.0,
        )
        ratio = plots[0].slope / plots[1].slope
        self.caption(
            # i18n: {stretch}: how many times longer the bigger circle's arc is (e.g. 2); {ratio}: how many times
            # flatter its profile and smaller its gradient (e.g. 2). Both are followed by "×" as in "2×".
            _("... is stretched {stretch:g}× on the bigger one: {ratio:.0f}× flatter, {ratio:.0f}× smaller gradient.")
            .format(stretch=RADII[1] / RADII[0], ratio=ratio),
            *(Create(plot[4]) for plot in plots),
            *(FadeIn(plot[5]) for plot in plots),
            # i18n: {stretch}: how many times longer the bigger circle's arc is (e.g. 2); {ratio}: how many times
            # smaller its gradient is (e.g. 2).
            say=_("... stretched {stretch:g} fold on the bigger one, so {ratio:.0f} times less gradient. "
                  "What does gradient descent do?").format(stretch=RADII[1] / RADII[0], ratio=ratio),
            run_time=1.5,
            hold=2.2,
        )
        self.clear_caption()
