"""The report of a sweep: overview, responses per metric, grid heatmaps, sensitivity, design."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from sim.metrics.units import counted
from sim.report import discovery, effects, style, sweep_figures, sweep_sensitivity
from sim.report.build import Part, Written, render
from sim.report.data import SweepData, load_sweep
from sim.report.tables import Table, fit_widths, fitted, page_chars
from sim.report.terms import endogenous_sweep_note

MAX_ROWS = 5000
"""Design points listed in the HTML table (the largest shipped design has 512); the full
design is in design.csv. The PDF lists those that fit on its page."""
MAX_METRIC_COLUMNS = 4
INDEX_NAMES = {"S1": "S1", "ST": "ST", "S2": "S2", "mu_star": "μ*", "sigma": "σ"}  # noqa: RUF001


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
            shown = [sweep_figures.parameter_value(p, v) for v in values]
            text = (
                ", ".join(shown)
                if len(values) <= 8
                else f"{shown[0]} to {shown[-1]} ({len(values)} values)"
            )
        else:
            text = ", ".join(sorted(col.astype(str).unique()))
        # In the unit the figures use (a fine in million RMB), named with the key path.
        rows.append([f"parameter {sweep_figures.parameter_label(p)}", text])
    m = sweep.manifest
    base = m.get("base_scenario") or m.get("scenario_file")
    # What every point shares, so that a 90-day sweep's coal does not read as a year's.
    shared: list[list[str]] = []
    if base:
        shared.append(["base scenario", os.path.normpath(str(base))])
    scenario = m.get("scenario")
    if "horizon_days" in sweep.parameters:
        shared.append(["horizon", "swept (see parameter horizon_days)"])
    elif isinstance(scenario, dict) and "horizon_days" in scenario:
        shared.append(["horizon", f"{_value(scenario['horizon_days'])} days"])
    if m.get("seed") is not None:
        shared.append(["root seed", str(m["seed"])])
    overrides = m.get("overrides")
    shared.append(
        [
            "changes to the base",
            "; ".join(map(str, overrides)) if overrides else "none (the base as it stands)",
        ]
    )
    why = endogenous_sweep_note(sweep)  # why endogenous points read as advance ones
    # 110 characters: upright
    return Table(["setting", "value"], shared + rows, [30, 80], notes=(why,) if why else ())


def design_table(sweep: SweepData) -> Table:
    """Every design point with its parameter values and the mean of the first outputs.

    Headers are key paths and metric names: they wrap between their parts on the PDF page,
    which is turned sideways when the columns need more room than an upright page has. The
    page lists the points that fit on it; the HTML lists every one (up to ``MAX_ROWS``)."""
    metrics = sweep.outputs[:MAX_METRIC_COLUMNS]
    wide = sweep.summary.pivot_table(index="point", columns="metric", values="mean")
    frame = sweep.design.set_index("point").join(wide[[m for m in metrics if m in wide]])
    metrics = [m for m in metrics if m in frame]
    header = ["point", *(sweep_figures.parameter_label(p) for p in sweep.parameters)]
    header += [f"{style.label(m)} ({style.unit_for(m).label})".replace(" ()", "") for m in metrics]
    rows = []
    for point, r in frame.head(MAX_ROWS).iterrows():
        cells = [str(point), *(sweep_figures.parameter_value(p, r[p]) for p in sweep.parameters)]
        cells += [style.number(style.unit_for(m)(float(r[m]))) for m in metrics]
        rows.append(cells)
    right = tuple(range(1 + len(sweep.parameters), len(header)))
    return fitted(
        header,
        rows,
        right,
        notes=(_outputs_note(sweep, metrics),) if metrics else (),
        more="The first {shown} of {total} design points; all of them are in design.csv and "
        "runs.csv (means in summary.csv) and in the HTML report.",
    )


def _outputs_note(sweep: SweepData, shown: list[str]) -> str:
    note = "Outputs: mean over each point's replications."
    left = [m for m in sweep.outputs if m not in shown]
    if left:
        note += f" Not in this table, for room (their means are in summary.csv): {', '.join(left)}."
    return note


def _index(v: float, morris: bool) -> str:
    """A Morris effect to three significant figures; a Sobol index (a share) to 0.001."""
    if morris or math.isnan(v):
        return style.number(v)
    return f"{v:.3f}".replace("-0.000", "0.000")


def _ci(lo: float, hi: float, morris: bool) -> str:
    if math.isnan(lo) or math.isnan(hi):
        return "n/a"
    return f"{_index(lo, morris)} to {_index(hi, morris)}"


def sensitivity_table(sweep: SweepData) -> Table | None:
    """Each index with its 95% interval, per output and parameter, as in sensitivity.csv;
    Morris effects in the output's display unit. None when the sweep saved no indices."""
    s = sweep.sensitivity
    if s is None or s.empty:
        return None
    known = list(dict.fromkeys(s["metric"].astype(str)))
    metrics = [m for m in sweep.outputs if m in known] or known
    indices = [str(i) for i in dict.fromkeys(s["index"])]
    morris = any(i in ("mu_star", "sigma") for i in indices)
    header = ["output", "parameter"]
    for i in indices:
        header += [INDEX_NAMES.get(i, i), f"{INDEX_NAMES.get(i, i)} 95% CI"]
    keys = zip(*(s[c].astype(str) for c in ("metric", "parameter", "index")), strict=True)
    values = s[["value", "ci95_low", "ci95_high"]].to_numpy(dtype=float)
    found = {k: (float(v[0]), float(v[1]), float(v[2])) for k, v in zip(keys, values, strict=True)}
    rows = []
    for m in metrics:
        u = style.unit_for(m)
        scale = u.scale if morris else 1.0
        name = style.label(m) + (f" ({u.label})" if morris and u.label else "")
        for p in dict.fromkeys(s.loc[s["metric"].astype(str) == m, "parameter"].astype(str)):
            cells = [name, p]
            for i in indices:
                if (m, p, i) not in found:
                    cells += ["", ""]
                    continue
                v, lo, hi = (x / scale for x in found[(m, p, i)])
                cells += [_index(v, morris), _ci(lo, hi, morris)]
            rows.append(cells)
    return fitted(
        header,
        rows,
        tuple(range(2, len(header))),
        notes=(MORRIS_NOTE if morris else SOBOL_NOTE,),
        more="The first {shown} of {total} rows; all of them are in sensitivity.csv and in the "
        "HTML report.",
    )


SOBOL_NOTE = (
    "S1: the share of the output's variance due to the parameter alone; ST: the share it has "
    "a part in, interactions with other parameters included. Intervals: 95%, by bootstrap."
)
MORRIS_NOTE = (
    "μ*: the mean absolute change in the output when the parameter moves over its full range, "
    "in the output's unit; σ: the spread of those changes (interactions and non-linearity). "  # noqa: RUF001
    "Intervals: 95%, by bootstrap."
)


def sweep_parts(sweep: SweepData, found: list[str] | None = None) -> list[Part]:
    found = effects.findings(sweep) if found is None else found
    parts = [
        Part(
            "findings",
            "Findings",
            "What the sweep shows, computed from the paired differences in effects.csv.",
            table=effects.findings_table(found),
        ),
        Part(
            "overview",
            "Sweep design",
            " ".join(x for x in ("What was varied, and how.", endogenous_sweep_note(sweep)) if x),
            table=overview_table(sweep),
        ),
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
            "effects",
            "Differences from the reference point",
            "Each point minus the reference point in the first outputs, paired by replication, "
            "with the 95% CI of the per-replication differences (all metrics: effects.csv).",
            table=effects.effects_table(sweep),
            table_page=True,
        )
    )
    parts += _sensitivity_parts(sweep)
    parts.append(_design_part(sweep))
    parts.append(_discovery_part(sweep))
    return parts


def _discovery_part(sweep: SweepData) -> Part:
    """The discoveries saved in the folder (``coalsim discover``), or how to make one."""
    saved = discovery.listed(sweep.folder)
    command = f'coalsim discover {sweep.folder} --where "{(sweep.outputs or ["METRIC"])[0]} < X"'
    caption = (
        "The boxes of inputs where a condition on the outputs holds, found by PRIM over "
        f"the design points: {command}"
        + (" (a sampled design, lhs, suits it best)." if sweep.design_kind != "lhs" else ".")
    )
    if not saved:
        return Part("discovery", "Scenario discovery", caption + " None is saved yet.")
    rows = [
        [d.where, str(d.box), f"{d.coverage:.0%}", f"{d.density:.0%}",
         os.path.relpath(d.folder, sweep.folder)]
        for d in saved
    ]  # fmt: skip
    header = ["condition", "box", "coverage", "density", "folder"]
    table = Table(header, rows, fit_widths(header, rows, page_chars()), (1, 2, 3))
    links = [
        f"{row[-1]}/{name}" for row in rows for name in ("discovery.txt", "figures/discovery.png")
    ]
    return Part(
        "discovery", "Scenario discovery", caption, table=table, links=links, table_page=True
    )


def _sensitivity_parts(sweep: SweepData) -> list[Part]:
    """The indices' chart (a note, for a design that has none) and, when saved, their table."""
    parts = [
        Part(
            "sensitivity",
            "Sensitivity indices",
            "How much of each output's variation each parameter explains (Sobol: first-order "
            "and total indices) or how strongly it moves the output (Morris: μ* and σ), with "  # noqa: RUF001
            "95% confidence intervals.",
            lambda: sweep_sensitivity.sensitivity(sweep),
        )
    ]
    indices = sensitivity_table(sweep)
    if indices is not None:
        note = MORRIS_NOTE if "μ*" in indices.header else SOBOL_NOTE
        parts.append(
            Part(
                "sensitivity_table",
                "Sensitivity indices with 95% confidence intervals",
                f"The values behind the chart, from sensitivity.csv. {note}",
                table=indices,
                table_page=True,
            )
        )
    return parts


def _design_part(sweep: SweepData) -> Part:
    """The design points with the first outputs' means; the PDF page says how many fit."""
    table = design_table(sweep)
    shown = (
        f"the first {MAX_ROWS} of {len(sweep.design)}; all are in design.csv"
        if len(sweep.design) > MAX_ROWS
        else f"all {len(sweep.design)}"
    )  # the PDF page lists those that fit on it and says how many
    return Part(
        "design",
        "Design points",
        f"Design points ({shown}) with the mean of the first outputs at each.",
        table=table,
        table_page=True,
    )


def sweep_report(folder: Path) -> Written:
    sweep = load_sweep(folder)
    reps = sweep.runs.groupby("point")["replication"].nunique()
    meta = (
        f"Sweep {sweep.name}: {sweep.design_kind} design over "
        f"{counted(len(sweep.parameters), 'parameter')}, {counted(len(sweep.design), 'point')}, "
        f"{counted(int(reps.max()) if len(reps) else 0, 'replication')} per point."
    )
    found = effects.findings(sweep)
    front = [f"Findings. {found[0]}", *found[1 : effects.MAX_FINDINGS]] if found else []
    if len(found) > len(front):
        front.append(f"({len(found) - len(front)} more findings in report.html)")
    return render(
        folder,
        f"coalsim sweep report: {sweep.name}",
        meta,
        sweep.manifest,
        overview_table(sweep),
        sweep_parts(sweep, found),
        front=front,
    )
