"""Elementwise functions that take Python numbers and numpy arrays alike.

numpy's ufuncs cost about ten times the arithmetic on a Python number, so each
helper takes the ``math`` route for numbers and the numpy route for arrays. The
``type(x) is float`` test comes first because it is the cheapest.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_NUMBER = (int, float)


def exp(x: Any) -> Any:
    """``e ** x``, elementwise."""
    if type(x) is float or isinstance(x, _NUMBER):
        return math.exp(x)
    return np.exp(x)


def sigmoid(x: Any) -> Any:
    """``1 / (1 + e ** -x)``, elementwise, computed without overflow.

    For ``x < 0`` it uses the equal form ``e ** x / (1 + e ** x)``, so the
    exponential never exceeds 1: the limits at +-1000 are exactly 1 and 0.
    """
    if type(x) is float or isinstance(x, _NUMBER):
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    e = np.exp(-np.abs(x))  # at most 1, so no overflow
    return np.where(np.asarray(x) >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def select(mask: Any, x: Any, y: Any) -> Any:
    """``x`` where ``mask`` holds, else ``y``, elementwise (numpy's ``where``).

    A single truth value (comparing two numbers) picks one of them as it is.
    """
    if mask is True or mask is False or type(mask) is np.bool_:
        return x if mask else y
    return np.where(mask, x, y)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent, elementwise."""
    return math.tanh(x) if isinstance(x, _NUMBER) else np.tanh(x)


def log(x: Any) -> Any:
    """The natural logarithm, elementwise; ``ValueError`` unless every element is positive."""
    if isinstance(x, _NUMBER):
        if x <= 0:
            raise ValueError(f"log of {x!r}: the logarithm needs positive numbers")
        return math.log(x)
    if not np.all(np.asarray(x) > 0):
        raise ValueError("log of an array with elements <= 0: the logarithm needs positive numbers")
    return np.log(x)


def relu(x: Any) -> Any:
    """``max(x, 0)``, elementwise."""
    if isinstance(x, _NUMBER):
        return x if x > 0 else type(x)(0)
    return np.maximum(x, 0)
