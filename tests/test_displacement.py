"""The balloon effect in lianyungang_surge: coal pressed out of Lianyungang goes elsewhere.

The surge's effect is the difference from the same world without the surge
(lianyungang_no_surge.toml), replication by replication on the same random
numbers, in the 60-day window that starts two weeks after day 120.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from builders import run
from scipy import stats

from sim.metrics import replication_metrics
from sim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
# The design, fixed before the test's own runs: a pilot of 30 pairs at replications 1000
# to 1029 (random numbers the test never uses) gave a paired gain elsewhere of +1,190 t/day
# with a standard deviation of 2,403 t/day between pairs (loss at Lianyungang: -1,967, sd
# 1,675). Rerun when buyers came to weigh arrest and being named (issue 22); before, the
# pilot gave +499 t/day, sd 1,094 (loss -688, sd 766).
PILOT_GAIN, PILOT_SD = 1190.0, 2403.0
POWER, Z_CI = 0.90, 1.959964
Z_POWER = 1.281552  # z at 0.90
REPLICATIONS = math.ceil(((Z_CI + Z_POWER) * PILOT_SD / PILOT_GAIN) ** 2)
"""Pairs for a 95% interval to clear zero with 90% power if the gain is the pilot's:
n = ((z_0.975 + z_0.90) sd / gain)^2 = 43. Its planned half-width is z sd / sqrt(n), about
720 t/day; the test checks the interval it gets is that wide, give or take half."""
PLANNED_HALF = Z_CI * PILOT_SD / math.sqrt(REPLICATIONS)


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
    assert 0.5 * PLANNED_HALF < (high - low) / 2 < 1.5 * PLANNED_HALF  # the design held


def test_most_of_the_lost_volume_reappears_elsewhere(paired: dict[str, np.ndarray]) -> None:
    """The displacement share (gain elsewhere over loss at the pressured port) has a 95%
    interval (delta method over the pairs) above zero and below 2: the pilot's share
    was 0.60 (0.73 before issue 22)."""
    gain, loss = paired["other_tonnes_per_day_after"], -paired["pressured_tonnes_per_day_after"]
    share = gain.mean() / loss.mean()
    cov = np.cov(gain, loss, ddof=1)
    var = (cov[0, 0] - 2 * share * cov[0, 1] + share**2 * cov[1, 1]) / loss.mean() ** 2
    half = Z_CI * math.sqrt(var / len(gain))
    assert share - half > 0 and share + half < 2.0, (share, half)
