"""Who learns from a cargo's fate: its buyer, every buyer on a seizure, adaptive sellers.

A buyer's belief takes in its own deliveries and seizures, and every seizure
is public news to all buyers still in the trade (``sim.model.buyers``). An
adaptive seller learns from how its own voyages end, and from every seizure
on a route and mode it might use (``sim.model.routing``). Both react to the
outcomes the voyage announces (``sim.model.outcomes``).
"""

from __future__ import annotations

import simpy

from sim.model.buyers import BuyerAgent, fade
from sim.model.cargo import Voyage
from sim.model.inforce import InForce
from sim.model.patrols import PatrolVessel
from sim.model.routing import Routing


class BuyerNews:
    def __init__(
        self, env: simpy.Environment, in_force: InForce, buyers: dict[str, BuyerAgent]
    ) -> None:
        self.env, self.in_force, self.buyers = env, in_force, buyers

    def delivered(self, voyage: Voyage) -> None:
        b = self.in_force.params.beliefs
        voyage.deal.buyer.observe(self.env.now, False, b.own_weight, b)

    def seized(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        """Public news to every buyer, then the buyer's own loss."""
        now, b = self.env.now, self.in_force.params.beliefs
        fade(self.buyers.values(), now, b, b.news_weight)
        voyage.deal.buyer.observe(now, True, b.own_weight, b)


class SellerNews:
    """Adaptive sellers hear how a voyage ended: a seizure of a ship is news to all."""

    def __init__(self, env: simpy.Environment, in_force: InForce, routing: Routing) -> None:
        self.env, self.in_force, self.routing = env, in_force, routing

    # Each writes out the same call (a shared helper would add one per voyage).
    def handed_over(self, voyage: Voyage) -> None:
        """The seller's part ends at the transfer point: for it, the cargo arrived."""
        rec, adapt = voyage.rec, self.in_force.params.adaptation
        self.routing.outcome(rec.seller, (rec.route, rec.mode), self.env.now, False, adapt)

    def delivered(self, voyage: Voyage) -> None:
        if not voyage.deal.ship_to_ship:  # a handed-over cargo was told at the transfer
            rec, adapt = voyage.rec, self.in_force.params.adaptation
            self.routing.outcome(rec.seller, (rec.route, rec.mode), self.env.now, False, adapt)

    def seized(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        if voyage.on_sellers_ship():  # the buyer's barge seized is not the seller's loss
            rec, adapt = voyage.rec, self.in_force.params.adaptation
            self.routing.outcome(rec.seller, (rec.route, rec.mode), self.env.now, True, adapt)
