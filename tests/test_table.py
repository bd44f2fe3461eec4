"""compgraph.table: numbers as the tables and the explanations write them."""

from __future__ import annotations

import pytest

from compgraph.table import format_number


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (10.0, 0, "10"),  # the zeros of a whole number are kept
        (100.0, 2, "100"),
        (-0.25, 0, "0"),  # no "-0", no "-"
        (-0.001, 2, "0"),
        (0.19661193, 3, "0.197"),
        (2.5, 0, "2"),  # half to even, as Python rounds
    ],
)
def test_format_number(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits) == text
