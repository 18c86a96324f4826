"""Figures of a sweep: responses against each parameter and grid heatmaps (sensitivity
indices: ``sim.report.sweep_sensitivity``).

A sweep folder holds design.csv (``point`` and one column per key path),
runs.csv (``point, replication, seed, <metrics>``), summary.csv in long
form (``point, metric, mean, std, ci95_low, ci95_high, n``) and, for a
sensitivity design, sensitivity.csv.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.metrics.ranges import metric_range
from sim.metrics.units import COUNT, DAYS, KT, MILLION_RMB, PERCENT
from sim.report import style
from sim.report.data import SweepData, band
from sim.report.style import Missing

LINES = [style.BLUE, style.VERMILLION, style.GREEN, style.ORANGE, style.PURPLE, style.SKY_BLUE]
STRUCTURED = ("grid", "oat")
MAX_PANELS = 9
MAX_LEVELS = 12
"""A scattered design's parameter with more values than this is shown in bins."""


# A scenario key names its unit in its last word(s) (README: "Units are in the key names").
# Rates come first: ``entry_per_month_per_million_rmb`` ends in ``_rmb`` but is no sum of money.
_PARAMETER_RATES: tuple[tuple[str, style.Unit], ...] = (
    ("_rmb_per_tonne", style.Unit(1.0, "RMB/t")),
    ("_rmb_per_day", style.Unit(1.0, "RMB/day")),
    ("_tonnes_per_month", style.Unit(1e3, "kt/month")),
)
_PARAMETER_UNITS: tuple[tuple[str, style.Unit], ...] = (
    ("_rmb", MILLION_RMB),
    ("_tonnes", KT),
    ("_share", PERCENT),
    ("_days", DAYS),
    ("_hours", style.Unit(1.0, "hours")),
    ("_knots", style.Unit(1.0, "knots")),
    ("_nm", style.Unit(1.0, "nm")),
)


def parameter_unit(key: str) -> style.Unit:
    """How a swept scenario key (``enforcement.fine_rmb``) is shown: read from the unit its
    name ends in, so parameters read in the metrics' units (money in million RMB, coal in kt,
    shares in %). A ``_min``/``_max``/``_mean`` ending is the same quantity; a rate not
    listed, a probability or a count is shown as it is set. The one place the sweep's figures
    and its tables (sweep_report) take a parameter's unit from."""
    name = key.rsplit(".", 1)[-1]
    for end in ("_min", "_max", "_mean"):
        name = name.removesuffix(end)
    for table in (_PARAMETER_RATES, () if "_per_" in name else _PARAMETER_UNITS):
        for suffix, unit in table:
            if name.endswith(suffix):
                return unit
    return COUNT


def parameter_label(key: str) -> str:
    """A swept parameter's axis label or column header: its key path and display unit."""
    u = parameter_unit(key)
    return f"{key} ({u.label})" if u.label else key


def parameter_value(key: str, v: object) -> str:
    """A parameter's value in its display unit, without the unit, as exactly as it was set
    (to 4 significant figures at most): a fine of 600,000 RMB reads 0.6, not 0.600."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        return str(v)
    x = float(parameter_unit(key)(float(v)))
    if not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    most = max(0, 3 - math.floor(math.log10(abs(x))))
    exact = (d for d in range(most + 1) if abs(round(x, d) - x) <= 1e-9 * abs(x))
    return f"{x:,.{next(exact, most)}f}"


def _numeric(col: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(col))


def _x(sweep: SweepData, p: str, values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Positions on the x axis: numbers in the parameter's display unit (a fine in million
    RMB), so ticks and labels agree; categorical parameters get one slot per value."""
    if _numeric(sweep.design[p]):
        return np.asarray(parameter_unit(p)(values.to_numpy(dtype=float))), None
    cats = sorted(sweep.design[p].astype(str).unique())
    return values.astype(str).map({c: i for i, c in enumerate(cats)}).to_numpy(float), cats


def point_means(sweep: SweepData, metric: str) -> pd.DataFrame:
    s = sweep.summary[sweep.summary["metric"] == metric]
    if s.empty:
        raise Missing(f"the sweep's summary has no `{metric}` metric")
    return sweep.design.merge(s, on="point", how="inner")


def _baseline(sweep: SweepData, p: str) -> object:
    """The value a parameter holds while others vary: its most common value."""
    return sweep.design[p].mode().iloc[0]


def _series(
    ax: Axes,
    x: np.ndarray,
    mean: pd.Series,
    lo: pd.Series,
    hi: pd.Series,
    colour: str,
    categorical: bool,
    label: str | None = None,
) -> None:
    """One series of means with its 95% CI. Over numbers, a line and a band; over categories,
    separate points with whiskers: a line from one category to the next would claim an
    order (or values in between) that payment terms, say, do not have."""
    m, low, high = (np.asarray(v, dtype=float) for v in (mean, lo, hi))
    if categorical:
        err = np.nan_to_num(np.abs(np.vstack([m - low, high - m])))
        ax.errorbar(x, m, err, fmt="o", color=colour, ms=5, capsize=3, lw=1.4, label=label)
        return
    ax.plot(x, m, "-o", color=colour, ms=4, lw=1.8, label=label)
    ax.fill_between(x, low, high, color=colour, alpha=0.2, lw=0)


def _response_panel(ax: Axes, sweep: SweepData, metric: str, p: str) -> str:
    """Draw one parameter's response; returns how the other parameters were treated."""
    pm = point_means(sweep, metric)
    others = [q for q in sweep.parameters if q != p]
    if not others or (
        sweep.design_kind in STRUCTURED
        and sweep.design_kind == "grid"
        and len(others) == 1
        and pm[others[0]].nunique() <= len(LINES)
    ):
        cats, how = _line_per_other_value(ax, sweep, metric, p, pm, others)
    elif sweep.design_kind == "oat":
        cats, how = _line_at_baseline(ax, sweep, metric, p, pm, others)
    else:
        cats, how = _line_over_others(ax, sweep, metric, p, pm)
    if cats is not None:
        ax.set_xticks(range(len(cats)), cats)
        ax.set_xlim(-0.5, len(cats) - 0.5)
    ax.set_xlabel(parameter_label(p))
    return how


Drawn = tuple[list[str] | None, str]
"""The categories on the x axis (None for numbers), and how the others were treated."""


def _line_per_other_value(
    ax: Axes, sweep: SweepData, metric: str, p: str, pm: pd.DataFrame, others: list[str]
) -> Drawn:
    """One parameter alone, or a grid of two with few values of the other: one series of
    point means for each value of the other."""
    u = style.unit_for(metric)
    groups = [(None, pm)] if not others else list(pm.groupby(others[0], sort=True))
    step = min(0.12, 0.6 / len(groups))  # side by side at a category, whiskers apart
    cats = None
    for i, (value, g) in enumerate(groups):
        g = g.sort_values(p)
        x, cats = _x(sweep, p, g[p])
        if cats is not None:
            x = x + (i - (len(groups) - 1) / 2) * step
        text = parameter_value(others[0], value) if others else "mean"
        low, high, c = u(g["ci95_low"]), u(g["ci95_high"]), LINES[i % len(LINES)]
        _series(ax, x, u(g["mean"]), low, high, c, cats is not None, text)
    if others:
        ax.legend(
            fontsize=8,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.22),
            ncols=min(len(groups), 4),
            title=parameter_label(others[0]),
            title_fontsize=8,
        )
    return cats, "one line per value of the other parameter" if others else ""


def _line_at_baseline(
    ax: Axes, sweep: SweepData, metric: str, p: str, pm: pd.DataFrame, others: list[str]
) -> Drawn:
    """One at a time: the points where every other parameter is at its baseline."""
    u = style.unit_for(metric)
    base = pm
    for q in others:
        base = base[base[q] == _baseline(sweep, q)]
    g = base.sort_values(p)
    x, cats = _x(sweep, p, g[p])
    low, high = u(g["ci95_low"]), u(g["ci95_high"])
    _series(ax, x, u(g["mean"]), low, high, style.BLUE, cats is not None)
    return cats, "other parameters at their baseline values"


def _line_over_others(ax: Axes, sweep: SweepData, metric: str, p: str, pm: pd.DataFrame) -> Drawn:
    """Sampled designs: every replication's value averaged by the parameter's value (or
    its quantile bin, when it takes many), over the point means in grey."""
    u = style.unit_for(metric)
    runs = sweep.runs.merge(sweep.design, on="point")
    if metric not in runs:
        raise Missing(f"the sweep's runs.csv has no `{metric}` column")
    if _numeric(sweep.design[p]) and sweep.design[p].nunique() > MAX_LEVELS:
        k = int(min(8, max(3, sweep.design[p].nunique() // 4)))
        runs = runs.assign(bin=pd.qcut(runs[p], k, duplicates="drop"))
        b = band(runs.assign(v=runs[metric]), "v", "bin", metric_range(metric))
        centre = parameter_unit(p)(runs.groupby("bin", observed=True)[p].mean())
        centre = centre.to_numpy(dtype=float)
        b = b[b["n"] > 0]
        x, cats = centre[: len(b)], None
        how = "averaged over the other parameters; many-valued parameters in bins"
    else:
        b = band(runs.assign(v=runs[metric]), "v", p, metric_range(metric))
        x, cats = _x(sweep, p, b[p])
        how = "averaged over the other parameters"
    sx, _ = _x(sweep, p, pm[p])
    ax.scatter(sx, u(pm["mean"]), s=10, color=style.GREY, alpha=0.6, lw=0, label="points")
    low, high = u(b["lo"]), u(b["hi"])
    _series(ax, x, u(b["mean"]), low, high, style.BLUE, cats is not None, "mean")
    return cats, how


@style.styled
def response(sweep: SweepData, metric: str) -> Figure:
    """The metric against each swept parameter, with 95% CI bands."""
    params = sweep.parameters[:MAX_PANELS]
    if not params:
        raise Missing("the sweep lists no parameters")
    cols = min(3, len(params))
    rows = math.ceil(len(params) / cols)
    fig = style.new_figure((4.2 * cols + 1.0, 3.6 * rows + 1.0))
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    style.panel_gap(fig)
    hows = set()
    for ax, p in zip(axes.flat, params, strict=False):
        hows.add(_response_panel(ax, sweep, metric, p))
        ax.yaxis.set_major_formatter(style.Readable())
        values = sweep.design[p]
        levels = sorted(values.unique()) if _numeric(values) else []
        at = np.asarray(parameter_unit(p)(np.asarray(levels, dtype=float)))
        gaps = np.diff(at)
        even = len(gaps) > 0 and gaps.min() > 0 and gaps.max() / gaps.min() <= 2.5
        if 1 < len(levels) <= 6 and even:
            ax.set_xticks(at, [parameter_value(p, v) for v in levels])
        elif _numeric(values):
            shown = parameter_unit(p)(values)
            whole = bool((shown == shown.round()).all())
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, prune="both", integer=whole))
            ax.xaxis.set_major_formatter(style.Readable())
    for ax in axes.flat[len(params) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(style.axis_label(metric))
    style.suptitle(fig, f"{sweep.name}: {style.label(metric)} against each swept parameter")
    hows.discard("")
    binned = any("bins" in h or "averaged" in h for h in hows)
    note = (
        "Lines: mean of the runs at each value (or bin) of the parameter; bands: 95% CI; "
        "grey dots: each design point's mean."
        if binned
        else "Lines: mean over replications at each design point; bands: 95% CI."
    )
    clauses = sorted({c.strip() for h in hows for c in h.split(";")})
    if clauses:
        note += " " + "; ".join(clauses).capitalize() + "."
    if any(not _numeric(sweep.design[p]) for p in params):
        note += " Parameters whose values have no order: a point per value, whiskers: 95% CI."
    style.footnote(fig, note)
    return fig


@style.styled
def heatmap(sweep: SweepData, metric: str) -> Figure:
    """Mean of the metric over each pair of grid parameters; cells that do not differ
    detectably from the reference point are hatched."""
    if sweep.design_kind != "grid" or len(sweep.parameters) < 2:
        raise Missing("heatmaps are drawn for grid designs with two or more parameters")
    pm = point_means(sweep, metric)
    u = style.unit_for(metric)
    pairs = list(itertools.combinations(sweep.parameters, 2))[:3]
    # dropna=False: a row or column of cells without a value stays, drawn blank, rather
    # than the grid silently losing that level of the parameter.
    grids = [
        pm.pivot_table(index=b, columns=a, values="mean", aggfunc="mean", dropna=False)
        .sort_index()
        .sort_index(axis=1)
        for a, b in pairs
    ]
    # One colour scale for every panel: they show one metric, so one colour is one value.
    everything = np.concatenate([u(g.to_numpy(dtype=float)).ravel() for g in grids])
    if not np.isfinite(everything).any():
        raise Missing(
            f"no design point has a value of {metric}: no replication of this sweep gave it one"
        )
    lo, hi = float(np.nanmin(everything)), float(np.nanmax(everything))
    fig = style.new_figure((6.4 * len(pairs) + 0.6, 5.4))
    axes = fig.subplots(1, len(pairs), squeeze=False)[0]
    for ax, (a, b), grid in zip(axes, pairs, grids, strict=True):
        z = u(grid.to_numpy(dtype=float))
        im = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis", vmin=lo, vmax=hi)
        ax.set_xticks(range(grid.shape[1]), [parameter_value(a, v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [parameter_value(b, v) for v in grid.index])
        ax.set_xlabel(parameter_label(a))
        ax.set_ylabel(parameter_label(b))
        ax.grid(False)
        if z.size <= 100:
            for (i, j), v in np.ndenumerate(z):
                if not np.isfinite(v):
                    continue  # a blank cell: no replication there gave a value
                light = (v - lo) / (hi - lo) > 0.6 if hi > lo else False
                ax.text(
                    j,
                    i,
                    style.number(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if light else "white",
                )
        _mark_effects(ax, sweep, metric, a, b, grid)
    cb = fig.colorbar(im, ax=list(axes), shrink=0.85, pad=0.02)
    cb.set_label(style.axis_label(metric))
    cb.ax.yaxis.set_major_formatter(style.Readable())
    style.suptitle(fig, f"{sweep.name}: {style.label(metric)} over the grid")
    note = (
        "Hatched: the cell's difference from the reference cell (outlined), paired by "
        "replication, has a 95% CI that includes zero; unhatched: it differs detectably."
    )
    if len(sweep.parameters) > 2:
        note = "Each cell: mean over the other parameters' values and replications. " + note
    style.footnote(fig, note)
    return fig


def _mark_effects(
    ax: Axes, sweep: SweepData, metric: str, a: str, b: str, grid: pd.DataFrame
) -> None:
    """Hatch the cells whose paired difference from the reference point is not detectable
    and outline the reference's cell (``sim.report.effects``)."""
    from matplotlib.patches import Rectangle

    from sim.report.effects import cell_detectable, point_row, reference

    flags = cell_detectable(sweep, metric, a, b)
    z = grid.to_numpy(dtype=float)
    columns, index = list(grid.columns), list(grid.index)
    try:
        at = point_row(sweep, reference(sweep))
    except KeyError:
        at = {}
    for i, vb in enumerate(index):
        for j, va in enumerate(columns):
            own = len(sweep.parameters) == 2 and (at.get(a), at.get(b)) == (va, vb)
            if own or flags.get((vb, va), True) or not np.isfinite(z[i, j]):
                continue  # the reference itself, a detectable difference or a blank cell
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                   edgecolor=style.GREY, lw=0))  # fmt: skip
    if at and at[a] in columns and at[b] in index:
        j, i = columns.index(at[a]), index.index(at[b])
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", lw=2.2))
