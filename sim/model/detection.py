"""Detection of a voyage against a time-varying search rate.

A voyage carries the hazard it still needs before the next contact, drawn as
an Exp(1) variate. Inside a zone the hazard accrues at the zone's current
rate. The voyage sleeps until its contact would come at that rate, or until
it leaves the zone; when the rate changes meanwhile, the zone interrupts it
and it re-plans against the new rate, so the contact time is drawn against
the cumulative hazard, not a fixed rate. A contact becomes a boarding with
the recognition probability; otherwise the search goes on with a fresh
Exp(1) requirement (a thinned Poisson process of contacts).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.patrols import RATE_CHANGED, PatrolVessel, ZoneState
from sim.model.records import Shipment
from sim.model.rng import Draws


class Exposure:
    """The search a single voyage is subjected to across the zones on its route."""

    __slots__ = ("knots", "need", "p_board", "rec", "rng", "scale")

    def __init__(
        self, rng: Draws, p_board: float, rec: Shipment, knots: float, scale: float = 1.0
    ) -> None:
        self.rng = rng
        self.knots = knots  # the ship's speed: the search rate is relative to it
        self.p_board = p_board
        self.scale = scale  # the zone's rate against this ship (AIS off: a lever)
        self.rec = rec  # contacts are counted on the shipment's record
        self.need = rng.exponential()

    def search(
        self,
        env: simpy.Environment,
        zone: ZoneState,
        t_out: float,
        proc: simpy.Process | None = None,
    ) -> Generator[simpy.Event, Any, PatrolVessel | None]:
        """Stay in ``zone`` until ``t_out``; return the boarding vessel if one boards first.

        ``proc``: the voyage's process, the one searching (by default the active one)."""
        if proc is None:
            proc = env.active_process
        assert proc is not None, "search runs inside a voyage's process"
        while True:
            now = env.now
            left = t_out - now
            if left <= 0.0:
                return None
            rate = zone.rate_against(self.knots) * self.scale
            to_hit = self.need / rate if rate > 0.0 else left + 1.0
            hit = to_hit <= left
            zone.searching.append(proc)
            try:
                yield env.timeout(to_hit if hit else left)
            except simpy.Interrupt as why:
                if why.cause != RATE_CHANGED:  # an intercept on a tip: stop searching
                    if proc in zone.searching:
                        zone.searching.remove(proc)
                    raise
                t = env.now
                self.need -= rate * (t - now)  # the zone has unlisted us
                if not (hit and t >= now + to_hit):
                    continue
            else:
                zone.searching.remove(proc)
                if not hit:
                    self.need -= rate * left
                    continue
            # The hazard requirement is met: a contact.
            self.need = self.rng.exponential()
            rec = self.rec
            rec.contacts += 1
            if rec.contacts == 1:
                rec.first_contact_time = env.now
            if self.rng.random() < self.p_board:
                return zone.pick(self.rng, self.knots)
