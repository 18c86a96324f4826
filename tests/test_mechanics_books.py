"""The books and the dice, by hand: the ledger's fen and running positions, and the
buffered random streams drawing exactly what a plain numpy generator draws."""

from __future__ import annotations

import bisect
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.ledger import (
    Ledger,
    balances_fen,
    broker_party,
    buyer_party,
    seller_party,
    whole_fen,
)
from sim.model.rng import Draws, cumulative, mechanism_streams

pytestmark = pytest.mark.model


def test_the_ledger_keeps_whole_fen_and_each_partys_running_position() -> None:
    book = Ledger()
    buyer, other, seller = buyer_party("b1"), buyer_party("b2"), seller_party("s")
    book.post(1.0, buyer, seller, 1234.567, "payment", 7)  # 123,456.7 fen -> 123,457
    book.post(2.0, buyer, other, 10.0, "resale")  # buyer to buyer: buyers as a whole unchanged
    book.post(3.0, seller, buyer, 0.004, "dust")  # under half a fen: nothing is posted
    book.post(4.0, seller, broker_party("k"), 0.0, "nothing")
    assert [(e.payer, e.payee, e.fen, e.shipment) for e in book.entries] == [
        (buyer, seller, 123457, 7),
        (buyer, other, 1000, -1),
    ]
    assert book.entries[0].amount == 1234.57
    assert book.balance_fen == {buyer: -124457, seller: 123457, other: 1000}
    assert book.buyers_fen == -123457
    assert balances_fen(book.entries) == dict(book.balance_fen)
    # A seller paying a buyer raises the buyers' position by the same fen.
    book.post(5.0, seller, other, 1.0, "refund")
    assert book.buyers_fen == -123357
    assert book.balance_fen[seller] == 123357
    assert book.balance_fen[other] == 1100  # its receipts add up
    book.post(6.0, seller, other, 0.01, "one fen")  # the smallest amount is posted
    assert book.entries[-1].fen == 1 and book.balance_fen[other] == 1101


@given(
    st.one_of(
        st.floats(min_value=0.0, max_value=1e13, allow_nan=False),
        # eighths of a yuan: 12.5 fen apart, every other one an exact half of a fen
        st.integers(min_value=0, max_value=10**12).map(lambda m: m / 8),
        st.integers(min_value=0, max_value=10**9).map(lambda k: (k + 0.5) / 100),
    )
)
def test_an_amount_is_posted_as_python_rounds_it_to_the_fen(amount: float) -> None:
    """Whole fen as ``round`` gives them: to the nearest, a half to the even one."""
    book = Ledger()
    book.post(0.0, "a", "b", amount, "x")
    fen = round(amount * 100)
    assert [e.fen for e in book.entries] == ([fen] if fen > 0 else [])


def test_halves_of_a_fen_go_to_the_even_fen() -> None:
    """RMB 0.125 is 12.5 fen exactly -> 12; 0.375 -> 38, 0.625 -> 62, 0.875 -> 88; 0.005 is
    0.5 fen -> 0 (nothing posted); 0.1251 -> 13, 0.1249 -> 12."""
    book = Ledger()
    for rmb in (0.125, 0.375, 0.625, 0.875, 0.005, 0.1251, 0.1249):
        book.post(0.0, "a", "b", rmb, "x")
    assert [e.fen for e in book.entries] == [12, 38, 62, 88, 13, 12]


def _near_halves(k: int) -> list[float]:
    """(k + 0.5) / 100, a half fen as near as a double gets, and its 4 neighbours each side."""
    x = (k + 0.5) / 100
    out = [x]
    lo = hi = x
    for _ in range(4):
        lo, hi = math.nextafter(lo, 0.0), math.nextafter(hi, math.inf)
        out += [lo, hi]
    return out


@given(
    st.one_of(
        st.floats(min_value=0.0, max_value=1e13, allow_nan=False),
        st.integers(min_value=0, max_value=10**12).map(lambda m: m / 8),
        st.integers(min_value=0, max_value=10**12).flatmap(
            lambda k: st.sampled_from(_near_halves(k))
        ),
        # just past 2**52 fen, where a product's last bit is a whole fen or more: round()
        # decides (the shortcut would be wrong on a third of them from 2**53 fen on)
        st.floats(min_value=2.0**52 / 100, max_value=1e20),
        st.floats(min_value=1e13, max_value=1e300),
    )
)
def test_a_cargo_value_is_rounded_to_the_fen_exactly_as_round_does(amount: float) -> None:
    """``whole_fen`` is ``round(x, 2)`` to the bit, a half fen's neighbours included."""
    assert whole_fen(amount).hex() == round(amount, 2).hex()


def test_whole_fen_by_hand() -> None:
    """1234.567 -> 1234.57; 0.125 is 12.5 fen exactly -> 0.12 (to even); 2.675 is stored
    as 2.67499999... -> 2.67, as Python's own round gives; 0.0 -> 0.0 and -0.0 -> -0.0."""
    assert [whole_fen(x) for x in (1234.567, 0.125, 2.675, 0.0)] == [1234.57, 0.12, 2.67, 0.0]
    assert math.isnan(whole_fen(math.nan))
    assert whole_fen(-0.0).hex() == round(-0.0, 2).hex() == "-0x0.0p+0"  # the sign kept


@pytest.mark.parametrize("bad", [-0.01, math.nan])
def test_a_negative_or_undefined_amount_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Ledger().post(0.0, "a", "b", bad, "x")


def _reference(seed: int, n: int) -> list[float]:
    return [float(u) for u in np.random.default_rng(seed).random(n)]


def test_uniforms_across_block_boundaries_are_the_generators_own_sequence() -> None:
    d = Draws(np.random.default_rng(5), block=4)
    assert [d.random() for _ in range(11)] == _reference(5, 11)
    e = Draws(np.random.default_rng(5), block=3)
    expected = np.random.default_rng(5).standard_exponential(7).tolist()
    assert [e.exponential() for _ in range(7)] == expected


def test_uniforms_and_exponentials_interleave_in_blocks_of_512() -> None:
    """One stream serves both kinds, each from its own block, so where one block ends
    decides which generator variates the other kind gets: a run's draws, and so its
    results, depend on the block size. By default a first uniform fetches 512 uniforms,
    a first exponential the next 512 exponentials; the 513th uniform comes after those."""
    gen = np.random.default_rng(2024)
    uniforms = gen.random(512).tolist()
    exponentials = gen.standard_exponential(512).tolist()
    after = gen.random(1).tolist()
    d = Draws(np.random.default_rng(2024))
    first = d.random()
    assert d.exponential() == exponentials[0]
    assert [first] + [d.random() for _ in range(512)] == uniforms + after


def test_skip_leaves_the_stream_where_that_many_draws_would() -> None:
    ref = _reference(9, 30)
    d = Draws(np.random.default_rng(9), block=4)
    d.skip(2)  # inside the first block
    assert d.random() == ref[2]
    d.skip(7)  # across two block boundaries
    assert d.random() == ref[10]
    d.skip(1)  # up to the end of a block exactly
    d.skip(0)
    assert d.random() == ref[12]


def test_shuffle_is_fisher_yates_on_the_streams_uniforms() -> None:
    ref = _reference(3, 40)
    items = list(range(6))
    expected = list(items)
    for k, i in enumerate(range(5, 0, -1)):  # by hand: swap i with int(u * (i + 1))
        j = int(ref[k] * (i + 1))
        expected[i], expected[j] = expected[j], expected[i]
    d = Draws(np.random.default_rng(3), block=4)
    d.shuffle(items)
    assert items == expected
    assert d.random() == ref[5]  # five swaps took five uniforms


def test_choice_picks_the_interval_the_uniform_falls_in_and_a_single_option_draws_nothing() -> None:
    ref = _reference(11, 50)
    cdf = cumulative([1.0, 3.0, 4.0])
    assert cdf == [1.0, 4.0, 8.0]
    d = Draws(np.random.default_rng(11), block=8)
    picks = [d.choice(cdf) for _ in range(50)]
    assert picks == [bisect.bisect_right([0.125, 0.5, 1.0], u) for u in ref]
    single = Draws(np.random.default_rng(11))
    assert single.choice([2.0]) == 0
    assert single.random() == ref[0]


def test_each_mechanism_draws_from_its_own_documented_stream() -> None:
    """docs/model.md: stream index k of replication r is SeedSequence(S, spawn_key=(r, k))."""
    root = np.random.SeedSequence(42, spawn_key=(3,))
    streams = mechanism_streams(root)
    for name, k in {"sellers": 0, "detection": 4, "tips": 6, "allocation": 10}.items():
        own = np.random.default_rng(np.random.SeedSequence(42, spawn_key=(3, k))).random(3)
        assert [streams[name].random() for _ in range(3)] == own.tolist()
