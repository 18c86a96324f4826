"""Adaptive smugglers: the logit choice against its formula, learning, timing and loitering."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from builders import OPEN_SEA_BOX, binomial_halfwidth, run

from sim import metrics
from sim.experiment.seeds import replication_seed
from sim.model.model import Model
from sim.model.rng import Draws
from sim.model.routing import FadingBeta, logit_probabilities
from sim.scenario import Resolved, Scenario, resolve
from sim.scenario.load import load
from sim.verify.worlds import RISKY_ROUTE, SAFE_ROUTE, two_route_world

pytestmark = pytest.mark.model

SAFE, RISKY = SAFE_ROUTE, RISKY_ROUTE  # only the Lianyungang route crosses the box


def logit_by_hand(model: Model, now: float) -> dict[str, float]:
    """P(route) from the formula, with beliefs and costs worked out here, not by the model."""
    company = model.companies[0]
    seller, a = company.seller, model.scenario.adaptation
    price = (model.scenario.contract.price_rmb_per_tonne_min + 450.0) / 2
    value = price * (seller.lot_tonnes_min + seller.lot_tonnes_max) / 2
    cost = seller.operating_cost_rmb_per_day / 24
    u = {}
    for alt in company.choice.options:  # type: ignore[union-attr]
        b = alt.belief
        f = math.exp(-(now - b.last) / (a.memory_days * 24))
        q = (a.prior_alpha + b.seized * f) / (
            a.prior_alpha + a.prior_beta + (b.seized + b.arrived) * f
        )
        hours = 2 * alt.route.length_nm / seller.speed_knots + seller.discharge_hours
        u[alt.route.name] = -q - cost * hours / value
    z = sum(math.exp(a.sharpness * v) for v in u.values())
    return {r: math.exp(a.sharpness * v) / z for r, v in u.items()}


def test_logit_probabilities_are_the_formula() -> None:
    u, w = [-0.1, -0.3, -0.2], [1.0, 2.0, 1.0]
    for s in (0.0, 1.0, 10.0, 2000.0):
        terms = [wi * math.exp(s * ui - s * max(u)) for ui, wi in zip(u, w, strict=True)]
        expect = [t / sum(terms) for t in terms]
        assert logit_probabilities(u, w, s) == pytest.approx(expect, rel=1e-12)
    assert logit_probabilities(u, w, 0.0) == pytest.approx([0.25, 0.5, 0.25])
    assert logit_probabilities(u, w, 5000.0)[0] == pytest.approx(1.0)


def test_fading_belief_returns_to_the_prior() -> None:
    b = FadingBeta()
    b.add(0.0, True, 4.0, 100.0)
    assert b.mean(0.0, 1.0, 9.0, 100.0) == pytest.approx(5 / 14)
    assert b.mean(100.0, 1.0, 9.0, 100.0) == pytest.approx((1 + 4 / math.e) / (10 + 4 / math.e))
    assert b.mean(1e6, 1.0, 9.0, 100.0) == pytest.approx(0.1)


@pytest.mark.parametrize("sharpness", [0.0, 5.0, 25.0])
def test_choices_match_the_logit_formula_for_a_given_belief(sharpness: float) -> None:
    """With beliefs set by hand, 20,000 draws fall within the 99% interval of the formula."""
    model = Model(two_route_world(sharpness), replication_seed(17, 0))
    choice = model.companies[0].choice
    assert choice is not None
    safe, risky = sorted(choice.options, key=lambda a: a.route.name != SAFE)
    safe.belief.arrived, risky.belief.seized, risky.belief.arrived = 8.0, 2.0, 1.0
    expect = logit_by_hand(model, now=0.0)
    assert choice.probabilities(0.0, model.params.adaptation) == pytest.approx(
        [expect[SAFE], expect[RISKY]], rel=1e-9
    )
    choice.rng = Draws(np.random.default_rng(5))
    n = 20_000
    picks = [choice.choose(0.0, model.params.adaptation).route.name for _ in range(n)]
    share = picks.count(SAFE) / n
    assert abs(share - expect[SAFE]) < binomial_halfwidth(expect[SAFE], n)


def test_simulated_route_shares_match_the_formula_when_beliefs_stay_at_the_prior() -> None:
    """No seizures and no learning: the shares follow the costs alone, as the formula says."""
    resolved = two_route_world(120.0, learn=False, seizes=False, horizon_days=200.0)
    model = Model(resolved, replication_seed(17, 0))
    expect = logit_by_hand(model, now=0.0)[SAFE]
    out = model.run()
    routes = [s.route for s in out.shipments if s.route]
    assert len(routes) > 700
    share = routes.count(SAFE) / len(routes)
    assert 0.6 < expect < 0.95  # the cost difference alone makes a real but partial preference
    assert abs(share - expect) < binomial_halfwidth(expect, len(routes))


def safe_share(resolved: Resolved, after_days: float = 120.0) -> float:
    out = run(resolved)
    routes = [s.route for s in out.shipments if s.route and s.t_contract >= after_days * 24]
    return routes.count(SAFE) / len(routes)


def test_share_on_the_safe_route_grows_towards_one_with_sharpness() -> None:
    """One route is certain to be seized: the more sharply sellers choose, the more of the
    trade goes the safe way once they have learned, approaching all of it."""
    shares = [safe_share(two_route_world(s)) for s in (0.0, 2.0, 8.0, 40.0, 200.0)]
    assert shares[0] == pytest.approx(0.5, abs=0.06)  # equal weights, choice blind to risk
    assert all(b > a for a, b in itertools.pairwise(shares)), shares
    assert shares[-1] > 0.99
    out = run(two_route_world(200.0))
    risky = [s for s in out.shipments if s.route == RISKY and s.outcome in ("delivered", "seized")]
    assert risky and all(s.outcome == "seized" for s in risky)  # the risky route is certain


def frames(out: Any) -> tuple[pd.DataFrame, dict[str, float]]:
    return metrics.shipments_frame(out), metrics.replication_metrics(out)


def test_with_adaptation_off_results_equal_the_non_adaptive_model() -> None:
    """Every adaptive setting changed, but switched off: the same run, number for number.

    (The exact trace in test_trace.py, written before adaptation existed, also still holds.)
    """
    plain = resolve(Scenario(horizon_days=90.0, seed=4))
    off = resolve(
        Scenario.model_validate(
            {
                "horizon_days": 90.0,
                "seed": 4,
                "adaptation": {
                    "enabled": False,
                    "sharpness": 3.0,
                    "modes": ["port", "loiter"],
                    "news_weight": 2.0,
                    "timing": False,
                },
                "allocation": {"kind": "fixed", "review_days": 2.0, "smoothing": 5.0},
            }
        )
    )
    on = resolve(
        Scenario.model_validate({"horizon_days": 90.0, "seed": 4, "adaptation": {"enabled": True}})
    )
    for rep in (0, 1):
        a_ships, a_metrics = frames(run(plain, rep))
        b_ships, b_metrics = frames(run(off, rep))
        pd.testing.assert_frame_equal(a_ships, b_ships)
        assert a_metrics == pytest.approx(b_metrics, nan_ok=True, rel=0, abs=0)
    on_ships, _ = frames(run(on, 0))
    plain_ships, _ = frames(run(plain, 0))
    assert len(on_ships) > 100
    assert not on_ships["route"].equals(plain_ships["route"])  # switched on, it changes the run


def surge_world(mode: str, *, timing: bool) -> Resolved:
    """One patrol vessel in the box, four between days 20 and 30 (transit 0): a surge
    of known span. Nobody is ever boarded, so the patrols keep to that schedule."""
    base = load("scenarios/baseline.toml").scenario
    routes = [
        r.model_copy(update={"transfer_at": "chengshan_cape"}) if r.name == RISKY else r
        for r in base.routes
    ]
    data = {
        "seed": 9,
        "horizon_days": 60.0,
        "routes": [r.model_dump() for r in routes],
        "zones": [{"name": "box", "polygon": OPEN_SEA_BOX}],
        "patrols": [
            {
                "name": "p",
                "base": "Lianyungang",
                "zone": "box",
                "vessels": 1,
                "endurance_hours": 1e7,
                "transit_hours": 0.0,
                "turnaround_hours": 0.0,
                "start": "on_station",
            }
        ],
        "detection": {"recognition_probability": 0.0},
        "market": {"kind": "fixed"},
        "tips": {"knowers": 0},
        "sellers": [
            {
                "name": "s",
                "port": "Nampo",
                "routes": [RISKY],
                "vessels": 100,
                "lot_interval_days": 0.5,
                "lot_interval": "fixed",
            }
        ],
        "adaptation": {
            "enabled": True,
            "modes": [mode],
            "timing": timing,
            "max_delay_hours": 96.0,
            "loiter_max_hours": 48.0,
            "check_hours": 6.0,
        },
        "policy": [
            {"day": 20.0, "set": {"patrols.p.vessels": 4}},
            {"day": 30.0, "set": {"patrols.p.vessels": 1}},
        ],
    }
    return resolve(Scenario.model_validate(data))


def expected_wait(
    t_ready: float, longest: float, start: float = 480.0, end: float = 720.0
) -> float:
    """Looks every 6 h from t_ready; sails at the first look after the surge, or at the limit."""
    if not start <= t_ready < end:
        return 0.0
    return min(6.0 * math.ceil((end - t_ready) / 6.0 - 1e-9), longest)


def test_departure_timing_waits_out_a_known_surge() -> None:
    out = run(surge_world("port", timing=True))
    sailed = [s for s in out.shipments if not math.isnan(s.t_depart)]
    assert len(sailed) > 100
    waited = [s for s in sailed if s.waited_hours > 0]
    assert 10 < len(waited) < len(sailed)
    for s in sailed:
        ready = s.t_depart - s.waited_hours
        assert s.waited_hours == pytest.approx(expected_wait(ready, 96.0), abs=1e-6)
        if 480.0 < s.t_depart < 720.0:  # nobody sails into the surge unless its wait ran out
            assert s.waited_hours == pytest.approx(96.0)


def test_loitering_ships_wait_at_the_anchorage_and_then_deliver() -> None:
    resolved = surge_world("loiter", timing=False)
    out = run(resolved)
    route = resolved.geography.routes[RISKY]
    speed = resolved.scenario.sellers[0].speed_knots
    to_anchorage = route.hours_to(route.transfer_nm or 0.0, speed)
    done = [s for s in out.shipments if s.outcome == "delivered"]
    assert len(done) > 100 and all(s.mode == "loiter" for s in done)
    assert sum(s.waited_hours > 0 for s in done) > 10
    for s in done:
        at_anchorage = s.t_depart + to_anchorage
        assert s.waited_hours == pytest.approx(expected_wait(at_anchorage, 48.0), abs=1e-6)
        sailing = route.duration_hours(speed)
        assert s.t_arrive - s.t_depart == pytest.approx(sailing + s.waited_hours, abs=1e-6)


def test_tips_reach_loitering_ships_and_barges_on_their_next_leg() -> None:
    """A tip that comes while the cargo is still short of its anchorage or transfer point is
    followed up inside the zone the cargo will cross next, so no mode escapes tips."""
    from sim.verify.worlds import trade_world

    data = trade_world("advance", ship_to_ship=0.5).scenario.model_dump(mode="json")
    data["adaptation"] = {"enabled": True, "modes": ["port", "ship_to_ship", "loiter"]}
    data["adaptation"]["sharpness"] = 0.0
    data["tips"]["max_probability"] = 0.3
    resolved = resolve(Scenario.model_validate(data))
    tipped: dict[str, int] = {}
    caught: dict[str, int] = {}
    for rep in range(12):
        for s in run(resolved, rep).shipments:
            if s.route == RISKY and s.outcome in ("delivered", "seized") and s.tips:
                tipped[s.mode] = tipped.get(s.mode, 0) + 1
                caught[s.mode] = caught.get(s.mode, 0) + (s.cause == "tip")
    assert set(tipped) == {"port", "ship_to_ship", "loiter"}
    for mode, n in tipped.items():
        assert n >= 15 and caught[mode] / n > 0.35, (mode, caught[mode], n)


def test_a_timing_run_of_the_surge_scenario_finishes() -> None:
    """Regression: a wait whose remainder rounded to nothing once stalled the clock."""
    import signal

    def stalled(*_: object) -> None:
        raise TimeoutError("the replication did not finish in 120 s")

    resolved = load("scenarios/lianyungang_surge.toml", ["adaptation.timing=true"])
    previous = signal.signal(signal.SIGALRM, stalled)
    signal.alarm(120)
    try:
        out = run(resolved, 0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert out.horizon_hours == 8760.0
    assert any(s.waited_hours > 0 for s in out.shipments)
