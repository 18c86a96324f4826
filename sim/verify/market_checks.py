"""Checks of the buyers' side: belief updates, entry, and enforcement's sentences, arrests
and fines. Each works the expected value out from the run's records and the
configuration by hand and compares it with what the model holds.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from typing import Any

import numpy as np
from scipy import stats

from sim.model.model import RunOutput
from sim.model.network import BUYER
from sim.scenario import Resolved, Scenario, resolve
from sim.verify.contracts import kinds, mismatches
from sim.verify.core import (
    SHARE_LEVEL,
    Check,
    Point,
    Simulate,
    bonferroni,
    run,
    share_points,
    wilson,
)
from sim.verify.worlds import default_world, trade_world

EXACT = 1e-9
"""Relative tolerance of a recomputed sum of faded evidence (floating point)."""


def updated(world: Resolved, section: str, **values: Any) -> Resolved:
    """The world with some keys of one top-level section replaced."""
    data = world.scenario.model_dump()
    data[section].update(values)
    return resolve(Scenario.model_validate(data))


# ----------------------------------------------------------------- beliefs

# (own weight, news weight, memory days, naming news weight): the defaults first.
BELIEFS = ((1.0, 0.1, 180.0, 1.0), (2.0, 0.5, 30.0, 2.0))


def hand_evidence(
    out: RunOutput, own: float, news: float, memory: float, at: float | None = None
) -> dict[str, tuple[float, float]]:
    """Buyer -> (alpha, beta) evidence at the buyer's last update (or at ``at``), by hand:
    every own
    delivery adds ``own`` to beta, every own seizure ``own`` to alpha, every seizure anyone
    suffers (the buyer's own too: docs/model.md, What each agent knows) ``news`` to alpha
    of each buyer in the trade then; each fades by exp(-age / memory)."""
    events: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    seizures = []
    for s in out.shipments:
        if s.outcome == "delivered":
            events[s.buyer].append((s.t_arrive, 0.0, own))
        elif s.outcome == "seized":
            events[s.buyer].append((s.seizure_time, own, 0.0))
            seizures.append(s.seizure_time)
    scale = memory * 24.0
    out_map = {}
    for b in out.buyers:
        evs = list(events[b.name])
        gone = b.left_at if b.left else math.inf
        evs += [(t, news, 0.0) for t in seizures if b.entered_at <= t <= gone]
        now = b.last if at is None else at
        alpha = sum(a * math.exp(-(now - t) / scale) for t, a, _ in evs if t <= now)
        beta = sum(x * math.exp(-(now - t) / scale) for t, _, x in evs if t <= now)
        out_map[b.name] = (alpha, beta)
    return out_map


def hand_naming(out: RunOutput, weight: float, memory: float) -> dict[str, tuple[float, float]]:
    """Buyer -> (naming evidence, days of exposure) at the buyer's last update, by hand: each
    investigation that named k buyers, when N buyers were in the trade after it, adds
    ``weight`` k / N to every buyer in the trade then, faded by exp(-age / memory); exposure
    is ``weight`` times the faded days since entry, memory (1 - exp(-(T - entry) / memory))."""
    cases: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for t, node, case in out.named:
        cases[case][0] = t
        cases[case][1] += out.network.kind.get(node) == BUYER

    def in_trade(b: Any, t: float) -> bool:
        return b.entered_at <= t and not (b.left and b.left_at <= t)

    news = []
    for t, k in cases.values():
        n = sum(in_trade(b, t) for b in out.buyers)
        if k and n:
            news.append((t, weight * k / n))
    scale = memory * 24.0
    return {
        b.name: (
            sum(x * math.exp(-(b.last - t) / scale) for t, x in news if in_trade(b, t)),
            weight * memory * (1.0 - math.exp(-(b.last - b.entered_at) / scale)),
        )
        for b in out.buyers
    }


def beliefs(quick: bool = True, simulate: Simulate = run) -> Check:
    """Each buyer's Beta evidence = the faded sum of its own outcomes and the public news."""
    t0 = time.perf_counter()
    points, notes = [], []
    for i, (own, news, memory, naming) in enumerate(BELIEFS):
        world = updated(
            trade_world("after_delivery"),
            "beliefs",
            own_weight=own,
            news_weight=news,
            memory_days=memory,
            naming_news_weight=naming,
        )
        # hand alpha, model alpha, hand beta, model beta; the same for naming, exposure
        sums = np.zeros(8)
        buyers = 0
        for r in range(1 if quick else 3):
            out = simulate(world, r)
            hand = hand_evidence(out, own, news, memory)
            named = hand_naming(out, naming, memory)
            for b in out.buyers:
                ha, hb = hand[b.name]
                hn, he = named[b.name]
                got = (b.alpha_e, b.beta_e, b.named_e, b.exposed_e)
                sums += (ha, got[0], hb, got[1], hn, got[2], he, got[3])
                wrong = sum(abs(x - y) for x, y in zip((ha, hb, hn, he), got, strict=True))
                if wrong > EXACT * (1 + ha + hb + hn + he):
                    notes.append(
                        f"own {own:g}, news {news:g}, naming {naming:g}: {b.name} holds "
                        f"({', '.join(f'{x:.4f}' for x in got)}), by hand "
                        f"({ha:.4f}, {hb:.4f}, {hn:.4f}, {he:.4f})"
                    )
            buyers += len(out.buyers)
        how = f"w_own={own:g}, w_news={news:g}, w_naming={naming:g}, memory {memory:g} d"
        for k, what in ((0, "alpha"), (2, "beta"), (4, "naming"), (6, "exposure")):
            want, got_sum = float(sums[k]), float(sums[k + 1])
            tol = EXACT * (1 + want)
            label = f"{how}: {what} evidence summed over buyers"
            points.append(
                Point(
                    label,
                    float(4 * i + k // 2),
                    want,
                    got_sum,
                    got_sum - tol,
                    got_sum + tol,
                    buyers,
                )
            )
    return Check(
        key="beliefs",
        title="Belief updates",
        mechanism="The default trade (after-delivery terms, 120 days) under two belief "
        "settings: each buyer's Beta evidence at its last update against the sum, worked "
        "out from the shipment records, of its own deliveries (beta) and seizures (alpha) "
        "and of every seizure's public news while it was in the trade (alpha), each faded "
        "by its age; and its naming evidence against the sum, from the records of who was "
        "named, of each investigation's share of the buyers in the trade named, faded, with "
        "its faded days of exposure; summed over buyers (side condition: every buyer's own).",
        formula="alpha_e = sum w exp(-(T - t_i) / memory) over own seizures (w_own) and "
        "news (w_news); beta_e the same over own deliveries; naming_e = sum w_naming k_j / "
        "N_j exp(-(T - t_j) / memory); exposure = w_naming memory (1 - exp(-(T - entry) / "
        "memory))",
        interval=f"exact to a relative {EXACT:g} (floating point)",
        level="exact",
        points=tuple(points),
        x_label="Setting",
        y_label="Evidence summed over buyers",
        seconds=time.perf_counter() - t0,
        notes=tuple(notes[:6]),
        extra_ok=not notes,
    )


# ------------------------------------------------------------------- entry

WEEK_DAYS = 7


def entry_rates(world: Resolved, out: RunOutput) -> np.ndarray:
    """Expected entrants on each day d = 1..D: (e0 + e1 max(0, P_d) / 1e6) / 30, P_d the
    buyers' net gain over the 30 days to day d (from the start before day 31), read off
    the ledger."""
    m = world.scenario.market
    days = int(world.scenario.horizon_days)
    step = np.zeros(days + 1)
    for en in out.ledger:
        sign = en.payee.startswith("buyer:") - en.payer.startswith("buyer:")
        if sign:
            step[min(days, math.ceil(en.time / 24.0))] += sign * en.fen / 100
    total = np.cumsum(step)  # total[d]: buyers' net position at the end of day d
    profit = np.array([total[d] - (total[d - 30] if d > 30 else 0.0) for d in range(1, days)])
    rate: np.ndarray = (
        m.entry_per_month + m.entry_per_month_per_million_rmb * np.maximum(profit, 0) / 1e6
    ) / 30
    return rate


def _entrants(out: RunOutput, days: int) -> np.ndarray:
    counts = np.zeros(days - 1)
    for b in out.buyers:
        if b.name.startswith("entrant#"):
            counts[round(b.entered_at / 24.0) - 1] += 1
    return counts


def entry(quick: bool = True, simulate: Simulate = run) -> Check:
    """Entrants per week are Poisson with the documented rate: their total and their
    dispersion (Pearson's statistic over weeks has mean 1 per week)."""
    t0 = time.perf_counter()
    settings: tuple[tuple[str, dict[str, float]], ...] = (
        (
            "fixed rate, 20 a month",
            {"entry_per_month": 20.0, "entry_per_month_per_million_rmb": 0.0},
        ),
        ("default: 1 a month + 0.1 per RMB million of profit", {}),
    )
    per = bonferroni(SHARE_LEVEL, 2 * len(settings))
    z = float(stats.norm.ppf(0.5 + per / 2))
    points = []
    for i, (name, cfg) in enumerate(settings):
        world = updated(default_world(364.0, seed=23), "market", max_buyers=10000, **cfg)
        days = int(world.scenario.horizon_days)
        want, got = [], []
        for r in range(1 if quick else 4):
            out = simulate(world, r)
            lam, n = entry_rates(world, out), _entrants(out, days)
            weeks = len(lam) // WEEK_DAYS * WEEK_DAYS
            want.append(lam[:weeks].reshape(-1, WEEK_DAYS).sum(axis=1))
            got.append(n[:weeks].reshape(-1, WEEK_DAYS).sum(axis=1))
        lam_w, n_w = np.concatenate(want), np.concatenate(got)
        total, expected = int(n_w.sum()), float(lam_w.sum())
        lo = stats.chi2.ppf((1 - per) / 2, 2 * total) / 2 if total else 0.0
        hi = stats.chi2.ppf(1 - (1 - per) / 2, 2 * total + 2) / 2
        points.append(Point(f"{name}: entrants", 2.0 * i, expected, total, lo, hi, len(n_w)))
        pearson = float(((n_w - lam_w) ** 2 / lam_w).sum()) / len(n_w)
        half = z * math.sqrt(float((2 + 1 / lam_w).sum())) / len(n_w)
        label = f"{name}: dispersion (Pearson / weeks)"
        points.append(
            Point(label, 2.0 * i + 1, 1.0, pearson, pearson - half, pearson + half, len(n_w))
        )
    return Check(
        key="entry",
        title="Buyer entry",
        mechanism="The default world over 52 weeks, no cap on buyers: entrants counted by "
        "week against the daily rate worked out from the buyers' 30-day net gain in the "
        "ledger, at a fixed rate and at the default profit-driven one. The total against "
        "the Poisson mean; Pearson's statistic sum (N - lambda)^2 / lambda per week "
        "against its Poisson mean 1 (variance (2 + 1 / lambda) per week).",
        formula="N_week ~ Poisson(sum of (e0 + e1 max(0, P30) / 1e6) / 30 over its days)",
        interval=f"{SHARE_LEVEL:.0%} exact Poisson interval for the total; normal interval "
        f"from the Poisson moments for the dispersion; Bonferroni over {2 * len(settings)} "
        f"points ({per:.2%} each)",
        level="99% Poisson / normal, Bonferroni",
        points=tuple(points),
        x_label="Point",
        y_label="Entrants, or dispersion",
        seconds=time.perf_counter() - t0,
        categorical=False,
    )


# ------------------------------------------------------------- enforcement

ARRESTS = (("advance", 0.3), ("after_delivery", 0.7))
SENTENCE_DAYS = 20.0


def enforcement_world(terms: str, arrest: float) -> Resolved:
    world = updated(trade_world(terms), "market", arrest_probability=arrest)
    return updated(
        world,
        "enforcement",
        sentence_days=SENTENCE_DAYS,
        investigation_days_mean=2.0,
        accomplices_min=2,
        accomplices_max=3,
        fine_rule="cargo_multiple" if terms == "advance" else "fixed",
    )


def _sentences(out: RunOutput, days: float) -> tuple[float, int, int]:
    """(worst |removed until - named - sentence| hours, sentences, deals signed by or through
    a party serving one)."""
    last: dict[str, float] = {}
    spells: dict[str, list[float]] = defaultdict(list)
    for t, node, _ in out.named:
        last[node] = t
        spells[node].append(t)
    until = out.network.removed_until
    worst = max((abs(until[n] - t - days * 24.0) for n, t in last.items()), default=0.0)
    during = sum(
        any(t <= s.t_contract < t + days * 24.0 for t in spells[p])
        for s in out.shipments
        if not math.isnan(s.t_contract)
        for p in (s.buyer, s.broker)
        if p in spells
    )
    return worst, len(out.named), during


def _detentions(world: Resolved, out: RunOutput) -> tuple[int, int]:
    """(ships loaded again before their detention ended, detained ships used again): a
    released ship is back ``vessel_detention_days`` after its seizure, not sooner."""
    hold = world.scenario.enforcement.vessel_detention_days * 24.0
    loading = {sl.name: sl.loading_hours for sl in world.scenario.sellers}
    seized_at: dict[str, float] = {}
    early = reused = 0
    for s in sorted(out.shipments, key=lambda s: s.t_depart if s.vessel else math.inf):
        if not s.vessel or math.isnan(s.t_depart):
            continue
        if s.vessel in seized_at:
            reused += 1
            taken = s.t_depart - loading[s.seller.split("#")[0]]
            early += taken < seized_at.pop(s.vessel) + hold - 1e-6
        if s.outcome == "seized" and math.isnan(s.t_handover):
            seized_at[s.vessel] = s.seizure_time
    return early, reused


def _arrests(out: RunOutput) -> tuple[int, int]:
    """(arrests, seizures of a buyer still in the trade: each a draw)."""
    left = {b.name: (b.left, b.left_at) for b in out.buyers}
    trials = arrested = 0
    for s in out.shipments:
        if s.outcome == "seized":
            why, at = left[s.buyer]
            if not why or at >= s.seizure_time:
                trials += 1
                arrested += why == "arrested" and at == s.seizure_time
    return arrested, trials


def _enforcement_runs(world: Resolved, quick: bool, simulate: Simulate) -> dict[str, float]:
    """Sentences, arrests, fines and detentions tallied over the world's replications."""
    t: dict[str, float] = defaultdict(float)
    for r in range(2 if quick else 8):
        out = simulate(world, r)
        worst, sentenced, during = _sentences(out, SENTENCE_DAYS)
        t["worst"] = max(t["worst"], worst)
        t["sentenced"] += sentenced
        t["during"] += during
        arrested, trials = _arrests(out)
        t["arrested"] += arrested
        t["trials"] += trials
        t["wrong"] += len(mismatches(world, out, {"fine", "seizure", "cargo_value"}))
        t["covered"] += kinds(world, out)
        early, reused = _detentions(world, out)
        t["early"] += early
        t["reused"] += reused
    return t


def enforcement(quick: bool = True, simulate: Simulate = run) -> Check:
    """Sentences last their days; arrests come with their probability; fines land on the
    parties the rules name."""
    t0 = time.perf_counter()
    rows, exact = [], []
    for terms, arrest in ARRESTS:
        tally = _enforcement_runs(enforcement_world(terms, arrest), quick, simulate)
        exact += [
            (f"{terms}: {what}", 0.0, tally[key], tally[of])
            for what, key, of in (
                (f"sentence = {SENTENCE_DAYS:g} d (worst error, h)", "worst", "sentenced"),
                ("deals signed by or through a party serving a sentence", "during", "sentenced"),
                ("cases whose fines or cargo loss land on another party", "wrong", "covered"),
                ("seized ships loaded again within their detention", "early", "reused"),
            )
        ]
        arrested, trials = int(tally["arrested"]), int(tally["trials"])
        rows.append((f"{terms}: arrests per seizure", arrest, arrest, arrested, trials, ""))
    share, interval = share_points(rows, SHARE_LEVEL)
    points = list(share)
    for label, want, got, n in exact:
        tol = 1e-6 if "worst error" in label else 0.0
        points.append(Point(label, len(points), want, float(got), got - tol, got + tol, int(n)))
    return Check(
        key="enforcement",
        title="Sentences, arrests and fines",
        mechanism="The default trade with strong patrols, 20-day sentences and quick "
        "investigations naming 2 or 3: under advance terms (fines a multiple of the cargo, "
        "arrest chance 0.3) and after delivery (fixed fines, 0.7). Each named party's ban "
        "ends 20 days after its last naming and it signs no deal meanwhile; arrests over "
        "seizures of buyers still trading; each seizure's fine on its buyer and its cargo "
        "on the owner the terms name, each accomplice's fine on itself; a released ship "
        "loads no cargo before its 30 days' detention are over.",
        formula="ban = sentence_days; P(arrest | seizure) = p; fine payer = buyer; cargo "
        "loss = buyer (advance, or handed over), seller (after delivery); detention >= "
        "vessel_detention_days",
        interval=interval + "; the rest exact",
        level="99% Wilson, Bonferroni; exact",
        points=tuple(points),
        x_label="Point",
        y_label="Share, count or hours",
        seconds=time.perf_counter() - t0,
        categorical=True,
    )


def poisson_interval(count: int, level: float) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson mean."""
    lo = stats.chi2.ppf((1 - level) / 2, 2 * count) / 2 if count else 0.0
    return float(lo), float(stats.chi2.ppf(1 - (1 - level) / 2, 2 * count + 2) / 2)


__all__ = ["beliefs", "enforcement", "entry", "poisson_interval", "wilson"]
