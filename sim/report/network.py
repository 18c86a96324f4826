"""The trading network of one replication, before and after investigations.

Read from ``network_nodes.csv`` (replication, node, kind, named_at_hours, left)
and ``network_edges.csv`` (replication, source, target). Named parties come
back after their sentence, so the links broken at the run's end are told
apart from those broken at some time in it. Sellers, brokers
and buyers are drawn in three columns, each ordered by the mean position
of its neighbours in the column before, which keeps edges from crossing
more than they must; no graph library is needed for that.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

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
MAX_BUYER_DOTS = 60
"""More buyers than this are drawn as one dot per port, not hundreds of specks."""


@dataclass(frozen=True)
class View:
    """The parties and links of one replication, and how buyers are grouped to draw them."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    groups: dict[str, str]
    """Buyer -> the dot that stands for it (empty: every party its own dot)."""

    @property
    def drawn(self) -> pd.DataFrame:
        """The dots: the parties, with grouped buyers replaced by one row per group."""
        if not self.groups:
            return self.nodes[["node", "kind"]]
        rest = self.nodes.loc[~self.nodes["node"].isin(self.groups.keys()), ["node", "kind"]]
        merged = pd.DataFrame({"node": sorted(set(self.groups.values())), "kind": "buyer"})
        return pd.concat([rest, merged], ignore_index=True)

    @property
    def drawn_edges(self) -> pd.DataFrame:
        g = self.groups
        pairs = {
            (g.get(a, a), g.get(b, b))
            for a, b in zip(self.edges["source"], self.edges["target"], strict=True)
        }
        return pd.DataFrame(sorted(pairs), columns=["source", "target"])


def buyer_port(node: str) -> str:
    """The port a buyer trades from, read off its name (``dalian_trader#3``).

    The network table saves no port; entrants' names carry none, so they form a group.
    """
    stem = node.split("#")[0]
    return "entrants" if stem == "entrant" else stem.removesuffix("_trader")


def make_view(nodes: pd.DataFrame, edges: pd.DataFrame) -> View:
    buyers = nodes.loc[nodes["kind"] == "buyer", "node"]
    groups = {n: buyer_port(n) for n in buyers} if len(buyers) > MAX_BUYER_DOTS else {}
    return View(nodes, edges, groups)


def out_of_trade(
    nodes: pd.DataFrame, horizon_hours: float | None, sentence_hours: float | None
) -> tuple[set[str], set[str]]:
    """Who is out of the trade at the horizon, and who was out at some time in the run.

    A named party serves its sentence and comes back, so only those named within
    one sentence of the horizon, or who left the trade for good, are out at its
    end. ``named_at_hours`` is the first naming: a party named again after coming
    back counts as back. Without a horizon or sentence, everyone ever out counts
    as out now.
    """
    blank = pd.Series(np.nan, index=nodes.index)
    named_at = pd.to_numeric(nodes.get("named_at_hours", blank), errors="coerce")
    left = nodes.get("left", blank).astype(str).str.lower().isin({"true", "1", "1.0"})
    ever = named_at.notna() | left
    now = ever
    if horizon_hours is not None and sentence_hours is not None:
        now = left | (named_at > horizon_hours - sentence_hours)
    return set(nodes.loc[now, "node"]), set(nodes.loc[ever, "node"])


def links_broken(edges: pd.DataFrame, out: set[str]) -> int:
    """Links with a party out of the trade at either end."""
    return sum(
        1 for a, b in zip(edges["source"], edges["target"], strict=True) if a in out or b in out
    )


def _horizon_and_sentence(data: RunData) -> tuple[float | None, float | None]:
    """Hours from the saved scenario; the sentence is the one in force at the start."""
    sc = data.scenario
    enf = sc.get("enforcement")
    days = sc.get("horizon_days")
    sentence = enf.get("sentence_days") if isinstance(enf, dict) else None
    return _hours(days), _hours(sentence)


def _hours(days: object) -> float | None:
    return float(days) * 24.0 if isinstance(days, int | float) else None


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
    view: View,
    pos: dict[str, tuple[float, float]],
    removed: set[str],
    back: set[str],
) -> None:
    _draw_links(ax, view, pos, removed)
    _draw_parties(ax, view, pos, removed, back)
    if view.groups:
        _label_groups(ax, view, pos, removed, back)
    elif len(view.nodes) <= MAX_NAMES:
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
    ax.set_xlim(-0.6, len(KINDS) + (0.6 if view.groups else -0.4))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(range(len(KINDS)), [KIND_LABELS[k] for k in KINDS])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", length=0)


def _draw_links(
    ax: Axes, view: View, pos: dict[str, tuple[float, float]], removed: set[str]
) -> None:
    """The links kept, and (when few enough to tell apart) the links cut, dotted.

    With buyers grouped, the links between a broker and a port's buyers are one
    line whose width grows with how many of them are kept.
    """
    kept: dict[tuple[str, str], int] = {}
    segs_cut: list[list[tuple[float, float]]] = []
    for s, t in zip(view.edges["source"], view.edges["target"], strict=True):
        a, b = view.groups.get(s, s), view.groups.get(t, t)
        if a not in pos or b not in pos:
            continue
        if s in removed or t in removed:
            segs_cut.append([pos[a], pos[b]])
        else:
            kept[(a, b)] = kept.get((a, b), 0) + 1
    n = len(view.edges)
    # Many links: thinner and fainter, so a dense network reads as density, not a black wall.
    alpha = float(np.clip(120 / max(len(kept), 1), 0.15, 0.7))
    lw = 0.7 if n <= 200 else 0.4
    widths = [lw * float(np.sqrt(w)) for w in kept.values()]
    segs = [[pos[a], pos[b]] for a, b in kept]
    ax.add_collection(LineCollection(segs, colors="#6E6E6E", linewidths=widths, alpha=alpha))
    if segs_cut and len(segs_cut) <= MAX_CUT_DRAWN and not view.groups:
        ax.add_collection(
            LineCollection(segs_cut, colors="#C8C8C8", linewidths=0.5, linestyles=":", alpha=0.8)
        )


def _draw_parties(
    ax: Axes,
    view: View,
    pos: dict[str, tuple[float, float]],
    removed: set[str],
    back: set[str],
) -> None:
    """A dot per party in its kind's colour; a party out is hollow and crossed out,
    one named earlier and back in the trade ringed in black."""
    drawn = view.drawn
    if view.groups:
        drawn = drawn[drawn["kind"] != "buyer"]
        _draw_groups(ax, view, pos, removed)
    size = float(np.clip(900 / max(len(view.nodes), 1), 12, 90))
    for kind, group in drawn.groupby("kind"):
        colour = style.NODE_COLOURS.get(str(kind), style.GREY)
        xy = np.array([pos[n] for n in group["node"]])
        gone = group["node"].isin(removed).to_numpy()
        ringed = group["node"].isin(back).to_numpy()
        if (~gone).any():
            ax.scatter(
                xy[~gone, 0],
                xy[~gone, 1],
                s=size,
                color=colour,
                zorder=3,
                edgecolor=np.where(ringed[~gone], "black", "white"),
                lw=np.where(ringed[~gone], 1.0, 0.5),
            )
        if gone.any():
            ax.scatter(xy[gone, 0], xy[gone, 1], s=size, fc="white", ec=colour, lw=0.8, zorder=3)
            ax.scatter(
                xy[gone, 0],
                xy[gone, 1],
                s=size * 0.5,
                marker="x",
                color="#555555",
                lw=0.6,
                zorder=4,
            )


def _group_area(buyers: int) -> float:
    """A port's dot area in points squared: in proportion to its buyers."""
    return float(np.clip(8.0 * buyers, 30.0, 800.0))


def _draw_groups(
    ax: Axes, view: View, pos: dict[str, tuple[float, float]], removed: set[str]
) -> None:
    """A port's buyers as a ring whose area is all of them, filled for those in the trade."""
    colour = style.NODE_COLOURS["buyer"]
    for grp, n in _group_sizes(view).items():
        x, y = pos[grp]
        inside = sum(b not in removed for b, g in view.groups.items() if g == grp)
        ax.scatter([x], [y], s=_group_area(n), fc="white", ec=colour, lw=1.0, zorder=3)
        if inside:
            ax.scatter([x], [y], s=_group_area(n) * inside / n, color=colour, lw=0, zorder=4)


def _group_sizes(view: View) -> dict[str, int]:
    return dict(sorted(Counter(view.groups.values()).items()))


def _label_groups(
    ax: Axes, view: View, pos: dict[str, tuple[float, float]], removed: set[str], back: set[str]
) -> None:
    """Each port's dot named, with its buyers, and (after) how many are out or back."""
    for grp, n in _group_sizes(view).items():
        who = [b for b, g in view.groups.items() if g == grp]
        name = grp.replace("_", " ").title()  # a port's key as its name: "Dalian"
        text = f"{name}: {n} buyers"
        if removed or back:
            out, ret = sum(b in removed for b in who), sum(b in back for b in who)
            text = f"{name}: {n - out} of {n} in,\n{out} out, {ret} back"
        ax.annotate(
            text,
            pos[grp],
            xytext=(np.sqrt(_group_area(n)) / 2 + 4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7.5,
        )


def _by_kind(nodes: pd.DataFrame, who: set[str]) -> str:
    nouns = {"seller": "sellers", "broker": "brokers", "buyer": "buyers"}
    kinds = nodes.loc[nodes["node"].isin(who), "kind"]
    return ", ".join(
        f"{int(kinds.eq(k).sum())} of {int(nodes['kind'].eq(k).sum())} {nouns[k]}"
        for k in KINDS
        if kinds.eq(k).any()
    )


@style.styled
def trading_network(data: RunData) -> Figure:
    nodes, edges, rep = network_tables(data)
    horizon, sentence = _horizon_and_sentence(data)
    now, ever = out_of_trade(nodes, horizon, sentence)
    back = ever - now
    view = make_view(nodes, edges)
    pos = layout(view.drawn, view.drawn_edges)
    fig = style.new_figure((11.0, 6.5))
    before, after = fig.subplots(1, 2)
    _draw(before, view, pos, set(), set())
    grouped = (
        f"\n{int(nodes['kind'].eq('buyer').sum())} buyers as one dot per port: "
        "area ∝ buyers, line width ∝ links"
        if view.groups
        else ""
    )
    before.set_title(
        f"Before investigations: everyone who traded in the run\n"
        f"({len(nodes)} parties, entrants included; {len(edges)} trading links){grouped}",
        loc="left",
        fontsize=9.5,
    )
    _draw(after, view, pos, now, back)
    end = f"day {horizon / 24:g}" if horizon is not None else "the end"
    term = f"named in the last {sentence / 24:g} days" if sentence is not None else "named"
    after.set_title(
        f"At the run's end ({end}): {_by_kind(nodes, now) or 'nobody'} out\n"
        f"({term}, or gone); {len(back)} named earlier are back.\n"
        f"Links broken now: {links_broken(edges, now)} of {len(edges)}; "
        f"at some time in the run: {links_broken(edges, ever)}",
        loc="left",
        fontsize=9.5,
    )
    fig.suptitle(
        f"{data.name}: trading network before and after investigations (replication {rep})"
    )
    fig.legend(
        handles=_legend(view, links_broken(edges, now)),
        loc="outside lower center",
        ncols=4,
        fontsize=8.5,
    )
    return fig


def _dot(label: str, face: str, edge: str) -> Line2D:
    return Line2D([], [], ls="", marker="o", label=label, mfc=face, mec=edge)


def _legend(view: View, cut: int) -> list[Line2D]:
    handles = [_dot(KIND_LABELS[k], style.NODE_COLOURS[k], style.NODE_COLOURS[k]) for k in KINDS]
    handles += [
        _dot("out of the trade at the end", "white", style.GREY),
        _dot("named earlier, back in the trade", style.GREY, "black"),
        Line2D([], [], color="#8A8A8A", label="trading link kept at the end"),
    ]
    if view.groups:
        port = "a port's buyers (ring: all; fill: in the trade)"
        handles.append(_dot(port, style.NODE_COLOURS["buyer"], "white"))
    if cut and cut <= MAX_CUT_DRAWN and not view.groups:
        handles.append(Line2D([], [], color="#B0B0B0", ls=":", label="link broken at the end"))
    elif cut:
        handles.append(Line2D([], [], ls="", label=f"(the {cut} links broken at the end left out)"))
    return handles
