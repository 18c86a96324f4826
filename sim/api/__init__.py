"""coalsim from Python: load a scenario, run it, sweep it, compare runs, read results.

    import sim
    s = sim.load_scenario("scenarios/baseline.toml", overrides=["horizon_days=90"])
    r = sim.run(s, replications=4)
    r.summary                # a pandas DataFrame
    r.save("results/mine")   # the folder `coalsim run` writes
    r.report()

Every function here is what a CLI command does, without the printing; mistakes in
files or options raise ``sim.ScenarioError`` with the message the CLI would print.
See docs/api.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.api.results import Results, from_memory, load_results
from sim.scenario import Resolved, Scenario, resolve, with_run_options
from sim.scenario import load as _load
from sim.scenario.errors import ScenarioError

__all__ = [
    "Results", "ScenarioError", "compare", "discover", "load_results", "load_scenario", "run",
    "sweep",
]  # fmt: skip


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Resolved:
    """The validated scenario of a TOML file, with ``key.path=value`` overrides applied
    (as ``--set``); ``.scenario`` holds every key, defaults filled in."""
    return _load(Path(path), list(overrides))


def run(
    scenario: Resolved | Scenario | str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    target_ci: float | None = None,
) -> Results:
    """Run a scenario's replications in memory, on all cores unless ``workers`` says
    otherwise (results do not depend on it); nothing is written until ``Results.save``."""
    from sim.study.memory import run_in_memory

    if isinstance(scenario, str | Path):
        scenario = load_scenario(scenario)
    if isinstance(scenario, Scenario):
        scenario = resolve(scenario)
    resolved = with_run_options(scenario, replications, seed)
    return from_memory(run_in_memory(resolved, workers=workers, target_ci=target_ci))


def sweep(
    path: str | Path,
    out: str | Path | None = None,
    *,
    replications: int | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = None,
) -> Results:
    """Run a sweep file into ``out`` (default: a new folder under results/) and read it
    back. Sweeps always write their folder: they stream, and a killed one resumes."""
    from sim.study.sweep import execute_sweep, prepare_sweep, select_executor

    where = Path(out) if out is not None else None
    prepared = prepare_sweep(Path(path), out=where, overrides=overrides, replications=replications)
    total = prepared.sweep.points * prepared.sweep.replications
    executor = select_executor(workers, None, None, total)
    try:
        result = execute_sweep(prepared, executor)
    finally:
        executor.close()
    return load_results(result.folder)


def compare(a: Results | str | Path, b: Results | str | Path) -> Results:
    """B - A for every metric, paired by replication where the seeds match (as ``coalsim
    compare``); both must be saved run folders."""
    from sim.report.compare import compare_runs

    folders = []
    for x in (a, b):
        folder = x.folder if isinstance(x, Results) else Path(x)
        if folder is None:
            raise ScenarioError("compare reads saved runs: save each first (results.save(folder))")
        folders.append(folder)
    c = compare_runs(folders[0], folders[1])
    manifest = {"paired": c.paired, "shared": c.shared, "a": str(folders[0]), "b": str(folders[1])}
    inputs = pd.DataFrame(c.inputs, columns=["key", "a", "b"])
    return Results("compare", {"compare": c.table, "inputs": inputs}, manifest, None)


def discover(sweep: Results | str | Path, where: str, box: int | None = None) -> Results:
    """PRIM over a saved sweep's points for the condition ``where`` (as ``coalsim
    discover``, kept in memory): tables ``trajectory`` (one row per box, ``chosen``
    marking box ``box`` or the default) and ``limits`` (each box's range of each input)."""
    from sim.report.discovery import discover_sweep

    folder = sweep.folder if isinstance(sweep, Results) else Path(sweep)
    if folder is None:
        raise ScenarioError("discover reads a saved sweep folder")
    found = discover_sweep(folder, where, box)
    r = found.result
    trajectory = r.trajectory.assign(chosen=r.trajectory["box"] == found.chosen)
    manifest = {"sweep": str(folder), "where": where, "box": found.chosen, "cases": r.cases,
                "of_interest": r.of_interest}  # fmt: skip
    return Results("discovery", {"trajectory": trajectory, "limits": r.limits}, manifest, None)
