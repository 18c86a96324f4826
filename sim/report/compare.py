"""Comparing two saved runs metric by metric: paired differences with 95% confidence intervals.

Replication k of run A and replication k of run B are a pair. When both
runs were made with the same root seed, each pair shares its random streams
(common random numbers), so most of the noise cancels in B - A and the
interval is far tighter than comparing two independent means. When the
seeds differ the pairs are independent, and the interval is Welch's.

Both folders must hold a run (manifest kind ``run``): a sweep's runs.csv has
a row per point and replication, and joining it on the replication alone
would pair every point with every point. Every column, A, B and B - A
alike, is computed on the replications the two runs share (when paired, on
the pairs where both have a value of the metric), so B - A is B minus A;
the replications only one run has are left out and counted in
``describe``, which also warns when the runs' horizons differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.experiment.store import check_out as store_check_out
from sim.experiment.store import write_atomic, write_csv
from sim.report import style
from sim.report.data import ReportError, RunData, load_run, mean_ci, read_manifest

KEYS = ("replication", "seed", "point")


@dataclass(frozen=True)
class Comparison:
    a: RunData
    b: RunData
    table: pd.DataFrame
    """metric, mean_a, mean_b, diff, ci95_low, ci95_high, n, relative"""
    paired: bool
    shared: int = 0
    """Replications both runs have: the only ones the table is computed on."""
    left_out_a: int = 0
    """A's replications that B does not have (left out of every column)."""
    left_out_b: int = 0
    """B's replications that A does not have (left out of every column)."""


def _welch(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = math.sqrt(vx + vy)
    if se == 0:
        return (0.0, 0.0)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return (se, float(stats.t.ppf(0.975, df)) * se)


def _load(folder: Path) -> RunData:
    """The run in ``folder``; a sweep's (or any other kind's) results are refused."""
    kind = read_manifest(folder).get("kind", "run")  # results from before `kind` were runs
    if kind != "run":
        what = "a sweep's results" if kind == "sweep" else f"results of kind {kind!r}"
        raise ReportError(
            f"{folder}: holds {what}, not a run; compare takes two run folders "
            "(made by `coalsim run`)"
        )
    return load_run(folder)


def compare_runs(run_a: Path, run_b: Path) -> Comparison:
    """B - A for every metric the two runs share, over the replications they share."""
    a, b = _load(Path(run_a)), _load(Path(run_b))
    metrics = [c for c in a.runs.columns if c not in KEYS and c in b.runs.columns]
    # A metric neither run has a value for (the displacement metrics of runs without a
    # policy change) has nothing to compare.
    metrics = [m for m in metrics if a.runs[m].notna().any() or b.runs[m].notna().any()]
    if not metrics:
        raise ReportError(f"{run_a} and {run_b} have no metric in common")
    joined = a.runs.merge(b.runs, on="replication", suffixes=("_a", "_b"))
    if joined.empty:
        raise ReportError(f"{run_a} and {run_b} share no replication index")
    shared = set(joined["replication"])
    paired = "seed_a" in joined and bool((joined["seed_a"] == joined["seed_b"]).all())
    rows = []
    for m in metrics:
        xa, xb = joined[f"{m}_a"].to_numpy(float), joined[f"{m}_b"].to_numpy(float)
        if paired:  # the pairs where both runs have a value
            ok = np.isfinite(xa) & np.isfinite(xb)
            ya, yb = xa[ok], xb[ok]
        else:
            ya, yb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
        mean_a = float(ya.mean()) if len(ya) else math.nan
        mean_b = float(yb.mean()) if len(yb) else math.nan
        d = mean_b - mean_a  # exactly the B column minus the A column
        if paired:
            _, lo, hi, n = mean_ci(yb - ya)
            half = (hi - lo) / 2
        else:
            n = min(len(ya), len(yb))
            half = _welch(ya, yb)[1] if n > 1 else math.nan
        lo, hi = d - half, d + half
        rel = d / abs(mean_a) if mean_a not in (0.0,) and math.isfinite(mean_a) else math.nan
        rows.append(
            {
                "metric": m,
                "mean_a": mean_a,
                "mean_b": mean_b,
                "diff": d,
                "ci95_low": lo,
                "ci95_high": hi,
                "n": n,
                "relative": rel,
            }
        )
    displaced = displaced_share(joined) if paired else None
    if displaced is not None:
        rows.append(displaced)
    return Comparison(
        a,
        b,
        pd.DataFrame(rows),
        paired,
        shared=len(shared),
        left_out_a=len(set(a.runs["replication"]) - shared),
        left_out_b=len(set(b.runs["replication"]) - shared),
    )


DISPLACED = "displaced_share_b_vs_a"


def displaced_share(joined: pd.DataFrame) -> dict[str, object] | None:
    """Of the volume B delivers less than A to the pressured ports after the change, the
    share it delivers more than A elsewhere: the displacement against a counterfactual.

    Run A is the world without the change and B the world with it, on the same random
    numbers, so each pair's differences are the change's effect. The share is the ratio
    of the mean differences, -mean(d other) / mean(d pressured), with a paired bootstrap
    interval (scipy.stats.bootstrap, BCa); only when B lost pressured volume.
    """
    p, o = "pressured_tonnes_per_day_after", "other_tonnes_per_day_after"
    if not all(f"{m}_{s}" in joined for m in (p, o) for s in ("a", "b")):
        return None
    dp = (joined[f"{p}_b"] - joined[f"{p}_a"]).to_numpy(float)
    do = (joined[f"{o}_b"] - joined[f"{o}_a"]).to_numpy(float)
    ok = np.isfinite(dp) & np.isfinite(do)
    dp, do = dp[ok], do[ok]
    if len(dp) < 3 or dp.mean() >= 0:
        return None

    def share(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        result: np.ndarray = -np.mean(y, axis=axis) / np.mean(x, axis=axis)
        return result

    value = float(share(dp, do))
    ci = stats.bootstrap(
        (dp, do), share, paired=True, vectorized=True, n_resamples=2000,
        random_state=np.random.default_rng(0),
    ).confidence_interval  # fmt: skip
    return {
        "metric": DISPLACED,
        "mean_a": math.nan,
        "mean_b": math.nan,
        "diff": value,
        "ci95_low": float(ci.low),
        "ci95_high": float(ci.high),
        "n": len(dp),
        "relative": math.nan,
    }


def describe(c: Comparison) -> str:
    how = (
        "paired by replication (same seeds: common random numbers)"
        if c.paired
        else "independent samples (the seeds differ), Welch's interval"
    )
    lines = [f"B - A, where A = {c.a.name} ({c.a.folder}) and B = {c.b.name} ({c.b.folder}); {how}"]
    if c.left_out_a or c.left_out_b:
        lines.append(
            f"A, B and B - A are over the {c.shared} replications both runs have; left out: "
            f"{c.left_out_a} of A's {c.shared + c.left_out_a} replications and "
            f"{c.left_out_b} of B's {c.shared + c.left_out_b}"
        )
    ha, hb = _horizon(c.a), _horizon(c.b)
    if ha is not None and hb is not None and ha != hb:
        lines.append(
            f"warning: the horizons differ (A: {ha:g} days, B: {hb:g} days); totals cover "
            "different spans of time, so their differences mix the scenarios' effect with the "
            "length of the run"
        )
    return "\n".join(lines)


def _horizon(run: RunData) -> float | None:
    """The run's resolved ``horizon_days``, if its manifest records it."""
    h = run.scenario.get("horizon_days")
    try:
        return float(h) if h is not None else None
    except (TypeError, ValueError):
        return None


@style.styled
def compare_figure(c: Comparison) -> Figure:
    """Relative change of every metric, B against A, with its 95% CI."""
    t = c.table[np.isfinite(c.table["relative"])].reset_index(drop=True)
    skipped = [m for m in c.table["metric"] if m not in set(t["metric"])]
    fig = style.new_figure((11.0, 0.34 * len(t) + 2.2))
    ax = fig.add_subplot()
    y = np.arange(len(t))
    base = t["mean_a"].abs().to_numpy(float)
    rel = 100 * t["relative"].to_numpy(float)
    lo = 100 * (t["ci95_low"].to_numpy(float) / base)
    hi = 100 * (t["ci95_high"].to_numpy(float) / base)
    clear = (lo > 0) | (hi < 0)
    colours = [
        (style.BLUE if r > 0 else style.VERMILLION) if ok else style.GREY
        for r, ok in zip(rel, clear, strict=True)
    ]
    ax.hlines(y, np.nan_to_num(lo), np.nan_to_num(hi), colors=colours, lw=2)
    ax.scatter(rel, y, color=colours, zorder=3, s=28)
    ax.axvline(0, color="#333333", lw=0.8)
    ax.set_yticks(y, [style.label(m) for m in t["metric"]])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(style.Readable())
    ax.set_xlabel(f"Change from A to B (% of A's mean); A = {c.a.name}, B = {c.b.name}")
    for yi, (_, r) in zip(y, t.iterrows(), strict=True):
        ax.annotate(
            f"{_signed(r['metric'], float(r['diff']))}",
            (1.0, yi),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.annotate(
        "B - A",
        (1.0, 1.0),
        xycoords="axes fraction",
        xytext=(6, 4),
        textcoords="offset points",
        va="bottom",
        fontsize=8,
        fontweight="bold",
    )
    how = "paired differences" if c.paired else "differences of means (Welch)"
    # A figure title, wrapped: with long run names it would run past the "B - A" column.
    style.suptitle(fig, f"{c.b.name} against {c.a.name}: {how} with 95% CIs")
    note = "Blue / vermillion: the 95% CI excludes zero (rise / fall); grey: it does not."
    note += " Right: B - A in the metric's own unit (pp: percentage points)."
    if skipped:
        note += " Not drawn (no relative change: A's mean is zero or absent): "
        note += ", ".join(skipped) + "."
    style.footnote(fig, note)
    return fig


def _signed(metric: str, x: float, *, unit: bool = True) -> str:
    """A difference in the metric's unit; a difference of shares is in percentage points."""
    u = style.unit_for(metric)
    v = u(x)
    text = ("+" if v > 0 else "") + style.number(v)
    label = "pp" if u == style.PERCENT else u.short or u.label
    return f"{text} {label}" if unit and label else text


def rows(c: Comparison) -> list[list[str]]:
    """The table as text: metric (unit), A, B, B - A, 95% CI, change; in display units."""
    out = []
    for _, r in c.table.iterrows():
        m = str(r["metric"])
        u = style.unit_for(m)
        ci = (
            f"{style.number(u(r['ci95_low']))} .. {style.number(u(r['ci95_high']))}"
            if np.isfinite(r["ci95_low"])
            else "n/a"
        )
        rel = f"{100 * r['relative']:+.1f}%" if np.isfinite(r["relative"]) else "n/a"
        name = f"{m} ({u.short or u.label})" if u.label else m
        a, b = style.number(u(r["mean_a"])), style.number(u(r["mean_b"]))
        out.append([name, a, b, _signed(m, float(r["diff"]), unit=False), ci, rel])
    return out


def default_folder(results: Path, c: Comparison) -> Path:
    """A fresh ``results/compare/<A>_vs_<B>/<time>`` folder."""
    from sim.experiment.store import new_run_dir

    return new_run_dir(results / "compare", f"{c.a.name}_vs_{c.b.name}")


def check_out(out: Path) -> None:
    """``--out`` must hold no output of coalsim's but an earlier comparison, which a new one
    replaces whole (``store.check_out``): never a run's or a sweep's folder."""
    store_check_out(out, "compare.csv")


def write_comparison(c: Comparison, out: Path) -> list[Path]:
    """compare.csv and figures/compare.png|svg in ``out``; returns the files written.

    ``out`` is checked by ``check_out`` first: never a run's or a sweep's folder.
    """
    check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # e.g. a path under a file, or no permission
        raise ReportError(f"--out {out}: cannot create the folder ({e})") from None
    write_csv(out / "compare.csv", c.table)
    write_atomic(out / "compare.txt", describe(c) + "\n")
    png, svg = style.save(compare_figure(c), out / "figures", "compare")
    return [out / "compare.csv", out / "compare.txt", png, svg]
