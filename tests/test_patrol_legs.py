"""The patrol duty cycle sails its off-station legs (back, turnaround, out) as one wait:
the times it comes on and off station must be those of the legs taken one at a time,
with a policy's new settings and cuts taking effect from the next leg, as configured."""

from __future__ import annotations

import math

from builders import run, search_world
from hypothesis import example, given
from hypothesis import strategies as st

from sim.model.duty import delays_until


def _moves(out, vessel: str) -> list[tuple[float, bool]]:
    return [(e.time, e.on_station) for e in out.patrol_events if e.vessel == vessel]


def test_policy_changes_take_effect_from_the_next_leg() -> None:
    """Two vessels, 10 h on station, 5 h each way, 5 h in base (a 25 h cycle, both on
    station at 0). At 36 h, both in transit back: the turnaround becomes 9 h and the group
    one vessel. #2 stops at the end of its transit (40 h); #1 turns round 40-49 and is back
    at 54. At 81 h, #1 in transit out (78-83): the turnaround becomes 2 h, which its next
    cycle uses (off 93, back 98, out 100, on 105), and a second vessel is commissioned
    10 + 5 + 2 h into its cycle, 5 h out: on station at 86."""
    resolved = search_world(
        vessels=2,
        endurance_hours=10.0,
        transit_hours=5.0,
        turnaround_hours=5.0,
        horizon_days=5.0,
        policy=[
            {
                "day": 1.5,
                "set": {
                    "patrols.test_patrol.turnaround_hours": 9.0,
                    "patrols.test_patrol.vessels": 1,
                },
            },
            {
                "day": 3.375,
                "set": {
                    "patrols.test_patrol.turnaround_hours": 2.0,
                    "patrols.test_patrol.vessels": 2,
                },
            },
        ],
    )
    out = run(resolved)
    on, off = True, False
    assert _moves(out, "test_patrol#1") == [
        (0.0, on),
        (10.0, off),
        (25.0, on),
        (35.0, off),
        (54.0, on),
        (64.0, off),
        (83.0, on),
        (93.0, off),
        (105.0, on),
        (115.0, off),
    ]
    assert _moves(out, "test_patrol#2") == [(0.0, on), (10.0, off), (25.0, on), (35.0, off)]
    assert out.patrol_service["test_patrol#2"] == [0.0, 40.0]
    assert _moves(out, "test_patrol#3") == [(86.0, on), (96.0, off), (108.0, on), (118.0, off)]
    assert out.patrol_service["test_patrol#3"] == [81.0, None]


def test_a_cycle_whose_legs_no_single_wait_reaches_runs_and_keeps_the_legs_times() -> None:
    """1.1 h on station, 0.7 h transits, a 2.6 h turnaround: the vessel leaves at 1.1 and is
    back on station at 1.1 + 0.7 + 2.6 + 0.7, which in floats is 5.1000000000000005 and no
    single float wait from 1.1 reaches. This world used to stop with an AssertionError."""
    resolved = search_world(
        endurance_hours=1.1, transit_hours=0.7, turnaround_hours=2.6, horizon_days=0.5
    )
    moves = _moves(run(resolved), "test_patrol#1")
    on, off = True, False
    t = 0.0
    expected = [(t, on)]
    while True:  # on 1.1 h, then off for the three legs, each added as the legs would be
        t += 1.1
        if t > 12.0:
            break
        expected.append((t, off))
        t = ((t + 0.7) + 2.6) + 0.7
        if t > 12.0:
            break
        expected.append((t, on))
    assert moves == expected
    assert moves[2] == (5.1000000000000005, on)


@given(
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
    st.lists(st.floats(min_value=0.0, max_value=1e3, allow_nan=False), min_size=1, max_size=4),
)
@example(now=1.1, legs=[0.7, 2.6, 0.7])  # no single float wait reaches 5.1000000000000005
def test_the_waits_end_exactly_where_the_legs_would(now: float, legs: list[float]) -> None:
    """The legs' end is their running float sum from ``now``; the waits, added to the clock
    one by one as SimPy does, must land on it exactly, whatever the rounding."""
    t = now
    for leg in legs:
        t += leg
    waits = delays_until(now, t)
    assert all(d >= 0.0 for d in waits) and len(waits) <= 64
    clock = now
    for d in waits:
        clock += d
    assert clock == t
    assert math.isclose(sum(waits), t - now, rel_tol=1e-9, abs_tol=1e-9)
