"""Coast Guard patrols: duty cycles, on-station search rates, boarding and escort.

Random search (Koopman): a patrol of sweep width W at speed v in a zone of
sea area A detects a given target at rate W*v/A. Only vessels on station
search, so each zone's rate is the sum over the vessels there now. The rate
is piecewise constant; every change interrupts the voyages searching in the
zone so that they re-plan their detection time against the new rate.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.records import PatrolEvent, Recorder
from sim.model.rng import Draws, cumulative
from sim.scenario.schema import PatrolGroup
from sim.world import geo
from sim.world.network import Geography, LatLon, PortGeo, ZoneGeo

ON_STATION, TRANSIT_BACK, TURNAROUND, TRANSIT_OUT = range(4)


class ZoneState:
    """Who is searching a zone now, the detection rate that gives, and who is exposed to it."""

    __slots__ = ("area_sq_nm", "name", "on_station", "rate", "searching")

    def __init__(self, zone: ZoneGeo) -> None:
        self.name = zone.name
        self.area_sq_nm = zone.area_sq_nm
        self.on_station: list[PatrolVessel] = []
        self.rate = 0.0
        self.searching: list[simpy.Process] = []

    def _update(self) -> None:
        total = 0.0
        for v in self.on_station:
            total += v.sweep_rate
        self.rate = total / self.area_sq_nm
        waiting, self.searching = self.searching, []
        for proc in waiting:
            proc.interrupt("rate changed")

    def pick(self, rng: Draws) -> PatrolVessel:
        """The vessel that made a detection: chosen in proportion to its share of the rate."""
        vessels = self.on_station
        if len(vessels) == 1:
            return vessels[0]
        return vessels[rng.choice(cumulative([v.sweep_rate for v in vessels]))]


class PatrolVessel:
    """One patrol vessel and its duty cycle: station, transit back, turnaround, transit out."""

    def __init__(
        self,
        env: simpy.Environment,
        coast_guard: CoastGuard,
        name: str,
        group: PatrolGroup,
        base: PortGeo,
        zone: ZoneState,
        transit_hours: float,
        phase_hours: float,
    ) -> None:
        self.env = env
        self.cg = coast_guard
        self.name = name
        self.group = group.name
        self.base = base
        self.zone = zone
        self.speed_knots = group.speed_knots
        self.sweep_rate = group.sweep_width_nm * group.speed_knots
        self.endurance = group.endurance_hours
        self.turnaround = group.turnaround_hours
        self.transit = transit_hours
        self.process = env.process(self._duty(*self._start_state(phase_hours)))

    def _start_state(self, phase: float) -> tuple[int, float]:
        """State and time left in it for a vessel ``phase`` hours into its duty cycle."""
        for state, length in (
            (ON_STATION, self.endurance),
            (TRANSIT_BACK, self.transit),
            (TURNAROUND, self.turnaround),
            (TRANSIT_OUT, self.transit),
        ):
            if phase < length:
                return state, length - phase
            phase -= length
        return ON_STATION, self.endurance

    def _duty(self, state: int, remaining: float) -> Generator[simpy.Event, Any, None]:
        env = self.env
        while True:
            if state == ON_STATION:
                self.cg.arrive(self)
                try:
                    yield env.timeout(remaining)
                except simpy.Interrupt as boarding:  # sent by CoastGuard.board
                    yield env.timeout(_hours(boarding.cause))  # escorting the seized ship to base
                    state, remaining = TURNAROUND, self.turnaround
                    continue
                self.cg.depart(self, "endurance")
                state, remaining = TRANSIT_BACK, self.transit
            else:
                yield env.timeout(remaining)
                if state == TRANSIT_BACK:
                    state, remaining = TURNAROUND, self.turnaround
                elif state == TURNAROUND:
                    state, remaining = TRANSIT_OUT, self.transit
                else:
                    state, remaining = ON_STATION, self.endurance


class CoastGuard:
    """All patrol vessels, the per-zone search rates, and boarding."""

    def __init__(
        self,
        env: simpy.Environment,
        geography: Geography,
        groups: list[PatrolGroup],
        recorder: Recorder,
    ) -> None:
        self.env = env
        self.recorder = recorder
        self.zones = {name: ZoneState(z) for name, z in geography.zones.items()}
        self.vessels: list[PatrolVessel] = []
        for g in groups:
            base = geography.ports[g.base]
            zone = geography.zones[g.zone]
            transit = g.transit_hours
            if transit is None:
                transit = transit_hours(base, zone, g.speed_knots)
            cycle = g.endurance_hours + 2 * transit + g.turnaround_hours
            for k in range(g.vessels):
                phase = 0.0 if g.start == "on_station" else cycle * k / g.vessels
                self.vessels.append(
                    PatrolVessel(
                        env, self, f"{g.name}#{k + 1}", g, base, self.zones[g.zone], transit, phase
                    )
                )
        self.patrolled = {v.zone.name for v in self.vessels}

    def arrive(self, vessel: PatrolVessel) -> None:
        vessel.zone.on_station.append(vessel)
        vessel.zone._update()
        self.recorder.patrol_events.append(
            PatrolEvent(self.env.now, vessel.name, vessel.zone.name, True, "station")
        )

    def depart(self, vessel: PatrolVessel, reason: str) -> None:
        vessel.zone.on_station.remove(vessel)
        vessel.zone._update()
        self.recorder.patrol_events.append(
            PatrolEvent(self.env.now, vessel.name, vessel.zone.name, False, reason)
        )

    def board(self, vessel: PatrolVessel, position: LatLon, ship_speed_knots: float) -> float:
        """Take the vessel off station to escort a seized ship to base; returns escort hours."""
        speed = min(vessel.speed_knots, ship_speed_knots)
        a = vessel.base.approach
        hours = (
            geo.great_circle_nm(position[0], position[1], a[0], a[1])
            + geo.great_circle_nm(a[0], a[1], *vessel.base.position)
        ) / speed
        self.depart(vessel, "escort")
        vessel.process.interrupt(hours)
        return hours


def transit_hours(base: PortGeo, zone: ZoneGeo, speed_knots: float) -> float:
    """Harbour leg plus open-water run from a base to its zone's station point."""
    (plat, plon), (alat, alon), (slat, slon) = base.position, base.approach, zone.station
    return (
        geo.great_circle_nm(plat, plon, alat, alon) + geo.great_circle_nm(alat, alon, slat, slon)
    ) / speed_knots


def _hours(cause: object) -> float:
    """The escort time that ``CoastGuard.board`` sends with its interrupt."""
    assert isinstance(cause, float), f"unexpected interrupt cause {cause!r}"
    return cause
