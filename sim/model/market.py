"""Who buys a lot and on what terms.

This is the fixed market of the foundation: every lot goes to a buyer at
the route's destination at a price drawn from the scenario's range, on the
scenario's payment terms. A strategic market (buyers weighing expected
profit against their risk belief) replaces this class behind the same
``contract`` method.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sim.model.rng import Draws
from sim.scenario.schema import Scenario, Seller
from sim.world.network import RouteGeo


class Contract(NamedTuple):
    buyer: str
    price_rmb_per_tonne: float
    payment_terms: str


class FixedMarket:
    def __init__(self, scenario: Scenario, rng: Draws) -> None:
        self.rng = rng
        self.terms = scenario.contract
        self.price_lo = self.terms.price_rmb_per_tonne_min
        self.price_span = self.terms.price_rmb_per_tonne_max - self.price_lo
        self.buyers_at: dict[str, list[str]] = defaultdict(list)
        for b in scenario.buyers:
            self.buyers_at[b.port].append(b.name)

    def contract(self, seller: Seller, tonnes: float, route: RouteGeo, now: float) -> Contract:
        buyers = self.buyers_at[route.destination]
        buyer = buyers[int(self.rng.random() * len(buyers))] if len(buyers) > 1 else buyers[0]
        price = self.price_lo + self.price_span * self.rng.random()
        return Contract(buyer, price, self.terms.payment_terms)
