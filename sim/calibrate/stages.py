"""Each stage of a calibration is a sweep: a design of parameter values run through the
experiment layer (``run_sweep``), into a folder of its own inside the calibration's.

So a stage runs alike on one process, a local pool or Dask, streams its rows to
disk, and an interrupted stage resumes to the same files. The identifiability
screen is a Morris design with common random numbers (neighbouring points see
the same dice, so an elementary effect is the parameter's, not the noise's).
The waves and the posterior-predictive runs give every point its own seed,
drawn from the fit's seed: a calibration must see the model's noise as it
is, not one draw of it shared by every world.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.targets import Targets
from sim.experiment import store
from sim.experiment.design import Design, Parameter
from sim.experiment.executors import Executor
from sim.experiment.points import check_points
from sim.experiment.replications import Evaluate
from sim.experiment.seeds import replication_seed
from sim.experiment.sweep import run_sweep
from sim.experiment.sweepfile import Sweep
from sim.metrics.evaluate import evaluate_metrics
from sim.metrics.outputs import Outputs
from sim.metrics.registry import names

Progress = Callable[[int, int], None]
SEED_COLUMN = "seed"
MAX_SEED = 2**63 - 1


def evaluate_own_seed(scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
    """A point's replication with the streams of the point's own seed (the scenario's
    ``seed``), not the sweep's: the replication index still comes from ``seed``."""
    point_seed = int(json.loads(scenario_json)["seed"])
    return evaluate_metrics(scenario_json, replication_seed(point_seed, int(seed.spawn_key[-1])))


def stage_seed(seed: int, *tag: int) -> int:
    """A seed of the fit's own for one use (a design, a candidate set, a resampling)."""
    state = np.random.SeedSequence([seed, *tag]).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


def point_seeds(seed: int, tag: int, n: int) -> list[int]:
    """``n`` replication seeds for a stage's points, different for every stage and point."""
    state = np.random.SeedSequence([seed, tag]).generate_state(n, np.uint64)
    return [int(s) & MAX_SEED for s in state]


def values(targets: Targets, u: np.ndarray) -> list[tuple[float | int, ...]]:
    """Rows of parameter values at prior quantiles ``u`` (points x parameters), as applied:
    10 significant digits, or whole numbers for an integer key."""
    rows = []
    for row in u:
        vals: list[float | int] = []
        for p, integer, q in zip(targets.parameters, targets.integer, row, strict=True):
            x = p.value(float(q))
            vals.append(round(x) if integer else float(f"{x:.10g}"))
        rows.append(tuple(vals))
    return rows


def design(
    targets: Targets,
    kind: str,
    u: np.ndarray,
    seeds: list[int] | None = None,
    levels: int = 4,
) -> Design:
    """A stage's design: the parameters' values at ``u``, and each point's seed when given.

    The design's parameters span 0..1 (prior quantiles), so sensitivity indices are
    effects per full prior range whatever a parameter's scale."""
    params = [Parameter(p.path, low=0.0, high=1.0) for p in targets.parameters]
    rows = values(targets, u)
    if seeds is not None:
        params.append(Parameter(SEED_COLUMN, low=0.0, high=float(MAX_SEED), integer=True))
        rows = [(*r, s) for r, s in zip(rows, seeds, strict=True)]
    return Design(kind, tuple(params), rows, np.asarray(u, dtype=float), levels=levels)


def make_sweep(targets: Targets, stage: str, d: Design) -> Sweep:
    """The stage as a sweep of the targets' world, every point's scenario checked."""
    points = check_points(targets.source, targets.base, d, targets.seed, 1, True)
    outputs = tuple(dict.fromkeys(t.metric for t in targets.targets))
    return Sweep(
        targets.source, f"{targets.name} {stage}", f"calibration stage {stage}",
        targets.base_path, points.base, 1, targets.seed, outputs, (), d, points,
    )  # fmt: skip


def run_stage(
    sweep: Sweep,
    folder: Path,
    executor: Executor,
    progress: Progress | None,
    own_seeds: bool,
) -> pd.DataFrame:
    """The stage's ``runs.csv``, running (or resuming) it first unless it is complete.

    A stage folder without a manifest was made but never started (the fit was killed
    between the two): it holds nothing of use and is started again."""
    if (folder / store.MANIFEST).exists():
        status = store.read_manifest(folder).get("status")
        if status != "complete":
            _run(sweep, folder, executor, progress, own_seeds, resume=True)
    else:
        if folder.exists():
            shutil.rmtree(folder)
        _run(sweep, folder, executor, progress, own_seeds, resume=False)
    return pd.read_csv(folder / "runs.csv")


def _run(
    sweep: Sweep,
    folder: Path,
    executor: Executor,
    progress: Progress | None,
    own_seeds: bool,
    resume: bool,
) -> None:
    evaluate: Evaluate = evaluate_own_seed if own_seeds else evaluate_metrics
    run_sweep(
        sweep,
        folder,
        evaluate=evaluate,
        metrics=names(),
        executor=executor,
        progress=progress,
        resume=resume,
    )


def outputs_at(runs: pd.DataFrame, targets: Targets, n_points: int) -> np.ndarray:
    """(points x targets): each target's simulated value at each point, scaled to its
    window; NaN where the replication failed or the metric has no value."""
    y = np.full((n_points, len(targets.targets)), np.nan)
    first = runs[runs["replication"] == 0].set_index("point")
    for j, t in enumerate(targets.targets):
        col = first[t.metric].reindex(range(n_points)).to_numpy(dtype=float)
        y[:, j] = col * targets.scale(j)
    return y
