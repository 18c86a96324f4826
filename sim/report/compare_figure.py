"""The comparison's figure: B - A for every metric, with its 95% CI, in two panels.

One x-axis cannot carry every metric. "% of A's mean" puts counts, amounts and
shares on one scale, but a metric that is itself a change or a net position
(``metric_ranges.SIGNED``) can have an A mean near zero by chance: -39 t/day
made a -1,386% row that stretched the shared axis to -2,200..+1,000% and
squashed the forty other rows to dots at 0. So:

- the upper panel draws as % of A only the rows whose ``relative`` is set
  (``compare._clear_of_zero``: a metric that cannot be negative, A's mean
  clear of zero), on an axis cut to a robust range; a row whose point or CI
  runs past it ends in an arrow at the edge and is given in text, so nothing
  off-scale is hidden;
- the lower panel draws the rest, the signed metrics, the displaced share and
  the counts whose A mean is zero or near it, each row on its own scale around
  zero: its position says the sign and whether the CI excludes zero, and the
  right-hand column gives B - A and the CI in the metric's unit.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics.ranges import metric_range
from sim.report import style
from sim.report.compare import DISPLACED, Comparison, signed

ROW_INCHES = 0.34
"""Height of one row: room for one line of 10-point label and an off-scale note above it."""

LABEL_CHARS = 58
"""Row labels longer than this are wrapped to two lines (the displaced share's is 84)."""

FENCE = 4.0
"""The upper panel's axis reaches every |point| and |CI end| up to ``FENCE`` times their
upper quartile: the few far beyond (a ratio to a small A) run off it instead of setting
it for all the others."""


@dataclass(frozen=True)
class Rows:
    """A panel's rows: the table's rows, their labels and where they sit on the y-axis."""

    table: pd.DataFrame
    labels: list[str]
    y: np.ndarray
    height: float
    """The panel's height in rows (a wrapped label takes 1.6)."""


def _rows(table: pd.DataFrame) -> Rows:
    labels = ["\n".join(textwrap.wrap(style.label(str(m)), LABEL_CHARS)) for m in table["metric"]]
    heights = np.array([1.0 + 0.6 * x.count("\n") for x in labels])
    y = np.cumsum(heights) - heights / 2
    return Rows(table.reset_index(drop=True), labels, y, float(heights.sum()))


def robust_limits(low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    """The x-range of the % panel: 0 and every CI end, but for the ends beyond ``FENCE``
    times the upper quartile of |end| (a boxplot's outlier rule, on magnitudes)."""
    ends = np.concatenate([low, high])
    ends = ends[np.isfinite(ends)]
    if not len(ends) or not np.any(ends):
        return (-5.0, 5.0)  # nothing moved: a few % either side of the zero line
    fence = FENCE * max(float(np.quantile(np.abs(ends), 0.75)), 1.0)
    kept = ends[np.abs(ends) <= fence]
    left = min(float(kept.min()), 0.0) if len(kept) else -fence
    right = max(float(kept.max()), 0.0) if len(kept) else fence
    pad = 0.04 * (right - left)
    return (left - pad, right + pad)


def _colour(low: float, high: float, point: float) -> str:
    """Blue / vermillion when the CI excludes zero (a rise / a fall), grey otherwise."""
    if np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0):
        return style.BLUE if point > 0 else style.VERMILLION
    return style.GREY


def _pct(x: float) -> str:
    return ("+" if x > 0 else "") + style.number(x) + "%"


def _set_rows(ax: Axes, rows: Rows) -> None:
    ax.set_yticks(rows.y, rows.labels)
    ax.set_ylim(rows.height + 0.2, -0.75)  # top row first; room above it for a note
    ax.grid(axis="y", visible=False)
    ax.axvline(0, color="#333333", lw=0.8)


def _right_column(ax: Axes, rows: Rows, texts: list[str], header: str) -> None:
    """Text just right of the axes, one per row, under a bold header."""
    for yi, text in zip(rows.y, texts, strict=True):
        ax.annotate(
            text,
            (1.0, yi),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.annotate(
        header,
        (1.0, 1.0),
        xycoords="axes fraction",
        xytext=(6, 4),
        textcoords="offset points",
        va="bottom",
        fontsize=8,
        fontweight="bold",
    )


def _relative_panel(ax: Axes, rows: Rows) -> None:
    """B - A as % of A's mean, on a robust axis; what runs off it ends in an arrow and
    is written out next to it."""
    t = rows.table
    base = t["mean_a"].to_numpy(float)  # > 0 for every row here (``_clear_of_zero``)
    point = 100 * t["relative"].to_numpy(float)
    low = 100 * t["ci95_low"].to_numpy(float) / base
    high = 100 * t["ci95_high"].to_numpy(float) / base
    left, right = robust_limits(np.where(np.isfinite(low), low, point), high)
    ax.set_xlim(left, right)
    for yi, p, lo, hi in zip(rows.y, point, low, high, strict=True):
        colour = _colour(lo, hi, p)
        lo_, hi_ = (lo, hi) if np.isfinite(lo) else (p, p)
        ax.hlines(yi, max(lo_, left), min(hi_, right), colors=colour, lw=2)
        if left <= p <= right:
            ax.scatter([p], [yi], color=colour, zorder=3, s=28)
        off_left, off_right = min(lo_, p) < left, max(hi_, p) > right
        for edge, marker, off in ((left, "<", off_left), (right, ">", off_right)):
            if off:
                ax.plot([edge], [yi], marker=marker, color=colour, ms=7, clip_on=False, zorder=4)
        if off_left or off_right:
            ci = f" ({_pct(lo)} to {_pct(hi)})" if np.isfinite(lo) else ""
            at, ha, dx = (right, "right", -8) if off_right else (left, "left", 8)
            ax.annotate(
                f"off scale: {_pct(p)}{ci}",
                (at, yi),
                xytext=(dx, 3),
                textcoords="offset points",
                ha=ha,
                va="bottom",
                fontsize=7.5,
                color=colour if colour != style.GREY else "#555555",
            )
    ax.xaxis.set_major_formatter(style.Readable())
    ax.set_xlabel("Change from A to B (% of A's mean)")
    ax.set_title("Counts, amounts and shares: % of A's mean", loc="left", fontsize=10)
    _right_column(
        ax,
        rows,
        [signed(str(m), float(d)) for m, d in zip(t["metric"], t["diff"], strict=True)],
        "B - A",
    )


def _with_ci(metric: str, d: float, lo: float, hi: float) -> str:
    """'-540 t/day (-875 to -206)': the value and its CI in the metric's unit."""
    if not np.isfinite(lo):
        return signed(metric, d)
    ends = f"{signed(metric, lo, unit=False)} to {signed(metric, hi, unit=False)}"
    return f"{signed(metric, d)} ({ends})"


def _own_scale_panel(ax: Axes, rows: Rows) -> None:
    """Each row divided by its own largest |end|: the sign and whether the CI holds zero
    read off the position; the numbers, in units, in the right-hand column."""
    t = rows.table
    d = t["diff"].to_numpy(float)
    low, high = t["ci95_low"].to_numpy(float), t["ci95_high"].to_numpy(float)
    for yi, di, lo, hi in zip(rows.y, d, low, high, strict=True):
        lo_, hi_ = (lo, hi) if np.isfinite(lo) else (di, di)
        scale = max(abs(lo_), abs(hi_), abs(di))
        s = scale if scale > 0 else 1.0
        colour = _colour(lo, hi, di)
        ax.hlines(yi, lo_ / s, hi_ / s, colors=colour, lw=2)
        ax.scatter([di / s], [yi], color=colour, zorder=3, s=28)
    ax.set_xlim(-1.12, 1.12)
    ax.set_xticks([0.0], ["0"])
    ax.set_xlabel("B - A, each row on its own scale (its widest end at the edge)")
    ax.set_title("Changes, net positions and others: not as % of A", loc="left", fontsize=10)
    texts = [_with_ci(str(m), *v) for m, *v in zip(t["metric"], d, low, high, strict=True)]
    _right_column(ax, rows, texts, "B - A (95% CI)")


@style.styled
def compare_figure(c: Comparison) -> Figure:
    """B - A for every metric with its 95% CI: as % of A where that means something, in
    the metric's own unit where it does not (see the module's docstring)."""
    t = c.table
    has_diff = np.isfinite(t["diff"].to_numpy(float))
    relative = np.isfinite(t["relative"].to_numpy(float)) & has_diff
    panels = [
        (_rows(t[relative]), _relative_panel),
        (_rows(t[~relative & has_diff]), _own_scale_panel),
    ]
    panels = [(rows, draw) for rows, draw in panels if len(rows.table)]
    body = sum(rows.height for rows, _ in panels)
    fig = style.new_figure((11.0, ROW_INCHES * body + 1.5 * len(panels) + 1.6))
    if panels:
        grid = fig.add_gridspec(len(panels), 1, height_ratios=[r.height + 3 for r, _ in panels])
        for i, (rows, draw) in enumerate(panels):
            ax = fig.add_subplot(grid[i])
            _set_rows(ax, rows)
            draw(ax, rows)
    how = "paired differences" if c.paired else "differences of means (Welch)"
    style.suptitle(
        fig, f"{c.b.name} (B) against {c.a.name} (A): {how} with 95% CIs"
    )  # wrapped: long run names would run past the right-hand column
    note = "Blue / vermillion: the 95% CI excludes zero (rise / fall); grey: it does not."
    drawn = {draw for _, draw in panels}
    if _relative_panel in drawn:
        note += (
            " An arrow at an edge: the point or CI runs off the axis, its value written beside it."
        )
    note += (
        " Right: B - A in the metric's own unit (pp: percentage points; the displaced share is "
        "a share)."
    )
    if _own_scale_panel in drawn:
        where = "Lower panel" if _relative_panel in drawn else "Drawn on each row's own scale"
        note += (
            f" {where}: metrics that take either sign (changes, net positions), whose A mean "
            "can sit near zero by chance, and the displaced share"
        )
        near_zero = [
            style.label(str(m))
            for m, ok in zip(t["metric"], ~relative & has_diff, strict=True)
            if ok and _nonnegative(str(m))
        ]
        if near_zero:
            note += "; and, A's mean being zero or within its 95% CI of zero, "
            note += "; ".join(near_zero)
        note += "."
    missing = [str(m) for m, ok in zip(t["metric"], has_diff, strict=True) if not ok]
    if missing:
        note += " Not drawn (one run has no value): " + ", ".join(missing) + "."
    style.footnote(fig, note)
    return fig


def _nonnegative(metric: str) -> bool:
    return metric != DISPLACED and metric_range(metric)[0] >= 0
