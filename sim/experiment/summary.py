"""Mean, standard deviation and a 95% confidence interval over replications.

The interval uses Student's t with n - 1 degrees of freedom: with the ten
or twenty replications analysts often run, the normal 1.96 would overstate
the precision. Saved intervals are cut to the values each metric can take
(``sim.metrics.ranges``); the precision target reads the uncut half-width.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from sim.metrics.ranges import UNBOUNDED, cut, metric_range

LEVEL = 0.95


def mean_ci(
    values: np.ndarray | pd.Series, within: tuple[float, float] = UNBOUNDED
) -> tuple[float, float, float, float, int]:
    """(mean, std, ci_low, ci_high, n) over the finite values, the interval cut to
    ``within``."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return (mean, math.nan, math.nan, math.nan, 1)
    std = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * std / math.sqrt(n)
    return (mean, std, *cut(mean - half, mean + half, within), n)


def summarise(
    runs: pd.DataFrame,
    metrics: list[str],
    within: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Mean, std and 95% CI per metric; ``within`` narrows a metric's range for this run
    (days to recover cannot exceed the days left after the change)."""
    rows = []
    for m in metrics:
        mean, std, lo, hi, n = mean_ci(runs[m], (within or {}).get(m, metric_range(m)))
        rows.append(
            {"metric": m, "mean": mean, "std": std, "ci95_low": lo, "ci95_high": hi, "n": n}
        )
    return pd.DataFrame(rows)
