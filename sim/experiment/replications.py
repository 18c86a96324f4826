"""Replications: scenario in, tables out.

The runner knows nothing of the model: it maps an evaluation function, a
module-level callable taking the scenario as JSON and a seed sequence, over
replication indices. Work is shipped to executors in chunks (a few
consecutive replications of one scenario) so that a worker's overhead per
task is spread over several replications; results never depend on the
chunking, because every replication's streams come from its own index.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from sim.experiment.executors import Executor, ordered
from sim.experiment.seeds import replication_seed
from sim.metrics.outputs import Outputs

Evaluate = Callable[[str, np.random.SeedSequence], Outputs]
"""A model: scenario JSON and a replication's seed sequence in, named outputs out."""


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    seed: int
    outputs: Outputs


@dataclass(frozen=True)
class Failure:
    """A replication that raised: what it was, and where."""

    replication: int
    seed: int
    error: str
    traceback: str


@dataclass(frozen=True)
class Task:
    scenario_json: str
    seed: int
    replication: int


@dataclass(frozen=True)
class Chunk:
    """Replications ``start .. stop - 1`` of one scenario (a sweep point)."""

    point: int
    scenario_json: str
    seed: int
    start: int
    stop: int


@dataclass(frozen=True)
class ChunkResult:
    point: int
    start: int
    results: list[ReplicationResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def run_task(task: Task, evaluate: Evaluate) -> ReplicationResult:
    outputs = evaluate(task.scenario_json, replication_seed(task.seed, task.replication))
    return ReplicationResult(task.replication, task.seed, outputs)


class ReplicationFailed(Exception):
    """A replication of a run raised: which one, and what (the worker's traceback stays
    behind, as a run stops at its first failure)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(f"replication {failure.replication} failed: {failure.error}")
        self.failure = failure


def run_chunk(
    chunk: Chunk, evaluate: Evaluate, catch: bool = False, first: bool = False
) -> ChunkResult:
    """Every replication of the chunk; with ``catch``, one that raises becomes a ``Failure``
    (and with ``first``, the chunk's last: a run stops at its first failure)."""
    out = ChunkResult(chunk.point, chunk.start)
    for r in range(chunk.start, chunk.stop):
        task = Task(chunk.scenario_json, chunk.seed, r)
        if not catch:
            out.results.append(run_task(task, evaluate))
            continue
        try:
            out.results.append(run_task(task, evaluate))
        except Exception as e:
            error = "".join(traceback.format_exception_only(e)).strip()
            out.failures.append(Failure(r, chunk.seed, error, traceback.format_exc()))
            if first:
                break
    return out


def chunk_size(total_replications: int, per_point: int, workers: int) -> int:
    """Replications per task: about 16 tasks per worker, never across points, at most 50."""
    return max(1, min(per_point, total_replications // (16 * workers), 50))


def chunks(
    point: int, scenario_json: str, seed: int, replications: range, size: int
) -> list[Chunk]:
    return [
        Chunk(point, scenario_json, seed, a, min(a + size, replications.stop))
        for a in range(replications.start, replications.stop, size)
    ]


def run_replications(
    scenario_json: str,
    seed: int,
    replications: range,
    executor: Executor,
    evaluate: Evaluate,
) -> Iterator[ReplicationResult]:
    """Results in replication order, whatever the executor; the first replication that
    raises (an error of the model's, a ``MemoryError``) ends it with ``ReplicationFailed``."""
    size = chunk_size(len(replications), len(replications), executor.workers)
    work = chunks(0, scenario_json, seed, replications, size)
    fn = partial(run_chunk, evaluate=evaluate, catch=True, first=True)
    for chunk_result in ordered(executor.imap_unordered(fn, work)):
        yield from chunk_result.results
        if chunk_result.failures:
            raise ReplicationFailed(chunk_result.failures[0])


def keyed(r: ReplicationResult, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the replication and its seed as the first two columns."""
    out = frame.copy()
    out.insert(0, "seed", r.seed)
    out.insert(0, "replication", r.replication)
    return out
