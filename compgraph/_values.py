"""Values as the engine takes them: feeds merged and checked, numbers or numeric
arrays (lists become arrays), and the gradient a backward pass starts from."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from compgraph.errors import GradientError, GraphTypeError

__all__ = ["checked_value", "initial_gradient", "merge_feeds"]


def merge_feeds(feeds: Mapping[str, Any] | None, more_feeds: dict[str, Any]) -> dict[str, Any]:
    """The mapping and keyword feeds in one dict; a name fed both ways is refused."""
    if feeds is None:
        return more_feeds
    if not isinstance(feeds, Mapping):
        raise GraphTypeError(
            f"forward: feeds must be a mapping of input names to values, got {feeds!r}"
        )
    both = set(feeds) & set(more_feeds)
    if both:
        raise GraphTypeError(
            "forward: fed twice, in the mapping and as keywords: " + ", ".join(map(repr, both)),
            *both,
        )
    return {**feeds, **more_feeds}


def checked_value(value: Any, where: str, name: str) -> Any:
    """``value`` as a number or array (lists become arrays), or a GraphTypeError."""
    if isinstance(value, numbers.Number):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        return value
    try:
        array = np.asarray(value)
    except Exception:  # ragged lists and other things numpy refuses
        array = None
    if array is None or array.dtype.kind not in "biufc":
        raise GraphTypeError(
            f"{where}: expected a number or a numeric array, got {type(value).__name__} {value!r}",
            name,
        )
    return array


def initial_gradient(dout: Any, output_value: Any, output: str) -> Any:
    """The gradient backward starts from: ``dout`` checked against the output's
    shape, or 1 (float ones of the output's shape for an array)."""
    if dout is None:
        if isinstance(output_value, np.ndarray):
            dtype = output_value.dtype if output_value.dtype.kind in "fc" else np.float64
            return np.ones(output_value.shape, dtype=dtype)
        return 1
    dout = checked_value(dout, "backward: dout", output)
    if np.shape(dout) != np.shape(output_value):
        raise GradientError(
            f"backward: dout has shape {np.shape(dout)}, but the output {output!r} "
            f"has shape {np.shape(output_value)}",
            output,
        )
    return dout
