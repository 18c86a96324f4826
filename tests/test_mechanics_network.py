"""The trading network on hand-drawn graphs: links, who is reachable through whom, who
an investigation names ring by ring, and when a sentenced broker is back."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.network import BROKER, BUYER, SELLER, TradeNetwork, build
from sim.model.rng import Draws

pytestmark = pytest.mark.model


def _rng(seed: int = 0) -> Draws:
    return Draws(np.random.default_rng(seed))


def _chain() -> TradeNetwork:
    """buyer b0 - broker k1 - seller s - broker k2 - buyer b2; k1 - buyer b1; k2 - b3."""
    net = TradeNetwork()
    for k in ("k1", "k2"):
        net.add(k, BROKER)
    net.add("s", SELLER, ["k1", "k2"])
    net.add("b0", BUYER, ["k1"])
    net.add("b1", BUYER, ["k1"])
    net.add("b2", BUYER, ["k2"])
    net.add("b3", BUYER, ["k2"])
    return net


def test_links_are_undirected_counted_once_and_filed_under_the_broker() -> None:
    net = _chain()
    version = net.version
    net.link("k1", "b0")  # already linked: nothing changes
    assert net.version == version
    assert net.adj["k1"] == ["s", "b0", "b1"] and net.adj["b0"] == ["k1"]
    assert dict(net.buyers_of) == {"k1": ["b0", "b1"], "k2": ["b2", "b3"]}
    assert net.links[:2] == [("s", "k1"), ("s", "k2")]
    assert net.brokers == ["k1", "k2"]


def test_a_removed_party_is_back_exactly_when_its_sentence_ends() -> None:
    net = _chain()
    net.remove("k1", 100.0)
    assert not net.active("k1", 99.9) and net.active("k1", 100.0)
    net.leave("b0")
    assert not net.active("b0", 1e9)


def test_a_nodes_brokers_are_those_trading_now_and_the_answer_expires_with_a_sentence() -> None:
    net = _chain()
    assert net.brokers_of("s", 0.0) == ["k1", "k2"]
    net.remove("k1", 50.0)
    assert net.brokers_of("s", 10.0) == ["k2"]  # a change of version is seen at once
    assert net.brokers_of("s", 49.0) == ["k2"]
    assert net.brokers_of("s", 50.0) == ["k1", "k2"]  # back on the day the sentence ends
    net.leave("k2")
    assert net.brokers_of("s", 60.0) == ["k1"]
    mine = net.brokers_of("s", 60.0)
    mine.clear()  # callers shuffle their copy; the kept answer is not touched
    assert net.brokers_of("s", 60.0) == ["k1"]
    assert net.brokers_of("b0", 60.0) == ["k1"]
    gone = _chain()
    gone.leave("k1")  # the first of s's brokers: the next is still found
    assert gone.brokers_of("s", 0.0) == ["k2"]


def test_an_investigation_names_the_nearest_ring_first_and_never_a_seller() -> None:
    """From b0 and its broker k1: ring 1 is k1's other neighbours {s, b1}: s is walked
    through but never named. Ring 2 is {k2}, ring 3 {b2, b3}."""
    net = _chain()
    assert net.accomplices(["b0", "k1"], 1, 0.0, _rng()) == ["b1"]
    assert net.accomplices(["b0", "k1"], 2, 0.0, _rng()) == ["b1", "k2"]
    four = net.accomplices(["b0", "k1"], 4, 0.0, _rng())
    assert four[:2] == ["b1", "k2"] and sorted(four[2:]) == ["b2", "b3"]
    assert net.accomplices(["b0", "k1"], 10, 0.0, _rng()) == four  # all there is
    assert net.accomplices(["b0", "k1"], 0, 0.0, _rng()) == []


def test_parties_out_of_the_trade_are_not_named_again_and_the_broker_first_when_asked() -> None:
    net = _chain()
    net.remove("b1", 100.0)
    assert net.accomplices(["b0", "k1"], 1, 10.0, _rng()) == ["k2"]
    assert net.accomplices(["b0", "k1"], 2, 10.0, _rng(), broker_first=True) == ["k1", "k2"]
    assert net.accomplices(["b0", "k1"], 1, 10.0, _rng(), broker_first=True) == ["k1"]
    net.remove("k1", 100.0)
    assert net.accomplices(["b0", "k1"], 1, 10.0, _rng(), broker_first=True) == ["k2"]


def test_a_ring_is_named_in_random_order() -> None:
    """Ring 3 holds b2 and b3: over many seeds each comes first about half the time."""
    net = _chain()
    firsts = [net.accomplices(["b0", "k1"], 3, 0.0, _rng(seed))[2] for seed in range(400)]
    assert 0.4 < firsts.count("b2") / 400 < 0.6


def test_build_links_each_party_to_the_configured_number_of_distinct_brokers() -> None:
    net = build(["s1", "s2"], ["b1", "b2", "b3"], 5, 2, 3, _rng(4))
    assert net.brokers == [f"broker#{k}" for k in range(1, 6)]
    for seller in ("s1", "s2"):
        assert len(set(net.adj[seller])) == 2 and net.kind[seller] == SELLER
    for buyer in ("b1", "b2", "b3"):
        assert len(set(net.adj[buyer])) == 3 and net.kind[buyer] == BUYER
    # More brokers asked for than exist: linked to all of them.
    small = build(["s"], ["b"], 2, 5, 5, _rng(4))
    assert sorted(small.adj["s"]) == ["broker#1", "broker#2"]
    # Drawn at random: over seeds every broker is picked about equally often.
    counts = {f"broker#{k}": 0 for k in range(1, 6)}
    for seed in range(300):
        for b in build(["s"], [], 5, 1, 0, _rng(seed)).adj["s"]:
            counts[b] += 1
    assert all(40 < c < 80 for c in counts.values())


def _one_link() -> TradeNetwork:
    """Brokers k1, k2; seller s linked to k1 only."""
    net = TradeNetwork()
    net.add("k1", BROKER)
    net.add("k2", BROKER)
    net.add("s", SELLER, ["k1"])
    return net


@pytest.mark.parametrize(
    ("changes", "after"),
    [
        ([("leave", "k1")], []),
        ([("remove", "k1")], []),
        ([("link", "k2")], ["k1", "k2"]),
        ([("link", "k2"), ("leave", "k1")], ["k2"]),
        ([("link", "k2"), ("remove", "k1")], ["k2"]),
    ],
)
def test_a_kept_answer_is_dropped_after_any_change_and_any_run_of_changes(
    changes: list[tuple[str, str]], after: list[str]
) -> None:
    """s's brokers are asked for (k1), then the network changes: k1 leaves or is sentenced
    (to hour 100), s is linked to k2, or both. Asked again at hour 0, the answer is what the
    network now holds, worked out by hand, not the one kept from before."""
    net = _one_link()
    assert net.brokers_of("s", 0.0) == ["k1"]
    for change, node in changes:
        if change == "leave":
            net.leave(node)
        elif change == "remove":
            net.remove(node, 100.0)
        else:
            net.link("s", node)
    assert net.brokers_of("s", 0.0) == after


def test_a_broker_files_its_buyers_whichever_end_a_link_is_made_from() -> None:
    """Links are undirected: broker k to buyer b files b under k, as b to k does; a link
    between a broker and a seller files nobody."""
    net = TradeNetwork()
    for node, kind in [("k", BROKER), ("b", BUYER), ("c", BUYER), ("s", SELLER)]:
        net.add(node, kind)
    net.link("k", "b")
    net.link("c", "k")
    net.link("k", "s")
    assert dict(net.buyers_of) == {"k": ["b", "c"]}
    assert net.adj["k"] == ["b", "c", "s"] and net.adj["s"] == ["k"]


def test_an_investigation_names_no_more_than_asked_from_a_larger_ring() -> None:
    """k = 3 from b0 and k1: b1 (ring 1), k2 (ring 2), then one of ring 3's two buyers, and
    not the other."""
    three = _chain().accomplices(["b0", "k1"], 3, 0.0, _rng())
    assert three[:2] == ["b1", "k2"] and len(three) == 3 and three[2] in ("b2", "b3")


def test_an_investigation_draws_only_for_the_rings_it_names_from() -> None:
    """k = 1 from b0 and k1 is met in ring 1 ({s, b1}): one Fisher-Yates shuffle of two
    nodes, one uniform; the rings beyond are not shuffled, so the model's stream moves on by
    exactly one."""
    rng, ref = _rng(7), _rng(7)
    assert _chain().accomplices(["b0", "k1"], 1, 0.0, rng) == ["b1"]
    ref.random()
    assert rng.random() == ref.random()
