"""Displacement: where the coal goes when a policy presses on some destinations, and how fast
the trade comes back; plus the per-zone and per-destination tables those questions are read from.

Delivered volume is always counted at its arrival time (``t_arrive``), the
moment the coal is in the buyer's hands; seized volume at its seizure time.
Everything here is computed from the plain records after the run, so
the model never has to know what an analyst will ask of it.

The functions take the records they need rather than a whole ``RunOutput``,
so tests can hand-build a few shipments and patrol movements and check the
numbers by hand.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.metrics.outputs import Columns, Kind
from sim.metrics.registry import names
from sim.model.records import PatrolEvent, Shipment, ZoneEvent

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
CLEAR_OF_ZERO = 2.0
"""The displacement index is a ratio to the pressured destinations' drop; a drop within
twice its own standard error could as well be nothing, and dividing by it gave values of
thousands of percent. Such replications have no index (NaN)."""
TRAILING_DAYS = 28.0
"""The recovery test compares a trailing four-week rate: a week holds too few voyages."""

DISPLACEMENT_METRICS = tuple(names("displacement"))
"""Their meanings and units are in ``sim.metrics.registry``."""

VOLUME_KINDS: dict[str, Kind] = {
    "week": "int",
    "destination": "str",
    "route": "str",
    "mode": "str",
    "shipments_delivered": "int",
    "tonnes_delivered": "float",
    "shipments_seized": "int",
    "tonnes_seized": "float",
}
VOLUME_COLUMNS = list(VOLUME_KINDS)
ZONE_KINDS: dict[str, Kind] = {
    "zone": "str",
    "patrol_hours_on_station": "float",
    "seizures": "int",
    "tips": "int",
    "seizures_per_patrol_hour": "float",
}
ZONE_COLUMNS = list(ZONE_KINDS)


def change_day(configured: float | None, policy_days: Iterable[float]) -> float | None:
    """The day a run's change takes effect: the configured day, else the first policy day.

    A pure function of scenario values, so the report (which reads the saved
    scenario, never the model) draws its change line at the same day the
    metrics used.
    """
    if configured is not None:
        return float(configured)
    days = [float(d) for d in policy_days]
    return min(days) if days else None


def scenario_change_day(scenario: Scenario) -> float | None:
    return change_day(scenario.displacement.change_day, (p.day for p in scenario.policy))


def shipment_mode(s: Shipment) -> str:
    """How a voyage delivered: the mode the seller chose, else what its contract said.

    ``mode`` is empty when the model did not choose one (adaptation off);
    the contract's delivery (port or ship_to_ship) is then the truth.
    """
    return s.mode or ("ship_to_ship" if s.delivery == "ship_to_ship" else "port")


def _rate(arrivals: np.ndarray, tonnes: np.ndarray, start: float, end: float) -> float:
    """Tonnes per day arriving in [start, end) hours; NaN for an empty window."""
    if not end > start:
        return math.nan
    inside = (arrivals >= start) & (arrivals < end)
    return float(tonnes[inside].sum()) / ((end - start) / HOURS_PER_DAY)


def _rate_se(arrivals: np.ndarray, tonnes: np.ndarray, start: float, end: float) -> float:
    """Standard error of ``_rate``: cargoes arrive as a compound Poisson process, so the
    window's tonnage has variance sum of tonnes squared (NaN for an empty window)."""
    if not end > start:
        return math.nan
    inside = (arrivals >= start) & (arrivals < end)
    return math.sqrt(float((tonnes[inside] ** 2).sum())) / ((end - start) / HOURS_PER_DAY)


def _delivered(shipments: Iterable[Shipment]) -> list[Shipment]:
    return [s for s in shipments if s.outcome == "delivered" and math.isfinite(s.t_arrive)]


def windows(t_change: float, horizon: float, window: float, lag: float) -> tuple[float, ...]:
    """(pre start, pre end, post start, post end) in hours, clipped to the run."""
    post = t_change + lag
    return (max(0.0, t_change - window), t_change, post, min(horizon, post + window))


def recovery_days(
    arrivals: np.ndarray,
    tonnes: np.ndarray,
    t_change: float,
    horizon: float,
    target: float,
    fall_by: float,
) -> float:
    """Days from ``t_change`` until the trailing 4-week rate is back at ``target`` after its trough.

    The rate over (t - 28 d, t] rises only when a cargo arrives and falls only
    when one leaves the window, so checking it at those instants (and at the
    change) sees every value it takes. The trough is its lowest value from
    the change to ``fall_by`` (the end of the after window): measuring from
    the trough, not from the first dip, keeps a chance dip before the change
    has bitten (cargoes under way still arriving) from passing for a
    recovery, and a dip long after the change is not the change's doing.
    Trough not below the target: 0 (it never fell). No recovery by the
    horizon: NaN. All times in hours.
    """
    if not math.isfinite(target):
        return math.nan
    span = TRAILING_DAYS * HOURS_PER_DAY
    order = np.argsort(arrivals, kind="stable")
    a, w = arrivals[order], tonnes[order]
    cum = np.concatenate([[0.0], np.cumsum(w)])
    leave = a + span  # when each cargo drops out of the trailing window
    checks = np.concatenate([[t_change], a, leave])
    checks = np.unique(checks[(checks >= t_change) & (checks <= horizon)])
    inside = cum[np.searchsorted(a, checks, "right")] - cum[np.searchsorted(leave, checks, "right")]
    rate = inside / TRAILING_DAYS
    early = np.flatnonzero(checks <= fall_by)
    trough = int(early[np.argmin(rate[early])])
    if rate[trough] >= target:
        return 0.0
    back = np.flatnonzero(rate[trough:] >= target)
    if len(back) == 0:
        return math.nan
    return float(checks[trough + back[0]] - t_change) / HOURS_PER_DAY


def run_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Ranges narrower in this scenario than in general: the days to recover lie between 0
    and the days left after the change (an interval past them holds no possible value)."""
    day = scenario_change_day(scenario)
    if day is None or day >= scenario.horizon_days:
        return {}
    return {"recovery_days": (0.0, scenario.horizon_days - day)}


def idle_metrics(scenario: Scenario) -> set[str]:
    """The displacement metrics that have no value in any replication of ``scenario``, as
    ``displacement_metrics`` leaves them NaN whatever happens in the run."""
    day = scenario_change_day(scenario)
    if day is None or day >= scenario.horizon_days:
        return set(DISPLACEMENT_METRICS) - {"share_waited"}
    if not scenario.displacement.pressured_destinations:
        return {m for m in DISPLACEMENT_METRICS if m.startswith(("pressured_", "other_"))} | {
            "displacement_index"
        }
    return set()


def displacement_metrics(
    shipments: Sequence[Shipment], horizon_hours: float, scenario: Scenario
) -> dict[str, float]:
    """The displacement metrics of one replication; NaN where they do not apply.

    No change day (none configured, no policy): all NaN but ``share_waited``.
    No pressured destinations: the pressured, other and index metrics NaN.
    """
    sailed = [s for s in shipments if math.isfinite(s.t_depart)]
    out = dict.fromkeys(DISPLACEMENT_METRICS, math.nan)
    if sailed:
        out["share_waited"] = sum(s.waited_hours > 0 for s in sailed) / len(sailed)
    day = scenario_change_day(scenario)
    if day is None:
        return out
    d = scenario.displacement
    t = day * HOURS_PER_DAY
    if t >= horizon_hours:
        return out
    pre0, pre1, post0, post1 = windows(
        t, horizon_hours, d.window_days * HOURS_PER_DAY, d.lag_days * HOURS_PER_DAY
    )
    delivered = _delivered(shipments)
    arrivals = np.array([s.t_arrive for s in delivered], dtype=float)
    tonnes = np.array([s.tonnes for s in delivered], dtype=float)
    before = _rate(arrivals, tonnes, pre0, pre1)
    out["tonnes_per_day_change"] = _rate(arrivals, tonnes, post0, post1) - before
    out["recovery_days"] = recovery_days(
        arrivals, tonnes, t, horizon_hours, d.recovery_fraction * before, min(post1, horizon_hours)
    )
    if not d.pressured_destinations:
        return out
    pressed = np.array([s.destination in d.pressured_destinations for s in delivered], dtype=bool)
    for name, mask in (("pressured", pressed), ("other", ~pressed)):
        b = _rate(arrivals[mask], tonnes[mask], pre0, pre1)
        a = _rate(arrivals[mask], tonnes[mask], post0, post1)
        out[f"{name}_tonnes_per_day_before"] = b
        out[f"{name}_tonnes_per_day_after"] = a
        out[f"{name}_tonnes_per_day_change"] = a - b
    lost = -out["pressured_tonnes_per_day_change"]
    noise = math.hypot(
        _rate_se(arrivals[pressed], tonnes[pressed], pre0, pre1),
        _rate_se(arrivals[pressed], tonnes[pressed], post0, post1),
    )
    if lost > CLEAR_OF_ZERO * noise:
        out["displacement_index"] = out["other_tonnes_per_day_change"] / lost
    return out


def volume_frame(shipments: Iterable[Shipment], horizon_hours: float) -> pd.DataFrame:
    return volume_columns(shipments, horizon_hours).frame()


def volume_columns(shipments: Iterable[Shipment], horizon_hours: float) -> Columns:
    """Voyages and tonnes delivered (by arrival week) and seized (by seizure week) per
    week, destination, route and mode; only the combinations that occurred, to stay small."""
    n_weeks = max(1, math.ceil(horizon_hours / HOURS_PER_WEEK))
    cells: dict[tuple[int, str, str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0.0])

    last = n_weeks - 1
    for s in shipments:  # the week written out: a call per lot costs as much as the rest
        if s.outcome == "delivered":
            w = min(int(s.t_arrive // HOURS_PER_WEEK), last)
            cell = cells[(w, s.destination, s.route, shipment_mode(s))]
            cell[0] += 1
            cell[1] += s.tonnes
        elif s.outcome == "seized":
            w = min(int(s.seizure_time // HOURS_PER_WEEK), last)
            cell = cells[(w, s.destination, s.route, shipment_mode(s))]
            cell[2] += 1
            cell[3] += s.tonnes
    rows = [(*key, int(v[0]), v[1], int(v[2]), v[3]) for key, v in sorted(cells.items())]
    return Columns.from_rows(rows, VOLUME_KINDS)


def station_intervals(
    events: Iterable[PatrolEvent], horizon_hours: float
) -> list[tuple[str, str, float, float]]:
    """(vessel, zone, start, end) of every spell on station; a spell open at the horizon ends
    there, and one a vessel never closed ends when it next comes on station."""
    since: dict[str, tuple[str, float]] = {}
    spells: list[tuple[str, str, float, float]] = []
    for ev in events:
        if ev.vessel in since:
            zone, start = since.pop(ev.vessel)
            spells.append((ev.vessel, zone, start, ev.time))
        if ev.on_station:
            since[ev.vessel] = (ev.zone, ev.time)
    spells += [(v, zone, start, horizon_hours) for v, (zone, start) in since.items()]
    return spells


def zones_frame(
    zones: Sequence[str],
    patrol_events: Iterable[PatrolEvent],
    zone_events: Iterable[ZoneEvent],
    shipments: Iterable[Shipment],
    horizon_hours: float,
) -> pd.DataFrame:
    return zones_columns(zones, patrol_events, zone_events, shipments, horizon_hours).frame()


def zones_columns(
    zones: Sequence[str],
    patrol_events: Iterable[PatrolEvent],
    zone_events: Iterable[ZoneEvent],
    shipments: Iterable[Shipment],
    horizon_hours: float,
) -> Columns:
    """Per zone: vessel-hours on station, seizures made in it, tips about cargoes due to
    cross it, and seizures per patrol hour (NaN with no hours): where the effort paid."""
    hours: dict[str, float] = defaultdict(float)
    for _, zone, start, end in station_intervals(patrol_events, horizon_hours):
        hours[zone] += end - start
    seizures: dict[str, int] = defaultdict(int)
    for s in shipments:
        if s.outcome == "seized" and s.seizure_zone:
            seizures[s.seizure_zone] += 1
    tips: dict[str, int] = defaultdict(int)
    for e in zone_events:
        if e.kind == "tip":
            tips[e.zone] += 1
    names = list(dict.fromkeys(zones))
    names += sorted((set(hours) | set(seizures) | set(tips)) - set(names))
    rows = [
        (
            z,
            hours[z],
            seizures[z],
            tips[z],
            seizures[z] / hours[z] if hours[z] > 0 else math.nan,
        )
        for z in names
    ]
    return Columns.from_rows(rows, ZONE_KINDS)
