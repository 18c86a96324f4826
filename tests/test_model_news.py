"""Seizure news reaches every buyer still in the trade, faded as worked out by hand."""

from __future__ import annotations

import math

import pytest
from builders import section

from sim.model.buyer_costs import Stakes
from sim.model.buyers import AFTER, BuyerAgent, beliefs_of, fade
from sim.scenario.trade import Beliefs, Buyer

pytestmark = pytest.mark.model


def _buyer(name: str, alpha_e: float, beta_e: float, last: float) -> BuyerAgent:
    b = BuyerAgent(name, section(Buyer(name=name, port="Yantai", prior_alpha=1.0, prior_beta=9.0)))
    b.alpha_e, b.beta_e, b.last = alpha_e, beta_e, last
    return b


def test_news_fades_each_buyer_from_its_own_last_time_and_skips_those_who_left() -> None:
    month = 30 * 24.0
    old = _buyer("old", 2.0, 4.0, 0.0)  # a month ago: evidence times e^-1
    recent = _buyer("recent", 2.0, 4.0, month / 2)  # half a month: times e^-1/2
    now_ = _buyer("now", 2.0, 4.0, month)  # already faded to now
    gone = _buyer("gone", 2.0, 4.0, 0.0)
    gone.left = "arrested"
    fade([old, recent, now_, gone], month, section(Beliefs(memory_days=30.0)), news=1.0)
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
    (q,) = beliefs_of([b], month, section(Beliefs(memory_days=30.0)))
    a = 1.0 + math.exp(-1)
    assert q == pytest.approx(a / (a + 9.0))


def test_news_of_investigations_raises_the_naming_belief_as_worked_out_by_hand() -> None:
    """Memory 30 days, prior 0.5 a year over 90 days, news weight 1. Two investigations, 30
    and 60 days in, each naming 10 of 100 buyers, no seizure: at day 60 the evidence is
    c = 0.1 e^-1 + 0.1 and the exposure t = 30 (1 - e^-2) days, so the believed rate is
    (0.5 / 365 x 90 + c) / (90 + t) a day: 0.00224 against the prior's 0.00137."""
    beliefs = section(Beliefs(memory_days=30.0, naming_prior_per_year=0.5, naming_prior_days=90.0))
    day = 24.0
    b = _buyer("b", 0.0, 0.0, 0.0)
    before = b.naming_rate(0.0, beliefs)
    assert before == pytest.approx(0.5 / 365)
    fade([b], 30 * day, beliefs, named=10 / 100)
    fade([b], 60 * day, beliefs, named=10 / 100)
    c, t = 0.1 * math.exp(-1) + 0.1, 30 * (1 - math.exp(-2))
    assert (b.named_e, b.exposed_e) == pytest.approx((c, t), rel=1e-12)
    rate = b.naming_rate(60 * day, beliefs)
    assert rate == pytest.approx((0.5 / 365 * 90 + c) / (90 + t), rel=1e-12)
    assert rate == pytest.approx(0.002244, abs=1e-6)
    assert (b.alpha_e, b.beta_e) == (0.0, 0.0)  # no seizure: the interception belief is as it was
    # ...and it is less willing to deal. The baseline's mean deal after delivery, q = 0.34:
    # M = 2,697,500, L = 1,200,000, arrest 0.3 x 3 M = 2,427,750; E before naming
    # 0.66 M - 0.34 (L + 2,427,750) = 546,915, less nu (365 x 200,000 / 3 + 90 M): 366 k at
    # the prior (it signs), 599 k after the news (it refuses).
    offer = (AFTER, 0.34, 2_762_500.0, 2.0, 1_200_000.0, False, 65_000.0)

    def stakes(nu: float) -> Stakes:
        return Stakes(0.3, 365.0, nu, 200_000.0, 90.0)

    assert b.terms_value(0.34, *offer[2:5], AFTER, offer[6], stakes(before)) == pytest.approx(
        546_915.0 - before * (365 * 200_000 / 3 + 90 * 2_697_500)
    )
    assert b.decide(*offer, stakes=stakes(before)) == AFTER
    assert b.decide(*offer, stakes=stakes(rate)) is None


def test_with_no_news_the_naming_belief_fades_to_what_quiet_time_teaches() -> None:
    """No investigation for a memory's length: exposure 30 (1 - e^-1) days, no evidence."""
    beliefs = section(Beliefs(memory_days=30.0, naming_prior_per_year=0.5, naming_prior_days=90.0))
    b = _buyer("b", 0.0, 0.0, 0.0)
    rate = b.naming_rate(30 * 24.0, beliefs)
    assert rate == pytest.approx(0.5 / 365 * 90 / (90 + 30 * (1 - math.exp(-1))), rel=1e-12)
    off = section(Beliefs(memory_days=30.0, naming_news_weight=0.0))  # weight 0: the prior stays
    assert _buyer("c", 0.0, 0.0, 0.0).naming_rate(3000 * 24.0, off) == 0.5 / 365
