"""Smugglers' timing, on hand-built legs: the hazard a leg meets, when it counts as a
surge, and exactly how long a ship waits one out."""

from __future__ import annotations

from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

import pytest
import simpy

from sim.model.timing import hazard, hold, surging

pytestmark = pytest.mark.model


class _Zone(SimpleNamespace):
    """A zone whose search rate a test sets by hand, whatever the ship's speed."""

    def rate_against(self, knots: float) -> float:
        return float(self.rate)


def _leg(*spans: tuple[str, SimpleNamespace | None, float, float]) -> Any:
    return SimpleNamespace(zones=list(spans), speed_knots=10.0)


def test_a_legs_hazard_is_rate_times_hours_summed_over_its_zones() -> None:
    leg = _leg(("a", None, 0.0, 2.0), ("b", None, 3.0, 7.0), ("a", None, 10.0, 11.0))
    # a: 0.5 x (2 + 1) h; b: 0.25 x 4 h; a zone with no rate adds nothing.
    assert hazard(leg, {"a": 0.5, "b": 0.25}) == pytest.approx(2.5)
    assert hazard(leg, {"a": 0.5}) == pytest.approx(1.5)


def _coast_guard(usual: dict[str, float]) -> Any:
    return SimpleNamespace(usual_rate=usual, usual_against=lambda knots: usual)


def test_a_leg_surges_only_when_todays_hazard_exceeds_ratio_times_the_usual() -> None:
    zone = _Zone(rate=0.3)
    leg = _leg(("a", zone, 0.0, 10.0), ("gap", None, 10.0, 20.0))
    cg = _coast_guard({"a": 0.1})  # usual 1.0, today 3.0
    assert surging(cg, leg, 2.0)
    assert not surging(cg, leg, 3.0)  # equal is not a surge
    assert not surging(cg, leg, 4.0)
    # No usual hazard: any patrol at all is a surge; none is not.
    assert surging(_coast_guard({}), leg, 2.0)
    zone.rate = 0.05  # today's hazard 0.5: still more than none
    assert surging(_coast_guard({}), leg, 2.0)
    zone.rate = 0.0
    assert not surging(_coast_guard({}), leg, 2.0)


def test_the_usual_hazard_is_read_at_the_ships_own_speed() -> None:
    """Against a ship at 10 kn the usual rate is 0.1 (usual hazard 1.0 over 10 h), against
    one at 20 kn 0.2 (usual 2.0): today's 0.3 x 10 h = 3.0 is a surge at a ratio of 2 for
    the slow ship only. The usual rate must be read at the speed the leg is sailed at."""
    zone = _Zone(rate=0.3)
    slow = _leg(("a", zone, 0.0, 10.0))
    fast: Any = SimpleNamespace(zones=slow.zones, speed_knots=20.0)
    asked: list[float] = []

    def usual_against(knots: float) -> dict[str, float]:
        asked.append(knots)
        return {"a": 0.01 * knots}

    cg: Any = SimpleNamespace(usual_against=usual_against)
    assert surging(cg, slow, 2.0)
    assert not surging(cg, fast, 2.0)
    assert asked == [10.0, 20.0]


def _wait(rate_until: float, max_hours: float, check_hours: float) -> tuple[float, float]:
    """A leg at 3x its usual hazard until ``rate_until`` (at the usual from then), with a
    surge ratio of 2; returns (now, waited) at sailing."""
    env = simpy.Environment()
    zone = _Zone(rate=0.3 if rate_until > 0 else 0.1)
    leg = _leg(("a", zone, 0.0, 10.0))
    cg = _coast_guard({"a": 0.1})
    rec = SimpleNamespace(waited_hours=1.0)
    adapt = SimpleNamespace(surge_ratio=2.0, check_hours=check_hours)

    def calm() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(rate_until)
        zone.rate = 0.1

    result: list[float] = []

    def ship() -> Generator[simpy.Event, Any, None]:
        waited = yield env.process(hold(env, cg, rec, leg, max_hours, adapt))  # type: ignore[arg-type]
        result.append(waited)

    env.process(calm())
    env.process(ship())
    env.run()
    assert rec.waited_hours == pytest.approx(1.0 + result[0])  # added to what it had waited
    return env.now, result[0]


def test_a_ship_looks_again_every_check_and_sails_at_the_first_look_after_the_surge() -> None:
    # Surge ends at 5 h; looks at 0, 2, 4, 6: sails at 6.
    _now, waited = _wait(rate_until=5.0, max_hours=100.0, check_hours=2.0)
    assert waited == pytest.approx(6.0)


def test_a_surge_that_lasts_is_waited_out_only_to_the_limit() -> None:
    # Looks every 2 h, limit 5 h: waits 2 + 2 + 1.
    _, waited = _wait(rate_until=1e6, max_hours=5.0, check_hours=2.0)
    assert waited == pytest.approx(5.0)


def test_no_surge_no_wait() -> None:
    _, waited = _wait(rate_until=0.0, max_hours=50.0, check_hours=2.0)
    assert waited == 0.0
