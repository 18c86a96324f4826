"""The money rules of a seizure, by hand: the tip probability curve, the tipster's
reward (share with its cap, or fixed), the fine (fixed or a multiple of the cargo),
and the public seizure record sellers judge the risk by."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from builders import section

from sim.model.enforcement import Enforcement, fine_for
from sim.model.tips import _next_zone, reward_for, tip_probability
from sim.scenario.trade import Enforcement as EnforcementSettings
from sim.scenario.trade import Tips as TipSettings

pytestmark = pytest.mark.model


def test_tip_probability_rises_from_the_base_to_half_way_at_the_half_saturation_reward() -> None:
    assert tip_probability(0.0, 0.1, 0.5, 300.0) == pytest.approx(0.1)
    assert tip_probability(300.0, 0.1, 0.5, 300.0) == pytest.approx(0.3)
    assert tip_probability(100.0, 0.1, 0.5, 300.0) == pytest.approx(0.2)  # 0.1 + 0.4 / 4
    assert tip_probability(1e12, 0.1, 0.5, 300.0) == pytest.approx(0.5)


def test_the_reward_is_a_share_of_the_value_up_to_its_cap_or_a_fixed_sum() -> None:
    share = section(TipSettings(reward_rule="share", reward_share=0.1, reward_cap_rmb=50_000.0))
    assert reward_for(200_000.0, share) == pytest.approx(20_000.0)
    assert reward_for(500_000.0, share) == pytest.approx(50_000.0)  # exactly at the cap
    assert reward_for(2_000_000.0, share) == pytest.approx(50_000.0)
    fixed = section(TipSettings(reward_rule="fixed", reward_fixed_rmb=7_000.0, reward_share=0.5))
    assert reward_for(2_000_000.0, fixed) == 7_000.0


def test_the_fine_is_fixed_or_a_multiple_of_the_cargo_value() -> None:
    fixed = section(
        EnforcementSettings(fine_rule="fixed", fine_rmb=1_200_000.0, fine_cargo_multiple=3.0)
    )
    assert fine_for(1_700_000.0, fixed) == 1_200_000.0
    multiple = section(EnforcementSettings(fine_rule="cargo_multiple", fine_cargo_multiple=1.5))
    assert fine_for(1_700_000.0, multiple) == pytest.approx(2_550_000.0)


def test_the_public_seizure_rate_starts_at_one_in_ten_and_follows_the_record() -> None:
    record = Enforcement.__new__(Enforcement)
    record.seizures, record.settled = 0, 0
    assert record.public_seizure_rate() == pytest.approx(0.1)
    record.seizures, record.settled = 9, 30  # (9 + 1) / (30 + 10)
    assert record.public_seizure_rate() == pytest.approx(0.25)


def test_a_tip_names_the_zone_the_cargo_is_in_or_enters_next() -> None:
    voyage = SimpleNamespace(
        stretches=lambda: iter([("a", 1.0, 3.0, None, 0.0), ("b", 5.0, 8.0, None, 0.0)])
    )
    assert _next_zone(voyage, 0.0) == "a"  # type: ignore[arg-type]
    assert _next_zone(voyage, 2.0) == "a"  # type: ignore[arg-type]
    assert _next_zone(voyage, 3.0) == "b"  # type: ignore[arg-type]
    assert _next_zone(voyage, 8.0) == ""  # type: ignore[arg-type]


def test_only_a_seizure_a_tip_led_to_pays_the_tipster() -> None:
    from sim.model import ledger as L
    from sim.model.tips import Tips

    tips = Tips.__new__(Tips)
    tips.env = SimpleNamespace(now=5.0)  # type: ignore[assignment]
    tips.ledger = L.Ledger()
    tips.in_force = SimpleNamespace(  # type: ignore[assignment]
        params=SimpleNamespace(tips=section(TipSettings(reward_share=0.1, reward_cap_rmb=50_000.0)))
    )
    rec = SimpleNamespace(id=4, reward_rmb=0.0)
    voyage = SimpleNamespace(rec=rec, value=300_000.0)
    tips.rewarded(voyage, None, "patrol")  # type: ignore[arg-type]
    assert tips.ledger.entries == [] and rec.reward_rmb == 0.0
    tips.rewarded(voyage, None, "tip")  # type: ignore[arg-type]
    assert rec.reward_rmb == 30_000.0
    assert [
        (e.time, e.payer, e.payee, e.fen, e.reason, e.shipment) for e in tips.ledger.entries
    ] == [(5.0, L.STATE, L.TIPSTERS, 3_000_000, "reward", 4)]
