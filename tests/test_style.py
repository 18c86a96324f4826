"""Axis tick labels say exactly the tick's value."""

from __future__ import annotations

import pytest

from sim.report.style import Readable


@pytest.mark.parametrize(
    ("ticks", "labels"),
    [
        ([-7.5, -5.0, -2.5, 0.0, 2.5, 5.0, 7.5, 10.0], ["-7.5", "-5.0", "-2.5", "0.0", "2.5"]),
        ([0.0, 0.25, 0.5, 0.75, 1.0], ["0.00", "0.25", "0.50", "0.75", "1.00"]),
        ([0.0, 0.1, 0.2, 0.30000000000000004], ["0.0", "0.1", "0.2", "0.3"]),
        ([0.0, 1000.0, 2000.0, 3000.0], ["0", "1,000", "2,000", "3,000"]),
        ([0.0, 0.002, 0.004], ["0.000", "0.002", "0.004"]),
    ],
)
def test_tick_labels_are_the_tick_values(ticks: list[float], labels: list[str]) -> None:
    f = Readable()
    f.set_locs(ticks)
    assert [f(v) for v in ticks[: len(labels)]] == labels
