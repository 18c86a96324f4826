"""The trading network of one replication, before and after investigations.

Read from ``network_nodes.csv`` (replication, node, kind, named_at_hours)
and ``network_edges.csv`` (replication, source, target). Sellers, brokers
and buyers are drawn in three columns, each ordered by the mean position
of its neighbours in the column before, which keeps edges from crossing
more than they must; no graph library is needed for that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report import style
from sim.report.data import RunData
from sim.report.style import Missing

KINDS = ("seller", "broker", "buyer")
KIND_LABELS = {"seller": "DPRK sellers", "broker": "Brokers", "buyer": "Chinese buyers"}
MAX_CUT_DRAWN = 200
"""Broken links are drawn (dotted) only up to this many; more would hide the rest."""
MAX_NAMES = 40
"""Name the nodes only when there are at most this many."""


def network_tables(data: RunData) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Nodes and edges of the first saved replication."""
    if data.nodes is None or data.edges is None:
        raise Missing(
            "this run saved no trading network (network_nodes.csv, network_edges.csv); "
            "the market in this model version has no brokers or investigations"
        )
    nodes, edges = data.nodes, data.edges
    for frame, cols, name in (
        (nodes, {"node", "kind"}, "network_nodes.csv"),
        (edges, {"source", "target"}, "network_edges.csv"),
    ):
        if not cols <= set(frame.columns):
            raise Missing(f"{name} lacks the columns {', '.join(sorted(cols - set(frame)))}")
    rep = 0
    if "replication" in nodes:
        if nodes.empty:
            raise Missing("network_nodes.csv has no rows")
        rep = int(nodes["replication"].min())
        nodes = nodes[nodes["replication"] == rep]
        if "replication" in edges:
            edges = edges[edges["replication"] == rep]
    if nodes.empty:
        raise Missing("network_nodes.csv has no rows")
    nodes = nodes.assign(node=nodes["node"].astype(str), kind=nodes["kind"].astype(str))
    edges = edges.assign(source=edges["source"].astype(str), target=edges["target"].astype(str))
    return nodes, edges, rep


def layout(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Column per kind; within a column, order by the neighbours' mean rank (barycentre)."""
    column = {k: i for i, k in enumerate(KINDS)}
    kind_of = dict(zip(nodes["node"], nodes["kind"], strict=True))
    neighbours: dict[str, list[str]] = {n: [] for n in kind_of}
    for s, t in zip(edges["source"], edges["target"], strict=True):
        if s in neighbours and t in neighbours:
            neighbours[s].append(t)
            neighbours[t].append(s)
    pos: dict[str, tuple[float, float]] = {}
    rank: dict[str, float] = {}
    kinds = [k for k in KINDS if k in set(kind_of.values())]
    kinds += sorted(set(kind_of.values()) - set(KINDS))
    for k in kinds:
        members = [n for n in nodes["node"] if kind_of[n] == k]

        def key(n: str) -> tuple[float, str]:
            ranked = [rank[m] for m in neighbours[n] if m in rank]
            return (float(np.mean(ranked)) if ranked else 0.5, n)

        members.sort(key=key)
        stagger = len(members) > 80  # a long column in two staggered files, to keep dots apart
        for i, n in enumerate(members):
            y = 1.0 - (i + 0.5) / len(members)
            rank[n] = 1.0 - y
            x = float(column.get(k, len(KINDS))) + ((0.07 if i % 2 else -0.07) if stagger else 0.0)
            pos[n] = (x, y)
    return pos


def _draw(
    ax: Axes,
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    pos: dict[str, tuple[float, float]],
    removed: set[str],
) -> None:
    _draw_links(ax, edges, pos, removed)
    _draw_parties(ax, nodes, pos, removed)
    if len(nodes) <= MAX_NAMES:
        for n, (x, y) in pos.items():
            left = x >= len(KINDS) - 1
            ax.annotate(
                n,
                (x, y),
                xytext=(-7 if left else 7, 0),
                textcoords="offset points",
                ha="right" if left else "left",
                va="center",
                fontsize=7,
            )
    ax.set_xlim(-0.6, len(KINDS) - 0.4)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(range(len(KINDS)), [KIND_LABELS[k] for k in KINDS])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", length=0)


def _draw_links(
    ax: Axes, edges: pd.DataFrame, pos: dict[str, tuple[float, float]], removed: set[str]
) -> None:
    """The links kept, and (when few enough to tell apart) the links cut, dotted."""
    segs_kept: list[list[tuple[float, float]]] = []
    segs_cut: list[list[tuple[float, float]]] = []
    for s, t in zip(edges["source"], edges["target"], strict=True):
        if s in pos and t in pos:
            (segs_cut if s in removed or t in removed else segs_kept).append([pos[s], pos[t]])
    # Many links: thinner and fainter, so a dense network reads as density, not a black wall.
    alpha = float(np.clip(120 / max(len(edges), 1), 0.15, 0.7))
    lw = 0.7 if len(edges) <= 200 else 0.4
    ax.add_collection(LineCollection(segs_kept, colors="#6E6E6E", linewidths=lw, alpha=alpha))
    if segs_cut and len(segs_cut) <= MAX_CUT_DRAWN:
        ax.add_collection(
            LineCollection(segs_cut, colors="#C8C8C8", linewidths=0.5, linestyles=":", alpha=0.8)
        )


def _draw_parties(
    ax: Axes, nodes: pd.DataFrame, pos: dict[str, tuple[float, float]], removed: set[str]
) -> None:
    """A dot per party in its kind's colour; a party removed is hollow and crossed out."""
    size = float(np.clip(900 / max(len(nodes), 1), 12, 90))
    for kind, group in nodes.groupby("kind"):
        colour = style.NODE_COLOURS.get(str(kind), style.GREY)
        xy = np.array([pos[n] for n in group["node"]])
        gone = group["node"].isin(removed).to_numpy()
        if (~gone).any():
            ax.scatter(
                xy[~gone, 0],
                xy[~gone, 1],
                s=size,
                color=colour,
                zorder=3,
                edgecolor="white",
                lw=0.5,
            )
        if gone.any():
            ax.scatter(
                xy[gone, 0],
                xy[gone, 1],
                s=size,
                facecolor="white",
                edgecolor=colour,
                lw=0.8,
                zorder=3,
            )
            ax.scatter(
                xy[gone, 0],
                xy[gone, 1],
                s=size * 0.5,
                marker="x",
                color="#555555",
                lw=0.6,
                zorder=4,
            )


@style.styled
def trading_network(data: RunData) -> Figure:
    nodes, edges, rep = network_tables(data)
    named = (
        set(nodes.loc[nodes["named_at_hours"].notna(), "node"])
        if "named_at_hours" in nodes
        else set()
    )
    pos = layout(nodes, edges)
    fig = style.new_figure((11.0, 6.5))
    before, after = fig.subplots(1, 2)
    _draw(before, nodes, edges, pos, set())
    before.set_title(
        f"Before investigations: everyone who traded in the run\n"
        f"({len(nodes)} parties, entrants included; {len(edges)} trading links)",
        loc="left",
        fontsize=10,
    )
    _draw(after, nodes, edges, pos, named)
    nouns = {"seller": "sellers", "broker": "brokers", "buyer": "buyers"}
    counts = ", ".join(
        f"{int(nodes.loc[nodes['node'].isin(named), 'kind'].eq(k).sum())} of "
        f"{int(nodes['kind'].eq(k).sum())} {nouns[k]}"
        for k in KINDS
        if nodes.loc[nodes["node"].isin(named), "kind"].eq(k).any()
    )
    cut = sum(
        1 for a, b in zip(edges["source"], edges["target"], strict=True) if a in named or b in named
    )
    after.set_title(
        f"After investigations: {counts or 'nobody'} named;\n"
        f"{cut} of {len(edges)} trading links broken",
        loc="left",
        fontsize=10,
    )
    fig.suptitle(
        f"{data.name}: trading network before and after investigations (replication {rep})"
    )
    handles = [
        Line2D([], [], ls="", marker="o", color=style.NODE_COLOURS[k], label=KIND_LABELS[k])
        for k in KINDS
    ]
    handles += [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            mfc="white",
            mec=style.GREY,
            label="named by an investigation",
        ),
        Line2D([], [], color="#8A8A8A", label="trading link"),
        Line2D([], [], color="#B0B0B0", ls=":", label="link broken by an investigation")
        if cut <= MAX_CUT_DRAWN
        else Line2D([], [], ls="", label=f"(the {cut} broken links are left out)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=6, fontsize=8.5)
    return fig
