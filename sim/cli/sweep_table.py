"""What ``coalsim sweep`` prints when it is done: each point's values and output means, or
each parameter's sensitivity index, in the report's units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.experiment.sweep import SweepResult
from sim.experiment.sweepfile import Sweep
from sim.metrics.registry import definition
from sim.metrics.units import COUNT, Unit, number

DIGEST_POINTS = 32
"""Points the terminal table shows: every point of the shipped grids and one-at-a-time
designs (16 at most), so no row of a grid is cut off; longer designs are in summary.csv."""


def sweep_digest(
    result: SweepResult, sweep: Sweep, limit: int = DIGEST_POINTS
) -> tuple[list[str], list[list[str]]]:
    """A small table for the terminal: each point's values and output means, or the indices.

    For sobol and morris, one row per parameter: ST (or mu_star) for each output.
    Otherwise the first ``limit`` points; the files hold everything.
    """
    folder = result.folder
    if (folder / "sensitivity.csv").exists():
        sens = pd.read_csv(folder / "sensitivity.csv")
        index = "ST" if sweep.design.kind == "sobol" else "mu_star"
        sens = sens[sens["index"] == index]
        # Sobol's indices are shares of variance; Morris's mu_star is in the output's unit.
        units = {m: definition(m).unit if index == "mu_star" else COUNT for m in sweep.outputs}
        header = ["parameter", *(_named(f"{index} {m}", units[m]) for m in sweep.outputs)]
        rows = []
        for p, short in zip(sweep.design.paths, short_names(sweep.design.paths), strict=True):
            cells = [short]
            for m in sweep.outputs:
                got = sens[(sens.parameter == p) & (sens.metric == m)]["value"]
                cells.append(number(units[m](float(got.iloc[0]))) if len(got) else "n/a")
            rows.append(cells)
        return header, rows
    # The report's units (a fine in million RMB, coal in kt), so the two agree.
    from sim.report.sweep_figures import parameter_unit, parameter_value

    summary = pd.read_csv(folder / "summary.csv")
    pivot = summary.pivot(index="point", columns="metric", values="mean")
    means: dict[Any, dict[Any, Any]] = pivot.to_dict("index")
    paths = sweep.design.paths
    labels = [parameter_unit(p).brief for p in paths]  # 'M RMB', as the outputs
    named = [
        f"{short} ({label})" if label else short
        for short, label in zip(short_names(paths), labels, strict=True)
    ]
    units = {m: definition(m).unit for m in sweep.outputs}
    outputs = [_named(m, u) for m, u in units.items()]
    header = ["point", *named, *outputs]
    rows = []
    for i, values in enumerate(sweep.design.rows[:limit]):
        outs = [number(units[m](float(means[i][m]))) if i in means else "n/a" for m in units]
        shown = [parameter_value(p, v) for p, v in zip(paths, values, strict=True)]
        rows.append([str(i), *shown, *outs])
    return header, rows


def short_names(paths: Sequence[str]) -> list[str]:
    """Each key path's shortest trailing part that no other path shares, and never less
    than the list entry a key belongs to ('jiangsu_patrol.vessels', not 'vessels', which
    leaves the reader asking which group; 'patrols.0.vessels' for an entry by index)."""
    out = []
    for p in paths:
        parts = p.split(".")
        least = 1 if len(parts) < 3 else 3 if parts[-2].isdigit() else 2
        for k in range(least, len(parts) + 1):
            tail = ".".join(parts[-k:])
            if sum(q == tail or q.endswith("." + tail) for q in paths) == 1:
                break
        out.append(tail)
    return out


def _named(name: str, unit: Unit) -> str:
    """A column header with its unit: 'tonnes_delivered (kt)'; a count has none."""
    return f"{name} ({unit.brief})" if unit.label else name
