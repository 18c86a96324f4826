"""The balloon effect in lianyungang_surge: coal pressed out of Lianyungang goes elsewhere.

The surge's effect is the difference from the same world without the surge
(lianyungang_no_surge.toml), replication by replication on the same random
numbers, in the 60-day window that starts two weeks after day 120.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import run
from scipy import stats

from sim.metrics import replication_metrics
from sim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
REPLICATIONS = 40
"""Enough for the gain elsewhere to stand clear of zero: +626 t/day (+259 to +994). At 20,
README's table, it is +446 (-80 to +972): the effect is there, but 20 pairs are too few
to show it at 95% since tips keep the nearest patrol and go on time."""


def ci95(x: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


@pytest.fixture(scope="module")
def paired() -> dict[str, np.ndarray]:
    surge = load(ROOT / "scenarios" / "lianyungang_surge.toml")
    none = load(ROOT / "scenarios" / "lianyungang_no_surge.toml")
    assert surge.scenario.seed == none.scenario.seed  # common random numbers
    rows = [
        (replication_metrics(run(surge, k)), replication_metrics(run(none, k)))
        for k in range(REPLICATIONS)
    ]
    keys = ("pressured_tonnes_per_day_after", "other_tonnes_per_day_after", "tonnes_delivered")
    return {key: np.array([a[key] - b[key] for a, b in rows]) for key in keys}


def test_the_surge_cuts_the_volume_to_the_pressured_port(paired: dict[str, np.ndarray]) -> None:
    low, high = ci95(paired["pressured_tonnes_per_day_after"])
    assert high < 0, (low, high)


def test_the_volume_to_the_other_ports_rises(paired: dict[str, np.ndarray]) -> None:
    low, high = ci95(paired["other_tonnes_per_day_after"])
    assert low > 0, (low, high)


def test_most_of_the_lost_volume_reappears_elsewhere(paired: dict[str, np.ndarray]) -> None:
    """The displacement share (volume gained elsewhere over volume lost) is substantial."""
    lost = -paired["pressured_tonnes_per_day_after"].mean()
    gained = paired["other_tonnes_per_day_after"].mean()
    assert 0.3 < gained / lost < 2.0
