"""Running a scenario's replications and saving them: what ``coalsim run`` does, as a function."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import ScenarioError
from sim.evaluate import evaluate
from sim.experiment import store
from sim.experiment.executors import make_executor
from sim.experiment.runner import ReplicationResult, run_replications, tables
from sim.experiment.summary import summarise
from sim.metrics import METRICS
from sim.scenario import Resolved


@dataclass(frozen=True)
class RunResult:
    folder: Path
    runs: pd.DataFrame
    summary: pd.DataFrame


def prepare_folder(out: Path | None, results_root: Path, name: str) -> Path:
    """The folder to write into: a new timestamped one, or ``out`` if it holds no run yet."""
    where = f"--out {out}" if out is not None else str(results_root)
    try:
        if out is None:
            return store.new_run_dir(results_root, name)
        if out.exists() and not out.is_dir():
            raise ScenarioError(f"--out {out}: exists and is not a folder")
        if (out / store.MANIFEST).exists():
            raise ScenarioError(f"--out {out}: already holds a run; choose another folder")
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # e.g. a path under a file, or no permission
        raise ScenarioError(f"{where}: cannot create the results folder ({e})") from None
    return out


def run_scenario(
    resolved: Resolved,
    folder: Path,
    *,
    overrides: list[str] | None = None,
    workers: int | None = None,
    progress: object | None = None,
) -> RunResult:
    """Run every replication of ``resolved`` and write the run folder.

    ``progress``, when given, is called with the number of finished replications.
    """
    s = resolved.scenario
    manifest = store.base_manifest(
        kind="run",
        scenario_name=s.name,
        scenario_file=resolved.source,
        overrides=overrides or [],
        seed=s.seed,
        replications=s.replications,
        scenario=s.model_dump(mode="json"),
        files=[],
    )
    folder.mkdir(parents=True, exist_ok=True)
    store.write_manifest(folder, manifest)
    try:
        executor = make_executor(workers, s.replications)
        results: list[ReplicationResult] = []
        for r in run_replications(
            s.model_dump_json(), s.seed, range(s.replications), executor, evaluate
        ):
            results.append(r)
            if callable(progress):
                progress(len(results))
        runs, series, log = tables(results)
        summary = summarise(runs, list(METRICS))
        files = {
            "runs.csv": runs,
            "summary.csv": summary,
            "timeseries.csv": series,
            "shipments.csv": log,
        }
        for name, frame in files.items():
            store.write_csv(folder / name, frame)
    except BaseException as e:
        interrupted = isinstance(e, KeyboardInterrupt)
        manifest.update(
            status="interrupted" if interrupted else "failed",
            finished_at=store.now_iso(),
            error="".join(traceback.format_exception_only(e)).strip(),
        )
        store.write_manifest(folder, manifest)
        raise
    manifest.update(status="complete", finished_at=store.now_iso(), files=sorted(files))
    store.write_manifest(folder, manifest)
    return RunResult(folder, runs, summary)
