"""Break-even analysis: where each party's expected profit per deal crosses zero.

For the scenario's average deal (its sellers' lots weighted by how often
each company sells, at the mean contract price) and an interception
probability q per voyage:

- buyer, advance payment:   E = (1 - q) M - q (V + F + C_a) - C_n
- buyer, after delivery:    E = (1 - q) M - q (F + C_a) - C_n
  with M = (m - 1) V - broker fee, C_a the expected cost of the arrest a seizure may
  bring and C_n that of being named in another buyer's case (``sim.model.buyer_costs``),
  at the naming rate a new buyer believes (the scenario's prior), so
  q* = (M - C_n) / (M + L + C_a)
- DPRK seller, advance:     E = V - (1 - q) C_d - q C_s  (paid at signing: no break-even)
- DPRK seller, after:       E = (1 - q) (V - C_d) - q C_s, q* = (V - C_d) / (V - C_d + C_s)
- Coast Guard reward budget, per seizure a tip brought: N = F + V - R, zero at R* = F + V

C_d is the running cost of a delivered round trip (loading, sailing out and
back, discharge), C_s that of a voyage seized halfway through its time in
patrolled zones. The seller's ship held after a seizure and the coal's cost to
the seller are not in a deal's books and are left out. Each break-even is also
given as a patrol effort: the multiple of the scenario's own patrol effort
(vessels on station on average, as per their duty cycle) at which area search
alone intercepts that share of voyages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from sim.model.buyer_costs import NO_STAKES, DealCosts, Stakes, deal_costs
from sim.model.buyers import ADVANCE, AFTER
from sim.scenario import Resolved
from sim.scenario.schema import Seller
from sim.scenario.trade import Buyer
from sim.verify.kinematics import search_speed


@dataclass(frozen=True)
class Deal:
    """The scenario's average deal, in RMB."""

    price: float
    tonnes: float
    value: float
    resale: float
    broker_fee: float
    fine: float
    reward: float
    """Mean reward paid per seizure a tip brought, under the scenario's rule."""
    cost_delivered: float
    cost_seized: float
    interception: float
    """Share of voyages the scenario's patrols intercept by area search (analytic)."""
    stakes: Stakes = field(default_factory=lambda: NO_STAKES)
    """What a buyer weighs beside the deal's books, at the believed naming rate."""
    deals_per_year: float = 3.0
    """The buyers' expected deals a year, averaged over their entries by count."""

    @property
    def margin(self) -> float:
        return (self.resale - 1.0) * self.value - self.broker_fee

    def buyer(self, advance: bool, naming_per_year: float | None = None) -> DealCosts:
        """The buyer's terms of this deal, at the scenario's believed naming rate or another."""
        st = self.stakes
        if naming_per_year is not None:
            st = replace(st, naming_rate=naming_per_year / 365.0)
        return deal_costs(
            self.value, self.resale, self.fine, advance, self.broker_fee, st, self.deals_per_year
        )


@dataclass(frozen=True)
class Party:
    key: str
    party: str
    terms: str
    break_even: float
    """Interception probability q* (nan when there is none); for the Coast Guard, R*."""
    formula: str
    at_zero: float
    """Expected profit per deal when nothing is intercepted."""
    at_one: float
    """Expected profit per deal when everything is intercepted."""
    note: str = ""

    def profit(self, q: float) -> float:
        """Expected profit per deal (per voyage for the Coast Guard) at interception q."""
        return (1.0 - q) * self.at_zero + q * self.at_one


def _weights(sellers: list[Seller]) -> np.ndarray:
    return np.array([sl.count / sl.lot_interval_days for sl in sellers])


def _mean_reward(resolved: Resolved, sellers: list[Seller], w: np.ndarray) -> float:
    """E[min(share x V, cap)] over uniform prices and lot sizes, or the fixed reward."""
    s = resolved.scenario
    t, c = s.tips, s.contract
    if t.reward_rule == "fixed":
        return t.reward_fixed_rmb
    grid = (np.arange(200) + 0.5) / 200
    price = (
        c.price_rmb_per_tonne_min + (c.price_rmb_per_tonne_max - c.price_rmb_per_tonne_min) * grid
    )
    means = []
    for sl in sellers:
        tonnes = sl.lot_tonnes_min + (sl.lot_tonnes_max - sl.lot_tonnes_min) * grid
        value = np.outer(price, tonnes)
        means.append(float(np.minimum(t.reward_share * value, t.reward_cap_rmb).mean()))
    return float(np.average(means, weights=w))


def _route_weights(sl: Seller) -> list[float]:
    return list(sl.route_weights or [1.0] * len(sl.routes))


def _halfway(exposure: list[tuple[str, float, float]], patrolled: set[str], hours: float) -> float:
    """Hours after sailing at which half the route's time in patrolled zones has passed."""
    spans = [(a, b) for z, a, b in exposure if z in patrolled and b > a]
    total = sum(b - a for a, b in spans)
    if total == 0:
        return hours / 2
    left = total / 2
    for a, b in spans:
        if b - a >= left:
            return a + left
        left -= b - a
    return spans[-1][1]


def _hazards(resolved: Resolved, ship_knots: float) -> dict[str, float]:
    """Mean search rate per zone against a ship at ``ship_knots``, W v_rel / A summed over
    the vessels on station on average."""
    geo = resolved.geography
    rate: dict[str, float] = {}
    for g in resolved.scenario.patrols:
        transit = g.transit_hours
        if transit is None:
            from sim.model.duty import transit_hours

            transit = transit_hours(geo.ports[g.base], geo.zones[g.zone], g.speed_knots)
        duty = g.endurance_hours / (g.endurance_hours + 2 * transit + g.turnaround_hours)
        v = search_speed(resolved, g.speed_knots, ship_knots)
        per = g.sweep_width_nm * v / geo.zones[g.zone].area_sq_nm
        rate[g.zone] = rate.get(g.zone, 0.0) + g.vessels * duty * per
    return rate


def _exposures(resolved: Resolved) -> list[tuple[float, float, float]]:
    """(weight, hazard per unit of boarding chance, boarding chance) per seller, route, AIS."""
    s = resolved.scenario
    w = _weights(s.sellers)
    out = []
    for ws, sl in zip(w / w.sum(), s.sellers, strict=True):
        rate = _hazards(resolved, sl.speed_knots)
        rw = np.array(_route_weights(sl))
        for wr, name in zip(rw / rw.sum(), sl.routes, strict=True):
            route = resolved.geography.routes[name]
            h = sum(
                rate.get(z, 0.0) * (b - a) for z, a, b in route.nonstop_exposure(sl.speed_knots)
            )
            d = s.detection
            p = d.recognition_probability * (1 - sl.concealment)
            for share, factor, scale in (
                (sl.ais_off_share, d.ais_off_factor, d.ais_off_search_factor),
                (1 - sl.ais_off_share, 1.0, 1.0),
            ):
                if share > 0:
                    out.append((float(ws * wr * share), h * scale, min(1.0, p * factor)))
    return out


def interception(resolved: Resolved, effort: float = 1.0) -> float:
    """Share of voyages area search intercepts at ``effort`` times the scenario's patrols."""
    return sum(w * (1 - math.exp(-effort * h * p)) for w, h, p in _exposures(resolved))


def effort_for(resolved: Resolved, q: float) -> float:
    """The multiple of the scenario's patrol effort at which area search intercepts q."""
    if not 0 < q < 1 or not math.isfinite(q):
        return math.nan
    top = max((w for w, h, p in _exposures(resolved) if h * p > 0), default=0.0)
    if q >= sum(w for w, h, p in _exposures(resolved) if h * p > 0) or top == 0:
        return math.inf  # some voyages never cross a patrolled zone
    lo, hi = 0.0, 1.0
    while interception(resolved, hi) < q:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if interception(resolved, mid) < q else (lo, mid)
    return (lo + hi) / 2


def average_deal(resolved: Resolved) -> Deal:
    s = resolved.scenario
    c, e = s.contract, s.enforcement
    sellers = s.sellers
    w = _weights(sellers)
    price = (c.price_rmb_per_tonne_min + c.price_rmb_per_tonne_max) / 2
    tonnes = float(
        np.average([(sl.lot_tonnes_min + sl.lot_tonnes_max) / 2 for sl in sellers], weights=w)
    )
    value = price * tonnes
    patrolled = {g.zone for g in s.patrols if g.vessels > 0}
    delivered, seized = [], []
    for sl in sellers:
        rate = sl.operating_cost_rmb_per_day / 24.0
        rw = np.array(_route_weights(sl))
        d_cost = s_cost = 0.0
        for wr, name in zip(rw / rw.sum(), sl.routes, strict=True):
            route = resolved.geography.routes[name]
            sail = route.nonstop_hours(sl.speed_knots)
            d_cost += wr * rate * (sl.loading_hours + 2 * sail + sl.discharge_hours)
            mid = _halfway(route.nonstop_exposure(sl.speed_knots), patrolled, sail)
            s_cost += wr * rate * (sl.loading_hours + mid)
        delivered.append(d_cost)
        seized.append(s_cost)
    fine = e.fine_rmb if e.fine_rule == "fixed" else e.fine_cargo_multiple * value
    stakes = Stakes(
        s.market.arrest_probability,
        s.market.arrest_horizon_days,
        s.beliefs.naming_prior_per_year / 365.0,  # a new buyer's belief: the prior's mean
        e.accomplice_fine_rmb,
        e.sentence_days,
    )
    deals = (
        float(np.average([b.deals_per_year for b in s.buyers], weights=[b.count for b in s.buyers]))
        if s.buyers
        else float(Buyer.model_fields["deals_per_year"].default)
    )
    return Deal(
        price=price,
        tonnes=tonnes,
        value=value,
        resale=c.resale_multiplier,
        broker_fee=s.network.broker_fee_rmb_per_tonne * tonnes,
        fine=fine,
        reward=_mean_reward(resolved, sellers, w),
        cost_delivered=float(np.average(delivered, weights=w)),
        cost_seized=float(np.average(seized, weights=w)),
        interception=interception(resolved),
        stakes=stakes,
        deals_per_year=deals,
    )


def crossing(at_zero: float, at_one: float) -> float:
    """Where the line (1 - q) a + q b crosses zero in [0, 1]; nan if it never does."""
    if at_zero > 0 >= at_one:
        return at_zero / (at_zero - at_one)
    return math.nan


def _line(key: str, party: str, terms: str, formula: str, a: float, b: float) -> Party:
    q = crossing(a, b)
    if math.isnan(q):
        formula = "none: profit at every q" if a > 0 else "none: a loss at every q"
    return Party(key, party, terms, q, formula, a, b)


def parties(deal: Deal) -> list[Party]:
    """Each party's expected profit per deal as a line in q, and where it crosses zero."""
    d = deal
    v, f = d.value, d.fine
    out = []
    for terms, what in ((ADVANCE, "V + F"), (AFTER, "F")):
        c = d.buyer(terms == ADVANCE)
        formula = f"q* = (M - C_n) / (M + {what} + C_a), M = (m - 1) V - broker fee"
        out.append(
            _line(f"buyer_{terms}", "Chinese buyer", terms, formula, c.margin - c.named,
                  -(c.loss + c.arrest + c.named))
        )  # fmt: skip
    paid = _line("seller_advance", "DPRK seller", ADVANCE, "", v - d.cost_delivered,
                 v - d.cost_seized)  # fmt: skip
    if paid.at_zero > 0 and paid.at_one > 0:
        paid = replace(paid, formula="none: E = V - running cost > 0 at every q (paid at signing)")
    out.append(paid)
    net = v - d.cost_delivered
    out.append(_line("seller_after_delivery", "DPRK seller", AFTER,
                     "q* = (V - C_d) / (V - C_d + C_s)", net, -d.cost_seized))  # fmt: skip
    out.append(
        Party(
            "coast_guard",
            "Coast Guard reward budget",
            "tip seizures",
            f + v,
            "R* = F + V (reward per seizure at which the budget returns nothing)",
            0.0,
            f + v - d.reward,
            note=f"pays R = {d.reward:,.0f}: {(f + v) / d.reward:.0f} yuan of fines "
            "and cargo per yuan of rewards"
            if d.reward > 0
            else "pays no rewards",
        )
    )
    return out
