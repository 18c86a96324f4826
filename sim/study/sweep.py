"""Check a sweep file and run it into its folder: what ``coalsim sweep`` does, bound to the
coal model (metrics only; sweeps keep no series or voyage logs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.calibrate.posterior import Posterior, read_posterior
from sim.calibrate.predictive import PosteriorEvaluate, check_not_swept, check_world
from sim.experiment import store
from sim.experiment.executors import Executor, make_executor
from sim.experiment.sweep import SweepResult, check_resume, resume_options, run_sweep
from sim.experiment.sweepfile import Sweep, load_sweep
from sim.metrics import METRICS
from sim.metrics.evaluate import evaluate_metrics
from sim.metrics.registry import names
from sim.scenario.errors import ScenarioError
from sim.scenario.load import read_toml
from sim.study.run import Progress, prepare_folder


@dataclass
class PreparedSweep:
    """A checked sweep and where it will go; the folder is made only when it is about to run."""

    sweep: Sweep
    resume: bool
    options: dict[str, Any]
    out: Path | None = None
    results_root: Path = Path("results")
    folder: Path | None = None
    posterior: Posterior | None = None

    def make_folder(self) -> Path:
        if self.folder is None:
            self.folder = prepare_folder(self.out, self.results_root, self.sweep.name)
        return self.folder


def prepare_sweep(
    path: Path,
    *,
    out: Path | None = None,
    resume: Path | None = None,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    results_root: Path = Path("results"),
    dry_run: bool = False,
    posterior: Path | None = None,
) -> PreparedSweep:
    """Check a sweep file and every point of its design, and the folder options; nothing runs.

    On ``resume``, the ``--set`` and ``--replications`` options the sweep was
    started with are used again unless new ones are given.
    """
    if resume is not None and out is not None:
        raise ScenarioError("--resume and --out: give one; --resume continues in its own folder")
    was = None
    if resume is not None:  # each option the resume does not give is the one it started with
        started = resume_options(resume)
        overrides = overrides or started.get("set", [])
        replications = started.get("replications") if replications is None else replications
        given = started.get("posterior")
        posterior = posterior or (Path(given) if given else None)
        was = started.get("posterior_sha256")
    sweep = load_sweep(
        path, list(METRICS), names(target=True), overrides=overrides, replications=replications
    )
    if out is not None and not dry_run:
        store.check_out(out)
    if resume is not None:  # before anything is said about the sweep
        check_resume(sweep, resume, list(METRICS))
    options: dict[str, Any] = {"set": list(overrides), "replications": replications}
    fitted = None
    if posterior is not None:  # each replication's fitted parameters drawn from it
        fitted = read_posterior(posterior)
        check_world(fitted, sweep.base_scenario, str(path))
        check_not_swept(fitted, sweep.design.paths)
        options.update(posterior=str(posterior), posterior_sha256=fitted.sha256)
        if resume is not None and was not in (None, fitted.sha256):
            raise ScenarioError(f"--resume {resume}: {posterior} has changed since it started")
    return PreparedSweep(sweep, resume is not None, options, out, results_root, resume, fitted)


def is_sweep_file(path: Path) -> bool:
    """A TOML file with a ``[design]`` table is a sweep file; anything else is a scenario."""
    try:
        return isinstance(read_toml(path).get("design"), dict)
    except ScenarioError:
        return False


def execute_sweep(
    prepared: PreparedSweep, executor: Executor, progress: Progress | None = None
) -> SweepResult:
    """Run a prepared sweep with the coal model (metrics only; no series or voyage logs)."""
    fitted = prepared.posterior
    return run_sweep(
        prepared.sweep,
        prepared.make_folder(),
        evaluate=evaluate_metrics
        if fitted is None
        else PosteriorEvaluate(fitted, prepared.sweep.seed, metrics_only=True),
        metrics=list(METRICS),
        executor=executor,
        progress=progress,
        resume=prepared.resume,
        options=prepared.options,
    )


def select_executor(
    workers: int | None, scheduler: str | None, dask_local: int | None, n_tasks: int
) -> Executor:
    """Local processes (``workers``), an existing Dask cluster, or a Dask LocalCluster."""
    options = (("--workers", workers), ("--scheduler", scheduler), ("--dask-local", dask_local))
    given = [o for o, v in options if v is not None]
    if len(given) > 1:
        raise ScenarioError(f"{' and '.join(given)}: choose one way to run the sweep")
    if scheduler is not None or dask_local is not None:
        from sim.experiment.dask_executor import DaskExecutor

        return DaskExecutor(scheduler, local_workers=dask_local)
    return make_executor(workers, n_tasks)
