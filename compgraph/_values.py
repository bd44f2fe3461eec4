"""Values as the engine takes them: feeds merged and checked, numbers or numeric
arrays (lists become arrays), and the gradient a backward pass starts from.

The engine keeps arrays of its own, read-only: what a user does with an array
after handing it over (a feed, a parameter, ``dout``) or after getting one back
never changes a pass. A lazy array (a dask array) is kept as it is, never
computed nor converted: it cannot be written to.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from compgraph.errors import GradientError, GraphTypeError
from gates._numeric import is_lazy

__all__ = [
    "checked_value",
    "describe",
    "initial_gradient",
    "is_finite",
    "is_value",
    "merge_feeds",
    "read_only",
]


def merge_feeds(feeds: Mapping[str, Any] | None, more_feeds: dict[str, Any]) -> dict[str, Any]:
    """The mapping and keyword feeds in one dict; a name fed both ways is refused."""
    if feeds is None:
        return more_feeds
    if type(feeds) is dict and not more_feeds:  # (read, never changed)
        return feeds
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
    """``value`` as the engine keeps it, or a GraphTypeError: a number as it is,
    an array as a read-only array of the engine's own (lists become arrays), a
    lazy array of numbers as it is.

    An array is copied unless it is read-only and owns its memory already (so
    that nobody else can write to it), as the engine's own arrays are.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0])
    >>> kept = checked_value(x, "forward: feed 'x'", "x")
    >>> x[:] = 100
    >>> kept, kept.flags.writeable, checked_value(kept, "", "x") is kept
    (array([1., 2.]), False, True)
    """
    if isinstance(value, numbers.Number):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        if value.flags.writeable or not value.flags.owndata:
            value = value.copy()
            value.flags.writeable = False
        return value
    if is_lazy(value):
        if getattr(value, "dtype", np.dtype(object)).kind not in "biufc":
            raise GraphTypeError(
                f"{where}: expected a number or a numeric array, got a lazy array of {value.dtype}",
                name,
            )
        return value
    try:
        array = np.array(value)
    except Exception:  # ragged lists and other things numpy refuses
        array = None
    if array is None or array.dtype.kind not in "biufc":
        raise GraphTypeError(
            f"{where}: expected a number or a numeric array, got {type(value).__name__} {value!r}",
            name,
        )
    array.flags.writeable = False
    return array


def read_only(values: list[Any]) -> None:
    """Make every array in ``values`` read-only (what a pass hands out)."""
    for value in values:
        if isinstance(value, np.ndarray):
            value.flags.writeable = False


def initial_gradient(dout: Any, output_value: Any, output: str) -> Any:
    """The gradient backward starts from: ``dout`` checked against the output's
    shape, or 1 (float ones of the output's shape for an array); for a lazy
    output, a lazy array chunked as the output is."""
    if dout is None:
        if isinstance(output_value, np.ndarray):
            dtype = output_value.dtype if output_value.dtype.kind in "fc" else np.float64
            ones = np.ones(output_value.shape, dtype=dtype)
            ones.flags.writeable = False
            return ones
        if is_lazy(output_value):  # lazy ones, chunked as the output is
            dtype = output_value.dtype if output_value.dtype.kind in "fc" else np.float64
            return np.ones_like(output_value, dtype=dtype)
        return 1
    dout = checked_value(dout, "backward: dout", output)
    if np.iscomplexobj(dout) and not np.iscomplexobj(output_value):
        raise GradientError(f"backward: dout is complex, but the output {output!r} is real", output)
    if np.shape(dout) != np.shape(output_value):
        raise GradientError(
            f"backward: dout has shape {np.shape(dout)}, but the output {output!r} "
            f"has shape {np.shape(output_value)}",
            output,
        )
    if is_lazy(output_value) and not is_lazy(dout):  # a lazy pass stays lazy, chunked as it is
        dout = np.zeros_like(output_value, dtype=np.result_type(output_value.dtype, dout)) + dout
    return dout


def is_value(value: Any) -> bool:
    """Whether ``value`` is what a gate may return: a number or a numeric array
    (numpy's, or a lazy one).

    Examples
    --------
    >>> import numpy as np
    >>> is_value(2.5), is_value(np.ones(2)), is_value("abc"), is_value([1.0]), is_value(None)
    (True, True, False, False, False)
    """
    if isinstance(value, np.ndarray) or is_lazy(value):
        return getattr(value, "dtype", np.dtype(object)).kind in "biufc"
    return isinstance(value, numbers.Number)


def is_finite(value: Any) -> bool:
    """Whether every element of the number or array ``value`` is finite.

    Examples
    --------
    >>> import numpy as np
    >>> is_finite(1.0), is_finite(float("inf")), is_finite(np.array([1.0, np.nan])), is_finite(1j)
    (True, False, False, True)
    """
    if isinstance(value, int):
        return True  # Python ints are exact, whatever their size
    return bool(np.isfinite(value).all())


def describe(value: Any) -> str:
    """A short account of a value for a message: the number, or an array's
    shape and its non-finite elements.

    Examples
    --------
    >>> import numpy as np
    >>> describe(float("inf")), describe(np.array([1.0, np.nan, np.inf]))
    ('inf', 'an array of shape (3,) holding nan and inf')
    """
    if not isinstance(value, np.ndarray):
        return repr(value) if not isinstance(value, float) else f"{value:g}"
    bad = [name for name, test in (("nan", np.isnan), ("inf", np.isinf)) if test(value).any()]
    holding = f" holding {' and '.join(bad)}" if bad else ""
    return f"an array of shape {value.shape}{holding}"
