"""Break-evens checked by simulation: each party's profit per deal at a few interception
probabilities (or rewards) either side of its break-even.

The check world keeps the scenario's average deal (lot size, price range,
resale, fine, broker fee, reward rule, ship speed and running costs) on one
route through one open-sea zone, so that the interception probability can be
set exactly: many patrol vessels always on station, every contact boarded,
effort n W v_rel t / A = -ln(1 - q). One buyer signs every lot (it weighs no
risk) and nobody is investigated or arrested, so each deal's books are its own. The
buyer's value of a deal is its books less what the scenario's buyers weigh beyond
them: the expected cost of being named on every deal, that of arrest on every
seizure (``sim.model.buyer_costs``), so the points check the decision's line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.model import ledger as L
from sim.model.buyers import ADVANCE, AFTER
from sim.scenario import Resolved, Scenario, resolve
from sim.verify.breakeven import Deal, Party, average_deal, parties
from sim.verify.core import MEAN_LEVEL, Simulate, run, t_interval, wilson
from sim.verify.kinematics import relative_speed
from sim.verify.worlds import OPEN_SEA_BOX, ROUTE, search_world, zone_crossing

PATROL_VESSELS = 150
BUYER, SELLER = "buyer:b", "seller:check"


@dataclass(frozen=True)
class SimPoint:
    key: str
    """Which party (``Party.key``)."""
    target: float
    """Interception probability aimed at, or the reward for the Coast Guard."""
    realised: float
    realised_low: float
    realised_high: float
    profit: float
    low: float
    high: float
    analytic: float
    """The check world's expected profit at the realised interception (or reward)."""
    n: int

    @property
    def expected_sign(self) -> int:
        """The sign the analytic line gives the profit here."""
        return 1 if self.analytic > 0 else -1

    @property
    def right_side(self) -> bool:
        """The whole interval lies on the side of zero the break-even says it must."""
        return self.low > 0 if self.expected_sign > 0 else self.high < 0


def _mean(values: list[float], weights: list[float]) -> float:
    return float(np.average(values, weights=weights))


def check_world(
    resolved: Resolved,
    terms: str,
    q: float | None = None,
    reward: float | None = None,
    seed: int = 101,
) -> Resolved:
    """The scenario's average deal on the check route, at interception ``q`` by area search,
    or with tips only and a fixed ``reward`` per seizure."""
    s = resolved.scenario
    seller = _check_seller(s, average_deal(resolved).tonnes)
    patrol, detection, tips = _interception(seller, q, reward)
    data: dict[str, Any] = {
        "name": f"{s.name}_check",
        "seed": seed,
        "horizon_days": 365.0,
        "zones": [{"name": "box", "polygon": OPEN_SEA_BOX}],
        "patrols": [patrol],
        "detection": detection,
        "tips": tips,
        "sellers": [seller],
        "buyers": [
            {
                "name": "b",
                "port": "Lianyungang",
                "risk_multiplier": 0.0,
                "capital_rmb": 1e12,
                "demand_tonnes_per_month": 1e8,
            }
        ],
        **_deal_terms(s, terms),
    }
    return resolve(Scenario.model_validate(data))


def _check_seller(s: Scenario, tonnes: float) -> dict[str, Any]:
    """One seller of the average lot, its ship's speed and costs the sellers' averages
    weighted by how many lots each ships; plenty of vessels, nothing hidden."""
    sellers = s.sellers
    w = [sl.count / sl.lot_interval_days for sl in sellers]
    return {
        "name": "check",
        "port": "Nampo",
        "routes": [ROUTE],
        "vessels": 300,
        "lot_interval_days": 0.5,
        "lot_tonnes_min": tonnes,
        "lot_tonnes_max": tonnes,
        # the average lot must fit its ship, whatever the sellers' ships carry
        "vessel_capacity_dwt": max(tonnes, _mean([x.vessel_capacity_dwt for x in sellers], w)),
        "speed_knots": _mean([x.speed_knots for x in sellers], w),
        "loading_hours": _mean([x.loading_hours for x in sellers], w),
        "discharge_hours": _mean([x.discharge_hours for x in sellers], w),
        "operating_cost_rmb_per_day": _mean([x.operating_cost_rmb_per_day for x in sellers], w),
        "ais_off_share": 0.0,
        "concealment": 0.0,
        "patience_days": 30.0,
    }


def _interception(
    seller: dict[str, Any], q: float | None, reward: float | None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The patrol, detection and tips sections: with ``q``, a sweep width that makes the
    chance of interception on the seller's crossing of the box exactly ``q`` (every contact
    boarded, no tips); otherwise tips only, paid a fixed ``reward``, the patrol blind."""
    a, b, area = zone_crossing(search_world(sellers=[seller]))
    tips: dict[str, Any] = {"knowers": 0}
    if q is not None:
        v = relative_speed(18.0, seller["speed_knots"])  # the check world's default reading
        width = -math.log(1.0 - q) * area / (PATROL_VESSELS * v * (b - a))
        vessels, recognition = PATROL_VESSELS, 1.0
    else:
        width, vessels, recognition = 4.0, 10, 0.0
        tips = {
            "knowers": 3,
            "base_probability": 0.0,
            "max_probability": 0.3,
            "reward_rule": "fixed",
            "reward_fixed_rmb": reward,
            "accuracy": 1.0,
        }
    patrol = {
        "name": "check_patrol",
        "base": "Lianyungang",
        "zone": "box",
        "vessels": vessels,
        "sweep_width_nm": width,
        "speed_knots": 18.0,
        "endurance_hours": 1e7,
        "transit_hours": 0.0,
        "turnaround_hours": 0.0,
        "start": "on_station",
    }
    return patrol, {"recognition_probability": recognition, "ais_off_factor": 1.0}, tips


def _deal_terms(s: Scenario, terms: str) -> dict[str, Any]:
    """The scenario's broker fee, prices, resale and fines, under payment ``terms``; one
    broker, no market entry, no arrests, no accomplices, no ship confiscated."""
    e, c = s.enforcement, s.contract
    return {
        "network": {
            "brokers": 1,
            "brokers_per_seller": 1,
            "brokers_per_buyer": 1,
            "broker_fee_rmb_per_tonne": s.network.broker_fee_rmb_per_tonne,
        },
        "market": {
            "entry_per_month": 0.0,
            "entry_per_month_per_million_rmb": 0.0,
            "arrest_probability": 0.0,
        },
        "contract": {
            "price_rmb_per_tonne_min": c.price_rmb_per_tonne_min,
            "price_rmb_per_tonne_max": c.price_rmb_per_tonne_max,
            "resale_multiplier": c.resale_multiplier,
            "payment_terms": terms,
        },
        "enforcement": {
            "fine_rule": e.fine_rule,
            "fine_rmb": e.fine_rmb,
            "fine_cargo_multiple": e.fine_cargo_multiple,
            "accomplices_min": 0,
            "accomplices_max": 0,
            "vessel_confiscation_probability": 0.0,
        },
    }


def _books(resolved: Resolved, out: Any) -> tuple[dict[str, list[float]], list[bool], list[float]]:
    """Per settled deal: each party's net cash; whether it was seized; the state's net on
    each seizure a tip brought."""
    deal = average_deal(resolved)
    cycle = deal.cost_delivered / (resolved.scenario.sellers[0].operating_cost_rmb_per_day / 24.0)
    last = out.horizon_hours - cycle - 48.0  # every entry of the deal is in the books
    by_ship: dict[int, list[Any]] = defaultdict(list)
    for en in out.ledger:
        by_ship[en.shipment].append(en)
    nets: dict[str, list[float]] = {"buyer": [], "seller": []}
    seized, state = [], []
    for sh in out.shipments:
        if math.isnan(sh.t_depart) or sh.t_depart > last:
            continue
        entries = by_ship[sh.id]
        for who, party in (("buyer", BUYER), ("seller", SELLER)):
            nets[who].append(
                sum(
                    (en.fen if en.payee == party else -en.fen) / 100
                    for en in entries
                    if party in (en.payer, en.payee)
                )
            )
        seized.append(sh.outcome == "seized")
        if sh.outcome == "seized" and sh.cause == "tip":
            state.append(
                sum(
                    (en.fen if en.payee == L.STATE else -en.fen) / 100
                    for en in entries
                    if L.STATE in (en.payer, en.payee)
                )
            )
    return nets, seized, state


def _logit(q: float) -> float:
    return math.log(q / (1 - q))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def targets(p: Party, quick: bool) -> list[float]:
    """Interception probabilities either side of a break-even, spaced in log-odds."""
    scale = 2.0 if p.key.startswith("seller") else 1.0  # the seller's line is shallow there
    spread = [scale * s for s in ((1.0,) if quick else (0.5, 1.0))]
    return sorted(_expit(_logit(p.break_even) + sign * s) for s in spread for sign in (-1, 1))


def simulate_points(
    resolved: Resolved, quick: bool = False, replications: int = 1, simulate: Simulate = run
) -> list[SimPoint]:
    """Every party's simulated profit per deal around its break-even."""
    deal = average_deal(resolved)
    scenario_parties = {p.key: p for p in parties(deal)}
    plan: dict[str, set[float]] = {ADVANCE: set(), AFTER: set()}
    for key in ("buyer_advance", "buyer_after_delivery", "seller_after_delivery"):
        p = scenario_parties[key]
        if 0.0 < p.break_even < 1.0:  # a trade that never pays, or always does, has none
            plan[p.terms].update(targets(p, quick))
    points = []
    for terms, qs in plan.items():
        qs = qs or {0.2, 0.6}  # no break-even under these terms: show the line anyway
        for q in sorted(qs):
            points += _trader_points(
                check_world(resolved, terms, q=q), terms, q, replications, simulate, deal
            )
    cg = scenario_parties["coast_guard"]
    for factor in (0.6, 1.5) if quick else (0.5, 0.8, 1.25, 1.6):
        reward = factor * cg.break_even
        points += _reward_points(
            check_world(resolved, AFTER, reward=reward), reward, replications, simulate
        )
    return points


def _trader_points(
    world: Resolved,
    terms: str,
    q: float,
    replications: int,
    simulate: Simulate,
    scenario: Deal,
) -> list[SimPoint]:
    """The buyer's and the seller's profit per deal under ``terms`` at interception ``q``;
    none when no deal was signed (a buyer whose margin is negative). The buyer's is its
    books less the ``scenario``'s buyers' costs of being named and, on a seizure, of
    arrest."""
    own = replace(
        average_deal(world), stakes=scenario.stakes, deals_per_year=scenario.deals_per_year
    )
    line = {p.key: p for p in parties(own)}
    c = own.buyer(terms == ADVANCE)
    nets: dict[str, list[float]] = {"buyer": [], "seller": []}
    seized: list[bool] = []
    for r in range(replications):
        n, z, _ = _books(world, simulate(world, r))
        nets["buyer"] += [
            x - c.named - (c.arrest if lost else 0.0) for x, lost in zip(n["buyer"], z, strict=True)
        ]
        nets["seller"] += n["seller"]
        seized += z
    if not seized:
        return []
    share, s_lo, s_hi = wilson(sum(seized), len(seized), MEAN_LEVEL)
    points = []
    for who in ("buyer", "seller"):
        p = line[f"{who}_{terms}"]
        mean, lo, hi = t_interval(nets[who], MEAN_LEVEL)
        points.append(
            SimPoint(p.key, q, share, s_lo, s_hi, mean, lo, hi, p.profit(share), len(seized))
        )
    return points


def _reward_points(
    world: Resolved, reward: float, replications: int, simulate: Simulate
) -> list[SimPoint]:
    """The state's net per tip seizure at a fixed ``reward``; none when no tip led to a
    seizure (none does when no deal is signed)."""
    r_star = parties(average_deal(world))[-1].break_even
    state: list[float] = []
    for r in range(replications):
        state += _books(world, simulate(world, r))[2]
    if not state:
        return []
    mean, lo, hi = t_interval(state, MEAN_LEVEL)
    return [
        SimPoint(
            "coast_guard", reward, reward, reward, reward, mean, lo, hi, r_star - reward, len(state)
        )
    ]
