"""Truth against what is seen: the run's deliveries and seizures beside what an outside
observer (imagery, AIS, port reports, Coast Guard announcements) saw of them.

Analysts read the public record, never the true volume; this figure shows how
far apart the two are in the simulated world, and the dark figure, the share
of delivered coal that nobody outside saw.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics.ranges import NONNEGATIVE, SHARE
from sim.metrics.units import KT, PERCENT, counted
from sim.report import style
from sim.report.data import RunData, mean_ci
from sim.report.style import Missing

PAIRS = [
    ("Ship-to-ship transfers", "transfers", "observed_transfers"),
    ("Deliveries into port", "port_calls", "observed_port_calls"),
    ("Seizures", "shipments_seized", "announced_seizures"),
]
TONNES = [
    ("Coal delivered", "tonnes_delivered", "observed_tonnes"),
    ("Coal seized", "tonnes_seized", "announced_tonnes_seized"),
]
TRUE_COLOUR, SEEN_COLOUR = style.BLUE, style.ORANGE


def _paired(ax: Axes, data: RunData, rows: list[tuple[str, str, str]], scale: float) -> None:
    """Two bars per row, true above seen, each with its 95% CI."""
    y = np.arange(len(rows))
    for k, (colour, label) in enumerate(((TRUE_COLOUR, "true"), (SEEN_COLOUR, "seen"))):
        stats = [mean_ci(data.metric(r[1 + k]) / scale, NONNEGATIVE) for r in rows]
        means = np.array([s[0] for s in stats])
        err = np.nan_to_num(np.array([[s[0] - s[1], s[2] - s[0]] for s in stats]).T)
        pos = y + (k - 0.5) * 0.38
        ax.barh(pos, means, 0.36, color=colour, xerr=err, capsize=3, label=label)
        for p, m, h in zip(pos, means, err[1], strict=True):
            ax.annotate(
                style.number(m), (m + h, p), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=8,
            )  # fmt: skip
    ax.set_yticks(y, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(style.Readable())
    ax.set_xlim(0, ax.get_xlim()[1] * 1.15)


@style.styled
def truth_and_seen(data: RunData) -> Figure:
    """Counts and tonnes, true against seen, with the dark figure in the title."""
    needed = [m for rows in (PAIRS, TONNES) for r in rows for m in r[1:]]
    needed += ["dark_figure", "shipments_delivered"]
    absent = [m for m in needed if m not in data.runs]
    if absent:
        raise Missing(
            "this run's results have no observation metrics (made before coalsim had an "
            "outside observer)"
        )
    happened = data.runs[["shipments_delivered", "shipments_seized"]].astype(float)
    if not (happened > 0).any(axis=None):
        raise Missing("no cargo was delivered or seized in this run: there was nothing to see")
    fig = style.new_figure((10.0, 5.0))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    _paired(left, data, PAIRS, 1.0)
    left.set_xlabel("Events per run")
    _paired(right, data, TONNES, KT.scale)
    right.set_xlabel("Coal per run (kt)")
    left.legend(loc="lower right")
    dark, lo, hi, n = mean_ci(data.metric("dark_figure"), SHARE)
    shown = f"{style.number(PERCENT(dark))}%"
    if n > 1:
        shown += f" (95% CI {style.number(PERCENT(lo))} to {style.number(PERCENT(hi))}%)"
    style.suptitle(fig, f"{data.name}: what happened and what was seen; dark figure {shown}")
    style.footnote(
        fig,
        f"Bars: mean over {counted(data.replications, 'replication')}; whiskers: 95% CI. Seen: "
        "what an outside observer caught, with the chances of the scenario's [observation] section "
        "(a transfer or port call by a ship with AIS off is seen less often; a seizure counts "
        "when the Coast Guard announces it). Dark figure: the share of delivered coal nobody "
        "outside saw.",
    )
    return fig
