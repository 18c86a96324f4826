"""The market, as exact traces on hand-built worlds: who is asked, in what order, who signs
on which terms, and which route and delivery mode the deal gets.

Every uniform the market draws comes from a script (``Script``), so each trace is worked
out by hand, and a draw more or fewer than the trace needs fails the test.

The deals' numbers, unless a test says otherwise: a 1,000 t lot at 100 RMB/t (price range
100 to 100, still drawn), value V = 100,000; resale at twice the price, margin M = V; the
fine a multiple 1 of the cargo's value, V; no broker's fee, arrest or naming weighed. The
buyer's expected profit (1 - q) M - q L is then >= 0 exactly while q <= M / (M + L): after
delivery (L = V) q* = 1/2, advance (L = 2V) q* = 1/3. Buyers believe q = alpha / (alpha +
beta) from their prior: 0.1 (sure), 0.4 (signs only after delivery), 0.6 (signs nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pytest
import simpy
from builders import section

from sim.model.buyers import ADVANCE, AFTER, BuyerAgent
from sim.model.company import Company
from sim.model.inforce import InForce
from sim.model.ledger import Ledger
from sim.model.market import FixedMarket, StrategicMarket
from sim.model.network import BROKER, BUYER, SELLER, TradeNetwork
from sim.model.params import compile_params
from sim.model.rng import Draws
from sim.model.routing import PORT, SHIP_TO_SHIP, Alternative
from sim.scenario import Scenario
from sim.scenario.schema import Seller
from sim.scenario.trade import Buyer

pytestmark = pytest.mark.model

PRIORS = {"sure": (1.0, 9.0), "mid": (2.0, 3.0), "scared": (3.0, 2.0)}


class Script:
    """Stands in for a numpy Generator: hands out the scripted uniforms in order and fails
    on a draw beyond them (``Draws`` with ``block=1`` asks for one at a time)."""

    def __init__(self, values: list[float]) -> None:
        self.values = list(values)

    def random(self, n: int) -> np.ndarray:
        assert len(self.values) >= n, "the market drew more uniforms than the trace"
        out, self.values = self.values[:n], self.values[n:]
        return np.array(out)


@dataclass(frozen=True)
class Route:
    """What the market and the company read of a route."""

    name: str
    destination: str
    transfer_nm: float | None = None
    length_nm: float = 100.0


def _in_force(terms: str = "after_delivery", **sections: dict[str, Any]) -> InForce:
    """The module docstring's numbers, with ``sections`` laid over them key by key."""
    s: dict[str, dict[str, Any]] = {
        "contract": {
            "price_rmb_per_tonne_min": 100.0,
            "price_rmb_per_tonne_max": 100.0,
            "payment_terms": terms,
        },
        "enforcement": {"fine_rule": "cargo_multiple", "fine_cargo_multiple": 1.0},
        "market": {"arrest_probability": 0.0, "arrest_horizon_days": 0.0},
        "beliefs": {"naming_prior_per_year": 0.0, "naming_news_weight": 0.0},
        "network": {"broker_fee_rmb_per_tonne": 0.0},
    }
    for key, values in sections.items():
        s[key] = {**s.get(key, {}), **values}
    return InForce(compile_params(Scenario.model_validate(s)))


class Record:
    def __init__(self, rate: float) -> None:
        self.rate = rate

    def public_seizure_rate(self) -> float:
        return self.rate


def _company(
    in_force: InForce,
    routes: list[Route],
    *,
    insists: bool = False,
    seizure_rate: float = 0.0,
    weights: list[float] | None = None,
) -> Company:
    seller = section(
        Seller.model_validate(
            {
                "name": "s",
                "port": "Nampo",
                "routes": [r.name for r in routes],
                "route_weights": weights,
                "insists_on_advance": insists,
                "operating_cost_rmb_per_day": 0.0,
            }
        )
    )
    fleet = simpy.Store(simpy.Environment())
    return Company(
        "s",
        seller,
        fleet,
        cast(Any, routes),
        in_force=in_force,
        ledger=Ledger(),
        record=Record(seizure_rate),
    )


def _buyer(name: str, port: str = "P", belief: str = "sure", **config: Any) -> BuyerAgent:
    a, b = PRIORS[belief]
    return BuyerAgent(
        name,
        section(
            Buyer.model_validate(
                {"name": name, "port": port, "prior_alpha": a, "prior_beta": b, **config}
            )
        ),
    )


def _strategic(
    in_force: InForce,
    draws: list[float],
    brokers: dict[str, list[BuyerAgent]],
    *,
    smallest_lot: float = 1000.0,
    ledger: Ledger | None = None,
) -> tuple[StrategicMarket, TradeNetwork, Script]:
    """The seller ``s`` linked to each broker, each broker to its buyers, in the order given."""
    net = TradeNetwork()
    net.add("s", SELLER)
    agents: dict[str, BuyerAgent] = {}
    for broker, buyers in brokers.items():
        net.add(broker, BROKER, ["s"])
        for b in buyers:
            if b.name not in agents:
                net.add(b.name, BUYER)
                agents[b.name] = b
            net.link(b.name, broker)
    script = Script(draws)
    market = StrategicMarket(
        in_force,
        Draws(cast(Any, script), block=1),
        ledger or Ledger(),
        network=net,
        buyers=agents,
        buyers_at={},
        smallest_lot=smallest_lot,
    )
    return market, net, script


P_ROUTE, Q_ROUTE = Route("p", "P"), Route("q", "Q")


def _fixed_market(
    in_force: Any, script: Script, buyers_at: dict[str, list[BuyerAgent]]
) -> FixedMarket:
    """A fixed market drawing its uniforms, one at a time, from ``script``."""
    return FixedMarket(
        in_force,
        Draws(cast(Any, script), block=1),
        Ledger(),
        network=TradeNetwork(),
        buyers={},
        buyers_at=buyers_at,
        smallest_lot=1000.0,
    )


def test_fixed_market_trace_route_buyer_price_and_delivery() -> None:
    """Routes p (to P, with a transfer point) and q (to Q), equal weights (cdf 1, 2);
    buyers P: [p0, p1], Q: [q0]; prices 100 to 300; half the deals on p ship-to-ship.

    Deal 1: route u = 0.3 (0.6 < 1: p), buyer u = 0.9 (int(1.8) = 1: p1), price u = 0.5
    (200), ship-to-ship u = 0.2 < 0.5: yes. Deal 2: route u = 0.7 (1.4: q), one buyer (no
    draw), price u = 0.25 (150), no transfer point (no draw). Deal 3, the seller's own
    choice of p in port mode: buyer u = 0.4 (p0), price u = 0.75 (250), the mode as chosen.
    """
    transfer = Route("p", "P", transfer_nm=50.0)
    in_force = _in_force(
        "advance",
        contract={
            "price_rmb_per_tonne_min": 100.0,
            "price_rmb_per_tonne_max": 300.0,
            "ship_to_ship_share": 0.5,
        },
    )
    company = _company(in_force, [transfer, Q_ROUTE])
    p0, p1, q0 = _buyer("p0"), _buyer("p1"), _buyer("q0", "Q")
    script = Script([0.3, 0.9, 0.5, 0.2, 0.7, 0.25, 0.4, 0.75])
    market = _fixed_market(in_force, script, {"P": [p0, p1], "Q": [q0]})
    d1 = market.find_deal(company, 1000.0, 5.0)
    d2 = market.find_deal(company, 1000.0, 6.0)
    port_p = Alternative(cast(Any, transfer), PORT, 1.0, 0.0)
    d3 = market.find_deal(company, 1000.0, 7.0, port_p)
    assert d1 is not None and d2 is not None and d3 is not None
    assert (d1.buyer, d1.broker, d1.route, d1.price, d1.terms) == (p1, "", transfer, 200.0, ADVANCE)
    assert (d1.ship_to_ship, d1.mode) == (True, SHIP_TO_SHIP)
    assert (d2.buyer, d2.broker, d2.route, d2.price, d2.ship_to_ship, d2.mode) == (
        q0,
        "",
        Q_ROUTE,
        150.0,
        False,
        PORT,
    )
    assert (d3.buyer, d3.route, d3.price, d3.ship_to_ship, d3.mode) == (
        p0,
        transfer,
        250.0,
        False,
        PORT,
    )
    assert script.values == []


def test_fixed_market_draws_no_delivery_mode_when_no_deal_is_ship_to_ship() -> None:
    """Share 0: a route with a transfer point still goes to port, and no uniform is spent
    on it (the next deal's draws stand where they would without the transfer point)."""
    transfer = Route("p", "P", transfer_nm=50.0)
    in_force = _in_force(contract={"ship_to_ship_share": 0.0})
    company = _company(in_force, [transfer])
    script = Script([0.6, 0.5])  # one route, one buyer: price, then the next deal's price
    market = _fixed_market(in_force, script, {"P": [_buyer("p0")]})
    for _ in range(2):
        deal = market.find_deal(company, 1000.0, 1.0)
        assert deal is not None and (deal.ship_to_ship, deal.mode, deal.terms) == (
            False,
            PORT,
            AFTER,
        )
    assert script.values == []


def test_brokers_are_asked_in_shuffled_order_each_from_a_random_start_free_buyers_only() -> None:
    """Brokers k1 (buyers a, b, c at Q, d, linked in that order) and k2 (e). Asked for
    buyers at P at hour 10: the shuffle's u = 0.2 swaps the two brokers (j = int(0.4) = 0):
    k2 first, e; then k1's buyers at P, [a, b, d], from start int(0.7 x 3) = 2: d, a, b;
    a is busy until 10.5, b free from 10.0 (the very hour asked), so d, then b."""
    a, b, c, d, e = _buyer("a"), _buyer("b"), _buyer("c", "Q"), _buyer("d"), _buyer("e")
    a.sit_until, b.sit_until = 10.5, 10.0
    in_force = _in_force()
    market, _, script = _strategic(in_force, [0.2, 0.7], {"k1": [a, b, c, d], "k2": [e]})
    company = _company(in_force, [P_ROUTE, Q_ROUTE])
    asked = [(buyer.name, broker) for buyer, broker in market.candidates(company, 10.0, "P")]
    assert asked == [("e", "k2"), ("d", "k1"), ("b", "k1")]
    assert script.values == []


def test_a_round_that_can_reach_nobody_is_remembered_until_the_first_buyer_is_free() -> None:
    """Broker k1 knows a (believes 0.6: signs nothing; sits out 1 day after refusing); k2,
    sentenced until hour 0.5, knows e (busy until hour 30).

    Hour 0: price drawn; k1 alone (k2 still out), a asked, refuses: sits until 24. It was
    asked, so nothing is remembered. Hour 0.5: price, a shuffle of k1 and k2 (one draw);
    a and e busy: remembered, quiet until 24 (k2 is back already), a round then drawing the
    price and 1 uniform. Hour 18: answered from that record (2 uniforms skipped). Hour 24:
    a is free again, asked, refuses: sits until 48; asked, so again nothing remembered.
    Hour 26: walked (price, shuffle), a and e busy: remembered. Nine uniforms in all."""
    a = _buyer("a", belief="scared", sit_out_days=1.0)
    e = _buyer("e")
    e.sit_until = 30.0
    in_force = _in_force()
    market, net, script = _strategic(in_force, [0.5] * 9, {"k1": [a], "k2": [e]})
    net.remove("k2", 0.5)
    company = _company(in_force, [P_ROUTE])
    seen = []
    for now in (0.0, 0.5, 18.0, 24.0, 26.0):
        assert market.find_deal(company, 1000.0, now) is None
        seen.append((now, a.sit_until, market.quiet_rounds))
    assert seen == [
        (0.0, 24.0, 0),
        (0.5, 24.0, 0),
        (18.0, 24.0, 1),
        (24.0, 48.0, 1),
        (26.0, 48.0, 1),
    ]
    assert script.values == []


@pytest.mark.parametrize(
    ("regime", "insists", "belief", "seizure_rate", "signed"),
    [
        ("after_delivery", False, "mid", 0.0, AFTER),
        ("after_delivery", True, "mid", 0.0, None),  # offers advance only: 0.4 > 1/3
        ("advance", False, "mid", 0.0, None),  # no counter-offer under fixed terms
        ("advance", False, "sure", 0.0, ADVANCE),
        ("endogenous", False, "sure", 0.0, ADVANCE),  # signs the advance it is offered
        ("endogenous", False, "mid", 0.0, AFTER),  # asks for after delivery, granted
        ("endogenous", False, "mid", 1.0, None),  # the company expects no payment: refused
        ("endogenous", True, "mid", 0.0, None),  # a company insisting hears no request
        ("endogenous", False, "scared", 0.0, None),
    ],
)
def test_the_terms_signed_follow_the_regime_the_company_and_the_buyers_belief(
    regime: str, insists: bool, belief: str, seizure_rate: float, signed: str | None
) -> None:
    """One buyer, one broker, one route. Break-evens 1/2 after delivery, 1/3 advance; the
    company grants payment after delivery while (1 - public seizure rate) x V > 0 (no
    running cost). A deal draws the price and the route (u = 0.5: the only route to P)."""
    buyer = _buyer("x", belief=belief)
    in_force = _in_force(regime)
    market, _, script = _strategic(in_force, [0.5, 0.5], {"k1": [buyer]})
    company = _company(in_force, [P_ROUTE], insists=insists, seizure_rate=seizure_rate)
    deal = market.find_deal(company, 1000.0, 100.0)
    if signed is None:
        assert deal is None
        assert script.values == [0.5]  # only the price drawn
        return
    assert deal is not None
    assert (deal.buyer, deal.broker, deal.route, deal.price, deal.terms) == (
        buyer,
        "k1",
        P_ROUTE,
        100.0,
        signed,
    )
    assert (deal.ship_to_ship, deal.mode) == (False, PORT)
    assert script.values == []


@pytest.mark.parametrize(
    ("first", "regime", "seizure_rate", "signs"),
    [
        ({"capital_rmb": 99_999.0}, "after_delivery", 0.0, "y"),  # cannot pay V = 100,000
        ({"capital_rmb": 99_999.99}, "after_delivery", 0.0, "y"),  # one fen short
        ({"capital_rmb": 100_000.0}, "after_delivery", 0.0, "x"),  # just can
        ({"belief": "scared"}, "after_delivery", 0.0, "y"),  # refuses: sits out 14 days
        ({"belief": "mid"}, "endogenous", 1.0, "y"),  # asks after delivery, refused
        ({"demand_tonnes_per_month": 999.0}, "after_delivery", 0.0, "y"),  # no room
        ({"demand_tonnes_per_month": 1000.0}, "after_delivery", 0.0, "x"),  # room exactly
    ],
)
def test_a_buyer_passed_over_leaves_the_lot_to_the_next_one_asked(
    first: dict[str, Any], regime: str, seizure_rate: float, signs: str
) -> None:
    """k1 knows x then y (start u = 0: x first); y believes 0.1 and signs any terms."""
    x, y = _buyer("x", **first), _buyer("y")
    in_force = _in_force(regime)
    market, _, script = _strategic(in_force, [0.5, 0.0, 0.5], {"k1": [x, y]})
    company = _company(in_force, [P_ROUTE], seizure_rate=seizure_rate)
    deal = market.find_deal(company, 1000.0, 100.0)
    assert deal is not None and deal.buyer.name == signs
    assert x.sit_until == (100.0 + 14 * 24.0 if first.get("belief") == "scared" else -1.0)
    assert y.sit_until == -1.0 and script.values == []


def test_a_buyer_whose_month_is_nearly_full_sits_out_until_its_oldest_purchase_ages_out() -> None:
    """Smallest lot 1,000 t. x (6,000 t a month) took 5,500 t at hour 100: at hour 200 it has
    500 t of room, less than any lot, so it sits until 100 + 720. z took 5,000 t: 1,000 t
    of room is not less than the smallest lot, so it does not sit out: a 1,200 t lot passes
    it by, and a 1,000 t lot at the same hour is signed."""
    x, z = _buyer("x"), _buyer("z")
    x.take(100.0, 5500.0)
    z.take(100.0, 5000.0)
    in_force = _in_force()
    company = _company(in_force, [P_ROUTE])
    market, _, script = _strategic(in_force, [0.5], {"k1": [x]})
    assert market.find_deal(company, 1200.0, 200.0) is None
    assert x.sit_until == 820.0 and script.values == []
    market, _, script = _strategic(in_force, [0.5] * 3, {"k1": [z]})
    assert market.find_deal(company, 1200.0, 200.0) is None
    assert z.sit_until == -1.0
    deal = market.find_deal(company, 1000.0, 200.0)
    assert deal is not None and deal.buyer is z
    assert script.values == []


def test_a_buyer_pays_from_its_capital_plus_what_the_books_moved() -> None:
    """x started with RMB 1,000,000 and has paid out 100,000: it holds 900,000. A 9,005 t
    lot (V = 900,500) is beyond it; a 9,000 t lot (V = 900,000, exactly its cash) is not."""
    x = _buyer("x", capital_rmb=1_000_000.0, demand_tonnes_per_month=20_000.0)
    ledger = Ledger()
    ledger.post(0.0, x.party, "market:china", 100_000.0, "payment")
    in_force = _in_force()
    market, _, script = _strategic(in_force, [0.5] * 3, {"k1": [x]}, ledger=ledger)
    company = _company(in_force, [P_ROUTE])
    assert market.find_deal(company, 9005.0, 10.0) is None
    deal = market.find_deal(company, 9000.0, 10.0)
    assert deal is not None and deal.buyer is x and script.values == []


@pytest.mark.parametrize(
    ("sections", "signs"),
    [
        # broker's fee 50 RMB/t: M = 50,000; 0.6 x 50,000 - 0.4 x 100,000 < 0
        ({"network": {"broker_fee_rmb_per_tonne": 50.0}}, False),
        # 10 RMB/t: M = 90,000; 54,000 - 40,000 >= 0
        ({"network": {"broker_fee_rmb_per_tonne": 10.0}}, True),
        # arrest certain, a year's profit at 3 deals a year: C = 3M; 0.6M - 0.4 (V + 3M) < 0
        ({"market": {"arrest_probability": 1.0, "arrest_horizon_days": 365.0}}, False),
        # a chance of 0.1: C = 30,000; 60,000 - 0.4 x 130,000 = 8,000 >= 0
        ({"market": {"arrest_probability": 0.1, "arrest_horizon_days": 365.0}}, True),
        # the fine twice the cargo's value: 60,000 - 0.4 x 200,000 < 0
        ({"enforcement": {"fine_cargo_multiple": 2.0}}, False),
    ],
)
def test_the_fee_the_arrest_and_the_fine_enter_the_buyers_decision(
    sections: dict[str, dict[str, Any]], signs: bool
) -> None:
    """A buyer believing 0.4, offered payment after delivery (L = the fine)."""
    buyer = _buyer("x", belief="mid")
    in_force = _in_force(**sections)
    market, _, _ = _strategic(in_force, [0.5, 0.5], {"k1": [buyer]})
    deal = market.find_deal(_company(in_force, [P_ROUTE]), 1000.0, 10.0)
    assert (deal is not None) == signs


def test_a_buyer_believing_0_6_signs_when_the_fine_is_half_the_cargo() -> None:
    """Fine 0.5 V: (1 - 0.6) x 100,000 - 0.6 x 50,000 = 10,000 >= 0; at the fine V it refuses."""
    for multiple, signs in ((0.5, True), (1.0, False)):
        buyer = _buyer("x", belief="scared")
        in_force = _in_force(enforcement={"fine_cargo_multiple": multiple})
        market, _, _ = _strategic(in_force, [0.5, 0.5], {"k1": [buyer]})
        deal = market.find_deal(_company(in_force, [P_ROUTE]), 1000.0, 10.0)
        assert (deal is not None) == signs


ROUTES = [Route("pa", "P"), Route("pb", "P"), Route("pc", "P"), Route("qa", "Q")]


def test_the_route_to_the_buyers_port_is_drawn_by_weight() -> None:
    """Three routes to P and one to Q, equal weights. The buyer is at P: x = 0.5 x 3 = 1.5
    falls in the second route's share (1 to 2): pb. Draws: price, route."""
    buyer = _buyer("x")
    in_force = _in_force()
    market, _, script = _strategic(in_force, [0.5, 0.5], {"k1": [buyer]})
    deal = market.find_deal(_company(in_force, ROUTES), 1000.0, 10.0)
    assert deal is not None and deal.route is ROUTES[1] and script.values == []


def test_weights_split_the_routes_to_a_port_in_proportion() -> None:
    """Weights 1, 2, 1 to P (total 4) and 5 to Q: u = 0.3 gives 1.2, past the first route's
    1, within the second's 1 to 3: pb; u = 0.8 gives 3.2: pc; u = 0.2 gives 0.8: pa."""
    in_force = _in_force()
    company = _company(in_force, ROUTES, weights=[1.0, 2.0, 1.0, 5.0])
    picked = []
    for u in (0.3, 0.8, 0.2):
        market, _, _ = _strategic(in_force, [0.5, u], {"k1": [_buyer("x")]})
        deal = market.find_deal(company, 1000.0, 10.0)
        assert deal is not None
        picked.append(deal.route.name)
    assert picked == ["pb", "pc", "pa"]


def test_an_adaptive_sellers_choice_asks_only_buyers_at_its_port_and_keeps_its_route() -> None:
    """k1 knows q0 at Q, then p0 at P. The seller chose pc in port mode: only p0 is asked
    (one buyer: no start drawn), and the deal takes pc as chosen, drawing only the price."""
    q0, p0 = _buyer("q0", "Q"), _buyer("p0")
    in_force = _in_force()
    market, _, script = _strategic(in_force, [0.5], {"k1": [q0, p0]})
    choice = Alternative(cast(Any, ROUTES[2]), PORT, 1.0, 0.0)
    deal = market.find_deal(_company(in_force, ROUTES), 1000.0, 10.0, choice)
    assert deal is not None
    assert (deal.buyer, deal.route, deal.ship_to_ship, deal.mode) == (p0, ROUTES[2], False, PORT)
    assert script.values == []


def test_links_made_after_the_first_round_reach_the_next_rounds() -> None:
    """Round 1: k1 knows a. A new buyer w is linked from k1's side: round 2 asks a and w
    (start u = 0). Then the company itself takes a new broker k3, who knows z: round 3
    shuffles k1 and k3 (u = 0.9: j = 1, no swap), k1 from start int(0.5 x 2) = 1: w, a;
    then z."""
    a = _buyer("a")
    in_force = _in_force()
    market, net, script = _strategic(in_force, [0.0, 0.9, 0.5], {"k1": [a]})
    company = _company(in_force, [P_ROUTE])

    def asked() -> list[tuple[str, str]]:
        return [(b.name, k) for b, k in market.candidates(company, 10.0)]

    assert asked() == [("a", "k1")]
    market.buyers["w"] = _buyer("w")
    net.add("w", BUYER)
    net.link("k1", "w")
    assert asked() == [("a", "k1"), ("w", "k1")]
    market.buyers["z"] = _buyer("z")
    net.add("k3", BROKER)
    net.add("z", BUYER, ["k3"])
    net.link("s", "k3")
    assert asked() == [("w", "k1"), ("a", "k1"), ("z", "k3")]
    assert script.values == []
