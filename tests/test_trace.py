"""A tiny deterministic world whose whole event trace is asserted exactly.

One seller shipping a 4,000 t lot every ten days at 425 RMB/t to one buyer
at Yantai through one broker; one patrol vessel cycling in a zone the route
never enters; no tips. Nothing random is left, so every time and every yuan
is computed by hand from the route length.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from builders import run

from sim.model.ledger import Entry
from sim.scenario import Scenario, resolve

pytestmark = pytest.mark.model

WORLD = {
    "horizon_days": 25,
    "seed": 1,
    "sellers": [
        {
            "name": "s",
            "port": "Nampo",
            "routes": ["nampo-yantai"],
            "vessels": 1,
            "lot_interval": "fixed",
            "lot_interval_days": 10.0,
            "lot_tonnes_min": 4000.0,
            "lot_tonnes_max": 4000.0,
            "speed_knots": 10.0,
            "loading_hours": 48.0,
            "discharge_hours": 36.0,
            "operating_cost_rmb_per_day": 24000.0,
        }
    ],
    "buyers": [{"name": "b", "port": "Yantai", "demand_tonnes_per_month": 1e6}],
    "network": {
        "brokers": 1,
        "brokers_per_seller": 1,
        "brokers_per_buyer": 1,
        "broker_fee_rmb_per_tonne": 10.0,
    },
    "contract": {
        "price_rmb_per_tonne_min": 425.0,
        "price_rmb_per_tonne_max": 425.0,
        "payment_terms": "after_delivery",
    },
    "patrols": [
        {
            "name": "p",
            "base": "Ningbo-Zhoushan",
            "zone": "zhoushan_approaches",
            "vessels": 1,
            "start": "on_station",
            "endurance_hours": 100.0,
            "transit_hours": 10.0,
            "turnaround_hours": 20.0,
        }
    ],
    "tips": {"knowers": 0},
    "market": {"entry_per_month": 0.0, "entry_per_month_per_million_rmb": 0.0},
}


def test_whole_trace() -> None:
    resolved = resolve(Scenario.model_validate(WORLD))
    sail = resolved.geography.routes["nampo-yantai"].length_nm / 10.0  # hours each way
    out = run(resolved)

    # The patrol: on station 0-100, back 100-110, base 110-130, out 130-140, on 140-240, ...
    assert [(e.time, e.on_station, e.reason) for e in out.patrol_events] == [
        (0.0, True, "station"),
        (100.0, False, "endurance"),
        (140.0, True, "station"),
        (240.0, False, "endurance"),
        (280.0, True, "station"),
        (380.0, False, "endurance"),
        (420.0, True, "station"),
        (520.0, False, "endurance"),
        (560.0, True, "station"),
    ]

    # Lots at days 10 and 20; the second finds the one ship back in port.
    first, second = out.shipments
    assert (first.t_ready, first.t_contract, first.t_depart) == (240.0, 240.0, 288.0)
    assert first.t_arrive == pytest.approx(288.0 + sail)
    assert (first.outcome, first.buyer, first.broker) == ("delivered", "b", "broker#1")
    assert (second.t_ready, second.t_depart) == (480.0, 528.0)
    assert second.t_arrive == pytest.approx(528.0 + sail)
    assert first.contacts == second.contacts == 0

    back = 288.0 + sail + 36.0 + sail  # discharged and home again
    value = 425.0 * 4000
    entries = [e for e in out.ledger if e.shipment == 0]
    expect = [
        Entry(288.0 + sail, "buyer:b", "seller:s", round(value * 100), "payment", 0),
        Entry(288.0 + sail, "buyer:b", "broker:broker#1", 4000 * 10 * 100, "broker_fee", 0),
        Entry(288.0 + sail, "market:china", "buyer:b", round(2 * value * 100), "resale", 0),
        Entry(
            back,
            "seller:s",
            "costs:shipping",
            round((back - 240.0) * 1000.0 * 100),
            "operating_cost",
            0,
        ),
    ]
    assert [replace(e, time=round(e.time, 9)) for e in entries] == [
        replace(e, time=round(e.time, 9)) for e in expect
    ]
