"""What the state does on a delivery or a seizure: the books, fines, arrests, investigations.

A seizure confiscates the cargo (its owner forfeits the contract value),
fines the identified buyer, may lead to the buyer's arrest, and opens an
investigation that later names accomplices by walking the trading network
outward from the case; a seized ship is confiscated or held for a while.
The tipster's reward (``sim.model.tips``) and the news of it
(``sim.model.news``) are the other mechanisms' reactions to the same seizure.
Enforcement also keeps the public record of seizures that sellers judge the
risk by.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.model import ledger as L
from sim.model.buyers import ADVANCE, BuyerAgent, fade
from sim.model.cargo import Voyage
from sim.model.company import Company
from sim.model.inforce import InForce
from sim.model.ledger import TIPSTERS as TIPSTERS  # the metrics read the account name here
from sim.model.legs import Vessel
from sim.model.network import BUYER, TradeNetwork
from sim.model.patrols import CoastGuard, PatrolVessel
from sim.model.records import Recorder, ZoneEvent
from sim.model.rng import Draws
from sim.model.sections import EnforcementSection


def fine_for(value: float, e: EnforcementSection) -> float:
    """The fine on a seized cargo of contract value ``value``."""
    return e.fine_rmb if e.fine_rule == "fixed" else e.fine_cargo_multiple * value


class Enforcement:
    def __init__(
        self,
        env: simpy.Environment,
        in_force: InForce,
        rng: Draws,
        ledger: L.Ledger,
        recorder: Recorder,
        *,
        coast_guard: CoastGuard,
        buyers: dict[str, BuyerAgent],
        network: TradeNetwork,
    ) -> None:
        self.env, self.in_force, self.rng = env, in_force, rng
        self.ledger, self.recorder = ledger, recorder
        self.coast_guard, self.buyers, self.network = coast_guard, buyers, network
        self.seizures = 0
        self.settled = 0

    def public_seizure_rate(self) -> float:
        """Seized share of settled voyages so far, shrunk towards 0.1 (one seizure in ten)."""
        return (self.seizures + 1.0) / (self.settled + 10.0)

    def settle_transfer(self, voyage: Voyage) -> None:
        """Ship-to-ship handover: the seller has delivered; after-delivery terms pay now."""
        now, rec = self.env.now, voyage.rec
        rec.t_handover = now
        if voyage.deal.terms != ADVANCE:
            self.ledger.post(
                now, voyage.deal.buyer.party, voyage.company.party, voyage.value, "payment", rec.id
            )

    def deliver(self, voyage: Voyage) -> None:
        now, rec, deal = self.env.now, voyage.rec, voyage.deal
        ledger, buyer = self.ledger, deal.buyer
        rec.outcome, rec.t_arrive = "delivered", now
        if deal.terms != ADVANCE and not deal.ship_to_ship:
            ledger.post(now, buyer.party, voyage.company.party, voyage.value, "payment", rec.id)
        p = self.in_force.params
        if deal.broker:
            ledger.post(
                now,
                buyer.party,
                L.broker_party(deal.broker),
                rec.tonnes * p.network.broker_fee_rmb_per_tonne,
                "broker_fee",
                rec.id,
            )
        ledger.post(
            now,
            L.MARKET,
            buyer.party,
            voyage.value * p.contract.resale_multiplier,
            "resale",
            rec.id,
        )
        self.settled += 1

    def seize(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        """The patrol boards; the cargo goes to the state and the buyer is fined."""
        now, rec, deal = self.env.now, voyage.rec, voyage.deal
        ledger, buyer = self.ledger, deal.buyer
        lat, lon = voyage.position(now)
        rec.outcome, rec.cause, rec.seizure_time = "seized", cause, now
        rec.seizure_lat, rec.seizure_lon, rec.patrol = lat, lon, patrol.name
        # A search seizure is made in the zone searched, a tip's in the zone the patrol
        # was sent to: every seizure has its zone.
        self.recorder.zone_events.append(ZoneEvent(now, rec.seizure_zone, "seizure"))
        self.coast_guard.board(patrol, (lat, lon), voyage.plan.speed_knots)
        handed_over = not math.isnan(rec.t_handover)  # ship-to-ship: the barge is the buyer's
        owner = buyer.party if deal.terms == ADVANCE or handed_over else voyage.company.party
        ledger.post(now, L.COAL, owner, voyage.value, "cargo_value", rec.id)
        ledger.post(now, owner, L.STATE, voyage.value, "seizure", rec.id)
        rec.fine_rmb = fine_for(voyage.value, self.in_force.params.enforcement)
        ledger.post(now, buyer.party, L.STATE, rec.fine_rmb, "fine", rec.id)
        self.seizures += 1
        self.settled += 1

    def prosecute(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        """After a seizure: the buyer may be arrested, the case is investigated, and a
        seized ship of the seller's is confiscated or detained."""
        deal, p = voyage.deal, self.in_force.params
        buyer = deal.buyer
        if self.rng.random() < p.market.arrest_probability:
            self.leave(buyer, "arrested")
        self.check_solvent(buyer)
        case = [buyer.name] + ([deal.broker] if deal.broker else [])
        self.env.process(self.investigate(voyage.rec.id, case))
        if voyage.on_sellers_ship():
            self.env.process(self.detain(voyage.company, voyage.vessel))

    def detain(self, company: Company, vessel: Vessel) -> Generator[simpy.Event, Any, None]:
        """A seized ship is confiscated, or held for a while and handed back."""
        enf = self.in_force.params.enforcement
        if self.rng.random() < enf.vessel_confiscation_probability:
            company.ships -= 1
            return
        yield self.env.timeout(enf.vessel_detention_days * 24.0)
        company.return_vessel(vessel)

    def leave(self, buyer: BuyerAgent, why: str) -> None:
        if not buyer.left:
            buyer.left, buyer.left_at = why, self.env.now
            buyer.sit_until = float("inf")
            self.network.leave(buyer.name)

    def check_solvent(self, buyer: BuyerAgent) -> None:
        if buyer.cash(self.ledger) < 0:
            self.leave(buyer, "bankrupt")

    def investigate(self, case: int, parties: list[str]) -> Generator[simpy.Event, Any, None]:
        env, e, ledger = self.env, self.in_force.params.enforcement, self.ledger
        yield env.timeout(self.rng.exponential() * e.investigation_days_mean * 24.0)
        now = env.now
        k = e.accomplices_min + int(self.rng.random() * (e.accomplices_max - e.accomplices_min + 1))
        graph = self.network
        buyers_named = 0
        for node in graph.accomplices(parties, k, now, self.rng, broker_first=e.name_deal_broker):
            graph.named_at.setdefault(node, now)
            graph.remove(node, now + e.sentence_days * 24.0)
            self.recorder.named.append((now, node, case))
            if graph.kind[node] == BUYER:
                buyers_named += 1
                b = self.buyers[node]
                b.sit_until = max(b.sit_until, graph.removed_until[node])
                ledger.post(now, b.party, L.STATE, e.accomplice_fine_rmb, "fine", case)
                self.check_solvent(b)
            else:
                ledger.post(now, L.broker_party(node), L.STATE, e.accomplice_fine_rmb, "fine", case)
        self.naming_news(now, buyers_named)

    def naming_news(self, now: float, named: int) -> None:
        """The case is public: every buyer still in the trade hears how many buyers it named,
        as a share of those in the trade now (the named ones count; those it bankrupted do
        not). Nothing is faded when the news weighs nothing, so beliefs stay bit for bit."""
        b = self.in_force.params.beliefs
        if named == 0 or b.naming_news_weight == 0.0:
            return
        active = sum(1 for x in self.buyers.values() if not x.left)
        if active:
            fade(self.buyers.values(), now, b, named=b.naming_news_weight * named / active)
