"""Seizure news reaches every buyer still in the trade, faded as worked out by hand."""

from __future__ import annotations

import math

import pytest

from sim.model.buyers import BuyerAgent, beliefs_of, fade
from sim.scenario.trade import Beliefs, Buyer

pytestmark = pytest.mark.model


def _buyer(name: str, alpha_e: float, beta_e: float, last: float) -> BuyerAgent:
    b = BuyerAgent(name, Buyer(name=name, port="Yantai", prior_alpha=1.0, prior_beta=9.0))
    b.alpha_e, b.beta_e, b.last = alpha_e, beta_e, last
    return b


def test_news_fades_each_buyer_from_its_own_last_time_and_skips_those_who_left() -> None:
    month = 30 * 24.0
    old = _buyer("old", 2.0, 4.0, 0.0)  # a month ago: evidence times e^-1
    recent = _buyer("recent", 2.0, 4.0, month / 2)  # half a month: times e^-1/2
    now_ = _buyer("now", 2.0, 4.0, month)  # already faded to now
    gone = _buyer("gone", 2.0, 4.0, 0.0)
    gone.left = "arrested"
    fade([old, recent, now_, gone], month, 30.0, news=1.0)
    assert (old.alpha_e, old.beta_e) == pytest.approx((2 * math.exp(-1) + 1, 4 * math.exp(-1)))
    assert (recent.alpha_e, recent.beta_e) == pytest.approx(
        (2 * math.exp(-0.5) + 1, 4 * math.exp(-0.5))
    )
    assert (now_.alpha_e, now_.beta_e) == (3.0, 4.0)
    assert (gone.alpha_e, gone.beta_e, gone.last) == (2.0, 4.0, 0.0)
    assert old.last == recent.last == month


def test_the_weekly_beliefs_are_the_faded_beta_means() -> None:
    month = 30 * 24.0
    b = _buyer("b", 1.0, 0.0, 0.0)
    (q,) = beliefs_of([b], month, Beliefs(memory_days=30.0))
    a = 1.0 + math.exp(-1)
    assert q == pytest.approx(a / (a + 9.0))
