"""The finalists of an optimisation, their re-evaluation on fresh replications, and the
table of plans reported (``sim.study.optimise`` explains the three stages)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiment.executors import Executor
from sim.experiment.gains import mean_ci, paired_difference, paired_ratio
from sim.study.optimise import SPEND, Counter, evaluate, plan_json
from sim.study.problem import Problem, vessels

if TYPE_CHECKING:
    import optuna

REFERENCE = "reference"


@dataclass(frozen=True)
class Final:
    """The plans re-evaluated: labels, variable values, and their runs in each block."""

    labels: list[str]
    params: list[dict[str, Any]]
    selection: list[pd.DataFrame]
    estimate: list[pd.DataFrame]


def feasible_trials(problem: Problem, study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """Complete, simulated trials within every budget, one per distinct plan."""
    from optuna.trial import TrialState

    out: dict[str, optuna.trial.FrozenTrial] = {}
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if t.user_attrs.get("simulated") and all(v <= 0 for v in t.constraints.values()):
            out.setdefault(json.dumps(t.params, sort_keys=True), t)
    return list(out.values())


def _signed(problem: Problem, values: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Objective values, one row per plan, turned so that smaller is better for each."""
    signs = [1.0 if o.goal == "minimise" else -1.0 for o in problem.spec.objectives]
    return np.asarray(values, dtype=float).reshape(-1, len(signs)) * signs


def fronts(points: np.ndarray) -> list[list[int]]:
    """Indices of ``points`` (smaller is better in every column) by non-dominated front."""
    left = list(range(len(points)))
    out: list[list[int]] = []
    while left:
        front = [
            i
            for i in left
            if not any(
                np.all(points[j] <= points[i]) and np.any(points[j] < points[i]) for j in left
            )
        ]
        out.append(front)
        left = [i for i in left if i not in front]
    return out


def finalists(problem: Problem, study: optuna.Study) -> list[dict[str, Any]]:
    """The leading feasible plans by their search means: the best ``finalists`` with one
    objective; with several, whole Pareto fronts in turn until there are enough."""
    trials = feasible_trials(problem, study)
    k = problem.spec.search.finalists
    points = _signed(problem, [t.values for t in trials])
    chosen: list[int] = []
    for front in fronts(points):
        chosen += sorted(front, key=lambda i: tuple(points[i]))
        if len(chosen) >= k:
            break
    return [dict(trials[i].params) for i in chosen[:k]]


def final_stage(
    problem: Problem, plans: list[dict[str, Any]], executor: Executor, count: Counter
) -> Final:
    """The reference and the finalists on fresh replications: a selection block, then an
    estimate block, neither used by the search."""
    search = problem.spec.search
    params = [problem.reference(), *plans]
    labels = [REFERENCE] + [f"plan {i + 1}" for i in range(len(plans))]
    jsons = [plan_json(problem, p) for p in params]
    first = search.replications
    cut = first + search.selection_replications
    runs = evaluate(problem, jsons, range(first, cut + search.final_replications), executor, count)
    return Final(
        labels,
        params,
        [r[r.replication < cut].reset_index(drop=True) for r in runs],
        [r[r.replication >= cut].reset_index(drop=True) for r in runs],
    )


def chosen(problem: Problem, final: Final) -> list[int]:
    """The winner (one objective) or the Pareto front (several), among the finalists
    within budget on the selection block; never the reference by default."""
    b = problem.spec.budget
    ok = [
        i
        for i in range(1, len(final.labels))
        if b.spend_rmb is None or final.selection[i][SPEND].mean() <= b.spend_rmb
    ]
    if not ok:
        return []
    means = [[final.selection[i][o.metric].mean() for o in problem.spec.objectives] for i in ok]
    points = _signed(problem, means)
    front = fronts(points)[0]
    if len(problem.spec.objectives) == 1:
        front = [min(front, key=lambda j: float(points[j][0]))]
    return [ok[j] for j in front]


def plans_table(problem: Problem, final: Final, picked: list[int]) -> pd.DataFrame:
    """One row per re-evaluated plan, every figure from the estimate block: each
    objective's mean and CI, its paired gain over the reference, the spend, and coal
    stopped and revenue denied per yuan of extra spend."""
    ref = final.estimate[0]
    rows = []
    for i, label in enumerate(final.labels):
        runs = final.estimate[i]
        row: dict[str, Any] = {"plan": label, "chosen": i in picked}
        row.update(final.params[i])
        row["vessels"] = vessels(problem.scenario(final.params[i]))
        for m in dict.fromkeys([o.metric for o in problem.spec.objectives] + [SPEND]):
            _put(row, m, mean_ci(runs[m].to_numpy()))
            _put(row, f"{m}_vs_reference", paired_difference(runs[m].to_numpy(), ref[m].to_numpy()))
        extra = runs[SPEND].to_numpy() - ref[SPEND].to_numpy()
        stopped = ref["tonnes_delivered"].to_numpy() - runs["tonnes_delivered"].to_numpy()
        denied = ref["dprk_revenue_rmb"].to_numpy() - runs["dprk_revenue_rmb"].to_numpy()
        _put(row, "coal_stopped_per_million_rmb", paired_ratio(stopped, extra, scale=1e6))
        _put(row, "revenue_denied_per_rmb", paired_ratio(denied, extra))
        row["replications"] = len(runs)
        rows.append(row)
    return pd.DataFrame(rows)


def _put(row: dict[str, Any], name: str, e: Any) -> None:
    row[name], row[f"{name}_low"], row[f"{name}_high"] = e.mean, e.low, e.high
