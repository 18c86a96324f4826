"""Checks of tips: the interception geometry, false tips, and the rewards paid.

One knower per shipment who always tips, after an exponential delay from
sailing, on the straight stretch of the Nampo-Lianyungang route through the
open-sea box. Whether the patrol sent from the box's station point can meet
the cargo inside the box is worked out here from the geometry alone.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from itertools import pairwise

import numpy as np

from sim.model.model import RunOutput
from sim.scenario import Resolved
from sim.verify.core import Check, Curve, Point, Simulate, run, share_points
from sim.verify.patrol_checks import haversine_nm
from sim.verify.worlds import ROUTE, search_world, zone_crossing

STEP = 0.01  # hours: the grid the meeting time is found on

# (mean tip delay in hours, tip accuracy, longest dash in hours)
SETTINGS = ((12.0, 1.0, 200.0), (30.0, 1.0, 1.5), (20.0, 0.5, 1.5), (20.0, 0.0, 200.0))


def tip_world(delay: float, accuracy: float, max_dash: float = 200.0, **tips: object) -> Resolved:
    """Twenty patrols always on station in the box, never boarding on their own (ample,
    so a tip always finds a free one); every shipment is tipped once."""
    cfg = {
        "knowers": 1,
        "base_probability": 1.0,
        "max_probability": 1.0,
        "delay_hours_mean": delay,
        "accuracy": accuracy,
        "max_intercept_hours": max_dash,
        **tips,
    }
    return search_world(
        vessels=20,
        lot_interval_days=0.25,
        horizon_days=180.0,
        tips=cfg,
        enforcement={"vessel_detention_days": 0.0, "vessel_confiscation_probability": 0.0},
    )


def dash_hours(resolved: Resolved) -> tuple[np.ndarray, np.ndarray]:
    """(t, |S - x(t)| / v_dash) on a 0.01 h grid over the crossing [a, b): the cargo's
    position x(t) at its speed along the route, S the box's station point."""
    a, b, _ = zone_crossing(resolved)
    route = resolved.geography.routes[ROUTE]
    station = resolved.geography.zones["box"].station
    speed = resolved.scenario.sellers[0].speed_knots
    ts = np.arange(a, b, STEP)
    v = resolved.scenario.patrols[0].dash_speed_knots
    dash = np.array([haversine_nm(station, route.position_at(speed * t)) / v for t in ts])
    return ts, dash


def meeting_ok(ts: np.ndarray, dash: np.ndarray, tau: float, longest: float) -> bool:
    """Whether a patrol leaving the station ``tau`` hours after sailing meets the cargo
    inside the box: the earliest t in [max(tau, a), b) with tau + dash(t) <= t exists and
    its dash is within the longest allowed."""
    ok = np.flatnonzero((ts >= tau) & (tau + dash <= ts))
    return bool(ok.size) and bool(dash[ok[0]] <= longest)


def p_meet(resolved: Resolved, delay: float) -> float:
    """P(meet) = integral of 1{meeting_ok(tau)} exp(-tau / mu) / mu over tau >= 0."""
    ts, dash = dash_hours(resolved)
    longest = resolved.scenario.tips.max_intercept_hours
    edges = np.arange(0.0, float(ts[-1]) + STEP, STEP * 10)
    total = 0.0
    for lo, hi in pairwise(edges):
        if meeting_ok(ts, dash, (lo + hi) / 2, longest):
            total += math.exp(-lo / delay) - math.exp(-hi / delay)
    return total


def _tipped(out: RunOutput) -> tuple[int, int, int]:
    """(voyages tipped and settled, seized on a tip, patrols sent off station on a tip)."""
    done = [
        s
        for s in out.shipments
        if s.tips > 0 and s.outcome in ("delivered", "seized") and not math.isnan(s.t_depart)
    ]
    seized = sum(s.cause == "tip" for s in done)
    sent = sum(ev.reason == "tip" for ev in out.patrol_events)
    return len(done), seized, sent


def tip_geometry(quick: bool = True, simulate: Simulate = run) -> Check:
    """Seized on a tip = accuracy x P(the patrol can meet the cargo inside the zone)."""
    t0 = time.perf_counter()
    rows, notes = [], []
    for delay, acc, longest in SETTINGS:
        world = tip_world(delay, acc, longest)
        p = acc * p_meet(world, delay)
        trials = seized = sent = 0
        for r in range(1 if quick else 4):
            n, k, d = _tipped(simulate(world, r))
            trials, seized, sent = trials + n, seized + k, sent + d
        if acc == 0.0 and sent == 0:
            notes.append("false tips sent no patrol")
        label = f"mean delay {delay:g} h, accuracy {acc:g}" + (
            f", dash at most {longest:g} h" if longest < 100 else ""
        )
        rows.append((label, p, p, seized, trials, f"accuracy {acc:g}"))
    points, interval = share_points(rows)
    return Check(
        key="tip_geometry",
        title="Tip interception",
        mechanism="One knower per shipment tips for certain, an Exp(mu) time after sailing; "
        "twenty patrols wait at the open-sea box's station point and one dashes at 25 kn "
        "to meet the cargo on its straight run through the box, if the dash is within the "
        "longest allowed. Whether the earliest meeting falls inside the box and within "
        "that dash is found here on a 0.01 h grid from great circles; share of "
        "settled tipped voyages seized on the tip. Accuracy 0: patrols are sent, nothing "
        "is seized.",
        formula="P(seized on tip) = accuracy x integral of 1{t* < b, |S - x(t*)| / v_dash "
        "<= D} dExp(tau; mu), t* = min t >= max(tau, a) with tau + |S - x(t)| / v_dash <= t",
        interval=interval,
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Analytic share seized on the tip",
        y_label="Share of tipped voyages seized on the tip",
        seconds=time.perf_counter() - t0,
        notes=tuple(notes),
        extra_ok=not notes,
    )


# ----------------------------------------------------------------- rewards

REWARDS = (
    ("share", {"reward_rule": "share", "reward_share": 0.08, "reward_cap_rmb": 150_000.0}),
    ("fixed", {"reward_rule": "fixed", "reward_fixed_rmb": 60_000.0}),
)


def reward_rule(cfg: dict[str, object], value: float) -> float:
    """docs/model.md, Tips: a share of the cargo's value up to a cap, or a fixed sum."""
    if cfg["reward_rule"] == "fixed":
        return float(cfg["reward_fixed_rmb"])  # type: ignore[arg-type]
    share, cap = float(cfg["reward_share"]), float(cfg["reward_cap_rmb"])  # type: ignore[arg-type]
    return min(share * value, cap)


def rewards(quick: bool = True, simulate: Simulate = run) -> Check:
    """Every seizure on a tip pays the rule's reward to the tipsters; no other one pays any."""
    t0 = time.perf_counter()
    points: list[Point] = []
    plot: list[Point] = []
    for i, (rule, cfg) in enumerate(REWARDS):
        world = tip_world(20.0, 1.0, 200.0, **cfg)
        world = _wide_prices(world)
        off = 0
        seized = 0
        for r in range(1 if quick else 3):
            out = simulate(world, r)
            paid: dict[int, int] = defaultdict(int)
            for en in out.ledger:
                if en.reason == "reward":
                    paid[en.shipment] += en.fen if en.payee == "tipsters" else -(10**12)
            for s in out.shipments:
                if s.outcome != "seized":
                    continue
                seized += 1
                value = round(s.tonnes * s.price_rmb_per_tonne, 2)
                want = round(reward_rule(cfg, value) * 100) if s.cause == "tip" else 0
                off += abs(paid.get(s.id, 0) - want)
                if r == 0 and s.cause == "tip" and len(plot) < 40 * (i + 1):
                    got = paid.get(s.id, 0) / 100
                    plot.append(Point(f"{rule}: {s.id}", value, want / 100, got, got, got, 1, rule))
        label = f"{rule} rule: RMB off the rule over {seized:,} seizures"
        points.append(Point(label, float(i), 0.0, off / 100, off / 100, off / 100, seized))
    xs = tuple(float(x) for x in np.linspace(0.8e6, 2.6e6, 100))
    share_cfg, fixed_cfg = REWARDS[0][1], REWARDS[1][1]
    return Check(
        key="rewards",
        title="Rewards",
        mechanism="The tip world with cargo values spread from RMB 0.9 to 2.5 million: the "
        "reward entries of every seizure against the rule worked out from its cargo value "
        "(tip seizures), or none (any other seizure).",
        formula="reward = min(share x value, cap) or fixed, on a tip seizure; 0 otherwise",
        interval="exact to the fen",
        level="exact",
        points=tuple(points),
        x_label="Cargo value (RMB)",
        y_label="Reward paid (RMB)",
        curves=(
            Curve("share: min(0.08 V, 150,000)", xs, tuple(reward_rule(share_cfg, x) for x in xs)),
            Curve("fixed: 60,000", xs, tuple(reward_rule(fixed_cfg, x) for x in xs)),
        ),
        plot=tuple(plot),
        point_label="paid",
        seconds=time.perf_counter() - t0,
    )


def _wide_prices(world: Resolved) -> Resolved:
    """Prices 300 to 500 RMB/t and lots of 3,000 to 5,000 t, so a share reward meets its cap
    on some cargoes and not on others; some contacts are boarded (seizures without a tip)."""
    from sim.scenario import Scenario, resolve

    s = world.scenario.model_dump()
    s["contract"].update(price_rmb_per_tonne_min=300.0, price_rmb_per_tonne_max=500.0)
    s["sellers"][0].update(lot_tonnes_min=3000.0, lot_tonnes_max=5000.0)
    s["detection"]["recognition_probability"] = 0.3
    return resolve(Scenario.model_validate(s))
