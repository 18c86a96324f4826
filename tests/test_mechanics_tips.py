"""A tip's interception planned from the geometry, by hand: a patrol on station at S
dashes at 20 kn to a cargo in zone z; it boards when both are there, if the dash fits
the longest allowed and the cargo is still in the zone (and at sea)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from sim.model.tips import Reach, Tips
from sim.world import geo

pytestmark = pytest.mark.model

STATION = (35.0, 123.0)
CARGO = (35.0, 124.0)  # 49.1 nm east of the station
D = geo.great_circle_nm(*STATION, *CARGO)


def _tips(max_hours: float = 10.0, vessels: list[Any] | None = None) -> Tips:
    t = Tips.__new__(Tips)
    t.geography = SimpleNamespace(  # type: ignore[assignment]
        zones={"home": SimpleNamespace(station=STATION), "far": SimpleNamespace(station=(30, 120))}
    )
    t.in_force = SimpleNamespace(  # type: ignore[assignment]
        params=SimpleNamespace(tips=SimpleNamespace(max_intercept_hours=max_hours))
    )
    t.coast_guard = SimpleNamespace(free_vessels=lambda: vessels or [])  # type: ignore[assignment]
    return t


def _patrol(zone: str = "home") -> Any:
    return SimpleNamespace(zone=SimpleNamespace(name=zone), dash_knots=20.0, speed_knots=10.0)


def _voyage(stretches: list[tuple[str, float, float]], eta: float = 1e9, move: Any = None) -> Any:
    leg = SimpleNamespace(position=move or (lambda h: CARGO))
    return SimpleNamespace(
        stretches=lambda: iter([(z, a, b, leg, 0.0) for z, a, b in stretches]), eta=eta
    )


def test_the_patrol_boards_when_both_have_arrived() -> None:
    dash = D / 20.0
    # The cargo is in the zone already: boarded after the dash; back at cruising speed.
    assert _tips()._reach(_patrol(), _voyage([("z", 1.0, 50.0)]), 0.0) == Reach(
        pytest.approx(dash), pytest.approx(dash), pytest.approx(D / 10.0), "z"
    )
    # It enters later: the patrol waits for it there.
    reach = _tips()._reach(_patrol(), _voyage([("z", 5.0, 50.0)]), 0.0)
    assert reach is not None and reach.at == 5.0


def test_no_interception_when_the_cargo_leaves_first_or_the_dash_is_too_long() -> None:
    dash = D / 20.0
    assert _tips()._reach(_patrol(), _voyage([("z", 0.0, dash - 0.01)]), 0.0) is None
    assert _tips()._reach(_patrol(), _voyage([("z", 0.0, dash)]), 0.0) is None  # leaves as it comes
    assert _tips()._reach(_patrol(), _voyage([("z", 0.0, 50.0)], eta=dash - 0.01), 0.0) is None
    assert _tips(max_hours=dash - 0.01)._reach(_patrol(), _voyage([("z", 0, 50.0)]), 0.0) is None
    # A dash of exactly the limit is allowed.
    assert _tips(max_hours=dash)._reach(_patrol(), _voyage([("z", 0.0, 50.0)]), 0.0) is not None


def test_a_stretch_already_sailed_is_skipped_for_the_next() -> None:
    voyage = _voyage([("a", 0.0, 3.0), ("b", 6.0, 40.0)])
    reach = _tips()._reach(_patrol(), voyage, 3.0)
    assert reach is not None and (reach.zone, reach.at) == ("b", 6.0)


def test_a_moving_cargo_is_met_where_it_will_be() -> None:
    """The cargo sails east from CARGO at 2 kn: the meeting time t solves
    t = |S - x(t)| / 20, found here by bisection."""
    per_degree = geo.great_circle_nm(35.0, 124.0, 35.0, 125.0)

    def x(h: float) -> tuple[float, float]:
        return (35.0, 124.0 + 2.0 * h / per_degree)

    lo, hi = 0.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if geo.great_circle_nm(*STATION, *x(mid)) / 20.0 > mid else (lo, mid)
    reach = _tips()._reach(_patrol(), _voyage([("z", 0.0, 50.0)], move=x), 0.0)
    assert reach is not None and reach.at == pytest.approx(lo, abs=1e-4)


def test_the_nearest_free_patrol_is_sent() -> None:
    near, far = _patrol("home"), _patrol("far")
    tips = _tips(max_hours=1e6, vessels=[far, near])
    found = tips._nearest(_voyage([("z", 0.0, 1e5)]), 0.0)
    assert found is not None and found[1] is near
    assert _tips(vessels=[])._nearest(_voyage([("z", 0.0, 50.0)]), 0.0) is None


def test_a_false_tip_sends_the_patrol_out_and_back_and_seizes_nothing() -> None:
    """Accuracy 0: every voyage is tipped and the patrol goes, but boards nobody; each
    trip out ends with the patrol back on station, the dash back at cruising speed."""
    from builders import run
    from test_trade import _patrol, _tip_world

    near = _patrol("near", "Lianyungang", "jiangsu_lianyungang")
    resolved = _tip_world(
        [near],
        tips={
            "knowers": 1,
            "base_probability": 1.0,
            "max_probability": 1.0,
            "accuracy": 0.0,
            "delay_hours_mean": 0.5,
        },
    )
    out = run(resolved)
    tipped = [s for s in out.shipments if s.tips]
    assert len(tipped) >= 10
    assert not any(s.outcome == "seized" for s in out.shipments)
    assert out.ledger == [] or all(e.reason != "reward" for e in out.ledger)
    events = [e for e in out.patrol_events if e.vessel == "near#1"]
    trips = [(a, b) for a, b in itertools.pairwise(events) if a.reason == "tip"]
    assert len(trips) >= 10
    # Each tip is recorded in the zone the cargo is in or heading for.
    tip_zones = {e.zone for e in out.zone_events if e.kind == "tip"}
    assert tip_zones == {"jiangsu_lianyungang"}
    g = resolved.scenario.patrols[0]
    for leave, back in trips:
        assert back.on_station and back.reason == "station"
        # Out at dash speed, back at cruising speed over the same distance.
        off = back.time - leave.time
        dash = off / (1.0 + g.dash_speed_knots / g.speed_knots)
        assert 0.0 < dash <= resolved.scenario.tips.max_intercept_hours
