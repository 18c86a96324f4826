"""Adaptive Coast Guard: reallocation to where the seizures are, the mixed strategy, transit."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pytest
from builders import OPEN_SEA_BOX, binomial_halfwidth, run

from sim.experiment.seeds import replication_seed
from sim.model.allocation import equalising_weights, proportional_shares, whole_numbers
from sim.model.legs import FULL
from sim.model.model import Model
from sim.model.records import ZoneEvent
from sim.scenario import Resolved, Scenario, resolve
from sim.world import geo

pytestmark = pytest.mark.model

# A second open-sea box, on the Nampo-Yantai route east of the Shandong tip.
NORTH_BOX = [[122.8, 37.6], [123.6, 37.6], [123.6, 38.1], [122.8, 38.1]]


def patrol(name: str, base: str, zone: str, vessels: int) -> dict[str, Any]:
    return {
        "name": name,
        "base": base,
        "zone": zone,
        "vessels": vessels,
        "sweep_width_nm": 10.0,
        "endurance_hours": 1e7,
        "transit_hours": 0.0,
        "turnaround_hours": 0.0,
        "start": "on_station",
    }


def two_zone_world(allocation: dict[str, Any], **extra: Any) -> Resolved:
    """Two patrolled boxes; the only trade sails through the north one, so every
    seizure is there. Escorts are instant-return (transit 0), so vessels stay busy."""
    data: dict[str, Any] = {
        "seed": 21,
        "horizon_days": 60.0,
        "zones": [
            {"name": "south", "polygon": OPEN_SEA_BOX},
            {"name": "north", "polygon": NORTH_BOX},
        ],
        "patrols": [
            patrol("south_patrol", "Lianyungang", "south", 2),
            patrol("north_patrol", "Yantai", "north", 1),
        ],
        "detection": {"recognition_probability": 1.0},
        "market": {"kind": "fixed"},
        "tips": {"knowers": 0},
        "enforcement": {"vessel_detention_days": 0.0},
        "sellers": [
            {
                "name": "s",
                "port": "Nampo",
                "routes": ["nampo-yantai"],
                "vessels": 100,
                "lot_interval_days": 0.25,
                "concealment": 0.0,
                "ais_off_share": 0.0,
            }
        ],
        "allocation": allocation,
    }
    data.update(extra)
    return resolve(Scenario.model_validate(data))


def test_whole_numbers_keep_the_total_and_follow_the_shares() -> None:
    assert whole_numbers({"a": 0.5, "b": 0.3, "c": 0.2}, 10) == {"a": 5, "b": 3, "c": 2}
    assert whole_numbers({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, 4) == {"a": 2, "b": 1, "c": 1}
    assert sum(whole_numbers({"a": 0.61, "b": 0.39}, 7).values()) == 7


def test_proportional_shares_count_only_the_window() -> None:
    events = [ZoneEvent(1.0, "a", "seizure"), ZoneEvent(50.0, "b", "tip")]
    events += [ZoneEvent(60.0, "b", "seizure"), ZoneEvent(61.0, "x", "seizure")]
    shares = proportional_shares(events, ["a", "b"], 70.0, 24.0, 1.0)
    assert shares == pytest.approx({"a": 1 / 4, "b": 3 / 4})  # the event at t=1 is too old
    assert proportional_shares([], ["a", "b"], 70.0, 24.0, 0.0) is None


def test_proportional_allocation_moves_patrols_to_the_zone_with_the_seizures() -> None:
    """By one review period plus the station-to-station transit, every vessel is on
    station where the seizures are, at exactly the time the geography gives."""
    resolved = two_zone_world(
        {"kind": "proportional", "review_days": 10.0, "window_days": 10.0, "smoothing": 0.0}
    )
    model = Model(resolved, replication_seed(21, 0))
    out = model.run()
    review = 240.0
    assert any(e.zone == "north" and e.time < review for e in out.zone_events)
    assert not any(e.zone == "south" for e in out.zone_events)
    g = resolved.geography.zones
    (alat, alon), (blat, blon) = g["south"].station, g["north"].station
    transit = geo.great_circle_nm(alat, alon, blat, blon) / 18.0
    south = [v.name for v in model.coast_guard.groups["south_patrol"]]
    for name in south:
        moves = [e for e in out.patrol_events if e.vessel == name]
        assert moves[0].zone == "south" and moves[0].on_station
        leave, arrive = moves[1], moves[2]
        assert (leave.time, leave.zone, leave.on_station, leave.reason) == (
            review,
            "south",
            False,
            "reassign",
        )
        assert (arrive.zone, arrive.on_station) == ("north", True)
        assert arrive.time == pytest.approx(review + transit)
        assert all(e.zone == "north" for e in moves[2:])  # it stays with the seizures
    assert model.allocator is not None
    assert model.allocator.reviews[0] == (review, {"south": 0, "north": 3})


def test_fixed_allocation_keeps_every_vessel_in_its_zone() -> None:
    out = run(two_zone_world({"kind": "fixed", "review_days": 1.0}))
    zones = {e.vessel.split("#")[0]: set() for e in out.patrol_events}
    for e in out.patrol_events:
        zones[e.vessel.split("#")[0]].add(e.zone)
    assert zones == {"south_patrol": {"south"}, "north_patrol": {"north"}}


class Plan(NamedTuple):
    zones: tuple[tuple[str, None, float, float], ...]


def test_equalising_weights_make_every_route_equally_dangerous() -> None:
    """Route 1 spends 10 h in zone x, route 2 spends 5 h in y: equal hazard needs twice the
    cover on y; a third zone no route crosses gets none."""
    plans = [Plan((("x", None, 0.0, 10.0),)), Plan((("y", None, 2.0, 7.0),))]
    w = equalising_weights(plans, ["x", "y", "z"], {"x": 0.01, "y": 0.01, "z": 0.01})  # type: ignore[arg-type]
    assert w == pytest.approx({"x": 1 / 3, "y": 2 / 3, "z": 0.0}, abs=1e-9)
    hazards = [w["x"] * 0.01 * 10, w["y"] * 0.01 * 5]
    assert hazards[0] == pytest.approx(hazards[1])
    # A zone twice as hard to search (rate per vessel halved) needs twice the cover.
    w2 = equalising_weights(plans, ["x", "y"], {"x": 0.005, "y": 0.01})  # type: ignore[arg-type]
    assert w2 == pytest.approx({"x": 0.5, "y": 0.5}, abs=1e-9)


def test_randomized_allocation_draws_zones_with_the_given_weights() -> None:
    resolved = two_zone_world(
        {"kind": "randomized", "review_days": 1.0, "weights": {"south": 0.25, "north": 0.75}},
        horizon_days=200.0,
    )
    model = Model(resolved, replication_seed(21, 0))
    model.run()
    assert model.allocator is not None
    reviews = model.allocator.reviews
    assert len(reviews) == 199
    draws = sum(sum(t.values()) for _, t in reviews)
    south = sum(t["south"] for _, t in reviews) / draws
    assert abs(south - 0.25) < binomial_halfwidth(0.25, draws)


def test_randomized_equalising_strategy_on_the_baseline_routes() -> None:
    """Computed from the baseline's routes: the smallest expected hazard over the routes is
    well above what an even spread gives, and the routes that bind share it exactly."""
    s = Scenario(horizon_days=30.0, allocation={"kind": "randomized"})  # type: ignore[arg-type]
    model = Model(resolve(Scenario.model_validate(s.model_dump())), np.random.SeedSequence(1))
    assert model.allocator is not None
    w = model.allocator.weights
    assert sum(w.values()) == pytest.approx(1.0)
    k = model._per_vessel_rate(list(w))
    plans = [model.plan(r, FULL, c.seller.speed_knots) for c in model.companies for r in c.routes]

    def hazards(cover: dict[str, float]) -> list[float]:
        return [sum(cover[z] * k[z] * (b - a) for z, _, a, b in p.zones) for p in plans]

    best, even = hazards(w), hazards(dict.fromkeys(w, 1 / len(w)))
    assert min(best) > 2 * min(even)
    assert sum(h == pytest.approx(min(best), rel=1e-6) for h in best) >= 4
