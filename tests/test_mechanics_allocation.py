"""Patrol reallocation, worked by hand: rounding, the review window, the maximin cover,
and where each vessel goes when a review moves the fleet."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from test_allocation import two_zone_world

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
