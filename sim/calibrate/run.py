"""``coalsim calibrate`` as a function: a targets file in, a calibration folder out.

The folder holds a manifest (kind ``calibration``), one sweep folder per stage
(``screen``, ``wave_1`` ..., ``predictive``) and the results: ``posterior.csv``,
``parameters.csv``, ``check.csv``, ``identifiability.csv`` and
``calibrated.toml``. The manifest records the targets' fingerprint and the
seed, so ``--resume`` refuses a targets file that has changed since.
"""

from __future__ import annotations

import contextlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibrate import posterior as post
from sim.calibrate.engine import Fit, Note, ProgressFactory, plan, run_fit
from sim.calibrate.screen import unconstrained
from sim.calibrate.targets import Targets
from sim.experiment import store
from sim.experiment.executors import Executor
from sim.experiment.stream import FolderLock
from sim.experiment.sweep import resumable_manifest
from sim.scenario.errors import ScenarioError

KIND = "calibration"
RESUMABLE = ("running", "interrupted", "failed")


@dataclass(frozen=True)
class CalibrationResult:
    folder: Path
    fit: Fit
    files: list[str]
    unconstrained: list[str]


def started_seed(folder: Path) -> int | None:
    """The seed a calibration folder was started with (``--resume`` reuses it)."""
    seed = _existing(folder).get("seed")
    return int(seed) if seed is not None else None


def _existing(folder: Path) -> dict[str, Any]:
    return resumable_manifest(folder, KIND, RESUMABLE)


def check_resume(targets: Targets, folder: Path) -> dict[str, Any]:
    manifest = _existing(folder)
    if manifest.get("fingerprint") != targets.fingerprint():
        raise ScenarioError(
            f"--resume {folder}: {targets.source} (or its world, or the seed) has changed "
            "since the calibration started; resume with the files and options it started with"
        )
    return manifest


def calibrate(
    targets: Targets,
    folder: Path,
    executor: Executor,
    *,
    resume: bool = False,
    progress: ProgressFactory | None = None,
    note: Note | None = None,
) -> CalibrationResult:
    """Run (or resume) the calibration into ``folder`` and write its result files."""
    manifest = _start(targets, folder, executor, resume)
    folder.mkdir(parents=True, exist_ok=True)
    with FolderLock(folder):
        if not resume:
            store.check_out(folder)
        store.write_manifest(folder, manifest)
        try:
            fit = run_fit(targets, folder, executor, progress, note)
            files = write_results(fit, folder)
        except BaseException as e:
            manifest.update(
                status="interrupted" if isinstance(e, KeyboardInterrupt) else "failed",
                finished_at=store.now_iso(),
                error="".join(traceback.format_exception_only(e)).strip() or type(e).__name__,
            )
            with contextlib.suppress(OSError):
                store.write_manifest(folder, manifest)
            raise
        loose = unconstrained(fit.screen)
        manifest.update(
            status="complete", finished_at=store.now_iso(), files=files, unconstrained=loose,
            effective_sample_size=round(fit.ess, 1),
            waves=[{"points": len(w.u), "prior_share": w.volume} for w in fit.waves],
        )  # fmt: skip
        store.write_manifest(folder, manifest)
    return CalibrationResult(folder, fit, files, loose)


def _start(targets: Targets, folder: Path, executor: Executor, resume: bool) -> dict[str, Any]:
    if resume:
        manifest = check_resume(targets, folder)
        manifest.setdefault("resumed_at", []).append(store.now_iso())
        manifest.update(status="running", error=None, executor=executor.describe())
        return manifest
    p = plan(targets)
    return store.base_manifest(
        kind=KIND, name=targets.name, targets_file=str(targets.source),
        base_scenario=str(targets.base_path), world=targets.base["name"],
        world_id=post.world_id(targets.base), seed=targets.seed,
        horizon_days=targets.horizon_days,
        budget=targets.spec.budget, parameters=targets.paths,
        targets=[t.label for t in targets.targets], fingerprint=targets.fingerprint(),
        plan={"screen_trajectories": p.trajectories, "wave_sizes": list(p.wave_sizes),
              "predictive": p.predictive},
        executor=executor.describe(), files=[],
    )  # fmt: skip


def write_results(fit: Fit, folder: Path) -> list[str]:
    targets = fit.targets
    waves = [k + 1 for k, w in enumerate(fit.waves) for _ in range(len(w.u))]
    points = [i for w in fit.waves for i in range(len(w.u))]
    seeds = [s for w in fit.waves for s in w.seeds]
    frame = post.posterior_frame(targets, fit.u, seeds, waves, points, fit.weights)
    params = post.parameters_frame(targets, frame, fit.screen)
    medians = dict(zip(params["parameter"], params["median"].astype(float), strict=True))
    if not np.isfinite(list(medians.values())).all():
        raise ScenarioError(
            f"{targets.source}: no simulated world gave a value for every target; "
            "check the targets' metrics and windows"
        )
    files = post.write_files(
        folder,
        {
            "posterior.csv": frame,
            "parameters.csv": params,
            "check.csv": post.check_frame(targets, fit.predictive),
            "calibrated.toml": post.calibrated_toml(targets, medians),
        },
    )
    return ["identifiability.csv", *files]
