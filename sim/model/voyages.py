"""A shipment's life as a SimPy process: contract, vessel, load, sail, arrive, settle.

Who pays what follows the contract's payment terms: under ``advance`` the
buyer pays at signing and owns the cargo at sea, so a seizure is its loss;
under ``after_delivery`` the seller still owns the cargo until it is
delivered and paid for.

The ledger records cash: payments, resale, fines and running costs. A
confiscated cargo is recorded too, at its contract value, as it passes
from its owner to the state: the ``goods:coal`` account first credits the
owner with the cargo (``cargo_value``), then the owner forfeits it
(``seizure``). The pair leaves the owner's cash position as it was, so a
buyer on advance terms that loses a cargo is down exactly the payment and
the fine, and a seller on after-delivery terms is simply never paid, while
the seized value stands in the ledger for the state's account and the
DPRK side's losses.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.model import ledger as L
from sim.model.detection import Exposure
from sim.model.patrols import ZoneState
from sim.model.records import Shipment
from sim.world.network import RouteGeo

if TYPE_CHECKING:
    from sim.model.model import Model
    from sim.model.sellers import Company


@dataclass(slots=True)
class Vessel:
    """A seller's cargo ship."""

    name: str
    capacity_dwt: float
    speed_knots: float
    ais_off: bool


@dataclass(frozen=True, slots=True)
class VoyagePlan:
    """A route sailed at one speed: zone intervals (hours after departure) and durations."""

    zones: tuple[tuple[str, ZoneState | None, float, float], ...]
    hours_in_zones: float
    outbound_hours: float
    return_hours: float

    @classmethod
    def build(
        cls, route: RouteGeo, speed_knots: float, zones: dict[str, ZoneState], patrolled: set[str]
    ) -> VoyagePlan:
        legs = tuple(
            (z, zones[z] if z in patrolled else None, a, b)
            for z, a, b in route.exposure(speed_knots)
        )
        return cls(
            legs,
            sum(b - a for _, _, a, b in legs),
            route.duration_hours(speed_knots),
            route.length_nm / speed_knots,
        )


def shipment(
    model: Model, company: Company, rec: Shipment, route: RouteGeo
) -> Generator[simpy.Event, Any, None]:
    env, ledger, sid = model.env, model.ledger, rec.id
    seller, seller_p = company.seller, company.party
    buyer, price, terms = model.market.contract(seller, rec.tonnes, route, env.now)
    rec.buyer, rec.price_rmb_per_tonne, rec.payment_terms = buyer, price, terms
    advance = terms == "advance"
    buyer_p = L.buyer_party(buyer)
    value = round(rec.tonnes * price, 2)  # whole fen, as the ledger keeps it
    if advance:
        ledger.post(env.now, buyer_p, seller_p, value, "payment", sid)

    got = company.take_vessel()
    vessel: Vessel = (yield got) if isinstance(got, simpy.Event) else got
    rec.vessel, rec.ais_off = vessel.name, vessel.ais_off
    rec.outcome = "loading"
    t_start = env.now
    yield env.timeout(seller.loading_hours)

    t0 = rec.t_depart = env.now
    rec.outcome = "at_sea"
    plan = model.plan(route, vessel.speed_knots)
    rec.hours_in_zones = plan.hours_in_zones
    p_board = company.p_board_ais_off if vessel.ais_off else company.p_board_ais_on
    exposure = Exposure(model.rng["detection"], p_board)
    for zone_name, zone, a, b in plan.zones:
        if zone is None:
            continue
        if env.now < t0 + a:
            yield env.timeout(t0 + a - env.now)
        patrol = yield from exposure.search(env, zone, t0 + b)
        rec.contacts, rec.first_contact_time = exposure.contacts, exposure.first_contact
        if patrol is not None:
            now = env.now
            lat, lon = route.position_at(route.distance_at(now - t0, vessel.speed_knots))
            rec.outcome, rec.cause, rec.seizure_time = "seized", "patrol", now
            rec.seizure_lat, rec.seizure_lon = lat, lon
            rec.seizure_zone, rec.patrol = zone_name, patrol.name
            model.coast_guard.board(patrol, (lat, lon), vessel.speed_knots)
            owner = buyer_p if advance else seller_p
            ledger.post(now, L.COAL, owner, value, "cargo_value", sid)
            ledger.post(now, owner, L.STATE, value, "seizure", sid)
            ledger.post(now, buyer_p, L.STATE, model.fine_rmb, "fine", sid)
            ledger.post(
                now,
                seller_p,
                L.SHIPPING_COSTS,
                (now - t_start) * company.cost_rmb_per_hour,
                "operating_cost",
                sid,
            )
            env.process(model.detain(company, vessel))
            return

    arrival = t0 + plan.outbound_hours
    if env.now < arrival:
        yield env.timeout(arrival - env.now)
    now = rec.t_arrive = env.now
    rec.outcome = "delivered"
    if not advance:
        ledger.post(now, buyer_p, seller_p, value, "payment", sid)
    ledger.post(now, L.MARKET, buyer_p, value * model.resale_multiplier, "resale", sid)

    yield env.timeout(seller.discharge_hours + plan.return_hours)
    ledger.post(
        env.now,
        seller_p,
        L.SHIPPING_COSTS,
        (env.now - t_start) * company.cost_rmb_per_hour,
        "operating_cost",
        sid,
    )
    company.return_vessel(vessel)
