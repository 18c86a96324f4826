"""Checks of the trade's mechanisms: tips, the buyers' break-even, investigations."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict

import numpy as np

from sim.model.network import SELLER
from sim.scenario.trade import Network
from sim.verify.core import (
    MEAN_LEVEL,
    Check,
    Curve,
    Point,
    Simulate,
    bonferroni,
    describe_level,
    run,
    share_points,
    t_interval,
)
from sim.verify.worlds import Stakes, belief_world, investigation_world, search_world

# Tip propensity p(R) = p0 + (p_max - p0) R / (R + R_half) with p0 = 0, p_max = 0.2 and
# R_half = RMB 100,000: a fixed reward of 100,000 gives p = 0.1, one of 25,000 gives 0.04.
TIP_SERIES = (
    # reward, knowers (quick), knowers (full)
    (100_000.0, (1, 3, 6, 12), (1, 2, 3, 4, 6, 8, 12, 16)),
    (25_000.0, (2, 8, 20), (1, 2, 5, 10, 20, 30)),
)
P_MAX, HALF = 0.2, 100_000.0


def tip_propensity(reward: float, p0: float, p_max: float, half: float) -> float:
    """docs/model.md, Tips: the chance one knower tips when ``reward`` is on offer."""
    return p0 + (p_max - p0) * reward / (reward + half)


def tips(quick: bool = True, simulate: Simulate = run) -> Check:
    """Tips alone: P(at least one tip) = 1 - (1 - p)^k for k knowers tipping with chance p."""
    t0 = time.perf_counter()
    rows, curves = [], []
    for reward, k_quick, k_full in TIP_SERIES:
        p = tip_propensity(reward, 0.0, P_MAX, HALF)
        series = f"p = {p:.2f}, reward RMB {reward:,.0f}"
        for k in k_quick if quick else k_full:
            cfg = {
                "knowers": k,
                "base_probability": 0.0,
                "max_probability": P_MAX,
                "half_saturation_rmb": HALF,
                "reward_rule": "fixed",
                "reward_fixed_rmb": reward,
                "accuracy": 1.0,
            }
            resolved = search_world(vessels=0, lot_interval_days=0.25, tips=cfg)
            sailed = [
                s
                for r in range(1 if quick else 4)
                for s in simulate(resolved, r).shipments
                if not math.isnan(s.t_depart)
            ]
            tipped = sum(s.tips > 0 for s in sailed)
            rows.append(
                (f"k={k}, p={p:.2f}", float(k), 1 - (1 - p) ** k, tipped, len(sailed), series)
            )
        top = max(max(kq if quick else kf) for _, kq, kf in TIP_SERIES)
        xs = tuple(float(x) for x in np.linspace(0, top * 1.05, 120))
        curves.append(Curve(series, xs, tuple(1 - (1 - p) ** x for x in xs)))
    points, interval = share_points(rows)
    return Check(
        key="tips",
        title="Tips",
        mechanism="Tips alone (no patrols): each of k knowers tips independently with the "
        "propensity p(R) = p0 + (p_max - p0) R / (R + R_half) that a fixed reward R buys; "
        "share of voyages with at least one tip.",
        formula="P(at least one tip) = 1 - (1 - p)^k",
        interval=interval,
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Knowers per shipment k",
        y_label="Share of voyages with at least one tip",
        curves=tuple(curves),
        seconds=time.perf_counter() - t0,
    )


# (price RMB/t, lot t, resale multiplier, fine RMB, stakes): the defaults first, then
# deals where arrest and being named are weighed too (issue 22).
BASELINE_STAKES = Stakes(naming_per_year=1.2, arrest_horizon_days=365.0)
"""About the baseline's: a buyer named 1.2 times a year, arrest valued over a year."""
DEALS: tuple[tuple[float, float, float, float, Stakes], ...] = (
    (425.0, 4000.0, 2.0, 1_200_000.0, Stakes()),
    (400.0, 5000.0, 3.0, 1_200_000.0, Stakes()),
    (425.0, 6500.0, 2.0, 1_200_000.0, BASELINE_STAKES),
    (450.0, 3000.0, 2.0, 5_000_000.0, Stakes()),
    (425.0, 4000.0, 1.5, 200_000.0, Stakes()),
    (
        425.0,
        4000.0,
        2.0,
        1_200_000.0,
        Stakes(0.5, 180.0, 0.5, accomplice_fine_rmb=5e6, sentence_days=180.0, deals_per_year=6.0),
    ),
)
QUICK_DEALS = 3


def decision_break_even(
    value: float,
    resale: float,
    fine: float,
    terms: str,
    fee: float = 0.0,
    stakes: Stakes | None = None,
) -> float:
    """q* = (M - C_named) / (M + L + C_arrest), worked out from docs/model.md: M = (m - 1) V
    - broker fee; L = V + F under advance payment, F after delivery; C_arrest = a M n H / 365;
    C_named = nu (365 A / n + S M), nu the naming rate a day. Without stakes, M / (M + L)."""
    st = stakes or Stakes()
    margin = (resale - 1.0) * value - fee
    loss = fine + (value if terms == "advance" else 0.0)
    n, nu = st.deals_per_year, st.naming_per_year / 365.0
    arrest = st.arrest_probability * margin * n * st.arrest_horizon_days / 365.0
    named = nu * (365.0 / n * st.accomplice_fine_rmb + st.sentence_days * margin)
    return (margin - named) / (margin + loss + arrest)


def signed_share(
    belief: float,
    terms: str,
    deal: tuple[float, float, float, float, Stakes],
    simulate: Simulate,
) -> tuple[int, int]:
    """(lots signed, lots offered) when every buyer holds ``belief``."""
    price, tonnes, resale, fine, stakes = deal
    world = belief_world(
        belief, terms, price=price, tonnes=tonnes, resale=resale, fine=fine, stakes=stakes
    )
    lots = simulate(world, 0).shipments
    return sum(s.outcome != "held" for s in lots), len(lots)


OFFSET = 0.002
"""How far below and above the hand-computed break-even the buyers' belief is set: a
loss mis-weighted by 5% moves q* by about q*(1 - q*) x 0.05, 0.01 at the defaults; a
naming cost mis-weighted by 5% moves the baseline-like deal's by about 0.007."""


def _deal_name(deal: tuple[float, float, float, float, Stakes], terms: str) -> str:
    price, tonnes, resale, fine, st = deal
    name = f"{terms}: {price:.0f} RMB/t x {tonnes:,.0f} t, m={resale:g}, F={fine / 1e6:g} M"
    if st != Stakes():
        name += (
            f", named {st.naming_per_year:g}/yr, arrest {st.arrest_probability:g} x "
            f"{st.arrest_horizon_days:g} d, A={st.accomplice_fine_rmb / 1e6:g} M, "
            f"S={st.sentence_days:g} d, n={st.deals_per_year:g}/yr"
        )
    return name


def break_even(quick: bool = True, simulate: Simulate = run) -> Check:
    """Buyers sign every lot just below the hand-computed break-even and none just above,
    under each term, with and without the arrest and naming terms."""
    t0 = time.perf_counter()
    rows = []
    for deal in DEALS[: QUICK_DEALS if quick else len(DEALS)]:
        price, tonnes, resale, fine, stakes = deal
        for terms in ("advance", "after_delivery"):
            fee = tonnes * Network().broker_fee_rmb_per_tonne  # the checking world's broker
            q_star = decision_break_even(price * tonnes, resale, fine, terms, fee, stakes)
            name = _deal_name(deal, terms)
            for side, q, want in (("below", q_star - OFFSET, 1.0), ("above", q_star + OFFSET, 0.0)):
                signed, offered = signed_share(q, terms, deal, simulate)
                rows.append((f"{name}, q* {side}", q, want, signed, offered, terms))
    points, interval = share_points(rows)
    return Check(
        key="break_even",
        title="Buyer break-even",
        mechanism="Buyers with a fixed belief q of interception (and, where weighed, a fixed "
        "believed naming rate) are offered lots at fixed terms; q is set "
        f"{OFFSET} below and above the break-even worked out by hand from the deal's margin, "
        "its loss and the expected costs of arrest and of being named, and the share of lots "
        "signed is read off the records.",
        formula="signed share = 1 for q < q*, 0 for q > q*; q* = (M - C_named) / (M + L + "
        "C_arrest), M = (m - 1) V - broker fee; L = V + F (advance), F (after delivery); "
        "C_arrest = a M n H / 365; C_named = nu (365 A / n + S M)",
        level="99% Wilson, Bonferroni",
        interval=interval,
        points=points,
        x_label="Belief q (q* -/+ 0.002)",
        y_label="Share of lots signed",
        seconds=time.perf_counter() - t0,
        categorical=True,
    )


SETTINGS = ((2, 2), (5, 6), (8, 8))
SETTINGS_FULL = ((1, 1), (2, 2), (4, 4), (5, 6), (3, 7), (8, 8), (10, 10))


def investigations(quick: bool = True, simulate: Simulate = run) -> Check:
    """Each investigation names U{min..max} accomplices: mean (min + max) / 2, never twice."""
    t0 = time.perf_counter()
    settings = SETTINGS if quick else SETTINGS_FULL
    per = bonferroni(MEAN_LEVEL, len(settings))
    points, notes = [], []
    for k_min, k_max in settings:
        world = investigation_world(k_min, k_max)
        counts: list[int] = []
        for r in range(2 if quick else 8):
            out = simulate(world, r)
            named: dict[int, list[str]] = defaultdict(list)
            for _, node, case in out.named:
                named[case].append(node)
            done_by = out.horizon_hours - 30 * 24.0  # investigations take Exp(2 days)
            for s in out.shipments:
                if s.outcome == "seized" and s.seizure_time <= done_by:
                    names = named.get(s.id, [])
                    counts.append(len(names))
                    twice = [n for n, c in Counter(names).items() if c > 1]
                    if twice:
                        notes.append(f"case {s.id} named {', '.join(twice)} more than once")
                    if s.buyer in names or (s.broker and s.broker in names):
                        notes.append(f"case {s.id} named its own buyer or broker")
                    if any(out.network.kind.get(n) == SELLER for n in names):
                        notes.append(f"case {s.id} named a DPRK seller")
        mean, lo, hi = t_interval(counts, per)
        if len(set(counts)) == 1:  # every case named the same number: exact
            lo = hi = mean
        label = f"configured {k_min}" + (f" to {k_max}" if k_max != k_min else "")
        points.append(
            Point(label, (k_min + k_max) / 2, (k_min + k_max) / 2, mean, lo, hi, len(counts))
        )
    return Check(
        key="investigations",
        title="Investigations",
        mechanism="Seizures in the default trade with 150 buyers open investigations that "
        "walk the network; accomplices named per case, counting cases that named nobody. "
        "No party may be named twice in a case, nor the case's own buyer or broker (the "
        "search starts from them), nor a DPRK seller.",
        formula="named per case ~ U{min, ..., max}: mean (min + max) / 2",
        level="95% t, Bonferroni",
        interval=describe_level("Student's t interval", MEAN_LEVEL, len(settings))
        + "; exact when every case names the same number",
        points=tuple(points),
        x_label="Configured accomplices per case (mean of min..max)",
        y_label="Accomplices named per case",
        seconds=time.perf_counter() - t0,
        notes=tuple(dict.fromkeys(notes)),
        extra_ok=not notes,
    )
