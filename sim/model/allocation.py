"""Adaptive Coast Guard: patrol vessels reallocated across zones every review period.

``proportional``: each zone's share of the vessels follows its seizures and
tips over the last ``window_days`` (plus ``smoothing`` pseudo-events each, so
a quiet zone is not left bare for ever). ``randomized``: a mixed strategy;
every review each vessel's zone is drawn from the weights, given in the
scenario or computed so that the smugglers' expected loss is the same on
every route they use (the maximin coverage of a Stackelberg patrol game,
solved as a linear program). Either way the targets become whole numbers of
vessels by largest remainder, and vessels move from zones above target to
zones below it: first those in base or heading back to it (they take the
new zone on their next sortie), then free ones on station, which sail
station to station and are off station meanwhile.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy
from scipy.optimize import linprog

from sim.model.patrols import ON_STATION, CoastGuard, PatrolVessel
from sim.model.records import ZoneEvent
from sim.model.rng import Draws, cumulative
from sim.scenario.adaptive import Allocation

if TYPE_CHECKING:
    from sim.model.legs import VoyagePlan


def whole_numbers(shares: dict[str, float], total: int) -> dict[str, int]:
    """Largest-remainder rounding of ``total * share`` (shares summing to 1)."""
    raw = {z: total * w for z, w in shares.items()}
    out = {z: math.floor(x) for z, x in raw.items()}
    left = total - sum(out.values())
    for z in sorted(raw, key=lambda z: (out[z] - raw[z], z))[:left]:
        out[z] += 1
    return out


def proportional_shares(
    events: list[ZoneEvent], zones: list[str], now: float, window_hours: float, smoothing: float
) -> dict[str, float] | None:
    """Zone shares in proportion to recent seizures and tips; None if there is nothing to go on."""
    counts = dict.fromkeys(zones, smoothing)
    for ev in reversed(events):
        if ev.time <= now - window_hours:
            break
        if ev.zone in counts:
            counts[ev.zone] += 1.0
    total = sum(counts.values())
    return {z: c / total for z, c in counts.items()} if total > 0 else None


def equalising_weights(
    plans: list[VoyagePlan], zones: list[str], per_vessel_rate: dict[str, float]
) -> dict[str, float]:
    """Mixed strategy that maximises the smallest expected search hazard over the routes.

    Route r's hazard under coverage x (expected vessels per zone) is
    sum_z x_z k_z t_rz, with k_z the detection rate one assigned vessel adds
    in zone z and t_rz the hours r spends there. Maximising the minimum over
    routes equalises the hazard, and so the expected loss of a cargo, across
    every route the coverage can reach; routes that cross no allowed zone
    are left out. Falls back to equal weights if no route can be reached.
    """
    rows = []
    for plan in plans:
        row = [0.0] * len(zones)
        for name, _, a, b in plan.zones:
            if name in zones:
                row[zones.index(name)] += per_vessel_rate[name] * (b - a)
        if any(row):
            rows.append(row)
    if not rows:
        return {z: 1.0 / len(zones) for z in zones}
    n = len(zones)
    # Variables: x_1..x_n (shares of the fleet), h. Maximise h: minimise -h.
    c = np.zeros(n + 1)
    c[-1] = -1.0
    a_ub = np.array([[-v for v in row] + [1.0] for row in rows])  # h - sum x k t <= 0
    b_ub = np.zeros(len(rows))
    a_eq = np.array([[1.0] * n + [0.0]])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * (n + 1))
    if not res.success:
        return {z: 1.0 / n for z in zones}
    x = np.clip(res.x[:n], 0.0, None)
    return {z: float(v / x.sum()) for z, v in zip(zones, x, strict=True)}


class Allocator:
    """Runs the reviews: works out each zone's target and moves vessels to meet it."""

    def __init__(
        self,
        env: simpy.Environment,
        cg: CoastGuard,
        settings: Allocation,
        events: list[ZoneEvent],
        rng: Draws,
        weights: dict[str, float],
    ) -> None:
        self.env, self.cg, self.settings, self.events, self.rng = env, cg, settings, events, rng
        self.zones = list(settings.zones) or list(cg.zones)
        self.weights = weights
        self.reviews: list[tuple[float, dict[str, int]]] = []

    def run(self) -> Generator[simpy.Event, Any, None]:
        period = self.settings.review_days * 24.0
        while True:
            yield self.env.timeout(period)
            targets = self.targets()
            if targets is not None:
                self.reviews.append((self.env.now, targets))
                self.move(targets)

    def fleet(self) -> list[PatrolVessel]:
        return [v for v in self.cg.vessels if not v.retired]

    def targets(self) -> dict[str, int] | None:
        s, n = self.settings, len(self.fleet())
        if s.kind == "proportional":
            shares = proportional_shares(
                self.events, self.zones, self.env.now, s.window_days * 24.0, s.smoothing
            )
            return None if shares is None else whole_numbers(shares, n)
        cdf = cumulative([self.weights.get(z, 0.0) for z in self.zones])
        counts = dict.fromkeys(self.zones, 0)
        for _ in range(n):
            counts[self.zones[self.rng.choice(cdf)]] += 1
        return counts

    def move(self, targets: dict[str, int]) -> None:
        fleet = self.fleet()
        have = {z: [v for v in fleet if v.zone.name == z] for z in self.zones}
        short = [z for z in self.zones if len(have[z]) < targets[z]]

        def send(v: PatrolVessel) -> bool:
            """Send ``v`` to the first zone still short; False if it cannot go now."""
            dst = short[0]
            if not self.cg.reassign(v, self.cg.zones[dst]):
                return False
            have[dst].append(v)
            if len(have[dst]) >= targets[dst]:
                short.pop(0)
            return True

        for src in self.zones:
            surplus = len(have[src]) - targets[src]
            # In base or heading there first: they change zone without a run between stations.
            movable = sorted(have[src], key=lambda v: (v.state == ON_STATION, v.name))
            for v in movable:
                if surplus <= 0 or not short:
                    break
                if send(v):
                    surplus -= 1
        for v in fleet:  # vessels in zones outside the allowed set join a zone that is short
            if v.zone.name not in have and short:
                send(v)
