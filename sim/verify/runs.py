"""Checks of a run as a whole: Little's law over the voyage pipeline, and determinism."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from sim import metrics
from sim.model.model import RunOutput
from sim.scenario import Resolved, resolve
from sim.verify.books import companies
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
from sim.verify.worlds import default_world, little_world


def at_sea_hours(out: RunOutput, lo: float, hi: float, sellers: set[str]) -> float:
    """Ship-hours at sea inside [lo, hi] from the trace: each voyage from sailing to
    arrival (or the horizon), clipped to the window."""
    total = 0.0
    for s in out.shipments:
        if s.seller in sellers and not math.isnan(s.t_depart):
            end = s.t_arrive if s.outcome == "delivered" else out.horizon_hours
            total += max(0.0, min(end, hi) - max(s.t_depart, lo))
    return total


def pipeline(world: Resolved, group: str) -> tuple[float, float]:
    """(departure rate per hour, mean hours at sea) of a seller group by theory: Poisson
    lots at 1 / interval, each sailing at once; a voyage lasts its route's length over the
    ship's speed, routes drawn by their weights."""
    rate = hours = 0.0
    for sl in companies(world).values():
        if group not in ("all", sl.name):
            continue
        lam = 1.0 / (sl.lot_interval_days * 24.0)
        weights = list(sl.route_weights or [1.0] * len(sl.routes))
        mean = sum(
            w * world.geography.routes[r].length_nm / sl.speed_knots
            for w, r in zip(weights, sl.routes, strict=True)
        ) / sum(weights)
        rate, hours = rate + lam, hours + lam * mean
    return rate, hours / rate


def little(quick: bool = True, simulate: Simulate = run) -> Check:
    """Little's law over the voyage pipeline: the time-averaged number of ships at sea,
    from the trace, = the departure rate counted in the trace x the mean time at sea by
    theory (route length over speed)."""
    t0 = time.perf_counter()
    world = little_world()
    groups = [*dict.fromkeys(sl.name for sl in world.scenario.sellers), "all"]
    members = {
        g: {n for n, sl in companies(world).items() if g in ("all", sl.name)} for g in groups
    }
    lo_t, hi_t = 10 * 24.0, (world.scenario.horizon_days - 10) * 24.0
    lam_w: dict[str, list[float]] = defaultdict(list)
    diffs: dict[str, list[float]] = defaultdict(list)
    voyages: dict[str, int] = defaultdict(int)
    for r in range(4 if quick else 30):
        out = simulate(world, r)
        for g in groups:
            at_sea = at_sea_hours(out, lo_t, hi_t, members[g]) / (hi_t - lo_t)
            sailed = sum(
                s.seller in members[g] and lo_t <= s.t_depart < hi_t for s in out.shipments
            )
            lw = sailed / (hi_t - lo_t) * pipeline(world, g)[1]
            lam_w[g].append(lw)
            diffs[g].append(at_sea - lw)
            voyages[g] += sailed
    per = bonferroni(MEAN_LEVEL, len(groups))
    points = []
    for g in groups:
        lam, w = pipeline(world, g)
        e = float(np.mean(lam_w[g]))
        d, lo, hi = t_interval(diffs[g], per)
        label = f"{LABELS.get(g, g)}: lambda={lam * 24:.2f}/day, W={w:.1f} h"
        points.append(Point(label, e, e, e + d, e + lo, e + hi, voyages[g]))
    return Check(
        key="little",
        title="Little's law",
        mechanism="A stationary trade without patrols or tips (fixed buyers, Poisson lots, "
        "ample ships) over a year, days 10 to 355: the time-averaged number of ships at sea "
        "from the trace (each voyage from sailing to arrival) against the departures counted "
        "in the window times the mean voyage time by theory: the routes' lengths over the "
        "ships' speed, weighted by the routes' shares (the label's lambda is the configured "
        "rate, 1 / lot interval).",
        formula="L = lambda x W, W = mean route length / speed",
        level="95% t, Bonferroni",
        interval=describe_level(
            "Student's t interval over replications of L - lambda W", MEAN_LEVEL, len(groups)
        ),
        points=tuple(points),
        x_label="Departure rate x mean voyage time (ships)",
        y_label="Mean number at sea (ships)",
        seconds=time.perf_counter() - t0,
    )


LABELS = {
    "short": "to Dalian",
    "long": "to Ningbo, Lianyungang",
    "all": "all voyages",
}


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
        "from sim.verify.runs import world_digest; "
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
    from sim.study.run import run_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = run_scenario(resolved, Path(tmp) / "run", workers=workers).folder
        return (folder / "runs.csv").read_bytes()


def determinism(quick: bool = True, simulate: Simulate = run) -> Check:
    """The same seed gives identical records; another replication gives different ones."""
    t0 = time.perf_counter()
    horizon, seed = 60.0, 11
    world = default_world(horizon, seed)
    first, again, other = (digest(simulate(world, r)) for r in (0, 0, 1))
    elsewhere = _digest_elsewhere(horizon, seed, 0)
    notes = [elsewhere] if elsewhere.startswith("failed") else []
    cases = [
        ("same seed, same process: identical", 1.0, first == again),
        ("same seed, fresh process, other hash seed: identical", 1.0, first == elsewhere),
        ("another replication: different", 0.0, first == other),
    ]
    if not quick:
        both = resolve(world.scenario.model_copy(update={"replications": 4}))
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
        notes=tuple(f"the fresh process {n}" for n in notes),
    )
