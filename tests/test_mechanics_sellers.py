"""Sellers' lots, as exact traces: when lots come ready, their sizes, the offer rounds
until the company's patience runs out, and a company left without ships."""

from __future__ import annotations

import math
from typing import Any

import pytest
from builders import ROUTE, search_world

from sim.experiment.seeds import replication_seed
from sim.model.model import Model

pytestmark = pytest.mark.model


def _model(days: float = 20.0, **seller: Any) -> Model:
    s = {"name": "s", "port": "Nampo", "routes": [ROUTE], "vessels": 50, **seller}
    resolved = search_world(vessels=0, horizon_days=days, sellers=[s])
    return Model(resolved, replication_seed(7, 0))


def test_fixed_interval_lots_come_ready_on_the_hour_with_sizes_in_the_range() -> None:
    model = _model(
        lot_interval="fixed", lot_interval_days=1.5, lot_tonnes_min=3000.0, lot_tonnes_max=3100.0
    )
    out = model.run()
    ready = [s.t_ready for s in out.shipments]
    assert ready == pytest.approx([36.0 * k for k in range(1, len(ready) + 1)])
    assert len(ready) == 13  # 20 days / 1.5
    assert all(3000.0 <= s.tonnes <= 3100.0 for s in out.shipments)
    assert len({s.tonnes for s in out.shipments}) == len(ready)  # drawn, not fixed


def test_exponential_lots_have_the_configured_mean_interval_and_uniform_sizes() -> None:
    """400-odd lots at a mean of 0.5 days: the mean gap is within 3 standard errors of
    12 h; sizes uniform on [3000, 5000]: mean 4000 within 3 standard errors."""
    model = _model(lot_interval_days=0.5, days=200.0)
    out = model.run()
    ready = [s.t_ready for s in out.shipments]
    n = len(ready)
    assert abs(ready[-1] / n - 12.0) < 3 * 12.0 / math.sqrt(n)
    # Exponential gaps: their spread is about their mean (fixed gaps would have none).
    gaps = [b - a for a, b in zip([0.0, *ready], ready, strict=False)]
    spread = math.sqrt(sum((g - 12.0) ** 2 for g in gaps) / n)
    assert 0.8 * 12.0 < spread < 1.2 * 12.0
    tonnes = [s.tonnes for s in out.shipments]
    assert abs(sum(tonnes) / n - 4000.0) < 3 * (2000.0 / math.sqrt(12)) / math.sqrt(n)
    assert min(tonnes) >= 3000.0 and max(tonnes) <= 5000.0


def _nobody_buys(model: Any) -> list[float]:
    """Every offer round finds no buyer; the times the rounds are made are logged here."""
    asked: list[float] = []

    def nobody(company: Any, tonnes: float, now: float, alt: Any = None) -> None:
        asked.append(now)

    model.market.find_deal = nobody
    return asked


def test_a_lot_nobody_buys_is_offered_every_retry_until_patience_runs_out() -> None:
    """Patience 1 day, a round every 5 h: offered at 0, 5, 10, 15 and 20 h after it is
    ready; the next round would fall after the deadline, so it is held at 20 h."""
    model = _model(
        lot_interval="fixed", lot_interval_days=10.0, patience_days=1.0, retry_hours=5.0, days=15.0
    )
    asked = _nobody_buys(model)
    out = model.run()
    (lot,) = out.shipments
    assert asked == [240.0, 245.0, 250.0, 255.0, 260.0]
    assert lot.outcome == "held" and math.isnan(lot.t_contract)


def test_a_round_that_falls_exactly_on_the_deadline_is_still_made() -> None:
    """Patience 1 day, a round every 6 h: offered at 0, 6, 12, 18 and 24 h."""
    model = _model(
        lot_interval="fixed", lot_interval_days=10.0, patience_days=1.0, retry_hours=6.0, days=15.0
    )
    asked = _nobody_buys(model)
    model.run()
    assert asked == [240.0, 246.0, 252.0, 258.0, 264.0]


def test_a_company_without_ships_holds_every_lot() -> None:
    model = _model(lot_interval="fixed", lot_interval_days=2.0, days=9.0)
    model.companies[0].ships = 0
    out = model.run()
    assert [s.outcome for s in out.shipments] == ["held"] * 4
    # Never sold: no route or destination, only where it was made.
    assert {(s.route, s.origin, s.destination) for s in out.shipments} == {("", "Nampo", "")}
