"""The training loop: mini-batches through forward, backward and an optimizer's step."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from compgraph.errors import NonFiniteError
from compgraph.graph import ComputationalGraph
from gates._numeric import is_lazy

if TYPE_CHECKING:
    from compgraph.optim import Optimizer

__all__ = ["History", "train"]


class History(list[float]):
    """The loss of every finished step, in order.

    Attributes
    ----------
    interrupted : bool
        Whether Ctrl-C stopped the training before its last step.
    """

    interrupted: bool = False


def train(
    g: ComputationalGraph,
    data: Mapping[str, Any],
    optimizer: Optimizer,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    shuffle: bool = True,
    rng: np.random.Generator | int = 0,
    progress: bool = True,
    callback: Callable[[int, float], object] | None = None,
) -> History:
    """Train ``g``'s parameters on ``data``, one mini-batch per step; return the losses.

    Each step feeds a batch of rows of every array in ``data``, runs forward
    (the output is the loss, a single number) and backward for the optimizer's
    parameters only (``wrt``: no gradient of the data is computed), and lets
    ``optimizer`` update the parameters.

    Parameters
    ----------
    g : ComputationalGraph
        A graph whose output is the loss.
    data : mapping of str to array_like
        The feeds for all the graph's inputs, each with one row per example
        (``{"x": x, "y": labels}``); every array has the same number of rows.
        A dask array stays lazy: each step computes its batch's rows alone
        (all the lazy arrays' together, on dask's scheduler or cluster), so a
        data set larger than memory trains batch by batch.
    optimizer : compgraph.optim.Optimizer
        Updates the parameters after each backward pass.
    epochs : int, optional
        Passes over the data (default 1).
    batch_size : int, optional
        Rows per step (default 32); the last batch of an epoch may be smaller.
    shuffle : bool, optional
        Visit the rows in a new random order each epoch (default True).
    rng : numpy.random.Generator or int, optional
        Where the orders come from (a seed makes a new generator).
    progress : bool, optional
        Show a progress bar with the loss (needs tqdm; without it, a warning
        says so and training goes on without a bar). False: quiet.
    callback : callable, optional
        Called as ``callback(step, loss)`` after every step (from step 1).

    Returns
    -------
    History
        The loss of each step (a list of floats), with ``interrupted`` set if
        Ctrl-C stopped it.

    Raises
    ------
    ValueError
        If ``data`` is empty or its arrays differ in length, ``batch_size`` is
        below 1 or ``epochs`` below 0, ``optimizer`` was made for another
        graph, or the output is not a single number.
    NonFiniteError
        If the loss stops being finite (inf or nan): training stops before
        that step's update, so the parameters are those that gave the last
        finite loss. The message gives the step and the epoch; a smaller
        learning rate, or ``g.check_finite = True`` to find the gate that made
        it, are where to look.
    GraphError
        If a feed or a gate fails (see :meth:`ComputationalGraph.forward`).

    Notes
    -----
    Ctrl-C (``KeyboardInterrupt``) stops training between two steps: the
    parameters are those of the last finished step, since a step's updates
    are written only after its backward pass succeeded, and all or none of
    them (see :mod:`compgraph.optim`).

    Examples
    --------
    Fit ``y = 2x`` with one weight:

    >>> from compgraph import ComputationalGraph
    >>> from compgraph.optim import SGD
    >>> from gates import MSEGate, MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_input("y"), g.add_parameter("w", 0.0)
    >>> _ = g.add_gate("pred", MulGate(), ["x", "w"])
    >>> _ = g.add_gate("loss", MSEGate(), ["pred", "y"])
    >>> x = np.linspace(-1, 1, 8)
    >>> history = train(g, {"x": x, "y": 2 * x}, SGD(g, lr=0.5), epochs=20, progress=False)
    >>> len(history), round(history[-1], 6), round(g.value("w"), 3)
    (20, 0.0, 2.0)
    """
    arrays = {name: value if is_lazy(value) else np.asarray(value) for name, value in data.items()}
    lengths = {len(a) if a.ndim else 0 for a in arrays.values()}
    if not arrays or len(lengths) != 1 or 0 in lengths:
        shapes = {name: a.shape for name, a in arrays.items()}
        raise ValueError(f"train: data must be arrays with the same number of rows, got {shapes}")
    if batch_size < 1 or epochs < 0:
        raise ValueError(
            f"train: batch_size must be 1 or more and epochs 0 or more, got {batch_size}, {epochs}"
        )
    if optimizer.graph is not g:
        raise ValueError(
            f"train: the {type(optimizer).__name__} was made for another graph; "
            f"make it with {type(optimizer).__name__}(g, ...) for the graph trained"
        )
    (n,) = lengths
    generator = np.random.default_rng(rng)
    starts = range(0, n, batch_size)
    bar = _progress_bar(epochs * len(starts)) if progress else None
    history = History()
    try:
        for epoch in range(epochs):
            order = generator.permutation(n) if shuffle else np.arange(n)
            for start in starts:
                rows = order[start : start + batch_size]
                loss = g.forward(_batches(arrays, rows))
                if np.ndim(loss) != 0:
                    raise ValueError(
                        f"train: the output {g.output!r} must be the loss, a single number; "
                        f"it has shape {np.shape(loss)}"
                    )
                if not math.isfinite(loss):
                    raise NonFiniteError(
                        f"train: the loss {g.output!r} became {float(loss)} at step "
                        f"{len(history) + 1} (epoch {epoch + 1}); the parameters are those of "
                        "the last finite loss (try a smaller learning rate, or set "
                        "g.check_finite = True to find the gate that made it)",
                        g.output,
                    )
                g.backward(wrt=optimizer.names)
                optimizer.step()
                history.append(float(loss))
                if bar is not None:
                    bar.set_postfix(loss=f"{float(loss):.4f}", refresh=False)
                    bar.update()
                if callback is not None:
                    callback(len(history), float(loss))
    except KeyboardInterrupt:
        history.interrupted = True
    finally:
        if bar is not None:
            bar.close()
    return history


def _progress_bar(total: int) -> Any:
    """A tqdm bar over ``total`` steps, or None (with a warning) without tqdm."""
    try:
        from tqdm.auto import tqdm  # a widget in a notebook, a text bar in a terminal
    except ImportError:
        warnings.warn(
            "compgraph.train: no progress bar, tqdm is not installed "
            "(pip install 'compgraph[train]'); pass progress=False to silence this",
            stacklevel=3,
        )
        return None
    return tqdm(total=total, unit="step", desc="training")


def _batches(arrays: Mapping[str, Any], rows: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of a mini-batch of every array, new arrays handed to the graph to keep
    uncopied; the lazy arrays' rows computed together, in one go."""
    batches = {name: a[rows] for name, a in arrays.items() if not is_lazy(a)}
    lazy = [name for name in arrays if name not in batches]
    if lazy:
        import dask  # the data is dask arrays, so dask is installed

        ascending = np.argsort(rows, kind="stable")  # rows in order: each chunk read once
        taken = dask.compute(*(arrays[name][rows[ascending]] for name in lazy))
        back = np.argsort(ascending, kind="stable")
        batches.update((name, np.asarray(value)[back]) for name, value in zip(lazy, taken))
    for batch in batches.values():
        batch.flags.writeable = False
    return {name: batches[name] for name in arrays}
