"""Detection against a changing search rate, traced by hand: a voyage's Exp(1) hazard
requirement, carried from zone to zone, re-planned when the rate changes, thinned into
boardings. Every random number is fixed, so each contact's time is exact."""

from __future__ import annotations

from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

import pytest
import simpy

from sim.model.detection import Exposure
from sim.model.patrols import RATE_CHANGED

pytestmark = pytest.mark.model

KNOTS = 10.0


class Fixed:
    """Draws in a given order: the hazard requirements and the boarding uniforms."""

    def __init__(self, needs: list[float], uniforms: list[float]) -> None:
        self.needs, self.uniforms = list(needs), list(uniforms)

    def exponential(self) -> float:
        return self.needs.pop(0)

    def random(self) -> float:
        return self.uniforms.pop(0)


class Zone:
    """A zone searched at ``rate`` an hour against a ship at KNOTS (none at other speeds);
    ``change`` re-plans the voyages in it, as ZoneState does when a vessel comes or goes."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.searching: list[simpy.Process] = []

    def rate_against(self, knots: float) -> float:
        return self.rate if knots == KNOTS else 0.0

    def pick(self, rng: Any, knots: float) -> str:
        return "boarding vessel"

    def change(self, rate: float) -> None:
        self.rate = rate
        waiting, self.searching = self.searching, []
        for proc in waiting:
            proc.interrupt(RATE_CHANGED)


def _voyage(
    exposure: Exposure, legs: list[tuple[Zone, float]]
) -> tuple[simpy.Environment, list[Any]]:
    """Sail ``legs`` (zone, hours in it) one after another; returns the boarding vessel (or
    None) and the time, once run."""
    env = simpy.Environment()
    result: list[Any] = []

    def sail() -> Generator[simpy.Event, Any, None]:
        for zone, hours in legs:
            vessel = yield from exposure.search(env, zone, env.now + hours)  # type: ignore[arg-type]
            if vessel is not None:
                result.extend([vessel, env.now])
                return
        result.extend([None, env.now])

    env.process(sail())
    return env, result


def _record() -> Any:
    return SimpleNamespace(contacts=0, first_contact_time=None)


def test_a_contact_exactly_at_the_zones_edge_counts_and_the_first_one_is_timed() -> None:
    """Need 1 at 0.5 an hour in a 2 h crossing: the contact falls at its very end (not
    boarded: uniform 0.9 >= 0.5). The next zone, 1 an hour, meets the fresh need 3 at
    t = 5, and that contact is boarded (0.1 < 0.5); the first contact stays timed at 2."""
    rec = _record()
    exposure = Exposure(Fixed([1.0, 3.0, 9.0], [0.9, 0.1]), 0.5, rec, KNOTS)  # type: ignore[arg-type]
    env, result = _voyage(exposure, [(Zone(0.5), 2.0), (Zone(1.0), 5.0)])
    env.run()
    assert result == ["boarding vessel", 5.0]
    assert rec.contacts == 2 and rec.first_contact_time == 2.0
    # The same edge contact in the last zone of the voyage: still a contact, boarded.
    last = Exposure(Fixed([1.0, 9.0], [0.0]), 0.5, _record(), KNOTS)  # type: ignore[arg-type]
    env, result = _voyage(last, [(Zone(0.5), 2.0)])
    env.run()
    assert result == ["boarding vessel", 2.0]


def test_the_hazard_met_in_one_zone_is_carried_into_the_next() -> None:
    """Need 1: 0.1 an hour for 2 h uses 0.2 of it; the 0.8 left takes 2 h at 0.4 an hour,
    so the (boarded) contact comes at t = 4."""
    exposure = Exposure(Fixed([1.0, 9.0], [0.0]), 1.0, _record(), KNOTS)  # type: ignore[arg-type]
    env, result = _voyage(exposure, [(Zone(0.1), 2.0), (Zone(0.4), 8.0)])
    env.run()
    assert result == ["boarding vessel", 4.0]


def test_a_short_crossing_is_searched_and_the_scale_multiplies_the_rate() -> None:
    """Half an hour at 4 an hour meets need 1 at t = 0.25. With the AIS-off scale 2 the
    same need is met in half the time at 0.5 an hour: at t = 1."""
    quick = Exposure(Fixed([1.0, 9.0], [0.0]), 1.0, _record(), KNOTS)  # type: ignore[arg-type]
    env, result = _voyage(quick, [(Zone(4.0), 0.5)])
    env.run()
    assert result == ["boarding vessel", 0.25]
    scaled = Exposure(Fixed([1.0, 9.0], [0.0]), 1.0, _record(), KNOTS, 2.0)  # type: ignore[arg-type]
    env, result = _voyage(scaled, [(Zone(0.5), 3.0)])
    env.run()
    assert result == ["boarding vessel", 1.0]


def test_a_rate_change_replans_against_the_hazard_still_needed() -> None:
    """Need 2 at 0.5 an hour would be met at t = 4; at t = 1 the rate doubles, with 1.5 of
    the need left: met 1.5 h later, at t = 2.5."""
    zone = Zone(0.5)
    exposure = Exposure(Fixed([2.0, 9.0], [0.0]), 1.0, _record(), KNOTS)  # type: ignore[arg-type]
    env, result = _voyage(exposure, [(zone, 10.0)])

    def surge() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)
        zone.change(1.0)

    env.process(surge())
    env.run()
    assert result == ["boarding vessel", 2.5]
