"""Figures of one run, each drawn from the saved tables of a run folder.

Each function takes a ``RunData`` and returns a figure, or raises
``Missing`` with a short note when the run did not save what it needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.metrics.ranges import NONNEGATIVE
from sim.metrics.units import counted
from sim.report import style
from sim.report.data import RunData, as_text, band, mean_ci
from sim.report.displacement import run_change_day
from sim.report.style import Missing
from sim.report.terms import endogenous_note

HOURS_PER_WEEK = 168.0

percent = FuncFormatter(lambda v, _: f"{v:.0f}%")


def _ci_note(data: RunData) -> str:
    reps = counted(data.replications, "replication")
    return f"Lines: mean over {reps}; bands: 95% confidence interval."


def _week_axis(ax: Axes) -> None:
    ax.set_xlabel("Time from start (weeks)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(left=0)


def _mark_change(axes: Sequence[Axes], data: RunData) -> None:
    """The day a policy changed the world, on every panel of a figure over time: what
    changes after it is read against it."""
    day = run_change_day(data.scenario)
    if day is None or day >= float(data.scenario.get("horizon_days", math.inf)):
        return
    week = day / 7.0
    for ax in axes:
        ax.axvline(week, color=style.BLACK, lw=1.0, ls="--", zorder=1)
    axes[0].annotate(
        f"change, day {day:g}", (week, 1.0), xycoords=("data", "axes fraction"),
        xytext=(3, -3), textcoords="offset points", va="top", fontsize=8,
    )  # fmt: skip


def _line_band(ax: Axes, b: pd.DataFrame, x: np.ndarray, colour: str, text: str) -> None:
    one = len(x) == 1  # a run of one week (or window): a point and whiskers, not a line
    ax.plot(x, b["mean"], color=colour, lw=2, label=text, marker="o" if one else "")
    if b["n"].max() > 1 and one:
        m = b["mean"].to_numpy()
        err = np.nan_to_num([m - b["lo"].to_numpy(), b["hi"].to_numpy() - m])
        ax.errorbar(x, m, yerr=err, color=colour, capsize=4, lw=1.2, ls="")
    elif b["n"].max() > 1:
        ax.fill_between(x, b["lo"], b["hi"], color=colour, alpha=0.25, lw=0)


@style.styled
def cumulative_tonnes(data: RunData) -> Figure:
    """Coal delivered and seized, cumulated week by week, with CI bands."""
    ts = data.series("tonnes_delivered", "tonnes_seized").sort_values(["replication", "week"])
    if not (ts[["tonnes_delivered", "tonnes_seized"]].abs() > 0).any(axis=None):
        raise Missing("no coal was delivered or seized in this run")
    fig = style.new_figure()
    ax = fig.add_subplot()
    for col, colour, text in (
        ("tonnes_delivered", style.OUTCOME_COLOURS["delivered"], "delivered to buyers"),
        ("tonnes_seized", style.OUTCOME_COLOURS["seized"], "seized by the Coast Guard"),
    ):
        cum = ts.assign(v=ts.groupby("replication")[col].cumsum() / 1e3)
        b = band(cum, "v", within=NONNEGATIVE)
        x = b["week"].to_numpy() + 1.0
        _line_band(ax, b, x, colour, text)
        last = b.iloc[-1]
        ax.annotate(
            f"{style.number(last['mean'])} kt",
            (x[-1], last["mean"]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            color=colour,
            fontweight="bold",
        )
    ax.set_title(f"{data.name}: cumulative coal delivered and seized")
    _week_axis(ax)
    _mark_change([ax], data)
    ax.set_ylabel("Coal, cumulative (kt)")
    ax.yaxis.set_major_formatter(style.Readable())
    ax.set_ylim(bottom=0)
    ax.margins(x=0.08)
    ax.legend(loc="upper left")
    style.footnote(fig, _ci_note(data) + " kt = thousand tonnes.")
    return fig


def _outcome_table(data: RunData) -> tuple[list[str], list[str], pd.DataFrame, pd.DataFrame]:
    if data.log().empty:
        raise Missing("no lot of coal was ready to ship in this run (the shipment log is empty)")
    log = data.log("outcome", "tonnes", "cause")
    log = log.assign(cause=as_text(log["cause"]))
    cat = np.where(log["outcome"] == "seized", "seized:" + log["cause"], log["outcome"])
    cat = np.where(np.isin(log["outcome"], ["waiting", "loading"]), "not_sailed", cat)
    log = log.assign(category=cat)
    causes = sorted({c.split(":", 1)[1] for c in cat if str(c).startswith("seized:")})
    order = ["delivered", *(f"seized:{c}" for c in causes), "held", "at_sea", "not_sailed"]
    order += sorted(set(cat) - set(order))  # outcomes this version does not know by name
    order = [c for c in order if c in set(cat)]
    reps = sorted(data.runs["replication"].unique())
    counts = log.pivot_table(
        index="replication", columns="category", values="tonnes", aggfunc="count", fill_value=0
    )
    tonnes = log.pivot_table(
        index="replication", columns="category", values="tonnes", aggfunc="sum", fill_value=0.0
    )
    counts = counts.reindex(index=reps, columns=order, fill_value=0)
    tonnes = tonnes.reindex(index=reps, columns=order, fill_value=0.0) / 1e3
    names, colours = [], []
    for c in order:
        if c.startswith("seized:"):
            cause = c.split(":", 1)[1]
            names.append(f"Seized: {style.cause_label(cause)}")
            colours.append(style.cause_colour(cause))
        else:
            names.append(
                {
                    "delivered": "Delivered",
                    "at_sea": "At sea at the end",
                    "not_sailed": "Not sailed by the end",
                    "held": "Kept ashore (held)",
                }.get(c, c)
            )
            colours.append(style.OUTCOME_COLOURS.get(c, style.LIGHT_GREY))
    return names, colours, counts, tonnes


def _bars(ax: Axes, names: list[str], colours: list[str], table: pd.DataFrame, unit: str) -> None:
    stats = [mean_ci(table[c], NONNEGATIVE) for c in table.columns]
    means = np.array([s[0] for s in stats])
    err = np.array([[s[0] - s[1], s[2] - s[0]] for s in stats]).reshape(-1, 2).T
    y = np.arange(len(names))
    ax.barh(y, means, color=colours, xerr=np.nan_to_num(err), capsize=3, ecolor="#333333")
    ax.set_yticks(y, names)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(style.Readable())
    top = float(np.nanmax(means + np.nan_to_num(err[1]))) if len(means) else 1.0
    ax.set_xlim(0, top * 1.3 if top > 0 else 1)
    for yi, m, hi in zip(y, means, np.nan_to_num(err[1]), strict=True):
        ax.annotate(
            f"{style.number(m)}{unit}",
            (m + hi, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )


@style.styled
def outcomes(data: RunData) -> Figure:
    """Lots by outcome, seizures split by cause: counts and tonnes. Lots that never sailed
    (held ashore, or waiting at the end) are counted with the voyages, so the bars add up
    to every lot that was ready."""
    names, colours, counts, tonnes = _outcome_table(data)
    fig = style.new_figure((11.0, 5.0))
    left, right = fig.subplots(1, 2, sharey=True)
    style.panel_gap(fig)
    _bars(left, names, colours, counts, "")
    left.invert_yaxis()  # first category on top; the right panel shares the axis
    left.set_xlabel("Lots per run (a voyage each, if it sailed)")
    left.set_title("Lots", loc="left")
    _bars(right, names, colours, tonnes, " kt")
    right.set_xlabel("Coal per run (kt)")
    right.set_title("Coal", loc="left")
    fig.suptitle(f"{data.name}: lots of coal by outcome and cause of seizure")
    style.footnote(
        fig, f"Bars: mean over {counted(data.replications, 'replication')}; whiskers: 95% CI."
    )
    return fig


@style.styled
def buyers_and_beliefs(data: RunData) -> Figure:
    """Buyers still trading, and their mean believed chance of interception, week by week."""
    ts = data.series()
    saved = [c for c in ("buyers_active", "mean_belief") if c in ts]
    panels = [c for c in saved if ts[c].notna().any()]
    if saved and not panels:
        raise Missing("the weekly series has no value for buyers or their beliefs in any week")
    if not panels:
        raise Missing(
            "this run's weekly series has no `buyers_active` or `mean_belief` column; "
            "the market in this model version has fixed buyers without beliefs"
        )
    fig = style.new_figure((10.0, 3.2 * len(panels) + 0.8))
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    colour = style.PARTY_COLOURS["Chinese buyers"]
    for ax, col in zip(axes, panels, strict=True):
        share = col == "mean_belief"  # a chance, drawn in percent
        scale, top = (100.0, 100.0) if share else (1.0, math.inf)
        b = band(ts.assign(v=ts[col] * scale), "v", within=(0.0, top))
        _line_band(ax, b, b["week"].to_numpy() + 1.0, colour, style.label(col))
        if share:
            ax.set_ylabel("Believed chance of\ninterception (%)")
            ax.yaxis.set_major_formatter(percent)
            ax.set_title("Buyers' mean risk belief", loc="left")
        else:
            ax.set_ylabel("Buyers active")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title("Buyers still trading", loc="left")
        ax.set_ylim(bottom=0)
    _week_axis(axes[-1])
    _mark_change(list(axes), data)
    fig.suptitle(f"{data.name}: buyers and their risk beliefs over time")
    style.footnote(fig, _ci_note(data))
    return fig


TERMS_WINDOW_WEEKS = 4
"""Contracts are counted over windows this long: a week holds too few for a steady share."""


def _terms_counts(data: RunData) -> tuple[pd.DataFrame, str]:
    """Per replication and week: contracts on advance terms and all contracts."""
    ts = data.timeseries
    if ts is not None and {"contracts", "contracts_advance"} <= set(ts.columns):
        frame = ts[["replication", "week", "contracts_advance", "contracts"]]
        return frame.set_axis(["replication", "week", "advance", "total"], axis=1), "weekly series"
    if ts is not None and "share_advance" in ts:
        frame = ts[["replication", "week", "share_advance"]].dropna()
        return frame.assign(advance=frame["share_advance"], total=1.0), "weekly series"
    log = data.log()
    if not log.empty:  # an empty log may be an empty file, without columns
        log = data.log("payment_terms")
        log = log[as_text(log["payment_terms"]) != ""]
    if log.empty:
        raise Missing("no contracts with payment terms in this run's shipment log")
    t = next((log[c] for c in ("t_contract", "t_depart", "t_ready") if c in log), None)
    if t is None:
        raise Missing("the shipment log has no contract or sailing times")
    frame = pd.DataFrame(
        {
            "replication": log["replication"],
            "week": (t // HOURS_PER_WEEK),
            "advance": (log["payment_terms"] == "advance").astype(float),
            "total": 1.0,
        }
    ).dropna()
    return frame, "shipment log"


@style.styled
def payment_terms(data: RunData) -> Figure:
    """Share of contracts paid in advance (the rest after delivery), over time."""
    counts, source = _terms_counts(data)
    if not (counts["total"] > 0).any():
        raise Missing("no contracts were made in this run")
    w = TERMS_WINDOW_WEEKS
    counts = counts.assign(window=(counts["week"] // w).astype(int))
    weeks = counts.groupby("window")["week"].nunique()
    counts = counts[counts["window"].isin(weeks[weeks >= w / 2].index)]  # no short last window
    sums = counts.groupby(["replication", "window"])[["advance", "total"]].sum()
    sums = sums[sums["total"] > 0].reset_index()
    if sums.empty:
        raise Missing(
            f"too short a run for this figure: the share is counted over {w}-week windows, "
            f"and no window of at least {w // 2} weeks has a contract"
        )
    b = band(sums.assign(v=100 * sums["advance"] / sums["total"]), "v", "window", (0.0, 100.0))
    x = b["window"].to_numpy() * w + w / 2
    mean = b["mean"].to_numpy()
    why = endogenous_note(data)  # why no contract was paid after delivery, if none was
    fig = style.new_figure((10.0, 5.6 if why else 4.5))
    ax = fig.add_subplot()
    # the two areas must differ at a glance: both once a pale grey, a run all on advance
    # terms read as one all paid after delivery
    ax.fill_between(
        x, 0, mean, color=style.TERMS_COLOURS["advance"], alpha=0.18, lw=0, label="paid in advance"
    )
    ax.fill_between(
        x,
        mean,
        100,
        facecolor="white",
        edgecolor=style.TERMS_COLOURS["after_delivery"],
        hatch="///",
        lw=0,
        label="paid after delivery",
    )
    _line_band(ax, b, x, style.TERMS_COLOURS["advance"], "share paid in advance (mean)")
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(percent)
    ax.set_ylabel("Share of contracts (%)")
    _week_axis(ax)
    _mark_change([ax], data)
    ax.legend(loc="upper right", frameon=True, facecolor="white", edgecolor="#BBBBBB")
    ax.set_title(f"{data.name}: payment terms of contracts over time")
    style.footnote(
        fig,
        f"Share of the contracts made in each {w}-week window. "
        + _ci_note(data)
        + f" Source: {source}."
        + (f" {why}" if why else ""),
    )
    return fig


@style.styled
def revenue_histogram(data: RunData) -> Figure:
    """DPRK sellers' revenue in each replication, with the mean and its 95% CI."""
    x = data.metric("dprk_revenue_rmb").to_numpy() / 1e6
    x = x[np.isfinite(x)]
    if not (np.abs(x) > 0).any():
        raise Missing("the DPRK sellers were paid nothing in any replication of this run")
    if len(x) < 2:  # a histogram of one value draws a bar of made-up width
        raise Missing(
            f"this run has one replication, in which the DPRK sellers were paid "
            f"{style.number(x[0])} million RMB: a spread across replications needs "
            "--replications 2 or more"
        )
    fig = style.new_figure((10.0, 4.5))
    ax = fig.add_subplot()
    bins = np.histogram_bin_edges(x, bins="auto")
    if len(bins) > 21:
        bins = np.histogram_bin_edges(x, bins=20)
    colour = style.PARTY_COLOURS["DPRK sellers"]
    m, lo, hi, n = mean_ci(x, NONNEGATIVE)
    if np.isfinite(lo):
        ax.axvspan(
            lo, hi, color=style.GREY, alpha=0.25, lw=0, zorder=0.5, label="95% CI of the mean"
        )
    ax.hist(x, bins=list(bins), color=colour, edgecolor="white", zorder=2, label="replications")
    ax.plot(
        x,
        np.zeros_like(x),
        "|",
        color=style.BLACK,
        ms=12,
        mew=1,
        zorder=3,
        clip_on=False,
        label="one replication",
    )
    ax.axvline(m, color=style.BLACK, lw=1.5, zorder=3, label=f"mean {style.number(m)} million RMB")
    ax.set_xlabel("DPRK sellers' revenue per run (million RMB)")
    ax.set_ylabel("Replications")
    ax.xaxis.set_major_formatter(style.Readable())
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"{data.name}: DPRK-side revenue across {counted(n, 'replication')}")
    return fig
