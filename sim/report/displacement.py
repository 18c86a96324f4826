"""Displacement in a run's report: coal delivered per destination week by week, where the
patrols' hours paid off in seizures, and what the displacement metrics say.

Drawn from volume.csv and zones.csv; results saved before those tables
existed get a note instead (``Missing``), never a failure.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.metrics.displacement import change_day
from sim.metrics.ranges import NONNEGATIVE
from sim.metrics.units import counted
from sim.report import style
from sim.report.data import RunData, band, mean_ci
from sim.report.style import Missing
from sim.report.tables import Table, headline_table, interval

DAYS_PER_WEEK = 7.0
SMOOTH_WEEKS = 4
"""Weeks averaged into one point of the volume figure."""
PALETTE = [
    style.BLUE,
    style.VERMILLION,
    style.GREEN,
    style.ORANGE,
    style.PURPLE,
    style.SKY_BLUE,
    style.BLACK,
    style.GREY,
]
"""Okabe-Ito, taken in the order of the scenario's discharge ports, so a port keeps its
colour from run to run of the same world."""


def run_change_day(scenario: dict[str, Any]) -> float | None:
    """The change day the metrics used, read from the saved scenario."""
    configured = (scenario.get("displacement") or {}).get("change_day")
    days = [float(p["day"]) for p in scenario.get("policy") or [] if "day" in p]
    return change_day(None if configured is None else float(configured), days)


def pressured(scenario: dict[str, Any]) -> list[str]:
    return [str(p) for p in (scenario.get("displacement") or {}).get("pressured_destinations", [])]


def _destinations(scenario: dict[str, Any], seen: set[str]) -> list[str]:
    """Discharge ports in scenario order (those with coal, or pressured), then any others."""
    ports = [str(p["name"]) for p in scenario.get("ports", []) if "discharge" in p.get("roles", [])]
    keep = seen | set(pressured(scenario))
    return [p for p in ports if p in keep] + sorted(seen - set(ports))


def _colour(scenario: dict[str, Any], name: str) -> str:
    ports = [str(p["name"]) for p in scenario.get("ports", []) if "discharge" in p.get("roles", [])]
    k = ports.index(name) if name in ports else len(ports) + sum(map(ord, name))
    return PALETTE[k % len(PALETTE)]


def weekly_delivered(data: RunData) -> tuple[pd.DataFrame, int, bool]:
    """Tonnes delivered per replication, destination and full week (zeros filled in),
    the number of weeks shown, and whether a short last week was left out."""
    vol = data.table("volume", "replication", "week", "destination", "tonnes_delivered")
    horizon = data.scenario.get("horizon_days")
    weeks = int(vol["week"].max()) + 1 if len(vol) else 0
    partial = False
    if isinstance(horizon, int | float) and horizon > 0:
        full = math.floor(float(horizon) / DAYS_PER_WEEK + 1e-9)
        partial = full > 0 and float(horizon) / DAYS_PER_WEEK - full > 1e-9
        weeks = full if full > 0 else max(weeks, 1)
    delivered = vol[vol["tonnes_delivered"] > 0]
    names = _destinations(data.scenario, set(delivered["destination"].astype(str)))
    if not names or weeks == 0:
        raise Missing("no coal was delivered in this run (volume.csv has no deliveries)")
    reps = sorted(data.runs["replication"].unique())
    sums = delivered.groupby(["replication", "destination", "week"])["tonnes_delivered"].sum()
    grid = pd.MultiIndex.from_product(
        [reps, names, range(weeks)], names=["replication", "destination", "week"]
    )
    frame = sums.reindex(grid, fill_value=0.0).rename("tonnes").reset_index()
    return frame, weeks, partial


def _summary_value(data: RunData, metric: str) -> pd.Series | None:
    by = data.summary.set_index("metric")
    if metric not in by.index:
        return None
    row = by.loc[metric]
    if not isinstance(row, pd.Series) or not np.isfinite(float(row["mean"])):
        return None
    return row


INDEX = "displacement_index"


def index_definition(n: int, replications: int, value: str = "") -> str:
    """What the displacement index is, wherever a page shows it: one definition (the
    registry's, the terminal's ``displacement_index``) under one label.

    A pooled ratio of mean changes over all replications once stood beside it in the
    volume figure, under the same name and with another value (4.7% against 12.1%).
    """
    over = "the one replication" if n == 1 else f"the {n} of {replications} replications"
    return (
        f"{style.label(INDEX)}{value} (`{INDEX}` in runs.csv and the terminal): in each "
        "replication, the other destinations' change in coal per day over the pressured "
        "destinations' drop (after the change against before it); the mean over "
        f"{over} whose drop was clear of zero (more than twice its standard error)."
    )


def headline(data: RunData) -> Table:
    """The run's headline table; with the displacement index, what the index is."""
    table = headline_table(data.summary)
    index = _summary_value(data, INDEX)
    if index is None:
        return table
    note = index_definition(int(index["n"]), data.replications)
    return replace(table, notes=(*table.notes, note))


def index_note(data: RunData) -> str:
    """The recovery time and the displacement index in words, when the run has them; the
    index as the tables give it (``index_definition``)."""
    bits = []
    rec = _summary_value(data, "recovery_days")
    if rec is not None:
        text = f"Recovery {style.number(float(rec['mean']))} days"
        if int(rec["n"]) > 1 and np.isfinite(float(rec["ci95_low"])):
            n = counted(int(rec["n"]), "replication")
            text += f" (95% CI {interval(rec, 'recovery_days')}, {n})"
        bits.append(text + ".")
    index = _summary_value(data, INDEX)
    if index is not None:
        value = f" {style.number(style.unit_for(INDEX)(float(index['mean'])))}%"
        if int(index["n"]) > 1 and np.isfinite(float(index["ci95_low"])):
            value += f" (95% CI {interval(index, INDEX)})"
        bits.append(index_definition(int(index["n"]), data.replications, value))
    if not bits:
        return ""
    if any("*" in b for b in bits):
        bits.append("An interval end marked * is cut at the least or most the metric can be.")
    return " ".join(bits) + (
        " Against the same world without the change, run both on the same seed and use "
        "`coalsim compare`."
    )


def _blocks(frame: pd.DataFrame, weeks: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Mean tonnes per week over consecutive ``SMOOTH_WEEKS``-week blocks, and each block's
    middle (weeks); a short last block is kept, as the mean of the weeks it has."""
    block = frame["week"] // SMOOTH_WEEKS
    sums = frame.assign(block=block).groupby(["replication", "block"])["tonnes"].mean()
    x = np.array([min(b * SMOOTH_WEEKS + SMOOTH_WEEKS, weeks) for b in range(int(block.max()) + 1)])
    middle = (np.arange(len(x)) * SMOOTH_WEEKS + x) / 2.0
    return sums.reset_index(), middle


def _draw(ax: Axes, frame: pd.DataFrame, weeks: int, colour: str, text: str, lw: float) -> None:
    sums, middle = _blocks(frame, weeks)
    b = band(sums.assign(v=sums["tonnes"] / 1e3), "v", "block", NONNEGATIVE)
    x = middle[b["block"].to_numpy()]
    one = len(x) == 1  # a run of one block: a point and whiskers, as a band needs two
    ax.plot(x, b["mean"], color=colour, lw=lw, label=text, marker="o", ms=5 if one else 3)
    if b["n"].max() > 1 and one:
        m = b["mean"].to_numpy()
        err = np.nan_to_num([m - b["lo"].to_numpy(), b["hi"].to_numpy() - m])
        ax.errorbar(x, m, yerr=err, color=colour, capsize=4, lw=1.0, ls="", alpha=0.6)
    elif b["n"].max() > 1:
        ax.fill_between(x, b["lo"], b["hi"], color=colour, alpha=0.15, lw=0)


def _change_line(ax: Axes, day: float | None, weeks: int) -> None:
    if day is not None and day / DAYS_PER_WEEK <= weeks:
        ax.axvline(
            day / DAYS_PER_WEEK, color=style.BLACK, lw=1.2, ls="--", label=f"change, day {day:g}"
        )


SMALL_COLUMNS = 3
"""Small panels per row: five ports fit in two rows, each panel wide enough to read."""


def _small_multiples(
    fig: Figure, frame: pd.DataFrame, weeks: int, scenario: dict[str, Any], rows: int
) -> list[Axes]:
    """One panel per destination on one shared scale, so heights compare across panels
    without five bands drawn over one another."""
    names = list(dict.fromkeys(frame["destination"]))
    pressed = set(pressured(scenario))
    grid = fig.add_gridspec(rows + (1 if pressed else 0), SMALL_COLUMNS)
    axes: list[Axes] = []
    for k, name in enumerate(names):
        first = axes[0] if axes else None
        ax = fig.add_subplot(
            grid[k // SMALL_COLUMNS, k % SMALL_COLUMNS], sharex=first, sharey=first
        )
        text = f"{name} (pressured)" if name in pressed else name
        rows_of = frame[frame["destination"] == name]
        _draw(ax, rows_of, weeks, _colour(scenario, name), text, 2.6 if name in pressed else 1.6)
        ax.set_title(text, loc="left", fontsize=10, fontweight="bold" if name in pressed else None)
        # x tick labels only where no panel sits below; the y label on the left column
        ax.tick_params(
            labelbottom=k + SMALL_COLUMNS >= len(names), labelleft=k % SMALL_COLUMNS == 0
        )
        if k % SMALL_COLUMNS == 0:
            ax.set_ylabel("kt per week")
        if not pressed and k + SMALL_COLUMNS >= len(names):
            ax.set_xlabel("Time from start (weeks)")
        axes.append(ax)
    return axes


def _pressured_panel(fig: Figure, frame: pd.DataFrame, weeks: int, pressed: set[str]) -> Axes:
    """The pressured destinations added up against all the others: the comparison the
    displacement index makes."""
    grid = fig.axes[0].get_gridspec()
    assert grid is not None
    ax = fig.add_subplot(grid[-1, :], sharex=fig.axes[0])
    side = np.where(frame["destination"].isin(pressed), "pressured", "other")
    grouped = frame.assign(side=side).groupby(["replication", "side", "week"])
    totals = grouped["tonnes"].sum().reset_index()
    for key, colour, text in (
        ("pressured", style.BLACK, "pressured destinations"),
        ("other", style.SKY_BLUE, "all other destinations"),
    ):
        _draw(ax, totals[totals["side"] == key], weeks, colour, text, 2.2)
    ax.set_title("Pressured destinations against the others", loc="left")
    ax.set_ylabel("Coal delivered\n(kt per week)")
    ax.set_xlabel("Time from start (weeks)")
    ax.tick_params(labelbottom=True)
    return ax


@style.styled
def volume_by_destination(data: RunData) -> Figure:
    """Coal delivered per week to each destination, mean over replications with 95% CIs,
    and the day of the change: does pressed volume vanish or reappear elsewhere?

    Weeks are averaged in blocks of four: a single week holds a handful of
    voyages per port, too few to tell a shift from noise. Each destination
    gets its own small panel on a shared scale (five bands on one axis hide
    one another). With pressured destinations a wide panel below adds them up
    against all the others, in black and sky blue: colours the five ports of
    the default world do not use.
    """
    frame, weeks, partial = weekly_delivered(data)
    scenario = data.scenario
    pressed = set(pressured(scenario))
    day = run_change_day(scenario)
    rows = -(-frame["destination"].nunique() // SMALL_COLUMNS)
    fig = style.new_figure((11.0, 2.4 * rows + (3.6 if pressed else 0.0) + 1.6))
    axes = _small_multiples(fig, frame, weeks, scenario, rows)
    if pressed:
        axes.append(_pressured_panel(fig, frame, weeks, pressed))
    for ax in axes:
        _change_line(ax, day, weeks)
        ax.set_xlim(0, weeks)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(style.Readable())
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if pressed:
        axes[-1].legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, frameon=False)
    fig.suptitle(f"{data.name}: coal delivered by destination over time")
    note = (
        f"Weekly tonnes averaged over {SMOOTH_WEEKS}-week blocks, counted in the week the coal "
        f"arrived. Lines: mean over {counted(data.replications, 'replication')}; bands: 95% "
        "confidence interval. Small panels share one scale."
    )
    if day is not None and day / DAYS_PER_WEEK <= weeks:
        note += " Dashed line: the change."
    if pressed:
        note += " Bold titles, thick lines: the destinations the change presses on."
    if partial:
        note += " The last, partial week is left out."
    extra = index_note(data)
    style.footnote(fig, note + (" " + extra if extra else ""))
    return fig


def zone_table(data: RunData) -> Table:
    """Per zone, means over replications: patrol hours, seizures, tips, and seizures per
    1,000 patrol hours with its 95% CI: where the Coast Guard's time paid off."""
    zones = data.table("zones", "replication", "zone", "patrol_hours_on_station", "seizures")
    if zones.empty:
        raise Missing("zones.csv has no rows (a scenario without enforcement zones has none)")
    rows: list[list[str]] = []
    for zone in dict.fromkeys(zones["zone"].astype(str)):
        z = zones[zones["zone"].astype(str) == zone]
        hours = mean_ci(z["patrol_hours_on_station"])[0]
        seized = mean_ci(z["seizures"])[0]
        tips = mean_ci(z["tips"])[0] if "tips" in z else math.nan
        ratio = z["seizures"] / z["patrol_hours_on_station"].where(z["patrol_hours_on_station"] > 0)
        m, lo, hi, n = mean_ci(1e3 * ratio, NONNEGATIVE)
        ci = f"{style.number(lo)} to {style.number(hi)}" if n > 1 and np.isfinite(lo) else "n/a"
        rows.append(
            [
                zone.replace("_", " "),  # named as on the map
                style.number(hours / 1e3),
                style.number(seized),
                style.number(tips),
                style.number(m),
                ci,
            ]
        )
    header = ["zone", "hours on station (k)", "seizures", "tips", "seizures/1,000 h", "95% CI"]
    return Table(header, rows, [20, 19, 10, 7, 17, 17], (1, 2, 3, 4, 5))
