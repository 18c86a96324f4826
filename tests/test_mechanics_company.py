"""A company's per-shipment rules and a cargo at sea, worked by hand on hand-built
settings: the boarding chance, payment-after-delivery, running costs, the fleet queue,
and where a voyage's zone stretches lie."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import simpy
from builders import section

from sim.model import ledger as L
from sim.model.cargo import Voyage
from sim.model.company import Company
from sim.model.legs import FROM_TRANSFER, FULL, TO_TRANSFER, Vessel
from sim.scenario.schema import Detection, Seller

pytestmark = pytest.mark.model


def _company(
    q: float = 0.0, env: simpy.Environment | None = None, vessels: int = 2, **seller: Any
) -> Company:
    settings = {
        "name": "s",
        "port": "Nampo",
        "routes": ["near", "far"],
        "speed_knots": 10.0,
        "operating_cost_rmb_per_day": 2400.0,  # 100 RMB an hour
        "concealment": 0.25,
        **seller,
    }
    detection = Detection(
        recognition_probability=0.6, ais_off_factor=1.5, ais_off_search_factor=0.4
    )
    fleet = simpy.Store(env or simpy.Environment())
    fleet.items.extend(Vessel(f"v{k}", 5000.0, 10.0, False) for k in range(vessels))
    routes = [
        SimpleNamespace(length_nm=100.0, destination="Yantai"),
        SimpleNamespace(length_nm=300.0, destination="Lianyungang"),
    ]
    return Company(
        "s",
        section(Seller(**settings)),
        fleet,
        routes,  # type: ignore[arg-type]
        in_force=SimpleNamespace(params=SimpleNamespace(detection=detection)),  # type: ignore[arg-type]
        ledger=L.Ledger(),
        record=SimpleNamespace(public_seizure_rate=lambda: q),
    )


def test_boarding_chance_is_recognition_times_unconcealed_share_times_the_ais_factor() -> None:
    c = _company()
    assert c.p_board(False) == pytest.approx(0.6 * 0.75)
    assert c.p_board(True) == pytest.approx(0.6 * 0.75 * 1.5)
    assert _company(concealment=0.0).p_board(True) == pytest.approx(0.9)
    # The product is capped at 1.
    assert _company(concealment=0.0).p_board(True) <= 1.0
    bold = _company(concealment=0.0)
    bold.in_force.params.detection = Detection(recognition_probability=0.9, ais_off_factor=2.0)
    assert bold.p_board(True) == 1.0
    assert c.search_scale(True) == pytest.approx(0.4)
    assert c.search_scale(False) == 1.0


def test_payment_after_delivery_needs_the_expected_payment_to_beat_the_round_trip() -> None:
    """Longest route 300 nm at 10 kn: 60 h there and back at 100 RMB/h = 6,000 RMB.
    With a public seizure rate of 0.25 the cargo must be worth more than 8,000."""
    c = _company(q=0.25)
    assert c.ports == {"Yantai", "Lianyungang"}
    assert not c.accepts_after(8000.0)
    assert c.accepts_after(8001.0)
    assert not _company(q=0.25, insists_on_advance=True).accepts_after(1e9)


def test_running_cost_is_hours_times_the_daily_rate_over_24() -> None:
    c = _company()
    c.running_cost(30.0, 6.0, 4)
    (e,) = c.ledger.entries
    assert (e.payer, e.payee, e.fen, e.reason, e.shipment) == (
        "seller:s",
        L.SHIPPING_COSTS,
        240000,
        "operating_cost",
        4,
    )


def test_equal_route_weights_when_none_are_given() -> None:
    assert _company().route_cdf == [1.0, 2.0]
    assert _company(route_weights=[3.0, 1.0]).route_cdf == [3.0, 4.0]


def test_ships_go_to_lots_in_the_order_the_lots_came() -> None:
    env = simpy.Environment()
    c = _company(env=env, vessels=1)
    assert c.ships == 1
    first = c.take_vessel()
    assert isinstance(first, Vessel) and first.name == "v0"
    waiting = [c.take_vessel(), c.take_vessel()]  # two lots queue for the one ship
    assert all(isinstance(w, simpy.Event) for w in waiting)
    c.return_vessel(first)
    env.run()
    assert waiting[0].triggered and waiting[0].value is first  # type: ignore[union-attr]
    assert not waiting[1].triggered  # type: ignore[union-attr]
    assert c.fleet.items == []
    c.return_vessel(first)
    env.run()
    assert waiting[1].value is first  # type: ignore[union-attr]
    c.return_vessel(first)
    assert c.fleet.items == [first]  # nobody waiting: back to the quay


def _voyage(part: str, zones: list[tuple[str, None, float, float]], nxt: Any = None) -> Voyage:
    plan = SimpleNamespace(part=part, zones=zones, hours=20.0)
    v = Voyage.__new__(Voyage)
    v.plan, v.leg_start, v.next_plan = plan, 100.0, nxt  # type: ignore[assignment]
    return v


def test_a_voyages_stretches_are_this_leg_then_the_next_from_when_this_one_ends() -> None:
    barge = SimpleNamespace(part=FROM_TRANSFER, zones=[("b", None, 1.0, 4.0)], hours=6.0)
    v = _voyage(TO_TRANSFER, [("a", None, 2.0, 5.0)], barge)
    assert [s[:3] for s in v.stretches()] == [("a", 102.0, 105.0), ("b", 121.0, 124.0)]
    assert [s[4] for s in v.stretches()] == [100.0, 120.0]
    assert v.on_sellers_ship()
    assert not _voyage(FROM_TRANSFER, []).on_sellers_ship()
    assert _voyage(FULL, []).on_sellers_ship()
    # The next leg being this one is not counted twice.
    same = _voyage(FULL, [("a", None, 2.0, 5.0)])
    same.next_plan = same.plan
    assert [s[:3] for s in same.stretches()] == [("a", 102.0, 105.0)]


def test_inside_holds_from_entry_to_exit_inclusive_on_the_current_leg_only() -> None:
    v = _voyage(FULL, [("a", None, 2.0, 5.0), ("b", None, 7.0, 9.0)])
    assert v.inside("a", 102.0) and v.inside("a", 105.0) and v.inside("b", 108.0)
    assert not v.inside("a", 101.99) and not v.inside("a", 105.01)
    assert v.inside("a", 100.0 + 2.0 - 1e-9) and v.inside("a", 100.0 + 5.0 + 1e-9)
    assert not v.inside("b", 105.0) and not v.inside("c", 103.0)
