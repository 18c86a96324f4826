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
from typing import Any

import simpy

from sim.model.duty import (
    Dispatch,
    Escort,
    Reassign,
    Retire,
    Return,
    delays_until,
    transit_hours,
    usual_rates,
)
from sim.model.records import PatrolEvent, Recorder
from sim.model.rng import Draws, cumulative
from sim.model.search_speed import mean_relative_speed
from sim.scenario.schema import PatrolGroup
from sim.world import geo
from sim.world.network import Geography, LatLon, PortGeo, ZoneGeo

ON_STATION, TRANSIT_BACK, TURNAROUND, TRANSIT_OUT = range(4)
RATE_CHANGED = "rate changed"
REPLAN = "replan"


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
        self._state = ON_STATION
        self._legs: list[tuple[int, float]] | None = None  # off station: (leg, its end) to come
        self._replanning = False
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
    def state(self) -> int:
        """Where the vessel is in its duty cycle now; off station, worked out from the
        planned ends of its legs (no event marks the passage from one to the next)."""
        legs = self._legs
        if legs is None:
            return self._state
        now = self.env.now
        for state, end in legs:
            if now < end:
                return state
        return legs[-1][0]

    def replan(self) -> None:
        """Off station, make the process plan its legs again: a new turnaround or transit
        time, a new zone, or retirement (it then stops at the end of the leg it is on)."""
        if self._legs is not None and not self._replanning:
            self._replanning = True
            self.process.interrupt(REPLAN)

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
            self._state = state
            if state != ON_STATION:
                state, remaining = yield from self._off_station(state, env.now + remaining)
                continue
            start = env.now
            self.on_station_until = start + remaining
            self.cg.arrive(self)
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

    def _off_station(
        self, state: int, end: float
    ) -> Generator[simpy.Event, Any, tuple[int, float]]:
        """Transit back, turnaround and transit out in one timeout, to the time the legs
        one by one would reach (each leg's length read when it begins, as before); a
        change of plan (``replan``) recomputes the legs not yet begun. Returns the state
        and time left in it at the end: on station, or the end of the leg it was on
        when the vessel retired."""
        env = self.env
        slot: int | None = None
        since = env.now if state == TURNAROUND else None
        while True:
            self._legs = legs = self._plan_legs(state, end)
            stop = end if self.retired else legs[-1][1]
            slot, since = self._log_port(legs, since, stop, slot)
            try:
                for delay in delays_until(env.now, stop):
                    yield env.timeout(delay)
            except simpy.Interrupt:
                self._replanning = False
                now = env.now
                state, end = next(((s, e) for s, e in legs if now < e), legs[-1])
                continue
            self._legs = None
            if self.retired:
                return state, 0.0  # the duty loop ends here
            return ON_STATION, self.endurance

    def _log_port(
        self, legs: list[tuple[int, float]], since: float | None, stop: float, slot: int | None
    ) -> tuple[int | None, float | None]:
        """Record this off-station spell's time in base (turnaround), for the cost accounts
        only, as soon as it is planned; a re-plan corrects the same two entries. A spell the
        vessel retires before beginning is left zero hours long. Returns the entries' place
        and when the turnaround begins."""
        turn = next((k for k, (state, _) in enumerate(legs) if state == TURNAROUND), None)
        if turn is None:  # on the way out: any spell in base is behind it
            return slot, since
        start = legs[turn - 1][1] if turn else since
        until = legs[turn][1]
        assert start is not None, "a plan that starts in base knows when it came in"
        if start >= stop:  # retired before reaching base
            until = start
        port, name = self.cg.recorder.patrol_port, self.name
        entries = [(start, name, True), (until, name, False)]
        if slot is None:
            slot = len(port)
            port.extend(entries)
        else:
            port[slot : slot + 2] = entries
        return slot, start

    def _plan_legs(self, state: int, end: float) -> list[tuple[int, float]]:
        """The leg under way (ending at ``end``) and those after it, up to the station."""
        legs = [(state, end)]
        while state != TRANSIT_OUT:
            if state == TRANSIT_BACK:
                state, end = TURNAROUND, end + self.turnaround
            else:
                state, end = TRANSIT_OUT, end + self.transit
            legs.append((state, end))
        return legs


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
        # "usual" is the start-of-run duty cycle: a policy's new transits (reconfigure)
        # must not mix into rates first asked for after it, for a ship speed new by then
        self._usual_transit = dict(self.transit)
        self.usual_rate = usual_rates(geography, groups, self.transit)
        self._usual_against: dict[float, dict[str, float]] = {}
        self._harbour_nm: dict[str, float] = {}

    def usual_against(self, knots: float) -> dict[str, float]:
        """Each zone's usual (duty-cycle mean) rate against a ship sailing at ``knots``."""
        if not self.relative:
            return self.usual_rate
        rates = self._usual_against.get(knots)
        if rates is None:
            rates = usual_rates(self.geography, self._groups, self._usual_transit, knots)
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
            else:
                v.replan()  # off station: it stops at the end of the leg it is on

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
        base = vessel.base
        a = base.approach
        harbour = self._harbour_nm.get(base.name)
        if harbour is None:  # approach to berth: the same for every escort to this base
            harbour = self._harbour_nm[base.name] = geo.great_circle_nm(a[0], a[1], *base.position)
        nm = geo.great_circle_nm(position[0], position[1], a[0], a[1]) + harbour
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
        """A new zone or speed: the transit out of a vessel off station changes with it."""
        vessel.zone = zone
        vessel.transit = (
            vessel.transit_fixed
            if vessel.transit_fixed is not None
            else transit_hours(vessel.base, self.geography.zones[zone.name], vessel.speed_knots)
        )
        vessel.replan()

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
