"""A shipment's voyage as a SimPy process: vessel, load, sail, transfer or arrive, settle.

Who pays what follows the contract's payment terms: under ``advance`` the
buyer pays at signing and owns the cargo at sea, so a seizure is its loss;
under ``after_delivery`` the seller owns the cargo until it is delivered
and paid for. With ship-to-ship delivery the seller's part ends at the
transfer point, where the buyer's barge takes the cargo (and the risk) on.

The ledger records cash: payments, broker fees, resale, fines, rewards and
running costs. A confiscated cargo is recorded too, at its contract value,
as it passes from its owner to the state: the ``goods:coal`` account first
credits the owner with the cargo (``cargo_value``), then the owner forfeits
it (``seizure``), so the owner's cash position is left as it was.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.model.detection import Exposure
from sim.model.patrols import PatrolVessel, ZoneState
from sim.model.records import Shipment
from sim.model.routing import LOITER
from sim.model.timing import hold
from sim.world.network import LatLon, RouteGeo

if TYPE_CHECKING:
    from sim.model.market import Deal
    from sim.model.model import Model
    from sim.model.sellers import Company


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


class Intercept:
    """Interrupt cause: a patrol sent on a tip has reached the cargo and boards it, in
    the zone it was sent to (the boarding may fall on the zone's very edge, where a
    point-in-polygon test of the interpolated position could miss it)."""

    def __init__(self, patrol: PatrolVessel, zone: str) -> None:
        self.patrol = patrol
        self.zone = zone


@dataclass(slots=True)
class Voyage:
    """What the tip and enforcement mechanisms need to know about a cargo at sea."""

    rec: Shipment
    deal: Deal
    company: Company
    value: float
    process: simpy.Process
    plan: VoyagePlan
    leg_start: float
    eta: float
    at_sea: bool = True
    next_plan: VoyagePlan | None = None
    """The leg after this one: the buyer's barge, or the run in from the anchorage."""

    def position(self, t: float) -> LatLon:
        return self.plan.position(t - self.leg_start)

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


def sail(
    model: Model, voyage: Voyage, plan: VoyagePlan, exposure: Exposure
) -> Generator[simpy.Event, Any, PatrolVessel | None]:
    """Sail one leg; return the patrol that boarded, if one did."""
    env = model.env
    voyage.plan, voyage.leg_start = plan, env.now
    t0 = env.now
    for zone_name, zone, a, b in plan.zones:
        if zone is None:
            continue
        if env.now < t0 + a:
            yield env.timeout(t0 + a - env.now)
        patrol = yield from exposure.search(env, zone, t0 + b)
        if patrol is not None:
            voyage.rec.seizure_zone = zone_name
            return patrol
    if env.now < t0 + plan.hours:
        yield env.timeout(t0 + plan.hours - env.now)
    return None


def shipment(
    model: Model, company: Company, rec: Shipment, deal: Deal
) -> Generator[simpy.Event, Any, None]:
    env, ledger, sid, route = model.env, model.ledger, rec.id, deal.route
    seller_p, buyer = company.party, deal.buyer
    advance = deal.terms == "advance"
    value = round(rec.tonnes * deal.price, 2)  # whole fen, as the ledger keeps it
    if advance:
        ledger.post(env.now, buyer.party, seller_p, value, "payment", sid)

    got = company.take_vessel()
    vessel: Vessel = (yield got) if isinstance(got, simpy.Event) else got
    rec.vessel, rec.ais_off, rec.outcome = vessel.name, vessel.ais_off, "loading"
    t_start = env.now
    yield env.timeout(company.seller.loading_hours)

    speed = vessel.speed_knots
    loiter = deal.mode == LOITER
    plan = model.plan(route, TO_TRANSFER if deal.ship_to_ship or loiter else FULL, speed)
    barge = (
        model.plan(route, FROM_TRANSFER, model.params.contract.barge_speed_knots)
        if deal.ship_to_ship
        else None
    )
    onward = model.plan(route, FROM_ANCHORAGE, speed) if loiter else None
    adapt = model.params.adaptation
    if adapt.timing:  # hold the loaded ship in port while the patrols on its way surge
        yield from hold(model, rec, onward or plan, adapt.max_delay_hours, adapt)
    rec.t_depart, rec.outcome = env.now, "at_sea"
    rest = barge or onward
    eta = env.now + plan.hours + (rest.hours if rest else 0.0)
    assert env.active_process is not None
    voyage = Voyage(rec, deal, company, value, env.active_process, plan, env.now, eta)
    voyage.next_plan = rest
    rec.hours_in_zones = plan.hours_in_zones + (rest.hours_in_zones if rest else 0.0)
    model.tips.watch(voyage)
    patrol: PatrolVessel | None = None
    cause = "patrol"
    try:
        exposure = Exposure(model.rng["detection"], company.p_board(vessel.ais_off), rec)
        patrol = yield from sail(model, voyage, plan, exposure)
        if patrol is None and onward is not None:
            # Loiter at the anchorage until the zones ahead are back to usual, then run in.
            waited = yield from hold(model, rec, onward, adapt.loiter_max_hours, adapt)
            voyage.eta += waited
            patrol = yield from sail(model, voyage, onward, exposure)
        if patrol is None and barge is not None:
            # Ship-to-ship: the seller has delivered; the buyer's barge carries the rest.
            model.enforcement.settle_transfer(voyage)
            model.learn(company, rec, seized=False)
            home = float(route.transfer_nm or 0.0) / speed
            env.process(_ballast_home(model, company, vessel, t_start, home, sid))
            exposure = Exposure(model.rng["detection"], model.p_board_barge(), rec)
            patrol = yield from sail(model, voyage, barge, exposure)
    except simpy.Interrupt as stop:
        if not isinstance(stop.cause, Intercept):
            raise
        patrol, cause = stop.cause.patrol, "tip"
        rec.seizure_zone = stop.cause.zone
    voyage.at_sea = False
    if patrol is not None:
        ship_seized = voyage.plan.part != FROM_TRANSFER
        model.enforcement.seize(voyage, patrol, cause)
        if ship_seized:
            model.learn(company, rec, seized=True)
            company.running_cost(env.now, t_start, sid)
            env.process(model.detain(company, vessel))
        return
    model.enforcement.deliver(voyage)
    if barge is None:
        model.learn(company, rec, seized=False)
        yield env.timeout(company.seller.discharge_hours + route.length_nm / speed)
        company.running_cost(env.now, t_start, sid)
        company.return_vessel(vessel)


def _ballast_home(
    model: Model, company: Company, vessel: Vessel, t_start: float, hours: float, sid: int
) -> Generator[simpy.Event, Any, None]:
    """After a ship-to-ship transfer the empty ship sails home."""
    yield model.env.timeout(hours)
    company.running_cost(model.env.now, t_start, sid)
    company.return_vessel(vessel)
