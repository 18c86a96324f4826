"""What ``coalsim run`` prints when it is done: each metric's mean and 95% CI in the
report's units, and the notes under the table. Kept apart from the command so that the
CLI module stays the wiring of options to library calls."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from rich.table import Table

from sim.metrics import registry
from sim.metrics.evidence import against_record
from sim.metrics.ranges import cut_ends, metric_range
from sim.metrics.units import number
from sim.scenario.schema import Scenario


def summary_table(
    name: str,
    summary: pd.DataFrame,
    replications: int,
    wide: bool,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[Table, list[str]]:
    """The table and the notes to print after it (a cut interval, metrics with no value).

    Metrics come in the report's reading order and units (6.70 %, 4,010 kt), so the
    terminal and the report say the same thing the same way.
    """
    plural = "s" if replications != 1 else ""
    table = Table(title=f"{name}: mean and 95% CI over {replications} replication{plural}")
    table.add_column("metric", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    if wide:
        table.add_column("meaning")
    idle, fewer, cut = [], [], False
    rows = {str(r["metric"]): r for r in summary.to_dict("records")}
    for metric in registry.reading_order(rows):
        row = rows[metric]
        lo, hi, n = float(row["ci95_low"]), float(row["ci95_high"]), int(row["n"])
        if n == 0:  # no replication has a value: a displacement metric with no change day
            idle.append(metric)
            continue
        if n < replications:  # e.g. a displacement index where the drop was clear of zero
            fewer.append(f"{metric} ({n} of {replications})")
        within = (ranges or {}).get(metric, metric_range(metric))
        low_cut, high_cut = cut_ends(lo, hi, float(row["std"]), within)
        cut = cut or low_cut or high_cut
        d = registry.definition(metric)
        u = d.unit
        ends = f"{number(u(lo))}{'*' * low_cut} .. {number(u(hi))}{'*' * high_cut}"
        cells = [metric, number(u(float(row["mean"]))), ends if n > 1 else "n/a", u.brief]
        table.add_row(*cells, *([d.meaning] if wide else []))
    notes = []
    if cut:
        notes.append(
            "* the interval is cut there, at the least or most the metric can be: "
            f"Student's t from {replications} replication{plural} reached values it cannot take"
        )
    if fewer:
        notes.append(
            "over the replications that have a value (its meaning says when one has none): "
            + ", ".join(fewer)
        )
    if idle:
        notes.append(f"not applicable in this run (no value in any replication): {', '.join(idle)}")
    return table, notes


def record_table(scenario: Scenario, summary: pd.DataFrame) -> Table:
    """The run's means beside the public figures its world names."""
    table = Table(title=f"{scenario.name}: against the public record (docs/sources.md)")
    # Cells wrap rather than lose digits in a narrow or piped terminal.
    for column in ("metric", "unit", "public", "model (95% CI)", "inside?"):
        table.add_column(column, overflow="fold", min_width=4 if column == "unit" else None)
    figures = [f.model_dump() for f in scenario.public_figures]
    rows = {str(r["metric"]): r for r in summary.to_dict("records")}
    for a in against_record(summary, figures, scenario.horizon_days):
        public = f"{a.shown(a.low, False)} .. {a.shown(a.high, False)}"
        row = rows.get(a.metric)  # cut as the run table cuts it, and marked alike
        low_cut, high_cut = (
            cut_ends(float(row["ci95_low"]), float(row["ci95_high"]), float(row["std"]),
                     metric_range(a.metric))
            if row is not None
            else (False, False)
        )  # fmt: skip
        ci = f"{a.shown(a.ci_low, False)}{'*' * low_cut} .. {a.shown(a.ci_high, False)}"
        ci += "*" * high_cut
        table.add_row(a.metric, a.unit, public, f"{a.shown(a.mean, False)} ({ci})", a.verdict)
    return table
