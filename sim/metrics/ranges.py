"""The values each metric can take, so that a confidence interval can be cut to them.

With a handful of replications Student's t interval can reach below zero
for a count or above one for a share: "-3 to 41 voyages seized". The true
mean lies in the metric's range, so the part of an interval outside it
holds no possible value. Cutting it off keeps the interval's coverage (the
cut interval contains the true mean whenever the uncut one does) and spares
the reader bounds the metric cannot take. A cut interval is still as wide
inside the range as the data make it: it says "few replications" as loudly.

Each metric's range is part of its definition (``sim.metrics.registry``); a test
checks that real runs stay inside them.
"""

from __future__ import annotations

import math

from sim.metrics.registry import NONNEGATIVE, SHARE, UNBOUNDED, definition

__all__ = ["NONNEGATIVE", "SHARE", "UNBOUNDED", "cut", "cut_ends", "metric_range"]


def metric_range(name: str) -> tuple[float, float]:
    """The closed range of ``name``'s values, from its definition; unbounded for a name
    defined nowhere (a column another coalsim version saved is left as it is, not cut by
    a guess)."""
    return definition(name).range


def cut(low: float, high: float, within: tuple[float, float]) -> tuple[float, float]:
    """An interval cut to ``within``; NaN ends stay NaN."""
    floor, ceiling = within
    return (
        low if math.isnan(low) else max(low, floor),
        high if math.isnan(high) else min(high, ceiling),
    )


def cut_ends(low: float, high: float, std: float, within: tuple[float, float]) -> tuple[bool, bool]:
    """Whether each end of a saved interval is where ``cut`` put it. An interval with a
    spread reaches a range end only by being cut (an uncut one would have to land on the
    end exactly); one with no spread is a point and was never cut."""
    spread = std > 0.0
    return (spread and low == within[0], spread and high == within[1])
