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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from scipy import stats

from sim.experiment.store import check_out as store_check_out
from sim.experiment.store import write_atomic, write_csv
from sim.metrics.ranges import metric_range
from sim.metrics.units import PERCENT, counted
from sim.report import style
from sim.report.compare_inputs import differing
from sim.report.compare_inputs import lines as input_lines
from sim.report.data import ReportError, RunData, load_run, mean_ci, read_manifest

KEYS = ("replication", "seed", "point")


@dataclass(frozen=True)
class Comparison:
    a: RunData
    b: RunData
    table: pd.DataFrame
    """metric, mean_a, mean_b, diff, ci95_low, ci95_high, n, relative. ``relative`` is
    diff / mean_a, only where it means something (``_clear_of_zero``); NaN elsewhere."""
    paired: bool
    shared: int = 0
    """Replications both runs have: the only ones the table is computed on."""
    left_out_a: int = 0
    """A's replications that B does not have (left out of every column)."""
    left_out_b: int = 0
    """B's replications that A does not have (left out of every column)."""
    inputs: list[tuple[str, str, str]] = field(default_factory=list)
    """(key path, A's value, B's value) of every input the runs differ in
    (``compare_inputs.differing``)."""


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
        rel = d / mean_a if _clear_of_zero(m, ya) else math.nan
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
        inputs=differing(a.scenario, b.scenario),
    )


def _clear_of_zero(metric: str, a: np.ndarray) -> bool:
    """Whether B - A as a share of A's mean means something for ``metric``.

    Only for a metric that cannot be negative (a count, an amount, a share): a change
    or a net position can sit near zero by chance (-39 t/day gave -1,386%) and its sign
    flips the ratio's. And only when A's mean is clear of zero, beyond its own 95% CI
    half-width: a ratio to a mean that could as well be zero is noise (a lumpy count
    with A's mean 0.2 reads "+20,000%"). With a single replication there is no interval
    and a positive mean is taken as it is.
    """
    if metric_range(metric)[0] < 0 or not len(a):
        return False
    mean, lo, hi, _ = mean_ci(a)
    return bool(mean > 0 and not (hi - lo) / 2 >= mean)


def relative_ci(metric: str, mean_a: float, low: float, high: float) -> tuple[float, float, bool]:
    """B - A's 95% CI as a share of A's mean, and whether its low end was cut.

    As a share of A, B - A is B / A - 1, and a metric that cannot be negative (every
    metric drawn so, ``_clear_of_zero``) has B / A >= 0: it can fall by all of A, never
    more. Student's t knows nothing of that and reached -180% with a few replications;
    the part below -100% holds no possible value, so it is cut, as run tables cut an
    interval at a metric's range and mark the cut end. The top end is left alone: a
    share's ceiling of 1 bounds B / A by 1 / A's true mean, which is not known.
    """
    lo, hi = low / mean_a, high / mean_a
    floor = metric_range(metric)[0] / mean_a - 1.0  # -1 for a range starting at 0
    cut = bool(np.isfinite(lo) and lo < floor)
    return (floor if cut else lo), hi, cut


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


def describe(c: Comparison, most: int | None = 20) -> str:
    """How the runs were compared, the inputs they differ in (the first ``most``) and any
    warning."""
    how = (
        "paired by replication (same seeds: common random numbers)"
        if c.paired
        else "independent samples (the seeds differ), Welch's interval"
    )
    lines = [f"B - A, where A = {c.a.name} ({c.a.folder}) and B = {c.b.name} ({c.b.folder}); {how}"]
    if c.left_out_a or c.left_out_b:
        lines.append(
            f"A, B and B - A are over the {counted(c.shared, 'replication')} both runs have; "
            f"left out: {c.left_out_a} of A's {c.shared + c.left_out_a} replications and "
            f"{c.left_out_b} of B's {c.shared + c.left_out_b}"
        )
    ha, hb = _horizon(c.a), _horizon(c.b)
    if ha is not None and hb is not None and ha != hb:
        lines.append(
            f"warning: the horizons differ (A: {ha:g} days, B: {hb:g} days); totals cover "
            "different spans of time, so their differences mix the scenarios' effect with the "
            "length of the run"
        )
    return "\n".join(lines + input_lines(c.inputs, most))


def _horizon(run: RunData) -> float | None:
    """The run's resolved ``horizon_days``, if its manifest records it."""
    h = run.scenario.get("horizon_days")
    try:
        return float(h) if h is not None else None
    except (TypeError, ValueError):
        return None


def signed(metric: str, x: float, *, unit: bool = True) -> str:
    """A difference in the metric's unit; a difference of shares is in percentage points.

    The displaced share is not a difference but a share (of B's loss at the pressured
    ports), so it reads "83%", not "+83 pp".
    """
    if metric == DISPLACED:
        return f"{style.number(100 * x)}%" if unit else style.number(100 * x)
    u = style.unit_for(metric)
    v = u(x)
    text = ("+" if v > 0 else "") + style.number(v)
    label = "pp" if u == PERCENT else u.short or u.label
    return f"{text} {label}" if unit and label else text


COLUMNS = ("metric (unit)", "A", "B", "B - A", "95% CI", "change")
"""The table's columns: the metric's is left-aligned, the numbers right-aligned."""


def title(c: Comparison) -> str:
    return f"{c.b.name} - {c.a.name}: difference of means with 95% CI"


def text_table(c: Comparison) -> str:
    """The printed table as plain text in aligned columns, for compare.txt: a file to read
    or diff without a terminal's box drawing, one line a metric whatever its length."""
    body = rows(c)
    widths = [max(len(r[i]) for r in [list(COLUMNS), *body]) for i in range(len(COLUMNS))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(x.rjust(w) for x, w in zip(rest, widths[1:], strict=True))]
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([title(c), "", line(list(COLUMNS)), rule, *map(line, body)])


def rich_table(c: Comparison, fit: int | None = None) -> tuple[Table, int]:
    """The table for the terminal, and the width it takes to print it whole.

    No cell is ever folded: rich, left to fit a table into 80 columns, breaks metric
    names ("shipments_seized_pa" / "trol"), and at some widths squeezes a column to
    nothing or crops the last. Only the CI may wrap, at its " .. ", when that makes the
    table fit ``fit`` columns (a terminal's width), drawn then without its outer border;
    otherwise, and when piped (``fit`` None), the table is as wide as its longest row,
    which the caller must give it.
    """
    body = rows(c)

    def build(ci_width: int | None) -> Table:
        narrow = ci_width is not None  # and without the outer border: 4 columns more
        table = Table(title=title(c), show_edge=not narrow, pad_edge=not narrow)
        for name in COLUMNS:
            wraps = name == "95% CI" and ci_width is not None
            table.add_column(
                name,
                justify="left" if name == COLUMNS[0] else "right",
                no_wrap=not wraps,
                width=ci_width if wraps else None,
            )
        for row in body:
            table.add_row(*row)
        return table

    def width(table: Table) -> int:
        return Console(width=10_000).measure(table).maximum

    full = build(None)
    full_width = width(full)
    if fit is None or full_width <= fit:
        return full, full_width
    ends = [row[4].split(" .. ") for row in body]
    ci = max([len("95% CI")] + [max(len(e[0]) + 3, len(e[-1])) for e in ends])
    narrow = build(ci)
    narrow_width = width(narrow)
    return (narrow, narrow_width) if narrow_width <= fit else (full, full_width)


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
        out.append([name, a, b, signed(m, float(r["diff"]), unit=False), ci, rel])
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
    """compare.csv, compare.txt (the table and its notes) and figures/compare.png|svg in
    ``out``; returns the files written.

    ``out`` is checked by ``check_out`` first: never a run's or a sweep's folder.
    """
    check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # e.g. a path under a file, or no permission
        raise ReportError(f"--out {out}: cannot create the folder ({e})") from None
    from sim.report.compare_figure import compare_figure  # which imports this module

    write_csv(out / "compare.csv", c.table)
    write_atomic(out / "compare.txt", f"{text_table(c)}\n\n{describe(c, None)}\n")
    write_csv(out / "inputs.csv", pd.DataFrame(c.inputs, columns=["key", "a", "b"]))
    png, svg = style.save(compare_figure(c), out / "figures", "compare")
    return [out / "compare.csv", out / "compare.txt", out / "inputs.csv", png, svg]
