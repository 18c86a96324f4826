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

import math
from collections.abc import Iterator

from sim.model.buyer_costs import Stakes
from sim.model.buyers import ADVANCE, AFTER, BuyerAgent
from sim.model.cargo import Deal
from sim.model.company import Company
from sim.model.enforcement import fine_for
from sim.model.inforce import InForce
from sim.model.ledger import Ledger
from sim.model.network import BROKER, BUYER, TradeNetwork
from sim.model.rng import Draws
from sim.model.routing import PORT, SHIP_TO_SHIP, Alternative
from sim.world.network import RouteGeo


class Market:
    """``buyers``: every buyer by name; ``buyers_at``: by port (both grow as buyers enter)."""

    def __init__(
        self,
        in_force: InForce,
        rng: Draws,
        ledger: Ledger,
        *,
        network: TradeNetwork,
        buyers: dict[str, BuyerAgent],
        buyers_at: dict[str, list[BuyerAgent]],
        smallest_lot: float,
    ) -> None:
        self.in_force, self.rng, self.ledger = in_force, rng, ledger
        self.network, self.buyers, self.buyers_at = network, buyers, buyers_at
        self.smallest_lot = smallest_lot

    def _price(self) -> float:
        c = self.in_force.params.contract
        return (
            c.price_rmb_per_tonne_min
            + (c.price_rmb_per_tonne_max - c.price_rmb_per_tonne_min) * self.rng.random()
        )

    def _route_to(self, company: Company, port: str) -> RouteGeo | None:
        """One of the company's routes to ``port``, drawn by weight; None if it has none."""
        options = company.to_port.get(port)
        if options is None:
            return None
        routes, acc, total = options
        x = self.rng.random() * total
        for i in range(len(acc)):
            if x < acc[i]:
                return routes[i]
        return routes[-1]

    def _sts(self, route: RouteGeo) -> bool:
        share = self.in_force.params.contract.ship_to_ship_share
        return route.transfer_nm is not None and share > 0 and self.rng.random() < share

    def find_deal(
        self, company: Company, tonnes: float, now: float, choice: Alternative | None = None
    ) -> Deal | None:
        """A signed deal for the lot, or None this round. With ``choice`` (an adaptive
        seller's route and mode) only buyers at that route's destination are asked."""
        raise NotImplementedError

    def _delivery(self, route: RouteGeo, choice: Alternative | None) -> tuple[bool, str]:
        """Ship-to-ship or not, and the mode: the adaptive seller's choice, or else the
        scenario's ship-to-ship share drawn deal by deal."""
        if choice is not None:
            return choice.mode == SHIP_TO_SHIP, choice.mode
        sts = self._sts(route)
        return sts, SHIP_TO_SHIP if sts else PORT

    def _route_and_mode(
        self, company: Company, port: str, choice: Alternative | None
    ) -> tuple[RouteGeo, bool, str] | None:
        route = choice.route if choice is not None else self._route_to(company, port)
        if route is None:
            return None
        return (route, *self._delivery(route, choice))


class FixedMarket(Market):
    def find_deal(
        self, company: Company, tonnes: float, now: float, choice: Alternative | None = None
    ) -> Deal | None:
        route = (
            company.routes[self.rng.choice(company.route_cdf)] if choice is None else choice.route
        )
        buyers = self.buyers_at.get(route.destination, [])
        buyer = buyers[int(self.rng.random() * len(buyers))] if len(buyers) > 1 else buyers[0]
        terms = self.in_force.params.contract.payment_terms
        price = self._price()
        sts, mode = self._delivery(route, choice)
        return Deal(buyer, "", route, price, ADVANCE if terms == ADVANCE else AFTER, sts, mode)


class StrategicMarket(Market):
    remember_quiet = True
    """Answer a round that can reach no available buyer from the last such round's
    record (see ``find_deal``); off, every round walks the brokers (the tests compare)."""

    def __init__(
        self,
        in_force: InForce,
        rng: Draws,
        ledger: Ledger,
        *,
        network: TradeNetwork,
        buyers: dict[str, BuyerAgent],
        buyers_at: dict[str, list[BuyerAgent]],
        smallest_lot: float,
    ) -> None:
        super().__init__(
            in_force,
            rng,
            ledger,
            network=network,
            buyers=buyers,
            buyers_at=buyers_at,
            smallest_lot=smallest_lot,
        )
        # (company, port) -> (links taken in, broker -> the buyers it knows there)
        self._cache: dict[tuple[str, str | None], tuple[int, dict[str, list[BuyerAgent]]]] = {}
        # (company, port) -> (quiet until, network version, uniforms a round draws)
        self._quiet: dict[tuple[str, str | None], tuple[float, int, int]] = {}
        self.quiet_rounds = 0  # rounds answered from that record

    def candidates(
        self, company: Company, now: float, port: str | None = None
    ) -> Iterator[tuple[BuyerAgent, str]]:
        """Available buyers the company's brokers know, in random order, drawn lazily.

        The company asks its brokers in random order; each broker goes round the
        buyers it knows from a random starting point. Most lots sell to one of the
        first buyers asked, so only those are looked at. ``port``: only buyers there.
        """
        rng = self.rng
        brokers = self.network.brokers_of(company.name, now)
        rng.shuffle(brokers)
        offered = False
        walked: list[list[BuyerAgent]] = []
        known_by = self._known(company, port)
        for broker in brokers:
            known = known_by[broker]
            walked.append(known)
            n = len(known)
            start = int(rng.random() * n) if n > 1 else 0
            for b in known[start:] + known[:start] if start else known:
                # sit_until also covers a sentence being served and leaving the trade
                if b.sit_until <= now:
                    offered = True
                    yield b, broker
        if not offered and self.remember_quiet:
            self._remember_quiet(company, port, now, walked)

    def _remember_quiet(
        self, company: Company, port: str | None, now: float, walked: list[list[BuyerAgent]]
    ) -> None:
        """Record until when rounds for the company (at ``port``) must reach nobody.

        No buyer reached (``walked``: each broker's, in the round's order) was available,
        and a buyer's ``sit_until`` only ever moves later, so until the first of them
        comes free, or a sentenced broker of the company is back, every round walks the
        same brokers past the same busy buyers, unless the network changes (a new link
        or a removal bumps its version). Such a round draws the price, the shuffle's
        uniforms and one start per broker knowing several buyers, and ends with no deal.
        """
        graph = self.network
        until, draws = math.inf, max(len(walked) - 1, 0)
        for known in walked:
            draws += len(known) > 1
            for b in known:
                if b.sit_until < until:
                    until = b.sit_until
        removed = graph.removed_until
        for broker in graph.adj[company.name]:
            back = removed.get(broker, -1.0)
            if now < back < until:
                until = back
        self._quiet[company.name, port] = (until, graph.version, draws)

    def _known(self, company: Company, port: str | None) -> dict[str, list[BuyerAgent]]:
        """Each of the company's brokers with the buyers it knows at ports the company
        ships to, or at ``port``.

        Who knows whom changes only by new links (a removal or a leaver changes who is
        available, which ``candidates`` asks of each buyer), and an entrant's links just
        add it at the end of its brokers' lists: so the kept answer is brought up to date
        from the network's list of links, not rebuilt, unless a link is the company's own.
        """
        graph = self.network
        key = (company.name, port)
        cached = self._cache.get(key)
        links = graph.links
        if cached is not None and cached[0] != len(links):
            if not self._extend(company, port, cached[1], links[cached[0] :]):
                cached = None
            else:
                cached = self._cache[key] = (len(links), cached[1])
        if cached is None:
            ports = company.ports if port is None else {port}
            agents = self.buyers
            known = {
                broker: [agents[b] for b in graph.buyers_of[broker] if agents[b].port in ports]
                for broker in graph.adj[company.name]
                if graph.kind[broker] == BROKER
            }
            cached = self._cache[key] = (len(links), known)
        return cached[1]

    def _extend(
        self,
        company: Company,
        port: str | None,
        known: dict[str, list[BuyerAgent]],
        new: list[tuple[str, str]],
    ) -> bool:
        """Add the buyers that ``new`` links gave the company's brokers to ``known``, as a
        rebuild would list them (``buyers_of`` keeps link order); False if a link is the
        company's own, which only a rebuild takes in."""
        kind, agents = self.network.kind, self.buyers
        ports = company.ports if port is None else {port}
        for a, b in new:
            if a == company.name or b == company.name:
                return False
            broker, buyer = (a, b) if kind.get(a) == BROKER else (b, a)
            if broker in known and kind.get(buyer) == BUYER and agents[buyer].port in ports:
                known[broker].append(agents[buyer])
        return True

    def find_deal(
        self, company: Company, tonnes: float, now: float, choice: Alternative | None = None
    ) -> Deal | None:
        p, balance = self.in_force.params, self.ledger.balance_fen
        port = None if choice is None else choice.route.destination
        quiet = self._quiet.get((company.name, port))
        if quiet is not None and now < quiet[0] and quiet[1] == self.network.version:
            self.rng.skip(1 + quiet[2])  # the price, then the round that would find nobody
            self.quiet_rounds += 1
            return None
        regime = p.contract.payment_terms
        price = self._price()
        value = price * tonnes
        fine = fine_for(value, p.enforcement)
        # A company that insists on advance payment offers nothing else; the others
        # offer the scenario's terms, or under endogenous terms start from advance
        # and hear a buyer's request for payment after delivery.
        insists = company.seller.insists_on_advance
        offered = ADVANCE if insists or regime != AFTER else AFTER
        counter = regime == "endogenous" and not insists
        for buyer, broker in self.candidates(company, now, port):
            left = buyer.demand_left(now)
            if left < tonnes:
                if left < self.smallest_lot and buyer.taken:
                    # no lot fits until the oldest purchase leaves the 30-day window
                    buyer.sit_until = buyer.taken[0][0] + 720.0
                continue
            # cannot pay for the cargo (BuyerAgent.cash written out: asked of every buyer)
            if buyer.capital0 + balance.get(buyer.party, 0) / 100 < value:
                continue
            q = buyer.belief(now, p.beliefs)
            fee = tonnes * p.network.broker_fee_rmb_per_tonne
            stakes = Stakes(
                p.market.arrest_probability,
                p.market.arrest_horizon_days,
                buyer.naming_rate(now, p.beliefs),
                p.enforcement.accomplice_fine_rmb,
                p.enforcement.sentence_days,
            )
            terms = buyer.decide(
                offered, q, value, p.contract.resale_multiplier, fine, counter, fee, stakes
            )
            if terms is None:
                buyer.sit_until = now + buyer.config.sit_out_days * 24.0
                continue
            if terms != offered and not company.accepts_after(value):
                continue
            how = self._route_and_mode(company, buyer.port, choice)
            if how is None:
                continue
            buyer.take(now, tonnes)
            return Deal(buyer, broker, how[0], price, terms, how[1], how[2])
        return None
