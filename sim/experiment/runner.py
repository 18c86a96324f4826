"""Replications: scenario in, tables out.

The runner knows nothing of the model: it maps an evaluation function, a
module-level callable taking the scenario as JSON and a seed sequence, over
replication indices, and stacks what comes back into tables keyed by
replication and seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from sim.experiment.executors import Executor
from sim.experiment.seeds import replication_seed

Evaluate = Callable[
    [str, np.random.SeedSequence], tuple[dict[str, float], pd.DataFrame, pd.DataFrame]
]


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    seed: int
    row: dict[str, float]
    series: pd.DataFrame
    log: pd.DataFrame


@dataclass(frozen=True)
class Task:
    scenario_json: str
    seed: int
    replication: int


def run_task(task: Task, evaluate: Evaluate) -> ReplicationResult:
    row, series, log = evaluate(task.scenario_json, replication_seed(task.seed, task.replication))
    return ReplicationResult(task.replication, task.seed, row, series, log)


def run_replications(
    scenario_json: str,
    seed: int,
    replications: range,
    executor: Executor,
    evaluate: Evaluate,
) -> Iterator[ReplicationResult]:
    """Results in replication order, whatever the executor."""
    tasks = [Task(scenario_json, seed, r) for r in replications]
    return executor.map(partial(run_task, evaluate=evaluate), tasks)


def tables(results: list[ReplicationResult]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """runs (one row per replication), series and log, each keyed by replication and seed."""
    runs = pd.DataFrame([{"replication": r.replication, "seed": r.seed, **r.row} for r in results])
    series = pd.concat([_keyed(r, r.series) for r in results], ignore_index=True)
    log = pd.concat([_keyed(r, r.log) for r in results], ignore_index=True)
    return runs, series, log


def _keyed(r: ReplicationResult, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "seed", r.seed)
    out.insert(0, "replication", r.replication)
    return out
