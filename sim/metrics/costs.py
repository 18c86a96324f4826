"""Enforcement spend: what a run's patrols, boardings, escorts, investigations and rewards
cost the state, counted from the records after the run.

Nothing here feeds back into the model (the actors never see a cost), so adding
or changing ``[costs]`` leaves every other metric as it was.
"""

from __future__ import annotations

from collections import defaultdict

from sim.model.model import RunOutput

HOURS_PER_DAY = 24.0


def group_of(vessel: str) -> str:
    """A patrol vessel's group: its name without the hull number (``bohai#2``)."""
    return vessel.rsplit("#", 1)[0]


def port_hours(out: RunOutput) -> dict[str, float]:
    """Hours each patrol vessel spent in base before the horizon (a spell still open at the
    horizon counts up to it)."""
    end = out.horizon_hours
    hours: dict[str, float] = defaultdict(float)
    entered: dict[str, float] = {}
    for t, vessel, entering in out.patrol_port:
        if entering:
            entered[vessel] = t
        elif vessel in entered:
            hours[vessel] += min(t, end) - min(entered.pop(vessel), end)
    for vessel, t in entered.items():
        hours[vessel] += max(0.0, end - t)
    return hours


def vessel_days(out: RunOutput) -> dict[str, tuple[float, float]]:
    """Each patrol group's (vessel-days away from base, vessel-days in base) over the run:
    a vessel in service is one or the other at every moment."""
    end = out.horizon_hours
    in_port = port_hours(out)
    days: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for vessel, (start, stop) in out.patrol_service.items():
        service = min(stop if stop is not None else end, end) - min(float(start or 0.0), end)
        port = in_port.get(vessel, 0.0)
        group = days[group_of(vessel)]
        group[0] += (service - port) / HOURS_PER_DAY
        group[1] += port / HOURS_PER_DAY
    return {g: (sea, port) for g, (sea, port) in days.items()}


def enforcement_spend(out: RunOutput, rewards_rmb: float) -> float:
    """Patrol vessel-days at each group's rates, a boarding, an escort and an opened case
    per seizure, each accomplice named, and the rewards paid (from the ledger)."""
    c = out.scenario.costs
    patrols = 0.0
    for group, (sea, port) in vessel_days(out).items():
        sea_rate, port_rate = c.rates(group)
        patrols += sea * sea_rate + port * port_rate
    seizures = sum(s.outcome == "seized" for s in out.shipments)
    per_seizure = c.boarding_rmb + c.escort_rmb + c.investigation_rmb_per_case
    return (
        patrols
        + seizures * per_seizure
        + len(out.named) * c.investigation_rmb_per_named
        + rewards_rmb
    )
