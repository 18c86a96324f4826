"""What follows a delivery or a seizure: payments, fines, rewards, news, arrests, investigations.

A seizure confiscates the cargo (its owner forfeits the contract value),
fines the identified buyer, pays the tipster's reward when a tip led to it,
is public news that raises every buyer's belief, may lead to the buyer's
arrest, and opens an investigation that later names accomplices by walking
the trading network outward from the case.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from sim.model import ledger as L
from sim.model.buyers import ADVANCE, BuyerAgent, fade
from sim.model.network import BUYER
from sim.model.patrols import PatrolVessel
from sim.model.records import ZoneEvent

if TYPE_CHECKING:
    from sim.model.model import Model
    from sim.model.voyages import Voyage

TIPSTERS = "tipsters"


class Enforcement:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.rng = model.rng["enforcement"]
        self.seizures = 0
        self.settled = 0

    def fine_for(self, value: float) -> float:
        e = self.model.params.enforcement
        return e.fine_rmb if e.fine_rule == "fixed" else e.fine_cargo_multiple * value

    def reward_for(self, value: float) -> float:
        t = self.model.params.tips
        if t.reward_rule == "fixed":
            return t.reward_fixed_rmb
        return min(t.reward_share * value, t.reward_cap_rmb)

    def public_seizure_rate(self) -> float:
        """Seized share of settled voyages so far, shrunk towards 0.1 (one seizure in ten)."""
        return (self.seizures + 1.0) / (self.settled + 10.0)

    def settle_transfer(self, voyage: Voyage) -> None:
        """Ship-to-ship handover: the seller has delivered; after-delivery terms pay now."""
        now, rec = self.model.env.now, voyage.rec
        rec.t_handover = now
        if voyage.deal.terms != ADVANCE:
            self.model.ledger.post(
                now, voyage.deal.buyer.party, voyage.company.party, voyage.value, "payment", rec.id
            )

    def deliver(self, voyage: Voyage) -> None:
        model, now, rec, deal = self.model, self.model.env.now, voyage.rec, voyage.deal
        ledger, buyer = model.ledger, deal.buyer
        rec.outcome, rec.t_arrive = "delivered", now
        if deal.terms != ADVANCE and not deal.ship_to_ship:
            ledger.post(now, buyer.party, voyage.company.party, voyage.value, "payment", rec.id)
        p = model.params
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
        buyer.observe(now, False, p.beliefs.own_weight, p.beliefs)
        self.settled += 1

    def seize(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        model, now, rec, deal = self.model, self.model.env.now, voyage.rec, voyage.deal
        ledger, buyer, p = model.ledger, deal.buyer, model.params
        lat, lon = voyage.position(now)
        rec.outcome, rec.cause, rec.seizure_time = "seized", cause, now
        rec.seizure_lat, rec.seizure_lon, rec.patrol = lat, lon, patrol.name
        # A search seizure is made in the zone searched, a tip's in the zone the patrol
        # was sent to: every seizure has its zone.
        model.recorder.zone_events.append(ZoneEvent(now, rec.seizure_zone, "seizure"))
        model.coast_guard.board(patrol, (lat, lon), voyage.plan.speed_knots)
        handed_over = not math.isnan(rec.t_handover)  # ship-to-ship: the barge is the buyer's
        owner = buyer.party if deal.terms == ADVANCE or handed_over else voyage.company.party
        ledger.post(now, L.COAL, owner, voyage.value, "cargo_value", rec.id)
        ledger.post(now, owner, L.STATE, voyage.value, "seizure", rec.id)
        rec.fine_rmb = self.fine_for(voyage.value)
        ledger.post(now, buyer.party, L.STATE, rec.fine_rmb, "fine", rec.id)
        if cause == "tip":
            rec.reward_rmb = self.reward_for(voyage.value)
            ledger.post(now, L.STATE, TIPSTERS, rec.reward_rmb, "reward", rec.id)
        self.seizures += 1
        self.settled += 1
        fade(
            model.buyers.values(), now, p.beliefs.memory_days, p.beliefs.news_weight
        )  # public news
        buyer.observe(now, True, p.beliefs.own_weight, p.beliefs)
        if self.rng.random() < p.market.arrest_probability:
            self.leave(buyer, "arrested")
        self.check_solvent(buyer)
        case = [buyer.name] + ([deal.broker] if deal.broker else [])
        model.env.process(self.investigate(rec.id, case))

    def leave(self, buyer: BuyerAgent, why: str) -> None:
        if not buyer.left:
            buyer.left, buyer.left_at = why, self.model.env.now
            buyer.sit_until = float("inf")
            self.model.network.leave(buyer.name)

    def check_solvent(self, buyer: BuyerAgent) -> None:
        if self.model.cash(buyer) < 0:
            self.leave(buyer, "bankrupt")

    def investigate(self, case: int, parties: list[str]) -> Generator[simpy.Event, Any, None]:
        model, e = self.model, self.model.params.enforcement
        yield model.env.timeout(self.rng.exponential() * e.investigation_days_mean * 24.0)
        now = model.env.now
        k = e.accomplices_min + int(self.rng.random() * (e.accomplices_max - e.accomplices_min + 1))
        graph = model.network
        for node in graph.accomplices(parties, k, now, self.rng, broker_first=e.name_deal_broker):
            graph.named_at.setdefault(node, now)
            graph.remove(node, now + e.sentence_days * 24.0)
            model.recorder.named.append((now, node, case))
            if graph.kind[node] == BUYER:
                b = model.buyers[node]
                b.sit_until = max(b.sit_until, graph.removed_until[node])
                model.ledger.post(now, b.party, L.STATE, e.accomplice_fine_rmb, "fine", case)
                self.check_solvent(b)
            else:
                model.ledger.post(
                    now, L.broker_party(node), L.STATE, e.accomplice_fine_rmb, "fine", case
                )
