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
