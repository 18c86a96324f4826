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
only when a tip leads to a seizure (``sim.model.enforcement``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, NamedTuple

import simpy

from sim.model.patrols import PatrolVessel
from sim.model.records import ZoneEvent
from sim.world import geo

if TYPE_CHECKING:
    from sim.model.model import Model
    from sim.model.voyages import Voyage


def tip_probability(reward: float, p0: float, p_max: float, half: float) -> float:
    return p0 + (p_max - p0) * reward / (reward + half)


class Tips:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.rng = model.rng["tips"]

    def watch(self, voyage: Voyage) -> None:
        """Decide, as the cargo sails, who among its knowers will tip and when."""
        t, env = self.model.params.tips, self.model.env
        if t.knowers == 0:
            return
        reward = self.model.enforcement.reward_for(voyage.value)
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

    def _follow(self, voyage: Voyage, delays: list[float]) -> Generator[simpy.Event, Any, None]:
        env = self.model.env
        start = env.now
        for d in delays:
            if start + d > env.now:
                yield env.timeout(start + d - env.now)
            if not voyage.at_sea:
                return
            zone = _next_zone(voyage, env.now)
            if zone:
                self.model.recorder.zone_events.append(ZoneEvent(env.now, zone, "tip"))
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
        slat, slon = self.model.geography.zones[vessel.zone.name].station
        t = self.model.params.tips
        for zone, t_in, t_out, leg, start in voyage.stretches():
            if t_out <= now:
                continue
            at = max(now, t_in)
            for _ in range(5):  # fixed point: the cargo moves while the patrol closes in
                lat, lon = leg.position(at - start)
                dash = geo.great_circle_nm(slat, slon, lat, lon) / vessel.dash_knots
                at = max(now, t_in, now + dash)
            if dash <= t.max_intercept_hours and at < min(t_out, voyage.eta):
                return Reach(dash, at, dash * vessel.dash_knots / vessel.speed_knots, zone)
        return None

    def _nearest(self, voyage: Voyage, now: float) -> tuple[Reach, PatrolVessel] | None:
        """The free patrol with the shortest dash to a meeting point, and that point (of
        two as near, the one that can board sooner)."""
        best: tuple[Reach, PatrolVessel] | None = None
        for v in self.model.coast_guard.free_vessels():
            reach = self._reach(v, voyage, now)
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
        model, env = self.model, self.model.env
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
            model.coast_guard.dispatch(vessel)
            yield env.timeout(at - env.now)
            break
        # The tip proves right with its accuracy, if the cargo is where it was expected
        # (a loitering ship may not have started its run in yet).
        if (
            voyage.at_sea
            and self.rng.random() < model.params.tips.accuracy
            and voyage.inside(zone, env.now)
        ):
            from sim.model.voyages import Intercept

            voyage.process.interrupt(Intercept(vessel, zone))
            return True
        model.coast_guard.release(vessel, back)
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
