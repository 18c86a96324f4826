"""Run a scenario's replications and write its run folder: what ``coalsim run`` does."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from sim.calibrate import predictive
from sim.calibrate.posterior import Posterior
from sim.experiment import precision, store
from sim.experiment.executors import Executor, make_executor
from sim.experiment.replications import Evaluate, ReplicationResult, run_replications
from sim.experiment.stream import FolderLock
from sim.experiment.summary import summarise
from sim.metrics import METRICS, evidence
from sim.metrics.displacement import idle_metrics, run_ranges
from sim.metrics.evaluate import evaluate
from sim.metrics.registry import names
from sim.scenario import Resolved, Scenario
from sim.scenario.errors import ScenarioError
from sim.study.writer import RunWriter

DEFAULT_MAX_REPLICATIONS = 1000

Progress = Callable[[int, int], None]


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
    checked = list(target_metrics or names(target=True))
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
    posterior: Posterior | None = None,
) -> RunResult:
    """Run every replication of ``resolved`` and write the run folder.

    With ``posterior`` (a calibration's ``posterior.csv``), each replication's fitted
    parameters are drawn from it, with the streams it has without one
    (``sim.calibrate.predictive``); ``posterior_draws.csv`` says which it got.

    Rows go to disk as replications finish, in replication order. With
    ``target_ci``, replications are added in batches until the 95% CI
    half-width of every target metric (default: the headline metrics) is
    below ``target_ci`` times its mean's magnitude, or ``max_replications``
    is reached. ``progress`` is called with (finished, planned so far).

    The folder is locked for the whole run and checked again under the lock, so two
    runs started into one folder never both write: the second is refused.
    """
    s = resolved.scenario
    checked = check_run_options(s.replications, target_ci, target_metrics, max_replications, s)
    evidence.check(s, str(resolved.source))
    maximum = max_replications if target_ci is not None else s.replications
    manifest = new_manifest(resolved, overrides or [])
    if target_ci is not None:  # a resume would not know how the batches went on
        manifest["target_ci"] = {"target": target_ci}
    plan = Plan(target_ci, checked, maximum)
    if posterior is not None:
        plan.evaluate = posterior_plan(posterior, s, str(resolved.source), manifest)
    folder.mkdir(parents=True, exist_ok=True)
    with FolderLock(folder, remove=True):
        store.check_out(folder)  # under the lock: no other run has begun writing here
        store.write_manifest(folder, manifest)
        if posterior is not None:
            draws = predictive.draws_frame(posterior, s.seed, maximum)
            store.write_csv(folder / "posterior_draws.csv", draws)
        return carry_on(
            s, folder, manifest, RunWriter(folder), [], plan, workers, executor, progress
        )


def posterior_plan(
    posterior: Posterior, s: Scenario, source: str, manifest: dict[str, Any]
) -> Evaluate:
    """The evaluation that draws each replication's parameters from ``posterior``, once the
    posterior is known to be of this world; the manifest records which posterior it was."""
    predictive.check_world(posterior, s.model_dump(mode="json"), source)
    manifest["posterior"] = {
        "file": str(posterior.source), "sha256": posterior.sha256, "world": posterior.world,
        "parameters": posterior.paths,
        "worlds": len(posterior.weights), "draws": "posterior_draws.csv",
        "uncertainty": "parameter (posterior) and stochastic (replications)",
    }  # fmt: skip
    return predictive.PosteriorEvaluate(posterior, s.seed)


def new_manifest(resolved: Resolved, overrides: list[str]) -> dict[str, Any]:
    s = resolved.scenario
    return store.base_manifest(
        kind="run", scenario_name=s.name, scenario_file=resolved.source,
        overrides=overrides, seed=s.seed, replications=s.replications,
        scenario=s.model_dump(mode="json"), files=[],
    )  # fmt: skip


def carry_on(
    s: Scenario,
    folder: Path,
    manifest: dict[str, Any],
    writer: RunWriter,
    rows: list[dict[str, Any]],
    plan: Plan,
    workers: int | None,
    executor: Executor | None,
    progress: Progress | None,
) -> RunResult:
    """Run the replications after ``rows`` into ``writer``'s tables and finish the folder.

    Ctrl-C (or SIGTERM) keeps every whole replication and a checkpoint, so the run can
    be resumed; any other failure leaves no tables behind.
    """
    own = executor is None
    try:
        executor = executor or make_executor(workers, plan.maximum)
        rows = replicate(s, executor, writer, progress, plan, rows)
        runs, summary = write_tables(s, folder, writer, rows)
    except KeyboardInterrupt as e:
        writer.pause()
        record_end(folder, manifest, e)
        raise
    except BaseException as e:
        writer.discard()
        record_end(folder, manifest, e)
        raise
    finally:
        if own and executor is not None:
            executor.close()
    return complete(s, folder, manifest, writer, runs, summary, plan)


def write_tables(
    s: Scenario, folder: Path, writer: RunWriter, rows: list[dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables under their final names and summary.csv beside them."""
    runs = as_saved(rows)
    summary = summarise(runs, list(METRICS), run_ranges(s))
    writer.finish()
    store.write_csv(folder / "summary.csv", summary)
    return runs, summary


def complete(
    s: Scenario,
    folder: Path,
    manifest: dict[str, Any],
    writer: RunWriter,
    runs: pd.DataFrame,
    summary: pd.DataFrame,
    plan: Plan,
) -> RunResult:
    """The manifest marked complete, with how a --target-ci run ended."""
    manifest.update(status="complete", finished_at=store.now_iso(), files=writer.files())
    if plan.target_ci is not None:
        manifest.update(target_fields(s, plan, len(runs)))
    store.write_manifest(folder, manifest)
    return RunResult(folder, runs, summary, plan.statuses)


def as_saved(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The runs table as runs.csv holds it (floats to 10 significant digits), so that a
    summary is the same whether its rows were just computed or read back by a resume."""
    return pd.DataFrame(
        [{k: float(f"{v:.10g}") if isinstance(v, float) else v for k, v in r.items()} for r in rows]
    )


@dataclass
class Plan:
    """How many replications to run: all at once, or in batches towards a CI target."""

    target_ci: float | None
    metrics: list[str]
    maximum: int
    statuses: list[precision.Status] = field(default_factory=list)
    evaluate: Evaluate | None = None
    """The model when not ``evaluate`` (looked up when it runs): a posterior run's draws
    each replication's parameters first."""

    def more(self, rows: list[dict[str, Any]]) -> int:
        """Replications to add after ``rows`` (0: done)."""
        if self.target_ci is None:
            return 0
        values: dict[str, Sequence[float]] = {m: [x[m] for x in rows] for m in self.metrics}
        self.statuses = precision.status(values, self.target_ci)
        return precision.next_batch(len(rows), self.statuses, self.target_ci, self.maximum)


class Sink(Protocol):
    """Where each finished replication goes: the run folder's tables, or a list in memory."""

    def write(self, row: dict[str, Any], r: ReplicationResult) -> None: ...


def replicate(
    s: Scenario,
    executor: Executor,
    writer: Sink,
    progress: Progress | None,
    plan: Plan,
    done: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every replication's metrics row, each written as it finishes, in order; after
    ``done`` (the rows of a resumed run) if given."""
    rows: list[dict[str, Any]] = list(done or [])
    n, start = s.replications, len(rows)
    scenario_json = s.model_dump_json()
    while n > start:
        model = plan.evaluate or evaluate
        work = run_replications(scenario_json, s.seed, range(start, n), executor, model)
        for r in work:
            row = {"replication": r.replication, "seed": r.seed, **r.outputs.metrics}
            writer.write(row, r)
            rows.append(row)
            if progress is not None:
                progress(len(rows), n)
        start, n = n, n + plan.more(rows)
    return rows


def record_end(folder: Path, manifest: dict[str, Any], e: BaseException) -> None:
    """Say in the manifest how the run ended, if the disk still takes it (on a full disk
    the tables just discarded have made room)."""
    interrupted = isinstance(e, KeyboardInterrupt)
    manifest.update(
        status="interrupted" if interrupted else "failed",
        finished_at=store.now_iso(),
        error="".join(traceback.format_exception_only(e)).strip() or type(e).__name__,
    )
    with contextlib.suppress(OSError):
        store.write_manifest(folder, manifest)


def target_fields(s: Scenario, plan: Plan, n: int) -> dict[str, Any]:
    """What a ``--target-ci`` run records: how many replications it took, and why."""
    statuses = plan.statuses
    return {
        "replications": n,
        "scenario": s.model_copy(update={"replications": n}).model_dump(mode="json"),
        "target_ci": {
            "target": plan.target_ci,
            "max_replications": plan.maximum,
            "metrics": plan.metrics,
            "reached": [x.metric for x in statuses if x.reached],
            "not_reached": [x.metric for x in statuses if not x.reached],
            "relative_half_width": {x.metric: x.relative for x in statuses},
        },
    }
