"""The posterior as files: ``posterior.csv``, ``parameters.csv``, ``check.csv`` and
``calibrated.toml``, and reading a ``posterior.csv`` back for posterior-predictive runs.

``posterior.csv`` carries the world it was fitted to (its name and an id made
from its ports, routes, zones and actors), so a posterior is never applied to
another world without a word: the parameters it holds mean something only in
the world whose figures fitted them.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.schema import Target
from sim.calibrate.targets import Targets
from sim.experiment import store
from sim.scenario import dumps, validate
from sim.scenario.errors import ScenarioError
from sim.scenario.load import set_path

WORLD_KEYS = ("ports", "routes", "zones")
ACTOR_LISTS = ("sellers", "buyers", "patrols")
FIXED_COLUMNS = ["world", "world_id", "wave", "point", "seed"]
QUANTILES = (0.05, 0.5, 0.95)


def world_id(scenario: dict[str, Any]) -> str:
    """The geography and the names of the actors: what makes two scenarios the same world
    (a policy change, another fine or more patrols leave it the same)."""
    shape = {k: scenario.get(k) for k in WORLD_KEYS}
    shape |= {k: sorted(str(e.get("name")) for e in scenario.get(k, [])) for k in ACTOR_LISTS}
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    ok = np.isfinite(x) & (w > 0)
    if not ok.any():
        return [math.nan] * len(qs)
    return [float(v) for v in np.quantile(x[ok], qs, weights=w[ok], method="inverted_cdf")]


def posterior_frame(targets: Targets, u: np.ndarray, seeds: list[int], waves: list[int],
                    points: list[int], w: np.ndarray) -> pd.DataFrame:  # fmt: skip
    """One row per simulated world: where it came from, its parameters, its weight."""
    frame = pd.DataFrame(
        {
            "world": targets.base["name"],
            "world_id": world_id(targets.base),
            "wave": waves,
            "point": points,
            "seed": seeds,
        }
    )
    for j, p in enumerate(targets.parameters):
        frame[p.path] = [p.value(float(q)) for q in u[:, j]]
    frame["weight"] = w
    return frame


def parameters_frame(targets: Targets, post: pd.DataFrame, screen: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's prior and posterior (median and 90% interval), how much the 90%
    interval narrowed, and the targets that constrain it."""
    from sim.calibrate.screen import constrained_by

    rows = []
    w = post["weight"].to_numpy(dtype=float)
    for p in targets.parameters:
        q05, q50, q95 = weighted_quantiles(post[p.path].to_numpy(dtype=float), w, QUANTILES)
        p05, p95 = p.value(0.05), p.value(0.95)
        by = constrained_by(screen, p.path)
        rows.append(
            (p.path, p.prior, p.low, p.high, p05, p95, q50, q05, q95, (q95 - q05) / (p95 - p05),
             "; ".join(by) if by else "none")
        )  # fmt: skip
    cols = ["parameter", "prior", "low", "high", "prior_q05", "prior_q95", "median", "q05", "q95"]
    return pd.DataFrame(rows, columns=[*cols, "width_ratio", "constrained_by"])


def verdict(t: Target, median: float, q05: float, q95: float) -> str:
    """'yes': the predictive median is among the values the figure allows; 'interval
    only': only the 90% predictive interval reaches them; 'no': neither."""
    lo, hi = t.accepted
    if math.isnan(median):
        return "n/a"
    if lo <= median <= hi:
        return "yes"
    return "interval only" if q05 <= hi and q95 >= lo else "no"


def check_frame(targets: Targets, predictive: pd.DataFrame) -> pd.DataFrame:
    """Each target against the posterior-predictive median and 90% interval."""
    rows = []
    for j, t in enumerate(targets.targets):
        sim = predictive[t.metric].to_numpy(dtype=float) * targets.scale(j)
        sim = sim[np.isfinite(sim)]
        q05, q50, q95 = (
            (float(v) for v in np.quantile(sim, QUANTILES)) if sim.size else [math.nan] * 3
        )
        start, end = t.window_days or (0.0, targets.horizon_days)
        rows.append(
            (t.label, t.metric, f"{start:g}-{end:g}", targets.scale(j), t.describe(), t.centre,
             t.sd, q50, q05, q95, verdict(t, q50, q05, q95), t.period, t.source)
        )  # fmt: skip
    cols = ["target", "metric", "window_days", "scale", "observed", "centre", "error_sd"]
    cols += ["median"]
    return pd.DataFrame(rows, columns=[*cols, "q05", "q95", "inside", "period", "source"])


def calibrated_toml(targets: Targets, medians: dict[str, float]) -> str:
    """The world at the posterior median of every parameter, as a whole scenario file."""
    data = json.loads(json.dumps(targets.base))
    for p, integer in zip(targets.parameters, targets.integer, strict=True):
        x = medians[p.path]
        set_path(data, p.path, round(x) if integer else float(f"{x:.6g}"))
    data["name"] = f"{targets.base['name']}_calibrated"[:80]
    data["replications"] = 20
    scenario = validate(data, "calibrated scenario")
    lines = [f"# {data['name']}: {targets.base['name']} at the posterior median of"]
    lines += [f"#   {p.path} = {medians[p.path]:.6g}" for p in targets.parameters]
    lines += [f"# fitted by coalsim calibrate {targets.source}; see posterior.csv beside it", ""]
    return "\n".join(lines) + dumps(scenario)


@dataclass(frozen=True)
class Posterior:
    """A ``posterior.csv`` read back: its world, parameter paths, values and weights."""

    source: Path
    world: str
    world_id: str
    paths: list[str]
    values: np.ndarray  # worlds x parameters
    weights: np.ndarray
    sha256: str


def read_posterior(path: Path) -> Posterior:
    """Read and check a ``posterior.csv``; every mistake names the file."""
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise ScenarioError(f"--posterior {path}: file not found") from None
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise ScenarioError(f"--posterior {path}: not a readable CSV ({e})") from None
    missing = [c for c in [*FIXED_COLUMNS, "weight"] if c not in frame.columns]
    if missing or len(frame) == 0:
        what = f"no column {', '.join(missing)}" if missing else "no rows"
        raise ScenarioError(
            f"--posterior {path}: {what}; expected the posterior.csv of coalsim calibrate"
        )
    paths = [c for c in frame.columns if c not in (*FIXED_COLUMNS, "weight")]
    w = frame["weight"].to_numpy(dtype=float)
    values = frame[paths].to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0 or not np.isfinite(values).all():
        raise ScenarioError(f"--posterior {path}: weight: expected finite weights >= 0, not all 0")
    worlds = frame["world_id"].astype(str).unique()
    if len(worlds) != 1:
        raise ScenarioError(f"--posterior {path}: world_id: rows from {len(worlds)} worlds")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    world, wid = str(frame["world"].iloc[0]), str(worlds[0])
    return Posterior(path, world, wid, paths, values, w / w.sum(), digest)


def write_files(folder: Path, files: dict[str, pd.DataFrame | str]) -> list[str]:
    for name, content in files.items():
        if isinstance(content, str):
            store.write_atomic(folder / name, content)
        else:
            store.write_csv(folder / name, content)
    return list(files)
