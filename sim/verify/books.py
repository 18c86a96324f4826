"""Checks of the books and the clock: money conservation, Little's law, determinism."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from sim import metrics
from sim.experiment.seeds import replication_seed
from sim.model import ledger as L
from sim.model.model import Model, RunOutput
from sim.model.records import Shipment
from sim.scenario import Resolved
from sim.verify.core import (
    MEAN_LEVEL,
    Check,
    Point,
    Simulate,
    bonferroni,
    describe_level,
    run,
    t_interval,
)
from sim.verify.worlds import default_world, trade_world

FLOWS = (
    "payment",
    "resale",
    "broker_fee",
    "operating_cost",
    "cargo_value",
    "seizure",
    "fine",
    "reward",
)


def _fen(amount: float) -> int:
    return round(amount * 100)


def _companies(resolved: Resolved) -> dict[str, Any]:
    """Company name -> its seller entry (entries with count > 1 are numbered #1, #2, ...)."""
    out = {}
    for sl in resolved.scenario.sellers:
        for k in range(sl.count):
            out[sl.name if sl.count == 1 else f"{sl.name}#{k + 1}"] = sl
    return out


def expected_flows(resolved: Resolved, out: RunOutput) -> tuple[dict[str, int], dict[str, int]]:
    """What every kind of ledger flow must add up to, in fen, worked out from the shipment
    records and the scenario's prices, fees, fines and rules (docs/model.md, Money); and
    how many entries each is made of (the rounding tolerance, one fen each)."""
    s = resolved.scenario
    c, e, t = s.contract, s.enforcement, s.tips
    routes, companies = resolved.geography.routes, _companies(resolved)
    total: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)

    def add(reason: str, fen: int) -> None:
        if fen > 0:
            total[reason] += fen
            count[reason] += 1

    for sh in out.shipments:
        if not sh.payment_terms:
            continue
        value = round(sh.tonnes * sh.price_rmb_per_tonne, 2)
        handed = not math.isnan(sh.t_handover)
        if sh.payment_terms == "advance" or sh.outcome == "delivered" or handed:
            add("payment", _fen(value))
        if sh.outcome == "delivered":
            add("resale", _fen(value * c.resale_multiplier))
            if sh.broker:
                add("broker_fee", _fen(sh.tonnes * s.network.broker_fee_rmb_per_tonne))
        elif sh.outcome == "seized":
            add("cargo_value", _fen(value))
            add("seizure", _fen(value))
            add(
                "fine",
                _fen(e.fine_rmb if e.fine_rule == "fixed" else e.fine_cargo_multiple * value),
            )
            if sh.cause == "tip":
                reward = (
                    t.reward_fixed_rmb
                    if t.reward_rule == "fixed"
                    else (min(t.reward_share * value, t.reward_cap_rmb))
                )
                add("reward", _fen(reward))
        cost = _running_cost(sh, companies[sh.seller], routes[sh.route], out.horizon_hours)
        if cost is not None:
            add("operating_cost", cost)
    for _ in out.named:
        add("fine", _fen(e.accomplice_fine_rmb))
    return dict(total), dict(count)


def _running_cost(sh: Shipment, seller: Any, route: Any, horizon: float) -> int | None:
    """From loading until the ship is home, or seized; None if it is not home by the horizon."""
    if math.isnan(sh.t_depart):
        return None
    speed = seller.speed_knots
    if sh.outcome == "seized" and math.isnan(sh.t_handover):  # the ship itself was seized
        end = sh.seizure_time
    elif not math.isnan(sh.t_handover):  # ship-to-ship: the empty ship sails home
        end = sh.t_handover + float(route.transfer_nm or 0.0) / speed
    elif sh.outcome == "delivered":
        end = sh.t_arrive + (seller.discharge_hours + route.length_nm / speed)
    else:
        return None
    if not end < horizon:
        return None
    start = sh.t_depart - seller.loading_hours
    return _fen((end - start) * (seller.operating_cost_rmb_per_day / 24.0))


REGIMES = (("after_delivery", 0.0), ("advance", 0.0), ("endogenous", 0.5))
"""Payment terms and the share of deals to Lianyungang delivered ship-to-ship."""


def money(quick: bool = True, simulate: Simulate = run) -> Check:
    """The ledger balances to zero and every kind of flow equals what the records imply."""
    t0 = time.perf_counter()
    points, plot, notes = [], [], []
    for i, (terms, sts) in enumerate(REGIMES):
        world = trade_world(terms, ship_to_ship=sts)
        unaccounted = tolerance = entries = 0
        for r in range(1 if quick else 3):
            out = simulate(world, r)
            entries += len(out.ledger)
            ledger: dict[str, int] = defaultdict(int)
            for en in out.ledger:
                ledger[en.reason] += en.fen
                if en.fen <= 0 or en.reason not in FLOWS:
                    notes.append(f"{terms}: entry {en} is not a positive known flow")
            imbalance = sum(L.balances_fen(out.ledger).values())
            want, n = expected_flows(world, out)
            unaccounted += abs(imbalance)
            for reason in FLOWS:
                diff = abs(ledger.get(reason, 0) - want.get(reason, 0))
                unaccounted += diff
                tolerance += n.get(reason, 0) if reason == "operating_cost" else 0
                # cargo_value equals seizure by construction (a pass-through pair): one dot
                shown = reason != "cargo_value" and (want.get(reason) or ledger.get(reason))
                if r == 0 and shown:
                    got, ought = ledger.get(reason, 0) / 100, want.get(reason, 0) / 100
                    series = "seizure = cargo_value" if reason == "seizure" else reason
                    plot.append(
                        Point(
                            f"{terms}: {reason}",
                            ought,
                            ought,
                            got,
                            got,
                            got,
                            n.get(reason, 0),
                            series,
                        )
                    )
        est, tol = unaccounted / 100, tolerance / 100
        how = f"{terms} terms" + (f", {sts:.0%} ship-to-ship" if sts else "")
        label = f"{how}: RMB unaccounted in {entries:,} entries"
        points.append(Point(label, float(i), 0.0, est, max(0.0, est - tol), est + tol, entries))
    return Check(
        key="money",
        title="Money conservation",
        mechanism="The default trade on each payment regime: the ledger's net positions sum "
        "to zero, and each kind of flow (payments, resale, broker fees, running costs, "
        "confiscated cargo, fines, rewards) equals what the shipment records, the "
        "investigations and the scenario's prices and rules imply; RMB unaccounted.",
        formula="sum of net positions = 0; ledger total = records total, flow by flow",
        interval="exact to the fen (running costs: 1 fen per entry for rounding)",
        level="exact to the fen",
        points=tuple(points),
        x_label="Implied by the shipment records and the rules (RMB); one dot per flow and regime",
        y_label="Ledger total over 120 days (RMB)",
        seconds=time.perf_counter() - t0,
        log_axes=True,
        plot=tuple(plot),
        point_label="ledger",
        notes=tuple(dict.fromkeys(notes)),
        extra_ok=not notes,
    )


AT_SEA_FINAL = ("delivered", "seized", "held")
EVERY_HOURS = 2.0


def _sampler(
    model: Model, samples: list[tuple[float, dict[str, int]]], kind: dict[str, str]
) -> Generator[simpy.Event, Any, None]:
    """Count the voyages at sea, by company kind, from the running model every 2 hours."""
    recs, first = model.recorder.shipments, 0
    yield model.env.timeout(0.517)  # off the hour, clear of the model's own events
    while True:
        while first < len(recs) and recs[first].outcome in AT_SEA_FINAL:
            first += 1
        counts: dict[str, int] = defaultdict(int)
        for sh in recs[first:]:
            if sh.outcome == "at_sea":
                counts[kind[sh.seller]] += 1
        samples.append((model.env.now, counts))
        yield model.env.timeout(EVERY_HOURS)


def _little_run(resolved: Resolved, r: int) -> tuple[RunOutput, list[tuple[float, dict[str, int]]]]:
    samples: list[tuple[float, dict[str, int]]] = []
    kind = {name: sl.kind for name, sl in _companies(resolved).items()}
    model = Model(resolved, replication_seed(resolved.scenario.seed, r), env=simpy.Environment())
    model.env.process(_sampler(model, samples, kind))
    return model.run(), samples


GROUPS = ("state", "provincial", "all")


def little(quick: bool = True, simulate: Simulate = run) -> Check:
    """Mean number at sea, counted from the running model, = departure rate x mean voyage time.

    ``simulate`` is not used: the count must be taken while the model runs.
    """
    t0 = time.perf_counter()
    world = default_world()
    lo_t, hi_t = 10 * 24.0, (world.scenario.horizon_days - 10) * 24.0
    diffs: dict[str, list[float]] = defaultdict(list)
    lam_w: dict[str, list[float]] = defaultdict(list)
    voyages: dict[str, int] = defaultdict(int)
    kind = {name: sl.kind for name, sl in _companies(world).items()}
    for r in range(4 if quick else 12):
        out, samples = _little_run(world, r)
        for g in GROUPS:
            inside = [c for t, c in samples if lo_t <= t <= hi_t]
            at_sea = float(
                np.mean([sum(v for k, v in c.items() if g in ("all", k)) for c in inside])
            )
            ships = [
                s
                for s in out.shipments
                if lo_t <= s.t_depart <= hi_t and g in ("all", kind[s.seller])
            ]
            times = [_voyage_end(s, out.horizon_hours) - s.t_depart for s in ships]
            rate = len(ships) / (hi_t - lo_t)
            lw = rate * float(np.mean(times)) if times else 0.0
            lam_w[g].append(lw)
            diffs[g].append(at_sea - lw)
            voyages[g] += len(ships)
    per = bonferroni(MEAN_LEVEL, len(GROUPS))
    points = []
    for i, g in enumerate(GROUPS):
        expected = float(np.mean(lam_w[g]))
        d, d_lo, d_hi = t_interval(diffs[g], per)
        label = f"{g} companies" if g != "all" else "all voyages"
        points.append(
            Point(
                label,
                expected,
                expected,
                expected + d,
                expected + d_lo,
                expected + d_hi,
                voyages[g],
            )
        )
        del i
    return Check(
        key="little",
        title="Little's law",
        mechanism="The default world over a year (days 10 to 355): voyages at sea counted "
        "every 2 hours while the model runs, against the departure rate times the mean "
        "voyage time (sailing to arrival or seizure) from the shipment records.",
        formula="L = lambda x W",
        level="95% t, Bonferroni",
        interval=describe_level(
            "Student's t interval over replications of L - lambda W", MEAN_LEVEL, len(GROUPS)
        ),
        points=tuple(points),
        x_label="Departure rate x mean voyage time (voyages)",
        y_label="Mean number at sea (voyages)",
        seconds=time.perf_counter() - t0,
    )


def _voyage_end(s: Shipment, horizon: float) -> float:
    if s.outcome == "delivered":
        return s.t_arrive
    if s.outcome == "seized":
        return s.seizure_time
    return horizon


def digest(out: RunOutput) -> str:
    """A fingerprint of everything a replication leaves behind."""
    h = hashlib.sha256()
    h.update(metrics.shipments_frame(out).to_csv(index=False).encode())
    for rows in (out.ledger, out.patrol_events, out.named, out.weekly):
        for row in rows:
            h.update(repr(row).encode())
    return h.hexdigest()


def world_digest(horizon_days: float, seed: int, replication: int) -> str:
    return digest(run(default_world(horizon_days, seed), replication))


def _digest_elsewhere(horizon_days: float, seed: int, replication: int) -> str:
    """The same replication in a fresh interpreter with another string-hash seed."""
    code = (
        "from sim.verify.books import world_digest; "
        f"print(world_digest({horizon_days!r}, {seed!r}, {replication!r}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return done.stdout.strip() or f"failed: {done.stderr.strip()[-200:]}"


def _runs_csv(resolved: Resolved, workers: int) -> bytes:
    from sim.run import run_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = run_scenario(resolved, Path(tmp) / "run", workers=workers).folder
        return (folder / "runs.csv").read_bytes()


def determinism(quick: bool = True, simulate: Simulate = run) -> Check:
    """The same seed gives identical records; another replication gives different ones."""
    t0 = time.perf_counter()
    horizon, seed = 60.0, 11
    world = default_world(horizon, seed)
    first, again, other = (digest(simulate(world, r)) for r in (0, 0, 1))
    cases = [
        ("same seed, same process: identical", 1.0, first == again),
        (
            "same seed, fresh process, other hash seed: identical",
            1.0,
            first == _digest_elsewhere(horizon, seed, 0),
        ),
        ("another replication: different", 0.0, first == other),
    ]
    if not quick:
        multi = world.scenario.model_copy(update={"replications": 4})
        from sim.scenario import resolve

        both = resolve(multi)
        cases.append(
            (
                "1 worker or 2 workers: identical runs.csv",
                1.0,
                _runs_csv(both, 1) == _runs_csv(both, 2),
            )
        )
    points = tuple(
        Point(label, float(i), expected, float(same), float(same), float(same), 1)
        for i, (label, expected, same) in enumerate(cases)
    )
    return Check(
        key="determinism",
        title="Determinism",
        mechanism="The default world over 60 days: fingerprints (SHA-256) of the shipment "
        "log, ledger, patrol events, names and weekly snapshots; 1 = identical.",
        formula="same seed => same records; other replication => other records",
        interval="exact",
        level="exact",
        points=points,
        x_label="Comparison",
        y_label="Identical (1) or not (0)",
        seconds=time.perf_counter() - t0,
        categorical=True,
    )
