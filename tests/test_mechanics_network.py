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
