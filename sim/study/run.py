"""Run a scenario's replications and write its run folder: what ``coalsim run`` does."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import precision, store
from sim.experiment.executors import Executor, make_executor
from sim.experiment.replications import keyed, run_replications
from sim.experiment.stream import Table
from sim.experiment.summary import summarise
from sim.metrics import METRICS, evidence
from sim.metrics.displacement import idle_metrics, run_ranges
from sim.metrics.evaluate import evaluate
from sim.metrics.registry import names
from sim.scenario import Resolved, Scenario
from sim.scenario.errors import ScenarioError

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
    evidence.check(s, str(resolved.source))
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
    runs_t = Table(folder, "runs.csv", None)
    tables = [runs_t]
    named: dict[str, Table] = {}  # the model's tables, each in a file of its name
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
                row = {"replication": r.replication, "seed": r.seed, **r.outputs.metrics}
                if runs_t.columns is None:
                    runs_t.columns = list(row)
                    runs_t.rows([runs_t.columns])
                runs_t.rows([[row.get(c) for c in runs_t.columns]])
                for name, frame in r.outputs.tables.items():
                    if name not in named:
                        named[name] = Table(folder, f"{name}.csv", None)
                        named[name].create()
                        tables.append(named[name])
                    named[name].frame(keyed(r, frame))
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
        summary = summarise(runs, list(METRICS), run_ranges(s))
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
    files = ["runs.csv", "summary.csv", *(f"{name}.csv" for name in named)]
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
