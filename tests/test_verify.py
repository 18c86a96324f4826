"""`coalsim verify`: the suite passes on the shipped model, and every check can fail.

Each check is run once more with its mechanism deliberately broken (a
doubled detection rate, a dropped ledger entry, ...) and must then fail.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model import buyer_costs as model_buyer_costs
from sim.model import buyers as model_buyers
from sim.model import enforcement as model_enforcement
from sim.model import news as model_news
from sim.model import patrols as model_patrols
from sim.model import routing as model_routing
from sim.model import tips as model_tips
from sim.model.buyer_costs import Stakes
from sim.model.buyers import BuyerAgent
from sim.model.enforcement import Enforcement
from sim.model.ledger import Ledger
from sim.model.model import simulate
from sim.model.network import TradeNetwork
from sim.model.patrols import CoastGuard, PatrolVessel, ZoneState
from sim.model.sellers import Company
from sim.scenario import Resolved
from sim.scenario.trade import Beliefs, Tips
from sim.verify import (
    CHECKS,
    adaptive,
    books,
    market_checks,
    patrol_checks,
    runs,
    search,
    tip_checks,
    trade,
)
from sim.verify.core import Point, Simulate, bonferroni, run, t_interval, wilson


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    folder = tmp_path_factory.mktemp("verify") / "out"
    result = CliRunner().invoke(app, ["verify", "--quick", "--out", str(folder)])
    return result, folder


def test_verify_quick_passes_on_the_shipped_model(quick_run: tuple[object, Path]) -> None:
    result, folder = quick_run
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    output: str = result.output  # type: ignore[attr-defined]
    assert "all passed" in output and "FAIL" not in output
    table = pd.read_csv(folder / "verify.csv")
    assert list(dict.fromkeys(table["check"])) == list(CHECKS)
    assert table["passed"].all() and table["check_passed"].all()
    for col in ("analytic", "simulated", "ci_low", "ci_high", "formula", "mechanism"):
        assert table[col].notna().all(), col


def test_verify_writes_one_figure_per_check_and_a_page(quick_run: tuple[object, Path]) -> None:
    _, folder = quick_run
    for key in CHECKS:
        png, svg = folder / "figures" / f"{key}.png", folder / "figures" / f"{key}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
        assert b"<svg" in svg.read_bytes()[:2000]
    page = (folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(CHECKS)
    assert "coalsim verify (quick)" in page and "all passed" in page
    md = (folder / "verify.md").read_text()
    assert md.startswith("| mechanism | formula |") and "run time" in md


def test_an_unknown_check_is_a_user_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["verify", "--check", "nope", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "unknown check nope" in result.output
    assert not (tmp_path / "x").exists()  # checked before the folder is made


# ----------------------------------------------------------- intervals


def test_wilson_interval_matches_the_textbook_values() -> None:
    share, lo, hi = wilson(10, 100, 0.95)
    assert share == 0.1
    assert lo == pytest.approx(0.05523, abs=1e-4) and hi == pytest.approx(0.17437, abs=1e-4)
    assert wilson(0, 50, 0.99)[1] == 0.0


def test_t_interval_and_bonferroni() -> None:
    mean, _, hi = t_interval([1.0, 2.0, 3.0, 4.0], 0.95)
    assert mean == 2.5 and hi - mean == pytest.approx(3.182446 * math.sqrt(5 / 3) / 2, 1e-5)
    assert bonferroni(0.99, 5) == pytest.approx(0.998)
    assert Point("a", 0, 1.0, 1.0, 1.0, 1.0, 1).passed
    assert not Point("a", 0, 0.5, 0.6, 0.55, 0.65, 10).passed


# ------------------------------------------------- every check can fail


def _failed(check: object) -> list[str]:
    assert not check.passed  # type: ignore[attr-defined]
    return [p.label for p in check.points if not p.passed]  # type: ignore[attr-defined]


def test_random_search_fails_when_the_detection_rate_is_doubled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = ZoneState.rate_against

    def doubled(self: ZoneState, knots: float) -> float:
        return 2 * honest(self, knots)

    monkeypatch.setattr(ZoneState, "rate_against", doubled)
    assert len(_failed(search.random_search(True))) >= 3


def test_relative_speed_fails_when_the_patrol_speed_alone_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reading before relative speed: v is the patrol's own speed whatever the ship does.
    Slow ships barely notice (v_rel is within 6% of v at u <= v / 2); fast ones do."""
    monkeypatch.setattr(model_patrols, "mean_relative_speed", lambda v, u: v)
    assert _failed(search.relative_speed(True)) == [
        "ship 12 kn, patrol 12 kn: v_rel 15.28 kn",
        "ship 18 kn, patrol 12 kn: v_rel 20.06 kn",
        "ship 24 kn, patrol 12 kn: v_rel 25.53 kn",
    ]


def test_integrated_hazard_fails_when_voyages_ignore_rate_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A voyage that keeps the rate it saw on entering the zone: the fixed-rate bug."""

    def no_replan(self: ZoneState) -> None:
        self.rate = sum(v.sweep_rate for v in self.on_station) / self.area_sq_nm
        self._against = {}
        # the voyages searching the zone are not told: each keeps the rate it planned with

    monkeypatch.setattr(ZoneState, "_update", no_replan)
    _failed(search.integrated_hazard(True))


def test_tips_fail_when_the_tip_propensity_is_doubled(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = model_tips.tip_probability
    monkeypatch.setattr(model_tips, "tip_probability", lambda *a: min(1.0, 2 * honest(*a)))
    assert len(_failed(trade.tips(True))) >= 5


def test_route_choice_fails_when_costs_are_counted_one_way_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sellers who count only the outbound leg's running cost choose too bluntly."""
    honest = model_routing.alternatives

    def one_way(*args: object) -> list[model_routing.Alternative]:
        alts = honest(*args)  # type: ignore[arg-type]
        for a in alts:
            a.hours_away /= 2
        return alts

    monkeypatch.setattr(model_routing, "alternatives", one_way)
    assert len(_failed(adaptive.route_choice(True))) >= 2


def test_break_even_fails_when_buyers_underweight_the_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        model_buyers, "expected_profit", lambda q, m, loss: (1 - q) * m - q * 0.95 * loss
    )
    assert len(_failed(trade.break_even(True))) == 6  # the "above" point of 3 deals x 2 terms


def test_break_even_fails_when_buyers_ignore_being_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_buyer_costs, "naming_cost", lambda *a: 0.0)
    failed = _failed(trade.break_even(True))
    assert len(failed) == 2 and all("named 1.2/yr" in x and x.endswith("above") for x in failed)


def test_break_even_fails_when_buyers_ignore_arrest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_buyer_costs, "arrest_cost", lambda *a: 0.0)
    failed = _failed(trade.break_even(True))
    assert len(failed) == 2 and all("arrest 0.3 x 365 d" in x for x in failed)


def test_break_even_fails_when_the_naming_cost_counts_the_sentence_at_half(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = model_buyer_costs.naming_cost

    def half(margin: float, stakes: Stakes, n: float) -> float:
        return honest(margin, replace(stakes, sentence_days=stakes.sentence_days / 2), n)

    monkeypatch.setattr(model_buyer_costs, "naming_cost", half)
    assert len(_failed(trade.break_even(True))) == 2


def test_investigations_fail_when_one_accomplice_too_few_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = TradeNetwork.accomplices
    monkeypatch.setattr(
        TradeNetwork, "accomplices", lambda self, *a, **kw: honest(self, *a, **kw)[:-1]
    )
    assert len(_failed(trade.investigations(True))) == 3


def test_investigations_fail_when_someone_is_named_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = TradeNetwork.accomplices

    def twice(self: TradeNetwork, *args: object, **kw: bool) -> list[str]:
        named = honest(self, *args, **kw)  # type: ignore[arg-type]
        return named[:-1] + named[:1] if len(named) > 1 else named

    monkeypatch.setattr(TradeNetwork, "accomplices", twice)
    check = trade.investigations(True)
    assert not check.passed and any("more than once" in n for n in check.notes)


def test_money_fails_when_one_ledger_entry_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = Ledger.post
    dropped: list[bool] = []

    def post(self: Ledger, time: float, payer: str, payee: str, amount: float, reason: str,
             shipment: int = -1) -> None:  # fmt: skip
        if reason == "fine" and not dropped:
            dropped.append(True)
            return
        honest(self, time, payer, payee, amount, reason, shipment)

    monkeypatch.setattr(Ledger, "post", post)
    check = books.money(True)
    # the first world's books, and one of its shipments against its contract
    assert dropped and _failed(check) == [p.label for p in check.points[:2]]
    assert check.points[0].estimate == 1_200_000.0  # exactly the one fine is unaccounted
    assert check.points[1].estimate == 1.0


def test_verify_exits_1_when_a_check_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    honest = Ledger.post

    def no_fines(self: Ledger, time: float, payer: str, payee: str, amount: float, reason: str,
                 shipment: int = -1) -> None:  # fmt: skip
        if reason != "fine":
            honest(self, time, payer, payee, amount, reason, shipment)

    monkeypatch.setattr(Ledger, "post", no_fines)
    out = tmp_path / "v"
    result = CliRunner().invoke(app, ["verify", "--quick", "--check", "money", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "FAILED: Money conservation" in result.output
    assert not pd.read_csv(out / "verify.csv")["passed"].any()
    assert "Money conservation: FAIL" in (out / "report.html").read_text()


def test_little_fails_when_arrivals_are_stamped_late(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = Enforcement.deliver

    def late(self: Enforcement, voyage: object) -> None:
        honest(self, voyage)  # type: ignore[arg-type]
        voyage.rec.t_arrive += 3.0  # type: ignore[attr-defined]

    monkeypatch.setattr(Enforcement, "deliver", late)
    assert len(_failed(runs.little(True))) == 3


def test_determinism_fails_when_a_run_draws_fresh_entropy() -> None:
    def noisy(resolved: object, replication: int) -> object:
        return simulate(resolved, np.random.SeedSequence())  # type: ignore[arg-type]

    check = runs.determinism(True, simulate=noisy)  # type: ignore[arg-type]
    assert _failed(check) == [
        "same seed, same process: identical",
        "same seed, fresh process, other hash seed: identical",
    ]


def test_verify_help_lists_every_check_by_name() -> None:
    from sim.cli.options import CHECK_NAMES

    assert tuple(CHECKS) == CHECK_NAMES


# --------------------------------------- the mechanism checks can fail too


def _configured(section: str, **change: object) -> Simulate:
    """A model that reads one section of its configuration wrongly: the check works its
    expectation out from the true configuration, the model runs on the changed one."""

    def simulate(resolved: Resolved, r: int) -> object:
        data = resolved.scenario.model_dump()
        values = {k: f(data[section][k]) if callable(f) else f for k, f in change.items()}
        return run(market_checks.updated(resolved, section, **values), r)

    return simulate  # type: ignore[return-value]


def test_boarding_fails_when_the_ais_off_factor_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    def p_board(self: Company, ais_off: bool) -> float:
        d = self.in_force.params.detection
        return d.recognition_probability * (1.0 - self.seller.concealment)

    monkeypatch.setattr(Company, "p_board", p_board)
    failed = _failed(patrol_checks.boarding(True))
    assert failed and all("AIS off" in label for label in failed)


def test_boarding_fails_when_the_ais_off_search_factor_is_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Company, "search_scale", lambda self, ais_off: 1.0)
    failed = _failed(patrol_checks.boarding(True))
    assert failed == ["r=0, AIS off: two or more contacts, H=0.65"]


def test_patrol_cycle_fails_when_the_escort_sails_at_dash_speed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = CoastGuard.escort_hours

    def dash(self: CoastGuard, vessel: PatrolVessel, position: object, ship: float) -> float:
        hours = honest(self, vessel, position, ship)  # type: ignore[arg-type]
        return hours * min(vessel.speed_knots, ship) / min(vessel.dash_knots, ship)

    monkeypatch.setattr(CoastGuard, "escort_hours", dash)
    failed = _failed(patrol_checks.patrol_cycle(True))
    assert failed == ["patrol 9 kn, ship 10 kn: back on station after a seizure (h)"]


def test_timing_fails_when_the_usual_hazard_ignores_the_duty_cycle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def always_on(
        geography: object,
        groups: list,  # type: ignore[type-arg]
        transit: object,
        knots: float | None = None,
    ) -> dict[str, float]:
        rates: dict[str, float] = {}
        for g in groups:
            area = geography.zones[g.zone].area_sq_nm  # type: ignore[attr-defined]
            v = model_patrols.mean_relative_speed(g.speed_knots, knots or 0.0)
            rates[g.zone] = rates.get(g.zone, 0.0) + g.vessels * g.sweep_width_nm * v / area
        return rates

    monkeypatch.setattr(model_patrols, "usual_rates", always_on)
    check = patrol_checks.timing(True)
    assert len(_failed(check)) == 2 and not check.extra_ok


def test_tip_geometry_fails_when_the_tip_accuracy_is_ignored() -> None:
    check = tip_checks.tip_geometry(True, simulate=_configured("tips", accuracy=1.0))
    assert _failed(check) == [
        "mean delay 20 h, accuracy 0.5, dash at most 1.5 h",
        "mean delay 20 h, accuracy 0",
    ]


def test_tip_geometry_fails_when_the_patrol_dashes_at_half_speed() -> None:
    from sim.scenario import Scenario, resolve

    def simulate(resolved: Resolved, r: int) -> object:
        data = resolved.scenario.model_dump()
        for g in data["patrols"]:
            g["dash_speed_knots"] = 12.5
        return run(resolve(Scenario.model_validate(data)), r)

    check = tip_checks.tip_geometry(True, simulate=simulate)  # type: ignore[arg-type]
    assert len(_failed(check)) >= 2


def test_rewards_fail_when_the_cap_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    def uncapped(value: float, t: Tips) -> float:
        return t.reward_fixed_rmb if t.reward_rule == "fixed" else t.reward_share * value

    monkeypatch.setattr(model_tips, "reward_for", uncapped)
    assert [label.split(":")[0] for label in _failed(tip_checks.rewards(True))] == ["share rule"]


def test_beliefs_fail_when_news_weighs_double(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = model_news.fade

    def loud(
        buyers: Iterable[BuyerAgent], now: float, b: Beliefs, news: float = 0.0, named: float = 0.0
    ) -> None:
        honest(buyers, now, b, 2 * news, named)

    monkeypatch.setattr(model_news, "fade", loud)
    check = market_checks.beliefs(True)
    assert all(label.endswith("alpha evidence summed over buyers") for label in _failed(check))
    assert len(_failed(check)) == 2 and not check.extra_ok


def test_beliefs_fail_when_investigation_news_weighs_double(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = model_enforcement.fade

    def loud(
        buyers: Iterable[BuyerAgent], now: float, b: Beliefs, news: float = 0.0, named: float = 0.0
    ) -> None:
        honest(buyers, now, b, news, 2 * named)

    monkeypatch.setattr(model_enforcement, "fade", loud)
    check = market_checks.beliefs(True)
    assert all(label.endswith("naming evidence summed over buyers") for label in _failed(check))
    assert len(_failed(check)) == 2 and not check.extra_ok


def test_beliefs_fail_when_exposure_is_not_faded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Days in the trade counted in full, not faded: a buyer never forgets a quiet spell."""
    honest = BuyerAgent._fade

    def unfaded(self: BuyerAgent, now: float, b: Beliefs) -> None:
        before, last = self.exposed_e, self.last
        honest(self, now, b)
        if now > last:
            self.exposed_e = before + b.naming_news_weight * (now - last) / 24.0

    monkeypatch.setattr(BuyerAgent, "_fade", unfaded)
    failed = _failed(market_checks.beliefs(True))
    assert failed and all(
        label.endswith("exposure evidence summed over buyers") for label in failed
    )


def test_entry_fails_when_the_entry_rate_is_three_times_too_high() -> None:
    three = _configured("market", entry_per_month=lambda x: 3 * x)
    check = market_checks.entry(True, simulate=three)
    assert "fixed rate, 20 a month: entrants" in _failed(check)


def test_enforcement_fails_when_the_arrest_condition_is_inverted() -> None:
    inverted = _configured("market", arrest_probability=lambda p: 1 - p)
    assert [
        label.split(":")[1] for label in _failed(market_checks.enforcement(True, inverted))
    ] == [
        " arrests per seizure",
        " arrests per seizure",
    ]


def test_enforcement_fails_when_a_sentence_in_days_is_read_as_hours() -> None:
    hours = _configured("enforcement", sentence_days=lambda d: d / 24)
    failed = _failed(market_checks.enforcement(True, hours))
    assert "advance: sentence = 20 d (worst error, h)" in failed


def test_enforcement_fails_when_the_seller_pays_the_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.model.ledger import Ledger

    honest = Ledger.post

    def post(self: Ledger, time: float, payer: str, payee: str, amount: float, reason: str,
             shipment: int = -1) -> None:  # fmt: skip
        if reason == "fine" and payer.startswith("buyer:") and shipment % 2 == 0:
            payer = "seller:" + payer  # some fines land on the wrong party
        honest(self, time, payer, payee, amount, reason, shipment)

    monkeypatch.setattr(Ledger, "post", post)
    failed = _failed(market_checks.enforcement(True))
    assert all("land on another party" in label for label in failed) and len(failed) == 2


def test_boarding_fails_when_the_hazard_halves_after_a_contact_that_does_not_board(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a contact, the next one needs twice the hazard: contacts thin out."""
    from sim.model.detection import Exposure

    class Halved:
        def __init__(self, rng: object) -> None:
            self.rng = rng

        def exponential(self) -> float:
            return 2.0 * self.rng.exponential()  # type: ignore[attr-defined]

        def __getattr__(self, name: str) -> object:
            return getattr(self.rng, name)

    honest = Exposure.__init__

    def init(
        self: Exposure, rng: object, p_board: float, rec: object, knots: float, scale: float = 1.0
    ) -> None:
        honest(self, rng, p_board, rec, knots, scale)  # type: ignore[arg-type]
        self.rng = Halved(rng)  # type: ignore[assignment]  # the first need stays Exp(1)

    monkeypatch.setattr(Exposure, "__init__", init)
    assert _failed(patrol_checks.boarding(True)) == [
        "r=0, AIS on: two or more contacts, H=1.30",
        "r=0, AIS off: two or more contacts, H=0.65",
    ]


def test_entry_fails_when_the_profit_window_is_3_days_not_30(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``Model._entry`` with the buyers' gain taken over 3 days instead of 30."""
    from sim.model import model as model_module
    from sim.model.buyers import BuyerAgent

    def entry(self: model_module.Model):  # type: ignore[no-untyped-def]
        rng, env, history, k = self.rng["entry"], self.env, [], 0
        while True:
            yield env.timeout(24.0)
            total = self.ledger.buyers_fen / 100
            history.append(total)
            profit = total - history[-4] if len(history) > 3 else total
            m = self.params.market
            rate = m.entry_per_month + m.entry_per_month_per_million_rmb * max(0.0, profit) / 1e6
            for _ in range(model_module._poisson(rate / 30.0, rng.random())):
                k += 1
                template = self.templates[int(rng.random() * len(self.templates))]
                agent = BuyerAgent(f"entrant#{k}", template, env.now)
                self._add_buyer(agent)
                self.network.attach(agent.name, "buyer", self.params.network.brokers_per_buyer, rng)

    monkeypatch.setattr(model_module.Model, "_entry", entry)
    failed = _failed(market_checks.entry(True))
    assert "default: 1 a month + 0.1 per RMB million of profit: entrants" in failed


def test_enforcement_fails_when_a_detention_in_days_is_read_as_hours() -> None:
    hours = _configured("enforcement", vessel_detention_days=lambda d: d / 24)
    failed = _failed(market_checks.enforcement(True, hours))
    assert failed == [
        "advance: seized ships loaded again within their detention",
        "after_delivery: seized ships loaded again within their detention",
    ]
