"""Smugglers' timing: wait for a patrol surge to pass before running into the zones.

Smugglers watch the Coast Guard (spotters ashore, the patrols' own AIS), so
a seller knows how many patrol vessels are on station in the zones on its
way now, and what is usual: the patrol groups' mean presence over their duty
cycle at the start of the run. A leg surges when the search hazard it would
meet at today's rates exceeds ``surge_ratio`` times the usual one. A ship
that may wait looks again every ``check_hours`` and sails when the surge is
over or its wait runs out. A surge that lasts (a permanent crackdown) is
therefore waited out only up to the limit, and costs running time.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.legs import VoyagePlan
from sim.model.patrols import CoastGuard
from sim.model.records import Shipment
from sim.model.sections import AdaptationSection


def hazard(plan: VoyagePlan, rates: dict[str, float]) -> float:
    """Search hazard (expected contacts) of a leg at the given zone rates."""
    return sum(rates.get(name, 0.0) * (b - a) for name, _, a, b in plan.zones)


def surging(coast_guard: CoastGuard, plan: VoyagePlan, ratio: float) -> bool:
    knots = plan.speed_knots
    now = sum(
        zone.rate_against(knots) * (b - a) for _, zone, a, b in plan.zones if zone is not None
    )
    usual = hazard(plan, coast_guard.usual_against(knots))
    return now > ratio * usual if usual > 0.0 else now > 0.0


def hold(
    env: simpy.Environment,
    coast_guard: CoastGuard,
    rec: Shipment,
    plan: VoyagePlan,
    max_hours: float,
    adapt: AdaptationSection,
) -> Generator[simpy.Event, Any, float]:
    """Wait while ``plan`` surges, up to ``max_hours``; returns the hours waited."""
    start = env.now
    deadline = start + max_hours
    # A remainder below a microsecond is rounding, not waiting: stepping by it could
    # leave the clock where it is for ever.
    while deadline - env.now > 1e-9 and surging(coast_guard, plan, adapt.surge_ratio):
        yield env.timeout(min(adapt.check_hours, deadline - env.now))
    waited = env.now - start
    rec.waited_hours += waited
    return waited
