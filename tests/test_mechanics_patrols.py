"""Patrol duty cycles and search rates as exact traces on a purpose-built world: 10 h on
station, 5 h back, 5 h in base, 5 h out (a 25 h cycle), sweep width W at v knots in a
zone of sea area A searching at n W v / A."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from builders import OPEN_SEA_BOX, run, search_world

from sim.experiment.seeds import replication_seed
from sim.model.duty import delays_until, mean_sweep, usual_rates
from sim.model.model import Model
from sim.model.patrols import ZoneState
from sim.model.rng import Draws
from sim.world import geo

pytestmark = pytest.mark.model

CYCLE = {"endurance_hours": 10.0, "transit_hours": 5.0, "turnaround_hours": 5.0}


def _events(out: Any, vessel: str) -> list[tuple[float, bool, str]]:
    return [(e.time, e.on_station, e.reason) for e in out.patrol_events if e.vessel == vessel]


def test_a_duty_cycle_is_station_back_base_out_to_the_hour() -> None:
    out = run(search_world(vessels=1, horizon_days=3.0, **CYCLE))
    assert _events(out, "test_patrol#1") == [
        (0.0, True, "station"),
        (10.0, False, "endurance"),
        (25.0, True, "station"),
        (35.0, False, "endurance"),
        (50.0, True, "station"),
        (60.0, False, "endurance"),
    ]


def test_staggered_vessels_start_evenly_spread_over_the_cycle() -> None:
    """Two vessels: the second starts half a cycle (12.5 h) in, 2.5 h into its run home,
    so it is next on station after 2.5 + 5 + 5 = 12.5 h."""
    out = run(search_world(vessels=2, horizon_days=2.0, start="staggered", **CYCLE))
    assert _events(out, "test_patrol#1")[:2] == [(0.0, True, "station"), (10.0, False, "endurance")]
    assert _events(out, "test_patrol#2")[:2] == [
        (12.5, True, "station"),
        (22.5, False, "endurance"),
    ]


def test_the_zone_rate_is_the_sum_of_w_v_over_the_area_of_the_vessels_on_station() -> None:
    resolved = search_world(vessels=3, sweep_width_nm=8.0, speed_knots=12.0, horizon_days=1.0)
    model = Model(resolved, replication_seed(7, 0))
    zone = model.coast_guard.zones["box"]
    model.env.run(until=1.0)
    area = resolved.geography.zones["box"].area_sq_nm
    assert len(zone.on_station) == 3
    assert zone.rate == pytest.approx(3 * 8.0 * 12.0 / area)
    model.coast_guard.dispatch(zone.on_station[0])
    assert zone.rate == pytest.approx(2 * 8.0 * 12.0 / area)


def test_the_usual_rate_is_the_duty_cycle_average_and_groups_in_one_zone_add() -> None:
    resolved = search_world(vessels=2, sweep_width_nm=8.0, speed_knots=12.0, **CYCLE)
    (g,) = resolved.scenario.patrols
    # W v times the share of the 25 h cycle spent on station.
    assert mean_sweep(g, 5.0) == pytest.approx(8.0 * 12.0 * 10.0 / 25.0)
    assert mean_sweep(g, 10.0) == pytest.approx(8.0 * 12.0 * 10.0 / 35.0)
    area = resolved.geography.zones["box"].area_sq_nm
    second = g.model_copy(update={"name": "second", "vessels": 1, "endurance_hours": 20.0})
    rates = usual_rates(resolved.geography, [g, second], {"test_patrol": 5.0, "second": 5.0})
    assert rates == {"box": pytest.approx((2 * 96.0 * 10 / 25 + 96.0 * 20 / 35) / area)}


def test_the_transit_is_harbour_leg_plus_run_to_station_at_patrol_speed() -> None:
    resolved = search_world(vessels=1, transit_hours=None, speed_knots=12.0)
    base = resolved.geography.ports["Lianyungang"]
    station = resolved.geography.zones["box"].station
    nm = geo.great_circle_nm(*base.position, *base.approach) + geo.great_circle_nm(
        *base.approach, *station
    )
    model = Model(resolved, replication_seed(7, 0))
    assert model.coast_guard.transit["test_patrol"] == pytest.approx(nm / 12.0)


def test_a_seized_ship_is_escorted_to_base_at_the_slower_of_the_two_speeds() -> None:
    resolved = search_world(vessels=1, horizon_days=1.0)  # patrol at 18 kn
    model = Model(resolved, replication_seed(7, 0))
    model.env.run(until=1.0)
    cg = model.coast_guard
    (v,) = cg.vessels
    base = v.base
    at = (35.8, 122.5)
    nm = geo.great_circle_nm(*at, *base.approach) + geo.great_circle_nm(
        *base.approach, *base.position
    )
    assert cg.escort_hours(v, at, 10.0) == pytest.approx(nm / 10.0)
    assert cg.escort_hours(v, at, 30.0) == pytest.approx(nm / 18.0)
    hours = cg.board(v, at, 10.0)
    assert hours == pytest.approx(nm / 10.0)
    assert cg.zones["box"].rate == 0.0  # off station while escorting
    model.env.run(until=2.0)
    assert _events_of(model, v.name)[-1] == (1.0, False, "escort")


def _events_of(model: Model, vessel: str) -> list[tuple[float, bool, str]]:
    return [
        (e.time, e.on_station, e.reason) for e in model.recorder.patrol_events if e.vessel == vessel
    ]


def test_an_escort_is_followed_by_turnaround_and_the_run_out() -> None:
    """Boarded at 1 h with an escort of h hours: in base at 1 + h, out again 5 h later,
    on station 5 h after that."""
    resolved = search_world(vessels=1, horizon_days=5.0, **CYCLE)
    model = Model(resolved, replication_seed(7, 0))
    model.env.run(until=1.0)
    (v,) = model.coast_guard.vessels
    hours = model.coast_guard.board(v, (35.8, 122.5), 10.0)
    model.env.run(until=60.0)
    assert _events_of(model, v.name)[1:3] == [
        (1.0, False, "escort"),
        (pytest.approx(1.0 + hours + 10.0), True, "station"),
    ]


def test_the_detecting_vessel_is_picked_in_proportion_to_its_sweep_rate() -> None:
    """Sweep widths 4 and 12 nm at one speed: the wider one makes 3/4 of the detections
    against a ship at any speed (4,000 picks: a 99% band of +-0.018)."""
    resolved = search_world(vessels=1, horizon_days=1.0, sweep_width_nm=4.0)
    wide = resolved.scenario.patrols[0].model_copy(update={"name": "wide", "sweep_width_nm": 12.0})
    resolved.scenario.patrols.append(wide)
    model = Model(resolved, replication_seed(7, 0))
    model.env.run(until=1.0)
    zone = model.coast_guard.zones["box"]
    rng = Draws(np.random.default_rng(1))
    picks = [zone.pick(rng, 10.0).group for _ in range(4000)]
    assert abs(picks.count("wide") / 4000 - 0.75) < 0.018
    one = zone.on_station[1]
    zone.on_station.remove(one)
    assert {zone.pick(rng, 10.0).name for _ in range(5)} == {zone.on_station[0].name}


def test_a_policy_retires_vessels_and_new_hulls_sail_out_from_base() -> None:
    """Day 1: the group goes from 2 to 3 vessels; day 2: down to 1; day 2.5: up to 2. A
    new hull arrives on station one transit (5 h) after its day; the cut vessels leave
    service on day 2."""
    always = {"endurance_hours": 1e7, "transit_hours": 5.0, "turnaround_hours": 5.0}
    policy = [
        {"day": 1.0, "set": {"patrols.test_patrol.vessels": 3}},
        {"day": 2.0, "set": {"patrols.test_patrol.vessels": 1}},
        {"day": 2.5, "set": {"patrols.test_patrol.vessels": 2}},
    ]
    out = run(search_world(vessels=2, horizon_days=3.0, policy=policy, **always))
    assert _events(out, "test_patrol#3")[0] == (29.0, True, "station")
    assert _events(out, "test_patrol#2")[-1] == (48.0, False, "retired")
    assert _events(out, "test_patrol#3")[-1] == (48.0, False, "retired")
    assert _events(out, "test_patrol#1") == [(0.0, True, "station")]
    assert out.patrol_service["test_patrol#3"] == [24.0, 48.0]
    assert out.patrol_service["test_patrol#1"][1] is None
    # Back up to 2 on day 2.5: the retired do not count, so one new hull, on station 5 h later.
    assert _events(out, "test_patrol#4") == [(65.0, True, "station")]


def test_a_vessel_spoken_for_by_a_tip_is_not_free_for_another() -> None:
    """Two vessels on station: one reserved by a tip (still searching, waiting to leave)
    is not offered for a second tip; once it is free again, both are."""
    model = Model(search_world(vessels=2, horizon_days=1.0), replication_seed(7, 0))
    model.env.run(until=1.0)
    cg = model.coast_guard
    first, second = cg.zones["box"].on_station
    first.reserved = True
    assert cg.free_vessels() == [second]
    first.reserved = False
    assert cg.free_vessels() == [first, second]


def test_only_a_dispatched_vessel_can_be_released() -> None:
    model = Model(search_world(vessels=1, horizon_days=1.0), replication_seed(7, 0))
    model.env.run(until=1.0)
    with pytest.raises(AssertionError, match=r"^only a dispatched vessel can be released$"):
        model.coast_guard.release(model.coast_guard.vessels[0], 2.0)


def test_a_vessel_in_transit_back_when_cut_leaves_service_at_the_end_of_that_leg() -> None:
    """Two vessels on station at 0 (10 h on, 5 h back, 5 h in base, 5 h out). At 12 h
    both are on the way back (10-15 h); a policy makes the turnaround 9 h and the group one
    vessel. #2 stops at the end of its run home, 15 h, without ever spending time in base;
    #1 turns round 15-24 (the new 9 h) and is on station again at 24 + 5 = 29 h."""
    policy = [
        {
            "day": 0.5,
            "set": {"patrols.test_patrol.turnaround_hours": 9.0, "patrols.test_patrol.vessels": 1},
        }
    ]
    out = run(search_world(vessels=2, horizon_days=2.0, policy=policy, **CYCLE))
    assert _events(out, "test_patrol#1")[:4] == [
        (0.0, True, "station"),
        (10.0, False, "endurance"),
        (29.0, True, "station"),
        (39.0, False, "endurance"),
    ]
    assert _events(out, "test_patrol#2") == [(0.0, True, "station"), (10.0, False, "endurance")]
    assert out.patrol_service["test_patrol#2"] == [0.0, 15.0]
    assert out.patrol_service["test_patrol#1"] == [0.0, None]
    # Time in base, for the cost accounts: #1 from 15 to 24 h; #2 none (in and out at 15 h).
    port = [entry for entry in out.patrol_port if entry[0] < 30.0]
    assert sorted(port) == [
        (15.0, "test_patrol#1", True),
        (15.0, "test_patrol#2", False),
        (15.0, "test_patrol#2", True),
        (24.0, "test_patrol#1", False),
    ]


def test_the_usual_rate_a_ship_expects_is_against_its_own_speed_and_fixed_at_the_start() -> None:
    """One vessel, W = 8 nm at u = 18 kn, on station 10 h of a 25 h cycle. Against a ship
    at the patrol's own speed on a random heading the mean relative speed is
    (1/2pi) int |u - u e^(i theta)| d theta = (1/2pi) int 2u |sin(theta/2)| d theta = 4u/pi;
    against a ship at rest it is u. The usual rate is W v (10/25) / A: what smugglers took
    as usual at the start, still the same after a policy doubles the patrols' speed (which
    changes their transit times)."""
    resolved = search_world(
        vessels=1, horizon_days=2.0, endurance_hours=10.0, turnaround_hours=5.0, transit_hours=None
    )
    resolved.scenario.patrols[0] = resolved.scenario.patrols[0].model_copy(
        update={"speed_knots": 18.0}
    )
    model = Model(resolved, replication_seed(7, 0))
    cg = model.coast_guard
    area = resolved.geography.zones["box"].area_sq_nm
    transit = cg.transit["test_patrol"]
    share = 10.0 / (10.0 + 2 * transit + 5.0)
    at_rest = cg.usual_against(0.0)["box"]
    same_speed = cg.usual_against(18.0)["box"]
    assert at_rest == pytest.approx(8.0 * 18.0 * share / area)
    assert same_speed == pytest.approx(8.0 * 4 * 18.0 / np.pi * share / area)
    faster = resolved.scenario.patrols[0].model_copy(update={"speed_knots": 36.0})
    cg.reconfigure(faster)
    assert cg.transit["test_patrol"] == pytest.approx(transit / 2)
    assert cg.usual_against(0.0)["box"] == at_rest
    assert cg.usual_against(18.0)["box"] == same_speed
    # a ship speed first asked for after the change still gets the start's duty cycle
    theta = np.linspace(0.0, 2 * np.pi, 200_000, endpoint=False)
    v_rel = float(np.mean(np.abs(18.0 - 9.0 * np.exp(1j * theta))))
    assert cg.usual_against(9.0)["box"] == pytest.approx(8.0 * v_rel * share / area, rel=1e-6)


def test_searching_at_the_patrols_own_speed_ignores_the_ships_speed() -> None:
    """``search_speed = "patrol"``: a zone's rate is W u / A at the patrols' own speed u,
    whatever the ship's speed, both on station now and as usual over the cycle; the
    detecting vessel is picked in proportion to W u. A 4 nm sweep at 36 kn and a 12 nm one
    at 12 kn: 144 each, so half the picks each (4,000 picks, a 99% band of +-0.021), where
    against a ship at 36 kn the relative speeds (4 x 36/pi = 45.8 kn and over 24 kn) would
    give the slow wide one more than half."""
    resolved = search_world(
        vessels=1,
        horizon_days=1.0,
        sweep_width_nm=4.0,
        speed_knots=36.0,
        detection={"recognition_probability": 0.0, "search_speed": "patrol"},
        **CYCLE,
    )
    wide = resolved.scenario.patrols[0].model_copy(
        update={"name": "wide", "sweep_width_nm": 12.0, "speed_knots": 12.0}
    )
    resolved.scenario.patrols.append(wide)
    model = Model(resolved, replication_seed(7, 0))
    model.env.run(until=1.0)
    cg = model.coast_guard
    zone = cg.zones["box"]
    area = resolved.geography.zones["box"].area_sq_nm
    for knots in (0.0, 12.0, 36.0):
        assert zone.rate_against(knots) == pytest.approx((4.0 * 36.0 + 12.0 * 12.0) / area)
        assert cg.usual_against(knots) == {
            "box": pytest.approx((4.0 * 36.0 + 12.0 * 12.0) * 10.0 / 25.0 / area)
        }
    rng = Draws(np.random.default_rng(1))
    picks = [zone.pick(rng, 36.0).group for _ in range(4000)]
    assert abs(picks.count("wide") / 4000 - 0.5) < 0.021


@pytest.mark.parametrize(
    ("now", "t"),
    [
        (0.1, 0.7),  # 0.7 - 0.1 = 0.6 lands exactly; one unit less would end short of 0.7
        (96.3, 145.7),  # a run of legs shorter than the time already gone
        (3.0, 3.0),  # no wait at all
    ],
)
def test_one_wait_for_several_legs_ends_at_exactly_the_time_the_legs_add_up_to(
    now: float, t: float
) -> None:
    """A vessel off station waits once for all its legs: the wait ``d`` must bring the clock
    from ``now`` to ``t`` exactly, or its return would fall one unit in the last place off
    the leg ends (and off every event keyed to them)."""
    assert delays_until(now, t) == [t - now]  # t - now is exact in each case
    (d,) = delays_until(now, t)
    assert now + d == t


def test_a_time_no_single_wait_reaches_is_reached_in_two() -> None:
    """1.1 + 0.7 + 2.6 + 0.7 is 5.1000000000000005 in floats, and no float d gives
    1.1 + d == that (a vessel leaving its station 1.1 h into a run with 0.7 h transits and a
    2.6 h turnaround): the wait is split at half of it, 2.5500000000000003, from where the
    rest is exactly the same half again."""
    now = 1.1
    t = ((now + 0.7) + 2.6) + 0.7
    assert t == 5.1000000000000005 and now + (t - now) != t
    waits = delays_until(now, t)
    assert waits == [t / 2 - now, t / 2]
    clock = now
    for d in waits:
        clock += d
    assert clock == t


@pytest.mark.parametrize(
    ("sent", "released", "leaves"),
    [(1.0, 3.0, 10.0), (1.0, 9.0, 11.0), (26.0, 28.0, 35.0)],
)
def test_a_patrol_back_from_a_false_tip_finishes_its_spell_on_station(
    sent: float, released: float, leaves: float
) -> None:
    """Spells on station of 10 h from 0 and from 25 h; sent on a tip and released with 2 h
    back. Sent at 1, released at 3: on station again at 5 with 10 - 5 = 5 h of its spell
    left, it leaves at 10. Released at 9: back at 11 with its spell over, it leaves at
    once. Sent at 26, released at 28: back at 30 with 10 - 5 h left, it leaves at 35."""
    model = Model(search_world(vessels=1, horizon_days=2.0, **CYCLE), replication_seed(7, 0))
    cg = model.coast_guard
    (v,) = cg.vessels
    model.env.run(until=sent)
    cg.dispatch(v)
    model.env.run(until=released)
    cg.release(v, 2.0)
    model.env.run(until=leaves + 1.0)
    assert [e for e in _events_of(model, v.name) if e[0] >= sent] == [
        (sent, False, "tip"),
        (released + 2.0, True, "station"),
        (leaves, False, "endurance"),
    ]


EAST_BOX = [[123.5, 35.5], [125.0, 35.5], [125.0, 36.5], [123.5, 36.5]]


@pytest.mark.parametrize("spare", [0.5, -0.5])
def test_a_reassigned_patrol_sails_station_to_station_on_its_endurance(spare: float) -> None:
    """On station in the box from 0 with endurance E; reassigned at 1 h to the zone east of
    it, h hours away at 18 kn. The run counts against E: with E = 1 + h + 0.5 it arrives
    with half an hour left and leaves at E; with E = 1 + h - 0.5 it arrives with none and
    heads home (5 h back, 5 in base, 5 out), on station in the east at 1 + h + 15."""
    zones = [{"name": "box", "polygon": OPEN_SEA_BOX}, {"name": "east", "polygon": EAST_BOX}]
    probe = search_world(vessels=1, zones=zones)
    box, east = probe.geography.zones["box"], probe.geography.zones["east"]
    h = geo.great_circle_nm(*box.station, *east.station) / 18.0
    endurance = 1.0 + h + spare
    resolved = search_world(
        vessels=1,
        horizon_days=3.0,
        zones=zones,
        endurance_hours=endurance,
        transit_hours=5.0,
        turnaround_hours=5.0,
    )
    model = Model(resolved, replication_seed(7, 0))
    cg = model.coast_guard
    (v,) = cg.vessels
    model.env.run(until=1.0)
    assert cg.reassign(v, cg.zones["east"])
    model.env.run(until=1.0 + h + 15.25)
    events = [(e.time, e.zone, e.on_station, e.reason) for e in model.recorder.patrol_events]
    if spare > 0:
        assert events == [
            (0.0, "box", True, "station"),
            (1.0, "box", False, "reassign"),
            (pytest.approx(1.0 + h), "east", True, "station"),
            (pytest.approx(endurance), "east", False, "endurance"),
        ]
    else:
        assert events == [
            (0.0, "box", True, "station"),
            (1.0, "box", False, "reassign"),
            (pytest.approx(1.0 + h + 15.0), "east", True, "station"),
        ]


def test_a_second_change_of_plan_on_the_way_home_counts_too() -> None:
    """One vessel on the way home (10-15 h): at 12 h a policy makes the turnaround 9 h, at
    14.4 h another makes it 7 h. Both are read before the turnaround begins at 15 h: in
    base until 22 h, on station at 27 h."""
    policy = [
        {"day": 0.5, "set": {"patrols.test_patrol.turnaround_hours": 9.0}},
        {"day": 0.6, "set": {"patrols.test_patrol.turnaround_hours": 7.0}},
    ]
    out = run(search_world(vessels=1, horizon_days=1.5, policy=policy, **CYCLE))
    assert _events(out, "test_patrol#1")[:3] == [
        (0.0, True, "station"),
        (10.0, False, "endurance"),
        (27.0, True, "station"),
    ]
    assert [entry for entry in out.patrol_port if entry[0] < 30.0] == [
        (15.0, "test_patrol#1", True),
        (22.0, "test_patrol#1", False),
    ]


def test_a_patrol_sent_on_a_tip_that_boards_escorts_then_turns_round() -> None:
    """Sent on a tip at 1 h, it boards at 3 h a ship making 10 kn (slower than its 18 kn),
    h hours from base: in base at 3 + h, out 5 h later, on station 5 h after that."""
    model = Model(search_world(vessels=1, horizon_days=5.0, **CYCLE), replication_seed(7, 0))
    cg = model.coast_guard
    (v,) = cg.vessels
    model.env.run(until=1.0)
    cg.dispatch(v)
    model.env.run(until=3.0)
    hours = cg.board(v, (35.8, 122.5), 10.0)
    model.env.run(until=60.0)
    assert _events_of(model, v.name)[1:3] == [
        (1.0, False, "tip"),
        (pytest.approx(3.0 + hours + 10.0), True, "station"),
    ]
    # In base from the end of the escort for the 5 h turnaround, for the cost accounts.
    assert model.recorder.patrol_port[:2] == [
        (pytest.approx(3.0 + hours), v.name, True),
        (pytest.approx(3.0 + hours + 5.0), v.name, False),
    ]


@pytest.mark.parametrize(
    ("endurance", "day", "on_station_again"),
    [
        # The turnaround begins at 7 + 5 = 12 h, the policy's very moment: it keeps its
        # 5 h (in base until 17, back on station at 22); the 9 h count from the next one.
        (7.0, 0.5, [(0.0, True), (7.0, False), (22.0, True), (29.0, False), (48.0, True)]),
        # The policy comes as the vessel arrives (9 + 5 + 5 + 5 = 24 h): it takes up its
        # station then; the next turnaround is 9 h (off 33, in base 38-47, on 52).
        (9.0, 1.0, [(0.0, True), (9.0, False), (24.0, True), (33.0, False), (52.0, True)]),
    ],
)
def test_a_change_at_the_very_moment_a_leg_begins_applies_from_the_next_leg(
    endurance: float, day: float, on_station_again: list[tuple[float, bool]]
) -> None:
    policy = [{"day": day, "set": {"patrols.test_patrol.turnaround_hours": 9.0}}]
    cycle = {"endurance_hours": endurance, "transit_hours": 5.0, "turnaround_hours": 5.0}
    out = run(search_world(vessels=1, horizon_days=2.5, policy=policy, **cycle))
    moves = [(t, on) for t, on, _ in _events(out, "test_patrol#1")]
    assert moves[:5] == on_station_again


def test_a_new_hull_arriving_as_a_policy_comes_takes_up_its_station() -> None:
    """Day 1: a second vessel, commissioned in base, 5 h out: due on station at 29 h. At
    29 h exactly (day 29/24) another policy changes the turnaround: the change of plan
    finds the run out already over, and the vessel is on station at 29 h."""
    always = {"endurance_hours": 1e7, "transit_hours": 5.0, "turnaround_hours": 5.0}
    policy = [
        {"day": 1.0, "set": {"patrols.test_patrol.vessels": 2}},
        {"day": 29 / 24, "set": {"patrols.test_patrol.turnaround_hours": 6.0}},
    ]
    out = run(search_world(vessels=1, horizon_days=2.0, policy=policy, **always))
    assert _events(out, "test_patrol#2") == [(29.0, True, "station")]


def test_a_zone_no_vessel_has_reached_yet_is_not_searched() -> None:
    """Before any vessel comes on station nobody searches the zone: its rate is 0, both at
    the patrols' own speed and against a ship's speed (a zone patrolled only by vessels
    that start in base is unsearched until the first arrives)."""
    zone = search_world().geography.zones["box"]
    for relative in (False, True):
        assert ZoneState(zone, relative).rate_against(12.0) == 0.0


def test_a_patrol_reassigned_in_a_later_spell_counts_only_that_spells_hours() -> None:
    """10 h on station, 5 h back, 5 in base, 5 out: the second spell on station in the box
    runs 25-35 h. Reassigned at 26 h to the zone east, h hours away at 18 kn (h < 9): it
    has used 26 + h - 25 = 1 + h of the spell's 10 h on arrival at 26 + h, so 9 - h are
    left and it leaves the east for home at 26 + h + 9 - h = 35 h, when the spell ends."""
    zones = [{"name": "box", "polygon": OPEN_SEA_BOX}, {"name": "east", "polygon": EAST_BOX}]
    resolved = search_world(vessels=1, horizon_days=3.0, zones=zones, **CYCLE)
    box, east = resolved.geography.zones["box"], resolved.geography.zones["east"]
    h = geo.great_circle_nm(*box.station, *east.station) / 18.0
    assert 0.0 < h < 9.0
    model = Model(resolved, replication_seed(7, 0))
    cg = model.coast_guard
    (v,) = cg.vessels
    model.env.run(until=26.0)
    assert cg.reassign(v, cg.zones["east"])
    model.env.run(until=36.0)
    events = [(e.time, e.zone, e.on_station, e.reason) for e in model.recorder.patrol_events]
    assert events[2:] == [
        (25.0, "box", True, "station"),
        (26.0, "box", False, "reassign"),
        (pytest.approx(26.0 + h), "east", True, "station"),
        (pytest.approx(35.0), "east", False, "endurance"),
    ]


def test_a_change_of_plan_rewrites_only_its_own_spell_in_base() -> None:
    """Two vessels, both on station 0-10 h, then 5 h back: each records its coming spell in
    base, 15-20 h, as it leaves (#1 first, then #2). At 12 h #1, on its way back, is
    reassigned to the zone east; with the fixed 5 h transit its plan is the same, and the
    re-plan rewrites #1's two entries in place: #2's spell must stay as it was."""
    zones = [{"name": "box", "polygon": OPEN_SEA_BOX}, {"name": "east", "polygon": EAST_BOX}]
    resolved = search_world(vessels=2, horizon_days=1.0, zones=zones, **CYCLE)
    model = Model(resolved, replication_seed(7, 0))
    cg = model.coast_guard
    one, two = cg.vessels
    model.env.run(until=12.0)
    assert cg.reassign(one, cg.zones["east"])
    model.env.run(until=13.0)
    assert model.recorder.patrol_port == [
        (15.0, one.name, True),
        (20.0, one.name, False),
        (15.0, two.name, True),
        (20.0, two.name, False),
    ]
