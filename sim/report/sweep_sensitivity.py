"""The figure of a sobol or morris sweep: each output's sensitivity indices per parameter.

The sweep folder's sensitivity.csv holds them in long form (``metric, parameter, index,
value, ci95_low, ci95_high``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.report import style
from sim.report.data import SweepData
from sim.report.style import Missing
from sim.report.sweep_figures import MAX_PANELS

INDEX_COLOURS = {"S1": style.BLUE, "ST": style.ORANGE, "mu_star": style.BLUE, "sigma": style.ORANGE}
INDEX_LABELS = {
    "S1": "first-order S1",
    "ST": "total ST",
    "mu_star": "μ* (mean |effect|)",
    "sigma": "σ (spread of effects)",  # noqa: RUF001
}


def _sensitivity_panel(ax: Axes, sm: pd.DataFrame, m: str, params: list[str]) -> None:
    """One output's indices as bars, a group of bars a parameter; Morris indices in the
    output's unit, Sobol indices as shares of its variance."""
    indices = list(dict.fromkeys(sm["index"]))
    h = 0.8 / max(len(indices), 1)
    morris = any(i in ("mu_star", "sigma") for i in indices)
    scale = style.unit_for(m).scale if morris else 1.0
    for k, idx in enumerate(indices):
        si = sm[sm["index"] == idx].set_index("parameter").reindex(params)
        y = np.arange(len(params)) + (k - (len(indices) - 1) / 2) * h
        val = si["value"].to_numpy(float) / scale
        err = np.abs(
            np.vstack(
                [
                    val - si["ci95_low"].to_numpy(float) / scale,
                    si["ci95_high"].to_numpy(float) / scale - val,
                ]
            )
        )
        ax.barh(
            y,
            val,
            height=h * 0.9,
            color=INDEX_COLOURS.get(idx, style.GREY),
            xerr=np.nan_to_num(err),
            capsize=2,
            ecolor="#333333",
            label=INDEX_LABELS.get(idx, idx),
        )
    ax.set_yticks(range(len(params)), params)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", lw=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_title(style.label(m), loc="left", fontsize=10)
    unit = style.unit_for(m).label
    ax.set_xlabel(
        "change over the parameter's full range" + (f" ({unit})" if unit else "")
        if morris
        else "Sobol index (share of variance)"
    )
    ax.legend(fontsize=8, loc="lower right")


@style.styled
def sensitivity(sweep: SweepData) -> Figure:
    """Sensitivity indices with 95% CIs, one panel per metric."""
    s = sweep.sensitivity
    if s is None or s.empty:
        raise Missing(
            f"this {sweep.design_kind} sweep saved no sensitivity indices "
            "(sensitivity.csv); they come with sobol and morris designs"
        )
    metrics = [m for m in sweep.outputs if m in set(s["metric"])] or list(
        dict.fromkeys(s["metric"])
    )
    metrics = metrics[:MAX_PANELS]
    params = list(dict.fromkeys(s["parameter"]))
    cols = min(2, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig = style.new_figure((6.0 * cols + 1.0, 0.45 * len(params) * rows + 1.6 * rows + 0.8))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, m in zip(axes.flat, metrics, strict=False):
        _sensitivity_panel(ax, s[s["metric"] == m], m, params)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    style.suptitle(fig, f"{sweep.name}: sensitivity of each output to each parameter")
    note = "Bars: index estimates; whiskers: 95% confidence intervals."
    if any(i in ("mu_star", "sigma") for i in s["index"].astype(str)):
        note += (
            " μ*: the mean absolute change in the output when the parameter moves over its full "
            "range; σ: the spread of those changes."  # noqa: RUF001
        )
    style.footnote(fig, note)
    return fig
