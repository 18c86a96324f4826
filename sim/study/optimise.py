"""Search for the best enforcement plan within a budget: what ``coalsim optimise`` does.

Three stages, all on common random numbers (replication ``r`` of every plan sees the
same streams, ``sim.experiment.seeds``):

1. **Search.** optuna's TPE sampler (seeded; integer, float and categorical variables;
   the budget as constraints) proposes plans in fixed-size batches; each is run for
   ``search.replications`` replications 0..R-1 through the executor (serial, processes,
   Dask alike). The study is stored in ``study.db`` (SQLite) so ``--resume`` goes on.
2. **Selection.** The leading plans by their search means (the finalists) and the
   reference plan are run on ``selection_replications`` fresh replications; the winner
   (or, with several objectives, the Pareto front) is chosen on these alone.
3. **Estimate.** The same plans are run on ``final_replications`` further fresh
   replications, and every figure reported comes from these.

A plan's search mean is biased in its favour (it led because its noise was kind), and
so is the selection mean of the plan chosen on it; the estimate replications played no
part in any choice, so the reported figures are unbiased for the plans chosen.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiment.executors import Executor
from sim.experiment.replications import ReplicationFailed, chunk_size, chunks, run_chunk
from sim.metrics.evaluate import evaluate_metrics
from sim.scenario import resolve
from sim.study.problem import Problem, vessels

if TYPE_CHECKING:
    import optuna

Progress = Callable[[int, int], None]
SPEND = "enforcement_spend_rmb"
KEPT = ("tonnes_delivered", "tonnes_seized", "dprk_revenue_rmb", SPEND)
MANIFEST = "manifest.json"
STUDY = "study.db"
ASKS_PER_TRIAL = 20
"""Plans over the vessel budget are told as infeasible without a run and do not count as
trials; the search stops after this many asks per trial all the same."""


@dataclass
class Counter:
    """Replications done of the total the optimisation will run, for the progress bar."""

    total: int
    progress: Progress | None
    done: int = 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


def columns(problem: Problem) -> list[str]:
    """The metrics kept of every replication: the objectives, the spend and the figures
    cost-effectiveness is measured in."""
    return list(dict.fromkeys([o.metric for o in problem.spec.objectives] + list(KEPT)))


def plan_json(problem: Problem, params: dict[str, Any]) -> str:
    """The plan's scenario as the workers receive it, cross-checked (a combination of
    values the variables allow one by one may still be refused)."""
    where = "plan " + ", ".join(f"{k}={v!r}" for k, v in params.items())
    s = problem.scenario(params, where)
    resolve(s, f"{problem.source}: {where}")
    return s.model_dump_json()


def evaluate(
    problem: Problem, plans: Sequence[str], reps: range, executor: Executor, count: Counter
) -> list[pd.DataFrame]:
    """Each plan's kept metrics for replications ``reps`` (rows in replication order)."""
    size = chunk_size(len(plans) * len(reps), len(reps), executor.workers)
    work = [c for i, j in enumerate(plans) for c in chunks(i, j, problem.seed, reps, size)]
    fn = partial(run_chunk, evaluate=evaluate_metrics, catch=True, first=True)
    keep = columns(problem)
    rows: list[list[dict[str, float]]] = [[] for _ in plans]
    for _, res in executor.imap_unordered(fn, work):
        if res.failures:
            raise ReplicationFailed(res.failures[0])
        for r in res.results:
            rows[res.point].append(
                {"replication": r.replication, **{k: r.outputs.metrics[k] for k in keep}}
            )
        count.add(len(res.results))
    return [pd.DataFrame(x).sort_values("replication", ignore_index=True) for x in rows]


def open_study(problem: Problem, folder: Path) -> optuna.Study:
    """The study in ``folder/study.db``, created or loaded; trials left running by an
    interruption are marked failed (they are asked again, not counted)."""
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = problem.spec.search
    seed = (search.seed if search.seed is not None else problem.seed) % 2**32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler: optuna.samplers.BaseSampler = (
            optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)
            if search.sampler == "tpe"
            else optuna.samplers.RandomSampler(seed=seed)
        )
    study = optuna.create_study(
        storage=f"sqlite:///{(folder / STUDY).resolve()}",
        study_name=problem.name,
        sampler=sampler,
        directions=[
            "minimize" if o.goal == "minimise" else "maximize" for o in problem.spec.objectives
        ],
        load_if_exists=True,
    )
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)
    return study


def suggest(problem: Problem, trial: optuna.Trial) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for path, v in problem.spec.variables.items():
        if v.choices is not None:
            params[path] = trial.suggest_categorical(path, v.choices)
        elif problem.integer[path]:
            assert v.low is not None and v.high is not None
            step = int(v.step) if v.step else 1
            params[path] = trial.suggest_int(path, int(v.low), int(v.high), step=step, log=v.log)
        else:
            assert v.low is not None and v.high is not None
            params[path] = trial.suggest_float(path, v.low, v.high, step=v.step, log=v.log)
    return params


def _key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


def search(
    problem: Problem, study: optuna.Study, reference: list[float], executor: Executor,
    count: Counter,
) -> None:  # fmt: skip
    """Ask, run and tell batches of plans until ``search.trials`` plans within the vessel
    budget have been run.

    A plan over the vessel budget is not run: it is told as infeasible (optuna's TPE
    ranks infeasible trials below every feasible one by how far over they are, whatever
    values they carry, so they carry the reference's). A plan already run is not run
    again: its replications would be the same (common random numbers)."""
    from optuna.trial import TrialState

    spec = problem.spec
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    seen = {_key(t.params): t.user_attrs for t in complete if t.user_attrs.get("simulated")}
    done = sum(bool(t.user_attrs.get("simulated")) for t in complete)
    asks = len(complete)
    count.add(done * spec.search.replications)
    while done < spec.search.trials and asks < ASKS_PER_TRIAL * spec.search.trials:
        asked = [study.ask() for _ in range(min(spec.search.batch, spec.search.trials - done))]
        params = [suggest(problem, t) for t in asked]
        fleet = [vessels(problem.scenario(p)) for p in params]
        over = [spec.budget.vessels is not None and n > spec.budget.vessels for n in fleet]
        todo = [i for i, p in enumerate(params) if not over[i] and _key(p) not in seen]
        todo = list({_key(params[i]): i for i in todo}.values())  # twins in one batch: once
        frames = evaluate(
            problem,
            [plan_json(problem, params[i]) for i in todo],
            range(spec.search.replications),
            executor,
            count,
        )
        for i, frame in zip(todo, frames, strict=True):
            seen[_key(params[i])] = _attrs(problem, frame, fleet[i])
        for i, trial in enumerate(asked):
            attrs = {"simulated": False, "vessels": fleet[i]} if over[i] else seen[_key(params[i])]
            _tell(problem, study, trial, attrs, reference)
            done += not over[i]
            count.add(spec.search.replications if not over[i] and i not in todo else 0)
        asks += len(asked)


def _attrs(problem: Problem, frame: pd.DataFrame, fleet: int) -> dict[str, Any]:
    means = {k: float(frame[k].mean()) for k in columns(problem)}
    return {"simulated": True, "vessels": fleet, "means": means}


def _tell(
    problem: Problem,
    study: optuna.Study,
    trial: optuna.Trial,
    attrs: dict[str, Any],
    reference: list[float],
) -> None:
    b = problem.spec.budget
    for k, v in attrs.items():
        trial.set_user_attr(k, v)
    if b.vessels is not None:
        trial.set_constraint("vessels", float(attrs["vessels"] - b.vessels))
    from optuna.trial import TrialState

    values = reference
    if attrs["simulated"]:
        means = attrs["means"]
        values = [means[o.metric] for o in problem.spec.objectives]
        if b.spend_rmb is not None:
            trial.set_constraint("spend", means[SPEND] / b.spend_rmb - 1.0)
    elif b.spend_rmb is not None:
        trial.set_constraint("spend", 0.0)
    if not all(np.isfinite(values)):  # an objective no replication gave a value
        study.tell(trial, state=TrialState.FAIL)
        return
    study.tell(trial, values)
