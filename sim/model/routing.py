"""Smugglers' route and delivery-mode choice: a logit on expected value over learned risk.

A seller's alternatives are its routes, each sailed in one of the delivery
modes the scenario allows (``port``; ``ship_to_ship`` and ``loiter`` on
routes with a transfer point). For each it holds a belief about the chance
that its ship is seized there: a Beta distribution fed by its own voyages
and by public news of seizures on that route and mode, whose evidence fades
back to the prior with the memory time constant, so an old crackdown is
forgotten and a route that was abandoned gets tried again.

The utility of an alternative, in units of the cargo's value L, is

    u(a) = -q(a) - c T(a) / L,

with q(a) the believed seizure chance, c the ship's running cost per hour
and T(a) the hours the ship is away (out and back, discharge included
where the ship itself delivers). The choice is stochastic,

    P(a) = w(a) exp(s u(a)) / sum_b w(b) exp(s u(b)),

with w(a) the route's weight and s the sharpness: s = 0 keeps the route
weights, a large s sends nearly everything to the best alternative, and in
between a mix of routes stays in use. The seller's own loss on a seizure is
taken as the cargo's value whatever the payment terms: buyers demand safe
delivery, so a seized cargo is the seller's failure to deliver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from sim.model.rng import Draws, cumulative
from sim.model.sections import AdaptationSection, SellerSection
from sim.world.network import RouteGeo

PORT, SHIP_TO_SHIP, LOITER = "port", "ship_to_ship", "loiter"


@dataclass(slots=True)
class FadingBeta:
    """Beta evidence beyond a prior that decays exponentially with time."""

    seized: float = 0.0
    arrived: float = 0.0
    last: float = 0.0

    def fade(self, now: float, memory_hours: float) -> None:
        if now > self.last:
            f = math.exp(-(now - self.last) / memory_hours)
            self.seized *= f
            self.arrived *= f
            self.last = now

    def mean(self, now: float, prior_a: float, prior_b: float, memory_hours: float) -> float:
        self.fade(now, memory_hours)
        a = prior_a + self.seized
        return a / (a + prior_b + self.arrived)

    def add(self, now: float, seized: bool, weight: float, memory_hours: float) -> None:
        self.fade(now, memory_hours)
        if seized:
            self.seized += weight
        else:
            self.arrived += weight


@dataclass(slots=True)
class Alternative:
    """One way a seller can ship: a route sailed in a delivery mode, with its belief."""

    route: RouteGeo
    mode: str
    weight: float
    hours_away: float
    belief: FadingBeta = field(default_factory=FadingBeta)

    @property
    def key(self) -> tuple[str, str]:
        return (self.route.name, self.mode)


def alternatives(
    routes: list[RouteGeo],
    weights: list[float],
    modes: list[str],
    speed_knots: float,
    discharge_hours: float,
) -> list[Alternative]:
    """Every (route, mode) the seller may use, with the hours its ship is away on each."""
    out = []
    for route, w in zip(routes, weights, strict=True):
        # A route's weight is shared among its modes, so sharpness 0 keeps the route weights.
        usable = [m for m in modes if m == PORT or route.transfer_nm is not None]
        for mode in usable:
            if mode == SHIP_TO_SHIP:
                assert route.transfer_nm is not None
                hours = 2 * route.transfer_nm / speed_knots + route.transfer_hours
            else:  # to port; a loitering ship stops at the anchorage, one to port sails past
                stop = route.transfer_hours if mode == LOITER else 0.0
                hours = 2 * route.length_nm / speed_knots + stop + discharge_hours
            out.append(Alternative(route, mode, w / len(usable), hours))
    return out


def logit_probabilities(
    utilities: list[float], weights: list[float], sharpness: float
) -> list[float]:
    """P(a) = w(a) exp(s u(a)) / sum_b w(b) exp(s u(b)), computed without overflow."""
    top = max(sharpness * u for u in utilities)
    terms = [w * math.exp(sharpness * u - top) for u, w in zip(utilities, weights, strict=True)]
    total = sum(terms)
    return [t / total for t in terms]


class Shipper(Protocol):
    """What a route choice needs to know of its company (``sim.model.company``)."""

    @property
    def name(self) -> str: ...
    @property
    def seller(self) -> SellerSection: ...
    @property
    def routes(self) -> list[RouteGeo]: ...
    @property
    def weights(self) -> list[float]: ...
    @property
    def cost_rmb_per_hour(self) -> float: ...


class RouteChoice:
    """One seller's alternatives, beliefs and choices."""

    def __init__(
        self, company: Shipper, settings: AdaptationSection, rng: Draws, cargo_value_rmb: float
    ) -> None:
        s = company.seller
        self.company = company
        self.rng = rng
        self.cargo_value = cargo_value_rmb
        self.options = alternatives(
            company.routes, company.weights, list(settings.modes), s.speed_knots, s.discharge_hours
        )
        self.by_key = {a.key: a for a in self.options}

    def utilities(self, now: float, settings: AdaptationSection) -> list[float]:
        c, mem = self.company.cost_rmb_per_hour, settings.memory_days * 24.0
        pa, pb, value = settings.prior_alpha, settings.prior_beta, self.cargo_value
        return [-a.belief.mean(now, pa, pb, mem) - c * a.hours_away / value for a in self.options]

    def probabilities(self, now: float, settings: AdaptationSection) -> list[float]:
        return logit_probabilities(
            self.utilities(now, settings), [a.weight for a in self.options], settings.sharpness
        )

    def choose(self, now: float, settings: AdaptationSection) -> Alternative:
        if len(self.options) == 1:
            return self.options[0]
        return self.options[self.rng.choice(cumulative(self.probabilities(now, settings)))]

    def learn(
        self, key: tuple[str, str], now: float, seized: bool, weight: float, memory: float
    ) -> None:
        alt = self.by_key.get(key)
        if alt is not None and weight > 0:
            alt.belief.add(now, seized, weight, memory)


class Routing:
    """All sellers' route choices: own outcomes go to the seller, seizures are public news."""

    def __init__(self, choices: list[RouteChoice]) -> None:
        self.choices = {c.company.name: c for c in choices}

    def outcome(
        self,
        seller: str,
        key: tuple[str, str],
        now: float,
        seized: bool,
        settings: AdaptationSection,
    ) -> None:
        """The seller's ship arrived (or handed over) or was seized on ``key``."""
        mem = settings.memory_days * 24.0
        own = self.choices.get(seller)
        if own is not None:
            own.learn(key, now, seized, settings.own_weight, mem)
        if seized:
            for name, choice in self.choices.items():
                if name != seller:
                    choice.learn(key, now, True, settings.news_weight, mem)
