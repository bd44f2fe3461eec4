"""The two-moons network: a small MLP trained on :func:`compgraph.datasets.make_moons`.

What ``compgraph train moons`` runs: :func:`train_moons` builds the network
with a softmax cross-entropy loss, trains it with Adam and measures it;
:meth:`MoonsRun.write_plots` writes its loss curve and decision boundary
(needs matplotlib: the ``train`` extra).

Examples
--------
>>> run = train_moons(hidden=[4], epochs=2, seed=3, progress=False)
>>> run.sizes, len(run.history)
([2, 4, 2], 14)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from compgraph.datasets import make_moons
from compgraph.graph import ComputationalGraph
from compgraph.nn import dense, mlp
from compgraph.optim import Adam
from compgraph.plotting import plot_decision_boundary, plot_loss
from compgraph.training import History, train
from gates.linalg import StackGate
from gates.losses import SoftmaxCrossEntropyGate

__all__ = ["MoonsRun", "train_moons"]


@dataclass(frozen=True, eq=False)  # its arrays have no one truth value for ==
class MoonsRun:
    """A network trained on two moons, and how its training went.

    Attributes
    ----------
    graph : ComputationalGraph
        The network with its loss: inputs ``x`` (points) and ``y`` (classes),
        output the mean cross-entropy.
    scores : str
        The node holding the network's two class scores per point.
    x, y : numpy.ndarray
        The training points, shape ``(samples, 2)``, and their classes.
    sizes : list of int
        The layer sizes, from the 2 inputs to the 2 classes.
    history : History
        The loss of every training step.
    seconds : float
        How long the training took.
    loss : float
        The loss over all the points after training.
    accuracy : float
        The fraction of the points classified right after training.
    """

    graph: ComputationalGraph
    scores: str
    x: np.ndarray
    y: np.ndarray
    sizes: list[int]
    history: History
    seconds: float
    loss: float
    accuracy: float

    def predict(self, points: np.ndarray) -> Any:
        """The class (0 or 1) the network gives each of ``points``, shape ``(n, 2)``."""
        self.graph.forward(x=points, y=np.zeros(len(points), dtype=np.int64))
        return np.argmax(self.graph.value(self.scores), axis=1)

    def network(self) -> ComputationalGraph:
        """The trained network for one point, as ``compgraph train --save`` keeps it.

        Inputs ``x0`` and ``x1``, the point's two features, stacked into ``x``
        (a :class:`~gates.StackGate`); then the layers, their parameters the
        trained weights (copies); the output, named as the training graph's
        scores node, holds the two class scores: the point is of the class
        whose score is larger.

        Examples
        --------
        >>> run = train_moons(hidden=[4], epochs=2, seed=3, progress=False)
        >>> g = run.network()
        >>> g.input_names(), g.output, g.forward(x0=0.5, x1=0.25).shape
        (['x0', 'x1'], 'layer2', (2,))
        >>> bool(g.value(g.output).argmax() == run.predict(np.array([[0.5, 0.25]]))[0])
        True
        """
        g = ComputationalGraph()
        g.add_input("x0")
        g.add_input("x1")
        node = g.add_gate("x", StackGate(), ["x0", "x1"])
        last = len(self.sizes) - 1
        for k in range(1, len(self.sizes)):
            activation = "relu" if k < last else None
            node = dense(
                g,
                f"layer{k}",
                node,
                self.sizes[k],
                activation=activation,
                in_units=self.sizes[k - 1],
            )
        for name in g.parameters():
            g.set_value(name, self.graph.value(name))
        return g

    def write_plots(self, folder: str | Path) -> tuple[Path, Path]:
        """Write ``moons_loss.png`` and ``moons_boundary.png`` into ``folder``; their paths.

        Raises
        ------
        OSError
            If a file cannot be written.
        ImportError
            If matplotlib is not installed.
        """
        shape = "-".join(map(str, self.sizes))
        loss_path = Path(folder) / "moons_loss.png"
        boundary_path = Path(folder) / "moons_boundary.png"
        plot_loss(self.history, loss_path, title=f"{shape} MLP on two moons: loss per step")
        plot_decision_boundary(
            self.predict,
            self.x,
            self.y,
            boundary_path,
            title=f"decision boundary: {100 * self.accuracy:.1f}% correct",
        )
        return loss_path, boundary_path

    def __str__(self) -> str:
        shape = "-".join(map(str, self.sizes))
        stopped = " (interrupted)" if self.history.interrupted else ""
        return (
            f"trained a {shape} MLP on {len(self.x)} moons points: {len(self.history)} steps "
            f"in {self.seconds:.2f} s{stopped}; training loss {self.loss:.4g}\n"
            f"training accuracy: {100 * self.accuracy:.1f}%"
        )


def train_moons(
    *,
    hidden: Sequence[int] = (16, 16),
    epochs: int = 50,
    lr: float = 0.01,
    batch_size: int = 32,
    samples: int = 200,
    noise: float = 0.1,
    seed: int = 0,
    progress: bool = True,
) -> MoonsRun:
    """Train an MLP with ReLU hidden layers on two moons with Adam; measure it.

    Parameters
    ----------
    hidden : sequence of int, optional
        The hidden layers' sizes (default 16, 16).
    epochs : int, optional
        Passes over the data (default 50).
    lr : float, optional
        Adam's learning rate (default 0.01).
    batch_size : int, optional
        Points per step (default 32).
    samples : int, optional
        How many points to make (default 200).
    noise : float, optional
        The points' noise (default 0.1).
    seed : int, optional
        Seeds the data, the weights and the order of the batches (default 0).
    progress : bool, optional
        Show a progress bar (needs tqdm), as :func:`compgraph.training.train`.

    Returns
    -------
    MoonsRun
        The trained network, its loss per step, its final loss and accuracy.

    Raises
    ------
    ValueError
        If ``samples`` is below 2 or ``batch_size`` below 1.

    Examples
    --------
    >>> run = train_moons(epochs=30, lr=0.03, progress=False)
    >>> print(str(run).splitlines()[-1])
    training accuracy: 100.0%
    """
    x, y = make_moons(samples, noise=noise, rng=seed)
    sizes = [2, *hidden, 2]
    g = ComputationalGraph()
    net = mlp(g, sizes, rng=seed)
    g.add_input("y")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "y"])
    start = time.perf_counter()
    history = train(
        g,
        {"x": x, "y": y},
        Adam(g, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        rng=seed,
        progress=progress,
    )
    seconds = time.perf_counter() - start
    loss = float(g.forward(x=x, y=y))
    accuracy = float(np.mean(np.asarray(g.value(net.output)).argmax(axis=1) == y))
    return MoonsRun(g, net.output, x, y, sizes, history, seconds, loss, accuracy)
