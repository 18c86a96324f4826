"""Patrol reallocation, worked by hand: rounding, the review window, the maximin cover,
and where each vessel goes when a review moves the fleet."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from builders import OPEN_SEA_BOX
from test_allocation import NORTH_BOX, patrol, two_zone_world

from sim.experiment.seeds import replication_seed
from sim.model.allocation import equalising_weights, proportional_shares, whole_numbers
from sim.model.model import Model
from sim.model.records import ZoneEvent

pytestmark = pytest.mark.model


class Plan(NamedTuple):
    zones: tuple[tuple[str, None, float, float], ...]


def test_the_largest_remainders_get_the_vessels_left_over() -> None:
    # 2 x (0.1, 0.5, 0.4) = (0.2, 1.0, 0.8): floors (0, 1, 0), one left, c's remainder 0.8 wins.
    assert whole_numbers({"a": 0.1, "b": 0.5, "c": 0.4}, 2) == {"a": 0, "b": 1, "c": 1}
    # Equal remainders: the first name alphabetically, so a review is reproducible.
    assert whole_numbers({"b": 0.5, "a": 0.5}, 1) == {"a": 1, "b": 0}


def test_an_event_exactly_one_window_old_no_longer_counts() -> None:
    events = [ZoneEvent(10.0, "a", "seizure"), ZoneEvent(10.5, "b", "seizure")]
    # now 20, window 10 h: t=10 is out, t=10.5 is in.
    assert proportional_shares(events, ["a", "b"], 20.0, 10.0, 0.0) == {"a": 0.0, "b": 1.0}


def test_a_single_event_without_smoothing_takes_the_whole_fleet() -> None:
    events = [ZoneEvent(5.0, "a", "tip")]
    assert proportional_shares(events, ["a", "b"], 6.0, 24.0, 0.0) == {"a": 1.0, "b": 0.0}


def test_a_route_crossing_a_zone_twice_counts_both_passes() -> None:
    """Route 1 is 5 h + 5 h in x, route 2 is 5 h in y: equal hazard needs y twice x's cover."""
    plans = [Plan((("x", None, 0.0, 5.0), ("x", None, 20.0, 25.0))), Plan((("y", None, 0, 5.0),))]
    w = equalising_weights(plans, ["x", "y"], {"x": 1.0, "y": 1.0})  # type: ignore[arg-type]
    assert w == pytest.approx({"x": 1 / 3, "y": 2 / 3}, abs=1e-9)


def test_a_zone_no_route_crosses_gets_nothing_unless_no_route_crosses_any() -> None:
    plans = [Plan((("x", None, 0.0, 4.0),))]
    # Only x is reachable, so it takes all the cover (a row of ones would split it).
    w = equalising_weights(plans, ["x", "y"], {"x": 1.0, "y": 1.0})  # type: ignore[arg-type]
    assert w == pytest.approx({"x": 1.0, "y": 0.0}, abs=1e-9)
    # No route reaches an allowed zone: an even spread over the three.
    even = equalising_weights(plans, ["p", "q", "r"], {"p": 1.0, "q": 1.0, "r": 1.0})  # type: ignore[arg-type]
    assert even == pytest.approx({"p": 1 / 3, "q": 1 / 3, "r": 1 / 3})


def _allocator(allocation: dict[str, Any]) -> Model:
    model = Model(two_zone_world(allocation), replication_seed(21, 0))
    model.env.run(until=1.0)  # every vessel on station, none busy yet
    return model


def _zones(model: Model) -> dict[str, str]:
    return {v.name: v.zone.name for v in model.coast_guard.vessels}


def test_a_review_moves_only_the_surplus_and_the_first_by_name() -> None:
    """South has 2 on station, north 1. Target south 1, north 2: one vessel moves,
    south_patrol#1 (ties among vessels on station go by name)."""
    model = _allocator({"kind": "proportional", "review_days": 1000.0})
    assert model.allocator is not None
    model.allocator.move({"south": 1, "north": 2})
    assert _zones(model) == {
        "south_patrol#1": "north",
        "south_patrol#2": "south",
        "north_patrol#1": "north",
    }


def test_a_review_that_keeps_the_counts_moves_nobody() -> None:
    model = _allocator({"kind": "proportional", "review_days": 1000.0})
    assert model.allocator is not None
    before = _zones(model)
    model.allocator.move({"south": 2, "north": 1})
    assert _zones(model) == before


def test_a_review_can_empty_a_zone() -> None:
    model = _allocator({"kind": "proportional", "review_days": 1000.0})
    assert model.allocator is not None
    model.allocator.move({"south": 0, "north": 3})
    assert set(_zones(model).values()) == {"north"}
    model.env.run(until=200.0)
    assert set(_zones(model).values()) == {"north"}


def test_a_busy_vessel_stays_and_the_next_one_goes() -> None:
    """south_patrol#1 is on an escort, so it cannot be sent; #2 goes instead."""
    model = _allocator({"kind": "proportional", "review_days": 1000.0})
    assert model.allocator is not None
    first = next(v for v in model.coast_guard.vessels if v.name == "south_patrol#1")
    model.coast_guard.dispatch(first)
    model.allocator.move({"south": 1, "north": 2})
    assert _zones(model) == {
        "south_patrol#1": "south",
        "south_patrol#2": "north",
        "north_patrol#1": "north",
    }


def test_no_events_and_no_smoothing_means_no_review() -> None:
    model = _allocator({"kind": "proportional", "review_days": 1000.0, "smoothing": 0.0})
    assert model.allocator is not None
    assert model.allocator.targets() is None


def test_randomized_targets_place_exactly_the_fleet_and_skip_unweighted_zones() -> None:
    """Weights name only the north: every draw lands there, three vessels in all."""
    model = _allocator({"kind": "randomized", "review_days": 1000.0, "weights": {"north": 1.0}})
    assert model.allocator is not None
    for _ in range(20):
        assert model.allocator.targets() == {"south": 0, "north": 3}


EAST_BOX = [[124.0, 35.5], [124.5, 35.5], [124.5, 36.0], [124.0, 36.0]]


def _group(name: str, zone: str, vessels: int, **cycle: float) -> dict[str, Any]:
    g = patrol(name, "Lianyungang", zone, vessels)
    g.update(cycle)
    return g


def _three_zones(groups: list[dict[str, Any]], **allocation: Any) -> Model:
    zones = [
        {"name": "south", "polygon": OPEN_SEA_BOX},
        {"name": "north", "polygon": NORTH_BOX},
        {"name": "east", "polygon": EAST_BOX},
    ]
    resolved = two_zone_world(
        {"kind": "proportional", "review_days": 1000.0, **allocation}, zones=zones, patrols=groups
    )
    model = Model(resolved, replication_seed(21, 0))
    model.env.run(until=1.0)
    return model


def test_each_zone_gives_up_only_its_surplus_and_the_short_zones_fill_in_order() -> None:
    """south 2, north 2, east 0; targets 1, 1, 2: one vessel from each of south and north."""
    model = _three_zones([_group("s", "south", 2), _group("n", "north", 2)])
    assert model.allocator is not None
    model.allocator.move({"south": 1, "north": 1, "east": 2})
    assert _zones(model) == {"s#1": "east", "s#2": "south", "n#1": "east", "n#2": "north"}


def test_a_zone_already_at_its_target_takes_no_vessel_and_a_full_one_takes_no_more() -> None:
    """south 3, north 0, east 1; targets 1, 1, 2: south's two go one north, one east."""
    model = _three_zones([_group("s", "south", 3), _group("e", "east", 1)])
    assert model.allocator is not None
    model.allocator.move({"south": 1, "north": 1, "east": 2})
    assert _zones(model) == {"s#1": "north", "s#2": "east", "s#3": "south", "e#1": "east"}
    exact = _three_zones([_group("s", "south", 2), _group("n", "north", 1)])
    assert exact.allocator is not None
    exact.allocator.move({"south": 0, "north": 1, "east": 2})
    assert _zones(exact) == {"s#1": "east", "s#2": "east", "n#1": "north"}


def test_vessels_outside_the_allowed_zones_join_a_short_zone() -> None:
    """Only south and east may be used: the north vessel fills east's second place."""
    model = _three_zones(
        [_group("s", "south", 2), _group("n", "north", 1)], zones=["south", "east"]
    )
    assert model.allocator is not None
    model.allocator.move({"south": 1, "east": 2})
    assert _zones(model) == {"s#1": "east", "s#2": "south", "n#1": "east"}
    # Every allowed zone becomes searchable, and the zones patrolled already stay so.
    assert model.coast_guard.patrolled == {"south", "north", "east"}


# A duty cycle of 10 h on station, 5 back, 5 in base, 5 out: at 12 h the vessel is heading
# back, at 22 h heading out.
CYCLE = {"endurance_hours": 10.0, "transit_hours": 5.0, "turnaround_hours": 5.0}


def test_a_vessel_heading_home_is_moved_before_one_on_station() -> None:
    model = _three_zones([_group("a", "south", 1), _group("b", "south", 1, **CYCLE)])
    assert model.allocator is not None
    model.env.run(until=12.0)
    model.allocator.move({"south": 1, "north": 1, "east": 0})
    assert _zones(model) == {"a#1": "south", "b#1": "north"}
    assert model.coast_guard.vessels[1].transit == 5.0  # its configured transit, not the chart's
    # It takes the new zone at once, without a station-to-station run.
    assert not any(e.reason == "reassign" for e in model.recorder.patrol_events)


def test_reassign_refuses_a_vessel_heading_out_or_sent_to_its_own_zone() -> None:
    model = _three_zones([_group("a", "south", 1), _group("b", "south", 1, **CYCLE)])
    cg = model.coast_guard
    a, b = cg.vessels
    assert not cg.reassign(a, a.zone)
    assert a.zone.name == "south"
    assert not any(e.reason == "reassign" for e in model.recorder.patrol_events)
    model.env.run(until=22.0)
    assert not cg.reassign(b, cg.zones["north"])
    assert b.zone.name == "south"
    model.env.run(until=27.0)  # back on station: it leaves at once
    assert cg.reassign(b, cg.zones["north"])
    assert b.zone.name == "north"


def test_a_review_counts_only_events_inside_its_window_of_days() -> None:
    """Window 1 day at 30 h: an event at 5.5 h (24.5 h ago) is too old, one at 6.5 h is not."""
    model = _three_zones([_group("s", "south", 2)], window_days=1.0, smoothing=0.0)
    assert model.allocator is not None
    model.env.run(until=30.0)
    events = model.recorder.zone_events
    events.clear()
    events.append(ZoneEvent(5.5, "north", "seizure"))
    assert model.allocator.targets() is None
    events.append(ZoneEvent(6.5, "east", "seizure"))
    assert model.allocator.targets() == {"south": 0, "north": 0, "east": 2}
