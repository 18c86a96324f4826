"""Coast Guard patrols: duty cycles, on-station search rates, boarding and escort.

Random search (Koopman): a patrol of sweep width W in a zone of sea area A
detects a given target at rate W*v/A, v the mean speed of the patrol relative
to the target (sim.model.search_speed; the patrol's own speed under
``search_speed = "patrol"``). Only vessels on station
search, so each zone's rate is the sum over the vessels there now. The rate
is piecewise constant; every change interrupts the voyages searching in the
zone so that they re-plan their detection time against the new rate.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, NamedTuple

import simpy

from sim.model.records import PatrolEvent, Recorder
from sim.model.rng import Draws, cumulative
from sim.model.search_speed import mean_relative_speed
from sim.scenario.schema import PatrolGroup
from sim.world import geo
from sim.world.network import Geography, LatLon, PortGeo, ZoneGeo

ON_STATION, TRANSIT_BACK, TURNAROUND, TRANSIT_OUT = range(4)
RATE_CHANGED = "rate changed"


class ZoneState:
    """Who is searching a zone now, the detection rate that gives, and who is exposed to it."""

    __slots__ = ("_against", "area_sq_nm", "name", "on_station", "rate", "relative", "searching")

    def __init__(self, zone: ZoneGeo, relative: bool = True) -> None:
        self.name = zone.name
        self.area_sq_nm = zone.area_sq_nm
        self.on_station: list[PatrolVessel] = []
        self.rate = 0.0  # W v / A summed at the patrols' own speeds
        self.relative = relative
        self._against: dict[float, float] = {}  # rate against a ship's speed, while unchanged
        self.searching: list[simpy.Process] = []

    def _update(self) -> None:
        total = 0.0
        for v in self.on_station:
            total += v.sweep_rate
        self.rate = total / self.area_sq_nm
        self._against = {}
        waiting, self.searching = self.searching, []
        for proc in waiting:
            proc.interrupt(RATE_CHANGED)

    def rate_against(self, knots: float) -> float:
        """Detection rate against a ship sailing at ``knots``: the sum of W v_rel / A."""
        if not self.relative:
            return self.rate
        rate = self._against.get(knots)
        if rate is None:
            rate = sum(v.sweep_against(knots) for v in self.on_station) / self.area_sq_nm
            self._against[knots] = rate
        return rate

    def pick(self, rng: Draws, knots: float) -> PatrolVessel:
        """The vessel that made a detection: chosen in proportion to its share of the rate."""
        vessels = self.on_station
        if len(vessels) == 1:
            return vessels[0]
        if not self.relative:
            return vessels[rng.choice(cumulative([v.sweep_rate for v in vessels]))]
        return vessels[rng.choice(cumulative([v.sweep_against(knots) for v in vessels]))]


class Escort(NamedTuple):
    """Order: take a seized ship to base (``hours`` of escort)."""

    hours: float


class Dispatch(NamedTuple):
    """Order: leave station for a tip; the mission event then says how it ended."""


class Return(NamedTuple):
    """Mission outcome: the tip came to nothing; ``hours`` back to station."""

    hours: float


class Retire(NamedTuple):
    """Order: leave service (a policy cut the group's size)."""


class Reassign(NamedTuple):
    """Order: leave this station for another zone's, ``hours`` away (``zone`` is already set)."""

    hours: float


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
        self.transit = transit_hours
        self.transit_fixed = group.transit_hours  # None: worked out from the geography
        self.state = ON_STATION
        self.configure(group)
        self.mission: simpy.Event | None = None
        self.reserved = False  # spoken for by a tip, still searching until it must leave
        self.on_station_until = 0.0  # when this spell on station ends, if nothing intervenes
        self.retired = False
        self.process = env.process(self._duty(*self._start_state(phase_hours)))

    def configure(self, group: PatrolGroup) -> None:
        self.speed_knots = group.speed_knots
        self.dash_knots = group.dash_speed_knots
        self.sweep_width = group.sweep_width_nm
        self.sweep_rate = group.sweep_width_nm * group.speed_knots
        self.endurance = group.endurance_hours
        self.turnaround = group.turnaround_hours

    def sweep_against(self, knots: float) -> float:
        """W v_rel against a ship at ``knots`` on an unknown heading."""
        return self.sweep_width * mean_relative_speed(self.speed_knots, knots)

    @property
    def free(self) -> bool:
        return self.mission is None and self in self.zone.on_station

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
        while not self.retired:
            self.state = state
            if state != ON_STATION:
                if state == TURNAROUND:  # in base: recorded for the cost accounts only
                    self.cg.recorder.patrol_port.append((env.now, self.name, True))
                yield env.timeout(remaining)
                # The next state, without building a lookup table at every step.
                if state == TRANSIT_BACK:
                    state, remaining = TURNAROUND, self.turnaround
                elif state == TURNAROUND:
                    self.cg.recorder.patrol_port.append((env.now, self.name, False))
                    state, remaining = TRANSIT_OUT, self.transit
                else:
                    state, remaining = ON_STATION, self.endurance
                continue
            self.on_station_until = env.now + remaining
            self.cg.arrive(self)
            start = env.now
            try:
                yield env.timeout(remaining)
            except simpy.Interrupt as order:
                cmd = order.cause
                if isinstance(cmd, Dispatch):
                    self.mission = env.event()
                    cmd = yield self.mission
                    self.mission = None
                if isinstance(cmd, Return):
                    yield env.timeout(cmd.hours)
                    state, remaining = ON_STATION, max(0.0, remaining - (env.now - start))
                elif isinstance(cmd, Escort):
                    yield env.timeout(cmd.hours)  # escorting the seized ship to base
                    state, remaining = TURNAROUND, self.turnaround
                elif isinstance(cmd, Retire):
                    break
                elif isinstance(cmd, Reassign):
                    yield env.timeout(cmd.hours)  # station to station; counts against endurance
                    left = remaining - (env.now - start)
                    state, remaining = (
                        (ON_STATION, left) if left > 0 else (TRANSIT_BACK, self.transit)
                    )
                continue
            self.cg.depart(self, "endurance")
            state, remaining = TRANSIT_BACK, self.transit
        self.cg.recorder.patrol_service[self.name][1] = env.now


class CoastGuard:
    """All patrol vessels, the per-zone search rates, boarding and tip dispatch."""

    def __init__(
        self,
        env: simpy.Environment,
        geography: Geography,
        groups: list[PatrolGroup],
        recorder: Recorder,
        relative: bool = True,
    ) -> None:
        self.env = env
        self.geography = geography
        self.recorder = recorder
        self.relative = relative
        self.zones = {name: ZoneState(z, relative) for name, z in geography.zones.items()}
        self.vessels: list[PatrolVessel] = []
        self.groups: dict[str, list[PatrolVessel]] = {}
        self.transit: dict[str, float] = {}
        for g in groups:
            transit = g.transit_hours
            if transit is None:
                transit = transit_hours(
                    geography.ports[g.base], geography.zones[g.zone], g.speed_knots
                )
            self.transit[g.name] = transit
            self.groups[g.name] = []
            cycle = g.endurance_hours + 2 * transit + g.turnaround_hours
            for k in range(g.vessels):
                self._commission(g, 0.0 if g.start == "on_station" else cycle * k / g.vessels)
        self.patrolled = {g.zone for g in groups}
        self._groups = list(groups)
        self.usual_rate = usual_rates(geography, groups, self.transit)
        self._usual_against: dict[float, dict[str, float]] = {}

    def usual_against(self, knots: float) -> dict[str, float]:
        """Each zone's usual (duty-cycle mean) rate against a ship sailing at ``knots``."""
        if not self.relative:
            return self.usual_rate
        rates = self._usual_against.get(knots)
        if rates is None:
            rates = usual_rates(self.geography, self._groups, self.transit, knots)
            self._usual_against[knots] = rates
        return rates

    def _commission(self, g: PatrolGroup, phase: float) -> None:
        members = self.groups[g.name]
        name = f"{g.name}#{len(members) + 1}"
        self.recorder.patrol_service[name] = [self.env.now, None]
        v = PatrolVessel(
            self.env,
            self,
            name,
            g,
            self.geography.ports[g.base],
            self.zones[g.zone],
            self.transit[g.name],
            phase,
        )
        members.append(v)
        self.vessels.append(v)

    def reconfigure(self, g: PatrolGroup) -> None:
        """Apply a policy's new settings for a group: size, speed, sweep width, cycle."""
        members = [v for v in self.groups[g.name] if not v.retired]
        if g.transit_hours is None:  # a new speed: new transit times, from the next leg on
            self.transit[g.name] = transit_hours(
                self.geography.ports[g.base], self.geography.zones[g.zone], g.speed_knots
            )
        for v in members:
            v.configure(g)
            self._retarget(v, v.zone)
        # Reallocation may have spread the group over several zones: each one's rate changes.
        for zone in dict.fromkeys([self.zones[g.zone], *(v.zone for v in members)]):
            zone._update()
        for _ in range(g.vessels - len(members)):  # new hulls sail from base
            self._commission(g, g.endurance_hours + self.transit[g.name] + g.turnaround_hours)
        for v in members[g.vessels :]:
            v.retired = True
            if v.free:
                self.depart(v, "retired")
                v.process.interrupt(Retire())

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

    def escort_hours(
        self, vessel: PatrolVessel, position: LatLon, ship_speed_knots: float
    ) -> float:
        a = vessel.base.approach
        nm = geo.great_circle_nm(position[0], position[1], a[0], a[1]) + geo.great_circle_nm(
            a[0], a[1], *vessel.base.position
        )
        return nm / min(vessel.speed_knots, ship_speed_knots)

    def board(self, vessel: PatrolVessel, position: LatLon, ship_speed_knots: float) -> float:
        """The vessel escorts a seized ship to base, off station meanwhile; returns the hours."""
        hours = self.escort_hours(vessel, position, ship_speed_knots)
        if vessel.mission is not None:  # already off station, on a tip
            vessel.mission.succeed(Escort(hours))
        else:
            self.depart(vessel, "escort")
            vessel.process.interrupt(Escort(hours))
        return hours

    def reassign(self, vessel: PatrolVessel, zone: ZoneState) -> bool:
        """Send a vessel to another zone; False if it cannot go now (on a tip or an escort,
        or already heading out to its station).

        A vessel on station leaves at once and sails station to station (a straight
        run: an underestimate where land lies between); one in base or heading back
        to it takes up the new zone on its next sortie.
        """
        if vessel.retired or zone is vessel.zone:
            return False
        if vessel.state == ON_STATION:
            if not vessel.free:
                return False
            self.depart(vessel, "reassign")
            (alat, alon), (blat, blon) = (
                self.geography.zones[vessel.zone.name].station,
                self.geography.zones[zone.name].station,
            )
            hours = geo.great_circle_nm(alat, alon, blat, blon) / vessel.speed_knots
            self._retarget(vessel, zone)
            vessel.process.interrupt(Reassign(hours))
            return True
        if vessel.state == TRANSIT_OUT:
            return False
        self._retarget(vessel, zone)
        return True

    def _retarget(self, vessel: PatrolVessel, zone: ZoneState) -> None:
        vessel.zone = zone
        vessel.transit = (
            vessel.transit_fixed
            if vessel.transit_fixed is not None
            else transit_hours(vessel.base, self.geography.zones[zone.name], vessel.speed_knots)
        )

    def free_vessels(self) -> list[PatrolVessel]:
        return [
            v
            for z in self.zones.values()
            for v in z.on_station
            if v.mission is None and not v.reserved
        ]

    def dispatch(self, vessel: PatrolVessel) -> None:
        """Send a vessel off station towards a tipped cargo."""
        self.depart(vessel, "tip")
        vessel.process.interrupt(Dispatch())

    def release(self, vessel: PatrolVessel, hours_back: float) -> None:
        """A tip came to nothing: the vessel heads back to its station."""
        assert vessel.mission is not None, "only a dispatched vessel can be released"
        vessel.mission.succeed(Return(hours_back))


def transit_hours(base: PortGeo, zone: ZoneGeo, speed_knots: float) -> float:
    """Harbour leg plus open-water run from a base to its zone's station point."""
    (plat, plon), (alat, alon), (slat, slon) = base.position, base.approach, zone.station
    return (
        geo.great_circle_nm(plat, plon, alat, alon) + geo.great_circle_nm(alat, alon, slat, slon)
    ) / speed_knots


def mean_sweep(g: PatrolGroup, transit: float, target_knots: float | None = None) -> float:
    """One vessel's sweep rate W v times the share of its duty cycle spent on station; v is
    the speed relative to a target at ``target_knots`` (None: the patrol's own speed)."""
    cycle = g.endurance_hours + 2 * transit + g.turnaround_hours
    v = g.speed_knots if target_knots is None else mean_relative_speed(g.speed_knots, target_knots)
    return g.sweep_width_nm * v * g.endurance_hours / cycle


def usual_rates(
    geography: Geography,
    groups: list[PatrolGroup],
    transit: dict[str, float],
    target_knots: float | None = None,
) -> dict[str, float]:
    """Each zone's mean detection rate over the duty cycle: what smugglers take as usual."""
    rates: dict[str, float] = {}
    for g in groups:
        sweep = mean_sweep(g, transit[g.name], target_knots)
        rate = g.vessels * sweep / geography.zones[g.zone].area_sq_nm
        rates[g.zone] = rates.get(g.zone, 0.0) + rate
    return rates
