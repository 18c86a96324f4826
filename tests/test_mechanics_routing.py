"""Sellers' route and mode choice by hand: fading Beta evidence, the hours each
alternative keeps a ship away, the logit, and who learns what from a voyage's end."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sim.model.rng import Draws
from sim.model.routing import (
    LOITER,
    PORT,
    SHIP_TO_SHIP,
    FadingBeta,
    RouteChoice,
    Routing,
    alternatives,
    logit_probabilities,
)
from sim.scenario.adaptive import Adaptation
from sim.scenario.schema import Seller

pytestmark = pytest.mark.model


def test_evidence_fades_with_the_memory_time_constant() -> None:
    b = FadingBeta()
    b.add(0.0, True, 2.0, 10.0)
    # At 10 h with memory 10 h: 2/e seized; prior (1, 9).
    assert b.mean(10.0, 1.0, 9.0, 10.0) == pytest.approx((1 + 2 / math.e) / (10 + 2 / math.e))
    b.add(10.0, False, 1.0, 10.0)
    assert (b.seized, b.arrived) == pytest.approx((2 / math.e, 1.0))
    s, a = 2 / math.e**2, 1 / math.e
    assert b.mean(20.0, 1.0, 9.0, 10.0) == pytest.approx((1 + s) / (1 + s + 9 + a))
    b.fade(15.0, 10.0)  # the past: nothing changes
    assert (b.seized, b.arrived, b.last) == pytest.approx((s, a, 20.0))
    b.add(20.0, True, 1.0, 10.0)  # evidence adds up
    b.add(20.0, False, 1.0, 10.0)
    assert (b.seized, b.arrived) == pytest.approx((s + 1.0, a + 1.0))


def _route(name: str, length: float, transfer: float | None) -> Any:
    return SimpleNamespace(name=name, length_nm=length, transfer_nm=transfer, transfer_hours=6.0)


def test_hours_away_and_weights_of_each_route_and_mode() -> None:
    """At 10 kn with 5 h discharge: to port 2 L / v + 5; ship-to-ship 2 T / v + 6 (stop);
    loitering 2 L / v + 6 + 5. A route's weight is shared among its usable modes."""
    a, b = _route("a", 300.0, 100.0), _route("b", 200.0, None)
    alts = alternatives([a, b], [3.0, 1.0], [PORT, SHIP_TO_SHIP, LOITER], 10.0, 5.0)
    got = [(x.route.name, x.mode, x.weight, x.hours_away) for x in alts]
    assert got == [
        ("a", PORT, 1.0, pytest.approx(65.0)),
        ("a", SHIP_TO_SHIP, 1.0, pytest.approx(26.0)),
        ("a", LOITER, 1.0, pytest.approx(71.0)),
        ("b", PORT, 1.0, pytest.approx(45.0)),
    ]
    assert alts[1].key == ("a", SHIP_TO_SHIP)


def test_the_logit_by_hand_and_without_overflow() -> None:
    e = math.exp(-1.0)
    assert logit_probabilities([0.0, -1.0], [1.0, 1.0], 1.0) == pytest.approx(
        [1 / (1 + e), e / (1 + e)]
    )
    assert logit_probabilities([0.0, -1.0], [1.0, 3.0], 1.0) == pytest.approx(
        [1 / (1 + 3 * e), 3 * e / (1 + 3 * e)]
    )
    assert logit_probabilities([-0.5, -0.9], [1.0, 3.0], 0.0) == pytest.approx([0.25, 0.75])
    sharp = logit_probabilities([-0.5, -0.6], [1.0, 1.0], 5000.0)
    assert sharp == pytest.approx([1.0, 0.0])


def _choice(routes: list[Any], weights: list[float], **settings: Any) -> tuple[RouteChoice, Any]:
    s = Adaptation(**{"prior_alpha": 1.0, "prior_beta": 9.0, "memory_days": 10.0, **settings})
    seller = Seller(name="s", port="Nampo", routes=["x"], speed_knots=10.0, discharge_hours=5.0)
    company = SimpleNamespace(
        name="s", seller=seller, routes=routes, weights=weights, cost_rmb_per_hour=100.0
    )
    return RouteChoice(company, s, Draws(np.random.default_rng(0)), 65_000.0), s  # type: ignore[arg-type]


def test_utility_is_minus_believed_risk_minus_running_cost_over_cargo_value() -> None:
    choice, s = _choice([_route("a", 300.0, None), _route("b", 200.0, None)], [1.0, 1.0])
    # Prior mean 0.1; a keeps the ship 65 h at 100 RMB/h on a 65,000 RMB cargo: 0.1.
    assert choice.utilities(0.0, s) == pytest.approx([-0.2, -0.1 - 4500 / 65000])
    # Evidence of one seizure on a, ten days (one memory) old: believed risk (1 + 1/e) / (10 + 1/e).
    choice.options[0].belief.add(0.0, True, 1.0, 240.0)
    q = (1 + 1 / math.e) / (10 + 1 / math.e)
    assert choice.utilities(240.0, s)[0] == pytest.approx(-q - 0.1)
    choice.options[0].belief = type(choice.options[0].belief)()
    p = choice.probabilities(0.0, s)
    ua, ub = -0.2 * s.sharpness, (-0.1 - 4500 / 65000) * s.sharpness
    assert p[0] == pytest.approx(math.exp(ua) / (math.exp(ua) + math.exp(ub)))


def test_a_single_alternative_is_chosen_without_a_draw_and_a_sharp_choice_takes_the_best() -> None:
    one, s = _choice([_route("a", 300.0, None)], [1.0])
    assert one.choose(0.0, s).route.name == "a"
    assert one.rng.random() == np.random.default_rng(0).random()  # nothing was drawn
    two, s2 = _choice(
        [_route("a", 300.0, None), _route("b", 200.0, None)], [1.0, 1.0], sharpness=1e4
    )
    assert {two.choose(0.0, s2).route.name for _ in range(20)} == {"b"}


def test_a_seller_learns_its_own_outcomes_and_everyone_else_only_the_seizures() -> None:
    mine, s = _choice([_route("a", 300.0, None)], [1.0], own_weight=2.0, news_weight=0.5)
    theirs, _ = _choice([_route("a", 300.0, None)], [1.0])
    theirs.company.name = "t"
    routing = Routing([mine, theirs])
    key = ("a", PORT)
    routing.outcome("s", key, 0.0, False, s)
    assert (mine.by_key[key].belief.arrived, theirs.by_key[key].belief.arrived) == (2.0, 0.0)
    routing.outcome("s", key, 0.0, True, s)
    assert (mine.by_key[key].belief.seized, theirs.by_key[key].belief.seized) == (2.0, 0.5)
    routing.outcome("s", ("elsewhere", PORT), 0.0, True, s)  # a key it does not sail: ignored
    mine.learn(key, 0.0, True, 0.0, 240.0)  # no weight: nothing learnt
    assert mine.by_key[key].belief.seized == 2.0
    # Memory 10 days: ten days on, the evidence so far is down to 1/e.
    routing.outcome("s", key, 240.0, False, s)
    belief = mine.by_key[key].belief
    assert (belief.seized, belief.arrived) == pytest.approx((2 / math.e, 2 / math.e + 2.0))
