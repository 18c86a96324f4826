"""A lot that has found a buyer: the deal signed, and the cargo at sea.

What the market, the voyage and the mechanisms that react to its end (tips,
enforcement, news) share about one shipment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import simpy

from sim.model.buyers import BuyerAgent
from sim.model.company import Company
from sim.model.legs import FROM_TRANSFER, Vessel, VoyagePlan
from sim.model.patrols import PatrolVessel
from sim.model.records import Shipment
from sim.model.routing import PORT
from sim.world.network import LatLon, RouteGeo


@dataclass(slots=True, init=False)
class Deal:
    """A signed deal. Its constructor and ``Voyage``'s are written out, not generated:
    the compiled build runs a generated one as interpreted Python, for every deal."""

    buyer: BuyerAgent
    broker: str
    route: RouteGeo
    price: float
    terms: str
    ship_to_ship: bool
    mode: str

    def __init__(
        self,
        buyer: BuyerAgent,
        broker: str,
        route: RouteGeo,
        price: float,
        terms: str,
        ship_to_ship: bool,
        mode: str = PORT,
    ) -> None:
        self.buyer, self.broker, self.route, self.price = buyer, broker, route, price
        self.terms, self.ship_to_ship, self.mode = terms, ship_to_ship, mode


class Intercept:
    """Interrupt cause: a patrol sent on a tip has reached the cargo and boards it, in
    the zone it was sent to (the boarding may fall on the zone's very edge, where a
    point-in-polygon test of the interpolated position could miss it)."""

    def __init__(self, patrol: PatrolVessel, zone: str) -> None:
        self.patrol = patrol
        self.zone = zone


@dataclass(slots=True, init=False)
class Voyage:
    """What the tip and enforcement mechanisms need to know about a cargo at sea."""

    rec: Shipment
    deal: Deal
    company: Company
    vessel: Vessel
    value: float
    process: simpy.Process
    plan: VoyagePlan
    leg_start: float
    eta: float
    at_sea: bool
    next_plan: VoyagePlan | None
    """The leg after this one: the buyer's barge, or the run in from the anchorage."""

    def __init__(
        self,
        rec: Shipment,
        deal: Deal,
        company: Company,
        vessel: Vessel,
        value: float,
        process: simpy.Process,
        plan: VoyagePlan,
        leg_start: float,
        eta: float,
        at_sea: bool = True,
        next_plan: VoyagePlan | None = None,
    ) -> None:
        self.rec, self.deal, self.company, self.vessel = rec, deal, company, vessel
        self.value, self.process, self.plan = value, process, plan
        self.leg_start, self.eta, self.at_sea, self.next_plan = leg_start, eta, at_sea, next_plan

    def position(self, t: float) -> LatLon:
        return self.plan.position(t - self.leg_start)

    def on_sellers_ship(self) -> bool:
        """Whether the seller's own ship carries the cargo on this leg, not the buyer's
        barge: a seizure now takes the ship as well."""
        return self.plan.part != FROM_TRANSFER

    def stretches(self) -> Iterator[tuple[str, float, float, VoyagePlan, float]]:
        """Zone stretches of the voyage, as (zone, time in, time out, leg, leg start): the
        current leg's, then the next leg's if it has not begun, taken to begin as soon as
        this one ends (a loitering ship may start it later)."""
        for name, _, a, b in self.plan.zones:
            yield name, self.leg_start + a, self.leg_start + b, self.plan, self.leg_start
        nxt = self.next_plan
        if nxt is not None and nxt is not self.plan:
            start = self.leg_start + self.plan.hours
            for name, _, a, b in nxt.zones:
                yield name, start + a, start + b, nxt, start

    def inside(self, zone: str, t: float) -> bool:
        """Whether the cargo is in ``zone`` at ``t`` on the leg it is sailing now."""
        t0 = self.leg_start
        return any(
            name == zone and t0 + a - 1e-9 <= t <= t0 + b + 1e-9
            for name, _, a, b in self.plan.zones
        )
