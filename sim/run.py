"""What ``coalsim run`` and ``coalsim sweep`` do, as functions: the coal model bound to the
model-agnostic experiment layer."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.evaluate import evaluate, evaluate_metrics
from sim.experiment import precision, store
from sim.experiment.executors import Executor, make_executor
from sim.experiment.runner import keyed, run_replications
from sim.experiment.stream import Table
from sim.experiment.summary import summarise
from sim.experiment.sweep import SweepResult, check_resume, resume_options, run_sweep
from sim.experiment.sweepfile import Sweep, load_sweep
from sim.fmt import human
from sim.metrics import METRICS
from sim.metrics_displacement import idle_metrics
from sim.scenario import Resolved, Scenario
from sim.scenario.load import read_toml

# The metrics a precision target and a sweep look at unless told otherwise.
HEADLINE = ("tonnes_delivered", "tonnes_seized", "seizure_share", "dprk_revenue_rmb", "fines_rmb")
DEFAULT_MAX_REPLICATIONS = 1000

Progress = Callable[[int, int], None]


def headline_metrics() -> list[str]:
    return [m for m in HEADLINE if m in METRICS]


@dataclass(frozen=True)
class RunResult:
    folder: Path
    runs: pd.DataFrame
    summary: pd.DataFrame
    target: list[precision.Status] = field(default_factory=list)


def prepare_folder(out: Path | None, results_root: Path, name: str, own: str | None = None) -> Path:
    """The folder to write into: a new timestamped one, or ``out`` if it holds no output
    (but, with ``own``, an earlier one of the same command's: ``store.check_out``)."""
    where = f"--out {out}" if out is not None else str(results_root)
    try:
        if out is None:
            return store.new_run_dir(results_root, name)
        store.check_out(out, own)
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # e.g. a path under a file, or no permission
        raise ScenarioError(f"{where}: cannot create the results folder ({e})") from None
    return out


def check_run_options(
    replications: int,
    target_ci: float | None,
    target_metrics: Sequence[str] | None,
    max_replications: int,
    scenario: Scenario | None = None,
) -> list[str]:
    """The metrics ``--target-ci`` watches, once the options are known to fit together.

    Called before any folder is made, so a mistake leaves nothing behind. A displacement
    metric the scenario gives no value (no change day, or no pressured destinations) could
    never reach the target: the run would go on to ``max_replications`` for nothing.
    """
    checked = list(target_metrics or headline_metrics())
    for m in checked:
        if m not in METRICS:
            raise ScenarioError(f"--target-metric {m}: unknown metric; known: {', '.join(METRICS)}")
        if scenario is not None and m in idle_metrics(scenario):
            raise ScenarioError(
                f"--target-metric {m}: has no value in this scenario (it needs a change day "
                "before the horizon, displacement.change_day or a [[policy]] entry, and for "
                "the pressured and other destinations' metrics displacement."
                "pressured_destinations)"
            )
    if target_ci is not None and not target_ci > 0:
        raise ScenarioError(f"--target-ci {target_ci}: must be greater than 0")
    if target_ci is not None and max_replications < replications:
        raise ScenarioError(
            f"--max-replications {max_replications}: below the first batch of {replications} "
            "replications (the scenario's `replications` or --replications); lower that or "
            "raise this"
        )
    return checked


def run_scenario(
    resolved: Resolved,
    folder: Path,
    *,
    overrides: list[str] | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    target_ci: float | None = None,
    target_metrics: Sequence[str] | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
) -> RunResult:
    """Run every replication of ``resolved`` and write the run folder.

    Rows go to disk as replications finish, in replication order. With
    ``target_ci``, replications are added in batches until the 95% CI
    half-width of every target metric (default: the headline metrics) is
    below ``target_ci`` times its mean's magnitude, or ``max_replications``
    is reached. ``progress`` is called with (finished, planned so far).
    """
    s = resolved.scenario
    checked = check_run_options(s.replications, target_ci, target_metrics, max_replications, s)
    maximum = max_replications if target_ci is not None else s.replications
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
    own = executor is None
    tables = [Table(folder, n, None) for n in ("runs.csv", "timeseries.csv", "shipments.csv")]
    runs_t, series_t, log_t = tables
    extra_t: dict[str, Table] = {}  # further tables the model returns (the trading network)
    rows: list[dict[str, Any]] = []
    statuses: list[precision.Status] = []
    try:
        executor = executor or make_executor(workers, maximum)
        for t in tables:
            t.create()
        n, start = s.replications, 0
        scenario_json = s.model_dump_json()
        while True:
            for r in run_replications(scenario_json, s.seed, range(start, n), executor, evaluate):
                row = {"replication": r.replication, "seed": r.seed, **r.row}
                if runs_t.columns is None:
                    runs_t.columns = list(row)
                    runs_t.rows([runs_t.columns])
                runs_t.rows([[row.get(c) for c in runs_t.columns]])
                series_t.frame(keyed(r, r.series))
                log_t.frame(keyed(r, r.log))
                for name, frame in r.extra.items():
                    if name not in extra_t:
                        extra_t[name] = Table(folder, f"{name}.csv", None)
                        extra_t[name].create()
                        tables.append(extra_t[name])
                    extra_t[name].frame(keyed(r, frame))
                rows.append(row)
                if progress is not None:
                    progress(len(rows), n)
            if target_ci is None:
                break
            statuses = precision.status({m: [x[m] for x in rows] for m in checked}, target_ci)
            add = precision.next_batch(n, statuses, target_ci, maximum)
            if add == 0:
                break
            start, n = n, n + add
        runs = pd.DataFrame(rows)
        summary = summarise(runs, list(METRICS))
        for t in tables:
            t.finish()
        store.write_csv(folder / "summary.csv", summary)
    except BaseException as e:
        for t in tables:
            t.discard()
        interrupted = isinstance(e, KeyboardInterrupt)
        manifest.update(
            status="interrupted" if interrupted else "failed",
            finished_at=store.now_iso(),
            error="".join(traceback.format_exception_only(e)).strip(),
        )
        store.write_manifest(folder, manifest)
        raise
    finally:
        if own and executor is not None:
            executor.close()
    files = ["runs.csv", "summary.csv", "timeseries.csv", "shipments.csv"]
    files += [f"{name}.csv" for name in extra_t]
    manifest.update(status="complete", finished_at=store.now_iso(), files=sorted(files))
    if target_ci is not None:
        manifest.update(
            replications=n,
            scenario=s.model_copy(update={"replications": n}).model_dump(mode="json"),
            target_ci={
                "target": target_ci,
                "max_replications": maximum,
                "metrics": checked,
                "reached": [x.metric for x in statuses if x.reached],
                "not_reached": [x.metric for x in statuses if not x.reached],
                "relative_half_width": {x.metric: x.relative for x in statuses},
            },
        )
    store.write_manifest(folder, manifest)
    return RunResult(folder, runs, summary, statuses)


# --- sweeps -----------------------------------------------------------------------


@dataclass
class PreparedSweep:
    """A checked sweep and where it will go; the folder is made only when it is about to run."""

    sweep: Sweep
    resume: bool
    options: dict[str, Any]
    out: Path | None = None
    results_root: Path = Path("results")
    folder: Path | None = None

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
) -> PreparedSweep:
    """Check a sweep file and every point of its design, and the folder options; nothing runs.

    On ``resume``, the ``--set`` and ``--replications`` options the sweep was
    started with are used again unless new ones are given.
    """
    if resume is not None and out is not None:
        raise ScenarioError("--resume and --out: give one; --resume continues in its own folder")
    if resume is not None:  # each option the resume does not give is the one it started with
        started = resume_options(resume)
        overrides = overrides or started.get("set", [])
        replications = started.get("replications") if replications is None else replications
    sweep = load_sweep(
        path, list(METRICS), headline_metrics(), overrides=overrides, replications=replications
    )
    if out is not None and not dry_run:
        store.check_out(out)
    if resume is not None:  # before anything is said about the sweep
        check_resume(sweep, resume, list(METRICS))
    options = {"set": list(overrides), "replications": replications}
    return PreparedSweep(sweep, resume is not None, options, out, results_root, resume)


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
    return run_sweep(
        prepared.sweep,
        prepared.make_folder(),
        evaluate=evaluate_metrics,
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


DIGEST_POINTS = 32
"""Points the terminal table shows: every point of the shipped grids and one-at-a-time
designs (16 at most), so no row of a grid is cut off; longer designs are in summary.csv."""


def sweep_digest(
    result: SweepResult, sweep: Sweep, limit: int = DIGEST_POINTS
) -> tuple[list[str], list[list[str]]]:
    """A small table for the terminal: each point's values and output means, or the indices.

    For sobol and morris, one row per parameter: ST (or mu_star) for each output.
    Otherwise the first ``limit`` points; the files hold everything.
    """
    folder = result.folder
    if (folder / "sensitivity.csv").exists():
        sens = pd.read_csv(folder / "sensitivity.csv")
        index = "ST" if sweep.design.kind == "sobol" else "mu_star"
        sens = sens[sens["index"] == index]
        header = ["parameter", *(f"{index} {m}" for m in sweep.outputs)]
        rows = []
        for p, short in zip(sweep.design.paths, short_names(sweep.design.paths), strict=True):
            cells = [short]
            for m in sweep.outputs:
                got = sens[(sens.parameter == p) & (sens.metric == m)]["value"]
                cells.append(human(float(got.iloc[0])) if len(got) else "n/a")
            rows.append(cells)
        return header, rows
    # The report's units (a fine in million RMB, coal in kt), so the two agree.
    from sim.report.style import number, unit_for
    from sim.report.sweep_figures import parameter_unit, parameter_value

    summary = pd.read_csv(folder / "summary.csv")
    pivot = summary.pivot(index="point", columns="metric", values="mean")
    means: dict[Any, dict[Any, Any]] = pivot.to_dict("index")
    paths = sweep.design.paths
    labels = [parameter_unit(p).label for p in paths]
    named = [
        f"{short} ({label})" if label else short
        for short, label in zip(short_names(paths), labels, strict=True)
    ]
    units = {m: unit_for(m) for m in sweep.outputs}
    outputs = [f"{m} ({u.short or u.label})" if u.label else m for m, u in units.items()]
    header = ["point", *named, *outputs]
    rows = []
    for i, values in enumerate(sweep.design.rows[:limit]):
        outs = [number(units[m](float(means[i][m]))) if i in means else "n/a" for m in units]
        shown = [parameter_value(p, v) for p, v in zip(paths, values, strict=True)]
        rows.append([str(i), *shown, *outs])
    return header, rows


def short_names(paths: Sequence[str]) -> list[str]:
    """Each key path's shortest trailing part that no other path shares."""
    out = []
    for p in paths:
        parts = p.split(".")
        for k in range(1, len(parts) + 1):
            tail = ".".join(parts[-k:])
            if sum(q == tail or q.endswith("." + tail) for q in paths) == 1:
                break
        out.append(tail)
    return out
