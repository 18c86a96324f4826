"""Wires the actors into one SimPy environment and runs it to the horizon.

``simulate`` is the model's single entry point: a resolved scenario and a
seed sequence in, a run's raw records out. Nothing here prints, touches
files or uses global random state.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.model.ledger import Entry, Ledger
from sim.model.market import FixedMarket
from sim.model.patrols import CoastGuard
from sim.model.records import PatrolEvent, Recorder, Shipment
from sim.model.rng import mechanism_streams
from sim.model.sellers import Company, produce
from sim.model.voyages import Vessel, VoyagePlan
from sim.scenario.load import Resolved
from sim.world.network import RouteGeo


@dataclass(frozen=True)
class RunOutput:
    """Everything one replication leaves behind; metrics are computed from this."""

    horizon_hours: float
    shipments: list[Shipment]
    ledger: list[Entry]
    patrol_events: list[PatrolEvent]
    patrol_vessels: list[str]
    seller_parties: list[str]
    buyer_parties: list[str]


class Model:
    def __init__(
        self,
        resolved: Resolved,
        seed: np.random.SeedSequence,
        env: simpy.Environment | None = None,
    ) -> None:
        self.scenario = resolved.scenario
        self.geography = resolved.geography
        self.env = env if env is not None else simpy.Environment()
        self.rng = mechanism_streams(seed)
        self.ledger = Ledger()
        self.recorder = Recorder()
        self.market = FixedMarket(self.scenario, self.rng["market"])
        self.coast_guard = CoastGuard(
            self.env, self.geography, self.scenario.patrols, self.recorder
        )
        self.resale_multiplier = self.scenario.contract.resale_multiplier
        self.fine_rmb = self.scenario.enforcement.fine_rmb
        self._plans: dict[tuple[str, float], VoyagePlan] = {}
        self.companies: list[Company] = []
        fleet_rng = self.rng["fleet"]
        for s in self.scenario.sellers:
            store = simpy.Store(self.env)
            for k in range(s.vessels):
                ais_off = fleet_rng.random() < s.ais_off_share
                store.items.append(
                    Vessel(f"{s.name}#{k + 1}", s.vessel_capacity_dwt, s.speed_knots, ais_off)
                )
            routes = [self.geography.routes[r] for r in s.routes]
            company = Company.build(s, store, routes, self.scenario.detection)
            self.companies.append(company)
            self.env.process(produce(self, company))

    def plan(self, route: RouteGeo, speed_knots: float) -> VoyagePlan:
        """Zone intervals and durations for a route at a speed, worked out once."""
        key = (route.name, speed_knots)
        plan = self._plans.get(key)
        if plan is None:
            cg = self.coast_guard
            plan = self._plans[key] = VoyagePlan.build(route, speed_knots, cg.zones, cg.patrolled)
        return plan

    def detain(self, company: Company, vessel: Vessel) -> Generator[simpy.Event, Any, None]:
        """A seized ship is confiscated, or held for a while and handed back."""
        enf = self.scenario.enforcement
        if self.rng["detection"].random() < enf.vessel_confiscation_probability:
            return
        yield self.env.timeout(enf.vessel_detention_days * 24.0)
        company.return_vessel(vessel)

    def run(self) -> RunOutput:
        horizon = self.scenario.horizon_days * 24.0
        self.env.run(until=horizon)
        return RunOutput(
            horizon_hours=horizon,
            shipments=self.recorder.shipments,
            ledger=self.ledger.entries,
            patrol_events=self.recorder.patrol_events,
            patrol_vessels=[v.name for v in self.coast_guard.vessels],
            seller_parties=[s.name for s in self.scenario.sellers],
            buyer_parties=[b.name for b in self.scenario.buyers],
        )


def simulate(resolved: Resolved, seed: np.random.SeedSequence) -> RunOutput:
    """Run one replication of a resolved scenario."""
    return Model(resolved, seed).run()
