"""Who buys a lot, through which broker, on what terms.

``StrategicMarket``: a seller with a lot offers it through its brokers to
the buyers they know, in random order. Each buyer weighs the offered terms
against its belief (``sim.model.buyers``): it signs, asks for the other
payment terms, or sits out for a while. A company that insists on advance
payment (the state companies of the source) offers only that. The others
offer the scenario's terms; under ``endogenous`` terms they offer advance
payment (worth the full price to them for certain) and take a buyer's
request for payment after delivery if they still expect to gain, judging
the risk by the public record of seizures.

``FixedMarket``: every lot goes to a buyer at the route's destination at
the scenario's terms, with no decisions: the world of purpose-built checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model import network as net
from sim.model.buyers import ADVANCE, AFTER, BuyerAgent
from sim.world.network import RouteGeo

if TYPE_CHECKING:
    from sim.model.model import Model
    from sim.model.sellers import Company


@dataclass(slots=True)
class Deal:
    buyer: BuyerAgent
    broker: str
    route: RouteGeo
    price: float
    terms: str
    ship_to_ship: bool


class Market:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.rng = model.rng["market"]

    def _price(self) -> float:
        c = self.model.params.contract
        return (
            c.price_rmb_per_tonne_min
            + (c.price_rmb_per_tonne_max - c.price_rmb_per_tonne_min) * self.rng.random()
        )

    def _route_to(self, company: Company, port: str) -> RouteGeo | None:
        options = [
            (r, w)
            for r, w in zip(company.routes, company.weights, strict=True)
            if r.destination == port
        ]
        if not options:
            return None
        total = sum(w for _, w in options)
        x, acc = self.rng.random() * total, 0.0
        for r, w in options:
            acc += w
            if x < acc:
                return r
        return options[-1][0]

    def _sts(self, route: RouteGeo) -> bool:
        share = self.model.params.contract.ship_to_ship_share
        return route.transfer_nm is not None and share > 0 and self.rng.random() < share

    def find_deal(self, company: Company, tonnes: float, now: float) -> Deal | None:
        raise NotImplementedError


class FixedMarket(Market):
    def find_deal(self, company: Company, tonnes: float, now: float) -> Deal | None:
        route = company.routes[self.rng.choice(company.route_cdf)]
        buyers = self.model.buyers_at.get(route.destination, [])
        buyer = buyers[int(self.rng.random() * len(buyers))] if len(buyers) > 1 else buyers[0]
        terms = self.model.params.contract.payment_terms
        return Deal(
            buyer,
            "",
            route,
            self._price(),
            ADVANCE if terms == ADVANCE else AFTER,
            self._sts(route),
        )


class StrategicMarket(Market):
    def candidates(self, company: Company, now: float) -> list[tuple[BuyerAgent, str]]:
        """Available buyers the company's brokers know, each once, in random order."""
        graph, model = self.model.network, self.model
        ports = {r.destination for r in company.routes}
        seen: dict[str, tuple[BuyerAgent, str]] = {}
        for broker in graph.brokers_of(company.name, now):
            for node in graph.adj[broker]:
                if node in seen or graph.kind[node] != net.BUYER or not graph.active(node, now):
                    continue
                b = model.buyers[node]
                if not b.left and b.sit_until <= now and b.port in ports:
                    seen[node] = (b, broker)
        out = [seen[k] for k in sorted(seen)]
        for i in range(len(out) - 1, 0, -1):
            j = int(self.rng.random() * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out

    def find_deal(self, company: Company, tonnes: float, now: float) -> Deal | None:
        model, p = self.model, self.model.params
        regime = p.contract.payment_terms
        price = self._price()
        value = price * tonnes
        fine = model.enforcement.fine_for(value)
        # A company that insists on advance payment offers nothing else; the others
        # offer the scenario's terms, or under endogenous terms start from advance
        # and hear a buyer's request for payment after delivery.
        insists = company.seller.insists_on_advance
        offered = ADVANCE if insists or regime != AFTER else AFTER
        counter = regime == "endogenous" and not insists
        for buyer, broker in self.candidates(company, now):
            if buyer.demand_left(now) < tonnes:
                continue
            if model.cash(buyer) < value:  # cannot pay for the cargo
                continue
            q = buyer.belief(now, p.beliefs)
            terms = buyer.decide(offered, q, value, p.contract.resale_multiplier, fine, counter)
            if terms is None:
                buyer.sit_until = now + buyer.config.sit_out_days * 24.0
                continue
            if terms != offered and not company.accepts_after(value):
                continue
            route = self._route_to(company, buyer.port)
            if route is None:
                continue
            buyer.taken.append((now, tonnes))
            return Deal(buyer, broker, route, price, terms, self._sts(route))
        return None
