"""The network figure counts the links broken at the run's end apart from those ever broken.

Named parties come back after their sentence, so a count of everyone ever named
overstates what investigations leave broken. The tables here are small enough
that both counts are worked out by hand below.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.report import network
from sim.report.data import RunData

NAN = float("nan")
# Horizon 100 days = 2400 h; sentence 30 days = 720 h: out at the end if named after 1680 h.
NODES = [
    ("s0", "seller", NAN, False),
    ("k0", "broker", 1000.0, False),  # named early, back by 1720 h
    ("k1", "broker", 2000.0, False),  # out until 2720 h: out at the end
    ("k2", "broker", NAN, False),  # never named
    ("b0", "buyer", NAN, True),  # left the trade (bankrupt): out for good
    ("b1", "buyer", 1680.0, False),  # back exactly at the horizon: in
    ("b2", "buyer", NAN, False),
    ("b3", "buyer", 2399.0, False),  # out at the end
]
EDGES = [
    ("s0", "k0"),  # ever (k0)
    ("s0", "k1"),  # now and ever
    ("k0", "b0"),  # now (b0) and ever
    ("k0", "b1"),  # ever
    ("k0", "b2"),  # ever (k0)
    ("k1", "b2"),  # now and ever
    ("k0", "b3"),  # now and ever
    ("k2", "b2"),  # never
    ("s0", "k2"),  # never
]


def run_data(nodes: pd.DataFrame, edges: pd.DataFrame, scenario: dict[str, object]) -> RunData:
    empty = pd.DataFrame()
    return RunData(
        Path("."), {"scenario": scenario}, empty, empty, None, None, nodes, edges, None, None
    )


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes = pd.DataFrame(NODES, columns=["node", "kind", "named_at_hours", "left"])
    edges = pd.DataFrame(EDGES, columns=["source", "target"])
    return nodes.assign(replication=0), edges.assign(replication=0)


def titles(fig: Figure) -> str:
    return "\n".join(ax.get_title(loc="left") for ax in fig.axes)


def test_out_now_excludes_parties_back_from_their_sentence() -> None:
    nodes, edges = tables()
    now, ever = network.out_of_trade(nodes, 2400.0, 720.0)
    assert now == {"k1", "b0", "b3"}
    assert ever == {"k0", "k1", "b0", "b1", "b3"}
    assert network.links_broken(edges, now) == 4
    assert network.links_broken(edges, ever) == 7


def test_without_a_sentence_everyone_ever_out_counts_as_out_now() -> None:
    nodes, _ = tables()
    now, ever = network.out_of_trade(nodes, None, None)
    assert now == ever == {"k0", "k1", "b0", "b1", "b3"}


def test_figure_states_links_broken_now_and_ever() -> None:
    nodes, edges = tables()
    scenario = {"horizon_days": 100, "enforcement": {"sentence_days": 30.0}}
    text = titles(network.trading_network(run_data(nodes, edges, scenario)))
    assert "Links broken now: 4 of 9; at some time in the run: 7" in text
    assert "1 of 3 brokers, 2 of 4 buyers out" in text
    assert "named in the last 30 days" in text
    assert "2 named earlier are back" in text  # k0 and b1


def test_hundreds_of_buyers_are_drawn_one_dot_per_port() -> None:
    buyers = [f"dalian_trader#{i}" for i in range(40)] + [f"entrant#{i}" for i in range(30)]
    nodes = pd.DataFrame(
        {
            "node": ["k0", *buyers],
            "kind": ["broker"] + ["buyer"] * 70,
            "named_at_hours": [NAN] + [2300.0] * 10 + [NAN] * 60,  # 10 Dalian buyers out
            "left": [False] * 71,
        }
    )
    edges = pd.DataFrame({"source": "k0", "target": buyers})
    view = network.make_view(nodes, edges)
    assert sorted(view.drawn.loc[view.drawn["kind"] == "buyer", "node"]) == ["dalian", "entrants"]
    scenario = {"horizon_days": 100, "enforcement": {"sentence_days": 30.0}}
    fig = network.trading_network(run_data(nodes, edges, scenario))
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "Dalian: 40 buyers" in labels and "Entrants: 30 buyers" in labels
    assert "Dalian: 30 of 40 in,\n10 out, 0 back" in labels
    assert "Links broken now: 10 of 70; at some time in the run: 10" in titles(fig)


def test_few_buyers_keep_a_dot_each() -> None:
    nodes, edges = tables()
    assert network.make_view(nodes, edges).groups == {}
