"""The calibration report's figures, each drawn from saved tables only.

- targets: each figure's accepted values against the posterior-predictive
  median and 90% interval, one panel per target, in the metric's display unit;
- parameters: each parameter's prior density against its weighted posterior;
- pairs: the posterior worlds of every pair of parameters, each point sized by
  its weight;
- identifiability: how many error standard deviations each target moves when
  each parameter crosses its prior (Morris mu_star / sd); 1 or more constrains.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.calibrate.schema import Parameter
from sim.report import style


def _unit(metric: str, x: float) -> float:
    return float(style.unit_for(metric)(x))


@style.styled
def targets_figure(check: pd.DataFrame, predictive: pd.DataFrame, scales: list[float]) -> Figure:
    n = len(check)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = style.new_figure((3.6 * cols, 2.6 * rows + 0.6))
    for k, r in enumerate(check.to_dict("records")):
        ax = fig.add_subplot(rows, cols, k + 1)
        metric = str(r["metric"])
        sim = predictive[metric].to_numpy(dtype=float) * scales[k]
        sim = np.array([_unit(metric, v) for v in sim if np.isfinite(v)])
        if sim.size:
            ax.hist(sim, bins=20, color=style.SKY_BLUE, alpha=0.7, label="posterior predictive")
        lo, hi = (_unit(metric, float(r[k])) for k in ("q05", "q95"))
        ax.axvspan(lo, hi, color=style.BLUE, alpha=0.15, label="simulated 90%")
        ax.axvline(_unit(metric, float(r["median"])), color=style.BLUE, lw=2,
                   label="simulated median")  # fmt: skip
        _observed(ax, metric, r)
        ax.set_title(str(r["target"]), fontsize=10)
        ax.set_xlabel(style.axis_label(metric), fontsize=8)
        ax.set_yticks([])
    fig.axes[0].legend(fontsize=7, loc="upper left")
    style.suptitle(fig, "Targets against the calibrated model")
    return fig


def _observed(ax: Axes, metric: str, r: dict[Hashable, Any]) -> None:
    """The values the figure allows, in orange: an interval's ends, or a bound's arrow."""
    observed = str(r["observed"])
    centre, sd = float(r["centre"]), float(r["error_sd"])
    if observed.startswith(">="):
        x = _unit(metric, centre)
        ax.axvline(x, color=style.ORANGE, lw=2, ls="--", label="observed (at least)")
        ax.annotate(
            "", (x + abs(x) * 0.15, 0.9), (x, 0.9), xycoords=("data", "axes fraction"),
            arrowprops={"arrowstyle": "->", "color": style.ORANGE},
        )  # fmt: skip
        return
    half = 1.6448536269514722 * sd
    for x in (centre - half, centre + half):
        ax.axvline(_unit(metric, x), color=style.ORANGE, lw=2, ls="--")
    ax.plot([], [], color=style.ORANGE, ls="--", label="observed 90%")


@style.styled
def parameters_figure(params: list[Parameter], post: pd.DataFrame) -> Figure:
    n = len(params)
    fig = style.new_figure((3.8 * n, 3.4))
    w = post["weight"].to_numpy(dtype=float)
    for k, p in enumerate(params):
        ax = fig.add_subplot(1, n, k + 1)
        x = post[p.path].to_numpy(dtype=float)
        log = p.prior == "log-uniform"
        edges = np.geomspace(p.low, p.high, 25) if log else np.linspace(p.low, p.high, 25)
        ax.hist(x, bins=list(edges), weights=w, density=True, color=style.BLUE, alpha=0.6,
                label="posterior")  # fmt: skip
        grid = np.geomspace(p.low, p.high, 200) if log else np.linspace(p.low, p.high, 200)
        prior = 1 / (grid * math.log(p.high / p.low)) if log else np.full(200, 1 / (p.high - p.low))
        ax.plot(grid, prior, color=style.ORANGE, lw=2, label="prior")
        if log:
            ax.set_xscale("log")
        ax.set_title(p.path.split(".")[-1], fontsize=10)
        ax.set_xlabel(p.path, fontsize=7)
        ax.set_yticks([])
    fig.axes[0].legend(fontsize=8)
    style.suptitle(fig, "Each parameter: prior and posterior")
    return fig


@style.styled
def pairs_figure(params: list[Parameter], post: pd.DataFrame) -> Figure:
    n = len(params)
    if n < 2:
        raise style.Missing("one parameter: no pairs to draw")
    fig = style.new_figure((3.2 * (n - 1) + 0.8, 3.2 * (n - 1) + 0.8))
    w = post["weight"].to_numpy(dtype=float)
    size = 400 * w / w.max() if w.max() > 0 else np.ones_like(w)
    for i in range(1, n):
        for j in range(i):
            ax = fig.add_subplot(n - 1, n - 1, (i - 1) * (n - 1) + j + 1)
            px, py = params[j], params[i]
            ax.scatter(post[px.path], post[py.path], s=size, color=style.BLUE, alpha=0.4, lw=0)
            ax.set_xlim(px.low, px.high)
            ax.set_ylim(py.low, py.high)
            for p, setter in ((px, ax.set_xscale), (py, ax.set_yscale)):
                if p.prior == "log-uniform":
                    setter("log")
            ax.set_xlabel(px.path.split(".")[-1], fontsize=8)
            ax.set_ylabel(py.path.split(".")[-1], fontsize=8)
    style.suptitle(fig, "Posterior worlds, pair by pair (area: weight)")
    return fig


@style.styled
def identifiability_figure(table: pd.DataFrame) -> Figure:
    targets = list(dict.fromkeys(table["target"]))
    params = list(dict.fromkeys(table["parameter"]))
    grid = np.full((len(targets), len(params)), np.nan)
    for r in table.to_dict("records"):
        grid[targets.index(str(r["target"])), params.index(str(r["parameter"]))] = float(r["ratio"])
    fig = style.new_figure((2.2 * len(params) + 4, 0.5 * len(targets) + 2.2))
    ax = fig.add_subplot(1, 1, 1)
    shown = np.log10(np.clip(grid, 1e-2, 1e3))
    image = ax.imshow(shown, cmap="Blues", vmin=-2, vmax=3, aspect="auto")
    for (a, b), v in np.ndenumerate(grid):
        text = "n/a" if not np.isfinite(v) else f"{v:.2g}" + (" *" if v >= 1 else "")
        ax.text(b, a, text, ha="center", va="center", fontsize=9,
                color="white" if np.isfinite(v) and v > 30 else "black")  # fmt: skip
    ax.set_xticks(range(len(params)), [p.split(".")[-1] for p in params], fontsize=8)
    ax.set_yticks(range(len(targets)), targets, fontsize=8)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="log10(mu_star / error sd)")
    style.suptitle(fig, "Which targets constrain which parameters (* : 1 sd or more)")
    return fig
