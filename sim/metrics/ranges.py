"""The values each metric can take, so that a confidence interval can be cut to them.

With a handful of replications Student's t interval can reach below zero
for a count or above one for a share: "-3 to 41 voyages seized". The true
mean lies in the metric's range, so the part of an interval outside it
holds no possible value. Cutting it off keeps the interval's coverage (the
cut interval contains the true mean whenever the uncut one does) and spares
the reader bounds the metric cannot take. A cut interval is still as wide
inside the range as the data make it: it says "few replications" as loudly.

Every metric is classified here; a test checks that the classes cover
``sim.metrics.METRICS`` exactly and that real runs stay inside them.
"""

from __future__ import annotations

import math

UNBOUNDED = (-math.inf, math.inf)
NONNEGATIVE = (0.0, math.inf)
UNIT = (0.0, 1.0)

SHARES = frozenset(
    {
        "seizure_share",
        "mean_belief_end",
        "patrol_utilisation",
        "share_advance",
        "share_after_delivery",
        "share_ship_to_ship",
        "share_waited",
    }
)
"""Metrics that are fractions of a whole, in [0, 1]."""

SIGNED = frozenset(
    {
        "dprk_net_rmb",
        "buyer_profit_rmb",
        "ledger_imbalance_rmb",
        "pressured_tonnes_per_day_change",
        "other_tonnes_per_day_change",
        "tonnes_per_day_change",
        "displacement_index",
    }
)
"""Net positions and changes, which can take either sign (the displacement index can
also exceed 1: the other destinations may gain more than the pressured ones lost)."""

COUNTS_AND_AMOUNTS = frozenset(
    {
        "shipments_attempted",
        "shipments_delivered",
        "shipments_seized",
        "shipments_seized_patrol",
        "shipments_seized_tip",
        "shipments_at_sea_end",
        "lots_held",
        "lots_waiting_end",
        "tonnes_delivered",
        "tonnes_seized",
        "dprk_revenue_rmb",
        "dprk_losses_rmb",
        "buyer_fines_rmb",
        "fines_rmb",
        "broker_fees_rmb",
        "seized_value_rmb",
        "rewards_paid_rmb",
        "tips",
        "enforcement_return",
        "accomplices_named",
        "buyers_active_end",
        "buyers_entered",
        "buyers_left",
        "contacts_detected",
        "patrol_hours_on_station",
        "pressured_tonnes_per_day_before",
        "pressured_tonnes_per_day_after",
        "other_tonnes_per_day_before",
        "other_tonnes_per_day_after",
        "recovery_days",
    }
)
"""Counts, hours, tonnes and gross amounts of money: never negative."""


def metric_range(name: str) -> tuple[float, float]:
    """The closed range of ``name``'s values; unbounded for a name not classified here
    (a column a later model version adds is left as it is, not cut by a guess)."""
    if name in SHARES:
        return UNIT
    if name in COUNTS_AND_AMOUNTS:
        return NONNEGATIVE
    return UNBOUNDED


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
