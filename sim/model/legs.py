"""A voyage's legs worked out ahead: where a route at a speed lies in each zone, and how long.

A plan depends only on the route, the part of it sailed and the speed, so each is
built once per run and shared by every voyage that sails it (``Plans``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.patrols import CoastGuard, ZoneState
from sim.world.network import LatLon, RouteGeo


@dataclass(slots=True)
class Vessel:
    """A seller's cargo ship."""

    name: str
    capacity_dwt: float
    speed_knots: float
    ais_off: bool


FULL, TO_TRANSFER, FROM_TRANSFER = "full", "to_transfer", "from_transfer"
FROM_ANCHORAGE = "from_anchorage"  # the seller's own ship, after loitering at the transfer point
ONWARD = (FROM_TRANSFER, FROM_ANCHORAGE)


@dataclass(frozen=True, slots=True)
class VoyagePlan:
    """One leg of a voyage at one speed: zone intervals (hours from its start) and duration."""

    route: RouteGeo
    part: str
    speed_knots: float
    zones: tuple[tuple[str, ZoneState | None, float, float], ...]
    hours_in_zones: float
    hours: float

    @classmethod
    def build(
        cls,
        route: RouteGeo,
        part: str,
        speed_knots: float,
        zones: dict[str, ZoneState],
        patrolled: set[str],
    ) -> VoyagePlan:
        if part in ONWARD:
            assert route.transfer_nm is not None
            raw = route.exposure_from(route.transfer_nm, speed_knots)
            hours = (route.length_nm - route.transfer_nm) / speed_knots
        elif part == TO_TRANSFER:  # sail to the transfer point and stop there
            assert route.transfer_nm is not None
            hours = route.hours_to(route.transfer_nm, speed_knots)
            raw = [(z, a, min(b, hours)) for z, a, b in route.exposure(speed_knots) if a < hours]
        else:  # to port, past any transfer point
            raw = route.nonstop_exposure(speed_knots)
            hours = route.nonstop_hours(speed_knots)
        legs = tuple((z, zones[z] if z in patrolled else None, a, b) for z, a, b in raw)
        return cls(route, part, speed_knots, legs, sum(b - a for _, _, a, b in legs), hours)

    def position(self, hours: float) -> LatLon:
        """Where the vessel is ``hours`` after this leg began."""
        r = self.route
        h = min(max(hours, 0.0), self.hours)
        if self.part in ONWARD:
            return r.position_at(float(r.transfer_nm or 0.0) + h * self.speed_knots)
        if self.part == FULL:
            return r.position_at(h * self.speed_knots)
        return r.position_at(r.distance_at(h, self.speed_knots))


class Plans:
    """Every plan built so far, keyed by route, part and speed; zones the Coast Guard
    patrols carry their search state, the others none."""

    def __init__(self, coast_guard: CoastGuard) -> None:
        self.coast_guard = coast_guard
        self._plans: dict[tuple[str, str, float], VoyagePlan] = {}

    def get(self, route: RouteGeo, part: str, speed_knots: float) -> VoyagePlan:
        """Zone intervals and duration of one leg of a route at a speed, worked out once."""
        key = (route.name, part, speed_knots)
        plan = self._plans.get(key)
        if plan is None:
            cg = self.coast_guard
            plan = VoyagePlan.build(route, part, speed_knots, cg.zones, cg.patrolled)
            self._plans[key] = plan
        return plan
