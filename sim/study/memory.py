"""A run held in memory, saved to a folder only when asked: what the Python API's
``sim.run`` does. The folder it saves is the one ``coalsim run`` writes, byte for byte,
because the same writer writes the same replications in the same order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import store
from sim.experiment.executors import Executor, make_executor
from sim.experiment.replications import ReplicationResult, keyed
from sim.experiment.stream import FolderLock
from sim.experiment.summary import summarise
from sim.metrics import METRICS, evidence
from sim.metrics.displacement import run_ranges
from sim.scenario import Resolved
from sim.study.run import (
    DEFAULT_MAX_REPLICATIONS,
    Plan,
    Progress,
    RunResult,
    as_saved,
    check_run_options,
    complete,
    new_manifest,
    record_end,
    replicate,
    write_tables,
)
from sim.study.writer import RunWriter


@dataclass
class MemoryRun:
    """Every replication of a run, as the model returned it, and the run's tables."""

    resolved: Resolved
    overrides: list[str]
    plan: Plan
    results: list[ReplicationResult] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def write(self, row: dict[str, Any], r: ReplicationResult) -> None:
        self.rows.append(row)
        self.results.append(r)

    def tables(self) -> dict[str, pd.DataFrame]:
        """runs, summary and each table the model returned, keyed by replication and seed."""
        runs = pd.DataFrame(self.rows)
        s = self.resolved.scenario
        out = {
            "runs": runs,
            "summary": summarise(as_saved(self.rows), list(METRICS), run_ranges(s)),
        }
        names = list(dict.fromkeys(n for r in self.results for n in r.outputs.tables))
        for name in names:
            frames = [keyed(r, r.outputs.tables[name].frame()) for r in self.results]
            out[name] = pd.concat(frames, ignore_index=True)
        return out


def run_in_memory(
    resolved: Resolved,
    *,
    overrides: Sequence[str] = (),
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    target_ci: float | None = None,
    target_metrics: Sequence[str] | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
) -> MemoryRun:
    """Run every replication of ``resolved`` (in batches towards ``target_ci`` if given)
    and keep them in memory; nothing is written."""
    s = resolved.scenario
    checked = check_run_options(s.replications, target_ci, target_metrics, max_replications, s)
    evidence.check(s, str(resolved.source))
    maximum = max_replications if target_ci is not None else s.replications
    run = MemoryRun(resolved, list(overrides), Plan(target_ci, checked, maximum))
    own = executor is None
    try:
        executor = executor or make_executor(workers, maximum)
        replicate(s, executor, run, progress, run.plan)
    finally:
        if own and executor is not None:
            executor.close()
    return run


def save_run(run: MemoryRun, folder: Path) -> RunResult:
    """Write ``run`` into ``folder`` as ``coalsim run`` would have: the same files, under
    the same lock and the same rules for a folder that already holds something."""
    s = run.resolved.scenario
    manifest = new_manifest(run.resolved, run.overrides)
    folder.mkdir(parents=True, exist_ok=True)
    with FolderLock(folder, remove=True):
        store.check_out(folder)
        store.write_manifest(folder, manifest)
        writer = RunWriter(folder)
        try:
            for row, r in zip(run.rows, run.results, strict=True):
                writer.write(row, r)
            runs, summary = write_tables(s, folder, writer, run.rows)
        except BaseException as e:
            writer.discard()
            record_end(folder, manifest, e)
            raise
        return complete(s, folder, manifest, writer, runs, summary, run.plan)
