"""The identifiability screen: which target can constrain which parameter, before fitting.

A Morris design over the parameters' prior quantiles (SALib, through the sweep
machinery and ``sim.experiment.sensitivity``) gives each target's ``mu_star``:
the mean absolute change of the target's simulated value when a parameter
moves across its whole prior. A target constrains a parameter when that
change is at least one standard deviation of the figure's error
(``ratio >= 1``): otherwise the figure cannot tell the prior's ends apart, and
a parameter no target constrains leaves the fit with its prior, which must
not be read back as a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate import stages
from sim.calibrate.targets import Targets
from sim.experiment import store
from sim.experiment.executors import Executor

LEVELS = 4
COLUMNS = ["target", "metric", "parameter", "mu_star", "ci95_low", "ci95_high", "error_sd"]
COLUMNS += ["ratio", "constrains"]

Bar = Callable[[str], AbstractContextManager[stages.Progress | None]]


def run_screen(
    targets: Targets, folder: Path, executor: Executor, bar: Bar, trajectories: int
) -> pd.DataFrame:
    """Run (or read back) the screen and write ``identifiability.csv``."""
    from SALib.sample import morris

    d = len(targets.parameters)
    problem = {"num_vars": d, "names": targets.paths, "bounds": [[0.0, 1.0]] * d}
    u = morris.sample(
        problem, trajectories, num_levels=LEVELS, seed=stages.stage_seed(targets.seed, 0) % 2**31
    )
    design = stages.design(targets, "morris", np.asarray(u), levels=LEVELS)
    sweep = stages.make_sweep(targets, "screen", design)
    with bar("identifiability screen") as progress:
        stages.run_stage(sweep, folder / "screen", executor, progress, own_seeds=False)
    table = identifiability(targets, pd.read_csv(folder / "screen" / "sensitivity.csv"))
    store.write_csv(folder / "identifiability.csv", table)
    return table


def identifiability(targets: Targets, sensitivity: pd.DataFrame) -> pd.DataFrame:
    """One row per target and parameter: mu_star (scaled to the target's window) against
    the standard deviation of the figure's error."""
    mu = sensitivity[sensitivity["index"] == "mu_star"]
    found = {(str(r["metric"]), str(r["parameter"])): r for r in mu.to_dict("records")}
    rows = []
    for j, t in enumerate(targets.targets):
        scale = targets.scale(j)
        for p in targets.paths:
            r = found[(t.metric, p)]
            value, lo, hi = (float(r[k]) * scale for k in ("value", "ci95_low", "ci95_high"))
            ratio = value / t.sd if np.isfinite(value) else float("nan")
            rows.append((t.label, t.metric, p, value, lo, hi, t.sd, ratio, bool(ratio >= 1.0)))
    return pd.DataFrame(rows, columns=COLUMNS)


def unconstrained(table: pd.DataFrame) -> list[str]:
    """Parameters no target constrains (in the file's order)."""
    held = table.groupby("parameter", sort=False)["constrains"].any()
    return [str(p) for p, c in held.items() if not c]


def constrained_by(table: pd.DataFrame, parameter: str) -> list[str]:
    rows = table[(table["parameter"] == parameter) & table["constrains"]]
    return [str(t) for t in rows["target"]]
