"""Checks of detection: Koopman random search, and search against a changing number of patrols."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from sim.model.model import RunOutput
from sim.model.records import Shipment
from sim.scenario import Resolved
from sim.verify.core import Check, Curve, Simulate, run, share_points
from sim.verify.kinematics import relative_speed as relative_speed_of
from sim.verify.kinematics import search_speed
from sim.verify.worlds import search_world, zone_crossing

SPEED = 18.0  # patrol search speed, knots


def _crossed(out: RunOutput, b: float) -> list[Shipment]:
    """Voyages whose whole crossing of the zone happened before the horizon."""
    return [s for s in out.shipments if s.t_depart + b <= out.horizon_hours]


def _detected(simulate: Simulate, resolved: Resolved, reps: int, b: float) -> tuple[int, int]:
    """(voyages with a contact, voyages) among those that crossed the zone, whose exit
    lies ``b`` hours after sailing, over ``reps`` replications."""
    detected = trials = 0
    for r in range(reps):
        ships = _crossed(simulate(resolved, r), b)
        trials += len(ships)
        detected += sum(s.contacts > 0 for s in ships)
    return detected, trials


def random_search(quick: bool = True, simulate: Simulate = run) -> Check:
    """Vessels always on station: P(detected) = 1 - exp(-n W v_rel t / A) over a range of effort."""
    t0 = time.perf_counter()
    efforts = (0.1, 0.3, 0.7, 1.4, 2.8) if quick else (0.05, 0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.2, 3.0)
    reps = 1 if quick else 6
    rows = []
    probe = search_world(lot_interval_days=0.25)
    v = search_speed(probe, SPEED, probe.scenario.sellers[0].speed_knots)
    for i, effort in enumerate(efforts):
        a, b, area = zone_crossing(probe)
        # 1 to 4 vessels or more (the rate must add up over vessels), each within 50 nm
        n = max(1 + i % 4, math.ceil(effort * area / (50.0 * v * (b - a))))
        width = effort * area / (n * v * (b - a))
        resolved = search_world(vessels=n, sweep_width_nm=width, lot_interval_days=0.25)
        detected, trials = _detected(simulate, resolved, reps, b)
        label = f"n={n}, W={width:.2f} nm, t={b - a:.2f} h"
        rows.append((label, effort, 1 - math.exp(-effort), detected, trials, ""))
    points, interval = share_points(rows)
    xs = tuple(float(x) for x in np.linspace(0.0, max(efforts) * 1.05, 200))
    return Check(
        key="random_search",
        title="Random search",
        mechanism="Koopman random search: n patrol vessels always on station in an open-sea "
        "zone of sea area A; share of voyages detected in t hours in the zone.",
        formula="P = 1 - exp(-n W v_rel t / A)",
        interval=interval,
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Search effort n W v_rel t / A (dimensionless)",
        y_label="Share of voyages detected",
        curves=(Curve("1 - exp(-n W v_rel t/A)", xs, tuple(1 - math.exp(-x) for x in xs)),),
        seconds=time.perf_counter() - t0,
    )


def on_station_hours(t0: float, t1: float, phase: float, cycle: float, on: float) -> float:
    """Hours of [t0, t1] that a vessel ``phase`` hours into its duty cycle at time 0 is on
    station, the cycle starting with ``on`` hours on station."""
    total = 0.0
    k = math.floor((t0 + phase) / cycle)
    while k * cycle - phase < t1:
        lo, hi = max(t0, k * cycle - phase), min(t1, k * cycle - phase + on)
        total += max(0.0, hi - lo)
        k += 1
    return total


# Two patrol groups in one zone, on duty cycles of 25 h and 50 h: three vessels
# all on station together for 10 h in 25 h, and one on station 20 h in 50 h, so
# 0, 1, 3 or 4 vessels search at any time.
GROUPS = (
    # name, vessels, start, endurance, transit (each way), turnaround
    ("trio", 3, "on_station", 10.0, 5.0, 5.0),
    ("single", 1, "on_station", 20.0, 10.0, 10.0),
)


def _phases(vessels: int, start: str, cycle: float) -> list[float]:
    """Where each vessel of a group is in its cycle at time 0 (docs/model.md: Patrols)."""
    return [0.0 if start == "on_station" else cycle * k / vessels for k in range(vessels)]


def _patrol_groups(width: float) -> list[dict[str, Any]]:
    """GROUPS as scenario patrols, every vessel sweeping ``width`` nm."""
    return [
        {
            "name": name,
            "base": "Lianyungang",
            "zone": "box",
            "vessels": n,
            "start": start,
            "sweep_width_nm": width,
            "speed_knots": SPEED,
            "endurance_hours": on,
            "transit_hours": transit,
            "turnaround_hours": turn,
        }
        for name, n, start, on, transit, turn in GROUPS
    ]


def _hazard_bins(
    h: np.ndarray, d: np.ndarray, bins: int
) -> list[tuple[str, float, float, int, int, str]]:
    """Voyages with no vessel on station, then the others in ``bins`` quantile bins of their
    hazard: each bin's label, mean hazard, theoretical share detected, detected, voyages."""
    rows: list[tuple[str, float, float, int, int, str]] = []
    idle = h == 0.0  # crossed while no vessel was on station: never detected
    if idle.any():
        rows.append(("no vessel on station", 0.0, 0.0, int(d[idle].sum()), int(idle.sum()), ""))
    busy = h[~idle]
    edges = np.unique(np.quantile(busy, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, h, side="right") - 1, 0, len(edges) - 2)
    for k in range(len(edges) - 1):
        sel = (which == k) & ~idle
        if not sel.any():
            continue
        p = 1 - np.exp(-h[sel])
        mean_h = float(h[sel].mean())
        label = f"hazard {edges[k]:.2f} to {edges[k + 1]:.2f}"
        rows.append((label, mean_h, float(p.mean()), int(d[sel].sum()), int(sel.sum()), ""))
    return rows


def integrated_hazard(quick: bool = True, simulate: Simulate = run) -> Check:
    """Patrols come and go: P(detected) = 1 - exp(-integral of lambda(t) dt), voyage by voyage."""
    t0 = time.perf_counter()
    width = 18.0
    resolved = search_world(lot_interval_days=0.2, patrols=_patrol_groups(width))
    a, b, area = zone_crossing(resolved)
    v = search_speed(resolved, SPEED, resolved.scenario.sellers[0].speed_knots)
    rate = width * v / area  # per vessel on station
    schedules = [
        (phase, on + 2 * transit + turn, on)
        for _, n, start, on, transit, turn in GROUPS
        for phase in _phases(n, start, on + 2 * transit + turn)
    ]
    hazard, detected = [], []
    for r in range(2 if quick else 12):
        for s in _crossed(simulate(resolved, r), b):
            lo, hi = s.t_depart + a, s.t_depart + b
            hazard.append(rate * sum(on_station_hours(lo, hi, *sch) for sch in schedules))
            detected.append(s.contacts > 0)
    h, d = np.asarray(hazard), np.asarray(detected)
    rows = _hazard_bins(h, d, 5 if quick else 9)
    points, interval = share_points(rows)
    xs = tuple(float(x) for x in np.linspace(0.0, float(h.max()) * 1.05, 200))
    return Check(
        key="integrated_hazard",
        title="Changing number of patrols",
        mechanism="Detection against the cumulative hazard: two patrol groups on 25 h and 50 h "
        "duty cycles put 0, 1, 3 or 4 vessels on station; voyages binned by the hazard "
        "of their own crossing, computed from the configured schedule.",
        formula="P = 1 - exp(-integral of sum(W v_rel / A) over vessels on station)",
        interval=interval + "; mean of 1 - exp(-H) within each bin",
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Integrated hazard H of the voyage's crossing (mean in bin)",
        y_label="Share of voyages detected",
        curves=(Curve("1 - exp(-H)", xs, tuple(1 - math.exp(-x) for x in xs)),),
        seconds=time.perf_counter() - t0,
    )


PATROL_KNOTS = 12.0
RELATIVE_VESSELS = 3
SHIP_TO_PATROL = (0.25, 0.5, 1.0, 1.5, 2.0)


def relative_speed(quick: bool = True, simulate: Simulate = run) -> Check:
    """A moving ship meets a random searcher at their mean relative speed, not the patrol's.

    Each world sets the sweep width so that n W v_rel t / A = 1 for its ship speed u, so the
    share detected should be 1 - exp(-1) whatever u; read with the patrol's speed alone it
    would be 1 - exp(-v / v_rel), well below for fast ships.
    """
    t0 = time.perf_counter()
    reps = 1 if quick else 4
    rows = []
    for ratio in SHIP_TO_PATROL:
        u = ratio * PATROL_KNOTS
        sellers = [search_world().scenario.sellers[0].model_dump() | {"speed_knots": u}]
        a, b, area = zone_crossing(search_world(sellers=sellers))
        v_rel = relative_speed_of(PATROL_KNOTS, u)
        width = area / (RELATIVE_VESSELS * v_rel * (b - a))
        resolved = search_world(
            vessels=RELATIVE_VESSELS,
            sweep_width_nm=width,
            speed_knots=PATROL_KNOTS,
            lot_interval_days=0.25,
            sellers=sellers,
        )
        detected, trials = _detected(simulate, resolved, reps, b)
        label = f"ship {u:g} kn, patrol {PATROL_KNOTS:g} kn: v_rel {v_rel:.2f} kn"
        rows.append((label, ratio, 1 - math.exp(-1.0), detected, trials, ""))
    points, interval = share_points(rows)
    xs = tuple(float(x) for x in np.linspace(0.05, max(SHIP_TO_PATROL) * 1.05, 120))
    old = tuple(1 - math.exp(-1.0 / (relative_speed_of(1.0, x))) for x in xs)
    return Check(
        key="relative_speed",
        title="Relative speed in random search",
        mechanism="Three patrol vessels always on station in an open-sea zone, ships crossing it "
        "at "
        "several speeds u; the sweep width makes n W v_rel t / A = 1 at each u.",
        formula="P = 1 - exp(-n W v_rel t / A), v_rel = mean over headings of |v - u| "
        "= (2/pi)(v+u)E(4uv/(u+v)^2)",
        interval=interval,
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Ship speed / patrol speed u / v",
        y_label="Share of voyages detected",
        curves=(
            Curve("relative speed: 1 - exp(-1)", xs, tuple(1 - math.exp(-1.0) for _ in xs)),
            Curve("patrol speed alone: 1 - exp(-v / v_rel)", xs, old),
        ),
        seconds=time.perf_counter() - t0,
    )
