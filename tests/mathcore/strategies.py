"""Hypothesis strategies for random scale-invariant losses and hyperparameters."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from mathcore.losses import FourierLoss, NormalizedQuadratic, ScaleInvariantLoss

coefficient = st.floats(-1.0, 1.0, allow_nan=False)


@st.composite
def fourier_losses(draw: st.DrawFn) -> FourierLoss:
    """A random angular Fourier series with 1 to 4 harmonics."""
    k = draw(st.integers(1, 4))
    return FourierLoss(tuple(draw(coefficient) for _ in range(k)), tuple(draw(coefficient) for _ in range(k)))


@st.composite
def quadratic_losses(draw: st.DrawFn) -> NormalizedQuadratic:
    """θᵀAθ/θᵀθ for a random symmetric A in 2 to 5 dimensions."""
    d = draw(st.integers(2, 5))
    a = np.array([[draw(coefficient) for _ in range(d)] for _ in range(d)])
    return NormalizedQuadratic(a)


def losses() -> st.SearchStrategy[ScaleInvariantLoss]:
    return st.one_of(fourier_losses(), quadratic_losses())


@st.composite
def points(draw: st.DrawFn, dim: int) -> np.ndarray:
    """A point in R^dim away from the origin (norm in [0.1, 10])."""
    v = np.array([draw(st.floats(-1.0, 1.0, allow_nan=False)) for _ in range(dim)])
    if np.linalg.norm(v) < 1e-3:
        v[0] = 1.0
    return v / np.linalg.norm(v) * draw(st.floats(0.1, 10.0))


def loss_dim(loss: ScaleInvariantLoss) -> int:
    return loss.dim if loss.dim is not None else 2
