"""The report of a sweep: overview, responses per metric, grid heatmaps, sensitivity, design."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.report import style, sweep_figures
from sim.report.build import Part, Written, render
from sim.report.data import SweepData, load_sweep
from sim.report.tables import Table

MAX_ROWS = 500
"""Design points listed in the HTML table; the full design is in design.csv."""
MAX_METRIC_COLUMNS = 4


def _value(v: object) -> str:
    if isinstance(v, float):
        return style.number(v) if abs(v) >= 1000 else f"{v:g}"
    return str(v)


def overview_table(sweep: SweepData) -> Table:
    reps = sweep.runs.groupby("point")["replication"].nunique()
    rows = [
        ["design", sweep.design_kind],
        ["design points", str(len(sweep.design))],
        [
            "replications per point",
            f"{reps.min()}" if reps.min() == reps.max() else f"{reps.min()} to {reps.max()}",
        ],
        ["outputs", ", ".join(sweep.outputs)],
    ]
    for p in sweep.parameters:
        col = sweep.design[p]
        if pd.api.types.is_numeric_dtype(col):
            values = sorted(col.unique())
            text = (
                ", ".join(_value(float(v)) for v in values)
                if len(values) <= 8
                else f"{_value(float(col.min()))} to {_value(float(col.max()))} "
                f"({len(values)} values)"
            )
        else:
            text = ", ".join(sorted(col.astype(str).unique()))
        rows.append([f"parameter {p}", text])
    base = sweep.manifest.get("base_scenario") or sweep.manifest.get("scenario_file")
    if base:
        rows.insert(0, ["base scenario", str(base)])
    return Table(["setting", "value"], rows, [40, 78])


def design_table(sweep: SweepData) -> Table:
    """Every design point with its parameter values and the mean of the first outputs."""
    metrics = sweep.outputs[:MAX_METRIC_COLUMNS]
    wide = sweep.summary.pivot_table(index="point", columns="metric", values="mean")
    frame = sweep.design.set_index("point").join(wide[[m for m in metrics if m in wide]])
    header = ["point", *sweep.parameters]
    header += [
        f"{style.label(m)} ({style.unit_for(m).label})".replace(" ()", "")
        for m in metrics
        if m in frame
    ]
    rows = []
    for point, r in frame.head(MAX_ROWS).iterrows():
        cells = [str(point), *(_value(r[p]) for p in sweep.parameters)]
        cells += [style.number(style.unit_for(m)(float(r[m]))) for m in metrics if m in frame]
        rows.append(cells)
    width = max(8, 110 // max(len(header), 1))
    right = tuple(range(1 + len(sweep.parameters), len(header)))
    return Table(header, rows, [6] + [width] * (len(header) - 1), right)


def sweep_parts(sweep: SweepData) -> list[Part]:
    parts = [
        Part("overview", "Sweep design", "What was varied, and how.", table=overview_table(sweep))
    ]
    for m in sweep.outputs:
        parts.append(
            Part(
                f"response_{m}",
                f"{style.label(m)} against each parameter",
                f"Mean of {style.label(m).lower()} at each design point against each swept "
                "parameter, with 95% confidence bands over replications.",
                lambda m=m: sweep_figures.response(sweep, m),  # type: ignore[misc]
            )
        )
    if sweep.design_kind == "grid" and len(sweep.parameters) >= 2:
        for m in sweep.outputs:
            parts.append(
                Part(
                    f"heatmap_{m}",
                    f"{style.label(m)} over the grid",
                    "Mean over replications in each cell of the two-parameter grid.",
                    lambda m=m: sweep_figures.heatmap(sweep, m),  # type: ignore[misc]
                )
            )
    parts.append(
        Part(
            "sensitivity",
            "Sensitivity indices",
            "How much of each output's variation each parameter explains (Sobol: first-order "
            "and total indices) or how strongly it moves the output (Morris: μ* and σ), with "  # noqa: RUF001
            "95% confidence intervals.",
            lambda: sweep_figures.sensitivity(sweep),
        )
    )
    table = design_table(sweep)
    shown = (
        f"the first {MAX_ROWS} of {len(sweep.design)}; all are in design.csv"
        if len(sweep.design) > MAX_ROWS
        else f"all {len(sweep.design)}"
    )
    parts.append(
        Part(
            "design",
            "Design points",
            f"Design points ({shown}) with the mean of the first outputs at each.",
            table=table,
            table_page=True,
        )
    )
    return parts


def sweep_report(folder: Path) -> Written:
    sweep = load_sweep(folder)
    reps = sweep.runs.groupby("point")["replication"].nunique()
    meta = (
        f"Sweep {sweep.name}: {sweep.design_kind} design over {len(sweep.parameters)} "
        f"parameter(s), {len(sweep.design)} points, {int(reps.max()) if len(reps) else 0} "
        "replications per point."
    )
    return render(
        folder,
        f"coalsim sweep report: {sweep.name}",
        meta,
        sweep.manifest,
        overview_table(sweep),
        sweep_parts(sweep),
    )
