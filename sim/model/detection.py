"""Detection of a voyage against a time-varying search rate.

A voyage carries the hazard it still needs before the next contact, drawn as
an Exp(1) variate. Inside a zone the hazard accrues at the zone's current
rate; whenever that rate changes the remaining time is re-planned, so the
contact time is drawn against the cumulative hazard, not a fixed rate. A
contact becomes a boarding with the recognition probability; otherwise the
search simply goes on with a fresh Exp(1) requirement (a thinned Poisson
process of contacts).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.model.patrols import CoastGuard, PatrolVessel, ZoneState


@dataclass(slots=True)
class Contact:
    """A successful boarding: who, where and when (hours since departure)."""

    vessel: PatrolVessel
    zone: str


class Exposure:
    """The search a single voyage is subjected to across the zones on its route."""

    __slots__ = ("contacts", "first_contact", "need", "p_board", "rng")

    def __init__(self, rng: np.random.Generator, p_board: float) -> None:
        self.rng = rng
        self.p_board = p_board
        self.need = rng.exponential()
        self.contacts = 0
        self.first_contact = float("nan")

    def search(
        self, env: simpy.Environment, cg: CoastGuard, zone: ZoneState, t_out: float
    ) -> Generator[simpy.Event, Any, Contact | None]:
        """Stay in ``zone`` until ``t_out``; return the boarding if one happens first."""
        while True:
            now = env.now
            left = t_out - now
            if left <= 0.0:
                return None
            rate = zone.rate
            to_hit = self.need / rate if rate > 0.0 else float("inf")
            if to_hit > left:
                changed = zone.changed
                yield env.timeout(left) | changed
                self.need -= rate * (env.now - now)
                continue
            changed = zone.changed
            yield env.timeout(to_hit) | changed
            if changed.triggered and env.now < now + to_hit:
                self.need -= rate * (env.now - now)
                continue
            # The hazard requirement is met: a contact.
            self.need = self.rng.exponential()
            self.contacts += 1
            if self.contacts == 1:
                self.first_contact = env.now
            if self.rng.random() < self.p_board:
                return Contact(cg.pick(zone, self.rng), zone.name)
