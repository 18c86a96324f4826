"""The orders a patrol vessel's duty cycle obeys, and its arithmetic: transit times, the
share of a cycle on station and the usual detection rate it gives, and exact leg ends.

Kept apart from ``sim.model.patrols``, whose processes use it, as plain functions of the
scenario and the geography (the break-even analysis uses them too).
"""

from __future__ import annotations

from typing import NamedTuple

from sim.model.search_speed import mean_relative_speed
from sim.scenario.schema import PatrolGroup
from sim.world import geo
from sim.world.network import Geography, PortGeo, ZoneGeo


class Escort(NamedTuple):
    """Order: take a seized ship to base (``hours`` of escort)."""

    hours: float


class Dispatch(NamedTuple):
    """Order: leave station for a tip; the mission event then says how it ended."""


class Return(NamedTuple):
    """Mission outcome: the tip came to nothing; ``hours`` back to station."""

    hours: float


class Retire(NamedTuple):
    """Order: leave service (a policy cut the group's size)."""


class Reassign(NamedTuple):
    """Order: leave this station for another zone's, ``hours`` away (``zone`` is already set)."""

    hours: float


def delays_until(now: float, t: float) -> list[float]:
    """Delays whose timeouts, one after another from ``now``, end at ``t`` exactly
    (``t >= now >= 0``), so that off-station legs waited as one end at the very time the
    legs in turn would have.

    Nearly always one: ``t - now``. Its sum with ``now`` can miss ``t`` by rounding only
    when ``now < t / 2``, and then no single float delay may land on ``t`` (a sum that
    falls half-way between two floats rounds to the even one, so every other float can be
    out of reach). The wait is then split at ``t / 2``: from there the rest, ``t / 2``, is
    exact (Sterbenz: ``x - y`` is exact for ``y / 2 <= x <= 2 y``), and ``t / 2`` itself is
    reached the same way. The first wait is the same single delay as before wherever that
    one existed, so such runs are unchanged.
    """
    d = t - now
    if now + d == t:
        return [d]
    half = t / 2
    return [*delays_until(now, half), t - half]


def transit_hours(base: PortGeo, zone: ZoneGeo, speed_knots: float) -> float:
    """Harbour leg plus open-water run from a base to its zone's station point."""
    (plat, plon), (alat, alon), (slat, slon) = base.position, base.approach, zone.station
    return (
        geo.great_circle_nm(plat, plon, alat, alon) + geo.great_circle_nm(alat, alon, slat, slon)
    ) / speed_knots


def mean_sweep(g: PatrolGroup, transit: float, target_knots: float | None = None) -> float:
    """One vessel's sweep rate W v times the share of its duty cycle spent on station; v is
    the speed relative to a target at ``target_knots`` (None: the patrol's own speed)."""
    cycle = g.endurance_hours + 2 * transit + g.turnaround_hours
    v = g.speed_knots if target_knots is None else mean_relative_speed(g.speed_knots, target_knots)
    return g.sweep_width_nm * v * g.endurance_hours / cycle


def usual_rates(
    geography: Geography,
    groups: list[PatrolGroup],
    transit: dict[str, float],
    target_knots: float | None = None,
) -> dict[str, float]:
    """Each zone's mean detection rate over the duty cycle: what smugglers take as usual."""
    rates: dict[str, float] = {}
    for g in groups:
        sweep = mean_sweep(g, transit[g.name], target_knots)
        rate = g.vessels * sweep / geography.zones[g.zone].area_sq_nm
        rates[g.zone] = rates.get(g.zone, 0.0) + rate
    return rates
