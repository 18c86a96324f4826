"""Money by party, from the ledger's totals in runs.csv, and how the bars add up: each
line of the figure's table is an identity that holds in every replication."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics.ranges import metric_range
from sim.metrics.units import counted
from sim.report import style
from sim.report.data import RunData, mean_ci
from sim.report.style import Missing

MONEY: list[tuple[str, str, tuple[str, ...]]] = [
    ("DPRK sellers", "revenue", ("dprk_revenue_rmb",)),
    ("DPRK sellers", "net cash", ("dprk_net_rmb",)),
    ("DPRK sellers", "cargo lost to seizure", ("dprk_losses_rmb",)),
    ("Chinese buyers", "net cash", ("buyer_profit_rmb",)),
    ("Chinese buyers", "fines paid", ("buyer_fines_rmb",)),
    ("Brokers", "fees", ("broker_fees_rmb", "broker_income_rmb", "broker_commission_rmb")),
    ("State", "fines", ("fines_rmb",)),
    ("State", "confiscated cargo", ("seized_value_rmb",)),
    ("Tipsters", "rewards", ("rewards_paid_rmb",)),
]
"""(party, what, candidate metric names): the first metric present is drawn."""


def money_rows(data: RunData) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(party, what, metric) for the money this run saved, and the entries it did not."""
    have, absent = [], []
    brokers = [m for m in data.runs.columns if m.startswith("broker") and m.endswith("_rmb")]
    for party, what, candidates in MONEY:
        found = [m for m in candidates if m in data.runs] or (
            brokers[:1] if party == "Brokers" else []
        )
        if found:
            have.append((party, what, found[0]))
        else:
            absent.append(f"{party} {what}")
    return have, absent


def _m(x: float) -> str:
    return f"{x / 1e6:,.1f}"


def _means(runs: pd.DataFrame, *cols: str) -> list[float] | None:
    """Means over the replications where every column is known, so an identity between
    the columns holds for the means too; None when a column is absent or never known."""
    if any(c not in runs for c in cols):
        return None
    known = runs[list(cols)].astype(float).dropna()
    return None if known.empty else [float(known[c].mean()) for c in cols]


def money_reconciliation(runs: pd.DataFrame) -> list[str]:
    """How the money bars add up, one ledger identity a line, from the saved columns only.

    Each identity holds exactly (to the fen) in every replication, because every metric
    is a sum over the same ledger entries; so it holds for the means too. Means are
    taken over the replications where every term is known, so a line always adds up.
    Resale to the coal market and sellers' running costs are not saved: they are derived
    from the identities and marked so. A line whose columns are absent is left out.
    """
    return _split_lines(runs) + _net_lines(runs)


def _split_lines(runs: pd.DataFrame) -> list[str]:
    """Totals that two parties share: fines by payer, confiscated cargo by owner."""
    lines = []
    if v := _means(runs, "fines_rmb", "buyer_fines_rmb"):
        fines, buyers = v
        lines.append(
            f"Fines to the state {_m(fines)} = buyers {_m(buyers)} + brokers "
            f"{_m(fines - buyers)} (brokers named as accomplices; no one else is fined)."
        )
    if v := _means(runs, "seized_value_rmb", "dprk_losses_rmb"):
        seized, lost = v
        lines.append(
            f"Confiscated cargo {_m(seized)} = DPRK sellers' cargo {_m(lost)} + buyers' cargo "
            f"{_m(seized - lost)} (paid in advance or handed over at sea)."
        )
    return lines


def _net_lines(runs: pd.DataFrame) -> list[str]:
    """Each party's net cash as its receipts less its payments."""
    lines = []
    if v := _means(runs, "dprk_net_rmb", "dprk_revenue_rmb"):
        net, revenue = v
        lines.append(
            f"Net cash = all received - all paid. DPRK sellers' {_m(net)} = revenue "
            f"{_m(revenue)} - running costs {_m(revenue - net)} (derived); a lost cargo "
            "enters and leaves their books, so it is not in net cash."
        )
    cols = ("buyer_profit_rmb", "dprk_revenue_rmb", "broker_fees_rmb", "buyer_fines_rmb")
    if v := _means(runs, *cols):
        net, paid, fees, fined = v
        lines.append(
            f"Buyers' net cash {_m(net)} = resale {_m(net + paid + fees + fined)} (derived) "
            f"- payments to sellers {_m(paid)} - broker fees {_m(fees)} - fines {_m(fined)}."
        )
    if v := _means(runs, "broker_fees_rmb", "fines_rmb", "buyer_fines_rmb"):
        fees, fines, buyers = v
        lines.append(
            f"Brokers' net cash {_m(fees - fines + buyers)} = fees {_m(fees)} "
            f"- fines {_m(fines - buyers)}."
        )
    if v := _means(runs, "fines_rmb", "seized_value_rmb", "rewards_paid_rmb"):
        fines, seized, rewards = v
        lines.append(
            f"State's net cash {_m(fines + seized - rewards)} = fines {_m(fines)} "
            f"+ confiscated cargo {_m(seized)} - rewards {_m(rewards)}; "
            f"tipsters' net cash {_m(rewards)}."
        )
    if v := _means(runs, "ledger_imbalance_rmb"):
        lines.append(
            f"All nets, with the coal market (-resale), shipping costs (+running costs) and "
            f"the confiscated coal (-cargo), sum to {_m(v[0])} (the model's ledger check)."
        )
    return lines


@style.styled
def money(data: RunData) -> Figure:
    """Money by party over the run, with 95% CIs, and the ledger identities they obey."""
    rows, absent = money_rows(data)
    if not rows:
        raise Missing("this run's results have no money metrics")
    values = data.runs[[m for _, _, m in rows]].astype(float)
    if not (values.abs() > 0).any(axis=None):
        raise Missing("no money changed hands in this run (every party's total is zero)")
    unknown = [f"{p} {w}" for p, w, m in rows if not np.isfinite(values[m]).any()]
    rows = [r for r in rows if np.isfinite(values[r[2]]).any()]
    recon = [
        wrapped
        for line in money_reconciliation(data.runs)
        for wrapped in textwrap.wrap(line, 150, subsequent_indent="    ")
    ]
    fig = style.new_figure((10.0, 5.5 + 0.2 * len(recon)))
    ax, table = fig.subplots(2, 1, height_ratios=[5.5, 0.4 + 0.2 * len(recon)])
    _money_bars(ax, data, rows)
    table.axis("off")
    if recon:
        # Anchored to the figure's left edge, not the bars' axis, and kept out of the
        # layout so the long lines do not squeeze the bars.
        at = transforms.blended_transform_factory(fig.transFigure, table.transAxes)
        head = "How the bars add up (million RMB per run, means, rounded to 0.1 M):"
        table.text(
            0.01, 1.0, head, transform=at, va="top", fontsize=9, weight="bold", in_layout=False
        )
        table.text(
            0.01,
            0.98 - 0.9 / (len(recon) + 1),
            "\n".join(recon),
            transform=at,
            va="top",
            fontsize=8.5,
            linespacing=1.5,
            in_layout=False,
        )
    note = f"Bars: mean over {counted(data.replications, 'replication')}; whiskers: 95% CI."
    if absent:
        note += " Not in this run's results: " + ", ".join(absent) + "."
    if unknown:
        note += " No value in any replication: " + ", ".join(unknown) + "."
    style.footnote(fig, note)
    return fig


def _money_bars(ax: Axes, data: RunData, rows: list[tuple[str, str, str]]) -> None:
    stats = [mean_ci(data.metric(m) / 1e6, metric_range(m)) for _, _, m in rows]
    means = np.array([s[0] for s in stats])
    lo = np.nan_to_num(means - np.array([s[1] for s in stats]))
    hi = np.nan_to_num(np.array([s[2] for s in stats]) - means)
    y = np.arange(len(rows))
    colours = [style.PARTY_COLOURS[p] for p, _, _ in rows]
    ax.barh(y, means, color=colours, xerr=[lo, hi], capsize=3, ecolor="#333333")
    ax.set_yticks(y, [f"{p}: {w}" for p, w, _ in rows])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.axvline(0, color="#333333", lw=0.8)
    span = float(np.nanmax(np.abs(means) + hi)) or 1.0
    ax.set_xlim(min(0.0, float(np.nanmin(means - lo)) * 1.3), span * 1.3)
    for yi, m, h in zip(y, means, hi, strict=True):
        ax.annotate(
            style.number(m),
            (max(m, 0) + h, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    ax.xaxis.set_major_formatter(style.Readable())
    ax.set_xlabel("Million RMB per run")
    ax.set_title(f"{data.name}: money by party")
