"""A buyer's arithmetic worked by hand: the terms of an offer (``sim.model.buyer_costs``),
the break-even, its belief, its month's room and its decision."""

from __future__ import annotations

import math
from typing import Any

import pytest
from builders import section

from sim.model.buyer_costs import DealCosts, Stakes, deal_costs
from sim.model.buyers import ADVANCE, AFTER, BuyerAgent, beliefs_of, break_even, fade
from sim.model.ledger import Ledger
from sim.scenario.trade import Beliefs, Buyer

pytestmark = pytest.mark.model


def _buyer(**config: Any) -> BuyerAgent:
    return BuyerAgent("b", section(Buyer.model_validate({"name": "b", "port": "P", **config})))


def test_expected_profit_and_break_even_of_a_deals_terms() -> None:
    """M = 100, L = 50, C_arrest = 30, C_named = 7, q = 1/4: 3/4 x 100 - 1/4 x 80 - 7 = 48;
    zero at q* = (100 - 7) / (100 + 50 + 30) = 93 / 180."""
    c = DealCosts(margin=100.0, loss=50.0, arrest=30.0, named=7.0)
    assert c.profit(0.25) == 48.0
    assert c.break_even == pytest.approx(93 / 180, rel=1e-15)
    assert c.profit(93 / 180) == pytest.approx(0.0, abs=1e-12)
    assert break_even(3.0, 1.0) == 0.75  # no naming cost unless given
    assert break_even(3.0, 1.0, 1.0) == 0.5  # (3 - 1) / (3 + 1)


STAKES = Stakes(
    arrest_probability=0.5,
    arrest_horizon_days=365.0,
    naming_rate=0.01,
    accomplice_fine=300.0,
    sentence_days=10.0,
)


def test_an_offers_stakes_and_costs_come_back_from_pickle_as_they_were() -> None:
    import pickle

    costs = deal_costs(1000.0, 1.5, 10.0, False, 100.0, STAKES, 3.0)
    for record in (STAKES, costs):
        back = pickle.loads(pickle.dumps(record))
        assert type(back) is type(record) and back == record


def test_the_arrest_and_naming_costs_of_an_offer_by_hand() -> None:
    """3 deals a year. Cargo 1,000 resold at 1.5 less a fee of 100: M = 400; arrest
    0.5 x 400 x 3 x 365 / 365 = 600; named 0.01 x (365 / 3 x 300 + 10 x 400) = 405.
    At resale 1.0 with the same fee M = -100: a deal with no margin forgoes nothing, so
    arrest costs 0 and naming only the fine, 0.01 x 36,500 = 365."""
    after = deal_costs(1000.0, 1.5, 10.0, False, 100.0, STAKES, 3.0)
    terms = (after.margin, after.loss, after.arrest, after.named)
    assert terms == pytest.approx((400.0, 10.0, 600.0, 405.0), rel=1e-12)
    advance = deal_costs(1000.0, 1.5, 10.0, True, 100.0, STAKES, 3.0)
    assert advance.loss == 1010.0
    losing = deal_costs(1000.0, 1.0, 10.0, False, 100.0, STAKES, 3.0)
    assert losing.margin == -100.0 and losing.arrest == 0.0
    assert losing.named == pytest.approx(365.0, rel=1e-12)


def test_the_value_of_terms_to_a_buyer_by_hand() -> None:
    """Cargo 100 resold at 2 (M = 100), fine 50, q = 1/2. Advance (L = 150): 50 - 75 = -25;
    after delivery (L = 50): 25. With the broker's fee 10: M = 90, 45 - 25 = 20. A risk
    multiplier of 3 takes q = 0.2 to 0.6: 40 - 90 = -50 advance; q = 0.5 to 1 (capped):
    -150. With the stakes above: arrest 0.5 x 100 x 3 = 150, named 0.01 x (36,500 +
    1,000) = 375: after delivery 50 - 100 - 375 = -425."""
    b = _buyer()
    assert b.terms_value(0.5, 100.0, 2.0, 50.0, ADVANCE) == -25.0
    assert b.terms_value(0.5, 100.0, 2.0, 50.0, AFTER) == 25.0
    assert b.terms_value(0.5, 100.0, 2.0, 50.0, AFTER, 10.0) == 20.0
    assert b.terms_value(0.5, 100.0, 2.0, 50.0, AFTER, 0.0, STAKES) == pytest.approx(-425.0)
    wary = _buyer(risk_multiplier=3.0)
    assert wary.terms_value(0.2, 100.0, 2.0, 50.0, ADVANCE) == pytest.approx(-50.0)
    assert wary.terms_value(0.5, 100.0, 2.0, 50.0, ADVANCE) == -150.0


@pytest.mark.parametrize(
    ("hurdle", "offered", "counter", "signs"),
    [
        (25.0, AFTER, False, AFTER),  # worth exactly the hurdle: signed
        (25.5, AFTER, False, None),
        (25.0, ADVANCE, False, None),  # advance worth -25; no counter-offer allowed
        (25.0, ADVANCE, True, AFTER),  # it asks for the other terms, worth 25
        (25.5, ADVANCE, True, None),
        (-25.0, ADVANCE, True, ADVANCE),  # a hurdle below zero: advance is good enough
        (-25.0, AFTER, True, AFTER),
        (0.0, AFTER, True, AFTER),
    ],
)
def test_a_buyer_signs_terms_worth_its_hurdle_or_asks_for_the_others(
    hurdle: float, offered: str, counter: bool, signs: str | None
) -> None:
    """Worth 25 after delivery and -25 advance, as above (q = 1/2)."""
    b = _buyer()
    b.hurdle = hurdle  # the scenario's hurdle is at least 0; the rule takes any number
    assert b.decide(offered, 0.5, 100.0, 2.0, 50.0, counter) == signs


def test_a_buyers_month_is_a_rolling_720_hours() -> None:
    """6,000 t a month; 1,000 t taken at hour 0 and 2,000 at hour 100. Room: 3,000 at
    hour 500; at 720 the first purchase is exactly 720 h old and no longer counts: 4,000;
    at 820 neither: 6,000."""
    b = _buyer(demand_tonnes_per_month=6000.0)
    b.take(0.0, 1000.0)
    b.take(100.0, 2000.0)
    assert [b.demand_left(t) for t in (500.0, 720.0, 719.0, 820.0)] == [
        3000.0,
        4000.0,
        4000.0,  # what aged out stays out
        6000.0,
    ]


def test_a_buyers_belief_is_its_faded_beta_mean_and_its_cash_its_books() -> None:
    """Prior (1, 9), memory 30 days. A delivery at hour 0 (beta + 1) and a seizure weighing 2
    at a month (the delivery faded to e^-1): belief (1 + 2) / (1 + 2 + 9 + e^-1). With no
    seizure and 10 deliveries: 1 / 20. Cash: 1,000 at entry, paid 250: 750."""
    beliefs = section(Beliefs(memory_days=30.0))
    b = _buyer(capital_rmb=1000.0)
    b.observe(0.0, False, 1.0, beliefs)
    b.observe(720.0, True, 2.0, beliefs)
    assert b.belief(720.0, beliefs) == pytest.approx(3.0 / (12.0 + math.exp(-1)), rel=1e-12)
    c = _buyer()
    c.observe(0.0, False, 10.0, beliefs)
    assert c.belief(0.0, beliefs) == 1.0 / 20.0
    ledger = Ledger()
    ledger.post(0.0, b.party, "market:china", 250.0, "payment")
    assert b.cash(ledger) == 750.0


def test_the_other_terms_are_weighed_with_the_same_stakes() -> None:
    """Offered advance (-25 without stakes), the buyer would ask for payment after delivery
    (25), but with the stakes above that is worth -425: it signs nothing."""
    b = _buyer()
    assert b.decide(ADVANCE, 0.5, 100.0, 2.0, 50.0, True) == AFTER
    assert b.decide(ADVANCE, 0.5, 100.0, 2.0, 50.0, True, 0.0, STAKES) is None


def test_the_weekly_beliefs_are_read_faded_and_leave_the_buyers_as_they_were() -> None:
    """Memory 30 days, prior (1, 9). b holds 1 seizure and 2 deliveries from hour 0: at a
    month, a = 1 + e^-1, b = 9 + 2e^-1, belief a / (a + b); c, faded at that very hour:
    2 / 13. Reading them fades neither (the sample must not change what it observes); news
    fades them, and passes over a buyer who left the trade."""
    beliefs = section(Beliefs(memory_days=30.0))
    gone, b, c = _buyer(), _buyer(), _buyer()
    gone.left = "arrested"
    gone.alpha_e = b.alpha_e = c.alpha_e = 1.0
    b.beta_e = c.beta_e = 2.0
    c.last = 720.0
    qb, qc = beliefs_of([b, c], 720.0, beliefs)
    e = math.exp(-1)
    assert qb == pytest.approx((1 + e) / (1 + e + 9 + 2 * e), rel=1e-12)
    assert qc == 2.0 / 13.0
    assert (b.alpha_e, b.beta_e, b.last) == (1.0, 2.0, 0.0)  # read, not faded
    assert beliefs_of([b], 720.0, beliefs) == [qb]  # and read again, the same
    c.named_e = 0.2
    fade([c], 720.0, beliefs, 0.5, 0.1)  # news the very hour it was faded: added
    assert (c.alpha_e, c.beta_e, c.named_e) == pytest.approx((1.5, 2.0, 0.3), rel=1e-15)
    fade([gone, b], 1440.0, beliefs, news=0.5)
    assert (gone.alpha_e, gone.last) == (1.0, 0.0)
    assert (b.alpha_e, b.beta_e, b.last) == pytest.approx((e * e + 0.5, 2 * e * e, 1440.0))


def test_a_new_buyer_is_free_at_once_with_no_evidence_and_has_not_left() -> None:
    """Entering at hour 5 with 6,000 t a month and RMB 30 million: room 6,000, belief the
    prior's mean 0.1, not sitting out, in the trade, entered at 5 (0 for the initial ones)."""
    b = BuyerAgent("b", section(Buyer(name="b", port="P")), now=5.0)
    assert (b.entered_at, b.last, b.left, b.party) == (5.0, 5.0, "", "buyer:b")
    assert math.isnan(b.left_at) and b.sit_until <= 0.0
    assert b.demand_left(5.0) == 6000.0 and b.belief(5.0, section(Beliefs())) == 0.1
    assert b.cash(Ledger()) == 30e6
    assert BuyerAgent("a", section(Buyer(name="a", port="P"))).entered_at == 0.0


def test_all_evidence_fades_from_the_last_time_it_was_faded() -> None:
    """Memory 30 days. Faded last at hour 720 holding 1 seizure, 2 deliveries, 0.2 of the
    trade named and 10 days of exposure; at hour 1440 each is times e^-1, and the exposure
    gains 30 (1 - e^-1) days. Seizure news of 0.5 (``fade``) adds to the seizures alone."""
    beliefs = section(Beliefs(memory_days=30.0))
    e = math.exp(-1)
    want = (e, 2 * e, 0.2 * e, 10 * e + 30 * (1 - e))
    one, news = _buyer(), _buyer()
    for b in (one, news):
        b.alpha_e, b.beta_e, b.named_e, b.exposed_e, b.last = 1.0, 2.0, 0.2, 10.0, 720.0
    one.belief(1440.0, beliefs)
    assert (one.alpha_e, one.beta_e, one.named_e, one.exposed_e) == pytest.approx(want)
    fade([news], 1440.0, beliefs, 0.5)
    assert (news.alpha_e - 0.5, news.beta_e, news.named_e, news.exposed_e) == pytest.approx(want)
