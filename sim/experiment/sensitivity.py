"""Sensitivity indices of sobol and morris designs, analysed with SALib.

The output analysed at each point is the mean of the metric over the
point's replications (common random numbers keep the noise between
neighbouring points small). Each index comes with a 95% interval: SALib's
bootstrap half-width turned into ``value - conf .. value + conf``.

- sobol: first-order ``S1`` and total ``ST`` indices (and ``S2`` for pairs,
  when the design asked for second order).
- morris: ``mu_star`` (mean absolute elementary effect, in the metric's units
  per full range of the parameter) and ``sigma`` (their standard deviation:
  interactions and non-linearity). SALib gives no interval for sigma; it is
  bootstrapped here the same way SALib bootstraps mu_star, resampling the
  trajectories' elementary effects.

A metric that is missing at some point (every replication failed) gets
NaN indices rather than an analysis of a partial sample.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy import stats

from sim.experiment.design import Design

LEVEL = 0.95
RESAMPLES = 1000
COLUMNS = ["metric", "parameter", "index", "value", "ci95_low", "ci95_high"]

Row = tuple[str, str, str, float, float, float]


def _rows(metric: str, name: str, index: str, value: float, conf: float) -> Row:
    return (metric, name, index, float(value), float(value - conf), float(value + conf))


def analyse(design: Design, metric: str, y: np.ndarray, seed: int) -> list[Row]:
    """Index rows for one metric; ``y`` holds its mean at each design point."""
    names = design.paths
    indices = ("S1", "ST") if design.kind == "sobol" else ("mu_star", "sigma")
    if design.sample is None or design.kind not in ("sobol", "morris"):
        raise ValueError(f"no sensitivity analysis for a {design.kind} design")
    if not np.all(np.isfinite(y)):
        nan = math.nan
        return [(metric, n, i, nan, nan, nan) for i in indices for n in names]
    # SALib treats a seed of 0 as "no seed"; shift so every seed is reproducible.
    salib_seed = seed % (2**32 - 2) + 1
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if design.kind == "sobol":
            return _sobol(design, metric, y, salib_seed)
        return _morris(design, metric, y, salib_seed)


def _sobol(design: Design, metric: str, y: np.ndarray, seed: int) -> list[Row]:
    from SALib.analyze import sobol

    si: Any = sobol.analyze(
        design.problem(),
        y,
        calc_second_order=design.second_order,
        num_resamples=RESAMPLES,
        conf_level=LEVEL,
        seed=seed,
    )
    names = design.paths
    rows = [_rows(metric, n, "S1", si["S1"][k], si["S1_conf"][k]) for k, n in enumerate(names)]
    rows += [_rows(metric, n, "ST", si["ST"][k], si["ST_conf"][k]) for k, n in enumerate(names)]
    if design.second_order:
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                pair = f"{names[a]},{names[b]}"
                rows.append(_rows(metric, pair, "S2", si["S2"][a, b], si["S2_conf"][a, b]))
    return rows


def elementary_effects(design: Design, y: np.ndarray) -> np.ndarray:
    """(parameters x trajectories) effects: output change per full-range step of one input."""
    assert design.sample is not None
    x = design.sample
    d = x.shape[1]
    bounds = np.asarray(design.problem()["bounds"], dtype=float)
    span = bounds[:, 1] - bounds[:, 0]
    t = len(y) // (d + 1)
    ee = np.empty((d, t))
    for j in range(t):
        rows = slice(j * (d + 1), (j + 1) * (d + 1))
        dx = np.diff(x[rows], axis=0) / span
        dy = np.diff(y[rows])
        for step in range(d):
            i = int(np.argmax(np.abs(dx[step])))
            ee[i, j] = dy[step] / dx[step, i]
    return ee


def _morris(design: Design, metric: str, y: np.ndarray, seed: int) -> list[Row]:
    from SALib.analyze import morris

    assert design.sample is not None
    si: Any = morris.analyze(
        design.problem(),
        design.sample,
        y,
        num_resamples=RESAMPLES,
        conf_level=LEVEL,
        num_levels=design.levels,
        seed=seed,
    )
    ee = elementary_effects(design, y)
    rng = np.random.default_rng(seed)
    z = float(stats.norm.ppf(0.5 + LEVEL / 2))
    names = design.paths
    rows = [
        _rows(metric, n, "mu_star", si["mu_star"][k], si["mu_star_conf"][k])
        for k, n in enumerate(names)
    ]
    for k, n in enumerate(names):
        e = ee[k]
        idx = rng.integers(len(e), size=(RESAMPLES, len(e)))
        conf = z * float(np.std(np.std(e[idx], axis=1, ddof=1), ddof=1)) if len(e) > 1 else math.nan
        rows.append(_rows(metric, n, "sigma", si["sigma"][k], conf))
    return rows
