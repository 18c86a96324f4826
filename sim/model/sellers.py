"""DPRK trading companies: lots come ready at the configured rate and are offered for sale.

Each company has its own loading port, lot sizes, fleet and brokers. A lot
is offered in rounds, ``retry_hours`` apart; one that finds no buyer within
the company's patience is held (kept ashore, no money moves). A sold lot
waits for a free ship and sails. A company whose every ship has been
confiscated offers nothing more: its lots are held, so that no buyer signs
(and pays in advance) for coal that can never sail. Lots it sold before its
last ship went still wait for one, and count as waiting at the horizon.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from sim.model import ledger as L
from sim.model.records import Shipment
from sim.model.rng import cumulative
from sim.model.routing import RouteChoice
from sim.model.voyages import Vessel, shipment
from sim.scenario.schema import Seller
from sim.world.network import RouteGeo

if TYPE_CHECKING:
    from sim.model.model import Model


class Company:
    """One trading company: its settings, fleet and routes, with per-shipment constants."""

    def __init__(
        self, model: Model, name: str, seller: Seller, fleet: simpy.Store, routes: list[RouteGeo]
    ) -> None:
        self.model = model
        self.name = name
        self.seller = seller
        self.party = L.seller_party(name)
        self.fleet = fleet
        self.routes = routes
        self.ports = {r.destination for r in routes}
        self.weights = list(seller.route_weights or [1.0] * len(routes))
        self.route_cdf = cumulative(self.weights)
        self.cost_rmb_per_hour = seller.operating_cost_rmb_per_day / 24.0
        self.choice: RouteChoice | None = None  # set by the model when sellers adapt
        self.ships = len(fleet.items)  # the company's own ships, at sea, in port or detained

    def p_board(self, ais_off: bool) -> float:
        """Chance a patrol contact with one of this company's ships ends in a boarding."""
        d = self.model.params.detection
        p = d.recognition_probability * (1.0 - self.seller.concealment)
        return p * d.ais_off_factor if ais_off else p

    def accepts_after(self, value: float) -> bool:
        """Whether the company takes payment after delivery: it must not insist on advance,
        and the cargo's expected payment must exceed the voyage's running cost."""
        if self.seller.insists_on_advance:
            return False
        q = self.model.enforcement.public_seizure_rate()
        trip_hours = 2 * max(r.length_nm for r in self.routes) / self.seller.speed_knots
        return (1.0 - q) * value > self.cost_rmb_per_hour * trip_hours

    def running_cost(self, now: float, t_start: float, sid: int) -> None:
        self.model.ledger.post(
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


def produce(model: Model, company: Company) -> Generator[simpy.Event, Any, None]:
    env, rng = model.env, model.rng["sellers"]
    seller = company.seller
    mean_hours = seller.lot_interval_days * 24.0
    fixed = seller.lot_interval == "fixed"
    lo, span = seller.lot_tonnes_min, seller.lot_tonnes_max - seller.lot_tonnes_min
    records = model.recorder.shipments
    while True:
        yield env.timeout(mean_hours if fixed else mean_hours * rng.exponential())
        rec = Shipment(
            len(records), company.name, "", seller.port, "", lo + span * rng.random(), env.now
        )
        records.append(rec)
        env.process(sell(model, company, rec))


def sell(model: Model, company: Company, rec: Shipment) -> Generator[simpy.Event, Any, None]:
    """Offer the lot in rounds until a buyer signs or the company's patience runs out."""
    env = model.env
    deadline = env.now + company.seller.patience_days * 24.0
    choice = company.choice
    while True:
        if company.ships == 0:  # all confiscated: nothing to carry the coal
            rec.outcome = "held"
            return
        alt = None if choice is None else choice.choose(env.now, model.params.adaptation)
        deal = model.market.find_deal(company, rec.tonnes, env.now, alt)
        if deal is not None:
            break
        if env.now + company.seller.retry_hours > deadline:
            rec.outcome = "held"
            return
        yield env.timeout(company.seller.retry_hours)
    rec.buyer, rec.broker, rec.route = deal.buyer.name, deal.broker, deal.route.name
    rec.destination, rec.price_rmb_per_tonne = deal.route.destination, deal.price
    rec.payment_terms, rec.t_contract = deal.terms, env.now
    rec.delivery = "ship_to_ship" if deal.ship_to_ship else "port"
    rec.mode = deal.mode
    yield from shipment(model, company, rec, deal)
