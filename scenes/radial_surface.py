"""Chapter: the toy loss as a 3-D surface that is constant along every ray, then from above: rays are contours."""

from __future__ import annotations

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    Line,
    Surface,
    ThreeDAxes,
    ValueTracker,
    VGroup,
    linear,
    rgb_to_color,
)

from mathcore import experiments
from scenes.i18n import _
from scenes.style import (
    KEY_SIZE,
    LABEL_SIZE,
    MUTED,
    NORM_COLOR,
    PANEL_EDGE_BUFF,
    PANEL_EXTENT,
    PANEL_RAISE,
    PANEL_SIDE,
    SMALL_SIZE,
    TEXT_COLOR,
    ChapterThreeDScene,
    TrajectoryTrace,
    loss_heatmap,
    loss_rgb,
    math,
    minimum_rays,
    plane_panel,
    readout,
    text,
)

#: The surface covers the annulus RADII (the loss is undefined at the origin, and steep near it).
RADII = (0.3, 2.0)
#: Faces along r and along φ. The surface is constant along r, so one radial face is exact (each face is
#: ruled by rays); φ needs enough to resolve the narrowest valley (about 6° wide). Each face is shaded,
#: depth-sorted and drawn separately every frame the camera moves: the face count is the 3-D part's cost.
RESOLUTION = (1, 120)
#: Pieces per 3-D axis (manim's default is 20): the pieces let the axes sort in depth against the surface, and
#: every piece's shading scans its whole axis, so the cost grows with the square of this number.
AXIS_PIECES = 4
#: Scene units of height for the loss's whole range.
HEIGHT = 1.8
#: The dot slides along the ray through θ₀ between these radii; values are precomputed per sample.
SLIDE = (0.4, 2.0)
SLIDE_SAMPLES = 161
#: Camera: where the 3-D view starts, and how far the orbit turns (the orbit must stay ≤ 6 s).
START_PHI, START_THETA = 62 * DEGREES, -125 * DEGREES
#: Camera zoom while the surface is shown in 3-D (back to 1 for the flat map, which then matches a 2-D panel).
ZOOM = 1.35
ORBIT = 70 * DEGREES
ORBIT_SECONDS = 5.5
#: Where the light goes for the flat map: far away in the plane, so it grazes flat faces and adds nothing.
LIGHT_HORIZON = (-1000.0, -1000.0, 0.0)


def profile_bounds() -> tuple[float, float]:
    """The loss's smallest and largest value (over a fine grid of angles): the ends of the colour scale."""
    values = experiments.loss().profile(np.linspace(-np.pi, np.pi, 7200, endpoint=False))
    return float(values.min()), float(values.max())


def loss_surface(axes: ThreeDAxes) -> Surface:
    """z = L(θ) over the annulus, parametrised by (r, φ); each face coloured like the heat-map at its angle."""
    loss = experiments.loss()

    def point(r: float, phi: float) -> np.ndarray:
        return axes.c2p(r * np.cos(phi), r * np.sin(phi), float(loss.profile(np.array(phi))))

    surface = Surface(point, u_range=RADII, v_range=(0, 2 * np.pi), resolution=RESOLUTION,
                      stroke_width=0.3, stroke_color=TEXT_COLOR, stroke_opacity=0.15, fill_opacity=1.0,
                      checkerboard_colors=False)
    middles = np.array([(face.v1 + face.v2) / 2 for face in surface])
    colors = loss_rgb(loss.profile(middles), profile_bounds())
    for face, rgb in zip(surface, colors):
        face.set_fill(rgb_to_color(rgb), opacity=1.0)
    return surface


def loss_against_norm(norms: np.ndarray, values: np.ndarray, tracker: ValueTracker) -> VGroup:
    """L(θ) against ‖θ‖ for the sliding point, drawn as it moves; the y-axis spans the loss's whole range.

    Heights are measured from the lowest loss, so the ‖θ‖-axis runs along the bottom.
    """
    low, high = profile_bounds()
    axes = Axes(
        x_range=[0, SLIDE[1], 0.5],
        y_range=[0, high - low, high - low],
        x_length=4.0,
        y_length=2.2,
        tips=False,
        axis_config={"color": MUTED, "stroke_width": 2, "font_size": LABEL_SIZE},
        x_axis_config={"numbers_to_include": np.arange(0.5, SLIDE[1] + 0.25, 0.5)},
        y_axis_config={"include_ticks": False},
    )
    axes.add(math(r"\|\theta\|", LABEL_SIZE, NORM_COLOR).next_to(axes.x_axis.get_right(), RIGHT, buff=0.15))
    axes.add(math(r"L", LABEL_SIZE, TEXT_COLOR).next_to(axes.y_axis.get_top(), UP, buff=0.1))
    # i18n: Marks the bottom of the loss axis of a small plot (the smallest loss value); keep it very short.
    lowest = _("lowest")
    # i18n: Marks the top of the loss axis of a small plot (the largest loss value); keep it very short.
    highest = _("highest")
    for value, name in ((0.0, lowest), (high - low, highest)):
        axes.add(text(name, SMALL_SIZE, MUTED).next_to(axes.c2p(0, value), LEFT, buff=0.15))
    trace = TrajectoryTrace(axes, np.column_stack([norms, values - low]), tracker, NORM_COLOR, dot_radius=0.06)
    return VGroup(axes, trace)


class RadialSurface(ChapterThreeDScene):
    def construct(self) -> None:
        self.title_card()
        axes, surface, ray_line = self.surface_view()
        self.top_view(axes, surface, ray_line)

    def surface_view(self) -> tuple[ThreeDAxes, Surface, Line]:
        """The surface, the camera orbiting it, and one ray drawn on it at constant height."""
        low, high = profile_bounds()
        axes = ThreeDAxes(
            x_range=[-PANEL_EXTENT, PANEL_EXTENT, 1],
            y_range=[-PANEL_EXTENT, PANEL_EXTENT, 1],
            z_range=[low, high, high - low],
            x_length=PANEL_SIDE, y_length=PANEL_SIDE, z_length=HEIGHT, tips=False,
            axis_config={"color": MUTED, "stroke_width": 2, "include_ticks": False},
            num_axis_pieces=AXIS_PIECES,
        )
        # z = 0 (the loss's top) sits on the plane of the flat map that comes later.
        axes.shift(-axes.c2p(0, 0, 0))
        surface = loss_surface(axes)

        # The ray through θ₀, drawn on the surface at the (constant) height of the loss along it.
        start = np.array(experiments.START)
        direction = start / np.linalg.norm(start)
        height = float(experiments.loss().value(start))
        ray_line = Line(axes.c2p(*(RADII[0] * direction), height), axes.c2p(*(RADII[1] * direction), height),
                        color=NORM_COLOR, stroke_width=6)

        # Aim at the middle of the surface's height, so it sits in the middle of the frame.
        self.set_camera_orientation(phi=START_PHI, theta=START_THETA, zoom=ZOOM,
                                    frame_center=axes.c2p(0, 0, (low + high) / 2))
        self.caption(
            _("A toy loss of two weights θ: the height is the loss L(θ)."),
            Create(axes),
            FadeIn(surface),
            say=_("Here is a toy loss of just two weights. The height of the surface is the loss."),
            run_time=2.0,
        )
        with self.highlight():  # the part `make stills` turns into this chapter's GIF
            self.caption(
                _("Walk out along any ray from the centre: the height never changes."),
                self.camera.theta_tracker.animate.set_value(START_THETA + ORBIT),
                Create(ray_line, run_time=2.0),
                say=_("Walk outward along any ray from the centre, like the yellow one: the height never changes."),
                run_time=ORBIT_SECONDS,
                hold=0.5,
            )
        return axes, surface, ray_line

    def top_view(self, axes: ThreeDAxes, surface: Surface, ray_line: Line) -> None:
        """From above the surface is the heat-map; a dot slides out along a ray and L does not change."""
        self.caption(
            _("Look from straight above ..."),
            self.camera.phi_tracker.animate.set_value(0),
            self.camera.theta_tracker.animate.set_value(-90 * DEGREES),
            self.camera.zoom_tracker.animate.set_value(1),
            self.camera._frame_center.animate.move_to(ORIGIN),
            say=_("Now look at it from straight above ..."),
            run_time=2.5,
            hold=0.3,
        )
        # Flatten onto z = 0; with the camera straight above, the flat surface is the heat-map.
        panel = plane_panel(PANEL_EXTENT, PANEL_SIDE)
        heat = loss_heatmap(panel, PANEL_EXTENT)
        rays = minimum_rays(panel, PANEL_EXTENT)
        flat_line = ray_line.copy().set_z(0)
        # The camera lights the surface from above, which washes out the flat colours: the light sinks to
        # the horizon while the surface flattens, so the flat faces end up unlit, coloured like the map.
        light = self.camera.light_source
        sunset = ValueTracker(0)
        lit, horizon = light.get_center(), np.array(LIGHT_HORIZON)
        sunset.add_updater(lambda m: light.move_to(lit + m.get_value() * (horizon - lit)))
        self.add(sunset)
        self.caption(
            _("... and the surface becomes a map: colour is height."),
            surface.animate.stretch(0, 2, about_point=axes.c2p(0, 0, 0)),
            ray_line.animate.become(flat_line),
            sunset.animate.set_value(1),
            say=_("... and the surface flattens into a map where colour is height: dark is low, pale is high."),
            run_time=1.5,
        )
        sunset.clear_updaters()
        self.remove(sunset)
        # The camera's shading lit the surface a little; the cross-fade hides the change to the flat colours.
        self.play(FadeIn(heat), FadeOut(surface), FadeOut(axes), FadeOut(ray_line), FadeIn(panel), run_time=1.0)
        self.caption(
            _("Every ray is a contour line, and the valleys are rays (dashed)."),
            Create(rays),
            say=_("Every ray is a contour line, so each valley floor is a ray too. Dashed lines mark them."),
            run_time=1.5,
        )

        # The panel moves left to make room for the readouts.
        board = Group(heat, panel, rays)
        self.play(board.animate.to_edge(LEFT, buff=PANEL_EDGE_BUFF).shift(PANEL_RAISE * UP), run_time=1.0)

        start = np.array(experiments.START)
        direction = start / np.linalg.norm(start)
        radii = np.linspace(*SLIDE, SLIDE_SAMPLES)
        path = radii[:, None] * direction
        values = experiments.loss().value(path)
        norms = experiments.norms(path)
        tracker = ValueTracker(0)
        slider = TrajectoryTrace(panel, path, tracker, NORM_COLOR, dot_radius=0.09)
        start_dot = Dot(panel.c2p(*start), radius=0.08, color=TEXT_COLOR)
        start_label = math(r"\theta_0", KEY_SIZE, TEXT_COLOR).next_to(start_dot, DOWN + LEFT, buff=0.08)

        rows = VGroup(
            readout(r"\|\theta\| =", norms, tracker, NORM_COLOR, digits=2),
            readout(r"L(\theta) =", values, tracker, TEXT_COLOR, digits=3),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        # i18n: A note above the readouts: the values below are for points on the ray through the start θ₀.
        note = text(_("along the ray through θ₀"), SMALL_SIZE, MUTED)
        chart = loss_against_norm(norms, values, tracker)
        column = VGroup(note, rows, chart).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        column.next_to(panel, RIGHT, buff=1.3).align_to(panel, UP)
        chart.shift(0.4 * DOWN)

        self.caption(
            # i18n: {start_x}, {start_y}: the two coordinates of the starting point θ₀ (numbers such as -0.7).
            _("θ₀ = ({start_x:g}, {start_y:g}), where the runs will start. Its ray:").format(
                start_x=start[0], start_y=start[1]
            ),
            FadeIn(start_dot),
            FadeIn(start_label),
            FadeIn(slider),
            FadeIn(column),
            say=_("The white dot, call it theta zero, is where our toy runs will start. Here is its ray."),
            run_time=1.0,
        )
        self.caption(
            # i18n: {factor}: how many times longer θ gets (a number, e.g. 5); "×" follows it as in "5×".
            _("Slide outward: ‖θ‖ grows {factor:g}×, the loss stays exactly the same.").format(
                factor=SLIDE[1] / SLIDE[0]
            ),
            tracker.animate(rate_func=linear).set_value(SLIDE_SAMPLES - 1),
            # i18n: {factor}: how many times longer the point's vector gets (a number, e.g. 5).
            say=_("Slide a point outward: its length grows by a factor of {factor:g}, "
                  "and the loss stays exactly the same.").format(factor=SLIDE[1] / SLIDE[0]),
            run_time=4.5,
            hold=1.0,
        )
        self.caption(_("The loss depends only on the direction of θ, never its length."), hold=2.5,
                     say=_("So the loss sees only the direction of theta, never its length. "
                           "What does that do to the gradient?"))
        self.clear_caption()
