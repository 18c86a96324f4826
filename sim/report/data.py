"""Reading saved results for reports: a run folder or a sweep folder, never the model.

Every table a report might draw from is optional except the ones every
finished folder has; a figure whose table or column is absent says so
(``Missing``) instead of failing, so reports keep working as the model
learns to save more.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment.summary import mean_ci as summary_mean_ci
from sim.metrics.ranges import UNBOUNDED
from sim.report.style import Missing
from sim.scenario.errors import ScenarioError

MANIFEST = "manifest.json"


class ReportError(ScenarioError):
    """A folder that cannot be reported on (not a results folder, unfinished, unreadable)."""


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a folder")
    if not path.is_file() and (folder / "compare.csv").is_file():
        raise ReportError(
            f"{folder}: a comparison (coalsim compare); its table and figure are already in "
            "it (compare.txt, compare.csv, figures/); to draw them again run "
            f"coalsim compare RUN_A RUN_B --out {folder}"
        )
    for marker, command in (("verify.csv", "verify"), ("breakeven.csv", "breakeven")):
        if not path.is_file() and (folder / marker).is_file():
            raise ReportError(
                f"{folder}: the results of coalsim {command}; its report.html is already in "
                f"it; to draw it again run coalsim {command} with --out {folder}"
            )
    if not path.is_file():
        raise ReportError(f"{folder}: no {MANIFEST}; not a coalsim results folder")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ReportError(f"{path}: cannot read ({e})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: not a coalsim manifest")
    status = data.get("status")
    if status != "complete":
        raise ReportError(f"{folder}: the results are not complete (status: {status})")
    return data


@dataclass(frozen=True)
class Schema:
    """What a saved table must hold for a report to trust it."""

    columns: tuple[str, ...]
    """Columns every version of the table has; without them it is not that table."""
    filled: tuple[str, ...] = ()
    """Columns a finished run fills in on every row, where the table has them (older results
    may lack some). An empty cell in one is a row cut short or a damaged file."""


SHIPMENT_FILLED = (
    *("replication", "seed", "id", "seller", "origin", "tonnes", "t_ready"),
    *("price_rmb_per_tonne", "ais_off", "outcome", "contacts", "hours_in_zones"),
    *("waited_hours", "tips", "fine_rmb", "reward_rmb"),
)
"""The shipment record's fields that have a value from the moment a lot is ready (a lot
without a deal has no route, destination or buyer yet). The last column is one of them, so
a row cut short shows."""

RUN_TABLES: dict[str, Schema] = {
    "runs.csv": Schema(("replication",), ("replication", "seed")),
    "summary.csv": Schema(("metric", "mean", "ci95_low", "ci95_high", "n"), ("metric", "n")),
    "timeseries.csv": Schema(("replication", "week"), ("replication", "seed", "week")),
    "shipments.csv": Schema(("replication", "outcome", "tonnes"), SHIPMENT_FILLED),
    "network_nodes.csv": Schema(("node", "kind"), ("replication", "seed", "node", "kind")),
    "network_edges.csv": Schema(("source", "target"), ("replication", "seed", "source", "target")),
    "volume.csv": Schema(
        ("replication", "week", "destination", "tonnes_delivered"),
        ("replication", "seed", "week", "destination", "shipments_delivered", "tonnes_delivered"),
    ),
    "zones.csv": Schema(
        ("replication", "zone", "patrol_hours_on_station", "seizures"),
        ("replication", "seed", "zone", "patrol_hours_on_station", "seizures", "tips"),
    ),
}
"""The tables of a run folder and what each must hold; every writer ends each row with a
newline, so a file that does not end with one was cut short."""


def _cut_short(path: Path) -> bool:
    """Whether a non-empty file stops in the middle of a row (its last byte is no newline)."""
    with path.open("rb") as f:
        if f.seek(0, os.SEEK_END) == 0:
            return False
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def _check(path: Path, frame: pd.DataFrame, schema: Schema) -> None:
    """Raise ``ReportError`` naming ``path`` if ``frame`` lacks a column or a required value."""
    absent = [c for c in schema.columns if c not in frame]
    if absent:
        raise ReportError(
            f"{path}: damaged or not a coalsim table: its header lacks the column"
            f"{'s' if len(absent) > 1 else ''} {', '.join(absent)}"
        )
    filled = [c for c in schema.filled if c in frame]
    empty = frame[filled].isna()
    bad = empty.any(axis=1)
    if bad.any():
        cols = [c for c in filled if empty[c].any()]
        first = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # line in the file: header is 1
        n = int(bad.sum())
        rows = (
            f"{n} of {len(frame)} rows (the first on line {first}) lack values"
            if n > 1
            else f"the row on line {first} lacks values"
        )
        raise ReportError(
            f"{path}: damaged: {rows} in {', '.join(cols)}, which a finished run always "
            "fills in; run the scenario again or restore the file"
        )


def _csv(
    folder: Path, name: str, *, required: bool, schema: Schema | None = None
) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        if required:
            raise ReportError(f"{folder}: {name} is missing")
        return None
    try:
        cut = _cut_short(path)
        empty = path.stat().st_size == 0
        frame = None if cut or empty else pd.read_csv(path, keep_default_na=True, low_memory=False)
    except (OSError, ValueError) as e:
        raise ReportError(f"{path}: cannot read ({e})") from None
    if cut:
        raise ReportError(
            f"{path}: damaged: the file ends in the middle of a row (cut short?); "
            "run the scenario again or restore the file"
        )
    if frame is None:  # a table that never had a row is written as an empty file
        if required or schema is None:
            raise ReportError(f"{path}: the file is empty")
        return pd.DataFrame(columns=list(schema.columns))
    if schema is not None:
        _check(path, frame, schema)
    return frame


def _run_csv(folder: Path, name: str, *, required: bool = False) -> pd.DataFrame | None:
    return _csv(folder, name, required=required, schema=RUN_TABLES[name])


@dataclass(frozen=True)
class RunData:
    folder: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    summary: pd.DataFrame
    timeseries: pd.DataFrame | None
    shipments: pd.DataFrame | None
    nodes: pd.DataFrame | None
    edges: pd.DataFrame | None
    volume: pd.DataFrame | None = None
    """Per replication, week, destination, route and mode: voyages and tonnes (volume.csv)."""
    zones: pd.DataFrame | None = None
    """Per replication and zone: patrol hours, seizures, tips (zones.csv)."""

    @property
    def scenario(self) -> dict[str, Any]:
        s = self.manifest.get("scenario")
        return s if isinstance(s, dict) else {}

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario_name") or self.scenario.get("name") or "run")

    @property
    def replications(self) -> int:
        return int(self.runs["replication"].nunique()) if "replication" in self.runs else 0

    def metric(self, name: str) -> pd.Series:
        if name not in self.runs:
            raise Missing(f"this run's results have no `{name}` metric")
        return self.runs[name].astype(float)

    def series(self, *columns: str) -> pd.DataFrame:
        ts = self.timeseries
        if ts is None:
            raise Missing("this run saved no weekly time series (timeseries.csv)")
        if ts.empty:
            raise Missing("this run's weekly time series (timeseries.csv) has no rows")
        absent = [c for c in columns if c not in ts]
        if absent:
            names = ", ".join(f"`{c}`" for c in absent)
            raise Missing(f"this run's weekly time series has no {names} column")
        return ts

    def table(self, name: str, *columns: str) -> pd.DataFrame:
        """The optional long table ``name`` (volume or zones), or ``Missing`` saying why not."""
        frame = {"volume": self.volume, "zones": self.zones}[name]
        if frame is None:
            raise Missing(f"this run saved no {name}.csv (results from before it existed)")
        absent = [c for c in columns if c not in frame]
        if absent:
            names = ", ".join(f"`{c}`" for c in absent)
            raise Missing(f"this run's {name}.csv has no {names} column")
        return frame

    def log(self, *columns: str) -> pd.DataFrame:
        if self.shipments is None:
            raise Missing("this run saved no shipment log (shipments.csv)")
        absent = [c for c in columns if c not in self.shipments]
        if absent:
            names = ", ".join(f"`{c}`" for c in absent)
            raise Missing(f"this run's shipment log has no {names} column")
        return self.shipments


def load_run(folder: Path) -> RunData:
    manifest = read_manifest(folder)
    runs = _run_csv(folder, "runs.csv", required=True)
    summary = _run_csv(folder, "summary.csv", required=True)
    assert runs is not None and summary is not None
    return RunData(
        folder,
        manifest,
        runs,
        summary,
        _run_csv(folder, "timeseries.csv"),
        _run_csv(folder, "shipments.csv"),
        _run_csv(folder, "network_nodes.csv"),
        _run_csv(folder, "network_edges.csv"),
        _run_csv(folder, "volume.csv"),
        _run_csv(folder, "zones.csv"),
    )


@dataclass(frozen=True)
class SweepData:
    folder: Path
    manifest: dict[str, Any]
    design: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame
    sensitivity: pd.DataFrame | None
    effects: pd.DataFrame | None = None
    """effects.csv: each point's paired difference from the reference (newer sweeps)."""

    @property
    def name(self) -> str:
        return str(self.manifest.get("name") or self.manifest.get("sweep_name") or "sweep")

    @property
    def parameters(self) -> list[str]:
        params = self.manifest.get("parameters")
        if isinstance(params, list) and params:
            return [str(p) for p in params]
        return [c for c in self.design.columns if c != "point"]

    @property
    def design_kind(self) -> str:
        return str(self.manifest.get("design", "grid"))

    @property
    def outputs(self) -> list[str]:
        """The metrics the sweep is about: the manifest's outputs, else every summarised metric."""
        known = list(dict.fromkeys(self.summary["metric"].astype(str)))
        wanted = self.manifest.get("outputs")
        if isinstance(wanted, list) and wanted:
            return [str(m) for m in wanted if str(m) in known]
        return known


EFFECTS = Schema(("point", "metric", "mean", "ci95_low", "ci95_high", "n"), ("point", "metric"))


def load_sweep(folder: Path) -> SweepData:
    manifest = read_manifest(folder)
    design = _csv(folder, "design.csv", required=True)
    runs = _csv(folder, "runs.csv", required=True)
    summary = _csv(folder, "summary.csv", required=True)
    assert design is not None and runs is not None and summary is not None
    return SweepData(
        folder,
        manifest,
        design,
        runs,
        summary,
        _csv(folder, "sensitivity.csv", required=False),
        _csv(folder, "effects.csv", required=False, schema=EFFECTS),
    )


def as_text(column: pd.Series) -> pd.Series:
    """A text column with its empty cells as "" (a column with no text at all reads as
    floats, which ``fillna("")`` would not turn into text)."""
    return column.astype(object).where(column.notna(), "").astype(str)


# ------------------------------------------------------------------ statistics


def t_half_width(std: np.ndarray, n: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Half-width of Student's t interval; NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
        return np.asarray(t * np.asarray(std, dtype=float) / np.sqrt(n))


def band(
    frame: pd.DataFrame, value: str, by: str = "week", within: tuple[float, float] = UNBOUNDED
) -> pd.DataFrame:
    """Per value of ``by``: mean over replications with a 95% CI (columns mean, lo, hi, n),
    the CI cut to ``within``, the values the series can take (``sim.metrics.ranges``)."""
    g = frame.groupby(by)[value]
    out = pd.DataFrame({"mean": g.mean(), "std": g.std(ddof=1), "n": g.count()})
    half = t_half_width(out["std"].to_numpy(), out["n"].to_numpy())
    out["lo"] = np.maximum(out["mean"] - half, within[0])  # NaN stays NaN
    out["hi"] = np.minimum(out["mean"] + half, within[1])
    return out.reset_index()


def mean_ci(
    values: pd.Series | np.ndarray, within: tuple[float, float] = UNBOUNDED
) -> tuple[float, float, float, int]:
    """(mean, ci_low, ci_high, n) over the finite values, the CI cut to ``within``: the
    saved summaries' interval (``sim.experiment.summary.mean_ci``) without the std."""
    m, _, lo, hi, n = summary_mean_ci(values, within)
    return (m, lo, hi, n)
