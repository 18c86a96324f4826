"""DPRK trading companies: lots come ready at the configured rate and are shipped.

Each company has its own loading port, lot sizes and fleet. In this version
a company ships every lot as soon as a ship is free, on one of its routes
chosen by the configured weights; a lot waits while every ship is out.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.model import ledger as L
from sim.model.records import Shipment
from sim.model.rng import cumulative
from sim.model.voyages import Vessel, shipment
from sim.scenario.schema import Detection, Seller
from sim.world.network import RouteGeo

if TYPE_CHECKING:
    from sim.model.model import Model


@dataclass
class Company:
    """A seller's settings and fleet, with what every shipment needs worked out once."""

    seller: Seller
    party: str
    fleet: simpy.Store
    routes: list[RouteGeo]
    route_cdf: list[float]
    p_board_ais_on: float
    p_board_ais_off: float
    cost_rmb_per_hour: float

    @classmethod
    def build(
        cls, seller: Seller, fleet: simpy.Store, routes: list[RouteGeo], detection: Detection
    ) -> Company:
        p_on = detection.recognition_probability * (1.0 - seller.concealment)
        weights = seller.route_weights or [1.0] * len(routes)
        return cls(
            seller,
            L.seller_party(seller.name),
            fleet,
            routes,
            cumulative(weights),
            p_on,
            p_on * detection.ais_off_factor,
            seller.operating_cost_rmb_per_day / 24.0,
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


def produce(model: Model, company: Company) -> Generator[simpy.Event, Any, None]:
    env, rng = model.env, model.rng["sellers"]
    seller = company.seller
    mean_hours = seller.lot_interval_days * 24.0
    fixed = seller.lot_interval == "fixed"
    lo, span = seller.lot_tonnes_min, seller.lot_tonnes_max - seller.lot_tonnes_min
    records = model.recorder.shipments
    while True:
        yield env.timeout(mean_hours if fixed else mean_hours * rng.exponential())
        route = company.routes[rng.choice(company.route_cdf)]
        tonnes = lo + span * rng.random()
        rec = Shipment(
            len(records), seller.name, route.name, route.origin, route.destination, tonnes, env.now
        )
        records.append(rec)
        env.process(shipment(model, company, rec, route))
