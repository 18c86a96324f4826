"""A run's output set beside the public figures its world is meant to match.

Reads only saved values (a summary table and the scenario as saved), so the
report can draw it from a results folder; ``check`` refuses an entry naming a
metric coalsim does not report before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.metrics.registry import METRICS, definition
from sim.metrics.units import number
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.schema import Scenario

DAYS_PER_YEAR = 365.0
STATS = ("mean", "ci95_low", "ci95_high")


def check(scenario: Scenario, source: str) -> None:
    """Every ``public_figures`` entry names a metric of ``METRICS``."""
    for i, f in enumerate(scenario.public_figures):
        if f.metric not in METRICS:
            hint = did_you_mean(f.metric, METRICS, lead=" (", tail=")")
            raise ScenarioError(
                f"{source}: public_figures[{i}].metric: unknown metric {f.metric!r}{hint}; "
                "the metrics are listed in docs/metrics.md"
            )


@dataclass(frozen=True)
class Against:
    """One public figure and the run's mean beside it, both in the metric's file unit."""

    metric: str
    low: float
    high: float
    per: str
    period: str
    source: str
    mean: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def verdict(self) -> str:
        """'yes': the mean lies in the public interval; 'CI only': only its 95% CI reaches
        it; 'no': neither; 'n/a': no replication gave a value."""
        if self.n == 0 or math.isnan(self.mean):
            return "n/a"
        if self.low <= self.mean <= self.high:
            return "yes"
        if self.ci_low <= self.high and self.ci_high >= self.low:
            return "CI only"
        return "no"

    def shown(self, x: float, unit: bool = True) -> str:
        """``x`` in the metric's display unit: '4,010 kt' (or '4,010' without the unit)."""
        u = definition(self.metric).unit
        return f"{number(u(x))} {u.label if unit else ''}".rstrip()

    @property
    def unit(self) -> str:
        """The display unit, '/yr' added for a figure per year: 'kt/yr'."""
        label = definition(self.metric).unit.brief
        return f"{label}/yr" if self.per == "year" else label


def against_record(
    summary: pd.DataFrame, figures: Sequence[Mapping[str, Any]], horizon_days: float
) -> list[Against]:
    """Each public figure with the run's mean and 95% CI, a total scaled to a year when
    the figure is per year (a 180-day run's coal is doubled, not compared as it stands)."""
    rows = {str(r["metric"]): r for r in summary.to_dict("records")}
    out = []
    for f in figures:
        m = str(f["metric"])
        scale = DAYS_PER_YEAR / horizon_days if f.get("per", "run") == "year" else 1.0
        r = rows.get(m)
        n = int(r["n"]) if r is not None else 0
        mean, lo, hi = (float(r[k]) * scale if r is not None else math.nan for k in STATS)
        low, high = float(f["low"]), float(f["high"])
        per, period, source = str(f.get("per", "run")), str(f.get("period", "")), str(f["source"])
        out.append(Against(m, low, high, per, period, source, mean, lo, hi, n))
    return out
