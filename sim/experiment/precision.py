"""A precision target: add replications until every headline metric is known well enough.

A metric reaches the target when the half-width of its 95% confidence
interval is below ``target`` times the magnitude of its mean. A metric
that is the same in every replication (half-width 0) has reached it, even
at a mean of 0; any other metric with a mean of 0 never does.

Batches are sized from the precision so far: the half-width shrinks as
1 / sqrt(n), so the metric furthest from the target needs about
``n * (relative / target)^2`` replications in all. Each batch asks for
that (times 1.1, for the noise in the estimate) but never more than
doubles the count, so one noisy early estimate cannot overshoot much.
Replication indices are consecutive, so a run that stopped at n
replications has exactly the files of a plain run of n replications.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.experiment.summary import mean_ci


@dataclass(frozen=True)
class Status:
    metric: str
    mean: float
    half_width: float
    relative: float  # half-width / |mean|; inf when the mean is 0 and the values vary
    reached: bool


def status(values: dict[str, Sequence[float]], target: float) -> list[Status]:
    out = []
    for metric, xs in values.items():
        mean, _, lo, hi, n = mean_ci(np.asarray(xs, dtype=float))
        half = (hi - lo) / 2 if n > 1 else math.inf
        if half == 0:
            rel = 0.0
        elif mean == 0 or not math.isfinite(half):
            rel = math.inf
        else:
            rel = half / abs(mean)
        out.append(Status(metric, mean, half, rel, rel < target or half == 0))
    return out


def next_batch(n: int, statuses: list[Status], target: float, maximum: int) -> int:
    """How many replications to add (0 when every metric is there or the maximum is reached)."""
    if n >= maximum or all(s.reached for s in statuses):
        return 0
    worst = max(s.relative for s in statuses if not s.reached)
    needed = n * (worst / target) ** 2 * 1.1 if math.isfinite(worst) else 2 * n
    return int(max(1, min(math.ceil(needed) - n, n, maximum - n)))
