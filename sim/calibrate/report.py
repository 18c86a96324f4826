"""The calibration report: figures/, report.html and report.pdf, from the saved folder only.

Its first page answers the question a calibration is for: which worlds are
consistent with what has been seen (each parameter's posterior median and
90% interval, and which of them no figure constrains), and what those worlds
imply for the coal that gets through and what it earns (the
posterior-predictive runs, whose intervals carry both what the figures leave
unknown about the world and the model's own dice).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.figures import (
    identifiability_figure,
    pairs_figure,
    parameters_figure,
    targets_figure,
)
from sim.calibrate.schema import Parameter
from sim.calibrate.targets import TOTAL_UNITS
from sim.metrics.registry import definition
from sim.metrics.units import number
from sim.report.build import Part, Written, render
from sim.report.data import ReportError, read_manifest
from sim.report.tables import Table

IMPLIED = (
    "tonnes_delivered",
    "tonnes_seized",
    "seizure_share",
    "dprk_revenue_rmb",
    "dprk_net_rmb",
    "buyer_profit_rmb",
    "fines_rmb",
)
"""What the fitted worlds imply: the coal that gets through and what it earns."""


def calibration_report(folder: Path) -> Written:
    manifest = read_manifest(folder)
    if manifest.get("kind") != "calibration" or manifest.get("status") != "complete":
        raise ReportError(f"{folder}: not a complete calibration (its manifest.json)")
    try:
        params = pd.read_csv(folder / "parameters.csv")
        check = pd.read_csv(folder / "check.csv")
        post = pd.read_csv(folder / "posterior.csv")
        screen = pd.read_csv(folder / "identifiability.csv")
        predictive = pd.read_csv(folder / "predictive" / "runs.csv")
    except (OSError, ValueError) as e:
        raise ReportError(f"{folder}: a calibration table is missing or unreadable ({e})") from None
    priors = [
        Parameter.model_validate(
            {"path": str(r["parameter"]), "low": float(r["low"]), "high": float(r["high"]),
             "prior": str(r["prior"])}
        )
        for r in params.to_dict("records")
    ]  # fmt: skip
    title = f"Calibration of {manifest.get('world', '?')}: {manifest.get('name', '')}"
    meta = (
        f"{len(post)} simulated worlds in {len(manifest.get('waves', []))} waves, effective "
        f"sample size {manifest.get('effective_sample_size', '?')}; "
        f"{len(predictive)} posterior-predictive runs; seed {manifest.get('seed')}"
    )
    parts = _parts(params, check, post, screen, predictive, priors, manifest)
    return render(folder, title, meta, manifest, headline(params, predictive, manifest), parts)


def headline(params: pd.DataFrame, predictive: pd.DataFrame, manifest: dict[str, Any]) -> Table:
    """Which worlds fit, and what they imply a year, each as a median and 90% interval."""
    rows = []
    for r in params.itertuples():
        note = " (no target constrains it: prior)" if r.constrained_by == "none" else ""
        rows.append(
            [f"{r.parameter}{note}", _g(r.median), f"{_g(r.q05)} to {_g(r.q95)}",
             f"{_g(r.low)} to {_g(r.high)}"]
        )  # fmt: skip
    per_year = 365.0 / float(manifest.get("horizon_days", 365.0))
    for m in IMPLIED:
        d = definition(m)
        scale = per_year if d.unit in TOTAL_UNITS else 1.0
        x = predictive[m].to_numpy(dtype=float) * scale
        x = d.unit(x[np.isfinite(x)])
        q05, q50, q95 = np.quantile(x, (0.05, 0.5, 0.95)) if x.size else (np.nan,) * 3
        what = f"{d.label} ({d.unit.label}{'/yr' if scale != 1.0 else ''})"
        rows.append([what, number(q50), f"{number(q05)} to {number(q95)}", ""])
    return Table(
        ["", "median", "90% interval", "prior"], rows, [60, 12, 24, 18], right=(1, 2, 3),
        notes=(
            "Parameters: the worlds consistent with the targets (posterior). Below them: what "
            "those worlds imply, from the posterior-predictive runs; the intervals carry both "
            "parameter and stochastic uncertainty.",
        ),
    )  # fmt: skip


def _g(x: Any) -> str:
    return f"{float(x):.4g}"


def _parts(
    params: pd.DataFrame,
    check: pd.DataFrame,
    post: pd.DataFrame,
    screen: pd.DataFrame,
    predictive: pd.DataFrame,
    priors: list[Parameter],
    manifest: dict[str, Any],
) -> list[Part]:
    loose = [str(p) for p in manifest.get("unconstrained", [])]
    warn = (
        f"No target constrains {', '.join(loose)}: its posterior is its prior, not a finding."
        if loose
        else "Every parameter is constrained by at least one target."
    )
    scales = [float(s) for s in check["scale"]]
    return [
        Part("targets", "Targets against the calibrated model",
             "Each figure's accepted values (orange) against the posterior-predictive runs "
             "(blue: median and 90% interval).", make=lambda: targets_figure(check, predictive,
                                                                            scales),
             table=_check_table(check), table_page=True),
        Part("parameters", "Each parameter: prior and posterior", warn,
             make=lambda: parameters_figure(priors, post)),
        Part("pairs", "Posterior worlds, pair by pair",
             "Each simulated world, its area its posterior weight.",
             make=lambda: pairs_figure(priors, post)),
        Part("identifiability", "Which targets constrain which parameters",
             "Morris mu_star of each target across each parameter's prior, in standard "
             "deviations of the target's error; 1 or more: the target can tell the prior's "
             "ends apart. " + warn, make=lambda: identifiability_figure(screen)),
    ]  # fmt: skip


def _check_table(check: pd.DataFrame) -> Table:
    rows = [
        [str(r.target), str(r.observed), _g(r.median), f"{_g(r.q05)} to {_g(r.q95)}",
         str(r.inside), str(r.source)]
        for r in check.itertuples()
    ]  # fmt: skip
    return Table(
        ["target", "observed", "simulated median", "simulated 90%", "inside", "source"],
        rows, [28, 22, 14, 24, 10, 60], right=(2, 3), landscape=True,
    )  # fmt: skip


def write_calibration_report(folder: Path) -> Path:
    return calibration_report(Path(folder)).html
