"""Pictures of a training run, written as image files (needs matplotlib: the ``train`` extra)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_decision_boundary", "plot_loss"]


def plot_loss(losses: Sequence[float], path: str | Path, title: str = "training loss") -> None:
    """Write the loss of every step, on a log scale, to ``path`` (``.png``, ``.svg``...)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(np.arange(1, len(losses) + 1), losses, linewidth=1)
    if len(losses) and min(losses) > 0:
        axes.set_yscale("log")
    axes.set(xlabel="step", ylabel="loss", title=title)
    axes.grid(alpha=0.3)
    figure.savefig(path, dpi=100)


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any],
    x: np.ndarray,
    y: np.ndarray,
    path: str | Path,
    title: str = "decision boundary",
    resolution: int = 200,
) -> None:
    """Write the plane coloured by ``predict`` (points of shape ``(n, 2)`` to classes),
    with the points ``x`` coloured by their classes ``y``, to ``path``."""
    from matplotlib.figure import Figure

    low, high = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    u, v = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    classes = np.asarray(predict(np.column_stack([u.ravel(), v.ravel()]))).reshape(u.shape)
    figure = Figure(figsize=(6, 5), layout="constrained")
    axes = figure.add_subplot()
    axes.contourf(u, v, classes, levels=np.arange(y.max() + 2) - 0.5, cmap="coolwarm", alpha=0.35)
    axes.scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", edgecolors="black", linewidths=0.5, s=20)
    axes.set(xlabel="x[0]", ylabel="x[1]", title=title, aspect="equal")
    figure.savefig(path, dpi=100)
