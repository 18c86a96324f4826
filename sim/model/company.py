"""A DPRK trading company: its settings, fleet and routes, with per-shipment constants.

A company keeps its own books entry for running costs and knows, for a
buyer asking to pay after delivery, only what is public: the record of
seizures so far (``SeizureRate``, kept by enforcement).
"""

from __future__ import annotations

from typing import Protocol

import simpy

from sim.model import ledger as L
from sim.model.inforce import InForce
from sim.model.legs import Vessel
from sim.model.rng import cumulative
from sim.model.routing import RouteChoice
from sim.model.sections import SellerSection
from sim.world.network import RouteGeo


class SeizureRate(Protocol):
    def public_seizure_rate(self) -> float: ...


class Company:
    def __init__(
        self,
        name: str,
        seller: SellerSection,
        fleet: simpy.Store,
        routes: list[RouteGeo],
        *,
        in_force: InForce,
        ledger: L.Ledger,
        record: SeizureRate,
    ) -> None:
        self.name = name
        self.seller = seller
        self.party = L.seller_party(name)
        self.fleet = fleet
        self.routes = routes
        self.in_force, self.ledger, self.record = in_force, ledger, record
        self.ports = {r.destination for r in routes}
        self.weights = list(seller.route_weights or [1.0] * len(routes))
        self.route_cdf = cumulative(self.weights)
        # by port: its routes in order, their weights' running totals and their sum
        # (``sum``, as the market's draw of a route to a buyer's port was first written)
        by_port: dict[str, tuple[list[RouteGeo], list[float]]] = {}
        for r, w in zip(routes, self.weights, strict=True):
            to, ws = by_port.setdefault(r.destination, ([], []))
            to.append(r)
            ws.append(w)
        self.to_port = {p: (to, cumulative(ws), sum(ws)) for p, (to, ws) in by_port.items()}
        self.cost_rmb_per_hour = seller.operating_cost_rmb_per_day / 24.0
        self.choice: RouteChoice | None = None  # set by the model when sellers adapt
        self.ships = len(fleet.items)  # the company's own ships, at sea, in port or detained

    def p_board(self, ais_off: bool) -> float:
        """Chance a patrol contact with one of this company's ships ends in a boarding."""
        d = self.in_force.params.detection
        p = d.recognition_probability * (1.0 - self.seller.concealment)
        return min(1.0, p * d.ais_off_factor) if ais_off else p

    def search_scale(self, ais_off: bool) -> float:
        """Multiplier on the zones' search rate against one of this company's ships."""
        return self.in_force.params.detection.ais_off_search_factor if ais_off else 1.0

    def accepts_after(self, value: float) -> bool:
        """Whether the company takes payment after delivery: it must not insist on advance,
        and the cargo's expected payment must exceed the voyage's running cost."""
        if self.seller.insists_on_advance:
            return False
        q = self.record.public_seizure_rate()
        trip_hours = 2 * max(r.length_nm for r in self.routes) / self.seller.speed_knots
        return (1.0 - q) * value > self.cost_rmb_per_hour * trip_hours

    def running_cost(self, now: float, t_start: float, sid: int) -> None:
        self.ledger.post(
            now,
            self.party,
            L.SHIPPING_COSTS,
            (now - t_start) * self.cost_rmb_per_hour,
            "operating_cost",
            sid,
        )

    def take_vessel(self) -> simpy.Event | Vessel:
        """A free ship at once, or the event of one coming free (lots queue in order)."""
        fleet = self.fleet
        if fleet.items and not fleet.get_queue:
            vessel: Vessel = fleet.items.pop(0)
            return vessel
        return fleet.get()

    def return_vessel(self, vessel: Vessel) -> None:
        """Hand the ship to the longest-waiting lot, or back to the quay."""
        fleet = self.fleet
        if fleet.get_queue:
            fleet.get_queue.pop(0).succeed(vessel)
        else:
            fleet.items.append(vessel)
