"""The fit: an identifiability screen, waves of history matching, an importance-weighted
posterior, and posterior-predictive runs; each stage a sweep in a folder of its own.

1. **Screen.** A Morris design over the prior quantiles; each target's
   ``mu_star`` against its error's standard deviation says which parameters it
   can constrain (``sim.calibrate.screen``).
2. **Waves.** Wave 1 is a Latin hypercube over the prior. Each later wave draws
   its points uniformly from a large candidate sample that every emulator so
   far leaves plausible (``sim.calibrate.emulator``): the runs go where the
   figures can still be matched.
3. **Posterior.** Every wave's simulated points, weighted by the figures'
   likelihood of the simulated values over the density the waves drew them
   from (a mixture of uniforms on the shrinking plausible regions): importance
   sampling of the posterior under the model's own noise.
4. **Posterior predictive.** Points resampled by weight and run again with
   fresh seeds: what the fitted worlds imply, and the check of each target.

Everything random is drawn from the fit's seed (``stages.stage_seed``), and
each stage reads its inputs from the files earlier stages wrote, so a fit
killed at any moment and resumed ends with the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate import stages
from sim.calibrate.emulator import Emulator, ErrorModel, plausible, worst
from sim.calibrate.targets import Targets
from sim.experiment.design import latin_hypercube
from sim.experiment.executors import Executor
from sim.scenario.errors import ScenarioError

ProgressFactory = Callable[[str], AbstractContextManager[stages.Progress | None]]
Note = Callable[[str], None]
CANDIDATES = 20_000
MAX_PREDICTIVE = 200
WAVE_MIN_PER_PARAMETER = 10


@dataclass(frozen=True)
class Plan:
    """How the budget of simulations is spent."""

    trajectories: int
    wave_sizes: tuple[int, ...]
    predictive: int

    def screen_points(self, d: int) -> int:
        return self.trajectories * (d + 1)


def plan(targets: Targets) -> Plan:
    """About a tenth for the posterior-predictive runs, a Morris screen of 4 trajectories
    (2 on a small budget), the rest in equal waves; a budget too small for the waves to
    learn anything is refused with the least that would do."""
    spec, d = targets.spec, len(targets.parameters)
    trajectories = 4 if spec.budget >= 400 else 2
    predictive = min(MAX_PREDICTIVE, max(20, spec.budget // 10))
    per_wave = (spec.budget - trajectories * (d + 1) - predictive) // spec.waves
    if per_wave < WAVE_MIN_PER_PARAMETER * d:
        least = trajectories * (d + 1) + 20 + spec.waves * WAVE_MIN_PER_PARAMETER * d
        raise ScenarioError(
            f"{targets.source}: budget: {spec.budget} simulations are too few for "
            f"{d} parameters in {spec.waves} waves; give at least {least}"
        )
    return Plan(trajectories, (per_wave,) * spec.waves, predictive)


@dataclass
class Wave:
    """One wave's points (prior quantiles), their simulated targets, and the share of
    the prior the emulators before it left plausible (``volume``)."""

    u: np.ndarray
    y: np.ndarray
    seeds: list[int]
    volume: float
    fallback: bool = False


@dataclass
class Fit:
    """Everything the result files are made from."""

    targets: Targets
    plan: Plan
    screen: pd.DataFrame
    waves: list[Wave] = field(default_factory=list)
    emulators: list[Emulator] = field(default_factory=list)
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    predictive: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def u(self) -> np.ndarray:
        return np.concatenate([w.u for w in self.waves])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([w.y for w in self.waves])

    @property
    def ess(self) -> float:
        """Kish's effective sample size of the weights."""
        w = self.weights
        return float(w.sum() ** 2 / (w**2).sum()) if w.size and w.sum() > 0 else 0.0


def run_fit(
    targets: Targets,
    folder: Path,
    executor: Executor,
    progress: ProgressFactory | None = None,
    note: Note | None = None,
) -> Fit:
    """Run (or resume: finished stages are read back) every stage into ``folder``."""
    from sim.calibrate.screen import run_screen

    def bar(label: str) -> AbstractContextManager[stages.Progress | None]:
        return progress(label) if progress is not None else nullcontext(None)

    say = note or (lambda _: None)
    p = plan(targets)
    fit = Fit(targets, p, run_screen(targets, folder, executor, bar, p.trajectories))
    errors = ErrorModel.of(targets)
    for k in range(1, len(p.wave_sizes) + 1):
        wave = _wave(fit, k, errors, folder, executor, bar)
        fit.waves.append(wave)
        fit.emulators.append(Emulator(wave.u, wave.y, stages.stage_seed(targets.seed, 4, k)))
        kept = plausible(fit.emulators, wave.u, errors).mean()
        say(
            f"wave {k}: {len(wave.u)} worlds from {wave.volume:.1%} of the prior; "
            f"{kept:.0%} of them still plausible after this wave"
        )
        if wave.fallback:
            say(f"wave {k}: no world left fits every target within 3 sd; ran the closest")
    fit.weights = weights(fit, errors)
    say(f"posterior: {len(fit.weights)} weighted worlds, effective sample size {fit.ess:.0f}")
    fit.predictive = _predictive(fit, folder, executor, bar)
    return fit


def _wave(
    fit: Fit,
    k: int,
    errors: ErrorModel,
    folder: Path,
    executor: Executor,
    bar: ProgressFactory,
) -> Wave:
    targets = fit.targets
    n = fit.plan.wave_sizes[k - 1]
    u, volume, fallback = _wave_points(targets, fit.emulators, errors, n, k)
    seeds = stages.point_seeds(targets.seed, 100 + k, n)
    sweep = stages.make_sweep(targets, f"wave {k}", stages.design(targets, "wave", u, seeds))
    label = f"wave {k}/{len(fit.plan.wave_sizes)}"
    with bar(label) as progress:
        runs = stages.run_stage(sweep, folder / f"wave_{k}", executor, progress, own_seeds=True)
    return Wave(u, stages.outputs_at(runs, targets, n), seeds, volume, fallback)


def _wave_points(
    targets: Targets, emulators: list[Emulator], errors: ErrorModel, n: int, k: int
) -> tuple[np.ndarray, float, bool]:
    """Wave ``k``'s points: a Latin hypercube over the prior for the first; for the rest,
    ``n`` drawn from the candidates every emulator so far leaves plausible, with the
    share of the prior those make up."""
    d = len(targets.parameters)
    cube = [[0.0, 1.0]] * d
    if not emulators:
        return latin_hypercube(n, cube, stages.stage_seed(targets.seed, 1, k)), 1.0, False
    cand = latin_hypercube(CANDIDATES, cube, stages.stage_seed(targets.seed, 2, k))
    keep = plausible(emulators, cand, errors)
    rng = np.random.default_rng(stages.stage_seed(targets.seed, 3, k))
    if not keep.any():
        closest = cand[np.argsort(worst(emulators, cand, errors), kind="stable")[:n]]
        return closest, n / CANDIDATES, True
    pool = cand[keep]
    picked = rng.choice(len(pool), size=n, replace=len(pool) < n)
    return pool[picked], float(keep.mean()), False


def weights(fit: Fit, errors: ErrorModel) -> np.ndarray:
    """Normalised importance weights: likelihood over the waves' mixture density.

    Wave 1 drew from the prior (density 1 on the unit cube); wave k from the uniform on
    the region the emulators of waves 1..k-1 leave plausible (density 1/volume there).
    """
    u, y = fit.u, fit.y
    total = sum(len(w.u) for w in fit.waves)
    q = np.zeros(len(u))
    for k, wave in enumerate(fit.waves):
        inside = plausible(fit.emulators[:k], u, errors) if k else np.ones(len(u), dtype=bool)
        q += len(wave.u) / total * inside / wave.volume
    logw = errors.log_likelihood(y) - np.log(np.where(q > 0, q, np.nan))
    logw = np.where(np.isfinite(logw), logw, -np.inf)
    if not np.isfinite(logw).any():
        return np.zeros(len(u))
    w = np.exp(logw - logw.max())
    return np.asarray(w / w.sum())


def _predictive(fit: Fit, folder: Path, executor: Executor, bar: ProgressFactory) -> pd.DataFrame:
    """Posterior draws (systematic resampling by weight) run with fresh seeds."""
    targets = fit.targets
    n = fit.plan.predictive
    w = fit.weights if fit.weights.sum() > 0 else np.full(len(fit.u), 1 / len(fit.u))
    rng = np.random.default_rng(stages.stage_seed(targets.seed, 5))
    marks = (rng.random() + np.arange(n)) / n
    idx = np.minimum(np.searchsorted(np.cumsum(w), marks), len(w) - 1)
    seeds = stages.point_seeds(targets.seed, 200, n)
    sweep = stages.make_sweep(
        targets, "predictive", stages.design(targets, "predictive", fit.u[idx], seeds)
    )
    with bar("posterior predictive") as progress:
        return stages.run_stage(sweep, folder / "predictive", executor, progress, own_seeds=True)
