"""The displacement index has one definition and one label wherever it is shown (terminal,
report tables, the volume figure's note), and each says over how many replications."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.cli.run_table import summary_table
from sim.report import style
from sim.report.data import RunData
from sim.report.displacement import headline, index_note

ROWS = [
    # metric, mean, std, low, high, n (4 replications; the index in 3 of them)
    ("pressured_tonnes_per_day_change", -2000.0, 900.0, -3400.0, -600.0, 4),
    ("other_tonnes_per_day_change", 137.0, 1100.0, -1650.0, 1850.0, 4),
    ("displacement_index", 0.121, 0.25, -0.49, 0.73, 3),
    ("tonnes_delivered", 3.0e6, 1.0e5, 2.8e6, 3.2e6, 4),
]


def run_data() -> RunData:
    summary = pd.DataFrame(ROWS, columns=["metric", "mean", "std", "ci95_low", "ci95_high", "n"])
    runs = pd.DataFrame({"replication": [0, 1, 2, 3]})
    return RunData(Path("."), {"kind": "run"}, runs, summary, None, None, None, None)


def test_the_figure_note_gives_the_tables_index_not_a_pooled_ratio() -> None:
    note = index_note(run_data())
    label = style.label("displacement_index")
    # the summary's 12.1%, with its CI; the pooled ratio 137 / 2,000 = 6.85% is not shown
    assert f"{label} 12.1% (95% CI -49.0 to 73.0)" in note
    assert "6.85" not in note and "pooled" not in note
    assert "the 3 of 4 replications whose drop was clear of zero" in note
    assert "`displacement_index` in runs.csv and the terminal" in note


def test_the_headline_page_says_which_index_it_shows() -> None:
    table = headline(run_data())
    label = style.label("displacement_index")
    assert [r[0] for r in table.rows].count(label) == 1
    row = next(r for r in table.rows if r[0] == label)
    assert row[1] == "12.1"
    assert any(n.startswith(label) and "3 of 4 replications" in n for n in table.notes)


def test_the_terminal_says_over_how_many_replications() -> None:
    _, notes = summary_table("x", run_data().summary, 4, wide=False)
    assert any("displacement_index (3 of 4)" in n for n in notes), notes
