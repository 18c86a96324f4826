"""What the state does on a delivery or a seizure, worked entry by entry on one hand-made
voyage of 4,000 t at 400 RMB/t (1.6 million RMB): who pays whom how much, the arrest,
the ship's confiscation or detention, and an investigation's names, fines and bans."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from builders import ROUTE, search_world
from test_mechanics_voyages import TRANSFER_ROUTE

from sim.experiment.seeds import replication_seed
from sim.model import ledger as L
from sim.model.buyers import ADVANCE, AFTER
from sim.model.cargo import Deal, Voyage
from sim.model.legs import FROM_TRANSFER, FULL
from sim.model.model import Model
from sim.model.network import BUYER
from sim.model.records import Shipment

pytestmark = pytest.mark.model

VALUE = 1_600_000.0


def _model(**extra: Any) -> Model:
    market = {"kind": "fixed", "arrest_probability": extra.pop("arrest", 0.0)}
    enforcement = {"accomplices_min": 0, "accomplices_max": 0, **extra.pop("enforcement", {})}
    resolved = search_world(
        vessels=1,
        horizon_days=30.0,
        lot_interval_days=1000.0,  # no lots of its own: only the hand-made voyage
        market=market,
        enforcement=enforcement,
        network={"brokers": 3, "brokers_per_seller": 1, "brokers_per_buyer": 3},
        **extra,
    )
    model = Model(resolved, replication_seed(7, 0))
    model.env.run(until=1.0)
    return model


def _voyage(model: Model, terms: str, broker: str = "", part: str = FULL) -> Voyage:
    company = model.companies[0]
    buyer = next(iter(model.buyers.values()))
    route = model.geography.routes[ROUTE]
    rec = Shipment(0, company.name, ROUTE, "Nampo", route.destination, 4000.0, 0.0)
    rec.buyer, rec.seizure_zone = buyer.name, "box"
    deal = Deal(buyer, broker, route, 400.0, terms, False)
    vessel = company.take_vessel()
    plan = model.plan(route, part, 10.0)
    process = SimpleNamespace(interrupt=lambda cause: None)
    return Voyage(rec, deal, company, vessel, VALUE, process, plan, 0.0, 100.0)  # type: ignore[arg-type]


def _books(model: Model) -> list[tuple[str, str, int, str]]:
    return [(e.payer, e.payee, e.fen, e.reason) for e in model.ledger.entries]


def test_a_delivery_after_payment_pays_seller_broker_and_buyer_resale() -> None:
    model = _model()
    v = _voyage(model, AFTER, broker="broker#2")
    model.enforcement.deliver(v)
    buyer, seller = v.deal.buyer.party, v.company.party
    fee = 4000.0 * model.params.network.broker_fee_rmb_per_tonne
    m = model.params.contract.resale_multiplier
    assert _books(model) == [
        (buyer, seller, round(VALUE * 100), "payment"),
        (buyer, "broker:broker#2", round(fee * 100), "broker_fee"),
        (L.MARKET, buyer, round(VALUE * m * 100), "resale"),
    ]
    assert (v.rec.outcome, v.rec.t_arrive) == ("delivered", 1.0)
    assert (model.enforcement.seizures, model.enforcement.settled) == (0, 1)
    advance = _model()
    model_v = _voyage(advance, ADVANCE)
    advance.enforcement.deliver(model_v)
    assert [r for *_, r in _books(advance)] == ["resale"]  # paid at signing; no broker


def test_a_ship_to_ship_handover_pays_after_delivery_terms_at_the_transfer() -> None:
    model = _model()
    v = _voyage(model, AFTER)
    model.enforcement.settle_transfer(v)
    assert _books(model) == [(v.deal.buyer.party, v.company.party, round(VALUE * 100), "payment")]
    assert v.rec.t_handover == 1.0
    advance = _model()
    va = _voyage(advance, ADVANCE)
    advance.enforcement.settle_transfer(va)
    assert _books(advance) == []


@pytest.mark.parametrize(
    ("terms", "handed_over", "owner"),
    [(AFTER, False, "seller"), (ADVANCE, False, "buyer"), (AFTER, True, "buyer")],
)
def test_a_seizure_takes_the_cargo_from_its_owner_and_fines_the_buyer(
    terms: str, handed_over: bool, owner: str
) -> None:
    model = _model(
        enforcement={"fine_rule": "fixed", "fine_rmb": 900_000.0}, routes=[TRANSFER_ROUTE]
    )
    v = _voyage(model, terms, part=FROM_TRANSFER if handed_over else FULL)
    if handed_over:
        v.rec.t_handover = 0.5
    (patrol,) = model.coast_guard.vessels
    model.enforcement.seize(v, patrol, "patrol")
    buyer = v.deal.buyer.party
    party = buyer if owner == "buyer" else v.company.party
    assert _books(model) == [
        (L.COAL, party, round(VALUE * 100), "cargo_value"),
        (party, L.STATE, round(VALUE * 100), "seizure"),
        (buyer, L.STATE, 90_000_000, "fine"),
    ]
    rec = v.rec
    assert (rec.outcome, rec.cause, rec.seizure_time, rec.patrol) == (
        "seized",
        "patrol",
        1.0,
        patrol.name,
    )
    assert rec.fine_rmb == 900_000.0
    assert [e.time for e in model.ledger.entries] == [1.0, 1.0, 1.0]  # booked at the boarding
    assert (rec.seizure_lat, rec.seizure_lon) == v.position(1.0)
    assert model.recorder.zone_events[-1][:3] == (1.0, "box", "seizure")
    assert (model.enforcement.seizures, model.enforcement.settled) == (1, 1)
    assert patrol.zone.rate == 0.0  # the patrol left to escort the ship


def test_arrest_and_confiscation_at_probability_one_and_none_at_zero() -> None:
    sure = _model(arrest=1.0, enforcement={"vessel_confiscation_probability": 1.0})
    v = _voyage(sure, AFTER)
    ships = v.company.ships
    sure.enforcement.prosecute(v, sure.coast_guard.vessels[0], "patrol")
    sure.env.run(until=2.0)
    assert v.deal.buyer.left == "arrested" and v.deal.buyer.left_at == 1.0
    assert v.deal.buyer.sit_until == float("inf")
    assert v.deal.buyer.name in sure.network.left
    assert v.company.ships == ships - 1
    never = _model(
        enforcement={"vessel_confiscation_probability": 0.0, "vessel_detention_days": 2.0}
    )
    w = _voyage(never, AFTER)
    quay = len(w.company.fleet.items)
    never.enforcement.prosecute(w, never.coast_guard.vessels[0], "patrol")
    assert not w.deal.buyer.left
    never.env.run(until=48.9)
    assert len(w.company.fleet.items) == quay and w.company.ships == ships
    never.env.run(until=49.1)  # detained exactly 2 days from the seizure at 1 h
    assert len(w.company.fleet.items) == quay + 1


def test_a_barge_seizure_leaves_the_sellers_ship_alone() -> None:
    model = _model(enforcement={"vessel_confiscation_probability": 1.0}, routes=[TRANSFER_ROUTE])
    v = _voyage(model, AFTER, part=FROM_TRANSFER)
    ships = v.company.ships
    model.enforcement.prosecute(v, model.coast_guard.vessels[0], "patrol")
    model.env.run(until=2.0)
    assert v.company.ships == ships


def test_an_investigation_names_bans_and_fines_exactly_as_configured() -> None:
    enforcement = {
        "accomplices_min": 2,
        "accomplices_max": 2,
        "sentence_days": 10.0,
        "accomplice_fine_rmb": 50_000.0,
        "investigation_days_mean": 1.0,
    }
    model = _model(enforcement=enforcement)
    proc = model.env.process(model.enforcement.investigate(3, ["broker#1"]))
    model.env.run(until=proc)
    (t, first, case), (t2, second, case2) = model.recorder.named
    assert t == t2 and case == case2 == 3 and t > 1.0
    net = model.network
    for node in (first, second):
        assert net.removed_until[node] == pytest.approx(t + 240.0)
        assert net.named_at[node] == t
        payer = f"buyer:{node}" if net.kind[node] == BUYER else f"broker:{node}"
        assert (payer, L.STATE, 5_000_000, "fine") in _books(model)
        if net.kind[node] == BUYER:
            assert model.buyers[node].sit_until == pytest.approx(t + 240.0)
    assert len(model.ledger.entries) == 2


def test_a_buyer_that_cannot_pay_its_fines_goes_bankrupt() -> None:
    model = _model(enforcement={"fine_rule": "fixed", "fine_rmb": 1e9})
    v = _voyage(model, AFTER)
    buyer = v.deal.buyer
    model.enforcement.check_solvent(buyer)
    assert not buyer.left
    model.enforcement.seize(v, model.coast_guard.vessels[0], "patrol")
    model.enforcement.check_solvent(buyer)
    assert buyer.left == "bankrupt"
    model.enforcement.leave(buyer, "arrested")  # the first reason to leave stands
    assert buyer.left == "bankrupt"


def test_the_public_record_counts_each_settled_voyage_and_each_seizure() -> None:
    """Two deliveries, then two seizures: 0 seized of 2 settled, then 2 of 4; the rate
    sellers judge by is (seized + 1) / (settled + 10) = 3/14. A ship-to-ship delivery after
    delivery terms was paid at the handover: at the port only the resale is booked."""
    model = _model()
    enf = model.enforcement
    enf.deliver(_voyage(model, AFTER))
    enf.deliver(_voyage(model, ADVANCE))
    assert (enf.seizures, enf.settled) == (0, 2)
    (patrol,) = model.coast_guard.vessels
    enf.seize(_voyage(model, AFTER), patrol, "patrol")
    model.env.run(until=500.0)  # the patrol back on station after its escort
    enf.seize(_voyage(model, ADVANCE), patrol, "patrol")
    assert (enf.seizures, enf.settled) == (2, 4)
    assert enf.public_seizure_rate() == pytest.approx(3 / 14)
    barged = _model()
    v = _voyage(barged, AFTER)
    v.deal = Deal(v.deal.buyer, "", v.deal.route, 400.0, AFTER, True)
    barged.enforcement.deliver(v)
    assert [r for *_, r in _books(barged)] == ["resale"]


def test_a_fine_as_a_multiple_of_the_cargo() -> None:
    """fine_rule = "cargo_multiple" at 0.3: the buyer of the 1.6 million cargo pays 480,000
    (not the fixed fine_rmb)."""
    enforcement = {"fine_rule": "cargo_multiple", "fine_cargo_multiple": 0.3, "fine_rmb": 7.0}
    model = _model(enforcement=enforcement)
    v = _voyage(model, ADVANCE)
    model.enforcement.seize(v, model.coast_guard.vessels[0], "patrol")
    assert v.rec.fine_rmb == pytest.approx(480_000.0)
    assert (v.deal.buyer.party, L.STATE, 48_000_000, "fine") in _books(model)


class _Draws:
    """The enforcement stream, fixed: a uniform of ``u``, every Exp(1) draw 1, no shuffling
    (parties at one distance are taken in name order)."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self) -> float:
        return self.u

    def exponential(self) -> float:
        return 1.0

    def shuffle(self, items: list[str]) -> None:
        return None


@pytest.mark.parametrize(("u", "k"), [(0.0, 1), (0.5, 2), (0.99, 3)])
def test_an_investigation_names_between_the_least_and_the_most_accomplices(
    u: float, k: int
) -> None:
    """From 1 to 3 accomplices: k = 1 + int(u x 3) for the investigation's uniform u. It
    ends an Exp(1) x 2 days = 48 h after the seizure at 1 h."""
    enforcement = {"accomplices_min": 1, "accomplices_max": 3, "investigation_days_mean": 2.0}
    model = _model(enforcement=enforcement)
    model.enforcement.rng = _Draws(u)  # type: ignore[assignment]
    proc = model.env.process(model.enforcement.investigate(8, ["broker#1"]))
    model.env.run(until=proc)
    named = model.recorder.named
    assert len(named) == k
    assert {(t, case) for t, _, case in named} == {(49.0, 8)}


def test_the_deal_broker_is_named_first_in_the_case_of_the_seizure() -> None:
    """After a seizure on shipment 17 through broker#2, with the deal's broker named first
    and one accomplice, the investigation names broker#2 under case 17, though broker#1
    comes first of the buyer's neighbours in name order. Arrest chance 0: the buyer
    stays."""
    enforcement = {"accomplices_min": 1, "accomplices_max": 1, "name_deal_broker": True}
    model = _model(enforcement=enforcement)
    model.enforcement.rng = _Draws(0.5)  # type: ignore[assignment]
    v = _voyage(model, AFTER, broker="broker#2")
    v.rec.id = 17
    model.enforcement.prosecute(v, model.coast_guard.vessels[0], "patrol")
    model.env.run(until=2000.0)
    assert [(node, case) for _, node, case in model.recorder.named] == [("broker#2", 17)]
    assert not v.deal.buyer.left


def test_a_buyer_left_with_exactly_nothing_is_still_solvent() -> None:
    """A fine of exactly the buyer's capital leaves its cash at 0: not below, so it trades on;
    one fen more and it is bankrupt."""
    model = _model()
    v = _voyage(model, AFTER)
    buyer = v.deal.buyer
    model.ledger.post(1.0, buyer.party, L.STATE, buyer.capital0, "fine", 0)
    model.enforcement.check_solvent(buyer)
    assert buyer.cash(model.ledger) == 0.0 and not buyer.left
    model.ledger.post(1.0, buyer.party, L.STATE, 0.01, "fine", 0)
    model.enforcement.check_solvent(buyer)
    assert buyer.left == "bankrupt"


def test_naming_news_adds_each_active_buyers_share_of_the_names() -> None:
    """naming_news_weight 0.5: a case that named 2 buyers adds 0.5 x 2 / n naming
    evidence to each of the n buyers still in the trade; one who left (arrested) hears
    nothing and does not count in n."""
    model = _model(beliefs={"naming_news_weight": 0.5})
    buyers = list(model.buyers.values())
    assert len(buyers) >= 3 and all(b.named_e == 0.0 for b in buyers)
    model.enforcement.leave(buyers[0], "arrested")
    model.enforcement.naming_news(model.env.now, 2)
    n = len(buyers) - 1
    assert buyers[0].named_e == 0.0
    assert [b.named_e for b in buyers[1:]] == pytest.approx([0.5 * 2 / n] * n)


def test_a_case_without_a_broker_is_walked_from_the_buyer_alone() -> None:
    """No broker on the deal, the deal broker to be named first, one accomplice: there is
    no broker to name, so the one named is a neighbour of the buyer in the network."""
    enforcement = {"accomplices_min": 1, "accomplices_max": 1, "name_deal_broker": True}
    model = _model(enforcement=enforcement)
    v = _voyage(model, AFTER)
    model.enforcement.prosecute(v, model.coast_guard.vessels[0], "patrol")
    model.env.run(until=2000.0)
    ((_, node, _),) = model.recorder.named
    assert node in model.network.adj[v.deal.buyer.name]


@pytest.mark.parametrize("start", ["buyer", "broker"])
def test_each_accomplice_named_is_fined_at_the_naming_and_the_trade_hears_of_the_buyers(
    start: str,
) -> None:
    """Two accomplices, taken in name order (no shuffling), 48 h after the seizure at 1 h:
    walked from the buyer they are its brokers, from broker#1 its buyers. Each pays the
    50,000 accomplice fine at 49 h under case 8; with naming_news_weight 0.5, each buyer
    in the trade adds 0.5 x (buyers named) / (buyers in the trade) naming evidence."""
    enforcement = {
        "accomplices_min": 2,
        "accomplices_max": 2,
        "accomplice_fine_rmb": 50_000.0,
        "investigation_days_mean": 2.0,
    }
    model = _model(enforcement=enforcement, beliefs={"naming_news_weight": 0.5})
    model.enforcement.rng = _Draws(0.0)  # type: ignore[assignment]
    buyers = model.buyers
    case = [next(iter(buyers))] if start == "buyer" else ["broker#1"]
    proc = model.env.process(model.enforcement.investigate(8, case))
    model.env.run(until=proc)
    named = [node for _, node, _ in model.recorder.named]
    net = model.network
    expected_kind = "broker" if start == "buyer" else "buyer"
    assert len(named) == 2 and all(net.kind[n] == expected_kind for n in named)
    assert named == sorted(named)
    payers = [f"buyer:{n}" if n in buyers else f"broker:{n}" for n in named]
    assert [
        (e.time, e.payer, e.payee, e.fen, e.reason, e.shipment) for e in model.ledger.entries
    ] == [(49.0, payer, L.STATE, 5_000_000, "fine", 8) for payer in payers]
    in_trade = [b for b in buyers.values() if not b.left]
    share = 0.5 * sum(n in buyers for n in named) / len(in_trade)
    assert [b.named_e for b in in_trade] == pytest.approx([share] * len(in_trade))
