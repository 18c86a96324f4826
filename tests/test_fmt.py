"""Numbers in the terminal tables: three significant figures, one style per column."""

from __future__ import annotations

import math

import pytest

from sim.metrics.format import human


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (999.6, "1.00 k"),  # rounds up into the next suffix, never "1e+03"
        (1002.8, "1.00 k"),
        (1049.0, "1.05 k"),
        (340.0, "340"),
        (12.34, "12.3"),
        (3.0, "3.00"),
        (0.127, "0.127"),
        (-1234.0, "-1.23 k"),
        (999_999.0, "1.00 M"),
        (2.5e6, "2.50 M"),
        (1.5e12, "1,500 bn"),
        (0.0, "0"),
        (math.nan, "n/a"),
    ],
)
def test_human_numbers(x: float, shown: str) -> None:
    assert human(x) == shown
