"""Enforcement spend: the hand-computed sum of patrol days, boardings, escorts, cases,
accomplices named and rewards; and costs never change what happens."""

from __future__ import annotations

import math

import pytest
from builders import run, search_world

from sim.metrics.replication import replication_metrics
from sim.model.enforcement import TIPSTERS
from sim.scenario import load, resolve, validate
from sim.scenario.errors import ScenarioError

COSTS = {
    "sea_rmb_per_vessel_day": 1000.0,
    "port_rmb_per_vessel_day": 300.0,
    "boarding_rmb": 7.0,
    "escort_rmb": 11.0,
    "investigation_rmb_per_case": 13.0,
    "investigation_rmb_per_named": 17.0,
}


def test_patrol_days_follow_the_duty_cycle_by_hand() -> None:
    """Nothing is boarded (recognition 0, no tips), so each vessel keeps its cycle: 96 h on
    station, 12 h back, 24 h in base, 12 h out = 144 h, 5 whole cycles in 30 days. Each of
    the 2 vessels is 5 x 24 h = 5 days in base and 25 days away from it."""
    resolved = search_world(
        vessels=2,
        endurance_hours=96.0,
        transit_hours=12.0,
        turnaround_hours=24.0,
        start="staggered",
        horizon_days=30.0,
        costs=COSTS,
    )
    m = replication_metrics(run(resolved))
    assert m["shipments_seized"] == 0 and m["rewards_paid_rmb"] == 0
    assert m["enforcement_spend_rmb"] == pytest.approx(2 * (25 * 1000.0 + 5 * 300.0))


def test_spend_is_the_sum_of_its_parts_with_seizures_tips_and_cases() -> None:
    """The baseline world for 120 days with every vessel-day at one rate: patrols cost
    vessels x days x rate however escorts and tips bend their cycles; each seizure adds a
    boarding, an escort and a case, each named accomplice its share, and every reward
    paid (counted here from the shipment log, the ledger and the named list)."""
    flat = {**COSTS, "port_rmb_per_vessel_day": 1000.0}
    resolved = load(
        "scenarios/baseline.toml",
        ["horizon_days=120", "policy=[]", f"costs={_toml(flat)}"],
    )
    s = resolved.scenario
    assert not s.policy  # no policy resizes a group: vessel-days = vessels x days
    vessels = sum(p.vessels for p in s.patrols)
    for replication in range(3):
        out = run(resolved, replication)
        seized = sum(x.outcome == "seized" for x in out.shipments)
        rewards = sum(e.fen for e in out.ledger if e.reason == "reward" and e.payee == TIPSTERS)
        assert seized > 0 and rewards > 0 and out.named
        expected = (
            vessels * 120 * 1000.0
            + seized * (7.0 + 11.0 + 13.0)
            + len(out.named) * 17.0
            + rewards / 100
        )
        assert replication_metrics(out)["enforcement_spend_rmb"] == pytest.approx(expected)


def test_costs_change_no_other_metric() -> None:
    """Costs are accounted after the run: doubling every rate changes the spend and nothing
    else, to the last digit."""
    base = load("scenarios/baseline.toml", ["horizon_days=90"])
    dear = {k: 2 * v for k, v in COSTS.items()}
    other = load("scenarios/baseline.toml", ["horizon_days=90", f"costs={_toml(dear)}"])
    a, b = replication_metrics(run(base)), replication_metrics(run(other))
    assert a["enforcement_spend_rmb"] != b["enforcement_spend_rmb"]
    for k in a:
        if k != "enforcement_spend_rmb":
            assert a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])), k


def test_a_group_rate_overrides_the_default_and_an_unknown_group_is_named() -> None:
    own = {"test_patrol": {"sea_rmb_per_vessel_day": 2.0}}
    one = search_world(
        vessels=1,
        transit_hours=0.0,
        horizon_days=10.0,
        costs={"sea_rmb_per_vessel_day": 5.0, "groups": own},
    )
    assert replication_metrics(run(one))["enforcement_spend_rmb"] == pytest.approx(10 * 2.0)
    data = one.scenario.model_dump(mode="json")
    data["costs"]["groups"] = {"test_patrl": {"port_rmb_per_vessel_day": 1.0}}
    with pytest.raises(ScenarioError, match=r"costs\.groups\.test_patrl: no patrol group.*"
                       r"did you mean 'test_patrol'"):  # fmt: skip
        resolve(validate(data, "x.toml"), "x.toml")


def _toml(table: dict[str, float]) -> str:
    return "{" + ", ".join(f"{k} = {v!r}" for k, v in table.items()) + "}"
