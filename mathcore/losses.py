"""Scale-invariant losses: L(c·θ) = L(θ) for every c > 0 and θ ≠ 0.

Every loss here is a function of the direction θ/‖θ‖ alone. Each offers

* ``value(theta)`` and ``grad(theta)``: vectorised numpy on arrays of shape (..., d);
* ``grad_mp(theta)``: the same gradient for one point, a sequence of mpmath numbers,
  evaluated at the current ``mpmath.mp`` precision (used by :mod:`mathcore.precision`).

By Lemma 1 every gradient is orthogonal to θ and scales like 1/‖θ‖.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.floating]


def _as_points(theta: ArrayLike, dim: int | None) -> FloatArray:
    """Validate a (..., d) array of non-zero points; floats keep their precision (float32 stays float32)."""
    points = np.asarray(theta)
    if not np.issubdtype(points.dtype, np.floating):
        points = points.astype(float)
    if points.ndim == 0:
        raise ValueError(f"theta must have a trailing dimension, got scalar {theta!r}")
    if dim is not None and points.shape[-1] != dim:
        raise ValueError(f"theta must have last dimension {dim}, got shape {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError(f"theta must be finite, got {theta!r}")
    if np.any(np.linalg.norm(points, axis=-1) == 0.0):
        raise ValueError("theta must be non-zero: a scale-invariant loss is undefined at the origin")
    return points


class ScaleInvariantLoss(ABC):
    """A loss with L(cθ) = L(θ) for all c > 0; undefined at θ = 0."""

    #: Dimension of θ, or None when any dimension works.
    dim: int | None = None

    @abstractmethod
    def value(self, theta: ArrayLike) -> FloatArray:
        """L(θ) for each point of a (..., d) array; returns shape (...)."""

    @abstractmethod
    def grad(self, theta: ArrayLike) -> FloatArray:
        """∇L(θ) for each point of a (..., d) array; returns shape (..., d)."""

    @abstractmethod
    def grad_mp(self, theta: Sequence[mpmath.mpf]) -> list[mpmath.mpf]:
        """∇L(θ) for one point, in mpmath at the current working precision."""


# ---------------------------------------------------------------------------
# 2-D losses of the polar angle φ = atan2(y, x)
# ---------------------------------------------------------------------------


class AngularProfileLoss(ScaleInvariantLoss):
    """L(x, y) = f(φ) with φ = atan2(y, x); ∇L = f'(φ)·(−y, x)/r²."""

    dim = 2

    @abstractmethod
    def profile(self, phi: FloatArray) -> FloatArray:
        """f(φ), vectorised."""

    @abstractmethod
    def profile_derivative(self, phi: FloatArray) -> FloatArray:
        """f'(φ), vectorised."""

    @abstractmethod
    def profile_derivative_mp(self, phi: mpmath.mpf) -> mpmath.mpf:
        """f'(φ) in mpmath."""

    def value(self, theta: ArrayLike) -> FloatArray:
        points = _as_points(theta, 2)
        return self.profile(np.arctan2(points[..., 1], points[..., 0]))

    def grad(self, theta: ArrayLike) -> FloatArray:
        points = _as_points(theta, 2)
        x, y = points[..., 0], points[..., 1]
        slope_over_r2 = self.profile_derivative(np.arctan2(y, x)) / (x * x + y * y)
        return np.stack([-y * slope_over_r2, x * slope_over_r2], axis=-1)

    def grad_mp(self, theta: Sequence[mpmath.mpf]) -> list[mpmath.mpf]:
        x, y = theta
        slope_over_r2 = self.profile_derivative_mp(mpmath.atan2(y, x)) / (x * x + y * y)
        return [-y * slope_over_r2, x * slope_over_r2]


@dataclass(frozen=True)
class Well:
    """One von Mises well of depth ``depth`` centred at angle ``centre`` (radians).

    Contributes −depth·exp(κ(cos(φ − centre) − 1)) to the profile; larger κ is narrower.
    """

    centre: float
    depth: float
    concentration: float


#: The video's toy: a narrow shallow well at 123° just below the start (−0.7, 0.7),
#: where plain GD settles, a wide deep well at 20° that weight decay eventually
#: reaches, and a medium well at −115° on the far side.
DEFAULT_WELLS: tuple[Well, ...] = (
    Well(centre=float(np.deg2rad(123.0)), depth=0.3, concentration=95.0),
    Well(centre=float(np.deg2rad(20.0)), depth=1.0, concentration=4.5),
    Well(centre=float(np.deg2rad(-115.0)), depth=0.6, concentration=6.0),
)


@dataclass(frozen=True)
class AngularLoss(AngularProfileLoss):
    """L = f(φ) = −Σ_i d_i·exp(κ_i(cos(φ − μ_i) − 1)): angular wells of different depth.

    The default has several local minima of different depth and width, so that GD
    settles in a shallow one and weight decay visibly kicks the iterate out of it.
    """

    wells: tuple[Well, ...] = DEFAULT_WELLS

    def __post_init__(self) -> None:
        if not self.wells:
            raise ValueError("AngularLoss needs at least one well, got wells=()")
        for well in self.wells:
            if not (well.concentration > 0 and np.isfinite(well.depth)):
                raise ValueError(f"invalid well {well!r}: need concentration > 0, finite depth")

    def _arrays(self, dtype: np.dtype) -> tuple[FloatArray, FloatArray, FloatArray]:
        return (
            np.array([w.centre for w in self.wells], dtype=dtype),
            np.array([w.depth for w in self.wells], dtype=dtype),
            np.array([w.concentration for w in self.wells], dtype=dtype),
        )

    def profile(self, phi: FloatArray) -> FloatArray:
        phi = np.asarray(phi)
        mu, depth, kappa = self._arrays(phi.dtype)
        offset = phi[..., None] - mu
        return -np.sum(depth * np.exp(kappa * (np.cos(offset) - 1.0)), axis=-1)

    def profile_derivative(self, phi: FloatArray) -> FloatArray:
        phi = np.asarray(phi)
        mu, depth, kappa = self._arrays(phi.dtype)
        offset = phi[..., None] - mu
        return np.sum(depth * kappa * np.sin(offset) * np.exp(kappa * (np.cos(offset) - 1.0)), axis=-1)

    def profile_derivative_mp(self, phi: mpmath.mpf) -> mpmath.mpf:
        total = mpmath.mpf(0)
        for w in self.wells:
            offset = phi - mpmath.mpf(w.centre)
            kappa = mpmath.mpf(w.concentration)
            total += mpmath.mpf(w.depth) * kappa * mpmath.sin(offset) * mpmath.exp(kappa * (mpmath.cos(offset) - 1))
        return total

    def minima(self, samples: int = 7200) -> FloatArray:
        """Angles (radians, in (−π, π]) of the profile's local minima, sorted by depth."""
        phi = np.linspace(-np.pi, np.pi, samples, endpoint=False)
        f = self.profile(phi)
        is_min = (f < np.roll(f, 1)) & (f < np.roll(f, -1))
        found = phi[is_min]
        return found[np.argsort(self.profile(found))]


@dataclass(frozen=True)
class FourierLoss(AngularProfileLoss):
    """L = f(φ) = Σ_k a_k cos(kφ) + b_k sin(kφ), k = 1..K: a random-landscape family."""

    cos_coeffs: tuple[float, ...]
    sin_coeffs: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.cos_coeffs) != len(self.sin_coeffs) or not self.cos_coeffs:
            raise ValueError(
                f"need equally many cos and sin coefficients, got {len(self.cos_coeffs)} and {len(self.sin_coeffs)}"
            )

    def profile(self, phi: FloatArray) -> FloatArray:
        phi = np.asarray(phi)
        k = np.arange(1, len(self.cos_coeffs) + 1, dtype=phi.dtype)
        a, b = np.array(self.cos_coeffs, dtype=phi.dtype), np.array(self.sin_coeffs, dtype=phi.dtype)
        kphi = phi[..., None] * k
        return np.sum(a * np.cos(kphi) + b * np.sin(kphi), axis=-1)

    def profile_derivative(self, phi: FloatArray) -> FloatArray:
        phi = np.asarray(phi)
        k = np.arange(1, len(self.cos_coeffs) + 1, dtype=phi.dtype)
        a, b = np.array(self.cos_coeffs, dtype=phi.dtype), np.array(self.sin_coeffs, dtype=phi.dtype)
        kphi = phi[..., None] * k
        return np.sum(k * (b * np.cos(kphi) - a * np.sin(kphi)), axis=-1)

    def profile_derivative_mp(self, phi: mpmath.mpf) -> mpmath.mpf:
        return mpmath.fsum(
            k * (mpmath.mpf(b) * mpmath.cos(k * phi) - mpmath.mpf(a) * mpmath.sin(k * phi))
            for k, (a, b) in enumerate(zip(self.cos_coeffs, self.sin_coeffs), start=1)
        )


# ---------------------------------------------------------------------------
# Losses of the direction u = θ/‖θ‖ in any dimension
# ---------------------------------------------------------------------------


class DirectionalLoss(ScaleInvariantLoss):
    """L(θ) = f(θ/‖θ‖) for any f on the sphere; ∇L(θ) = (I − uuᵀ)∇f(u)/‖θ‖.

    ``f`` and ``grad_f`` act on unit vectors u of shape (..., d), vectorised.
    ``grad_f_mp`` (optional) does the same for one point in mpmath.
    """

    def __init__(
        self,
        f: Callable[[FloatArray], FloatArray],
        grad_f: Callable[[FloatArray], FloatArray],
        dim: int | None = None,
        grad_f_mp: Callable[[list[mpmath.mpf]], list[mpmath.mpf]] | None = None,
    ) -> None:
        self._f, self._grad_f, self._grad_f_mp = f, grad_f, grad_f_mp
        self.dim = dim

    def value(self, theta: ArrayLike) -> FloatArray:
        points = _as_points(theta, self.dim)
        return self._f(points / np.linalg.norm(points, axis=-1, keepdims=True))

    def grad(self, theta: ArrayLike) -> FloatArray:
        points = _as_points(theta, self.dim)
        r = np.linalg.norm(points, axis=-1, keepdims=True)
        u = points / r
        g = self._grad_f(u)
        return (g - np.sum(g * u, axis=-1, keepdims=True) * u) / r

    def grad_mp(self, theta: Sequence[mpmath.mpf]) -> list[mpmath.mpf]:
        if self._grad_f_mp is None:
            raise NotImplementedError("this DirectionalLoss was built without grad_f_mp")
        r = mpmath.sqrt(mpmath.fsum(c * c for c in theta))
        u = [c / r for c in theta]
        g = self._grad_f_mp(u)
        radial = mpmath.fsum(gi * ui for gi, ui in zip(g, u))
        return [(gi - radial * ui) / r for gi, ui in zip(g, u)]


class NormalizedQuadratic(DirectionalLoss):
    """L(θ) = θᵀAθ / θᵀθ (A symmetric): a Rayleigh quotient, scale invariant in any dimension."""

    def __init__(self, matrix: ArrayLike) -> None:
        a = np.asarray(matrix, dtype=float)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise ValueError(f"matrix must be square, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"matrix must be finite, got {a!r}")
        sym = (a + a.T) / 2
        self.matrix = sym
        mp_rows = [[mpmath.mpf(float(v)) for v in row] for row in sym]

        def grad_f_mp(u: list[mpmath.mpf]) -> list[mpmath.mpf]:
            return [2 * mpmath.fsum(aij * uj for aij, uj in zip(row, u)) for row in mp_rows]

        super().__init__(
            f=lambda u: np.einsum("...i,ij,...j->...", u, sym.astype(u.dtype), u),
            grad_f=lambda u: 2 * u @ sym.astype(u.dtype),
            dim=sym.shape[0],
            grad_f_mp=grad_f_mp,
        )


    def expression(self, names: Sequence[str] = ("x", "y", "z")) -> sp.Expr:
        """θᵀAθ / θᵀθ as a sympy expression in real symbols named by ``names`` (one per coordinate)."""
        if len(names) < self.dim:
            raise ValueError(f"need {self.dim} coordinate names, got {list(names)!r}")
        theta = sp.Matrix(sp.symbols(list(names[: self.dim]), real=True))
        matrix = sp.Matrix(self.matrix.tolist()).applyfunc(sp.nsimplify)
        return sp.simplify((theta.T * matrix * theta)[0] / (theta.T * theta)[0])


class RatioLoss(NormalizedQuadratic):
    """L(x, y) = x²/(x² + y²): the chaotic toy of Li, Lyu & Arora (2020)."""

    def __init__(self) -> None:
        super().__init__(np.diag([1.0, 0.0]))
