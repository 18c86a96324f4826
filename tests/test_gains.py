"""Paired estimates over common random numbers, checked against hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiment.gains import mean_ci, paired_difference, paired_ratio


def test_a_constant_difference_has_a_zero_width_interval() -> None:
    """Two plans whose every replication differs by the same 5 t: the paired difference is
    exactly 5, although each plan's own interval is wide."""
    ref = np.array([100.0, 300.0, 200.0, 50.0])
    d = paired_difference(ref + 5.0, ref)
    assert (d.mean, d.low, d.high) == (5.0, 5.0, 5.0)
    assert mean_ci(ref).high - mean_ci(ref).low > 100


def test_the_ratio_of_proportional_differences_is_exact() -> None:
    """Each replication stops 3 t per yuan of extra spend: the ratio is 3, scaled to a
    million yuan 3 million, with no spread."""
    spent = np.array([10.0, 20.0, 15.0, 12.0])
    r = paired_ratio(3.0 * spent, spent, scale=1e6)
    assert r.mean == pytest.approx(3e6)
    assert r.high - r.low == pytest.approx(0.0, abs=1e-6)


def test_the_mean_and_t_interval_by_hand() -> None:
    """x = 1, 2, 3, 4: mean 2.5, s = 1.2910, t(0.975, 3) = 3.1824: half-width 2.0543."""
    e = mean_ci(np.array([1.0, 2.0, 3.0, 4.0]))
    assert e.mean == 2.5
    assert e.high - e.mean == pytest.approx(3.182446 * 1.290994 / 2.0, rel=1e-5)


def test_no_ratio_when_the_plan_is_not_dearer() -> None:
    """A plan that costs the same or less than the reference has no cost per tonne."""
    assert math.isnan(paired_ratio(np.array([5.0, 6.0, 7.0]), np.array([-1.0, 0.5, -2.0])).mean)
