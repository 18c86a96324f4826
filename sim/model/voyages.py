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

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.cargo import Deal, Intercept, Voyage
from sim.model.company import Company
from sim.model.detection import Exposure
from sim.model.inforce import InForce
from sim.model.ledger import Ledger, whole_fen
from sim.model.legs import (
    FROM_ANCHORAGE,
    FROM_TRANSFER,
    FULL,
    TO_TRANSFER,
    Plans,
    Vessel,
    VoyagePlan,
)
from sim.model.outcomes import Outcomes
from sim.model.patrols import CoastGuard, PatrolVessel
from sim.model.records import Shipment
from sim.model.rng import Draws
from sim.model.routing import LOITER
from sim.model.timing import hold


def sail(
    env: simpy.Environment, voyage: Voyage, plan: VoyagePlan, exposure: Exposure
) -> Generator[simpy.Event, Any, PatrolVessel | None]:
    """Sail one leg; return the patrol that boarded, if one did.

    The clock is read once a step (compiled, each read of ``env`` calls into SimPy)."""
    t0 = env.now
    voyage.plan, voyage.leg_start = plan, t0
    for zone_name, zone, a, b in plan.zones:
        if zone is None:
            continue
        now = env.now
        if now < t0 + a:
            yield env.timeout(t0 + a - now)
        patrol = yield from exposure.search(env, zone, t0 + b, voyage.process)
        if patrol is not None:
            voyage.rec.seizure_zone = zone_name
            return patrol
    now = env.now
    if now < t0 + plan.hours:
        yield env.timeout(t0 + plan.hours - now)
    return None


class Voyages:
    """Sails sold lots and announces how each ends (``outcomes``); what follows a
    delivery or a seizure is for the mechanisms that listen.

    ``rng`` is the detection stream; ``coast_guard`` tells a ship waiting out a surge
    how many patrols are out (``sim.model.timing``).
    """

    def __init__(
        self,
        env: simpy.Environment,
        in_force: InForce,
        rng: Draws,
        ledger: Ledger,
        *,
        plans: Plans,
        coast_guard: CoastGuard,
        outcomes: Outcomes,
    ) -> None:
        self.env, self.in_force, self.rng, self.ledger = env, in_force, rng, ledger
        self.plans, self.coast_guard, self.outcomes = plans, coast_guard, outcomes

    def shipment(
        self, company: Company, rec: Shipment, deal: Deal
    ) -> Generator[simpy.Event, Any, None]:
        env, sid, route, cg, told = self.env, rec.id, deal.route, self.coast_guard, self.outcomes
        value = whole_fen(rec.tonnes * deal.price)
        if deal.terms == "advance":
            self.ledger.post(env.now, deal.buyer.party, company.party, value, "payment", sid)
        got = company.take_vessel()
        vessel: Vessel = (yield got) if isinstance(got, simpy.Event) else got
        rec.vessel, rec.ais_off, rec.outcome = vessel.name, vessel.ais_off, "loading"
        t_start = env.now
        yield env.timeout(company.seller.loading_hours)
        speed, plans, params = vessel.speed_knots, self.plans, self.in_force.params
        loiter = deal.mode == LOITER
        plan = plans.get(route, TO_TRANSFER if deal.ship_to_ship or loiter else FULL, speed)
        barge_knots = params.contract.barge_speed_knots
        barge = plans.get(route, FROM_TRANSFER, barge_knots) if deal.ship_to_ship else None
        onward = plans.get(route, FROM_ANCHORAGE, speed) if loiter else None
        adapt = params.adaptation
        if adapt.timing:  # hold the loaded ship in port while the patrols on its way surge
            yield from hold(env, cg, rec, onward or plan, adapt.max_delay_hours, adapt)
        now = rec.t_depart = env.now
        rec.outcome = "at_sea"
        rest = barge or onward
        eta = now + plan.hours + (rest.hours if rest else 0.0)
        proc = env.active_process
        assert proc is not None
        voyage = Voyage(rec, deal, company, vessel, value, proc, plan, now, eta)
        voyage.next_plan = rest
        rec.hours_in_zones = plan.hours_in_zones + (rest.hours_in_zones if rest else 0.0)
        for react in told.sailed:  # each outcome told to its listeners in turn
            react(voyage)
        patrol: PatrolVessel | None = None
        cause = "patrol"
        try:
            ais_off = vessel.ais_off
            exposure = Exposure(
                self.rng, company.p_board(ais_off), rec, speed, company.search_scale(ais_off)
            )
            patrol = yield from sail(env, voyage, plan, exposure)
            if patrol is None and onward is not None:
                # Loiter at the anchorage until the zones ahead are back to usual, then run in.
                waited = yield from hold(env, cg, rec, onward, adapt.loiter_max_hours, adapt)
                voyage.eta += waited
                patrol = yield from sail(env, voyage, onward, exposure)
            if patrol is None and barge is not None:
                # Ship-to-ship: the seller has delivered; the buyer's barge carries the rest.
                for react in told.handed_over:
                    react(voyage)
                home = float(route.transfer_nm or 0.0) / speed
                env.process(self._ballast_home(company, vessel, t_start, home, sid))
                # Chinese barges sail with AIS on and no concealment.
                p_barge = self.in_force.params.detection.recognition_probability
                on_barge = Exposure(self.rng, p_barge, rec, barge_knots)
                patrol = yield from sail(env, voyage, barge, on_barge)
        except simpy.Interrupt as stop:
            if not isinstance(stop.cause, Intercept):
                raise
            patrol, cause = stop.cause.patrol, "tip"
            rec.seizure_zone = stop.cause.zone
        voyage.at_sea = False
        if patrol is not None:
            for seized in told.seized:
                seized(voyage, patrol, cause)
            if voyage.on_sellers_ship():
                company.running_cost(env.now, t_start, sid)
            return
        for react in told.delivered:
            react(voyage)
        if barge is None:
            yield env.timeout(company.seller.discharge_hours + route.length_nm / speed)
            company.running_cost(env.now, t_start, sid)
            company.return_vessel(vessel)

    def _ballast_home(
        self, company: Company, vessel: Vessel, t_start: float, hours: float, sid: int
    ) -> Generator[simpy.Event, Any, None]:
        """After a ship-to-ship transfer the empty ship sails home."""
        yield self.env.timeout(hours)
        company.running_cost(self.env.now, t_start, sid)
        company.return_vessel(vessel)
