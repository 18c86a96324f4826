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
- the right-hand panel gives the rest, the signed metrics, the displaced share
  and the counts whose A mean is zero or near it, as B - A and its CI written
  in the metric's unit, coloured as the bars are. Drawing these on one axis
  would mix t/day, M RMB and days; drawing each on its own scale (as before)
  gave rows whose scales no reader could see. Side by side, the two panels
  keep the figure about 2,000 px tall at the report's dpi instead of 3,000.
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
from sim.report.compare import DISPLACED, Comparison, relative_ci, signed

ROW_INCHES = 0.27
"""Height of one row: room for one line of 9-point label and an off-scale note above it."""

BODY_INCHES = 10.6
"""The rows' height at most while rows can be packed closer, down to ``TIGHT_ROW_INCHES``:
with the title and footnote this keeps the figure within about 2,000 px at 150 dpi."""

TIGHT_ROW_INCHES = 0.21
"""The closest rows: a 9-point label and a little space."""

LABEL_CHARS = (48, 34)
"""Row labels longer than this are wrapped, in the left and the right panel (the displaced
share's is 84 characters); the right panel leaves room for the values in text."""

LABEL_POINTS = 9.0

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


def _rows(table: pd.DataFrame, chars: int) -> Rows:
    labels = ["\n".join(textwrap.wrap(style.label(str(m)), chars)) for m in table["metric"]]
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


def _set_rows(ax: Axes, rows: Rows, height: float) -> None:
    """Row labels, top row first, on a y-range of ``height`` rows shared by both panels so
    their rows have the same pitch."""
    ax.set_yticks(rows.y, rows.labels, fontsize=LABEL_POINTS)
    ax.set_ylim(height + 0.2, -0.75)  # room above the top row for a note
    ax.grid(axis="y", visible=False)


def _right_column(ax: Axes, rows: Rows, texts: list[str], header: str, size: float = 8) -> None:
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
        fontsize=size,
        fontweight="bold",
    )


def _relative_panel(ax: Axes, rows: Rows) -> None:
    """B - A as % of A's mean, on a robust axis; what runs off it ends in an arrow and
    is written out next to it."""
    t = rows.table
    point = 100 * t["relative"].to_numpy(float)
    # mean_a > 0 for every row here (``_clear_of_zero``); the CI cut at -100%
    cis = _relative_cis(t)
    low = 100 * np.array([c[0] for c in cis], dtype=float)
    high = 100 * np.array([c[1] for c in cis], dtype=float)
    low_cut = [c[2] for c in cis]
    left, right = robust_limits(np.where(np.isfinite(low), low, point), high)
    ax.set_xlim(left, right)
    ax.axvline(0, color="#333333", lw=0.8)
    for yi, p, lo, hi, cut in zip(rows.y, point, low, high, low_cut, strict=True):
        colour = _colour(lo, hi, p)
        lo_, hi_ = (lo, hi) if np.isfinite(lo) else (p, p)
        ax.hlines(yi, max(lo_, left), min(hi_, right), colors=colour, lw=2)
        if cut and lo_ >= left:  # the cut end, marked as the tables mark theirs
            ax.annotate("*", (lo_, yi), xytext=(-2, 1), textcoords="offset points",
                        ha="right", va="center", fontsize=9, color=colour)  # fmt: skip
        if left <= p <= right:
            ax.scatter([p], [yi], color=colour, zorder=3, s=28)
        off_left, off_right = min(lo_, p) < left, max(hi_, p) > right
        for edge, marker, off in ((left, "<", off_left), (right, ">", off_right)):
            if off:
                ax.plot([edge], [yi], marker=marker, color=colour, ms=7, clip_on=False, zorder=4)
        if off_left or off_right:
            ci = f" ({_pct(lo)}{'*' * cut} to {_pct(hi)})" if np.isfinite(lo) else ""
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
    ax.set_xlabel("Change from A to B\n(% of A's mean)")
    ax.set_title("Counts, amounts, shares:\nB - A as % of A's mean", loc="left", fontsize=10)
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


def _units_panel(ax: Axes, rows: Rows) -> None:
    """A dot per row in the colour that says whether the CI excludes zero, and B - A with
    its CI written beside it in the metric's unit: no scale to guess at."""
    t = rows.table
    d = t["diff"].to_numpy(float)
    low, high = t["ci95_low"].to_numpy(float), t["ci95_high"].to_numpy(float)
    colours = [_colour(lo, hi, di) for di, lo, hi in zip(d, low, high, strict=True)]
    ax.scatter(np.full(len(d), 0.5), rows.y, color=colours, zorder=3, s=28)
    ax.set_xlim(0.0, 1.0)
    ax.set_xticks([])
    ax.tick_params(left=False)
    ax.grid(visible=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    texts = [_with_ci(str(m), *v) for m, *v in zip(t["metric"], d, low, high, strict=True)]
    # the panel's title heads the text column: a title on the narrow axes of dots would
    # reach past the layout's reckoning and off the figure
    _right_column(ax, rows, texts, "Either sign, or A near zero:\nB - A (95% CI) in units", 10)


@style.styled
def compare_figure(c: Comparison) -> Figure:
    """B - A for every metric with its 95% CI: as % of A where that means something, in
    the metric's own unit where it does not (see the module's docstring)."""
    t = c.table
    has_diff = np.isfinite(t["diff"].to_numpy(float))
    relative = np.isfinite(t["relative"].to_numpy(float)) & has_diff
    panels = [
        (_rows(t[relative], LABEL_CHARS[0]), _relative_panel),
        (_rows(t[~relative & has_diff], LABEL_CHARS[1]), _units_panel),
    ]
    panels = [(rows, draw) for rows, draw in panels if len(rows.table)]
    body = max((rows.height for rows, _ in panels), default=0.0)
    pitch = max(TIGHT_ROW_INCHES, min(ROW_INCHES, BODY_INCHES / max(body, 1.0)))
    fig = style.new_figure((11.0, pitch * body + 3.4))
    if panels:  # side by side, on rows of one pitch; the dots need no width
        widths = [1.0 if draw is _relative_panel else 0.06 for _, draw in panels]
        if _relative_panel not in {draw for _, draw in panels}:
            widths.append(1.0)  # an empty column keeps the dots beside their labels
        grid = fig.add_gridspec(1, len(widths), width_ratios=widths)
        for i, (rows, draw) in enumerate(panels):
            ax = fig.add_subplot(grid[i])
            _set_rows(ax, rows, body)
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
        if any(c[2] for c in _relative_cis(t[relative])):
            note += " *: the CI cut at -100%, as far as a metric that cannot be negative can fall."
    note += (
        " B - A is given in the metric's own unit (pp: percentage points; the displaced share "
        "is a share)."
    )
    if _units_panel in drawn:
        where = "Right panel" if _relative_panel in drawn else "Written in units"
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
    style.footnote(fig, _inputs_note(c) + " " + note)
    return fig


INPUTS_SHOWN = 6


def _inputs_note(c: Comparison) -> str:
    """The inputs the runs differ in, first: what B - A is the effect of."""
    if not c.inputs:
        return "Inputs: the same scenario (names aside)."
    shown = "; ".join(f"{k}: {a} -> {b}" for k, a, b in c.inputs[:INPUTS_SHOWN])
    more = len(c.inputs) - INPUTS_SHOWN
    return f"Inputs that differ (A -> B): {shown}" + (
        f"; and {more} more (inputs.csv)." if more > 0 else "."
    )


def _relative_cis(t: pd.DataFrame) -> list[tuple[float, float, bool]]:
    """Each row's B - A as a share of A: its CI's ends, and whether the low one is cut."""
    return [
        relative_ci(str(m), a, lo, hi)
        for m, a, lo, hi in zip(
            t["metric"], t["mean_a"], t["ci95_low"], t["ci95_high"], strict=True
        )
    ]


def _nonnegative(metric: str) -> bool:
    return metric != DISPLACED and metric_range(metric)[0] >= 0
