"""Numbers as the terminal and the report show them: three significant figures with
thousands separators, one style everywhere."""

from __future__ import annotations

import math

import pytest

from sim.metrics.units import KT, MILLION_RMB, PERCENT, number


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (3_982.4, "3,982"),
        (519.0, "519"),
        (12.34, "12.3"),
        (3.0, "3.00"),
        (0.127, "0.127"),
        (0.05249, "0.0525"),
        (-1234.0, "-1,234"),
        (0.0, "0"),
        (math.nan, "n/a"),
        (math.inf, "n/a"),
        (None, "n/a"),
    ],
)
def test_numbers(x: float | None, shown: str) -> None:
    assert number(x) == shown


def test_units_scale_to_what_a_reader_reads() -> None:
    """4.01 Mt is 4,010 kt; RMB 1.689 bn is 1,689 million; a share of 0.067 is 6.70 %."""
    assert number(KT(4_010_000.0)) == "4,010"
    assert number(MILLION_RMB(1.689e9)) == "1,689"
    assert number(PERCENT(0.067)) == "6.70"
