"""Who hears of a cargo's fate, as exact traces: the adaptive seller (its own voyages, told
once, at the handover or the arrival; its ship's seizure) and the buyers (their own cargo,
and every seizure as public news)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, cast

import pytest
import simpy
from builders import section

from sim.model.buyers import BuyerAgent
from sim.model.inforce import InForce
from sim.model.news import BuyerNews, SellerNews
from sim.model.params import compile_params
from sim.scenario import Scenario
from sim.scenario.trade import Buyer

pytestmark = pytest.mark.model


class Told:
    """Stands in for ``Routing``: keeps every outcome it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def outcome(self, *args: Any) -> None:
        self.calls.append(args)


def _voyage(ship_to_ship: bool, sellers_ship: bool, buyer: Any = None, route: str = "r") -> Any:
    rec = SimpleNamespace(seller="s", route=route, mode="m")
    deal = SimpleNamespace(ship_to_ship=ship_to_ship, buyer=buyer)
    return SimpleNamespace(rec=rec, deal=deal, on_sellers_ship=lambda: sellers_ship)


def _in_force(**beliefs: float) -> InForce:
    return InForce(compile_params(Scenario.model_validate({"beliefs": beliefs})))


def test_the_seller_hears_once_how_its_own_voyage_ended() -> None:
    """At hour 5: a handover and a delivery to port are arrivals (seized False) on the
    voyage's route and mode; a ship-to-ship cargo's arrival at port was told at the
    handover already; a seizure of the seller's ship is a seizure; of the buyer's barge,
    nothing to the seller."""
    env = simpy.Environment(initial_time=5.0)
    in_force = _in_force()
    told = Told()
    news = SellerNews(env, in_force, cast(Any, told))
    adapt = in_force.params.adaptation
    news.handed_over(_voyage(True, True, route="r1"))
    news.delivered(_voyage(False, True, route="r2"))
    news.delivered(_voyage(True, False, route="r3"))
    news.seized(_voyage(False, True, route="r4"), cast(Any, None), "patrol")
    news.seized(_voyage(True, False, route="r5"), cast(Any, None), "patrol")
    assert told.calls == [
        ("s", ("r1", "m"), 5.0, False, adapt),
        ("s", ("r2", "m"), 5.0, False, adapt),
        ("s", ("r4", "m"), 5.0, True, adapt),
    ]
    assert all(call[4] is adapt for call in told.calls)


def _buyer(name: str) -> BuyerAgent:
    return BuyerAgent(name, section(Buyer(name=name, port="P", prior_alpha=1.0, prior_beta=9.0)))


def test_buyers_learn_from_their_own_cargo_and_from_every_seizure() -> None:
    """Memory 30 days, own weight 1, news weight 0.25, everyone last faded at hour 0, a
    holding 2 deliveries, b and c 1 seizure. At a month (720 h: evidence times e^-1), a's
    cargo delivered: a = (0, 2e^-1 + 1); b not told. Then b's cargo seized: news 0.25 to a
    and b, and b's own seizure 1: a = (0.25, 2e^-1 + 1), b = (e^-1 + 1.25, 0); c, who
    left the trade, hears nothing."""
    env = simpy.Environment(initial_time=720.0)
    in_force = _in_force(memory_days=30.0, own_weight=1.0, news_weight=0.25)
    a, b, c = _buyer("a"), _buyer("b"), _buyer("c")
    a.beta_e, b.alpha_e, c.alpha_e = 2.0, 1.0, 1.0
    c.left = "arrested"
    news = BuyerNews(env, in_force, {"a": a, "b": b, "c": c})
    news.delivered(_voyage(False, True, a))
    e = math.exp(-1)
    assert (a.alpha_e, a.beta_e, a.last) == pytest.approx((0.0, 2 * e + 1, 720.0))
    assert (b.alpha_e, b.beta_e, b.last) == (1.0, 0.0, 0.0)  # not told yet
    news.seized(_voyage(False, True, b), cast(Any, None), "patrol")
    assert (a.alpha_e, a.beta_e) == pytest.approx((0.25, 2 * e + 1))
    assert (b.alpha_e, b.beta_e, b.last) == pytest.approx((e + 1.25, 0.0, 720.0))
    assert (c.alpha_e, c.beta_e, c.last) == (1.0, 0.0, 0.0)
    # c's own cargo, still at sea when it left, seized: its own evidence, faded, and 1 more
    news.seized(_voyage(False, True, c), cast(Any, None), "patrol")
    assert (c.alpha_e, c.beta_e, c.last) == pytest.approx((e + 1.0, 0.0, 720.0))
