"""The outside observer: exact when it sees everything, never more than the truth, seen
events in the proportions its chances say, and no effect on the trade it watches."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from builders import run, search_world
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.metrics import replication_metrics
from sim.metrics.registry import names
from sim.model.records import Shipment
from sim.observe import observe
from sim.scenario import load
from sim.scenario.observation import Observation

ROOT = Path(__file__).resolve().parents[1]
ALL = Observation(
    transfer_ais_on=1.0,
    transfer_ais_off=1.0,
    port_call_ais_on=1.0,
    port_call_ais_off=1.0,
    seizure_announced=1.0,
)
NONE = Observation(
    transfer_ais_on=0.0,
    transfer_ais_off=0.0,
    port_call_ais_on=0.0,
    port_call_ais_off=0.0,
    seizure_announced=0.0,
)
TRANSFER_ROUTE = {
    "name": "nampo-lianyungang",
    "origin": "Nampo",
    "destination": "Lianyungang",
    "via": ["taedong_mouth", "changsan_cape", "chengshan_cape", "yellow_sea_central"],
    "transfer_at": "chengshan_cape",
    "transfer_hours": 6.0,
}


def ship(i: int, outcome: str, delivery: str = "port", ais_off: bool = False) -> Shipment:
    return Shipment(
        i, "s", "r", "Nampo", "Dalian", 5000.0 + i, 0.0, outcome=outcome, delivery=delivery,
        ais_off=ais_off,
    )  # fmt: skip


def mixed_world(observation: Observation, **extra: object):  # type: ignore[no-untyped-def]
    """Half the contracts by transfer at sea, some seizures: every kind of event occurs."""
    resolved = search_world(
        vessels=2,
        sweep_width_nm=20.0,
        recognition_probability=1.0,
        transit_hours=None,
        turnaround_hours=6.0,
        endurance_hours=72.0,
        start="staggered",
        horizon_days=120,
        routes=[TRANSFER_ROUTE],
        contract={"ship_to_ship_share": 0.5},
        **extra,
    )
    s = resolved.scenario.model_copy(update={"observation": observation})
    return run(type(resolved)(s, resolved.geography, resolved.source))


def test_an_observer_who_sees_everything_reports_the_truth_exactly() -> None:
    row = replication_metrics(mixed_world(ALL))
    assert row["transfers"] > 10 and row["port_calls"] > 10 and row["shipments_seized"] > 3
    assert row["observed_transfers"] == row["transfers"]
    assert row["observed_port_calls"] == row["port_calls"]
    assert row["observed_tonnes"] == row["tonnes_delivered"]
    assert row["announced_seizures"] == row["shipments_seized"]
    assert row["announced_tonnes_seized"] == row["tonnes_seized"]
    assert row["dark_figure"] == 0.0
    assert row["transfers"] + row["port_calls"] == row["shipments_delivered"]


def test_cargo_per_voyage_and_transfer_share_on_equal_lots() -> None:
    """Every lot exactly 5,000 t: the mean cargo is 5,000 t, and the share of tonnes
    handed over at sea equals the share of deliveries that were transfers."""
    seller = {
        "name": "s",
        "port": "Nampo",
        "routes": ["nampo-lianyungang"],
        "vessels": 200,
        "lot_interval_days": 0.5,
        "lot_tonnes_min": 5000.0,
        "lot_tonnes_max": 5000.0,
    }
    row = replication_metrics(mixed_world(ALL, sellers=[seller]))
    assert row["tonnes_per_voyage"] == 5000.0
    assert 0.2 < row["transfer_tonnes_share"] < 0.8
    assert row["transfer_tonnes_share"] == pytest.approx(
        row["transfers"] / row["shipments_delivered"]
    )


def test_an_observer_who_sees_nothing_leaves_all_in_the_dark() -> None:
    row = replication_metrics(mixed_world(NONE))
    assert row["observed_transfers"] == row["observed_port_calls"] == 0
    assert row["observed_tonnes"] == row["announced_seizures"] == 0
    assert row["dark_figure"] == 1.0


def test_observing_changes_nothing_in_the_trade() -> None:
    """The observer draws after the run from its own stream: every true metric is the same
    whatever it is set to see."""
    seen_all, seen_none = (replication_metrics(mixed_world(o)) for o in (ALL, NONE))
    observed = set(names("observed")) - {"transfers", "port_calls"}
    for m, v in seen_all.items():
        if m not in observed:
            assert v == seen_none[m] or (math.isnan(v) and math.isnan(seen_none[m])), m


def test_seen_shares_match_the_chances() -> None:
    """20,000 hand-made events of each of 5 kinds: each is seen with its own chance, within
    a 99.9% binomial interval Bonferroni-split over the 5 (z = 3.72; half-width
    3.72 sqrt(p(1-p)/n), at most 0.013, so swapping any two chances fails)."""
    n = 20_000
    obs = Observation(
        transfer_ais_on=0.6,
        transfer_ais_off=0.25,
        port_call_ais_on=0.7,
        port_call_ais_off=0.3,
        seizure_announced=0.5,
    )
    kinds = [
        ("delivered", "ship_to_ship", False, 0.6),
        ("delivered", "ship_to_ship", True, 0.25),
        ("delivered", "port", False, 0.7),
        ("delivered", "port", True, 0.3),
        ("seized", "port", True, 0.5),
    ]
    for k, (outcome, delivery, dark, p) in enumerate(kinds):
        ships = [ship(i, outcome, delivery, dark) for i in range(n)]
        seen = observe(ships, obs, np.random.SeedSequence(11, spawn_key=(k,)))
        count = {
            ("delivered", "ship_to_ship"): seen.observed_transfers,
            ("delivered", "port"): seen.observed_port_calls,
            ("seized", "port"): seen.announced_seizures,
        }[(outcome, delivery)]
        assert abs(count / n - p) < 3.72 * math.sqrt(p * (1 - p) / n), (outcome, delivery, dark)


events = st.lists(
    st.tuples(
        st.sampled_from(["delivered", "seized", "at_sea", "waiting", "held"]),
        st.sampled_from(["port", "ship_to_ship"]),
        st.booleans(),
    ),
    max_size=60,
)
chances = st.floats(0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(events, st.lists(chances, min_size=5, max_size=5), st.lists(chances, min_size=5, max_size=5))
def test_observed_never_exceeds_the_truth_and_more_chance_never_sees_less(
    evs: list[tuple[str, str, bool]], low: list[float], high: list[float]
) -> None:
    ships = [ship(i, o, d, a) for i, (o, d, a) in enumerate(evs)]
    lo = Observation(**dict(zip(Observation.model_fields, low, strict=True)))
    hi = Observation(**dict(zip(Observation.model_fields, map(max, low, high), strict=True)))
    seed = np.random.SeedSequence(5)
    a, b = observe(ships, lo, seed), observe(ships, hi, seed)
    for seen in (a, b):
        assert seen.observed_transfers <= seen.transfers
        assert seen.observed_port_calls <= seen.port_calls
        assert seen.observed_tonnes <= seen.tonnes_delivered
        assert seen.announced_seizures <= seen.seizures
        assert math.isnan(seen.dark_figure) or 0.0 <= seen.dark_figure <= 1.0
    # Common random numbers: raising every chance only adds sightings.
    assert b.observed_transfers >= a.observed_transfers
    assert b.observed_port_calls >= a.observed_port_calls
    assert b.announced_seizures >= a.announced_seizures
    assert b.observed_tonnes >= a.observed_tonnes


def test_baseline_dark_figure_follows_its_ais_mix() -> None:
    """Baseline: no transfers; ships with AIS on and off. Given the run's own deliveries, the seen
    tonnes have mean sum t_i p_i and variance sum t_i^2 p_i (1 - p_i), with p_i 0.7 for a
    ship with AIS on and 0.3 for one with AIS off (the defaults, by hand); the observer's
    total lies within 3.3 standard deviations of that mean (99.9%)."""
    out = run(load(ROOT / "scenarios" / "baseline.toml"))
    row = replication_metrics(out)
    delivered = [s for s in out.shipments if s.outcome == "delivered"]
    assert row["transfers"] == 0 and len(delivered) > 500
    p = np.array([0.3 if s.ais_off else 0.7 for s in delivered])
    t = np.array([s.tonnes for s in delivered])
    mean, sd = float(t @ p), math.sqrt(float((t**2) @ (p * (1 - p))))
    assert abs(row["observed_tonnes"] - mean) < 3.3 * sd
    assert row["dark_figure"] == pytest.approx(1 - row["observed_tonnes"] / t.sum())
