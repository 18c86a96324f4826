"""`coalsim breakeven`: analytic break-evens against hand-derived values, and the simulated
profits on the right side of zero either side of each break-even."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import Scenario, load, resolve
from sim.verify.breakeven import average_deal, parties
from sim.verify.breakeven_check import simulate_points

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def _one_seller(fee: float, stakes: bool = False) -> Scenario:
    """Default prices (400 to 450 RMB/t), resale (x2) and fine (RMB 1.2 million); 4,000 t lots.
    Without ``stakes`` buyers weigh neither arrest nor being named: the older rule."""
    off = {"beliefs": {"naming_prior_per_year": 0.0, "naming_news_weight": 0.0},
           "market": {"arrest_horizon_days": 0.0}}  # fmt: skip
    return Scenario.model_validate({
        "sellers": [{"name": "s", "port": "Nampo", "routes": ["nampo-yantai"],
                     "lot_tonnes_min": 4000.0, "lot_tonnes_max": 4000.0}],
        "network": {"broker_fee_rmb_per_tonne": fee},
        **({} if stakes else off),
    })  # fmt: skip


def _by_key(s: Scenario) -> dict[str, float]:
    return {p.key: p.break_even for p in parties(average_deal(resolve(s)))}


def test_buyer_break_evens_equal_the_hand_derived_ones_at_the_default_price_and_fine() -> None:
    # V = 425 x 4,000 = 1.7 M; M = (2 - 1) V = 1.7 M; advance L = V + F = 2.9 M, after L = F
    q = _by_key(_one_seller(fee=0.0))
    assert q["buyer_advance"] == pytest.approx(1.7 / (1.7 + 2.9))  # 0.3696
    assert q["buyer_after_delivery"] == pytest.approx(1.7 / (1.7 + 1.2))  # 0.5862
    # the default broker fee, 10 RMB/t, takes 40,000 off the margin
    q = _by_key(_one_seller(fee=10.0))
    assert q["buyer_advance"] == pytest.approx(1.66 / (1.66 + 2.9))  # 0.3640
    assert q["buyer_after_delivery"] == pytest.approx(1.66 / (1.66 + 1.2))  # 0.5804


def test_buyer_break_evens_with_arrest_and_naming_by_hand() -> None:
    """The defaults: arrest with chance 0.3, valued over 365 days at 3 deals a year; named
    0.5 times a year (the prior), fine RMB 200,000 and 90 days out. M = 1.66 M:
    C_a = 0.3 x 3 x 1.66 M = 1.494 M; C_n = (0.5 / 365) (365 x 200,000 / 3 + 90 x 1.66 M)
    = 33,333.3 + 204,657.5 = 237,990.9."""
    q = _by_key(_one_seller(fee=10.0, stakes=True))
    c_n = 0.5 / 365 * (365 * 200_000 / 3 + 90 * 1.66e6)
    assert c_n == pytest.approx(237_990.9, abs=0.1)
    assert q["buyer_advance"] == pytest.approx((1.66e6 - c_n) / (1.66e6 + 2.9e6 + 1.494e6))
    assert q["buyer_after_delivery"] == pytest.approx((1.66e6 - c_n) / (1.66e6 + 1.2e6 + 1.494e6))
    assert q["buyer_after_delivery"] == pytest.approx(0.326598, abs=5e-6)  # from 0.5804


def test_baseline_break_evens_by_hand() -> None:
    """Baseline (crackdown_2025) lots: every company ships 5,000-8,000 t, so whatever the
    lot rates the mean lot is 6,500 t."""
    a = load(BASELINE)
    deal = average_deal(a)
    assert deal.tonnes == pytest.approx(6500.0)
    value, fee, fine = 425.0 * 6500.0, 10.0 * 6500.0, 1_200_000.0  # 2,762,500; 65,000
    margin = value - fee  # 2,697,500
    arrest = 0.3 * margin * 3  # a year's profit at 3 deals: 2,427,750
    named = 0.5 / 365 * (365 * 200_000 / 3 + 90 * margin)  # 365,901.8
    q = {p.key: p for p in parties(deal)}
    assert q["buyer_advance"].break_even == pytest.approx(
        (margin - named) / (margin + value + fine + arrest)
    )
    assert q["buyer_after_delivery"].break_even == pytest.approx(
        (margin - named) / (margin + fine + arrest)
    )
    assert q["buyer_advance"].break_even == pytest.approx(0.256565, abs=5e-6)  # was 0.405
    assert q["buyer_after_delivery"].break_even == pytest.approx(0.368618, abs=5e-6)  # was 0.692
    # the seller's: running cost 10,000 RMB a day over loading, two crossings and discharge
    c_d, c_s = deal.cost_delivered, deal.cost_seized
    assert 0 < c_s < c_d < 0.1 * value
    assert q["seller_after_delivery"].break_even == pytest.approx(
        (value - c_d) / (value - c_d + c_s)
    )
    assert math.isnan(q["seller_advance"].break_even)  # paid at signing: never loses
    assert q["coast_guard"].break_even == pytest.approx(fine + value)
    assert deal.reward == pytest.approx(100_000.0)  # 10% of any lot here exceeds the cap


def test_seller_cost_follows_the_route_by_hand() -> None:
    r = resolve(_one_seller(fee=0.0))
    sl = r.scenario.sellers[0]
    sail = r.geography.routes["nampo-yantai"].length_nm / sl.speed_knots
    deal = average_deal(r)
    per_hour = sl.operating_cost_rmb_per_day / 24
    assert deal.cost_delivered == pytest.approx(per_hour * (48 + 2 * sail + 36))


@pytest.fixture(scope="module")
def points() -> list:
    return simulate_points(load(BASELINE), quick=True, replications=1)


def test_simulated_profits_lie_on_the_right_side_of_zero(points: list) -> None:
    scenario = {p.key: p for p in parties(average_deal(load(BASELINE)))}
    for key in ("buyer_advance", "buyer_after_delivery", "seller_after_delivery", "coast_guard"):
        pts = [x for x in points if x.key == key]
        below = [x for x in pts if x.realised < scenario[key].break_even]
        above = [x for x in pts if x.realised > scenario[key].break_even]
        assert below and above, key
        assert all(x.profit > 0 and x.low > 0 for x in below), (key, below)
        assert all(x.profit < 0 and x.high < 0 for x in above), (key, above)
    seller = [x for x in points if x.key == "seller_advance"]
    assert seller and all(x.low > 0 for x in seller)  # advance payment: profit at every q
    assert all(x.right_side for x in points)


def test_simulated_profits_sit_on_the_analytic_lines(points: list) -> None:
    """Most 95% intervals hold the check world's analytic profit at the realised q."""
    inside = [x.low <= x.analytic <= x.high for x in points]
    assert sum(inside) >= len(inside) - 2, [(x.key, x.analytic, x.low, x.high) for x in points]


def test_breakeven_command_prints_the_table_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "be"
    result = CliRunner().invoke(
        app, ["breakeven", str(BASELINE), "--quick", "--replications", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "q* = 0.257" in result.output and "q* = 0.369" in result.output
    assert "366 k" in result.output  # the cost of being named at the prior, 365,902
    terms = pd.read_csv(out / "breakeven_buyer.csv").set_index("naming_rate_per_year")
    assert terms.loc[0.0, "break_even_after_delivery"] == pytest.approx(
        2_697_500 / (2_697_500 + 1_200_000 + 2_427_750)  # no naming: 0.426
    )
    assert terms.loc[4.0, "break_even_after_delivery"] < 0  # named 4 times a year: never
    table = pd.read_csv(out / "breakeven.csv")
    assert set(table["party"]) == {"buyer_advance", "buyer_after_delivery", "seller_advance",
                                   "seller_after_delivery", "coast_guard"}  # fmt: skip
    assert pd.read_csv(out / "breakeven_points.csv")["right_side"].all()
    assert (out / "figures" / "breakeven.png").stat().st_size > 50_000
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_breakeven_of_a_bad_scenario_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('horizon_days = "soon"\n')
    result = CliRunner().invoke(app, ["breakeven", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "horizon_days" in result.output


def test_a_trade_no_buyer_signs_is_reported_as_unchecked_not_as_a_failure(tmp_path: Path) -> None:
    """Resale at cost leaves the buyer a negative margin (the broker's fee): nobody signs, so
    there is nothing to simulate, and the command says so instead of failing on NaNs."""
    out = tmp_path / "be"
    args = ["--quick", "--replications", "1", "--set", "contract.resale_multiplier=1"]
    result = CliRunner().invoke(app, ["breakeven", str(BASELINE), *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and "nan" not in result.output
    assert "they sign at no q" in " ".join(result.output.split())
    html = (out / "report.html").read_text()
    assert html.count("not simulated: no buyer signs a deal whose margin is below zero") == 5
    assert pd.read_csv(out / "breakeven_points.csv").empty


def test_the_profit_panel_holds_only_profits_per_deal() -> None:
    """The Coast Guard's budget (state's money per seizure) has its own panel; on the
    traders' profit-per-deal axis it read as a profit."""
    from sim.scenario import load
    from sim.verify.breakeven_report import analyse, figure

    fig = figure(analyse(load(BASELINE, ["horizon_days=30"]), quick=True, replications=1))
    top = next(ax for ax in fig.axes if ax.get_ylabel() == "Expected profit per deal (million RMB)")
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert labels and not any("Coast Guard" in x for x in labels)
    assert any("Coast Guard" in ax.get_title() for ax in fig.axes)
