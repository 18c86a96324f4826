"""The trade and its enforcement checked against theory: tips, break-even, investigations."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import binomial_halfwidth, run, search_world, section

from sim import metrics
from sim.experiment.seeds import replication_seed
from sim.metrics.replication import on_station_hours
from sim.model.buyers import ADVANCE, AFTER, BuyerAgent, break_even
from sim.model.market import StrategicMarket
from sim.model.model import Model
from sim.scenario import Resolved, Scenario, load, resolve
from sim.scenario.trade import Beliefs, Buyer
from sim.verify.market_checks import hand_evidence
from sim.verify.worlds import belief_world, trade_world
from sim.world import geo

pytestmark = pytest.mark.model
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


@pytest.mark.parametrize(("k", "p"), [(1, 0.3), (4, 0.1), (10, 0.05), (6, 0.4)])
def test_share_with_at_least_one_tip_is_one_minus_the_chance_nobody_tips(k: int, p: float) -> None:
    """Tips alone: each of k knowers tips with probability p, so P(>= 1 tip) = 1 - (1 - p)^k."""
    resolved = search_world(
        vessels=1,
        recognition_probability=0.0,
        tips={"knowers": k, "base_probability": p, "max_probability": p, "accuracy": 1.0},
    )
    sailed = [s for s in run(resolved).shipments if not math.isnan(s.t_depart)]
    expected = 1 - (1 - p) ** k
    observed = np.mean([s.tips > 0 for s in sailed])
    assert len(sailed) > 600
    assert abs(observed - expected) < binomial_halfwidth(expected, len(sailed)), (
        observed,
        expected,
    )
    # tips are acted on: a patrol intercepts some tipped cargoes, and only tipped ones
    # (the interception's chance is checked against its geometry by `verify tip_geometry`)
    by_tip = [s for s in sailed if s.cause == "tip"]
    assert by_tip and all(s.tips > 0 and s.outcome == "seized" for s in by_tip)


MARGIN = 425.0 * 4000 * (2.0 - 1.0)  # default mid price, a 4,000 t lot, resale at twice the price
FINE = 1_200_000.0


@pytest.mark.parametrize(
    ("value", "resale", "fine"),
    [
        (425.0 * 4000, 2.0, FINE),
        (400.0 * 5000, 3.0, FINE),
        (450.0 * 3000, 2.0, 5e6),
        (425.0 * 4000, 1.5, 2e5),
    ],
)
def test_buyer_decisions_switch_exactly_at_the_break_even(
    value: float, resale: float, fine: float
) -> None:
    """Expected profit (1 - q) M - q L is zero at q* = M / (M + L), solved by hand here (not
    by the model's ``break_even``): the buyer signs just below q* and refuses just above."""
    buyer = BuyerAgent("b", section(Buyer(name="b", port="Yantai")))
    margin = value * (resale - 1.0)
    stars = {}
    for terms, loss in ((ADVANCE, value + fine), (AFTER, fine)):
        q_star = stars[terms] = margin / (margin + loss)
        assert buyer.decide(terms, q_star * (1 - 1e-9), value, resale, fine) == terms
        assert buyer.decide(terms, q_star * (1 + 1e-9), value, resale, fine) is None
    # between the two break-evens a buyer offered advance asks for payment after delivery
    q_mid = (stars[ADVANCE] + stars[AFTER]) / 2
    assert buyer.decide(ADVANCE, q_mid, value, resale, fine, counter_allowed=True) == AFTER


def test_default_break_evens_by_hand() -> None:
    """Defaults: M = RMB 1.7 million on a 4,000 t lot at 425 RMB/t; fine RMB 1.2 million."""
    assert break_even(MARGIN, MARGIN + FINE) == pytest.approx(1.7 / 4.6)  # advance: 0.3696
    assert break_even(MARGIN, FINE) == pytest.approx(1.7 / 2.9)  # after delivery: 0.5862


@pytest.mark.parametrize(
    ("terms", "q_star"), [("advance", 1.7 / 4.6), ("after_delivery", 1.7 / 2.9)]
)
def test_simulated_buyers_trade_below_the_break_even_and_refuse_above(
    terms: str, q_star: float
) -> None:
    below = run(belief_world(q_star - 0.01, terms)).shipments
    above = run(belief_world(q_star + 0.01, terms)).shipments
    assert below and all(s.outcome != "held" for s in below)
    assert above and all(s.outcome == "held" for s in above)


def _named_by_case(out) -> dict[int, list[str]]:
    cases: dict[int, list[str]] = defaultdict(list)
    for _, node, case in out.named:
        cases[case].append(node)
    return cases


def test_investigations_name_exactly_the_configured_number_never_twice() -> None:
    s = Scenario.model_validate(
        {
            "horizon_days": 200,
            "seed": 5,
            "enforcement": {
                "accomplices_min": 5,
                "accomplices_max": 5,
                "sentence_days": 60,
                "investigation_days_mean": 10,
            },
            "buyers": [
                {"name": f"t_{p}", "port": p, "count": 30}
                for p in ("Dalian", "Yantai", "Longkou", "Lianyungang", "Ningbo-Zhoushan")
            ],
            "network": {"brokers": 40},
        }
    )
    out = run(resolve(s))
    cases = _named_by_case(out)
    assert len(cases) >= 5
    for names in cases.values():
        assert len(names) == 5
        assert len(set(names)) == 5
    # named parties stop trading for their sentence
    sentence = 60 * 24.0
    for t, node, _ in out.named:
        for sh in out.shipments:
            if node in (sh.buyer, sh.broker) and not math.isnan(sh.t_contract):
                assert not (t <= sh.t_contract < t + sentence), (node, t, sh.t_contract)


def test_an_investigation_in_a_small_network_names_everyone_it_can_reach() -> None:
    s = Scenario.model_validate(
        {
            "horizon_days": 120,
            "seed": 2,
            "enforcement": {
                "accomplices_min": 6,
                "accomplices_max": 6,
                "investigation_days_mean": 1,
            },
            "buyers": [{"name": "t", "port": "Yantai", "count": 2}],
            "market": {"entry_per_month": 0.0, "entry_per_month_per_million_rmb": 0.0},
            "sellers": [{"name": "s", "port": "Nampo", "routes": ["nampo-yantai"], "vessels": 5}],
            "network": {"brokers": 2, "brokers_per_seller": 2, "brokers_per_buyer": 1},
            "patrols": [
                {
                    "name": "p",
                    "base": "Yantai",
                    "zone": "north_shandong",
                    "vessels": 4,
                    "sweep_width_nm": 30.0,
                }
            ],
            "detection": {"recognition_probability": 1.0, "ais_off_factor": 1.0},
        }
    )
    out = run(resolve(s))
    cases = _named_by_case(out)
    assert cases
    for names in cases.values():
        assert len(names) == len(set(names)) <= 2  # one other buyer, one other broker at most


def test_higher_rewards_bring_more_tips_and_seizures_on_common_random_numbers() -> None:
    tips, seized = [], []
    for reward in (0.0, 20_000.0, 100_000.0, 500_000.0):
        s = Scenario.model_validate(
            {
                "horizon_days": 120,
                "seed": 9,
                "tips": {
                    "reward_rule": "fixed",
                    "reward_fixed_rmb": reward,
                    "base_probability": 0.0,
                    "max_probability": 0.3,
                    "half_saturation_rmb": 100_000.0,
                },
            }
        )
        rows = [metrics.replication_metrics(run(resolve(s), r)) for r in range(3)]
        tips.append(sum(m["tips"] for m in rows))
        seized.append(sum(m["shipments_seized_tip"] for m in rows))
    assert tips[0] == 0 and seized[0] == 0
    assert tips == sorted(tips) and len(set(tips)) == 4, tips
    assert seized == sorted(seized) and seized[-1] > seized[1], seized


def test_a_policy_change_takes_effect_on_its_day() -> None:
    resolved = search_world(
        vessels=2, horizon_days=140, policy=[{"day": 70, "set": {"patrols.test_patrol.vessels": 4}}]
    )
    out = run(resolved)
    weekly = metrics.weekly_series(out)
    assert np.allclose(weekly["patrols_on_station"][:10], 2.0)  # day 70 is the start of week 10
    assert np.allclose(weekly["patrols_on_station"][10:], 4.0)
    arrivals = sorted(e.time for e in out.patrol_events if e.on_station)
    assert arrivals == [0.0, 0.0, 70 * 24.0, 70 * 24.0]


def test_a_policy_speed_change_shortens_the_transits_after_it() -> None:
    resolved = search_world(
        vessels=1,
        endurance_hours=48.0,
        transit_hours=None,  # worked out from the geography and the speed
        turnaround_hours=12.0,
        horizon_days=40,
        policy=[{"day": 20, "set": {"patrols.test_patrol.speed_knots": 36.0}}],
    )
    out = run(resolved)
    cg = Model(resolved, replication_seed(resolved.scenario.seed, 0)).coast_guard
    transit = cg.transit["test_patrol"]  # at 18 kn
    assert transit > 2.0
    events = out.patrol_events
    gaps = [
        (leave.time, back.time - leave.time)
        for leave, back in pairwise(events)
        if not leave.on_station and back.on_station
    ]
    change = 20 * 24.0
    before = [g for t, g in gaps if t + g < change]
    after = [g for t, g in gaps if t > change]
    assert before and after
    assert before == pytest.approx([2 * transit + 12.0] * len(before))
    assert after == pytest.approx([transit + 12.0] * len(after))  # twice the speed


def test_arrested_buyers_leave_and_new_buyers_enter_while_the_trade_pays() -> None:
    s = Scenario.model_validate(
        {
            "horizon_days": 180,
            "seed": 4,
            "market": {"arrest_probability": 1.0, "entry_per_month": 2.0},
            "buyers": [
                {"name": f"t_{p}", "port": p, "count": 10}
                for p in ("Dalian", "Yantai", "Longkou", "Lianyungang", "Ningbo-Zhoushan")
            ],
        }
    )
    out = run(resolve(s))
    seized_buyers = {sh.buyer for sh in out.shipments if sh.outcome == "seized"}
    assert seized_buyers
    left = {b.name for b in out.buyers if b.left == "arrested"}
    assert seized_buyers <= left
    for sh in out.shipments:  # an arrested buyer signs nothing after its arrest
        b = next(x for x in out.buyers if x.name == sh.buyer) if sh.buyer else None
        if b is not None and b.left:
            assert sh.t_contract < b.left_at
    entrants = [b for b in out.buyers if b.name.startswith("entrant#")]
    assert len(entrants) >= 5
    assert any(sh.buyer.startswith("entrant#") for sh in out.shipments)


def test_beliefs_rise_with_news_of_seizures_and_fade_back() -> None:
    b = BuyerAgent("b", section(Buyer(name="b", port="Yantai", prior_alpha=1.0, prior_beta=9.0)))
    beliefs = section(Beliefs(news_weight=1.0, memory_days=30.0))
    assert b.belief(0.0, beliefs) == pytest.approx(0.1)
    b.observe(0.0, True, 1.0, beliefs)
    assert b.belief(0.0, beliefs) == pytest.approx(2 / 11)
    assert b.belief(30 * 24.0, beliefs) == pytest.approx((1 + math.exp(-1)) / (10 + math.exp(-1)))


def test_ship_to_ship_hands_the_cargo_and_its_risk_to_the_buyers_barge() -> None:
    """Transfer at chengshan_cape; the only patrolled zone lies on the barge's leg after it."""
    route = {
        "name": "nampo-lianyungang",
        "origin": "Nampo",
        "destination": "Lianyungang",
        "via": ["taedong_mouth", "changsan_cape", "chengshan_cape", "yellow_sea_central"],
        "transfer_at": "chengshan_cape",
        "transfer_hours": 6.0,
    }
    resolved = search_world(
        vessels=3,
        sweep_width_nm=20.0,
        recognition_probability=1.0,
        transit_hours=None,
        turnaround_hours=6.0,
        endurance_hours=72.0,
        start="staggered",
        horizon_days=120,
        routes=[route],
        contract={"ship_to_ship_share": 1.0},
    )
    out = run(resolved)
    sailed = [s for s in out.shipments if not math.isnan(s.t_depart)]
    assert sailed and all(s.delivery == "ship_to_ship" for s in sailed)
    seized = [s for s in sailed if s.outcome == "seized"]
    assert len(seized) > 5
    from sim.model import ledger as L

    for s in seized:
        assert s.t_handover < s.seizure_time  # seized on the barge, after the handover
        entries = [e for e in out.ledger if e.shipment == s.id]
        value = round(s.cargo_value_rmb * 100)
        pay = [e for e in entries if e.reason == "payment"]
        assert len(pay) == 1 and pay[0].time == s.t_handover and pay[0].fen == value
        seizure = next(e for e in entries if e.reason == "seizure")
        assert seizure.payer == L.buyer_party(s.buyer)
        buyer_net = sum(
            e.fen if e.payee == L.buyer_party(s.buyer) else -e.fen
            for e in entries
            if L.buyer_party(s.buyer) in (e.payer, e.payee)
        )
        assert buyer_net == -(value + 1_200_000 * 100)


@pytest.mark.parametrize("name", ["baseline", "crackdown_midyear", "lianyungang_surge"])
def test_rounds_that_reach_no_free_buyer_are_skipped_without_changing_any_outcome(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The market answers a round it knows will find nobody without walking the brokers;
    the run must be the same, shipment by shipment and entry by entry, as walking them.
    crackdown_midyear removes brokers and buyers by investigation; lianyungang_surge asks
    by port (adaptive sellers). The baseline's traders have room for two cargoes a month,
    so rounds seldom find nobody; a cap below its 200 starting buyers (no one enters)
    makes them common, so that the shortcut is exercised."""
    crowded = ["market.max_buyers=150"] if name != "crackdown_midyear" else None
    resolved = load(Path(__file__).parents[1] / "scenarios" / f"{name}.toml", crowded)
    seed = replication_seed(resolved.scenario.seed, 1)
    fast = Model(resolved, seed)
    out_fast = fast.run()
    assert isinstance(fast.market, StrategicMarket) and fast.market.quiet_rounds > 100
    monkeypatch.setattr(StrategicMarket, "remember_quiet", False)
    slow = Model(resolved, seed)
    out_slow = slow.run()
    assert slow.market.quiet_rounds == 0  # type: ignore[attr-defined]
    assert out_fast.shipments == out_slow.shipments
    assert out_fast.ledger == out_slow.ledger
    assert out_fast.named == out_slow.named


@pytest.mark.parametrize("name", ["baseline", "lianyungang_surge"])
def test_brokers_buyer_lists_kept_up_to_date_equal_a_rebuild(name: str) -> None:
    """The market extends each company's broker -> buyers lists with the links entrants
    make instead of rebuilding them; at the horizon they must equal a fresh rebuild."""
    resolved = load(Path(__file__).parents[1] / "scenarios" / f"{name}.toml")
    model = Model(resolved, replication_seed(resolved.scenario.seed, 1))
    model.run()
    market = model.market
    assert isinstance(market, StrategicMarket) and market._cache
    companies = {c.name: c for c in model.companies}
    assert any(n.startswith("entrant#") for n in model.buyers)  # entrants made links
    for (company, port), (_, kept) in list(market._cache.items()):
        kept_now = market._known(companies[company], port)  # taken up to the last link
        assert kept_now is kept
        del market._cache[company, port]
        assert market._known(companies[company], port) == kept


def test_every_seizure_is_counted_in_the_zone_it_was_made_in() -> None:
    """Tip boardings are planned where the cargo enters a zone, on its very edge; they must
    count in that zone like search seizures do (zones.csv and proportional patrols read
    these events)."""
    resolved = load(Path(__file__).parents[1] / "scenarios" / "baseline.toml")
    zones = {z.name for z in resolved.scenario.zones}
    by_cause: dict[str, int] = defaultdict(int)
    for r in range(3):
        out = run(resolved, r)
        seized = [s for s in out.shipments if s.outcome == "seized"]
        for s in seized:
            by_cause[s.cause] += 1
            assert s.seizure_zone, (s.id, s.cause, s.seizure_lat, s.seizure_lon)
            assert s.seizure_zone in zones
        events = [e for e in out.zone_events if e.kind == "seizure"]
        assert sorted((e.time, e.zone) for e in events) == sorted(
            (s.seizure_time, s.seizure_zone) for s in seized
        )
    assert by_cause["tip"] > 20 and by_cause["patrol"] > 20, by_cause


def _patrol(name: str, base: str, zone: str, **settings: float) -> dict[str, Any]:
    return {
        "name": name,
        "base": base,
        "zone": zone,
        "vessels": 1,
        "start": "on_station",
        "endurance_hours": 1e6,
        "turnaround_hours": 0.0,
        **settings,
    }


def _tip_world(patrols: list[dict[str, Any]], **extra: Any) -> Resolved:
    """Nampo to Lianyungang through the Jiangsu zone, one lot every ten days (one voyage at
    sea at a time), every voyage tipped within the hour, no area-search boardings."""
    return resolve(
        Scenario.model_validate(
            {
                "seed": 3,
                "horizon_days": 200,
                "market": {"kind": "fixed"},
                "detection": {"recognition_probability": 0.0},
                "patrols": patrols,
                "tips": {
                    "knowers": 1,
                    "base_probability": 1.0,
                    "max_probability": 1.0,
                    "accuracy": 1.0,
                    "delay_hours_mean": 0.5,
                },
                "sellers": [
                    {
                        "name": "s",
                        "port": "Nampo",
                        "routes": ["nampo-lianyungang"],
                        "vessels": 30,
                        "lot_interval_days": 10.0,
                        "lot_interval": "fixed",
                    }
                ],
                **extra,
            }
        )
    )


def _two_patrol_tip_world() -> Resolved:
    """Two patrols can make every boarding in time: the North Shandong one, listed first,
    4 to 6 hours' dash away, and the Jiangsu one in the zone."""
    return _tip_world(
        [
            _patrol("far", "Yantai", "north_shandong"),
            _patrol("near", "Lianyungang", "jiangsu_lianyungang"),
        ]
    )


def test_a_tip_sends_the_nearest_free_patrol_which_searches_on_until_it_must_leave() -> None:
    out = run(_two_patrol_tip_world())
    seized = [s for s in out.shipments if s.outcome == "seized"]
    assert len(seized) >= 15
    assert all(s.cause == "tip" and s.patrol == "near#1" for s in seized)
    leaves = {round(e.time, 6): e for e in out.patrol_events if e.reason == "tip"}
    dash_limit = out.scenario.tips.max_intercept_hours
    for s in seized:
        # The patrol left station one dash before the boarding, long after the tip
        # came in while the cargo was still a day or more from the zone.
        (left,) = [e for e in leaves.values() if s.first_tip_time < e.time <= s.seizure_time]
        assert left.vessel == "near#1"
        assert 0.0 < s.seizure_time - left.time <= dash_limit
        assert left.time - s.first_tip_time > 12.0
    # Off station only for dash, escort and the return: on station most of the run.
    hours = on_station_hours(out)
    assert hours["near#1"] > 0.8 * out.horizon_hours


def _on_station(out: Any, vessel: str, t: float) -> bool:
    last = [e for e in out.patrol_events if e.vessel == vessel and e.time < t]
    return bool(last) and last[-1].on_station


def test_a_patrol_whose_time_on_station_ends_before_it_must_leave_goes_at_once() -> None:
    """A day on station from a base 3.5 hours away: often the spell ends before the patrol
    would have had to leave. It then goes at once, and every tip that came in while it
    was on station (and free: one voyage at sea at a time) ends in a seizure."""
    only = _patrol("only", "Yantai", "jiangsu_lianyungang", endurance_hours=24.0)
    out = run(_tip_world([{**only, "turnaround_hours": 2.0}]))
    tipped = [s for s in out.shipments if s.tips and _on_station(out, "only#1", s.first_tip_time)]
    assert len(tipped) >= 5
    assert all(s.outcome == "seized" and s.cause == "tip" for s in tipped), [
        (s.id, s.outcome) for s in tipped
    ]


def test_the_plan_is_made_again_when_it_is_time_to_leave() -> None:
    """A policy cuts the dash speed from 25 to 2 knots while a patrol waits for a tipped
    cargo: the dash it then makes takes as long as 2 knots need (none is faster)."""
    near = _patrol("near", "Lianyungang", "jiangsu_lianyungang")
    policy = [{"day": 13, "set": {"patrols.near.dash_speed_knots": 2.0}}]
    resolved = _tip_world([near], policy=policy)
    out = run(resolved)
    station = resolved.geography.zones["jiangsu_lianyungang"].station
    leaves = [e.time for e in out.patrol_events if e.reason == "tip"]
    for s in out.shipments:
        if s.cause != "tip":
            continue
        left = max(t for t in leaves if t <= s.seizure_time)
        speed = 25.0 if left < 13 * 24.0 else 2.0
        nm = geo.great_circle_nm(*station, s.seizure_lat, s.seizure_lon)
        assert (s.seizure_time - left) * speed >= nm - 1e-6, (s.id, left, s.seizure_time, nm)
    assert any(s.cause == "tip" and s.t_depart > 13 * 24.0 for s in out.shipments)


def test_mean_belief_end_is_measured_at_the_horizon_not_the_last_weekly_snapshot() -> None:
    """The active buyers' mean Beta mean at the horizon, worked out by hand from the records:
    each buyer's own outcomes and every seizure's news, faded to the horizon."""
    resolved = resolve(Scenario(horizon_days=100))  # the last snapshot is in week 14, day 98
    out = run(resolved)
    end = out.horizon_hours
    bel = out.scenario.beliefs
    hand = hand_evidence(out, bel.own_weight, bel.news_weight, bel.memory_days, at=end)
    until = out.network.removed_until
    beliefs = []
    for b in out.buyers:
        if b.left or until.get(b.name, -1.0) > end:
            continue
        alpha, beta = b.config.prior_alpha + hand[b.name][0], b.config.prior_beta + hand[b.name][1]
        beliefs.append(alpha / (alpha + beta))
    expected = float(np.mean(beliefs))
    m = metrics.replication_metrics(out)
    assert m["mean_belief_end"] == pytest.approx(expected, rel=1e-9)
    assert m["mean_belief_end"] != pytest.approx(out.weekly[-1]["mean_belief"], rel=1e-6)


def test_the_weekly_sample_changes_nothing_it_observes() -> None:
    """A run with the weekly sample and one without it (a sweep's) leave the same records
    and every buyer's evidence the same to the last bit: the sample reads the buyers'
    beliefs without fading them. (Faded in place, a buyer's evidence took another rounding
    path from the first sample on.)"""
    resolved = load(BASELINE, ["horizon_days=120"])
    seed = replication_seed(resolved.scenario.seed, 1)
    seen = Model(resolved, seed).run()
    unseen = Model(resolved, seed, series=False).run()
    assert len(seen.weekly) == 18 and unseen.weekly == []  # weeks 0 to 17 of 17.1
    # repr: every float to the bit, and NaN (an unset time) equal to NaN
    assert repr(seen.shipments) == repr(unseen.shipments)
    assert seen.ledger == unseen.ledger and seen.named == unseen.named

    def evidence(b: BuyerAgent) -> tuple[float, ...]:
        return (b.alpha_e, b.beta_e, b.named_e, b.exposed_e, b.last)

    assert [evidence(b) for b in seen.buyers] == [evidence(b) for b in unseen.buyers]
    assert math.isclose(seen.mean_belief_end, unseen.mean_belief_end, rel_tol=0, abs_tol=0)


def test_a_new_lots_record_says_nothing_has_happened_to_it_yet() -> None:
    """The shipment log's row for a lot just made (and for one held without a buyer):
    no buyer, broker, price, terms, vessel or zone; every time still NaN; no contacts,
    tips, fine or reward; waiting."""
    from sim.model.records import Shipment

    s = Shipment(3, "seller", "route", "Nampo", "Yantai", 5000.0, 12.0)
    assert (s.id, s.seller, s.route, s.origin, s.destination, s.tonnes, s.t_ready) == (
        3, "seller", "route", "Nampo", "Yantai", 5000.0, 12.0
    )  # fmt: skip
    text = (s.buyer, s.broker, s.payment_terms, s.delivery, s.mode, s.vessel, s.cause)
    assert (*text, s.seizure_zone, s.patrol) == ("",) * 9
    times = (s.t_contract, s.t_depart, s.t_handover, s.t_arrive, s.first_contact_time)
    assert all(math.isnan(t) for t in (*times, s.seizure_time, s.first_tip_time))
    assert math.isnan(s.seizure_lat) and math.isnan(s.seizure_lon)
    numbers = (s.price_rmb_per_tonne, s.hours_in_zones, s.waited_hours, s.fine_rmb)
    assert (*numbers, s.reward_rmb, s.contacts, s.tips) == (0.0,) * 7
    assert s.ais_off is False and s.outcome == "waiting"
    assert s.cargo_value_rmb == 0.0


def test_a_runs_records_come_back_from_pickle_as_they_were() -> None:
    """What a worker or a notebook may pickle: every shipment record, unset times (NaN)
    included, ledger entry and patrol event comes back with the same fields to the bit."""
    import pickle

    out = run(load(BASELINE, ["horizon_days=30"]))
    for records in (out.shipments, out.ledger, out.patrol_events):
        back = pickle.loads(pickle.dumps(records))
        assert records and repr(back) == repr(records)
        assert [type(r) for r in back] == [type(r) for r in records]


def test_a_sweeps_metrics_are_the_runs_to_the_last_bit() -> None:
    """``evaluate_metrics`` (sweeps: no tables, no weekly sample) and ``evaluate`` (``coalsim
    run``) give the same metrics for the same seed, NaN where the other has NaN."""
    from sim.metrics.evaluate import evaluate, evaluate_metrics

    s = load(BASELINE, ["horizon_days=120"]).scenario
    js = s.model_dump_json()
    for r in range(3):
        seed = replication_seed(s.seed, r)
        run_row, sweep_row = evaluate(js, seed).metrics, evaluate_metrics(js, seed).metrics
        assert run_row.keys() == sweep_row.keys()
        differ = [
            k
            for k, v in run_row.items()
            if not (v == sweep_row[k] or (math.isnan(v) and math.isnan(sweep_row[k])))
        ]
        assert differ == []


@pytest.mark.parametrize("broker_first", [False, True])
def test_the_deals_broker_is_named_first_only_when_asked_and_the_buyer_never(
    broker_first: bool,
) -> None:
    s = Scenario(horizon_days=200, seed=8)
    s = s.model_copy(
        update={"enforcement": s.enforcement.model_copy(update={"name_deal_broker": broker_first})}
    )
    out = run(resolve(Scenario.model_validate(s.model_dump())))
    cases = _named_by_case(out)
    seized = {sh.id: sh for sh in out.shipments if sh.outcome == "seized" and sh.broker}
    first = 0
    for case, names in cases.items():
        sh = seized.get(case)
        if sh is None:
            continue
        assert sh.buyer not in names
        if broker_first:  # first, unless already out of the trade when the case closed
            assert sh.broker not in names or names[0] == sh.broker
            first += sh.broker in names
        else:
            assert sh.broker not in names
    assert first >= 10 if broker_first else cases


def test_a_company_with_every_ship_confiscated_sells_no_more() -> None:
    """No buyer pays in advance for coal that can never sail: once a company's last ship
    is confiscated, its lots are held and no contract of its is signed."""
    s = Scenario.model_validate(
        {
            "horizon_days": 240,
            "seed": 6,
            "contract": {"payment_terms": "advance"},
            "detection": {"recognition_probability": 1.0, "ais_off_factor": 1.0},
            "enforcement": {"vessel_confiscation_probability": 1.0},
        }
    )
    out = run(resolve(s))
    fleets = {name: sl.vessels for sl in s.sellers for name in _company_names(sl)}
    emptied = 0
    for company, ships in fleets.items():
        lots = [sh for sh in out.shipments if sh.seller == company]
        lost = sorted(sh.seizure_time for sh in lots if sh.outcome == "seized")
        if len(lost) < ships:
            continue
        emptied += 1
        gone = lost[ships - 1]  # every seizure confiscates: the last ship goes here
        after = [sh for sh in lots if sh.t_ready > gone]
        assert after and all(sh.outcome == "held" for sh in after)
        assert not any(sh.t_contract > gone for sh in lots)
        paid_after = [
            e
            for e in out.ledger
            if e.reason == "payment" and e.payee == f"seller:{company}" and e.time > gone
        ]
        assert paid_after == []
    assert emptied >= 2


def _company_names(seller: Any) -> list[str]:
    return (
        [seller.name]
        if seller.count == 1
        else [f"{seller.name}#{k + 1}" for k in range(seller.count)]
    )


def test_a_ship_delivering_to_port_sails_past_the_transfer_point_without_stopping() -> None:
    resolved = trade_world("after_delivery", ship_to_ship=0.5)
    out = run(resolved)
    speed = {sl.name: sl.speed_knots for sl in resolved.scenario.sellers}
    routes = resolved.geography.routes
    port, barge = 0, 0
    for s in out.shipments:
        if s.outcome != "delivered" or routes[s.route].transfer_nm is None:
            continue
        route, v = routes[s.route], speed[s.seller.split("#")[0]]
        if s.delivery == "port":
            port += 1
            assert s.t_arrive - s.t_depart == pytest.approx(route.length_nm / v, abs=1e-9)
        else:  # the seller's ship stops for the transfer
            barge += 1
            stop = route.transfer_nm / v + route.transfer_hours  # type: ignore[operator]
            assert s.t_handover - s.t_depart == pytest.approx(stop, abs=1e-9)
    assert port > 10 and barge > 10
