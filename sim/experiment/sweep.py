"""Running a sweep: every point's replications, streamed to disk, resumable, on any executor.

Files in the sweep folder (see results/README.md):

- ``design.csv``: ``point`` and one column per key path, written before anything runs;
- ``runs.csv``: ``point, replication, seed`` and every metric, one row per replication
  that finished (one that raised is in ``failures.csv`` instead);
- ``summary.csv``: ``point, metric, mean, std, ci95_low, ci95_high, n``;
- ``failures.csv``: ``point, replication, seed, error, traceback``;
- ``effects.csv``: ``point, reference, metric, mean, std, ci95_low, ci95_high, n``: each
  point's paired difference from the reference point (``sim.experiment.effects``);
- ``sensitivity.csv`` (sobol and morris): ``metric, parameter, index, value, ci95_low,
  ci95_high``.

Points are written in point order as they finish (a point that finishes
early waits in memory for its predecessors, at most the executor's window
of tasks), so memory stays flat whatever the number of replications. The
checkpoint after each batch of points makes the sweep resumable: a resumed
sweep cuts the tables back to the checkpoint and runs the remaining
points, and since every row depends only on its point and replication,
the files it ends with are byte-identical to an uninterrupted sweep's.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment import sensitivity, store
from sim.experiment.effects import effects_of_file
from sim.experiment.executors import Executor
from sim.experiment.replications import Chunk, ChunkResult, Evaluate, chunk_size, chunks, run_chunk
from sim.experiment.stream import CHECKPOINT, FolderLock, Table, read_checkpoint, write_checkpoint
from sim.experiment.summary import mean_ci
from sim.experiment.sweepfile import Sweep
from sim.metrics.ranges import metric_range
from sim.scenario.errors import ScenarioError

Progress = Callable[[int, int], None]
SUMMARY_COLUMNS = ["point", "metric", "mean", "std", "ci95_low", "ci95_high", "n"]
FAILURE_COLUMNS = ["point", "replication", "seed", "error", "traceback"]
CHECKPOINT_EVERY_S = 0.25
RESUMABLE = ("running", "interrupted", "failed")


@dataclass(frozen=True)
class SweepResult:
    folder: Path
    points: int
    replications: int
    failures: int
    files: list[str]


def design_csv(sweep: Sweep) -> str:
    from sim.experiment.stream import csv_lines

    return csv_lines([["point", *sweep.design.paths]]) + csv_lines(
        [(i, *row) for i, row in enumerate(sweep.design.rows)]
    )


def fingerprint(sweep: Sweep, metrics: Sequence[str]) -> dict[str, str]:
    """What must be the same for a resumed sweep to end with the same files."""

    def h(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    return {
        "design": h(design_csv(sweep)),
        "base scenario": h(json.dumps({**sweep.base_scenario, "seed": 0, "replications": 0})),
        "replications": str(sweep.replications),
        "seed": str(sweep.seed),
        "metrics": h(",".join(metrics)),
        "outputs": ",".join(sweep.outputs),
    }


def resume_options(folder: Path) -> dict[str, Any]:
    """The command-line options a sweep folder was started with (``set``, ``replications``)."""
    options: dict[str, Any] = _existing(folder).get("options", {})
    return options


def _existing(folder: Path) -> dict[str, Any]:
    return resumable_manifest(folder, "sweep", RESUMABLE)


def resumable_manifest(folder: Path, kind: str, resumable: Sequence[str]) -> dict[str, Any]:
    """The manifest of an interrupted ``kind`` (a sweep, a calibration) that ``--resume
    folder`` may go on with; a message naming the folder for anything else."""
    where = f"--resume {folder}"
    if not folder.is_dir():
        raise ScenarioError(f"{where}: no such folder")
    try:
        manifest = store.read_manifest(folder)
    except FileNotFoundError:
        raise ScenarioError(f"{where}: not a results folder (no manifest.json)") from None
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{where}: unreadable manifest.json ({e})") from None
    if manifest.get("kind") != kind:
        raise ScenarioError(f"{where}: holds a {manifest.get('kind', 'unknown')!r}, not a {kind}")
    if manifest.get("status") == "complete":
        raise ScenarioError(f"{where}: the {kind} is already complete; nothing to resume")
    if manifest.get("status") not in resumable:
        raise ScenarioError(f"{where}: unknown status {manifest.get('status')!r}")
    return manifest


def check_resume(sweep: Sweep, folder: Path, metrics: Sequence[str]) -> dict[str, Any]:
    """The manifest of the sweep ``folder`` holds, if ``sweep`` is that same sweep."""
    manifest = _existing(folder)
    prints = fingerprint(sweep, list(metrics))
    differs = [k for k, v in prints.items() if manifest.get("fingerprint", {}).get(k) != v]
    if differs:
        raise ScenarioError(
            f"--resume {folder}: {sweep.source} now gives a different sweep "
            f"({', '.join(differs)} changed); resume with the file and options it started with"
        )
    return manifest


def run_sweep(
    sweep: Sweep,
    folder: Path,
    *,
    evaluate: Evaluate,
    metrics: Sequence[str],
    executor: Executor,
    progress: Progress | None = None,
    resume: bool = False,
    options: dict[str, Any] | None = None,
) -> SweepResult:
    """Run (or resume) ``sweep`` into ``folder``; model errors go to failures.csv."""
    metrics = list(metrics)
    manifest = _start_manifest(sweep, folder, metrics, executor, resume, options)
    folder.mkdir(parents=True, exist_ok=True)
    with FolderLock(folder):
        if not resume:  # under the lock: no other run or sweep has begun writing here
            store.check_out(folder)
            store.write_atomic(folder / "design.csv", design_csv(sweep))
        store.write_manifest(folder, manifest)
        try:
            failures = _run_points(sweep, folder, evaluate, metrics, executor, progress, manifest)
            files = _finish(sweep, folder)
        except BaseException as e:
            interrupted = isinstance(e, KeyboardInterrupt)
            manifest.update(
                status="interrupted" if interrupted else "failed",
                finished_at=store.now_iso(),
                error="".join(traceback.format_exception_only(e)).strip() or type(e).__name__,
            )
            with contextlib.suppress(OSError):  # a full disk may not take it
                store.write_manifest(folder, manifest)
            raise
        manifest.update(
            status="complete",
            finished_at=store.now_iso(),
            points_done=sweep.points,
            failures=failures,
            reference=sweep.reference,
            files=files,
        )
        store.write_manifest(folder, manifest)
    return SweepResult(folder, sweep.points, sweep.points * sweep.replications, failures, files)


def _start_manifest(
    sweep: Sweep,
    folder: Path,
    metrics: list[str],
    executor: Executor,
    resume: bool,
    options: dict[str, Any] | None,
) -> dict[str, Any]:
    """A new sweep's manifest, or a resumed one's (checked to be the same sweep) marked
    running again on this executor."""
    if resume:
        manifest = check_resume(sweep, folder, metrics)
        manifest.setdefault("resumed_at", []).append(store.now_iso())
        manifest.update(status="running", error=None, executor=executor.describe())
    else:
        manifest = store.base_manifest(
            kind="sweep",
            name=sweep.name,
            description=sweep.description,
            sweep_file=str(sweep.source),
            design=sweep.design.kind,
            parameters=sweep.design.paths,
            outputs=list(sweep.outputs),
            base_scenario=str(sweep.base_path),
            overrides=list(sweep.fixed),
            scenario=sweep.base_scenario,
            replications=sweep.replications,
            seed=sweep.seed,
            points=sweep.points,
            points_done=0,
            failures=0,
            options=options or {},
            fingerprint=fingerprint(sweep, metrics),
            executor=executor.describe(),
            files=[],
        )
    return manifest


def _tables(folder: Path, metrics: list[str]) -> list[Table]:
    return [
        Table(folder, "runs.csv", ["point", "replication", "seed", *metrics]),
        Table(folder, "summary.csv", SUMMARY_COLUMNS),
        Table(folder, "failures.csv", FAILURE_COLUMNS),
    ]


def _run_points(
    sweep: Sweep,
    folder: Path,
    evaluate: Evaluate,
    metrics: list[str],
    executor: Executor,
    progress: Progress | None,
    manifest: dict[str, Any],
) -> int:
    tables = _tables(folder, metrics)
    runs, summary, fails = tables
    state = read_checkpoint(folder)
    if state is None:
        for t in tables:
            t.create()
        start, failures = 0, 0
        write_checkpoint(folder, 0, tables)
    else:
        start, sizes, digests = state
        if start >= sweep.points:  # killed while finishing: nothing left to run
            return _count_rows(fails.path if fails.path.exists() else fails.final)
        for t in tables:
            t.reopen(sizes[t.name], digests.get(t.name))
        failures = _count_rows(fails.path)
    reps = sweep.replications
    total = sweep.points * reps
    done = start * reps
    if progress is not None:
        progress(done, total)
    size = chunk_size(total - done, reps, executor.workers)
    per_point = math.ceil(reps / size)
    work: Iterator[Chunk] = (
        c
        for p in range(start, sweep.points)
        for c in chunks(p, sweep.point_json[p], sweep.seed, range(reps), size)
    )
    waiting: dict[int, list[ChunkResult]] = defaultdict(list)
    next_point, last = start, time.monotonic()
    try:
        fn = partial(run_chunk, evaluate=evaluate, catch=True)
        for _, result in executor.imap_unordered(fn, work):
            waiting[result.point].append(result)
            done += len(result.results) + len(result.failures)
            while len(waiting.get(next_point, ())) == per_point:
                parts = sorted(waiting.pop(next_point), key=lambda c: c.start)
                failures += _write_point(next_point, parts, metrics, runs, summary, fails)
                next_point += 1
                if time.monotonic() - last >= CHECKPOINT_EVERY_S or next_point == sweep.points:
                    write_checkpoint(folder, next_point, tables)
                    manifest.update(points_done=next_point, failures=failures)
                    store.write_manifest(folder, manifest)
                    last = time.monotonic()
            if progress is not None:
                progress(done, total)
        if next_point != sweep.points:
            write_checkpoint(folder, next_point, tables)
    finally:
        for t in tables:
            t.close()
    return failures


def _write_point(
    point: int,
    parts: list[ChunkResult],
    metrics: list[str],
    runs: Table,
    summary: Table,
    fails: Table,
) -> int:
    results = [r for c in parts for r in c.results]
    failures = sorted((f for c in parts for f in c.failures), key=lambda f: f.replication)
    runs.rows(
        (point, r.replication, r.seed, *(r.outputs.metrics.get(m, math.nan) for m in metrics))
        for r in results
    )
    rows = []
    for m in metrics:
        values = np.array([float(r.outputs.metrics.get(m, math.nan)) for r in results], dtype=float)
        mean, std, lo, hi, n = mean_ci(values, metric_range(m))
        rows.append((point, m, mean, std, lo, hi, n))
    summary.rows(rows)
    fails.rows((point, f.replication, f.seed, f.error, f.traceback) for f in failures)
    return len(failures)


def _count_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        return max(0, sum(1 for _ in csv.reader(f)) - 1)


def _finish(sweep: Sweep, folder: Path) -> list[str]:
    """Final names for the tables, then the sensitivity indices, then drop the checkpoint."""
    for t in _tables(folder, []):
        if t.path.exists():
            t.finish()
    files = ["design.csv", "runs.csv", "summary.csv", "failures.csv", "effects.csv"]
    header = pd.read_csv(folder / "runs.csv", nrows=0).columns
    metrics = [c for c in header if c not in ("point", "replication", "seed")]
    effects = effects_of_file(folder / "runs.csv", metrics, sweep.reference)
    store.write_csv(folder / "effects.csv", effects)
    if sweep.design.kind in ("sobol", "morris"):
        frame = sensitivity_table(sweep, pd.read_csv(folder / "summary.csv"))
        store.write_csv(folder / "sensitivity.csv", frame)
        files.append("sensitivity.csv")
    (folder / CHECKPOINT).unlink(missing_ok=True)
    return files


def sensitivity_table(sweep: Sweep, summary: pd.DataFrame) -> pd.DataFrame:
    """Indices for every output from the per-point means in ``summary``."""
    rows: list[sensitivity.Row] = []
    for metric in sweep.outputs:
        means = summary[summary["metric"] == metric].set_index("point")["mean"]
        y = means.reindex(range(sweep.points)).to_numpy(dtype=float)
        rows += sensitivity.analyse(sweep.design, metric, y, sweep.seed)
    return pd.DataFrame(rows, columns=sensitivity.COLUMNS)
