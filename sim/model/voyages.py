"""A shipment's life as a SimPy process: contract, vessel, load, sail, arrive, settle.

Who pays what follows the contract's payment terms: under ``advance`` the
buyer pays at signing and owns the cargo at sea, so a seizure is its loss;
under ``after_delivery`` the seller still owns the cargo until it is
delivered and paid for.

The ledger values coal at the contract price and records it as it changes
hands, beside the cash: the mine hands the cargo to the seller when it
sails (``cargo_loaded``), title passes to the buyer when the terms say
(``title``), and a seizure moves it from its owner to the state. So every
party's net position is its cash plus the coal it holds, and the sums hold
exactly: a buyer on advance terms that loses a cargo is down the payment
and the fine, no more.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.model import ledger as L
from sim.model.detection import Exposure
from sim.model.records import Shipment
from sim.scenario.schema import Seller
from sim.world.network import RouteGeo

if TYPE_CHECKING:
    from sim.model.model import Model


@dataclass(slots=True)
class Vessel:
    """A seller's cargo ship."""

    name: str
    capacity_dwt: float
    speed_knots: float
    ais_off: bool


def shipment(
    model: Model, seller: Seller, rec: Shipment, route: RouteGeo
) -> Generator[simpy.Event, Any, None]:
    env, ledger = model.env, model.ledger
    seller_p = L.seller_party(seller.name)
    contract = model.market.contract(seller, rec.tonnes, route, env.now)
    rec.buyer, rec.price_rmb_per_tonne = contract.buyer, contract.price_rmb_per_tonne
    rec.payment_terms = contract.payment_terms
    buyer_p = L.buyer_party(contract.buyer)
    value = round(rec.cargo_value_rmb, 2)  # whole fen, as the ledger keeps it
    if contract.payment_terms == "advance":
        ledger.post(env.now, buyer_p, seller_p, value, "payment", rec.id)

    fleet = model.fleets[seller.name]
    vessel: Vessel = yield fleet.get()
    rec.vessel, rec.ais_off = vessel.name, vessel.ais_off
    rec.outcome = "loading"
    t_start = env.now
    yield env.timeout(seller.loading_hours)

    rec.outcome, rec.t_depart = "at_sea", env.now
    ledger.post(env.now, L.MINES, seller_p, value, "cargo_loaded", rec.id)
    if contract.payment_terms == "advance":
        ledger.post(env.now, seller_p, buyer_p, value, "title", rec.id)
    t0 = env.now
    p_board = model.scenario.detection.recognition_probability * (1.0 - seller.concealment)
    if vessel.ais_off:
        p_board *= model.scenario.detection.ais_off_factor
    exposure = Exposure(model.rng["detection"], p_board)
    cg = model.coast_guard
    for zone_name, a, b in model.exposure(route, vessel.speed_knots):
        rec.hours_in_zones += b - a
        if zone_name not in cg.patrolled:
            continue
        if env.now < t0 + a:
            yield env.timeout(t0 + a - env.now)
        contact = yield from exposure.search(env, cg, cg.zones[zone_name], t0 + b)
        rec.contacts, rec.first_contact_time = exposure.contacts, exposure.first_contact
        if contact is not None:
            lat, lon = route.position_at(route.distance_at(env.now - t0, vessel.speed_knots))
            rec.outcome, rec.cause, rec.seizure_time = "seized", "patrol", env.now
            rec.seizure_lat, rec.seizure_lon = lat, lon
            rec.seizure_zone, rec.patrol = contact.zone, contact.vessel.name
            cg.board(contact.vessel, (lat, lon), vessel.speed_knots)
            owner = buyer_p if contract.payment_terms == "advance" else seller_p
            ledger.post(env.now, owner, L.STATE, value, "seizure", rec.id)
            ledger.post(
                env.now, buyer_p, L.STATE, model.scenario.enforcement.fine_rmb, "fine", rec.id
            )
            days = (env.now - t_start) / 24.0
            ledger.post(
                env.now,
                seller_p,
                L.SHIPPING_COSTS,
                days * seller.operating_cost_rmb_per_day,
                "operating_cost",
                rec.id,
            )
            env.process(model.detain(seller.name, vessel))
            return

    arrival = t0 + route.duration_hours(vessel.speed_knots)
    if env.now < arrival:
        yield env.timeout(arrival - env.now)
    rec.outcome, rec.t_arrive = "delivered", env.now
    if contract.payment_terms == "after_delivery":
        ledger.post(env.now, buyer_p, seller_p, value, "payment", rec.id)
        ledger.post(env.now, seller_p, buyer_p, value, "title", rec.id)
    ledger.post(env.now, buyer_p, L.MARKET, value, "title", rec.id)
    resale = value * model.scenario.contract.resale_multiplier
    ledger.post(env.now, L.MARKET, buyer_p, resale, "resale", rec.id)

    yield env.timeout(seller.discharge_hours + route.length_nm / vessel.speed_knots)
    days = (env.now - t_start) / 24.0
    ledger.post(
        env.now,
        seller_p,
        L.SHIPPING_COSTS,
        days * seller.operating_cost_rmb_per_day,
        "operating_cost",
        rec.id,
    )
    yield fleet.put(vessel)
