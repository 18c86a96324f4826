"""The words of an optimisation's result: what was searched, the plan(s) chosen, each
figure with its 95% CI from fresh replications, and the paired gain over the reference."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.metrics.registry import DERIVED, definition
from sim.metrics.units import number
from sim.study.optimise import SPEND
from sim.study.problem import Problem


def _ci(row: Any, name: str, unit: Any = None) -> str:
    u = unit or definition(name).unit
    mean, low, high = (row[f"{name}{s}"] for s in ("", "_low", "_high"))
    return f"{number(u(mean))} [{number(u(low))}, {number(u(high))}]"


def _value(v: Any) -> str:
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() or abs(v) >= 1e4 else f"{v:.6g}"
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def _values(problem: Problem, row: Any) -> str:
    return ", ".join(f"{p} = {_value(row[p])}" for p in problem.spec.variables) + (
        f" ({int(row['vessels'])} vessels in all)"
    )


def _plan(problem: Problem, row: Any) -> list[str]:
    lines = [f"{row['plan']}: {_values(problem, row)}"]
    for m in dict.fromkeys([o.metric for o in problem.spec.objectives] + [SPEND]):
        d = definition(m)
        line = f"  {d.label}: {_ci(row, m)} {d.unit.brief}"
        if row["plan"] != "reference":
            line += f"; vs reference {_ci(row, f'{m}_vs_reference', d.unit)} (paired)"
        lines.append(line)
    if row["plan"] != "reference":
        for m in ("coal_stopped_per_million_rmb", "revenue_denied_per_rmb"):
            d = DERIVED[m]
            shown = _ci(row, m, d.unit) + f" {d.unit.brief}"
            if pd.isna(row[m]):
                shown = (
                    "n/a: its spend is not detectably above the reference's, so there is no "
                    "extra spend to divide by (see the paired differences above)"
                )
            lines.append(f"  {d.label}: {shown}")
    return lines


def describe(problem: Problem, plans: pd.DataFrame, trials: pd.DataFrame) -> str:
    """The summary printed and saved as ``optimise.txt``."""
    s = problem.spec.search
    ok = int((trials.feasible & trials.simulated).sum())
    run = int(trials.simulated.sum())
    fresh = s.selection_replications + s.final_replications
    lines = [
        f"{problem.name}: {len(trials)} plans asked, {run} run ({ok} within budget), "
        f"{s.replications} replications each; the {len(plans) - 1} leading and the reference "
        f"run again on {fresh} fresh replications ({s.selection_replications} to choose, "
        f"{s.final_replications} to report: the figures below are from those "
        f"{s.final_replications}, which no choice used).",
    ]
    picked = plans[plans.chosen]
    several = len(problem.spec.objectives) > 1
    if picked.empty:
        lines.append("No finalist is within the spend budget on the fresh replications.")
    else:
        lines.append("Pareto front (chosen):" if several else "Chosen:")
    for _, row in picked.iterrows():
        lines += _plan(problem, row)
    lines.append("Reference (the base scenario):")
    lines += _plan(problem, plans[plans.plan == "reference"].iloc[0])
    others = plans[~plans.chosen & (plans.plan != "reference")]
    if not others.empty:
        lines.append("Other finalists:")
        for _, row in others.iterrows():
            lines += _plan(problem, row)
    return "\n".join(lines)
