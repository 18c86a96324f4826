"""Every metric coalsim reports, defined once: what it means, its unit, the values it can
take, how it is labelled, and whether a reader sees it first.

The computation (``sim.metrics.replication``), the interval cutting
(``sim.metrics.ranges``), the terminal table, the report's tables and figures
and ``docs/metrics.md`` all read these definitions, so a metric's meaning and
unit cannot drift apart between them. Adding a metric touches its computation
and its one ``Metric`` here; a test checks the two name the same metrics.

The order of ``METRICS`` is the order of the columns of ``runs.csv`` and the
rows of ``summary.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sim.metrics.units import (
    COUNT,
    DAYS,
    KT,
    MILLION_RMB,
    PERCENT,
    RATIO,
    THOUSAND_HOURS,
    TONNES,
    TONNES_PER_DAY,
    TONNES_PER_MILLION_RMB,
    Unit,
)

UNBOUNDED = (-math.inf, math.inf)
NONNEGATIVE = (0.0, math.inf)
SHARE = (0.0, 1.0)

RANGE_NAMES = {UNBOUNDED: "any sign", NONNEGATIVE: "0 or more", SHARE: "0 to 1"}


@dataclass(frozen=True)
class Metric:
    """One reported quantity.

    ``range`` is the closed set of values the metric can take: a confidence
    interval is cut to it (``sim.metrics.ranges``). ``headline`` metrics open
    the report and the terminal table; ``target`` metrics are what
    ``--target-ci`` watches and a sweep reports unless told otherwise.
    """

    name: str
    meaning: str
    label: str
    unit: Unit
    range: tuple[float, float]
    group: str
    headline: bool = False
    target: bool = False

    @property
    def axis_label(self) -> str:
        """'Coal delivered (kt)'; a plain count has no unit."""
        return f"{self.label} ({self.unit.label})" if self.unit.label else self.label


Row = tuple[str, Unit, tuple[float, float], str, str, str]


def _m(
    name: str, unit: Unit, rng: tuple[float, float], flags: str, label: str, meaning: str
) -> Row:
    """One definition as written below; ``flags``: 'h' headline, 't' target."""
    return (name, unit, rng, flags, label, meaning)


def _group(group: str, rows: list[Row]) -> dict[str, Metric]:
    return {
        name: Metric(name, meaning, label, unit, rng, group, "h" in flags, "t" in flags)
        for name, unit, rng, flags, label, meaning in rows
    }


# fmt: off
# name, unit, range of values, flags, label, meaning
METRICS: dict[str, Metric] = {
    **_group("voyages", [
        _m("shipments_attempted", COUNT, NONNEGATIVE, "h", "Voyages sailed",
           "voyages that sailed"),
        _m("shipments_delivered", COUNT, NONNEGATIVE, "", "Voyages delivered",
           "voyages that reached the buyer"),
        _m("shipments_seized", COUNT, NONNEGATIVE, "h", "Voyages seized",
           "voyages seized at sea (all causes)"),
        _m("shipments_seized_patrol", COUNT, NONNEGATIVE, "h", "Voyages seized by patrol",
           "voyages seized by area search"),
        _m("shipments_seized_tip", COUNT, NONNEGATIVE, "h", "Voyages seized after a tip",
           "voyages seized on a tip"),
        _m("shipments_at_sea_end", COUNT, NONNEGATIVE, "", "Voyages at sea at the end",
           "voyages still at sea at the horizon"),
        _m("lots_held", COUNT, NONNEGATIVE, "", "Lots held ashore",
           "lots kept ashore: no buyer within the seller's patience, or no ship left"),
        _m("lots_waiting_end", COUNT, NONNEGATIVE, "", "Lots waiting at the end",
           "lots sold or on offer but not sailed at the horizon"),
    ]),
    **_group("coal", [
        _m("tonnes_delivered", KT, NONNEGATIVE, "ht", "Coal delivered",
           "coal delivered (saved in tonnes)"),
        _m("tonnes_seized", KT, NONNEGATIVE, "ht", "Coal seized",
           "coal seized (saved in tonnes)"),
        _m("seizure_share", PERCENT, SHARE, "ht", "Share of voyages seized",
           "seized / (seized + delivered) voyages"),
        _m("tonnes_per_voyage", TONNES, NONNEGATIVE, "h", "Cargo per voyage",
           "mean cargo of the voyages that sailed"),
        _m("transfer_tonnes_share", PERCENT, SHARE, "h", "Coal delivered by transfer at sea",
           "share of the delivered coal handed to a buyer's barge at sea (ship-to-ship)"),
    ]),
    **_group("money", [
        _m("dprk_revenue_rmb", MILLION_RMB, NONNEGATIVE, "ht", "DPRK sellers' revenue",
           "payments received by DPRK sellers"),
        _m("dprk_losses_rmb", MILLION_RMB, NONNEGATIVE, "h", "DPRK sellers' cargo lost",
           "cargo value DPRK sellers lost to seizure"),
        _m("dprk_net_rmb", MILLION_RMB, UNBOUNDED, "h", "DPRK sellers' net cash",
           "DPRK sellers' cash position: payments received - running costs"),
        _m("buyer_profit_rmb", MILLION_RMB, UNBOUNDED, "h", "Chinese buyers' net cash",
           "Chinese buyers' cash position: resale - payments - fees - fines"),
        _m("buyer_fines_rmb", MILLION_RMB, NONNEGATIVE, "h", "Fines paid by buyers",
           "fines paid by buyers (as the identified buyer or as accomplices)"),
        _m("fines_rmb", MILLION_RMB, NONNEGATIVE, "ht", "Fines paid to the state",
           "all fines paid to the state"),
        _m("broker_fees_rmb", MILLION_RMB, NONNEGATIVE, "h", "Brokers' fees",
           "fees brokers earned"),
        _m("seized_value_rmb", MILLION_RMB, NONNEGATIVE, "h", "Cargo value confiscated",
           "cargo value confiscated by the state"),
        _m("rewards_paid_rmb", MILLION_RMB, NONNEGATIVE, "h", "Rewards paid to tipsters",
           "tipster rewards paid by the state"),
    ]),
    **_group("enforcement", [
        _m("tips", COUNT, NONNEGATIVE, "h", "Tips given",
           "tips given: every knower who tipped, also after the voyage was over (zones.csv "
           "counts only those that came while the cargo still had a zone ahead)"),
        _m("enforcement_return", RATIO, NONNEGATIVE, "h", "Enforcement return",
           "(fines + seized value) per yuan of rewards"),
        _m("accomplices_named", COUNT, NONNEGATIVE, "h", "Accomplices named",
           "people named by investigations"),
    ]),
    **_group("buyers", [
        _m("buyers_active_end", COUNT, NONNEGATIVE, "h", "Buyers active at the end",
           "buyers trading at the horizon (not arrested, bankrupt or serving)"),
        _m("buyers_entered", COUNT, NONNEGATIVE, "h", "Buyers who entered",
           "buyers who entered the trade during the run"),
        _m("buyers_left", COUNT, NONNEGATIVE, "h", "Buyers who left",
           "buyers who left (arrested or bankrupt)"),
        _m("mean_belief_end", PERCENT, SHARE, "h", "Buyers' mean risk belief at the end",
           "buyers' mean believed interception chance at the horizon"),
    ]),
    **_group("patrols", [
        _m("contacts_detected", COUNT, NONNEGATIVE, "", "Patrol contacts",
           "patrol detections of smuggling ships (boarded or not)"),
        _m("patrol_hours_on_station", THOUSAND_HOURS, NONNEGATIVE, "", "Patrol hours on station",
           "patrol vessel-hours on station"),
        _m("patrol_utilisation", PERCENT, SHARE, "h", "Patrol utilisation",
           "share of patrol vessel-hours in service spent on station"),
    ]),
    **_group("contracts", [
        _m("share_advance", PERCENT, SHARE, "h", "Share of contracts paid in advance",
           "share of contracts on advance payment"),
        _m("share_after_delivery", PERCENT, SHARE, "", "Share of contracts paid after delivery",
           "share of contracts on payment after delivery"),
        _m("share_ship_to_ship", PERCENT, SHARE, "", "Share delivered ship-to-ship",
           "share of contracts delivered by ship-to-ship transfer"),
    ]),
    **_group("checks", [
        _m("ledger_imbalance_rmb", MILLION_RMB, UNBOUNDED, "", "Ledger imbalance",
           "sum of all parties' net positions (must be 0)"),
    ]),
    **_group("displacement", [
        _m("pressured_tonnes_per_day_before", TONNES_PER_DAY, NONNEGATIVE, "",
           "Pressured destinations: coal per day before",
           "coal delivered to the pressured destinations per day, in the window before the "
           "change (t/day)"),
        _m("pressured_tonnes_per_day_after", TONNES_PER_DAY, NONNEGATIVE, "",
           "Pressured destinations: coal per day after",
           "the same in the window after the change (t/day)"),
        _m("pressured_tonnes_per_day_change", TONNES_PER_DAY, UNBOUNDED, "",
           "Pressured destinations: change in coal per day",
           "after - before, pressured destinations (t/day)"),
        _m("other_tonnes_per_day_before", TONNES_PER_DAY, NONNEGATIVE, "",
           "Other destinations: coal per day before",
           "coal delivered to all other destinations per day, in the window before the change "
           "(t/day)"),
        _m("other_tonnes_per_day_after", TONNES_PER_DAY, NONNEGATIVE, "",
           "Other destinations: coal per day after",
           "the same in the window after the change (t/day)"),
        _m("other_tonnes_per_day_change", TONNES_PER_DAY, UNBOUNDED, "",
           "Other destinations: change in coal per day",
           "after - before, other destinations (t/day)"),
        _m("tonnes_per_day_change", TONNES_PER_DAY, UNBOUNDED, "",
           "All destinations: change in coal per day",
           "after - before, all destinations (t/day)"),
        _m("displacement_index", PERCENT, UNBOUNDED, "",
           "Displacement index (lost volume that reappears elsewhere)",
           "share of the volume lost on the pressured destinations that reappears on the "
           "others: other change / -(pressured change); only in a replication whose "
           "pressured drop exceeds twice its standard error (compound Poisson over the "
           "cargoes in each window), else NaN"),
        _m("recovery_days", DAYS, NONNEGATIVE, "", "Days until volume recovers",
           "days from the change until all delivered coal's trailing 4-week rate, after its "
           "lowest point in the after window, is back to recovery_fraction x its rate before (0:"
           " never fell below that; NaN: not back by the horizon)"),
        _m("share_waited", PERCENT, SHARE, "", "Share of voyages that waited for a surge to pass",
           "share of sailed voyages that waited in port or loitered to let a patrol surge pass"),
    ]),
    **_group("observed", [
        _m("transfers", COUNT, NONNEGATIVE, "h", "Ship-to-ship transfers",
           "ship-to-ship transfers completed: cargoes handed to a buyer's barge at sea"),
        _m("port_calls", COUNT, NONNEGATIVE, "", "Deliveries into port",
           "cargoes delivered into a Chinese port"),
        _m("observed_transfers", COUNT, NONNEGATIVE, "h", "Transfers seen from outside",
           "ship-to-ship transfers an outside observer saw (imagery, AIS tracks)"),
        _m("observed_port_calls", COUNT, NONNEGATIVE, "", "Port deliveries reported",
           "deliveries into port that were reported"),
        _m("observed_tonnes", KT, NONNEGATIVE, "h", "Coal seen delivered",
           "coal in the deliveries an outside observer saw (transfers and port calls)"),
        _m("announced_seizures", COUNT, NONNEGATIVE, "h", "Seizures announced",
           "seizures the Coast Guard announced publicly"),
        _m("announced_tonnes_seized", KT, NONNEGATIVE, "", "Coal seized, announced",
           "coal in the announced seizures"),
        _m("dark_figure", PERCENT, SHARE, "h", "Dark figure: coal delivered unseen",
           "share of the delivered coal that no outside observer saw: 1 - observed_tonnes / "
           "tonnes_delivered"),
    ]),
    **_group("costs", [
        _m("enforcement_spend_rmb", MILLION_RMB, NONNEGATIVE, "", "Enforcement spend",
           "enforcement's cost: patrol vessel-days, boardings, escorts, cases, rewards paid"),
    ]),
}
"""Every metric of a replication, by name, in the order of ``runs.csv``'s columns."""

SERIES: dict[str, Metric] = _group("weekly series", [
    _m("shipments_departed", COUNT, NONNEGATIVE, "", "Voyages sailed",
       "voyages that sailed that week"),
    _m("shipments_delivered", COUNT, NONNEGATIVE, "", "Voyages delivered",
       "voyages that arrived that week"),
    _m("shipments_seized", COUNT, NONNEGATIVE, "", "Voyages seized",
       "voyages seized that week"),
    _m("shipments_seized_tip", COUNT, NONNEGATIVE, "", "Voyages seized after a tip",
       "voyages seized on a tip that week"),
    _m("tonnes_delivered", KT, NONNEGATIVE, "", "Coal delivered",
       "coal that arrived that week"),
    _m("tonnes_seized", KT, NONNEGATIVE, "", "Coal seized",
       "coal seized that week"),
    _m("dprk_revenue_rmb", MILLION_RMB, NONNEGATIVE, "", "DPRK sellers' revenue",
       "payments DPRK sellers received that week"),
    _m("rewards_paid_rmb", MILLION_RMB, NONNEGATIVE, "", "Rewards paid to tipsters",
       "rewards paid for that week's seizures"),
    _m("contracts", COUNT, NONNEGATIVE, "", "Contracts signed",
       "contracts signed that week"),
    _m("contracts_advance", COUNT, NONNEGATIVE, "", "Contracts paid in advance",
       "contracts on advance payment signed that week"),
    _m("share_advance", PERCENT, SHARE, "", "Share of contracts paid in advance",
       "share of that week's contracts on advance payment"),
    _m("patrols_on_station", COUNT, NONNEGATIVE, "", "Patrols on station",
       "patrol vessels on station, time-weighted mean over the week"),
    _m("buyers_active", COUNT, NONNEGATIVE, "", "Buyers active",
       "buyers trading at the start of the week"),
    _m("mean_belief", PERCENT, SHARE, "", "Buyers' mean risk belief",
       "buyers' mean believed interception chance at the start of the week"),
])
"""The columns of ``timeseries.csv`` (one row per week and replication)."""

DERIVED: dict[str, Metric] = _group("comparison", [
    _m("displaced_share_b_vs_a", PERCENT, UNBOUNDED, "",
       "Displaced: of the pressured volume B loses against A, the share B delivers elsewhere",
       "of the pressured destinations' volume that B loses against A, the share B delivers "
       "to the other destinations (ratio of mean changes)"),
    _m("coal_stopped_per_million_rmb", TONNES_PER_MILLION_RMB, UNBOUNDED, "",
       "Coal stopped per million RMB spent",
       "coal delivered under the reference plan less under this plan, per million RMB of "
       "enforcement spend this plan adds over the reference (ratio of paired mean "
       "differences over common random numbers)"),
    _m("revenue_denied_per_rmb", RATIO, UNBOUNDED, "",
       "DPRK revenue denied per RMB spent",
       "DPRK sellers' revenue under the reference plan less under this plan, per RMB of "
       "enforcement spend this plan adds over the reference (ratio of paired mean "
       "differences)"),
])
"""Quantities computed from two runs (``coalsim compare``, ``coalsim optimise``: a plan against
its reference), not from one replication."""
# fmt: on


def definition(name: str) -> Metric:
    """The metric, series column or derived quantity called ``name``.

    A name defined nowhere (a column an older or newer coalsim saved) gets a
    plain definition: its name as label, no unit, no range to cut to. Metrics
    come first, so a name that is both a metric and a weekly series (a week's
    tonnes delivered) is shown as the metric.
    """
    for table in (METRICS, DERIVED, SERIES):
        if name in table:
            return table[name]
    words = name.removesuffix("_rmb").replace("_", " ")
    return Metric(name, "", words[:1].upper() + words[1:], COUNT, UNBOUNDED, "unknown")


def names(group: str | None = None, *, headline: bool = False, target: bool = False) -> list[str]:
    """Metric names in registry order, optionally only one group's, headline or target ones."""
    return [
        m.name
        for m in METRICS.values()
        if (group is None or m.group == group)
        and (m.headline or not headline)
        and (m.target or not target)
    ]


READING_ORDER = (
    "coal",
    "voyages",
    "money",
    "enforcement",
    "costs",
    "buyers",
    "patrols",
    "contracts",
    "displacement",
    "observed",
    "checks",
)
"""The order in which a reader meets the groups: coal first, the ledger's check last."""


def reading_order(metrics: Iterable[str]) -> list[str]:
    """``metrics`` grouped in ``READING_ORDER``, registry order within a group; names
    defined nowhere come last, as given."""
    rank = {g: i for i, g in enumerate(READING_ORDER)}
    return sorted(metrics, key=lambda m: rank.get(definition(m).group, len(rank)))


def headline() -> list[str]:
    """What a reader sees first, in reading order."""
    return reading_order(names(headline=True))
