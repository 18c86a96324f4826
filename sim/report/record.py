"""The run against the public record: each figure its world names in
``[[public_figures]]``, the interval the record allows, and the simulated mean."""

from __future__ import annotations

from sim.metrics.evidence import against_record
from sim.metrics.registry import definition
from sim.report.data import RunData
from sim.report.style import Missing
from sim.report.tables import Table


def record_table(data: RunData) -> Table:
    """One row per public figure: what was reported, what the model gives, and whether
    the model's mean lies inside the reported interval."""
    figures = data.scenario.get("public_figures") or []
    if not figures:
        raise Missing(
            "this scenario names no public figures to compare with (add [[public_figures]] "
            "entries: metric, low, high, per, period, source; see docs/scenario.md)"
        )
    horizon = float(data.scenario.get("horizon_days", 365.0))
    rows = []
    for a in against_record(data.summary, figures, horizon):
        per = " a year" if a.per == "year" else ""
        model = a.shown(a.mean) + per
        if a.n > 1:
            model += f" ({a.shown(a.ci_low)} to {a.shown(a.ci_high)})"
        rows.append(
            [
                definition(a.metric).label,
                f"{a.shown(a.low)} to {a.shown(a.high)}{per}",
                model,
                a.verdict,
                a.period,
                a.source,
            ]
        )
    header = ["figure", "public record", "model: mean (95% CI)", "inside?", "period", "source"]
    return Table(header, rows, [22, 20, 26, 9, 10, 40], landscape=True)
