"""Paired estimates between plans that share common random numbers: replication ``r`` of
every plan sees the same streams, so each plan's difference from a reference is
estimated from per-replication differences, with a far tighter interval than the
difference of two separate means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% confidence interval (NaN where it cannot be formed)."""

    mean: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


NAN = Estimate(math.nan, math.nan, math.nan)


def mean_ci(x: np.ndarray, level: float = 0.95) -> Estimate:
    """Student-t interval of the mean of ``x`` (NaNs dropped)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return NAN
    m = float(x.mean())
    if len(x) < 2:
        return Estimate(m, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return Estimate(m, m - half, m + half)


def paired_difference(plan: np.ndarray, reference: np.ndarray, level: float = 0.95) -> Estimate:
    """Mean of ``plan[r] - reference[r]`` over replications both have."""
    return mean_ci(np.asarray(plan, dtype=float) - np.asarray(reference, dtype=float), level)


def paired_ratio(
    gained: np.ndarray, spent: np.ndarray, scale: float = 1.0, level: float = 0.95
) -> Estimate:
    """``scale`` x mean(gained) / mean(spent) for paired per-replication differences (what a
    plan stops, what it costs more than the reference), with a delta-method interval:
    the ratio's error is that of the residuals ``gained - R spent``.

    Only formed when the extra spend is detectably positive (its own interval above
    zero): a plan that costs no more than the reference has no cost per unit stopped.
    """
    g, c = np.asarray(gained, dtype=float), np.asarray(spent, dtype=float)
    keep = ~(np.isnan(g) | np.isnan(c))
    g, c = g[keep], c[keep]
    if len(g) < 2 or mean_ci(c, level).low <= 0:
        return NAN
    r = float(g.mean() / c.mean())
    se = float((g - r * c).std(ddof=1) / (math.sqrt(len(g)) * abs(c.mean())))
    half = float(stats.t.ppf(0.5 + level / 2, len(g) - 1)) * se
    return Estimate(scale * r, scale * (r - half), scale * (r + half))
