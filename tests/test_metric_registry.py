"""One definition per metric: the model's outputs, the terminal, the report and
docs/metrics.md all name the same metrics and show them the same way."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from builders import run

from sim.cli.run_table import summary_table
from sim.metrics import METRICS, registry, replication_metrics, weekly_series
from sim.metrics.docs import markdown
from sim.report.tables import all_metrics_table, headline_table
from sim.scenario import load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def surge_output():  # type: ignore[no-untyped-def]
    """A run with a change day and pressured destinations, so every metric has its column."""
    return run(load(ROOT / "scenarios" / "lianyungang_surge.toml"))


def test_every_emitted_metric_is_registered_and_every_registered_one_emitted(
    surge_output,  # type: ignore[no-untyped-def]
) -> None:
    row = replication_metrics(surge_output)
    assert list(row) == list(METRICS)  # same names, in runs.csv's column order


def test_every_weekly_series_column_is_defined(surge_output) -> None:  # type: ignore[no-untyped-def]
    columns = list(weekly_series(surge_output).columns)
    assert columns[0] == "week"
    assert set(columns[1:]) == set(registry.SERIES)


def test_every_definition_is_complete() -> None:
    ranges = {registry.UNBOUNDED, registry.NONNEGATIVE, registry.SHARE}
    for table in (METRICS, registry.SERIES, registry.DERIVED):
        for name, m in table.items():
            assert m.name == name and m.meaning and m.label and m.range in ranges, name
    for m in METRICS.values():
        assert m.group in registry.READING_ORDER, m.name
        assert m.headline or not m.target, f"{m.name}: a target metric is a headline one"


def test_the_headline_holds_only_metrics() -> None:
    """The report's old headline list named series columns (buyers_active, mean_belief)
    that no summary holds; they were dropped without a word."""
    assert set(registry.headline()) <= set(METRICS)
    assert registry.headline()[:3] == ["tonnes_delivered", "tonnes_seized", "seizure_share"]


def _summary(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"metric": m, "mean": mean, "std": 1.0, "ci95_low": lo, "ci95_high": hi, "n": 10}
            for m, (mean, lo, hi) in rows.items()
        ]
    )


def test_the_terminal_and_the_report_show_a_value_alike() -> None:
    """Read by hand: 4.01 Mt is 4,010 kt; a share of 0.067 is 6.70 %; RMB 1.689 bn is
    1,689 million RMB. The terminal once showed '4.01 M' and '0.0670' for these."""
    summary = _summary(
        {
            "tonnes_delivered": (4.01e6, 3.9e6, 4.12e6),
            "seizure_share": (0.067, 0.06, 0.074),
            "dprk_revenue_rmb": (1.689e9, 1.6e9, 1.75e9),
        }
    )
    table, _ = summary_table("test", summary, 10, wide=False)
    cells = {c.header: [str(x) for x in c._cells] for c in table.columns}
    terminal = dict(
        zip(cells["metric"], zip(cells["mean"], cells["unit"], strict=True), strict=True)
    )
    assert terminal == {
        "tonnes_delivered": ("4,010", "kt"),
        "seizure_share": ("6.70", "%"),
        "dprk_revenue_rmb": ("1,689", "M RMB"),
    }
    assert cells["95% CI"][0] == "3,900 .. 4,120"
    report = {r[0]: (r[1], r[3]) for r in headline_table(summary).rows}
    assert report == {
        "Coal delivered": ("4,010", "kt"),
        "Share of voyages seized": ("6.70", "%"),
        "DPRK sellers' revenue": ("1,689", "million RMB"),
    }


def test_a_policy_runs_headline_shows_where_the_coal_went() -> None:
    summary = _summary(
        {
            "tonnes_delivered": (4.0e6, 3.9e6, 4.1e6),
            "other_tonnes_per_day_change": (250.0, 100.0, 400.0),
        }
    )
    summary.loc[len(summary)] = ["recovery_days", math.nan, math.nan, math.nan, math.nan, 0]
    summary.loc[len(summary)] = ["share_waited", 0.0, 0.0, 0.0, 0.0, 10]  # nobody waited
    labels = [r[0] for r in headline_table(summary).rows]
    assert labels == ["Coal delivered", "Other destinations: change in coal per day"]


def test_the_every_metric_table_gives_each_meaning() -> None:
    summary = _summary({"tips": (40.0, 30.0, 50.0)})
    (row,) = all_metrics_table(summary).rows
    assert row[0] == "tips" and row[-1].startswith("tips given")


def test_docs_metrics_md_is_current() -> None:
    """docs/metrics.md is written by `make docs`; rerun it after changing a definition."""
    assert (ROOT / "docs" / "metrics.md").read_text() == markdown()


def test_the_report_marks_a_cut_interval_end_as_the_terminal_does() -> None:
    """0 voyages is the least a count can be: an interval that ends there with a spread
    was cut, and the report says so with '*' (the terminal always did)."""
    summary = _summary(
        {"shipments_seized": (4.0, 0.0, 21.2), "tonnes_delivered": (4.01e6, 3.9e6, 4.12e6)}
    )
    table = headline_table(summary)
    cells = {r[0]: r[2] for r in table.rows}
    assert cells == {"Coal delivered": "3,900 to 4,120", "Voyages seized": "0* to 21.2"}
    assert table.notes and table.notes[0].startswith("* the interval is cut there")
