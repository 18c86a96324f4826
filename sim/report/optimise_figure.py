"""The optimisation figure, drawn from a finished optimisation's saved tables alone:
the search (each plan tried, by its search mean) and the re-evaluated plans with their
95% CIs from fresh replications (two objectives: the plans in the plane of both)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from sim.metrics.registry import definition
from sim.report.style import new_figure, panel_gap, save, suptitle


def optimise_figure(folder: Path, objectives: list[str], title: str) -> Path:
    """``figures/optimise.png`` (and .svg) of the optimisation in ``folder``."""
    trials = pd.read_csv(folder / "trials.csv")
    plans = pd.read_csv(folder / "plans.csv")
    fig = new_figure((11.0, 4.4))
    left, right = fig.subplots(1, 2)
    first = definition(objectives[0])
    unit = first.unit
    ok = trials[trials.feasible & trials.simulated]
    bad = trials[~trials.feasible & trials.simulated]
    left.scatter(ok.number, unit(ok[objectives[0]]), s=14, label="within budget")
    if len(bad):
        left.scatter(bad.number, unit(bad[objectives[0]]), s=14, marker="x", color="0.6",
                     label="over budget")  # fmt: skip
    ref = plans[plans.plan == "reference"].iloc[0]
    left.axhline(unit(ref[objectives[0]]), color="0.3", ls="--", lw=1, label="reference")
    reps = int(trials.replications.max())
    left.set(xlabel="plan tried (trial number)", ylabel=first.axis_label,
             title=f"Search: mean of {reps} replications each")  # fmt: skip
    left.legend(fontsize="small")
    if len(objectives) == 1:
        _bars(right, plans, objectives[0])
    else:
        _plane(right, plans, objectives[0], objectives[1])
    panel_gap(fig)
    suptitle(fig, title)
    png, _ = save(fig, folder / "figures", "optimise")
    return png


def _bars(ax: Axes, plans: pd.DataFrame, metric: str) -> None:
    d = definition(metric)
    n = len(plans)
    for k, (_, p) in enumerate(plans.iterrows()):
        color = "C3" if p.chosen else ("0.3" if p.plan == "reference" else "C0")
        mean, low, high = (d.unit(p[c]) for c in (metric, f"{metric}_low", f"{metric}_high"))
        ax.errorbar(mean, n - 1 - k, xerr=[[mean - low], [high - mean]], fmt="o", color=color,
                    capsize=3)  # fmt: skip
    labels = [f"{p} (chosen)" if c else p for p, c in zip(plans.plan, plans.chosen, strict=True)]
    ax.set_yticks(list(range(n))[::-1], labels)
    reps = int(plans.replications.iloc[0])
    ax.set(xlabel=d.axis_label, title=f"Fresh replications: mean and 95% CI ({reps} each)")


def _plane(ax: Axes, plans: pd.DataFrame, mx: str, my: str) -> None:
    dx, dy = definition(mx), definition(my)
    for _, p in plans.iterrows():
        color = "C3" if p.chosen else ("0.3" if p.plan == "reference" else "C0")
        x, y = dx.unit(p[mx]), dy.unit(p[my])
        ax.errorbar(
            x, y, xerr=[[x - dx.unit(p[f"{mx}_low"])], [dx.unit(p[f"{mx}_high"]) - x]],
            yerr=[[y - dy.unit(p[f"{my}_low"])], [dy.unit(p[f"{my}_high"]) - y]],
            fmt="o", color=color, capsize=3,
        )  # fmt: skip
        ax.annotate(p.plan, (x, y), textcoords="offset points", xytext=(4, 4), fontsize="small")
    front = plans[plans.chosen].sort_values(mx)
    ax.plot(dx.unit(front[mx]), dy.unit(front[my]), color="C3", lw=1, label="Pareto front")
    ax.set(xlabel=dx.axis_label, ylabel=dy.axis_label, title="Fresh replications: 95% CIs")
    ax.legend(fontsize="small")
