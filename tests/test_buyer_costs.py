"""Issue 22: buyers weigh arrest and being named in someone else's case.

The expected values here are worked out by hand from docs/model.md (Buyers and their
beliefs), or were recorded from the model before the new terms existed (the decisions
with the terms switched off must be those of that older rule, bit for bit).
"""

from __future__ import annotations

import hashlib
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import run, section

from sim.model.buyer_costs import Stakes as ModelStakes
from sim.model.buyers import ADVANCE, AFTER, BuyerAgent
from sim.model.model import RunOutput
from sim.scenario import load
from sim.scenario.trade import Buyer
from sim.verify.worlds import Stakes, belief_world

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
OFF = [
    "beliefs.naming_prior_per_year=0",
    "beliefs.naming_news_weight=0",
    "market.arrest_horizon_days=0",
]
# A tips-only world (no boarding on contact, so a change to the search rate cannot move
# it) where buyers' decisions bite: a RMB 5 M fine and frequent tips.
GOLDEN_WORLD = [
    "horizon_days=180",
    "detection.recognition_probability=0",
    "tips.max_probability=0.08",
    "enforcement.fine_rmb=5e6",
]
COLUMNS = ("id", "seller", "route", "tonnes", "t_ready", "buyer", "broker",
           "price_rmb_per_tonne", "payment_terms", "t_contract", "t_depart", "t_arrive",
           "outcome", "cause", "seizure_time")  # fmt: skip
# Recorded from commit 17aee96 (before issue 22) with tests/test_buyer_costs.py's
# fingerprint: SHA-256 of the shipments' decision columns, and the decisions taken
# (offered terms signed, the other terms asked for, refused).
BEFORE = {
    "after_delivery": (
        "93188814281f23af814851684dc2833aebff487d7d05f81b9c51bde42a2eaf10",
        {"signed": 306, "other": 0, "none": 57},
    ),
    "endogenous": (
        "98a21a59585f67176540d9d6a38d838307076d08b46959f6b5b25a330e6f46f6",
        {"signed": 223, "other": 78, "none": 33},
    ),
}
# decide() at commit 17aee96 on 400 random offers (see _offers): A advance, D after
# delivery, - refused.
BEFORE_TABLE = (
    "--D-----ADD------------DD-DD-D-AD-D-DDD-A-DD--DAA--DDDD--AAADD------D---A---------DDA-A"
    "-D-D-A-AA----A--AA--D--DDDDA-DD-------AD------D---DDD-DD---DDA----D--A---DAAD-AA----A-"
    "D--D--------------D--D-ADDAD---ADAADAD-A-D-A---DA-D--DD----DDD-A-D---A-DDA-A---D--D--A"
    "D-A-D-D--A--DD---D-D-A-D---DDD-A-DD--DA-D--A-D-----A-----DDA-D--D---D--D----DADD-----D"
    "---DDA-------D------D-DD--AA-DA--A-D---D--D--A---DA----"
)


def _fingerprint(out: RunOutput) -> str:
    h = hashlib.sha256()
    for s in out.shipments:
        h.update(repr(tuple(getattr(s, c) for c in COLUMNS)).encode())
    return h.hexdigest()


@pytest.mark.parametrize("terms", ["after_delivery", "endogenous"])
def test_with_the_new_terms_off_every_decision_is_as_before(
    terms: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = {"signed": 0, "other": 0, "none": 0}
    honest = BuyerAgent.decide

    def spy(self: BuyerAgent, offered: str, *a: Any, **kw: Any) -> str | None:
        t = honest(self, offered, *a, **kw)
        counts["signed" if t == offered else "none" if t is None else "other"] += 1
        return t

    monkeypatch.setattr(BuyerAgent, "decide", spy)
    world = load(BASELINE, [*GOLDEN_WORLD, f"contract.payment_terms={terms}", *OFF])
    out = run(world, 0)
    assert (_fingerprint(out), counts) == BEFORE[terms]


def _offers(n: int = 400) -> list[tuple[BuyerAgent, tuple[Any, ...]]]:
    rng = np.random.default_rng(22)
    agents = [
        BuyerAgent("a", section(Buyer(name="a", port="Yantai"))),
        BuyerAgent(
            "b", section(Buyer(name="b", port="Yantai", risk_multiplier=1.5, hurdle_rmb=1e5))
        ),
    ]
    out = []
    for i in range(n):
        q, value, resale = rng.uniform(0, 0.9), rng.uniform(1e6, 4e6), rng.uniform(1, 3)
        fine, cost = rng.uniform(0, 5e6), rng.uniform(0, 1e5)
        offered = ADVANCE if rng.random() < 0.5 else AFTER
        counter = bool(rng.random() < 0.5)
        out.append((agents[i % 2], (offered, q, value, resale, fine, counter, cost)))
    return out


def _code(t: str | None) -> str:
    return "-" if t is None else ("A" if t == ADVANCE else "D")


def test_with_zero_stakes_the_decision_table_is_the_old_rules() -> None:
    zero = ModelStakes(0.3, 0.0, 0.0, 200_000.0, 90.0)  # arrest chance, but no horizon
    got = "".join(_code(b.decide(*args, stakes=zero)) for b, args in _offers())
    assert got == BEFORE_TABLE


def _signed(offers: list[tuple[BuyerAgent, tuple[Any, ...]]], stakes: ModelStakes) -> int:
    return sum(b.decide(*args, stakes=stakes) is not None for b, args in offers)


def test_on_the_same_offers_a_higher_accomplice_fine_or_sentence_never_signs_more() -> None:
    """Common random numbers: the same 400 offers, weighed at rising stakes."""
    offers = _offers()
    nu = 1.2 / 365.0
    fines = [_signed(offers, ModelStakes(0.3, 365.0, nu, a, 90.0)) for a in (0, 2e5, 1e6, 5e6)]
    sentences = [_signed(offers, ModelStakes(0.3, 365.0, nu, 2e5, s)) for s in (0, 90, 365)]
    for counts in (fines, sentences):
        assert all(x >= y for x, y in pairwise(counts)), counts
        assert counts[0] > counts[-1]


def test_in_the_full_trade_a_large_accomplice_fine_or_long_sentence_cuts_the_deals() -> None:
    """The baseline for 180 days, paired by replication: RMB 5 M instead of 0.2 M per
    accomplice, a year's sentence instead of 90 days."""
    for r in (0, 1):
        deals = {}
        for key, value in (
            ("enforcement.accomplice_fine_rmb", 2e5),
            ("enforcement.accomplice_fine_rmb", 5e6),
            ("enforcement.sentence_days", 365),
        ):
            out = run(load(BASELINE, ["horizon_days=180", f"{key}={value}"]), r)
            deals[key, value] = sum(s.outcome != "held" and s.buyer != "" for s in out.shipments)
        base = deals["enforcement.accomplice_fine_rmb", 2e5]
        assert deals["enforcement.accomplice_fine_rmb", 5e6] < 0.9 * base, deals
        assert deals["enforcement.sentence_days", 365] < 0.9 * base, deals


def test_a_large_enough_accomplice_fine_empties_the_market_at_the_hand_computed_point() -> None:
    """Belief q = 0.1, named 1.2 times a year, after delivery, 425 RMB/t x 4,000 t, resale x2,
    fee 10 RMB/t: M = 1,700,000 - 40,000 = 1,660,000; L = F = 1,200,000; arrest 0.3 x M x 3
    deals x 365 / 365 = 1,494,000; E = 0.9 M - 0.1 (L + 1,494,000) - nu (365 A / 3 + 90 M),
    nu = 1.2 / 365. E = 0 at A* = (0.9 M - 269,400 - nu 90 M) x 3 / (365 nu)."""
    m, nu = 1_660_000.0, 1.2 / 365.0
    a_star = (0.9 * m - 0.1 * (1_200_000.0 + 1_494_000.0) - nu * 90 * m) * 3 / (365 * nu)
    assert a_star == pytest.approx(1_833_555.0, abs=1.0)  # (1,494,000 - 269,400 - 491,178) x 2.5
    for a, signs in ((a_star * 0.999, True), (a_star * 1.001, False)):
        st = Stakes(naming_per_year=1.2, arrest_horizon_days=365.0, accomplice_fine_rmb=a)
        lots = run(belief_world(0.1, "after_delivery", stakes=st)).shipments
        assert len(lots) > 20
        assert all((s.outcome != "held") == signs for s in lots), a
