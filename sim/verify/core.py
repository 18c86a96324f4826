"""What a verification check reports, and the intervals it judges itself by.

A check runs the model on a small purpose-built world and compares what it
measures with what theory says. Each comparison is a ``Point``: the analytic
value, the simulated estimate and an interval around the estimate. A point
passes when the analytic value lies inside the interval; a check passes
when all its points do.

Intervals: a share of independent trials gets a Wilson score interval at
99%; a mean over replications or cases gets Student's t at 95%. A check
with k points widens each interval to level 1 - (1 - level) / k
(Bonferroni), so the chance that a correct model fails the check at a
fresh seed stays below 1% (shares) or 5% (means). Bookkeeping checks are
exact: the interval is the rounding tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from sim.experiment.seeds import replication_seed
from sim.model.model import RunOutput, simulate
from sim.scenario import Resolved

SHARE_LEVEL = 0.99
MEAN_LEVEL = 0.95

Simulate = Callable[[Resolved, int], RunOutput]
"""Runs replication ``r`` of a resolved world: the seam where a test can break the model."""


def run(resolved: Resolved, replication: int = 0) -> RunOutput:
    """Replication ``replication`` of a world from its own seed: the default ``Simulate``."""
    return simulate(resolved, replication_seed(resolved.scenario.seed, replication))


@dataclass(frozen=True)
class Point:
    """One comparison of simulation against theory."""

    label: str
    x: float
    """Where the point sits on the check's figure (effort, knowers, ...)."""
    expected: float
    estimate: float
    low: float
    high: float
    n: int
    """Trials, cases or replications behind the estimate."""
    series: str = ""
    """Which analytic curve of the figure the point belongs to."""

    @property
    def passed(self) -> bool:
        tol = 1e-12 * max(1.0, abs(self.expected))
        return self.low - tol <= self.expected <= self.high + tol


@dataclass(frozen=True)
class Curve:
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    mechanism: str
    """One sentence: what is checked, in which world."""
    formula: str
    interval: str
    """How the interval is made, e.g. '99% Wilson score interval, Bonferroni over 5 points'."""
    level: str
    """The same in a few words, for tables: '99% Wilson, Bonferroni'."""
    points: tuple[Point, ...]
    x_label: str
    y_label: str
    curves: tuple[Curve, ...] = ()
    """Analytic curves to draw the points on; none: the points are drawn against y = x."""
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    """Failures that are not a point out of its interval (a name given twice, ...)."""
    log_axes: bool = False
    point_label: str = "simulated"
    """What the figure's legend calls the points."""
    categorical: bool = False
    """Draw the points side by side, one slot each, rather than on an axis of ``x``."""
    plot: tuple[Point, ...] = ()
    """What the figure draws, when that is not ``points`` (e.g. one dot per kind of flow)."""
    extra_ok: bool = True
    """False when a side condition of the check failed (see ``notes``)."""

    @property
    def passed(self) -> bool:
        return bool(self.points) and self.extra_ok and all(p.passed for p in self.points)


@dataclass
class Suite:
    checks: list[Check] = field(default_factory=list)
    quick: bool = True
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


def bonferroni(level: float, k: int) -> float:
    """Per-point level that keeps the family-wise level at ``level`` over ``k`` points."""
    return 1.0 - (1.0 - level) / max(1, k)


def describe_level(kind: str, level: float, k: int) -> str:
    per = bonferroni(level, k)
    base = f"{level:.0%} {kind}"
    return base if k == 1 else f"{base}, Bonferroni over {k} points ({per:.2%} each)"


def wilson(successes: int, n: int, level: float) -> tuple[float, float, float]:
    """(share, low, high): Wilson score interval for a binomial share."""
    if n == 0:
        return (math.nan, math.nan, math.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # at 0 or n successes the bound is exactly 0 or 1 (the formula leaves rounding dust)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (p, low, high)


def t_interval(values: Sequence[float] | np.ndarray, level: float) -> tuple[float, float, float]:
    """(mean, low, high): Student's t interval for a mean; a constant sample has zero width."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return (mean, mean - half, mean + half)


def share_points(
    rows: Sequence[tuple[str, float, float, int, int, str]], level: float = SHARE_LEVEL
) -> tuple[tuple[Point, ...], str]:
    """Points for shares: rows of (label, x, expected, successes, trials, series)."""
    per = bonferroni(level, len(rows))
    points = []
    for label, x, expected, k, n, series in rows:
        est, lo, hi = wilson(k, n, per)
        points.append(Point(label, x, expected, est, lo, hi, n, series))
    return tuple(points), describe_level("Wilson score interval", level, len(rows))
