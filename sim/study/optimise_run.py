"""An optimisation from problem file to results folder: what ``coalsim optimise`` does.

The folder holds ``problem.toml`` (the file as given), ``optimise.json`` (its state:
running, complete or infeasible), ``study.db`` (optuna's SQLite study, which
``--resume`` continues), ``trials.csv`` (every plan tried, with its search means),
``final_runs.csv`` (the re-evaluated plans' fresh replications), ``plans.csv``
(the figures reported), ``optimise.txt`` and ``figures/optimise.png``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import store
from sim.experiment.executors import Executor
from sim.report.optimise_figure import optimise_figure
from sim.scenario.errors import ScenarioError
from sim.study.optimise import Counter, Progress, evaluate, open_study, plan_json, search
from sim.study.optimise_final import (
    REFERENCE,
    Final,
    chosen,
    final_stage,
    finalists,
    plans_table,
)
from sim.study.optimise_text import describe
from sim.study.problem import Problem, load_problem
from sim.study.run import prepare_folder

STATE = "optimise.json"


def prepare(
    path: Path, out: Path | None, resume: Path | None, trials: int | None
) -> tuple[Problem, Path | None]:
    """The checked problem and, on ``--resume``, its folder (checked to be this problem's);
    nothing is written."""
    if resume is not None and out is not None:
        raise ScenarioError("--resume and --out: give one; --resume continues in its own folder")
    problem = load_problem(path, trials)
    if out is not None:
        store.check_out(out)
    if resume is not None:
        state_file = resume / STATE
        if not state_file.is_file():
            raise ScenarioError(f"--resume {resume}: not an optimisation folder (no {STATE})")
        state = json.loads(state_file.read_text())
        if state.get("problem_sha256") != problem.text_sha:
            raise ScenarioError(
                f"--resume {resume}: {path} is not the problem file this folder was started "
                f"with (see {resume / 'problem.toml'}); give that file, or start afresh"
            )
    return problem, resume


def make_folder(problem: Problem, out: Path | None) -> Path:
    return prepare_folder(out, Path("results"), problem.name)


@dataclass(frozen=True)
class Outcome:
    folder: Path
    plans: pd.DataFrame
    text: str
    figure: Path


def run_optimisation(
    problem: Problem, folder: Path, executor: Executor, progress: Progress | None = None
) -> Outcome:
    """Search, select, estimate and write; a problem whose search finds no plan within the
    budget ends with a ``ScenarioError`` (the folder's state says infeasible)."""
    s = problem.spec.search
    state = {**store.base_manifest(), "command": "optimise", "problem": str(problem.source),
             "problem_sha256": problem.text_sha, "name": problem.name}  # fmt: skip
    store.write_atomic(folder / "problem.toml", problem.source.read_text(encoding="utf-8"))
    store.write_atomic(folder / STATE, json.dumps(state, indent=2) + "\n")
    total = (s.trials + 1) * s.replications
    total += (s.finalists + 1) * (s.selection_replications + s.final_replications)
    count = Counter(total, progress)
    reference = problem.reference()
    ref_runs = evaluate(
        problem, [plan_json(problem, reference)], range(s.replications), executor, count
    )[0]
    study = open_study(problem, folder)
    ref_values = [float(ref_runs[o.metric].mean()) for o in problem.spec.objectives]
    search(problem, study, ref_values, executor, count)
    trials = trials_table(problem, study)
    store.write_csv(folder / "trials.csv", trials)
    leading = finalists(problem, study)
    if not leading:
        _finish(folder, state, "infeasible")
        raise ScenarioError(
            f"{problem.source}: budget: none of the {len(trials)} plans tried is within the "
            "budget; raise it, or narrow the variables towards cheaper plans"
        )
    final = final_stage(problem, leading, executor, count)
    picked = chosen(problem, final)
    plans = plans_table(problem, final, picked)
    store.write_csv(folder / "final_runs.csv", final_runs(final))
    store.write_csv(folder / "plans.csv", plans)
    text = describe(problem, plans, trials)
    store.write_atomic(folder / "optimise.txt", text + "\n")
    objectives = [o.metric for o in problem.spec.objectives]
    figure = optimise_figure(folder, objectives, f"{problem.name}: optimisation")
    _finish(folder, state, "complete")
    return Outcome(folder, plans, text, figure)


def _finish(folder: Path, state: dict[str, Any], status: str) -> None:
    state = {**state, "status": status, "finished_at": store.now_iso()}
    store.write_atomic(folder / STATE, json.dumps(state, indent=2) + "\n")


def trials_table(problem: Problem, study: Any) -> pd.DataFrame:
    """Every plan tried, in trial order: its values, fleet, feasibility and search means."""
    from optuna.trial import TrialState

    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        means = t.user_attrs.get("means", {})
        feasible = all(v <= 0 for v in t.constraints.values())
        rows.append({
            "number": t.number, **t.params, "vessels": t.user_attrs.get("vessels"),
            "simulated": bool(t.user_attrs.get("simulated")), "feasible": feasible,
            "replications": problem.spec.search.replications, **means,
        })  # fmt: skip
    return pd.DataFrame(rows)


def final_runs(final: Final) -> pd.DataFrame:
    """Every fresh replication of the re-evaluated plans, with its block."""
    frames = []
    for label, sel, est in zip(final.labels, final.selection, final.estimate, strict=True):
        for block, runs in (("selection", sel), ("estimate", est)):
            frames.append(runs.assign(plan=label, block=block))
    out = pd.concat(frames, ignore_index=True)
    return out[["plan", "block", *[c for c in out.columns if c not in ("plan", "block")]]]


__all__ = ["REFERENCE", "Outcome", "make_folder", "prepare", "run_optimisation"]
