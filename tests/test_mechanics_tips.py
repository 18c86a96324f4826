"""A tip's interception planned from the geometry, by hand: a patrol on station at S
dashes at 20 kn to a cargo in zone z; it boards when both are there, if the dash fits
the longest allowed and the cargo is still in the zone (and at sea)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest
from builders import section

from sim.model import ledger as L
from sim.model.tips import Reach, Tips
from sim.scenario.trade import Tips as TipRules
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


def test_the_chance_to_tip_saturates_with_the_reward() -> None:
    """p(R) = p0 + (p_max - p0) R / (R + R_half) with p0 = 0.1, p_max = 0.5, R_half = 100,000:
    0.1 with no reward, halfway (0.3) at R_half, three quarters of the way (0.4) at 3 R_half."""
    from sim.model.tips import tip_probability

    assert tip_probability(0.0, 0.1, 0.5, 1e5) == pytest.approx(0.1)
    assert tip_probability(1e5, 0.1, 0.5, 1e5) == pytest.approx(0.3)
    assert tip_probability(3e5, 0.1, 0.5, 1e5) == pytest.approx(0.4)


def test_the_reward_is_fixed_or_a_share_of_the_cargo_up_to_the_cap() -> None:
    """A fixed 50,000; or 5% of the cargo's value, capped at 100,000: 80,000 on a cargo of
    1.6 million, the cap on one of 4 million."""
    from sim.model.tips import reward_for

    rule = {"reward_fixed_rmb": 50_000.0, "reward_share": 0.05, "reward_cap_rmb": 100_000.0}
    fixed = section(TipRules(reward_rule="fixed", **rule))
    share = section(TipRules(reward_rule="share", **rule))
    assert reward_for(1.6e6, fixed) == 50_000.0
    assert reward_for(1.6e6, share) == pytest.approx(80_000.0)
    assert reward_for(4e6, share) == 100_000.0


class _Draws:
    """Random numbers in a given order."""

    def __init__(self, uniforms: list[float], exponentials: list[float] | None = None) -> None:
        self.uniforms, self.exponentials = list(uniforms), list(exponentials or [])

    def random(self) -> float:
        return self.uniforms.pop(0)

    def exponential(self) -> float:
        return self.exponentials.pop(0)


def _watching(knowers: int, uniforms: list[float], exponentials: list[float]) -> Any:
    """Tips on a cargo sailing at 10 h: a fixed reward of 100,000 = R_half, so each knower
    tips with p = 0.1 + 0.4 / 2 = 0.3, after Exp(1) x 4 h."""
    import simpy

    tips = Tips.__new__(Tips)
    tips.env = env = simpy.Environment(initial_time=10.0)
    tips.rng = _Draws(uniforms, exponentials)  # type: ignore[assignment]
    tips.in_force = SimpleNamespace(  # type: ignore[assignment]
        params=SimpleNamespace(
            tips=SimpleNamespace(
                knowers=knowers,
                reward_rule="fixed",
                reward_fixed_rmb=1e5,
                base_probability=0.1,
                max_probability=0.5,
                half_saturation_rmb=1e5,
                delay_hours_mean=4.0,
            )
        )
    )
    followed: list[tuple[Any, list[float]]] = []

    def idle() -> Any:
        yield env.timeout(0.0)

    def follow(voyage: Any, delays: list[float]) -> Any:
        followed.append((voyage, list(delays)))
        return idle()

    tips._follow = follow  # type: ignore[method-assign]
    voyage = SimpleNamespace(value=1.6e6, rec=SimpleNamespace(tips=0, first_tip_time=-1.0))
    tips.watch(voyage)  # type: ignore[arg-type]
    return voyage, followed, tips.rng


def test_each_knower_tips_with_the_chance_of_the_reward_after_its_own_delay() -> None:
    """Three knowers, p = 0.3: uniforms 0.29, 0.31, 0.05 make the first and third tip,
    after 2.0 x 4 = 8 h and 0.5 x 4 = 2 h; the tips are followed in time order, the first
    due at 10 + 2 = 12 h. One knower drawing 0.0 tips; nobody to tip, no draws at all."""
    voyage, followed, rng = _watching(3, [0.29, 0.31, 0.05], [2.0, 0.5])
    assert (voyage.rec.tips, voyage.rec.first_tip_time) == (2, 12.0)
    assert followed == [(voyage, [2.0, 8.0])]
    assert rng.uniforms == rng.exponentials == []
    voyage, followed, _ = _watching(1, [0.0], [1.0])
    assert (voyage.rec.tips, voyage.rec.first_tip_time, followed) == (1, 14.0, [(voyage, [4.0])])
    voyage, followed, rng = _watching(0, [0.0], [1.0])
    assert (voyage.rec.tips, voyage.rec.first_tip_time, followed) == (0, -1.0, [])
    assert rng.uniforms == [0.0]


def test_only_a_seizure_on_a_tip_pays_the_tipsters() -> None:
    """A cargo of 1.6 million seized on a tip at 7 h pays the share rule's 80,000 from the
    state to the tipsters; one seized by a patrol on search pays nothing."""
    posts: list[tuple[Any, ...]] = []
    tips = Tips.__new__(Tips)
    tips.env = SimpleNamespace(now=7.0)  # type: ignore[assignment]
    tips.ledger = SimpleNamespace(post=lambda *entry: posts.append(entry))  # type: ignore[assignment]
    tips.in_force = SimpleNamespace(  # type: ignore[assignment]
        params=SimpleNamespace(
            tips=SimpleNamespace(reward_rule="share", reward_share=0.05, reward_cap_rmb=1e5)
        )
    )
    searched = SimpleNamespace(value=1.6e6, rec=SimpleNamespace(id=4, reward_rmb=0.0))
    tips.rewarded(searched, None, "patrol")  # type: ignore[arg-type]
    assert posts == [] and searched.rec.reward_rmb == 0.0
    tipped = SimpleNamespace(value=1.6e6, rec=SimpleNamespace(id=5, reward_rmb=0.0))
    tips.rewarded(tipped, None, "tip")  # type: ignore[arg-type]
    assert tipped.rec.reward_rmb == pytest.approx(80_000.0)
    assert posts == [(7.0, L.STATE, L.TIPSTERS, tipped.rec.reward_rmb, "reward", 5)]


def test_once_a_tip_has_led_to_a_boarding_the_tips_still_queued_send_nobody() -> None:
    """Two knowers tip 1 h and 2 h after the cargo sailed (at 0). The patrol sent on the
    first dashes 49.1 nm at 20 kn (2.45 h) and boards at 3.45 h, when the second tip is
    already in; the cargo is taken, so the second tip sends no one: one dispatch, one
    boarding, one tip on the Coast Guard's record."""
    import simpy

    from sim.model.records import ZoneEvent

    env = simpy.Environment()
    near = _patrol()
    near.on_station_until, near.reserved = 0.0, False
    sent: list[Any] = []
    tips = _tips()
    tips.env, tips.rng = env, _Draws([0.0, 0.0])  # type: ignore[assignment]
    tips.in_force.params.tips.accuracy = 1.0
    tips.recorder = SimpleNamespace(zone_events=[])  # type: ignore[assignment]
    tips.coast_guard = SimpleNamespace(free_vessels=lambda: [near], dispatch=sent.append)  # type: ignore[assignment]
    boarded: list[Any] = []
    voyage = _voyage([("z", 0.0, 50.0)])
    voyage.at_sea, voyage.inside = True, lambda zone, t: zone == "z"
    voyage.process = SimpleNamespace(interrupt=boarded.append)
    env.process(tips._follow(voyage, [1.0, 2.0]))
    env.run()
    assert sent == [near]
    (boarding,) = boarded
    assert (boarding.patrol, boarding.zone) == (near, "z")
    assert env.now == pytest.approx(1.0 + D / 20.0)
    assert tips.recorder.zone_events == [ZoneEvent(1.0, "z", "tip")]
