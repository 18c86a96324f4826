"""Tipsters: people who know of a shipment and may tell the Coast Guard, for a reward.

Each of the ``knowers`` of a shipment tips independently with probability

    p(R) = p0 + (p_max - p0) * R / (R + R_half),

a saturating function of the reward R the seizure would pay, after an
exponential delay from sailing. A tip sends the nearest free patrol (one on
station and not already on a tip), at dash speed, to where the cargo will
be inside the next enforcement zone on its way (the Coast Guard acts only on
the Chinese side); if it gets there within its longest dash while the cargo
is still in that zone, the tip proves right with the tip's accuracy and the
cargo is seized. "Nearest" is the shortest dash to that meeting point among
the patrols that can make it; the one sent is spoken for from the tip on
but searches on station until it must leave to meet the cargo, which is
often a day or more away when the tip comes in.
So tips and area search compete for the same vessels. The reward is paid
only when a tip leads to a seizure: the tipsters hear of it as the voyage
announces the seizure (``sim.model.outcomes``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, NamedTuple

import simpy

from sim.model import ledger as L
from sim.model.cargo import Intercept, Voyage
from sim.model.inforce import InForce
from sim.model.patrols import CoastGuard, PatrolVessel
from sim.model.records import Recorder, ZoneEvent, new_tuple
from sim.model.rng import Draws
from sim.model.sections import TipsSection
from sim.world import geo
from sim.world.network import Geography


def tip_probability(reward: float, p0: float, p_max: float, half: float) -> float:
    return p0 + (p_max - p0) * reward / (reward + half)


def reward_for(value: float, t: TipsSection) -> float:
    """The reward a seizure of a cargo of contract value ``value`` pays its tipster."""
    if t.reward_rule == "fixed":
        return t.reward_fixed_rmb
    return min(t.reward_share * value, t.reward_cap_rmb)


class Tips:
    def __init__(
        self,
        env: simpy.Environment,
        in_force: InForce,
        rng: Draws,
        ledger: L.Ledger,
        recorder: Recorder,
        *,
        coast_guard: CoastGuard,
        geography: Geography,
    ) -> None:
        self.env, self.in_force, self.rng = env, in_force, rng
        self.ledger, self.recorder = ledger, recorder
        self.coast_guard, self.geography = coast_guard, geography

    def watch(self, voyage: Voyage) -> None:
        """Decide, as the cargo sails, who among its knowers will tip and when."""
        t, env = self.in_force.params.tips, self.env
        if t.knowers == 0:
            return
        reward = reward_for(voyage.value, t)
        p = tip_probability(reward, t.base_probability, t.max_probability, t.half_saturation_rmb)
        delays = []
        for _ in range(t.knowers):
            if self.rng.random() < p:
                delays.append(self.rng.exponential() * t.delay_hours_mean)
        voyage.rec.tips = len(delays)
        if delays:
            delays.sort()
            voyage.rec.first_tip_time = env.now + delays[0]
            env.process(self._follow(voyage, delays))

    def rewarded(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        """A seizure a tip led to pays the tipster."""
        if cause == "tip":
            rec = voyage.rec
            rec.reward_rmb = reward_for(voyage.value, self.in_force.params.tips)
            self.ledger.post(self.env.now, L.STATE, L.TIPSTERS, rec.reward_rmb, "reward", rec.id)

    def _follow(self, voyage: Voyage, delays: list[float]) -> Generator[simpy.Event, Any, None]:
        env = self.env
        start = env.now
        for d in delays:
            if start + d > env.now:
                yield env.timeout(start + d - env.now)
            if not voyage.at_sea:
                return
            zone = _next_zone(voyage, env.now)
            if zone:
                self.recorder.zone_events.append(ZoneEvent(env.now, zone, "tip"))
            done = yield from self._intercept(voyage)
            if done:
                return

    def _reach(self, vessel: PatrolVessel, voyage: Voyage, now: float) -> Reach | None:
        """When and where the vessel can board the cargo inside an enforcement zone.

        The Coast Guard acts only on the Chinese side, so the interception is
        planned where the cargo will be inside the next zone on its way (on this
        leg, or on the barge's or the run-in's after it): the vessel dashes there
        and boards as soon as both have arrived.
        """
        slat, slon = self.geography.zones[vessel.zone.name].station
        t = self.in_force.params.tips
        for zone, t_in, t_out, leg, start in voyage.stretches():
            if t_out <= now:
                continue
            at = max(now, t_in)
            for _ in range(5):  # fixed point: the cargo moves while the patrol closes in
                lat, lon = leg.position(at - start)
                dash = geo.great_circle_nm(slat, slon, lat, lon) / vessel.dash_knots
                at = max(now, t_in, now + dash)
            if dash <= t.max_intercept_hours and at < min(t_out, voyage.eta):
                return new_tuple(
                    Reach, (dash, at, dash * vessel.dash_knots / vessel.speed_knots, zone)
                )
        return None

    def _nearest(self, voyage: Voyage, now: float) -> tuple[Reach, PatrolVessel] | None:
        """The free patrol with the shortest dash to a meeting point, and that point (of
        two as near, the one that can board sooner)."""
        best: tuple[Reach, PatrolVessel] | None = None
        # A reach depends on the vessel only through its station and speeds, which the
        # vessels of a group on one station share: work each one out once.
        reaches: dict[tuple[str, float, float], Reach | None] = {}
        for v in self.coast_guard.free_vessels():
            key = (v.zone.name, v.dash_knots, v.speed_knots)
            if key in reaches:
                reach = reaches[key]
            else:
                reach = reaches[key] = self._reach(v, voyage, now)
            if reach is not None and (best is None or reach[:2] < best[0][:2]):
                best = (reach, v)
        return best

    def _intercept(self, voyage: Voyage) -> Generator[simpy.Event, Any, bool]:
        """Send the nearest free patrol; True once the voyage is over (seized or not).

        The patrol waits on station, still searching, until it must leave to meet the
        cargo, unless its time on station ends first: then it goes at once, as it would
        have to leave anyway. When it is time to leave, the plan is made again, so a
        patrol that has left station meanwhile (an escort, a new zone) is replaced by
        the nearest one free then, and a new dash speed or a delayed cargo is allowed for.
        """
        env, cg = self.env, self.coast_guard
        while True:
            found = self._nearest(voyage, env.now)
            if found is None:
                return False
            (dash, at, back, zone), vessel = found
            leave = at - dash
            if leave > env.now + WAIT_TOLERANCE_HOURS and vessel.on_station_until >= leave:
                vessel.reserved = True
                yield env.timeout(leave - env.now)
                vessel.reserved = False
                if not voyage.at_sea:
                    return True
                continue
            cg.dispatch(vessel)
            yield env.timeout(at - env.now)
            break
        # The tip proves right with its accuracy, if the cargo is where it was expected
        # (a loitering ship may not have started its run in yet).
        if (
            voyage.at_sea
            and self.rng.random() < self.in_force.params.tips.accuracy
            and voyage.inside(zone, env.now)
        ):
            voyage.process.interrupt(Intercept(vessel, zone))
            return True
        cg.release(vessel, back)
        return not voyage.at_sea


WAIT_TOLERANCE_HOURS = 1e-6
"""A wait shorter than this is no wait: re-planning at the moment to leave gives the
same leaving time back up to rounding, which must not start another wait."""


class Reach(NamedTuple):
    """A patrol's way to a tipped cargo: its dash (hours), when it can board, the hours
    back to station from there, and the zone of the boarding."""

    dash: float
    at: float
    back: float
    zone: str


def _next_zone(voyage: Voyage, now: float) -> str:
    """The zone the cargo is in or will enter next on its way ("" if none is left)."""
    for zone, _, t_out, _, _ in voyage.stretches():
        if t_out > now:
            return zone
    return ""
