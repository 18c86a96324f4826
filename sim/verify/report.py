"""The verification suite's results as a table, verify.csv, figures and a self-contained page.

One figure per check: the simulated points with their intervals on the
analytic curve (or on the line simulated = analytic when there is no curve).
"""

from __future__ import annotations

import math
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.experiment.store import git_commit, new_run_dir, write_atomic, write_csv
from sim.metrics.units import counted
from sim.report import html, style
from sim.report.tables import Table
from sim.verify.core import Check, Point, Suite

COLUMNS = ["check", "formula", "point", "analytic", "simulated", "interval", "n", "result"]
SERIES_COLOURS = [
    style.BLUE,
    style.ORANGE,
    style.GREEN,
    style.PURPLE,
    style.SKY_BLUE,
    style.BLACK,
    style.GREY,
    style.YELLOW,
]
"""Vermillion is kept for points outside their interval."""


def number(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return style.number(x) if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def interval(p: Point) -> str:
    if not (math.isfinite(p.low) and math.isfinite(p.high)):
        return "n/a"
    if p.low == p.high == p.estimate:
        return "exact"
    return f"{number(p.low)} to {number(p.high)}"


def result(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def rows(suite: Suite) -> list[list[str]]:
    """One row per point; a check's name and formula on its first row only."""
    out = []
    for c in suite.checks:
        for i, p in enumerate(c.points):
            first = i == 0
            out.append(
                [
                    c.title if first else f"({c.level})" if i == 1 else "",
                    c.formula if first else "",
                    p.label,
                    number(p.expected),
                    number(p.estimate),
                    interval(p),
                    f"{p.n:,}",
                    result(p.passed and (c.extra_ok or not first)),
                ]
            )
        for note in c.notes:
            out.append(["", "", f"side condition failed: {note}", "", "", "", "", "FAIL"])
    return out


SECTION_COLUMNS = ["point", "analytic", "simulated", "interval", "n", "result"]


def sections(suite: Suite) -> list[tuple[str, str, list[list[str]]]]:
    """Per check: a title (name and formula), a caption (the interval) and its point rows."""
    out = []
    for c in suite.checks:
        body = [
            [
                p.label,
                number(p.expected),
                number(p.estimate),
                interval(p),
                f"{p.n:,}",
                result(p.passed),
            ]
            for p in c.points
        ]
        body += [[f"side condition failed: {note}", "", "", "", "", "FAIL"] for note in c.notes]
        title = f"{c.title} ({result(c.passed)}): {c.formula}"
        out.append((title, f"{c.mechanism} Interval: {c.level}.", body))
    return out


def summary_line(suite: Suite) -> str:
    failed = [c.title for c in suite.checks if not c.passed]
    n_points = sum(len(c.points) for c in suite.checks)
    verdict = "all passed" if not failed else f"FAILED: {', '.join(failed)}"
    mode = "quick" if suite.quick else "full"
    return (
        f"coalsim verify ({mode}): {counted(len(suite.checks), 'check')}, "
        f"{counted(n_points, 'point')}, "
        f"{verdict}; run time {suite.seconds:.1f} s"
    )


def frame(suite: Suite) -> pd.DataFrame:
    """verify.csv: one row per point."""
    records = [
        {
            "check": c.key,
            "title": c.title,
            "mechanism": c.mechanism,
            "formula": c.formula,
            "interval_kind": c.interval,
            "point": p.label,
            "series": p.series,
            "x": p.x,
            "analytic": p.expected,
            "simulated": p.estimate,
            "ci_low": p.low,
            "ci_high": p.high,
            "n": p.n,
            "passed": p.passed,
            "check_passed": c.passed,
            "check_seconds": c.seconds,
        }
        for c in suite.checks
        for p in c.points
    ]
    return pd.DataFrame(records)


def markdown(suite: Suite) -> str:
    """The table as Markdown, as docs/verification.md shows it."""
    head = ["mechanism", "formula", "point", "analytic", "simulated", "interval", "n", "result"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows(suite):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |")
    return "\n".join([*lines, "", summary_line(suite), ""])


def _colours(check: Check, points: list[Point]) -> dict[str, str]:
    """A colour per series: a curve's own colour for points on that curve."""
    labels = [c.label for c in check.curves]
    names = list(dict.fromkeys(p.series for p in points))
    return {
        n: SERIES_COLOURS[(labels.index(n) if n in labels else k) % len(SERIES_COLOURS)]
        for k, n in enumerate(names)
    }


def _errorbars(
    ax: Axes, check: Check, points: list[Point], xs: np.ndarray, residual: bool = False
) -> None:
    colours = _colours(check, points)
    several = len(colours) > 1
    for series, colour in colours.items():
        idx = [i for i, p in enumerate(points) if p.series == series]
        est = np.array([points[i].estimate for i in idx])
        low = np.array([points[i].low for i in idx])
        high = np.array([points[i].high for i in idx])
        err = np.vstack([np.nan_to_num(est - low), np.nan_to_num(high - est)])
        base = np.array([points[i].expected for i in idx]) if residual else 0.0
        exact = all(points[i].low == points[i].high for i in idx)
        what = check.point_label + (f" ({series})" if several else "")
        what += "" if exact else ", with its interval"
        ax.errorbar(
            xs[idx],
            est - base,
            yerr=err,
            fmt="o",
            ms=5,
            capsize=3,
            lw=1.2,
            color=colour,
            label=what,
            zorder=4,
        )
    bad = [i for i, p in enumerate(points) if not p.passed]
    if bad:
        y = [points[i].estimate - (points[i].expected if residual else 0.0) for i in bad]
        ax.scatter(
            xs[bad],
            y,
            marker="x",
            s=90,
            lw=2,
            color=style.VERMILLION,
            label="fails: theory outside the interval",
            zorder=5,
        )


@style.styled
def figure(check: Check) -> Figure:
    """Simulated points with their intervals on the analytic curve; checks without a curve
    are drawn against the line simulated = analytic, with the residuals underneath."""
    points = list(check.plot or check.points)
    identity = not check.curves and not check.categorical
    residuals = identity and not check.log_axes
    fig = style.new_figure((8.5, 6.4 if residuals else 5.6))
    if residuals:
        ax, res = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.5])
    else:
        ax, res = fig.add_subplot(), None
    xs = _draw_theory(ax, check, points, identity)
    _errorbars(ax, check, points, xs)
    _set_axes(ax, check, points, xs)
    if res is not None:
        _draw_residuals(ax, res, check, points, xs)
    else:
        ax.set_xlabel(check.x_label)
    verdict = "passed" if check.passed else "FAILED"
    ax.set_title("\n".join(textwrap.wrap(f"{check.title} ({verdict}): {check.formula}", 75)))
    ax.legend(loc="best")
    style.footnote(fig, f"Interval: {check.interval}. {check.mechanism}")
    return fig


def _draw_theory(ax: Axes, check: Check, points: list[Point], identity: bool) -> np.ndarray:
    """What theory says: its curves, the line simulated = analytic, or a square per
    category; the points' x positions (a category's index, or the point's x)."""
    for k, c in enumerate(check.curves):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        ax.plot(c.x, c.y, color=colour, lw=1.6, label=f"theory: {c.label}")
    xs = (
        np.arange(len(points), dtype=float)
        if check.categorical
        else np.array([p.x for p in points])
    )
    if identity:
        values = [v for p in points for v in (p.expected, p.estimate) if math.isfinite(v)]
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
        span = (lo / 3, hi * 3) if check.log_axes else (lo - pad, hi + pad)
        ax.plot(span, span, color=style.GREY, ls="--", lw=1.2, label="theory: simulated = analytic")
    if check.categorical:
        ax.scatter(
            xs,
            [p.expected for p in points],
            marker="s",
            s=110,
            facecolors="none",
            edgecolors=style.BLACK,
            lw=1.4,
            label="theory",
            zorder=3,
        )
    return xs


def _set_axes(ax: Axes, check: Check, points: list[Point], xs: np.ndarray) -> None:
    """Log or readable scales; a category's label under its point."""
    if check.log_axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
    else:
        ax.xaxis.set_major_formatter(style.Readable())
        ax.yaxis.set_major_formatter(style.Readable())
    if check.categorical:
        ax.set_xticks(xs, ["\n".join(textwrap.wrap(p.label, 22)) for p in points], fontsize=8)
        ax.set_xlim(-0.6, len(points) - 0.4)
        ax.set_ylim(-0.15, 1.15)
        ax.grid(axis="x", visible=False)
    ax.set_ylabel(check.y_label)


def _draw_residuals(ax: Axes, res: Axes, check: Check, points: list[Point], xs: np.ndarray) -> None:
    """Simulated - analytic under the main panel; a few short point labels on the main one."""
    res.axhline(0.0, color=style.GREY, ls="--", lw=1.2)
    _errorbars(res, check, points, xs, residual=True)
    res.set_ylabel("simulated - analytic")
    res.set_xlabel(check.x_label)
    res.yaxis.set_major_formatter(style.Readable())
    if len(points) <= 8 and all(len(p.label) <= 24 for p in points):
        right = float(np.nanmin(xs) + 0.75 * (np.nanmax(xs) - np.nanmin(xs)))
        for x, p in zip(xs, points, strict=True):
            left = x > right
            ax.annotate(
                p.label,
                (x, p.estimate),
                xytext=(-8 if left else 8, -4),
                textcoords="offset points",
                fontsize=8,
                va="top",
                ha="right" if left else "left",
                color="#333333",
            )


def _table(check_rows: list[list[str]]) -> Table:
    return Table(COLUMNS, check_rows, [18, 26, 34, 10, 10, 20, 8, 6], (3, 4, 5, 6))


def default_folder(results: Path) -> Path:
    """A fresh ``results/verify/<UTC time>`` folder."""
    return new_run_dir(results, "verify")


def write(suite: Suite, folder: Path) -> list[Path]:
    """verify.csv, verify.md, figures/<check>.png|svg and report.html; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "verify.csv", folder / "verify.md", folder / "report.html"]
    write_csv(files[0], frame(suite))
    write_atomic(files[1], markdown(suite))
    blocks = [html.Block("summary", "All checks", summary_line(suite), table=_table(rows(suite)))]
    for c in suite.checks:
        fig = figure(c)
        png, svg = style.save(fig, folder / "figures", c.key)
        files += [png, svg]
        one = Suite([c], suite.quick, c.seconds)
        caption = f"{c.mechanism} Interval: {c.interval}. Run time {c.seconds:.1f} s."
        if c.notes:
            caption += " Side conditions failed: " + "; ".join(c.notes) + "."
        blocks.append(
            html.Block(
                c.key,
                f"{c.title}: {result(c.passed)}",
                caption,
                png=png.read_bytes(),
                alt=f"{c.title} figure",
                files=[f"figures/{c.key}.png", f"figures/{c.key}.svg"],
                table=_table(rows(one)),
            )
        )
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    commit = git_commit()
    meta = f"{summary_line(suite)}. Made {stamp}" + (
        f" from commit {commit[:12]}" if commit else ""
    )
    footer = (
        "Each check runs the model on a small purpose-built world (sim/verify/worlds.py) "
        "and passes when the analytic value lies inside the simulated interval."
    )
    write_atomic(files[2], html.page("coalsim verification", meta, blocks, footer))
    return files
