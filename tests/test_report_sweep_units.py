"""Swept parameters as a reader sees them: in display units, one colour scale per metric,
unordered values as separate points, and metrics no point has a value of."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from test_report import overlapping_labels
from test_report_sweep import DESIGNS, FINE, LONG_KEYS, RESALE, VESSELS, make_sweep

from sim.report import make_report, sweep_figures, sweep_report
from sim.report.data import load_sweep
from sim.report.style import Missing


def panel(fig: Figure, key: str) -> Any:
    """The response panel of one parameter, found by its x-axis label."""
    return next(ax for ax in fig.axes if ax.get_xlabel().startswith(key))


def test_money_parameters_are_shown_in_million_rmb(tmp_path: Path) -> None:
    """Fines swept in RMB read in million RMB, the unit named, on axes and in the tables."""
    sweep = load_sweep(make_sweep(tmp_path / "fines", "oat", LONG_KEYS, reps=2))
    fig = sweep_figures.response(sweep, "tonnes_delivered")
    fig.canvas.draw()
    for key in (FINE, "enforcement.accomplice_fine_rmb"):
        ax = panel(fig, key)
        assert ax.get_xlabel() == f"{key} (million RMB)"
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert ticks and all(float(t.replace(",", "")) <= 12 for t in ticks), ticks
    assert panel(fig, "enforcement.vessel_detention_days").get_xlabel().endswith("(days)")
    # A rate per million RMB is no sum of money: shown as set, with no unit claimed.
    rate = "market.entry_per_month_per_million_rmb"
    assert sweep_figures.parameter_label(rate) == rate
    table = sweep_report.design_table(sweep)
    column = table.header.index(f"{FINE} (million RMB)")
    assert {r[column] for r in table.rows} == {"0", "0.6", "1.2", "2.4", "4.8", "12"}
    rows = dict((r[0], r[1]) for r in sweep_report.overview_table(sweep).rows)
    assert rows[f"parameter {FINE} (million RMB)"] == "0, 0.6, 1.2, 2.4, 4.8, 12"
    grid = load_sweep(make_sweep(tmp_path / "grid", "grid", DESIGNS["grid"], reps=2))
    heat = sweep_figures.heatmap(grid, "seizure_share").axes[0]
    assert heat.get_ylabel() == f"{FINE} (million RMB)"
    assert [t.get_text() for t in heat.get_yticklabels()] == ["0.6", "1.2", "2.4"]


def test_heatmap_panels_of_a_metric_share_one_colour_scale(tmp_path: Path) -> None:
    """Three panels of one metric: one colour means one value in all of them, one colourbar.
    The third panel averages over the vessels that move the metric, so its own range would
    be a sliver of the others'."""
    levels = {VESSELS: [1, 2, 4], RESALE: [2.0, 3.0], FINE: [6e5, 2.4e6]}
    sweep = load_sweep(make_sweep(tmp_path / "g3", "grid", levels, reps=2))
    fig = sweep_figures.heatmap(sweep, "seizure_share")
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 3
    assert len({im.get_clim() for im in images}) == 1, [im.get_clim() for im in images]
    assert [ax.get_label() for ax in fig.axes].count("<colorbar>") == 1
    assert overlapping_labels(fig) == []


TERMS = "contract.payment_terms"
TERMS_LEVELS = ["advance", "after_delivery", "endogenous"]


@pytest.mark.parametrize(
    ("design", "levels"),
    [
        ("grid", {VESSELS: [1, 2, 4], TERMS: TERMS_LEVELS}),  # one series per vessel count
        ("grid", {VESSELS: [1, 4], TERMS: TERMS_LEVELS, RESALE: [2.0, 3.0]}),  # averaged
        ("oat", {VESSELS: [1, 2, 4], TERMS: TERMS_LEVELS}),
    ],
)
def test_categorical_levels_are_separate_points_with_whiskers(
    tmp_path: Path, design: str, levels: dict[str, list[Any]]
) -> None:
    """Payment terms have no order: no line or band runs from one term to the next."""
    sweep = load_sweep(make_sweep(tmp_path / "terms", design, levels, reps=3))
    fig = sweep_figures.response(sweep, "tonnes_delivered")
    ax = panel(fig, TERMS)
    assert [t.get_text() for t in ax.get_xticklabels()] == TERMS_LEVELS
    joined = [
        line
        for line in ax.get_lines()
        if line.get_linestyle() not in ("None", "none", "") and len(line.get_xdata()) > 1
    ]
    assert joined == []
    assert not any(isinstance(c, PolyCollection) for c in ax.collections)  # no CI band
    assert any(isinstance(c, LineCollection) for c in ax.collections)  # CI whiskers
    assert overlapping_labels(fig) == []


def test_a_switch_reads_true_and_false_in_the_overview(tmp_path: Path) -> None:
    levels = {VESSELS: [1, 2], "adaptation.enabled": [False, True]}
    sweep = load_sweep(make_sweep(tmp_path / "switch", "oat", levels, reps=2))
    rows = dict((r[0], r[1]) for r in sweep_report.overview_table(sweep).rows)
    assert rows["parameter adaptation.enabled"] == "False, True"


def _blank(folder: Path, metric: str, points: set[int] | None = None) -> None:
    """Make ``metric`` undefined (NaN) at ``points`` (all when None), as a displacement
    metric is in a scenario without a change day."""
    summary = pd.read_csv(folder / "summary.csv")
    rows = summary["metric"] == metric
    if points is not None:
        rows &= summary["point"].isin(points)
    summary.loc[rows, ["mean", "std", "ci95_low", "ci95_high"]] = np.nan
    summary.to_csv(folder / "summary.csv", index=False)


def test_a_metric_without_any_value_is_a_note_not_a_failed_report(tmp_path: Path) -> None:
    folder = make_sweep(tmp_path / "nan", "grid", DESIGNS["grid"], reps=2)
    _blank(folder, "seizure_share")
    with pytest.raises(Missing, match="no design point has a value of seizure_share"):
        sweep_figures.heatmap(load_sweep(folder), "seizure_share")
    written = make_report(folder)  # the other figures and tables are still written
    assert written.html.is_file() and written.pdf.is_file()


def test_a_heatmap_keeps_a_level_none_of_whose_points_has_a_value(tmp_path: Path) -> None:
    """pivot_table drops an all-NaN row by default: the grid would lose that fine level
    without a word. It stays, drawn blank."""
    folder = make_sweep(tmp_path / "part", "grid", DESIGNS["grid"], reps=2)
    design = pd.read_csv(folder / "design.csv")
    top = set(design.loc[design[FINE] == max(DESIGNS["grid"][FINE]), "point"])
    _blank(folder, "seizure_share", top)
    fig = sweep_figures.heatmap(load_sweep(folder), "seizure_share")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.6", "1.2", "2.4"]
    z = ax.get_images()[0].get_array()
    assert np.ma.getmaskarray(z)[-1].all() or np.isnan(np.ma.filled(z, np.nan)[-1]).all()
    assert overlapping_labels(fig) == []
