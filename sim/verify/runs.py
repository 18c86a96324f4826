"""Checks of a run as a whole: Little's law for voyages at sea, and determinism."""

from __future__ import annotations

import hashlib
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
from sim.model.model import Model, RunOutput
from sim.model.records import Shipment
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

FINAL = ("delivered", "seized", "held")
EVERY_HOURS = 2.0
Samples = list[tuple[float, dict[str, int]]]


def _sampler(
    model: Model, samples: Samples, entry: dict[str, str]
) -> Generator[simpy.Event, Any, None]:
    """Count the voyages at sea, by seller entry, from the running model every 2 hours."""
    recs, first = model.recorder.shipments, 0
    yield model.env.timeout(0.517)  # off the hour, clear of the model's own events
    while True:
        while first < len(recs) and recs[first].outcome in FINAL:
            first += 1
        counts: dict[str, int] = defaultdict(int)
        for sh in recs[first:]:
            if sh.outcome == "at_sea":
                counts[entry[sh.seller]] += 1
        samples.append((model.env.now, counts))
        yield model.env.timeout(EVERY_HOURS)


def counted_run(resolved: Resolved, r: int) -> tuple[RunOutput, Samples]:
    """Replication ``r``, with the voyages at sea counted while it runs."""
    samples: Samples = []
    entry = {name: sl.name for name, sl in companies(resolved).items()}
    model = Model(resolved, replication_seed(resolved.scenario.seed, r), env=simpy.Environment())
    model.env.process(_sampler(model, samples, entry))
    return model.run(), samples


def _voyage_end(s: Shipment, horizon: float) -> float:
    if s.outcome == "delivered":
        return s.t_arrive
    if s.outcome == "seized":
        return s.seizure_time
    return horizon


def little(quick: bool = True, simulate: Simulate = run) -> Check:
    """Mean number at sea, counted from the running model, = departure rate x mean voyage time.

    ``simulate`` is not used: the count must be taken while the model runs.
    """
    t0 = time.perf_counter()
    world = little_world()
    entry = {name: sl.name for name, sl in companies(world).items()}
    groups = [*dict.fromkeys(entry.values()), "all"]
    lo_t, hi_t = 10 * 24.0, (world.scenario.horizon_days - 10) * 24.0
    diffs: dict[str, list[float]] = defaultdict(list)
    lam_w: dict[str, list[float]] = defaultdict(list)
    voyages: dict[str, int] = defaultdict(int)
    for r in range(4 if quick else 30):
        out, samples = counted_run(world, r)
        inside = [c for t, c in samples if lo_t <= t <= hi_t]
        for g in groups:
            counts = [sum(v for k, v in c.items() if g in ("all", k)) for c in inside]
            at_sea = float(np.mean(counts))
            ships = [
                s
                for s in out.shipments
                if lo_t <= s.t_depart <= hi_t and g in ("all", entry[s.seller])
            ]
            times = [_voyage_end(s, out.horizon_hours) - s.t_depart for s in ships]
            lw = len(ships) / (hi_t - lo_t) * float(np.mean(times)) if times else 0.0
            lam_w[g].append(lw)
            diffs[g].append(at_sea - lw)
            voyages[g] += len(ships)
    per = bonferroni(MEAN_LEVEL, len(groups))
    points = []
    for g in groups:
        e = float(np.mean(lam_w[g]))
        d, lo, hi = t_interval(diffs[g], per)
        label = LABELS.get(g, g)
        points.append(Point(label, e, e, e + d, e + lo, e + hi, voyages[g]))
    return Check(
        key="little",
        title="Little's law",
        mechanism="A stationary trade (fixed buyers, Poisson lots, the default patrols and "
        "tips) over a year, days 10 to 355: voyages at sea counted every 2 hours while the "
        "model runs, against the departure rate times the mean voyage time (sailing to "
        "arrival or seizure) from the shipment records.",
        formula="L = lambda x W",
        level="95% t, Bonferroni",
        interval=describe_level(
            "Student's t interval over replications of L - lambda W", MEAN_LEVEL, len(groups)
        ),
        points=tuple(points),
        x_label="Departure rate x mean voyage time (voyages)",
        y_label="Mean number at sea (voyages)",
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
