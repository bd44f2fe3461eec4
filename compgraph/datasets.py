"""Small data sets made on the spot, from a seeded generator: nothing is downloaded."""

from __future__ import annotations

import numpy as np

__all__ = ["make_moons"]


def make_moons(
    n_samples: int = 200, noise: float = 0.1, rng: np.random.Generator | int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in the plane, one class each.

    The upper moon is the unit half circle, class 0; the lower one is it turned
    upside down and moved by ``(1, -0.5)``, class 1. Gaussian noise of standard
    deviation ``noise`` is added to every point, and the points are shuffled.

    Parameters
    ----------
    n_samples : int, optional
        How many points (default 200); the upper moon gets the smaller half.
    noise : float, optional
        The noise's standard deviation (default 0.1).
    rng : numpy.random.Generator or int, optional
        Where the noise and the order come from (a seed makes a new generator).

    Returns
    -------
    x : numpy.ndarray, shape (n_samples, 2)
        The points.
    y : numpy.ndarray of int64, shape (n_samples,)
        Their classes, 0 or 1.

    Examples
    --------
    >>> x, y = make_moons(6, noise=0.0)
    >>> x.shape, sorted(y.tolist())
    ((6, 2), [0, 0, 0, 1, 1, 1])
    >>> bool(np.all(x[y == 0, 1] >= 0)), bool(np.all(x[y == 1, 1] <= 0.5))
    (True, True)
    """
    if n_samples < 2:
        raise ValueError(f"make_moons: needs at least 2 samples, got {n_samples}")
    generator = np.random.default_rng(rng)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    x = np.concatenate(
        [
            np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
            np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    x = x + noise * generator.standard_normal(x.shape)
    order = generator.permutation(n_samples)
    return x[order], y[order]
