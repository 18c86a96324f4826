"""A voyage's timeline and books as exact traces, with no patrols at all: every time is
distance / speed plus the configured loading, stop and discharge hours, and every ledger
entry follows the contract by hand."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace
from typing import Any

import pytest
from builders import ROUTE, run, search_world

from sim.experiment.seeds import replication_seed
from sim.model import ledger as L
from sim.model.model import Model

pytestmark = pytest.mark.model

SELLER = {
    "name": "s",
    "port": "Nampo",
    "routes": [ROUTE],
    "vessels": 200,
    "lot_interval": "fixed",
    "lot_interval_days": 2.0,
    "speed_knots": 10.0,
    "loading_hours": 7.0,
    "discharge_hours": 5.0,
    "operating_cost_rmb_per_day": 4800.0,  # 200 RMB an hour
}
TRANSFER_ROUTE = {
    "name": ROUTE,
    "origin": "Nampo",
    "destination": "Lianyungang",
    "via": ["taedong_mouth", "changsan_cape", "chengshan_cape", "yellow_sea_central"],
    "transfer_at": "chengshan_cape",
    "transfer_hours": 6.0,
}


def _quiet(**extra: Any) -> Any:
    """No patrol at all: every cargo is delivered."""
    return search_world(vessels=0, horizon_days=9.0, sellers=[SELLER], **extra)


def _entries(out: Any, sid: int) -> dict[str, list[L.Entry]]:
    by: dict[str, list[L.Entry]] = {}
    for e in out.ledger:
        if e.shipment == sid:
            by.setdefault(e.reason, []).append(e)
    return by


def test_a_delivery_to_port_loads_sails_discharges_and_sails_home_to_the_hour() -> None:
    resolved = _quiet(contract={"payment_terms": "after_delivery"})
    route = resolved.geography.routes[ROUTE]
    ((_, a, b),) = route.nonstop_exposure(10.0)
    out = run(resolved)
    done = [s for s in out.shipments if s.outcome == "delivered"]
    assert len(done) >= 2
    home_again = 0
    for s in done:
        assert s.t_depart - s.t_contract == pytest.approx(7.0)  # loading
        assert s.t_arrive - s.t_depart == pytest.approx(route.length_nm / 10.0)
        assert s.hours_in_zones == pytest.approx(b - a)
        value = round(s.tonnes * s.price_rmb_per_tonne, 2)
        books = _entries(out, s.id)
        (pay,) = books["payment"]
        assert (pay.time, pay.payer, pay.payee, pay.fen) == (
            s.t_arrive,
            L.buyer_party(s.buyer),
            L.seller_party("s"),
            round(value * 100),
        )
        home = s.t_arrive + 5.0 + route.length_nm / 10.0
        if home > out.horizon_hours:
            assert "operating_cost" not in books  # still on its way home
            continue
        (cost,) = books["operating_cost"]
        assert cost.time == pytest.approx(home)
        assert cost.fen == round((home - s.t_contract) * 200.0 * 100)
        home_again += 1
    assert home_again >= 2


def test_advance_terms_pay_at_signing() -> None:
    out = run(_quiet(contract={"payment_terms": "advance"}))
    s = next(s for s in out.shipments if s.outcome == "delivered")
    (pay,) = _entries(out, s.id)["payment"]
    assert pay.time == s.t_contract
    assert pay.fen == round(round(s.tonnes * s.price_rmb_per_tonne, 2) * 100)


def test_ship_to_ship_hands_over_at_the_stop_and_the_empty_ship_sails_home() -> None:
    resolved = _quiet(routes=[TRANSFER_ROUTE], contract={"ship_to_ship_share": 1.0})
    route = resolved.geography.routes[ROUTE]
    assert route.transfer_nm is not None
    barge = resolved.scenario.contract.barge_speed_knots
    out = run(resolved)
    done = [s for s in out.shipments if s.outcome == "delivered"]
    assert done and all(s.delivery == "ship_to_ship" for s in done)
    for s in done:
        to_stop = route.transfer_nm / 10.0
        assert s.t_handover - s.t_depart == pytest.approx(to_stop + 6.0)
        assert s.t_arrive - s.t_handover == pytest.approx(
            (route.length_nm - route.transfer_nm) / barge
        )
        books = _entries(out, s.id)
        (pay,) = books["payment"]
        assert pay.time == s.t_handover
        (cost,) = books["operating_cost"]  # the seller's ship sails home empty from the stop
        assert cost.time == pytest.approx(s.t_handover + to_stop)
        assert cost.fen == round((s.t_handover + to_stop - s.t_contract) * 200.0 * 100)


def test_lots_wait_in_order_for_the_one_ship() -> None:
    """One ship, a lot every 2 days, a round trip longer than that: each lot sails when
    the ship is back from the one before."""
    seller = {**SELLER, "vessels": 1}
    resolved = search_world(vessels=0, horizon_days=12.0, sellers=[seller])
    route = resolved.geography.routes[ROUTE]
    out = run(resolved)
    sailed = [s for s in out.shipments if not math.isnan(s.t_depart)]
    assert len(sailed) >= 2
    trip = 7.0 + route.length_nm / 10.0 + 5.0 + route.length_nm / 10.0
    assert trip > 48.0
    for first, second in itertools.pairwise(sailed):
        assert second.t_depart == pytest.approx(first.t_depart - 7.0 + trip + 7.0)


def test_each_leg_of_a_route_with_a_transfer_point_by_hand() -> None:
    """To the stop: sailed at 10 kn, ending with the 6 h stop; from the stop (the barge
    or the run in from the anchorage): the rest of the route; to port: past the stop."""
    from sim.model.legs import FROM_ANCHORAGE, FROM_TRANSFER, FULL, TO_TRANSFER, Plans

    resolved = _quiet(routes=[TRANSFER_ROUTE])
    route = resolved.geography.routes[ROUTE]
    stop = route.transfer_nm
    assert stop is not None
    cg = Model(resolved, replication_seed(7, 0)).coast_guard
    plans = Plans(cg)
    full = plans.get(route, FULL, 10.0)
    assert plans.get(route, FULL, 10.0) is full  # worked out once
    assert full.hours == pytest.approx(route.length_nm / 10.0)
    assert [z[::2] + z[3:] for z in full.zones] == [
        (name, a, b) for name, a, b in route.nonstop_exposure(10.0)
    ]
    assert full.zones[0][1] is cg.zones["box"]  # a patrolled zone carries its search state
    assert full.hours_in_zones == pytest.approx(sum(b - a for _, _, a, b in full.zones))
    assert full.position(5.0) == route.position_at(50.0)
    assert full.position(-1.0) == route.position_at(0.0)
    assert full.position(1e6) == route.position_at(route.length_nm)

    to_stop = plans.get(route, TO_TRANSFER, 10.0)
    assert to_stop.hours == pytest.approx(stop / 10.0 + 6.0)  # the stop ends the leg
    assert all(b <= to_stop.hours for _, _, _, b in to_stop.zones)
    assert to_stop.position(to_stop.hours) == pytest.approx(route.position_at(stop))

    for part in (FROM_TRANSFER, FROM_ANCHORAGE):
        rest = plans.get(route, part, 8.0)
        assert rest.hours == pytest.approx((route.length_nm - stop) / 8.0)
        assert [z[::2] + z[3:] for z in rest.zones] == [
            (name, a, b) for name, a, b in route.exposure_from(stop, 8.0)
        ]
        assert rest.position(2.0) == pytest.approx(route.position_at(stop + 16.0))
    unpatrolled = Plans(cg)
    cg.patrolled.discard("box")
    assert unpatrolled.get(route, FULL, 10.0).zones[0][1] is None


def test_the_leg_to_the_stop_cuts_a_zone_it_stops_inside() -> None:
    """Hand-laid route: zone z from 5 to 25 nm, a 3 h stop at 10 nm; at 5 kn the leg to the
    stop is in z from 1 h until it ends at 5 h (arrived at 2 h, stopped 3 h)."""
    import numpy as np

    from sim.model.legs import TO_TRANSFER, VoyagePlan
    from sim.world.network import RouteGeo, ZoneStretch

    cum = np.array([0.0, 10.0, 30.0])
    lat, lon = np.array([30.0, 31.0, 33.0]), np.array([120.0, 121.0, 121.0])
    route = RouteGeo("r", "A", "B", (), (ZoneStretch("z", 5.0, 25.0),), 10.0, 3.0, cum, lon, lat)
    plan = VoyagePlan.build(route, TO_TRANSFER, 5.0, {}, set())
    assert plan.zones == (("z", None, 1.0, 5.0),)
    assert plan.hours == 5.0 and plan.hours_in_zones == 4.0


class _Searches:
    """Stands in for a voyage's exposure: records each search as (zone, from, until) and
    boards one hour into the zone named ``board_in``, else lets the ship through."""

    def __init__(self, board_in: str = "") -> None:
        self.board_in = board_in
        self.log: list[tuple[str, float, float]] = []

    def search(self, env: Any, zone: str, until: float, proc: Any = None) -> Any:
        self.log.append((zone, env.now, until))
        if zone == self.board_in:
            yield env.timeout(1.0)
            return "patrol boat"
        yield env.timeout(until - env.now)
        return None


def _sail_from(t0: float, plan: Any, exposure: _Searches) -> tuple[Any, Any, float]:
    """Sail ``plan`` from ``t0`` h in a real clock; (boarding patrol, voyage, end time)."""
    import simpy

    from sim.model.voyages import sail

    env = simpy.Environment()
    voyage = SimpleNamespace(
        rec=SimpleNamespace(seizure_zone=""), plan=None, leg_start=None, process=None
    )
    result: dict[str, Any] = {}

    def go() -> Any:
        yield env.timeout(t0)
        result["patrol"] = yield from sail(env, voyage, plan, exposure)  # type: ignore[arg-type]
        result["end"] = env.now

    env.process(go())
    env.run()
    return result["patrol"], voyage, result["end"]


# A 10 h leg: an unpatrolled zone 1-2 h in (no search state), then zones A (3-5 h) and B (6-7 h).
LEG = SimpleNamespace(
    zones=(("open", None, 1.0, 2.0), ("a", "A", 3.0, 5.0), ("b", "B", 6.0, 7.0)), hours=10.0
)


def test_a_leg_is_searched_zone_by_zone_from_entry_to_exit_in_clock_time() -> None:
    """Sailed from 2 h: zone A is searched from 2 + 3 = 5 h to 2 + 5 = 7 h, B from 8 to 9 h;
    the unpatrolled zone before them is sailed through unsearched; the leg ends at 12 h."""
    searches = _Searches()
    patrol, voyage, end = _sail_from(2.0, LEG, searches)
    assert patrol is None and end == 12.0
    assert searches.log == [("A", 5.0, 7.0), ("B", 8.0, 9.0)]
    assert voyage.plan is LEG and voyage.leg_start == 2.0
    assert voyage.rec.seizure_zone == ""


def test_a_boarding_ends_the_leg_there_and_names_the_zone() -> None:
    """Boarded one hour into B (entered at 8 h): the leg ends at 9 h, seized in zone "b"."""
    searches = _Searches(board_in="B")
    patrol, voyage, end = _sail_from(2.0, LEG, searches)
    assert (patrol, end, voyage.rec.seizure_zone) == ("patrol boat", 9.0, "b")
    assert searches.log == [("A", 5.0, 7.0), ("B", 8.0, 9.0)]


def test_a_leg_inside_a_zone_from_start_to_end_never_waits_for_no_time() -> None:
    """A leg that starts and ends inside one zone (a port or a transfer stop within it) is
    searched from its first instant to its last: the only waits are the search's own. A
    wait of zero hours would not move the clock but would let every other event due at
    that instant go first (a patrol arriving, a rate change), changing the run."""
    from sim.model.voyages import sail

    clock = SimpleNamespace(now=0.0, timeout=lambda hours: ("wait", hours))
    voyage = SimpleNamespace(
        rec=SimpleNamespace(seizure_zone=""), plan=None, leg_start=None, process=None
    )

    class Search:
        def search(self, env: Any, zone: str, until: float, proc: Any = None) -> Any:
            yield ("search", zone, until)
            return None

    plan = SimpleNamespace(zones=(("a", "A", 0.0, 4.0),), hours=4.0)
    trip = sail(clock, voyage, plan, Search())  # type: ignore[arg-type]
    assert next(trip) == ("search", "A", 4.0)
    clock.now = 4.0
    with pytest.raises(StopIteration) as done:
        next(trip)
    assert done.value.value is None


def test_each_voyage_expects_to_arrive_when_it_does_and_counts_both_legs_zone_hours() -> None:
    """Lots every 2 days from day 2, half of them ship to ship; no patrols. The route
    crosses the box from 194.2 to 255.2 nm; the transfer stop (6 h) is at 142.5 nm, before
    it. A voyage's expected arrival, what a tip's interception is planned against, is its
    sailing time plus the route at 10 kn to port, or plus the leg to the stop at 10 kn, the
    stop and the rest at the barge's 8 kn: exactly when it arrives. Its hours in zones
    count the box at the speed of whoever carries the cargo through it: 10 kn to port, the
    barge's 8 kn ship to ship. At the end (day 12.1) the lot of day 12 is still loading
    and that of day 10 is at sea. Each cargo's value is its tonnes times its price to the
    nearest fen."""
    resolved = search_world(
        vessels=0,
        horizon_days=12.1,
        sellers=[SELLER],
        routes=[TRANSFER_ROUTE],
        contract={"ship_to_ship_share": 0.5},
    )
    route = resolved.geography.routes[ROUTE]
    ((box,),) = [route.stretches]
    stop = route.transfer_nm
    assert stop is not None and stop < box.start_nm
    assert resolved.scenario.contract.barge_speed_knots == 8.0
    model = Model(resolved, replication_seed(7, 0))
    voyages: list[Any] = []
    model.outcomes.sailed.append(voyages.append)
    out = model.run()
    ships = {s.id: s for s in out.shipments}
    delivered = {ships[v.rec.id].delivery: v for v in voyages if v.rec.outcome == "delivered"}
    assert set(delivered) == {"port", "ship_to_ship"}
    to_port, barged = delivered["port"], delivered["ship_to_ship"]
    s = ships[to_port.rec.id]
    assert to_port.eta == pytest.approx(s.t_depart + route.length_nm / 10.0) == s.t_arrive
    assert s.hours_in_zones == pytest.approx((box.end_nm - box.start_nm) / 10.0)
    s = ships[barged.rec.id]
    by_barge = s.t_depart + stop / 10.0 + 6.0 + (route.length_nm - stop) / 8.0
    assert barged.eta == pytest.approx(by_barge) == s.t_arrive
    assert s.hours_in_zones == pytest.approx((box.end_nm - box.start_nm) / 8.0)
    for v in voyages:  # its value in whole fen, as the books keep it
        s = ships[v.rec.id]
        assert abs(v.value - s.tonnes * s.price_rmb_per_tonne) <= 0.005
        assert v.value * 100 == pytest.approx(round(v.value * 100), abs=1e-6)
    last = sorted(out.shipments, key=lambda s: s.t_contract)[-2:]
    assert [(s.t_contract, s.outcome) for s in last] == [(240.0, "at_sea"), (288.0, "loading")]


def test_a_ship_sailing_dark_is_searched_and_boarded_at_the_ais_off_factors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every ship sails with AIS off (no concealment otherwise): the search it meets runs
    at the AIS-off search factor, 2.5 times the zone's rate, and a contact is boarded with
    the recognition chance times the AIS-off factor, 0.6 x 0.5 = 0.3."""
    import sim.model.voyages as voyages

    seen: list[tuple[bool, float, float, float]] = []
    real = voyages.Exposure

    def spy(rng: Any, p_board: float, rec: Any, knots: float, scale: float = 1.0) -> Any:
        seen.append((rec.ais_off, p_board, knots, scale))
        return real(rng, p_board, rec, knots, scale)

    monkeypatch.setattr(voyages, "Exposure", spy)
    seller = {**SELLER, "ais_off_share": 1.0, "concealment": 0.0}
    detection = {
        "recognition_probability": 0.6,
        "ais_off_factor": 0.5,
        "ais_off_search_factor": 2.5,
    }
    run(search_world(vessels=0, horizon_days=6.0, sellers=[seller], detection=detection))
    assert len(seen) >= 2
    assert all(s == (True, pytest.approx(0.3), 10.0, 2.5) for s in seen)


def test_a_ship_seized_on_its_own_keel_books_its_running_cost_to_its_shipment() -> None:
    """Cargoes boarded (recognition 1, a patrol always on station, a wide sweep) while
    still on the seller's ship: the seller pays its running cost from signing to the
    seizure, at its daily rate over 24 an hour, booked against that shipment (the reports
    join costs to shipments by id)."""
    resolved = search_world(
        vessels=1, sweep_width_nm=60.0, recognition_probability=1.0, horizon_days=20.0
    )
    seller = resolved.scenario.sellers[0]
    per_hour = seller.operating_cost_rmb_per_day / 24.0
    out = run(resolved)
    seized = [s for s in out.shipments if s.outcome == "seized"]
    assert seized
    for s in seized:
        (cost,) = _entries(out, s.id)["operating_cost"]
        assert cost.time == s.seizure_time
        assert cost.payer == L.seller_party(seller.name)
        assert cost.fen == round((s.seizure_time - s.t_contract) * per_hour * 100)


def test_a_ship_loitering_out_a_surge_expects_to_arrive_that_much_later() -> None:
    """One patrol vessel in the box always on station (the usual rate), four from day 1 to
    day 3.5 (84 h): a surge of 4 > 1.5 times the usual. Every lot loiters: it sails to the
    stop at about 142.5 nm, before the box, and waits out the surge there, looking every
    6 h. The lot of day 2 (48 h) loads 7 h, sails at 55, reaches the stop at 55 + 14.25
    and after its 6 h stop is ready at about 75.25 (in 72-78): surging; 6 h later, before
    84, still; at about 87.25 calm, so it has waited 12 h. It is expected, and arrives,
    at 55 + L / 10 + 6 + 12 for a route of L nm at 10 kn."""
    adaptation = {
        "enabled": True,
        "modes": ["loiter"],
        "timing": False,
        "surge_ratio": 1.5,
        "check_hours": 6.0,
        "loiter_max_hours": 48.0,
    }
    policy = [
        {"day": 1.0, "set": {"patrols.test_patrol.vessels": 4}},
        {"day": 3.5, "set": {"patrols.test_patrol.vessels": 1}},
    ]
    resolved = search_world(
        vessels=1,
        horizon_days=5.0,
        sellers=[SELLER],
        routes=[TRANSFER_ROUTE],
        adaptation=adaptation,
        policy=policy,
    )
    route = resolved.geography.routes[ROUTE]
    ((box,),) = [route.stretches]
    stop = route.transfer_nm
    assert stop is not None and stop < box.start_nm and 72.0 <= 55.0 + stop / 10.0 + 6.0 < 78.0
    model = Model(resolved, replication_seed(7, 0))
    voyages: list[Any] = []
    model.outcomes.sailed.append(voyages.append)
    model.run()
    (first,) = [v for v in voyages if v.rec.t_contract == 48.0]
    s = first.rec
    assert (s.mode, s.t_depart, s.waited_hours) == ("loiter", 55.0, pytest.approx(12.0))
    expected = 55.0 + route.length_nm / 10.0 + 6.0 + 12.0
    assert first.eta == pytest.approx(expected)
    assert s.outcome == "delivered" and s.t_arrive == pytest.approx(expected)
