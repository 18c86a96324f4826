"""What the Python API hands back: a run's, a sweep's or a comparison's tables in memory,
with the folder they were saved in (if any)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario.errors import ScenarioError
from sim.study.memory import MemoryRun, save_run

RUN_TABLES = (
    "runs",
    "summary",
    "timeseries",
    "shipments",
    "network_nodes",
    "network_edges",
    "volume",
    "zones",
)
SWEEP_TABLES = ("design", "runs", "summary", "effects", "sensitivity", "failures")


@dataclass
class Results:
    """Tables by name (``runs``, ``summary``, ``shipments``, ``timeseries``, ...) as pandas
    DataFrames, the manifest, and the folder they live in (None until saved).

    ``kind`` is ``run``, ``sweep``, ``compare`` or ``discovery``. A run made in memory can be saved
    once, to a folder that ``coalsim run`` could have written; a saved run or sweep
    draws its report with ``report()``.
    """

    kind: str
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    _unsaved: MemoryRun | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        """One line a notebook can show: the dataclass's own repr printed every table whole,
        a screenful of DataFrames for a two-replication run."""
        name = self.manifest.get("scenario_name") or self.manifest.get("name")
        what = f"{self.kind} {name!r}" if name else self.kind
        shapes = ", ".join(f"{n} {t.shape[0]:,}x{t.shape[1]}" for n, t in self.tables.items())
        where = f"saved in {self.folder}" if self.folder is not None else "not saved"
        return f"<Results: {what}, {where}; tables (rows x columns): {shapes}>"

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise KeyError(f"{name!r}: this {self.kind} has the tables {', '.join(self.tables)}")
        return self.tables[name]

    @property
    def runs(self) -> pd.DataFrame:
        """One row per replication (per point and replication for a sweep)."""
        return self["runs"]

    @property
    def summary(self) -> pd.DataFrame:
        """Mean, std and 95% CI of each metric (per point for a sweep)."""
        return self["summary"]

    @property
    def shipments(self) -> pd.DataFrame:
        return self["shipments"]

    @property
    def timeseries(self) -> pd.DataFrame:
        return self["timeseries"]

    def save(self, folder: str | Path) -> Path:
        """Write the run folder ``coalsim run`` writes (manifest.json and every CSV)."""
        if self._unsaved is None:
            where = f" (it is in {self.folder})" if self.folder is not None else ""
            raise ScenarioError(f"only a run made in memory can be saved{where}")
        target = Path(folder)
        result = save_run(self._unsaved, target)
        self.folder, self._unsaved = result.folder, None
        self.manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        return target

    def report(self) -> Path:
        """Draw figures/, report.html and report.pdf in the saved folder; the HTML's path."""
        if self.folder is None:
            raise ScenarioError("save the results first (results.save(folder)): reports are "
                                "drawn from saved results")  # fmt: skip
        from sim.report import write_report

        return write_report(self.folder)


def from_memory(run: MemoryRun) -> Results:
    return Results("run", run.tables(), {"scenario_name": run.resolved.scenario.name}, None, run)


def load_results(folder: str | Path) -> Results:
    """A saved run, sweep or comparison folder, read back into a ``Results``."""
    from sim.report.data import read_manifest

    path = Path(folder)
    if (path / "compare.csv").is_file() and not (path / "manifest.json").exists():
        return Results("compare", {"compare": pd.read_csv(path / "compare.csv")}, {}, path)
    manifest = read_manifest(path)
    kind = "sweep" if manifest.get("kind") == "sweep" else "run"
    names = SWEEP_TABLES if kind == "sweep" else RUN_TABLES
    tables = {n: pd.read_csv(path / f"{n}.csv") for n in names if (path / f"{n}.csv").is_file()}
    return Results(kind, tables, manifest, path)
