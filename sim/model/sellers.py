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
from typing import Any

import simpy

from sim.model.company import Company
from sim.model.inforce import InForce
from sim.model.market import Market
from sim.model.records import Recorder, Shipment
from sim.model.rng import Draws
from sim.model.voyages import Voyages


class Sellers:
    """Makes every company's lots, offers each on ``market`` and hands the sold ones to
    ``voyages``; ``rng`` is the sellers' stream (lot times and sizes)."""

    def __init__(
        self,
        env: simpy.Environment,
        in_force: InForce,
        rng: Draws,
        recorder: Recorder,
        *,
        market: Market,
        voyages: Voyages,
    ) -> None:
        self.env, self.in_force, self.rng, self.recorder = env, in_force, rng, recorder
        self.market, self.voyages = market, voyages

    def produce(self, company: Company) -> Generator[simpy.Event, Any, None]:
        env, rng = self.env, self.rng
        seller = company.seller
        mean_hours = seller.lot_interval_days * 24.0
        fixed = seller.lot_interval == "fixed"
        lo, span = seller.lot_tonnes_min, seller.lot_tonnes_max - seller.lot_tonnes_min
        records = self.recorder.shipments
        while True:
            yield env.timeout(mean_hours if fixed else mean_hours * rng.exponential())
            rec = Shipment(
                len(records), company.name, "", seller.port, "", lo + span * rng.random(), env.now
            )
            records.append(rec)
            env.process(self.sell(company, rec))

    def sell(self, company: Company, rec: Shipment) -> Generator[simpy.Event, Any, None]:
        """Offer the lot in rounds until a buyer signs or the company's patience runs out."""
        env, in_force, market = self.env, self.in_force, self.market
        deadline = env.now + company.seller.patience_days * 24.0
        choice = company.choice
        while True:
            if company.ships == 0:  # all confiscated: nothing to carry the coal
                rec.outcome = "held"
                return
            now = env.now  # read once a round: compiled, each read calls into SimPy
            alt = None if choice is None else choice.choose(now, in_force.params.adaptation)
            deal = market.find_deal(company, rec.tonnes, now, alt)
            if deal is not None:
                break
            if now + company.seller.retry_hours > deadline:
                rec.outcome = "held"
                return
            yield env.timeout(company.seller.retry_hours)
        rec.buyer, rec.broker, rec.route = deal.buyer.name, deal.broker, deal.route.name
        rec.destination, rec.price_rmb_per_tonne = deal.route.destination, deal.price
        rec.payment_terms, rec.t_contract = deal.terms, now
        rec.delivery = "ship_to_ship" if deal.ship_to_ship else "port"
        rec.mode = deal.mode
        yield from self.voyages.shipment(company, rec, deal)
