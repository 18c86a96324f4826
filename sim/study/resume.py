"""Going on with an interrupted run (``coalsim run SCENARIO --resume DIR``).

A run stopped by Ctrl-C, SIGTERM or SIGKILL keeps its whole replications and a
checkpoint (``sim.study.writer``). Resuming checks that the scenario, seed,
replications and overrides are the ones the run started with, cuts each table back to
the checkpoint and runs the rest: the finished folder is the one an uninterrupted run
writes, byte for byte.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sim.experiment import store
from sim.experiment.executors import Executor
from sim.experiment.replications import Evaluate
from sim.experiment.stream import PARTIAL, FolderLock, read_checkpoint
from sim.scenario import Resolved, Scenario
from sim.scenario.errors import ScenarioError
from sim.study.run import Plan, Progress, RunResult, carry_on
from sim.study.writer import RunWriter


def started(folder: Path) -> dict[str, Any]:
    """The manifest of a run that can be resumed, or a message saying why not."""
    where = f"--resume {folder}"
    try:
        manifest = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{where}: no manifest.json; not a run folder") from None
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{where}: cannot read manifest.json ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "run":
        raise ScenarioError(f"{where}: not a run's folder (a sweep resumes with coalsim sweep)")
    if manifest.get("status") == "complete":
        raise ScenarioError(f"{where}: the run is complete; there is nothing to resume")
    if "target_ci" in manifest:
        raise ScenarioError(
            f"{where}: a --target-ci run cannot be resumed (its batches depend on every "
            "replication before them); start it again in a new folder"
        )
    return manifest


def _same_run(manifest: dict[str, Any], resolved: Resolved, folder: Path) -> None:
    s = resolved.scenario.model_dump(mode="json")
    then = manifest.get("scenario", {})
    if then != s:
        keys = sorted(k for k in set(s) | set(then) if s.get(k) != then.get(k))
        raise ScenarioError(
            f"--resume {folder}: the run was started with another scenario ({', '.join(keys)} "
            "differ); give the scenario file and the --set, --replications and --seed it "
            "started with"
        )


def resume_run(
    resolved: Resolved,
    folder: Path,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Finish the interrupted run in ``folder`` with the replications it lacks."""
    manifest = started(folder)
    _same_run(manifest, resolved, folder)
    state = read_checkpoint(folder)
    if state is None or state[0] == 0:
        raise ScenarioError(
            f"--resume {folder}: no replication finished before it stopped; start the run "
            "again in a new folder"
        )
    done, sizes, sha = state
    s = resolved.scenario
    with FolderLock(folder, remove=True):
        writer = RunWriter.reopened(folder, done, sizes, sha)
        rows = _rows(folder / f"runs.csv{PARTIAL}")
        manifest.update(status="running", resumed_at=store.now_iso())
        manifest.pop("error", None)
        manifest.pop("finished_at", None)
        store.write_manifest(folder, manifest)
        plan = Plan(None, [], s.replications)
        if "posterior" in manifest:
            plan.evaluate = _posterior(manifest["posterior"], s, folder)
        return carry_on(s, folder, manifest, writer, rows, plan, workers, executor, progress)


def _posterior(said: dict[str, Any], s: Scenario, folder: Path) -> Evaluate:
    """A posterior run goes on with the posterior it started with, unchanged."""
    from sim.calibrate.posterior import read_posterior
    from sim.calibrate.predictive import PosteriorEvaluate

    posterior = read_posterior(Path(said["file"]))
    if posterior.sha256 != said.get("sha256"):
        raise ScenarioError(
            f"--resume {folder}: {said['file']} has changed since the run started; a "
            "posterior run goes on only with the posterior it started with"
        )
    return PosteriorEvaluate(posterior, s.seed)


def _rows(path: Path) -> list[dict[str, Any]]:
    """The whole replications' rows, read back exactly as written (Python's float()
    reads a 10-digit cell to the same double the run computed its summary from)."""
    with open(path, encoding="utf-8", newline="") as f:
        return [
            {k: int(v) if k in ("replication", "seed") else float(v or "nan") for k, v in r.items()}
            for r in csv.DictReader(f)
        ]
