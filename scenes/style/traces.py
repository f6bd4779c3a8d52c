"""Trajectories drawn up to a ValueTracker's step: plain, clipped to the panel, or in a zooming view.

Paths are precomputed in data coordinates; per frame an updater only slices them and maps them
through the axes (so a trace follows its axes when they move or zoom).
"""

from __future__ import annotations

import numpy as np
from manim import Axes, Dot, Triangle, ValueTracker, VGroup, VMobject

from scenes.style.geometry import clip_parameters


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
        self._enter, self._leave = clip_parameters(path[:-1], delta, extent)
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
